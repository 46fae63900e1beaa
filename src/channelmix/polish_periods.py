"""Polish a plan over periods on the real curves, over the whole horizon (no pulp).

With the on/off schedule fixed, every on spend of every period moves at once
(:class:`channelmix.polish_horizon.HorizonProblem`, SLSQP from the MILP's point): money
moves between periods and through the adstock of carry-over channels, under every money,
resource, share, pacing and ramp rule and every hard coverage target.  With a spend_step
the polished spends are put back on the payable grid: by the unit-move search of
:mod:`channelmix.polish_steps` over the horizon when the spends are few, else by rounding
(and the plan says so).  The result is kept only if
:func:`channelmix.evaluate_periods.evaluate_periods` finds it better by more than
``MIN_GAIN`` and free of violations.  Deterministic: bounded by iteration, round and move
counts, not by the clock; the time left chooses how many iterations (none below 10 ms), and
only a polish that would overrun it is stopped there (the plan then says so).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from .evaluate_periods import Key, evaluate_periods
from .polish import MIN_GAIN, Polished
from .polish_horizon import HorizonProblem
from .polish_steps import grid_search, on_grid
from .schema.models import Scenario

MAX_GRID = 24  # free spends up to which the unit-move search runs over the horizon (its moves grow as n²)
STOPPED = {"iterations": "the polish stopped at its iteration limit, a hair short of the real optimum",
           "time": "the polish stopped at the time limit, a hair short of the real optimum",
           "broke down": "the polish broke down (no finite step) and kept the MILP's spends"}


@dataclass(frozen=True)
class PeriodsPolished(Polished):
    note: str = ""  # what the plan should say when the polish did not run in full ("" when it did)


def polish_periods(scenario: Scenario, on: dict[Key, bool], spend: dict[Key, float], time_left: float = 5.0) -> PeriodsPolished:
    """Better spends for the same on/off schedule over the horizon, or the given ones if none is found."""
    began = time.perf_counter()
    kept = PeriodsPolished(dict(spend), 0.0, 0.0)
    if not scenario.objective.maximises:
        return kept
    if time_left <= 0.01:
        return PeriodsPolished(dict(spend), 0.0, 0.0, note=_note("no time was left to polish the spends"))
    before = evaluate_periods(scenario, on, spend)
    if before.violations:
        return kept
    problem = HorizonProblem(scenario, on, spend, before)
    if problem.s0.size == 0:
        return kept
    x, stopped = problem.solve(50 if time_left > 1.0 else 15, began + time_left)
    note = _note(STOPPED[stopped]) if stopped else ""
    steps = _steps(scenario, problem)
    candidates = [] if x is None else [x]
    if steps.any() and x is not None:
        if problem.s0.size <= MAX_GRID:
            candidates = [grid_search(_GridView(problem), steps, on_grid(x, steps))]
        else:  # the unit-move search over the horizon would cost n² moves a step: round instead
            candidates = on_grid(x, steps)
            note = _note(f"the polished spends were rounded to the spend_step grid (no unit-move search over {problem.s0.size} spends)")
    best, best_gain = None, MIN_GAIN * problem.scale
    for s in candidates:
        if s is None:
            continue
        candidate = {**spend, **{(scenario.channels[c].id, problem.H.ids[t]): float(v) for (c, t), v in zip(problem.cells_free, s)}}
        after = evaluate_periods(scenario, on, candidate)
        if not after.violations and after.objective - before.objective > best_gain:
            best, best_gain = candidate, after.objective - before.objective
    if best is None:
        return PeriodsPolished(kept.spend, 0.0, time.perf_counter() - began, note=note)
    return PeriodsPolished(best, best_gain, time.perf_counter() - began, note=note)


def _note(why: str) -> str:
    return f"plan over periods: {why}; how money is split between periods may be the MILP's, on its curve pieces (see approximation_bound)"


def _steps(scenario: Scenario, problem: HorizonProblem) -> np.ndarray:
    step_of = [scenario.step_of(ch) or 0.0 for ch in scenario.channels]
    return np.array([step_of[c] for c in problem.cells_free[:, 0]])


class _GridView:
    """A :class:`HorizonProblem` as :func:`channelmix.polish_steps.grid_search` reads a single-period problem."""

    def __init__(self, problem: HorizonProblem) -> None:
        self.lo, self.hi, self.s0, self.constraints = problem.lo, problem.hi, problem.s0, problem.constraints
        self.free = np.arange(problem.s0.size)
        self.hard = np.arange(problem.targets.size)
        self.A = SimpleNamespace(coverage=SimpleNamespace(level=problem.targets))
        self.objective = problem.objective
        self._levels = lambda s: (problem.hard_levels(s), None, None)
