"""Channel catalogues and affinities kept in CSV or Excel tables (docs/architecture.md,
"The scenario file").

A scenario may name a table instead of listing its channels inline, and may take
the channels' affinities from a table of their own::

    channels: channels.csv                       # or channels.xlsx (its first sheet)
    channels: {file: catalogue.xlsx, sheet: Kanäle}
    affinity: affinity.csv                       # long or wide form, or {file:, sheet:}

Paths are relative to the scenario file. This module only turns tables into the
plain data the YAML would have given — the schema stays the one owner of what is
valid — and keeps where every value came from, so that the schema's problems
(``channels[3].max_spend``) are reported at the table's row and column
(``channels.csv: row 5, column max_spend``; the header is row 1, as a spreadsheet
shows it).

Reading the files is in :mod:`.table_files`, one cell in :mod:`.table_cells`, the column names and
where each value came from in :mod:`.table_format`. Writing tables (and a starter scenario around a table) is in
:mod:`channelmix.schema.spreadsheets`.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Callable

from .problems import Problem, did_you_mean, with_hint
from .table_cells import cell_flag, cell_list, cell_numbers, cell_points, cell_text, column_letter, is_empty, show_cell
from .table_files import Table, read_table, table_reference
from .table_format import (
    AFFINITY_PREFIX,
    CHANNEL_COLUMNS,
    COLUMNS_FIX,
    LIST_FIELDS,
    LONG_COLUMNS,
    NUMBER_FIELDS,
    PERIOD_NUMBER_FIELDS,
    USE_KINDS,
    Entry,
    Expanded,
    Loc,
)
from .vocabulary import RESPONSE_TYPES, WILDCARD


def names_tables(raw: Any) -> bool:
    """Whether scenario data names a table (``channels: x.csv``, ``affinity: …``)."""
    if not isinstance(raw, dict):
        return False
    return "affinity" in raw or _is_reference(raw.get("channels"))


def _is_reference(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, dict) and ("file" in value or "sheet" in value))


def expand(raw: dict[str, Any], base: Path) -> Expanded:
    """The scenario data with its tables read in (channels as a list, each channel's
    affinity filled), plus the tables' own problems."""
    data = {k: v for k, v in raw.items() if k != "affinity"}
    out = Expanded(data)
    if _is_reference(raw.get("channels")):
        ref = table_reference("channels", raw["channels"], base, out.problems)
        table = read_table(ref, out.problems, "channel") if ref is not None else None
        if table is None:
            out.channels_lost = True
            data.pop("channels")
        else:
            resources = list(raw["resources"]) if isinstance(raw.get("resources"), dict) else []
            data["channels"] = _channels_from(table, resources, out)
    elif isinstance(raw.get("channels"), list):
        data["channels"] = copy.deepcopy(raw["channels"])
    if "affinity" in raw:
        ref = table_reference("affinity", raw["affinity"], base, out.problems)
        table = read_table(ref, out.problems, "affinity") if ref is not None else None
        if table is not None:
            _affinity_from(table, out)
    return out


# ---------------------------------------------------------------- naming and reading a table


def _unique_columns(table: Table, key_of: Any, problems: list[Problem]) -> list[tuple[int, str, Any]]:
    """(position, header, key) of every column whose key is new; a repeated header is a problem.
    ``key_of(position, header)`` gives a column's key, or None to skip the column."""
    seen: dict[Any, int] = {}
    out = []
    for position, name in table.columns:
        key = key_of(position, name)
        if key is None:
            continue
        if key in seen:
            problems.append(
                Problem(f"{table.label}: row {table.header_row}, column {name}",
                        f"columns {column_letter(seen[key])} and {column_letter(position)} are both headed '{name}'",
                        f"keep one of them (column {column_letter(position)} is ignored)"))
            continue
        seen[key] = position
        out.append((position, name, key))
    return out


# ---------------------------------------------------------------- the channels table


def _channel_column(name: str, resources: list[str]) -> tuple | str:
    """A channels-table header -> ('field', f) | ('response', p) | ('uses', r, k) | ('affinity', p, g)
    | 'note'; or a did-you-mean hint (str starting with '?') for an unknown column."""
    lower = name.lower()
    if name.startswith("#"):
        return "note"
    if lower in CHANNEL_COLUMNS:
        if lower.startswith("response_"):
            return ("response", lower.removeprefix("response_"))
        return ("field", lower)
    if lower.startswith("uses_"):
        for kind in USE_KINDS:
            if lower.endswith(f"_{kind}") and len(name) > len(f"uses__{kind}"):
                return ("uses", name[len("uses_"):-len(kind) - 1], kind)
    if lower.startswith(AFFINITY_PREFIX):
        cell = _phase_segment(name[len(AFFINITY_PREFIX):])
        if cell is not None:
            return ("affinity", *cell)
    choices = [*CHANNEL_COLUMNS, *(f"uses_{r}_{k}" for r in resources for k in USE_KINDS)]
    hint = did_you_mean(lower, choices)
    if not hint and "/" in name and not lower.startswith(AFFINITY_PREFIX):
        hint = f"did you mean '{AFFINITY_PREFIX}{name}'?"
    return "?" + hint


def _phase_segment(text: str) -> tuple[str, str] | None:
    """'awareness/commuters' -> (awareness, commuters); 'awareness' -> (awareness, '*')."""
    phase, _, segment = text.partition("/")
    phase, segment = phase.strip(), segment.strip() or WILDCARD
    return (phase, segment) if phase else None


def _channels_from(table: Table, resources: list[str], out: Expanded) -> list[dict[str, Any]]:
    out.channel_table = table.label
    problems = out.problems
    kinds: dict[int, Any] = {}
    for position, name in table.columns:
        kind = _channel_column(name, resources)
        if isinstance(kind, str) and kind.startswith("?"):
            problems.append(Problem(f"{table.label}: row {table.header_row}, column {name}", "unknown column",
                                    with_hint(kind[1:], COLUMNS_FIX)))
        else:
            kinds[position] = kind
    used = _unique_columns(table, lambda position,
                           _: None if kinds.get(position) in (None, "note") else kinds[position], problems)
    by_key = {key: (position, name) for position, name, key in used}
    for key, (_, name) in by_key.items():
        out.columns[_normal(key)] = name
    if ("field", "id") not in by_key or ("response", "type") not in by_key:
        missing = [c for c, k in (("id", ("field", "id")), ("response_type", ("response", "type"))) if k not in by_key]
        for column in missing:
            hint = did_you_mean(column, [name for _, name in table.columns])
            what = f" ({', '.join(RESPONSE_TYPES)})" if column == "response_type" else ""
            problems.append(
                Problem(table.label, f"has no column {column}", with_hint(hint, f"add a column headed {column}{what}")))
        out.channels_lost = True
        out.channel_table = None
        return []
    channels: list[dict[str, Any]] = []
    for row, cells in table.rows:
        index = len(channels)
        channel: dict[str, Any] = {}
        response: dict[str, Any] = {}
        uses: dict[str, dict[str, Any]] = {}
        for position, name, key in used:
            value = table.cell(cells, position)
            if is_empty(value):
                continue
            if key[0] == "field":
                fieldname = key[1]
                if fieldname in LIST_FIELDS:
                    channel[fieldname] = cell_list(value)
                elif fieldname in NUMBER_FIELDS or fieldname in PERIOD_NUMBER_FIELDS:
                    channel[fieldname] = out.number(Loc(table.label, (row,), name), value, table.decimal)
                else:
                    channel[fieldname] = cell_text(value)
            elif key[0] == "response":
                _response_cell(response, key[1], value, table, row, name, out)
            elif key[0] == "uses":
                uses.setdefault(key[1], {})[key[2]] = out.number(Loc(table.label, (row,), name), value, table.decimal)
        if response:
            channel["response"] = response
            if isinstance(response.get("type"), str):
                out.response_types[index] = response["type"]
        if uses:
            channel["uses"] = uses
        channels.append(channel)
        out.channel_rows[index] = row
        for position, name, key in used:
            value = table.cell(cells, position)
            if key[0] == "affinity" and not is_empty(value):
                place = Loc(table.label, (row,), name)
                header = Loc(table.label, (table.header_row,), name)
                number = out.number(Loc(table.label, (row,), name), value, table.decimal)
                if (table.label, row, name) not in out.handled:
                    _add_affinity(channels, index, key[1], key[2], number, Entry(place, header, header), out)
    return channels


def _response_cell(response: dict[str, Any], part: str, value: Any, table: Table, row: int, name: str,
                   out: Expanded) -> None:
    """One response column of a channel's row into ``response``; an unreadable cell is a problem at its place."""
    if part == "type":
        response["type"] = cell_text(value)
    elif part == "points":
        points = cell_points(value, table.decimal)
        if points is None:
            out.problems.append(
                Problem(str(Loc(table.label, (row,), name)),
                        f"got {show_cell(cell_text(value))}, expected points spend:reach separated by ';'",
                        "write e.g. 0:0; 500:0.3; 2000:0.5 (rising spend, starting at 0:0)"))
            out.handled.add((table.label, row, name))
        else:
            response["points"] = points
    elif part == "adstock_first":
        response[part] = cell_flag(value)
    elif isinstance(value, str) and ";" in value:  # one value per posterior sample
        response[part] = cell_numbers(value)
    else:
        response[part] = out.number(Loc(table.label, (row,), name), value, table.decimal)


def _normal(key: tuple) -> str:
    if key[0] == "field":
        return key[1]
    if key[0] == "response":
        return f"response_{key[1]}"
    if key[0] == "uses":
        return f"uses_{key[1]}_{key[2]}"
    return f"{AFFINITY_PREFIX}{key[1]}/{key[2]}"


# ---------------------------------------------------------------- the affinity table


def _affinity_from(table: Table, out: Expanded) -> None:
    """Fill channels' affinity from a table in long form (channel, phase, segment,
    affinity) or wide form (channel, then one column per phase/segment)."""
    problems = out.problems
    channels = out.data.get("channels")
    ids: dict[str, int] = {}
    if isinstance(channels, list):
        for i, ch in enumerate(channels):
            if isinstance(ch, dict) and isinstance(ch.get("id"), str):
                ids.setdefault(ch["id"], i)
    lower = {name.lower() for _, name in table.columns}
    long_form = "phase" in lower or "affinity" in lower
    used = _unique_columns(table, _affinity_key(table, long_form, problems), problems)
    where = {key: (position, name) for position, name, key in used}
    required = ("channel", "phase", "affinity") if long_form else ("channel",)
    missing = [c for c in required if c not in where]
    for column in missing:
        hint = did_you_mean(column, [name for _, name in table.columns])
        form = ("long form: channel, phase, segment, affinity" if long_form
                else "wide form: channel, then one column per phase/segment")
        problems.append(
            Problem(table.label, f"has no column {column}", with_hint(hint, f"add a column headed {column} ({form})")))
    if missing:
        return
    known = sorted(ids)
    seen_rows: dict[str, int] = {}
    for row, cells in table.rows:
        position, name = where["channel"]
        channel_id = cell_text(table.cell(cells, position))
        channel_loc = Loc(table.label, (row,), name)
        if channel_id is None:
            problems.append(Problem(str(channel_loc), "is empty", "write the id of the channel this row is about"))
            continue
        if out.channels_lost:
            continue  # no channel ids to check against; the channels table's problem is reported
        if channel_id not in ids:
            listed = ", ".join(known[:12]) + (", …" if len(known) > 12 else "")
            problems.append(Problem(str(channel_loc), f"unknown channel '{channel_id}'",
                                    with_hint(did_you_mean(channel_id, known), f"known channels: {listed}")))
        elif long_form:
            _long_affinity(table, row, cells, where, ids[channel_id], out)
        elif channel_id in seen_rows:
            problems.append(
                Problem(str(channel_loc), f"channel '{channel_id}' already has a row (row {seen_rows[channel_id]})",
                        "merge the two rows into one"))
        else:
            seen_rows[channel_id] = row
            for position, name, key in used:
                value = table.cell(cells, position)
                if key == "channel" or is_empty(value):
                    continue
                header = Loc(table.label, (table.header_row,), name)
                number = out.number(Loc(table.label, (row,), name), value, table.decimal)
                if (table.label, row, name) not in out.handled:
                    _add_affinity(channels, ids[channel_id], key[0], key[1], number,
                                  Entry(Loc(table.label, (row,), name), header, header), out)


def _affinity_key(table: Table, long_form: bool, problems: list[Problem]) -> Callable[[int, str], Any]:
    """What each column of an affinity table holds: in long form its name, in wide form the
    (phase, segment) it heads; None for a note column or one that names nothing (a problem)."""
    def long_key(_: int, name: str) -> Any:
        if name.startswith("#"):
            return None
        if name.lower() not in LONG_COLUMNS:
            hint = did_you_mean(name.lower(), LONG_COLUMNS)
            problems.append(
                Problem(f"{table.label}: row {table.header_row}, column {name}", "unknown column",
                        with_hint(hint, "an affinity table in long form has the columns channel, phase, "
                                  "segment and affinity; a header starting with # marks a note column")))
            return None
        return name.lower()

    def wide_key(_: int, name: str) -> Any:
        if name.startswith("#"):
            return None
        if name.lower() == "channel":
            return "channel"
        cell = _phase_segment(name)
        if cell is None:
            problems.append(Problem(f"{table.label}: row {table.header_row}, column {name}", "names no phase",
                                    "head the column phase/segment, or phase alone for every segment"))
        return cell

    return long_key if long_form else wide_key


def _long_affinity(table: Table, row: int, cells: Any, where: dict[Any, tuple[int, str]], index: int,
                   out: Expanded) -> None:
    """One row of an affinity table in long form: the affinity of a channel in a phase (and segment)."""
    value = table.cell(cells, where["affinity"][0])
    if is_empty(value):
        return  # not given
    p_position, p_name = where["phase"]
    phase = cell_text(table.cell(cells, p_position))
    if phase is None:
        out.problems.append(
            Problem(str(Loc(table.label, (row,), p_name)), "is empty", "write a phase id, or * for every phase"))
        return
    segment, s_name = WILDCARD, None
    if "segment" in where:
        s_position, s_name = where["segment"]
        segment = cell_text(table.cell(cells, s_position)) or WILDCARD
    entry = Entry(Loc(table.label, (row,), where["affinity"][1]), Loc(table.label, (row,), p_name),
                  Loc(table.label, (row,), s_name or p_name))
    number = out.number(Loc(table.label, (row,), where["affinity"][1]), value, table.decimal)
    if (table.label, row, where["affinity"][1]) not in out.handled:
        _add_affinity(out.data.get("channels"), index, phase, segment, number, entry, out)


def _add_affinity(channels: Any, index: int, phase: str, segment: str, value: Any, entry: Entry, out: Expanded) -> None:
    """Put one affinity into a channel's data; the same (phase, segment) given twice is a problem."""
    channel = channels[index]
    if not isinstance(channel, dict):
        return
    affinity = channel.setdefault("affinity", {})
    if not isinstance(affinity, dict):
        return  # the schema reports the inline affinity that is not a mapping
    row = affinity.get(phase)
    if isinstance(row, (int, float)) and not isinstance(row, bool):
        row = affinity[phase] = {WILDCARD: row}  # a bare number means every segment
    elif row is None:
        row = affinity[phase] = {}
    if not isinstance(row, dict):
        return
    if segment in row:
        before = out.affinity.get((index, phase, segment))
        if before is not None:
            also = f"row {before.value.rows[0]}" if before.value.table == entry.value.table else str(before.value)
        else:
            also = (
                f"channels[{index}].affinity.{phase}{'' if segment == WILDCARD else '.' + segment} in the scenario file"
            )
        cid = channel.get("id")
        out.problems.append(
            Problem(str(entry.value),
                    f"the affinity of '{cid}' for phase {phase}, segment {segment} is given twice (also {also})",
                    "keep one of them"))
        return
    row[segment] = value
    out.affinity[(index, phase, segment)] = entry


# ---------------------------------------------------------------- cells


