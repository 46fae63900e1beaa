"""Response curves: exact where they can be, pieces that never exceed the real curve,
and an error within the stated accuracy."""

from __future__ import annotations

import numpy as np
import pytest

from channelmix.model.curves import pieces
from channelmix.model.pwl_thin import MAX_PWL_PIECES
from channelmix.schema.models import Constant, Hill, Linear, Pwl, Saturating
from channelmix.schema.responses import reach, saturation_spend

# Pieces never exceed the curve and stay within accuracy: see test_known_optima.py.


def test_s_curve_pieces_are_not_concave_and_concave_ones_are():
    assert not pieces(Hill(type="hill", half=100, shape=3), 400, 0.005).concave
    assert pieces(Hill(type="hill", half=100, shape=1), 400, 0.005).concave
    assert pieces(Saturating(type="saturating", scale=100), 400, 0.005).concave


def test_linear_and_pwl_are_exact():
    lin = pieces(Linear(type="linear", slope=0.01), 300, 0.005)
    assert lin.exact and lin.max_error == 0 and list(zip(lin.xs, lin.ys)) == [(0, 0), (100, 1), (300, 1)]
    pwl = Pwl(type="pwl", points=[[0, 0], [100, 0.1], [200, 0.6], [400, 0.7]])
    cut = pieces(pwl, 300, 0.005)
    assert list(zip(cut.xs, cut.ys)) == [(0, 0), (100, 0.1), (200, 0.6), (300, pytest.approx(0.65))]
    assert not cut.concave  # S-shaped pwl gets binaries
    assert reach(pwl, 1000) == 0.7  # flat after the last point


def test_reach_values():
    assert reach(Constant(type="constant", value=0.4), 0) == 0.4
    assert reach(Saturating(type="saturating", scale=100), 100) == pytest.approx(1 - np.exp(-1))
    assert reach(Hill(type="hill", half=50, shape=2), 50) == pytest.approx(0.5)
    assert reach(Hill(type="hill", half=50, shape=20), 1e-300) == 0.0  # no overflow


def test_saturation_spend_is_where_the_curve_is_within_accuracy():
    for response in (Saturating(type="saturating", scale=300), Hill(type="hill", half=300, shape=2.5)):
        s = saturation_spend(response, 0.005)
        assert reach(response, s) == pytest.approx(0.995)


def _one_by_one(response, cap: float, accuracy: float):
    """The pieces of one curve computed alone, by the scalar helpers (the pre-batch way)."""
    from channelmix.model.curves import _chord_pieces, _functions, _inflection, _saturating_gap
    from channelmix.model.tangents import tangent_pieces

    tol = accuracy * reach(response, cap)
    f, df = _functions(response)
    xs, ys, error = [0.0], [0.0], 0.0
    if _inflection(response) > 0:
        xs, ys, error = tangent_pieces(f, df, min(_inflection(response), cap), tol)
    if cap > xs[-1]:
        gap = _saturating_gap(response.scale) if isinstance(response, Saturating) else None
        kx, ky, kerr = _chord_pieces(f, xs[-1], cap, tol, gap)
        xs, ys, error = xs + kx[1:], ys + ky[1:], max(error, kerr)
    return tuple(xs), tuple(ys), error


def test_pieces_of_many_curves_at_once_equal_each_curve_alone_bit_for_bit():
    from channelmix.model import curves

    rng = np.random.default_rng(8)
    batch = []
    for k in range(150):
        if k % 3 == 0:
            r = Saturating(type="saturating", scale=float(rng.uniform(10, 5000)))
        else:  # concave and S-shaped Hill curves, some with carry-over
            r = Hill(type="hill", half=float(rng.uniform(10, 5000)), shape=float(rng.uniform(0.4, 4.0)),
                     offset=float(rng.uniform(0, 2000)) if k % 5 == 0 else 0.0)
        batch.append((r, float(rng.uniform(1, 20000))))
    for accuracy in (0.005, 1e-4):
        curves._approximate.cache_clear()
        curves.prepare(batch, accuracy)
        for r, cap in batch:
            p = pieces(r, cap, accuracy)
            assert (p.xs, p.ys, p.max_error) == _one_by_one(r, cap, accuracy), (r, cap, accuracy)


def test_the_safety_net_stops_each_curve_of_a_batch_at_its_own_piece_cap(monkeypatch):
    from channelmix.model import curves

    monkeypatch.setattr(curves, "MAX_PIECES", 12)
    batch = [(Saturating(type="saturating", scale=100.0), 5000.0), (Hill(type="hill", half=300.0, shape=0.6), 9000.0)]
    curves._approximate.cache_clear()
    curves.prepare(batch, 1e-6)
    for r, cap in batch:
        p = pieces(r, cap, 1e-6)
        assert len(p.xs) - 1 <= 12 and (p.xs, p.ys, p.max_error) == _one_by_one(r, cap, 1e-6)
        assert p.max_error > 1e-6  # stopped short, and says how far
    curves._approximate.cache_clear()


def _long_pwl(rng: np.random.Generator, n: int, shape: str) -> Pwl:
    """A pwl of n points sampled from an S-shaped, concave or wiggly (non-monotone) curve."""
    s = np.sort(rng.uniform(0, 1e5, n - 1))
    s = np.concatenate(([0.0], s[np.diff(s, prepend=0.0) > 1.0]))
    r = {"s": s**2.5 / (s**2.5 + 3e4**2.5), "concave": 1 - np.exp(-s / 2e4),
         "wiggly": (1 - np.exp(-s / 2e4)) * (0.8 + 0.2 * np.sin(s / 900.0))}[shape]
    r[0] = 0.0
    return Pwl(type="pwl", points=[[float(a), float(b)] for a, b in zip(s, r)])


@pytest.mark.parametrize("shape", ["s", "concave", "wiggly"])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_long_pwl_is_thinned_to_an_under_estimate_within_accuracy(shape: str, seed: int):
    """Issue 18: a 20,000-point curve table gave the MILP 20,000 pieces (unsolvable in a minute).
    Past MAX_PWL_PIECES the pieces are an under-estimate within accuracy, and say so (max_error > 0)."""
    rng = np.random.default_rng(seed)
    curve = _long_pwl(rng, 5000, shape)
    cap, accuracy = float(rng.uniform(5e4, 1.2e5)), 0.005
    cut = pieces(curve, cap, accuracy)
    assert not cut.exact and 0 < cut.max_error <= accuracy * max(p[1] for p in curve.points if p[0] < cap) + 1e-15
    assert len(cut.xs) - 1 <= MAX_PWL_PIECES and cut.xs[0] == 0 and cut.ys[0] == 0 and cut.xs[-1] == cap
    xs = np.unique(np.concatenate([np.linspace(0, cap, 50001), [p[0] for p in curve.points if p[0] <= cap]]))
    truth = np.interp(xs, [p[0] for p in curve.points], [p[1] for p in curve.points])
    model = np.interp(xs, cut.xs, cut.ys)
    assert np.max(model - truth) <= 1e-12  # never promises more than the curve
    assert np.max(truth - model) == pytest.approx(cut.max_error, rel=1e-9, abs=1e-15)  # the error reported is the error
    assert min(cut.ys) >= 0


def test_a_pwl_up_to_the_cap_stays_exact():
    rng = np.random.default_rng(7)
    curve = _long_pwl(rng, MAX_PWL_PIECES + 1, "s")
    cut = pieces(curve, 2e5, 0.005)
    assert cut.exact and cut.max_error == 0 and len(cut.xs) == len(curve.points) + 1  # the points and the cap
