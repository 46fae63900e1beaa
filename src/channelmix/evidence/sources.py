"""Reading the files importers take: tables (CSV/Excel) and JSON, with problems that name the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..schema.limits import MAX_AMOUNT, RANGE_FIX
from ..schema.problems import Problem, ScenarioError

ROWS_SHOWN = 5  # problems of one kind per column: enough to see the pattern, not a wall of text


def fail(path: str | Path, where: str, message: str, fix: str) -> ScenarioError:
    return ScenarioError(str(path), [Problem(where, message, fix)])


def read_table(path: str | Path) -> pd.DataFrame:
    """A CSV or Excel table with its header row; a leading unnamed index column (R's
    write.csv row names) is dropped."""
    path = Path(path)
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
            frame = pd.read_excel(path)
        else:
            frame = pd.read_csv(path, encoding="utf-8")
    except FileNotFoundError:
        raise fail(path, "", "no such file", "check the path") from None
    except (UnicodeDecodeError, pd.errors.ParserError, ValueError) as err:
        raise fail(path, "", f"cannot be read as a table: {str(err).splitlines()[0]}",
                   "save it as UTF-8 CSV or .xlsx with a header row") from None
    first = frame.columns[0] if len(frame.columns) else None
    if first is not None and (str(first) == "" or str(first).startswith("Unnamed: 0")):
        frame = frame.drop(columns=[first])
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def read_json(path: str | Path) -> Any:
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise fail(path, "", "no such file", "check the path") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise fail(path, "", f"is not valid JSON: {err}", "export it again with robyn_write()") from None


def need_columns(frame: pd.DataFrame, path: str | Path, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise fail(path, "header",
                   f"has no column{'s' if len(missing) > 1 else ''} {', '.join(repr(c) for c in missing)} ({what})",
                   f"add {', '.join(missing)}; the columns found are {', '.join(frame.columns) or 'none'}")


def one(value: Any) -> Any:
    """jsonlite writes R scalars as one-element arrays: unwrap them."""
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


def number(value: Any, path: str | Path, where: str) -> float:
    value = one(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise fail(path, where, f"is {value!r}, not a number", "export the model again with robyn_write()")
    return float(value)


def numbers(frame: pd.DataFrame, column: str, problems: list[Problem], *, most: float = MAX_AMOUNT,
            most_fix: str = RANGE_FIX) -> pd.Series:
    """The column as finite numbers in [0, most]; every cell that is not one (text, empty,
    infinite, negative, too large) becomes a problem naming its row (the header is row 1)."""
    values = pd.to_numeric(frame[column], errors="coerce")
    raw = values.to_numpy(dtype=float)
    bad = {
        "text": np.isnan(raw),
        "infinite": np.isinf(raw),
        "negative": np.isfinite(raw) & (raw < 0),
        "large": np.isfinite(raw) & (raw > most),
    }
    for kind, mask in bad.items():
        for i in np.flatnonzero(mask)[:ROWS_SHOWN]:
            cell = frame[column].iloc[i]
            where = f"row {i + 2}, column {column}"
            if kind == "text":
                empty = cell is None or (isinstance(cell, float) and np.isnan(cell)) or str(cell).strip() == ""
                problems.append(Problem(where, "is empty" if empty else f"is {cell!r}, not a number",
                                        "write a plain number"))
            elif kind == "infinite":
                shown = repr(cell) if isinstance(cell, str) else f"{raw[i]:g}"
                problems.append(Problem(where, f"is {shown}, not a finite number",
                                        f"write the {column} as a plain number"))
            elif kind == "negative":
                problems.append(Problem(where, f"is {raw[i]:g}, below 0",
                                        f"{column} cannot be negative; fix or drop the row"))
            else:
                problems.append(Problem(where, f"is {raw[i]:g}, above {most:g}", most_fix))
    return values


def names(frame: pd.DataFrame, column: str, problems: list[Problem], what: str) -> pd.Series:
    """The column as stripped text; an empty cell is a problem naming its row (pandas keeps an
    empty cell NaN even after ``astype(str)`` with its string dtype, so it is caught here)."""
    raw = frame[column]
    text = raw.astype(object).where(raw.notna(), "").astype(str).str.strip()
    for i in np.flatnonzero((text == "").to_numpy())[:ROWS_SHOWN]:
        problems.append(Problem(f"row {i + 2}, column {column}", "is empty", f"name the {what} of every row"))
    return text
