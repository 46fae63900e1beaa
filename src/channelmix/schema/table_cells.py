"""Reading and showing one table cell: empty, text, number, list, pwl points (for
:mod:`channelmix.schema.tables`)."""

from __future__ import annotations

import re
from typing import Any

_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")
_LIST_SPLIT = re.compile(r"[;,]")


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any) -> str | None:
    """A cell as text: numbers as written (1.0 -> '1'), dates in ISO form; empty -> None."""
    if is_empty(value):
        return None
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_number(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def cell_number(value: Any) -> Any:
    """A cell as a number when it is one (or numeric text); anything else is left as it is,
    for the schema to report."""
    if isinstance(value, str):
        text = value.strip()
        if _NUMBER.fullmatch(text):
            return int(text) if _INTEGER.fullmatch(text) else float(text)
        return text
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def cell_numbers(value: Any) -> Any:
    """A cell of samples, '0.41; 0.44; 0.39', as a list of numbers (one number stays a number)."""
    text = cell_text(value)
    if isinstance(value, str) and text and ";" in text:
        parts = [p.strip() for p in text.split(";") if p.strip()]
        return [cell_number(p) for p in parts]
    return cell_number(value)


def cell_flag(value: Any) -> Any:
    """true/false (any case) as a boolean; anything else as it is, for the schema to report."""
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return value


def cell_list(value: Any) -> list[str]:
    text = cell_text(value) or ""
    return [part.strip() for part in _LIST_SPLIT.split(text) if part.strip()]


def cell_points(value: Any) -> list[list[float]] | None:
    """'0:0; 500:0.3; 2000:0.5' -> [[0, 0], [500, 0.3], [2000, 0.5]], or None if it is not that."""
    text = cell_text(value) or ""
    points = []
    for part in _LIST_SPLIT.split(text):
        if not part.strip():
            continue
        pair = [p.strip() for p in part.split(":")]
        if len(pair) != 2 or not all(_NUMBER.fullmatch(p) for p in pair):
            return None
        points.append([cell_number(p) for p in pair])
    return points or None


def format_number(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def column_letter(position: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the column letter a spreadsheet shows."""
    out = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


def show_cell(value: Any) -> str:
    from .problems import show

    return show(value)
