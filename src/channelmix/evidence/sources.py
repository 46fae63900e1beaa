"""Reading the files importers take: tables (CSV/Excel) and JSON, with problems that name the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from ..schema.problems import Problem, ScenarioError


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
        raise fail(path, "", f"cannot be read as a table: {str(err).splitlines()[0]}", "save it as UTF-8 CSV or .xlsx with a header row") from None
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
        raise fail(path, "header", f"has no column{'s' if len(missing) > 1 else ''} {', '.join(repr(c) for c in missing)} ({what})",
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

