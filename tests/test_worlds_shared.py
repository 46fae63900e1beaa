"""Worlds that share one spend grid: the pieces stay below every world's curve, and the
shared-binary model finds the same optimum as one set of pieces (and binaries) per world."""

from __future__ import annotations

import numpy as np
import pulp
import pytest

from channelmix.formulate.worlds import formulate_worlds
from channelmix.model.worlds_pieces import shared_pieces
from channelmix.schema.models import Hill, Linear, Pwl, Saturating
from channelmix.schema.responses import reach
from channelmix.solve.pipeline import solve_formulated
from helpers import channel, load, scenario


def _curves(kind: str, rng: np.random.Generator, count: int) -> list:
    out = []
    for u in range(count):
        r = float(np.exp(rng.normal(0.0, 0.3)))
        pick = kind if kind != "mix" else ("hill" if u % 3 == 0 else "saturating" if u % 3 == 1 else "pwl")
        if pick == "hill":
            out.append(Hill(type="hill", half=float(rng.uniform(300, 3000)) / r, shape=float(rng.uniform(0.6, 3.5)),
                            offset=float(rng.choice([0.0, 150.0]))))
        elif pick == "saturating":
            out.append(Saturating(type="saturating", scale=float(rng.uniform(300, 3000)) / r))
        else:  # an S-shaped pwl: convex, then concave
            out.append(Pwl(type="pwl", points=[[0, 0], [400, 0.05 * r], [900, 0.4 * r], [2000, min(1.0, 0.7 * r)]]))
    return out


@pytest.mark.parametrize("kind", ["hill", "saturating", "mix"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_shared_pieces_are_below_every_curve_and_within_accuracy(kind, seed):
    rng = np.random.default_rng(seed)
    curves = _curves(kind, rng, int(rng.integers(2, 9)))
    cap, accuracy = float(rng.uniform(800, 5000)), 1e-3
    shared = shared_pieces(curves, cap, accuracy)
    xs = np.linspace(0.0, cap, 4001)
    assert shared.xs[0] == 0.0 and shared.xs[-1] == pytest.approx(cap)
    for u, curve in enumerate(curves):
        truth = np.array([reach(curve, x) for x in xs])
        model = np.interp(xs, shared.xs, shared.ys[u])
        assert shared.ys[u][0] == 0.0 and np.all(np.diff(shared.ys[u]) >= 0)  # starts at 0, never falls
        assert np.max(model - truth) <= 1e-12  # an under-estimate: the model never promises more
        assert np.max(truth - model) <= accuracy * reach(curve, cap) + 1e-12
    assert shared.max_error <= accuracy + 1e-12


def test_exact_curves_share_the_union_of_their_breakpoints():
    a = Pwl(type="pwl", points=[[0, 0], [100, 0.1], [300, 0.8]])
    b = Pwl(type="pwl", points=[[0, 0], [200, 0.2], [300, 0.6]])
    c = Linear(type="linear", slope=0.004)  # kinks at 250 (reach 1)
    shared = shared_pieces([a, b, c], 300.0, 1e-3)
    assert shared.exact and shared.max_error == 0
    assert shared.xs == (0.0, 100.0, 200.0, 250.0, 300.0)
    assert shared.ys[0].tolist() == pytest.approx([0, 0.1, 0.45, 0.625, 0.8])
    assert shared.ys[2].tolist() == pytest.approx([0, 0.4, 0.8, 1.0, 1.0])


@pytest.mark.parametrize("others", [["pwl"], ["saturating", "hill"]])
def test_a_long_pwl_among_the_worlds_curves_is_thinned_and_its_error_counted(others):
    """A long pwl (past MAX_PWL_PIECES pieces) is thinned before the grid is shared, so the grid
    stays small; the values stay below every curve and the error reported covers the thinning."""
    xs = np.linspace(0.0, 3000.0, 3001)
    long = Pwl(type="pwl", points=[[float(x), float(x**2 / (x**2 + 900.0**2))] for x in xs])
    curves = [long] + [c for kind in others for c in _curves(kind, np.random.default_rng(5), 1)]
    cap, accuracy = 2500.0, 2e-3
    shared = shared_pieces(curves, cap, accuracy)
    assert not shared.exact and 0 < shared.max_error and len(shared.xs) < 1000
    grid = np.linspace(0.0, cap, 20001)
    for u, curve in enumerate(curves):
        truth = exact_reach(curve, grid)
        model = np.interp(grid, shared.xs, shared.ys[u])
        assert np.max(model - truth) <= 1e-12
        assert np.max(truth - model) <= shared.max_error + 1e-12


def exact_reach(curve, grid: np.ndarray) -> np.ndarray:
    """``reach(curve, x)`` at every spend of ``grid``.  A pwl's reach is ``np.interp`` over its points, which
    reach() rebuilds on every call (6 CPU s for 20,001 spends on 3,001 points): it is taken once over the
    whole grid here, and held equal to reach() itself, bit for bit, at every 50th spend."""
    if not isinstance(curve, Pwl):
        return np.array([reach(curve, x) for x in grid])
    values = np.interp(grid, [p[0] for p in curve.points], [p[1] for p in curve.points])
    assert all(reach(curve, x) == v for x, v in zip(grid[::50], values[::50]))
    return values


def _s_shaped(risk: str, response: dict, count: int = 5, seed: int = 4) -> dict:
    """Two S-shaped channels (they need binaries) and a linear one, worlds that scale their reach."""
    return scenario(budget=1500,
                    channels=[channel("s1", response, {"aware": 0.9, "buy": 0.3}),
                              channel("s2", {**response, **({"half": 700} if response["type"] == "hill" else {})},
                                      {"buy": 0.8, "aware": 0.2}),
                              channel("c", {"type": "linear", "slope": 0.0008}, {"*": 0.4}, fixed_cost=60)],
                    objective={"sense": "max_reach", "tie_break": False, "risk": risk, "alpha": 0.4},
                    worlds={"uncertainty": {"affinity": 0.3, "response": 0.3, "count": count, "seed": seed}})


def _solve(sc, share: bool):
    formulation = formulate_worlds(sc, share=share)
    binaries = sum(1 for v in formulation.problem.variables() if v.cat == pulp.LpInteger
                   and not v.name.startswith("x_"))
    return solve_formulated(sc, formulation)[0], binaries


PWL_S = {"type": "pwl", "points": [[0, 0], [300, 0.05], [700, 0.5], [1000, 0.8], [1500, 0.9]]}


@pytest.mark.parametrize("risk", ["mean", "worst", "cvar"])
def test_shared_binaries_find_the_per_world_optimum_on_exact_curves(risk):
    """Pwl curves scaled per world keep their spends: the shared grid is exact, so both models are."""
    sc = load(_s_shaped(risk, PWL_S))
    shared, shared_bins = _solve(sc, True)
    apart, apart_bins = _solve(sc, False)
    assert shared.verified and apart.verified
    assert shared.risk[risk] == pytest.approx(apart.risk[risk], rel=1e-7)
    assert shared.risk["model"] == pytest.approx(shared.risk[risk], rel=1e-9)  # exact: the model is the truth
    assert shared_bins < apart_bins  # one set of piece binaries per channel, not one per world


@pytest.mark.parametrize("risk", ["mean", "cvar"])
def test_shared_binaries_match_the_per_world_model_on_hill_curves(risk):
    """S-shaped hill curves, half scaled per world: both models are within the pieces' accuracy."""
    sc = load(_s_shaped(risk, {"type": "hill", "half": 500, "shape": 2.5}))
    shared, shared_bins = _solve(sc, True)
    apart, apart_bins = _solve(sc, False)
    assert shared.verified and apart.verified and shared_bins < apart_bins
    reach_scale = sum(w for w in [100.0] * 4)  # four cells of 100 people, weight 1
    assert shared.risk[risk] == pytest.approx(apart.risk[risk], abs=3 * sc.solver.accuracy * reach_scale)
