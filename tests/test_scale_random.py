"""Issue #22, as a property: on random tiny scenarios, every money amount × k gives the same
plan, for k in 1e-2, 1e3, 1e6, 1e9.

Each scenario (helpers.random_scenario, every objective sense and rule family, in tenths of
its usual amounts so that × 1e9 stays within the supported 1e12) is first checked against
the brute force of test_brute_force.py at k = 1 (exactly modelled curves: channelmix's optimum
is the true one), then solved with its money × k: same status, same channels, spends × k,
objective unchanged (× k where it is money), to 1e-6 relative. Scenarios with saturating and
Hill curves (no brute force: their pieces) keep it too — the MILP's plan and objective to 1e-6;
the polished spends, which SLSQP settles on a flat optimum only to about the square root of
its tolerance, to 1e-4 (their objective to 1e-6, as everywhere).
"""

from __future__ import annotations

import copy
import os

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from channelmix.schema import ScenarioError
from channelmix.solve.pipeline import solve_scenario
from helpers import EXACT_CURVES, load, random_scenario
from money_scale import KS, REL, assert_scaled, objective_factor, out_of_range, scale_money
from test_brute_force import check_against_brute_force

EXAMPLES = int(os.environ.get("CHANNELMIX_EXAMPLES", "30"))
PROFILE = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
TENTH = 0.1  # the generator's amounts (budgets to 4,000, caps to 4,500) in tenths: × 1e9 keeps them within 1e12


@st.composite
def tiny(draw, curves=EXACT_CURVES):
    rng = draw(st.randoms(use_true_random=False))
    return scale_money(random_scenario(rng, max_channels=5, curves=curves), TENTH)


def _same_in_every_unit(d: dict, spends: float = REL) -> None:
    try:
        reference = solve_scenario(load(d))
    except ScenarioError:
        assume(False)
    for k in KS:
        scaled = scale_money(d, k)
        try:
            scenario = load(scaled)
        except ScenarioError as error:
            assert out_of_range(error), str(error)
            continue
        assert_scaled(reference, solve_scenario(scenario), k, objective_factor(d, k), spends)


@PROFILE
@given(tiny())
def test_brute_forced_plans_are_the_same_in_any_unit_of_money(d: dict) -> None:
    check_against_brute_force(copy.deepcopy(d))
    _same_in_every_unit(d)


@PROFILE
@given(tiny(curves=("saturating", "hill", "pwl_s", "linear", "constant")))
def test_pieced_curves_give_the_same_plan_in_any_unit_of_money(d: dict) -> None:
    _same_in_every_unit(d, spends=1e-4)
