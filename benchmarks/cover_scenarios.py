"""Set-covering scenarios for the benchmarks: constant responses, fixed costs, hard breadth 1, min_cost.

``covering(n, cells, seed)`` returns a scenario dict with ``n`` channels over ``cells``
(phase, segment) cells (5 phases × cells/5 segments).  Each channel serves a run of
2–8 consecutive cells (segment-major: neighbouring phases of a segment, then the next
segment) with affinity 0.1–0.6 and costs a fixed fee of 100–1,000; every cell is served
by at least two channels.  Runs of consecutive cells keep the covering LP close to
integral, so the bare solve is quick and the comparison measures our overhead (random
cell sets make set covering NP-hard in earnest: minutes for HiGHS alone).  The canonical model is the covering MILP
``min Σ f_c x_c  s.t.  Σ_{c serves k} x_c ≥ 1 for every cell k, x binary``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

PHASES = ["awareness", "evaluation", "purchase", "delivery", "after_sales"]


def covering(n: int, cells: int, seed: int = 1) -> dict[str, Any]:
    rng = np.random.default_rng([seed, n, cells])
    n_seg = max(1, cells // len(PHASES))
    segments = [f"g{j:03d}" for j in range(n_seg)]
    k_total = len(PHASES) * n_seg
    served: list[dict[int, float]] = []
    for _ in range(n):
        length = int(rng.integers(2, 9))
        first = int(rng.integers(0, k_total - length + 1))
        order = range(first, first + length)  # segment-major position -> (phase, segment) cell index
        served.append(
            {(j % len(PHASES)) * n_seg + j // len(PHASES): round(float(rng.uniform(0.1, 0.6)), 3) for j in order})
    for k in range(k_total):  # every cell served by at least two channels
        have = [i for i in range(n) if k in served[i]]
        for i in rng.choice(n, size=max(0, 2 - len(have)), replace=False):
            served[int(i)][k] = 0.3
    channels = []
    for i in range(n):
        affinity: dict[str, dict[str, float]] = {}
        for k, a in sorted(served[i].items()):
            affinity.setdefault(PHASES[k // n_seg], {})[segments[k % n_seg]] = a
        channels.append({"id": f"c{i:05d}", "fixed_cost": round(float(rng.uniform(100, 1000)), 2),
                         "response": {"type": "constant", "value": round(float(rng.uniform(0.2, 0.9)), 3)},
                         "affinity": affinity})
    return {
        "scenario": f"cover-{n}x{k_total}",
        "currency": "EUR",
        "phases": PHASES,
        "segments": segments,
        "channels": channels,
        "rules": {"breadth": {"min_channels": 1, "threshold": 0.05, "hard": True}},
        "objective": {"sense": "min_cost"},
        "solver": {"time_limit": 300, "gap": 1e-4},
    }


def canonical(raw: dict[str, Any]) -> tuple[np.ndarray, list[list[int]]]:
    """(fixed costs, for each cell the channels that serve it) of a covering scenario."""
    phases, segments = raw["phases"], raw["segments"]
    index = {(p, g): k for k, (p, g) in enumerate((p, g) for p in phases for g in segments)}
    rows: list[list[int]] = [[] for _ in index]
    for i, ch in enumerate(raw["channels"]):
        for p, row in ch["affinity"].items():
            for g, a in row.items():
                if a >= 0.05:
                    rows[index[(p, g)]].append(i)
    return np.array([c["fixed_cost"] for c in raw["channels"]]), rows
