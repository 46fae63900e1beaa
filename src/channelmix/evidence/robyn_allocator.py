"""Robyn's budget allocator as Robyn 3.11.0 runs it: its date range, and the CSV it writes.

* The **date range** (``robyn_allocator(date_range = …)``, checks.R ``check_metric_dates``)
  is read on the modelling window's dates only: ``all`` (Robyn's default) is the whole
  window; ``last_N`` its last N dates; one date, or two dates ``START:END``, the nearest
  window dates (the first of equally near ones, as R's ``which.min``) and every row
  between them.  Today's spend is the plain mean over those rows.
* The **allocator's CSV** (``<solID>_<scenario>_reallocated.csv``, ``write.csv`` of
  ``dt_optimOut``; older versions ``<solID>_reallocated.csv``) has one row per paid channel
  with the date range it used (``date_min``, ``date_max``), the bounds as multiples of
  today's spend and in money (``constr_low``/``constr_up``, ``…_abs``), today's spend and
  Robyn's response at it (``initSpendUnit``, ``initResponseUnit``), the budget per period
  (``total_budget_unit``) and Robyn's optimum (``optmSpendUnit``, ``optmResponseUnit``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .sources import fail, need_columns

ALLOCATOR_COLUMNS = ("solID", "channels", "date_min", "date_max", "constr_low", "constr_up", "constr_low_abs",
                     "constr_up_abs",
                     "initSpendUnit", "initResponseUnit", "total_budget_unit", "optmSpendUnit", "optmResponseUnit")
DATE_RANGE_FIX = "write all, last_13, one date (2024-06-24) or START:END (2024-01-01:2024-06-24)"


@dataclass(frozen=True)
class AllocatedChannel:
    constr_low: float  # bound as a multiple of today's spend
    constr_up: float
    low: float  # the bounds in money per period (Robyn's constr_low_abs / constr_up_abs)
    up: float
    init_spend: float  # today's spend (initSpendUnit)
    init_response: float  # Robyn's response at it (initResponseUnit)
    optm_spend: float  # Robyn's optimum (optmSpendUnit)
    optm_response: float


@dataclass(frozen=True)
class Allocation:
    """One run of Robyn's allocator, as its CSV records it."""

    path: str
    solid: str
    date_min: pd.Timestamp
    date_max: pd.Timestamp
    budget: float  # total_budget_unit: money per period
    channels: dict[str, AllocatedChannel]

    @property
    def optimum(self) -> float:
        """Robyn's optimum: the response per period of its allocation (optmResponseUnitTotal)."""
        return sum(c.optm_response for c in self.channels.values())


def is_allocation(frame: pd.DataFrame) -> bool:
    return "initSpendUnit" in frame.columns and "constr_low" in frame.columns


def read_allocation(path: str, frame: pd.DataFrame) -> Allocation:
    need_columns(frame, path, list(ALLOCATOR_COLUMNS), "the allocator's output, as robyn_allocator() writes it")
    if frame.empty:
        raise fail(path, "", "has no rows", "pass the *_reallocated.csv that robyn_allocator() wrote")
    solids = frame["solID"].astype(str).unique()
    if len(solids) != 1:
        raise fail(path, "column solID", f"names {len(solids)} models ({', '.join(solids[:4])})",
                   "pass the CSV of one allocator run")
    dates = {}
    for column in ("date_min", "date_max"):
        values = pd.to_datetime(frame[column].astype(str), errors="coerce").unique()
        if len(values) != 1 or pd.isna(values[0]):
            raise fail(path, f"column {column}", f"is {frame[column].iloc[0]!r}, not one date for every row",
                       "pass the CSV as Robyn wrote it")
        dates[column] = pd.Timestamp(values[0])
    numbers = [c for c in ALLOCATOR_COLUMNS if c not in ("solID", "channels", "date_min", "date_max")]
    values = frame[numbers].apply(pd.to_numeric, errors="coerce")
    bad = np.argwhere(~np.isfinite(values.to_numpy(dtype=float)) | (values.to_numpy(dtype=float) < 0))
    if len(bad):
        row, col = bad[0]
        raise fail(path, f"row {row + 2}, column {numbers[col]}",
                   f"is {frame[numbers[col]].iloc[row]!r}, not a number ≥ 0",
                   "pass the CSV as Robyn wrote it")
    budgets = values["total_budget_unit"].unique()
    channels = {}
    for i, name in enumerate(frame["channels"].astype(str)):
        v = values.iloc[i]
        channels[name] = AllocatedChannel(float(v["constr_low"]), float(v["constr_up"]), float(v["constr_low_abs"]),
                                          float(v["constr_up_abs"]),
                                          float(v["initSpendUnit"]), float(v["initResponseUnit"]),
                                          float(v["optmSpendUnit"]),
                                          float(v["optmResponseUnit"]))
    return Allocation(path, str(solids[0]), dates["date_min"], dates["date_max"], float(budgets[0]), channels)


def date_rows(dates: pd.Series, window: tuple[int, int], spec: str | None, path: str, where: str) -> np.ndarray:
    """The rows of the allocator's date range ``spec`` (None: ``all``), within the modelling window."""
    ws, we = window
    inside = dates.iloc[ws:we + 1].to_numpy()
    spec = (spec or "all").strip()
    if spec == "all":
        return np.arange(ws, we + 1)
    if spec.startswith("last"):
        count = spec[len("last_"):] if spec.startswith("last_") else "1" if spec == "last" else ""
        if not count.isdigit() or int(count) < 1:
            raise fail(path, where, f"'{spec}' is not last_N with N a whole number ≥ 1", DATE_RANGE_FIX)
        return np.arange(max(ws, we + 1 - int(count)), we + 1)
    parts = spec.split(":")
    if len(parts) > 2:
        raise fail(path, where, f"'{spec}' is not a date range", DATE_RANGE_FIX)
    try:
        wanted = [pd.Timestamp(p) for p in parts]
    except (ValueError, TypeError):
        raise fail(path, where, f"'{spec}' is not a date or a pair of dates", DATE_RANGE_FIX) from None
    nearest = [int(np.argmin(np.abs(inside - w.to_datetime64()))) for w in wanted]  # R's which.min: the first nearest
    if nearest[0] > nearest[-1]:
        raise fail(path, where, f"'{spec}' ends before it starts", "write START:END with START first")
    return np.arange(ws + nearest[0], ws + nearest[-1] + 1)


def allocation_rows(dates: pd.Series, window: tuple[int, int], allocation: Allocation) -> np.ndarray:
    """The rows of the CSV's date range (date_min..date_max; the allocator clipped them to the window)."""
    ws, we = window
    rows = np.arange(ws, we + 1)
    picked = rows[((dates.iloc[rows] >= allocation.date_min) & (dates.iloc[rows] <= allocation.date_max)).to_numpy()]
    if len(picked) == 0:
        raise fail(allocation.path, "date_min/date_max",
                   f"{allocation.date_min.date()}..{allocation.date_max.date()} holds no date of the "
                   f"modelling window ({dates.iloc[ws].date()}..{dates.iloc[we].date()})",
                   "pass the allocator CSV of this model")
    return picked
