"""Response curves: the exact reach at a spend, and piecewise-linear pieces for the MILP.

The pieces are a guaranteed *under*-estimate ``g ≤ f`` on ``[0, cap]`` with ``g(0) = 0``:
chords of ``f`` where it is concave, tangents of ``f`` where it is convex, with a
breakpoint at the inflection point.  So coverage that the model promises, the real
curve delivers (hard targets stay met), and the model's objective understates the
plan's true value by at most ``max_error`` per unit of affinity.  Breakpoints are
added until ``f − g ≤ accuracy · f(cap)`` everywhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..schema.responses import Constant, Hill, Linear, Pwl, Response, Saturating, reach
from ..schema.saturations import Saturation
from .pwl_thin import MAX_PWL_PIECES, thin
from .tangents import MAX_PIECES, concave_gap, tangent_pieces

_GOLDEN_STEPS = 40  # golden-section steps: the interval shrinks by 0.618^40 ≈ 4e-9 of a piece, and the
# gap is flat at its maximum, so its value is found to ~1e-17 of the piece's rise


@dataclass(frozen=True)
class Pieces:
    """A piecewise-linear under-estimate of a curve on [0, cap]."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]
    max_error: float  # max of f − g on [0, cap], in reach share
    exact: bool

    @property
    def concave(self) -> bool:
        slopes = self.slopes
        # round-off, relative: slopes are reach per unit of money
        noise = 1e-9 * max((abs(m) for m in slopes), default=0.0)
        return all(slopes[i + 1] <= slopes[i] + noise for i in range(len(slopes) - 1))

    @property
    def slopes(self) -> list[float]:
        return [(self.ys[i + 1] - self.ys[i]) / (self.xs[i + 1] - self.xs[i]) for i in range(len(self.xs) - 1)]

    def value(self, spend: float) -> float:
        return float(np.interp(spend, self.xs, self.ys))


def pieces(response: Response, cap: float, accuracy: float) -> Pieces:
    """Pieces of ``response`` on [0, cap] within ``accuracy`` of its range."""
    if cap <= 0 or isinstance(response, Constant):
        return Pieces((0.0,), (0.0,), 0.0, True)
    if isinstance(response, (Linear, Pwl)):
        return _exact_pieces(response, cap, accuracy)
    if isinstance(response, Saturation):
        key = (response, float(cap), float(accuracy))
        if key not in _CACHE:
            if len(_CACHE) >= _CACHE_SIZE:
                _CACHE.clear()
            _CACHE[key] = _saturation_pieces(response, float(cap), float(accuracy))
        return _CACHE[key]
    return _approximate(response, float(cap), float(accuracy))


_CACHE: dict[tuple[Response, float, float], Pieces] = {}
_CACHE_SIZE = 65536  # entries kept between calls (a batch larger than this is kept whole until the next one)


def _approximate(response: Saturating | Hill, cap: float, accuracy: float) -> Pieces:
    key = (response, cap, accuracy)
    found = _CACHE.get(key)
    if found is None:
        prepare([(response, cap)], accuracy)
        found = _CACHE[key]
    return found


_approximate.cache_clear = _CACHE.clear  # type: ignore[attr-defined]  # benchmarks measure cold builds


def prepare(curves: list[tuple[Response, float]], accuracy: float) -> None:
    """Compute the pieces of many (response, cap) pairs at once and cache them, so that
    :func:`pieces` then finds them.  The chords of all curves are refined together in
    numpy (one array operation per refinement step for every curve, not one per curve);
    each curve's pieces are the same as computed alone: the same float operations,
    element by element."""
    accuracy = float(accuracy)
    todo: dict[tuple[Response, float, float], tuple[Saturating | Hill, float]] = {}
    for response, cap in curves:
        if cap > 0 and isinstance(response, (Saturating, Hill)):
            key = (response, float(cap), accuracy)
            if key not in _CACHE:
                todo[key] = (response, float(cap))
    if not todo:
        return
    if len(_CACHE) + len(todo) > _CACHE_SIZE:
        _CACHE.clear()
    for kind in (Saturating, Hill):
        batch = [(key, r, cap) for key, (r, cap) in todo.items() if isinstance(r, kind)]
        if batch:
            for (done, _, _), found in zip(batch, _approximate_many([(r, cap) for _, r, cap in batch], accuracy)):
                _CACHE[done] = found


def _approximate_many(curves: list[tuple[Saturating | Hill, float]], accuracy: float) -> list[Pieces]:
    """Pieces of curves of one kind: tangents over the convex start (curve by curve), then
    chords over the rest (all curves at once)."""
    starts: list[tuple[list[float], list[float], float]] = []
    lo, hi, tol = [], [], []
    for response, cap in curves:
        t = accuracy * reach(response, cap)
        inflection = _inflection(response)
        part = ([0.0], [0.0], 0.0)
        if inflection > 0.0:
            f, df = _functions(response)
            part = tangent_pieces(f, df, min(inflection, cap), t)
        starts.append(part)
        lo.append(part[0][-1])
        hi.append(cap)
        tol.append(t)
    f, gap_of = _bulk_functions([r for r, _ in curves])
    xs_of, worst_of = _chord_pieces_many(f, gap_of, np.array(lo), np.array(hi), np.array(tol))
    out = []
    for i, (xs, ys, error) in enumerate(starts):
        if hi[i] > lo[i]:
            kx = xs_of[i]
            ky = f(kx, np.full(len(kx), i))
            xs = xs + kx[1:].tolist()
            ys = ys + ky[1:].tolist()
            error = max(error, worst_of[i])
        out.append(Pieces(tuple(xs), tuple(ys), error, False))
    return out


def _bulk_functions(responses: list[Saturating | Hill]):
    """(f(s, curve), gap(a, b, curve) or None) for curves of one kind, element by element
    the same operations as :func:`_functions` and :func:`_saturating_gap` make for one curve."""
    if isinstance(responses[0], Saturating):
        k = np.array([r.scale for r in responses if isinstance(r, Saturating)])

        def f_sat(s, c):
            return -np.expm1(-s / k[c])

        def gap(a, b, c):
            return _saturating_gap(k[c])(a, b)

        return f_sat, gap
    hills = [r for r in responses if isinstance(r, Hill)]
    a = np.array([r.shape for r in hills])
    log_half = np.array([math.log(r.half) for r in hills])
    offset = np.array([r.offset for r in hills])
    hc = np.array([float(_h(r.offset, r.shape, math.log(r.half))) if r.offset else 0.0 for r in hills])  # h(c)

    def f_hill(s, c):
        s = np.asarray(s, dtype=float)
        has = offset[c] != 0
        v = _h(s + offset[c], a[c], log_half[c])
        return np.where(has, np.maximum(v - hc[c], 0.0), v)

    return f_hill, None


def _h(s, a, log_half):
    """1 / (1 + (K/s)^a), as :func:`_functions` computes it (see there)."""
    z = a * (log_half - np.log(np.maximum(np.asarray(s, dtype=float), 1e-300)))
    e = np.exp(-np.abs(z))
    return np.where(z > 0, e / (1.0 + e), 1.0 / (1.0 + e))


def _chord_pieces_many(f, gap_of, lo: np.ndarray, hi: np.ndarray,
                       tol: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """:func:`_chord_pieces` for many curves at once: every chord of every curve whose gap
    exceeds its curve's tol is bisected, round after round.  ``f(s, c)`` and
    ``gap_of(a, b, c)`` take the curve index ``c`` of each element.  Returns each curve's
    breakpoints (sorted) and largest gap."""
    n = len(lo)
    live = np.flatnonzero(hi > lo)
    a, b, c = lo[live].copy(), hi[live].copy(), live.copy()
    floor = 1e-14 * hi  # relative to the curve's range, in any currency
    done_a, done_b, done_c = [], [], []
    done_count = np.zeros(n, dtype=np.int64)
    worst = np.zeros(n)
    while len(c):
        gaps = gap_of(a, b, c) if gap_of is not None else _chord_gap_many(f, a, b, c)
        split = (gaps > tol[c]) & (b - a > floor[c])
        todo_count = np.bincount(c, minlength=n)
        split_count = np.bincount(c, weights=split, minlength=n).astype(np.int64)
        over = done_count + todo_count + split_count > MAX_PIECES  # the safety net, per curve
        split &= ~over[c]
        keep = ~split
        done_a.append(a[keep])
        done_b.append(b[keep])
        done_c.append(c[keep])
        done_count += np.bincount(c[keep], minlength=n)
        np.maximum.at(worst, c[keep], gaps[keep])
        sa, sb, sc = a[split], b[split], c[split]
        mid = (sa + sb) / 2
        a, b, c = np.concatenate([sa, mid]), np.concatenate([mid, sb]), np.concatenate([sc, sc])
    ends = np.concatenate([lo[live], hi[live], *done_a, *done_b])
    owner = np.concatenate([live, live, *done_c, *done_c])
    order = np.lexsort((ends, owner))
    ends, owner = ends[order], owner[order]
    distinct = np.ones(len(ends), dtype=bool)
    distinct[1:] = (ends[1:] != ends[:-1]) | (owner[1:] != owner[:-1])
    ends, owner = ends[distinct], owner[distinct]
    bounds = np.searchsorted(owner, np.arange(n + 1))
    return [ends[bounds[i]:bounds[i + 1]] for i in range(n)], worst


def _chord_gap_many(f, a: np.ndarray, b: np.ndarray, c: np.ndarray | None) -> np.ndarray:
    """:func:`_chord_gap` with a curve index per element."""
    fa, fb = f(a, c), f(b, c)
    slope = (fb - fa) / (b - a)

    def gap(t):
        return f(t, c) - (fa + slope * (t - a))

    lo, hi = a.copy(), b.copy()
    ratio = (math.sqrt(5.0) - 1.0) / 2.0
    for _ in range(_GOLDEN_STEPS):
        m1 = hi - ratio * (hi - lo)
        m2 = lo + ratio * (hi - lo)
        left = gap(m1) > gap(m2)
        hi = np.where(left, m2, hi)
        lo = np.where(left, lo, m1)
    return np.maximum(gap((lo + hi) / 2), 0.0)


def _exact_pieces(response: Linear | Pwl, cap: float, accuracy: float) -> Pieces:
    if isinstance(response, Linear):
        knee = 1.0 / response.slope
        pts = [(0.0, 0.0), (cap, response.slope * cap)] if cap <= knee else [(0.0, 0.0), (knee, 1.0), (cap, 1.0)]
    else:
        pts = [(x, y) for x, y in response.points if x < cap]
        pts.append((cap, reach(response, cap)))
        if len(pts) - 1 > MAX_PWL_PIECES:  # too many to model one by one: an under-estimate within accuracy
            return _thinned(pts, accuracy)
    return Pieces(tuple(p[0] for p in pts), tuple(p[1] for p in pts), 0.0, True)


def _thinned(pts: list[tuple[float, float]], accuracy: float) -> Pieces:
    """A long pwl's pieces (see :mod:`channelmix.pwl_thin`), the tolerance doubled until
    :data:`MAX_PIECES` pieces suffice (the safety net the other curves have)."""
    xs, ys = np.array([p[0] for p in pts]), np.array([p[1] for p in pts])
    tol = accuracy * max(float(ys.max()), 1e-12)
    while True:
        bx, by, error = thin(xs, ys, tol)
        if len(bx) - 1 <= MAX_PIECES:
            return Pieces(tuple(bx), tuple(by), error, False)
        tol *= 2.0


def _functions(response: Saturating | Hill):
    if isinstance(response, Saturating):
        k = response.scale
        return (lambda s: -np.expm1(-s / k)), (lambda s: np.exp(-s / k) / k)
    a, half = response.shape, response.half

    log_half = math.log(half)
    c = response.offset

    def h(s):
        # 1 / (1 + e^z) with z = a (ln K − ln s), exponentiating only −|z|: no overflow, and
        # an exact 0 (not e^-700) far below K, so the slope a f (1 − f) / s is 0 there too
        z = a * (log_half - np.log(np.maximum(np.asarray(s, dtype=float), 1e-300)))
        e = np.exp(-np.abs(z))
        return np.where(z > 0, e / (1.0 + e), 1.0 / (1.0 + e))

    def dh(s):
        s = np.maximum(np.asarray(s, dtype=float), 1e-300)
        v = h(s)
        return a * v * (1.0 - v) / s

    if not c:
        return h, dh
    hc = float(h(c))
    return (lambda s: np.maximum(h(np.asarray(s, dtype=float) + c) - hc, 0.0)), (
        lambda s: dh(np.asarray(s, dtype=float) + c))


def _inflection(response: Saturating | Hill) -> float:
    """End of the convex stretch that starts at 0 (0 for a concave curve)."""
    if isinstance(response, Hill) and response.shape > 1:
        a = response.shape
        # h(s + c) bends at K·(…)^(1/a) − c
        return max(response.half * ((a - 1.0) / (a + 1.0)) ** (1.0 / a) - response.offset, 0.0)
    return 0.0


def _chord_pieces(f, lo: float, hi: float, tol: float, gap_of=None) -> tuple[list[float], list[float], float]:
    """Chords of a concave f on [lo, hi]: bisect every chord whose gap exceeds tol.

    ``gap_of(a, b)`` gives each chord's largest gap in closed form when known."""
    done: list[tuple[float, float]] = []
    todo = [(lo, hi)]
    worst = 0.0
    while todo:
        a = np.array([t[0] for t in todo])
        b = np.array([t[1] for t in todo])
        gaps = gap_of(a, b) if gap_of is not None else _chord_gap(f, a, b)
        split = (gaps > tol) & (b - a > 1e-14 * hi)  # steep starts (shape < 1) need tiny pieces
        if len(done) + len(todo) + int(split.sum()) > MAX_PIECES:
            split[:] = False  # the safety net: stop refining; the worst gap is still reported
        done += [t for t, s in zip(todo, split) if not s]
        worst = max(worst, float(gaps[~split].max(initial=0.0)))
        todo = [half for t, s in zip(todo, split) if s
                for half in ((t[0], (t[0] + t[1]) / 2), ((t[0] + t[1]) / 2, t[1]))]
    xs = sorted({lo, hi, *(t[0] for t in done), *(t[1] for t in done)})
    return xs, [float(f(x)) for x in xs], worst


def _saturating_gap(k: float):
    """For f = 1 − e^(−s/k) the chord on [a, b] is farthest from f where f'(t) equals
    its slope m: t = −k ln(k m)."""

    def gap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        fa, fb = -np.expm1(-a / k), -np.expm1(-b / k)
        slope = (fb - fa) / (b - a)
        t = np.clip(-k * np.log(k * np.maximum(slope, 1e-300)), a, b)  # a flat chord: t = b, gap 0
        return np.maximum(-np.expm1(-t / k) - (fa + slope * (t - a)), 0.0)

    return gap


def _chord_gap(f, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """max over [a, b] of f − chord, for concave f (golden section, vectorised)."""
    return _chord_gap_many(lambda t, _: f(t), a, b, None)


def _saturation_pieces(response: Saturation, cap: float, accuracy: float) -> Pieces:
    """Pieces of a PyMC-Marketing curve (a mean over posterior samples) on [0, cap]: split where
    its curvature changes sign, chords where it is concave and tangents where it is convex."""
    def f(s):
        return response.values(s).reshape(np.shape(s))

    def df(s):
        return response.values(s, 1).reshape(np.shape(s))

    tol = accuracy * response.reach_at(cap)
    bends, convex = response.bends(cap)
    cuts = [0.0, *(x for x in bends if 0.0 < x < cap), cap]
    xs, ys, worst = [0.0], [0.0], 0.0
    for lo, hi in zip(cuts, cuts[1:]):
        part = tangent_pieces(f, df, hi, tol, lo) if convex else _chord_pieces(f, lo, hi, tol, concave_gap(response))
        xs += [float(x) for x in part[0][1:]]
        ys += [float(y) for y in part[1][1:]]
        worst = max(worst, part[2])
        convex = not convex
    return Pieces(tuple(xs), tuple(ys), worst, False)
