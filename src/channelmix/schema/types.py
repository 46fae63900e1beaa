"""The building blocks of the scenario models: the strict base model, and the checked
kinds of value (ids, names, labels, amounts, weights, shares) every part of a scenario uses."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from .limits import MAX_AMOUNT, MAX_COUNT, MAX_WEIGHT
from .problems import Fixable, describe_char
from .vocabulary import WILDCARD


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


def check_label(value: Any) -> Any:
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
            raise Fixable(f"id {value!r} has spaces",
                          "use an id without spaces, e.g. 'word_of_mouth'; put the readable name in 'label'")
        if "." in value or value == WILDCARD:
            raise Fixable(f"id {value!r} may not contain '.' or be '*'", "use letters, digits, '_' or '-'")
    return value


def id_from_name(name: str) -> tuple[str, list[str]]:
    """A valid id for a channel name that may not be one (a curve table's or a model's), and what
    was changed beyond spaces and dots (which become '_'), in words: invisible and control
    characters are dropped — the zero-width non-joiner that Persian labels need is one, and an id
    may not hold it — and a name too long for an id is cut and given 8 hex digits of its hash, so
    two long names stay apart. The name itself stays the channel's label."""
    hidden = sorted({ch for ch in name if unicodedata.category(ch)[0] == "C"})
    visible = "".join(ch for ch in name if ch not in hidden)
    out = re.sub(r"[\s.]+", "_", visible.strip()).strip("_")
    dropped = ", ".join(describe_char(ch) for ch in hidden)
    changes = [f"dropped {dropped} (ids hold visible characters only)"] if hidden else []
    if not out or out == WILDCARD:
        out = "channel"
    if len(out) > MAX_ID_LENGTH:
        out = f"{out[:MAX_ID_LENGTH - 9]}_{hashlib.sha1(name.encode()).hexdigest()[:8]}"
        changes.append(f"cut to {MAX_ID_LENGTH} characters (with a hash of the name)")
    return out, changes


def one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, (str, dict)) else value


MAX_ID_LENGTH = 80
Id = Annotated[str, BeforeValidator(_check_id), Field(min_length=1, max_length=MAX_ID_LENGTH)]
Name = Annotated[str, BeforeValidator(_check_name)]  # a tag, a resource, a scenario name
Label = Annotated[str, BeforeValidator(check_label)]
NonNegative = Annotated[float, Field(ge=0, le=MAX_AMOUNT)]
Weight = Annotated[float, Field(ge=0, le=MAX_WEIGHT)]
Positive = Annotated[float, Field(gt=0)]
PositiveAmount = Annotated[float, Field(gt=0, le=MAX_AMOUNT)]  # a payable unit of money
CurveSpend = Annotated[float, Field(gt=0, le=MAX_AMOUNT)]  # a curve's scale or half-saturation spend
Share = Annotated[float, Field(ge=0, le=1)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Selector = Annotated[list[str], BeforeValidator(one_or_many)]
