"""objective max_outcome (Σ value × reach, net of spend or not), min_cost with an outcome
target, and the carry-over offset of hill curves: checked against brute force."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from channelmix.model.curves import pieces
from channelmix.reports.wording import plan_message
from channelmix.schema import ScenarioError, validate
from channelmix.schema.models import Hill
from channelmix.schema.responses import reach
from channelmix.solve.pipeline import solve_scenario


def _hill(s: float, half: float, shape: float) -> float:
    return s**shape / (s**shape + half**shape) if s > 0 else 0.0


def _scenario(objective: dict, budget: float | None = 100.0) -> dict:
    out = {
        "scenario": "outcome",
        "phases": ["all"],
        "segments": ["all"],
        "channels": [
            {
                "id": "tv",
                "response": {"type": "hill", "half": 50, "shape": 2, "offset": 10},
                "outcome": {"value": 300, "baseline": 11.5},
            },
            {"id": "search", "response": {"type": "saturating", "scale": 40}, "outcome": {"value": 100}},
            # no outcome: worth nothing here
            {"id": "posters", "response": {"type": "linear", "slope": 0.01}, "fixed_cost": 5},
        ],
        "objective": objective,
    }
    if budget is not None:
        out["budget"] = budget
    return out


def _truth(a: float, b: float) -> float:
    return 300 * (_hill(a + 10, 50, 2) - _hill(10, 50, 2)) + 100 * (1 - math.exp(-b / 40))


def _brute(objective, ok) -> float:
    grid = np.linspace(0, 100, 1001)
    return max(objective(a, b) for a, b in itertools.product(grid, grid) if ok(a, b))


def test_hill_offset_starts_at_zero_and_is_the_shifted_curve():
    curve = Hill(type="hill", half=50, shape=2, offset=10)
    assert reach(curve, 0) == 0.0
    for s in (1, 20, 75, 400):
        assert reach(curve, s) == pytest.approx(_hill(s + 10, 50, 2) - _hill(10, 50, 2), rel=1e-12)
    # the pieces stay under the curve and within the accuracy asked for
    p = pieces(curve, 200.0, 0.005)
    xs = np.linspace(0, 200, 2001)
    gap = np.array([reach(curve, x) for x in xs]) - np.interp(xs, p.xs, p.ys)
    assert gap.min() >= -1e-12
    assert gap.max() <= 0.005 * reach(curve, 200.0) + 1e-12


def test_max_outcome_gross_matches_brute_force():
    plan = solve_scenario(validate(_scenario({"sense": "max_outcome"})).scenario)
    best = _brute(_truth, lambda a, b: a + b <= 100 + 1e-9)
    assert plan.verified
    assert plan.objective == pytest.approx(plan.outcome)
    assert plan.objective >= best - plan.approximation_bound - 1e-6
    assert plan.objective <= best + 0.05  # the grid is 0.1 apart
    assert plan.baseline_outcome == 11.5
    assert not next(c for c in plan.channels if c.id == "posters").on


def test_max_outcome_net_subtracts_spend_and_needs_no_budget():
    plan = solve_scenario(validate(_scenario({"sense": "max_outcome", "net": True}, budget=None)).scenario)
    best = _brute(lambda a, b: _truth(a, b) - a - b, lambda a, b: True)
    assert plan.verified
    assert plan.objective == pytest.approx(plan.outcome - plan.cost)
    assert abs(plan.objective - best) <= max(plan.approximation_bound, 0.05) + 1e-6


def test_min_cost_with_an_outcome_target():
    plan = solve_scenario(validate(_scenario({"sense": "min_cost", "outcome_target": 150}, budget=None)).scenario)
    best = _brute(lambda a, b: -(a + b), lambda a, b: _truth(a, b) >= 150)
    assert plan.verified
    assert plan.outcome >= 150 - 1e-6
    assert plan.cost == pytest.approx(-best, abs=0.5)  # pieces under-estimate: a little more money, never less outcome


def test_max_outcome_without_any_outcome_is_refused():
    data = _scenario({"sense": "max_outcome"})
    for ch in data["channels"]:
        ch.pop("outcome", None)
    with pytest.raises(ScenarioError, match="no channel has an outcome"):
        validate(data)


def test_outcome_target_only_with_min_cost():
    with pytest.raises(ScenarioError, match="outcome_target"):
        validate(_scenario({"sense": "max_outcome", "outcome_target": 5}))


def test_coverage_rules_still_apply_with_max_outcome():
    data = _scenario({"sense": "max_outcome"})
    data["channels"][2]["affinity"] = {"*": 1.0}
    data["rules"] = {"coverage": [{"target": 0.3}]}
    plan = solve_scenario(validate(data).scenario)
    posters = next(c for c in plan.channels if c.id == "posters")
    assert plan.verified and posters.on and posters.spend >= 30 - 1e-6
    assert plan.coverage[0].level >= 0.3 - 1e-9


def test_an_unreachable_outcome_target_is_an_answer_that_names_it():
    plan = solve_scenario(validate(_scenario({"sense": "min_cost", "outcome_target": 10_000}, budget=None)).scenario)
    assert plan.status == "infeasible"
    assert "the outcome target (10000)" in plan_message(plan)



@settings(max_examples=60, deadline=None)
@given(half=st.floats(1, 1000), shape=st.floats(0.3, 8), offset=st.floats(0, 2000), cap_factor=st.floats(0.1, 10))
def test_offset_pieces_stay_under_the_curve_within_accuracy(half, shape, offset, cap_factor):
    curve = Hill(type="hill", half=half, shape=shape, offset=offset)
    cap = half * cap_factor
    p = pieces(curve, cap, 0.005)
    xs = np.linspace(0, cap, 801)
    truth = np.array([reach(curve, x) for x in xs])
    gap = truth - np.interp(xs, p.xs, p.ys)
    assert p.ys[0] == 0.0 and gap.min() >= -1e-9
    assert gap.max() <= 0.005 * reach(curve, cap) + 1e-9

