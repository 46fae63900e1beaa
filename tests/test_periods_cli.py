"""Plans over periods through the CLI (a real subprocess) and the library API: solve carries
the schedule in its JSON; sweep, compare, variants, batch, explain, evaluate and
solve --explain work on plans over periods."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from channelmix.analysis.batch import run_batch
from channelmix.analysis.whatif import compare, sweep
from channelmix.model.schedule import Schedule
from channelmix.reports.documents import plan_document
from channelmix.schema import load
from channelmix.schema.expand import derive

SMALL = Path(__file__).parent / "data" / "periods_small.yaml"
EXE = Path(sys.executable).with_name("channelmix")
CLI = str(EXE) if EXE.exists() else shutil.which("channelmix")


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


def test_explain_shows_the_next_unit_period_by_period():
    done = run("explain", str(SMALL))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "What the next unit buys, period by period" in out
    grid = out[out.index("period by period"):]
    assert all(label in grid for label in ("Month 1", "Month 2", "Month 3"))
    assert "the budget (each period)" in out and "Traceback" not in done.stderr


def test_explain_json_carries_the_period_grid_and_each_channel_s_best_period():
    done = run("explain", str(SMALL), "--format", "json", "--alternatives", "0")
    assert done.returncode == 0, done.stderr
    x = json.loads(done.stdout)
    cells = {(m["channel"], m["period"]) for m in x["periods"]}
    assert ("stall", "1") not in cells and ("flyers", "1") in cells  # the stall opens in month 2
    flyers = next(c for c in x["channels"] if c["id"] == "flyers")
    assert flyers["marginal"]["period"] in {"1", "2", "3"}


def test_evaluate_scores_today_s_spend_kept_up_and_shows_when_it_runs():
    done = run("evaluate", str(SMALL), "--spend", "flyers=100", "--spend", "stall=150")
    assert done.returncode == 0, done.stderr
    assert "Spend per period" in done.stdout and "▸150" in done.stdout  # the stall starts in month 2
    as_json = json.loads(
        run("evaluate", str(SMALL), "--spend", "flyers=100", "--spend", "stall=150", "--format", "json").stdout)
    assert as_json["cost"] == pytest.approx(3 * 100 + 20 + 2 * (150 + 30))  # flyers' set-up, the stall's fixed cost
    assert len(as_json["schedule"]["periods"]) == 3


def test_solve_explain_with_a_current_plan_compares_period_by_period(tmp_path: Path):
    done = run("solve", str(SMALL), "--explain", "--set", "current.flyers=100", "--format", "json")
    assert done.returncode == 0, done.stderr
    plan = json.loads(done.stdout.splitlines()[0])
    base = plan["baseline"]
    assert [p["label"] for p in base["periods"]] == ["Month 1", "Month 2", "Month 3"]
    assert base["cost"] == pytest.approx(300)  # kept up: no set-up, flyers run already
    assert plan["explain"]["periods"]
    done = run("explain", str(SMALL), "--set", "current.flyers=100", "--report", "md", "--report", "html", "--report",
               "xlsx", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    md = next(tmp_path.glob("*.md")).read_text(encoding="utf-8")
    assert "### Today's plan kept up, period by period" in md and "## What the next unit buys, period by period" in md
    html = next(tmp_path.glob("*.html")).read_text(encoding="utf-8")
    assert 'id="baseline-periods-table"' in html and 'id="period-marginals-table"' in html
    from openpyxl import load_workbook

    sheet = load_workbook(next(tmp_path.glob("*.xlsx")))["Explain"]
    titles = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert "Today's plan kept up, period by period" in titles and "What the next unit buys, period by period" in titles


def test_sweep_over_the_monthly_budget():
    result = sweep(load(SMALL), {"periods.budget": [100.0, 200.0, 300.0]})
    assert [p.status for p in result.plans] == ["optimal"] * 3
    assert all(p.verified and p.schedule is not None for p in result.plans)
    costs = [p.cost for p in result.plans]
    assert costs == sorted(costs) and costs[-1] > costs[0]
    assert [p.objective for p in result.plans] == sorted(p.objective for p in result.plans)


def test_variants_and_compare():
    loaded = load(SMALL)
    from channelmix.solve.pipeline import solve_scenario

    base = solve_scenario(loaded.scenario)
    lean_case = derive(loaded, {"periods.budget": 150}, variant="lean")
    lean = solve_scenario(lean_case.scenario)
    assert all(c.cost <= 150 + 1e-6 for c in lean.schedule.cash)
    table = compare([base, lean])
    assert list(table["status"]) == ["optimal", "optimal"] and table["cost"].iloc[1] < table["cost"].iloc[0]


def test_batch_writes_each_plan_with_its_schedule(tmp_path: Path):
    table, _ = run_batch([SMALL], tmp_path, document=plan_document, workers=1, executor="serial")
    assert set(table["status"]) == {"optimal"}
    saved = json.loads((tmp_path / "small-months.json").read_text(encoding="utf-8"))
    assert Schedule.from_dict(saved["schedule"]).cash[0].period == "1"


def test_evaluate_takes_a_spend_for_one_period_and_names_bad_ones():
    done = run("evaluate", str(SMALL), "--spend", "flyers=100", "--spend", "stall@2=150", "--spend", "flyers@3=off",
               "--format", "json")
    assert done.returncode == 1  # the stall runs one month of its minimum two
    plan = json.loads(done.stdout)
    assert [v["rule"] for v in plan["violations"]] == ["min_periods_on of stall"]
    rows = {(r["channel"], r["period"]): (r["on"], r["spend"]) for r in plan["schedule"]["rows"]}
    assert (rows[("flyers", "3")] == (False, 0.0) and rows[("stall", "2")] == (True, 150.0)
            and rows[("stall", "3")] == (False, 0.0))
    done = run("evaluate", str(SMALL), "--spend", "stall@9=3", "--spend", "flyers@1=lots")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [
        f"{SMALL}: --spend stall@9=3: unknown period '9'. Fix: use one of 1, 2, 3",
        f"{SMALL}: --spend flyers@1=lots: needs a spend ≥ 0. Fix: write --spend flyers=AMOUNT (0 for a channel that "
        "only has to "
        "be on; off for off in that period)",
    ]
