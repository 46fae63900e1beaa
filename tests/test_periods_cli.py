"""Plans over periods through the CLI (a real subprocess) and the library API: solve carries
the schedule in its JSON; sweep, compare, variants and batch work; explain and evaluate
say clearly that they do not handle periods yet (exit 2)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from channelmix.batch import run_batch
from channelmix.expand import derive
from channelmix.explanation import explain
from channelmix.schedule import Schedule
from channelmix.schema import ScenarioError, load
from channelmix.whatif import compare, sweep

SMALL = Path(__file__).parent / "data" / "periods_small.yaml"
EXE = Path(sys.executable).with_name("channelmix")
CLI = str(EXE) if EXE.exists() else shutil.which("channelmix")
NOT_YET = ("periods: {what} is not yet available for multi-period scenarios. Fix: Use 'channelmix solve' (or sweep, compare, batch) "
           "for this scenario, or remove periods: to plan one period")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CLI, *args], capture_output=True, text=True, encoding="utf-8", timeout=300)


def test_solve_prints_one_json_object_per_plan_with_its_schedule():
    done = run("solve", str(SMALL), "--format", "json")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 2  # the base and the variant
    plan = json.loads(lines[0])
    schedule = Schedule.from_dict(plan["schedule"])
    assert [p.label for p in schedule.periods] == ["Month 1", "Month 2", "Month 3"]
    assert [r.on for r in schedule.channel_rows("stall")][0] is False  # it opens in month 2
    assert plan["verified"] and plan["cost"] == pytest.approx(sum(c.cost for c in schedule.cash))
    assert schedule.row("flyers", "1").setup_cost == 20


def test_solve_terminal_view_shows_the_horizon():
    done = run("solve", str(SMALL))
    assert done.returncode == 0, done.stderr
    assert "small-months" in done.stdout and "verified" in done.stdout


@pytest.mark.parametrize("command, what", [(["explain"], "explain"), (["evaluate", "--spend", "flyers=10"], "evaluate"),
                                           (["solve", "--explain"], "--explain")])
def test_commands_that_do_not_handle_periods_yet_exit_2(command: list[str], what: str):
    done = run(*command, str(SMALL))
    assert done.returncode == 2 and done.stdout == ""
    assert f"{SMALL}: {NOT_YET.format(what=what)}" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_library_refuses_too():
    with pytest.raises(ScenarioError, match="explain is not yet available for multi-period scenarios"):
        explain(load(SMALL))


def test_sweep_over_the_monthly_budget():
    result = sweep(load(SMALL), {"periods.budget": [100.0, 200.0, 300.0]})
    assert [p.status for p in result.plans] == ["optimal"] * 3
    assert all(p.verified and p.schedule is not None for p in result.plans)
    costs = [p.cost for p in result.plans]
    assert costs == sorted(costs) and costs[-1] > costs[0]
    assert [p.objective for p in result.plans] == sorted(p.objective for p in result.plans)


def test_variants_and_compare():
    loaded = load(SMALL)
    from channelmix.api import solve_scenario

    base = solve_scenario(loaded.scenario)
    lean_case = derive(loaded, {"periods.budget": 150}, variant="lean")
    lean = solve_scenario(lean_case.scenario)
    assert all(c.cost <= 150 + 1e-6 for c in lean.schedule.cash)
    table = compare([base, lean])
    assert list(table["status"]) == ["optimal", "optimal"] and table["cost"].iloc[1] < table["cost"].iloc[0]


def test_batch_writes_each_plan_with_its_schedule(tmp_path: Path):
    table, _ = run_batch([SMALL], tmp_path, workers=1, executor="serial")
    assert set(table["status"]) == {"optimal"}
    saved = json.loads((tmp_path / "small-months.json").read_text(encoding="utf-8"))
    assert Schedule.from_dict(saved["schedule"]).cash[0].period == "1"
