"""Robust solve time against the number of worlds, for each risk objective.

    python benchmarks/bench_worlds.py                  # 20 channels; 1, 10, 50, 200 worlds
    python benchmarks/bench_worlds.py --worlds 1 10 50 --channels 20 --time-limit 120

The scenario is bench_solve's deterministic synthetic one (saturating, hill, linear,
pwl and constant curves, rules of every kind), given ``worlds: uncertainty`` spreads
(affinity 0.2, response 0.15, seed 1) and ``objective.risk``.  Each row is one solve
through the whole pipeline (formulate, both passes, figures, verifier world by
world); the ratio is against the 1-world solve of the same risk.  Prints one table.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_solve import synthetic  # noqa: E402

from channelmix.api import solve_scenario  # noqa: E402
from channelmix.schema import validate  # noqa: E402


def run(channels: int, count: int, risk: str, time_limit: float) -> tuple[float, str, float | None]:
    raw, _ = synthetic(channels, 1)
    raw["worlds"] = {"uncertainty": {"affinity": 0.2, "response": 0.15, "count": count, "seed": 1}}
    raw["objective"] = {**raw.get("objective", {}), "risk": risk}
    raw["solver"] = {**raw.get("solver", {}), "time_limit": time_limit}
    scenario = validate(raw).scenario
    began = time.perf_counter()
    plan = solve_scenario(scenario)
    return time.perf_counter() - began, plan.status, plan.risk[risk] if plan.risk else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=20)
    parser.add_argument("--worlds", type=int, nargs="+", default=[1, 10, 50, 200])
    parser.add_argument("--risks", nargs="+", default=["mean", "worst", "cvar"])
    parser.add_argument("--time-limit", type=float, default=300.0)
    args = parser.parse_args(argv)
    counts = sorted(set([1, *args.worlds]))
    print(f"{'risk':<6} {'worlds':>6} {'seconds':>9} {'× 1 world':>9}  {'status':<8} risk figure")
    for risk in args.risks:
        first = None
        for count in counts:
            seconds, status, figure = run(args.channels, count, risk, args.time_limit)
            first = seconds if first is None else first
            shown = "" if figure is None else f"{figure:,.1f}"
            print(f"{risk:<6} {count:>6} {seconds:>9.2f} {seconds / first:>9.1f}  {status:<8} {shown}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
