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

from pathlib import Path

import numpy as np
import pandas as pd

from ..schema.problems import Fixable, Problem, ScenarioError
from ..schema.responses import point_problem
from ..schema.types import check_label, id_from_name
from .sources import names, need_columns, numbers, read_table
from .writer import Imported, ImportedChannel, spend_range


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
    renamed: list[str] = []
    for name, rows in frame.groupby("channel", sort=False):
        cid, changes = id_from_name(name)
        where = f"channel '{name}' (row {int(rows.index[0]) + 2})"
        if cid in ids:
            problems.append(Problem(where, f"has the same id '{cid}' as '{ids[cid]}'", "rename one of them"))
            continue
        try:
            check_label(name)
        except Fixable as err:
            problems.append(Problem(where, err.message, err.fix))
            continue
        ids[cid] = name
        if changes:
            renamed.append(f"channel '{name}' has the id '{cid}': {'; '.join(changes)}; its label keeps the name as "
                           "written")
        spend, outcome, table_rows, issue = _mean_curve(rows, has_draw)
        if issue:
            problems.append(Problem(f"channel '{name}'", *issue))
            continue
        channel = pwl_channel(cid, name, spend, outcome, problems, table_rows)
        channel.max_spend = float(spend[-1])  # never past the table's last point
        channels.append(channel)
        measured[cid] = spend_range(spend)
    if problems:
        raise ScenarioError(path, problems)
    notes = [f"Imported from the curve table {Path(path).name}: spend and outcome in its own units "
             f"({_per_words(units)}).",
             "outcome.value is each curve's largest outcome above its outcome at zero spend; that zero-spend outcome "
             "is outcome.baseline, reported apart (what the table's model gives without this spend; no plan changes "
             "it).",
             "max_spend is each channel's last spend in the table: past it the table says nothing, and channelmix does "
             "not guess."]
    if has_draw:
        notes.append("The table has draws: the curves here are the mean over draws; each draw is a world (.draws.csv "
                     "beside this file).")
    source = {"tool": "curve table", "file": [Path(path).name], "per": units, "measured": measured}
    stem, hidden = Path(path).stem, id_from_name(Path(path).stem)
    imported = Imported(name=hidden[0] if hidden[1] else stem, description=f"Response curves from {Path(path).name}.",
                        channels=channels, notes=notes + renamed, net=budget is None, budget=budget, source=source,
                        said=renamed)
    if budget is not None:
        imported.description += f" Budget {budget:g} per period."
    draws = frame[["channel", "draw", "spend", "outcome"]].copy() if has_draw else None
    return imported, draws


def _per_words(per: dict[str, object]) -> str:
    return f"per {per['unit']}" if per["count"] == 1 else f"totals over {per['count']} {per['unit']}s"


def _mean_curve(rows: pd.DataFrame, has_draw: bool) -> tuple[np.ndarray, np.ndarray, list[int], tuple[str, str] | None]:
    """A channel's spends, its (mean) outcome at each, the table row of each spend (of the first draw)."""
    if not has_draw:
        rows = rows.sort_values("spend", kind="stable")
        dup = rows["spend"].duplicated()
        at = [int(i) + 2 for i in rows.index]
        if dup.any():
            return rows["spend"].to_numpy(), rows["outcome"].to_numpy(), at, (
                f"gives spend {rows['spend'][dup].iloc[0]:g} twice", "keep one outcome per spend, or add a draw column "
                                                                     "for samples")
        return rows["spend"].to_numpy(float), rows["outcome"].to_numpy(float), at, None
    grids = {d: g.sort_values("spend", kind="stable") for d, g in rows.groupby("draw", sort=False)}
    sizes = {d: len(g) for d, g in grids.items()}
    if len(set(sizes.values())) > 1:
        short = min(sizes, key=lambda d: sizes[d])
        long = max(sizes, key=lambda d: sizes[d])
        return np.empty(0), np.empty(0), [], (f"has draws of unequal length (draw {short}: {sizes[short]} points, draw "
                                              f"{long}: {sizes[long]})",
                                              "give every draw the same spends")
    first_rows = next(iter(grids.values()))
    first, at = first_rows["spend"].to_numpy(float), [int(i) + 2 for i in first_rows.index]
    for d, g in grids.items():
        if not np.allclose(g["spend"].to_numpy(float), first, rtol=1e-9, atol=0):
            return first, first, at, (f"draw {d} uses other spends than the first draw",
                                      "give every draw the same spends")
    if len(np.unique(first)) != len(first):
        return first, first, at, ("gives a spend twice within a draw", "keep one outcome per spend in every draw")
    mean = np.mean([g["outcome"].to_numpy(float) for g in grids.values()], axis=0)
    return first, mean, at, None


def pwl_channel(cid: str, name: str, spend: np.ndarray, outcome: np.ndarray, problems: list[Problem],
                rows: list[int] | None = None) -> ImportedChannel:
    """A channel whose curve runs through (spend, outcome): the outcome at 0 is its baseline, the rest over its largest
    value the reach. ``rows``: the table row of each point, for messages."""
    rows_at: list[int | None] = list(rows) if rows is not None else [None] * len(spend)
    if spend[0] > 0:  # no point at zero spend: the curve starts at (0, 0)
        spend, outcome, rows_at = np.concatenate(([0.0], spend)), np.concatenate(([0.0], outcome)), [None, *rows_at]
    base = float(outcome[0])
    gain = outcome - base
    if (gain < -1e-9 * max(1.0, abs(base))).any():
        problems.append(Problem(f"channel '{name}'", f"has outcomes below its outcome at zero spend ({base:g})",
                                "check the table: an MMM's response cannot fall below its no-spend value"))
    gain = np.maximum(gain, 0.0)
    value = float(gain.max())
    share = gain / value if value > 0 else gain
    points = [[float(f"{s:.12g}"), float(f"{min(r, 1.0):.12g}")] for s, r in zip(spend, share)]
    found = point_problem([p[0] for p in points], [p[1] for p in points])
    if found is not None:
        i, message, fix = found
        where = f"channel '{name}'" + (f", row {rows_at[i]}" if rows_at[i] is not None else "")
        problems.append(Problem(where, message, fix))
    label = name if name != cid else None
    return ImportedChannel(id=cid, label=label, response={"type": "pwl", "points": points},
                           outcome={"value": float(f"{value:.12g}"), "baseline": float(f"{base:.12g}")})
