"""What more money would buy: the scenario re-solved with every budget 10 % larger (the total,
each period's own), through the verified pipeline — the figure a plan's decision header quotes
("10 % more budget, 2,400 ZAR, would buy 3,120 more weighted reach").  Data only: the reports
word it (docs/architecture.md, "Questions after a solve")."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ..schema.models import Scenario
from ..solve.pipeline import solve_scenario
from ..verify.baseline import better_by
from ..verify.plan import Plan


@dataclass(frozen=True)
class MoreBudget:
    """The plan re-solved with ``share`` more budget: the money added, and the verified result."""

    share: float  # 0.1: ten per cent more
    budget: float  # the budget now, over the whole plan
    extra: float  # the money added, over the whole plan
    status: str  # the re-solve's status
    objective: float | None  # its verified objective (None without a plan)
    cost: float | None  # what it costs
    gain: float | None  # how much better than the plan (negative: worse, within the solver's gap)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def with_more_budget(scenario: Scenario, share: float) -> tuple[Scenario, float, float] | None:
    """The scenario with every money limit ``share`` larger, its budget now and the money added
    (over the whole plan); None when it has no budget or does not maximise (a cost objective
    spends what its targets need)."""
    if not scenario.objective.maximises:
        return None
    periods = scenario.periods
    if periods is None:
        if scenario.budget is None:
            return None
        return scenario.model_copy(update={"budget": scenario.budget * (1 + share)}), scenario.budget, \
            scenario.budget * share
    items = periods.resolved({})
    own = [p.budget for p in items]
    if any(b is None for b in own):
        if scenario.budget is None:
            return None
        now = scenario.budget  # only the total binds every period
    else:
        now = sum(b for b in own if b is not None)
    update: dict[str, Any] = {}
    if periods.budget is not None:
        update["budget"] = periods.budget * (1 + share)
    if periods.items is not None:
        update["items"] = [i.model_copy(update={"budget": i.budget * (1 + share)}) if i.budget is not None else i
                           for i in periods.items]
    bigger = scenario.model_copy(update={"periods": periods.model_copy(update=update)})
    if scenario.budget is not None:
        bigger = bigger.model_copy(update={"budget": scenario.budget * (1 + share)})
    return bigger, now, now * share


def more_budget(scenario: Scenario, plan: Plan, share: float = 0.1) -> MoreBudget | None:
    """The verified plan with ``share`` more budget beside ``plan`` (None: no budget to raise, or no plan)."""
    if not plan.solved:
        return None
    found = with_more_budget(scenario, share)
    if found is None:
        return None
    bigger, now, extra = found
    other = solve_scenario(bigger)
    if not other.solved:
        return MoreBudget(share, now, extra, other.status, None, None, None)
    return MoreBudget(share, now, extra, other.status, other.value, other.cost,
                      better_by(scenario, other.value, plan.value))


__all__ = ["MoreBudget", "more_budget", "with_more_budget"]
