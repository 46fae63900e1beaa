"""A commented starter scenario: the example shipped beside this module (``starter.yaml``), or
one written around an existing channel table (``channelmix init --from-csv``)."""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from .presets import PHASE_PRESETS
from .problems import ScenarioError
from .table_cells import format_number
from .table_files import EXCEL_SUFFIXES
from .table_format import PERIOD_FIELDS, PERIOD_TEXT_FIELDS
from .tables import expand
from .vocabulary import WILDCARD
from .yaml_file import scalar


def starter(scenario_path: Path, table: Path | None = None, decimal: str | None = None) -> str:
    """The starter scenario's text: around ``table`` when given (see :func:`starter_for_table`),
    else the commented example."""
    if table is not None:
        return starter_for_table(table, scenario_path, decimal)
    return resources.files("channelmix.schema").joinpath("starter.yaml").read_text(encoding="utf-8")


@dataclass
class _Table:
    """What a starter needs to know of a channel table: where it is named from, its channels
    and their cells, and the money and resources every channel takes at full spend."""

    relative: str
    raw: dict[str, Any]
    affinity_sheet: str | None
    sibling: Path | None
    channels: list[dict[str, Any]]
    pairs: list[tuple[str, str]]
    money: float
    resources: dict[str, float]


def starter_for_table(table_path: Path, scenario_path: Path, decimal: str | None = None) -> str:
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
    found = _read(table_path, scenario_path, decimal)
    name = re.sub(r"[^\w-]+", "-", table_path.stem).strip("-") or "my-plan"
    lines = _head(found, name, scenario_path) + _money(found) + _channels(found) + _tail(found)
    return "\n".join(lines)


def _read(table_path: Path, scenario_path: Path, decimal: str | None = None) -> _Table:
    """The table read as the scenario will read it; numbers it cannot read (written as 60% or
    4 500, an ambiguous 4.500) stop the starter, with their fixes, before anything is written."""
    relative = _relative(table_path, scenario_path)
    raw: dict[str, Any] = {"channels": {"file": relative, "decimal": decimal} if decimal else relative}
    affinity_sheet = _affinity_sheet(table_path)
    sibling = _affinity_sibling(table_path)
    if affinity_sheet is not None:
        raw["channels"] = {"file": relative, "sheet": _first_sheet(table_path)}
        raw["affinity"] = {"file": relative, "sheet": affinity_sheet}
    elif sibling is not None:
        raw["affinity"] = _relative(sibling, scenario_path)
    expanded = expand(raw, scenario_path.resolve().parent)
    if expanded.channels_lost or expanded.handled:
        raise ScenarioError(str(table_path), [p for p in expanded.problems])
    channels = [c for c in expanded.data["channels"] if isinstance(c, dict)]
    pairs = [(p, g) for c in channels for p, row in (c.get("affinity") or {}).items() if isinstance(row, dict)
             for g in row]
    resources: dict[str, float] = {}
    money = 0.0
    for c in channels:
        top = _plain(c.get("max_spend"))
        top = top if top is not None else (_plain(c.get("min_spend")) or 0.0)
        money += (_plain(c.get("fixed_cost")) or 0.0) + top
        for resource, use in (c.get("uses") or {}).items():
            if isinstance(use, dict):
                resources[resource] = (resources.get(resource, 0.0) + (_plain(use.get("fixed")) or 0.0)
                                       + (_plain(use.get("per_unit")) or 0.0) * top)
    return _Table(relative, raw, affinity_sheet, sibling, channels, pairs, money, resources)


def _head(found: _Table, name: str, scenario_path: Path) -> list[str]:
    """The header comments, the scenario's name, its phases and segments."""
    phases = list(dict.fromkeys(p for p, _ in found.pairs if p != WILDCARD))
    segments = list(dict.fromkeys(g for _, g in found.pairs if g != WILDCARD))
    preset = next((name for name, items in PHASE_PRESETS.items() if set(phases) <= {i["id"] for i in items}), None)
    lines = [
        f"# A channelmix scenario around the channel table {found.relative} (format version 1).",
        f"# Check it with:   channelmix validate {scenario_path.name}",
        f"# Solve it with:   channelmix solve {scenario_path.name}",
        "# Lines marked EDIT are guesses: check them. Every key is documented in the README.",
        "",
        f"scenario: {scalar(name)}",
        f"description: Channels from {scalar(found.relative)}",
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
    return lines


def _money(found: _Table) -> list[str]:
    """The budget (or the periods and their budget) and the resources' capacities: guesses to edit."""
    budget = format_number(_round_nice(found.money / 2) or 1000)
    timed = _periods_guess(found.channels)
    if timed is None:
        lines = ["", f"budget: {budget}"
                 + "   # EDIT: money for the plan period (a guess: half of every channel at full spend)"]
    else:
        lines = ["", "# The table has period columns (available_from, available_until, setup_cost, carry_over):",
                 "# a plan over periods. EDIT the periods and each period's budget (a guess: half of every",
                 "# channel at full spend); resources below are each period's capacities.",
                 f"periods: {{{timed}, budget: {budget}}}"]
    if found.resources:
        inner = ", ".join(f"{scalar(r)}: {format_number(_round_nice(v / 2) or 1)}" for r, v in found.resources.items())
        lines.append(f"resources: {{{inner}}}   # EDIT: capacities (a guess: half of what every channel would use)")
    return lines


def _channels(found: _Table) -> list[str]:
    """The channel table (and its affinities) as the scenario names them."""
    relative, raw = found.relative, found.raw
    lines = ["", "# One row per channel; the columns are described in the README (Channel tables)."]
    if found.affinity_sheet is not None:
        lines.append(f"channels: {{file: {scalar(relative)}, sheet: {scalar(raw['channels']['sheet'])}}}")
        lines.append(f"affinity: {{file: {scalar(relative)}, sheet: {scalar(raw['affinity']['sheet'])}}}")
    elif found.sibling is not None:
        lines.append(f"channels: {scalar(relative)}")
        lines.append(f"affinity: {scalar(raw['affinity'])}   # phase × segment affinities of the channels")
    else:
        decimal = raw["channels"].get("decimal") if isinstance(raw["channels"], dict) else None
        lines.append(f"channels: {{file: {scalar(relative)}, decimal: ','}}   # numbers written 0,5" if decimal == ","
                     else f"channels: {scalar(relative)}")
        if not found.pairs:
            lines.append("# EDIT: say which channel serves which phase and segment, e.g. in a table")
            lines.append("# with the columns channel, phase, segment, affinity (0 to 1):")
            lines.append("# affinity: affinity.csv")
    return lines


def _tail(found: _Table) -> list[str]:
    """Rules and the objective to start from."""
    channels = found.channels
    return [
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
    return (float(value) if isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value) else None)


def _round_nice(value: float) -> float:
    """Two significant digits, rounded up: 4321 -> 4400."""
    if value <= 0:
        return 0.0
    step = 10 ** (math.floor(math.log10(value)) - 1)
    return math.ceil(value / step - 1e-9) * step if step >= 1 else round(math.ceil(value / step - 1e-9) * step, 10)
