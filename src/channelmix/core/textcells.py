"""Text in spreadsheets stays text: a label such as ``=HYPERLINK(…)`` must never become a
live formula when a CSV or workbook that channelmix wrote is opened (CSV injection, OWASP).

- CSV: a text cell that begins with ``=``, ``+``, ``-``, ``@``, tab or carriage return is
  written with a leading apostrophe (``'=HYPERLINK(…)``), which spreadsheet programs read
  as "this is text"; :func:`csv_read` removes it again, so channel tables round-trip.
  Numbers are never touched: ``-5`` the number stays ``-5``.
- Excel: such cells are stored as strings (never formulas) with the quote-prefix style.
  The only live formulas are the sums channelmix writes itself with :func:`own_formula`
  (a total row or column): never text from a scenario or a plan.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from openpyxl import Workbook
    from openpyxl.cell import Cell

FORMULA_START = frozenset("=+-@\t\r")
QUOTE = "'"
_REF = r"[A-Z]{1,3}[0-9]{1,7}"
# the kinds channelmix writes: a column's sum, a running total (=I2+H3) and a change (=C2-B2), cell references only
OWN_FORMULA = re.compile(rf"=SUM\({_REF}:{_REF}\)|={_REF}(?:[+-]{_REF})?")
_OWN = "_channelmix_formulas"  # per worksheet: the coordinates of the formulas channelmix wrote


def risky(text: str) -> bool:
    """Would a spreadsheet read this text as the start of a formula?"""
    return bool(text) and text[0] in FORMULA_START


def csv_text(value: Any) -> Any:
    """A CSV cell value: risky text with a leading apostrophe (and text that already starts
    with an apostrophe before a risky character or another apostrophe, so reading it back
    gives what was written); anything else unchanged."""
    if (isinstance(value, str) and value
        and (risky(value) or (value[0] == QUOTE and (risky(value[1:]) or value[1:2] == QUOTE)))):
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


def own_formula(cell: "Cell", formula: str) -> "Cell":
    """Write one of our own formulas (a sum, a running total, a change: cell references only) into
    ``cell`` as a live formula that :func:`safe_workbook`
    keeps; anything else is refused (text from a scenario never becomes a formula)."""
    if not OWN_FORMULA.fullmatch(formula):
        raise ValueError(f"not a formula channelmix writes: {formula!r}")
    cell.value = formula
    own = getattr(cell.parent, _OWN, None)
    if own is None:
        own = set()
        setattr(cell.parent, _OWN, own)
    own.add(cell.coordinate)
    return cell


def safe_workbook(book: "Workbook") -> "Workbook":
    """Every text cell that could read as a formula becomes a plain string with the
    quote-prefix style, except the sums written by :func:`own_formula`; returns ``book``."""
    for sheet in book.worksheets:
        own: set[str] = getattr(sheet, _OWN, set())
        for row in sheet.iter_rows():
            for cell in row:
                if cell.coordinate in own and isinstance(cell.value, str) and OWN_FORMULA.fullmatch(cell.value):
                    continue
                if cell.data_type == "f" or (isinstance(cell.value, str) and risky(cell.value)):
                    cell.data_type = "s"
                    cell.quotePrefix = True
    return book
