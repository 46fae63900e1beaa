"""The numeric limits of a scenario, named as the MILP names their constraints, and how to
move one: what loosening a rule is worth and what repairs an infeasible scenario both
come down to "the same scenario with this one limit at another value".

No solver here: a limit is read from and written to the :class:`Scenario` itself, so a
moved scenario goes through the whole verified pipeline like any other.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..schema.models import BreadthRule, CoverageRule, Scenario
from ..schema.steps import round_up

LE, GE = "at most", "at least"  # the direction a limit bounds its quantity


@dataclass(frozen=True)
class Limit:
    """One numeric limit: the constraint (or constraint family) it is, what it concerns, and its
    value (no words: the reports name it, :func:`channelmix.reports.wording.limit_words`)."""

    name: str  # the constraint's name in the MILP (a family's first member for concentration)
    kind: str  # budget | resource | coverage_target | breadth | cardinality | group_count | group_share |
    #            concentration | reach_level | min_spend | max_spend
    value: float
    bound: str  # LE: the quantity must stay at most the limit (loosen by raising it); GE: at least
    integer: bool = False
    share: bool = False  # a share in [0, 1]
    members: tuple[str, ...] = ()  # every constraint the limit sets (a cell rule governs several cells)
    index: int | None = None  # the rule's position in its family (rules.coverage[index], …)
    cell: tuple[str, str] | None = None  # a cell rule governing one cell: that cell
    cells: int = 0  # a cell rule: how many cells it governs
    resource: str | None = None
    channel: str | None = None
    group: str | None = None  # a group rule: the channels it selects, as the scenario writes them
    side: str | None = None  # min | max (cardinality, group rules)
    period: str | None = None  # a period's own budget: the period's label
    each_period: bool = False  # a budget or capacity that holds in each period

    @property
    def identity(self) -> tuple:
        """What the limit is, whichever of its rows (cells, periods) it was read from."""
        return (self.kind, self.index, self.cell, self.cells, self.resource, self.channel, self.group, self.side,
                self.period, self.each_period)

    @property
    def names(self) -> tuple[str, ...]:
        return self.members or (self.name,)

    @property
    def loosens_up(self) -> bool:
        return self.bound == LE

    def loosened(self, step: float) -> float:
        """The limit moved by ``step`` in the direction that allows more plans."""
        moved = self.value + step if self.loosens_up else self.value - step
        if self.share:
            moved = min(max(moved, 0.0), 1.0)
        return max(moved, 0.0)

    def step(self) -> float:
        """A finite-difference step: one channel for counts, a point for shares, 1 % otherwise."""
        if self.integer:
            return 1.0
        if self.share:
            return 0.01
        return max(1.0, round(0.01 * abs(self.value), 2)) if self.kind in ("budget", "min_spend", "max_spend") else \
            max(0.01 * abs(self.value), 1e-3)


def step_in(scenario: Scenario, limit: Limit) -> float:
    """:meth:`Limit.step` for this scenario: a money limit moves by whole payable units
    (the channel's spend_step, or the largest one for the budget), so the move can buy something."""
    step = limit.step()
    if limit.kind == "budget":
        unit = max((u for c in scenario.channels if (u := scenario.step_of(c))), default=None)
    elif limit.kind in ("min_spend", "max_spend"):
        unit = scenario.step_of(scenario.channels[int(limit.name.rsplit("_", 1)[1])])
    else:
        return step
    return round_up(step, unit)


PERIOD_ROW = re.compile(r"^(.*)_t(\d+)$")  # a row of one period of a plan over periods


def limit_of(scenario: Scenario, name: str) -> Limit | None:
    """The limit a constraint enforces, or None when it is no numeric limit (logic, force).
    Over periods, a period's row is the scenario's limit it comes from (``target_3_t2`` is
    ``target_3``: moving it moves every period), except a period's own budget."""
    return _period_limit(scenario, name) if scenario.periods is not None else _scenario_limit(scenario, name)


def _scenario_limit(sc: Scenario, name: str) -> Limit | None:
    """:func:`limit_of` for a name without a period: read from the scenario's own fields."""
    if name == "budget" and sc.budget is not None:
        return Limit(name, "budget", sc.budget, LE)
    if name.startswith("resource_"):
        resource = list(sc.resources)[int(name.split("_")[1])]
        return Limit(name, "resource", sc.resources[resource], LE, resource=resource)
    if name.startswith(("target_", "breadth_")):
        # a cell rule is one limit however many cells it governs: moving it moves them all
        family, k = name.split("_")[0], int(name.split("_")[1])
        rules: Sequence[CoverageRule | BreadthRule] = sc.rules.coverage if family == "target" else sc.rules.breadth
        governing = [_governing(rules, p, g) for p, g in sc.cells]
        j = governing[k]
        if j is None:
            return None  # no rule governs the cell: no row either
        members = tuple(f"{family}_{i}" for i, r in enumerate(governing) if r == j)
        cells = [sc.cells[int(m.split("_")[1])] for m in members]
        cell, rule = (cells[0] if len(cells) == 1 else None), rules[j]
        if isinstance(rule, CoverageRule):
            return Limit(f"target_{k}", "coverage_target", rule.target, GE, share=True, members=members, index=j,
                         cell=cell, cells=len(cells))
        return Limit(f"breadth_{k}", "breadth", float(rule.min_channels), GE, integer=True, members=members, index=j,
                     cell=cell, cells=len(cells))
    if name.startswith("cardinality_"):
        card = sc.rules.cardinality
        assert card is not None  # the rows exist only with the rule
        if name.endswith("min"):
            return Limit(name, "cardinality", float(card.min), GE, integer=True, side="min")
        assert card.max is not None
        return Limit(name, "cardinality", float(card.max), LE, integer=True, side="max")
    if name.startswith("group_"):
        _, index, side, what = name.split("_")
        group = sc.rules.groups[int(index)]
        value = getattr(group, f"{side}_{what}")
        bound = GE if side == "min" else LE
        kind = f"group_{what}"
        return Limit(name, kind, float(value), bound, integer=what == "count", share=what == "share", index=int(index),
                     group=group.describe(), side=side)
    if name.startswith("concentration_"):
        assert sc.rules.concentration is not None  # the rows exist only with the rule
        return Limit("concentration", "concentration", sc.rules.concentration.max_share, LE, share=True,
                     members=tuple(f"concentration_{i}" for i in range(len(sc.channels))))
    if name == "reach_level":
        return Limit(name, "reach_level", sc.objective.level or 0.0, GE)
    if name.startswith(("onoff_min_", "onoff_max_")):
        ch = sc.channels[int(name.rsplit("_", 1)[1])]
        if name.startswith("onoff_min_"):
            return Limit(name, "min_spend", ch.min_spend, GE, channel=ch.id)
        if ch.max_spend is None:
            return None  # the cap comes from the budget, which is its own limit
        return Limit(name, "max_spend", ch.max_spend, LE, channel=ch.id)
    return None


def _period_limit(sc: Scenario, name: str) -> Limit | None:
    """:func:`limit_of` over periods (see there)."""
    assert sc.periods is not None
    row = PERIOD_ROW.match(name)
    if name == "budget_period" or (row is not None and row.group(1) == "budget"):
        t = int(row.group(2)) if row is not None else None
        items = sc.periods.items
        own = items[t].budget if t is not None and items is not None else None
        if t is not None and items is not None and own is not None:
            return Limit(f"budget_t{t}", "budget", own, LE, period=items[t].name)
        if sc.periods.budget is not None:
            return Limit("budget_period", "budget", sc.periods.budget, LE, each_period=True)
        name = "budget"  # a period's money cap is the total's copy
    if row is not None:
        name = row.group(1)
    if name.startswith("resource_"):
        resource = list(sc.resources)[int(name.split("_")[1])]
        own = sc.periods.resources.get(resource)
        return Limit(name, "resource", sc.resources[resource] if own is None else own, LE, resource=resource,
                     each_period=True)
    return _scenario_limit(sc, "budget" if name == "budget_total" else name)


def _with_period_limit(sc: Scenario, name: str, value: float) -> Scenario | None:
    """:func:`with_limit` for the limits only a plan over periods has (None: not one of them)."""
    periods = sc.periods
    if periods is None:
        return None
    if name == "budget_period":
        return sc.model_copy(update={"periods": periods.model_copy(update={"budget": value})})
    row = PERIOD_ROW.match(name)
    if row is not None and row.group(1) == "budget" and periods.items is not None:
        items = list(periods.items)
        t = int(row.group(2))
        items[t] = items[t].model_copy(update={"budget": value})
        return sc.model_copy(update={"periods": periods.model_copy(update={"items": items})})
    if name.startswith("resource_"):
        resource = list(sc.resources)[int(name.split("_")[1])]
        if resource in periods.resources:
            return sc.model_copy(
                update={"periods": periods.model_copy(update={"resources": {**periods.resources, resource: value}})})
    return None


def _governing(rules: Sequence[CoverageRule | BreadthRule], phase: str, segment: str) -> int | None:
    """The position of the rule that governs a cell (later entries override earlier ones)."""
    found = None
    for j, rule in enumerate(rules):
        if rule.applies(phase, segment):
            found = j
    return found


def with_limit(scenario: Scenario, limit: Limit, value: float) -> Scenario:
    """The scenario with one limit set to ``value`` (counts rounded to whole channels)."""
    sc, name = scenario, limit.name
    if limit.integer:
        value = float(math.floor(value + 1e-9) if limit.bound == LE else math.ceil(value - 1e-9))
    over = _with_period_limit(sc, name, value)
    if over is not None:
        return over
    rules = sc.rules

    def set_rules(**changes) -> Scenario:
        return sc.model_copy(update={"rules": rules.model_copy(update=changes)})

    if name == "budget":
        return sc.model_copy(update={"budget": value})
    if name.startswith("resource_"):
        resource = list(sc.resources)[int(name.split("_")[1])]
        return sc.model_copy(update={"resources": {**sc.resources, resource: value}})
    if name.startswith(("target_", "breadth_")):
        family = "coverage" if name.startswith("target_") else "breadth"
        changed = list(getattr(rules, family))
        key = "target" if family == "coverage" else "min_channels"
        assert limit.index is not None  # a cell rule's limit knows its rule
        changed[limit.index] = changed[limit.index].model_copy(
            update={key: value if family == "coverage" else int(value)})
        return set_rules(**{family: changed})
    if name.startswith("cardinality_"):
        side = "min" if name.endswith("min") else "max"
        assert rules.cardinality is not None  # the limit exists only with the rule
        return set_rules(cardinality=rules.cardinality.model_copy(update={side: int(value)}))
    if name.startswith("group_"):
        _, j, side, what = name.split("_")
        groups = list(rules.groups)
        groups[int(j)] = groups[int(j)].model_copy(update={f"{side}_{what}": int(value) if what == "count" else value})
        return set_rules(groups=groups)
    if name == "concentration":
        assert rules.concentration is not None  # the limit exists only with the rule
        return set_rules(concentration=rules.concentration.model_copy(update={"max_share": max(value, 1e-6)}))
    if name == "reach_level":
        return sc.model_copy(update={"objective": sc.objective.model_copy(update={"level": value})})
    if name.startswith(("onoff_min_", "onoff_max_")):
        i = int(name.rsplit("_", 1)[1])
        channels = list(sc.channels)
        key = "min_spend" if name.startswith("onoff_min_") else "max_spend"
        channels[i] = channels[i].model_copy(update={key: value})
        return sc.model_copy(update={"channels": channels})
    raise ValueError(f"{name} is not a numeric limit")
