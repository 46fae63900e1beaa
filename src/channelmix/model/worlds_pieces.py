"""One set of spend breakpoints for a channel whose curve differs between worlds (no solver here).

The robust MILP (:mod:`channelmix.formulate.worlds`) shares the spend of a channel across
worlds.  When each world also had its own breakpoints, a non-concave curve (an S-shaped
hill, a pwl with a convex stretch) would need its own piece binaries in every world: W
times the binaries of one scenario.  Here the worlds' curves ``f_w`` get **one** grid of
spends ``0 = X_0 < … < X_n = cap`` and each world a vector of values ``V_w`` at those
spends, so the model needs one set of piece fills and binaries per channel, and each
world's reach is a linear map of those fills.

Guarantees, as for :func:`channelmix.model.curves.pieces`:

* ``V_w`` interpolated is an *under*-estimate of ``f_w`` on ``[0, cap]`` with ``V_w(0) = 0``
  (so what the model promises in a world, the world's curve delivers);
* the grid is refined (bisected) until ``f_w − V_w ≤ accuracy · f_w(cap)`` for every world,
  or :data:`MAX_POINTS` is reached (the error is then reported, not hidden).

Curves modelled exactly (linear, pwl) get the union of their own breakpoints: there the
interpolation is exact and no refinement is needed.  The other curves (saturating, hill:
concave, or convex then concave) get on each segment the line from ``(a, f(a))`` with
slope ``min(f'(a), chord slope)``, which lies below the curve (see :func:`under_estimate`);
a linear or pwl curve among them has its kinks on the grid.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..schema.models import Hill, Linear, Pwl, Response, Saturating
from ..schema.saturations import Saturation
from .curves import Pieces, pieces

SAMPLES = 33  # points per segment where the error of the pieces is measured (to refine the grid)
MAX_POINTS = 4000  # safety net on the grid size


@dataclass(frozen=True)
class SharedPieces:
    """A shared spend grid and, per curve, its under-estimate values there."""

    xs: tuple[float, ...]
    ys: np.ndarray  # (curves, len(xs)); ys[:, 0] == 0
    max_error: float  # max over curves and spends of f − V, in reach share
    exact: bool

    def of(self, u: int) -> Pieces:
        """Curve u's values as :class:`~channelmix.model.curves.Pieces` on the shared grid."""
        return Pieces(self.xs, tuple(float(v) for v in self.ys[u]), self.max_error, self.exact)

    @property
    def concave(self) -> bool:
        """Every curve's values are concave on the grid (then no binaries are needed)."""
        return all(self.of(u).concave for u in range(len(self.ys)))


def shared_pieces(curves: list[Response], cap: float, accuracy: float) -> SharedPieces:
    """One grid on [0, cap] for every curve in ``curves`` (none of them constant)."""
    own = {u: pieces(c, cap, accuracy) for u, c in enumerate(curves) if isinstance(c, (Linear, Pwl))}
    thinned = max((p.max_error for p in own.values()), default=0.0)  # a long pwl's own pieces are an under-estimate
    if len(own) == len(curves):
        grid = np.array(sorted({x for p in own.values() for x in p.xs}), dtype=float)
        ys = np.array([[_exact(c, x) for x in grid] if own[u].exact and isinstance(c, (Linear, Pwl))
                       else np.interp(grid, own[u].xs, own[u].ys) for u, c in enumerate(curves)])
        return SharedPieces(tuple(float(x) for x in grid), ys, thinned, thinned == 0.0)
    curves = [_as_pwl(own[u]) if u in own and not own[u].exact else c for u, c in enumerate(curves)]
    f = _batched(curves)
    tol = accuracy * f(np.full((len(curves), 1), float(cap)))[0][:, 0]
    # the first curve's own breakpoints (a good start for its neighbours) and every linear or pwl
    # curve's kinks, so that those are straight on every segment
    start = [x for p in own.values() for x in p.xs]
    start += (own[0] if 0 in own else pieces(curves[0], cap, accuracy)).xs
    # where a PyMC-Marketing curve (a mean over samples) changes curvature: between grid points
    # each curve is then convex, concave, or convex then concave, which under_estimate needs
    start += [x for c in curves if isinstance(c, Saturation) for x in c.bends(cap)[0]]
    grid = np.unique(np.concatenate([[0.0, float(cap)], np.clip(np.array(start, dtype=float), 0.0, cap)]))
    while True:
        ys, error = under_estimate(f, len(curves), grid)
        bad = (error > tol[:, None]).any(axis=0)
        if not bad.any() or len(grid) + int(bad.sum()) > MAX_POINTS:
            break
        middles = (grid[:-1][bad] + grid[1:][bad]) / 2.0
        grid = np.sort(np.concatenate([grid, middles]))
    return SharedPieces(tuple(float(x) for x in grid), ys, float(error.max(initial=0.0)) + thinned, False)


def _as_pwl(own: Pieces) -> Pwl:
    """A long pwl's thinned pieces as the curve the grid is built for (its kinks go on the grid,
    so the values there are exact for it; the gap to the real curve is counted apart)."""
    return Pwl.model_construct(type="pwl", points=[[x, y] for x, y in zip(own.xs, own.ys)])


def under_estimate(f: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]], count: int,
                   grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(values V (curves × points) whose interpolation is ≤ each curve, the largest f − V
    on each segment (curves × segments)); ``f`` gives curve u's values and slopes on row u.

    On a segment [a, b] the line from (a, f(a)) with slope min(f'(a), chord slope) is below
    f wherever f is convex then concave there (or either): below the tangent on the convex
    part, below the chord from (p, f(p)) to (b, f(b)) on the concave part.  Each segment
    starts where the previous line ended (never above f(a)), so V starts at 0, never falls
    and is never negative."""
    a, b = grid[:-1], grid[1:]
    frac = np.linspace(0.0, 1.0, SAMPLES)
    t = np.broadcast_to(a[:, None] + (b - a)[:, None] * frac[None, :], (count, len(a), SAMPLES))
    ft, dt = f(t)  # (curves, segments, samples)
    fa, fb = ft[:, :, 0], ft[:, :, -1]
    slope = np.maximum(np.minimum(dt[:, :, 0], (fb - fa) / (b - a)), 0.0)
    v = np.empty((count, len(grid)))
    v[:, 0] = 0.0
    v[:, 1:] = fa + slope * (b - a)
    v[v < 1e-9] = 0.0  # no crumbs a solver would drop from its matrix (lowering keeps V below f)
    line = v[:, :-1, None] + (v[:, 1:] - v[:, :-1])[:, :, None] * frac[None, None, :]
    return v, np.maximum(np.max(ft - line, axis=2), 0.0)


def _batched(curves: list[Response]) -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """(f(s), f'(s)) with s of shape (curves, …): row u evaluated on curve u, as
    :func:`channelmix.model.curves.reach` computes it (curves of one kind at once).  A linear or
    pwl curve reports an infinite slope: its breakpoints are on the grid, so its chords are exact."""
    kinds: dict[type, list[int]] = {}
    for u, c in enumerate(curves):
        kinds.setdefault(type(c), []).append(u)
    parts = []
    for kind, rows in kinds.items():
        idx = np.array(rows)
        same = [curves[u] for u in rows]
        saturating = [c for c in same if isinstance(c, Saturating)]
        hill = [c for c in same if isinstance(c, Hill)]
        exact = [c for c in same if isinstance(c, (Linear, Pwl))]
        if kind is Saturating:
            parts.append((idx, _saturating(np.array([c.scale for c in saturating]))))
        elif kind is Hill:
            parts.append((idx, _hill(*(np.array([getattr(c, k) for c in hill], dtype=float)
                                       for k in ("shape", "half", "offset")))))
        elif issubclass(kind, Saturation):
            parts.append((idx, _saturations([c for c in (curves[u] for u in rows) if isinstance(c, Saturation)])))
        else:
            assert len(exact) == len(rows)  # constant curves have no pieces to share
            parts.append((idx, _rows([_function(c) for c in exact])))

    def f(s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        s = np.asarray(s, dtype=float)
        value, slope = np.empty(s.shape), np.empty(s.shape)
        for idx, g in parts:
            value[idx], slope[idx] = g(s[idx])
        return value, slope

    return f


def _column(values: np.ndarray, ndim: int) -> np.ndarray:
    return values.reshape((-1,) + (1,) * (ndim - 1))


def _saturating(scale: np.ndarray):
    def f(s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        k = _column(scale, s.ndim)
        return -np.expm1(-s / k), np.exp(-s / k) / k

    return f


def _hill(shape: np.ndarray, half: np.ndarray, offset: np.ndarray):
    def h(s: np.ndarray, a: np.ndarray, log_half: np.ndarray) -> np.ndarray:
        z = a * (log_half - np.log(np.maximum(s, 1e-300)))
        e = np.exp(-np.abs(z))
        return np.where(s <= 0, 0.0, np.where(z > 0, e / (1.0 + e), 1.0 / (1.0 + e)))

    def f(s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a, lh, c = (_column(v, s.ndim) for v in (shape, np.log(half), offset))
        at = h(s + c, a, lh)
        with np.errstate(divide="ignore", invalid="ignore"):  # shape < 1 at s + c = 0: an infinite slope
            slope = np.where(s + c > 0, a * at * (1.0 - at) / (s + c), np.where(a < 1, np.inf, 0.0))
        return np.maximum(at - h(c + 0.0 * s, a, lh), 0.0), slope

    return f


def _saturations(curves: list[Saturation]):
    def f(s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        values = np.stack([c.values(s[u].ravel()).reshape(s[u].shape) for u, c in enumerate(curves)])
        slopes = np.stack([c.values(s[u].ravel(), 1).reshape(s[u].shape) for u, c in enumerate(curves)])
        return values, slopes

    return f


def _rows(functions: list[Callable[[np.ndarray], np.ndarray]]):
    return lambda s: (np.stack([g(s[u]) for u, g in enumerate(functions)]), np.full(s.shape, np.inf))


def _exact(curve: Linear | Pwl, x: float) -> float:
    if isinstance(curve, Linear):
        return min(1.0, curve.slope * x)
    return float(np.interp(x, [p[0] for p in curve.points], [p[1] for p in curve.points]))


def _function(curve: Linear | Pwl) -> Callable[[np.ndarray], np.ndarray]:
    """f(s) of a linear or pwl curve for an array of spends."""
    if isinstance(curve, Linear):
        return lambda s: np.minimum(1.0, curve.slope * np.maximum(s, 0.0))
    xs, ys = [p[0] for p in curve.points], [p[1] for p in curve.points]
    return lambda s: np.interp(s, xs, ys)
