"""Fewer pieces for a long pwl curve: an under-estimate within a stated error (no solver here).

A pwl curve is modelled exactly, a piece per pair of points. A curve table of 20,000 points
(an MMM's response sampled finely) then gave the MILP 20,000 pieces — and, where the curve is
S-shaped, as many binaries — so its scenario could not be solved in a minute. Past
:data:`MAX_PWL_PIECES` pieces the MILP gets, as for the smooth curves, a piecewise-linear
``g`` with

* ``g ≤ f`` everywhere on [0, cap] and ``g(0) = f(0) = 0`` (what the model promises, the
  curve delivers: hard targets stay met);
* ``f − g ≤ tol`` everywhere, ``tol`` = ``solver.accuracy`` × the curve's largest reach (doubled
  until :data:`~channelmix.curves.MAX_PIECES` pieces suffice), and the error found is reported as
  the plan's ``curve_error`` and counted in its ``approximation_bound`` — never 0.

Greedy, from (0, 0): each piece starts at the end of the last, at ``(x_k, Y)`` with ``Y ≤ f(x_k)``,
and runs to the farthest point ``x_j`` such that the line of slope
``m = min_{k<i≤j} (f(x_i) − Y) / (x_i − x_k)`` — the steepest line from the start that stays
under every point up to ``x_j``, hence under ``f`` (both are linear between points) — is
within ``tol`` of ``f`` at every point (and so everywhere between). That error grows with
``j``, so the farthest ``j`` is found by galloping and bisection.
"""

from __future__ import annotations

import numpy as np

MAX_PWL_PIECES = 1000  # exact up to here: an S-shaped pwl of 1,000 pieces solves in seconds, of 4,000 in 18 s


def thin(xs: np.ndarray, ys: np.ndarray, tol: float) -> tuple[list[float], list[float], float]:
    """Breakpoints and values of an under-estimate of the pwl through (xs, ys) (xs rising,
    ``xs[0] = ys[0] = 0``) within ``tol``, and its largest gap below the curve."""
    out_x, out_y = [float(xs[0])], [float(ys[0])]
    k, start, worst = 0, float(ys[0]), 0.0
    last = len(xs) - 1
    while k < last:
        j, slope, error = _farthest(xs, ys, k, start, tol)
        worst = max(worst, error)
        start = start + slope * (xs[j] - xs[k])
        out_x.append(float(xs[j]))
        out_y.append(float(start))
        k = j
    return out_x, out_y, worst


def _farthest(xs: np.ndarray, ys: np.ndarray, k: int, start: float, tol: float) -> tuple[int, float, float]:
    """The farthest point j a piece from (xs[k], start) can reach within tol, its slope and error."""
    best = (k + 1, *_line(xs, ys, k, start, k + 1))  # always within tol: it ends on the curve
    step, last = 1, len(xs) - 1
    low, high = k + 1, None
    while high is None:  # gallop: double the reach until it fails or the curve ends
        j = min(k + 2 * step, last)
        slope, error = _line(xs, ys, k, start, j)
        if error > tol:
            high = j
        else:
            low, best = j, (j, slope, error)
            if j == last:
                return best
            step *= 2
    while high - low > 1:  # bisect between the last reach that held and the first that failed
        j = (low + high) // 2
        slope, error = _line(xs, ys, k, start, j)
        if error > tol:
            high = j
        else:
            low, best = j, (j, slope, error)
    return best


def _line(xs: np.ndarray, ys: np.ndarray, k: int, start: float, j: int) -> tuple[float, float]:
    """The steepest slope from (xs[k], start) under every point up to j, and the line's largest
    gap below the curve on [xs[k], xs[j]] (infinite if it would end below 0: reach is never negative)."""
    dx = xs[k + 1:j + 1] - xs[k]
    rise = ys[k + 1:j + 1] - start
    slope = float(np.min(rise / dx))
    if start + slope * dx[-1] < 0:
        return slope, float("inf")
    return slope, max(float(ys[k]) - start, float(np.max(rise - slope * dx)))
