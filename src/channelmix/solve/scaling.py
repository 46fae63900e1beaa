"""The units the solver works in, whatever the currency (DESIGN §6: the unit of money changes nothing).

HiGHS ignores matrix entries below 1e-9 (``small_matrix_value``) and holds every row to an
absolute feasibility tolerance of 1e-9.  Written in the user's units, a scenario in rial or
rupiah puts curve slopes of 1e-10 reach per unit of money into its rows (ignored: the reach
row of a channel became ``y ≤ q·x`` with q < 0, so the channel could not run) and rows whose
terms are 1e9 (no float arithmetic holds them to 1e-9: HiGHS rejected the right plan for
"untransformed violations" of 1e-8 and called the scenario infeasible, or returned a worse
plan as optimal).  So the solver is never given the user's units:

* every continuous variable is counted in units of its own range (a spend in units of its
  cap, so it lies in [0, 1]); a variable without finite bounds (a total of spends, a risk
  figure, an elastic amount) in units of the largest term it balances in its rows;
  integers keep their unit;
* every row is divided by the geometric mean of its largest and smallest coefficient (after
  the variables' units): a row of like terms has its largest term 1, so the feasibility
  tolerance is relative to the row's size, and no coefficient falls below HiGHS's 1e-9;
* the objective is divided by its largest coefficient.

Every unit is a product of the scenario's own amounts, so multiplying all money by k leaves
the internal model the same up to rounding: same coefficients, same tolerances, same plan.
A :class:`Scaling` is made from the model's arrays at the hand-over to the solver
(:mod:`channelmix.solve.solvers`) and undone there when values, bounds and duals are read back.
No solver code here: plain numbers in, plain numbers out.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import numpy as np

ROUND_OFF = 1e-12  # a coefficient this small beside its row's largest is the formulation's round-off, not a term


@dataclass(frozen=True)
class Scaling:
    """Internal value of variable j = its value / ``columns[j]``; internal row i = row i ×
    ``rows[i]`` (in the variables' internal units); internal objective = objective / ``objective``."""

    columns: np.ndarray
    rows: np.ndarray
    objective: float

    def matrix(self, row_of: np.ndarray, col: np.ndarray, value: np.ndarray) -> np.ndarray:
        """Internal coefficients of the entries (row_of[e], col[e], value[e])."""
        return value * self.columns[col] * self.rows[row_of]

    def costs(self, cost: np.ndarray) -> np.ndarray:
        """Internal objective coefficients of user-unit costs (one per column)."""
        return cost * self.columns / self.objective


@dataclass(frozen=True)
class Model:
    """A linear model as arrays, in the user's units: what a :class:`Scaling` is made from."""

    lower: np.ndarray  # column bounds (±inf: none)
    upper: np.ndarray
    integer: np.ndarray  # bool per column
    starts: np.ndarray  # CSR rows: row i's entries are index/value[starts[i]:starts[i+1]]
    index: np.ndarray
    value: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    cost: np.ndarray


def identity(model: Model) -> Scaling:
    """No scaling: the solver sees the user's units (for tests of what the scaling prevents)."""
    return Scaling(np.ones(len(model.lower)), np.ones(len(model.starts)), 1.0)


def scale_free(model: Model) -> Scaling:
    """The units described in the module docstring."""
    n, m = len(model.lower), len(model.starts)
    ends = np.append(model.starts[1:], len(model.index)).astype(np.int64)
    row_of = np.repeat(np.arange(m), ends - model.starts)
    magnitude = np.fmax(np.abs(np.where(np.isfinite(model.lower), model.lower, np.nan)),
                        np.abs(np.where(np.isfinite(model.upper), model.upper, np.nan)))
    bounded = np.isfinite(model.lower) & np.isfinite(model.upper)
    columns = np.ones(n)
    by_range = ~model.integer & bounded & (magnitude > 0)
    columns[by_range] = magnitude[by_range]
    free = ~model.integer & ~bounded
    if free.any() and len(model.index):
        columns[free] = _balancing_units(model, row_of, columns, free)[free]
    rows = _row_units(model, row_of, columns)
    largest = float(np.max(np.abs(model.cost) * columns, initial=0.0))
    return Scaling(columns, rows, largest if largest > 0 else 1.0)


def _row_units(model: Model, row_of: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """1 / the geometric mean of each row's largest and smallest coefficient (in the columns'
    units): a row whose terms are alike gets its largest term 1, and one whose terms span many
    decades (a curve's knee far below its channel's cap) keeps its smallest above the 1e-9 HiGHS
    drops (dividing by the largest put a reach coefficient of 1e-9 beside a spend's 1).  Entries
    below ROUND_OFF of the row's largest are round-off and left out of the mean (HiGHS drops them)."""
    m = len(model.starts)
    if not len(model.index):
        return np.ones(m)
    a = np.abs(model.value) * columns[model.index]
    largest, smallest = np.zeros(m), np.full(m, np.inf)
    np.maximum.at(largest, row_of, a)
    meaningful = a >= ROUND_OFF * largest[row_of]  # below: round-off of the formulation (an intercept of 1e-17 for 0)
    np.minimum.at(smallest, row_of, np.where(meaningful & (a > 0), a, np.inf))
    size = np.sqrt(largest * np.where(np.isfinite(smallest), smallest, largest))
    return np.where(size > 0, 1.0 / np.where(size > 0, size, 1.0), 1.0)


def _balancing_units(model: Model, row_of: np.ndarray, columns: np.ndarray, free: np.ndarray) -> np.ndarray:
    """For a column without finite bounds: the largest amount it balances in any of its rows
    (the row's largest term of a bounded variable, or its right-hand side), over its coefficient."""
    m = len(model.starts)
    a = np.abs(model.value)
    term = np.where(free[model.index], 0.0, a * columns[model.index])
    known = np.zeros(m)
    np.maximum.at(known, row_of, term)
    rhs = np.fmax(np.abs(np.where(np.isfinite(model.row_lower), model.row_lower, np.nan)),
                  np.abs(np.where(np.isfinite(model.row_upper), model.row_upper, np.nan)))
    known = np.fmax(known, np.nan_to_num(rhs, nan=0.0))
    unit = np.zeros(len(columns))
    mine = free[model.index] & (a > 0)
    np.maximum.at(unit, model.index[mine], known[row_of[mine]] / a[mine])
    return np.where(unit > 0, unit, 1.0)


_POLICY: list[Callable[[Model], Scaling]] = [scale_free]


def choose(model: Model) -> Scaling:
    """The scaling the solvers apply to this model (:func:`scale_free` unless a test overrides it)."""
    return _POLICY[-1](model)


@contextmanager
def policy(make: Callable[[Model], Scaling]) -> Iterator[None]:
    """Solve with another scaling inside the block (e.g. :func:`identity`): a public hook for
    tests that show what a mis-scaled model does, and that the certificates catch it."""
    _POLICY.append(make)
    try:
        yield
    finally:
        _POLICY.remove(make)


def unit_rows(G: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Linear rows ``G u ≤ h`` (u in units of each variable's range) with each row divided by its
    largest coefficient: the polish's SLSQP then weighs a budget and a share rule alike, and
    its tolerances are relative, in any currency."""
    if not len(h):
        return G, h
    size = np.max(np.abs(G), axis=1)
    size = np.where(size > 0, size, np.where(np.abs(h) > 0, np.abs(h), 1.0))
    return G / size[:, None], h / size


def objective_scale(value: float, coefficients: np.ndarray) -> float:
    """What an objective's changes are measured against (a polish's scaled objective, its least
    worthwhile gain): its value, but at least a millionth of its largest coefficient (cell
    weight or outcome value), so that a value near 0 does not make round-off look like a gain
    and no fixed floor of 1 makes a small currency's gains look like round-off."""
    largest = float(np.max(np.abs(coefficients), initial=0.0))
    return max(abs(value), 1e-6 * largest) or 1.0
