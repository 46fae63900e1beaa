"""Each time rule of a plan over periods changes the plan as it should (hand-checked small cases).

One phase, one segment of size 1: a period's weighted reach is its coverage level, so the
numbers can be checked by hand."""

from __future__ import annotations

import math
from typing import Any

import pytest

from channelmix.reports.wording import plan_message
from channelmix.schema import validate
from channelmix.solve.pipeline import solve_scenario
from channelmix.verify.plan import Plan


def horizon(periods: Any, channels: list[dict], **top: Any) -> dict:
    out = {"scenario": "time", "phases": ["aware"], "segments": ["all"], "periods": periods, "channels": channels,
           "solver": {"gap": 0}}
    out.update(top)
    return out


def ch(cid: str, **fields: Any) -> dict:
    out = {"id": cid, "response": {"type": "linear", "slope": 0.01}, "affinity": {"aware": 1.0}}
    out.update(fields)
    return out


def solve(data: dict) -> Plan:
    plan = solve_scenario(validate(data).scenario)
    assert plan.verified, plan_message(plan)
    return plan


def on(plan: Plan, cid: str) -> list[bool]:
    return [r.on for r in plan.schedule.channel_rows(cid)]


def spends(plan: Plan, cid: str) -> list[float]:
    return [r.spend for r in plan.schedule.channel_rows(cid)]


def test_setup_cost_is_paid_once_for_a_run_and_again_on_a_restart():
    once = solve(horizon({"count": 3, "budget": 100}, [ch("a", setup_cost=10)]))
    assert on(once, "a") == [True] * 3
    assert [r.setup_cost for r in once.schedule.channel_rows("a")] == [10, 0, 0]
    assert [r.started for r in once.schedule.channel_rows("a")] == [True, False, False]
    assert [c.cost for c in once.schedule.cash] == pytest.approx([100, 100, 100])  # set-up eats into month 1's money
    assert spends(once, "a") == pytest.approx([90, 100, 100], abs=1e-6)
    # b runs in period 2 only, forced on, and excludes a: a stops and restarts, paying its set-up twice
    rules = {"force_on": ["b"], "excludes": [["a", "b"]]}
    twice = solve(
        horizon({"count": 3, "budget": 100}, [ch("a", setup_cost=10), ch("b", available_from=2, available_until=2)],
                rules=rules))
    assert on(twice, "a") == [True, False, True] and on(twice, "b") == [False, True, False]
    assert [r.setup_cost for r in twice.schedule.channel_rows("a")] == [10, 0, 10]
    assert twice.cost == pytest.approx(300)


def test_a_channel_available_from_period_3_never_runs_before():
    # the shop is twice as good per rand, but opens in month 3
    plan = solve(
        horizon({"count": 4, "unit": "month", "budget": 50},
                [ch("stall"), ch("shop", response={"type": "linear", "slope": 0.02}, available_from=3)]))
    assert on(plan, "shop") == [False, False, True, True]
    assert spends(plan, "stall") == pytest.approx([50, 50, 0, 0], abs=1e-6)
    assert [p.label for p in plan.schedule.periods] == ["Month 1", "Month 2", "Month 3", "Month 4"]
    assert [c.weighted_reach for c in plan.schedule.cash] == pytest.approx([0.5, 0.5, 1.0, 1.0])


def test_carry_over_moves_spend_earlier():
    curve = {"type": "saturating", "scale": 100}
    flat = solve(horizon({"count": 3}, [ch("radio", response=curve)], budget=300))
    # an even split is the optimum; money moves between periods on the curve pieces, within their error
    assert spends(flat, "radio") == pytest.approx([100, 100, 100], abs=15)
    assert flat.objective == pytest.approx(3 * (1 - math.exp(-1)), abs=3 * 0.005)
    echo = solve(horizon({"count": 3}, [ch("radio", response=curve, carry_over=0.5)], budget=300))
    s = spends(echo, "radio")
    assert s[0] > 150 and s[2] < 50  # early spend keeps working later
    a = [r.effective_spend for r in echo.schedule.channel_rows("radio")]
    assert a == pytest.approx([s[0], s[1] + 0.5 * s[0], s[2] + 0.5 * (s[1] + 0.5 * s[0])])
    assert [r.reach for r in echo.schedule.channel_rows("radio")] == pytest.approx([1 - math.exp(-x / 100) for x in a])
    assert echo.objective > flat.objective


def test_current_spend_seeds_the_adstock_and_skips_the_first_set_up():
    plan = solve(
        horizon({"count": 2, "budget": 10}, [ch("radio", carry_over=0.5, setup_cost=5, max_spend=10)],
                current={"radio": 10}))
    rows = plan.schedule.channel_rows("radio")
    assert [r.started for r in rows] == [False, False] and plan.cost == pytest.approx(20)
    # a_0 = 10 / (1 − 0.5): steady
    assert [r.effective_spend for r in rows] == pytest.approx([10 + 0.5 * 20, 10 + 0.5 * 20])


def _weighted(weights: list[float], **periods: Any) -> dict:
    return {"items": [{"id": f"p{t + 1}", "weight": w} for t, w in enumerate(weights)], **periods}


VALUE = {"sense": "max_value"}
SEGMENT = [{"id": "all", "value": 100}]


def _pair(fixed: float, **rules: Any) -> Plan:
    """a (reach 1 when on, fixed cost ``fixed``) all three periods; b (reach 1, fixed 5) in period 2 only:
    b alone covers period 2, so a is worth running in periods 1 and 3 only."""
    channels = [ch("a", response={"type": "constant", "value": 1.0}, fixed_cost=fixed),
                ch("b", response={"type": "constant", "value": 1.0}, fixed_cost=5, available_from=2, available_until=2)]
    return solve(horizon({"count": 3, "budget": 100}, channels, segments=SEGMENT, objective=VALUE, rules=rules))


def test_minimum_run_forbids_a_one_period_burst():
    free = _pair(20)
    assert on(free, "a") == [True, False, True] and on(free, "b") == [False, True, False]
    assert free.objective == pytest.approx(80 + 95 + 80)
    held = _pair(20, min_periods_on={"a": 3})
    assert on(held, "a") == [True, True, True]  # a 1-period run is not allowed: it stays on through period 2
    assert on(held, "b") == [False, False, False]  # a covers period 2 now
    assert held.objective == pytest.approx(80 + (100 - 20) + 80)


def test_minimum_run_is_cut_short_by_the_end_of_the_window():
    channels = [ch("radio", response={"type": "constant", "value": 1.0}, fixed_cost=20, available_until=2)]
    plan = solve(
        horizon({"count": 3, "budget": 100}, channels, segments=SEGMENT, objective=VALUE, rules={"min_periods_on": 3}))
    assert on(plan, "radio") == [True, True, False]


def test_switches_are_limited():
    free = _pair(60)
    assert on(free, "a") == [True, False, True]  # 2 starts and 1 stop
    assert free.objective == pytest.approx(40 + 95 + 40)
    one = _pair(60, max_switches={"a": 1})
    assert on(one, "a") == [False, False, True]  # 0 + 95 + 40 beats on throughout, 40 + 35 + 40
    assert one.objective == pytest.approx(135)
    two = _pair(60, max_switches=2)
    rows = on(two, "a")
    assert sum(a != b for a, b in zip([False] + rows, rows)) <= 2 and two.objective == pytest.approx(135)


def test_pacing_keeps_each_period_near_a_steady_level():
    curve = {"type": "saturating", "scale": 100}
    free = solve(horizon(_weighted([4, 1, 1]), [ch("radio", response=curve)], budget=300))
    s = spends(free, "radio")
    assert max(s) / min(s) > 2
    paced = solve(
        horizon(_weighted([4, 1, 1]), [ch("radio", response=curve)], budget=300, rules={"pacing": {"band": 0.2}}))
    s = spends(paced, "radio")
    assert s[0] == pytest.approx(120, abs=1e-4)  # the band binds in period 1, which is worth more
    assert all(80 - 1e-6 <= x <= 120 + 1e-6 for x in s) and sum(s) == pytest.approx(300)
    assert paced.objective < free.objective


def test_ramp_limits_growth_from_one_period_to_the_next():
    curve = {"type": "saturating", "scale": 100}
    # a pause would start a new run (a ramp limits growth within a run): min_periods_on keeps it one run
    ramped = solve(horizon(_weighted([1, 1, 4]), [ch("radio", response=curve)], budget=300,
                           rules={"ramp": {"max_growth": 0.3}, "min_periods_on": 3}))
    s = spends(ramped, "radio")
    assert s[1] <= 1.3 * s[0] + 1e-6 and s[2] <= 1.3 * s[1] + 1e-6
    assert s[2] == pytest.approx(1.3 * s[1], rel=1e-4)
    free = solve(horizon(_weighted([1, 1, 4]), [ch("radio", response=curve)], budget=300))
    assert spends(free, "radio")[2] > 1.3 * spends(free, "radio")[1]


def test_unspent_money_carries_over_only_when_asked():
    curve = {"type": "saturating", "scale": 100}
    kept = solve(horizon(_weighted([1, 1, 4], budget=100), [ch("radio", response=curve)]))
    assert [c.cost for c in kept.schedule.cash] == pytest.approx([100, 100, 100])
    carried = solve(horizon(_weighted([1, 1, 4], budget=100, carry_over=True), [ch("radio", response=curve)]))
    cash = carried.schedule.cash
    assert cash[2].cost > 100 and sum(c.cost for c in cash) == pytest.approx(300)
    assert cash[2].available == pytest.approx(100 + (100 - cash[0].cost) + (100 - cash[1].cost))
    assert [c.cumulative for c in cash] == pytest.approx([cash[0].cost, cash[0].cost + cash[1].cost, 300])


def test_cardinality_counts_channels_used_anywhere_in_the_horizon():
    channels = [ch("a", available_until=1), ch("b", available_from=2)]
    both = solve(horizon({"count": 2, "budget": 100}, channels))
    assert on(both, "a") == [True, False] and on(both, "b") == [False, True]
    one = solve(horizon({"count": 2, "budget": 100}, channels, rules={"cardinality": {"max": 1}}))
    assert sum(c.on for c in one.channels) == 1
    assert one.objective == pytest.approx(1.0)


def test_horizon_totals_sum_the_periods():
    plan = solve(horizon(_weighted([1, 3], budget=100), [ch("a", setup_cost=10), ch("b", fixed_cost=5)]))
    assert plan.cost == pytest.approx(sum(c.cost for c in plan.schedule.cash))
    a = next(c for c in plan.channels if c.id == "a")
    assert a.cost == pytest.approx(sum(r.cost for r in plan.schedule.channel_rows("a")))
    levels = [c.level for c in plan.schedule.coverage]
    assert plan.coverage[0].level == pytest.approx((levels[0] + 3 * levels[1]) / 4)
    assert plan.objective == pytest.approx(
        sum(p.weight * c.objective for p, c in zip(plan.schedule.periods, plan.schedule.cash)))
    assert plan.budget == pytest.approx(200)  # no total given: the periods' budgets together


def test_an_impossible_horizon_is_an_answer_that_names_the_rule_to_blame():
    # a hard target every month, but the only channel opens in month 2
    plan = solve_scenario(validate(horizon({"count": 3, "budget": 100}, [ch("radio", available_from=2)],
                                           rules={"coverage": {"target": 0.5}})).scenario)
    assert plan.status == "infeasible" and plan.schedule is None
    assert "Dropping any one of these would make it feasible: the hard coverage targets." in plan_message(plan)
    # one channel must be used, but a three-month run is more than the money of month 3 can pay for
    plan = solve_scenario(
        validate(
            horizon({"items": [{"id": "1", "budget": 100}, {"id": "2", "budget": 100}, {"id": "3", "budget": 10}]},
                    [ch("radio", fixed_cost=50)], rules={"min_periods_on": 3, "cardinality": {"min": 1}})).scenario)
    assert plan.status == "infeasible"
    # (without month 3's budget of 10 the run could be paid for, too)
    assert plan_message(plan).endswith(
        "feasible: the budget of every period; the limits on how many channels run; the minimum runs.")


def test_ramp_goes_on_from_the_current_spend():
    curve = {"type": "saturating", "scale": 100}
    plan = solve(horizon({"count": 2}, [ch("radio", response=curve)], budget=300, current={"radio": 50},
                         rules={"ramp": {"max_growth": 0.5}, "min_periods_on": 2}))
    assert spends(plan, "radio") == pytest.approx([75, 112.5], rel=1e-6)  # 50 × 1.5, then × 1.5 again
    assert not plan.schedule.row("radio", "1").started  # it runs today
