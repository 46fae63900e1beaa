"""The truth about a set of decisions, recomputed from the scenario alone.

Given which channels are on and what each spends, compute costs, resource use,
reach on the *real* curves, coverage of every cell, penalties, the objective, and
every hard rule's violation (with its amount).  Nothing here knows
about the MILP or imports pulp: this is what the verifier and every report trust.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .curves import reach
from .schema.models import Scenario, rule_for_cell
from .tolerances import TOLERANCE



@dataclass(frozen=True)
class ChannelOutcome:
    id: str
    label: str
    on: bool
    spend: float
    fixed_cost: float
    cost: float  # spend + fixed cost (0 when off)
    reach: float  # f(spend) on the real curve, 0 when off
    uses: dict[str, float]
    outcome: float = 0.0  # outcome.value × reach (money or KPI units), 0 without an outcome


@dataclass(frozen=True)
class CellOutcome:
    phase: str
    segment: str
    level: float  # min(1, Σ affinity × reach)
    weight: float
    target: float | None
    channels: list[str]  # on channels that serve the cell (affinity > 0)


@dataclass(frozen=True)
class Violation:
    rule: str
    amount: float  # how far past the limit, in the rule's own units
    detail: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.detail} (off by {self.amount:.6g})"


@dataclass(frozen=True)
class Evaluation:
    channels: list[ChannelOutcome]
    cells: list[CellOutcome]
    money: float
    resources: dict[str, float]
    weighted_reach: float
    penalties: dict[str, float]
    objective: float
    violations: list[Violation] = field(default_factory=list)
    outcome: float = 0.0  # Σ channel outcomes that spending buys
    baseline_outcome: float = 0.0  # Σ outcome.baseline: carry-over already there at zero spend (not optimised)


def _slack(limit: float) -> float:
    return TOLERANCE * max(1.0, abs(limit))


def evaluate(scenario: Scenario, on: dict[str, bool], spend: dict[str, float]) -> Evaluation:
    """Recompute everything about these decisions; list violated and binding rules."""
    sc, rules = scenario, scenario.rules
    violations: list[Violation] = []

    def over(rule: str, value: float, limit: float, what: str) -> None:
        if value > limit + _slack(limit):
            violations.append(Violation(rule, value - limit, f"{what} is {value:.6g}, above {limit:.6g}"))

    def under(rule: str, value: float, limit: float, what: str) -> None:
        if value < limit - _slack(limit):
            violations.append(Violation(rule, limit - value, f"{what} is {value:.6g}, below {limit:.6g}"))

    channels = []
    for ch in sc.channels:
        is_on = bool(on.get(ch.id, False))
        s = float(spend.get(ch.id, 0.0))
        if s < -_slack(0):
            violations.append(Violation(f"channel {ch.id}", -s, f"spend is negative ({s:.6g})"))
        if not is_on and s > _slack(0):
            violations.append(Violation(f"channel {ch.id}", s, f"is off but spends {s:.6g}"))
        if is_on:
            if ch.min_spend > 0:
                under(f"min_spend of {ch.id}", s, ch.min_spend, "spend")
            if ch.max_spend is not None:
                over(f"max_spend of {ch.id}", s, ch.max_spend, "spend")
        uses = {}
        for resource, use in ch.uses.items():
            uses[resource] = (use.fixed + use.per_unit * s) if is_on else 0.0
        f = reach(ch.response, s) if is_on else 0.0
        channels.append(ChannelOutcome(
            ch.id, ch.name, is_on, s if is_on else 0.0, ch.fixed_cost if is_on else 0.0,
            (s + ch.fixed_cost) if is_on else 0.0, f, uses, ch.outcome.value * f if ch.outcome else 0.0,
        ))
    by_id = {c.id: c for c in channels}
    for cid in rules.force_on:
        if not by_id[cid].on:
            violations.append(Violation("force_on", 1, f"{cid} is off"))
    for cid in rules.force_off:
        if by_id[cid].on:
            violations.append(Violation("force_off", 1, f"{cid} is on"))

    money = sum(c.cost for c in channels)
    outcome = sum(c.outcome for c in channels)
    if sc.budget is not None:
        over("budget", money, sc.budget, "money spent")
    resources = {r: sum(c.uses.get(r, 0.0) for c in channels) for r in sc.resources}
    for r, capacity in sc.resources.items():
        over(f"resource {r}", resources[r], capacity, f"{r} used")

    cells, weighted, penalties = _cells(sc, by_id, under)
    _channel_rules(sc, channels, violations, over, under)

    active = sum(1 for c in channels if c.on)
    card = rules.cardinality
    if card is not None and card.penalty_per_channel:
        penalties["channel_count"] = card.penalty_per_channel * active
    total_penalty = sum(penalties.values())
    sense = sc.objective.sense
    if sense == "max_reach":
        objective = weighted - total_penalty
    elif sense == "max_value":
        objective = weighted - money - total_penalty
    elif sense == "max_outcome":
        objective = outcome - (money if sc.objective.net else 0.0) - total_penalty
    else:
        objective = money + total_penalty
        if sense == "target":
            under("reach level", weighted, sc.objective.level or 0.0, "weighted reach")
        if sc.objective.outcome_target is not None:
            under("outcome target", outcome, sc.objective.outcome_target, "total outcome")
    baseline = sum(ch.outcome.baseline for ch in sc.channels if ch.outcome is not None)
    return Evaluation(channels, cells, money, resources, weighted, penalties, objective, violations, outcome, baseline)


def _cells(sc: Scenario, by_id, under):
    cells = []
    weighted = 0.0
    penalties = {"coverage_shortfall": 0.0, "breadth_shortfall": 0.0, "redundancy_shortfall": 0.0}
    for p in sc.phases:
        for g in sc.segments:
            serving = [(c, c.affinity_for(p.id, g.id)) for c in sc.channels]
            raw = sum(a * by_id[c.id].reach for c, a in serving if a > 0)
            level = min(1.0, raw)
            weight = sc.cell_weight(p, g)
            weighted += weight * level
            where = f"({p.id}, {g.id})"
            rule = rule_for_cell(sc.rules.coverage, p.id, g.id)
            target = rule.target if rule is not None and rule.target > 0 else None
            if target is not None:
                if rule.hard:
                    under(f"coverage target {where}", level, target, "coverage")
                else:
                    penalties["coverage_shortfall"] += (rule.penalty or 0.0) * max(0.0, target - level)
            for family, rules in (("breadth", sc.rules.breadth), ("redundancy", sc.rules.redundancy)):
                b = rule_for_cell(rules, p.id, g.id)
                if b is None or b.min_channels == 0:
                    continue
                count = sum(1 for c, a in serving if a >= b.threshold and by_id[c.id].on)
                if family == "breadth" and b.hard:
                    under(f"breadth {where}", count, b.min_channels, "channels serving it")
                else:
                    penalties[f"{family}_shortfall"] += (b.penalty or 0.0) * max(0, b.min_channels - count)
            on_serving = [c.id for c, a in serving if a > 0 and by_id[c.id].on]
            cells.append(CellOutcome(p.id, g.id, level, weight, target, on_serving))
    return cells, weighted, penalties


def _channel_rules(sc: Scenario, channels: list[ChannelOutcome], violations, over, under) -> None:
    rules = sc.rules
    total_spend = sum(c.spend for c in channels)
    if rules.concentration is not None and rules.concentration.max_share < 1:
        limit = rules.concentration.max_share * total_spend
        for c in channels:
            if c.spend > 0:
                over(f"concentration {c.id}", c.spend, limit, f"spend on {c.id}")
    card = rules.cardinality
    active = sum(1 for c in channels if c.on)
    if card is not None:
        if card.min:
            under("cardinality min", active, card.min, "channels on")
        if card.max is not None:
            over("cardinality max", active, card.max, "channels on")
    by_id = {c.id: c for c in channels}
    for j, group in enumerate(rules.groups):
        members = [by_id[ch.id] for ch in sc.channels if ch.in_group(group)]
        what = group.describe()
        share_spend = sum(c.spend for c in members)
        count = sum(1 for c in members if c.on)
        if group.min_share is not None:
            under(f"group {what} min_share", share_spend, group.min_share * total_spend, "its spend")
        if group.max_share is not None:
            over(f"group {what} max_share", share_spend, group.max_share * total_spend, "its spend")
        if group.min_count is not None:
            under(f"group {what} min_count", count, group.min_count, "channels on")
        if group.max_count is not None:
            over(f"group {what} max_count", count, group.max_count, "channels on")
    for a, b in rules.requires:
        if by_id[a].on and not by_id[b].on:
            violations.append(Violation(f"requires {a} → {b}", 1, f"{a} is on but {b} is off"))
    for a, b in rules.excludes:
        if by_id[a].on and by_id[b].on:
            violations.append(Violation(f"excludes {a} × {b}", 1, "both are on"))
