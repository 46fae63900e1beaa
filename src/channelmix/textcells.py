"""Text in spreadsheets stays text: a label such as ``=HYPERLINK(…)`` must never become a
live formula when a CSV or workbook that channelmix wrote is opened (CSV injection, OWASP).

- CSV: a text cell that begins with ``=``, ``+``, ``-``, ``@``, tab or carriage return is
  written with a leading apostrophe (``'=HYPERLINK(…)``), which spreadsheet programs read
  as "this is text"; :func:`csv_read` removes it again, so channel tables round-trip.
  Numbers are never touched: ``-5`` the number stays ``-5``.
- Excel: such cells are stored as strings (never formulas) with the quote-prefix style.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from openpyxl import Workbook

FORMULA_START = frozenset("=+-@\t\r")
QUOTE = "'"


def risky(text: str) -> bool:
    """Would a spreadsheet read this text as the start of a formula?"""
    return bool(text) and text[0] in FORMULA_START


def csv_text(value: Any) -> Any:
    """A CSV cell value: risky text with a leading apostrophe (and text that already starts
    with an apostrophe before a risky character or another apostrophe, so reading it back
    gives what was written); anything else unchanged."""
    if isinstance(value, str) and value and (risky(value) or (value[0] == QUOTE and (risky(value[1:]) or value[1:2] == QUOTE))):
        return QUOTE + value
    return value


def csv_read(text: str) -> str:
    """The inverse of :func:`csv_text` for a cell read from a CSV file."""
    if len(text) > 1 and text[0] == QUOTE and (risky(text[1:]) or text[1] == QUOTE):
        return text[1:]
    return text


def csv_frame(table: "pd.DataFrame") -> "pd.DataFrame":
    """A copy of ``table`` whose text columns hold :func:`csv_text` values (numbers untouched)."""
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    out = table.copy()
    for name in out.columns:
        column = out[name]
        if not is_numeric_dtype(column) and not is_bool_dtype(column):
            out[name] = column.map(csv_text)
    return out


def safe_workbook(book: "Workbook") -> "Workbook":
    """Every text cell that could read as a formula becomes a plain string with the
    quote-prefix style (channelmix never writes formulas); returns ``book``."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (isinstance(cell.value, str) and risky(cell.value)):
                    cell.data_type = "s"
                    cell.quotePrefix = True
    return book
