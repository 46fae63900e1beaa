"""What a user's script sees: the installed ``channelmix`` command in a real process.

CliRunner only sees what Python writes; a solver library printing to the process's
C-level stdout (highspy 1.16 prints its banner there) is invisible to it. These tests
run the console script next to this interpreter and parse EVERY stdout line as JSON.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from test_batch import SMALL

ROOT = Path(__file__).parents[1]
CHANNELMIX = Path(sys.executable).with_name("channelmix")
if not CHANNELMIX.exists():
    CHANNELMIX = Path(shutil.which("channelmix") or "channelmix")
BANNER = ("HiGHS", "Copyright", "licence", "Welcome to the CBC")


def run(*args: str | Path, command: list[str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("CHANNELMIX_SOLVER_LOG", None)
    done = subprocess.run([*(command or [str(CHANNELMIX)]), *map(str, args)], capture_output=True, text=True,
                          encoding="utf-8", timeout=300, cwd=cwd, env=env)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def json_lines(text: str) -> list[dict]:
    """Every line of ``text`` as a JSON object; any other line (a banner, a blank) fails."""
    lines = text.split("\n")
    assert lines[-1] == "", "output must end with a newline"
    assert lines[:-1], "no output"
    return [json.loads(line) for line in lines[:-1]]


def saved_results(folder: Path) -> list[dict]:
    found = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))
             if p.name != "summary.json"]
    summary = (json.loads((folder / "summary.json").read_text(encoding="utf-8")) if (folder / "summary.json").exists()
               else None)
    assert summary is None or isinstance(summary, list)
    return found


@pytest.fixture()
def files(tmp_path: Path) -> list[Path]:
    """Two small scenarios, one with a variant and a Persian name."""
    first = {**SMALL, "scenario": "small", "variants": [{"name": "lean", "set": {"budget": 500}}]}
    second = {**SMALL, "scenario": "خدمات", "budget": 700}
    paths = []
    for name, data in (("small.yaml", first), ("khadamat.yaml", second)):
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


def test_solve_json_lines_out_files_and_report_of_saved_stdout(files: list[Path], tmp_path: Path):
    done = run("solve", "--format", "json", *files, "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    plans = json_lines(done.stdout)
    assert [p["scenario"] for p in plans] == ["small", "small/lean", "خدمات"]
    assert all(p["status"] == "optimal" and p["verified"] for p in plans)
    assert {p["scenario"] for p in saved_results(tmp_path / "out")} == {"small", "small/lean", "خدمات"}
    saved = tmp_path / "stdout.json"
    saved.write_text(done.stdout, encoding="utf-8")
    reported = run("report", saved, "--report", "md", "--out", tmp_path / "reports")
    assert reported.returncode == 0, reported.stderr
    assert reported.stdout == ""
    assert len(list((tmp_path / "reports").glob("*.md"))) == 3


def test_shipped_scenarios_pipe_as_json_lines():
    """The issue's 'done when': every shipped scenario, each line one JSON object."""
    done = run("solve", "--format", "json", *sorted((ROOT / "scenarios").glob("*.yaml")))
    assert done.returncode == 0, done.stderr
    assert len(json_lines(done.stdout)) >= len(list((ROOT / "scenarios").glob("*.yaml")))


def test_cbc_json_lines_report_a_gap(files: list[Path]):
    done = run("solve", "--solver", "cbc", "--format", "json", files[0])
    assert done.returncode == 0, done.stderr
    plans = json_lines(done.stdout)
    assert all(p["solver"] == "cbc" and p["gap"] is not None for p in plans)


def test_table_view_shows_no_banner_and_verbose_logs_go_to_stderr(files: list[Path]):
    table = run("solve", files[1])
    assert table.returncode == 0 and "خدمات" in table.stdout
    assert not any(word in table.stdout for word in BANNER), table.stdout
    verbose = run("--verbose", "solve", "--format", "json", files[1])
    assert verbose.returncode == 0
    assert len(json_lines(verbose.stdout)) == 1
    assert "nonzeros" in verbose.stderr  # the solver's log ("MIP has … rows; … nonzeros"), where a log belongs


def test_sweep_json_lines_and_out_files(files: list[Path], tmp_path: Path):
    done = run("sweep", files[0], "--vary", "budget=400:800:200", "--format", "json", "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    rows = json_lines(done.stdout)
    assert [r["budget"] for r in rows] == [400, 600, 800]
    assert len(saved_results(tmp_path / "out")) == 3


def test_compare_json_lines_with_diff(files: list[Path], tmp_path: Path):
    done = run("compare", *files, "--diff", "small", "small/lean", "--format", "json", "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    rows = json_lines(done.stdout)
    assert {"small", "small/lean", "خدمات"} <= {r.get("scenario") for r in rows}
    assert {p["scenario"] for p in saved_results(tmp_path / "out")} == {"small", "small/lean", "خدمات"}


def test_batch_with_two_workers_json_lines(files: list[Path], tmp_path: Path):
    done = run("batch", *files, "--workers", "2", "--format", "json", "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    rows = json_lines(done.stdout)
    assert sorted(r["scenario"] for r in rows) == sorted(["small", "small/lean", "خدمات"])
    assert all(r["status"] == "optimal" for r in rows)
    assert {p["scenario"] for p in saved_results(tmp_path / "out")} == {"small", "small/lean", "خدمات"}


def test_python_dash_m_channelmix(files: list[Path]):
    done = run("solve", "--format", "json", files[1], command=[sys.executable, "-m", "channelmix"])
    assert done.returncode == 0, done.stderr
    assert json_lines(done.stdout)[0]["scenario"] == "خدمات"
    assert run("--help", command=[sys.executable, "-m", "channelmix"]).stdout.startswith("Usage: channelmix")


def test_batch_on_a_local_dask_cluster_json_lines(files: list[Path], tmp_path: Path):
    """Dask workers are processes of their own, writing to the same stdout."""
    pytest.importorskip("distributed")
    done = run("batch", *files, "--executor", "dask", "--format", "json", "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert sorted(r["scenario"] for r in json_lines(done.stdout)) == sorted(["small", "small/lean", "خدمات"])
