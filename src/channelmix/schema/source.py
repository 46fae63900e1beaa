"""``source:`` — where a scenario's curves came from, and what its spends and outcomes are per.

Every importer (Meridian, Robyn, PyMC-Marketing, a curve table) writes this block, and
``calibrate`` adds to it; a hand-written scenario may leave it out.  It changes no figure of
a plan: it is provenance that every report repeats, and the units the plan's budget is
judged against.  A curve measured on 156-week totals and a budget for one week (or the
reverse) give a plan that looks sound and is nonsense, so :func:`unit_check` compares the
budget with the spends the curves were measured at and names the likely mismatch.

The rule (README, "Where the curves came from"): let M be the largest total the curves
were measured at — every channel at its highest measured spend, together.  A budget above
``ABOVE`` × M, or below ``BELOW`` × M, is far outside what the curves know.  (M rather than
the smallest measured point: a table measured from 0.02× today's spend reaches down to
where a weekly budget on 156-week totals falls, so only the largest total tells the two
apart.)
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from .problems import Fixable, Problem
from .types import Id, Label, Model, Name, NonNegative

ABOVE = 10.0  # a budget above this many times the largest measured total is out of range
BELOW = 0.01  # …and one below this share of it
MAX_FIGURE = 1e15  # an outcome in a check row (revenue over a window can exceed money's 1e12)


def _date_text(value: Any) -> Any:
    """YAML reads 2024-01-15 as a date: keep it as the text it was written as."""
    return value.isoformat() if isinstance(value, dt.date) else value


def _per_in(value: Any) -> Any:
    """``per: week`` is ``{count: 1, unit: week}``."""
    return {"unit": value} if isinstance(value, str) else value


def _files_in(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


DateText = Annotated[Label, BeforeValidator(_date_text)]


class Per(Model):
    """What one unit of spend and outcome covers: ``{count: 156, unit: week}`` (totals over a
    window of 156 weeks) or ``week``.  ``flighting`` says how spend is spread over it:
    ``historical`` (the source's own history, scaled, as Meridian's response curves) or
    ``steady`` (the same spend every period, after the carry-over has built up)."""

    count: Annotated[int, Field(ge=1, le=100_000)] = 1
    unit: Name = "period"
    flighting: Literal["historical", "steady"] | None = None


class Window(Model):
    """The data the model was fitted on: first and last period as the tool names them."""

    start: DateText | None = None
    end: DateText | None = None
    periods: Annotated[int, Field(ge=1, le=100_000)] | None = None


Figure = Annotated[float, Field(ge=-MAX_FIGURE, le=MAX_FIGURE)]


class CheckRow(Model):
    """One channel at today's spend, at import: the tool's own figure (None where the source
    records none) beside channelmix's (``outcome.value × f(spend) + outcome.baseline``)."""

    channel: Id
    spend: NonNegative
    tool: Figure | None = None
    channelmix: Figure


class Calibration(Model):
    """One ``channelmix calibrate`` run: the results file and the channels it refitted."""

    file: Label
    channels: list[Id] = Field(min_length=1)


Measured = Annotated[list[NonNegative], Field(min_length=2, max_length=2)]


class Source(Model):
    tool: Annotated[Label, Field(min_length=1)]  # Meridian, Robyn, PyMC-Marketing, a curve table, …
    version: Label = ""
    model: Label = ""  # the model's id or name (Robyn's solID, a file name)
    file: Annotated[list[Label], BeforeValidator(_files_in)] = []
    window: Window | None = None
    per: Annotated[Per, BeforeValidator(_per_in)] | None = None
    measured: dict[Id, Measured] = {}  # channel -> [lowest nonzero spend, highest spend] the source gave a response at
    check: list[CheckRow] = []
    band: Label | None = None  # a file beside the scenario with the source's interval (channel, spend, low, high)
    calibrated: list[Calibration] = []

    @model_validator(mode="after")
    def _ranges(self) -> "Source":
        for channel, (low, high) in self.measured.items():
            if low > high:
                raise Fixable(f"measured.{channel}: the lowest spend {low:g} is above the highest {high:g}",
                              "write [lowest nonzero spend, highest spend]")
        return self


def source_problems(source: Source | None, channel_ids: set[str]) -> list[Problem]:
    """Channels the block names must be the scenario's."""
    if source is None:
        return []
    known = sorted(channel_ids)
    out = []
    named = [(f"source.measured.{c}", c) for c in source.measured]
    named += [(f"source.check[{i}].channel", row.channel) for i, row in enumerate(source.check)]
    named += [(f"source.calibrated[{i}].channels", c) for i, run in enumerate(source.calibrated) for c in run.channels]
    for path, channel in named:
        if channel not in channel_ids:
            out.append(Problem(path, f"names the channel '{channel}', which the scenario does not have",
                               f"use one of {', '.join(known[:12])}, or remove it"))
    return out


# ---------------------------------------------------------------- the budget against the units


def unit_check(scenario: Any) -> dict[str, Any] | None:
    """The budget far outside the spends the curves were measured at, as a fact (None: fine,
    or nothing to judge by). ``likely`` names the mismatch when the units make one plain."""
    source: Source | None = getattr(scenario, "source", None)
    budget = scenario.budget
    if source is None or budget is None or budget <= 0 or scenario.periods is not None:
        return None
    ids = {c.id for c in scenario.channels}
    highest = sum(high for c, (_, high) in source.measured.items() if c in ids)
    if highest <= 0:
        return None
    ratio = budget / highest
    if BELOW <= ratio <= ABOVE:
        return None
    per = source.per or Per()
    periods = source.window.periods if source.window is not None else None
    fact: dict[str, Any] = {"direction": "above" if ratio > ABOVE else "below", "budget": budget,
                            "measured_total": highest,
                            "ratio": ratio, "count": per.count, "unit": per.unit, "periods": periods, "likely": None}
    if fact["direction"] == "below" and per.count > 1 and BELOW <= budget * per.count / highest <= ABOVE:
        fact["likely"] = {"budget_per": "one", "suggested": budget * per.count, "factor": per.count}
    elif (fact["direction"] == "above" and per.count == 1 and periods and periods > 1
          and BELOW <= ratio / periods <= ABOVE):
        fact["likely"] = {"budget_per": "window", "suggested": budget / periods, "factor": periods}
    fact["text"] = unit_warning(fact)
    return fact


def unit_warning(fact: dict[str, Any]) -> str:
    """The fact in English, for stderr and the plan's warnings (reports word it in their language)."""
    unit = fact["unit"]
    size = f"{fact['ratio']:,.3g}×" if fact["direction"] == "above" else f"{fact['ratio']:.2%} of"
    head = (f"the budget {_amount(fact['budget'])} is {size} the most the curves were measured at "
            f"({_amount(fact['measured_total'])}, every channel at its highest measured spend)")
    units = (f"the curves' spends and outcomes are totals over {fact['count']:,} {unit}s" if fact["count"] > 1
             else f"the curves' spends and outcomes are per {unit}")
    likely = fact.get("likely")
    if likely is None:
        fix = "check that the budget is in the curves' units (source.per)"
    elif likely["budget_per"] == "one":
        fix = (f"the budget looks like one {unit}'s: for the whole window it would be {_amount(likely['suggested'])} "
               f"(×{likely['factor']:,}); or import the curves per {unit}")
    else:
        fix = (f"the budget looks like a total over the model's {likely['factor']:,} {unit}s: per {unit} it would be "
               f"{_amount(likely['suggested'])} (÷{likely['factor']:,})")
    return f"likely unit mismatch: {head}; {units}; {fix}"


def _amount(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.6g}"
