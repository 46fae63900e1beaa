"""Why is a scenario infeasible?  Relax one family of hard rules at a time and see which
relaxations alone would make it feasible: a few quick solves, run by the verified pipeline
when a scenario has no plan, so that its answer says what to change.

A minimal set of conflicting rules and the smallest repair of each is the explanation's
(:mod:`channelmix.analysis.conflicts`)."""

from __future__ import annotations

from typing import Any, Callable

from ..formulate import formulate
from ..model.facts import Diagnosis, Relaxation
from ..model.solution import SOLVED, Solution
from ..schema.models import Scenario
from ..verify.certify import CertificateError, ModelCurves, Rival, model_value
from ..verify.evaluate import Evaluation, evaluate
from ..verify.evaluate_periods import PeriodsEvaluation, evaluate_periods
from .passes import solve

Relax = Callable[[Scenario], Scenario]


def _relaxations(sc: Scenario) -> list[tuple[Relaxation, Relax]]:
    """Every family of hard rules the scenario has, and the scenario without it."""
    rules = sc.rules
    out: list[tuple[Relaxation, Relax]] = []

    def rules_update(**changes: Any) -> Relax:
        return lambda s: s.model_copy(update={"rules": s.rules.model_copy(update=changes)})

    def without_resource(r: str) -> Relax:
        return lambda s: s.model_copy(update={"resources": {k: v for k, v in s.resources.items() if k != r}})

    if sc.budget is not None:
        out.append((Relaxation("budget", sc.budget), lambda s: s.model_copy(update={"budget": None})))
    periods = sc.periods
    if periods is not None and (periods.budget is not None or any(p.budget is not None for p in periods.items or [])):
        out.append((Relaxation("period_budget", periods.budget), _without_period_budgets))
    for resource, capacity in sc.resources.items():
        out.append((Relaxation("resource", capacity, resource=resource), without_resource(resource)))
    if any(r.hard for r in rules.coverage):
        out.append((Relaxation("coverage"), rules_update(coverage=[r for r in rules.coverage if not r.hard])))
    if any(r.hard and r.min_channels for r in rules.breadth):
        out.append((Relaxation("breadth"), rules_update(breadth=[r for r in rules.breadth if not r.hard])))
    if rules.concentration is not None:
        out.append((Relaxation("concentration", rules.concentration.max_share), rules_update(concentration=None)))
    if rules.cardinality is not None and (rules.cardinality.min or rules.cardinality.max is not None):
        out.append(
            (Relaxation("cardinality"),
             rules_update(cardinality=rules.cardinality.model_copy(update={"min": 0, "max": None}))))
    for j, group in enumerate(rules.groups):
        out.append((Relaxation("group", group=group.describe()),
                    rules_update(groups=[g for k, g in enumerate(rules.groups) if k != j])))
    if rules.requires or rules.excludes:
        out.append((Relaxation("logic"), rules_update(requires=[], excludes=[])))
    if rules.force_on or rules.force_off:
        out.append((Relaxation("force"), rules_update(force_on=[], force_off=[])))
    for key, kind in (("min_periods_on", "min_runs"), ("max_switches", "switches"), ("pacing", "pacing"),
                      ("ramp", "ramp")):
        if getattr(rules, key) is not None:  # over periods
            out.append((Relaxation(kind), rules_update(**{key: None})))
    if sc.objective.sense == "target":
        out.append((Relaxation("reach_level", sc.objective.level),
                    lambda s: s.model_copy(update={"objective": s.objective.model_copy(update={"level": 0.0})})))
    if sc.objective.outcome_target is not None:
        out.append(
            (Relaxation("outcome_target", sc.objective.outcome_target),
             lambda s: s.model_copy(update={"objective": s.objective.model_copy(update={"outcome_target": None})})))
    return out


def _without_period_budgets(s: Scenario) -> Scenario:
    periods = s.periods
    assert periods is not None
    items = [p.model_copy(update={"budget": None}) for p in periods.items] if periods.items is not None else None
    return s.model_copy(
        update={"periods": periods.model_copy(update={"budget": None, "carry_over": False, "items": items})})


def diagnose(scenario: Scenario, time_limit: float = 10.0, curves: ModelCurves | None = None) -> list[Relaxation]:
    """The rule families whose removal alone makes the scenario feasible, each confirmed: the
    re-solve's plan keeps every rule of the relaxed scenario (the verifier's truth) and breaks
    one of the scenario's own. A plan that the scenario's own model could take (``curves``:
    the pieces it was solved on) proves it was not infeasible: :class:`CertificateError`."""
    settings = scenario.solver.model_copy(update={"time_limit": time_limit})
    quick = scenario.model_copy(
        update={"objective": scenario.objective.model_copy(update={"tie_break": False}), "solver": settings})
    culprits = []
    for family, relax in _relaxations(quick):
        relaxed = relax(quick)
        solution = solve(formulate(relaxed, worlds=False))
        if solution.status in SOLVED and _confirms(scenario, relaxed, solution, family, curves):
            culprits.append(family)
    return culprits


def _confirms(scenario: Scenario, relaxed: Scenario, solution: Solution, family: Relaxation,
              curves: ModelCurves | None) -> bool:
    """Whether a relaxation's plan is real (keeps every rule of the relaxed scenario) and needs
    the relaxation (breaks a rule of the scenario as written)."""
    if _truth(relaxed, solution.on, solution.spend).violations:
        return False
    rival = Rival(f"the plan found without the {family.kind} rules", solution.on, solution.spend)
    if curves is not None and model_value(scenario, rival, curves) is not None:
        raise CertificateError(f"scenario '{scenario.scenario}' is not infeasible (a channelmix bug, please report "
                               f"it): {rival.name} keeps every hard rule of the scenario as written")
    return bool(_truth(scenario, solution.on, solution.spend).violations)


def _truth(scenario: Scenario, on: dict, spend: dict) -> Evaluation | PeriodsEvaluation:
    """The verifier's truth about a plan: over periods, or of one period (a robust scenario's nominal world)."""
    return evaluate_periods(scenario, on, spend) if scenario.kind == "periods" else evaluate(scenario, on, spend)


def diagnosis(scenario: Scenario, warnings: list[str], curves: ModelCurves | None = None) -> Diagnosis:
    """Why no plan exists: the families to blame (each confirmed, see :func:`diagnose`), and the
    input's warnings that foresaw it."""
    return Diagnosis(tuple(diagnose(scenario, curves=curves)), tuple(w for w in warnings if "infeasible" in w))
