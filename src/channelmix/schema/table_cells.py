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


def cell_points(value: Any, decimal: str = ".") -> list[list[float]] | None:
    """'0:0; 500:0.3; 2000:0.5' -> [[0, 0], [500, 0.3], [2000, 0.5]], or None if it is not that.  In a table
    with decimal commas the points are separated by ';' only and '0,3' is 0.3 ('0:0; 500:0,3')."""
    text = cell_text(value) or ""
    points = []
    for part in (text.split(";") if decimal == "," else _LIST_SPLIT.split(text)):
        if not part.strip():
            continue
        pair = [p.strip().replace(",", ".") if decimal == "," else p.strip() for p in part.split(":")]
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


# ---------------------------------------------------------------- numbers as people write them

SPACES = " \u00a0\u202f\u2009"  # a space, no-break, narrow no-break and thin spaces: thousands in many locales
_CURRENCY = re.compile(r"^(?:[$€£¥₹₽₩₪฿]|[A-Z]{1,3}\$?|kr\.?)\s*|\s*(?:[$€£¥₹₽₩₪฿]|[A-Za-z]{1,3}\.?|:-)$")
_GROUPED = {".": re.compile(r"[+-]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?"),
            ",": re.compile(r"[+-]?[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?")}
_LOOKS_GROUPED = {".": re.compile(r"[+-]?[1-9]\d{0,2}(?:\.\d{3})+"), ",": re.compile(r"[+-]?[1-9]\d{0,2}(?:,\d{3})+")}
_OTHER_DECIMAL = {".": re.compile(r"[+-]?\d*,\d+"), ",": re.compile(r"[+-]?\d*\.\d+")}


def plain_number(text: str, decimal: str = ".") -> float | int | None:
    """``text`` as a number written plainly with ``decimal`` as its decimal sign, else None."""
    text = text.strip()
    if decimal == ",":
        if "." in text:
            return None
        text = text.replace(",", ".")
    if not _NUMBER.fullmatch(text):
        return None
    return int(text) if _INTEGER.fullmatch(text) else float(text)


def written(value: float | int, decimal: str = ".") -> str:
    """A number as the fix tells the user to write it (with the table's decimal sign)."""
    text = format_number(round(value, 12) if isinstance(value, float) else value)
    return text.replace(".", ",") if decimal == "," else text


def number_advice(text: str, decimal: str = ".",
                  table: bool = True) -> tuple[float | int | None, tuple[str, str] | None]:
    """A table cell or ``--set`` value read as a number: (the number, None), or (None, (what it
    looks like, the fix)) when it is a number written another way ('60%' → write 0.6; '4 500'
    and 'R4,500' → write 4500; '4.500' is 4.5 or 4500 → say which); (None, None) when it is
    no number at all (the schema says so); ``table``: a table's cell (the fix may name its decimal: key)."""
    text = text.strip()
    value = plain_number(text, decimal)
    group = "." if decimal == "," else ","
    if value is not None:
        if _LOOKS_GROUPED[decimal].fullmatch(text):  # 4.500 (or 4,500 with decimal commas): which is it?
            whole = int(text.replace(decimal, ""))
            return None, (f"which reads as {written(value, decimal)} but may mean {whole} (a '{decimal}' grouping "
                          "thousands)", f"write {written(value, decimal)}, or {whole} if the '{decimal}' groups "
                          "thousands")
        return value, None
    if text.endswith("%"):
        share = _core(text[:-1], decimal, group)
        if share is not None:
            return None, ("a percentage", f"write {written(share / 100, decimal)} (a share: 1 is 100%)")
    core = _core(text, decimal, group)
    if core is not None:
        signs = "a currency sign" if _CURRENCY.search(text) else "thousands separators"
        return None, (f"a number with {signs}", f"write {written(core, decimal)}")
    if _OTHER_DECIMAL[decimal].fullmatch(text):
        other = text.replace(",", ".") if decimal == "." else text.replace(".", ",")
        hint = (" (or give the table decimal: ',' when the file writes decimal commas)" if table and decimal == "."
                else "")
        return None, (f"a decimal {'comma' if decimal == '.' else 'point'}", f"write {other}{hint}")
    return None, None


def _core(text: str, decimal: str, group: str) -> float | int | None:
    """The number inside '4 500', 'R4,500', '€ 1.250,50 ' (currency signs and thousands gone)."""
    text = _CURRENCY.sub("", text.strip()).strip()
    for space in SPACES:
        text = text.replace(space, "")
    if _GROUPED[decimal].fullmatch(text):
        text = text.replace(group, "")
    return plain_number(text, decimal)
