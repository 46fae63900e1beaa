"""Properties every solve must have, on random small scenarios (hypothesis).

Comparisons between two solves use the MILP's own objective (``model_objective``) when
curves are approximated by pieces: with ``max_spend`` given the pieces are the same in
both solves, so the model optimum must move monotonically even where the true value
of the chosen plan may wobble within the approximation.  With exact curves the true
objective is compared as well.
"""

from __future__ import annotations

import copy
import os

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from channelmix.reports.wording import plan_message
from channelmix.schema import ScenarioError
from channelmix.solve.pipeline import solve_scenario
from channelmix.verify.verifier import verify
from helpers import ALL_SENSES, EXACT_CURVES, load, random_scenario

ALL_CURVES = ("constant", "linear", "pwl", "pwl_s", "saturating", "hill")
EXAMPLES = int(os.environ.get("CHANNELMIX_EXAMPLES", "30"))  # raise for a deeper run
PROFILE = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def scenarios(draw, curves=ALL_CURVES, senses=ALL_SENSES, omit_max_spend=0.3,
              omit_for=("linear", "pwl", "saturating", "hill"), max_channels=5):
    rng = draw(st.randoms(use_true_random=False))
    return random_scenario(rng, max_channels=max_channels, curves=curves, senses=senses, omit_max_spend=omit_max_spend,
                           omit_for=omit_for)


def solved_or_skip(d: dict):
    """Validate and solve; hypothesis discards scenarios the schema rejects."""
    try:
        scenario = load(d)
    except ScenarioError:
        assume(False)
    return scenario, solve_scenario(scenario)


def tol(*values: float) -> float:
    # HiGHS' default absolute MIP gap (1e-6) and feasibility tolerances, plus tie-break slack
    return 3e-6 * max([1.0, *(abs(v) for v in values)]) + 1e-6


def better_or_equal(a: float, b: float, maximise: bool) -> bool:
    """a is at least as good as b (within tolerance)."""
    return a >= b - tol(a, b) if maximise else a <= b + tol(a, b)


# ---------------------------------------------------------------- every plan is verified


@PROFILE
@given(scenarios(max_channels=6))
def test_every_returned_plan_passes_the_verifier(d: dict) -> None:
    scenario, plan = solved_or_skip(d)
    assert plan.status in ("optimal", "infeasible"), plan_message(plan)
    if plan.solved:
        assert plan.verified
        assert verify(scenario, plan) == []
        assert {c.id for c in plan.channels} == {c.id for c in scenario.channels}
        for c in plan.channels:
            assert c.spend >= 0 and (c.on or c.spend == 0)


@PROFILE
@given(scenarios(curves=EXACT_CURVES))
def test_exact_curves_model_objective_equals_true_objective(d: dict) -> None:
    """Constant, linear and pwl curves are modelled exactly: the MILP's value is the truth."""
    _, plan = solved_or_skip(d)
    if plan.solved:
        assert plan.curve_error == 0.0
        assert plan.approximation_bound in (0.0, None)  # None: 'no bound known' (hard targets)
        assert plan.objective == pytest.approx(plan.model_objective, rel=3e-6, abs=1e-6)


# ---------------------------------------------------------------- monotonicity


@PROFILE
@given(scenarios(senses=("max_reach", "max_value", "min_cost", "target"), omit_for=("linear", "pwl")),
       st.sampled_from([1.1, 1.5, 2.0, 4.0]))
def test_raising_the_budget_never_worsens_the_optimum(d: dict, factor: float) -> None:
    assume(d.get("budget") is not None)
    _, low = solved_or_skip(d)
    richer = copy.deepcopy(d)
    richer["budget"] = d["budget"] * factor
    _, high = solved_or_skip(richer)
    maximise = d["objective"]["sense"] in ("max_reach", "max_value")
    if low.solved:
        assert high.solved, f"budget {d['budget']} is feasible but {richer['budget']} is {high.status}"
        assert better_or_equal(high.model_objective, low.model_objective, maximise)
        if high.approximation_bound == 0 and low.approximation_bound == 0:
            assert better_or_equal(high.objective, low.objective, maximise)
        elif maximise:
            # the true value of a plan is at least its model value, which is at most the true value + the bound
            assert high.objective >= low.model_objective - tol(low.model_objective)


def _solve_free_and_forced(d: dict, pick: int, rule: str, other: str):
    """Solve d, and d with one channel added to rules[rule] (force_on or force_off)."""
    ids = [c["id"] for c in d["channels"]]
    cid = ids[pick % len(ids)]
    assume(cid not in d["rules"].get(other, []))
    _, free = solved_or_skip(d)
    forced = copy.deepcopy(d)
    forced["rules"][rule] = sorted({*d["rules"].get(rule, []), cid})
    _, restricted = solved_or_skip(forced)
    maximise = d["objective"]["sense"] in ("max_reach", "max_value")
    if restricted.solved:
        assert free.solved, "a restriction made an infeasible scenario feasible"
        assert better_or_equal(free.model_objective, restricted.model_objective, maximise)
    return cid, free, restricted


@PROFILE
@given(scenarios(omit_for=("linear", "pwl")), st.integers(0, 10))
def test_forcing_a_channel_off_never_improves_the_optimum(d: dict, pick: int) -> None:
    cid, _, off = _solve_free_and_forced(d, pick, "force_off", "force_on")
    if off.solved:
        assert not next(c for c in off.channels if c.id == cid).on


@PROFILE
@given(scenarios(omit_for=("linear", "pwl")), st.integers(0, 10))
def test_forcing_a_channel_on_never_improves_the_optimum(d: dict, pick: int) -> None:
    cid, free, on = _solve_free_and_forced(d, pick, "force_on", "force_off")
    if on.solved:
        assert next(c for c in on.channels if c.id == cid).on
    if free.solved and next(c for c in free.channels if c.id == cid).on:
        # forcing on a channel the optimum already uses changes nothing
        assert on.solved
        assert on.model_objective == pytest.approx(free.model_objective, rel=3e-6, abs=1e-6)


# ---------------------------------------------------------------- determinism


@PROFILE
@given(scenarios(max_channels=6))
def test_solving_twice_gives_identical_plans(d: dict) -> None:
    _, first = solved_or_skip(d)
    second = solve_scenario(load(copy.deepcopy(d)))
    assert first.status == second.status
    assert [(c.id, c.on, c.spend) for c in first.channels] == [(c.id, c.on, c.spend) for c in second.channels]
    assert first.objective == second.objective
