"""Polish a plan over periods on the real curves, over the whole horizon (no pulp).

With the on/off schedule fixed, every on spend of every period moves at once
(:class:`channelmix.solve.polish.horizon.HorizonProblem`, SLSQP from the MILP's point): money
moves between periods and through the adstock of carry-over channels, under every money,
resource, share, pacing and ramp rule and every hard coverage target.  With a spend_step
the polished spends are put back on the payable grid: by the unit-move search of
:mod:`channelmix.solve.polish.steps` over the horizon when the spends are few, else by rounding
(and the plan says so).  The result is kept only if
:func:`channelmix.verify.evaluate_periods.evaluate_periods` finds it better by more than
``MIN_GAIN`` and free of violations.  Deterministic: bounded by iteration, round and move
counts, not by the clock; the time left chooses how many iterations (none below 10 ms), and
only a polish that would overrun it is stopped there (the plan then says so).
"""

from __future__ import annotations

import time

import numpy as np

from ...model.facts import Note
from ...schema.models import Scenario
from ...verify.evaluate_periods import Key, evaluate_periods
from .horizon import HorizonProblem
from .single import MIN_GAIN, Polished
from .steps import grid_search, on_grid

MAX_GRID = 24  # free spends up to which the unit-move search runs over the horizon (its moves grow as n²)


def polish_periods(scenario: Scenario, on: dict[Key, bool], spend: dict[Key, float],
                   time_left: float = 5.0) -> Polished:
    """Better spends for the same on/off schedule over the horizon, or the given ones if none is found."""
    began = time.perf_counter()
    kept = Polished(dict(spend), 0.0, 0.0)
    if not scenario.objective.maximises:
        return kept
    if time_left <= 0.01:
        return Polished(dict(spend), 0.0, 0.0, note=Note("polish_periods", "no_time"))
    before = evaluate_periods(scenario, on, spend)
    if before.violations:
        return kept
    problem = HorizonProblem(scenario, on, spend, before)
    if problem.s0.size == 0:
        return kept
    x, stopped = problem.solve(50 if time_left > 1.0 else 15, began + time_left)
    note = Note("polish_periods", stopped) if stopped else None
    steps = _steps(scenario, problem)
    candidates = [] if x is None else [x]
    if steps.any() and x is not None:
        if problem.s0.size <= MAX_GRID:
            found = grid_search(problem, steps, on_grid(x, steps))
            candidates = [] if found is None else [found]
        else:  # the unit-move search over the horizon would cost n² moves a step: round instead
            candidates = on_grid(x, steps)
            note = Note("polish_periods", "rounded", count=int(problem.s0.size))
    best, best_gain = None, MIN_GAIN * problem.scale
    for s in candidates:
        candidate = {**spend,
                     **{(scenario.channels[c].id, problem.H.ids[t]): float(v)
                        for (c, t), v in zip(problem.cells_free, s)}}
        after = evaluate_periods(scenario, on, candidate)
        if not after.violations and after.objective - before.objective > best_gain:
            best, best_gain = candidate, after.objective - before.objective
    if best is None:
        return Polished(kept.spend, 0.0, time.perf_counter() - began, note=note)
    return Polished(best, best_gain, time.perf_counter() - began, note=note)


def _steps(scenario: Scenario, problem: HorizonProblem) -> np.ndarray:
    step_of = [scenario.step_of(ch) or 0.0 for ch in scenario.channels]
    return np.array([step_of[c] for c in problem.cells_free[:, 0]])
