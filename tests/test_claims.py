"""Every claim of every shipped scenario and variant, held against the verifier (issue #19, item 2).

Each scenario in scenarios/*.yaml is solved with its variants, its plan document put together as
``channelmix solve`` writes it, and every claim of its headline and summary
(:mod:`channelmix.reports.claims`, and the missed soft targets of "What limits the plan")
checked against figures the verifier recomputes from the scenario alone: ``evaluate`` (or
``evaluate_periods``, period by period) at the plan's decisions, ``verify.baseline.score`` for
today's plan, ``verify.risk.risk_of`` over the worlds.  Sentences are rendered in all five
languages; the check reads the claim's figures and the catalogue keys it was worded with.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from channelmix import load
from channelmix.analysis.headroom import binding_limits, loosened_value, with_more_budget
from channelmix.analysis.limits import with_limit
from channelmix.cli.headroom import headroom_json
from channelmix.model.facts import Rule
from channelmix.reports.baseline import plan_money
from channelmix.reports.claims import SHORT, Claim, cell_name, objective_claim, summary_claims, uplift_claim
from channelmix.reports.decision import decision_claims
from channelmix.reports.documents import concerns_of, plan_document
from channelmix.reports.i18n import using
from channelmix.reports.risk import risk_view
from channelmix.reports.rules import missed_target, plain_rules
from channelmix.schema.expand import variants
from channelmix.solve.pipeline import solve_from, solve_scenario
from channelmix.verify.baseline import better_by, score
from channelmix.verify.evaluate import evaluate
from channelmix.verify.evaluate_periods import PeriodsEvaluation, evaluate_periods
from channelmix.verify.reachable import most_reachable, report_facts

ROOT = Path(__file__).parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
LANGUAGES = ("en", "es", "fa", "fr", "sv")
CHECKED: list[str] = []  # one entry per claim checked (the memo's count: see test_every_scenario_made_claims)


def _solved(path: Path) -> list[tuple[Any, Any, dict[str, Any]]]:
    """(case, plan, document) of the file and each of its variants, the document as ``solve --format json``."""
    out, base_doc, base_scenario = [], None, None
    for case in variants(load(path)):
        plan, values = solve_from(case.scenario, case.warnings)
        if not case.variant:
            base_doc, base_scenario = plan_document(plan), case.scenario
        facts = report_facts(case.scenario, case.variant, case.overrides, base_doc if case.variant else None,
                             base_scenario)
        if not case.variant and plan.solved:  # the decision header's re-solves, as solve --out makes them
            facts.update(headroom_json(case.scenario, plan, values))
        out.append((case, plan, {**plan_document(plan), **facts}))
    return out


class Truth:
    """The verifier's figures for a plan's decisions: money, channels on, resources, levels per (period, cell)."""

    def __init__(self, scenario, plan) -> None:
        self.scenario, self.plan = scenario, plan
        if plan.schedule is not None:
            ev: Any = evaluate_periods(scenario, {(r.channel, r.period): r.on for r in plan.schedule.rows},
                                       {(r.channel, r.period): r.spend for r in plan.schedule.rows})
            assert isinstance(ev, PeriodsEvaluation)
            self.levels = {(c.period, (c.phase, c.segment)): (c.level, c.target) for c in ev.schedule.coverage}
            self.resources = {r: v["used"] for r, v in ev.resources.items()}
        else:
            ev = evaluate(scenario, {c.id: c.on for c in plan.channels}, {c.id: c.spend for c in plan.channels})
            self.levels = {(None, (c.phase, c.segment)): (c.level, c.target) for c in ev.cells}
            self.resources = dict(ev.resources)
        self.ev = ev
        self.on = sum(1 for c in ev.channels if c.on)
        self.below = {k for k, (level, target) in self.levels.items() if target is not None and level < target - SHORT}


def _check(claim: Claim, truth: Truth, doc: dict[str, Any]) -> None:
    f = claim.figures
    periods: list[str | None] = list(claim.periods) or [None]
    if claim.kind == "runs":
        assert f["on"] == truth.on
        assert f["cost"] == pytest.approx(truth.ev.money, abs=0.01)
        assert f["resources"] == pytest.approx(truth.resources, abs=0.01)
    elif claim.kind == "weakest":
        lowest = min(level for level, _ in truth.levels.values())
        assert f["level"] == pytest.approx(lowest, abs=1e-6)
        (cell,) = claim.cells
        at = {p for (p, c), (level, _) in truth.levels.items() if c == cell and abs(level - lowest) <= SHORT}
        assert set(periods) == at
    elif claim.kind == "targets_met":
        assert not truth.below
    elif claim.kind == "targets_below":
        said = {(p, c) for p in periods for c in claim.cells}
        assert said <= truth.below
        for (level, target), cell in zip(f.get("levels") or [], claim.cells):
            for p in periods:
                assert truth.levels[(p, cell)][0] == pytest.approx(level, abs=1e-4)
                assert truth.levels[(p, cell)][1] == pytest.approx(target)
    elif claim.kind == "reachable_share":
        assert f["objective"] == pytest.approx(truth.ev.objective, rel=1e-6)
        assert f["reachable"] == pytest.approx(most_reachable(truth.scenario), rel=1e-9)
    elif claim.kind == "uplift":
        today = score(truth.scenario)
        assert f["current_cost"] == pytest.approx(today.money, abs=0.01)
        assert f["optimised_cost"] == pytest.approx(truth.ev.money, abs=0.01)
        assert f["uplift"] == pytest.approx(better_by(truth.scenario, truth.ev.objective, today.objective), abs=0.01)
        # plans that spend differently say both spends
        assert ("claim.spending" in claim.keys) == (abs(today.money - truth.ev.money) >= 0.5
                                                    and doc.get("sense") not in ("min_cost", "target"))
    elif claim.kind == "trade_off":
        sign = 1.0 if f["maximises"] else -1.0
        for key, word in zip(("mean", "cvar", "worst"), claim.keys):
            change = sign * (doc["risk"][key] - doc["risk_reference"][key])
            assert f[key] == pytest.approx(change, abs=1e-6)
            expected = "same" if abs(change) <= 1e-9 * max(1.0, abs(doc["risk_reference"]["mean"])) else \
                "gain" if change > 0 else "loss"
            assert word.endswith(expected), (word, change)
    elif claim.kind == "decision_runs":
        cost = {c.id: c.cost for c in truth.ev.channels if c.on}
        assert f["on"] == sorted(cost, key=lambda c: -cost[c]) or set(f["on"]) == set(cost)
        assert f["costs"] == pytest.approx([cost[c] for c in f["on"]], abs=0.01)
    elif claim.kind == "decision_objective":
        assert f["objective"] == pytest.approx(truth.ev.objective, rel=1e-6)
    elif claim.kind == "decision_change":
        today = score(truth.scenario)
        assert f["uplift"] == pytest.approx(better_by(truth.scenario, truth.ev.objective, today.objective), abs=0.01)
        assert f["money"] == pytest.approx(truth.ev.money - today.money, abs=0.01)
        way = claim.keys[0].rsplit("_", 1)[1]
        assert way == "saves" or way == ("more" if f["money"] >= 0.5 else "less" if f["money"] <= -0.5 else "same")
    elif claim.kind == "decision_limits":
        binding = {r["kind"] for r in doc.get("binding_rules") or []}
        assert set(f["kinds"]) <= binding and f["kinds"]
    elif claim.kind == "decision_limits_worth":
        _check_worth(claim, truth, doc)
    elif claim.kind == "decision_more_budget":
        bigger = with_more_budget(truth.scenario, f["share"])
        assert bigger is not None and f["extra"] == pytest.approx(bigger[2]) and f["budget"] == pytest.approx(bigger[1])
        assert f["gain"] == pytest.approx(f["objective"] - truth.ev.objective if doc["sense"] != "min_cost" else 0,
                                          abs=0.01)
        assert claim.keys[0] == ("decision.more_budget" if f["gain"] > 1e-6 * max(1.0, abs(truth.ev.objective))
                                 else "decision.more_budget_nothing")
    else:
        raise AssertionError(f"no check for a claim of kind {claim.kind}")
    CHECKED.append(f"{doc['scenario']}:{claim.kind}:{','.join(map(str, claim.periods))}")


def _check_worth(claim: Claim, truth: Truth, doc: dict[str, Any]) -> None:
    """The limits the header says are worth most to loosen: each binds the verified plan, moves 10 % the looser way,
    every binding limit was tried, the named ones gained most, and the first one's gain is the verifier's
    objective of a plan solved afresh with that limit moved (the budget's: of the 10 % budget's re-solve)."""
    f, scenario = claim.figures, truth.scenario
    limits = {(x.kind, repr(concerns_of(x))): x for x in binding_limits(scenario, truth.plan)}
    tried = {(r["kind"], repr(r["concerns"])) for r in f["all"]}
    assert tried <= set(limits) and len(tried) >= len([x for x in limits.values() if loosened_value(x, 0.1) != x.value])
    gains = sorted((r["gain"] for r in f["all"]), reverse=True)
    assert [r["gain"] for r in f["rows"]] == gains[:len(f["rows"])]
    for row in f["rows"]:
        limit = limits[(row["kind"], repr(row["concerns"]))]
        assert row["limit"] == pytest.approx(limit.value)
        assert row["moved_to"] == pytest.approx(loosened_value(limit, 0.1))
    first = limits[(f["rows"][0]["kind"], repr(f["rows"][0]["concerns"]))]
    if first.name == "budget" and scenario.periods is None:
        value = doc["more_budget"]["objective"]
    else:
        again = solve_scenario(with_limit(scenario, first, f["rows"][0]["moved_to"]))  # cold: not from the plan
        assert again.solved
        value = again.value  # the verifier's figure for the re-solved plan
    tolerance = max(0.5, 2 * scenario.solver.gap * abs(truth.ev.objective))
    assert better_by(scenario, value, truth.ev.objective) == pytest.approx(f["rows"][0]["gain"], abs=tolerance)


def _missed_targets(doc: dict[str, Any], truth: Truth) -> None:
    """A soft target that binds is said missed — by the verifier's shortfall, at its penalty — exactly where the
    verifier finds the cell short of it, and held at its target where it is not."""
    with using("en"):
        lines = plain_rules(doc)
        weights = {p["id"]: p.get("weight") or 1.0 for p in (doc.get("schedule") or {}).get("periods") or []}
        for data in doc.get("binding_rules") or []:
            rule = Rule.from_dict(data)
            if rule.kind != "target" or not rule.soft or rule.scope.world is not None:
                continue
            level, target = truth.levels[(rule.scope.period, rule.cell)]
            assert rule.limit == pytest.approx(target)
            if level < target - SHORT:
                said = missed_target(doc, rule, level, weights.get(rule.scope.period or "", 1.0))
                assert any(line.endswith(said) for line in lines), (said, lines)
            else:
                name = cell_name(doc, rule.cell or ("", ""))
                assert any(name in line and "held at" in line for line in lines), (name, lines)
            CHECKED.append(f"{doc['scenario']}:soft_target:{rule.scope.period or ''}")


@pytest.fixture(scope="module", params=SCENARIOS, ids=[p.stem for p in SCENARIOS])
def solved(request):
    return _solved(request.param)


def test_every_claim_agrees_with_the_verifier(solved):
    for case, plan, doc in solved:
        if not plan.solved:
            continue
        truth = Truth(case.scenario, plan)
        money = plan_money(doc)
        for language in LANGUAGES:
            with using(language):
                claims = [*summary_claims(doc, money), objective_claim(doc), uplift_claim(doc, money),
                          *decision_claims(doc, money)]
                view = risk_view(doc)
                if view is not None and view["trade"] is not None:
                    claims.append(view["trade"]["claim"])
                found = [c for c in claims if c is not None]
                assert all(c.sentence and "{" not in c.sentence for c in found)
            if language == "en":
                for claim in found:
                    _check(claim, truth, doc)
        _missed_targets(doc, truth)


def test_every_scenario_made_claims():
    """Run after the scenarios (same module, defined last): every file contributed, per period where it has them."""
    files = {name.split(":")[0].split("/")[0] for name in CHECKED}
    if len(files) < len(SCENARIOS):
        pytest.skip("runs with the whole module")
    assert files == {p.stem for p in SCENARIOS}
    assert any(name.split(":")[2] for name in CHECKED)  # claims about periods were checked
    worth = {name.split(":")[0] for name in CHECKED if name.split(":")[1] == "decision_limits_worth"}
    assert worth == files  # every base plan's header ranks its limits by their re-solves
    print(f"\nclaims checked: {len(CHECKED)}")
