"""Batches: bad and infeasible scenarios never stop the rest, results are written
atomically and resumed, and every executor gives the same plans."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from channelmix.batch import solve_paths
from channelmix.cli import main

SMALL = {
    "scenario": "small",
    "phases": ["aware", "buy"],
    "segments": [{"id": "a", "size": 100}, {"id": "b", "size": 60}],
    "budget": 1000,
    "channels": [
        {"id": "ads", "max_spend": 800, "response": {"type": "saturating", "scale": 300}, "affinity": {"aware": 0.8, "buy": 0.2}},
        {"id": "shop", "fixed_cost": 300, "max_spend": 0, "response": {"type": "constant", "value": 0.7}, "affinity": {"buy": 0.9}},
        {"id": "promo", "min_spend": 100, "max_spend": 600, "response": {"type": "hill", "half": 250, "shape": 2.5},
         "affinity": {"aware": {"b": 0.9}, "buy": 0.4}},
    ],
    "rules": {"coverage": {"target": 0.2, "hard": False, "penalty": 200}},
}


def write_scenarios(folder: Path, budgets: list[float]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, budget in enumerate(budgets):
        data = {**SMALL, "scenario": f"small-{i:03d}", "budget": budget}
        path = folder / f"small-{i:03d}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


def write_mixed(folder: Path) -> None:
    write_scenarios(folder, [400, 900])
    infeasible = {**SMALL, "scenario": "impossible", "budget": 50, "rules": {"coverage": {"target": 0.5}}}
    (folder / "impossible.yaml").write_text(yaml.safe_dump(infeasible), encoding="utf-8")
    (folder / "broken.yaml").write_text("scenario: broken\nphases: [a\n", encoding="utf-8")


def test_good_infeasible_and_malformed_files(tmp_path: Path):
    write_mixed(tmp_path / "in")
    result = CliRunner().invoke(main, ["batch", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--executor", "serial",
                                       "--format", "json"])
    assert result.exit_code == 1, result.output
    rows = {r["scenario"]: r for r in map(json.loads, result.output.strip().splitlines()[-4:])}
    assert rows["small-000"]["status"] == "optimal" and rows["small-001"]["status"] == "optimal"
    assert rows["impossible"]["status"] == "infeasible"
    assert "Dropping any one of these would make it feasible" in rows["impossible"]["message"]
    assert rows["broken"]["status"] == "invalid" and "is not valid YAML" in rows["broken"]["message"]
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["impossible.json", "small-000.json", "small-001.json", "summary.csv", "summary.json"]
    saved = json.loads((tmp_path / "out" / "small-000.json").read_text(encoding="utf-8"))
    assert {"scenario", "status", "objective", "cost", "gap", "verified", "channels", "coverage", "input_hash"} <= set(saved)
    summary = (tmp_path / "out" / "summary.csv").read_text(encoding="utf-8").splitlines()
    assert summary[0].startswith("scenario,source,variant,status,objective,cost,gap,verified,message,resumed,spend_ads")


def test_nothing_readable_exits_2(tmp_path: Path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "broken.yaml").write_text("- not a scenario\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["batch", str(tmp_path / "in"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2


def solved_rows(table):
    keep = ["scenario", "status", "objective", "cost"] + [c for c in table.columns if c.startswith("spend_")]
    return table[keep].sort_values("scenario").reset_index(drop=True)


def test_parallel_and_serial_give_identical_results(tmp_path: Path):
    write_scenarios(tmp_path / "in", [300 + 100 * i for i in range(8)])
    serial = solve_paths([tmp_path / "in"], tmp_path / "serial", executor="serial")
    parallel = solve_paths([tmp_path / "in"], tmp_path / "parallel", executor="processes", workers=2)
    assert (serial["status"] == "optimal").all()
    assert solved_rows(serial).equals(solved_rows(parallel))


def test_dask_local_cluster_gives_identical_results(tmp_path: Path):
    distributed = pytest.importorskip("distributed")
    write_scenarios(tmp_path / "in", [300 + 150 * i for i in range(4)])
    serial = solve_paths([tmp_path / "in"], tmp_path / "serial", executor="serial")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        on_dask = solve_paths([tmp_path / "in"], tmp_path / "dask", executor="dask", scheduler=cluster.scheduler_address)
    assert solved_rows(serial).equals(solved_rows(on_dask))


def test_killed_batch_resumes_without_redoing_done_work(tmp_path: Path):
    write_scenarios(tmp_path / "in", [300 + 20 * i for i in range(40)])
    out = tmp_path / "out"
    command = [sys.executable, "-m", "channelmix.cli", "batch", str(tmp_path / "in"), "--out", str(out), "--executor", "serial"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.glob("small-*.json"))) < 5:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    done_before = {p.name: p.stat().st_mtime_ns for p in out.glob("small-*.json")}
    assert 5 <= len(done_before) < 40, "the batch should have been killed halfway"
    assert not (out / "summary.csv").exists()
    for path in out.glob("small-*.json"):
        json.loads(path.read_text(encoding="utf-8"))  # every file whole: atomic writes
    table = solve_paths([tmp_path / "in"], out, resume=True, executor="serial")
    assert (table["status"] == "optimal").all() and len(table) == 40
    resumed = set(table.loc[table["resumed"], "scenario"])
    assert resumed == {name.removesuffix(".json") for name in done_before}
    assert all((out / name).stat().st_mtime_ns == mtime for name, mtime in done_before.items())


def test_resume_redoes_a_scenario_whose_input_changed(tmp_path: Path):
    paths = write_scenarios(tmp_path / "in", [400, 500])
    solve_paths([tmp_path / "in"], tmp_path / "out", executor="serial")
    changed = yaml.safe_load(paths[0].read_text(encoding="utf-8"))
    changed["budget"] = 450
    paths[0].write_text(yaml.safe_dump(changed), encoding="utf-8")
    table = solve_paths([tmp_path / "in"], tmp_path / "out", executor="serial", resume=True)
    assert dict(zip(table["scenario"], table["resumed"])) == {"small-000": False, "small-001": True}
