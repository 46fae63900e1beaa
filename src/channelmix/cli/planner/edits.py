"""A planner edit is a list of ``PATH=VALUE`` assignments, read exactly as ``channelmix solve
--set`` reads them (the same parser, the same overrides, the same validation, the same
scenario name), so the plan the page shows is the plan the command line gives for the same
changes. A scenario's problems come back keyed by the field's path with channels named by id
(``channels.flyers.fixed_cost``), which is what the form's fields carry."""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...schema import Loaded, ScenarioError, load
from ...schema.expand import Case, derive, parse_assignment

MAX_ASSIGNMENTS = 500
_INDEXED = re.compile(r"^(phases|segments|channels)\[(\d+)\](.*)$")
_cache: dict[str, tuple[float, int, Loaded]] = {}
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class FieldProblem:
    """One problem, at the field (``path``) it belongs to."""

    path: str
    message: str
    fix: str

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message, "fix": self.fix}


class Invalid(Exception):
    """The edits do not make a valid scenario: every problem, each at its field."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def loaded(path: Path) -> Loaded:
    """The file, read again only when it changed on disk (a save, or an edit in another program)."""
    stat = path.stat()
    key = str(path)
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None and hit[:2] == (stat.st_mtime, stat.st_size):
            return hit[2]
    fresh = load(path)
    with _cache_lock:
        _cache[key] = (stat.st_mtime, stat.st_size, fresh)
    return fresh


def overrides(sets: list[str]) -> dict[str, Any]:
    """``["budget=5000", …]`` as the command line's ``--set`` reads them (later wins)."""
    if len(sets) > MAX_ASSIGNMENTS:
        raise Invalid([FieldProblem("", f"{len(sets)} changes at once", f"make at most {MAX_ASSIGNMENTS}")])
    problems, out = [], {}
    for text in sets:
        if not isinstance(text, str):
            problems.append(FieldProblem("", f"{text!r} is not PATH=VALUE", "send text such as budget=3500"))
            continue
        try:
            path, value = parse_assignment(text)
        except ScenarioError as err:
            problems += [FieldProblem(text.partition("=")[0], p.message, p.fix) for p in err.problems]
            continue
        out[path] = value
    if problems:
        raise Invalid(problems)
    return out


def label(changes: dict[str, Any]) -> str:
    """The name the command line gives a scenario derived with ``--set`` (``cli.common.cases``)."""
    return ", ".join(f"{k}={v}" for k, v in changes.items())


def case_of(path: Path, sets: list[str]) -> Case:
    """The scenario of ``path`` with ``sets`` applied, as ``channelmix solve PATH --set …`` makes it."""
    try:
        base = loaded(path)
    except ScenarioError as err:
        raise Invalid([FieldProblem("", f"{p}", "") for p in err.problems]) from None
    changes = overrides(sets)
    try:
        return derive(base, changes, label=label(changes))
    except ScenarioError as err:
        raise Invalid([at_field(p.path, p.message, p.fix, base) for p in err.problems]) from None


def at_field(where: str, message: str, fix: str, base: Loaded) -> FieldProblem:
    """A schema problem keyed by the form's path: ``channels[2].fixed_cost`` → ``channels.flyers.fixed_cost``,
    ``set channels.flyers.x`` → ``channels.flyers.x``."""
    where = where.removeprefix("set ")
    found = _INDEXED.match(where)
    if found:
        kind, index, rest = found.group(1), int(found.group(2)), found.group(3)
        items = getattr(base.scenario, kind, [])
        if index < len(items):
            where = f"{kind}.{items[index].id}{rest}"
    return FieldProblem(where, message.split(" (after set ")[0], fix)


def relative(root: Path, path: Path) -> str:
    return os.path.relpath(path, root).replace(os.sep, "/")
