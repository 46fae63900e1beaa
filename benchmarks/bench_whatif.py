"""What-if benchmarks, measured in one run: batch throughput serial vs parallel, and
what warm starts save in a sweep.

    python benchmarks/bench_whatif.py [--scenarios 1000] [--channels 12] [--sweep-channels 40] [--steps 20]

Not part of the test suite (it takes a minute or two).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

import channelmix as cm


def synthetic(n_channels: int, seed: int, budget_share: float = 0.35) -> dict:
    """A small realistic scenario: saturating and S-shaped curves, fixed costs, hours, rules."""
    rng = np.random.default_rng(seed)
    channels = []
    for i in range(n_channels):
        kind = rng.choice(["saturating", "hill", "linear", "constant"], p=[0.55, 0.25, 0.1, 0.1])
        cap = float(rng.integers(5, 40) * 100)
        response = {"saturating": {"type": "saturating", "scale": round(cap * rng.uniform(0.2, 0.8), 1)},
                    "hill": {"type": "hill", "half": round(cap * rng.uniform(0.2, 0.6), 1),
                             "shape": round(rng.uniform(1.5, 3.5), 2)},
                    "linear": {"type": "linear", "slope": round(1.0 / (cap * rng.uniform(0.8, 2.0)), 7)},
                    "constant": {"type": "constant", "value": round(rng.uniform(0.2, 0.7), 2)}}[kind]
        affinity = {p: {g: round(float(rng.uniform(0.05, 0.9)), 2) for g in ("a", "b", "c") if rng.random() < 0.6}
                    for p in ("awareness", "evaluation", "purchase", "delivery", "after_sales") if rng.random() < 0.5}
        channels.append(
            {"id": f"c{i}", "fixed_cost": float(rng.choice([0, 0, 100, 300])), "max_spend": 0.0 if kind == "constant"
             else cap, "min_spend": 0.0 if kind == "constant" else float(rng.choice([0, 0, 100])),
             "uses": {"hours": {"fixed": float(rng.integers(1, 6)), "per_unit": 0.001}},
             "medium": str(rng.choice(["digital", "physical"])), "response": response, "affinity": affinity})
    total = sum(c["max_spend"] + c["fixed_cost"] for c in channels)
    return {
        "scenario": f"synthetic-{seed}", "phases": "osterwalder",
        "segments": [{"id": "a", "size": 1000}, {"id": "b", "size": 600}, {"id": "c", "size": 300}],
        "budget": round(total * budget_share), "resources": {"hours": 6.0 * n_channels},
        "channels": channels,
        "rules": {"coverage": {"target": 0.2, "hard": False, "penalty": 500}, "concentration": {"max_share": 0.5},
                  "cardinality": {"max": max(2, n_channels // 2), "penalty_per_channel": 20}},
    }


def batch_throughput(count: int, n_channels: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        for seed in range(count):
            (folder / f"s{seed:04d}.yaml").write_text(yaml.safe_dump(synthetic(n_channels, seed)), encoding="utf-8")
        began = time.perf_counter()
        serial = cm.solve_paths([folder], Path(tmp) / "serial", executor="serial")
        serial_s = time.perf_counter() - began
        # the parallel run goes through the CLI, with its progress bar (on stderr)
        began = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "channelmix.cli", "batch", str(folder), "--out",
             str(Path(tmp) / "parallel"), "--workers", str(os.cpu_count() or 1), "--format", "json"],
            stdout=subprocess.DEVNULL, check=False)
        parallel_s = time.perf_counter() - began
        import pandas as pd

        parallel = pd.read_csv(Path(tmp) / "parallel" / "summary.csv")
        same = bool((serial.sort_values("scenario")["objective"].to_numpy().round(6)
                     == parallel.sort_values("scenario")["objective"].to_numpy().round(6)).all())
        solved = int(serial["status"].isin(["optimal", "feasible"]).sum())
        print(f"batch of {count} scenarios ({n_channels} channels each; {solved} solved)")
        print(f"  serial   : {serial_s:7.2f} s  {count / serial_s:6.1f} scenarios/s")
        print(f"  parallel : {parallel_s:7.2f} s  {count / parallel_s:6.1f} scenarios/s  on {os.cpu_count()} cores "
              f"(CLI, incl. start-up)  speed-up ×{serial_s / parallel_s:.2f}; same objectives: {same}")


def warm_sweep(n_channels: int, steps: int) -> None:
    loaded = cm.validate(synthetic(n_channels, seed=7, budget_share=0.2), "sweep")
    budget = loaded.scenario.budget
    values = [round(budget * (0.4 + 1.2 * i / (steps - 1))) for i in range(steps)]
    cold = cm.sweep(loaded, {"budget": values}, warm_start=False)
    warm = cm.sweep(loaded, {"budget": values}, warm_start=True)
    same = all(abs(a.objective - b.objective) <= 1e-4 * max(1.0, abs(a.objective))
               for a, b in zip(cold.plans, warm.plans))
    print(f"sweep of {steps} budget steps, {n_channels} channels")
    print(f"  cold: {cold.seconds:6.2f} s   warm-started: {warm.seconds:6.2f} s   saved "
          f"{1 - warm.seconds / cold.seconds:6.1%}" f"   same optima (within the 1e-4 gap): {same}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=1000)
    parser.add_argument("--channels", type=int, default=12)
    parser.add_argument("--sweep-channels", type=int, default=40)
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    warm_sweep(args.sweep_channels, args.steps)
    batch_throughput(args.scenarios, args.channels)


if __name__ == "__main__":
    main()
