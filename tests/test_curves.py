"""Response curves: exact where they can be, pieces that never exceed the real curve,
and an error within the stated accuracy."""

from __future__ import annotations

import numpy as np
import pytest

from channelmix.model.curves import pieces
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
    from channelmix.model.curves import _chord_pieces, _functions, _inflection, _saturating_gap, _tangent_pieces

    tol = accuracy * reach(response, cap)
    f, df = _functions(response)
    xs, ys, error = [0.0], [0.0], 0.0
    if _inflection(response) > 0:
        xs, ys, error = _tangent_pieces(f, df, min(_inflection(response), cap), tol)
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
