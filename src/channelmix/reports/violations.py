"""A broken rule in the report's language: channel, cell and period labels instead of ids,
money in whole currency units, coverage as a percentage, counts as counts (the verifier's
own English diagnostic stays in ``evaluate --format json``)."""

from __future__ import annotations

from dataclasses import dataclass

from ..schema.models import Scenario
from ..verify.evaluate import Violation
from ..verify.plan import Plan
from .common import auto, num, pct, qty, resource_name
from .i18n import t

MONEY = ("budget", "min_spend", "max_spend", "concentration", "pacing", "ramp", "group", "spend")
SHARE = ("coverage_target", "reach_level")
COUNT = ("breadth", "cardinality", "max_switches", "min_periods_on")
# what a figure-against-limit rule measures: the locale key of its words
MEASURE = {"budget": "budget", "resource": "resource", "min_spend": "spend", "max_spend": "spend",
           "concentration": "spend", "pacing": "spend", "ramp": "spend", "coverage_target": "coverage",
           "breadth": "breadth", "cardinality": "channels_on", "group": "group", "max_switches": "switches",
           "reach_level": "reach_level", "outcome_target": "outcome_target"}
ON_OFF = ("force_on", "force_off", "requires", "excludes", "availability", "min_periods_on", "spend_step")


@dataclass(frozen=True)
class Names:
    """The labels of a scenario's channels, phases, segments and periods, and its currency."""

    channels: dict[str, str]
    phases: dict[str, str]
    segments: dict[str, str]
    periods: dict[str, str]
    currency: str

    @classmethod
    def of_scenario(cls, scenario: Scenario) -> Names:
        periods: dict[str, str] = {}
        if scenario.kind == "periods":
            from ..model.periods import Horizon

            horizon = Horizon(scenario)
            periods = {pid: item.name for pid, item in zip(horizon.ids, horizon.items)}
        return cls({c.id: c.name for c in scenario.channels}, {p.id: p.name for p in scenario.phases},
                   {g.id: g.name for g in scenario.segments}, periods, scenario.currency)

    @classmethod
    def of_plan(cls, plan: Plan) -> Names:
        periods = {p.id: p.label for p in plan.schedule.periods} if plan.schedule is not None else {}
        return cls({c.id: c.label for c in plan.channels}, {p["id"]: p["label"] for p in plan.phases},
                   {g["id"]: g["label"] for g in plan.segments}, periods, plan.currency)

    def channel(self, cid: str | None) -> str:
        return self.channels.get(cid or "", cid or "")

    def cell(self, cell: tuple[str, str] | None) -> str:
        if cell is None:
            return ""
        phase, segment = cell
        return f"{self.phases.get(phase, phase)} × {self.segments.get(segment, segment)}"


def figure(kind: str, value: float | None, names: Names) -> str:
    """A rule's figure in its own unit."""
    if kind in MONEY:
        return f"{num(value)} {names.currency}".rstrip()
    if kind in SHARE:
        return pct(value, 1)
    if kind in COUNT:
        return num(value)
    return qty(value) if kind == "resource" else auto(value)


def violation_words(v: Violation, names: Names) -> str:
    """One broken rule as a sentence in the current language."""
    channel, cell = names.channel(v.channel), names.cell(v.cell)
    if v.kind == "spend" and v.value is not None and v.value < 0:
        text = t("violation.negative", channel=channel, value=figure("spend", v.value, names))
    elif v.kind == "spend":
        text = t("violation.off_spends", channel=channel, value=figure("spend", v.value, names))
    elif v.kind in ("min_spend", "max_spend") and v.value is not None and v.limit is not None:
        text = t(f"violation.{v.kind}", channel=channel, value=figure(v.kind, v.value, names),
                 limit=figure(v.kind, v.limit, names))
    elif v.kind in ON_OFF:
        text = t(f"violation.{v.kind}", channel=channel, limit=num(v.limit))
    elif v.kind in MEASURE and v.value is not None and v.limit is not None:
        resource = v.rule.removeprefix("resource ") if v.kind == "resource" else ""
        counted = v.kind == "group" and v.rule.endswith("_count")  # a group's count, not its share of spend
        measure = ("group_count" if counted else "group_spend") if v.kind == "group" else MEASURE[v.kind]
        what = t(f"violation.what.{measure}", channel=channel, cell=cell, name=resource_name(resource))
        kind = "cardinality" if counted else v.kind
        side = "violation.above" if v.value > v.limit else "violation.below"
        text = t(side, what=what, value=figure(kind, v.value, names), limit=figure(kind, v.limit, names))
    else:  # a plan's missing decisions or a misreported figure: the verifier's own words
        text = str(v)
    if v.period is not None:
        text = t("violation.in_period", text=text, period=names.periods.get(v.period, v.period))
    return text
