"""Robust solve time against the number of worlds, for each risk objective, beside bare HiGHS.

    python benchmarks/bench_worlds.py                  # 20 channels; 1, 10, 50, 200 worlds; mean, worst, cvar
    python benchmarks/bench_worlds.py --worlds 10 50 --risks cvar --time-limit 120

The scenario is bench_solve's deterministic synthetic one (saturating, hill — two of them
S-shaped —, linear, pwl and constant curves, rules of every kind), given ``worlds:
uncertainty`` spreads (affinity 0.2, response 0.15, seed 1) and ``objective.risk``.  Each
row is one solve through the whole pipeline (formulate, both passes, figures, verifier
world by world).  "bare" is the same model, written to MPS before channelmix solves it,
solved by highspy alone with the options channelmix gave HiGHS (first pass; "bare 2p"
adds the tie-break pass done in HiGHS), timing only ``run()``.  Prints one table.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_solve import Row, run_pipeline, run_raw, synthetic  # noqa: E402


def scenario(channels: int, count: int, risk: str, time_limit: float) -> dict:
    raw, _ = synthetic(channels, 1)
    raw["worlds"] = {"uncertainty": {"affinity": 0.2, "response": 0.15, "count": count, "seed": 1}}
    raw["objective"] = {**raw.get("objective", {}), "risk": risk}
    raw["solver"] = {**raw.get("solver", {}), "time_limit": time_limit}
    return raw


def measure(channels: int, count: int, risk: str, time_limit: float, workdir: Path) -> tuple[Row, dict]:
    raw = scenario(channels, count, risk, time_limit)
    row = Row(size=count)
    mps = workdir / f"worlds-{count}-{risk}.mps"
    stages = run_pipeline(raw, mps, row)  # the pipeline's one formulate builds the robust model too
    out = stages.out
    solution = stages.solution
    extra = {"gap": getattr(solution, "gap", None), "solver_seconds": getattr(solution, "solver_seconds", math.nan)}
    formulation = stages.formulation
    highs = getattr(formulation.problem, "solverModel", None)
    if highs is not None and hasattr(highs, "getOptions"):
        cost = {v.name: float(w) for v, w in formulation.parts["cost"].items()}
        run_raw(mps, highs.getOptions(), time_limit, cost, row)
    mps.unlink(missing_ok=True)
    row.two = out
    return row, extra


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=20)
    parser.add_argument("--worlds", type=int, nargs="+", default=[1, 10, 50, 200])
    parser.add_argument("--risks", nargs="+", default=["mean", "worst", "cvar"])
    parser.add_argument("--time-limit", type=float, default=300.0)
    args = parser.parse_args(argv)
    head = (f"{'risk':<6} {'worlds':>6} {'vars':>6} {'ints':>5} {'rows':>6} {'build s':>8} {'in HiGHS s':>10} "
            f"{'total s':>8} {'bare s':>7} {'bare 2p s':>9}  {'status':<8} {'gap':>7}  model risk figure")
    print(head)
    with tempfile.TemporaryDirectory() as tmp:
        for risk in args.risks:
            for count in args.worlds:
                row, extra = measure(args.channels, count, risk, args.time_limit, Path(tmp))
                p = row.two
                gap = "" if extra["gap"] is None else f"{extra['gap']:.2%}"
                figure = "" if p.model_objective is None else f"{p.model_objective:,.1f}"
                print(f"{risk:<6} {count:>6} {row.variables:>6} {row.integers:>5} {row.constraints:>6} {p.build:>8.2f} "
                      f"{extra['solver_seconds']:>10.2f} {p.total:>8.2f} {row.raw1:>7.2f} {row.raw2:>9.2f}  "
                      f"{p.status:<8} {gap:>7}  {figure}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
