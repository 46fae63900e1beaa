"""channelmix import curves: a channel, spend, outcome[, draw] table becomes pwl curves
whose outcome equals the table's (less its value at zero spend) at every point."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from channelmix.schema import load
from channelmix.schema.models import Channel
from channelmix.schema.responses import reach
from channelmix.solve.pipeline import solve_scenario

DATA = Path(__file__).parent / "data" / "evidence" / "curves"


def _run(tmp_path, table: Path, *args) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("channelmix")
    cli = str(exe) if exe.exists() else shutil.which("channelmix")
    return subprocess.run([cli, "import", "curves", str(table), "-o", str(tmp_path / "curves.yaml"), *args],
                          capture_output=True, text=True)


def _outcome(ch: Channel, spend: float) -> float:
    return ch.outcome.value * reach(ch.response, spend) + ch.outcome.baseline


def test_table_becomes_curves_with_the_same_outcomes(tmp_path):
    done = _run(tmp_path, DATA / "meridian_curves.csv", "--budget", "9000")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    loaded = load(tmp_path / "curves.yaml")
    by_label = {c.name: c for c in loaded.scenario.channels}
    assert set(by_label) == {"Paid Search", "Rádio", "تلویزیون"}  # names survive as labels
    assert by_label["Paid Search"].id == "Paid_Search"
    table = pd.read_csv(DATA / "meridian_curves.csv")
    for _, row in table.iterrows():
        assert _outcome(by_label[row["channel"]], row["spend"]) == pytest.approx(row["outcome"], rel=1e-9)
    assert by_label["Paid Search"].outcome.baseline == 120  # outcome at zero spend is reported apart
    assert _outcome(by_label["تلویزیون"], 0) == 0  # no zero-spend row: the curve starts at (0, 0)
    plan = solve_scenario(loaded.scenario)
    assert plan.verified and plan.cost <= 9000 + 1e-6


def test_draws_give_the_mean_curve_and_are_kept_alongside(tmp_path):
    done = _run(tmp_path, DATA / "pymc_samples.csv")
    assert done.returncode == 0, done.stderr
    loaded = load(tmp_path / "curves.yaml")
    table = pd.read_csv(DATA / "pymc_samples.csv")
    mean = table.groupby(["channel", "spend"])["outcome"].mean()
    for ch in loaded.scenario.channels:
        for spend, expected in mean[ch.id].items():
            assert _outcome(ch, spend) == pytest.approx(expected, rel=1e-9)
    draws = pd.read_csv(tmp_path / "curves.draws.csv")
    assert len(draws) == len(table) and set(draws["draw"]) == {0, 1, 2}
    # no budget: outcome − spend
    assert loaded.scenario.objective.sense == "max_outcome" and loaded.scenario.objective.net
    assert "mean over draws" in (tmp_path / "curves.yaml").read_text(encoding="utf-8")
    assert solve_scenario(loaded.scenario).verified
    mask = os.umask(0o022)
    os.umask(mask)
    # written through temporary files, yet with the permissions of a plainly created file (not 0600)
    assert {stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "curves.yaml", tmp_path / "curves.draws.csv")} == {
        0o666 & ~mask}


@pytest.mark.parametrize("text, expect",
                         [("channel,spend\nA,0\n", "has no column 'outcome'"),
                          ("channel,spend,outcome\nA,0,0\nA,-10,5\n", "row 3, column spend: is -10, below 0"),
                          ("channel,spend,outcome\nA,0,0\nA,ten,5\n", "row 3, column spend: is 'ten', not a number"),
                          ("channel,draw,spend,outcome\nA,1,0,0\nA,1,10,5\nA,2,0,0\n",
                           "draws of unequal length (draw 2: 1 points, draw 1: 2)"),
                          ("channel,spend,outcome\nA,0,0\nA,10,5\nA,10,6\n", "gives spend 10 twice")])
def test_malformed_tables_exit_2_naming_file_row_and_fix(tmp_path, text, expect):
    table = tmp_path / "bad.csv"
    table.write_text(text, encoding="utf-8")
    done = _run(tmp_path, table)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert "bad.csv" in done.stderr and expect in done.stderr and "Fix:" in done.stderr
    assert not (tmp_path / "curves.yaml").exists()


def test_excel_tables_work_too(tmp_path):
    table = pd.read_csv(DATA / "meridian_curves.csv")
    table.to_excel(tmp_path / "curves.xlsx", index=False)
    done = _run(tmp_path, tmp_path / "curves.xlsx", "--budget", "5000")
    assert done.returncode == 0, done.stderr
    channels = {c.name: c for c in load(tmp_path / "curves.yaml").scenario.channels}
    assert _outcome(channels["Rádio"], 6000) == pytest.approx(1100)


def test_the_output_must_be_yaml(tmp_path):
    exe = Path(sys.executable).with_name("channelmix")
    cli = str(exe) if exe.exists() else shutil.which("channelmix")
    done = subprocess.run(
        [cli, "import", "curves", str(DATA / "meridian_curves.csv"), "-o", str(tmp_path / "out.json")],
        capture_output=True, text=True)
    assert done.returncode == 2 and "name it .yaml" in done.stderr and not (tmp_path / "out.json").exists()


def test_the_table_end_is_max_spend_and_the_source_block_records_units(tmp_path):
    done = _run(tmp_path, DATA / "meridian_curves.csv", "--budget", "9000", "--per", "4 weeks")
    assert done.returncode == 0, done.stderr
    loaded = load(tmp_path / "curves.yaml")
    table = pd.read_csv(DATA / "meridian_curves.csv")
    last = table.groupby("channel")["spend"].max()
    first = table[table["spend"] > 0].groupby("channel")["spend"].min()
    source = loaded.scenario.source
    assert source.tool == "curve table" and source.file == ["meridian_curves.csv"]
    assert (source.per.count, source.per.unit) == (4, "week")
    for ch in loaded.scenario.channels:
        assert ch.max_spend == last[ch.name]  # never past the last point the table gives
        assert source.measured[ch.id] == [first[ch.name], last[ch.name]]
    assert load(tmp_path / "curves.yaml").scenario.source.per.unit == "week"
    default = _run(tmp_path, DATA / "meridian_curves.csv")
    assert default.returncode == 0 and load(tmp_path / "curves.yaml").scenario.source.per.unit == "period"


def test_draws_become_worlds_and_every_plan_is_judged_in_each(tmp_path):
    done = _run(tmp_path, DATA / "pymc_samples.csv", "--budget", "100")
    assert done.returncode == 0, done.stderr
    data = yaml.safe_load((tmp_path / "curves.yaml").read_text(encoding="utf-8"))
    assert data["worlds"] == {"draws": "curves.draws.csv"}
    plan = solve_scenario(load(tmp_path / "curves.yaml").scenario)
    assert plan.verified and plan.risk is not None and plan.risk["worlds"] == 1 + 3  # the scenario and its three draws


@pytest.mark.parametrize("option", [["--weeks", "156"], ["--bounds", "0.5:2"], ["--draws", "5"], ["--recent", "4"],
                                    ["--solid", "x"]])
def test_an_option_that_does_not_apply_exits_2(tmp_path, option):
    done = _run(tmp_path, DATA / "meridian_curves.csv", *option)
    assert done.returncode == 2 and f"{option[0]} does not apply to 'curves'" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "curves.yaml").exists()
