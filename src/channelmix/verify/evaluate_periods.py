"""The truth about a plan over periods, recomputed from the scenario alone (no pulp).

Input: on/off and spend per (channel, period id).  Each period is judged by
:func:`channelmix.verify.evaluate.evaluate` on its view (:meth:`channelmix.model.periods.Horizon.view`),
with the curves read at the adstock (effective spend); this module adds what only the
horizon knows — starts and set-up costs, money per period and in total (with carry-over
of unspent money), availability, minimum runs, switches, pacing, ramps, cardinality over
the plan — and the horizon totals a :class:`~channelmix.verify.plan.Plan` reports:

* a channel is on if it is on in any period; its spend, cost and outcome are sums, its
  reach the period-weighted mean;
* a cell's coverage is the period-weighted mean of its levels (weights: the periods'
  ``weight``), its channels those that serve it in any period;
* the objective is the horizon objective of :mod:`channelmix.model.periods`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ..core.tolerances import TOLERANCE
from ..model.periods import Horizon, money_sign
from ..model.schedule import CellPeriod, ChannelPeriod, PeriodCash, Schedule
from ..schema.models import Scenario
from .evaluate import CellOutcome, ChannelOutcome, Evaluation, Violation, evaluate

Key = tuple[str, str]  # (channel id, period id)


@dataclass(frozen=True)
class PeriodsEvaluation:
    schedule: Schedule
    periods: list[Evaluation]
    channels: list[ChannelOutcome]  # horizon totals
    cells: list[CellOutcome]  # period-weighted mean coverage
    money: float
    resources: dict[str, dict[str, float]]  # resource -> {used, capacity}, summed over the periods
    weighted_reach: float
    penalties: dict[str, float]
    objective: float
    outcome: float
    violations: list[Violation] = field(default_factory=list)


def _slack(limit: float) -> float:
    return TOLERANCE * max(1.0, abs(limit))


def evaluate_periods(scenario: Scenario, on: dict[Key, bool], spend: dict[Key, float],
                     views: list[Scenario] | None = None) -> PeriodsEvaluation:
    """Recompute every figure of a plan over periods and list every rule it breaks.

    ``views``: each period's single-period scenario, when not the horizon's own (the
    certificates judge a plan on the MILP's curve pieces, period by period)."""
    H = Horizon(scenario)
    views = H.views if views is None else views
    ids = H.ids
    violations: list[Violation] = []
    is_on = {(c.id, p): bool(on.get((c.id, p), False)) for c in scenario.channels for p in ids}
    spent = {k: float(spend.get(k, 0.0)) for k in is_on}
    effective = H.effective(is_on, spent)
    started = {}
    for ch in scenario.channels:
        before = H.running_before(ch.id)
        for p in ids:
            started[(ch.id, p)] = is_on[(ch.id, p)] and not before
            before = is_on[(ch.id, p)]
    evals = []
    for t, p in enumerate(ids):
        ev = evaluate(views[t], {c: is_on[(c, p)] for c, _ in _keys(scenario, p)},
                      {c: spent[(c, p)] for c, _ in _keys(scenario, p)},
                      {c: effective[(c, p)] for c, _ in _keys(scenario, p)})
        violations += [replace(v, rule=f"{H.items[t].name}: {v.rule}", period=p) for v in ev.violations
                       if v.rule != "budget"]  # money is judged below, set-up costs included
        evals.append(ev)
    schedule, objectives = _schedule(scenario, H, evals, is_on, effective, started)
    violations += _horizon_rules(scenario, H, schedule, is_on, spent)
    return _totals(scenario, H, schedule, evals, objectives, violations)


def _keys(scenario: Scenario, p: str) -> list[Key]:
    return [(c.id, p) for c in scenario.channels]


def _schedule(scenario: Scenario, H: Horizon, evals: list[Evaluation], is_on, effective,
              started) -> tuple[Schedule, list[float]]:
    rows_by_period = []
    for p, ev in zip(H.ids, evals):
        rows = []
        for ch, outcome in zip(scenario.channels, ev.channels):
            setup = ch.setup_cost if started[(ch.id, p)] else 0.0
            rows.append(
                ChannelPeriod(ch.id, p, outcome.on, started[(ch.id, p)], outcome.spend,
                              effective[(ch.id, p)] if outcome.on else 0.0, outcome.reach, outcome.fixed_cost, setup,
                              outcome.cost + setup, dict(outcome.uses)))
        rows_by_period.append(rows)
    cash, objectives, cumulative, carried = [], [], 0.0, 0.0
    sign = money_sign(scenario)
    for item, ev, rows in zip(H.items, evals, rows_by_period):
        setup = sum(r.setup_cost for r in rows)
        cost = ev.money + setup
        cumulative += cost
        objective = ev.objective + sign * setup
        objectives.append(objective)
        available = None if item.budget is None else item.budget + (carried if H.carry_money else 0.0)
        if available is not None:
            carried = max(available - cost, 0.0) if H.carry_money else 0.0
        cash.append(
            PeriodCash(item.id, item.budget, available, sum(r.spend for r in rows), sum(r.fixed_cost for r in rows),
                       setup, cost, cumulative, objective, ev.weighted_reach, sum(1 for r in rows if r.on),
                       {r: {"used": ev.resources[r], "capacity": c} for r, c in item.resources.items()
                        if r in ev.resources}))
    rows = [rows_by_period[t][c] for c in range(len(scenario.channels)) for t in range(H.T)]
    coverage = [CellPeriod(p, cell.phase, cell.segment, cell.level, cell.target, list(cell.channels))
                for p, ev in zip(H.ids, evals) for cell in ev.cells]
    return Schedule(H.unit, H.infos(), rows, cash, coverage), objectives


def _horizon_rules(scenario: Scenario, H: Horizon, schedule: Schedule, is_on, spent) -> list[Violation]:
    """Availability, money, minimum runs, switches, pacing, ramps and cardinality, judged over the plan."""
    out: list[Violation] = []
    rules = scenario.rules

    def over(rule: str, value: float, limit: float, what: str, kind: str, **facts: Any) -> None:
        if value > limit + _slack(limit):
            out.append(
                Violation(rule, value - limit, f"{what} is {value:.6g}, above {limit:.6g}", kind, value=value,
                          limit=limit, **facts))

    running, allowed = 0.0, 0.0
    for item, cash in zip(H.items, schedule.cash):
        running += cash.cost
        if H.carry_money:
            allowed += item.budget or 0.0
            over(f"budget {item.name}", running, allowed, "money spent so far (unspent money carried over)", "budget",
                 period=item.id)
        elif item.budget is not None:
            over(f"budget {item.name}", cash.cost, item.budget, "money spent", "budget", period=item.id)
    if scenario.budget is not None:
        over("budget", running, scenario.budget, "money spent over the plan", "budget")
    used = 0
    for ch in scenario.channels:
        rows = schedule.channel_rows(ch.id)
        first, last = H.window(ch.id)
        for t, row in enumerate(rows):
            if row.on and not first <= t <= last:
                out.append(
                    Violation(f"availability of {ch.id}", 1, f"on in {H.items[t].name}, outside its window",
                              "availability", ch.id, period=H.ids[t]))
        k = H.min_run(ch.id)
        for t, row in enumerate(rows):
            if row.started:
                end = min(t + k - 1, last, H.T - 1)
                short = [H.items[tau].name for tau in range(t, end + 1) if not rows[tau].on]
                if short:
                    out.append(
                        Violation(f"min_periods_on of {ch.id}", len(short),
                                  f"started in {H.items[t].name} but off in {', '.join(short)}", "min_periods_on",
                                  ch.id, period=H.ids[t], limit=k))
        limit = H.max_switches(ch.id)
        if limit is not None:
            stops = sum(1 for a, b in zip(rows, rows[1:]) if a.on and not b.on)
            over(f"max_switches of {ch.id}", sum(r.started for r in rows) + stops, limit, "starts and stops",
                 "max_switches", channel=ch.id)
        if rules.pacing is not None:
            band, window = rules.pacing.band, rows[first:last + 1]
            even = sum(r.spend for r in window) / len(window)
            for t, row in enumerate(window, start=first):
                where = f"pacing of {ch.id} in {H.items[t].name}"
                over(where, row.spend, (1 + band) * even, f"spend (an even share of its total is {even:.6g})", "pacing",
                     channel=ch.id, period=row.period)
                if row.spend < (1 - band) * even - _slack(even):
                    out.append(
                        Violation(where, (1 - band) * even - row.spend,
                                  f"spend is {row.spend:.6g}, below {(1 - band) * even:.6g}", "pacing", ch.id,
                                  period=row.period, value=row.spend, limit=(1 - band) * even))
        if rules.ramp is not None:
            growth = rules.ramp.max_growth
            current = (scenario.current or {}).get(ch.id)
            # a current spend of 0 sets no ramp
            previous = [(current, bool(current))] + [(r.spend, r.on) for r in rows[:-1]]
            for t, (row, (before, was_on)) in enumerate(zip(rows, previous)):
                if was_on and row.on:
                    assert before is not None  # on before: a spend, or today's
                    over(f"ramp of {ch.id} in {H.items[t].name}", row.spend, (1 + growth) * before, "spend", "ramp",
                         channel=ch.id, period=row.period)
        used += any(r.on for r in rows)
    card = rules.cardinality
    if card is not None:
        if card.min and used < card.min:
            out.append(
                Violation("cardinality min", card.min - used,
                          f"channels used over the plan is {used}, below {card.min}", "cardinality", value=used,
                          limit=card.min))
        if card.max is not None:
            over("cardinality max", used, card.max, "channels used over the plan", "cardinality")
    return out


def _totals(scenario: Scenario, H: Horizon, schedule: Schedule, evals: list[Evaluation], objectives: list[float],
            violations: list[Violation]) -> PeriodsEvaluation:
    weights = [H.items[t].weight for t in range(H.T)]
    share = [w / (sum(weights) or 1.0) for w in weights] if sum(weights) else [1.0 / H.T] * H.T
    channels = []
    for c, ch in enumerate(scenario.channels):
        rows = schedule.channel_rows(ch.id)
        uses: dict[str, float] = {}
        for r in rows:
            for resource, v in r.uses.items():
                uses[resource] = uses.get(resource, 0.0) + v
        channels.append(
            ChannelOutcome(ch.id, ch.name, any(r.on for r in rows), sum(r.spend for r in rows),
                           sum(r.fixed_cost + r.setup_cost for r in rows), sum(r.cost for r in rows),
                           sum(f * r.reach for f, r in zip(share, rows)), uses,
                           sum(ev.channels[c].outcome for ev in evals)))
    cells = []
    for k, cell in enumerate(evals[0].cells):
        level = sum(f * ev.cells[k].level for f, ev in zip(share, evals))
        serving = {name for ev in evals for name in ev.cells[k].channels}
        cells.append(CellOutcome(cell.phase, cell.segment, level, cell.weight, cell.target,
                                 [ch.id for ch in scenario.channels if ch.id in serving]))
    penalties: dict[str, float] = {}
    for t, ev in enumerate(evals):
        for name, value in ev.penalties.items():
            penalties[name] = penalties.get(name, 0.0) + H.weight(t) * value
    card = scenario.rules.cardinality
    if card is not None and card.penalty_per_channel:
        penalties["channel_count"] = card.penalty_per_channel * sum(1 for c in channels if c.on)
    objective = sum(H.weight(t) * o for t, o in enumerate(objectives))
    objective += (-1.0 if scenario.objective.maximises else 1.0) * penalties.get("channel_count", 0.0)
    resources = {
        r: {"used": sum(ev.resources[r] for ev in evals), "capacity": sum(p.resources.get(r, 0.0) for p in H.items)}
        for r in scenario.resources}
    return PeriodsEvaluation(
        schedule=schedule, periods=evals, channels=channels, cells=cells, money=sum(c.cost for c in schedule.cash),
        resources=resources, weighted_reach=sum(H.weight(t) * ev.weighted_reach for t, ev in enumerate(evals)),
        penalties=penalties, objective=objective, outcome=sum(ev.outcome for ev in evals), violations=violations)
