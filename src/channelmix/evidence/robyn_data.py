"""Robyn's input data: the raw table (embedded in the JSON by robyn_write() or beside it), its
dates and spends read as robyn_inputs() reads them, and the modelling window's rows; every bad
cell is named.  Used by :mod:`.robyn`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .sources import fail, need_columns, one

DATE_COLUMNS = ("ds", "DATE", "date", "Date", "week", "Week")


def embedded_raw(doc: dict, path: str) -> tuple[str, pd.DataFrame]:
    """The input data robyn_write() puts in ``Extras.raw_data`` (one object per row)."""
    rows = (doc.get("Extras") or {}).get("raw_data") if isinstance(doc.get("Extras"), dict) else None
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        raise fail(path, "Extras.raw_data",
                   "is missing: the export holds no input data, and no raw data table was given",
                   "pass raw_data.csv alongside the JSON, or export with robyn_write(…, add_data = TRUE) (Robyn's "
                   "default)")
    return f"{path} (Extras.raw_data)", pd.DataFrame(rows)


def json_window(inputs: dict, dates: pd.Series, path: str, raw_path: str) -> tuple[int, int]:
    """The modelling window: rollingWindowStartWhich..EndWhich (1-based rows of the sorted
    input data), or window_start..window_end for exports without them."""
    start, end = one(inputs.get("rollingWindowStartWhich")), one(inputs.get("rollingWindowEndWhich"))
    if start is None and end is None:
        first, last = str(one(inputs.get("window_start", ""))), str(one(inputs.get("window_end", "")))
        return window_rows(dates, first, last, raw_path, "InputCollect.window_start/window_end")
    ok = all(isinstance(v, (int, float)) and not isinstance(v, bool) and float(v).is_integer() for v in (start, end))
    if not ok or not 1 <= int(start) <= int(end) <= len(dates):
        raise fail(path, "InputCollect.rollingWindowStartWhich/rollingWindowEndWhich",
                   f"are {start!r}..{end!r}, not rows 1..{len(dates)} "
                   "of the input data", "export the model again with robyn_write(), with the data it was fitted on")
    return int(start) - 1, int(end) - 1


def raw_table(path: str, raw: pd.DataFrame, channels: list[str],
              date_var: str | None) -> tuple[pd.Series, pd.DataFrame]:
    """(dates, spends) sorted by date, as robyn_inputs() sorts dt_input; every bad cell is named."""
    def cell(i: int, column: str) -> str:  # a table's row counts its header; Extras.raw_data is a list from 0
        return f"Extras.raw_data[{i}].{column}" if path.endswith("(Extras.raw_data)") else f"row {i + 2}, column " \
                                                                                           f"{column}"

    names = [date_var] if date_var else []
    names += [c for c in DATE_COLUMNS if c not in names]
    date_col = next((c for c in names if c in raw.columns), None)
    if date_col is None:
        raise fail(path, "header", f"has no date column ({', '.join(names[:3])}, …)",
                   "keep the date column of Robyn's input data")
    need_columns(raw, path, channels, "spend per period of every paid channel")
    dates = pd.to_datetime(raw[date_col], errors="coerce")
    bad = dates.isna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise fail(path, cell(i, date_col), f"is {raw[date_col].iloc[i]!r}, not a date", "write dates as 2024-01-31")
    data = raw[channels].apply(pd.to_numeric, errors="coerce")
    for c in channels:
        col = data[c]
        if col.isna().any() or (col < 0).any():
            i = int(np.flatnonzero((col.isna() | (col < 0)).to_numpy())[0])
            raise fail(path, cell(i, c), f"is {raw[c].iloc[i]!r}: spends must be numbers ≥ 0",
                       "fix that cell (0 for no spend)")
    order = np.argsort(dates.to_numpy(), kind="stable")
    return dates.iloc[order].reset_index(drop=True), data.iloc[order].reset_index(drop=True)


def window_rows(dates: pd.Series, start: str, end: str, path: str, where: str) -> tuple[int, int]:
    try:
        lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    except (ValueError, TypeError):
        raise fail(path, where, f"'{start}:{end}' is not a pair of dates",
                   "write START:END as 2024-01-01:2024-06-30") from None
    inside = np.flatnonzero(((dates >= lo) & (dates <= hi)).to_numpy())
    if len(inside) == 0:
        raise fail(path, where,
                   f"{start}:{end} holds no row of the data ({dates.iloc[0].date()} to {dates.iloc[-1].date()})",
                   "pick dates inside the data")
    return int(inside[0]), int(inside[-1])
