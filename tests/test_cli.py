"""The CLI through click's CliRunner: exit codes, output shapes, help, no half-written output."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from channelmix.cli import main
from scenario_files import with_variants

ROOT = Path(__file__).parents[1]
BAKERY = str(ROOT / "scenarios" / "township-bakery.yaml")
PERSIAN = str(ROOT / "scenarios" / "khadamat-persian.yaml")
BAD = str(ROOT / "tests" / "data" / "bad" / "unknown_key.yaml")

INFEASIBLE = """scenario: impossible
phases: [aware]
segments: [all]
budget: 100
channels:
  - {id: radio, fixed_cost: 80, max_spend: 0, response: {type: constant, value: 0.5}, affinity: {aware: 1}}
  - {id: tv, fixed_cost: 90, max_spend: 0, response: {type: constant, value: 0.5}, affinity: {aware: 1}}
rules:
  coverage: {target: 0.9}
"""


def run(*args: str):
    # tables as wide as when piped, whatever the caller's COLUMNS
    return CliRunner().invoke(main, list(args), env={"COLUMNS": "160"})


@pytest.mark.parametrize("command", [[]] + [[name] for name in sorted(main.commands)])
def test_every_command_has_help(command):
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert "Usage: " in result.output
    assert len(result.output.splitlines()) > 4


def test_the_commands_are_the_documented_ones():
    assert sorted(main.commands) == ["batch", "calibrate", "compare", "evaluate", "explain", "import", "init", "report",
                                     "serve", "solve", "sweep", "validate"]


def test_solve_prints_a_table_and_exits_0(tmp_path: Path):
    # the base plan: the robust variants' tables are test_terminal's (80 columns) and their JSON below (~20 s a solve)
    result = run("solve", str(with_variants("township-bakery", tmp_path)))
    assert result.exit_code == 0, result.output
    assert "status: optimal" in result.output and "verified" in result.output
    assert "Channels on" in result.output and "Coverage by phase" in result.output


def test_solve_json_has_the_promised_shape():
    result = run("solve", "--format", "json", BAKERY, PERSIAN)
    assert result.exit_code == 0, result.output
    objects = [json.loads(line) for line in result.output.splitlines()]
    assert [o["scenario"] for o in objects] == ["township-bakery", "township-bakery/budget-cut",
                                                "township-bakery/no-whatsapp", "township-bakery/busy-owner",
                                                "township-bakery/uncertain", "township-bakery/robust-mean",
                                                "township-bakery/robust", "khadamat-persian"]
    for obj in objects:
        assert {"scenario", "status", "objective", "cost", "gap", "verified", "channels", "coverage"} <= set(obj)
        assert obj["status"] == "optimal" and obj["verified"] is True
        assert {"id", "on", "spend", "fixed_cost", "reach"} <= set(obj["channels"][0])
        assert {"phase", "segment", "level", "channels"} <= set(obj["coverage"][0])
        assert obj["cost"] == pytest.approx(sum(c["spend"] + c["fixed_cost"] for c in obj["channels"]))
    labels = [c["label"] for c in objects[-1]["channels"]]
    assert "اینستاگرام" in labels  # Persian kept as written, not \\u-escaped
    assert "اینستاگرام" in result.output


def test_out_writes_json_and_csv_tables(tmp_path: Path):
    result = run("solve", PERSIAN, "--out", str(tmp_path), "--format", "json")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["khadamat-persian.channels.csv", "khadamat-persian.coverage.csv", "khadamat-persian.json"]
    saved = json.loads((tmp_path / "khadamat-persian.json").read_text(encoding="utf-8"))
    assert saved == json.loads(result.output)
    with open(tmp_path / "khadamat-persian.channels.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["id"] for r in rows] == [c["id"] for c in saved["channels"]]
    assert "اینستاگرام" in {r["label"] for r in rows}


def test_bad_input_exits_2_with_every_problem_and_writes_nothing(tmp_path: Path):
    out = tmp_path / "out"
    result = run("solve", BAKERY, BAD, "--out", str(out))
    assert result.exit_code == 2
    assert f"{BAD}: budgett: unknown key in the top level. Fix: Did you mean 'budget'?" in result.output
    assert "1 of 2 files could not be read; nothing was solved" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_validate_ok_and_bad():
    ok = run("validate", BAKERY, PERSIAN)
    assert ok.exit_code == 0
    lines = ok.output.splitlines()
    assert lines[0].startswith(f"{BAKERY}: ok — 'township-bakery', 11 channels")
    assert lines[1].startswith(f"{BAKERY}: ok — 'township-bakery/budget-cut', 11 channels")
    bad = run("validate", BAD)
    assert bad.exit_code == 2 and "budgett" in bad.output


def test_infeasible_exits_1_and_says_why(tmp_path: Path):
    path = tmp_path / "impossible.yaml"
    path.write_text(INFEASIBLE, encoding="utf-8")
    result = run("solve", str(path))
    assert result.exit_code == 1
    assert "infeasible: no plan meets every hard rule" in result.output
    assert (
        "Dropping any one of these would make it feasible: the budget (100); the hard coverage targets."
        in result.output
    )


def test_solver_overrides_and_cbc_agree():
    highs = json.loads(run("solve", "--format", "json", PERSIAN).output)
    cbc = json.loads(run("solve", "--format", "json", "--solver", "cbc", "--gap", "0.0001", PERSIAN).output)
    assert cbc["solver"] == "cbc" and cbc["verified"]
    assert cbc["objective"] == pytest.approx(highs["objective"], rel=2e-4)


def test_bad_option_value_exits_2():
    result = run("solve", "--time-limit", "-1", BAKERY)
    assert result.exit_code == 2


def test_init_writes_a_scenario_that_solves(tmp_path: Path):
    target = tmp_path / "mine.yaml"
    first = run("init", str(target))
    assert first.exit_code == 0 and target.exists()
    again = run("init", str(target))
    assert again.exit_code == 2 and "exists; use --force" in again.output
    solved = run("solve", "--format", "json", str(target))
    assert solved.exit_code == 0
    assert json.loads(solved.output)["verified"] is True


def test_init_from_csv_writes_a_scenario_around_the_table(tmp_path: Path):
    import shutil

    for name in ("shop.channels.csv", "shop.affinity.csv"):
        shutil.copy(ROOT / "tests" / "data" / "tables" / name, tmp_path / name)
    target = tmp_path / "shop-plan.yaml"
    made = run("init", "--from-csv", str(tmp_path / "shop.channels.csv"), str(target))
    assert made.exit_code == 0, made.output
    assert "channels: shop.channels.csv" in target.read_text(encoding="utf-8")
    solved = run("solve", "--format", "json", str(target))
    assert solved.exit_code == 0, solved.output
    assert json.loads(solved.output)["verified"] is True


def test_solve_writes_each_report_kind(tmp_path: Path):
    result = run("solve", PERSIAN, "--out", str(tmp_path), "--report", "html", "--report", "md", "--report", "xlsx")
    assert result.exit_code == 0, result.output
    html = (tmp_path / "khadamat-persian.html").read_text(encoding="utf-8")
    assert 'dir="rtl"' in html and "اینستاگرام" in html
    assert (tmp_path / "khadamat-persian.md").read_text(encoding="utf-8").startswith("# khadamat-persian")
    assert (tmp_path / "khadamat-persian.xlsx").read_bytes()[:2] == b"PK"


def test_report_without_out_is_bad_input():
    result = run("solve", PERSIAN, "--report", "html")
    assert result.exit_code == 2 and "--report needs --out DIR" in result.output


def test_report_renders_a_saved_result_without_solving(tmp_path: Path):
    run("solve", PERSIAN, "--out", str(tmp_path / "solved"), "--report", "md")
    again = run("report", str(tmp_path / "solved" / "khadamat-persian.json"), "--report", "md", "--out",
                str(tmp_path / "again"))
    assert again.exit_code == 0, again.output
    assert (tmp_path / "again" / "khadamat-persian.md").read_text(encoding="utf-8") == \
        (tmp_path / "solved" / "khadamat-persian.md").read_text(encoding="utf-8")


def test_report_of_something_else_is_bad_input(tmp_path: Path):
    path = tmp_path / "x.json"
    path.write_text('{"hello": 1}\n', encoding="utf-8")
    result = run("report", str(path), "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "is not a channelmix result (no scenario, status and channels)" in result.output


def test_sweep_compare_and_batch_write_html_reports(tmp_path: Path):
    swept = run("sweep", BAKERY, "--vary", "budget=3000:6000:1500", "--out", str(tmp_path / "sweep"), "--report",
                "html")
    assert swept.exit_code == 0, swept.output
    assert len(list((tmp_path / "sweep").glob("*.html"))) == 1
    # not the robust variants: ~20 s
    bakery = str(with_variants("township-bakery", tmp_path / "in", keep=("budget-cut",)))
    compared = run("compare", bakery, "--out", str(tmp_path / "compare"), "--report", "html")
    assert compared.exit_code == 0 and len(list((tmp_path / "compare").glob("*.html"))) == 1
    batched = run("batch", PERSIAN, "--out", str(tmp_path / "batch"), "--executor", "serial", "--report", "xlsx")
    assert batched.exit_code == 0 and len(list((tmp_path / "batch").glob("*.xlsx"))) == 1
