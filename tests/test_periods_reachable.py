"""The headline's scale over periods: the most reachable counts every period by its weight,
as the objective does (a six-month plan read "417 % of the most reachable" before)."""

from __future__ import annotations

from pathlib import Path

import pytest

from channelmix.schema import load, validate
from channelmix.solve.pipeline import solve_scenario
from channelmix.verify.reachable import most_reachable

SCENARIOS = Path(__file__).parents[1] / "scenarios"


def test_weighted_periods_scale_the_most_reachable():
    path = SCENARIOS / "township-bakery.yaml"
    raw = {k: v for k, v in load(path).raw.items() if k not in ("variants", "sweep")}
    single = validate(raw, str(path), base=path.parent).scenario
    two = validate({**raw, "periods": [{"id": "a", "weight": 1}, {"id": "b", "weight": 3}]}, str(path),
                   base=path.parent).scenario
    assert most_reachable(single) == pytest.approx(32_220)  # the single-period headline's figure
    assert most_reachable(two) == pytest.approx(4 * 32_220)


def test_the_six_month_plan_reaches_a_share_below_one():
    sc = load(SCENARIOS / "township-bakery-6-months.yaml").scenario
    plan = solve_scenario(sc)
    assert plan.verified
    assert 0 < plan.weighted_reach / most_reachable(sc) < 1
