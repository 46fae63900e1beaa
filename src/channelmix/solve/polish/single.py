"""Polish a MILP plan on the exact curves: with on/off fixed, move the continuous spends.

The MILP optimises piecewise-linear under-estimates of the curves, so its spends are a
hair off the real optimum (0.05–0.3 % on S-shaped Hill curves).  From the MILP's point,
SLSQP maximises the true objective over the spends of the channels that are on, with
every linear rule as a constraint (budget, resources, min/max spend, concentration,
group shares) and hard coverage targets as smooth inequalities.  The result is kept
only if :func:`channelmix.verify.evaluate.evaluate` finds it better on the real curves and
free of violations, so polishing never makes a plan worse or wrong.

Only maximising senses are polished (max_reach, max_value, max_outcome): their objective
rises with reach (or outcome), which is what moving spend along the curves buys.  No PuLP here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ...model.arrays import arrays
from ...model.facts import Note
from ...schema.models import Scenario
from ...verify.evaluate import Evaluation, evaluate, off_steps
from ..scaling import objective_scale
from .problem import SpendProblem, objective_coefficients
from .sets import neighbours
from .steps import grid_search, on_grid

MIN_GAIN = 1e-8  # relative: smaller gains are round-off (or the hair the tie-break pass gave up for less money)


@dataclass(frozen=True)
class Polished:
    """Spends polished on the real curves (keyed by channel, or by (channel, period) over periods)."""

    spend: dict
    gain: float  # true objective after − before (0: kept the MILP's spends)
    seconds: float
    truth: Evaluation | None = None  # the evaluation at the polished spends (None: kept the MILP's)
    on: dict[str, bool] | None = None  # a neighbouring on/off set that polished better (None: the MILP's)
    note: Note | None = None  # what the plan should say when the polish did not run in full (the horizon's)


def polish_single(scenario: Scenario, on: dict[str, bool], spend: dict[str, float], time_left: float = 5.0,
                  sets: bool = False) -> Polished:
    """Better spends for the same on/off set, or with ``sets`` for a neighbouring one (see
    :mod:`channelmix.solve.polish.sets`), or the given ones if none is found.  ``sets`` only where
    the on/off set was the MILP's free choice: not for a model with cuts on it (alternatives)
    nor for one period of a plan over periods (its on/off is tied to the other periods)."""
    began = time.perf_counter()
    kept = Polished(dict(spend), 0.0, 0.0)
    if not scenario.objective.maximises or time_left <= 0.01:
        return kept
    before = evaluate(scenario, on, spend)
    if before.violations:
        return kept
    least = before.objective + MIN_GAIN * objective_scale(before.objective, objective_coefficients(arrays(scenario)))
    best: tuple[dict[str, bool], dict[str, float], Evaluation] | None = None
    found = _polish_set(scenario, on, spend, time_left)
    if found is not None and found[1].objective > least:
        best = (on, *found)
    at_on, at_spend = best[:2] if best else (on, spend)
    problem = SpendProblem(scenario, at_on, at_spend)
    for neighbour in neighbours(problem, problem.A.vector(at_spend) * problem.is_on) if sets else []:
        if breaks_on_off(scenario, neighbour.on, neighbour.spend):
            continue  # no spends can mend it: its polish would end in a violation (and take the longest)
        to_beat = max(least, best[2].objective if best else -np.inf)
        found = _polish_set(scenario, neighbour.on, neighbour.spend, time_left - (time.perf_counter() - began), to_beat)
        if found is not None:
            switched, found = _idle_off(scenario, neighbour.on, *found)
            if found[1].objective > to_beat:
                best = (switched, *found)
    if best is None:
        return _unchanged(kept, began)
    chosen_on, candidate, after = best
    return Polished(candidate, after.objective - before.objective, time.perf_counter() - began, after,
                    None if chosen_on is on else dict(chosen_on))


def _polish_set(scenario: Scenario, on: dict[str, bool], spend: dict[str, float],
                time_left: float, beat: float = -np.inf) -> tuple[dict[str, float], Evaluation] | None:
    """The polished spends of one on/off set and their evaluation, when free of violations
    (None also when even the spends between payable units do not get above ``beat``)."""
    problem = SpendProblem(scenario, on, spend)
    if problem.free.size == 0 or time_left <= 0.01 or problem.short_at_caps() or problem.over_at_floors():
        return None  # no spends mend these: every polish would end in a violation, after the longest SLSQP runs
    x = problem.solve(time_left)
    step_of = {ch.id: scenario.step_of(ch) or 0.0 for ch in scenario.channels}
    steps = np.array([step_of[problem.A.ids[c]] for c in problem.free])
    if steps.any() and x is not None:  # payable units: search the grid around the rounded polish
        if -problem.objective(x / problem.hi)[0] * problem.scale <= beat:
            return None  # the grid's best is no better than the continuous optimum: not worth the search
        x = grid_search(problem, steps, on_grid(x, steps))
    if x is None:
        return None
    candidate = {**spend, **{problem.A.ids[c]: float(value) for c, value in zip(problem.free, x)}}
    after = evaluate(scenario, on, candidate)
    return None if after.violations or off_steps(scenario, candidate) else (candidate, after)


ON_OFF_RULES = ("force_on", "force_off", "cardinality", "requires", "excludes")


def breaks_on_off(scenario: Scenario, on: dict[str, bool], spend: dict[str, float]) -> bool:
    """Whether the on/off set itself breaks a rule that no spend changes (forced channels, the channel
    count, requires/excludes, a group's count): every polish of it would end in a violation, and is
    not run.  The neighbours of a plan can, e.g. one channel more than ``cardinality.max`` allows;
    SLSQP then spends its whole iteration limit (3.4 of khadamat-persian's 3.6 s)."""
    return any(v.kind in ON_OFF_RULES or (v.kind == "group" and v.rule.endswith("_count"))
               for v in evaluate(scenario, on, spend).violations)


def _idle_off(scenario: Scenario, on: dict[str, bool], spend: dict[str, float],
              truth: Evaluation) -> tuple[dict[str, bool], tuple[dict[str, float], Evaluation]]:
    """A neighbouring set with the channels its polish left at no spend switched off, when that
    breaks no rule and loses nothing (idle channels off, as the tie-break promises)."""
    A, caps = arrays(scenario), scenario.spend_caps()
    idle = [cid for c, cid in enumerate(A.ids)
            if on.get(cid) and A.spend_dependent[c] and spend.get(cid, 0.0) <= 1e-9 * caps[cid]]
    if not idle:
        return on, (spend, truth)
    fewer, unspent = {**on, **dict.fromkeys(idle, False)}, {**spend, **dict.fromkeys(idle, 0.0)}
    tidy = evaluate(scenario, fewer, unspent)
    if tidy.violations or tidy.objective < truth.objective:
        return on, (spend, truth)
    return fewer, (unspent, tidy)


def _unchanged(kept: Polished, began: float) -> Polished:
    return Polished(kept.spend, 0.0, time.perf_counter() - began)


