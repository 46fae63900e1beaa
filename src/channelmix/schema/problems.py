"""Problems found in a scenario, and how they are worded for a person."""

from __future__ import annotations

import difflib
import math
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable

from pydantic import ValidationError

from .limits import WHY, WHY_BY_FIELD
from .vocabulary import RESPONSE_TYPES


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario: where, what, and how to fix it."""

    path: str
    message: str
    fix: str = ""

    def __str__(self) -> str:
        text = f"{self.path}: {self.message}" if self.path else self.message
        return f"{text}. Fix: {self.fix[:1].upper()}{self.fix[1:]}" if self.fix else text


class Fixable(ValueError):
    """A validator's complaint that carries its own fix."""

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix


class ScenarioError(Exception):
    """Every problem of one input file, reported together."""

    def __init__(self, source: str, problems: Iterable[Problem]) -> None:
        self.source = source
        self.problems = list(problems)
        super().__init__(self.render())

    def render(self) -> str:
        count = len(self.problems)
        head = f"{self.source}: {count} problem{'s' if count != 1 else ''} found:"
        return "\n".join([head, *(f"  {self.source}: {p}" for p in self.problems)])


def did_you_mean(word: Any, choices: Iterable[str]) -> str:
    """A 'did you mean' hint for a misspelt key or id, or ''."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f"did you mean '{visible(close[0])}'?" if close else ""


def visible(text: str) -> str:
    """Text as shown in a message: invisible and control characters as \\u escapes, so a
    bidi override in a bad id cannot reorder the message around it."""
    if all(unicodedata.category(ch)[0] != "C" for ch in text):
        return text
    return "".join(ch if unicodedata.category(ch)[0] != "C" else f"\\u{ord(ch):04x}" for ch in text)


def describe_char(ch: str) -> str:
    """'U+202E RIGHT-TO-LEFT OVERRIDE', or 'U+001B, a control character'."""
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X} {name}" if name else f"U+{ord(ch):04X}, a control character"


def with_hint(hint: str, rest: str) -> str:
    """'did you mean x?' followed by the general fix, as one sentence pair."""
    return f"{hint} {rest[:1].upper()}{rest[1:]}" if hint else rest


def format_path(loc: Iterable[Any]) -> str:
    """('channels', 3, 'response', 'scale') -> 'channels[3].response.scale'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def show(value: Any) -> str:
    """A value as a person would write it in the file."""
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if isinstance(value, str):
        return f"'{visible(value)}'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_TYPE_WORDS = {
    "float_type": "a number",
    "float_parsing": "a number",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "string_type": "text",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
}


def _bound_problem(kind: str, ctx: dict[str, Any], got: Any, name: Any = None) -> tuple[str, str]:
    word = {"greater_than": ">", "greater_than_equal": "≥", "less_than": "<", "less_than_equal": "≤"}[kind]
    bound = next(iter(ctx.values()))
    limit = f"{bound:g}"
    why, fix = WHY_BY_FIELD.get(name) or (WHY.get(bound, ("", "")) if kind == "less_than_equal" else ("", ""))
    return f"got {show(got)}, must be {word} {limit}" + (
        f" ({why})" if why else ""), fix or f"use a number {word} {limit}"


def _pydantic_problem(err: dict[str, Any], allowed_keys: dict[tuple, list[str]]) -> Problem:
    raw_loc = tuple(err["loc"])
    loc = _without_union_tags(raw_loc)
    path = format_path(loc)
    kind, got, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    if kind == "missing":
        return Problem(path, "is required but missing", f"add '{loc[-1]}' here")
    if kind == "extra_forbidden":
        key = loc[-1]
        parent = format_path(loc[:-1]) or "the top level"
        allowed = _allowed_at(allowed_keys, raw_loc[:-1])
        hint = did_you_mean(key, allowed)
        rest = f"allowed keys here: {', '.join(allowed)}" if allowed else "remove it"
        return Problem(format_path(loc), f"unknown key in {parent}", with_hint(hint, rest))
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return Problem(path, *_bound_problem(kind, ctx, got, loc[-1] if loc else None))
    if kind == "finite_number":
        return Problem(path, f"got {show(got)}, must be a finite number", "write a plain number")
    if kind == "literal_error":
        options = ctx.get("expected", "")
        hint = did_you_mean(got, [o.strip(" '") for o in str(options).replace(" or ", ",").split(",")])
        return Problem(path, f"got {show(got)}, must be one of {options}", hint or f"use one of {options}")
    if kind == "union_tag_invalid":
        options = ctx.get("expected_tags", "")
        tag = ctx.get("tag", got)
        hint = did_you_mean(tag, [o.strip(" '") for o in str(options).split(",")])
        return Problem(path + ".type" if path else "type", f"unknown type {show(tag)}", hint or f"use one of {options}")
    if kind == "union_tag_not_found":  # the one tagged union of the format: a channel's response
        return Problem(path, "has no 'type'", f"add type: one of {', '.join(RESPONSE_TYPES)}")
    if kind in ("too_short", "too_long"):
        want = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        exact = ctx.get("min_length") == ctx.get("max_length")
        size = f"exactly {want}" if exact else (f"at least {want}" if kind == "too_short" else f"at most {want}")
        return Problem(path, f"has {ctx.get('actual_length')} items, needs {size}", f"give {size} items")
    if kind == "value_error" and isinstance(ctx.get("error"), Fixable):
        fixable: Fixable = ctx["error"]
        return Problem(path, fixable.message, fixable.fix)
    if kind in _TYPE_WORDS:
        want = _TYPE_WORDS[kind]
        return Problem(path, f"got {show(got)}, expected {want}", f"write {want} here")
    message = err["msg"].removeprefix("Value error, ")
    return Problem(path, message[:1].lower() + message[1:])


UNION_TAG_PARENTS = {"response"}


def _without_union_tags(loc: tuple) -> tuple:
    """pydantic puts the chosen member of a tagged union into the location
    (``response.saturating.scale``); a person wrote ``response.scale``."""
    return tuple(
        part for i, part in enumerate(loc) if not (i > 0 and loc[i - 1] in UNION_TAG_PARENTS)
    )


def _allowed_at(allowed_keys: dict[tuple, list[str]], loc: tuple) -> list[str]:
    """Allowed keys at a location; '[]' stands for any list index, '*' for any mapping key."""
    shape = tuple("[]" if isinstance(p, int) else p for p in loc)
    for key, names in allowed_keys.items():
        if len(key) == len(shape) and all(k == s or k == "*" for k, s in zip(key, shape)):
            return names
    return []


def problems_from(error: ValidationError, allowed_keys: dict[tuple, list[str]], prefix: tuple = ()) -> list[Problem]:
    """Translate pydantic's errors into Problems, with paths relative to the file."""
    out = []
    for details in error.errors(include_url=False):
        err: dict[str, Any] = dict(details)
        err["loc"] = prefix + tuple(err["loc"])
        out.append(_pydantic_problem(err, allowed_keys))
    return out

