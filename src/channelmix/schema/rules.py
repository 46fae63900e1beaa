"""The rules of a scenario (docs/architecture.md, "The model", rows 4–9): coverage targets,
breadth and redundancy per cell, concentration, cardinality, groups, and channel logic."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, Field, model_validator

from .periods import Pacing, PerChannelCount, PerChannelSwitches, Ramp
from .problems import Fixable
from .types import Count, Model, Name, NonNegative, Selector, Share, one_or_many


class CellRule(Model):
    """Base of rules that apply per (phase, segment) cell, optionally to some cells only."""

    phase: Selector | None = None
    segment: Selector | None = None

    def applies(self, phase: str, segment: str) -> bool:
        return (self.phase is None or phase in self.phase) and (self.segment is None or segment in self.segment)


def rule_for_cell(rules: list[Any], phase: str, segment: str) -> Any:
    """The rule of a family that governs a cell: later entries override earlier ones."""
    found = None
    for rule in rules:
        if rule.applies(phase, segment):
            found = rule
    return found


class _HardOrSoft(CellRule):
    """A cell rule that is hard, or soft with a penalty per unit it falls short."""

    hard: bool = True
    penalty: NonNegative | None = None
    _rule: ClassVar[str]
    _shortfall_unit: ClassVar[str]

    @model_validator(mode="after")
    def _soft_needs_penalty(self) -> "_HardOrSoft":
        if not self.hard and self.penalty is None:
            raise Fixable(f"a soft {self._rule} rule (hard: false) needs a penalty",
                          f"add penalty: <objective units per {self._shortfall_unit}>")
        return self


class CoverageRule(_HardOrSoft):
    target: Share
    _rule: ClassVar[str] = "coverage"
    _shortfall_unit: ClassVar[str] = "unit of shortfall"


class BreadthRule(_HardOrSoft):
    min_channels: Count
    threshold: Share = 0.05
    _rule: ClassVar[str] = "breadth"
    _shortfall_unit: ClassVar[str] = "missing channel"


class RedundancyRule(CellRule):
    """Soft breadth: each missing channel in a cell costs the penalty."""

    min_channels: Count
    threshold: Share = 0.05
    penalty: NonNegative


class Concentration(Model):
    max_share: Annotated[float, Field(gt=0, le=1)]


class Cardinality(Model):
    min: Count = 0
    max: Count | None = None
    penalty_per_channel: NonNegative = 0.0

    @model_validator(mode="after")
    def _ordered(self) -> "Cardinality":
        if self.max is not None and self.min > self.max:
            raise Fixable(f"min {self.min} is above max {self.max}", "lower min or raise max")
        return self


class Group(Model):
    tag: Name | None = None
    function: Literal["communication", "sales", "distribution"] | None = None
    ownership: Literal["own", "partner"] | None = None
    medium: Literal["digital", "physical"] | None = None
    channels: list[str] | None = None
    min_share: Share | None = None
    max_share: Share | None = None
    min_count: Count | None = None
    max_count: Count | None = None

    @model_validator(mode="after")
    def _well_formed(self) -> "Group":
        picks = [k for k in ("tag", "function", "ownership", "medium", "channels") if getattr(self, k) is not None]
        if len(picks) != 1:
            raise Fixable(
                f"selects by {' and '.join(picks) if picks else 'nothing'}",
                "select the group by exactly one of tag, function, ownership, medium or channels",
            )
        bounds = [self.min_share, self.max_share, self.min_count, self.max_count]
        if all(b is None for b in bounds):
            raise Fixable("sets no bound", "add min_share, max_share, min_count or max_count")
        if self.min_share is not None and self.max_share is not None and self.min_share > self.max_share:
            raise Fixable(f"min_share {self.min_share:g} is above max_share {self.max_share:g}",
                          "lower min_share or raise max_share")
        if self.min_count is not None and self.max_count is not None and self.min_count > self.max_count:
            raise Fixable(f"min_count {self.min_count} is above max_count {self.max_count}",
                          "lower min_count or raise max_count")
        return self

    def selects(self, channels: Any) -> list[bool]:
        """Which of ``channels`` the group selects, in one pass: a group listed by ``channels``
        is looked up in a set of its ids (``Channel.in_group`` scans the list: a group of 5,000
        listed channels checked against 78,000 channels took minutes)."""
        if self.channels is None:
            return [ch.in_group(self) for ch in channels]
        listed = set(self.channels)
        return [ch.id in listed for ch in channels]

    def describe(self) -> str:
        for key in ("tag", "function", "ownership", "medium"):
            if getattr(self, key) is not None:
                return f"{key} {getattr(self, key)}"
        return "channels " + ", ".join(self.channels or [])


Pair = Annotated[list[str], Field(min_length=2, max_length=2)]


class Rules(Model):
    coverage: Annotated[list[CoverageRule], BeforeValidator(one_or_many)] = []
    breadth: Annotated[list[BreadthRule], BeforeValidator(one_or_many)] = []
    redundancy: Annotated[list[RedundancyRule], BeforeValidator(one_or_many)] = []
    concentration: Concentration | None = None
    cardinality: Cardinality | None = None
    groups: list[Group] = []
    requires: list[Pair] = []
    excludes: list[Pair] = []
    force_on: list[str] = []
    force_off: list[str] = []
    # over periods only (see schema.periods): cardinality then counts channels used in any period
    min_periods_on: PerChannelCount | None = None  # once started, run at least this many periods in a row
    max_switches: PerChannelSwitches | None = None  # starts + stops of a channel over the horizon
    pacing: Pacing | None = None
    ramp: Ramp | None = None
