"""Polish on the spend_step grid: payable units, best single-step moves (no pulp).

The continuous polish (:mod:`channelmix.solve.polish.single`) finds spends between the payable units;
rounding them alone can lose what the polish gained, or more.  Here the search stays on
the grid: from a start on it, repeatedly take the best move of one unit — add a unit to a
channel, or move one unit of money from one channel to another — while the objective on
the real curves improves and every linear rule, bound and hard target holds.  It starts
from the continuous polish's spends rounded to the nearest unit and down (within a unit
of the continuous optimum, so few moves are needed), or, when rounding breaks a rule
(a hard target met with no unit to spare), from the MILP's spends, which are on the grid
and feasible; it keeps the best end point.  The
search is bounded by a count of moves, not by seconds, so a busy machine cannot change
the plan; the caller re-checks the result with the evaluator and keeps the MILP's spends
unless it is better.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np


class GridProblem(Protocol):
    """What the search reads of a polish problem (one period's, or the horizon's)."""

    lo: np.ndarray  # bounds of the free spends, in money
    hi: np.ndarray

    @property
    def constraints(self) -> tuple[np.ndarray, np.ndarray]: ...  # G u ≤ h on u = s / hi

    @property
    def start_spends(self) -> np.ndarray: ...

    def objective(self, u: np.ndarray) -> tuple[float, np.ndarray]: ...

    def misses_target(self, s: np.ndarray) -> bool: ...


TOL = 1e-9
MAX_MOVES = 60  # per start: a rounded optimum is a few units from the grid's best


def grid_search(problem: GridProblem, steps: np.ndarray, starts: list[np.ndarray]) -> np.ndarray | None:
    """The best spends (free channels, in money) reached by unit moves from any feasible start.

    ``steps[j]`` is free channel j's payable unit (0: it keeps its start spend)."""
    kept = [s for s in starts if feasible(problem, s)] or [problem.start_spends]
    ends = [_climb(problem, steps, s) for s in kept]
    if not ends:
        return None
    return min(ends, key=lambda s: problem.objective(s / problem.hi)[0])


def on_grid(s: np.ndarray, steps: np.ndarray) -> list[np.ndarray]:
    """Each stepped spend rounded to its nearest unit, and rounded down (others unchanged)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return [np.where(steps > 0, rounding(s / steps + 1e-9) * steps, s) for rounding in (np.round, np.floor)]


def feasible(problem: GridProblem, s: np.ndarray) -> bool:
    """Whether spends (free channels, in money) keep their bounds, the linear rules and the hard targets."""
    lo, hi = problem.lo, problem.hi
    if np.any(s < lo - TOL * hi) or np.any(s > hi + TOL * hi):  # relative to each spend's range, in any currency
        return False
    G, h = problem.constraints
    if len(h) and np.any(G @ (s / hi) > h + 1e-9 * np.maximum(1.0, np.abs(h))):
        return False
    return not problem.misses_target(s)


def _climb(problem: GridProblem, steps: np.ndarray, s: np.ndarray) -> np.ndarray:
    value = problem.objective(s / problem.hi)[0]  # to minimise
    stepped = np.flatnonzero(steps > 0)
    for _ in range(MAX_MOVES):
        best, best_value = None, value - 1e-12 * max(1.0, abs(value))
        for candidate in _moves(s, steps, stepped):
            if not feasible(problem, candidate):
                continue
            v = problem.objective(candidate / problem.hi)[0]
            if v < best_value:
                best, best_value = candidate, v
        if best is None:
            break
        s, value = best, best_value
    return s


def _moves(s: np.ndarray, steps: np.ndarray, stepped: np.ndarray):
    """Every one-unit move: add a unit to one channel, or move a unit's worth from one to another."""
    for j in stepped:
        up = s.copy()
        up[j] += steps[j]
        yield up
    for i in stepped:
        for j in stepped:
            if i != j:
                moved = s.copy()
                moved[i] -= steps[i]
                moved[j] += steps[j]
                yield moved
