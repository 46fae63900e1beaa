"""How long ``explain`` takes relative to one solve, on the shipped scenarios, serial and parallel.

    python benchmarks/bench_explain.py [--alternatives 3] [--workers 2] [--repeat 1] [scenarios/*.yaml]

One solve is the median of three runs of ``solve_scenario`` (tie-break included, as
``channelmix solve`` runs it); an explanation is the median of ``--repeat`` runs of
``explain`` with one process (``workers=1``: every re-solve here, one after another) and with
``--workers`` processes (this one included), side by side in one run.  Both start every
re-solve from the plan it perturbs.  Prints seconds and the ratios explain ÷ solve; not part
of the test suite.  The load average is printed: on a shared machine it says how many cores
the parallel run really had.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import channelmix as cm
from channelmix.analysis.explanation import explain

ROOT = Path(__file__).parents[1]


def timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--alternatives", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    paths = args.paths or sorted((ROOT / "scenarios").glob("*.yaml"))
    rows = []
    for path in paths:
        loaded = cm.load(path)
        solve_s, _ = timed(lambda loaded=loaded: cm.solve_scenario(loaded.scenario, loaded.warnings), 3)
        serial_s, e = timed(lambda loaded=loaded: explain(loaded, args.alternatives, workers=1), args.repeat)
        parallel_s, _ = timed(lambda loaded=loaded: explain(loaded, args.alternatives, workers=args.workers),
                              args.repeat)
        resolves = len(e.channels) + len(e.limits) + len(e.alternatives) + 1
        rows.append((loaded.scenario.scenario, len(loaded.scenario.channels), resolves, solve_s, serial_s, parallel_s))
        print(f"{path.name}: solve {solve_s:.2f} s, explain serial {serial_s:.2f} s, parallel {parallel_s:.2f} s "
              f"(load {os.getloadavg()[0]:.1f})", file=sys.stderr)
    print(f"{args.workers} workers on {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
    print("| scenario | channels | re-solves | solve s | explain serial s | ÷ solve | explain parallel s | ÷ solve | "
          "serial ÷ parallel |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, n, resolves, solve_s, serial_s, parallel_s in rows:
        print(f"| {name} | {n} | {resolves} | {solve_s:.2f} | {serial_s:.2f} | {serial_s / solve_s:.1f} | "
              f"{parallel_s:.2f} | {parallel_s / solve_s:.1f} | {serial_s / parallel_s:.2f} |")


if __name__ == "__main__":
    main()
