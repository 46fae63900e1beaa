"""Each rule family changes the plan the way it should, on cases worked by hand.

The base case (``abc``): phases aware, buy × segments young, old, each cell weight 100;
budget 800.
  a: linear, slope 0.002 (full reach at 500), serves both aware cells fully
     → 0.4 weighted reach per unit of money until it saturates;
  b: linear, slope 0.001 (full reach at 1000), serves both buy cells fully
     → 0.2 per unit;  tagged digital;
  c: constant reach 0.2 when on, fixed cost 100, no spend; affinity 0.5 on
     (buy, old) only, so it adds 10 there; tagged after_sales.
Unconstrained optimum: a 500 (200), b 300 (60), c off — c's 100 would buy 20 on b
but c adds only 10 — objective 260.  Whenever a rule leaves 100 of the budget
unused, c comes on for its 10.

Spends are compared to 0.01: the tie-break pass (least money for the same
optimum) may give up 1e-6 of the objective by design.
"""

from __future__ import annotations

import pytest

from channelmix.reports.wording import plan_message
from channelmix.schema import ScenarioError
from channelmix.verify.evaluate import evaluate
from helpers import cell, channel, load, on_ids, scenario, solve, spend


def abc(budget: float = 800, rules: dict | None = None, objective: dict | None = None, **overrides) -> dict:
    return scenario(budget=budget,
                    channels=[channel("a", {"type": "linear", "slope": 0.002}, {"aware": 1.0}, max_spend=2000),
                              channel("b", {"type": "linear", "slope": 0.001}, {"buy": 1.0}, max_spend=2000,
                                      tags=["digital"], medium="digital"),
                              channel("c", {"type": "constant", "value": 0.2}, {"buy": {"old": 0.5}}, fixed_cost=100,
                                      max_spend=0, tags=["after_sales"])], rules=rules or {}, objective=objective
                    or {"sense": "max_reach"}, **overrides)


def spends(plan) -> dict[str, float]:
    """Spend of every channel that spends."""
    return {c.id: c.spend for c in plan.channels if c.spend > 1e-3}


def same(expected: dict[str, float]):
    return pytest.approx(expected, abs=1e-2)


def test_the_base_case() -> None:
    plan = solve(abc())
    assert plan.status == "optimal" and plan.verified
    assert on_ids(plan) == {"a", "b"}
    assert spends(plan) == same({"a": 500, "b": 300})
    assert plan.objective == pytest.approx(260)


# ---------------------------------------------------------------- money and other resources


@pytest.mark.parametrize("budget, a, b, objective",
                         [(300, 300, 0, 120), (500, 500, 0, 200), (800, 500, 300, 260), (2000, 500, 1000, 400)])
def test_budget_limits_the_spend(budget: float, a: float, b: float, objective: float) -> None:
    plan = solve(abc(budget))
    assert spend(plan, "a") == pytest.approx(a, abs=1e-2)
    assert spend(plan, "b") == pytest.approx(b, abs=1e-2)
    assert plan.objective == pytest.approx(objective)
    assert plan.cost <= budget + 1e-6


def test_resource_hours_limit_the_spend() -> None:
    """b needs 1 hour when on and 0.01 per unit of money; 4 hours allow b 300.
    With 2.5 hours b gets 150, and the 150 of money left buys c (+10)."""
    d = abc()
    d["resources"] = {"hours": 4}
    d["channels"][1]["uses"] = {"hours": {"fixed": 1, "per_unit": 0.01}}
    assert spend(solve(d), "b") == pytest.approx(300)
    d["resources"]["hours"] = 2.5
    plan = solve(d)
    assert spend(plan, "b") == pytest.approx(150, abs=1e-2)
    assert plan.resources["hours"]["used"] == pytest.approx(2.5)
    assert plan.objective == pytest.approx(200 + 30 + 10)
    assert on_ids(plan) == {"a", "b", "c"}
    d["resources"]["hours"] = 0.5  # not even b's fixed hour
    assert on_ids(solve(d)) == {"a", "c"}


def test_min_spend_floors_a_channel_or_turns_it_off() -> None:
    d = abc()
    d["channels"][1]["min_spend"] = 400  # b at least 400 when on: a gets 400 (160) + b 400 (80)
    plan = solve(d)
    assert spends(plan) == same({"a": 400, "b": 400})
    assert plan.objective == pytest.approx(240)
    d["channels"][1]["min_spend"] = 900  # more than the 800 budget: b off, c takes the rest
    plan = solve(d)
    assert on_ids(plan) == {"a", "c"} and spend(plan, "a") == pytest.approx(500, abs=1e-2)
    assert plan.objective == pytest.approx(210)


def test_fixed_cost_turns_a_marginal_channel_off() -> None:
    d = abc()
    d["channels"][1]["fixed_cost"] = 300  # b: a 400 + b 100 = 180 < a 500 + c = 210
    plan = solve(d)
    assert on_ids(plan) == {"a", "c"}
    assert plan.objective == pytest.approx(210)
    d["channels"][1]["fixed_cost"] = 100  # b on: 200 left for b's spend
    plan = solve(d)
    assert on_ids(plan) == {"a", "b"} and spend(plan, "b") == pytest.approx(200, abs=1e-2)
    assert plan.cost == pytest.approx(800)


# ---------------------------------------------------------------- coverage


def test_hard_coverage_target_moves_money_to_the_weaker_channel() -> None:
    plan = solve(abc(rules={"coverage": {"phase": "buy", "segment": "young", "target": 0.5}}))
    assert spend(plan, "b") == pytest.approx(500, abs=1e-2)
    assert spend(plan, "a") == pytest.approx(300, abs=1e-2)
    assert cell(plan, "buy", "young").level >= 0.5 - 1e-9
    assert plan.objective == pytest.approx(220)


def test_hard_coverage_target_out_of_budget_is_infeasible() -> None:
    plan = solve(
        abc(budget=400, rules={"coverage": [{"phase": "buy", "target": 0.5}, {"phase": "aware", "target": 0.5}]}))
    assert plan.status == "infeasible"  # needs b 500 + a 250
    assert "coverage" in plan_message(plan)


@pytest.mark.parametrize("penalty, b_spend, objective", [(1000, 500, 220), (100, 300, 240)])
def test_soft_coverage_penalty_trades_reach_for_shortfall(penalty: float, b_spend: float, objective: float) -> None:
    """Beyond 300, b's unit buys 0.2 reach + 0.001 × penalty of shortfall; a's buys 0.4."""
    plan = solve(
        abc(rules={"coverage": {"phase": "buy", "segment": "young", "target": 0.5, "hard": False, "penalty": penalty}}))
    assert spend(plan, "b") == pytest.approx(b_spend, abs=1e-2)
    assert plan.objective == pytest.approx(objective)
    short = max(0.0, 0.5 - b_spend / 1000)
    assert plan.penalties.get("coverage_shortfall", 0.0) == pytest.approx(penalty * short)


@pytest.mark.parametrize("slope", [0.0013, 0.0019])
@pytest.mark.parametrize("penalty", [1000, 10_000, 100_000])
def test_large_soft_coverage_penalty_is_solved_and_verified(slope: float, penalty: float) -> None:
    """Soft full coverage with a large penalty: the plan must pass its own verifier.

    Spends are rounded to 6 decimals (solve._decisions); 1/slope is not, so the
    rounded spend leaves a shortfall of ~1e-9, which a penalty of 1e4 turns into
    1e-5 of objective, past the verifier's 2e-6 ⇒ VerificationError on a valid scenario."""
    d = scenario(phases=["p"], segments=[{"id": "g", "size": 1}], budget=2000,
                 channels=[channel("a", {"type": "linear", "slope": slope}, {"p": 1.0}, max_spend=2000)],
                 rules={"coverage": {"target": 1.0, "hard": False, "penalty": penalty}})
    plan = solve(d)
    assert plan.status == "optimal" and plan.verified
    assert plan.objective == pytest.approx(1.0, abs=1e-3)


# ---------------------------------------------------------------- breadth and redundancy


def test_breadth_brings_in_a_second_channel() -> None:
    plan = solve(abc(rules={"breadth": {"phase": "buy", "segment": "old", "min_channels": 2, "threshold": 0.3}}))
    assert on_ids(plan) == {"a", "b", "c"}
    assert spends(plan) == same({"a": 500, "b": 200})
    assert plan.objective == pytest.approx(200 + 40 + 10)
    assert len(cell(plan, "buy", "old").channels) == 2


def test_breadth_that_no_plan_can_meet_is_rejected() -> None:
    with pytest.raises(ScenarioError, match="breadth"):
        solve(abc(rules={"breadth": {"phase": "buy", "segment": "old", "min_channels": 2, "threshold": 0.6}}))


def test_soft_breadth_pays_its_penalty() -> None:
    rules = {
        "breadth": {"phase": "buy", "segment": "old", "min_channels": 2, "threshold": 0.3, "hard": False, "penalty": 5}}
    plan = solve(abc(rules=rules))
    assert on_ids(plan) == {"a", "b"}
    assert plan.penalties["breadth_shortfall"] == pytest.approx(5)
    assert plan.objective == pytest.approx(255)


@pytest.mark.parametrize("penalty, c_on", [(50, True), (5, False)])
def test_redundancy_penalty_buys_a_second_channel_when_it_pays(penalty: float, c_on: bool) -> None:
    """c costs 100 of b's spend (−20) and adds 10: worth it when the missing channel costs > 10."""
    plan = solve(
        abc(
            rules={
                "redundancy": {"phase": "buy", "segment": "old", "min_channels": 2, "threshold": 0.3,
                               "penalty": penalty}}))
    assert ("c" in on_ids(plan)) is c_on
    if c_on:
        assert plan.objective == pytest.approx(250)
        assert "redundancy_shortfall" not in plan.penalties
    else:
        assert plan.penalties["redundancy_shortfall"] == pytest.approx(penalty)
        assert plan.objective == pytest.approx(260 - penalty)


# ---------------------------------------------------------------- concentration


def test_concentration_caps_the_share_of_the_best_channel() -> None:
    plan = solve(abc(rules={"concentration": {"max_share": 0.5}}))
    assert spends(plan) == same({"a": 400, "b": 400})
    assert plan.objective == pytest.approx(240)
    plan = solve(abc(rules={"concentration": {"max_share": 0.6}}))
    assert spends(plan) == same({"a": 480, "b": 320})


def _saturating_pair(**extra) -> dict:
    """a saturates at 1000, b at 100; neither gives max_spend."""
    fields = {"phases": ["p"], "segments": [{"id": "g1", "size": 100}, {"id": "g2", "size": 100}], "budget": 2000,
              "channels": [channel("a", {"type": "linear", "slope": 0.001}, {"p": {"g1": 1.0}}),
                           channel("b", {"type": "linear", "slope": 0.01}, {"p": {"g2": 1.0}})]}
    fields.update(extra)
    return scenario(**fields)


def test_concentration_may_need_spend_past_saturation_when_max_spend_is_omitted() -> None:
    """With no max_spend a channel's spend has no cap (docs/architecture.md, "The model": U_c is max_spend), but
    channelmix caps it where the curve saturates (Scenario.spend_cap).  Under a
    concentration limit that extra spend is what lets another channel grow: a 1000 +
    b 1000 meets 'no channel over 50 %' and is worth 200 (channelmix's own evaluate
    agrees, no violations), but the plan stops at a 100 + b 100 = 110."""
    d = _saturating_pair(rules={"concentration": {"max_share": 0.5}})
    better = evaluate(load(d), {"a": True, "b": True}, {"a": 1000, "b": 1000})
    assert better.violations == [] and better.objective == pytest.approx(200)
    plan = solve(d)
    assert plan.status == "optimal"
    assert plan.objective >= better.objective - 1e-6, (
        f"'optimal' plan {spends(plan)} is worth {plan.objective:g}; a 1000 / b 1000 is valid and worth "
        f"{better.objective:g}")


def test_min_cost_is_not_infeasible_because_of_the_implicit_spend_cap() -> None:
    """Same cause: (p, g1) ≥ 0.8 needs a 800, so 50 % concentration needs b ≥ 800, past
    b's saturation (100).  A plan exists (a 800, b 800, cost 1600; evaluate finds no
    violation), but channelmix reports the scenario infeasible."""
    d = _saturating_pair(
        rules={"concentration": {"max_share": 0.5}, "coverage": {"phase": "p", "segment": "g1", "target": 0.8}},
        objective={"sense": "min_cost"}, budget=None)
    exists = evaluate(load(d), {"a": True, "b": True}, {"a": 800, "b": 800})
    assert exists.violations == []
    plan = solve(d)
    assert plan.status == "optimal", plan_message(plan)
    assert plan.objective == pytest.approx(1600)


def test_min_cost_group_min_share_may_need_padding_beyond_total_over_share() -> None:
    """No budget, digital ≥ 90 % of spend, (p, g1) ≥ 0.8 needs a (not digital) at 800:
    b (digital, saturated at 100) must spend 9 × 800 = 7200; cost 8000 and channelmix's
    evaluate finds no violation.  Scenario.spend_caps pads uncapped channels only up to
    Σ useful spend / smallest share = 1100 / 0.9 ≈ 1222, which is enough for a max
    share α (others ≥ s (1 − α) / α) but not for a min share lo > 0.618 (the group
    needs lo / (1 − lo) × the rest): channelmix reports the scenario infeasible."""
    d = _saturating_pair(
        rules={"groups": [{"tag": "digital", "min_share": 0.9}],
               "coverage": {"phase": "p", "segment": "g1", "target": 0.8}}, objective={"sense": "min_cost"},
        budget=None)
    d["channels"][1]["tags"] = ["digital"]
    exists = evaluate(load(d), {"a": True, "b": True}, {"a": 800, "b": 7200})
    assert exists.violations == [] and exists.objective == pytest.approx(8000)
    plan = solve(d)
    assert plan.status == "optimal", plan_message(plan)
    assert plan.objective == pytest.approx(8000)


# ---------------------------------------------------------------- cardinality


def test_cardinality_max_keeps_the_best_single_channel() -> None:
    plan = solve(abc(rules={"cardinality": {"max": 1}}))
    assert on_ids(plan) == {"a"}  # a alone 200 > b alone 160
    assert plan.objective == pytest.approx(200)


def test_cardinality_min_turns_on_a_third_channel() -> None:
    plan = solve(abc(rules={"cardinality": {"min": 3}}))
    assert on_ids(plan) == {"a", "b", "c"}
    assert plan.objective == pytest.approx(250)


@pytest.mark.parametrize("penalty, expected", [(50, {"a", "b"}), (70, {"a"}), (250, set())])
def test_penalty_per_channel_drops_channels_worth_less_than_it(penalty: float, expected: set[str]) -> None:
    """b adds 60, a adds 200 (a 500): each stays only if it adds more than the penalty."""
    plan = solve(abc(rules={"cardinality": {"penalty_per_channel": penalty}}))
    assert on_ids(plan) == expected
    assert plan.penalties.get("channel_count", 0.0) == pytest.approx(penalty * len(expected))


# ---------------------------------------------------------------- groups


def test_group_min_share_moves_spend_to_the_group() -> None:
    plan = solve(abc(rules={"groups": [{"tag": "digital", "min_share": 0.5}]}))
    assert spends(plan) == same({"a": 400, "b": 400})


def test_group_max_share_caps_the_group() -> None:
    """b ≤ 25 % of spend, so b ≤ a / 3: a spends past its saturation (500) to let b
    grow: with c on (100), a 525 + b 175 = 700 → 200 + 35 + 10 = 245 (without c:
    a 600, b 200 → 240)."""
    plan = solve(abc(rules={"groups": [{"medium": "digital", "max_share": 0.25}]}))
    assert on_ids(plan) == {"a", "b", "c"}
    assert spends(plan) == same({"a": 525, "b": 175})
    assert plan.objective == pytest.approx(245)


def test_group_min_count_turns_on_a_member() -> None:
    plan = solve(abc(rules={"groups": [{"tag": "after_sales", "min_count": 1}]}))
    assert "c" in on_ids(plan)


def test_group_max_count_limits_members() -> None:
    plan = solve(abc(rules={"groups": [{"channels": ["a", "b"], "max_count": 1}]}))
    assert on_ids(plan) == {"a", "c"}


def test_group_min_share_without_usable_members_means_spend_nothing() -> None:
    """'digital ≥ 30 % of spend' with every digital channel forced off is met by spending
    nothing (0 ≥ 0.3 × 0): here c alone (no spend) is a valid plan worth 10, which
    channelmix's evaluate accepts.  The schema rejects the scenario as impossible
    ('no channel of tag digital can be on') although it is not."""
    d = abc(rules={"groups": [{"tag": "digital", "min_share": 0.3}], "force_off": ["b"]})
    sc = None
    try:
        sc = load(d)
    except ScenarioError as err:
        pytest.fail(f"a feasible scenario was rejected as impossible: {err}")
    assert evaluate(sc, {"a": False, "b": False, "c": True}, {}).violations == []
    plan = solve(sc)
    assert plan.status == "optimal" and spends(plan) == {} and "c" in on_ids(plan)
    assert plan.objective == pytest.approx(10)


# ---------------------------------------------------------------- logic and forcing


def test_requires_brings_in_the_required_channel() -> None:
    plan = solve(abc(rules={"requires": [["a", "c"]]}))
    assert {"a", "c"} <= on_ids(plan)
    assert plan.objective == pytest.approx(250)


def test_requires_can_turn_the_dependant_off() -> None:
    d = abc(rules={"requires": [["b", "c"]]})
    d["channels"][2]["fixed_cost"] = 700  # b with c: c eats the budget, b not worth it
    plan = solve(d)
    assert on_ids(plan) == {"a"}


def test_excludes_keeps_only_the_better_of_two() -> None:
    plan = solve(abc(rules={"excludes": [["a", "b"]]}))
    assert on_ids(plan) == {"a", "c"}  # a 500 + c: 210 > b 700 + c: 150
    assert plan.objective == pytest.approx(210)
    plan = solve(abc(budget=2000, rules={"excludes": [["a", "b"]]}))
    assert on_ids(plan) == {"a", "c"}  # b 1000 (200) saturates (buy, old): c adds nothing there
    assert plan.objective == pytest.approx(210)


def test_force_on_and_force_off() -> None:
    plan = solve(abc(rules={"force_on": ["c"]}))
    assert "c" in on_ids(plan) and plan.objective == pytest.approx(250)
    plan = solve(abc(rules={"force_off": ["a"]}))
    assert on_ids(plan) == {"b"} and spend(plan, "b") == pytest.approx(800, abs=1e-2)
    assert plan.objective == pytest.approx(160)  # c would cost 100 of b (20) for 10


def test_force_on_a_channel_the_budget_cannot_afford_is_infeasible() -> None:
    d = abc(rules={"force_on": ["c"]})
    d["channels"][2]["fixed_cost"] = 900
    assert solve(d).status == "infeasible"


# ---------------------------------------------------------------- objective senses


def test_min_cost_meets_targets_at_least_cost() -> None:
    plan = solve(abc(budget=None, objective={"sense": "min_cost"},
                     rules={"coverage": [{"phase": "aware", "target": 0.5}, {"phase": "buy", "target": 0.3}]}))
    assert plan.status == "optimal"
    assert spends(plan) == same({"a": 250, "b": 300})
    assert plan.objective == pytest.approx(550) and plan.cost == pytest.approx(550)


def test_min_cost_uses_a_cheap_constant_channel_when_it_covers() -> None:
    """(buy, old) ≥ 0.1: c (fixed cost 60 here) covers it at 0.5 × 0.2; b needs 100."""
    d = abc(budget=None, objective={"sense": "min_cost"},
            rules={"coverage": [{"phase": "buy", "segment": "old", "target": 0.1}]})
    d["channels"][2]["fixed_cost"] = 60
    plan = solve(d)
    # a and b cost nothing when on without spend, so they may be listed on; they spend nothing
    assert "c" in on_ids(plan) and spends(plan) == {} and plan.objective == pytest.approx(60)
    d["rules"]["force_off"] = ["c"]
    plan = solve(d)
    assert spends(plan) == same({"b": 100}) and plan.objective == pytest.approx(100)


@pytest.mark.parametrize("level, cost, a, b", [(100, 250, 250, 0), (200, 500, 500, 0), (240, 700, 500, 200)])
def test_target_level_is_reached_at_least_cost(level: float, cost: float, a: float, b: float) -> None:
    plan = solve(abc(budget=None, objective={"sense": "target", "level": level}))
    assert plan.status == "optimal"
    assert plan.objective == pytest.approx(cost)
    assert spend(plan, "a") == pytest.approx(a, abs=1e-2) and spend(plan, "b") == pytest.approx(b, abs=1e-2)
    assert plan.weighted_reach >= level - 1e-6


def test_target_level_above_what_the_budget_buys_is_infeasible() -> None:
    assert solve(abc(budget=600, objective={"sense": "target", "level": 300})).status == "infeasible"


@pytest.mark.parametrize("old_value, b_spend", [(10, 0), (20, 300)])
def test_max_value_spends_only_where_value_beats_cost(old_value: float, b_spend: float) -> None:
    """Cell weights in money: size 100 × segment value × ½ (two equal phases).  a earns
    0.002 × (50 + 50·old) per unit, b 0.001 × (50 + 50·old): with old 10, a 1.1 > 1 and
    b 0.55 < 1 (b off); with old 20, b 1.05 > 1 (b takes the remaining 300)."""
    d = abc(objective={"sense": "max_value"})
    d["segments"] = [{"id": "young", "size": 100, "value": 1}, {"id": "old", "size": 100, "value": old_value}]
    plan = solve(d)
    assert spend(plan, "a") == pytest.approx(500, abs=1e-2)
    assert spend(plan, "b") == pytest.approx(b_spend, abs=1e-2)
    per_cell = 50 + 50 * old_value
    assert plan.objective == pytest.approx(per_cell - 500 + (per_cell * b_spend / 1000 - b_spend))
    max_reach = solve(abc())
    assert spend(max_reach, "b") == pytest.approx(300)  # reach alone ignores what money is worth
