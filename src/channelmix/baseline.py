"""The current plan (``current:`` in a scenario), scored on the same curves and rules as
the optimum, and compared with it (DESIGN §3 "Current plan", §5 "Baseline").

Nothing here solves anything or imports the solver: the score is :func:`evaluate`'s,
so a current plan that breaks rules is reported with the rules it breaks.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from .evaluate import Evaluation, evaluate
from .periods import single_period_only
from .schema.models import Scenario

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
class Baseline:
    """The current plan's score and how the optimum compares with it."""

    objective: float
    cost: float
    weighted_reach: float
    feasible: bool
    violations: list[str]  # the rules the current plan breaks, in words
    channels: list[ChannelComparison]
    optimised_objective: float | None
    uplift: float | None  # how much better the optimum is (max senses: more; min senses: money saved)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def decisions(scenario: Scenario, current: dict[str, float] | None = None) -> tuple[dict[str, bool], dict[str, float]]:
    """On/off and spends of a current plan: every channel it names is on (a constant-response
    channel is named with spend 0 to say it is on), every other channel is off."""
    current = scenario.current if current is None else current
    current = current or {}
    on = {ch.id: ch.id in current for ch in scenario.channels}
    spend = {ch.id: float(current.get(ch.id, 0.0)) for ch in scenario.channels}
    return on, spend


def score(scenario: Scenario, current: dict[str, float] | None = None) -> Evaluation:
    """The current plan (or the given spends) on the real curves: every figure and every broken rule."""
    single_period_only(scenario, "scoring a given plan (evaluate)")
    return evaluate(scenario, *decisions(scenario, current))


def better_by(scenario: Scenario, new: float, old: float) -> float:
    """How much better ``new`` is than ``old`` in the scenario's objective (negative: worse)."""
    return new - old if scenario.objective.maximises else old - new


def compare(scenario: Scenario, plan: "Plan | None", current: dict[str, float] | None = None) -> Baseline | None:
    """The current plan beside the optimised one; None when the scenario names no current plan."""
    if current is None and scenario.current is None:
        return None
    truth = score(scenario, current)
    solved = plan is not None and plan.solved
    chosen = {c.id: c for c in plan.channels} if solved else {}
    rows = []
    for c in truth.channels:
        best = chosen.get(c.id)
        rows.append(ChannelComparison(
            c.id, c.label, c.on, c.spend, c.reach,
            best.on if best else None, best.spend if best else None, best.reach if best else None))
    optimised = plan.objective if solved else None
    return Baseline(
        objective=truth.objective, cost=truth.money, weighted_reach=truth.weighted_reach,
        feasible=not truth.violations, violations=[str(v) for v in truth.violations], channels=rows,
        optimised_objective=optimised,
        uplift=better_by(scenario, optimised, truth.objective) if optimised is not None else None,
    )
