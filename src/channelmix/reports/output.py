"""Plans for programs and files: JSON and CSV tables, written atomically under the one naming
rule for result files (:mod:`channelmix.core.filenames`).  The terminal view is
:mod:`channelmix.reports.terminal`."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core import jsonout
from ..core.atomic import write_atomic
from ..core.filenames import file_stem, unique_stem
from ..core.textcells import csv_text
from ..verify.plan import Plan
from .documents import plan_document

if TYPE_CHECKING:
    import pandas as pd


def to_json(plan: Plan, extra: dict[str, Any] | None = None) -> str:
    """One JSON object, names in their own script (not \\u-escaped); ``extra["json"]``
    (e.g. an explanation) is merged in."""
    return jsonout.dumps({**plan_document(plan), **(extra or {}).get("json", {})}, default=_plain)


def _plain(value: Any) -> Any:
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def tables(plan: Plan) -> dict[str, list[dict[str, Any]]]:
    """The plan's tables, one row per channel and one per (phase, segment) cell; a plan over
    periods adds its schedule (one row per channel and period) and the cash of each period."""
    resources = list(plan.resources)
    channels = []
    for c in plan.channels:
        row = {"id": c.id, "label": c.label, "on": c.on, "spend": c.spend, "fixed_cost": c.fixed_cost,
               "cost": c.cost, "reach": c.reach, "outcome": c.outcome}
        row.update({f"uses_{r}": c.uses.get(r, 0.0) for r in resources})
        channels.append(row)
    coverage = [{"phase": c.phase, "segment": c.segment, "level": c.level, "target": c.target, "weight": c.weight,
                 "channels": " ".join(c.channels)} for c in plan.coverage]
    out = {"channels": channels, "coverage": coverage}
    if getattr(plan, "schedule", None) is not None:
        from dataclasses import asdict

        from .schedule import cash_rows, long_rows

        timed = {"schedule": asdict(plan.schedule)}
        out.update(schedule=long_rows(timed), cash=cash_rows(timed))
    return out


PLAN_ROW_COLUMNS = ("scenario", "channel", "period", "on", "started", "spend", "effective_spend", "reach", "fixed_cost",
                    "setup_cost", "cost", "period_label")  # the label last: the columns before it keep their places


def plan_rows(plan: Plan) -> list[dict[str, Any]]:
    """The plan as one long table (``solve --format csv``): a row per channel and period, or
    for a single-period plan a row per channel with no period (and no start: nothing is set
    up over time); nothing for a plan not found."""
    if not plan.solved:
        return []
    if plan.schedule is not None:
        from dataclasses import asdict

        from .schedule import long_rows

        rows = long_rows({"schedule": asdict(plan.schedule)})
    else:
        rows = [{"channel": c.id, "period": "", "on": c.on, "started": "", "spend": c.spend, "effective_spend": c.spend,
                 "reach": c.reach, "fixed_cost": c.fixed_cost, "setup_cost": 0.0, "cost": c.cost, "period_label": ""}
                for c in plan.channels]
    return [{"scenario": plan.scenario, **row} for row in rows]


def csv_rows(rows: list[dict[str, Any]], columns: tuple[str, ...], header: bool) -> str:
    """CSV text of ``rows`` in ``columns`` (with the header line when asked), formula-safe."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    if header:
        writer.writeheader()
    writer.writerows({k: csv_text(row.get(k)) for k in columns} for row in rows)
    return buffer.getvalue()


def write_outputs(plan: Plan, out_dir: Path, stem: str | None = None,
                  extra: dict[str, Any] | None = None) -> list[Path]:
    """``<stem>.json`` and ``<stem>.<table>.csv`` in out_dir, each written atomically;
    ``stem`` defaults to :func:`file_stem` of the scenario name (pass a
    :func:`unique_stem` when writing many plans into one folder)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = stem or file_stem(plan.scenario)
    written = [write_atomic(out_dir / f"{stem}.json", to_json(plan, extra) + "\n")]
    for name, rows in tables(plan).items():
        written.append(write_atomic(out_dir / f"{stem}.{name}.csv", _csv(rows)))
    return written


def write_collection(table: "pd.DataFrame", plans: list[Plan], out_dir: Path,
                     extras: list[dict[str, Any]] | None = None) -> list[Path]:
    """Each plan's JSON (as ``solve --format json``) beside ``summary.csv`` and ``summary.json``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    written = []
    for plan, extra in zip(plans, extras or [None] * len(plans)):
        stem = unique_stem(plan.scenario, used)
        written.append(write_atomic(out_dir / f"{stem}.json", to_json(plan, extra) + "\n"))
    from ..analysis.batch import write_summary  # pandas: only when a collection is written

    return written + write_summary(table, out_dir)


def rows_as_json(table: "pd.DataFrame") -> list[str]:
    """One JSON object per row (NaN as null), names in their own script."""
    return [jsonout.dumps(row) for row in json.loads(table.to_json(orient="records", force_ascii=False))]


def _csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: csv_text(v) for k, v in row.items()} for row in rows)
    return buffer.getvalue()


