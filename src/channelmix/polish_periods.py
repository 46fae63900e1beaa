"""Polish a plan over periods on the real curves, period by period (no pulp).

With on/off fixed, each period's spends are polished by :func:`channelmix.polish.polish`
on the period's view, with the period's budget held at the money the MILP spent there:
no period spends more than before, so the total, every per-period budget and the
carry-over of unspent money still hold.  Spends that tie periods together stay as the
MILP chose them: a period where a channel with carry-over runs is left alone (its spend
echoes later), and plans under pacing or ramp rules are not polished.  The result is kept
only if :func:`channelmix.evaluate_periods.evaluate_periods` finds it better and free of
violations.
"""

from __future__ import annotations

import time

from .evaluate_periods import Key, evaluate_periods
from .periods import Horizon
from .polish import MIN_GAIN, Polished, polish
from .schema.models import Scenario


def polish_periods(scenario: Scenario, on: dict[Key, bool], spend: dict[Key, float], time_left: float = 5.0) -> Polished:
    """Better spends for the same on/off schedule, or the given ones if none is found."""
    began = time.perf_counter()
    kept = Polished(dict(spend), 0.0, 0.0)
    rules = scenario.rules
    if not scenario.objective.maximises or rules.pacing is not None or rules.ramp is not None or time_left <= 0.01:
        return kept
    H = Horizon(scenario)
    before = evaluate_periods(scenario, on, spend)
    if before.violations:
        return kept
    candidate = dict(spend)
    for t, p in enumerate(H.ids):
        if any(ch.carry_over > 0 and on.get((ch.id, p), False) for ch in scenario.channels):
            continue
        left = time_left - (time.perf_counter() - began)
        if left <= 0.01:
            break
        view = H.views[t].model_copy(update={"budget": before.periods[t].money})
        result = polish(view, {c.id: on.get((c.id, p), False) for c in scenario.channels},
                        {c.id: spend.get((c.id, p), 0.0) for c in scenario.channels}, left / (H.T - t))
        if result.gain > 0:
            candidate.update({(cid, p): value for cid, value in result.spend.items()})
    after = evaluate_periods(scenario, on, candidate)
    gain = after.objective - before.objective
    if after.violations or gain <= MIN_GAIN * max(1.0, abs(before.objective)):
        return Polished(kept.spend, 0.0, time.perf_counter() - began)
    return Polished(candidate, gain, time.perf_counter() - began)
