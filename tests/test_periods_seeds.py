"""The seed scenarios over periods: plans a founder (or a marketing lead) would follow,
pinned by golden summaries.

Do not update tests/data/golden/periods/*.json unless the mathematics of the model (or the
seed scenario) changed on purpose; then regenerate with UPDATE_GOLDEN=1 and read the diff."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from channelmix import load, solve_scenario

ROOT = Path(__file__).parents[1]
GOLDEN = Path(__file__).parent / "data" / "golden" / "periods"
NOTE = "golden summary of a plan over periods: do not update unless the maths changed on purpose (UPDATE_GOLDEN=1)"


def summary(plan) -> dict:
    s = plan.schedule
    return {
        "_note": NOTE,
        "periods": [p.label for p in s.periods],
        "on": {c.id: "".join("x" if r.on else "." for r in s.channel_rows(c.id)) for c in plan.channels if c.on},
        "starts": {c.id: [r.period for r in s.channel_rows(c.id) if r.started] for c in plan.channels if c.on},
        "cost_per_period": [round(c.cost) for c in s.cash],
        "cost": round(plan.cost),
        "objective": round(plan.objective),
    }


def check_golden(name: str, found: dict) -> None:
    """Exactly the golden summary, but the objective within 1e-4: the polish has a time budget,
    so a busy machine may stop it a hair earlier."""
    path = GOLDEN / f"{name}.json"
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(found, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    golden = json.loads(path.read_text(encoding="utf-8"))
    assert found["objective"] == pytest.approx(golden.pop("objective"), rel=1e-4)
    assert {k: v for k, v in found.items() if k != "objective"} == golden


@pytest.fixture(scope="module")
def bakery():
    loaded = load(ROOT / "scenarios" / "township-bakery-6-months.yaml")
    return loaded.scenario, solve_scenario(loaded.scenario, loaded.warnings)


def test_the_bakery_over_six_months_reads_like_a_plan(bakery):
    scenario, plan = bakery
    assert plan.status == "optimal" and plan.verified
    s = plan.schedule
    assert [p.label for p in s.periods] == [f"Month {n}" for n in range(1, 7)]
    assert all(c.cost <= 4000 + 1e-6 for c in s.cash)  # the monthly cash limit
    assert all(c.resources["hours"]["used"] <= 65 + 1e-6 for c in s.cash)
    stall = [r.on for r in s.channel_rows("own_stall")]
    assert stall[:2] == [False, False] and any(stall)  # the stall opens in month 3, and she takes it
    first = stall.index(True)
    assert all(stall[first:first + 3])  # and runs it at least three months
    assert s.row("own_stall", str(first + 1)).setup_cost == 400
    assert plan.cost == pytest.approx(sum(c.cost for c in s.cash)) and s.cash[-1].cumulative == pytest.approx(plan.cost)
    check_golden("township-bakery-6-months", summary(plan))
    # what she runs today, kept up for six months, beside the plan: the same every month, within
    # the monthly cash, every rule kept, and the plan's uplift is the difference of the objectives
    base = plan.baseline.to_dict()
    assert base["feasible"] and len(base["periods"]) == 6
    assert (len({round(p["current_cost"], 6) for p in base["periods"]}) == 1
            and base["periods"][0]["current_cost"] <= 4000)
    assert base["uplift"] == pytest.approx(plan.objective - base["objective"])
    assert [p["optimised_cost"] for p in base["periods"]] == pytest.approx([c.cost for c in s.cash])


def test_the_swedish_quarter_week_by_week():
    loaded = load(ROOT / "scenarios" / "butik-kundresan-kvartal.yaml")
    plan = solve_scenario(loaded.scenario, loaded.warnings)
    assert plan.status == "optimal" and plan.verified
    s = plan.schedule
    assert len(s.periods) == 13 and s.periods[11].label == "Vecka 25 (midsommar)"
    assert all(r.on for r in s.channel_rows("butik"))  # forced on, every week
    assert not any(r.on for r in s.channel_rows("e_handel")[:3])  # the web shop opens in week 17
    for cell in s.coverage:  # every hard target met in every week
        if cell.target is not None:
            assert cell.level >= cell.target - 1e-6
    check_golden("butik-kundresan-kvartal", summary(plan))
