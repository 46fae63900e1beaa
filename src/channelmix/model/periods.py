"""The facts of a plan over periods that the formulation and the verifier both read.

A scenario with ``periods:`` is planned as one single-period scenario per period (its
*view*: that period's budget cap and capacities, every per-period rule, no cardinality)
tied together by the horizon rules: total budget, carry-over of unspent money, set-up
costs, minimum runs, switches, pacing, ramps, availability windows and cardinality over
the whole plan.  No pulp here.

Conventions (README, "Plans over periods"):

* a channel *starts* in period t when it is on in t and was off (or not yet available)
  in t − 1; a channel named in ``current`` counts as on before period 1;
* adstock: a_t = s_t + θ·a_(t−1), with a_0 = current / (1 − θ) (the level that spending
  ``current`` every period settles at; 0 without a current spend).  Reach in a period is
  f(a_t) while the channel is on, 0 while it is off (the adstock still decays);
* the horizon objective is Σ_t weight_t × objective_t − the channel-count penalty for
  maximising senses, and Σ_t objective_t + that penalty for minimising ones (money is
  money in any period).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ..core.catalogue import DEFAULT, catalogue
from ..core.period_words import period_label
from ..schema.models import Scenario
from ..schema.periods import PeriodItem, per_channel
from .schedule import PeriodInfo


@dataclass(frozen=True)
class Horizon:
    """A scenario's periods, resolved, and each channel's window and time rules."""

    scenario: Scenario

    @cached_property
    def items(self) -> list[PeriodItem]:
        """The resolved periods; counted ones labelled in the scenario's language ("Månad 3"),
        which the rule sentences of the model and the verifier use."""
        periods = self.scenario.periods
        assert periods is not None
        items = periods.resolved(dict(self.scenario.resources))
        if periods.count is None:
            return items
        language = catalogue(self.scenario.language or DEFAULT)
        return [p.model_copy(update={"label": period_label(periods.unit, n, language)}) for n, p in enumerate(items, 1)]

    @property
    def T(self) -> int:
        return len(self.items)

    @property
    def ids(self) -> list[str]:
        return [p.id for p in self.items]

    @property
    def unit(self) -> str | None:
        periods = self.scenario.periods
        return periods.unit if periods is not None else None

    @property
    def carry_money(self) -> bool:
        return bool(self.scenario.periods and self.scenario.periods.carry_over)

    def infos(self) -> list[PeriodInfo]:
        """The periods as the plan keeps them; a counted period keeps its number, so an output
        in another language can label it again (:func:`channelmix.core.period_words.period_label`)."""
        counted = self.scenario.periods is not None and self.scenario.periods.count is not None
        return [PeriodInfo(p.id, p.name, p.weight, p.budget, n if counted else None)
                for n, p in enumerate(self.items, 1)]

    def weight(self, t: int) -> float:
        """Period t's weight in the horizon objective (1 for minimising senses)."""
        return self.items[t].weight if self.scenario.objective.maximises else 1.0

    # -- money -------------------------------------------------------------------

    def money_cap(self, t: int) -> float | None:
        """The most money period t can have: its budget (plus what earlier budgets may carry
        in), at most the total; None when nothing caps it."""
        total = self.scenario.budget
        own = self.items[t].budget
        if self.carry_money:
            own = sum(p.budget or 0.0 for p in self.items[:t + 1])
        if own is None:
            return total
        return own if total is None else min(own, total)

    # -- channels ----------------------------------------------------------------

    def window(self, cid: str) -> tuple[int, int]:
        """(first, last) period index the channel can run in."""
        ch = self.scenario.channel(cid)
        order = {p: t for t, p in enumerate(self.ids)}
        first = order[ch.available_from] if ch.available_from is not None else 0
        last = order[ch.available_until] if ch.available_until is not None else self.T - 1
        return first, last

    def available(self, cid: str, t: int) -> bool:
        first, last = self.window(cid)
        return first <= t <= last

    def running_before(self, cid: str) -> bool:
        """On before period 1: named in the scenario's current plan."""
        return self.scenario.current is not None and cid in self.scenario.current

    def adstock_start(self, cid: str) -> float:
        """a_0: the channel's carry_in (the adstock history leaves, e.g. from an imported model),
        else what the current spend has built up, kept up for ever (0 without one)."""
        ch = self.scenario.channel(cid)
        theta = ch.carry_over
        if ch.carry_in is not None and theta > 0:
            return ch.carry_in
        current = (self.scenario.current or {}).get(cid, 0.0)
        return current / (1.0 - theta) if theta > 0 else 0.0

    def effective(self, on: dict[tuple[str, str], bool],
                  spend: dict[tuple[str, str], float]) -> dict[tuple[str, str], float]:
        """(channel, period) -> the adstock each curve reads: a_t = s_t + θ·a_(t−1) from a_0,
        a spend counting only while the channel is on (the spend itself without carry-over)."""
        out: dict[tuple[str, str], float] = {}
        for ch in self.scenario.channels:
            series = [float(spend.get((ch.id, p), 0.0)) if on.get((ch.id, p)) else 0.0 for p in self.ids]
            effs = adstock(series, ch.carry_over, self.adstock_start(ch.id)) if ch.carry_over > 0 else series
            out.update(zip(((ch.id, p) for p in self.ids), effs))
        return out

    def min_run(self, cid: str) -> int:
        return per_channel(self.scenario.rules.min_periods_on, cid) or 1

    def max_switches(self, cid: str) -> int | None:
        return per_channel(self.scenario.rules.max_switches, cid)

    # -- the single-period scenario of one period ----------------------------------

    def view(self, t: int) -> Scenario:
        """Period t as a single-period scenario: its money cap as budget, its capacities,
        every per-period rule; no cardinality (counted over the horizon), no current
        plan, no periods.  Channels not available in t stay in (forced off by the caller),
        and drop out of force_on."""
        sc = self.scenario
        rules = sc.rules.model_copy(update={
            "cardinality": None, "min_periods_on": None, "max_switches": None, "pacing": None, "ramp": None,
            "force_on": [c for c in sc.rules.force_on if self.available(c, t)]})
        return sc.model_copy(update={
            "budget": self.money_cap(t), "resources": dict(self.items[t].resources), "rules": rules, "periods": None,
            "current": None, "variants": [], "sweep": {}})

    @cached_property
    def views(self) -> list[Scenario]:
        return [self.view(t) for t in range(self.T)]


def money_sign(scenario: Scenario) -> float:
    """How money enters a period's objective: −1 (max_value, net max_outcome), +1 (min_cost,
    target), 0 (max_reach, max_outcome)."""
    objective = scenario.objective
    if objective.sense == "max_value" or (objective.sense == "max_outcome" and objective.net):
        return -1.0
    return 0.0 if objective.maximises else 1.0


def adstock(spends: list[float], theta: float, start: float = 0.0) -> list[float]:
    """a_t = s_t + θ·a_(t−1), a_0 = ``start``."""
    out, a = [], start
    for s in spends:
        a = s + theta * a
        out.append(a)
    return out

