"""channelmix import meridian, from Meridian's response-curve table (tests/data/meridian_real, a
real Meridian 2.1.0 model; see its README): the table imports as Meridian writes it, every
curve point is Meridian's figure, the units are recorded and checked, Meridian's own bounds
give Meridian's plan (scored by Meridian's formula, tests/meridian_oracle.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from channelmix.schema import load
from channelmix.schema.responses import reach
from meridian_oracle import FIXTURE, Meridian

WEEKS = 156


def _cli() -> str:
    exe = Path(sys.executable).with_name("channelmix")
    return str(exe) if exe.exists() else shutil.which("channelmix")


def run(*args: str | Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([_cli(), *map(str, args)], capture_output=True, text=True, env=env)


def imported(tmp: Path, *args: str | Path, name: str = "meridian.yaml",
             env: dict | None = None) -> tuple[subprocess.CompletedProcess, Path]:
    out = tmp / name
    return run("import", "meridian", *args, "-o", out, env=env), out


def outcome(channel, spend: float) -> float:
    return channel.outcome.value * reach(channel.response, spend) + channel.outcome.baseline


@pytest.fixture(scope="module")
def oracle() -> Meridian:
    return Meridian()


@pytest.fixture(scope="module")
def table_import(tmp_path_factory):
    done, out = imported(tmp_path_factory.mktemp("table"), FIXTURE / "response_curves.csv")
    assert done.returncode == 0, done.stderr
    return done, out


def test_the_table_imports_as_meridian_writes_it(table_import):
    done, out = table_import
    assert done.stdout == ""
    table = pd.read_csv(FIXTURE / "response_curves.csv")
    scenario = load(out).scenario
    channels = {c.id: c for c in scenario.channels}
    assert list(channels) == ["Channel0", "Channel1", "Channel2", "Channel3"]
    mean = table[table["metric"] == "mean"]
    for row in mean.itertuples():  # every point of the curve is Meridian's figure
        assert outcome(channels[row.channel], row.spend) == pytest.approx(row.incremental_outcome, rel=1e-9, abs=1e-9)
    for name, rows in mean.groupby("channel"):
        # the table's end, not a flat tail
        assert channels[name].max_spend == pytest.approx(rows["spend"].max(), rel=1e-11)
        assert scenario.current[name] == pytest.approx(rows.loc[rows["spend_multiplier"] == 1.0, "spend"].item(),
                                                       rel=1e-9)
    assert scenario.budget == pytest.approx(sum(scenario.current.values()), rel=1e-9)
    assert scenario.objective.sense == "max_outcome" and not scenario.objective.net


def test_the_scenario_says_where_its_curves_came_from_and_in_what_units(table_import):
    done, out = table_import
    source = load(out).scenario.source
    assert source.tool == "Meridian" and source.file == ["response_curves.csv"]
    assert (source.per.count, source.per.unit, source.per.flighting) == (1, "window", "historical")
    table = pd.read_csv(FIXTURE / "response_curves.csv")
    mean = table[(table["metric"] == "mean") & (table["spend"] > 0)]
    assert source.measured["Channel2"] == [pytest.approx(mean[mean.channel == "Channel2"]["spend"].min()),
                                           pytest.approx(mean[mean.channel == "Channel2"]["spend"].max())]
    at_one = mean[mean["spend_multiplier"] == 1.0].set_index("channel")["incremental_outcome"]
    for row in source.check:  # today's spend: Meridian's figure beside channelmix's
        assert row.tool == pytest.approx(at_one[row.channel], rel=1e-11)
        assert row.channelmix == pytest.approx(row.tool, rel=1e-9)
    assert "check at today's spend" in done.stderr and "Channel3     87,860,358.25      155,020,508.24" in done.stderr


def test_the_interval_is_kept_beside_the_scenario(table_import):
    _, out = table_import
    band = pd.read_csv(out.with_suffix(".band.csv"))
    table = pd.read_csv(FIXTURE / "response_curves.csv").pivot_table(
        index=["channel", "spend_multiplier"], columns="metric", values="incremental_outcome")
    assert len(band) == len(table) and load(out).scenario.source.band == out.with_suffix(".band.csv").name
    merged = band.assign(k=band.groupby("channel").cumcount()).set_index(["channel", "k"])
    for (channel, k), row in merged.iterrows():
        ref = table.loc[channel].iloc[k]
        expected = (ref["ci_lo"], ref["mean"], ref["ci_hi"])
        assert (row["low"], row["mean"], row["high"]) == pytest.approx(expected, rel=1e-12)


def test_parquet_as_to_parquet_writes_it_gives_the_same_scenario(tmp_path, table_import):
    pytest.importorskip("pyarrow", reason="reading Parquet needs pyarrow (pip install 'channelmix[meridian]')")
    done, out = imported(tmp_path, FIXTURE / "response_curves.parquet", name="from-parquet.yaml")
    assert done.returncode == 0, done.stderr
    a, b = load(out).scenario, load(table_import[1]).scenario
    assert a.channels == b.channels and a.budget == b.budget and a.current == b.current


def test_parquet_without_pyarrow_says_how_to_get_it(tmp_path):
    blocked = tmp_path / "blocked"
    (blocked / "pyarrow").mkdir(parents=True)
    (blocked / "pyarrow" / "__init__.py").write_text("raise ImportError('no pyarrow here')\n")
    env = {**__import__("os").environ, "PYTHONPATH": str(blocked)}
    done, out = imported(tmp_path, FIXTURE / "response_curves.parquet", env=env)
    assert done.returncode == 2 and "Traceback" not in done.stderr and not out.exists()
    assert "reading Parquet needs pyarrow" in done.stderr and 'install "channelmix[meridian]"' in done.stderr


@pytest.mark.parametrize("table, budget, expect",
                         [("response_curves_fine.csv", None, 1e-4), ("response_curves_fine.csv", 140e6, 1e-4),
                                                   ("response_curves.csv", 140e6, 1e-4)])
def test_meridians_bounds_give_meridians_plan(tmp_path, oracle, table, budget, expect):
    """The fine table (0.02 steps) reaches Meridian's optimiser to 1e-4 as Meridian scores both;
    its default table (0.2 steps) only at the smaller budget (−1.37e-4 at the historical one)."""
    opt = next(o for o in oracle.reference["optimizer"] if o["budget_argument"] == budget)
    done, out = imported(tmp_path, FIXTURE / table, "--bounds", "meridian",
                         *(["--budget", str(budget)] if budget else []))
    assert done.returncode == 0, done.stderr
    scenario = load(out).scenario
    assert scenario.budget == opt["budget"]  # Meridian enforces the sum of its rounded shares (139.9 M for 140 M)
    for ch in scenario.channels:
        assert (ch.min_spend, ch.max_spend) == (opt["lower_bound"][ch.id], opt["upper_bound"][ch.id])
    assert sorted(scenario.rules.force_on) == sorted(oracle.channels)
    solved = run("solve", out, "--format", "json")
    assert solved.returncode == 0, solved.stderr
    plan = json.loads(solved.stdout)
    spends = {c["id"]: c["spend"] for c in plan["channels"]}
    assert sum(spends.values()) <= opt["budget"] * (1 + 1e-9)
    assert oracle.score(spends) >= opt["optimized_total_incremental_outcome"] * (1 - expect)


def test_window_curves_with_a_weekly_budget_are_warned_about(tmp_path, table_import):
    weekly = sum(load(table_import[1]).scenario.current.values()) / WEEKS
    for fmt in ("table", "json"):
        done = run("solve", table_import[1], "--set", f"budget={weekly}", "--format", fmt)
        assert done.returncode == 0, done.stderr
        assert ("warning: likely unit mismatch: the budget 1,101,037 is 0.32% of the most the curves were measured at"
                in done.stderr)
    assert "the curves' spends and outcomes are per window" in done.stderr
    assert json.loads(done.stdout)["units"]["direction"] == "below"
    assert "unit mismatch" not in run("solve", table_import[1], "--format", "json").stderr


def test_weekly_curves_with_the_window_budget_are_warned_about(tmp_path, table_import):
    done, out = imported(tmp_path, FIXTURE / "response_curves.csv", "--per", "week", "--weeks", str(WEEKS))
    assert done.returncode == 0, done.stderr
    window = load(table_import[1]).scenario
    weekly = load(out).scenario
    assert weekly.budget == pytest.approx(window.budget / WEEKS, rel=1e-9)
    for a, b in zip(window.channels, weekly.channels):  # the window's totals ÷ 156, point by point
        assert b.max_spend == pytest.approx(a.max_spend / WEEKS, rel=1e-9)
        assert outcome(b, a.max_spend / WEEKS) == pytest.approx(outcome(a, a.max_spend) / WEEKS, rel=1e-9)
    assert (weekly.source.per.count, weekly.source.per.unit, weekly.source.window.periods) == (1, "week", WEEKS)
    assert "average week of Meridian's" in out.read_text(encoding="utf-8")  # the flighting is Meridian's historical one
    solved = run("solve", out, "--set", f"budget={window.budget}")
    assert solved.returncode == 0, solved.stderr
    assert "likely unit mismatch: the budget 171,761,719 is 78× the most the curves were measured at" in solved.stderr
    assert ("the budget looks like a total over the model's 156 weeks: per week it would be 1,101,037 (÷156)"
            in solved.stderr)


TABLE_OPTIONS = [  # (arguments, what the written scenario shows, or None for exit 2)
    (["--weeks", "156"], "count: 156"),  # the window's length: the units say "totals over 156 weeks"
    (["--per", "week", "--weeks", "156"], "unit: week"),
    (["--bounds", "meridian"], "force_on:"),
    (["--bounds", "0.8:1.2"], "min_spend:"),
    (["--budget", "100000000"], "budget: 100000000"),
    (["--per", "week"], None),  # the table does not say how many weeks
    (["--per", "month"], None),
    (["--draws", "5"], None),  # a table has no posterior draws
    (["--seed", "1"], None),
    (["--bounds", "2:1"], None),
    (["--solid", "x"], None),
]


@pytest.mark.parametrize("args, shows", TABLE_OPTIONS)
def test_every_option_changes_the_scenario_or_exits_2(tmp_path, table_import, args, shows):
    plain = table_import[1].read_text(encoding="utf-8")
    done, out = imported(tmp_path, FIXTURE / "response_curves.csv", *args)
    if shows is None:
        assert done.returncode == 2 and "Traceback" not in done.stderr and not out.exists(), done.stderr
        assert "nothing was written" in done.stderr or "Error" in done.stderr
        return
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert shows in text and shows not in plain
