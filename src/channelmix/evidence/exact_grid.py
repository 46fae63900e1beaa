"""A piecewise-linear curve through exact points of a curve known only as a function.

Meridian's window response (a sum over weeks of Hill curves of different arguments) and the
mean over posterior draws of Hill curves are no curve type of the scenario format, but they
can be computed exactly at any spend.  This places points where the straight line between
two neighbours strays from the curve: an interval is halved while its midpoint lies more
than ``tolerance`` × the curve's largest value off the chord.  Every point is exact; between
points the line is below a concave curve, by at most the stated gap (measured at every
final interval's midpoint).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

START = 16  # evenly spaced intervals to begin with
MAX_POINTS = 2000  # per curve: the 4,000-piece cap of built curves, halved (the worlds share the grid)


@dataclass(frozen=True)
class Grid:
    spends: np.ndarray
    values: np.ndarray  # the curve at ``spends``
    gap: float  # largest midpoint gap between the chords and the curve, relative to the curve's largest value
    capped: bool  # MAX_POINTS reached before the tolerance


def exact_grid(curve: Callable[[np.ndarray], np.ndarray], top: float, tolerance: float,
               include: np.ndarray | None = None) -> Grid:
    """Points of ``curve`` (an array of spends → the curve's values) on [0, top], with the
    spends in ``include`` among them."""
    extra = np.asarray(include if include is not None else [], dtype=float)
    spends = _written(np.concatenate([np.linspace(0.0, top, START + 1), extra[(extra >= 0) & (extra <= top)]]))
    values = np.asarray(curve(spends), dtype=float)
    scale = max(float(np.max(np.abs(values))), 1e-300)
    while True:
        mids = _written((spends[:-1] + spends[1:]) / 2.0)
        if len(mids) != len(spends) - 1 or np.isin(mids, spends).any():  # neighbours as close as a file writes them
            return Grid(spends, values, float("nan"), True)
        at_mid = np.asarray(curve(mids), dtype=float)
        off = np.abs(at_mid - (values[:-1] + values[1:]) / 2.0) / scale
        split = off > tolerance
        capped = bool(split.any()) and len(spends) + int(split.sum()) > MAX_POINTS
        if not split.any() or capped:
            return Grid(spends, values, float(off.max(initial=0.0)), capped)
        spends = np.concatenate([spends, mids[split]])
        values = np.concatenate([values, at_mid[split]])
        order = np.argsort(spends, kind="stable")
        spends, values = spends[order], values[order]


def _written(spends: np.ndarray) -> np.ndarray:
    """Spends as the scenario file writes them (12 significant digits), distinct and rising."""
    return np.unique(np.array([float(f"{x:.12g}") for x in spends]))
