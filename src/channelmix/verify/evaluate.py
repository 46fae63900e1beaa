"""The truth about a set of decisions, recomputed from the scenario alone.

Given which channels are on and what each spends, compute costs, resource use,
reach on the *real* curves, coverage of every cell, penalties, the objective, and
every hard rule's violation (with its amount).  Nothing here knows
about the MILP or imports pulp: this is what the verifier and every report trust.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ..core.tolerances import TOLERANCE
from ..model.arrays import CellRules, ScenarioArrays, arrays, at_least
from ..schema.models import Scenario
from ..schema.steps import off_step

# over(rule, value, limit, what, kind, **facts) / under(…): a Violation when value is past its limit
Check = Callable[..., None]


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
    """A rule a set of decisions breaks: the facts (``kind``, what it concerns, where, the figure
    and the limit) and the verifier's own diagnostic (``rule`` and ``detail``, in English: what a
    bug report and ``evaluate --format json`` say)."""

    rule: str
    amount: float  # how far past the limit, in the rule's own units
    detail: str
    kind: str = ""  # budget, resource, min_spend, max_spend, spend (negative or while off), force_on, force_off,
    #                 coverage_target, breadth, concentration, cardinality, group, requires, excludes, reach_level,
    #                 outcome_target, spend_step, availability, min_periods_on, max_switches, pacing, ramp,
    #                 reported (a misreported figure), plan (decisions missing), model (the MILP's promise)
    channel: str | None = None
    cell: tuple[str, str] | None = None
    period: str | None = None  # a plan over periods: the period's id
    value: float | None = None  # the figure that breaks the rule
    limit: float | None = None  # the limit it breaks

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
    baseline_outcome: float = 0.0  # Σ outcome.baseline: what the curves give at zero spend (not optimised)


def _slack(limit: float) -> float:
    return TOLERANCE * max(1.0, abs(limit))


def evaluate(scenario: Scenario, on: dict[str, bool], spend: dict[str, float],
             effective: dict[str, float] | None = None) -> Evaluation:
    """Recompute everything about these decisions; list violated and binding rules.

    ``effective``: the spend each curve reads, when it is not the spend itself (a plan
    over periods with carry-over, see :mod:`channelmix.verify.evaluate_periods`)."""
    sc, rules, A = scenario, scenario.rules, arrays(scenario)
    violations: list[Violation] = []

    def over(rule: str, value: float, limit: float, what: str, kind: str, **facts: Any) -> None:
        if value > limit + _slack(limit):
            violations.append(
                Violation(rule, value - limit, f"{what} is {value:.6g}, above {limit:.6g}", kind, value=value,
                          limit=limit, **facts))

    def under(rule: str, value: float, limit: float, what: str, kind: str, **facts: Any) -> None:
        if value < limit - _slack(limit):
            violations.append(
                Violation(rule, limit - value, f"{what} is {value:.6g}, below {limit:.6g}", kind, value=value,
                          limit=limit, **facts))

    is_on = np.array([bool(on.get(cid, False)) for cid in A.ids], dtype=bool)
    s = A.vector(spend)
    _spend_rules(A, is_on, s, violations, over, under)
    spent = np.where(is_on, s, 0.0)
    reach = np.where(is_on, A.curves.reach(s if effective is None else A.vector(effective)), 0.0)
    cost = np.where(is_on, s + A.fixed, 0.0)
    use = np.where(is_on, A.use_fixed + A.use_per_unit * s, 0.0)  # resources × channels
    bought = A.outcome_value * reach  # outcome.value × reach (money or KPI units), 0 without an outcome
    channels = [
        ChannelOutcome(cid, ch.name, bool(is_on[c]), float(spent[c]), float(A.fixed[c]) if is_on[c] else 0.0,
                       float(cost[c]), float(reach[c]),
                       {r: float(use[A.resources.index(r), c]) for r in ch.uses if r in A.resources}, float(bought[c]))
        for c, (cid, ch) in enumerate(zip(A.ids, sc.channels))]
    for c in np.flatnonzero(A.force_on & ~is_on):
        violations.append(Violation("force_on", 1, f"{A.ids[c]} is off", "force_on", A.ids[c]))
    for c in np.flatnonzero(A.force_off & is_on):
        violations.append(Violation("force_off", 1, f"{A.ids[c]} is on", "force_off", A.ids[c]))

    money = float(cost.sum())
    outcome = float(bought.sum())
    if sc.budget is not None:
        over("budget", money, sc.budget, "money spent", "budget")
    resources = {r: float(use[i].sum()) for i, r in enumerate(A.resources)}
    for r, capacity in sc.resources.items():
        over(f"resource {r}", resources[r], capacity, f"{r} used", "resource")

    cells, weighted, penalties = _cells(A, is_on, reach, under)
    _channel_rules(sc, channels, violations, over, under)

    active = int(is_on.sum())
    card = rules.cardinality
    if card is not None and card.penalty_per_channel:
        penalties["channel_count"] = card.penalty_per_channel * active
    objective = _objective(sc, weighted, money, outcome, sum(penalties.values()), under)
    baseline = sum(ch.outcome.baseline for ch in sc.channels if ch.outcome is not None)
    return Evaluation(channels, cells, money, resources, weighted, penalties, objective, violations, outcome, baseline)


def _spend_rules(A: ScenarioArrays, is_on: np.ndarray, s: np.ndarray, violations: list[Violation], over: Check,
                 under: Check) -> None:
    """A channel's spend: not negative, none while off, within its min_spend and max_spend while on."""
    for c in np.flatnonzero(
        (s < -_slack(0)) | (~is_on & (s > _slack(0))) | (is_on & (A.min_spend > 0)) | (is_on & ~np.isnan(A.max_spend))):
        cid, sc_ = A.ids[c], float(s[c])
        if sc_ < -_slack(0):
            violations.append(
                Violation(f"channel {cid}", -sc_, f"spend is negative ({sc_:.6g})", "spend", cid, value=sc_))
        if not is_on[c] and sc_ > _slack(0):
            violations.append(Violation(f"channel {cid}", sc_, f"is off but spends {sc_:.6g}", "spend", cid, value=sc_))
        if is_on[c]:
            if A.min_spend[c] > 0:
                under(f"min_spend of {cid}", sc_, float(A.min_spend[c]), "spend", "min_spend", channel=cid)
            if not np.isnan(A.max_spend[c]):
                over(f"max_spend of {cid}", sc_, float(A.max_spend[c]), "spend", "max_spend", channel=cid)


def _objective(sc: Scenario, weighted: float, money: float, outcome: float, total_penalty: float,
               under: Check) -> float:
    """The objective's value on the real curves; the min senses' targets checked."""
    sense = sc.objective.sense
    if sense == "max_reach":
        return weighted - total_penalty
    if sense == "max_value":
        return weighted - money - total_penalty
    if sense == "max_outcome":
        return outcome - (money if sc.objective.net else 0.0) - total_penalty
    if sense == "target":
        under("reach level", weighted, sc.objective.level or 0.0, "weighted reach", "reach_level")
    if sc.objective.outcome_target is not None:
        under("outcome target", outcome, sc.objective.outcome_target, "total outcome", "outcome_target")
    return money + total_penalty


def off_steps(scenario: Scenario, spend: dict[str, float]) -> list[Violation]:
    """Every spend that is not a multiple of its channel's spend_step (within round-off).

    Checked for plans, not inside :func:`evaluate`: today's spends (``current``) may be
    any amount, and a plan's are multiples by construction."""
    out = []
    for ch in scenario.channels:
        step, s = scenario.step_of(ch), float(spend.get(ch.id, 0.0))
        if step and off_step(s, step) > _slack(s):
            out.append(
                Violation(f"spend_step of {ch.id}", off_step(s, step), f"spend {s:.10g} is not a multiple of {step:g}",
                          "spend_step", ch.id, value=s, limit=step))
    return out


def cell_levels(A: ScenarioArrays, reach: np.ndarray) -> np.ndarray:
    """Coverage of every cell: min(1, Σ_c a_kc · reach_c)."""
    return np.minimum(1.0, A.affinity @ reach)


def serving_counts(A: ScenarioArrays, family: CellRules, is_on: np.ndarray) -> np.ndarray:
    """Per cell, how many on channels serve it with affinity ≥ the family's threshold."""
    count = at_least(A.affinity, family.threshold) @ is_on.astype(float)
    count[family.threshold <= 0] = is_on.sum()  # a threshold of 0 counts every channel on, even those with affinity 0
    return count


def _cells(A: ScenarioArrays, is_on: np.ndarray, reach: np.ndarray, under: Check):
    level = cell_levels(A, reach)
    weighted = float(A.weight @ level)
    cov = A.coverage
    has_target = (cov.rule >= 0) & (cov.level > 0)
    soft = has_target & ~cov.hard
    penalties = {
        "coverage_shortfall": float(np.sum(cov.penalty[soft] * np.maximum(0.0, cov.level[soft] - level[soft]))),
        "breadth_shortfall": 0.0, "redundancy_shortfall": 0.0}
    checks: list[tuple[int, str, float, float, str]] = []  # (cell, rule, value, limit, what)
    for cell in np.flatnonzero(has_target & cov.hard):
        checks.append((int(cell), "coverage target", float(level[cell]), float(cov.level[cell]), "coverage"))
    for family, cr in (("breadth", A.breadth), ("redundancy", A.redundancy)):
        ruled = (cr.rule >= 0) & (cr.level > 0)
        if not ruled.any():
            continue
        count = serving_counts(A, cr, is_on)
        hard = ruled & cr.hard if family == "breadth" else np.zeros_like(ruled)
        soft = ruled & ~hard
        penalties[f"{family}_shortfall"] = float(
            np.sum(cr.penalty[soft] * np.maximum(0.0, cr.level[soft] - count[soft])))
        for cell in np.flatnonzero(hard):
            checks.append((int(cell), "breadth", float(count[cell]), float(cr.level[cell]), "channels serving it"))
    for at, rule, value, limit, what in sorted(checks, key=lambda t: t[0]):
        p, g = A.cells[at]
        under(f"{rule} ({p}, {g})", value, limit, what, rule.replace(" ", "_"), cell=(p, g))
    serving = A.affinity.columns(np.flatnonzero(is_on)) if is_on.any() else None
    on_ids = [A.ids[c] for c in np.flatnonzero(is_on)]
    cells = []
    for k, (p, g) in enumerate(A.cells):
        names = ([on_ids[j] for j in serving.indices[serving.indptr[k] : serving.indptr[k + 1]]] if serving is not None
                 else [])
        target = float(cov.level[k]) if has_target[k] else None
        cells.append(CellOutcome(p, g, float(level[k]), float(A.weight[k]), target, names))
    return cells, weighted, penalties


def _channel_rules(sc: Scenario, channels: list[ChannelOutcome], violations: list[Violation], over: Check,
                   under: Check) -> None:
    rules = sc.rules
    total_spend = sum(c.spend for c in channels)
    if rules.concentration is not None and rules.concentration.max_share < 1:
        limit = rules.concentration.max_share * total_spend
        for c in channels:
            if c.spend > 0:
                over(f"concentration {c.id}", c.spend, limit, f"spend on {c.id}", "concentration", channel=c.id)
    card = rules.cardinality
    active = sum(1 for c in channels if c.on)
    if card is not None:
        if card.min:
            under("cardinality min", active, card.min, "channels on", "cardinality")
        if card.max is not None:
            over("cardinality max", active, card.max, "channels on", "cardinality")
    by_id = {c.id: c for c in channels}
    for group in rules.groups:
        members = [by_id[ch.id] for ch, selected in zip(sc.channels, group.selects(sc.channels)) if selected]
        what = group.describe()
        share_spend = sum(c.spend for c in members)
        count = sum(1 for c in members if c.on)
        if group.min_share is not None:
            under(f"group {what} min_share", share_spend, group.min_share * total_spend, "its spend", "group")
        if group.max_share is not None:
            over(f"group {what} max_share", share_spend, group.max_share * total_spend, "its spend", "group")
        if group.min_count is not None:
            under(f"group {what} min_count", count, group.min_count, "channels on", "group")
        if group.max_count is not None:
            over(f"group {what} max_count", count, group.max_count, "channels on", "group")
    for a, b in rules.requires:
        if by_id[a].on and not by_id[b].on:
            violations.append(Violation(f"requires {a} → {b}", 1, f"{a} is on but {b} is off", "requires", a))
    for a, b in rules.excludes:
        if by_id[a].on and by_id[b].on:
            violations.append(Violation(f"excludes {a} × {b}", 1, "both are on", "excludes", a))
