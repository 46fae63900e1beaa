"""The current plan (``current:`` in a scenario), scored on the same curves and rules as
the optimum, and compared with it (docs/architecture.md, "The model" and
"Questions after a solve").

Over periods, the current plan is today's spend kept up: every channel it names runs at
that spend in every period of its window (it counts as running before the first period,
so it pays no set-up cost), scored by :func:`evaluate_periods` and compared with the
optimum period by period.

Nothing here solves anything or imports the solver: the score is :func:`evaluate`'s,
so a current plan that breaks rules is reported with the rules it breaks.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from ..model.periods import Horizon
from ..schema.models import Scenario
from .evaluate import Evaluation, Violation, evaluate
from .evaluate_periods import Key, PeriodsEvaluation, evaluate_periods
from .risk import risk_of

if TYPE_CHECKING:
    from .plan import Plan


@dataclass(frozen=True)
class ChannelComparison:
    """One channel today and in the optimised plan (optimised figures None without a plan)."""

    id: str
    label: str
    current_on: bool
    current_spend: float
    current_reach: float
    optimised_on: bool | None
    optimised_spend: float | None
    optimised_reach: float | None


@dataclass(frozen=True)
class PeriodComparison:
    """One period: what today's plan kept up costs and earns there, and what the optimum does."""

    period: str
    label: str
    current_cost: float
    optimised_cost: float | None
    current_objective: float  # the period's own (unweighted) objective
    optimised_objective: float | None


@dataclass(frozen=True)
class Baseline:
    """The current plan's score and how the optimum compares with it."""

    objective: float
    cost: float
    weighted_reach: float
    feasible: bool
    violations: list[Violation]  # the rules the current plan breaks
    channels: list[ChannelComparison]
    optimised_objective: float | None
    uplift: float | None  # how much better the optimum is (max senses: more; min senses: money saved)
    periods: list[PeriodComparison] = field(default_factory=list)  # over periods only

    def to_dict(self) -> dict[str, Any]:
        """As JSON data: each broken rule as the verifier words it (format 1)."""
        out = asdict(self)
        out["violations"] = [str(v) for v in self.violations]
        # the same broken rules as facts, so a report says them in its language
        out["violation_facts"] = [{k: list(x) if isinstance(x, tuple) else x for k, x in asdict(v).items()
                                   if x is not None} for v in self.violations]
        if not self.periods:  # a single-period plan's baseline keeps its shape
            del out["periods"]
        return out


def decisions(scenario: Scenario, current: dict[str, float] | None = None) -> tuple[dict[str, bool], dict[str, float]]:
    """On/off and spends of a current plan: every channel it names is on (a constant-response
    channel is named with spend 0 to say it is on), every other channel is off."""
    current = scenario.current if current is None else current
    current = current or {}
    on = {ch.id: ch.id in current for ch in scenario.channels}
    spend = {ch.id: float(current.get(ch.id, 0.0)) for ch in scenario.channels}
    return on, spend


def decisions_over_periods(scenario: Scenario,
                           current: dict[str, float] | None = None) -> tuple[dict[Key, bool], dict[Key, float]]:
    """:func:`decisions` kept up over the horizon: each named channel on at its spend in
    every period of its window, off outside it."""
    on, spend = decisions(scenario, current)
    H = Horizon(scenario)
    keys = [(ch.id, p, t) for ch in scenario.channels for t, p in enumerate(H.ids)]
    running = {(cid, p): on[cid] and H.available(cid, t) for cid, p, t in keys}
    return running, {(cid, p): spend[cid] if running[(cid, p)] else 0.0 for cid, p, _ in keys}


def score_schedule(scenario: Scenario, current: dict[str, float],
                   periods: dict[Key, float | None]) -> PeriodsEvaluation:
    """A plan over periods given as spends kept up (``current``) with some (channel, period)
    set apart: a spend there, or None for off there; scored by :func:`evaluate_periods`."""
    on, spend = decisions_over_periods(scenario, current)
    for key, value in periods.items():
        on[key], spend[key] = value is not None, value or 0.0
    return evaluate_periods(scenario, on, spend)


def score(scenario: Scenario, current: dict[str, float] | None = None) -> Evaluation | PeriodsEvaluation:
    """The current plan (or the given spends) on the real curves: every figure and every
    broken rule (over periods: kept up in every period, see the module docstring)."""
    if scenario.periods is not None:
        return evaluate_periods(scenario, *decisions_over_periods(scenario, current))
    return evaluate(scenario, *decisions(scenario, current))


def score_in_worlds(scenario: Scenario, current: dict[str, float] | None = None) -> dict[str, Any] | None:
    """The plan judged in every world of the scenario, as a solved plan's ``risk`` (None without
    worlds; a scenario over periods has none: the schema does not combine the two)."""
    if scenario.worlds is None or scenario.periods is not None:
        return None
    return risk_of(scenario, *decisions(scenario, current))


def better_by(scenario: Scenario, new: float, old: float) -> float:
    """How much better ``new`` is than ``old`` in the scenario's objective (negative: worse)."""
    return new - old if scenario.objective.maximises else old - new


def compare(scenario: Scenario, plan: "Plan | None", current: dict[str, float] | None = None) -> Baseline | None:
    """The current plan beside the optimised one; None when the scenario names no current plan."""
    if current is None and scenario.current is None:
        return None
    truth = score(scenario, current)
    solved = plan if plan is not None and plan.solved else None
    chosen = {c.id: c for c in solved.channels} if solved else {}
    rows = []
    for c in truth.channels:
        best = chosen.get(c.id)
        rows.append(ChannelComparison(
            c.id, c.label, c.on, c.spend, c.reach,
            best.on if best else None, best.spend if best else None, best.reach if best else None))
    optimised = solved.objective if solved else None
    periods = []
    if isinstance(truth, PeriodsEvaluation):
        by_period = {c.period: c for c in solved.schedule.cash} if solved and solved.schedule is not None else {}
        periods = [
            PeriodComparison(info.id, info.label, cash.cost, by_period[info.id].cost if by_period else None,
                             cash.objective, by_period[info.id].objective if by_period else None)
            for info, cash in zip(truth.schedule.periods, truth.schedule.cash)]
    return Baseline(
        objective=truth.objective, cost=truth.money, weighted_reach=truth.weighted_reach,
        feasible=not truth.violations, violations=list(truth.violations), channels=rows,
        optimised_objective=optimised,
        uplift=better_by(scenario, optimised, truth.objective) if optimised is not None else None, periods=periods,
    )
