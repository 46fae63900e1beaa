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

from channelmix import solve_paths
from channelmix.cli import main

SMALL = {"scenario": "small", "phases": ["aware", "buy"],
         "segments": [{"id": "a", "size": 100}, {"id": "b", "size": 60}], "budget": 1000,
         "channels": [
             {"id": "ads", "max_spend": 800, "response": {"type": "saturating", "scale": 300},
              "affinity": {"aware": 0.8, "buy": 0.2}},
             {"id": "shop", "fixed_cost": 300, "max_spend": 0, "response": {"type": "constant", "value": 0.7},
              "affinity": {"buy": 0.9}},
             {"id": "promo", "min_spend": 100, "max_spend": 600,
              "response": {"type": "hill", "half": 250, "shape": 2.5}, "affinity": {"aware": {"b": 0.9}, "buy": 0.4}}],
         "rules": {"coverage": {"target": 0.2, "hard": False, "penalty": 200}}}


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
    result = CliRunner().invoke(main,
                                ["batch", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--executor", "serial",
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
    assert {"scenario", "status", "objective", "cost", "gap", "verified", "channels", "coverage", "input_hash"} <= set(
        saved)
    summary = (tmp_path / "out" / "summary.csv").read_text(encoding="utf-8").splitlines()
    assert summary[0].startswith("scenario,source,variant,status,objective,cost,gap,verified,message,currency,sense,"
                                 "weighted_reach,channels_on,weakest_cell,periods,resumed,spend_ads")


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
        on_dask = solve_paths([tmp_path / "in"], tmp_path / "dask", executor="dask",
                              scheduler=cluster.scheduler_address)
    assert solved_rows(serial).equals(solved_rows(on_dask))


def test_killed_batch_resumes_without_redoing_done_work(tmp_path: Path):
    write_scenarios(tmp_path / "in", [300 + 20 * i for i in range(40)])
    out = tmp_path / "out"
    command = [sys.executable, "-m", "channelmix.cli", "batch", str(tmp_path / "in"), "--out", str(out), "--executor",
               "serial"]
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


# ---------------------------------------------------------------- one bad file never stops a batch


def test_bad_files_become_rows_and_the_good_file_is_solved(tmp_path: Path):
    """A 300-character name (once: OSError 'File name too long', nothing written) and a value
    nested 1,000 deep (once: RecursionError before the output folder existed) beside a good file."""
    folder = tmp_path / "in"
    write_scenarios(folder, [900])
    (folder / "long.yaml").write_text(yaml.safe_dump({**SMALL, "scenario": "n" * 300}), encoding="utf-8")
    deep = yaml.safe_dump({**SMALL, "scenario": "deep"}).replace("budget: 1000", "budget: " + "[" * 1000 + "1"
                                                                 + "]" * 1000)
    (folder / "deep.yaml").write_text(deep, encoding="utf-8")
    result = CliRunner().invoke(main, ["batch", str(folder), "--out", str(tmp_path / "out"), "--executor", "serial",
                                       "--format", "json"])
    # README: 1 when some scenario has no plan, 2 only when none could be read
    assert result.exit_code == 1, result.output
    rows = {r["source"]: r for r in map(json.loads, result.stdout.strip().splitlines())}
    assert len(rows) == 3
    assert rows[str(folder / "small-000.yaml")]["status"] == "optimal"
    assert rows[str(folder / "long.yaml")]["status"] == "optimal"  # a long name is a fine name: its file is shortened
    bad = rows[str(folder / "deep.yaml")]
    assert bad["status"] in ("error", "invalid") and "deep.yaml" in bad["message"]
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert "small-000.json" in written and "summary.csv" in written
    long_file = next(name for name in written if name.startswith("nnn"))
    assert (len(long_file.encode()) < 120
            and json.loads((tmp_path / "out" / long_file).read_text(encoding="utf-8"))["scenario"] == "n" * 300)


def test_any_exception_while_reading_a_file_is_that_files_row(tmp_path: Path, monkeypatch):
    import channelmix.analysis.batch as batch_module

    write_scenarios(tmp_path / "in", [400, 900])
    real_load = batch_module.load

    def flaky(path):
        if Path(path).name == "small-001.yaml":
            raise OSError(36, "File name too long")
        return real_load(path)

    monkeypatch.setattr(batch_module, "load", flaky)
    table = solve_paths([tmp_path / "in"], tmp_path / "out", executor="serial")
    assert dict(zip(table["scenario"], table["status"])) == {"small-000": "optimal", "small-001": "error"}
    assert "OSError" in table.loc[table["scenario"] == "small-001", "message"].item()


def test_a_worker_that_dies_fails_only_its_own_case(tmp_path: Path, monkeypatch):
    import channelmix.analysis.batch as batch_module

    write_scenarios(tmp_path / "in", [400, 900])
    original = batch_module.run_case

    def crash_on_second(case, document):
        if case.name == "small-001":
            raise MemoryError("worker lost")
        return original(case, document)

    monkeypatch.setattr(batch_module, "run_case", crash_on_second)
    table = solve_paths([tmp_path / "in"], tmp_path / "out", executor="serial")
    assert dict(zip(table["scenario"], table["status"])) == {"small-000": "optimal", "small-001": "error"}


def test_unwritable_result_is_that_rows_error(tmp_path: Path, monkeypatch):
    import channelmix.analysis.batch as batch_module

    write_scenarios(tmp_path / "in", [400, 900])
    real_write = batch_module.write_atomic

    def refuse(path, text):
        if path.name == "small-000.json":
            raise OSError(28, "No space left on device")
        return real_write(path, text)

    monkeypatch.setattr(batch_module, "write_atomic", refuse)
    table = solve_paths([tmp_path / "in"], tmp_path / "out", executor="serial")
    statuses = dict(zip(table["scenario"], table["status"]))
    assert statuses == {"small-000": "error", "small-001": "optimal"}
    assert "No space left" in table.loc[table["scenario"] == "small-000", "message"].item()


# ---------------------------------------------------------------- the one naming rule


def test_one_naming_rule_keeps_every_result_apart(tmp_path: Path):
    from channelmix.core.filenames import MAX_STEM_BYTES, file_stem, unique_stem

    assert file_stem("township-bakery") == "township-bakery" and file_stem("خدمات") == "خدمات"
    assert file_stem("a-b") != file_stem("a/b") and file_stem("a/b").startswith("a-b-")
    assert file_stem(".") != file_stem("..") and file_stem("").startswith("scenario-")
    assert file_stem("a/b") == file_stem("a/b")  # stable: the same name always gets the same file
    assert len(file_stem("x" * 300).encode()) <= MAX_STEM_BYTES and file_stem("x" * 300) != file_stem("x" * 301)
    assert len(file_stem("ö" * 300).encode()) <= MAX_STEM_BYTES
    used: set[str] = set()
    assert [unique_stem(n, used) for n in ("a", "A", "a", "summary")] == ["a", "A-2", "a-3", "summary-2"]


def test_solve_out_never_overwrites_one_result_with_another(tmp_path: Path):
    """Scenario 'a-b' and variant 'b' of scenario 'a' ('a/b') once shared a-b.json; '.' and
    '..' both became scenario.json; two files may even carry the same scenario name."""
    files = []
    for i, (name, extra) in enumerate([("a-b", {}), ("a", {"variants": [{"name": "b", "set": {"budget": 500}}]}),
                                        (".", {}), ("..", {}), ("a-b", {"budget": 700})]):
        path = tmp_path / f"f{i}.yaml"
        path.write_text(yaml.safe_dump({**SMALL, "scenario": name, **extra}), encoding="utf-8")
        files.append(str(path))
    result = CliRunner().invoke(main, ["solve", *files, "--out", str(tmp_path / "out"), "--format", "json"])
    assert result.exit_code == 0, result.output
    saved = [json.loads(p.read_text(encoding="utf-8")) for p in (tmp_path / "out").glob("*.json")]
    assert sorted((s["scenario"], s["budget"]) for s in saved) == sorted(
        [("a-b", 1000), ("a", 1000), ("a/b", 500), (".", 1000), ("..", 1000), ("a-b", 700)])
    assert len(list((tmp_path / "out").glob("*.channels.csv"))) == 6


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_killed_batch_leaves_no_worker_behind(tmp_path: Path, signum: int):
    """SIGTERM once killed the parent alone and left every pool process running."""
    psutil = pytest.importorskip("psutil")
    write_scenarios(tmp_path / "in", [300 + 10 * i for i in range(60)])
    out = tmp_path / "out"
    command = [sys.executable, "-m", "channelmix", "batch", str(tmp_path / "in"), "--out", str(out), "--workers", "2"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    parent = psutil.Process(process.pid)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(out.glob("small-*.json"))) < 2:
        time.sleep(0.05)
    children = parent.children(recursive=True)
    try:
        assert len(list(out.glob("small-*.json"))) < 60, "the batch should still be running"
        assert len(children) >= 2, "the workers should be running"
        os.kill(process.pid, signum)
        process.wait(timeout=60)
        gone, alive = psutil.wait_procs(children, timeout=10)
        alive = [p for p in alive if p.status() != psutil.STATUS_ZOMBIE]
        assert alive == [], f"orphans: {[p.cmdline() for p in alive]}"
    finally:
        for child in children:
            if child.is_running():
                child.kill()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
