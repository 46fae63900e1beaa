"""Explain (issue 9): baseline, marginal figures, value of each decision, loosening each
limit, alternatives and infeasibility — hand-checked cases and brute force.

Hand-checked numbers below carry their derivation; do not update them unless the
mathematics changed.
"""

from __future__ import annotations

import itertools
import random
import sys
from pathlib import Path

import highspy
import pytest

from channelmix.analysis.alternatives import alternatives
from channelmix.analysis.conflicts import Switchboard, conflict
from channelmix.analysis.explanation import explain
from channelmix.analysis.limits import limit_of, with_limit
from channelmix.reports.documents import conflict_document, explanation_document, plan_document, why_words
from channelmix.reports.wording import repair_words
from channelmix.schema import ScenarioError
from channelmix.solve.duals import fixed_lp_duals
from channelmix.solve.pipeline import solve_from, solve_scenario
from channelmix.verify.baseline import compare

sys.path.insert(0, str(Path(__file__).parent))
from helpers import EXACT_CURVES, channel, load, random_scenario, scenario  # noqa: E402
from test_brute_force import Model, subset_value  # noqa: E402

ROOT = Path(__file__).parents[1]


# ---------------------------------------------------------------- marginal figures


def test_linear_marginal_is_slope_times_cell_weights():
    # aware has phase weight 2: cells weigh 200, 200 (aware) and 100, 100 (buy) = 600;
    # slope 0.001 → 0.6 per unit of spend; the next 100 buys 60; customers touched at
    # 500: reach 0.5 × (100 + 100) = 100, cost per customer 500 / 100 = 5.
    sc = load(scenario(phases=[{"id": "aware", "weight": 2}, "buy"], budget=500))
    e = explain(sc, alternatives=0)
    (a,) = e.channels
    assert a.on and a.spend == pytest.approx(500)
    assert a.marginal.reach_per_unit == pytest.approx(0.6, rel=1e-6)
    assert a.marginal.objective_per_unit == pytest.approx(0.6, rel=1e-6)
    assert a.marginal.step_objective == pytest.approx(60, rel=1e-9)
    assert a.marginal.cost_per_customer == pytest.approx(5, rel=1e-9)


def test_marginal_respects_the_coverage_cap():
    # a (slope 0.001, every cell) and b (slope 0.004, aware only, ≤ 250), budget 600.
    # With t on b: aware cells min(1, 0.6 + 0.003 t) saturate at t = 400/3; buy cells
    # get 0.001 (600 − t). Optimum t = 400/3: 200 + 200 × 0.001 × 1400/3 = 880/3.
    # At the optimum the aware cells are full, so a's next unit reaches buy cells only:
    # 200 × 0.001 = 0.2 per unit. Forced off, b: a alone 0.001 × 600 × 400 = 240, lost
    # 160/3; forced off, a: b alone at 250 covers the aware cells, 200, lost 280/3.
    d = scenario(budget=600, channels=[channel("a"), channel("b", {"type": "linear", "slope": 0.004}, {"aware": 1.0},
                                                         max_spend=250)])
    e = explain(load(d), alternatives=0)
    assert e.objective == pytest.approx(880 / 3, rel=1e-6)
    a, b = e.channels
    assert a.marginal.reach_per_unit == pytest.approx(0.2, rel=1e-3)
    assert b.value_if_forced_off == pytest.approx(160 / 3, rel=1e-6)
    assert a.value_if_forced_off == pytest.approx(280 / 3, rel=1e-6)
    assert a.verdict == b.verdict == "worse"


def test_marginal_of_max_outcome_is_value_times_slope():
    # max_outcome, saturating curves f(s) = 1 − exp(−s/k): a (value 10, k 500), b (value 5, k 300),
    # budget 1000. At the optimum the marginals are equal, 10 e^(−sa/500)/500 = 5 e^(−sb/300)/300,
    # with sa + sb = 1000: sa = (1000·500 + 500·300·ln(10·300/(5·500))) / 800 (hand-solved).
    # The next unit buys outcome (not money, not capped reach): value × f'(s).
    import math

    sa = (1000 * 500 + 500 * 300 * math.log(10 * 300 / (5 * 500))) / 800
    d = scenario(budget=1000, objective={"sense": "max_outcome"},
                 channels=[channel("a", {"type": "saturating", "scale": 500}, outcome={"value": 10}),
                           channel("b", {"type": "saturating", "scale": 300}, outcome={"value": 5})])
    e = explain(load(d), alternatives=0)
    a, b = e.channels
    assert a.spend == pytest.approx(sa, rel=1e-4)
    slope = 10 * math.exp(-sa / 500) / 500
    assert a.marginal.objective_per_unit == pytest.approx(slope, rel=1e-4)
    assert b.marginal.objective_per_unit == pytest.approx(slope, rel=1e-3)
    step = 10 * (math.exp(-sa / 500) - math.exp(-(sa + 100) / 500))
    assert a.marginal.step_objective == pytest.approx(step, rel=1e-4)


# ---------------------------------------------------------------- shadow prices, both senses


def _duals(d):
    sc = load(d)
    plan, values = solve_from(sc)
    return plan, fixed_lp_duals(sc, values)


def test_budget_shadow_price_on_a_maximisation():
    # max 400 × 0.001 × s with s ≤ 500: objective 200, d objective / d budget = +0.4
    plan, duals = _duals(scenario(budget=500))
    assert plan.objective == pytest.approx(200)
    assert duals["budget"].binding
    assert duals["budget"].shadow_price == pytest.approx(0.4, rel=1e-9)
    (budget,) = [x for x in explain(load(scenario(budget=500)), alternatives=0).limits if x.kind == "budget"]
    assert budget.worth_per_unit == pytest.approx(0.4, rel=1e-6) and budget.step == pytest.approx(5)


def test_budget_shadow_price_on_a_minimisation():
    # min s + 2000 × shortfall of (aware, young) below 0.5, reach 0.001 s, s ≤ budget 300:
    # each unit costs 1 and saves 2, so s = 300 and cost 300 + 2000 × 0.2 = 700;
    # d objective / d budget = 1 − 2 = −1 (more budget, lower cost): worth +1 per unit
    d = scenario(budget=300, objective={"sense": "min_cost"},
                 rules={
                     "coverage": {"phase": "aware", "segment": "young", "target": 0.5, "hard": False, "penalty": 2000}})
    plan, duals = _duals(d)
    assert plan.objective == pytest.approx(700)
    assert duals["budget"].shadow_price == pytest.approx(-1.0, rel=1e-9)
    (budget,) = [x for x in explain(load(d), alternatives=0).limits if x.kind == "budget"]
    assert budget.shadow_price == pytest.approx(-1.0, rel=1e-9)
    assert budget.worth_per_unit == pytest.approx(1.0, rel=1e-6)  # 3 more budget saves 3


def test_coverage_target_shadow_price_on_a_minimisation():
    # min s with 0.001 s ≥ 0.3 in one cell: cost 300, d cost / d target = +1000
    d = scenario(budget=None, objective={"sense": "min_cost"},
                 rules={"coverage": {"phase": "aware", "segment": "young", "target": 0.3}})
    plan, duals = _duals(d)
    assert plan.objective == pytest.approx(300)
    assert duals["target_0"].shadow_price == pytest.approx(1000, rel=1e-9)
    (target,) = [x for x in explain(load(d), alternatives=0).limits if x.kind == "coverage_target"]
    assert target.worth_per_unit == pytest.approx(1000, rel=1e-6)  # lowering it 0.01 saves 10


# ---------------------------------------------------------------- the value of each decision


def test_township_word_of_mouth_is_a_tie_in_plain_words():
    e = explain(load_file("township-bakery"), alternatives=0)
    wom = next(c for c in e.channels if c.id == "word_of_mouth")
    forced = wom.value_if_forced_on if not wom.on else wom.value_if_forced_off
    assert abs(forced) <= e.tolerance and wom.verdict == "tie"
    assert "tie" in why_words(e, wom) and "equally good" in why_words(e, wom)
    assert all(c.verdict in ("worse", "tie", "impossible") for c in e.channels)
    # the current plan of the file is scored: its own stall takes more than 45 % of the spend
    assert e.baseline is not None and not e.baseline.feasible
    assert any("concentration own_stall" in str(v) for v in e.baseline.violations)
    assert e.baseline.uplift > 0


def load_file(stem: str):
    from channelmix import load as load_path

    return load_path(ROOT / "scenarios" / f"{stem}.yaml")


# ---------------------------------------------------------------- baseline


def test_current_plan_equal_to_the_optimum_has_no_uplift():
    sc = load(
        scenario(budget=600,
                 channels=[channel("a"),
                           channel("b", {"type": "linear", "slope": 0.004}, {"aware": 1.0}, max_spend=250)]))
    plan = solve_scenario(sc)
    now = sc.model_copy(update={"current": {c.id: c.spend for c in plan.channels if c.on}})
    base = compare(now, plan)
    assert base.feasible and base.violations == []
    assert base.uplift == pytest.approx(0, abs=1e-9)
    assert plan_document(solve_scenario(now))["baseline"]["uplift"] == pytest.approx(0, abs=1e-6)


def test_current_plan_that_breaks_a_rule_is_named():
    d = scenario(budget=500, channels=[channel("a"), channel("b")], rules={"excludes": [["a", "b"]]})
    d["current"] = {"a": 400, "b": 300}
    plan = solve_scenario(load(d))
    base = plan_document(plan)["baseline"]
    assert base["feasible"] is False
    assert any(v.startswith("budget") for v in base["violations"]) and any("excludes a × b" in v
                                                                           for v in base["violations"])
    assert base["cost"] == pytest.approx(700) and base["uplift"] == pytest.approx(plan.objective - base["objective"])
    assert plan_document(solve_scenario(load(scenario())))["baseline"] is None


# ---------------------------------------------------------------- alternatives vs brute force


def _all_mixes(d: dict) -> list[tuple[tuple[bool, ...], float]]:
    m = Model(d)
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    out = []
    for on in itertools.product((False, True), repeat=m.n):
        if m.subset_ok(on) and (value := subset_value(m, on, highs)) is not None:
            out.append((on, value))
    return out


def _tiny_scenarios(count: int, first_seed: int):
    """Random tiny scenarios (≤ 4 channels, exact curves) the schema accepts, with at least
    two feasible mixes: ``count`` of them."""
    found, seed = 0, first_seed
    while found < count:
        d = random_scenario(random.Random(seed), max_channels=4, curves=EXACT_CURVES)
        d["objective"]["tie_break"] = False
        seed += 1
        try:
            sc = load(d)
        except ScenarioError:
            continue  # provably impossible bounds: nothing to enumerate
        mixes = _all_mixes(d)
        if len(mixes) >= 2:
            found += 1
            yield sc, mixes


@pytest.mark.parametrize("first_seed", [1000, 2000, 3000])
def test_alternatives_match_brute_force(first_seed: int):
    for sc, mixes in _tiny_scenarios(5, first_seed):
        best = solve_scenario(sc)
        sign = -1 if sc.objective.maximises else 1
        want = sorted((v for _, v in mixes), key=lambda v: sign * v)
        found = alternatives(sc, best, k=len(mixes) + 3, tolerance=None)  # more than exist: all of them, no more
        assert len(found) == len(mixes) - 1
        sets = [tuple(c.on for c in p.channels) for p in [best, *found]]
        assert len(set(sets)) == len(sets) and set(sets) <= {on for on, _ in mixes}
        assert all(p.verified for p in found)
        values = [p.objective for p in found]
        assert values == sorted(values, key=lambda v: sign * v)
        assert [best.objective, *values] == pytest.approx(want, rel=1e-6, abs=1e-6)
        # within 5 %: exactly the mixes brute force puts within 5 % of the optimum
        near = alternatives(sc, best, k=len(mixes), tolerance=0.05)
        room = 0.05 * abs(want[0]) + 1e-6 * max(1.0, abs(want[0]))
        assert len(near) == sum(1 for v in want[1:] if sign * (v - want[0]) <= room)


# ---------------------------------------------------------------- infeasibility


def _needs_budget(budget: float) -> dict:
    # every cell needs coverage 0.6 from a (slope 0.001, fixed cost 120): B* = 600 + 120 = 720
    return scenario(budget=budget, channels=[channel("a", fixed_cost=120)], rules={"coverage": {"target": 0.6}})


def _minimal(sc, found) -> None:
    board = Switchboard(sc, 10.0)
    for name in board.rules:
        if name not in found.names:
            board.switch(name, False)
    assert not board.feasible()
    for name in found.names:
        board.switch(name, False)
        assert board.feasible(), f"dropping {name} alone should make the rest feasible"
        board.switch(name, True)


def test_repair_names_the_exact_budget_needed():
    sc = load(_needs_budget(500))
    found = conflict(sc)
    assert found is not None and found.minimal
    _minimal(sc, found)
    assert "budget" in found.names and len(found.names) == 2  # the budget and one cell's target
    repair = next(r for r in found.repairs if r.name == "budget")
    assert repair.to == pytest.approx(720, rel=1e-4) and repair.verified
    assert "budget must be at least 720" in repair_words(repair)
    target = next(r for r in found.repairs if r.name.startswith("target_"))
    assert target.to == pytest.approx(0.38, rel=1e-4)  # (500 − 120) × 0.001
    for r in found.repairs:
        moved = with_limit(sc, limit_of(sc, r.name), r.to)
        assert solve_scenario(moved).solved, r


@pytest.mark.parametrize("seed", range(40))
def test_conflicts_are_minimal_and_repairs_work(seed: int):
    d = random_scenario(random.Random(5000 + seed), max_channels=4, curves=EXACT_CURVES, rule_p=0.7)
    d["objective"]["tie_break"] = False
    try:
        sc = load(d)
    except ScenarioError:  # the schema may reject provably impossible bounds
        return
    if solve_scenario(sc).status != "infeasible":
        return
    found = conflict(sc)
    assert found is not None
    _minimal(sc, found)
    for r in found.repairs:
        if r.to is not None:
            assert r.verified, r
            assert solve_scenario(with_limit(sc, limit_of(sc, r.name), r.to)).solved, r


def test_explain_reports_the_conflict_of_an_infeasible_scenario():
    e = explain(load(_needs_budget(500)))
    assert e.status == "infeasible" and conflict_document(e.conflict)["minimal"] is True
    assert any(r["change"] == "budget must be at least 720" for r in conflict_document(e.conflict)["repairs"])


def test_reports_of_an_infeasible_explanation_name_the_conflict_and_repairs():
    from channelmix.reports import plan_html, plan_markdown

    e = explain(load(_needs_budget(500)))
    plan = {**plan_document(e.plan), "explain": explanation_document(e)}
    md = plan_markdown(plan)
    assert "## Why no plan exists" in md and "Repair: the budget must be at least 720" in md
    html = plan_html(plan)
    assert 'id="conflict"' in html and "budget must be at least 720" in html


def test_twin_channels_are_ties_in_decisions_and_alternatives():
    # a and b are the same channel and only one may run: either is the optimum (400 × 0.5 = 200)
    d = scenario(budget=500, channels=[channel("a"), channel("b")], rules={"cardinality": {"max": 1}})
    e = explain(load(d), alternatives=3, within=0.05)
    off = next(c for c in e.channels if not c.on)
    assert off.verdict == "tie" and off.value_if_forced_on == pytest.approx(0, abs=1e-6)
    assert len(e.alternatives) == 1  # the other twin; the empty mix (0) is not within 5 %
    (alt,) = e.alternatives
    assert (alt.tie and alt.objective == pytest.approx(200)
            and alt.differs == [f"+{off.id}", f"-{next(c.id for c in e.channels if c.on)}"])


def test_repair_of_hours_names_the_hours_needed():
    # coverage 0.6 needs spend 600; hours used: 5 fixed + 0.01 × 600 = 11 > 8
    d = scenario(budget=5000, resources={"hours": 8},
                 channels=[channel("a", uses={"hours": {"fixed": 5, "per_unit": 0.01}})],
                 rules={"coverage": {"target": 0.6}})
    found = conflict(load(d))
    repair = next(r for r in found.repairs if r.name == "resource_0")
    assert repair.to == pytest.approx(11, rel=1e-6) and repair.verified
    assert repair_words(repair) == "resource hours must be at least 11"
    target = next(r for r in found.repairs if r.name.startswith("target_"))
    assert target.to == pytest.approx(0.3, rel=1e-6)  # (8 − 5) / 0.01 = 300 of spend → 0.3
    assert repair_words(target) == "coverage target of rules.coverage[0] (4 cells) must be at most 0.3"


def test_repair_of_a_share_rule_by_bisection():
    # a is forced on at ≥ 500, b can take at most 100: a's share is at least 500 / 600 = 5/6,
    # so no concentration limit below 5/6 can hold
    d = scenario(budget=1000, channels=[channel("a", min_spend=500), channel("b", max_spend=100)],
                 rules={"force_on": ["a"], "concentration": {"max_share": 0.4}})
    found = conflict(load(d))
    _minimal(load(d), found)
    repair = next(r for r in found.repairs if r.name.startswith("concentration_"))
    assert repair.to == pytest.approx(5 / 6, abs=1e-6) and repair.to >= 5 / 6 and repair.verified
    assert repair_words(repair) == "concentration (largest share of spend) must be at least 0.8334"
