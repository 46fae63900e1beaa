"""Scenario text to plain data: YAML at C speed (libyaml), JSON, TOML — safely.

Safe loading only (no Python objects), a key given twice in one mapping is an error,
``4.5e3`` and ``45e2`` are numbers (YAML 1.1 would read them as text), and nothing
nested deeper than :data:`MAX_DEPTH` levels or expanding through aliases past
:data:`MAX_ALIAS_GROWTH` times its size is ever built, so no input can raise
``RecursionError`` or exhaust memory.
"""

from __future__ import annotations

import gc
import json
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .problems import Problem, ScenarioError
from .shape import MAX_ALIAS_GROWTH, MAX_DEPTH, DuplicateKey, TooDeep, check_depth, too_deep

__all__ = ["MAX_ALIAS_GROWTH", "MAX_DEPTH", "DuplicateKey", "TooDeep", "check_depth", "no_cycle_collection",
           "parse_text", "too_deep"]


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """The cycle collector paused while building many acyclic objects (a parsed file's nodes, its
    validated models): it would rescan the millions already built many times over (a third of the
    validation time of a 78,000-channel file).  Reference counting still frees everything; cycles
    made meanwhile wait for the next collection."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def parse_text(text: str, kind: str, source: str) -> Any:
    """Text of a ``kind`` ('yaml', 'toml', 'json') file to plain data; problems name the line."""
    try:
        if kind == "yaml":
            from .yaml_reader import parse_yaml  # PyYAML only for YAML

            return parse_yaml(text, source)
        if kind == "toml":
            data = tomllib.loads(text)
        else:
            data = json.loads(text, object_pairs_hook=_no_duplicate_pairs)
        check_depth(data)
        return data
    except DuplicateKey as err:
        raise ScenarioError(source,
                            [Problem(err.where, f"key '{err.key}' appears twice", "keep one of them")]) from None
    except (TooDeep, RecursionError) as err:
        raise ScenarioError(source, [too_deep(err)]) from None
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(source, [Problem("", f"is not valid TOML: {err}", "fix the syntax there")]) from None
    except json.JSONDecodeError as err:
        raise ScenarioError(source,
                            [
                                Problem(f"line {err.lineno}, column {err.colno}", f"is not valid JSON: {err.msg}",
                                        "fix the syntax there")]) from None


def _no_duplicate_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateKey(key, "")
        out[key] = value
    return out
