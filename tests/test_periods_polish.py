"""The polish of a plan over periods works over the whole horizon (hand-checked small cases).

Curves are saturating, f(a) = 1 − exp(−a/k), one channel per segment, so each optimum
equalises weighted marginals and has a closed form; the polish must find it from a poor
start (an even split) and from the MILP's point, move money between periods and through
the adstock, keep pacing and ramp rules, and never return a worse or unverified plan.
"""

from __future__ import annotations

import math
import random
from typing import Any

import pytest

from channelmix.formulate.periods import formulate_periods
from channelmix.reports.wording import note_words, plan_message, plan_warnings
from channelmix.schema import validate
from channelmix.solve.passes import solve
from channelmix.solve.pipeline import solve_scenario
from channelmix.solve.polish.periods import polish_periods
from channelmix.verify.evaluate_periods import evaluate_periods

K = 100.0  # every curve's scale


def channel(cid: str, segment: str, **fields: Any) -> dict:
    return {"id": cid, "response": {"type": "saturating", "scale": K}, "affinity": {"aware": {segment: 1.0}}, **fields}


def two_by_two(weights: tuple[float, float], budget: float = 400, **rules: Any) -> dict:
    """Two channels, each alone on its segment, over two periods of these weights; only the total budget binds."""
    return {"scenario": "polish", "phases": ["aware"], "segments": [{"id": "a", "size": 1}, {"id": "b", "size": 1}],
            "periods": {"items": [{"id": "1", "weight": weights[0]}, {"id": "2", "weight": weights[1]}]},
            "budget": budget, "channels": [channel("x", "a"), channel("y", "b")], "rules": rules,
            "objective": {"sense": "max_reach"}, "solver": {"gap": 0}}


def keys(ids=("x", "y"), periods=("1", "2")) -> list[tuple[str, str]]:
    return [(c, p) for c in ids for p in periods]


def f(a: float) -> float:
    return 1.0 - math.exp(-a / K)


def test_money_moves_to_the_heavier_period_where_weighted_marginals_are_equal():
    sc = validate(two_by_two((3, 1))).scenario
    on = {k: True for k in keys()}
    even = {k: 100.0 for k in keys()}  # each period holds 200: a per-period polish could not move a cent
    polished = polish_periods(sc, on, even, 10.0)
    # 3·f'(s1) = f'(s2) and s1 + s2 = 200 per channel: s1 − s2 = K ln 3
    s1, s2 = 100 + K * math.log(3) / 2, 100 - K * math.log(3) / 2
    assert [polished.spend[k] for k in keys()] == pytest.approx([s1, s2, s1, s2], abs=1e-3)
    before, after = evaluate_periods(sc, on, even), evaluate_periods(sc, on, polished.spend)
    ratio = (3 * f(s1) + f(s2)) / (3 * f(100) + f(100))  # the same cell weight on both sides
    assert after.objective / before.objective == pytest.approx(ratio, rel=1e-9)
    assert ratio > 1.07 and polished.gain == pytest.approx(after.objective - before.objective) and not after.violations
    plan = solve_scenario(sc)  # the pipeline: MILP, then the horizon polish
    assert plan.verified and plan.polish_gain > 0
    assert [r.spend for r in plan.schedule.rows] == pytest.approx([s1, s2, s1, s2], abs=1e-3)
    assert not any("how money is split" in w for w in plan_warnings(plan))


def test_carry_over_moves_spend_earlier_as_the_adstock_says():
    theta, budget = 0.5, 200.0
    data = {"scenario": "adstock", "phases": ["aware"], "segments": ["all"], "periods": {"count": 2}, "budget": budget,
            "channels": [channel("radio", "all", carry_over=theta)], "objective": {"sense": "max_reach"},
            "solver": {"gap": 0}}
    sc = validate(data).scenario
    on = {k: True for k in keys(["radio"])}
    # a1 = s1, a2 = s2 + θ s1; f'(a1) = (1 − θ) f'(a2) and s1 + s2 = B give s1 = (B − K ln(1 − θ)) / (2 − θ)
    s1 = (budget - K * math.log(1 - theta)) / (2 - theta)
    expected = [s1, budget - s1]
    polished = polish_periods(sc, on, {k: 100.0 for k in on}, 10.0)
    assert [polished.spend[k] for k in keys(["radio"])] == pytest.approx(expected, abs=1e-3)
    solution = solve(formulate_periods(sc))
    milp = evaluate_periods(sc, solution.on, solution.spend)
    from_milp = polish_periods(sc, solution.on, solution.spend, 10.0)
    after = evaluate_periods(sc, solution.on, from_milp.spend)
    assert from_milp.gain > 0 and after.objective > milp.objective and not after.violations
    assert after.objective == pytest.approx(f(s1) + f(budget - s1 + theta * s1), rel=1e-9)
    plan = solve_scenario(sc)
    assert plan.verified and plan.polish_gain > 0
    # the optimum is flat: spends to 1e-3
    assert [r.spend for r in plan.schedule.rows] == pytest.approx(expected, abs=1e-3)
    assert plan.objective == pytest.approx(f(s1) + f(budget - s1 + theta * s1), rel=1e-9)


def test_a_pacing_band_still_holds_and_binds_after_the_polish():
    plan = solve_scenario(validate(two_by_two((3, 1), pacing={"band": 0.2})).scenario)
    assert plan.verified
    # unpaced, period 1 would take 155 of each channel's 200; the band allows 1.2 × the even 100
    assert [r.spend for r in plan.schedule.rows] == pytest.approx([120, 80, 120, 80], rel=1e-6)


def test_a_ramp_still_holds_and_binds_after_the_polish():
    # force_on: otherwise a channel may skip period 1 and start fresh in period 2, where no ramp limits it
    plan = solve_scenario(validate(two_by_two((1, 3), ramp={"max_growth": 0.1}, force_on=["x", "y"])).scenario)
    assert plan.verified
    s1 = 200 / 2.1  # s2 = 1.1 s1 and s1 + s2 = 200
    assert [r.spend for r in plan.schedule.rows] == pytest.approx([s1, 1.1 * s1, s1, 1.1 * s1], rel=1e-6)


def tiny(seed: int) -> dict:
    """A seeded tiny horizon with curves, carry-over, money per period, targets and time rules."""
    rng = random.Random(seed)
    C, T = rng.choice([2, 3]), rng.choice([2, 3])
    curves = [{"type": "saturating", "scale": 80}, {"type": "hill", "half": 60, "shape": 2},
              {"type": "linear", "slope": 0.006}]
    channels = [{"id": f"c{c}", "response": rng.choice(curves), "fixed_cost": rng.choice([0, 10]),
                 "affinity": {"aware": round(rng.uniform(0.2, 1), 2), "buy": round(rng.uniform(0, 1), 2)},
                 "max_spend": rng.choice([90, 150]), "carry_over": rng.choice([0, 0, 0.4]),
                 "uses": {"hours": {"per_unit": 0.04}}} for c in range(C)]
    periods = {
        "items": [{"id": str(t + 1), "weight": rng.choice([1, 2, 3]), "budget": rng.choice([100, 160])}
                  for t in range(T)], "carry_over": rng.random() < 0.5}
    rules: dict[str, Any] = {}
    choice = rng.choice(["pacing", "ramp", "coverage", "share", None])
    if choice == "pacing":
        rules["pacing"] = {"band": 0.3}
    elif choice == "ramp":
        rules["ramp"] = {"max_growth": 0.2}
    elif choice == "coverage":
        rules["coverage"] = [{"phase": "aware", "target": 0.3, "hard": True}]
    elif choice == "share":
        rules["concentration"] = {"max_share": 0.7}
    sense = rng.choice(["max_reach", "max_value"])
    return {"scenario": f"tiny-{seed}", "phases": ["aware", "buy"],
            "segments": [{"id": "all", "size": 1, "value": 500}], "budget": rng.choice([200, 300, 1000]),
            "resources": {"hours": 12}, "periods": periods, "channels": channels, "rules": rules,
            "objective": {"sense": sense}, "solver": {"gap": 0}}


@pytest.mark.parametrize("seed", range(12))
def test_the_polish_never_returns_a_worse_or_unverified_plan(seed):
    sc = validate(tiny(seed)).scenario
    solution = solve(formulate_periods(sc))
    if solution.status != "optimal":
        pytest.skip(f"seed {seed}: {solution.status}")
    before = evaluate_periods(sc, solution.on, solution.spend)
    polished = polish_periods(sc, solution.on, solution.spend, 10.0)
    after = evaluate_periods(sc, solution.on, polished.spend)
    assert not after.violations
    assert after.objective >= before.objective
    assert polished.gain == pytest.approx(after.objective - before.objective, abs=1e-12)
    assert polish_periods(sc, solution.on, solution.spend, 10.0).spend == polished.spend  # deterministic
    plan = solve_scenario(sc)
    assert plan.verified, plan_message(plan)


def test_the_six_month_bakery_is_polished_over_the_horizon_and_verified():
    from pathlib import Path

    from channelmix.schema import load

    plan = solve_scenario(load(Path(__file__).parent.parent / "scenarios" / "township-bakery-6-months.yaml").scenario)
    assert plan.verified and plan.polish_gain > 0
    assert not any("how money is split" in w for w in plan_warnings(plan))


def test_with_a_spend_step_the_unit_moves_find_the_best_grid_point_over_the_horizon():
    data = two_by_two((3, 1))
    data["spend_step"] = 10
    sc = validate(data).scenario
    on = {k: True for k in keys()}
    polished = polish_periods(sc, on, {k: 100.0 for k in keys()}, 10.0)
    # per channel 3 f(s1) + f(200 − s1): 2.72408 at 150, 2.72398 at 160 (the continuous optimum is 154.9)
    assert [polished.spend[k] for k in keys()] == pytest.approx([150, 50, 150, 50], abs=1e-9)
    assert polished.note is None
    plan = solve_scenario(sc)
    assert plan.verified and [r.spend for r in plan.schedule.rows] == pytest.approx([150, 50, 150, 50], abs=1e-6)


def test_many_stepped_spends_are_rounded_and_the_plan_says_so():
    weights = [1, 3, 2, 1, 2, 3]
    data = {"scenario": "many", "phases": ["aware"], "segments": [{"id": f"g{c}", "size": 1} for c in range(5)],
            "periods": {"items": [{"id": str(t + 1), "weight": w} for t, w in enumerate(weights)]}, "budget": 3000,
            "spend_step": 5, "channels": [channel(f"c{c}", f"g{c}", max_spend=200) for c in range(5)],
            "rules": {"force_on": [f"c{c}" for c in range(5)]}, "objective": {"sense": "max_reach"},
            "solver": {"gap": 0}}
    sc = validate(data).scenario
    on = {(f"c{c}", str(t + 1)): True for c in range(5) for t in range(6)}
    even = {k: 100.0 for k in on}
    polished = polish_periods(sc, on, even, 10.0)
    assert "rounded to the spend_step grid (no unit-move search over 30 spends)" in note_words(polished.note)
    after = evaluate_periods(sc, on, polished.spend)
    assert not after.violations and polished.gain > 0
    assert all(abs(v / 5 - round(v / 5)) < 1e-9 for v in polished.spend.values())
    assert polished.spend[("c0", "2")] > polished.spend[("c0", "1")]  # money follows the weights
    plan = solve_scenario(sc)
    assert plan.verified and any("spend_step grid" in w for w in plan_warnings(plan))


def test_without_time_left_the_plan_keeps_the_milps_spends_and_says_so():
    sc = validate(two_by_two((3, 1))).scenario
    on = {k: True for k in keys()}
    polished = polish_periods(sc, on, {k: 100.0 for k in keys()}, 0.0)
    assert polished.gain == 0 and polished.spend == {k: 100.0 for k in keys()}
    assert "no time was left" in note_words(polished.note) and "how money is split between periods" in note_words(
        polished.note)


def test_a_hard_coverage_target_in_every_period_holds_and_binds():
    data = two_by_two((3, 1), coverage=[{"segment": "a", "target": 0.5, "hard": True}])
    sc = validate(data).scenario
    on = {k: True for k in keys()}
    polished = polish_periods(sc, on, {k: 100.0 for k in keys()}, 10.0)
    # x needs f(s) ≥ 0.5, s ≥ K ln 2, in period 2 too; the rest equalises weighted marginals:
    # x1 = y1 = s and y2 = s − K ln 3 with s + s + (s − K ln 3) = 400 − K ln 2
    x2 = K * math.log(2)
    s = (400 - x2 + K * math.log(3)) / 3
    assert [polished.spend[k] for k in keys()] == pytest.approx([s, x2, s, s - K * math.log(3)], abs=1e-3)
    after = evaluate_periods(sc, on, polished.spend)
    assert not after.violations and polished.gain > 0
    plan = solve_scenario(sc)
    assert plan.verified and [r.spend for r in plan.schedule.rows] == pytest.approx([s, x2, s, s - K * math.log(3)],
                                                                                    abs=1e-3)
