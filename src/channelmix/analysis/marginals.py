"""What the next unit of spend on a channel buys, on the real curves (no solver).

At a plan's spends, for each channel that is on: the slope of its response curve
converted to objective units through the affinities and cell weights (a cell already
at full coverage gains nothing: the min(1, ·) cap), the cost per customer touched, and
what the next ``step`` of money buys (capped at the channel's max_spend, not at the
budget: what more budget is worth is a limit's figure).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..schema.models import Channel, Scenario, rule_for_cell
from ..schema.responses import reach
from ..schema.steps import round_down, round_up

SLOPE_STEP = 1e-6  # relative forward-difference step for the slope of a curve


@dataclass(frozen=True)
class Marginal:
    """One channel's marginal figures at the plan (per unit of money)."""

    reach_per_unit: float  # weighted reach gained per extra unit of spend (right-hand slope)
    objective_per_unit: float  # objective gained per extra unit (penalty relief and money included)
    customers: float  # people the channel touches: f(s) × the size of every segment it serves
    cost_per_customer: float | None  # its cost (spend + fixed) per customer touched
    step: float  # the "next step" of money
    step_spend: float  # how much of the step it can take (0 at its largest spend)
    step_reach: float  # weighted reach the next step buys
    step_objective: float  # objective the next step buys
    period: str | None = None  # over periods: the period where the next unit buys most (None: one period)
    # money per unit of weighted reach at the margin: what one more customer reached costs on this channel (the
    # figure a min-cost plan is explained by, where every channel's objective per unit is the money itself, 1.0)
    cost_per_reach: float | None = None


class Cells:
    """The plan's coverage before the min(1, ·) cap, cell by cell."""

    def __init__(self, scenario: Scenario, on: dict[str, bool], spend: dict[str, float]) -> None:
        sc = self.sc = scenario
        self.reach = {c.id: reach(c.response, spend.get(c.id, 0.0)) if on.get(c.id) else 0.0 for c in sc.channels}
        self.cells = []  # (weight, raw level, soft target or None, penalty, {channel: affinity})
        for p in sc.phases:
            for g in sc.segments:
                serving = {c.id: a for c in sc.channels if (a := c.affinity_for(p.id, g.id)) > 0}
                raw = sum(a * self.reach[cid] for cid, a in serving.items())
                rule = rule_for_cell(sc.rules.coverage, p.id, g.id)
                soft = rule is not None and not rule.hard and rule.target > 0
                self.cells.append((sc.cell_weight(p, g), raw, rule.target if soft else None,
                                   (rule.penalty or 0.0) if soft else 0.0, serving))

    def change(self, channel: Channel, new_reach: float, extra_money: float) -> tuple[float, float]:
        """(weighted reach, objective) gained when this channel's reach becomes ``new_reach``."""
        delta = new_reach - self.reach[channel.id]
        reach_gain, relief = 0.0, 0.0
        for weight, raw, target, penalty, serving in self.cells:
            a = serving.get(channel.id)
            if not a:
                continue
            before, after = min(1.0, raw), min(1.0, raw + a * delta)
            reach_gain += weight * (after - before)
            if target is not None:
                relief += penalty * (max(0.0, target - before) - max(0.0, target - after))
        sense = self.sc.objective.sense
        if sense == "max_reach":
            return reach_gain, reach_gain + relief
        if sense == "max_value":
            return reach_gain, reach_gain + relief - extra_money
        if sense == "max_outcome":  # outcome = value × f(s), not capped by the cells
            bought = (channel.outcome.value if channel.outcome is not None else 0.0) * delta
            return reach_gain, bought + relief - (extra_money if self.sc.objective.net else 0.0)
        return reach_gain, extra_money - relief  # min senses: the objective is money (+ penalties)


def marginals(scenario: Scenario, on: dict[str, bool], spend: dict[str, float],
              step: float = 100.0) -> dict[str, Marginal]:
    """Marginal figures of every channel that is on, by id."""
    cells = Cells(scenario, on, spend)
    out = {}
    for ch in scenario.channels:
        if not on.get(ch.id):
            continue
        s = spend.get(ch.id, 0.0)
        h = SLOPE_STEP * max(1.0, s)
        reach_slope, objective_slope = (g / h for g in cells.change(ch, reach(ch.response, s + h), h))
        # the channel's own largest spend caps the step; the budget is a limit of its own (see limits)
        # and with a spend_step, the step is a whole number of payable units
        unit = scenario.step_of(ch)
        whole = round_up(step, unit)
        more = whole if ch.max_spend is None else max(0.0, round_down(min(whole, ch.max_spend - s), unit))
        step_reach, step_objective = cells.change(ch, reach(ch.response, s + more), more)
        out[ch.id] = Marginal(reach_slope, objective_slope, *customers(scenario, ch, cells.reach[ch.id], s),
                              whole, more, step_reach, step_objective, cost_per_reach=money_per_reach(reach_slope))
    return out


def money_per_reach(reach_slope: float) -> float | None:
    """What one more unit of weighted reach costs at a channel's margin (None: more money on it
    reaches nobody new, every cell it serves being full)."""
    return 1.0 / reach_slope if reach_slope > 1e-12 else None


def customers(scenario: Scenario, ch: Channel, reached: float, spend: float) -> tuple[float, float | None]:
    """The people a channel touches at reach ``reached`` (× the size of every segment it
    serves) and its cost (spend + fixed) per customer (None when it touches nobody)."""
    sizes = sum(g.size for g in scenario.segments if any(ch.affinity_for(p.id, g.id) > 0 for p in scenario.phases))
    touched = reached * sizes
    return touched, (spend + ch.fixed_cost) / touched if touched > 0 else None
