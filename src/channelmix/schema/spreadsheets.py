"""Scenarios to spreadsheets: export a scenario's channels and affinities to CSV or Excel
tables, with a scenario file that names them.  Reading tables is :mod:`.tables`; a starter
scenario around a table is :mod:`.starter`.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

from ..core.atomic import atomic_write
from ..core.textcells import csv_text, safe_workbook
from .table_cells import format_number
from .table_format import (
    AFFINITY_PREFIX,
    ALL_PARAMS,
    LONG_COLUMNS,
    NUMBER_FIELDS,
    PERIOD_FIELDS,
    RESPONSE_PARAMS,
    USE_KINDS,
)
from .vocabulary import WILDCARD
from .yaml_file import dump, write

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
    write(path,
          dump(data, [f"{scenario.scenario}: the channels are in tables beside this file (written by channelmix)."]))
    return path


def _channel_table(scenario: Any, wide_affinity: bool) -> tuple[list[str], list[list[Any]]]:
    used = {p for c in scenario.channels for p in RESPONSE_PARAMS[c.response.type]}
    params = [p for p in dict.fromkeys(ALL_PARAMS) if p in used]
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
                value = "; ".join(f"{format_number(x)}:{format_number(y)}" for x, y in value)
            elif isinstance(value, list):  # a PyMC-Marketing curve's posterior samples
                value = "; ".join(format_number(x) for x in value)
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
        raise ValueError(
            f"phase id {phase!r} contains '/', which a wide affinity header cannot show; use affinity='long'")
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
            return format_number(value)
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




