"""Every input path as hardened as the scenario file (issue 18, item 7): each case that ended in a
traceback, a silent wrong answer or an unsolvable file now exits 2 naming the file, the field
(or row), the value and the fix, and writes nothing — or it works. Run through the installed
console script, as a user meets them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

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
    return subprocess.run([str(CLI), *args], capture_output=True, text=True, encoding="utf-8", timeout=300, cwd=cwd)


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
    (GOOD_RESULTS.replace("2,flyers,200", "2,flyers,inf"), ["results.csv: row 3, column spend: is inf, not a finite number"]),
    (GOOD_RESULTS.replace("3,flyers,300,0.3", "3,flyers,300,-inf"), ["row 4, column reach: is -inf, not a finite number"]),
    (GOOD_RESULTS.replace("2,flyers,200", "2,,200"), ["results.csv: row 3, column channel: is empty", "Name the channel of every row"]),
    (GOOD_RESULTS.replace("2,flyers", ",flyers"), ["row 3, column period: is empty"]),
    (GOOD_RESULTS.replace("4,flyers,500", "4,flyers,1e13"), ["row 5, column spend: is 1e+13, above 1e+12", "bigger units"]),
    (GOOD_RESULTS.replace("4,flyers,500", "4,flyers,"), ["row 5, column spend: is empty", "Write a plain number"]),
])
def test_calibrate_refuses_results_it_cannot_fit(cafe: Path, tmp_path: Path, results: str, expected: list[str]):
    (tmp_path / "results.csv").write_text(results, encoding="utf-8")
    out = tmp_path / "out.yaml"
    refused(run("calibrate", str(cafe), str(tmp_path / "results.csv"), "-o", str(out)), *expected, "nothing was written")
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


def test_explain_within_any_still_means_no_limit():
    done = run("explain", str(BAKERY), "--within", "inf", "--alternatives", "1", "--format", "json")
    assert done.returncode == 0, done.stderr
