"""A global optimum that funds an S-shaped channel, which a gradient method misses.

TV is S-shaped (hill, shape 8, half 280): below ~150 its marginal outcome is tiny, so
SLSQP started at the equal split or at today's spend moves money to the two concave
channels and leaves TV at zero.  The MILP models the S-curve exactly in pieces and finds
that putting nearly the whole budget into TV is worth several times more.  Both are
judged on the same exact curves.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from channelmix.schema import validate
from channelmix.schema.responses import reach
from channelmix.solve.pipeline import solve_scenario

BUDGET = 300.0
CHANNELS = [
    {"id": "search", "response": {"type": "saturating", "scale": 60}, "outcome": {"value": 100}},
    {"id": "social", "response": {"type": "saturating", "scale": 40}, "outcome": {"value": 80}},
    {"id": "tv", "response": {"type": "hill", "half": 280, "shape": 8}, "outcome": {"value": 1000}},
]
CURRENT = np.array([150.0, 120.0, 30.0])


def _scenario():
    data = {"scenario": "s-curve", "phases": ["all"], "segments": ["all"], "budget": BUDGET,
            "channels": CHANNELS, "objective": {"sense": "max_outcome"}}
    return validate(data).scenario


def _total(spends, scenario) -> float:
    return sum(c.outcome.value * reach(c.response, s) for c, s in zip(scenario.channels, spends))


def _slsqp(start, scenario) -> np.ndarray:
    done = minimize(lambda x: -_total(x, scenario), start, method="SLSQP", bounds=[(0, BUDGET)] * 3,
                    constraints=[{"type": "ineq", "fun": lambda x: BUDGET - x.sum()}])
    return done.x


def test_milp_funds_the_s_curve_that_slsqp_leaves_at_zero():
    sc = _scenario()
    plan = solve_scenario(sc)
    assert plan.verified
    spend = {c.id: c.spend for c in plan.channels}
    # brute force on a 1-unit grid over (search, social), tv gets the rest of the budget or less
    grid = np.arange(0.0, BUDGET + 1)
    best = max(_total((a, b, t), sc) for a in grid for b in grid if a + b <= BUDGET
               for t in (BUDGET - a - b,))
    assert spend["tv"] >= 250
    assert best - plan.approximation_bound - 1e-6 <= plan.objective <= best + 1.0  # the grid is 1 apart
    for name, start in (("equal split", np.full(3, BUDGET / 3)), ("current spend", CURRENT)):
        x = _slsqp(start, sc)
        assert x[2] < 1.0, f"SLSQP from the {name} funded tv ({x})"  # stuck on the flat foot of the S
        assert _total(x, sc) < 0.5 * plan.objective, name


def test_the_s_curve_really_is_s_shaped_here():
    tv = _scenario().channels[2].response
    slope = lambda s: (reach(tv, s + 1e-3) - reach(tv, s)) / 1e-3  # noqa: E731
    assert slope(100) < 0.1 * slope(260)  # convex foot: far less outcome per unit at 100 than near the bend
    assert 1000 * slope(100) < (100 / 60) * np.exp(-100 / 60)  # and less than search's marginal at the equal split
