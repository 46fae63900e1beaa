"""Plans over time (``periods:``): the format and its cross-checks.

``periods`` is a count with a unit, ``{count: 6, unit: month}`` (ids "1".."6"; their labels,
"Month 1" or "Månad 1", are made in the output's language by :mod:`channelmix.core.period_words`),
or a list of ids or ``{id, label, budget, resources, weight}`` items, plain (``[jan, feb, mar]``)
or as ``{items: [...], ...}``.  In either form the mapping may give ``budget`` and ``resources``
(each period's own budget and capacities, unless an item gives its own) and ``carry_over``
(unspent money rolls into the next period).  The top-level ``budget`` is then the total over the
horizon, and the top-level ``resources`` are each period's capacities (hours do not keep).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator

from .problems import Fixable, Problem, did_you_mean, visible, with_hint
from .types import Id, Label, Model, Name, NonNegative, Weight

MAX_PERIODS = 520  # ten years of weeks: the model grows linearly with the periods


def periods_in(value: Any) -> Any:
    """A plain list of periods is the ``items`` of the mapping form."""
    return {"items": value} if isinstance(value, list) else value


def _item_in(value: Any) -> Any:
    return {"id": str(value)} if isinstance(value, (str, int)) and not isinstance(value, bool) else value


def period_ref(value: Any) -> Any:
    """A period named by id; a whole number stands for the id it prints as (3 -> "3")."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


PeriodRef = Annotated[str, BeforeValidator(period_ref)]


class PeriodItem(Model):
    id: Annotated[Id, BeforeValidator(period_ref)]
    label: Label | None = None
    budget: NonNegative | None = None  # this period's money (None: the periods' budget, or only the total binds)
    # this period's capacities (the rest: periods.resources, then the top level)
    resources: dict[Name, NonNegative] = {}
    weight: Weight = 1.0  # how much this period's objective counts (a launch month can matter more)

    @property
    def name(self) -> str:
        return self.label or self.id


class Periods(Model):
    count: Annotated[int, Field(ge=1, le=MAX_PERIODS)] | None = None
    unit: Name | None = None  # month, week, vecka, sprint, … (labels "Month 1", "Sprint 1" in the output's language)
    items: (
        Annotated[list[Annotated[PeriodItem, BeforeValidator(_item_in)]],
                  Field(min_length=1, max_length=MAX_PERIODS)] | None) = None
    budget: NonNegative | None = None  # each period's budget, unless an item gives its own
    resources: dict[Name, NonNegative] = {}  # each period's capacities, unless an item gives its own
    carry_over: bool = False  # unspent money of a period rolls into the next

    @model_validator(mode="after")
    def _one_form(self) -> "Periods":
        if (self.count is None) == (self.items is None):
            raise Fixable("needs exactly one of count or items",
                          "write periods: {count: 6, unit: month} or periods: [jan, feb, mar]")
        seen: dict[str, int] = {}
        for i, item in enumerate(self.items or []):
            if item.id in seen:
                raise Fixable(f"items[{i}].id '{item.id}' is used twice (also items[{seen[item.id]}])",
                              "give every period its own id")
            seen[item.id] = i
        return self

    def resolved(self, resources: dict[str, float]) -> list[PeriodItem]:
        """Every period with its own budget and capacities filled in (``resources``: the
        scenario's top-level capacities, which hold in every period unless overridden).
        Counted periods have no label here: it depends on the language it is shown in."""
        items = (
            self.items if self.items is not None else [PeriodItem(id=str(n)) for n in range(1, (self.count or 0) + 1)])
        out = []
        for item in items:
            budget = item.budget if item.budget is not None else self.budget
            capacity = {**resources, **self.resources, **item.resources}
            out.append(item.model_copy(update={"budget": budget, "resources": capacity}))
        return out


class Pacing(Model):
    """Each channel's spend in every period of its window within ±band of an even share of its own
    total (so with band < 1 a paced channel runs its whole window, or not at all)."""

    band: Annotated[float, Field(gt=0, le=1)]


class Ramp(Model):
    """Spend may grow at most ``max_growth`` (0.3 = 30 %) from one period to the next while a channel runs."""

    max_growth: Annotated[float, Field(ge=0, le=1000)]


def _per_channel(low: int, high: int, what: str):
    """A whole number for every channel, or a mapping channel -> whole number, each in [low, high]."""

    def check(value: Any) -> Any:
        items = value.items() if isinstance(value, dict) else [(None, value)]
        for name, number in items:
            where = f"for '{name}' " if name is not None else ""
            if not isinstance(number, int) or isinstance(number, bool) or not low <= number <= high:
                raise Fixable(f"got {number!r} {where}but needs a whole number of {what} from {low} to {high}",
                              "write a number (every channel) or a mapping of channel ids to numbers, e.g. "
                              f"{{radio: {max(low, 2)}}}")
        return value

    return check


PerChannelCount = Annotated[Any, BeforeValidator(_per_channel(1, MAX_PERIODS, "periods"))]
PerChannelSwitches = Annotated[Any, BeforeValidator(_per_channel(0, 2 * MAX_PERIODS, "starts and stops"))]

PERIOD_CHANNEL_KEYS = ("available_from", "available_until", "setup_cost", "carry_over", "carry_in")
PERIOD_RULE_KEYS = ("min_periods_on", "max_switches", "pacing", "ramp")


def per_channel(value: int | dict[str, int] | None, channel: str) -> int | None:
    """A rule given for every channel (a number) or channel by channel (a mapping)."""
    if value is None or isinstance(value, int):
        return value
    return value.get(channel)


def period_problems(periods: Periods | None, channels: dict[int, Any], rules: Any, resources: dict[str, float] | None,
                    channel_ids: set[str]) -> list[Problem]:
    """References to periods and channels, and period keys used without periods."""
    out: list[Problem] = []
    if periods is None:
        for i, ch in sorted(channels.items()):
            for key in PERIOD_CHANNEL_KEYS:
                if getattr(ch, key) not in (None, 0, 0.0):
                    out.append(Problem(f"channels[{i}].{key}", "applies only to a plan over periods",
                                       "add periods: {count: 6, unit: month}, or remove it"))
        for key in PERIOD_RULE_KEYS:
            if rules is not None and getattr(rules, key) is not None:
                out.append(
                    Problem(f"rules.{key}", "applies only to a plan over periods",
                            "add periods: {count: 6, unit: month}, or remove it"))
        return out
    for i, ch in sorted(channels.items()):
        if ch.carry_in is not None and not ch.carry_over:
            out.append(Problem(f"channels[{i}].carry_in",
                               "is the adstock a plan starts from, but the channel has no carry_over",
                               "give the channel its carry_over θ, or remove carry_in"))
    items = periods.resolved(resources or {})
    ids = [p.id for p in items]
    order = {p: t for t, p in enumerate(ids)}
    for i, ch in sorted(channels.items()):
        for key in ("available_from", "available_until"):
            value = getattr(ch, key)
            if value is not None and value not in order:
                hint = did_you_mean(value, ids)
                listed = ", ".join(visible(p) for p in ids[:12]) + (", …" if len(ids) > 12 else "")
                out.append(
                    Problem(f"channels[{i}].{key}", f"unknown period '{visible(value)}'",
                            with_hint(hint, f"known periods: {listed}")))
        if (ch.available_from in order and ch.available_until in order
            and order[ch.available_until] < order[ch.available_from]):
            out.append(
                Problem(f"channels[{i}].available_until",
                        f"period '{ch.available_until}' comes before available_from '{ch.available_from}'",
                        "swap them, or widen the window"))
    if rules is not None:
        known = sorted(channel_ids)
        for key in ("min_periods_on", "max_switches"):
            value = getattr(rules, key)
            for name in value if isinstance(value, dict) else []:
                if name not in channel_ids:
                    hint = did_you_mean(name, known)
                    out.append(
                        Problem(f"rules.{key}.{name}", f"unknown channel '{visible(name)}'",
                                with_hint(hint, f"known channels: {', '.join(known[:12])}")))
    if periods.carry_over:
        for t, item in enumerate(items):
            if item.budget is None:
                out.append(Problem(f"periods.items[{t}].budget" if periods.items is not None else "periods.budget",
                                   f"period '{item.id}' has no budget, so there is no unspent money to carry over",
                                   "give every period a budget (periods: {budget: …}), or set carry_over: false"))
                break
    if resources is not None:
        named = [("periods.resources", periods.resources)] + [(f"periods.items[{t}].resources", p.resources)
                                                              for t, p in enumerate(periods.items or [])]
        for where, given in named:
            for resource in given:
                if resource not in resources:
                    hint = did_you_mean(resource, list(resources))
                    out.append(
                        Problem(
                            f"{where}.{resource}",
                            f"unknown resource '{resource}'",
                            with_hint(
                                hint,
                                f"declare it at the top level too: resources: {{{resource}: <capacity of a period>}}",
                            ),
                        )
                    )
    return out


def every_period_budgeted(periods: Periods | None) -> bool:
    """Whether each period has a budget of its own (then the total budget is optional)."""
    return periods is not None and all(p.budget is not None for p in periods.resolved({}))
