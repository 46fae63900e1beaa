"""The verifier recomputes a plan over periods itself and refuses a wrong one."""

from __future__ import annotations

from dataclasses import replace

import pytest

from channelmix.schema import validate
from channelmix.verify.plan import Plan
from channelmix.verify.verifier import VerificationError, check, verify
from test_periods_rules import ch, horizon, solve


def _tamper(plan: Plan, channel: str, period: str, **fields) -> Plan:
    rows = [replace(r, **fields) if (r.channel, r.period) == (channel, period) else r for r in plan.schedule.rows]
    return replace(plan, schedule=replace(plan.schedule, rows=rows), verified=False)


def _rules(problems) -> list[str]:
    return [p.rule for p in problems]


def _shop() -> tuple:
    data = horizon({"count": 3, "unit": "month", "budget": 50},
                   [ch("stall", setup_cost=5), ch("shop", available_from=3)], rules={"min_periods_on": {"stall": 2}})
    return validate(data).scenario, solve(data)


def test_an_honest_plan_passes():
    scenario, plan = _shop()
    assert verify(scenario, plan) == [] and check(scenario, plan).verified


def test_spend_shifted_into_a_closed_period_is_refused():
    scenario, plan = _shop()
    bad = _tamper(plan, "shop", "1", on=True, spend=10.0)
    assert "availability of shop" in _rules(verify(scenario, bad))
    with pytest.raises(VerificationError, match="availability of shop: on in Month 1, outside its window"):
        check(scenario, bad)


def test_a_dropped_set_up_cost_is_refused():
    scenario, plan = _shop()
    row = plan.schedule.row("stall", "1")
    assert row.setup_cost == 5
    bad = _tamper(plan, "stall", "1", setup_cost=0.0, cost=row.cost - 5)
    assert {"reported set-up cost of stall in 1", "reported cost of stall in 1"} <= set(_rules(verify(scenario, bad)))
    # and a plan that claims no start at all
    assert "reported start of stall in 1" in _rules(verify(scenario, _tamper(plan, "stall", "1", started=False)))


def test_a_broken_minimum_run_is_refused():
    scenario, plan = _shop()
    assert [r.on for r in plan.schedule.channel_rows("stall")][:2] == [True, True]
    bad = _tamper(plan, "stall", "2", on=False, spend=0.0)
    assert "min_periods_on of stall" in _rules(verify(scenario, bad))


def test_an_overspent_month_is_refused():
    scenario, plan = _shop()
    row = plan.schedule.row("stall", "2")
    bad = _tamper(plan, "stall", "2", spend=row.spend + 20)
    problems = verify(scenario, bad)
    assert "budget Month 2" in _rules(problems)
    assert next(p for p in problems if p.rule == "budget Month 2").amount == pytest.approx(20)


def test_misreported_carry_over_is_refused():
    data = horizon({"count": 3, "budget": 100},
                   [ch("radio", response={"type": "saturating", "scale": 100}, carry_over=0.5)])
    scenario, plan = validate(data).scenario, solve(data)
    row = plan.schedule.row("radio", "2")
    assert row.effective_spend > row.spend  # the echo of period 1
    bad = _tamper(plan, "radio", "2", effective_spend=row.spend)
    assert "reported effective spend of radio in 2" in _rules(verify(scenario, bad))


def test_a_plan_without_its_schedule_is_refused():
    scenario, plan = _shop()
    assert _rules(verify(scenario, replace(plan, schedule=None))) == ["plan"]


def test_the_verifier_side_of_periods_does_not_import_pulp():
    import subprocess
    import sys

    code = ("import sys, channelmix.verify.verifier, channelmix.verify.evaluate_periods, channelmix.model.periods, "
            "channelmix.model.schedule, " "channelmix.solve.polish.periods; sys.exit('pulp' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
