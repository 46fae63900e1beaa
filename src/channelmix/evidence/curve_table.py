"""Import a generic response-curve table: ``channel, spend, outcome[, draw]`` (CSV or Excel).

That is what Meridian's response curves and PyMC-Marketing's response samples look like
once exported.  Each channel becomes a ``pwl`` curve: the outcome at zero spend (if the
table gives one) is the channel's ``outcome.baseline``; the rest, divided by its largest
value, is the reach share, and that largest value is ``outcome.value``.  With a ``draw``
column every draw must give the same spends; the scenario gets the mean curve, and the
draws are written alongside (``<output>.draws.csv``) for later use.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..schema.problems import Problem, ScenarioError
from .sources import names, need_columns, numbers, read_table
from .writer import Imported, ImportedChannel


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
        frame[column] = numbers(frame, column, problems)
    frame["channel"] = names(frame, "channel", problems, "channel")
    if has_draw:
        frame["draw"] = names(frame, "draw", problems, "draw")
    if problems:
        raise ScenarioError(path, problems)
    return frame, has_draw


def import_curves(path: str, budget: float | None = None) -> tuple[Imported, pd.DataFrame | None]:
    """Imported channels, and the draws (tidy table) when the table has them."""
    frame, has_draw = read_curves(path)
    problems: list[Problem] = []
    channels: list[ImportedChannel] = []
    ids: dict[str, str] = {}
    for name, rows in frame.groupby("channel", sort=False):
        cid = channel_id(name)
        if cid in ids:
            problems.append(Problem(f"channel '{name}'", f"has the same id '{cid}' as '{ids[cid]}'", "rename one of them"))
            continue
        ids[cid] = name
        spend, outcome, issue = _mean_curve(rows, has_draw)
        if issue:
            problems.append(Problem(f"channel '{name}'", *issue))
            continue
        channels.append(_channel(cid, name, spend, outcome, problems))
    if problems:
        raise ScenarioError(path, problems)
    notes = [f"Imported from the curve table {Path(path).name}: spend and outcome in its own units (per its period).",
             "outcome.value is each curve's largest outcome above its value at zero spend (outcome.baseline, reported apart)."]
    if has_draw:
        notes.append("The table has draws: the curves here are the mean over draws; the draws are in the .draws.csv beside this file.")
    imported = Imported(name=Path(path).stem, description=f"Response curves from {Path(path).name}.", channels=channels,
                        notes=notes, net=budget is None, budget=budget)
    if budget is not None:
        imported.description += f" Budget {budget:g} per period."
    draws = frame[["channel", "draw", "spend", "outcome"]].copy() if has_draw else None
    return imported, draws


def _mean_curve(rows: pd.DataFrame, has_draw: bool) -> tuple[np.ndarray, np.ndarray, tuple[str, str] | None]:
    if not has_draw:
        rows = rows.sort_values("spend", kind="stable")
        dup = rows["spend"].duplicated()
        if dup.any():
            return rows["spend"].to_numpy(), rows["outcome"].to_numpy(), (
                f"gives spend {rows['spend'][dup].iloc[0]:g} twice", "keep one outcome per spend, or add a draw column for samples")
        return rows["spend"].to_numpy(float), rows["outcome"].to_numpy(float), None
    grids = {d: g.sort_values("spend", kind="stable") for d, g in rows.groupby("draw", sort=False)}
    sizes = {d: len(g) for d, g in grids.items()}
    if len(set(sizes.values())) > 1:
        short = min(sizes, key=sizes.get)
        long = max(sizes, key=sizes.get)
        return np.empty(0), np.empty(0), (f"has draws of unequal length (draw {short}: {sizes[short]} points, draw {long}: {sizes[long]})",
                                          "give every draw the same spends")
    first = next(iter(grids.values()))["spend"].to_numpy(float)
    for d, g in grids.items():
        if not np.allclose(g["spend"].to_numpy(float), first, rtol=1e-9, atol=0):
            return first, first, (f"draw {d} uses other spends than the first draw", "give every draw the same spends")
    if len(np.unique(first)) != len(first):
        return first, first, ("gives a spend twice within a draw", "keep one outcome per spend in every draw")
    mean = np.mean([g["outcome"].to_numpy(float) for g in grids.values()], axis=0)
    return first, mean, None


def _channel(cid: str, name: str, spend: np.ndarray, outcome: np.ndarray, problems: list[Problem]) -> ImportedChannel:
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
