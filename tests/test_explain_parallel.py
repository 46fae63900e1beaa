"""Explain in parallel and warm (issue 20): the re-solves run as tasks on several processes and
start from the plan they perturb; the figures are the serial, cold ones to the solver's tolerance.

Small scenarios only (the shipped ones whose explanation takes a few seconds, one small horizon):
the whole file runs in well under a minute on two busy cores.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import pytest

import channelmix as cm
from channelmix.analysis import parallel
from channelmix.analysis.explain_tasks import forced
from channelmix.analysis.explanation import explain
from channelmix.analysis.limits import limit_of, with_limit
from channelmix.reports.documents import explanation_document
from channelmix.solve.pipeline import solve_from
from channelmix.solve.warm import Warm

sys.path.insert(0, str(Path(__file__).parent))
from helpers import channel, load, scenario  # noqa: E402
from test_periods_brute_force import instance  # noqa: E402

ROOT = Path(__file__).parents[1]
SKIP = {"seconds", "solve_seconds"}  # wall time, not a figure


def same(a: Any, b: Any, tolerance: float, where: str = "") -> list[str]:
    """Where two explanation documents differ beyond ``tolerance`` (numbers) or at all (the rest)."""
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return [f"{where}: keys {sorted(a.keys() ^ b.keys())}"]
        return [d for k in a if k not in SKIP for d in same(a[k], b[k], tolerance, f"{where}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{where}: {len(a)} against {len(b)} items"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in same(x, y, tolerance, f"{where}[{i}]")]
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return [] if math.isclose(a, b, rel_tol=tolerance, abs_tol=tolerance) else [f"{where}: {a} against {b}"]
    if isinstance(a, str) and isinstance(b, str) and a != b and any(ch.isdigit() for ch in a):
        return []  # a sentence that quotes figures: the figures are compared where they stand as numbers
    return [] if a == b else [f"{where}: {a!r} against {b!r}"]


def _document(e) -> dict:
    return explanation_document(e)


@pytest.fixture(autouse=True)
def in_processes_always(monkeypatch):
    """Every explanation asked for on several processes uses them, however short its work: these
    tests compare the pool's figures with this process's (the default runs short work here)."""
    monkeypatch.setattr(parallel, "START_SECONDS", 0.0)


def test_short_work_is_done_in_this_process_with_the_same_figures(monkeypatch):
    """By default an explanation whose re-solves take less than the workers' start runs here (no pool
    is started), with the figures of one process and of the pool.  (Three explanations and a pool's
    start: about 4 s, the price of comparing the three ways.)"""
    monkeypatch.setattr(parallel, "START_SECONDS", 1e9)
    if parallel.running() is not None:
        parallel.running().close()
    loaded = cm.load(ROOT / "scenarios" / "butik-kundresan.yaml")
    here = explain(loaded, alternatives=1, workers=2)
    assert parallel.running() is None
    monkeypatch.setattr(parallel, "START_SECONDS", 0.0)
    pooled = explain(loaded, alternatives=1, workers=2)
    assert parallel.running() is not None
    serial = explain(loaded, alternatives=1, workers=1)
    tolerance = 2 * serial.tolerance / max(abs(serial.objective), 1.0)
    assert not same(_document(serial), _document(here), tolerance)
    assert not same(_document(serial), _document(pooled), tolerance)


def test_the_resident_pool_serves_the_next_explanation_without_a_start():
    """A notebook's second explanation finds the pool of the first running: same pool, same worker
    processes, no new start-up."""
    import multiprocessing

    loaded = cm.load(ROOT / "scenarios" / "butik-kundresan.yaml")
    explain(loaded, alternatives=1, workers=2)
    pool = parallel.running()
    assert pool is not None
    workers = {p.pid for p in multiprocessing.active_children()}
    explain(loaded, alternatives=1, workers=2)
    assert parallel.running() is pool and not pool.broken
    assert {p.pid for p in multiprocessing.active_children()} == workers


@pytest.mark.parametrize("stem", ["butik-kundresan", "boutique-en-ligne"])
def test_parallel_explain_equals_serial_on_shipped_scenarios(stem: str):
    loaded = cm.load(ROOT / "scenarios" / f"{stem}.yaml")
    serial = explain(loaded, alternatives=2, workers=1)
    parallel = explain(loaded, alternatives=2, workers=2)
    assert serial.plan.solved and serial.channels and serial.limits
    assert not same(_document(serial), _document(parallel), 2 * serial.tolerance / max(abs(serial.objective), 1.0))


def test_parallel_explain_equals_serial_over_periods():
    sc = load(instance(4))
    serial = explain(sc, alternatives=3, within=None, workers=1)
    parallel = explain(sc, alternatives=3, within=None, workers=3)  # more workers than cores: same figures
    assert serial.plan.schedule is not None and serial.alternatives
    assert not same(_document(serial), _document(parallel), 1e-6)


def test_parallel_explain_keeps_the_hand_checked_tie():
    # as test_explain.test_township_word_of_mouth_is_a_tie_in_plain_words, on two processes
    e = explain(cm.load(ROOT / "scenarios" / "township-bakery.yaml"), only=["channels"], workers=2)
    wom = next(c for c in e.channels if c.id == "word_of_mouth")
    lost = wom.value_if_forced_on if not wom.on else wom.value_if_forced_off
    assert wom.verdict == "tie" and lost is not None and abs(lost) <= e.tolerance


def test_parallel_explain_of_an_infeasible_scenario_repairs_as_serial():
    d = scenario(budget=500, channels=[channel("a", fixed_cost=300), channel("b", fixed_cost=300)],
                 rules={"force_on": ["a", "b"]})
    serial, parallel = explain(load(d), workers=1), explain(load(d), workers=2)
    assert serial.status == "infeasible" and serial.conflict is not None and serial.conflict.repairs
    assert not same(_document(serial), _document(parallel), 1e-9)


def test_only_asks_one_question():
    loaded = cm.load(ROOT / "scenarios" / "butik-kundresan.yaml")
    seen: list[Any] = []
    e = explain(loaded, only=["limits"], progress=lambda done, total, item: seen.append((done, total, item)))
    assert e.limits and not e.channels and not e.alternatives
    assert seen[0][0] == 0 and seen[0][2] is e.plan and [d for d, _, _ in seen] == list(range(len(seen)))
    assert {type(item).__name__ for _, _, item in seen[1:]} == {"LimitValue"} and seen[-1][0] == seen[-1][1]


# ---------------------------------------------------------------- warm against cold


def _quick(sc):
    return sc.model_copy(update={"current": None, "objective": sc.objective.model_copy(update={"tie_break": False})})


def test_warm_forced_channels_give_the_cold_objectives():
    sc = _quick(cm.load(ROOT / "scenarios" / "butik-kundresan.yaml").scenario)
    plan, values = solve_from(sc)
    tol = 2 * sc.solver.gap * abs(plan.value)
    for c in plan.channels:
        moved = forced(sc, c.id, not c.on)
        cold = solve_from(moved, diagnose=False)[0]
        warm = solve_from(moved, start=Warm(values, {c.id: not c.on}), diagnose=False)[0]
        assert cold.solved == warm.solved and warm.verified == cold.verified, c.id
        if cold.solved:
            assert warm.value == pytest.approx(cold.value, abs=tol), c.id


def test_warm_loosened_limits_give_the_cold_objectives():
    sc = _quick(cm.load(ROOT / "scenarios" / "butik-kundresan.yaml").scenario)
    plan, values = solve_from(sc)
    tol = 2 * sc.solver.gap * abs(plan.value)
    cutoff = plan.model_objective + tol  # a minimisation: a looser limit costs no more than the plan
    for name in ("budget", "target_0", "breadth_6"):
        limit = limit_of(sc, name)
        moved = with_limit(sc, limit, limit.loosened(limit.step()))
        cold = solve_from(moved, diagnose=False)[0]
        warm = solve_from(moved, start=Warm(values, cutoff=cutoff), diagnose=False)[0]
        assert cold.solved and warm.solved and warm.verified
        assert warm.value == pytest.approx(cold.value, abs=tol), name


def test_a_cutoff_nothing_meets_gives_no_plan_and_a_target_stops_at_a_good_enough_plan():
    sc = _quick(cm.load(ROOT / "scenarios" / "butik-kundresan.yaml").scenario)  # min_cost
    plan, values = solve_from(sc)
    assert solve_from(sc, start=Warm({}, cutoff=0.9 * plan.value), diagnose=False)[0].status == "no_solution"
    good = solve_from(sc, start=Warm({}, target=1.5 * plan.value), diagnose=False)[0]
    assert good.solved and good.verified and good.value <= 1.5 * plan.value + 1e-6


def test_re_solves_from_a_known_plan_run_without_restarts_and_a_first_solve_with_them(monkeypatch):
    """HiGHS's restarts are off in every re-solve that starts from a known plan (a forced channel, a
    loosened limit, the chain of next-best mixes: channelmix.solve.warm.RESTARTS) and on in a scenario's
    first solve, read back from the Highs objects the solves used."""
    from channelmix.analysis.alternatives import alternatives
    from channelmix.solve import solvers

    made: list[Any] = []
    quiet = solvers.quiet_highs
    monkeypatch.setattr(solvers, "quiet_highs", lambda: made.append(quiet()) or made[-1])

    def restarts() -> set[bool]:
        found = {bool(h.getOptionValue("mip_allow_restart")[-1]) for h in made}  # highspy: (status, value)
        made.clear()
        return found

    sc = _quick(cm.load(ROOT / "scenarios" / "butik-kundresan.yaml").scenario)
    plan, values = solve_from(sc)
    assert restarts() == {True}
    c = plan.channels[0]
    assert solve_from(forced(sc, c.id, not c.on), start=Warm(values, {c.id: not c.on}), diagnose=False)[0].solved
    limit = limit_of(sc, "budget")
    moved = with_limit(sc, limit, limit.loosened(limit.step()))
    assert solve_from(moved, start=Warm(values, cutoff=plan.model_objective), diagnose=False)[0].solved
    assert restarts() == {False}
    assert alternatives(sc, plan, 2, None)
    assert restarts() == {False}


def test_the_pool_is_fed_while_this_process_works():
    """A worker takes its next piece the moment it finishes one, not when this process is between
    pieces: while this process answers a long piece the worker goes on with the short ones (it
    waited for the long one's end, 1.5 s, when it was fed only between this process's pieces)."""
    import os

    from helpers import timed_nap

    pool = parallel.Pool(1)
    pool.warm()
    try:
        assert pool.starting is not None
        pool.starting.join()
        items = [(i, 0.02) for i in range(20)] + [(20, 1.5)]
        done = dict(pool.shared(timed_nap, items))
    finally:
        pool.close()
    assert sorted(done) == sorted(items)
    worker = sorted((began, ended) for pid, began, ended in done.values() if pid != os.getpid())
    assert len(worker) >= 5
    idle = [b[0] - a[1] for a, b in zip(worker, worker[1:])]
    assert max(idle) < 0.5, idle


def test_the_longest_re_solves_come_first():
    """The chain of alternatives is asked first and the loosened limits last (short ones fill the end)."""
    kinds: list[str] = []

    def progress(n, total, item):
        if n:
            kinds.append(type(item).__name__ if not isinstance(item, list) else "alternatives")

    explain(cm.load(ROOT / "scenarios" / "butik-kundresan.yaml"), alternatives=1, workers=1, progress=progress)
    assert kinds[0] == "alternatives" and "LimitValue" in kinds
    assert kinds[kinds.index("LimitValue"):] == ["LimitValue"] * (len(kinds) - kinds.index("LimitValue"))


def test_cli_progress_and_streamed_results_go_to_stderr_only(tmp_path):
    import json
    import subprocess

    path = tmp_path / "twins.json"
    path.write_text(json.dumps(scenario(budget=500, channels=[channel("a"), channel("b")],
                                        rules={"cardinality": {"max": 1}})), encoding="utf-8")
    command = [str(Path(sys.executable).with_name("channelmix")), "explain", str(path), "--only", "channels",
               "--progress", "--workers", "2", "--format", "json"]
    run = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    document = json.loads(run.stdout)  # stdout: the one JSON object, nothing else
    assert len(document["channels"]) == 2 and document["limits"] == [] and document["alternatives"] == []
    assert sum(line.startswith("• ") for line in run.stderr.splitlines()) == 2  # one line per finished re-solve


def test_solve_explain_takes_the_parallel_path(monkeypatch):
    """`solve --explain` explains as `explain` does by default: every core when the re-solves pay for it."""
    from click.testing import CliRunner

    from channelmix.analysis import explanation
    from channelmix.cli import main

    asked = []
    real = explanation.explain
    monkeypatch.setattr(explanation, "explain", lambda *a, **k: asked.append(k.get("workers")) or real(*a, **k))
    done = CliRunner().invoke(main, ["solve", str(ROOT / "scenarios" / "butik-kundresan.yaml"), "--explain",
                                     "--format", "json"])
    assert done.exit_code == 0, done.output
    assert asked == [0]
