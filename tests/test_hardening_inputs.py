"""Every input path as hardened as the scenario file (issue 18, item 7): each case that ended in a
traceback, a silent wrong answer or an unsolvable file now exits 2 naming the file, the field
(or row), the value and the fix, and writes nothing — or it works. Run through the installed
console script, as a user meets them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

ROOT = Path(__file__).parents[1]
CLI = Path(sys.executable).with_name("channelmix")
BAKERY = ROOT / "scenarios" / "township-bakery.yaml"

CAFE = """\
scenario: Café Øst
phases: [aware, buy]
segments: [{id: locals, size: 1000}]
budget: 5000
channels:
  - id: flyers
    response: {type: saturating, scale: 800}
    affinity: {"*": 0.8}
  - id: instagram
    response: {type: hill, half: 2000, shape: 1.5}
    affinity: {aware: 1.0}
"""
GOOD_RESULTS = "period,channel,spend,reach\n1,flyers,100,0.1\n2,flyers,200,0.2\n3,flyers,300,0.3\n4,flyers,500,0.4\n"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The console script, with a table width that keeps the sentences checked here on one line."""
    return subprocess.run([str(CLI), *args], capture_output=True, text=True, encoding="utf-8", timeout=300, cwd=cwd,
                          env={**os.environ, "COLUMNS": "200"})


def refused(done: subprocess.CompletedProcess, *expected: str) -> None:
    """Exit 2, no traceback, nothing on stdout, and every expected piece of the message on stderr."""
    assert done.returncode == 2, (done.returncode, done.stderr[-3000:])
    assert "Traceback" not in done.stderr and done.stdout == ""
    for piece in expected:
        assert piece in done.stderr, (piece, done.stderr)


@pytest.fixture
def cafe(tmp_path: Path) -> Path:
    path = tmp_path / "cafe.yaml"
    path.write_text(CAFE, encoding="utf-8")
    return path


# ---------------------------------------------------------------- calibrate


@pytest.mark.parametrize("results, expected", [
    (GOOD_RESULTS.replace("2,flyers,200", "2,flyers,inf"),
     ["results.csv: row 3, column spend: is inf, not a finite number"]),
    (GOOD_RESULTS.replace("3,flyers,300,0.3", "3,flyers,300,-inf"),
     ["row 4, column reach: is -inf, not a finite number"]),
    (GOOD_RESULTS.replace("2,flyers,200", "2,,200"),
     ["results.csv: row 3, column channel: is empty", "Name the channel of every row"]),
    (GOOD_RESULTS.replace("2,flyers", ",flyers"), ["row 3, column period: is empty"]),
    (GOOD_RESULTS.replace("4,flyers,500", "4,flyers,1e13"),
     ["row 5, column spend: is 1e+13, above 1e+12", "bigger units"]),
    (GOOD_RESULTS.replace("4,flyers,500", "4,flyers,"), ["row 5, column spend: is empty", "Write a plain number"]),
])
def test_calibrate_refuses_results_it_cannot_fit(cafe: Path, tmp_path: Path, results: str, expected: list[str]):
    (tmp_path / "results.csv").write_text(results, encoding="utf-8")
    out = tmp_path / "out.yaml"
    refused(run("calibrate", str(cafe), str(tmp_path / "results.csv"), "-o", str(out)), *expected,
            "nothing was written")
    assert not out.exists()


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e7", "-1"])
def test_calibrate_prior_weight_must_be_a_finite_number_in_range(cafe: Path, tmp_path: Path, value: str):
    (tmp_path / "results.csv").write_text(GOOD_RESULTS, encoding="utf-8")
    out = tmp_path / "out.yaml"
    refused(run("calibrate", str(cafe), str(tmp_path / "results.csv"), "-o", str(out), "--prior-weight", value),
            "Invalid value for '--prior-weight'", "0<=x<=1000000.0")
    assert not out.exists()


# ---------------------------------------------------------------- every float option of every command


def test_a_time_limit_option_stays_in_the_schema_s_range():
    refused(run("solve", str(BAKERY), "--time-limit", "1e300"), "Invalid value for '--time-limit'", "0<x<=10000000.0")


@pytest.mark.parametrize("args", [
    ["solve", str(BAKERY), "--time-limit", "nan"],
    ["solve", str(BAKERY), "--time-limit", "inf"],
    ["solve", str(BAKERY), "--gap", "nan"],
    ["import", "curves", str(BAKERY), "-o", "x.yaml", "--budget", "nan"],
    ["import", "curves", str(BAKERY), "-o", "x.yaml", "--budget", "inf"],
    ["import", "robyn", str(BAKERY), "-o", "x.yaml", "--bounds", "nan:2"],
    ["import", "robyn", str(BAKERY), "-o", "x.yaml", "--bounds", "0.5:inf"],
])
def test_no_float_option_takes_nan_or_infinity(args: list[str], tmp_path: Path):
    done = run(*args, cwd=tmp_path)
    refused(done, "not a finite number")
    assert not (tmp_path / "x.yaml").exists()


@pytest.mark.parametrize("within", ["nan", "nan%", "-inf", "-1%", "lots"])
def test_explain_within_must_be_a_share(within: str):
    done = run("explain", str(BAKERY), "--within", within)
    refused(done, "--within", "write 5% or 0.05")


def test_explain_within_inf_still_means_no_limit(cafe: Path):
    done = run("explain", str(cafe), "--within", "inf", "--alternatives", "1", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["alternatives"]) == 1


# ---------------------------------------------------------------- import curves


def test_a_curve_point_the_solver_cannot_tell_from_zero_is_refused_with_its_row(tmp_path: Path):
    """Exit 0 before, and the scenario written crashed solve inside PuLP's HiGHS reader (IndexError)."""
    (tmp_path / "t.csv").write_text("channel,spend,outcome\na,0,0\na,1e-320,10\na,1,20\n", encoding="utf-8")
    out = tmp_path / "t.yaml"
    refused(run("import", "curves", str(tmp_path / "t.csv"), "-o", str(out)),
            "t.csv: channel 'a', row 3: spend 9.99989e-321 is only", "less than 1e-06 of the curve's span 1",
            "Fix: Merge the two points into one", "nothing was written")
    assert not out.exists()


def test_a_20000_point_curve_table_imports_and_solves_with_its_error_stated(tmp_path: Path):
    """A long table (an MMM's curve sampled finely) gave the MILP a piece per point: 60 s without a
    plan. Its S-shaped curves are now thinned for the MILP within the accuracy, and the plan says so."""
    rows = ["channel,spend,outcome"]
    for name, half, n in (("tv", 3e4, 20_000), ("radio", 1e4, 4_000)):
        for s in np.linspace(0.0, 1e5, n):
            rows.append(f"{name},{s:.6f},{1000 * s**2 / (s**2 + half**2):.9f}")
    (tmp_path / "long.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "long.yaml"
    done = run("import", "curves", str(tmp_path / "long.csv"), "-o", str(out), "--budget", "40000")
    assert done.returncode == 0, done.stderr
    solved = run("solve", str(out), "--format", "json")
    assert solved.returncode == 0, solved.stderr
    plan = json.loads(solved.stdout)
    assert plan["status"] == "optimal" and plan["verified"]
    assert 0 < plan["curve_error"] <= 0.005 and plan["approximation_bound"] > 0  # an error stated, never 0
    assert plan["solver_seconds"] < 60  # a bound on a hang (the limit of the file), not a timing


def test_persian_labels_with_a_zero_width_non_joiner_give_valid_ids_and_say_so(tmp_path: Path):
    """The shipped Persian labels: the importer made ids holding U+200C, then refused its own ids."""
    names = ["وب‌سایت و سئو", "خبرنامهٔ ایمیلی", "کسب‌وکارهای کوچک"]
    rows = ["channel,spend,outcome"] + [f"{n},{s},{o * (k + 1)}" for k, n in enumerate(names) for s,
                                        o in ((0, 0), (100, 5), (1000, 20))]
    (tmp_path / "fa.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "fa.yaml"
    done = run("import", "curves", str(tmp_path / "fa.csv"), "-o", str(out), "--budget", "900")
    assert done.returncode == 0, done.stderr
    assert "note: channel 'وب‌سایت و سئو' has the id 'وبسایت_و_سئو': dropped U+200C ZERO WIDTH NON-JOINER" in done.stderr
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert [c["id"] for c in data["channels"]] == ["وبسایت_و_سئو", "خبرنامهٔ_ایمیلی", "کسبوکارهای_کوچک"]
    assert [c["label"] for c in data["channels"]] == names  # the labels keep the joiner Persian needs
    assert "dropped U+200C" in out.read_text(encoding="utf-8").split("format:")[0]  # and the file says so too
    assert run("solve", str(out)).returncode == 0


@pytest.mark.parametrize("table, expected", [
    ("channel,spend,outcome\n\u202eab,0,0\n\u202eab,10,1\n",
     "row 2): '\\u202eab' contains a control character (U+202E RIGHT-TO-LEFT OVERRIDE)"),
    ("channel,spend,outcome\na,0,0\na,1e13,1\n", "row 3, column spend: is 1e+13, above 1e+12"),
    ("channel,spend,outcome\na,0,0\na,10,1e300\n", "row 3, column outcome: is 1e+300, above 1e+12"),
    ("channel,spend,outcome\na,0,0\na,10,inf\n", "row 3, column outcome: is inf, not a finite number"),
    ("channel,spend,outcome,draw\na,0,0,\na,10,1,1\n", "row 2, column draw: is empty"),
])
def test_import_curves_refuses_what_it_cannot_write_faithfully(tmp_path: Path, table: str, expected: str):
    (tmp_path / "t.csv").write_text(table, encoding="utf-8")
    out = tmp_path / "t.yaml"
    refused(run("import", "curves", str(tmp_path / "t.csv"), "-o", str(out)), "t.csv: ", expected,
            "nothing was written")
    assert not out.exists() and not out.with_suffix(".draws.csv").exists()


# ---------------------------------------------------------------- worlds drawn from a table


WORLDS = """\
scenario: w
phases: [p]
segments: [m]
budget: 100
channels:
  - {id: a, response: {type: pwl, points: [[0, 0], [50, 0.5], [100, 1]]}, outcome: {value: 10}}
worlds: {draws: w.draws.csv}
objective: {sense: max_outcome, risk: mean}
"""


@pytest.mark.parametrize("rows, expected", [
    ("a,0,0,1e300\na,0,50,5\na,0,100,10\na,1,0,0\na,1,50,4\na,1,100,9",
     "row 2: spend 0 and outcome 1e+300 must be at most 1e+12"),
    ("a,0,0,0\na,0,50,5\na,0,100,10\na,1,0,0\na,1,51,4\na,1,100,9", "draw 1, channel a: uses other spends than draw 0"),
    ("a,0,0,0\na,0,1e-320,5\na,0,100,10\na,1,0,0\na,1,1e-320,4\na,1,100,9",
     "draw 0, channel a: its curve's point 1: spend 9.99989e-321"),
])
def test_a_draws_file_is_range_checked_like_a_curve_table(tmp_path: Path, rows: str, expected: str):
    """An outcome of 1e300 at zero spend was accepted (import curves refuses it)."""
    (tmp_path / "w.yaml").write_text(WORLDS, encoding="utf-8")
    (tmp_path / "w.draws.csv").write_text("channel,draw,spend,outcome\n" + rows + "\n", encoding="utf-8")
    for command in ("validate", "solve"):
        refused(run(command, str(tmp_path / "w.yaml")), "w.yaml: worlds.draws (w.draws.csv): " + expected,
                "nothing was solved")


def test_a_tables_zero_spend_outcome_is_not_called_a_carry_over(tmp_path: Path):
    """A curve table's outcome at zero spend is whatever its model gives without the spend (carry-over,
    intercept, other drivers): the plan says what it is rather than calling it a carry-over baseline."""
    (tmp_path / "b.csv").write_text("channel,spend,outcome\na,0,5\na,100,15\na,400,30\n", encoding="utf-8")
    assert run("import", "curves", str(tmp_path / "b.csv"), "-o", str(tmp_path / "b.yaml"), "--budget",
               "100").returncode == 0
    text = (tmp_path / "b.yaml").read_text(encoding="utf-8")
    assert "carry-over" not in text and "that zero-spend outcome is outcome.baseline" in text
    done = run("solve", str(tmp_path / "b.yaml"))
    assert done.returncode == 0 and "(plus 5 that the curves give at zero spend, which no plan changes)" in done.stdout
    assert "carry-over" not in done.stdout
