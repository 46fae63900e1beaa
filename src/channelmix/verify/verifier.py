"""The independent verifier: a plan is checked against the scenario, not the solver.

Only the plan's on/off decisions and spends are trusted as input.  Everything else
(cost, reach on the real curves, coverage, every hard rule, the objective) is
recomputed, and the plan's own figures must match.  A plan that fails is a bug in
channelmix, never the user's fault: :func:`check` raises.
"""

from __future__ import annotations

import dataclasses
import math

from ..core.tolerances import TOLERANCE
from ..model.periods import Horizon
from ..schema.models import Scenario
from .evaluate import Evaluation, Violation, evaluate, off_steps
from .evaluate_periods import PeriodsEvaluation, evaluate_periods
from .plan import Plan


class VerificationError(AssertionError):
    """A plan that breaks a rule or misreports a figure: a bug, reported as one."""


def verify(scenario: Scenario, plan: Plan) -> list[Violation]:
    """Every violated rule and every misreported figure of a solved plan."""
    if not plan.solved:
        return []
    if scenario.kind == "periods":
        return _verify_periods(scenario, plan)
    on = {c.id: c.on for c in plan.channels}
    spend = {c.id: c.spend for c in plan.channels}
    missing = [ch.id for ch in scenario.channels if ch.id not in on]
    if missing:
        return [Violation("plan", len(missing), f"has no decision for {', '.join(missing)}", "plan")]
    truth = evaluate(scenario, on, spend)
    return (list(truth.violations) + off_steps(scenario, spend) + _misreported(plan, truth)
            + _model_disagrees(scenario, plan, truth))


def check(scenario: Scenario, plan: Plan) -> Plan:
    """The plan, marked verified; raise :class:`VerificationError` if it fails."""
    if not plan.solved:
        return plan
    problems = verify(scenario, plan)
    if problems:
        lines = "\n  ".join(str(p) for p in problems)
        raise VerificationError(
            f"plan for '{scenario.scenario}' failed verification (a channelmix bug, please report it):\n  {lines}")
    return dataclasses.replace(plan, verified=True)


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def _misreported(plan: Plan, truth: Evaluation | PeriodsEvaluation) -> list[Violation]:
    out = []
    figures = [("cost", plan.cost, truth.money), ("objective", plan.objective, truth.objective),
               ("weighted reach", plan.weighted_reach, truth.weighted_reach), ("outcome", plan.outcome, truth.outcome)]
    figures += [(f"reach of {c.id}", c.reach, t.reach) for c, t in zip(plan.channels, truth.channels)]
    figures += [(f"cost of {c.id}", c.cost, t.cost) for c, t in zip(plan.channels, truth.channels)]
    figures += [(f"coverage of ({c.phase}, {c.segment})", c.level, t.level) for c, t in zip(plan.coverage, truth.cells)]
    for name, reported, actual in figures:
        if reported is None or not _close(reported, actual):
            out.append(
                Violation(f"reported {name}", abs((reported or 0.0) - actual),
                          f"says {reported}, recomputed {actual:.6g}", "reported", value=reported, limit=actual))
    return out


def _verify_periods(scenario: Scenario, plan: Plan) -> list[Violation]:
    """A plan over periods: only its schedule's on/off and spends are trusted; every figure
    of the schedule and the horizon totals is recomputed (see evaluate_periods)."""
    if plan.schedule is None:
        return [Violation("plan", 1, "is over periods but has no schedule", "plan")]
    rows = {(r.channel, r.period): r for r in plan.schedule.rows}
    missing = [f"{c.id} in {p}" for c in scenario.channels for p in Horizon(scenario).ids if (c.id, p) not in rows]
    if missing:
        return [Violation("plan", len(missing), f"has no decision for {', '.join(missing[:5])}", "plan")]
    truth = evaluate_periods(scenario, {k: r.on for k, r in rows.items()}, {k: r.spend for k, r in rows.items()})
    out = list(truth.violations) + _misreported(plan, truth) + _model_disagrees(scenario, plan, truth)
    figures = []
    for r, t in zip(plan.schedule.rows, truth.schedule.rows):
        where = f"{r.channel} in {r.period}"
        figures += [(f"reach of {where}", r.reach, t.reach),
                    (f"effective spend of {where}", r.effective_spend, t.effective_spend),
                    (f"set-up cost of {where}", r.setup_cost, t.setup_cost), (f"cost of {where}", r.cost, t.cost)]
        if r.started != t.started:
            out.append(
                Violation(f"reported start of {where}", 1, f"says {r.started}, recomputed {t.started}", "reported",
                          r.channel, period=r.period))
    for cash, now in zip(plan.schedule.cash, truth.schedule.cash):
        figures += [(f"cost of {cash.period}", cash.cost, now.cost),
                    (f"cumulative cost to {cash.period}", cash.cumulative, now.cumulative),
                    (f"objective of {cash.period}", cash.objective, now.objective)]
    figures += [(f"coverage of ({c.phase}, {c.segment}) in {c.period}", c.level, t.level)
                for c, t in zip(plan.schedule.coverage, truth.schedule.coverage)]
    for name, reported, actual in figures:
        if not _close(reported, actual):
            out.append(
                Violation(f"reported {name}", abs(reported - actual), f"says {reported}, recomputed {actual:.6g}",
                          "reported", value=reported, limit=actual))
    return out


def _model_disagrees(scenario: Scenario, plan: Plan, truth: Evaluation | PeriodsEvaluation) -> list[Violation]:
    """The MILP's pieces under-estimate every curve, so the model may never promise
    more than the real curves give: for max senses model ≤ truth, for min senses
    model ≥ truth (up to what the tie-break pass may give up, as the plan states it).
    And the real curves may not give more than the model's optimum allows: at most the gap
    and the approximation bound, when one is known (without one the plan says why)."""
    if plan.model_objective is None:
        return []
    model = plan.model_objective
    slack = plan.tie_slack + TOLERANCE * max(1.0, abs(truth.objective))
    sign = 1.0 if scenario.objective.maximises else -1.0
    out: list[Violation] = []
    excess = sign * (model - truth.objective) - slack
    if excess > 0:
        out.append(Violation("model objective", excess,
                             f"the MILP promised {model:.6g} but the plan is worth {truth.objective:.6g}",
                             "model", value=model, limit=truth.objective))
    if plan.approximation_bound is not None:
        gap = plan.gap if plan.gap is not None else scenario.solver.gap
        beyond = sign * (truth.objective - model) - (gap * abs(model) + plan.approximation_bound + slack)
        if beyond > 0:
            out.append(Violation("model objective", beyond,
                                 f"the plan is worth {truth.objective:.6g}, more than the MILP's optimum {model:.6g} "
                                 f"within its gap ({gap:.3g}) and approximation bound "
                                 f"({plan.approximation_bound:.6g}) allow", "model", value=truth.objective,
                                 limit=model))
    return out
