"""Expand one scenario file into the concrete scenarios to solve: the base, its
variants, command-line overrides, and sweep or grid steps.

Overrides are dotted paths into the file's own keys — ``budget``,
``resources.hours``, ``channels.<id>.<field>``, ``segments.<id>.size``,
``rules.concentration.max_share``, ``objective.sense`` — applied to the parsed data
and then validated exactly like the file, so a bad path or value is reported with
the variant (or step) that caused it.
"""

from __future__ import annotations

import copy
import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import Loaded, Problem, Scenario, ScenarioError, validate
from .presets import PHASE_PRESETS
from .problems import did_you_mean, show, with_hint
from .shape import TooDeep
from .table_cells import number_advice


@dataclass(frozen=True)
class Case:
    """One concrete scenario: the base, a variant or a step, and how it was derived."""

    name: str
    scenario: Scenario
    source: str
    warnings: list[str] = field(default_factory=list)
    overrides: dict[str, Any] = field(default_factory=dict)
    variant: str = ""


def parse_assignment(text: str) -> tuple[str, Any]:
    """``budget=3500`` → ('budget', 3500); the value is read as YAML (lists, numbers, text)."""
    path, sep, value = text.partition("=")
    if not sep or not path.strip():
        raise ScenarioError("--set", [Problem(text, "is not PATH=VALUE", "write e.g. --set budget=3500")])
    from .yaml_reader import plain_value  # PyYAML only when a value is set

    try:
        parsed = plain_value(value) if value.strip() else ""  # the file's own reader: 4.5e3 is a number
    except TooDeep as err:
        raise ScenarioError("--set", [Problem(text, err.message, "give a plain value")]) from None
    if isinstance(parsed, (str, int, float)) and path.strip().rsplit(".", 1)[-1] not in TEXT_KEYS:
        _, advice = number_advice(value, table=False)  # 60%, 4 500, R4,500, 0,5, 4.500: the number, written plainly
        if advice is not None:
            raise ScenarioError("--set", [Problem(text, f"got {show(value.strip())}, {advice[0]}", advice[1])])
    return path.strip(), parsed


TEXT_KEYS = ("scenario", "description", "label", "name", "id", "currency", "language", "medium", "ownership", "unit")


def parse_assignments(texts: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """Every ``--set PATH=VALUE``; the problems of all of them at once."""
    out, problems = {}, []
    for text in texts:
        try:
            path, value = parse_assignment(text)
            out[path] = value
        except ScenarioError as err:
            problems += err.problems
    if problems:
        raise ScenarioError("--set", problems)
    return out


def parse_range(text: str) -> tuple[str, list[float]]:
    """``budget=1000:20000:500`` → ('budget', [1000, 1500, …, 20000]); also a list ``a,b,c``."""
    path, sep, spec = text.partition("=")
    fix = "write PATH=START:STOP:STEP, e.g. budget=1000:20000:500, or PATH=V1,V2,V3"
    if not sep or not path.strip():
        raise ScenarioError("--vary", [Problem(text, "is not PATH=START:STOP:STEP", fix)])
    try:
        if ":" in spec:
            start, stop, step = (float(p) for p in spec.split(":"))
            return path.strip(), steps(start, stop, step, text)
        return path.strip(), [float(p) for p in spec.split(",")]
    except ValueError:
        raise ScenarioError("--vary", [Problem(text, "has a value that is not a number", fix)]) from None


def steps(start: float, stop: float, step: float, where: str) -> list[float]:
    """start, start + step, …, up to stop (inclusive, within rounding)."""
    if not all(math.isfinite(v) for v in (start, stop, step)) or step <= 0 or stop < start:
        raise ScenarioError(where,
                            [
                                Problem(where, f"is not a rising range (start {start:g}, stop {stop:g}, step {step:g})",
                                        "use a positive step and stop ≥ start")])
    count = int(math.floor((stop - start) / step + 1e-9)) + 1
    if count > 100_000:
        raise ScenarioError(where, [Problem(where, f"has {count} steps", "use a larger step (at most 100000 steps)")])
    return [round(start + i * step, 10) for i in range(count)]


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``path`` in the parsed file data; lists of phases, segments and channels are
    addressed by id (or position). Raises ScenarioError naming the path."""
    parts = path.split(".")
    node: Any = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        where = ".".join(parts[: depth + 1])
        if isinstance(node, dict):
            if depth == 0 and part == "phases" and not last and isinstance(node.get(part), str):
                node[part] = copy.deepcopy(PHASE_PRESETS.get(node[part], []))  # a preset, addressed by phase id
            if last:
                node[part] = value
                return
            if part not in node or node[part] is None:
                node[part] = {}
            node = node[part]
        elif isinstance(node, list):
            index = _find(node, part, where)
            if isinstance(node[index], str):
                node[index] = {"id": node[index]}
            if last:
                node[index] = value
                return
            node = node[index]
        else:
            parent = ".".join(parts[:depth])
            raise ScenarioError("override", [Problem(path, f"'{parent}' is a value, not something with a '{part}'",
                                                     f"set {parent} itself, or check the path")])


def value_at(data: Any, path: str) -> Any:
    """The value at ``path`` in the parsed file data (lists addressed by id or position), or None."""
    node = data
    for part in path.split("."):
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list):
            ids = [item.get("id") if isinstance(item, dict) else item for item in node]
            node = (node[ids.index(part)] if part in ids else node[int(part)] if part.isdigit()
                    and int(part) < len(node) else None)
        else:
            return None
    return node


def _find(items: list[Any], key: str, where: str) -> int:
    ids = [item.get("id") if isinstance(item, dict) else item for item in items]
    if key in ids:
        return ids.index(key)
    if key.isdigit() and int(key) < len(items):
        return int(key)
    known = [str(i) for i in ids]
    hint = did_you_mean(key, known)
    raise ScenarioError("override",
                        [Problem(where, f"no item with id '{key}'", with_hint(hint, f"known ids: {', '.join(known)}"))])


def derive(loaded: Loaded, overrides: dict[str, Any], label: str = "", variant: str = "") -> Case:
    """The scenario with overrides applied, validated like the file itself."""
    base = loaded.scenario.scenario
    if not overrides:
        return Case(base, loaded.scenario, loaded.source, loaded.warnings, {}, variant)
    where = f"{loaded.source} ({label})" if label else loaded.source
    data = copy.deepcopy(loaded.raw)
    problems: list[Problem] = []
    for path, value in overrides.items():
        try:
            set_path(data, path, value)
        except ScenarioError as err:
            problems += [Problem(f"set {p.path}", p.message, p.fix) for p in err.problems]
    if problems:
        raise ScenarioError(where, problems)
    data.pop("variants", None)  # a derived scenario does not derive further
    data.pop("sweep", None)
    name = f"{base}/{label}" if label else base
    data["scenario"] = name
    try:
        derived = validate(data, where, base=Path(loaded.source).parent)
    except ScenarioError as err:
        paths = ", ".join(overrides)
        raise ScenarioError(where,
                            [Problem(p.path, f"{p.message} (after set {paths})", p.fix)
                             for p in err.problems]) from None
    return Case(name, derived.scenario, loaded.source, derived.warnings, dict(overrides), variant)


def variants(loaded: Loaded, overrides: dict[str, Any] | None = None) -> list[Case]:
    """The base scenario and every variant of the file, each with ``overrides`` on top.

    Every problem of every variant is collected before anything is raised."""
    overrides = dict(overrides or {})
    if "variants" in overrides:  # --set variants=[] (or a list): the file's variants replaced, not overridden in each
        loaded = _with_variants(loaded, overrides.pop("variants"))
    cases, problems = [], []
    extra = ", ".join(f"{k}={v}" for k, v in overrides.items())
    jobs: list[tuple[str, dict[str, Any]]] = [("", {})] + [(v.name, v.set) for v in loaded.scenario.variants]
    seen: set[str] = set()
    base_problems: set[tuple[str, str]] = set()
    for name, sets in jobs:
        if name in seen:
            problems.append(Problem(f"variants: {name}", "is named twice", "give every variant its own name"))
            continue
        seen.add(name)
        label = ", ".join(part for part in (name, extra) if part)
        try:
            cases.append(derive(loaded, {**sets, **overrides}, label=label, variant=name))
        except ScenarioError as err:
            for p in err.problems:
                if name and (p.path, p.message) in base_problems:
                    continue  # the same --set problem, already reported for the base
                if not name:
                    base_problems.add((p.path, p.message))
                problems.append(Problem(f"variant {name}: {p.path}" if name else p.path, p.message, p.fix))
    if problems:
        raise ScenarioError(loaded.source, problems)
    return cases


def _with_variants(loaded: Loaded, value: Any) -> Loaded:
    """The file with its ``variants:`` replaced by ``value``, validated like the file itself."""
    data = copy.deepcopy(loaded.raw)
    data["variants"] = value
    try:
        return validate(data, loaded.source, base=Path(loaded.source).parent)
    except ScenarioError as err:
        raise ScenarioError(loaded.source,
                            [Problem(p.path, f"{p.message} (after set variants)", p.fix)
                             for p in err.problems]) from None


def grid(loaded: Loaded, vary: dict[str, list[float]], overrides: dict[str, Any] | None = None) -> list[Case]:
    """One case per combination of the varied values (a sweep when one path varies)."""
    overrides = overrides or {}
    paths = list(vary)
    cases, problems = [], []
    for values in itertools.product(*(vary[p] for p in paths)):
        step = dict(zip(paths, (_number(v) for v in values)))
        label = ", ".join(f"{p}={_written(v)}" for p, v in step.items())
        try:
            cases.append(derive(loaded, {**overrides, **step}, label=label))
        except ScenarioError as err:
            problems += [Problem(f"step {label}: {p.path}", p.message, p.fix) for p in err.problems]
            break  # every step shares the paths: the first failure says it all
    if problems:
        raise ScenarioError(loaded.source, problems)
    return cases


def sweep_of(loaded: Loaded) -> dict[str, list[float]]:
    """The file's own ``sweep:`` as path -> values."""
    return {path: steps(r.start, r.stop, r.step, f"sweep.{path}") for path, r in loaded.scenario.sweep.items()}


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _written(value: float | int) -> str:
    """A value in full (1000000, 0.125), never 1e+06: step names must be distinct and true."""
    import numpy as np

    return str(value) if isinstance(value, int) else np.format_float_positional(value, trim="-")
