"""Read Meridian's response-curve table: ``Analyzer.response_curves().to_dataframe()`` as written.

Columns ``spend_multiplier, channel, metric, spend, incremental_outcome``; ``metric`` is
``mean`` (the posterior mean, the curve) or ``ci_lo`` / ``ci_hi`` (the ends of the credible
interval, 90 % by default).  ``to_csv`` writes them as columns, ``to_parquet`` keeps the first
three as a MultiIndex.  Both axes are totals over the model's window: ``spend`` is the
multiplier × the channel's spend over the window, ``incremental_outcome`` the outcome over the
window with every week's media scaled by the multiplier (Meridian's historical flighting).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..schema.problems import Problem, ScenarioError
from .meridian_file import EXTRA
from .sources import need_columns, read_table

COLUMNS = ["spend_multiplier", "channel", "metric", "spend", "incremental_outcome"]
PARQUET = (".parquet", ".pq")


@dataclass(frozen=True)
class ChannelCurve:
    """One channel's rows, by rising multiplier."""

    multipliers: np.ndarray
    spend: np.ndarray
    mean: np.ndarray
    low: np.ndarray | None  # ci_lo, when the table has it
    high: np.ndarray | None  # ci_hi
    history: float  # the channel's spend over the window (spend at multiplier 1)

    def at_history(self) -> float | None:
        """Meridian's own mean outcome at today's spend, when the table has multiplier 1."""
        hit = np.flatnonzero(np.isclose(self.multipliers, 1.0, rtol=0, atol=1e-12))
        return float(self.mean[hit[0]]) if len(hit) else None


def read_curve_table(path: str) -> dict[str, ChannelCurve]:
    """Channel name → its curve; every problem of the table at once."""
    frame = _frame(path)
    need_columns(frame, path, COLUMNS, "Meridian's Analyzer.response_curves().to_dataframe()")
    problems: list[Problem] = []
    for column in ("spend_multiplier", "spend", "incremental_outcome"):
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() | ~np.isfinite(values.fillna(0.0)) | (values < 0)
        for i in np.flatnonzero(bad.to_numpy())[:5]:
            problems.append(Problem(f"row {i + 2}, column {column}", f"is {frame[column].iloc[i]!r}, not a number ≥ 0",
                                    "export the table again with response_curves().to_dataframe()"))
        frame[column] = values
    frame["channel"] = frame["channel"].astype(str).str.strip()
    frame["metric"] = frame["metric"].astype(str).str.strip()
    if problems:
        raise ScenarioError(path, problems)
    curves: dict[str, ChannelCurve] = {}
    for name, rows in frame.groupby("channel", sort=False):
        curve = _channel(name, rows, problems)
        if curve is not None:
            curves[name] = curve
    if not curves and not problems:
        problems.append(Problem("", "has no rows", "export the table again with response_curves().to_dataframe()"))
    if problems:
        raise ScenarioError(path, problems)
    return curves


def _frame(path: str) -> pd.DataFrame:
    if Path(path).suffix.lower() not in PARQUET:
        return read_table(path)
    try:
        import pyarrow  # noqa: F401  (pandas reads Parquet through it)
    except ImportError:
        raise ScenarioError(path, [Problem("", "reading Parquet needs pyarrow, which is not installed",
                                           f"{EXTRA}, or write the table with to_csv() and import the CSV")]) from None
    try:
        frame = pd.read_parquet(path)
    except FileNotFoundError:
        raise ScenarioError(path, [Problem("", "no such file", "check the path")]) from None
    except (OSError, ValueError) as err:
        raise ScenarioError(path, [Problem("", f"cannot be read as Parquet: {str(err).splitlines()[0]}",
                                           "write it again with to_parquet(), or as CSV")]) from None
    if any(name is not None for name in frame.index.names):  # to_parquet keeps the MultiIndex
        frame = frame.reset_index()
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _channel(name: str, rows: pd.DataFrame, problems: list[Problem]) -> ChannelCurve | None:
    where = f"channel '{name}'"
    by_metric = {metric: part.sort_values("spend_multiplier", kind="stable")
                 for metric, part in rows.groupby("metric", sort=False)}
    mean = by_metric.get("mean")
    if mean is None:
        problems.append(Problem(where, f"has no 'mean' rows (metrics: {', '.join(map(str, by_metric))})",
                                "export the table with response_curves().to_dataframe(): its 'mean' rows are the "
                                "curve"))
        return None
    k = mean["spend_multiplier"].to_numpy(float)
    if len(np.unique(k)) != len(k):
        problems.append(Problem(where, "gives a multiplier twice for metric 'mean'",
                                "keep one row per multiplier and metric"))
        return None
    spend = mean["spend"].to_numpy(float)
    positive = k > 0
    if not positive.any():
        problems.append(Problem(where, "has no row with a multiplier above 0",
                                "export the curve up to at least today's spend"))
        return None
    history = spend[positive] / k[positive]
    if not np.allclose(history, history[0], rtol=1e-9, atol=0):
        problems.append(Problem(where, "has spends that are not one spend times the multipliers",
                                "export the table as response_curves() writes it; do not edit its spends"))
        return None
    bands = {}
    for metric in ("ci_lo", "ci_hi"):
        part = by_metric.get(metric)
        if part is not None and np.array_equal(part["spend_multiplier"].to_numpy(float), k):
            bands[metric] = part["incremental_outcome"].to_numpy(float)
    return ChannelCurve(k, spend, mean["incremental_outcome"].to_numpy(float), bands.get("ci_lo"), bands.get("ci_hi"),
                        float(np.median(history)))
