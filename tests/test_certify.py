"""Certificates for "optimal" and "infeasible" (issue #22): a deliberately mis-scaled model (the
solver given the user's units, channelmix.solve.scaling.identity, as before the fix) returns a
worse plan or a false "infeasible", and the pipeline refuses to call it optimal or infeasible;
the certificate's parts on hand-made plans; the second look before "infeasible"; the
verifier's bound between the MILP's objective and the real curves'.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from channelmix.formulate import formulate
from channelmix.formulate.periods import formulate_periods
from channelmix.model.curves import Pieces
from channelmix.reports.wording import plan_message
from channelmix.schema import load as load_file
from channelmix.schema.expand import derive
from channelmix.solve import scaling
from channelmix.solve.passes import recheck_infeasible, solve
from channelmix.solve.pipeline import solve_formulated, solve_from, solve_scenario
from channelmix.verify.certify import CertificateError, ModelCurves, Rival, certify_optimal, free_rivals, model_value
from channelmix.verify.verifier import VerificationError, verify
from helpers import channel, load, scenario
from money_scale import scale_money

ROOT = Path(__file__).parents[1]
DRAWS = Path(__file__).parent / "data" / "robust_scale"


# ---------------------------------------------------------------- a mis-scaled model is caught


@pytest.mark.parametrize("risk", ["mean", "worst", "cvar"])
def test_a_mis_scaled_robust_model_is_refused_by_the_risk_neutral_plan(risk: str) -> None:
    """In the user's units the robust repro's solver rejects its own best plans (rows of 3e8 held
    to 1e-9): worst/cvar came back "optimal" at zero spend, mean at 1.09e8. The risk-neutral plan,
    the model's first incumbent, is worth more on the model's own pieces: not optimal."""
    case = derive(load_file(DRAWS / "raw.yaml"), {"objective.risk": risk}).scenario
    with scaling.policy(scaling.identity), pytest.raises(CertificateError) as caught:
        solve_scenario(case)
    assert "the risk-neutral plan is worth" in str(caught.value) and "is not optimal" in str(caught.value)
    assert solve_scenario(case).verified  # in the solver's own units: certified


def _bakery(k: float) -> dict:
    data = yaml.safe_load((ROOT / "scenarios" / "township-bakery.yaml").read_text(encoding="utf-8"))
    data["variants"] = []
    return scale_money(data, k)


def test_a_false_infeasible_is_refused_when_todays_plan_keeps_every_rule() -> None:
    """The bakery × 1e6 in the user's units read "infeasible" (slopes of 1e-10 ignored by HiGHS).
    With today's plan set to the bakery's own optimum (scaled), that plan refutes it."""
    right = solve(formulate(load(_bakery(1.0))))  # the MILP's own spends: they keep the rules on its pieces
    data = _bakery(1e6)
    data["current"] = {cid: s * 1e6 for cid, s in right.spend.items() if right.on[cid]}
    sc = load(data)
    with scaling.policy(scaling.identity), pytest.raises(CertificateError) as caught:
        solve_scenario(sc)
    assert "is not infeasible" in str(caught.value) and "today's plan keeps every hard rule" in str(caught.value)
    plan = solve_scenario(sc)
    assert plan.status == "optimal" and plan.verified


def test_a_worse_plan_than_one_the_pipeline_has_is_not_called_optimal() -> None:
    """The six months × 1e5 in the user's units came back "optimal" 8 % short (the stall's plan
    rejected for violations of 7.5e-9 on rows of 4e8). Given the right plan as a rival (as a
    sweep's previous step would be), the pipeline refuses to call the worse one optimal; today's
    plan and every channel off alone cannot refute it (both are worth less)."""
    data = yaml.safe_load((ROOT / "scenarios" / "township-bakery-6-months.yaml").read_text(encoding="utf-8"))
    data["variants"] = []
    sc = load(scale_money(data, 1e5))
    right, values = solve_from(sc)
    assert right.verified and right.objective == pytest.approx(144_488.85, rel=1e-6)
    with scaling.policy(scaling.identity):
        worse, _ = solve_formulated(sc, formulate_periods(sc), rivals=free_rivals(sc))
        assert worse.status == "optimal" and worse.objective < 0.95 * right.objective  # the false optimum, unrefuted
        # the right plan's decisions, as the solver left them (a sweep's next step starts from them)
        f = formulate_periods(sc)
        on = {key: values[x.name] > 0.5 for key, x in f.on.items()}
        step = Rival("the previous step", on, {key: values[f.spend[key].name] if on[key] and key in f.spend else 0.0
                                               for key in f.on})
        with pytest.raises(CertificateError) as caught:
            solve_formulated(sc, formulate_periods(sc), rivals=free_rivals(sc, [step]))
    assert "the previous step is worth 144431" in str(caught.value)


# ---------------------------------------------------------------- the certificate's parts


def _two_channels(**overrides) -> dict:
    return scenario(channels=[channel("a", {"type": "linear", "slope": 0.002}, {"aware": 1.0}, max_spend=600),
                              channel("b", {"type": "linear", "slope": 0.001}, {"buy": 1.0}, max_spend=900,
                                      spend_step=100)],
                    **overrides)


def test_a_rival_above_the_claimed_optimum_refutes_it() -> None:
    sc = load(_two_channels())
    plan = solve_scenario(sc)  # a: 500 (both aware cells full), b: 500 (both buy cells half): 200 + 100
    claimed = dataclasses.replace(plan, model_objective=plan.model_objective - 10.0, gap=0.0)
    rival = Rival("the test's plan", {c.id: c.on for c in plan.channels}, {c.id: c.spend for c in plan.channels})
    with pytest.raises(CertificateError, match="the test's plan is worth"):
        certify_optimal(sc, claimed, [rival], ModelCurves())
    certify_optimal(sc, plan, [rival], ModelCurves())  # the true claim stands
    within_gap = dataclasses.replace(claimed, gap=0.1)  # 10 below 300 is within a gap of 10 %
    certify_optimal(sc, within_gap, [rival], ModelCurves())


def test_a_plan_the_model_cannot_take_proves_nothing() -> None:
    sc = load(_two_channels())
    curves = ModelCurves()
    # step 100
    assert model_value(sc, Rival("off the grid", {"a": True, "b": True}, {"a": 500.0, "b": 450.0}), curves) is None
    # max_spend 600
    assert model_value(sc, Rival("over a cap", {"a": True, "b": False}, {"a": 700.0, "b": 0.0}), curves) is None
    # budget 1000
    assert model_value(sc, Rival("over budget", {"a": True, "b": True}, {"a": 600.0, "b": 500.0}), curves) is None
    assert model_value(sc, Rival("fine", {"a": True, "b": True}, {"a": 500.0, "b": 500.0}),
                       curves) == pytest.approx(300.0)


def test_a_rival_is_scored_on_the_models_pieces() -> None:
    """A saturating curve under its pieces: the rival's value is the pieces', not the curve's."""
    sc = load(scenario(channels=[channel("a", {"type": "saturating", "scale": 300}, {"*": 1.0}, max_spend=900)]))
    f = formulate(sc)
    pieces: Pieces = f.curve_pieces["a"]
    rival = Rival("between breakpoints", {"a": True}, {"a": 500.0})
    assert model_value(sc, rival, ModelCurves(dict(f.curve_pieces))) == pytest.approx(400 * pieces.value(500.0))
    assert model_value(sc, rival, ModelCurves()) > model_value(sc, rival, ModelCurves(dict(f.curve_pieces)))


def test_the_free_rivals_are_todays_plan_and_every_channel_off() -> None:
    sc = load(_two_channels(current={"a": 300}))
    names = [r.name for r in free_rivals(sc, [Rival("the warm start", {}, {})])]
    assert names == ["today's plan", "every channel off", "the warm start"]
    today = free_rivals(sc)[0]
    assert today.on == {"a": True, "b": False} and today.spend == {"a": 300.0, "b": 0.0}


# ---------------------------------------------------------------- a second look before "infeasible"


def test_infeasible_is_confirmed_by_the_lp_relaxation_or_a_feasibility_solve() -> None:
    money_short = load(scenario(budget=100, rules={"coverage": {"target": 0.9, "hard": True}}))  # 0.9 needs 900
    f = formulate(money_short)
    assert solve(f).status == "infeasible"
    assert recheck_infeasible(f, 10.0) == "relaxation"
    # integral only: a must run (force_on) and may not (excludes with a forced b): the LP relaxes x to ½
    logic = _two_channels(rules={"force_on": ["b"], "requires": [["b", "a"]], "excludes": [["a", "b"]]})
    f = formulate(load(logic))
    assert solve(f).status == "infeasible"
    assert recheck_infeasible(f, 10.0) in ("relaxation", "feasibility")
    feasible = formulate(load(_two_channels()))
    assert recheck_infeasible(feasible, 10.0) == "found"  # a model with a plan is no infeasible one
    assert solve(feasible).status == "optimal"  # and the model is left as it was


def test_an_infeasible_plan_names_only_confirmed_relaxations() -> None:
    plan = solve_scenario(load(scenario(budget=100, rules={"coverage": {"target": 0.9, "hard": True}})))
    assert plan.status == "infeasible"
    assert ("Dropping any one of these would make it feasible: the budget (100); the hard coverage targets."
            in plan_message(plan))


# ---------------------------------------------------------------- the MILP's objective against the real curves


def test_the_verifier_holds_the_plan_within_the_gap_and_the_bound_of_the_models_optimum() -> None:
    sc = load(_two_channels())
    plan = solve_scenario(sc)
    assert plan.approximation_bound == 0.0 and verify(sc, plan) == []
    # the real curves give 10 % more: impossible
    low = dataclasses.replace(plan, model_objective=plan.objective * 0.9, gap=0.0)
    problems = verify(sc, low)
    assert [p.rule for p in problems] == ["model objective"] and "approximation bound" in problems[0].detail
    assert verify(sc, dataclasses.replace(low, approximation_bound=0.2 * plan.objective)) == []


def test_a_certificate_error_is_a_verification_error() -> None:
    assert issubclass(CertificateError, VerificationError)
