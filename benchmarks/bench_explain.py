"""How long ``explain`` takes relative to one solve, on the shipped scenarios.

    python benchmarks/bench_explain.py [--alternatives 3] [--repeat 3] [scenarios/*.yaml]

One solve is the median of ``--repeat`` runs of ``solve_scenario`` (tie-break included,
as ``channelmix solve`` runs it); one explanation is the median of ``--repeat`` runs of
``cm.explain`` (which solves once, then re-solves once per channel, once per limit and
once per alternative). Prints a table of seconds and ratios; not part of the test suite.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import channelmix as cm

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
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    paths = args.paths or sorted((ROOT / "scenarios").glob("*.yaml"))
    rows = []
    for path in paths:
        loaded = cm.load(path)
        solve_s, plan = timed(lambda loaded=loaded: cm.solve_scenario(loaded.scenario, loaded.warnings), args.repeat)
        explain_s, e = timed(lambda loaded=loaded: cm.explain(loaded, alternatives=args.alternatives), args.repeat)
        resolves = len(e.channels) + len(e.limits) + len(e.alternatives) + 1
        rows.append((loaded.scenario.scenario, len(loaded.scenario.channels), resolves, solve_s, explain_s))
        print(f"{path.name}: solve {solve_s:.2f} s, explain {explain_s:.2f} s", file=sys.stderr)
    print(f"{'scenario':<20} {'channels':>8} {'re-solves':>9} {'solve s':>8} {'explain s':>9} {'ratio':>6} "
          f"{'per re-solve':>12}")
    for name, n, resolves, solve_s, explain_s in rows:
        print(f"{name:<20} {n:>8} {resolves:>9} {solve_s:>8.2f} {explain_s:>9.2f} {explain_s / solve_s:>6.1f} "
              f"{explain_s / resolves / solve_s:>12.2f}")


if __name__ == "__main__":
    main()
