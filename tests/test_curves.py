"""Response curves: exact where they can be, pieces that never exceed the real curve,
and an error within the stated accuracy."""

from __future__ import annotations

import numpy as np
import pytest

from channelmix.curves import pieces, reach, saturation_spend
from channelmix.schema.models import Constant, Hill, Linear, Pwl, Saturating


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
