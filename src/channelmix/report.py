"""Plans for people and programs: a rich terminal view, JSON, and CSV tables."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import stat
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from . import jsonout
from .plan import Plan
from .textcells import csv_frame, csv_text

if TYPE_CHECKING:
    import pandas as pd

SENSE_WORDS = {
    "max_reach": "weighted reach (max)",
    "max_value": "net value (max)",
    "max_outcome": "outcome, net of spend when net: true (max)",
    "min_cost": "cost incl. penalties (min)",
    "target": "cost for the reach level (min)",
}


def to_json(plan: Plan, extra: dict[str, Any] | None = None) -> str:
    """One JSON object, names in their own script (not \\u-escaped); ``extra["json"]``
    (e.g. an explanation) is merged in."""
    return jsonout.dumps({**plan.to_dict(), **(extra or {}).get("json", {})}, default=_plain)


def _plain(value: Any) -> Any:
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def tables(plan: Plan) -> dict[str, list[dict[str, Any]]]:
    """The plan's tables, one row per channel and one per (phase, segment) cell."""
    resources = list(plan.resources)
    channels = []
    for c in plan.channels:
        row = {"id": c.id, "label": c.label, "on": c.on, "spend": c.spend, "fixed_cost": c.fixed_cost,
               "cost": c.cost, "reach": c.reach, "outcome": c.outcome}
        row.update({f"uses_{r}": c.uses.get(r, 0.0) for r in resources})
        channels.append(row)
    coverage = [{"phase": c.phase, "segment": c.segment, "level": c.level, "target": c.target, "weight": c.weight,
                 "channels": " ".join(c.channels)} for c in plan.coverage]
    return {"channels": channels, "coverage": coverage}


MAX_STEM_BYTES = 100  # well inside the usual 255-byte file-name limit, with suffixes and temporary names
RESERVED = frozenset({"summary"})  # summary.json and summary.csv sit beside the results


def file_stem(name: str) -> str:
    """The one naming rule for result and report files: a file name from a scenario name.

    A name that is already a safe file name (letters of any script, digits, ``_ . = -``,
    not starting or ending with ``.`` or ``-``) and at most MAX_STEM_BYTES long is kept
    as it is.  Any other name is cleaned (other characters become ``-``), shortened,
    and given ``-`` and 8 hex digits of the SHA-256 of the whole name, so two names
    that clean to the same text (``a-b`` and ``a/b``, ``.`` and ``..``) never share a
    file, and the same name always gets the same file."""
    stem = re.sub(r"[^\w.=-]+", "-", name, flags=re.UNICODE).strip("-.")
    if stem and stem == name and len(stem.encode("utf-8")) <= MAX_STEM_BYTES:
        return stem
    short = (stem or "scenario").encode("utf-8")[:MAX_STEM_BYTES - 9].decode("utf-8", errors="ignore").rstrip("-.")
    return f"{short or 'scenario'}-{hashlib.sha256(name.encode('utf-8', errors='surrogatepass')).hexdigest()[:8]}"


def unique_stem(name: str, used: set[str]) -> str:
    """:func:`file_stem` of ``name``, not yet in ``used`` and not a RESERVED name
    (``-2``, ``-3`` … on a clash, compared case-insensitively so case-insensitive file
    systems see distinct files too); records it in ``used``."""
    stem = file_stem(name)
    taken = {u.casefold() for u in used} | RESERVED
    unique, n = stem, 2
    while unique.casefold() in taken:
        unique, n = f"{stem}-{n}", n + 1
    used.add(unique)
    return unique


def write_outputs(plan: Plan, out_dir: Path, stem: str | None = None) -> list[Path]:
    """``<stem>.json`` and ``<stem>.<table>.csv`` in out_dir, each written atomically;
    ``stem`` defaults to :func:`file_stem` of the scenario name (pass a
    :func:`unique_stem` when writing many plans into one folder)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = stem or file_stem(plan.scenario)
    written = [write_atomic(out_dir / f"{stem}.json", to_json(plan) + "\n")]
    for name, rows in tables(plan).items():
        written.append(write_atomic(out_dir / f"{stem}.{name}.csv", _csv(rows)))
    return written


def write_collection(table: "pd.DataFrame", plans: list[Plan], out_dir: Path) -> list[Path]:
    """Each plan's JSON (as ``solve --format json``) beside ``summary.csv`` and ``summary.json``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    written = []
    for plan in plans:
        stem = unique_stem(plan.scenario, used)
        written.append(write_atomic(out_dir / f"{stem}.json", to_json(plan) + "\n"))
    written.append(write_atomic(out_dir / "summary.csv", csv_frame(table).to_csv(index=False)))
    records = json.loads(table.to_json(orient="records", force_ascii=False))
    written.append(write_atomic(out_dir / "summary.json", jsonout.dumps(records, indent=1) + "\n"))
    return written


def rows_as_json(table: "pd.DataFrame") -> list[str]:
    """One JSON object per row (NaN as null), names in their own script."""
    return [jsonout.dumps(row) for row in json.loads(table.to_json(orient="records", force_ascii=False))]


def print_table(table: "pd.DataFrame", console: Console, title: str = "", columns: list[str] | None = None) -> None:
    """A DataFrame as a rich table; numbers rounded for reading."""
    shown = table[columns] if columns else table
    out = Table(title=title or None, title_justify="left")
    for i, name in enumerate(shown.columns):
        numeric = str(shown[name].dtype).startswith(("float", "int"))
        out.add_column(str(name), justify="right" if numeric else "left", no_wrap=i == 0)
    for row in shown.itertuples(index=False):
        out.add_row(*(_cell(v) for v in row))
    console.print(out)


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if isinstance(value, bool):
        return "✓" if value else ""
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 10 else f"{value:,.2f}"
    return str(value)


def _csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: csv_text(v) for k, v in row.items()} for row in rows)
    return buffer.getvalue()


def atomic_write(path: Path, write: "Callable[[str], None]") -> Path:
    """Let ``write(temporary_path)`` make the file, then rename it into place, so a
    crash never leaves half a file at ``path``. The file gets the usual permissions
    (0666 less the umask, e.g. 0644; an existing file keeps its own), not mkstemp's 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, _file_mode(path))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _file_mode(path: Path) -> int:
    """The mode a plainly created file would get (or ``path``'s own, when it exists)."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mask = os.umask(0o022)  # reading the umask means setting it; put it straight back
        os.umask(mask)
        return 0o666 & ~mask


def write_atomic(path: Path, text: str) -> Path:
    """Write UTF-8 text atomically (see :func:`atomic_write`)."""
    return atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8", newline=""))


# ---------------------------------------------------------------- terminal


def _money(value: float | None, currency: str) -> str:
    if value is None:
        return "—"
    return f"{value:,.2f} {currency}".strip()


def render(plan: Plan, console: Console) -> None:
    """The plan as a person reads it in a terminal."""
    console.print(Panel(_headline(plan), title=f"[bold]{plan.scenario}[/bold]", expand=False))
    if not plan.solved:
        return
    console.print(_channel_table(plan))
    console.print(_coverage_table(plan))
    if plan.binding:
        console.print(Text("Binding rules: ", style="bold") + Text("; ".join(plan.binding)))
    for warning in plan.warnings:
        console.print(Text(f"warning: {warning}", style="yellow"))


def _headline(plan: Plan) -> Group:
    status_style = {"optimal": "green", "feasible": "yellow"}.get(plan.status, "red")
    lines = [Text.assemble(("status: ", "bold"), (plan.status, status_style),
                           ("  ✓ verified" if plan.verified else "", "green"))]
    if plan.message:
        lines.append(Text(plan.message))
    if plan.solved:
        assert plan.objective is not None
        lines.append(Text(f"objective: {plan.objective:,.2f}  ({SENSE_WORDS[plan.sense]})"))
        if plan.outcome or plan.baseline_outcome:
            lines.append(Text(f"outcome bought: {plan.outcome or 0.0:,.2f}  (plus carry-over baseline {plan.baseline_outcome:,.2f} at zero spend)"))
        spent = _money(plan.cost, plan.currency)
        lines.append(Text(f"money spent: {spent}" + (f" of {_money(plan.budget, plan.currency)}" if plan.budget is not None else "")))
        for name, use in plan.resources.items():
            lines.append(Text(f"{name}: {use['used']:,.2f} of {use['capacity']:,.2f}"))
        if plan.penalties:
            lines.append(Text("penalties: " + ", ".join(f"{k} {v:,.2f}" for k, v in plan.penalties.items())))
        gap = "—" if plan.gap is None else f"{plan.gap:.4%}"
        lines.append(Text(f"gap: {gap}   curve pieces within {plan.curve_error:.4f} of the real curves   "
                          f"solved in {plan.build_seconds + plan.solve_seconds:.2f} s ({plan.solver})", style="dim"))
    for warning in plan.warnings if not plan.solved else []:
        lines.append(Text(f"warning: {warning}", style="yellow"))
    return Group(*lines)


def _channel_table(plan: Plan) -> Table:
    table = Table(title="Channels on", title_justify="left")
    for name, justify in (("channel", "left"), ("spend", "right"), ("fixed", "right"), ("cost", "right"), ("reach", "right")):
        table.add_column(name, justify=justify)
    valued = bool(plan.outcome)
    if valued:
        table.add_column("outcome", justify="right")
    for r in plan.resources:
        table.add_column(r, justify="right")
    for c in plan.on_channels():
        name = c.label if c.label == c.id else f"{c.label} ({c.id})"
        table.add_row(name, f"{c.spend:,.2f}", f"{c.fixed_cost:,.2f}", f"{c.cost:,.2f}", f"{c.reach:.1%}",
                      *([f"{c.outcome:,.2f}"] if valued else []), *(f"{c.uses.get(r, 0.0):,.2f}" for r in plan.resources))
    off = [c.id for c in plan.channels if not c.on]
    if off:
        table.caption = f"off: {', '.join(off)}"
    return table


def _coverage_table(plan: Plan) -> Table:
    segments = list(dict.fromkeys(c.segment for c in plan.coverage))
    table = Table(title="Coverage by phase × segment", title_justify="left")
    table.add_column("phase")
    for g in segments:
        table.add_column(g, justify="right")
    rows: dict[str, dict[str, Any]] = {}
    for c in plan.coverage:
        rows.setdefault(c.phase, {})[c.segment] = c
    for phase, cells in rows.items():
        shown = []
        for g in segments:
            cell = cells[g]
            style = "red" if cell.target is not None and cell.level < cell.target - 1e-9 else ("dim" if cell.level == 0 else "")
            shown.append(Text(f"{cell.level:.0%}", style=style))
        table.add_row(phase, *shown)
    return table
