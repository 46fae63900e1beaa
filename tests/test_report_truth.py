"""Sentences the reports used to get wrong (issue #19, "Not true"), each held against the figures
on the same page: coverage claims per period, a missed soft target, robust trade-offs with their
signs, ties in an explanation, an uplift between plans that spend differently, and the README's
soft-target penalty against the maths.  Hand-built plans: no solver needed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from channelmix import load
from channelmix.model.facts import Rule, Scope
from channelmix.reports.explain_sections import channel_rows, why_sentence
from channelmix.reports.i18n import using
from channelmix.reports.markdown import plan_markdown
from channelmix.reports.risk import trade_off
from channelmix.reports.rules import plain_rules
from channelmix.verify.evaluate import evaluate
from schedule_plans import MONTHS, RUNS, as_dict, hand_plan

ROOT = Path(__file__).parent.parent
LABELS = {"radio": "Community radio", "flyers": "Flyers at the taxi rank", "stall": "Own stall"}
# every cell meets its 20 % target over the three months (mean), one misses it in month 1
LEVELS = {"aware/commuters": [0.15, 0.30, 0.30], "aware/spaza": [0.25, 0.25, 0.25],
          "buy/commuters": [0.40, 0.40, 0.40], "buy/spaza": [0.30, 0.35, 0.50]}


def _months() -> dict:
    return as_dict(hand_plan("bakery-3-months", MONTHS, RUNS, LABELS, LEVELS))


def test_a_cell_below_target_in_one_period_is_not_said_to_meet_it():
    plan = _months()
    assert all(c["level"] >= c["target"] for c in plan["coverage"])  # the mean hides the gap
    with using("en"):
        md = plan_markdown(plan)
    assert "Every cell meets its coverage target" not in md
    assert "Below target in Month 1: Awareness × Commuters at 15% against 20%." in md
    # the weakest cell is the weakest of any period, not of the mean
    assert "Every cell is reached at 15% or more in every period; the weakest is Awareness × Commuters (Month 1)." in md


def test_a_plan_over_periods_meeting_every_target_in_every_period_says_so():
    levels = {k: [max(v, 0.2) for v in values] for k, values in LEVELS.items()}
    with using("en"):
        md = plan_markdown(as_dict(hand_plan("bakery-3-months", MONTHS, RUNS, LABELS, levels)))
    assert "Every cell meets its coverage target in every period." in md


def _with_soft_target(plan: dict, level: float, penalty: float | None) -> dict:
    rule = Rule("target_0_t0", "target", 0.2, cell=("aware", "commuters"), soft=True, penalty=penalty,
                scope=Scope(period="m1", period_label="Month 1"))
    for c in plan["schedule"]["coverage"]:
        if (c["period"], c["phase"], c["segment"]) == ("m1", "aware", "commuters"):
            c["level"] = level
    return {**plan, "binding_rules": [rule.to_dict()]}


def test_a_missed_soft_target_is_said_missed_with_its_shortfall_and_penalty():
    plan = _with_soft_target(_months(), 0.175, 1500.0)
    with using("en"):
        lines = plain_rules(plan)
    assert lines == ["Month 1: Awareness × Commuters misses its coverage target of 20%: 18%, 2.5 points short, "
                     "at a penalty of 37.5 of weighted reach."]
    assert not any("held at" in line for line in lines)


def test_a_soft_target_met_exactly_is_held_at_it():
    plan = _with_soft_target(_months(), 0.2, 1500.0)
    with using("en"):
        assert plain_rules(plan)[0].startswith("Month 1: Awareness × Commuters is held at its coverage target of 20%.")


def _risk(mean: float, cvar: float, worst: float) -> dict:
    return {"mean": mean, "p5": worst, "p95": mean, "worst": worst, "cvar": cvar, "alpha": 0.2, "worlds": 12,
            "objectives": [mean]}


def test_a_robust_trade_off_says_a_loss_where_the_tail_fell():
    neutral, robust = _risk(10_000, 10_706, 9_564), _risk(9_937.5, 10_682, 9_512)
    with using("en"):
        sentence = trade_off(neutral, robust, [], [], True, lambda x: f"{x:,.0f}", "base", "robust")["sentence"]
    assert "gains nothing" not in sentence
    assert "it loses 24 in the worst 20% of worlds" in sentence
    assert "it loses 52 in the worst world" in sentence
    assert sentence.startswith("The robust plan gives up 62 on average (0.6%)")


def test_a_robust_trade_off_says_gains_where_the_tail_rose():
    neutral, robust = _risk(10_000, 9_000, 8_000), _risk(9_900, 9_100, 8_300)
    with using("en"):
        sentence = trade_off(neutral, robust, [], [], True, lambda x: f"{x:,.0f}", "base", "robust")["sentence"]
    assert sentence == ("The robust plan gives up 100 on average (1.0%); it gains 100 in the worst 20% of worlds, "
                        "and it gains 300 in the worst world.")


def test_a_tie_is_said_as_a_tie_with_no_negative_loss():
    explanation = {"channels": [
        {"label": "Radio", "on": True, "spend": 100.0, "marginal": None, "value_if_forced_off": -0.45,
         "value_if_forced_on": None, "verdict": "tie"},
        {"label": "Flyers", "on": False, "spend": 0.0, "marginal": None, "value_if_forced_off": None,
         "value_if_forced_on": -3.0, "verdict": "better"}]}
    with using("en"):
        rows = channel_rows(explanation)
        tie = why_sentence("Radio", True, "tie", 1000.0, 1000.45, -0.45)
    assert rows[0][-2:] == ["tie", "tie"]
    assert rows[1][-2:] == ["gains 3.00", "better"]
    assert not any(re.search(r"[-−]\d", cell) for row in rows for cell in row)
    assert "worse" not in tie and "tie" in tie


def test_an_uplift_between_plans_that_spend_differently_says_both_spends():
    plan = _months()
    plan["baseline"] = {"objective": 80_559.13, "cost": 12_600.0, "weighted_reach": 84_862.0, "feasible": True,
                        "violations": [], "channels": [], "optimised_objective": 144_488.85, "uplift": 63_929.72}
    plan["cost"] = 24_000.0
    with using("en"):
        md = plan_markdown(plan)
    assert ("The optimised plan adds 63,930 (79.4%) against the current one. It spends 24,000 ZAR against today's "
            "12,600 ZAR.") in md


def test_the_readme_states_the_soft_target_penalty_the_maths_charges():
    """A soft coverage target costs penalty × (target − level), the shortfall in coverage share."""
    scenario = load(ROOT / "scenarios" / "township-bakery.yaml").scenario
    soft = scenario.rules.model_copy(update={"coverage": [
        r.model_copy(update={"hard": False, "penalty": 1500.0}) for r in scenario.rules.coverage]})
    scenario = scenario.model_copy(update={"rules": soft})
    on = {c.id: c.id == "word_of_mouth" for c in scenario.channels}
    spend = {c.id: 0.0 for c in scenario.channels}
    found = evaluate(scenario, on, spend)
    short = sum(1500.0 * max(0.0, c.target - c.level) for c in found.cells if c.target)
    assert short > 0 and found.penalties["coverage_shortfall"] == pytest.approx(short)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| `coverage` |"))
    assert "1.0 = the whole target missed" not in row
    assert "penalty × (target − coverage)" in row


def test_resource_units_and_todays_broken_rules_are_said_in_the_page_language():
    """"avec 21,4 sur 22 hours" on the French bakery: the summary's resource is the catalogue's word; today's broken
    rule is said from the verifier's facts, not as its English diagnostic."""
    from channelmix.reports.baseline import baseline_summary, plan_money
    from channelmix.reports.claims import runs_claim
    from schedule_plans import bakery_plan

    plan = as_dict(bakery_plan())
    plan["resources"] = {"hours": {"used": 21.4, "capacity": 22.0}}
    plan["baseline"] = {"objective": 1.0, "cost": 10.0, "feasible": False, "uplift": 0.0,
                        "violations": ["max_spend radio: spend on radio is 300, above 250 (off by 50)"],
                        "violation_facts": [{"rule": "max_spend radio", "amount": 50.0, "detail": "",
                                             "kind": "max_spend", "channel": "radio", "value": 300.0,
                                             "limit": 250.0}], "channels": []}
    with using("fr"):
        said = runs_claim(plan, plan_money(plan)).sentence
        broken = baseline_summary(plan)
    assert "22 heures" in said and "hours" not in said
    assert "max_spend" not in broken and "off by" not in broken and "300" in broken and "250" in broken
