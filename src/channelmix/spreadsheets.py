"""Scenarios to spreadsheets and back: export a scenario's channels and affinities
to CSV or Excel tables (with a scenario file that names them), and write a
commented starter scenario around an existing channel table
(``channelmix init --from-csv``). Reading tables is the schema's job
(:mod:`channelmix.schema.tables`).
"""

from __future__ import annotations

import csv
import math
import os
import re
from pathlib import Path
from typing import Any

from .atomic import atomic_write
from .presets import PHASE_PRESETS
from .schema.models import WILDCARD
from .schema.problems import ScenarioError
from .textcells import csv_text, safe_workbook
from .schema.table_cells import _format_number
from .schema.table_files import EXCEL_SUFFIXES
from .schema.table_format import (AFFINITY_PREFIX, LONG_COLUMNS, NUMBER_FIELDS, PERIOD_FIELDS, PERIOD_TEXT_FIELDS, RESPONSE_PARAMS,
                                  USE_KINDS, _PARAMS)
from .schema.tables import expand
from .yaml_file import dump, scalar, write


# ---------------------------------------------------------------- scenario -> tables


def write_tables(scenario: Any, folder: Path, form: str = "csv", affinity: str = "long") -> Path:
    """Write a scenario's channels (and their affinities) as tables, and a scenario file
    that names them with everything else the same; return the scenario file's path.

    ``form``: ``csv`` (``<name>.channels.csv`` and ``<name>.affinity.csv``, UTF-8 with a
    BOM so that Excel reads the accents) or ``xlsx`` (``<name>.xlsx`` with the sheets
    ``channels`` and ``affinity``). ``affinity``: ``long`` (channel, phase, segment,
    affinity), ``wide`` (channel, then one column per phase/segment) or ``columns``
    (``affinity:<phase>/<segment>`` columns in the channels table, no affinity table).
    A plan over periods adds the columns available_from, available_until, setup_cost and
    carry_over; its ``periods:`` block and time rules stay in the scenario file.
    """
    if form not in ("csv", "xlsx"):
        raise ValueError(f"form must be 'csv' or 'xlsx', not {form!r}")
    if affinity not in ("long", "wide", "columns"):
        raise ValueError(f"affinity must be 'long', 'wide' or 'columns', not {affinity!r}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r'[\\/:*?"<>|\s]+', "_", scenario.scenario).strip("._") or "scenario"
    channels_header, channel_rows = _channel_table(scenario, wide_affinity=affinity == "columns")
    affinity_header, affinity_rows = _affinity_table(scenario, affinity) if affinity != "columns" else ([], [])
    if form == "csv":
        channels_ref: Any = f"{stem}.channels.csv"
        _write_csv(folder / channels_ref, channels_header, channel_rows)
        affinity_ref: Any = f"{stem}.affinity.csv"
        if affinity != "columns":
            _write_csv(folder / affinity_ref, affinity_header, affinity_rows)
    else:
        book_name = f"{stem}.xlsx"
        sheets = [("channels", channels_header, channel_rows)]
        if affinity != "columns":
            sheets.append(("affinity", affinity_header, affinity_rows))
        _write_xlsx(folder / book_name, sheets)
        channels_ref, affinity_ref = {"file": book_name, "sheet": "channels"}, {"file": book_name, "sheet": "affinity"}
    data: dict[str, Any] = {}
    for key, value in scenario.model_dump(mode="json", exclude_none=True, exclude_defaults=True).items():
        if key == "channels":
            data["channels"] = channels_ref
            if affinity != "columns":
                data["affinity"] = affinity_ref
        else:
            data[key] = value
    path = folder / f"{stem}.yaml"
    write(path, dump(data, [f"{scenario.scenario}: the channels are in tables beside this file (written by channelmix)."]))
    return path


def _channel_table(scenario: Any, wide_affinity: bool) -> tuple[list[str], list[list[Any]]]:
    used = {p for c in scenario.channels for p in RESPONSE_PARAMS[c.response.type]}
    params = [p for p in dict.fromkeys(_PARAMS) if p in used]
    resources = list(dict.fromkeys(r for c in scenario.channels for r in c.uses))
    cells = _affinity_cells(scenario) if wide_affinity else []
    timed = list(PERIOD_FIELDS) if scenario.periods is not None else []  # a single-period table has no period columns
    header = ["id", "label", "function", "ownership", "medium", "tags", *NUMBER_FIELDS, *timed, "response_type",
              *(f"response_{p}" for p in params), *(f"uses_{r}_{k}" for r in resources for k in USE_KINDS),
              *(AFFINITY_PREFIX + _wide_header(p, g) for p, g in cells)]
    rows = []
    for c in scenario.channels:
        response = c.response.model_dump()
        row = [c.id, c.label, "; ".join(c.function) or None, c.ownership, c.medium, "; ".join(c.tags) or None,
               c.fixed_cost, c.min_spend, c.max_spend, *(getattr(c, key) for key in timed), c.response.type]
        for p in params:
            value = response.get(p) if p in RESPONSE_PARAMS[c.response.type] else None
            if p == "points" and value is not None:
                value = "; ".join(f"{_format_number(x)}:{_format_number(y)}" for x, y in value)
            elif isinstance(value, list):  # a PyMC-Marketing curve's posterior samples
                value = "; ".join(_format_number(x) for x in value)
            row.append(value)
        for r in resources:
            use = c.uses.get(r)
            row += [use.fixed, use.per_unit] if use is not None else [None, None]
        row += [c.affinity.get(p, {}).get(g) for p, g in cells]
        rows.append(row)
    return header, rows


def _affinity_cells(scenario: Any) -> list[tuple[str, str]]:
    """Every (phase, segment) key that some channel's affinity uses, in journey order."""
    phase_order = {p.id: i for i, p in enumerate(scenario.phases)}
    segment_order = {g.id: i for i, g in enumerate(scenario.segments)}
    found = dict.fromkeys((p, g) for c in scenario.channels for p, row in c.affinity.items() for g in row)
    return sorted(found, key=lambda pg: (phase_order.get(pg[0], -1), segment_order.get(pg[1], len(segment_order))))


def _wide_header(phase: str, segment: str) -> str:
    if "/" in phase:
        raise ValueError(f"phase id {phase!r} contains '/', which a wide affinity header cannot show; use affinity='long'")
    return phase if segment == WILDCARD else f"{phase}/{segment}"


def _affinity_table(scenario: Any, affinity: str) -> tuple[list[str], list[list[Any]]]:
    if affinity == "long":
        rows = [[c.id, p, g, v] for c in scenario.channels for p, row in c.affinity.items() for g, v in row.items()]
        return list(LONG_COLUMNS), rows
    cells = _affinity_cells(scenario)
    rows = [[c.id, *(c.affinity.get(p, {}).get(g) for p, g in cells)] for c in scenario.channels]
    return ["channel", *(_wide_header(p, g) for p, g in cells)], rows


def _write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    def cell(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return _format_number(value)
        return csv_text(str(value))

    def write_table(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([csv_text(h) for h in header])
            writer.writerows([[cell(v) for v in row] for row in rows])

    atomic_write(path, write_table)


def _write_xlsx(path: Path, sheets: list[tuple[str, list[str], list[list[Any]]]]) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title)
        for values in [header, *rows]:
            sheet.append(values)
        sheet.freeze_panes = "B2"
    atomic_write(path, safe_workbook(book).save)  # text that starts with '=' is text, not a formula


# ---------------------------------------------------------------- a starter scenario around a table


def starter_for_table(table_path: Path, scenario_path: Path) -> str:
    """A commented starter scenario (YAML text) that names an existing channel table.

    The table is named by its path relative to the scenario file. Phases: the preset
    that holds every phase of the table's affinity columns (osterwalder when there
    are none), else the phases themselves; segments: those of the affinity columns,
    or a placeholder to edit; budget and resource capacities: half of what every
    channel would take at full spend (to edit). An Excel workbook's sheet named
    ``affinity`` is used as the affinity table. When the table has affinities the
    text validates and solves as written. Raises :class:`ScenarioError` when the
    table cannot be read (missing, empty, no id or response_type column).
    """
    table_path, scenario_path = Path(table_path), Path(scenario_path)
    relative = _relative(table_path, scenario_path)
    raw: dict[str, Any] = {"channels": relative}
    affinity_sheet = _affinity_sheet(table_path)
    sibling = _affinity_sibling(table_path)
    if affinity_sheet is not None:
        raw["channels"] = {"file": relative, "sheet": _first_sheet(table_path)}
        raw["affinity"] = {"file": relative, "sheet": affinity_sheet}
    elif sibling is not None:
        raw["affinity"] = _relative(sibling, scenario_path)
    expanded = expand(raw, scenario_path.resolve().parent)
    if expanded.channels_lost:
        raise ScenarioError(str(table_path), [p for p in expanded.problems])
    channels = [c for c in expanded.data["channels"] if isinstance(c, dict)]
    pairs = [(p, g) for c in channels for p, row in (c.get("affinity") or {}).items() if isinstance(row, dict) for g in row]
    phases = list(dict.fromkeys(p for p, _ in pairs if p != WILDCARD))
    segments = list(dict.fromkeys(g for _, g in pairs if g != WILDCARD))
    preset = next((name for name, items in PHASE_PRESETS.items() if set(phases) <= {i["id"] for i in items}), None)
    resources: dict[str, float] = {}
    money = 0.0
    for c in channels:
        top = _plain(c.get("max_spend"))
        top = top if top is not None else (_plain(c.get("min_spend")) or 0.0)
        money += (_plain(c.get("fixed_cost")) or 0.0) + top
        for resource, use in (c.get("uses") or {}).items():
            if isinstance(use, dict):
                resources[resource] = resources.get(resource, 0.0) + (_plain(use.get("fixed")) or 0.0) + (_plain(use.get("per_unit")) or 0.0) * top
    name = re.sub(r"[^\w-]+", "-", table_path.stem).strip("-") or "my-plan"
    lines = [
        f"# A channelmix scenario around the channel table {relative} (format version 1).",
        f"# Check it with:   channelmix validate {scenario_path.name}",
        f"# Solve it with:   channelmix solve {scenario_path.name}",
        "# Lines marked EDIT are guesses: check them. Every key is documented in the README.",
        "",
        f"scenario: {scalar(name)}",
        f"description: Channels from {scalar(relative)}",
        "currency: EUR                     # EDIT",
        "",
        "# Journey phases: a preset (osterwalder, six-phase, kundresan, persian-six)",
        "# or your own list, e.g. [discover, buy, return] or [{id: discover, weight: 2}, ...]",
    ]
    if preset is not None:
        lines.append(f"phases: {preset}" + ("" if phases else "             # the table has no affinities yet"))
    else:
        lines.append("phases: [" + ", ".join(scalar(p) for p in phases) + "]   # the phases of the table's affinities")
    lines += ["", "# Customer segments: size = how many customers, weight = how much they matter."]
    if segments:
        lines.append("# These are the segments of the table's affinities; EDIT their sizes.")
        lines.append("segments:")
        lines += [f"  - {{id: {scalar(g)}, size: 1000}}" for g in segments]
    else:
        lines.append("# EDIT: the table names no segments, so here is a placeholder.")
        lines.append("segments:")
        lines.append("  - {id: customers, label: Customers, size: 1000}")
    budget = _format_number(_round_nice(money / 2) or 1000)
    timed = _periods_guess(channels)
    if timed is None:
        lines += ["", f"budget: {budget}" + "   # EDIT: money for the plan period (a guess: half of every channel at full spend)"]
    else:
        lines += ["", "# The table has period columns (available_from, available_until, setup_cost, carry_over):",
                  "# a plan over periods. EDIT the periods and each period's budget (a guess: half of every",
                  "# channel at full spend); resources below are each period's capacities.",
                  f"periods: {{{timed}, budget: {budget}}}"]
    if resources:
        inner = ", ".join(f"{scalar(r)}: {_format_number(_round_nice(v / 2) or 1)}" for r, v in resources.items())
        lines.append(f"resources: {{{inner}}}   # EDIT: capacities (a guess: half of what every channel would use)")
    lines += ["", "# One row per channel; the columns are described in the README (Channel tables)."]
    if affinity_sheet is not None:
        lines.append(f"channels: {{file: {scalar(relative)}, sheet: {scalar(raw['channels']['sheet'])}}}")
        lines.append(f"affinity: {{file: {scalar(relative)}, sheet: {scalar(raw['affinity']['sheet'])}}}")
    elif sibling is not None:
        lines.append(f"channels: {scalar(relative)}")
        lines.append(f"affinity: {scalar(raw['affinity'])}   # phase × segment affinities of the channels")
    else:
        lines.append(f"channels: {scalar(relative)}")
        if not pairs:
            lines.append("# EDIT: say which channel serves which phase and segment, e.g. in a table")
            lines.append("# with the columns channel, phase, segment, affinity (0 to 1):")
            lines.append("# affinity: affinity.csv")
    lines += [
        "",
        "rules:",
        "  coverage: {target: 0.3, hard: false, penalty: 500}   # aim for 30 % of every cell",
        f"  cardinality: {{max: {max(1, min(5, len(channels)))}, penalty_per_channel: 10}}   # keep the mix manageable",
        "  # concentration: {max_share: 0.5}                  # no channel takes over half the spend",
        "  # breadth: {min_channels: 1, threshold: 0.05}      # every cell served by a channel",
        "  # groups:",
        "  #   - {function: sales, min_count: 1}              # somewhere to buy",
        "",
        "objective: {sense: max_reach}     # max_reach | max_value | min_cost | target",
        "solver: {name: highs, time_limit: 30, gap: 0.0001}",
        "",
    ]
    return "\n".join(lines)


def _periods_guess(channels: list[dict[str, Any]]) -> str | None:
    """The periods a starter names when the table's channels use period columns (None when
    none does): a count of months reaching the latest period named by number (at least 6),
    else the named periods in the order they first appear."""
    if not any(c.get(key) not in (None, 0, 0.0) for c in channels for key in PERIOD_FIELDS):
        return None
    named = list(dict.fromkeys(str(c[key]) for c in channels for key in PERIOD_TEXT_FIELDS if c.get(key) is not None))
    if all(name.isdigit() for name in named):
        return f"count: {max([6, *(int(n) for n in named)])}, unit: month"
    return "items: [" + ", ".join(scalar(name) for name in named) + "]"


def _relative(path: Path, scenario_path: Path) -> str:
    """A table's path as the scenario file names it: relative to the scenario's folder."""
    try:
        return Path(os.path.relpath(path.resolve(), scenario_path.resolve().parent)).as_posix()
    except ValueError:  # on another drive
        return path.resolve().as_posix()


def _affinity_sibling(path: Path) -> Path | None:
    """``x.channels.csv`` -> ``x.affinity.csv`` (``channels.csv`` -> ``affinity.csv``) when it exists."""
    name = path.name
    at = name.lower().rfind("channels")
    if at < 0:
        return None
    sibling = path.with_name(name[:at] + "affinity" + name[at + len("channels"):])
    return sibling if sibling.is_file() else None


def _affinity_sheet(path: Path) -> str | None:
    if path.suffix.lower() not in EXCEL_SUFFIXES or not path.is_file():
        return None
    names = _sheet_names(path)
    return next((n for n in names[1:] if n.strip().casefold() == "affinity"), None)


def _first_sheet(path: Path) -> str:
    return _sheet_names(path)[0]


def _sheet_names(path: Path) -> list[str]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True)
    except Exception:  # noqa: BLE001 - unreadable: reading it again reports why
        return []
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def _plain(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) else None


def _round_nice(value: float) -> float:
    """Two significant digits, rounded up: 4321 -> 4400."""
    if value <= 0:
        return 0.0
    step = 10 ** (math.floor(math.log10(value)) - 1)
    return math.ceil(value / step - 1e-9) * step if step >= 1 else round(math.ceil(value / step - 1e-9) * step, 10)
