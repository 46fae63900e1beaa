"""Benchmark: channelmix end to end (the CLI, in a subprocess) against bare HiGHS, at scale.

Run from the repository root::

    python benchmarks/bench_scale.py                 # every part
    python benchmarks/bench_scale.py --parts a,d     # set covering and the Hill allocations

Parts (all measured in one run, on the same machine):

a. set covering: 1,000–4,000 channels with constant responses and fixed costs, 200–500
   cells, hard breadth 1, min_cost.  Bare: highspy on the canonical covering MILP
   ``min f·x, Σ_{c serves k} x_c ≥ 1`` (benchmarks/bare_highs.py).
b. the synthetic catalogues of bench_solve.py (200–5,000 channels).  Bare: highspy on
   the MPS of channelmix's own first-pass model, same options.
c. 5,000 channels × 50 segments × 5 phases to a 1 % gap: end-to-end seconds and the
   CLI's peak RSS (target ≤ 60 s, < 1 GB).  Bare as in b.
d. Hill allocations (5–30 channels, S-shaped curves, budget only): channelmix's objective
   over SLSQP's best of 20 random starts and the equal split, on the exact curves.

"end-to-end" is the wall time of ``channelmix solve FILE --format json`` including
Python start-up and imports; scenario files are JSON (the YAML loader is timed elsewhere).
Target for a–c: end-to-end ≤ 1.5 × bare + 1 s.  The machine may be shared: compare
ratios within a row.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(1, str(Path(__file__).parent.parent / "tests"))  # helpers.hill_instance: the tests' Hill allocations

from bare_highs import solve_covering  # noqa: E402
from cover_scenarios import canonical, covering  # noqa: E402
from helpers import hill_instance  # noqa: E402

CLI = Path(sys.executable).with_name("channelmix")
# as an installed package runs: from byte-code (pip compiles at install); with PYTHONDONTWRITEBYTECODE set,
# every run of an editable install would compile channelmix's modules again (about 0.1 s)
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def warm_up() -> None:
    """One untimed start, so that the byte-code is written before anything is timed."""
    subprocess.run([str(CLI), "--version"], capture_output=True, env=ENV)


def run_cli(path: Path) -> tuple[float, dict[str, Any], float]:
    """(wall seconds, the plan's JSON, peak RSS of the child in MB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    done = subprocess.run([str(CLI), "solve", str(path), "--format", "json"], capture_output=True, text=True, env=ENV)
    seconds = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    plan = json.loads(lines[-1]) if lines else {"status": f"exit {done.returncode}: {done.stderr[-200:]}"}
    return seconds, plan, max(rss, before) / 1024.0


def bare_of_model(raw: dict[str, Any], workdir: Path) -> float:
    """highspy run() seconds on the MPS of channelmix's first-pass model of ``raw``."""
    import highspy

    from channelmix.formulate import formulate
    from channelmix.schema import validate

    sc = validate(raw).scenario
    mps = workdir / "model.mps"
    problem = formulate(sc).problem
    # with_objsense: without it PuLP writes the sense as a comment only, HiGHS reads a
    # maximisation as a minimisation and times another (much easier) problem
    problem.writeMPS(str(mps), with_objsense=True)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(str(mps))
    maximise = h.getLp().sense_ == highspy.ObjSense.kMaximize
    assert maximise == (problem.sense == -1), "the bare model must have channelmix's objective sense"
    for key, value in (("mip_rel_gap", sc.solver.gap), ("time_limit", sc.solver.time_limit), ("threads", 1),
                       ("random_seed", 0), ("mip_feasibility_tolerance", 1e-9), ("primal_feasibility_tolerance", 1e-9)):
        h.setOptionValue(key, value)
    t = time.perf_counter()
    h.run()
    return time.perf_counter() - t


def row(name: str, seconds: float, plan: dict[str, Any], bare: float, rss: float | None = None) -> list[str]:
    target = 1.5 * bare + 1.0
    return [name, f"{seconds:.2f}", f"{bare:.2f}", f"{seconds / bare:.1f}x" if bare > 0 else "-", f"{target:.2f}",
            "yes" if seconds <= target else "NO", f"{plan.get('solver_seconds', 0):.2f}",
            f"{plan.get('outside_solver_seconds', 0):.2f}", str(plan.get("status")),
            "-" if rss is None else f"{rss:.0f}"]


HEAD = ["case", "end-to-end s", "bare s", "ratio", "target s", "met", "in solver s", "outside s", "status", "peak MB"]


def table(rows: list[list[str]], head: list[str] = HEAD) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
    out = ["| " + " | ".join(h.ljust(w) for h, w in zip(head, widths)) + " |", "|"
           + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += ["| " + " | ".join(c.rjust(w) for c, w in zip(r, widths)) + " |" for r in rows]
    return "\n".join(out)


def part_a(workdir: Path) -> list[list[str]]:
    rows = []
    for n, cells in ((1000, 200), (2000, 300), (4000, 500)):
        raw = covering(n, cells)
        path = workdir / f"cover-{n}.json"
        path.write_text(json.dumps(raw))
        seconds, plan, _ = run_cli(path)
        costs, served = canonical(raw)
        bare, objective = solve_covering(costs, served, gap=1e-4, time_limit=300)
        if plan.get("objective") is not None and abs(plan["objective"] - objective) > 1e-4 * abs(objective) + 1e-6:
            print(f"  cover {n}: objective {plan['objective']} vs bare {objective}", file=sys.stderr)
        rows.append(row(f"cover {n} ch × {cells} cells", seconds, plan, bare))
        print(f"  a: cover {n} done", file=sys.stderr, flush=True)
    return rows


def part_b(workdir: Path, sizes: list[int]) -> list[list[str]]:
    import bench_solve

    rows = []
    for n in sizes:
        raw, _ = bench_solve.synthetic(n, 1)
        path = workdir / f"synthetic-{n}.json"
        path.write_text(json.dumps(raw))
        seconds, plan, _ = run_cli(path)
        rows.append(row(f"synthetic {n}", seconds, plan, bare_of_model(raw, workdir)))
        print(f"  b: synthetic {n} done", file=sys.stderr, flush=True)
    return rows


def big(n: int = 5000, n_seg: int = 50, seed: int = 1) -> dict[str, Any]:
    """bench_solve's synthetic catalogue of n channels spread over n_seg segments, gap 1 %."""
    import bench_solve

    raw, _ = bench_solve.synthetic(n, seed)
    rng = np.random.default_rng([seed, n, n_seg])
    segments = [f"s{j:02d}" for j in range(n_seg)]
    raw["segments"] = [
        {"id": g, "size": float(rng.integers(1_000, 40_000)), "weight": float(rng.choice([0.8, 1.0, 1.2, 3.0]))}
        for g in segments]
    for i, ch in enumerate(raw["channels"]):
        if i % 10 == 0:
            continue  # generalists keep their wildcard rows
        affinity = {}
        for p in rng.choice(bench_solve.PHASES, size=int(rng.integers(1, 4)), replace=False):
            chosen = rng.choice(segments, size=int(rng.integers(1, 8)), replace=False)
            affinity[str(p)] = {str(g): round(float(rng.uniform(0.05, 0.4)), 3) for g in chosen}
        ch["affinity"] = affinity
    raw["scenario"] = f"synthetic-{n}x{n_seg}x5"
    raw["solver"].update(gap=0.01, time_limit=120)
    return raw


def part_c(workdir: Path) -> list[list[str]]:
    raw = big()
    path = workdir / "big.json"
    path.write_text(json.dumps(raw))
    seconds, plan, rss = run_cli(path)
    print("  c: pipeline done", file=sys.stderr, flush=True)
    return [row("5000 ch × 50 seg × 5 ph, gap 1 %", seconds, plan, bare_of_model(raw, workdir), rss)]


def slsqp_best(raw: dict[str, Any], starts: int = 20) -> float:
    from scipy.optimize import minimize

    half = np.array([c["response"]["half"] for c in raw["channels"]])
    shape = np.array([c["response"]["shape"] for c in raw["channels"]])
    w = np.array([g["size"] * g["weight"] for g in raw["segments"]])
    budget, n = raw["budget"], len(half)

    def negative(s):
        s = np.maximum(s, 1e-12)
        f = 1.0 / (1.0 + (half / s) ** shape)
        grad = w * shape * f * (1 - f) / s
        return -float(w @ f), -grad

    rng = np.random.default_rng(0)
    best = -np.inf
    for x0 in [np.full(n, budget / n)] + [rng.dirichlet(np.ones(n)) * budget for _ in range(starts)]:
        res = minimize(negative, x0, jac=True, method="SLSQP", bounds=[(0, budget)] * n,
                       constraints=[{"type": "ineq", "fun": lambda s: budget - s.sum(), "jac": lambda s: -np.ones(n)}],
                       options={"maxiter": 500})
        s = np.clip(res.x, 0, budget)
        if s.sum() <= budget * (1 + 1e-9):
            best = max(best, -negative(s)[0])
    return best


def part_d(count: int) -> tuple[list[list[str]], str]:
    from channelmix.schema import validate
    from channelmix.solve.pipeline import solve_scenario

    ratios, seconds = [], []
    for k in range(count):
        n = 5 + (k * 25) // max(count - 1, 1)
        raw = hill_instance(n, k)
        t = time.perf_counter()
        plan = solve_scenario(validate(raw).scenario)
        seconds.append(time.perf_counter() - t)
        ratios.append(plan.objective / slsqp_best(raw))
    r = np.array(ratios)
    rows = [[f"{count} Hill instances, 5–30 ch", f"{r.min():.6f}", f"{np.median(r):.6f}", f"{r.max():.6f}",
             str(int((r < 1 - 1e-7).sum())), f"{np.median(seconds):.2f}", f"{max(seconds):.2f}"]]
    head = ["case", "min ratio", "median ratio", "max ratio", "instances below SLSQP", "median s", "max s"]
    return rows, table(rows, head)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", default="a,b,c,d")
    parser.add_argument("--sizes", default="200,1000,5000", help="part b: synthetic catalogue sizes")
    parser.add_argument("--hill", type=int, default=120, help="part d: number of Hill instances")
    args = parser.parse_args(argv)
    parts = set(args.parts.split(","))
    rows: list[list[str]] = []
    with tempfile.TemporaryDirectory(prefix="channelmix-scale-") as tmp:
        work = Path(tmp)
        warm_up()
        if "a" in parts:
            rows += part_a(work)
        if "b" in parts:
            rows += part_b(work, [int(s) for s in args.sizes.split(",")])
        if "c" in parts:
            rows += part_c(work)
    if rows:
        print(table(rows))
    if "d" in parts:
        print()
        print(part_d(args.hill)[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
