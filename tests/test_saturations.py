"""PyMC-Marketing's saturations as response types (schema.saturations): exact values against
PyMC-Marketing's published formulas (evidence.pymc_math, written separately), derivatives,
pieces that stay under the curve within the accuracy, worlds of single samples, tables, and a
plan at least as good as SLSQP's best on the exact curves."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize

from channelmix.evidence.pymc_math import SATURATIONS
from channelmix.model.curves import pieces
from channelmix.model.worlds import worlds_of
from channelmix.schema import ScenarioError, validate
from channelmix.schema.responses import reach
from channelmix.solve.pipeline import solve_scenario

PARAMS = {"logistic": {"lam": (0.5, 4.0), "beta": (0.1, 0.6)},
          "inverse_scaled_logistic": {"lam": (0.2, 2.0), "beta": (0.1, 0.6)},
          "tanh": {"b": (0.2, 1.0), "c": (0.5, 3.0)}, "michaelis_menten": {"alpha": (0.5, 2.0), "lam": (0.1, 1.5)},
          "hill_saturation": {"slope": (0.7, 3.5), "kappa": (0.2, 1.5), "beta": (0.2, 1.0)}}
PYMC_NAME = {"hill_saturation": "hill"}
TARGET, SCALE = 5000.0, 2000.0


def _curve(kind: str, samples: int, adstock_first: bool,
           seed: int = 1) -> tuple[dict, dict[str, np.ndarray], np.ndarray]:
    rng = np.random.default_rng(seed)
    params = {k: rng.uniform(lo, hi, samples) for k, (lo, hi) in PARAMS[kind].items()}
    total = rng.uniform(1.0, 2.5, samples)  # an unnormalised adstock's Σw per sample
    response = {"type": kind, "channel_scale": SCALE, "adstock_sum": list(total), "adstock_first": adstock_first,
                **{k: list(v) for k, v in params.items()}}
    return response, params, total


def _scenario(channels: list[dict], budget: float, **top) -> dict:
    return {"scenario": "mmm", "phases": ["p"], "segments": ["g"], "budget": budget, "channels": channels,
            "objective": {"sense": "max_outcome"}, **top}


def _outcome_value(response: dict) -> float:
    curve = validate(_scenario([{"id": "a", "response": response, "outcome": {"value": 1.0}}],
                               1.0)).scenario.channels[0].response
    return TARGET * curve.ceiling


@pytest.mark.parametrize("adstock_first", [True, False])
@pytest.mark.parametrize("kind", list(PARAMS))
def test_the_curve_is_the_mean_of_pymc_marketings_formula_over_samples(kind, adstock_first):
    response, params, total = _curve(kind, 40, adstock_first)
    value = _outcome_value(response)
    channel = validate(_scenario([{"id": "a", "response": response, "outcome": {"value": value}}],
                                 1.0)).scenario.channels[0]
    formula = SATURATIONS[PYMC_NAME.get(kind, kind)].function
    for spend in (0.0, 17.3, 311.0, 1999.0, 5432.1, 40000.0):
        u = spend / SCALE
        expected = TARGET * np.mean(formula(u * total, params) if adstock_first else total * formula(u, params))
        assert channel.outcome.value * reach(channel.response, spend) == pytest.approx(expected, rel=1e-12, abs=1e-9)


@pytest.mark.parametrize("kind", list(PARAMS))
def test_slopes_and_curvature_are_the_derivatives(kind):
    response, _, _ = _curve(kind, 25, True)
    curve = validate(_scenario([{"id": "a", "response": response, "outcome": {"value": 1.0}}],
                               1.0)).scenario.channels[0].response
    s = np.array([50.0, 700.0, 2500.0, 9000.0])
    h = 1e-5 * s
    assert curve.values(s, 1) == pytest.approx((curve.values(s + h) - curve.values(s - h)) / (2 * h), rel=1e-5)
    assert curve.values(s, 2) == pytest.approx((curve.values(s + h, 1) - curve.values(s - h, 1)) / (2 * h), rel=1e-4,
                                               abs=1e-15)


@pytest.mark.parametrize("accuracy", [0.005, 1e-4])
@pytest.mark.parametrize("kind", list(PARAMS))
def test_pieces_stay_under_the_curve_within_the_accuracy(kind, accuracy):
    """Chords where concave, tangents where convex: g ≤ f everywhere and f − g ≤ accuracy · f(cap),
    also for a mixture of S-shaped and concave Hill samples (several changes of curvature)."""
    response, _, _ = _curve(kind, 30, True, seed=4)
    curve = validate(_scenario([{"id": "a", "response": response, "outcome": {"value": 1.0}}],
                               1.0)).scenario.channels[0].response
    cap = 12000.0
    p = pieces(curve, cap, accuracy)
    grid = np.unique(np.concatenate([np.linspace(0, cap, 40001), np.geomspace(1e-3, cap, 4000), p.xs]))
    gap = curve.values(grid) - np.interp(grid, p.xs, p.ys)
    assert gap.min() >= -1e-12
    assert gap.max() <= accuracy * reach(curve, cap) + 1e-12 and gap.max() <= p.max_error + 1e-12
    assert not p.exact and p.ys[0] == 0.0


def test_a_hill_mixture_with_several_bends_is_pieced_by_its_bends():
    response = {"type": "hill_saturation", "channel_scale": 100.0, "slope": [1.2, 3.0], "kappa": [0.05, 2.0],
                "beta": [1.0, 1.0]}
    curve = validate(_scenario([{"id": "a", "response": response, "outcome": {"value": 1.0}}],
                               1.0)).scenario.channels[0].response
    bends, convex = curve.bends(1000.0)
    assert len(bends) == 3 and convex  # convex, concave, convex, concave
    for x in bends:
        assert abs(curve.values([x], 2)[0]) <= 1e-9 * abs(curve.values([x / 2], 2)[0]) + 1e-18


def test_each_sample_world_is_that_sample_alone():
    response, params, total = _curve("logistic", 12, True)
    value = _outcome_value(response)
    scenario = validate(_scenario([{"id": "a", "response": response, "outcome": {"value": value}}], 1000.0,
                                  worlds={"samples": {"count": "all"}})).scenario
    worlds = worlds_of(scenario)
    assert len(worlds) == 13
    for i, world in enumerate(worlds[1:]):
        ch = world.channels[0]
        one = {k: v[i:i + 1] for k, v in params.items()}
        assert ch.outcome.value * reach(ch.response, 900.0) == pytest.approx(
            TARGET * SATURATIONS["logistic"].function(900.0 / SCALE * total[i:i + 1], one)[0], rel=1e-12)


def test_sample_worlds_need_curves_with_equal_sample_counts():
    a, _, _ = _curve("logistic", 12, True)
    b, _, _ = _curve("tanh", 10, True)
    with pytest.raises(ScenarioError) as caught:
        validate(_scenario([{"id": "a", "response": a, "outcome": {"value": 1.0}},
                            {"id": "b", "response": b, "outcome": {"value": 1.0}}],
                           1000.0, worlds={"samples": {"count": "all"}}))
    assert "worlds.samples: the curves hold different numbers of posterior samples (a 12, b 10)" in str(caught.value)
    with pytest.raises(ScenarioError) as caught:
        validate(_scenario([{"id": "a", "response": a, "outcome": {"value": 1.0}}], 1000.0,
                           worlds={"samples": {"count": 13}}))
    assert "worlds.samples.count: is 13, but the curves hold 12 posterior samples" in str(caught.value)


@pytest.mark.parametrize("response, message", [
    ({"type": "logistic", "channel_scale": 100, "lam": [1, 2], "beta": [0.3, 0.2, 0.1]},
     "different numbers of samples (lam 2, beta 3)"),
    ({"type": "logistic", "channel_scale": 100, "lam": [1, -2], "beta": 1},
     "response.lam: sample 1: got -2, must be above 0"),
    ({"type": "tanh", "channel_scale": 100, "b": "x", "c": 1},
     "response.b: got 'x', expected a number or a list of numbers"),
    ({"type": "logistic", "channel_scale": 1e-9, "lam": 1, "beta": 1},
     "the curve jumps to full reach for almost no money"),
])
def test_bad_curves_name_the_field_and_the_fix(response, message):
    with pytest.raises(ScenarioError) as caught:
        validate(_scenario([{"id": "a", "response": response, "outcome": {"value": 1.0}}], 1.0))
    assert message in str(caught.value) and "Fix:" in caught.value.render()


def test_a_table_holds_samples_separated_by_semicolons(tmp_path):
    (tmp_path / "channels.csv").write_text("id,response_type,response_channel_scale,response_lam,response_beta,"
                                           "response_adstock_first\n"
                                           "tv,logistic,500,2;3;4,0.5;0.6;0.7,false\n", encoding="utf-8")
    raw = _scenario("channels.csv", 1000.0)
    raw["objective"] = {"sense": "max_reach"}
    curve = validate(raw, base=tmp_path).scenario.channels[0].response
    assert curve.type == "logistic" and curve.lam == (2.0, 3.0, 4.0) and curve.beta == (0.5, 0.6,
                                                                                        0.7) and not curve.adstock_first


def test_the_plan_is_at_least_slsqps_best_on_the_exact_curves():
    channels, curves = [], []
    for j, kind in enumerate(["logistic", "hill_saturation", "michaelis_menten"]):
        response, _, _ = _curve(kind, 20, j != 2, seed=10 + j)
        value = _outcome_value(response)
        channels.append({"id": f"c{j}", "response": response, "outcome": {"value": value}})
    budget = 5000.0
    scenario = validate(_scenario(channels, budget, rules={"force_on": ["c0", "c1", "c2"]})).scenario
    plan = solve_scenario(scenario)
    assert plan.verified
    curves = [(c.outcome.value, c.response) for c in scenario.channels]

    def total(x):
        return sum(v * r.values([max(s, 0.0)])[0] for (v, r), s in zip(curves, x))

    best = -np.inf
    rng = np.random.default_rng(0)
    for x0 in [np.full(3, budget / 3)] + [rng.dirichlet(np.ones(3)) * budget for _ in range(19)]:
        res = minimize(lambda x: -total(x), x0, method="SLSQP", bounds=[(0, budget)] * 3,
                       constraints=[{"type": "eq", "fun": lambda x: x.sum() - budget}],
                       options={"ftol": 1e-12, "maxiter": 500})
        if abs(res.x.sum() - budget) < 1e-6:
            best = max(best, total(np.clip(res.x, 0, budget)))
    assert plan.outcome >= best * (1 - 1e-9)
