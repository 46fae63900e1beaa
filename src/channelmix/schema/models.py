"""The scenario file, format version 1, as frozen pydantic models (docs/architecture.md,
"The scenario file").

Unknown keys are errors, numbers must be finite, types are strict (``"5"`` is
not a number).  Cross-field checks live in :mod:`channelmix.schema.checks`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, PrivateAttr, model_validator

from .limits import MAX_LEVEL, MAX_TIME_LIMIT, MIN_ACCURACY
from .periods import PeriodRef, Periods, periods_in
from .presets import PHASE_PRESETS, preset_label
from .problems import Fixable, did_you_mean, with_hint

# a channel's curves, the rules and the value kinds are re-exported: they are part of the scenario's models
from .responses import Constant, Hill, Linear, Pwl, Response, Saturating, saturation_spend  # noqa: F401
from .rules import (  # noqa: F401
    BreadthRule,
    Cardinality,
    CellRule,
    Concentration,
    CoverageRule,
    Group,
    Pair,
    RedundancyRule,
    Rules,
    rule_for_cell,
)
from .saturations import MAX_SAMPLES
from .source import Source
from .steps import round_down, round_up
from .types import (  # noqa: F401
    Count,
    CurveSpend,
    Id,
    Label,
    Model,
    Name,
    NonNegative,
    Positive,
    PositiveAmount,
    Selector,
    Share,
    Weight,
    one_or_many,
)
from .vocabulary import FUNCTIONS, RESPONSE_TYPES, WILDCARD  # noqa: F401  (re-exported: the format's fixed words)

# ---------------------------------------------------------------- phases, segments


class Phase(Model):
    id: Id
    label: Label | None = None
    weight: Weight = 1.0
    term: str | None = Field(default=None, pattern=r"^preset\.[a-z-]+\.\w+$")  # a preset phase's catalogue key

    @model_validator(mode="after")
    def _own_label_wins(self) -> "Phase":
        """A preset phase whose label the user changed (``--set phases.buy.label=…``) shows the user's words."""
        if self.term and self.label != preset_label(self.term):
            return self.model_copy(update={"term": None})
        return self

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


def phases_in(value: Any) -> Any:
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


def segments_in(value: Any) -> Any:
    if isinstance(value, list):
        return [{"id": v} if isinstance(v, str) else v for v in value]
    return value


# ---------------------------------------------------------------- channels


class Outcome(Model):
    """What a channel's reach is worth: outcome = value × f(s), in money or KPI units
    (revenue, conversions) per plan period, counted by objective max_outcome."""

    value: NonNegative
    baseline: NonNegative = 0.0  # the curve's outcome at zero spend (an MMM's carry-over); reported, not optimised
    unit: str = ""


class ResourceUse(Model):
    fixed: NonNegative = 0.0
    per_unit: NonNegative = 0.0


def _affinity_in(value: Any) -> Any:
    if isinstance(value, dict):
        return {phase: ({WILDCARD: v} if isinstance(v, (int, float)) and not isinstance(v, bool) else v)
                for phase, v in value.items()}
    return value


class Channel(Model):
    id: Id
    label: Label | None = None
    function: Annotated[list[Literal["communication", "sales", "distribution"]], BeforeValidator(one_or_many)] = []
    ownership: Literal["own", "partner"] | None = None
    medium: Literal["digital", "physical"] | None = None
    tags: Annotated[list[Name], BeforeValidator(one_or_many)] = []
    fixed_cost: NonNegative = 0.0
    min_spend: NonNegative = 0.0
    max_spend: NonNegative | None = None
    spend_step: PositiveAmount | None = None  # this channel's payable unit (overrides the scenario's spend_step)
    uses: dict[str, ResourceUse] = {}
    response: Response
    outcome: Outcome | None = None
    affinity: Annotated[dict[str, dict[str, Share]], BeforeValidator(_affinity_in)] = {}
    available_from: PeriodRef | None = None  # first period the channel can run (this and below: over periods only)
    available_until: PeriodRef | None = None  # last period the channel can run
    setup_cost: NonNegative = 0.0  # paid in each period where the channel starts (on now, not in the period before)
    carry_over: Annotated[float, Field(ge=0, lt=1)] = 0.0  # adstock θ: effective spend a_t = s_t + θ·a_(t−1)
    carry_in: NonNegative | None = None  # a_0, the adstock the plan starts from (None: current / (1 − θ), kept up)

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
    """Relative spreads of sampled worlds (see :mod:`channelmix.model.worlds`)."""

    affinity: Spread = 0.0
    response: Spread = 0.0
    count: Annotated[int, Field(ge=1, le=1000)] = 50
    seed: Annotated[int, Field(ge=0, le=2**32 - 1)] = 0


class PosteriorSamples(Model):
    """Worlds from the posterior samples the curves hold (PyMC-Marketing curves with one
    parameter value per sample): world i takes sample i of every such curve, a joint draw; ``count``
    samples drawn with ``seed``, or all."""

    count: Annotated[int, Field(ge=1, le=MAX_SAMPLES)] | Literal["all"] = "all"
    seed: Annotated[int, Field(ge=0, le=2**32 - 1)] = 0


class Worlds(Model):
    """Possible worlds to judge (and with objective.risk, to choose) a plan in:
    sampled from relative spreads, the draws of an imported curve table, or the
    posterior samples of imported curves."""

    uncertainty: Uncertainty | None = None
    draws: str | None = None  # a .draws.csv as ``channelmix import curves`` writes it, relative to the scenario
    samples: PosteriorSamples | None = None

    @model_validator(mode="after")
    def _one_source(self) -> "Worlds":
        if sum(x is not None for x in (self.uncertainty, self.draws, self.samples)) != 1:
            raise Fixable("needs exactly one of uncertainty, draws or samples",
                          "write worlds: {uncertainty: {affinity: 0.2, response: 0.15, count: 50, seed: 1}}, worlds: "
                          "{draws: FILE.draws.csv} or worlds: {samples: {count: all}}")
        return self


class SolverSettings(Model):
    name: Literal["highs", "cbc"] = "highs"
    time_limit: Annotated[float, Field(gt=0, le=MAX_TIME_LIMIT)] = 60.0
    gap: Annotated[float, Field(ge=0, lt=1)] = 1e-4
    threads: Annotated[int, Field(ge=1, le=256)] = 1
    accuracy: Annotated[float, Field(ge=MIN_ACCURACY, le=0.1)] = 0.005  # LP pieces: max error, share of a range


class Variant(Model):
    name: Id
    description: str = ""
    set: dict[str, Any]


class SweepRange(Model):
    start: float
    stop: float
    step: Positive


Kind = Literal["single", "periods", "robust"]


class Scenario(Model):
    format: Literal[1] = 1
    scenario: Annotated[Name, Field(min_length=1)]
    description: str = ""
    currency: str = ""
    phases: Annotated[list[Phase], BeforeValidator(phases_in), Field(min_length=1)]
    segments: Annotated[list[Segment], BeforeValidator(segments_in), Field(min_length=1)]
    budget: NonNegative | None = None
    spend_step: PositiveAmount | None = None  # spends in multiples of this payable unit (10 rand, 1,000 toman)
    resources: dict[Name, NonNegative] = {}
    channels: Annotated[list[Channel], Field(min_length=1)]
    rules: Rules = Rules()
    objective: Objective = Objective()
    solver: SolverSettings = SolverSettings()
    variants: list[Variant] = []
    sweep: dict[str, SweepRange] = {}
    current: dict[str, NonNegative] | None = None  # what is run today: channel -> spend (unnamed channels are off)
    _by_id: Any = PrivateAttr(default=None)  # (the channels list it indexes, id -> channel): see channel()
    language: Literal["en", "fr", "es", "sv", "fa"] | None = None  # the reports' language (None: English)
    worlds: Worlds | None = None  # possible worlds (uncertain affinities and curves), see channelmix.model.worlds
    periods: Annotated[Periods, BeforeValidator(periods_in)] | None = None  # a plan over time (see schema.periods)
    source: Source | None = None  # where the curves came from and what spends and outcomes are per (see schema.source)

    # -- derived facts that the formulation and the verifier both read -------------

    @property
    def kind(self) -> Kind:
        """What is planned: ``"periods"`` (a plan over time), ``"robust"`` (one plan for every
        world, judged by ``objective.risk``) or ``"single"`` (one period; worlds without a risk
        objective only report the plan in every world).  Periods and worlds do not mix (a schema
        problem), so the three are apart."""
        if self.periods is not None:
            return "periods"
        if self.worlds is not None and self.objective.risk is not None:
            return "robust"
        return "single"

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
        """The channel with this id, from an index built once per channel list (a scan per call made
        a plan over periods of many channels quadratic); a copy with other channels builds its own."""
        index = self._by_id
        if index is None or index[0] is not self.channels:
            index = self._by_id = (self.channels, {c.id: c for c in self.channels})
        return index[1][channel_id]

    def step_of(self, channel: Channel) -> float | None:
        """The payable unit this channel's spend comes in (None: any amount)."""
        return channel.spend_step if channel.spend_step is not None else self.spend_step

    def spend_floor(self, channel: Channel) -> float:
        """min_spend rounded up to the channel's spend_step: the least it spends when on."""
        return round_up(channel.min_spend, self.step_of(channel))

    def spend_caps(self) -> dict[str, float]:
        """U_c for every channel (see :meth:`_raw_caps`), rounded down to its spend_step."""
        caps = self._raw_caps()
        return {c.id: round_down(caps[c.id], self.step_of(c)) for c in self.channels}

    def _raw_caps(self) -> dict[str, float]:
        """U_c for every channel: max_spend when given, else what the rules allow.

        With a budget, an uncapped channel may spend up to the budget less its fixed
        cost. Without one (min_cost, target), spend past a curve's saturation buys no
        reach but may pad the total so that share rules (concentration, group shares)
        hold. The cap is the sum of all useful spends times one plus the padding each
        share rule can demand, so that no rule is starved of room."""
        if self.budget is not None:
            return {c.id: c.max_spend if c.max_spend is not None else max(self.budget - c.fixed_cost, c.min_spend, 0.0)
                    for c in self.channels}
        useful = {c.id: c.max_spend if c.max_spend is not None
                  else max(saturation_spend(c.response, self.solver.accuracy), c.min_spend) for c in self.channels}
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
