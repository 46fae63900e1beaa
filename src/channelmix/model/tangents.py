"""Tangent pieces of a convex stretch of a curve, and the gap of a concave stretch to its chords
(PyMC-Marketing curves, a mean over posterior samples): the parts of :mod:`.curves` that
need derivatives.  Pieces of tangents lie under a convex f, so they keep the under-estimate."""

from __future__ import annotations

import numpy as np

from ..schema.saturations import Saturation

MAX_PIECES = 4000  # per curve part: a safety net under solver.accuracy ≥ 1e-6 (a 1e-6 saturating curve needs ~600)


def concave_gap(response: Saturation):
    """The largest gap between a concave stretch of the curve and each chord [a, b]: at the t
    where f'(t) equals the chord's slope m (f' falls, so there is one), found by Newton's
    method on f' − m with f'' inside a bracket that bisection keeps (a few evaluations of a
    mean over thousands of samples, where golden section needs eighty)."""
    def gap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        fa, fb = response.values(a), response.values(b)
        m = (fb - fa) / (b - a)
        lo, hi = a.copy(), b.copy()
        t = (a + b) / 2.0
        close = 1e-10 * (b - a)  # the gap is flat at its top: t this close costs 1e-20 of the chord's rise
        for _ in range(100):
            g = response.values(t, 1) - m
            lo, hi = np.where(g > 0, t, lo), np.where(g > 0, hi, t)
            with np.errstate(divide="ignore", invalid="ignore"):
                newton = t - g / response.values(t, 2)
            there = np.isfinite(newton) & (np.abs(newton - t) <= close)
            inside = np.isfinite(newton) & (newton >= lo) & (newton <= hi)
            t = np.where(there, t, np.where(inside, newton, (lo + hi) / 2.0))
            if np.all(there | (hi - lo <= close)):
                break
        return np.maximum(response.values(t) - (fa + m * (t - a)), 0.0)

    return gap


def tangent_pieces(f, df, end: float, tol: float, start: float = 0.0) -> tuple[list[float], list[float], float]:
    """Tangents of a convex f on [start, end]; the pieces run through tangent intersections."""
    points = [start, end]
    worst = 0.0
    while True:
        new = []
        worst = 0.0
        for ta, tb in zip(points, points[1:]):
            x, err = tangent_meet(f, df, ta, tb)
            worst = max(worst, err)
            if err > tol and tb - ta > 1e-9 * end:
                new.append((ta + tb) / 2)
        if not new or len(points) + len(new) > MAX_PIECES:  # MAX_PIECES: the safety net, as above
            break
        points = sorted(points + new)
    xs, ys = [start], [float(f(start)) if start > 0 else 0.0]
    for ta, tb in zip(points, points[1:]):
        x, _ = tangent_meet(f, df, ta, tb)
        if x > xs[-1] + 1e-12 * end:
            xs.append(x)
            ys.append(float(f(ta) + df(ta) * (x - ta)))
    if end > xs[-1] + 1e-12 * end:
        xs.append(end)
        ys.append(float(f(end)))
    else:
        ys[-1] = min(ys[-1], float(f(end)))
    return xs, ys, worst


def tangent_meet(f, df, ta: float, tb: float) -> tuple[float, float]:
    """Where the tangents at ta < tb meet, and how far below f they are there."""
    fa, fb, da, db = float(f(ta)), float(f(tb)), float(df(ta)), float(df(tb))
    if (db - da) * (tb - ta) <= 1e-15:  # parallel tangents (in reach: slope × spend, any currency)
        return tb, max(fb - (fa + da * (tb - ta)), 0.0)
    x = (fb - db * tb - fa + da * ta) / (da - db)
    x = min(max(x, ta), tb)
    return x, max(float(f(x)) - (fa + da * (x - ta)), 0.0)
