"""A plan: the solver's decisions, with every figure recomputed from the scenario."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

from .evaluate import CellOutcome, ChannelOutcome, Evaluation, evaluate
from .schedule import Schedule
from .schema.models import Scenario

if TYPE_CHECKING:  # the plan reads a Solution but must not pull in the solver (and PuLP)
    from .solve import Solution

SOLVED = ("optimal", "feasible")


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
    binding: list[str]
    curve_error: float  # largest gap between a curve and its LP pieces, in reach share
    approximation_bound: float | None  # how far the true optimum can be from this plan (None: no bound known)
    solver: str
    build_seconds: float
    solve_seconds: float
    message: str = ""
    warnings: list[str] = field(default_factory=list)
    verified: bool = False
    description: str = ""
    phases: list[dict[str, str]] = field(default_factory=list)  # [{id, label}] in journey order
    segments: list[dict[str, str]] = field(default_factory=list)  # [{id, label}]
    outcome: float | None = None  # Σ outcome.value × reach: what the spend buys (money or KPI units)
    baseline_outcome: float = 0.0  # what the curves give at zero spend (e.g. carry-over), not counted in outcome
    baseline: dict[str, Any] | None = None  # the scenario's current plan beside this one (see baseline.py)
    solver_seconds: float = 0.0  # inside the solver's run(), both passes
    outside_solver_seconds: float = 0.0  # formulate, PuLP's hand-over, polish, figures and verifier: the rest of the wall time
    polish_gain: float = 0.0  # objective gained on the real curves by polishing the MILP's spends
    tie_slack: float = 0.0  # how much of model_objective the tie-break pass may have given up (the solver's statement)
    risk: dict[str, Any] | None = None  # with worlds: the plan judged in every world (see worlds.py)
    schedule: Schedule | None = None  # with periods: the plan period by period (see schedule.py); the fields above are horizon totals

    @property
    def solved(self) -> bool:
        return self.status in SOLVED

    def on_channels(self) -> list[ChannelOutcome]:
        return [c for c in self.channels if c.on]

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``channelmix solve --format json``."""
        out = asdict(replace(self, channels=[], coverage=[]))  # both rebuilt below: not deep-copied first
        out["channels"] = channel_rows(self.channels)
        out["coverage"] = coverage_rows(self.coverage)
        return out


def channel_rows(channels: list[ChannelOutcome]) -> list[dict[str, Any]]:
    """Each channel's figures in the JSON of a plan: one writer for ``solve`` and ``evaluate``."""
    return [{"id": c.id, "label": c.label, "on": c.on, "spend": c.spend, "fixed_cost": c.fixed_cost,
             "cost": c.cost, "reach": c.reach, "uses": c.uses, "outcome": c.outcome} for c in channels]


def coverage_rows(cells: list[CellOutcome]) -> list[dict[str, Any]]:
    """Each cell's coverage in the JSON of a plan: one writer for ``solve`` and ``evaluate``."""
    return [{"phase": c.phase, "segment": c.segment, "level": c.level, "weight": c.weight, "target": c.target,
             "channels": c.channels} for c in cells]


def build_plan(scenario: Scenario, solution: Solution, *, curve_error: float, approximation_bound: float | None,
               build_seconds: float, warnings: list[str] | None = None) -> Plan:
    """Assemble a plan; every reported figure comes from :func:`evaluate`, not the solver."""
    common = dict(
        scenario=scenario.scenario, status=solution.status, sense=scenario.objective.sense,
        model_objective=solution.model_objective, bound=solution.bound, gap=solution.gap,
        budget=scenario.budget, currency=scenario.currency, curve_error=curve_error,
        approximation_bound=approximation_bound, solver=solution.solver, build_seconds=build_seconds,
        solve_seconds=solution.seconds, tie_slack=solution.tie_slack, warnings=list(warnings or []), description=scenario.description,
        phases=[{"id": p.id, "label": p.name} for p in scenario.phases],
        segments=[{"id": g.id, "label": g.name} for g in scenario.segments],
    )
    if solution.status not in SOLVED:
        return Plan(objective=None, cost=None, weighted_reach=None, penalties={}, channels=[], coverage=[],
                    binding=[], resources={r: {"used": 0.0, "capacity": c} for r, c in scenario.resources.items()},
                    message=_no_plan_message(solution.status), **common)
    if scenario.periods is not None:
        return _periods_plan(scenario, solution, common)
    truth: Evaluation = evaluate(scenario, solution.on, solution.spend)
    idle = [c.id for c in truth.channels if c.on and c.reach == 0 and c.cost == 0]
    if idle:
        common["warnings"] = common["warnings"] + [
            f"{', '.join(idle)}: on with no spend and no reach, yet counted by breadth, cardinality and group counts; "
            "set min_spend to what running a channel really takes"]
    return Plan(
        objective=truth.objective, cost=truth.money, weighted_reach=truth.weighted_reach,
        penalties={k: v for k, v in truth.penalties.items() if v}, channels=truth.channels, coverage=truth.cells,
        binding=solution.binding, outcome=truth.outcome, baseline_outcome=truth.baseline_outcome,
        resources={r: {"used": truth.resources[r], "capacity": c} for r, c in scenario.resources.items()},
        message=_stopped_message(solution),
        **common,
    )


def _periods_plan(scenario: Scenario, solution: Solution, common: dict[str, Any]) -> Plan:
    """A plan over periods: horizon totals on top, the schedule period by period (see evaluate_periods)."""
    from .evaluate_periods import evaluate_periods

    truth = evaluate_periods(scenario, solution.on, solution.spend)
    budgets = [p.budget for p in truth.schedule.periods]
    if scenario.budget is None and all(b is not None for b in budgets):  # the horizon's money: the periods' budgets together
        common = {**common, "budget": float(sum(budgets))}
    return Plan(
        objective=truth.objective, cost=truth.money, weighted_reach=truth.weighted_reach,
        penalties={k: v for k, v in truth.penalties.items() if v}, channels=truth.channels, coverage=truth.cells,
        binding=solution.binding, outcome=truth.outcome, resources=truth.resources, schedule=truth.schedule,
        message=_stopped_message(solution),
        **common,
    )


def _stopped_message(solution: Solution) -> str:
    """Why a plan is not proven optimal: the time limit, with the gap it left (or that none was proved)."""
    if solution.status == "optimal":
        return ""
    if solution.gap is None:  # a plan in hand but no bound yet (a robust model's start, stopped before its first LP)
        return "stopped at the time limit before any bound was proved: how far from optimal this plan is, is not known"
    return f"stopped at the time limit with a gap of {solution.gap:.3%}"


def _no_plan_message(status: str) -> str:
    return {
        "infeasible": "infeasible: no plan meets every hard rule",
        "unbounded": "unbounded: the objective can grow without limit (a bug: every variable is bounded)",
        "no_solution": "no plan found within the time limit; raise solver.time_limit",
    }.get(status, status)
