"""What loosening would buy: the scenario re-solved with every budget 10 % larger (the total,
each period's own), and with each limit that binds the plan 10 % looser, one at a time, through
the verified pipeline — the figures a plan's decision header quotes ("10 % more budget, 2,400 ZAR,
would buy 3,120 more weighted reach"; the two limits worth most to loosen).  Only the limits that
bind are re-solved: a slack one is worth nothing to loosen.  Data only: the reports word it
(docs/architecture.md, "Questions after a solve")."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from ..schema.models import Scenario
from ..solve.pipeline import solve_scenario
from ..verify.baseline import better_by
from ..verify.plan import Plan
from .alternatives import tie_tolerance
from .explain_tasks import LIMIT, Context, Task, run_task
from .limits import Limit, limit_of, with_limit


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


WORLD_ROW = re.compile(r"(?<=\d)w\d+$")  # the robust model's copy of a row for one world ("target_11w10")


@dataclass(frozen=True)
class LimitWorth:
    """One binding limit loosened by ``share`` of its value (a count by one at least), and what the
    verified re-solve found it worth."""

    limit: Limit
    share: float  # 0.1: ten per cent looser
    moved_to: float  # the limit's value in the re-solve
    solved: bool  # the re-solve found a verified plan
    gain: float | None  # how much better than the plan (0.0 within the solver's tolerance; None without a plan)


def loosened_value(limit: Limit, share: float) -> float:
    """``limit`` moved ``share`` of its value the looser way; a count moves one channel at least."""
    step = share * abs(limit.value)
    if limit.integer:
        step = max(1.0, float(round(step)))
    return limit.loosened(step)


def binding_limits(scenario: Scenario, plan: Plan) -> list[Limit]:
    """The numeric limits behind the plan's binding rules, each once (a rule over several cells or
    periods is one limit), in the order the plan lists them."""
    found: dict[tuple, Limit] = {}
    for rule in plan.binding:
        limit = limit_of(scenario, WORLD_ROW.sub("", rule.row))  # a world's row is the scenario's rule
        if limit is not None and limit.identity not in found:
            found[limit.identity] = limit
    return list(found.values())


def limits_worth(scenario: Scenario, plan: Plan, share: float = 0.1, budget: MoreBudget | None = None,
                 values: dict[str, float] | None = None) -> list[LimitWorth]:
    """Each binding limit re-solved ``share`` looser (one verified solve each), best first.  The
    whole-plan budget's figure is ``budget``'s (the same move) when it is given, not solved again.
    With the solver's ``values`` behind the plan, each re-solve starts from the plan (still feasible
    when a limit is loosened) with its value as a cutoff, as explain's do."""
    if not plan.solved:
        return []
    quick = scenario.model_copy(
        update={"current": None, "objective": scenario.objective.model_copy(update={"tie_break": False})})
    context = Context(scenario, quick, plan, values) if values is not None else None
    out = []
    for limit in binding_limits(scenario, plan):
        moved_to = loosened_value(limit, share)
        if moved_to == limit.value:
            continue  # already as loose as it goes (a share at 0 or 1)
        if budget is not None and limit.name == "budget" and scenario.periods is None:
            out.append(LimitWorth(limit, share, moved_to, budget.gain is not None, budget.gain))
            continue
        if context is not None:
            answer = run_task(Task(LIMIT, limit.name, limit=limit, moved_to=moved_to), context)
            value = answer.value if answer.solved else None
        else:
            other = solve_scenario(with_limit(scenario, limit, moved_to))
            value = other.value if other.solved else None
        gain = better_by(scenario, value, plan.value) if value is not None else None
        if gain is not None and value is not None and abs(gain) <= tie_tolerance(scenario, plan.value, value):
            gain = 0.0  # within the solver's tolerance: noise, not worth
        out.append(LimitWorth(limit, share, moved_to, value is not None, gain))
    return sorted(out, key=lambda w: -(w.gain if w.gain is not None else float("-inf")))


__all__ = ["LimitWorth", "MoreBudget", "binding_limits", "limits_worth", "loosened_value", "more_budget",
           "with_more_budget"]
