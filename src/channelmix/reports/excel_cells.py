"""The cells every Excel sheet of the reports is written with: number formats, header rows,
tables of numbers stored as numbers (formatted, not rounded past the solver's noise), column
widths, right-to-left sheets, and the atomic save."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..core.atomic import atomic_write
from ..core.textcells import safe_workbook
from .common import is_number

HEADER_FONT = Font(bold=True, color="FFFFFF")


HEADER_FILL = PatternFill("solid", fgColor="0F766E")


TITLE_FONT = Font(bold=True, size=14)


KEY_FONT = Font(bold=True, color="475569")


PERCENT = "0.0%"


QTY = "#,##0.0#"


def money_format(decimals: int) -> str:
    return "#,##0" if decimals == 0 else "#,##0.00"


def default_format(value: Any) -> str:
    """The format of a number no column chose one for: whole numbers grouped, fractions to the
    digits :func:`cell_value` keeps (two, or four under one)."""
    if isinstance(value, int):
        return "#,##0"
    return "#,##0.00" if abs(value) >= 1 else "0.0000"


def formatted(cell: Any, value: Any, fmt: str | None) -> None:
    """Give a number cell ``fmt``, else its default: no number is left in Excel's General."""
    stored = cell.value
    if isinstance(stored, (int, float)) and not isinstance(stored, bool):
        cell.number_format = fmt if fmt and is_number(value) else default_format(stored)


def cell_value(value: Any) -> Any:
    """A cell value: numbers as numbers, NaN and None as empty, the rest as text."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return bool(value)
    if is_number(value):
        if type(value).__name__.startswith("int"):
            return int(value)
        return round(float(value), 2 if abs(value) >= 1 else 4)  # no solver noise behind the formats
    return str(value)


def header(ws: Worksheet, row: int, names: list[str]) -> None:
    for col, name in enumerate(names, start=1):
        cell = ws.cell(row=row, column=col, value=name)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)


def write_table(ws: Worksheet, top: int, names: list[str], rows: list[list[Any]],
                formats: dict[int, str] | None = None, filters: bool = True) -> int:
    """A header row and data rows from ``top``; returns the next free row."""
    header(ws, top, names)
    for r, row in enumerate(rows, start=top + 1):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c, value=cell_value(value))
            formatted(cell, value, (formats or {}).get(c))
    if filters and rows and top == 1:
        ws.auto_filter.ref = f"A{top}:{get_column_letter(len(names))}{top + len(rows)}"
    return top + len(rows) + 1


def key_values(ws: Worksheet, top: int, pairs: list[tuple[str, Any, str | None]]) -> int:
    for r, (key, value, fmt) in enumerate(pairs, start=top):
        ws.cell(row=r, column=1, value=key).font = KEY_FONT
        cell = ws.cell(row=r, column=2, value=cell_value(value))
        formatted(cell, value, fmt)
    return top + len(pairs)


def fit_columns(ws: Worksheet, widest: int = 60) -> None:
    """Column widths from the longest value shown (roughly); a sentence (a legend, a note) runs
    over the empty cells beside it and does not widen its column."""
    widths: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None or (isinstance(cell.value, str) and len(cell.value) > 40 and " " in cell.value):
                continue
            value = cell.value
            text = f"{value:,.2f}" if isinstance(value, float) else str(value)
            widths[cell.column] = max(widths.get(cell.column, 0), min(widest, len(text) + 2))
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = max(8, width)


def finish(ws: Worksheet, rtl: bool, freeze: str | None = "A2") -> None:
    fit_columns(ws)
    if freeze:
        ws.freeze_panes = freeze
    ws.sheet_view.rightToLeft = rtl


def save_atomic(wb: Workbook, path: Path) -> Path:
    """Save beside ``path``, then rename: never half a workbook."""
    return atomic_write(path, safe_workbook(wb).save)
