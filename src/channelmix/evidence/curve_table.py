"""Import a generic response-curve table: ``channel, spend, outcome[, draw]`` (CSV or Excel).

A generic table, in whatever units it was made (``--per`` records them).  Each channel
becomes a ``pwl`` curve: the outcome at zero spend (if the table gives one) is the channel's
``outcome.baseline``; the rest, divided by its largest value, is the reach share, and that
largest value is ``outcome.value``.  The table's last spend is the channel's ``max_spend``:
channelmix never extrapolates an imported curve past the last point its source gave (a
``pwl`` is flat there, which would understate a curve still rising).  With a ``draw`` column
every draw must give the same spends; the scenario gets the mean curve, and every draw
becomes a world (``worlds: {draws: <output>.draws.csv}``).  Meridian's own table has its
importer (:mod:`.meridian`).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..schema.problems import Problem, ScenarioError
from .sources import need_columns, read_table
from .writer import Imported, ImportedChannel, spend_range


def channel_id(name: str) -> str:
    """A valid channel id for a name: spaces and dots become '_' (the name stays the label)."""
    out = re.sub(r"[\s.]+", "_", name.strip()).strip("_")
    return out if out and out != "*" else "channel"


def read_curves(path: str) -> tuple[pd.DataFrame, bool]:
    """The table, checked: every problem found at once, each with its row."""
    frame = read_table(path)
    need_columns(frame, path, ["channel", "spend", "outcome"], "one row per point of a channel's response curve")
    has_draw = "draw" in frame.columns
    problems: list[Problem] = []
    for column in ("spend", "outcome"):
        values = pd.to_numeric(frame[column], errors="coerce")
        for i in np.flatnonzero(values.isna().to_numpy())[:5]:
            problems.append(
                Problem(f"row {i + 2}, column {column}", f"is {frame[column].iloc[i]!r}, not a number",
                        "write a plain number"))
        for i in np.flatnonzero((values < 0).to_numpy())[:5]:
            problems.append(
                Problem(f"row {i + 2}, column {column}", f"is {values.iloc[i]:g}, below 0",
                        f"{column} cannot be negative; fix or drop the row"))
        frame[column] = values
    names = frame["channel"]
    for i in np.flatnonzero(names.isna().to_numpy() | (names.astype(str).str.strip() == "").to_numpy())[:5]:
        problems.append(Problem(f"row {i + 2}, column channel", "is empty", "name the channel of every row"))
    if problems:
        raise ScenarioError(path, problems)
    frame["channel"] = names.astype(str).str.strip()
    if has_draw:
        frame["draw"] = frame["draw"].astype(str)
    return frame, has_draw


def parse_per(text: str | None, path: str = "--per") -> dict[str, object]:
    """``week`` or ``156 weeks`` → ``{count, unit}`` (None: the table's own period, unnamed)."""
    if text is None:
        return {"count": 1, "unit": "period"}
    words = text.replace(":", " ").split()
    count = int(words[0]) if len(words) == 2 and words[0].isdigit() else 1
    unit = words[-1] if words else ""
    if not unit or len(words) > 2 or (len(words) == 2 and not words[0].isdigit()) or count < 1:
        raise ScenarioError(path, [Problem("", f"'{text}' is not a unit or a count and a unit",
                                           "write --per week or --per '156 weeks'")])
    return {"count": count, "unit": unit[:-1] if count > 1 and unit.endswith("s") else unit}


def import_curves(path: str, budget: float | None = None,
                  per: str | None = None) -> tuple[Imported, pd.DataFrame | None]:
    """Imported channels, and the draws (tidy table) when the table has them."""
    units = parse_per(per)
    frame, has_draw = read_curves(path)
    problems: list[Problem] = []
    channels: list[ImportedChannel] = []
    measured: dict[str, list[float]] = {}
    ids: dict[str, str] = {}
    for name, rows in frame.groupby("channel", sort=False):
        cid = channel_id(name)
        if cid in ids:
            problems.append(
                Problem(f"channel '{name}'", f"has the same id '{cid}' as '{ids[cid]}'", "rename one of them"))
            continue
        ids[cid] = name
        spend, outcome, issue = _mean_curve(rows, has_draw)
        if issue:
            problems.append(Problem(f"channel '{name}'", *issue))
            continue
        channel = pwl_channel(cid, name, spend, outcome, problems)
        channel.max_spend = float(spend[-1])  # never past the table's last point
        channels.append(channel)
        measured[cid] = spend_range(spend)
    if problems:
        raise ScenarioError(path, problems)
    notes = [f"Imported from the curve table {Path(path).name}: spend and outcome in its own units "
             f"({_per_words(units)}).",
             "outcome.value is each curve's largest outcome above its value at zero spend (outcome.baseline, reported "
             "apart).",
             "max_spend is each channel's last spend in the table: past it the table says nothing, and channelmix does "
             "not guess."]
    if has_draw:
        notes.append(
            "The table has draws: the curves here are the mean over draws; each draw is a world (.draws.csv beside "
            "this file).")
    source = {"tool": "curve table", "file": [Path(path).name], "per": units, "measured": measured}
    imported = Imported(name=Path(path).stem, description=f"Response curves from {Path(path).name}.", channels=channels,
                        notes=notes, net=budget is None, budget=budget, source=source)
    if budget is not None:
        imported.description += f" Budget {budget:g} per period."
    draws = frame[["channel", "draw", "spend", "outcome"]].copy() if has_draw else None
    return imported, draws


def _per_words(per: dict[str, object]) -> str:
    return f"per {per['unit']}" if per["count"] == 1 else f"totals over {per['count']} {per['unit']}s"


def _mean_curve(rows: pd.DataFrame, has_draw: bool) -> tuple[np.ndarray, np.ndarray, tuple[str, str] | None]:
    if not has_draw:
        rows = rows.sort_values("spend", kind="stable")
        dup = rows["spend"].duplicated()
        if dup.any():
            return (rows["spend"].to_numpy(), rows["outcome"].to_numpy(),
                    (f"gives spend {rows['spend'][dup].iloc[0]:g} twice",
                     "keep one outcome per spend, or add a draw column for samples"))
        return rows["spend"].to_numpy(float), rows["outcome"].to_numpy(float), None
    grids = {d: g.sort_values("spend", kind="stable") for d, g in rows.groupby("draw", sort=False)}
    sizes = {d: len(g) for d, g in grids.items()}
    if len(set(sizes.values())) > 1:
        short = min(sizes, key=lambda d: sizes[d])
        long = max(sizes, key=lambda d: sizes[d])
        return (np.empty(0), np.empty(0),
                (f"has draws of unequal length (draw {short}: {sizes[short]} points, draw {long}: {sizes[long]})",
                 "give every draw the same spends"))
    first = next(iter(grids.values()))["spend"].to_numpy(float)
    for d, g in grids.items():
        if not np.allclose(g["spend"].to_numpy(float), first, rtol=1e-9, atol=0):
            return first, first, (f"draw {d} uses other spends than the first draw", "give every draw the same spends")
    if len(np.unique(first)) != len(first):
        return first, first, ("gives a spend twice within a draw", "keep one outcome per spend in every draw")
    mean = np.mean([g["outcome"].to_numpy(float) for g in grids.values()], axis=0)
    return first, mean, None


def pwl_channel(cid: str, name: str, spend: np.ndarray, outcome: np.ndarray,
                problems: list[Problem]) -> ImportedChannel:
    """A channel whose curve runs through (spend, outcome): the outcome at 0 is its baseline, the rest over its
    largest value the reach."""
    if spend[0] > 0:  # no point at zero spend: the curve starts at (0, 0)
        spend, outcome = np.concatenate(([0.0], spend)), np.concatenate(([0.0], outcome))
    base = float(outcome[0])
    gain = outcome - base
    if (gain < -1e-9 * max(1.0, abs(base))).any():
        problems.append(Problem(f"channel '{name}'", f"has outcomes below its outcome at zero spend ({base:g})",
                                "check the table: an MMM's response cannot fall below its no-spend value"))
    gain = np.maximum(gain, 0.0)
    value = float(gain.max())
    share = gain / value if value > 0 else gain
    points = [[float(f"{s:.12g}"), float(f"{min(r, 1.0):.12g}")] for s, r in zip(spend, share)]
    label = name if name != cid else None
    return ImportedChannel(id=cid, label=label, response={"type": "pwl", "points": points},
                           outcome={"value": float(f"{value:.12g}"), "baseline": float(f"{base:.12g}")})
