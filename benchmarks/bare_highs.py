"""The bare HiGHS solve of a canonical covering MILP, through highspy alone (for the benchmarks)."""

from __future__ import annotations

import time

import numpy as np


def solve_covering(costs: np.ndarray, rows: list[list[int]], *, gap: float = 1e-4, time_limit: float = 300.0,
                   threads: int = 1) -> tuple[float, float]:
    """min costs·x s.t. Σ_{c in row} x_c ≥ 1, x binary; (seconds in run(), objective)."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    for key, value in (("mip_rel_gap", gap), ("time_limit", float(time_limit)), ("threads", threads),
                       ("random_seed", 0)):
        h.setOptionValue(key, value)
    n = len(costs)
    inf = highspy.kHighsInf
    h.addVars(n, np.zeros(n), np.ones(n))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.asarray(costs, dtype=float))
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * n))
    starts = np.cumsum([0] + [len(r) for r in rows[:-1]]).astype(np.int32)
    index = np.array([c for r in rows for c in r], dtype=np.int32)
    h.addRows(len(rows), np.ones(len(rows)), np.full(len(rows), inf), len(index), starts, index, np.ones(len(index)))
    t = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - t
    return seconds, h.getInfo().objective_function_value
