"""Polish the neighbouring on/off sets: one channel switched off, on, or one for another (no pulp).

The MILP picks its on/off set on piecewise-linear pieces of the curves; on S-shaped
curves the set whose polished spends are best on the exact curves can be a neighbour
that the pieces rank a hair lower (seen on 2 of 67 Hill allocations: 5e-5 short of
SLSQP's best start, which ran another channel in place of one the MILP chose).

From the polished point every neighbour is ranked by a first-order estimate — what a
channel's reach is worth at the cells' current marginal weights, less its money at the
marginal value of money.  Only neighbours that move little money (:data:`MOVED`) and are
estimated close to the plan or better (:data:`CLOSE`) are kept, and only the :data:`TRIED`
best of those are polished on the exact curves.  The caller keeps a neighbour only if the
evaluator finds it better and free of violations.  Bounded by counts (channels, neighbours
tried), never by seconds, so a busy machine cannot change the plan.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...model.arrays import KINK
from .problem import SpendProblem

# spend-dependent channels; past this the neighbours are not searched (cost, and the pieces are finer)
MAX_CHANNELS = 60
TRIED = 4  # neighbours polished on the exact curves, best estimates first
GRID = 65  # spends tried for a channel switched on (its best one on the estimate)
MOVED = 0.25  # a neighbour moves at most this share of the plan's money (the estimate is first-order)
CLOSE = 1e-3  # and is estimated at most this much worse, relative to the objective


@dataclass(frozen=True)
class Neighbour:
    on: dict[str, bool]
    spend: dict[str, float]  # a start for the polish
    estimate: float  # first-order change of the objective (ranking only)


def neighbours(problem: SpendProblem, spend: np.ndarray) -> list[Neighbour]:
    """The :data:`TRIED` most promising neighbouring on/off sets of the polished point ``spend``
    (money per channel, file order), best first; ties broken by channel order."""
    A = problem.A
    flippable = A.spend_dependent & ~A.force_on & ~A.force_off & (problem.caps > 0)
    # saturating, Hill and PyMC-Marketing curves: the MILP sees their pieces, not them
    pieced = np.isin(A.curves.kind, (2, 3, 5))
    if int(flippable.sum()) > MAX_CHANNELS or not (flippable & pieced).any():
        return []  # too many, or every curve exact: the MILP's set is then the best one (to its gap)
    value, money_value, net = _marginals(problem, spend)
    is_on = problem.is_on
    reach = A.curves.reach(spend)
    kept = value * reach - (money_value + net) * spend - money_value * A.fixed  # what each on channel adds
    best_x, added = _best_spends(problem, value, money_value, net)  # what each off channel could add
    ons = [int(c) for c in np.flatnonzero(is_on & flippable)]
    offs = [int(c) for c in np.flatnonzero(~is_on & flippable & (A.curves.reach(best_x) > 0))]  # on at no reach: idle
    money = np.where(is_on, spend + A.fixed, 0.0)
    spent = best_x + A.fixed
    # a first-order estimate holds for small moves of money: a big channel switched off (its money spread over
    # the rest), or one switched on at a big spend, is no near tie the pieces could have mis-ranked
    most = MOVED * float(money.sum())
    floor = -CLOSE * problem.scale
    candidates = [(-kept[i], i, -1, money[i]) for i in ons] + [(added[j], -1, j, spent[j]) for j in offs]
    candidates += [(added[j] - kept[i], i, j, abs(money[i] - spent[j])) for i in ons for j in offs]
    moves = sorted(((e, i, j) for e, i, j, moved in candidates if moved <= most and e >= floor),
                   key=lambda m: (-m[0], m[1], m[2]))
    out = []
    for estimate, i, j in moves[:TRIED]:
        on = {cid: bool(is_on[c]) for c, cid in enumerate(A.ids)}
        start = spend.copy()
        if i >= 0:
            on[A.ids[i]], start[i] = False, 0.0
        if j >= 0:
            on[A.ids[j]], start[j] = True, best_x[j]
            _fit_budget(problem, start, j, on)
        out.append(
            Neighbour(on, {cid: float(start[c]) if on[cid] else 0.0 for c, cid in enumerate(A.ids)}, float(estimate)))
    return out


def _marginals(problem: SpendProblem, spend: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Each channel's objective per unit of reach at the cells' present levels (linearised),
    the marginal value of money (median over the interior free channels), and the money's own
    price in the objective (1 when the objective nets spend out, else 0)."""
    sc, A = problem.sc, problem.A
    raw = A.affinity @ np.where(problem.is_on, A.curves.reach(spend), 0.0)
    outcome = sc.objective.sense == "max_outcome"
    d_level = np.zeros_like(A.weight) if outcome else A.weight * (raw < 1.0 - KINK)
    value = A.affinity.rmatvec(d_level) + (A.outcome_value if outcome else 0.0)
    net = 1.0 if sc.objective.sense == "max_value" or (outcome and sc.objective.net) else 0.0
    free = problem.free
    s = spend[free]
    interior = (s > problem.lo * (1 + 1e-6) + 1e-9 * problem.hi) & (s < problem.hi * (1 - 1e-6))
    slopes = value[free] * A.curves.slope(spend)[free] - net
    money_value = float(np.median(slopes[interior])) if interior.any() else 0.0
    return value, max(money_value, 0.0), net


def _best_spends(problem: SpendProblem, value: np.ndarray, money_value: float,
                 net: float) -> tuple[np.ndarray, np.ndarray]:
    """For every channel, the spend on a grid over [floor, cap] that adds most on the estimate, and what it adds."""
    A = problem.A
    lo, hi = problem.floors, problem.caps
    t = np.linspace(0.0, 1.0, GRID)
    grid = lo[:, None] + (hi - lo)[:, None] * t[None, :]  # channels × GRID
    reach = np.column_stack([A.curves.reach(grid[:, k]) for k in range(GRID)])
    gain = value[:, None] * reach - (money_value + net) * grid - money_value * A.fixed[:, None]
    k = np.argmax(gain, axis=1)
    rows = np.arange(len(A.ids))
    return grid[rows, k], gain[rows, k]


def _fit_budget(problem: SpendProblem, start: np.ndarray, j: int, on: dict[str, bool]) -> None:
    """Scale the other on channels' spends down (not below their floors) so the budget holds at the start."""
    sc, A = problem.sc, problem.A
    if sc.budget is None:
        return
    is_on = np.array([on[cid] for cid in A.ids])
    money = float(np.sum(np.where(is_on, start + A.fixed, 0.0)))
    others = is_on & (np.arange(len(A.ids)) != j)
    room = np.where(others, np.maximum(start - problem.floors, 0.0), 0.0)
    over = money - sc.budget
    if over > 0 and room.sum() > 0:
        start -= room * min(1.0, over / room.sum())
