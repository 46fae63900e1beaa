"""End to end through the installed console script (a real subprocess): the six-month
bakery (scenarios/township-bakery-6-months.yaml) in the terminal at 80 columns, and its
CSV, Markdown, HTML and Excel outputs, all telling the same figures as the JSON plan."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from scenario_files import with_variants

ROOT = Path(__file__).parents[1]
SIX_MONTHS = ROOT / "scenarios" / "township-bakery-6-months.yaml"


def channelmix(*args: str) -> subprocess.CompletedProcess:
    script = Path(sys.executable).with_name("channelmix")
    command = [str(script) if script.exists() else shutil.which("channelmix") or "channelmix", *args]
    env = {**os.environ, "COLUMNS": "80", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(command, capture_output=True, text=True, encoding="utf-8", env=env, timeout=600)


@pytest.fixture(scope="module")
def solved(tmp_path_factory) -> tuple[dict, str, Path]:
    """The base plan's JSON, the terminal view (the base plan, then its variants), outputs and reports."""
    out = tmp_path_factory.mktemp("six-months")
    done = channelmix("solve", str(SIX_MONTHS), "--out", str(out),
                      "--report", "html", "--report", "md", "--report", "xlsx")
    assert done.returncode == 0, done.stderr
    plan = json.loads((out / "township-bakery-6-months.json").read_text(encoding="utf-8"))
    return plan, done.stdout, out


def cells(text: str, label: str) -> list[str]:
    line = next(line for line in text.splitlines() if line.startswith(f"│ {label}"))
    return [c.strip() for c in line.strip("│").split("│")][1:]


def test_terminal_at_80_columns(solved):
    plan, text, _ = solved
    assert max(len(line) for line in text.splitlines()) <= 80
    grid = text.split("Spend per period (ZAR)")[1].split("Cash per period")[0]
    stall = next(c for c in plan["channels"] if c["id"] == "own_stall")
    row = cells(grid, stall["label"][:12])
    assert row[:2] == ["–", "–"] and row[2].startswith("▸")  # the stall opens in month 3, with its set-up cost
    assert row[2:] != ["–"] * 4
    cash = text.split("Cash per period (ZAR)")[1].split("Reach per period")[0]
    last = plan["schedule"]["cash"][-1]
    assert cells(cash, "Month 6")[-2] == f"{last['cumulative']:,.0f}"
    assert abs(last["cumulative"] - plan["cost"]) < 0.5  # the running total ends at the plan's cost
    assert "Reach per period" in text


def test_csv_files_agree_with_the_plan(solved):
    plan, _, out = solved
    with (out / "township-bakery-6-months.schedule.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(plan["channels"]) * 6
    assert abs(sum(float(r["cost"]) for r in rows) - plan["cost"]) < 1e-6
    stall = [r for r in rows if r["channel"] == "own_stall"]
    assert [r["on"] for r in stall[:2]] == ["False", "False"] and stall[2]["started"] == "True"
    with (out / "township-bakery-6-months.cash.csv").open(encoding="utf-8", newline="") as f:
        cash = list(csv.DictReader(f))
    assert [c["period"] for c in cash] == [p["id"] for p in plan["schedule"]["periods"]]


def test_reports_have_the_time_view(solved):
    plan, _, out = solved
    md = (out / "township-bakery-6-months.md").read_text(encoding="utf-8")
    assert "## Plan over time" in md and "### Cash per period (ZAR)" in md
    html = (out / "township-bakery-6-months.html").read_text(encoding="utf-8")
    assert 'id="schedule-gantt"' in html and 'class="cumulative-line"' in html
    book = load_workbook(out / "township-bakery-6-months.xlsx")
    ws = book["Schedule"]
    assert [ws.cell(row=1, column=j).value for j in range(3, 9)] == [p["label"] for p in plan["schedule"]["periods"]]
    assert book["Cash"].cell(row=8, column=8).value == "=SUM(H2:H7)"


def test_format_csv_prints_one_long_table_of_every_plan(solved, tmp_path):
    plan, _, _ = solved
    done = channelmix("solve", str(SIX_MONTHS), "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(done.stdout.splitlines()))
    assert done.stdout.count("scenario,channel,period,") == 1  # one header for every plan (the base and its variants)
    base = [r for r in rows if r["scenario"] == plan["scenario"]]
    assert len(base) == len(plan["channels"]) * 6
    assert abs(sum(float(r["cost"]) for r in base) - plan["cost"]) < 1e-6
    assert {r["period"] for r in base} == {p["id"] for p in plan["schedule"]["periods"]}
    # the one-month bakery's base plan (--set variants=[] kept its robust variants: ~20 s)
    single = channelmix("solve", str(with_variants("township-bakery", tmp_path)), "--format", "csv")
    assert single.returncode == 0, single.stderr
    one = list(csv.DictReader(single.stdout.splitlines()))
    assert one and all(r["period"] == "" and r["started"] == "" for r in one)
