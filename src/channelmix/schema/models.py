"""The scenario file, format version 1 (DESIGN §7), as frozen pydantic models.

Unknown keys are errors, numbers must be finite, types are strict (``"5"`` is
not a number).  Cross-field checks live in :mod:`channelmix.schema.checks`.
"""

from __future__ import annotations

import math
import unicodedata
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from ..presets import PHASE_PRESETS
from .limits import MAX_AMOUNT, MAX_COUNT, MAX_LEVEL, MAX_TIME_LIMIT, MAX_WEIGHT, MIN_ACCURACY, MIN_CURVE_SPEND, RANGE_FIX
from .problems import Fixable, describe_char, did_you_mean, with_hint

WILDCARD = "*"
RESPONSE_TYPES = ("constant", "linear", "pwl", "saturating", "hill")
FUNCTIONS = ("communication", "sales", "distribution")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


def _check_name(value: Any) -> Any:
    """Names that other fields refer to (ids, tags, resources, the scenario) show exactly what
    they are: no control characters, bidi overrides or zero-width characters. Unicode
    category C covers them all — including the zero-width non-joiner, which Persian labels
    need but an id does not: two ids that differ only by an invisible character would look
    the same in every table."""
    if isinstance(value, str):
        odd = next((ch for ch in value if unicodedata.category(ch)[0] == "C"), None)
        if odd is not None:
            raise Fixable(f"{value!r} contains an invisible or control character ({describe_char(odd)})",
                          "remove it: names and ids hold visible letters, digits, '_' or '-' only "
                          "(a label may hold any text, including the zero-width non-joiner)")
    return value


def _check_label(value: Any) -> Any:
    """Labels are free text, but control characters (terminal escapes, NUL) and bidi overrides are not text."""
    if isinstance(value, str):
        odd = next((ch for ch in value if unicodedata.category(ch) == "Cc" or ch in _BIDI_OVERRIDES), None)
        if odd is not None:
            raise Fixable(f"{value!r} contains a control character ({describe_char(odd)})", "remove it from the text")
    return value


_BIDI_OVERRIDES = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _check_id(value: Any) -> Any:
    if isinstance(value, str):
        _check_name(value)
        if not value.strip() or value != value.strip() or any(ch.isspace() for ch in value):
            raise Fixable(f"id {value!r} has spaces", "use an id without spaces, e.g. 'word_of_mouth'; put the readable name in 'label'")
        if "." in value or value == WILDCARD:
            raise Fixable(f"id {value!r} may not contain '.' or be '*'", "use letters, digits, '_' or '-'")
    return value


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, (str, dict)) else value


Id = Annotated[str, BeforeValidator(_check_id), Field(min_length=1, max_length=80)]
Name = Annotated[str, BeforeValidator(_check_name)]  # a tag, a resource, a scenario name
Label = Annotated[str, BeforeValidator(_check_label)]
NonNegative = Annotated[float, Field(ge=0, le=MAX_AMOUNT)]
Weight = Annotated[float, Field(ge=0, le=MAX_WEIGHT)]
Positive = Annotated[float, Field(gt=0)]
CurveSpend = Annotated[float, Field(gt=0, le=MAX_AMOUNT)]  # a curve's scale or half-saturation spend
Share = Annotated[float, Field(ge=0, le=1)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Selector = Annotated[list[str], BeforeValidator(_one_or_many)]


# ---------------------------------------------------------------- phases, segments


class Phase(Model):
    id: Id
    label: Label | None = None
    weight: Weight = 1.0

    @property
    def name(self) -> str:
        return self.label or self.id


class Segment(Model):
    id: Id
    label: Label | None = None
    size: NonNegative = 1.0
    weight: Weight = 1.0
    value: NonNegative | None = None  # money per customer fully reached (max_value)

    @property
    def name(self) -> str:
        return self.label or self.id


def _phases_in(value: Any) -> Any:
    if isinstance(value, str):
        if value not in PHASE_PRESETS:
            hint = did_you_mean(value, PHASE_PRESETS)
            raise Fixable(
                f"unknown phase preset '{value}'",
                with_hint(hint, f"use one of {', '.join(PHASE_PRESETS)} or list your own phases"),
            )
        return [dict(p) for p in PHASE_PRESETS[value]]
    if isinstance(value, list):
        return [{"id": v} if isinstance(v, str) else v for v in value]
    return value


def _segments_in(value: Any) -> Any:
    if isinstance(value, list):
        return [{"id": v} if isinstance(v, str) else v for v in value]
    return value


# ---------------------------------------------------------------- response curves


class Constant(Model):
    """Reach when on, whatever the spend (word of mouth, a shop window)."""

    type: Literal["constant"]
    value: Share


class Linear(Model):
    """min(1, slope · s)."""

    type: Literal["linear"]
    slope: Annotated[float, Field(ge=1e-12, le=1e12)]


class Pwl(Model):
    """Linear between the given (spend, reach) points, flat after the last."""

    type: Literal["pwl"]
    points: list[list[float]] = Field(min_length=2)

    @model_validator(mode="after")
    def _points_are_a_curve(self) -> "Pwl":
        for i, point in enumerate(self.points):
            if len(point) != 2 or not all(math.isfinite(v) for v in point):
                raise Fixable(f"points[{i}] must be a pair of finite numbers [spend, reach]", "write it as [spend, reach]")
            if not 0 <= point[0] <= MAX_AMOUNT:
                raise Fixable(f"points[{i}] has spend {point[0]:g}, must be within [0, {MAX_AMOUNT:g}]", RANGE_FIX)
            if not 0 <= point[1] <= 1:
                raise Fixable(f"points[{i}] has reach {point[1]}, must be within [0, 1]", "reach is a share of the segment")
        if self.points[0] != [0, 0]:
            raise Fixable("the first point must be [0, 0]", "start the curve with [0, 0]: no spend, no reach")
        xs = [p[0] for p in self.points]
        for i in range(1, len(xs)):
            if xs[i] <= xs[i - 1]:
                raise Fixable(f"points[{i}] spend {xs[i]:g} is not above the previous {xs[i - 1]:g}", "list points by strictly rising spend")
        return self


class Saturating(Model):
    """1 − exp(−s / scale)."""

    type: Literal["saturating"]
    scale: CurveSpend

    @model_validator(mode="after")
    def _not_a_step(self) -> "Saturating":
        _curve_spend("scale", self.scale)
        return self


class Hill(Model):
    """h(s) = s^shape / (s^shape + half^shape); S-shaped when shape > 1.

    With a carry-over ``offset`` c (spend-equivalent already in the market, e.g. an
    MMM's adstock from past periods) the curve is h(s + c) − h(c): still 0 at s = 0."""

    type: Literal["hill"]
    half: CurveSpend
    shape: Annotated[float, Field(gt=0, le=20)]
    offset: NonNegative = 0.0

    @model_validator(mode="after")
    def _not_a_step(self) -> "Hill":
        _curve_spend("half", self.half)
        return self


def _curve_spend(name: str, value: float) -> None:
    if value < MIN_CURVE_SPEND:
        raise Fixable(f"{name} {value:g} is below {MIN_CURVE_SPEND:g}: the curve jumps to full reach for almost no money, "
                      "which the solver cannot represent faithfully",
                      "measure money in smaller units (units rather than millions), or check the value")


Response = Annotated[Union[Constant, Linear, Pwl, Saturating, Hill], Field(discriminator="type")]


# ---------------------------------------------------------------- channels


class Outcome(Model):
    """What a channel's reach is worth: outcome = value × f(s), in money or KPI units
    (revenue, conversions) per plan period, counted by objective max_outcome."""

    value: NonNegative
    baseline: NonNegative = 0.0  # outcome already there at zero spend (carry-over); reported, not optimised
    unit: str = ""


class ResourceUse(Model):
    fixed: NonNegative = 0.0
    per_unit: NonNegative = 0.0


def _affinity_in(value: Any) -> Any:
    if isinstance(value, dict):
        return {phase: ({WILDCARD: v} if isinstance(v, (int, float)) and not isinstance(v, bool) else v) for phase, v in value.items()}
    return value


class Channel(Model):
    id: Id
    label: Label | None = None
    function: Annotated[list[Literal["communication", "sales", "distribution"]], BeforeValidator(_one_or_many)] = []
    ownership: Literal["own", "partner"] | None = None
    medium: Literal["digital", "physical"] | None = None
    tags: Annotated[list[Name], BeforeValidator(_one_or_many)] = []
    fixed_cost: NonNegative = 0.0
    min_spend: NonNegative = 0.0
    max_spend: NonNegative | None = None
    uses: dict[str, ResourceUse] = {}
    response: Response
    outcome: Outcome | None = None
    affinity: Annotated[dict[str, dict[str, Share]], BeforeValidator(_affinity_in)] = {}

    @model_validator(mode="after")
    def _spend_bounds(self) -> "Channel":
        if self.max_spend is not None and self.min_spend > self.max_spend:
            raise Fixable(
                f"min_spend {self.min_spend:g} is above max_spend {self.max_spend:g}",
                "lower min_spend or raise max_spend",
            )
        return self

    @property
    def name(self) -> str:
        return self.label or self.id

    def affinity_for(self, phase: str, segment: str) -> float:
        """a_cpg: how well this channel serves (phase, segment); '*' fills the rest."""
        for p in (phase, WILDCARD):
            row = self.affinity.get(p)
            if row is not None:
                for g in (segment, WILDCARD):
                    if g in row:
                        return row[g]
        return 0.0

    def in_group(self, group: "Group") -> bool:
        if group.channels is not None:
            return self.id in group.channels
        if group.tag is not None:
            return group.tag in self.tags
        if group.function is not None:
            return group.function in self.function
        if group.ownership is not None:
            return self.ownership == group.ownership
        return self.medium == group.medium


# ---------------------------------------------------------------- rules


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


class CoverageRule(CellRule):
    target: Share
    hard: bool = True
    penalty: NonNegative | None = None

    @model_validator(mode="after")
    def _soft_needs_penalty(self) -> "CoverageRule":
        if not self.hard and self.penalty is None:
            raise Fixable("a soft coverage rule (hard: false) needs a penalty", "add penalty: <objective units per unit of shortfall>")
        return self


class BreadthRule(CellRule):
    min_channels: Count
    threshold: Share = 0.05
    hard: bool = True
    penalty: NonNegative | None = None

    @model_validator(mode="after")
    def _soft_needs_penalty(self) -> "BreadthRule":
        if not self.hard and self.penalty is None:
            raise Fixable("a soft breadth rule (hard: false) needs a penalty", "add penalty: <objective units per missing channel>")
        return self


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
            raise Fixable(f"min_share {self.min_share:g} is above max_share {self.max_share:g}", "lower min_share or raise max_share")
        if self.min_count is not None and self.max_count is not None and self.min_count > self.max_count:
            raise Fixable(f"min_count {self.min_count} is above max_count {self.max_count}", "lower min_count or raise max_count")
        return self

    def describe(self) -> str:
        for key in ("tag", "function", "ownership", "medium"):
            if getattr(self, key) is not None:
                return f"{key} {getattr(self, key)}"
        return "channels " + ", ".join(self.channels or [])


Pair = Annotated[list[str], Field(min_length=2, max_length=2)]


class Rules(Model):
    coverage: Annotated[list[CoverageRule], BeforeValidator(_one_or_many)] = []
    breadth: Annotated[list[BreadthRule], BeforeValidator(_one_or_many)] = []
    redundancy: Annotated[list[RedundancyRule], BeforeValidator(_one_or_many)] = []
    concentration: Concentration | None = None
    cardinality: Cardinality | None = None
    groups: list[Group] = []
    requires: list[Pair] = []
    excludes: list[Pair] = []
    force_on: list[str] = []
    force_off: list[str] = []


# ---------------------------------------------------------------- objective, solver, what-if


class Objective(Model):
    sense: Literal["max_reach", "max_value", "max_outcome", "min_cost", "target"] = "max_reach"
    level: Annotated[float, Field(ge=0, le=MAX_LEVEL)] | None = None  # weighted reach to reach (sense: target)
    net: bool = False  # max_outcome: outcome less the money spent
    outcome_target: NonNegative | None = None  # min_cost: total outcome to reach at least
    tie_break: bool = True  # second pass: least money for the same optimum (or most reach for the same cost)
    risk: Literal["mean", "worst", "cvar"] | None = None  # with worlds: optimise over them (None: the plain plan)
    alpha: Annotated[float, Field(gt=0, le=1)] = 0.1  # cvar: the share of worst worlds averaged

    @property
    def maximises(self) -> bool:
        return self.sense in ("max_reach", "max_value", "max_outcome")


Spread = Annotated[float, Field(ge=0, lt=1)]


class Uncertainty(Model):
    """Relative spreads of sampled worlds (see :mod:`channelmix.worlds`)."""

    affinity: Spread = 0.0
    response: Spread = 0.0
    count: Annotated[int, Field(ge=1, le=1000)] = 50
    seed: Annotated[int, Field(ge=0, le=2**32 - 1)] = 0


class Worlds(Model):
    """Possible worlds to judge (and with objective.risk, to choose) a plan in:
    sampled from relative spreads, or the draws of an imported curve table."""

    uncertainty: Uncertainty | None = None
    draws: str | None = None  # a .draws.csv as ``channelmix import curves`` writes it, relative to the scenario

    @model_validator(mode="after")
    def _one_source(self) -> "Worlds":
        if (self.uncertainty is None) == (self.draws is None):
            raise Fixable("needs exactly one of uncertainty or draws",
                          "write worlds: {uncertainty: {affinity: 0.2, response: 0.15, count: 50, seed: 1}} or worlds: {draws: FILE.draws.csv}")
        return self


class SolverSettings(Model):
    name: Literal["highs", "cbc"] = "highs"
    time_limit: Annotated[float, Field(gt=0, le=MAX_TIME_LIMIT)] = 60.0
    gap: Annotated[float, Field(ge=0, lt=1)] = 1e-4
    threads: Annotated[int, Field(ge=1, le=256)] = 1
    accuracy: Annotated[float, Field(ge=MIN_ACCURACY, le=0.1)] = 0.005  # LP pieces: max error as a share of a curve's range


class Variant(Model):
    name: Id
    description: str = ""
    set: dict[str, Any]


class SweepRange(Model):
    start: float
    stop: float
    step: Positive


class Scenario(Model):
    format: Literal[1] = 1
    scenario: Annotated[Name, Field(min_length=1)]
    description: str = ""
    currency: str = ""
    phases: Annotated[list[Phase], BeforeValidator(_phases_in), Field(min_length=1)]
    segments: Annotated[list[Segment], BeforeValidator(_segments_in), Field(min_length=1)]
    budget: NonNegative | None = None
    resources: dict[Name, NonNegative] = {}
    channels: Annotated[list[Channel], Field(min_length=1)]
    rules: Rules = Rules()
    objective: Objective = Objective()
    solver: SolverSettings = SolverSettings()
    variants: list[Variant] = []
    sweep: dict[str, SweepRange] = {}
    current: dict[str, NonNegative] | None = None  # what is run today: channel -> spend (unnamed channels are off)
    language: Literal["en", "fr", "es", "sv", "fa"] | None = None  # the reports' language (None: English)
    worlds: Worlds | None = None  # possible worlds (uncertain affinities and curves), see channelmix.worlds

    # -- derived facts that the formulation and the verifier both read -------------

    @property
    def cells(self) -> list[tuple[str, str]]:
        """Every (phase, segment) cell, phase-major."""
        return [(p.id, g.id) for p in self.phases for g in self.segments]

    def cell_weight(self, phase: Phase, segment: Segment) -> float:
        """W_pg. max_reach: phase weight × segment weight × size.  max_value: money —
        size × value per customer, split across phases by their relative weights."""
        if self.objective.sense == "max_value":
            total = sum(p.weight for p in self.phases) or 1.0
            return segment.size * (segment.value or 0.0) * phase.weight / total
        return phase.weight * segment.weight * segment.size

    def channel(self, channel_id: str) -> Channel:
        return next(c for c in self.channels if c.id == channel_id)

    def spend_caps(self) -> dict[str, float]:
        """U_c for every channel: max_spend when given, else what the rules allow.

        With a budget, an uncapped channel may spend up to the budget less its fixed
        cost. Without one (min_cost, target), spend past a curve's saturation buys no
        reach but may pad the total so that share rules (concentration, group shares)
        hold. The cap is the sum of all useful spends times one plus the padding each
        share rule can demand, so that no rule is starved of room."""
        from ..curves import saturation_spend

        if self.budget is not None:
            return {c.id: c.max_spend if c.max_spend is not None else max(self.budget - c.fixed_cost, c.min_spend, 0.0)
                    for c in self.channels}
        useful = {c.id: c.max_spend if c.max_spend is not None else max(saturation_spend(c.response, self.solver.accuracy), c.min_spend)
                  for c in self.channels}
        # Padding a rule may need, per unit of useful spend: a group at min_share lo must
        # spend lo/(1-lo) times the rest; at max_share hi the rest must spend (1-hi)/hi
        # times the group; concentration α needs a total of 1/α times the largest spend.
        factor = 1.0
        for g in self.rules.groups:
            if g.min_share and g.min_share < 1:
                factor += g.min_share / (1.0 - g.min_share)
            if g.max_share:
                factor += (1.0 - g.max_share) / g.max_share
        if self.rules.concentration is not None:
            factor += 1.0 / self.rules.concentration.max_share
        padded = sum(useful.values()) * factor
        return {c.id: c.max_spend if c.max_spend is not None else max(padded, c.min_spend) for c in self.channels}


def model_keys() -> dict[tuple, list[str]]:
    """Allowed keys at every place in the file, for 'did you mean' hints."""
    out: dict[tuple, list[str]] = {}

    def walk(model: type[BaseModel], at: tuple) -> None:
        out[at] = list(model.model_fields)
        for name, field in model.model_fields.items():
            for inner, suffix in _models_in(field.annotation):
                walk(inner, at + (name,) + suffix)

    walk(Scenario, ())
    return out


def _models_in(annotation: Any) -> list[tuple[type[BaseModel], tuple]]:
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [(annotation, ())]
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is Annotated:
        return _models_in(args[0])
    if origin is list:
        return [(m, ("[]",) + s) for m, s in _models_in(args[0])]
    if origin is dict:
        return [(m, ("*",) + s) for m, s in _models_in(args[1])]
    found = []
    members = [a for a in args if a is not type(None)]
    tagged = len(members) > 1
    for arg in members:
        for m, s in _models_in(arg):
            tag = m.model_fields.get("type")
            if tagged and tag is not None:
                found.append((m, (typing.get_args(tag.annotation)[0],) + s))
            else:
                found.append((m, s))
    return found
