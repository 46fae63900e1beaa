"""Explanations and baselines over periods (issue 11): today's plan kept up, what the next
unit buys in each period (carry-over included), the value of using each channel at all,
what loosening each limit is worth, and the next-best sets of channels used — against
hand-checked numbers, the independent verifier and brute force on tiny horizons."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import numpy as np
import pytest

from channelmix.analysis.explanation import explain
from channelmix.analysis.marginals import SLOPE_STEP
from channelmix.reports.documents import conflict_document
from channelmix.reports.wording import limit_words, plan_message
from channelmix.schema import validate
from channelmix.solve.pipeline import solve_scenario
from channelmix.verify.baseline import compare
from channelmix.verify.evaluate_periods import evaluate_periods

sys.path.insert(0, str(Path(__file__).parent))
from helpers import channel, load, scenario  # noqa: E402
from test_periods_brute_force import best_for, instance, schedule_ok  # noqa: E402


def months(count: int = 2, **periods) -> dict:
    return {"count": count, "unit": "month", **periods}


# ---------------------------------------------------------------- today's plan kept up


def test_current_plan_is_kept_up_in_every_period_without_a_set_up_cost():
    # a: linear 0.001 on all four cells (W = 400 people), set-up 50, running today at 100;
    # b: linear 0.002, opens in month 2, not in today's plan. Kept up over 2 months:
    # a runs 100 in both (it runs already: no set-up), b never. Objective 2 × 0.1 × 400 = 80,
    # cost 200. The optimum spends both budgets of 300.
    d = scenario(budget=None, periods=months(2, budget=300),
                 channels=[channel("a", setup_cost=50, max_spend=300),
                           channel("b", {"type": "linear", "slope": 0.002}, available_from="2", max_spend=300)],
                 current={"a": 100})
    plan = solve_scenario(load(d))
    b = plan.baseline.to_dict()
    assert b["objective"] == pytest.approx(80) and b["cost"] == pytest.approx(200)
    assert b["feasible"] and b["uplift"] == pytest.approx(plan.objective - 80)
    assert [(p["label"], p["current_cost"], p["current_objective"]) for p in b["periods"]] == [
        ("Month 1", pytest.approx(100), pytest.approx(40)), ("Month 2", pytest.approx(100), pytest.approx(40))]
    assert [p["optimised_cost"] for p in b["periods"]] == [pytest.approx(c.cost) for c in plan.schedule.cash]
    rows = {c["id"]: c for c in b["channels"]}
    assert rows["a"]["current_spend"] == pytest.approx(200) and not rows["b"]["current_on"]


def test_current_plan_outside_a_window_runs_only_inside_it_and_breaks_what_it_breaks():
    # b is named today (120) but opens in month 2: kept up it runs in month 2 only. With a
    # budget of 100 a month, month 2's 120 breaks the budget, and the comparison says so.
    d = scenario(budget=None, periods=months(2, budget=100),
                 channels=[channel("a", max_spend=300), channel("b", available_from="2", max_spend=300)],
                 current={"b": 120})
    sc = load(d)
    base = compare(sc, None)
    assert base.cost == pytest.approx(120) and not base.feasible
    assert any("budget Month 2" in str(v) for v in base.violations)


# ---------------------------------------------------------------- the next unit, period by period


def test_next_unit_counts_what_carries_over_into_later_periods():
    # One linear channel (0.0005 a unit, every cell: W = 400), carry-over θ = 0.5, three
    # months of 300 (reach 0.15, 0.225, 0.2625: no cell is full). A unit more in month 1
    # reaches 1 + 0.5 + 0.25 effective units: 0.0005 × 400 × 1.75 = 0.35; month 2: 0.3;
    # month 3: 0.2. No month has room for more (max_spend 300), so the best is month 1.
    d = scenario(budget=None, periods=months(3, budget=300),
                 channels=[channel("a", {"type": "linear", "slope": 0.0005}, carry_over=0.5, max_spend=300)])
    e = explain(load(d), alternatives=0)
    assert [m.label for m in e.periods] == ["Month 1", "Month 2", "Month 3"]
    assert [m.spend for m in e.periods] == [pytest.approx(300)] * 3
    assert [m.objective_per_unit for m in e.periods] == [pytest.approx(0.35, rel=1e-5), pytest.approx(0.3, rel=1e-5),
                                                         pytest.approx(0.2, rel=1e-5)]
    assert [m.effective_spend for m in e.periods] == [pytest.approx(300), pytest.approx(450), pytest.approx(525)]
    (a,) = e.channels
    assert a.marginal.period == "1" and a.marginal.objective_per_unit == pytest.approx(0.35, rel=1e-5)
    assert a.marginal.step_spend == 0


def test_best_period_is_one_with_room_to_spend_more():
    # The same channel capped at 400 a month, budgets 300, 300 and 500: jan and feb spend
    # their 300 and could take 100 more (max_spend allows it; the budget is a limit of its
    # own), mar is at its 400. The best with room is jan (0.35 against feb's 0.3).
    d = scenario(budget=None,
                 periods={
                     "items": [{"id": "jan", "budget": 300}, {"id": "feb", "budget": 300},
                               {"id": "mar", "budget": 500}]},
                 channels=[channel("a", {"type": "linear", "slope": 0.0005}, carry_over=0.5, max_spend=400)])
    e = explain(load(d), alternatives=0)
    (a,) = e.channels
    assert [m.step_spend for m in e.periods] == [pytest.approx(100), pytest.approx(100), 0]
    assert a.marginal.period == "jan"


@pytest.mark.parametrize("seed", [3, 7, 11])
def test_period_marginals_match_a_finite_difference_of_the_verifier(seed: int):
    # Independently of the formula: the verifier's horizon objective at the plan, and with
    # a small amount more in one (channel, period), on tiny random horizons (max_value,
    # carry-over, weights, set-up costs, curves capped at reach 1).
    sc = validate(instance(seed)).scenario
    e = explain(sc, alternatives=0)
    on = {(r.channel, r.period): r.on for r in e.plan.schedule.rows}
    spend = {(r.channel, r.period): r.spend for r in e.plan.schedule.rows}
    base = evaluate_periods(sc, on, spend).objective
    assert e.periods
    for m in e.periods:
        h = SLOPE_STEP * max(1.0, m.spend)  # the module's step: at a kink of min(1, ·) both read the same secant
        moved = evaluate_periods(sc, on, {**spend, (m.channel, m.period): m.spend + h}).objective
        assert (moved - base) / h == pytest.approx(m.objective_per_unit, abs=1e-4)


# ---------------------------------------------------------------- decisions, limits, alternatives


def _brute_by_set(d: dict) -> dict[frozenset, float]:
    """Brute force: the best objective of every set of channels used (each used in some period)."""
    C, T = len(d["channels"]), len(d["periods"]["items"])
    best: dict[frozenset, float] = {}
    for bits in itertools.product([0, 1], repeat=C * T):
        x = np.array(bits, dtype=bool).reshape(C, T)
        if not schedule_ok(d, x):
            continue
        value = best_for(d, x)
        if value is not None:
            used = frozenset(d["channels"][c]["id"] for c in range(C) if x[c].any())
            best[used] = max(best.get(used, value), value)
    return best


@pytest.mark.parametrize("seed", [1, 4, 9])
def test_decision_values_and_alternatives_match_brute_force(seed: int):
    d = instance(seed)
    by_set = _brute_by_set(d)
    top = max(by_set.values())
    e = explain(validate(d).scenario, alternatives=10, within=None)
    assert e.objective == pytest.approx(top, rel=1e-6, abs=1e-6)
    for c in e.channels:
        other = [v for s, v in by_set.items() if (c.id in s) != c.on]
        if not other:
            assert c.verdict == "impossible"
            continue
        assert c.forced_objective == pytest.approx(max(other), rel=1e-6, abs=1e-6)
    best_set = frozenset(c.id for c in e.channels if c.on)
    rest = sorted((v for s, v in by_set.items() if s != best_set), reverse=True)
    assert [a.objective for a in e.alternatives] == pytest.approx(rest, rel=1e-6, abs=1e-6)
    assert len({frozenset(a.on) for a in e.alternatives}) == len(e.alternatives)


def test_budget_per_period_is_worth_its_slope_in_every_period():
    # One linear channel (0.001, W = 400 → 0.4 per unit), 2 months of 300 each (binding):
    # 1 % more per period (3) buys 2 × 3 × 0.4 = 2.4: 0.8 per unit of the per-period budget,
    # and the LP prices it the same (the sum of both months' duals).
    d = scenario(budget=None, periods=months(2, budget=300), channels=[channel("a", max_spend=1000)])
    e = explain(load(d), alternatives=0)
    limit = next(x for x in e.limits if limit_words(x.what) == "budget per period")
    assert limit.binding and limit.step == pytest.approx(3)
    assert limit.gain == pytest.approx(2.4, rel=1e-6) and limit.worth_per_unit == pytest.approx(0.8, rel=1e-6)
    assert limit.shadow_price == pytest.approx(0.8, rel=1e-6)


def test_total_and_own_period_budgets_are_limits_of_their_own():
    # Total 500 over jan (own budget 300) and feb (no own budget): the total binds (0.4 a
    # unit), jan's own budget does not (the total leaves feb 200 and jan 300).
    d = scenario(budget=500, periods={"items": [{"id": "jan", "budget": 300}, {"id": "feb"}]},
                 channels=[channel("a", max_spend=1000)])
    e = explain(load(d), alternatives=0)
    limits = {limit_words(x.what): x for x in e.limits}
    assert limits["budget"].binding and limits["budget"].worth_per_unit == pytest.approx(0.4, rel=1e-6)
    assert limits["budget"].shadow_price == pytest.approx(0.4, rel=1e-6)
    assert limits["budget of jan"].gain == 0.0


# ---------------------------------------------------------------- an infeasible plan over periods


def test_conflict_over_periods_names_the_rows_and_verified_repairs():
    # One linear channel (0.001, every cell), a hard target of 50 % in every cell: 500 a month.
    # With 300 a month nothing is feasible; the repairs move the scenario's limits, so in
    # every month: the budget per period to at least 500, or the target to at most 30 %.
    d = scenario(budget=None, periods=months(2, budget=300), channels=[channel("a", max_spend=1000)],
                 rules={"coverage": [{"target": 0.5, "hard": True}]})
    e = explain(load(d), alternatives=0)
    assert e.status == "infeasible" and e.conflict is not None
    assert sorted(r.split(": ", 1)[1] for r in conflict_document(e.conflict)["rules"]) == [
        "coverage of (buy, old) ≥ 0.5", "money spent ≤ budget 300"]
    assert (
        "Dropping any one of these would make it feasible: the budget of every period (300); the hard coverage targets"
        in plan_message(e.plan)
    )
    changes = {r["change"]: r["verified"] for r in conflict_document(e.conflict)["repairs"]}
    assert changes.get("budget per period must be at least 500") is True
    assert changes.get("coverage target of rules.coverage[0] (4 cells) must be at most 0.3") is True
