"""What the next unit of spend buys in each period of a plan over periods (no solver).

A unit more in period t on a channel with carry-over θ raises its effective spend by
θ^(u−t) in every later period u, so it buys reach there too while the channel runs:

    gain(t, h) = Σ_(u ≥ t, on in u)  w_u × Δobjective_u( f(a_u + θ^(u−t)·h) − f(a_u) )  − money,

with w_u the period's weight in the horizon objective (1 for minimising senses) and
Δobjective_u the single-period change of :mod:`channelmix.analysis.marginals` (coverage capped at
1 per cell, soft-target relief, outcome values; the money counted in period t only).
A channel's horizon figure is the period where the next unit buys most (among the
periods where it can take more, when there are any).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model.periods import Horizon
from ..schema.models import Channel, Scenario
from ..schema.responses import reach
from ..schema.steps import round_down, round_up
from .marginals import SLOPE_STEP, Cells, Marginal, customers, money_per_reach

Key = tuple[str, str]  # (channel id, period id)
FADED = 1e-12  # carry-over below this share of a unit is gone
ROOM = 1e-6  # relative: less room than this under max_spend is none


@dataclass(frozen=True)
class PeriodMarginal:
    """What the next unit buys on one channel in one period where it runs."""

    channel: str
    period: str
    label: str  # the period's readable label
    spend: float
    effective_spend: float  # spend plus what earlier spend carries over
    reach_per_unit: float  # weighted reach per extra unit, later periods' carry-over included
    objective_per_unit: float  # objective per extra unit (weights, penalties and money included)
    step_spend: float  # how much of the next step it can take (0 at its largest spend)
    step_objective: float  # objective the next step buys
    cost_per_reach: float | None = None  # money per unit of weighted reach at the margin (see Marginal)


def period_marginals(scenario: Scenario, on: dict[Key, bool], spend: dict[Key, float],
                     step: float = 100.0) -> tuple[dict[str, Marginal], list[PeriodMarginal]]:
    """Per channel, the :class:`Marginal` of the period where the next unit buys most (its
    ``period`` set); and every (channel, period) where the channel runs, channel-major."""
    H = Horizon(scenario)
    ids = H.ids
    effective = H.effective(on, spend)
    cells = [Cells(H.views[t], {c.id: bool(on.get((c.id, p))) for c in scenario.channels},
                    {c.id: effective[(c.id, p)] for c in scenario.channels}) for t, p in enumerate(ids)]
    maximises = scenario.objective.maximises
    best: dict[str, Marginal] = {}
    grid: list[PeriodMarginal] = []
    for ch in scenario.channels:
        unit = scenario.step_of(ch)
        whole = round_up(step, unit)
        for t, p in enumerate(ids):
            if not on.get((ch.id, p)):
                continue

            def gain(h: float, t: int = t, ch: Channel = ch) -> tuple[float, float]:
                reach_gain = objective_gain = 0.0
                for u in range(t, H.T):
                    share = ch.carry_over ** (u - t) if u > t else 1.0
                    if share < FADED:
                        break
                    if not on.get((ch.id, ids[u])):
                        continue
                    a = effective[(ch.id, ids[u])]
                    r, o = cells[u].change(ch, reach(ch.response, a + share * h), h if u == t else 0.0)
                    reach_gain += H.weight(u) * r
                    objective_gain += H.weight(u) * o
                return reach_gain, objective_gain

            s = spend.get((ch.id, p), 0.0)
            h = SLOPE_STEP * max(1.0, s)
            reach_slope, objective_slope = (g / h for g in gain(h))
            more = whole if ch.max_spend is None else max(0.0, round_down(min(whole, ch.max_spend - s), unit))
            more = more if more > ROOM * max(1.0, s) else 0.0  # a hair below the largest spend (the polish's) is at it
            step_reach, step_objective = gain(more)
            grid.append(
                PeriodMarginal(ch.id, p, H.items[t].name, s, effective[(ch.id, p)], reach_slope, objective_slope, more,
                               step_objective, money_per_reach(reach_slope)))
            held = best.get(ch.id)  # a period with room for the next unit beats one at the channel's largest spend
            better = held is None or (more > 0, objective_slope if maximises else -objective_slope, reach_slope) > \
                (held.step_spend > 0, held.objective_per_unit if maximises else -held.objective_per_unit,
                 held.reach_per_unit)
            if better:
                best[ch.id] = Marginal(reach_slope, objective_slope, *customers(scenario, ch, cells[t].reach[ch.id], s),
                                       whole, more, step_reach, step_objective, period=p,
                                       cost_per_reach=money_per_reach(reach_slope))
    return best, grid
