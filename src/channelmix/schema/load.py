"""Read a scenario file (YAML, TOML or JSON) into a validated :class:`Scenario`."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, TypeAdapter, ValidationError

from .advice import warnings_for
from .checks import Parts, cross_problems
from .models import (
    Channel,
    Name,
    NonNegative,
    Objective,
    Phase,
    PositiveAmount,
    Rules,
    Scenario,
    Segment,
    SolverSettings,
    model_keys,
    phases_in,
    segments_in,
)
from .periods import Periods, periods_in
from .problems import Problem, ScenarioError, problems_from
from .source import Source
from .syntax import TooDeep, check_depth, no_cycle_collection, parse_text, too_deep
from .tables import expand, names_tables
from .worlds import worlds_problems

SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".toml": "toml", ".json": "json"}
_KEYS = model_keys()
_KEYS[()].append("affinity")  # a table of affinities, read by schema.tables before validation


@dataclass(frozen=True)
class Loaded:
    """A validated scenario, where it came from, and what looked odd about it."""

    scenario: Scenario
    source: str
    warnings: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)  # the data as parsed, for overrides


def load(path: str | Path) -> Loaded:
    """Read and validate one scenario file; raise :class:`ScenarioError` listing every problem."""
    path = Path(path)
    source = str(path)
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise ScenarioError(
            source, [Problem("", f"cannot read files ending in '{path.suffix}'", "use .yaml, .yml, .toml or .json")]
        )
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(source, [Problem("", "no such file", "check the path")]) from None
    except IsADirectoryError:
        raise ScenarioError(
            source, [Problem("", "is a folder, not a scenario file", "name a .yaml, .toml or .json file")]
        ) from None
    except UnicodeDecodeError as err:
        raise ScenarioError(source,
                            [Problem("", f"is not UTF-8 text (byte {err.start})", "save the file as UTF-8")]) from None
    raw = parse(text, kind, source)
    return _validate(raw, source, base=path.parent)


def parse(text: str, kind: str, source: str) -> Any:
    """Text to plain data; syntax errors name the line (see :mod:`.syntax`)."""
    return parse_text(text, kind, source)


def validate(raw: Any, source: str = "<scenario>", base: str | Path | None = None) -> Loaded:
    """Plain data to a validated scenario, with every problem reported at once.

    Tables the data names (``channels: channels.csv``, ``affinity: …``) are read
    relative to ``base`` (the scenario file's folder; default the working folder)."""
    try:
        check_depth(raw)  # data from a program or an override, not yet checked by parse()
    except TooDeep as err:
        raise ScenarioError(source, [too_deep(err)]) from None
    return _validate(raw, source, base)


def _validate(raw: Any, source: str, base: str | Path | None) -> Loaded:
    with no_cycle_collection():  # models, checks and warnings of every channel: acyclic
        return _validate_data(raw, source, base)


def _validate_data(raw: Any, source: str, base: str | Path | None) -> Loaded:
    if not isinstance(raw, dict):
        raise ScenarioError(source,
                            [
                                Problem("", "must be a mapping of keys (scenario, phases, segments, channels, …)",
                                        "start from 'channelmix init'")])
    if names_tables(raw):
        return _with_tables(raw, source, Path(base) if base is not None else Path.cwd())
    problems: list[Problem] = []
    scenario: Scenario | None = None
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as err:
        problems += problems_from(err, _KEYS)
    problems += cross_problems(_parts(raw, scenario))
    if scenario is not None and scenario.periods is not None and scenario.worlds is not None:
        problems.append(
            Problem("worlds", "are not yet supported for a plan over periods", "remove worlds, or remove periods"))
    if scenario is not None and not problems:
        scenario, more = worlds_problems(scenario, Path(base) if base is not None else None)
        problems += more
    if problems:
        raise ScenarioError(source, problems)
    assert scenario is not None
    return Loaded(scenario, source, warnings_for(scenario), raw)


def _with_tables(raw: dict[str, Any], source: str, base: Path) -> Loaded:
    """Read the tables that ``raw`` names (relative to ``base``), validate the result like
    a scenario file, and report every problem — of the tables, in the tables, and of
    the file itself — at once. The :class:`Loaded` ``raw`` holds the channels as a list,
    so overrides (``channels.<id>.<field>``) work."""
    expanded = expand(raw, base)
    try:
        loaded = validate(expanded.data, source, base)
    except ScenarioError as err:
        raise ScenarioError(source, [*expanded.problems, *expanded.place(err.problems)]) from None
    if expanded.problems:
        raise ScenarioError(source, expanded.problems)
    return replace(loaded, warnings=[expanded.place_warning(w) for w in loaded.warnings])


_STRICT = ConfigDict(strict=True, allow_inf_nan=False)


def _try(adapter: TypeAdapter, value: Any) -> Any:
    try:
        return adapter.validate_python(value)
    except ValidationError:
        return None


def _parts(raw: dict[str, Any], scenario: Scenario | None) -> Parts:
    """The parts that validated on their own, for cross-checks on a partly broken file."""
    if scenario is not None:
        return Parts(
            phases=scenario.phases, segments=scenario.segments, channels=dict(enumerate(scenario.channels)),
            channel_ids_raw={c.id for c in scenario.channels}, resources=scenario.resources, rules=scenario.rules,
            objective=scenario.objective, budget=scenario.budget, budget_ok=True, accuracy=scenario.solver.accuracy,
            current=scenario.current, spend_step=scenario.spend_step, periods=scenario.periods, source=scenario.source,
        )
    parts = Parts()
    if "phases" in raw:
        parts.phases = _try(_PHASES, raw["phases"])
    if "segments" in raw:
        parts.segments = _try(_SEGMENTS, raw["segments"])
    channels = raw.get("channels")
    if isinstance(channels, list):
        for i, item in enumerate(channels):
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                parts.channel_ids_raw.add(item["id"])
            channel = _try(_CHANNEL, item)
            if channel is not None:
                parts.channels[i] = channel
    parts.resources = _try(_RESOURCES, raw.get("resources", {}))
    parts.rules = _try(_RULES, raw.get("rules", {}))
    parts.objective = _try(_OBJECTIVE, raw.get("objective", {}))
    budget = _try(_BUDGET, raw.get("budget"))
    parts.budget, parts.budget_ok = budget, budget is not None or raw.get("budget") is None
    parts.current = _try(_CURRENT, raw.get("current"))
    parts.spend_step = _try(_STEP, raw.get("spend_step"))
    parts.periods = _try(_PERIODS, raw.get("periods"))
    parts.periods_ok = parts.periods is not None or raw.get("periods") is None
    parts.source = _try(_SOURCE, raw.get("source"))
    solver = _try(_SOLVER, raw.get("solver", {}))
    if solver is not None:
        parts.accuracy = solver.accuracy
    return parts


def _adapter(kind: Any, config: ConfigDict | None = None) -> TypeAdapter[Any]:
    """A validator for any type expression: ``Annotated[…]`` and ``X | None`` too, which pydantic takes
    and mypy's reading of ``TypeAdapter(type[T])`` does not."""
    return TypeAdapter(kind, config=config)


# each part validated on its own
_PERIODS = _adapter(Annotated[Periods, BeforeValidator(periods_in)] | None)
_CURRENT = _adapter(dict[str, NonNegative] | None, _STRICT)
_PHASES = _adapter(Annotated[list[Phase], BeforeValidator(phases_in)])
_SEGMENTS = _adapter(Annotated[list[Segment], BeforeValidator(segments_in)])
_CHANNEL = _adapter(Channel)
_RESOURCES = _adapter(dict[Name, NonNegative], _STRICT)
_RULES = _adapter(Rules)
_OBJECTIVE = _adapter(Objective)
_STEP = _adapter(PositiveAmount | None, _STRICT)
_BUDGET = _adapter(NonNegative | None, _STRICT)
_SOLVER = _adapter(SolverSettings)
_SOURCE = _adapter(Source | None)
