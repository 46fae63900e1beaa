"""Why is a scenario infeasible?  Relax one family of hard rules at a time and see which
relaxations alone would make it feasible: a few quick solves, run by the verified pipeline
when a scenario has no plan, so that its answer says what to change.

A minimal set of conflicting rules and the smallest repair of each is the explanation's
(:mod:`channelmix.analysis.conflicts`)."""

from __future__ import annotations

from typing import Any, Callable

from ..formulate import formulate
from ..model.solution import SOLVED
from ..schema.models import Scenario
from .passes import solve


def _relaxations(sc: Scenario) -> list[tuple[str, Callable[[Scenario], Scenario]]]:
    rules = sc.rules
    out: list[tuple[str, Callable[[Scenario], Scenario]]] = []

    def rules_update(**changes: Any) -> Callable[[Scenario], Scenario]:
        return lambda s: s.model_copy(update={"rules": s.rules.model_copy(update=changes)})

    if sc.budget is not None:
        out.append((f"the budget ({sc.budget:g})", lambda s: s.model_copy(update={"budget": None})))
    periods = sc.periods
    if periods is not None and (periods.budget is not None or any(p.budget is not None for p in periods.items or [])):
        money = f" ({periods.budget:g})" if periods.budget is not None else ""
        out.append((f"the budget of every period{money}", lambda s: s.model_copy(update={"periods": s.periods.model_copy(update={
            "budget": None, "carry_over": False, "items": [p.model_copy(update={"budget": None}) for p in s.periods.items]
            if s.periods.items is not None else None})})))
    for resource, capacity in sc.resources.items():
        out.append((f"the {resource} limit ({capacity:g})",
                    lambda s, r=resource: s.model_copy(update={"resources": {k: v for k, v in s.resources.items() if k != r}})))
    if any(r.hard for r in rules.coverage):
        out.append(("the hard coverage targets", rules_update(coverage=[r for r in rules.coverage if not r.hard])))
    if any(r.hard and r.min_channels for r in rules.breadth):
        out.append(("the hard breadth rules", rules_update(breadth=[r for r in rules.breadth if not r.hard])))
    if rules.concentration is not None:
        out.append((f"the concentration limit ({rules.concentration.max_share:.0%})", rules_update(concentration=None)))
    if rules.cardinality is not None and (rules.cardinality.min or rules.cardinality.max is not None):
        out.append(("the limits on how many channels run", rules_update(cardinality=rules.cardinality.model_copy(update={"min": 0, "max": None}))))
    for j, group in enumerate(rules.groups):
        out.append((f"the group rule on {group.describe()}", rules_update(groups=[g for k, g in enumerate(rules.groups) if k != j])))
    if rules.requires or rules.excludes:
        out.append(("the requires/excludes rules", rules_update(requires=[], excludes=[])))
    if rules.force_on or rules.force_off:
        out.append(("force_on/force_off", rules_update(force_on=[], force_off=[])))
    for key, words in (("min_periods_on", "the minimum runs"), ("max_switches", "the limits on switches"),
                       ("pacing", "the pacing band"), ("ramp", "the ramp limit")):  # over periods
        if getattr(rules, key) is not None:
            out.append((words, rules_update(**{key: None})))
    if sc.objective.sense == "target":
        out.append((f"the reach level ({sc.objective.level:g})",
                    lambda s: s.model_copy(update={"objective": s.objective.model_copy(update={"level": 0.0})})))
    if sc.objective.outcome_target is not None:
        out.append((f"the outcome target ({sc.objective.outcome_target:g})",
                    lambda s: s.model_copy(update={"objective": s.objective.model_copy(update={"outcome_target": None})})))
    return out


def diagnose(scenario: Scenario, time_limit: float = 10.0) -> list[str]:
    """The rule families whose removal alone makes the scenario feasible."""
    settings = scenario.solver.model_copy(update={"time_limit": time_limit})
    quick = scenario.model_copy(update={"objective": scenario.objective.model_copy(update={"tie_break": False}), "solver": settings})
    culprits = []
    for words, relax in _relaxations(quick):
        relaxed = relax(quick)
        if solve(formulate(relaxed, worlds=False)).status in SOLVED:
            culprits.append(words)
    return culprits


def explain(scenario: Scenario, warnings: list[str]) -> str:
    """A sentence or two on why no plan exists."""
    culprits = diagnose(scenario)
    if culprits:
        text = "Dropping any one of these would make it feasible: " + "; ".join(culprits) + "."
    else:
        text = "No single family of rules is to blame: several conflict at once."
    likely = [w for w in warnings if "infeasible" in w]
    if likely:
        text += " Likely cause: " + " ".join(likely)
    return text
