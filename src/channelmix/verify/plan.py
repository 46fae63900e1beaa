"""A plan: the solver's decisions, with every figure recomputed from the scenario.

The plan holds facts, not sentences: the rules that bind (:class:`~channelmix.model.facts.Rule`),
the notes on how it was found (:class:`~channelmix.model.facts.Note`), why there is none
(:class:`~channelmix.model.facts.Diagnosis`).  Its JSON, with the sentences of format 1, is the
reports' (:func:`channelmix.reports.documents.plan_document`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..model.facts import Diagnosis, Note, Proof, Rule
from ..model.schedule import Schedule
from ..model.solution import SOLVED, Solution
from ..schema.models import Scenario
from .evaluate import CellOutcome, ChannelOutcome, Evaluation, evaluate
from .evaluate_periods import evaluate_periods

if TYPE_CHECKING:
    from .baseline import Baseline


@dataclass(frozen=True)
class Plan:
    """What to run, what it costs, what it covers: one scenario's answer."""

    scenario: str
    status: str  # optimal | feasible | infeasible | unbounded | no_solution
    sense: str
    objective: float | None  # recomputed on the real curves
    model_objective: float | None  # the MILP's value on its LP pieces (a lower bound for max senses)
    bound: float | None
    gap: float | None
    cost: float | None  # all money spent, fixed costs included
    budget: float | None
    currency: str
    weighted_reach: float | None
    penalties: dict[str, float]
    resources: dict[str, dict[str, float]]  # resource -> {used, capacity}
    channels: list[ChannelOutcome]
    coverage: list[CellOutcome]
    binding: list[Rule]  # the rules that bind at the plan
    curve_error: float  # largest gap between a curve and its LP pieces, in reach share
    approximation_bound: float | None  # how far the true optimum can be from this plan (None: no bound known)
    solver: str
    build_seconds: float
    solve_seconds: float
    diagnosis: Diagnosis | None = None  # an infeasible scenario: why (see solve.diagnosis)
    warnings: list[str] = field(default_factory=list)  # the input's, as the schema words them
    verified: bool = False
    description: str = ""
    phases: list[dict[str, str]] = field(default_factory=list)  # [{id, label}] in journey order
    segments: list[dict[str, str]] = field(default_factory=list)  # [{id, label}]
    outcome: float | None = None  # Σ outcome.value × reach: what the spend buys (money or KPI units)
    baseline_outcome: float = 0.0  # what the curves give at zero spend (e.g. carry-over), not counted in outcome
    baseline: Baseline | None = None  # the scenario's current plan beside this one (see baseline.py)
    solver_seconds: float = 0.0  # inside the solver's run(), both passes
    # formulate, PuLP's hand-over, polish, figures and verifier: the rest of the wall time
    outside_solver_seconds: float = 0.0
    polish_gain: float = 0.0  # objective gained on the real curves by polishing the MILP's spends
    tie_slack: float = 0.0  # how much of model_objective the tie-break pass may have given up (the solver's statement)
    risk: dict[str, Any] | None = None  # with worlds: the plan judged in every world (see risk.py)
    # with periods: the plan period by period (see model/schedule.py); the fields above are horizon totals
    schedule: Schedule | None = None
    notes: list[Note] = field(default_factory=list)  # how the plan was found, where a step did not run in full
    proof: Proof | None = None  # a long plan over periods: how the solver proved its bound (the gap)

    @property
    def solved(self) -> bool:
        return self.status in SOLVED

    @property
    def value(self) -> float:
        """The objective of a solved plan, on the real curves (a plan without one raises)."""
        if self.objective is None:
            raise ValueError(f"a plan with status {self.status!r} has no objective")
        return self.objective

    def on_channels(self) -> list[ChannelOutcome]:
        return [c for c in self.channels if c.on]


def build_plan(scenario: Scenario, solution: Solution, *, curve_error: float, approximation_bound: float | None,
               build_seconds: float, warnings: list[str] | None = None, notes: list[Note] | None = None) -> Plan:
    """Assemble a plan; every reported figure comes from :func:`evaluate`, not the solver."""
    common: dict[str, Any] = dict(scenario=scenario.scenario, status=solution.status, sense=scenario.objective.sense,
                                  model_objective=solution.model_objective, bound=solution.bound, gap=solution.gap,
                                  budget=scenario.budget, currency=scenario.currency, curve_error=curve_error,
                                  approximation_bound=approximation_bound, solver=solution.solver,
                                  build_seconds=build_seconds, solve_seconds=solution.seconds,
                                  tie_slack=solution.tie_slack, warnings=list(warnings or []),
                                  notes=list(notes or []), proof=solution.proof, description=scenario.description,
                                  phases=[{"id": p.id, "label": p.name, **({"term": p.term} if p.term else {})}
                                          for p in scenario.phases],
                                  segments=[{"id": g.id, "label": g.name} for g in scenario.segments])
    if solution.status not in SOLVED:
        return Plan(objective=None, cost=None, weighted_reach=None, penalties={}, channels=[], coverage=[], binding=[],
                    resources={r: {"used": 0.0, "capacity": c} for r, c in scenario.resources.items()}, **common)
    if scenario.kind == "periods":
        return _periods_plan(scenario, solution, common)
    truth: Evaluation = evaluate(scenario, solution.on, solution.spend)
    idle = [c.id for c in truth.channels if c.on and c.reach == 0 and c.cost == 0]
    if idle:
        common["notes"] = common["notes"] + [Note("idle_channels", channels=tuple(idle))]
    return Plan(
        objective=truth.objective, cost=truth.money, weighted_reach=truth.weighted_reach,
        penalties={k: v for k, v in truth.penalties.items() if v}, channels=truth.channels, coverage=truth.cells,
        binding=solution.binding, outcome=truth.outcome, baseline_outcome=truth.baseline_outcome,
        resources={r: {"used": truth.resources[r], "capacity": c} for r, c in scenario.resources.items()},
        **common,
    )


def _periods_plan(scenario: Scenario, solution: Solution, common: dict[str, Any]) -> Plan:
    """A plan over periods: horizon totals on top, the schedule period by period (see evaluate_periods)."""
    truth = evaluate_periods(scenario, solution.on, solution.spend)
    budgets = [p.budget for p in truth.schedule.periods]
    # the horizon's money: the periods' budgets together
    if scenario.budget is None and all(b is not None for b in budgets):
        common = {**common, "budget": float(sum(b for b in budgets if b is not None))}
    return Plan(
        objective=truth.objective, cost=truth.money, weighted_reach=truth.weighted_reach,
        penalties={k: v for k, v in truth.penalties.items() if v}, channels=truth.channels, coverage=truth.cells,
        binding=solution.binding, outcome=truth.outcome, resources=truth.resources, schedule=truth.schedule,
        **common,
    )
