"""Per-period value cuts for a plan over periods (issue 20), added to HiGHS's model when its search stalls.

Why: a plan over many periods is nearly a sum of single-period problems, and its LP relaxation
is loose in each period by that period's own integrality gap (an S-shaped curve read by its
chord, a fixed cost half paid).  Branch and bound closes such gaps one period at a time, so a
year of weeks never proves its optimum (20 channels × 52 weeks: 0.16 % at the root, 0.12 %
after 300 s).  A value cut bounds what one period can contribute, with what it takes from
other periods priced by the LP's duals (a Lagrangian cut):

    Σ_{j ∈ period t} g_j x_j + Σ_{k ∈ inputs of t} g_k x_k ≥ L_t

* the rows of period t (K_t): rows whose columns all belong to periods ≤ t, at least one to t,
  none to the horizon (``used_*``, ``budget_total``); other periods' columns in them are t's
  *inputs* (the adstock carried in, the on/off of the period before);
* g: the LP's reduced costs d of period t's columns plus what the rows of K_t charge them,
  g = d + A_Kᵀ π_K on period t's columns, g = A_Kᵀ π_K on its inputs — so the LP optimum is
  also optimal for the LP relaxation of period t's own problem under g;
* L_t: a proven lower bound of min g·x over the rows K_t with period t's integers integer and
  its inputs relaxed to their bounds (a small MILP of one period).

Every plan satisfies the cut (its period-t part and inputs satisfy K_t, so g·x ≥ the minimum
≥ L_t, for any g); the LP optimum breaks it by period t's integrality gap under these prices.
The cuts change no plan and no optimum, only the bound HiGHS can prove.  They are dense rows
(a period's every column), which slow each node's LP, so :mod:`channelmix.solve.solvers` adds
them only when HiGHS has searched ``STALL_NODES`` nodes without reaching the gap, and only if
they promise more than that search proved (memo horizon.md §3.4: before the search they made
13 weeks 5.8 → 7.4 s and the 52-month bakery 5.4 → 13.1 s CPU; after a stall they proved 20 × 52
optimal in 86 s CPU where HiGHS alone stays at 0.12 %).  Everything here is HiGHS's own
matrix, in its units: a cut is computed for the model it is added to, never stored.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ..core.sparse import Csr

MIN_PERIODS = 8  # shorter horizons are never cut: HiGHS closes them itself within a few nodes
STALL_NODES = 50  # the cuts come in when HiGHS has searched this many nodes without reaching the gap: where
# it closes the gaps itself it never gets here (20 × 13 at gap 1e-4 from the majority start: optimal after 41
# nodes, 4.6 s CPU; with 10 it stalled, was cut and took 15.5 s; the bakery over 52 months or weeks: at the root),
# and on 20 × 52 it never closes them (0.12 % after 1,337 nodes; 50 nodes, cuts, 15 more: optimal, memo §3.4)
SUB_GAP = 1e-6  # relative gap of each period's sub-MIP (its dual bound is what the cut uses)
SUB_SECONDS = 30.0  # at most, for one period's sub-MIP
INTEGRAL = 1e-6  # an LP value this close to a whole number counts as one
MARGIN = 1e-7  # each cut is relaxed by this share of |L_t| (and 1e-9 absolute): tolerances, not maths


@dataclass(frozen=True)
class Cutting:
    """What the solver needs to cut a horizon: the period of every column, by variable name
    (the ``_t{t}`` suffix every period's variable carries; the horizon's own are absent)."""

    periods: int
    blocks: dict[str, int]

    def column_periods(self, names: list[str]) -> np.ndarray:
        """Period of each column in this order, −1 for the horizon's own columns."""
        return np.array([self.blocks.get(name, -1) for name in names], dtype=np.int64)


def blocks_of(names: list[str]) -> dict[str, int]:
    """Variable name -> period index, read from the ``_t{t}`` suffix (``x_3_t12`` -> 12)."""
    out = {}
    for name in names:
        head, _, tail = name.rpartition("_t")
        if head and tail.isdigit():
            out[name] = int(tail)
    return out


@dataclass
class CutReport:
    """What the cuts did: how many were added, after how many nodes, the LP bound before them
    (HiGHS's minimising sense, its units), their total violation at the LP optimum, seconds."""

    added: int = 0
    nodes: int = 0
    lp_bound: float | None = None
    violation: float = 0.0
    seconds: float = 0.0


def add_value_cuts(highs: Any, period: np.ndarray, fresh: Callable[[], Any], *, threads: int = 1,
                   deadline: float | None = None, feasibility: float = 1e-9, searched: float | None = None,
                   nodes: int = 0) -> CutReport:
    """Add one value cut per period (where the LP optimum is fractional in it) to ``highs``.

    ``period[j]``: column j's period (−1: a horizon column); ``fresh()``: a new silent Highs for the
    LP and the sub-MIPs (every Highs of a process must ask for the same ``threads``); ``deadline``:
    a perf_counter instant after which no sub-MIP starts; ``searched``: the dual bound a search
    already proved — the cuts are added only if their total violation at the LP optimum (about what
    they can move the bound by) exceeds what the search moved it by (on 50 × 52 HiGHS's own cuts
    prove more, and the dense rows would only slow it)."""
    import highspy

    began = time.perf_counter()
    report = CutReport(nodes=nodes)
    lp = highs.getLp()
    R = _rows(lp)
    integer = np.zeros(lp.num_col_, dtype=bool)
    if len(lp.integrality_):
        integer = np.array([v == highspy.HighsVarType.kInteger for v in lp.integrality_], dtype=bool)
    relaxed = _relaxation(lp, fresh, threads)
    if relaxed is None:
        return report
    x, pi, d, report.lp_bound = relaxed
    owner = _row_periods(R, period)
    model = _Model(R, np.asarray(lp.col_lower_), np.asarray(lp.col_upper_), np.asarray(lp.row_lower_),
                   np.asarray(lp.row_upper_), integer, fresh, threads, feasibility, deadline)
    cuts = []
    for t in range(int(period.max()) + 1 if period.size else 0):
        if deadline is not None and time.perf_counter() > deadline:
            break
        cut = _period_cut(model, t, period, owner, x, pi, d)
        if cut is not None:
            cuts.append(cut)
            report.violation += cut[2] - float(cut[1] @ x[cut[0]])
    if searched is not None and np.isfinite(searched) and report.violation <= searched - report.lp_bound:
        cuts = []  # the search proved more than the cuts could add
    for index, value, bound in cuts:
        highs.addRow(bound, highspy.kHighsInf, len(index), index.astype(np.int32), value)
    report.added = len(cuts)
    report.seconds = time.perf_counter() - began
    return report


@dataclass(frozen=True)
class _Model:
    """The model's arrays and how to solve a period's sub-MIP."""

    R: Csr
    lower: np.ndarray
    upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    integer: np.ndarray
    fresh: Callable[[], Any]
    threads: int
    feasibility: float
    deadline: float | None


def _period_cut(model: _Model, t: int, period: np.ndarray, owner: np.ndarray, x: np.ndarray, pi: np.ndarray,
                d: np.ndarray) -> tuple[np.ndarray, np.ndarray, float] | None:
    """Period t's cut (columns, coefficients, right-hand side), or None when the LP optimum keeps it
    (integral in the period's own integers, or no violation) or its sub-MIP proved nothing."""
    kept = np.flatnonzero(owner == t)
    own = np.flatnonzero(period == t)
    mine = own[model.integer[own]]
    if kept.size == 0 or not np.any(np.abs(x[mine] - np.round(x[mine])) > INTEGRAL):
        return None  # the LP optimum is integral in this period: it solves the period's MILP too
    K = model.R.rows(kept)
    charged = K.rmatvec(pi[kept])  # what the rows of period t charge every column
    cols = np.union1d(own, np.unique(K.indices))
    g = charged[cols]
    is_own = period[cols] == t
    g[is_own] += d[cols[is_own]]
    bound = _period_bound(model, K.columns(cols), g, cols, model.integer[cols] & is_own, kept)
    if bound is None:
        return None
    bound -= MARGIN * max(1.0, abs(bound)) + 1e-9
    if bound <= float(g @ x[cols]) + 1e-9 * max(1.0, abs(bound)):
        return None  # the LP optimum keeps it: not worth a row
    nz = np.flatnonzero(g)
    return cols[nz], g[nz], bound


def _rows(lp: Any) -> Csr:
    """The model's matrix by rows, whichever way HiGHS stores it."""
    import highspy

    A = lp.a_matrix_
    m, n = lp.num_row_, lp.num_col_
    start, index, value = (np.asarray(A.start_, dtype=np.int64), np.asarray(A.index_, dtype=np.int64),
                           np.asarray(A.value_, dtype=float))
    outer = np.repeat(np.arange(len(start) - 1), np.diff(start))
    if A.format_ == highspy.MatrixFormat.kColwise:
        return Csr.from_entries(index, outer, value, (m, n))
    return Csr.from_entries(outer, index, value, (m, n))


def _row_periods(R: Csr, period: np.ndarray) -> np.ndarray:
    """The period each row belongs to: the latest of its columns', −1 when one is a horizon column (or none)."""
    out = np.full(R.shape[0], -1, dtype=np.int64)
    rows = np.flatnonzero(np.diff(R.indptr) > 0)
    if rows.size == 0:
        return out
    p = period[R.indices]
    starts = R.indptr[rows]
    latest, earliest = np.maximum.reduceat(p, starts), np.minimum.reduceat(p, starts)
    out[rows] = np.where(earliest < 0, -1, latest)
    return out


def _relaxation(lp: Any, fresh: Callable[[], Any], threads: int) -> tuple | None:
    """The LP relaxation's primal values, row duals, reduced costs and objective (None without an optimum)."""
    import highspy

    h = fresh()
    h.setOptionValue("threads", threads)
    lp.integrality_ = []
    h.passModel(lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    sol = h.getSolution()
    return (np.asarray(sol.col_value), np.asarray(sol.row_dual), np.asarray(sol.col_dual),
            h.getInfo().objective_function_value)


def _period_bound(model: _Model, K: Csr, g: np.ndarray, cols: np.ndarray, integer: np.ndarray,
                  kept: np.ndarray) -> float | None:
    """A proven lower bound of min g·x over one period's rows (None: nothing proven)."""
    import highspy

    h = model.fresh()
    left = SUB_SECONDS if model.deadline is None else max(model.deadline - time.perf_counter(), 0.01)
    for key, value in (("mip_rel_gap", SUB_GAP), ("threads", model.threads), ("random_seed", 0),
                       ("time_limit", min(left, SUB_SECONDS)), ("mip_feasibility_tolerance", model.feasibility),
                       ("primal_feasibility_tolerance", model.feasibility)):
        h.setOptionValue(key, value)
    n = len(g)
    h.addCols(n, g, model.lower[cols], model.upper[cols], 0, np.zeros(0, np.int32), np.zeros(0, np.int32),
              np.zeros(0))
    ints = np.flatnonzero(integer).astype(np.int32)
    if ints.size:
        h.changeColsIntegrality(ints.size, ints, np.full(ints.size, highspy.HighsVarType.kInteger))
    h.addRows(K.shape[0], model.row_lower[kept], model.row_upper[kept], K.nnz, K.indptr[:-1].astype(np.int32),
              K.indices.astype(np.int32), K.data)
    h.run()
    status = h.getModelStatus()
    S = highspy.HighsModelStatus
    if status in (S.kInfeasible, S.kUnboundedOrInfeasible, S.kUnbounded):
        return None
    info = h.getInfo()
    bound = info.objective_function_value if status == S.kOptimal and not ints.size else info.mip_dual_bound
    return float(bound) if np.isfinite(bound) else None
