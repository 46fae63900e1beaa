"""Channel catalogues and affinities kept in CSV or Excel tables (DESIGN §7).

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

Writing tables (and a starter scenario around a table) is in
:mod:`channelmix.spreadsheets`.
"""

from __future__ import annotations

import copy
import csv
import io
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable

from .models import RESPONSE_TYPES, WILDCARD, Constant, Hill, Linear, Pwl, Saturating
from ..textcells import csv_read
from .problems import Problem, ScenarioError, did_you_mean, with_hint

CSV_SUFFIXES = {".csv": None, ".tsv": "\t"}  # suffix -> forced delimiter (None: detect , ; or tab)
EXCEL_SUFFIXES = (".xlsx", ".xlsm")

TEXT_FIELDS = ("id", "label", "ownership", "medium")
LIST_FIELDS = ("function", "tags")
NUMBER_FIELDS = ("fixed_cost", "min_spend", "max_spend")
RESPONSE_PARAMS: dict[str, list[str]] = {
    model.model_fields["type"].annotation.__args__[0]: [name for name in model.model_fields if name != "type"]
    for model in (Constant, Linear, Pwl, Saturating, Hill)
}
_PARAMS = [p for t in RESPONSE_TYPES for p in RESPONSE_PARAMS[t]]
CHANNEL_COLUMNS = [*TEXT_FIELDS[:2], *LIST_FIELDS[:1], *TEXT_FIELDS[2:], *LIST_FIELDS[1:], *NUMBER_FIELDS,
                   "response_type", *(f"response_{p}" for p in dict.fromkeys(_PARAMS))]
USE_KINDS = ("fixed", "per_unit")
AFFINITY_PREFIX = "affinity:"
LONG_COLUMNS = ("channel", "phase", "segment", "affinity")

_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")
_LIST_SPLIT = re.compile(r"[;,]")
_PATH_TOKENS = re.compile(r"\.[^.\[]+|\[\d+\]")
_CHANNEL_PATH = re.compile(r"^channels\[(\d+)\](.*)$")
_CHANNEL_REF = re.compile(r"channels\[(\d+)\]")

COLUMNS_FIX = ("channel columns are id, label, function, ownership, medium, tags, fixed_cost, min_spend, max_spend, "
               "response_type, response_<parameter> (value, slope, points, scale, half, shape), uses_<resource>_fixed, "
               "uses_<resource>_per_unit and affinity:<phase>/<segment>; a header starting with # marks a note column")


# ---------------------------------------------------------------- where a value came from


@dataclass(frozen=True)
class Loc:
    """A place in a table: its name (``channels.csv``, ``x.xlsx, sheet Kanäle``), rows, a column."""

    table: str
    rows: tuple[int, ...] = ()
    column: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.rows:
            rows = sorted(set(self.rows))
            if len(rows) == 1:
                parts.append(f"row {rows[0]}")
            else:
                parts.append(f"rows {', '.join(map(str, rows[:-1]))} and {rows[-1]}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        return f"{self.table}: {', '.join(parts)}" if parts else self.table


def _merge(locs: Iterable[Loc]) -> list[Loc]:
    """Locations in one table and column become one location naming every row."""
    grouped: dict[tuple[str, str | None], list[int]] = {}
    for loc in locs:
        grouped.setdefault((loc.table, loc.column), []).extend(loc.rows)
    return [Loc(table, tuple(sorted(set(rows))), column) for (table, column), rows in grouped.items()]


@dataclass
class _Entry:
    """One affinity value from a table, and where its value, phase and segment were written."""

    value: Loc
    phase: Loc
    segment: Loc


@dataclass
class Expanded:
    """A scenario's data with its tables read in, the problems of the tables themselves,
    and what is needed to place the schema's problems in the tables."""

    data: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    channel_table: str | None = None  # label of the channels table, when channels came from one
    channel_rows: dict[int, int] = field(default_factory=dict)  # channel index -> row
    columns: dict[str, str] = field(default_factory=dict)  # normalised column name -> header as written
    response_types: dict[int, str] = field(default_factory=dict)
    affinity: dict[tuple[int, str, str], _Entry] = field(default_factory=dict)
    handled: set[tuple[str, int, str]] = field(default_factory=set)  # cells whose problem the table reader reported
    channels_lost: bool = False  # the channels table could not be read at all

    # -- the schema's problems, placed in the tables ---------------------------------

    def place(self, problems: Iterable[Problem]) -> list[Problem]:
        out: list[Problem] = []
        for problem in problems:
            if self.channels_lost and (problem.path == "channels" or problem.message.startswith("unknown channel '")):
                continue  # follows from the unreadable table, which is reported
            for placed in self._place(problem):
                if placed not in out:
                    out.append(placed)
        return out

    def _place(self, problem: Problem) -> list[Problem]:
        match = _CHANNEL_PATH.match(problem.path)
        if match is None:
            return [problem]
        index, rest = int(match.group(1)), match.group(2)
        if rest.startswith(".affinity."):
            placed = self._place_affinity(problem, index, rest.removeprefix(".affinity."))
            if placed is not None:
                return placed
        if self.channel_table is None or index not in self.channel_rows:
            return [problem]
        row = self.channel_rows[index]
        column, present = self._column(index, rest)
        if column is not None and (self.channel_table, row, column) in self.handled:
            return []
        message, fix = self._reword(problem, index, rest, column, present)
        return [Problem(str(Loc(self.channel_table, (row,), column)), message, fix)]

    def _place_affinity(self, problem: Problem, index: int, rest: str) -> list[Problem] | None:
        entries = {(p, g): e for (i, p, g), e in self.affinity.items() if i == index}
        if not entries:
            return None
        key_problem = problem.message.startswith(("unknown phase", "unknown segment"))
        if rest in {p for p, _ in entries}:  # channels[i].affinity.<phase>
            locs = [e.phase if key_problem else e.value for (p, _), e in entries.items() if p == rest]
        else:
            locs = [(e.segment if key_problem else e.value) for (p, g), e in entries.items() if f"{p}.{g}" == rest]
        if not locs:
            return None
        return [Problem(str(loc), self._rows_named(problem.message, loc.table), problem.fix) for loc in _merge(locs)]

    def _column(self, index: int, rest: str) -> tuple[str | None, bool]:
        """The channels-table column a path within a channel refers to, and whether the table has it."""
        tokens = _PATH_TOKENS.findall(rest)
        if not tokens:
            return None, True
        head = tokens[0][1:]
        if head == "response":
            if len(tokens) > 1 and tokens[1].startswith("."):
                name = f"response_{tokens[1][1:]}"
            else:
                name = "response_points" if self.response_types.get(index) == "pwl" else "response_type"
        elif head == "uses" and len(tokens) > 1:
            resource = tokens[1][1:]
            if len(tokens) > 2 and tokens[2].startswith("."):
                name = f"uses_{resource}_{tokens[2][1:]}"
            else:
                name = next((f"uses_{resource}_{k}" for k in USE_KINDS if f"uses_{resource}_{k}" in self.columns),
                            f"uses_{resource}_fixed")
        else:
            name = head
        if name in self.columns:
            return self.columns[name], True
        return name, False

    def _reword(self, problem: Problem, index: int, rest: str, column: str | None, present: bool) -> tuple[str, str]:
        """The schema's words, said of a cell rather than of a key."""
        message, fix = self._rows_named(problem.message, self.channel_table or ""), problem.fix
        if message == "is required but missing" and column is not None:
            fix = "fill in this cell" if present else f"add a column {column} and fill it in for this channel"
            if column == "response_type":
                fix += f" (one of {', '.join(RESPONSE_TYPES)}) and the response's parameter columns"
        elif message == "has no 'type'":
            fix = f"fill in {column}: one of {', '.join(RESPONSE_TYPES)}"
        elif message.startswith("unknown key in") and rest.startswith(".response."):
            kind = self.response_types.get(index, "")
            takes = ", ".join(f"response_{p}" for p in RESPONSE_PARAMS.get(kind, []))
            message = f"is not a parameter of a {kind} response"
            fix = f"clear this cell; a {kind} response takes {takes}"
        return message, fix

    def _rows_named(self, message: str, table: str) -> str:
        """'(also channels[2])' -> '(also row 4)': a channel is named by its row."""
        if self.channel_table is None:
            return message

        def row(match: re.Match) -> str:
            index = int(match.group(1))
            if index not in self.channel_rows:
                return match.group(0)
            prefix = "" if table == self.channel_table else f"{self.channel_table} "
            return f"{prefix}row {self.channel_rows[index]}"

        return _CHANNEL_REF.sub(row, message)

    def place_warning(self, warning: str) -> str:
        if self.channel_table is None:
            return warning

        def row(match: re.Match) -> str:
            index = int(match.group(1))
            return f"{self.channel_table} row {self.channel_rows[index]}" if index in self.channel_rows else match.group(0)

        return _CHANNEL_REF.sub(row, warning)


# ---------------------------------------------------------------- the hook that schema.load calls


def names_tables(raw: Any) -> bool:
    """Whether scenario data names a table (``channels: x.csv``, ``affinity: …``)."""
    if not isinstance(raw, dict):
        return False
    return "affinity" in raw or _is_reference(raw.get("channels"))


def _is_reference(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, dict) and ("file" in value or "sheet" in value))


def validate_with_tables(raw: dict[str, Any], source: str, base: Path) -> Any:
    """Read the tables that ``raw`` names (relative to ``base``), validate the result like
    a scenario file, and report every problem — of the tables, in the tables, and of
    the file itself — at once. Returns a :class:`~channelmix.schema.load.Loaded` whose
    ``raw`` holds the channels as a list, so overrides (``channels.<id>.<field>``) work."""
    from .load import validate

    expanded = expand(raw, base)
    try:
        loaded = validate(expanded.data, source, base)
    except ScenarioError as err:
        raise ScenarioError(source, [*expanded.problems, *expanded.place(err.problems)]) from None
    if expanded.problems:
        raise ScenarioError(source, expanded.problems)
    return replace(loaded, warnings=[expanded.place_warning(w) for w in loaded.warnings])


def expand(raw: dict[str, Any], base: Path) -> Expanded:
    """The scenario data with its tables read in (channels as a list, each channel's
    affinity filled), plus the tables' own problems."""
    data = {k: v for k, v in raw.items() if k != "affinity"}
    out = Expanded(data)
    if _is_reference(raw.get("channels")):
        ref = _reference("channels", raw["channels"], base, out.problems)
        table = _read_table(ref, out.problems, "channel") if ref is not None else None
        if table is None:
            out.channels_lost = True
            data.pop("channels")
        else:
            resources = list(raw["resources"]) if isinstance(raw.get("resources"), dict) else []
            data["channels"] = _channels_from(table, resources, out)
    elif isinstance(raw.get("channels"), list):
        data["channels"] = copy.deepcopy(raw["channels"])
    if "affinity" in raw:
        ref = _reference("affinity", raw["affinity"], base, out.problems)
        table = _read_table(ref, out.problems, "affinity") if ref is not None else None
        if table is not None:
            _affinity_from(table, out)
    return out


# ---------------------------------------------------------------- naming and reading a table


@dataclass(frozen=True)
class _Ref:
    key: str  # the scenario key that names the table
    file: str  # as written in the scenario
    sheet: str | None
    path: Path

    @property
    def label(self) -> str:
        return f"{self.file}, sheet {self.sheet}" if self.sheet is not None else self.file


def _reference(key: str, value: Any, base: Path, problems: list[Problem]) -> _Ref | None:
    example = f"write {key}: {key}.csv, or {key}: {{file: {key}.xlsx, sheet: <sheet name>}}"
    if isinstance(value, str):
        file, sheet = value, None
    elif isinstance(value, dict):
        for extra in [k for k in value if k not in ("file", "sheet")]:
            hint = did_you_mean(extra, ["file", "sheet"])
            problems.append(Problem(f"{key}.{extra}", f"unknown key in {key}", with_hint(hint, "a table is named by file and sheet")))
        file, sheet = value.get("file"), value.get("sheet")
        if file is None:
            problems.append(Problem(f"{key}.file", "is required but missing", example))
            return None
        if not isinstance(file, str):
            problems.append(Problem(f"{key}.file", f"got {_show(file)}, expected the path of a table", example))
            return None
        if sheet is not None and not isinstance(sheet, (str, int)):
            problems.append(Problem(f"{key}.sheet", f"got {_show(sheet)}, expected a sheet name", "write the sheet's name as text"))
            return None
        sheet = None if sheet is None else str(sheet)
    else:
        problems.append(Problem(key, f"got {_show(value)}, expected the path of a table", example))
        return None
    if not file.strip():
        problems.append(Problem(key, "names no file", example))
        return None
    path = Path(file).expanduser()
    if not path.is_absolute():
        path = base / path
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES and suffix not in EXCEL_SUFFIXES:
        if suffix == ".xls":
            fix = "save it as an Excel Workbook (.xlsx) or as CSV UTF-8 (.csv)"
        else:
            fix = "list the channels here, or name a .csv or .xlsx table" if key == "channels" else "name a .csv or .xlsx table"
        problems.append(Problem(key, f"cannot read '{file}': tables are read from .csv and .xlsx files", fix))
        return None
    if sheet is not None and suffix in CSV_SUFFIXES:
        problems.append(Problem(f"{key}.sheet", f"{file} is a CSV file, which has no sheets", "remove sheet, or name an .xlsx file"))
        return None
    return _Ref(key, file, sheet, path)


def _read_grid(ref: _Ref, problems: list[Problem]) -> list[list[Any]] | None:
    """The cells of a table, row by row (row 1 first), or None with a problem."""
    folder = ref.path.parent.resolve()
    if not ref.path.exists():
        problems.append(Problem(ref.key, f"file '{ref.file}' not found (looked in {folder})",
                                "check the name; a table's path is relative to the scenario file's folder"))
        return None
    if ref.path.is_dir():
        problems.append(Problem(ref.key, f"'{ref.file}' is a folder, not a table", "name a .csv or .xlsx file"))
        return None
    if ref.path.suffix.lower() in CSV_SUFFIXES:
        return _read_csv(ref, problems)
    return _read_excel(ref, problems)


def _read_csv(ref: _Ref, problems: list[Problem]) -> list[list[Any]] | None:
    try:
        text = ref.path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as err:
        problems.append(Problem(ref.key, f"{ref.file} is not UTF-8 text (byte {err.start})",
                                "save it as 'CSV UTF-8' (Excel) or with UTF-8 encoding"))
        return None
    except OSError as err:
        problems.append(Problem(ref.key, f"cannot read {ref.file}: {err.strerror or err}", "check the file"))
        return None
    delimiter = CSV_SUFFIXES[ref.path.suffix.lower()]
    if delimiter is None:
        first = next((line for line in text.splitlines() if line.strip()), "")
        delimiter = max([",", ";", "\t"], key=first.count) if any(d in first for d in ",;\t") else ","
    try:
        return [[csv_read(cell) for cell in row] for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as err:
        problems.append(Problem(ref.key, f"{ref.file} is not a readable CSV file: {err}", "save it again as CSV"))
        return None


def _read_excel(ref: _Ref, problems: list[Problem]) -> list[list[Any]] | None:
    import zipfile

    import openpyxl

    try:
        book = openpyxl.load_workbook(ref.path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as err:
        problems.append(Problem(ref.key, f"{ref.file} is not a readable Excel workbook ({type(err).__name__}: {err})",
                                "save it again as .xlsx, or as CSV UTF-8"))
        return None
    try:
        names = list(book.sheetnames)
        if ref.sheet is None:
            sheet = book[names[0]]
        else:
            name = ref.sheet if ref.sheet in names else next((n for n in names if n.casefold() == ref.sheet.casefold()), None)
            if name is None:
                hint = did_you_mean(ref.sheet, names)
                problems.append(Problem(f"{ref.key}.sheet", f"{ref.file} has no sheet '{ref.sheet}'",
                                        with_hint(hint, f"sheets in {ref.file}: {', '.join(names)}")))
                return None
            sheet = book[name]
        if not hasattr(sheet, "iter_rows"):
            problems.append(Problem(ref.key, f"sheet '{sheet.title}' of {ref.file} is a chart, not a table", "name a sheet with cells"))
            return None
        sheet.reset_dimensions()  # some writers record wrong sizes: read every row there is
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


@dataclass
class _Table:
    label: str
    header_row: int
    columns: list[tuple[int, str]]  # (position, header as written)
    rows: list[tuple[int, list[Any]]]  # (row number, cells)

    def cell(self, cells: list[Any], position: int) -> Any:
        return cells[position] if position < len(cells) else None


def _read_table(ref: _Ref, problems: list[Problem], kind: str) -> _Table | None:
    """A table: the first non-empty row is its header; empty rows are skipped."""
    grid = _read_grid(ref, problems)
    if grid is None:
        return None
    label = ref.label
    header_at = next((i for i, row in enumerate(grid) if any(not _empty(c) for c in row)), None)
    what = "one row per channel" if kind == "channel" else "one row per affinity"
    if header_at is None:
        first = "id, label, …, response_type, …" if kind == "channel" else "channel, phase, segment, affinity"
        problems.append(Problem(label, "is empty", f"write a header row ({first}) and below it {what}"))
        return None
    header = grid[header_at]
    columns = []
    for position, cell in enumerate(header):
        name = _text(cell)
        if name is not None:
            columns.append((position, name))
        elif any(position < len(row) and not _empty(row[position]) for row in grid[header_at + 1:]):
            problems.append(Problem(f"{label}: column {_letter(position)}", "has values but no header",
                                    f"write a header in row {header_at + 1}, or clear the column"))
    rows = [(number, row) for number, row in enumerate(grid[header_at + 1:], start=header_at + 2)
            if any(p < len(row) and not _empty(row[p]) for p, _ in columns)]
    if not rows:
        problems.append(Problem(label, "has a header but no rows", f"add {what} below the header"))
        return None
    return _Table(label, header_at + 1, columns, rows)


def _unique_columns(table: _Table, key_of: Any, problems: list[Problem]) -> list[tuple[int, str, Any]]:
    """(position, header, key) of every column whose key is new; a repeated header is a problem.
    ``key_of(position, header)`` gives a column's key, or None to skip the column."""
    seen: dict[Any, int] = {}
    out = []
    for position, name in table.columns:
        key = key_of(position, name)
        if key is None:
            continue
        if key in seen:
            problems.append(Problem(f"{table.label}: row {table.header_row}, column {name}",
                                    f"columns {_letter(seen[key])} and {_letter(position)} are both headed '{name}'",
                                    f"keep one of them (column {_letter(position)} is ignored)"))
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


def _channels_from(table: _Table, resources: list[str], out: Expanded) -> list[dict[str, Any]]:
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
    used = _unique_columns(table, lambda position, _: None if kinds.get(position) in (None, "note") else kinds[position],
                           problems)
    by_key = {key: (position, name) for position, name, key in used}
    for key, (_, name) in by_key.items():
        out.columns[_normal(key)] = name
    if ("field", "id") not in by_key or ("response", "type") not in by_key:
        missing = [c for c, k in (("id", ("field", "id")), ("response_type", ("response", "type"))) if k not in by_key]
        for column in missing:
            hint = did_you_mean(column, [name for _, name in table.columns])
            what = f" ({', '.join(RESPONSE_TYPES)})" if column == "response_type" else ""
            problems.append(Problem(table.label, f"has no column {column}", with_hint(hint, f"add a column headed {column}{what}")))
        out.channels_lost = True
        out.channel_table = None
        return []
    channels = []
    for row, cells in table.rows:
        index = len(channels)
        channel: dict[str, Any] = {}
        response: dict[str, Any] = {}
        uses: dict[str, dict[str, Any]] = {}
        for position, name, key in used:
            value = table.cell(cells, position)
            if _empty(value):
                continue
            if key[0] == "field":
                fieldname = key[1]
                if fieldname in LIST_FIELDS:
                    channel[fieldname] = _list(value)
                elif fieldname in NUMBER_FIELDS:
                    channel[fieldname] = _number(value)
                else:
                    channel[fieldname] = _text(value)
            elif key[0] == "response":
                if key[1] == "type":
                    response["type"] = _text(value)
                elif key[1] == "points":
                    points = _points(value)
                    if points is None:
                        problems.append(Problem(str(Loc(table.label, (row,), name)),
                                                f"got {_show(_text(value))}, expected points spend:reach separated by ';'",
                                                "write e.g. 0:0; 500:0.3; 2000:0.5 (rising spend, starting at 0:0)"))
                        out.handled.add((table.label, row, name))
                    else:
                        response["points"] = points
                else:
                    response[key[1]] = _number(value)
            elif key[0] == "uses":
                uses.setdefault(key[1], {})[key[2]] = _number(value)
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
            if key[0] == "affinity" and not _empty(value):
                place = Loc(table.label, (row,), name)
                header = Loc(table.label, (table.header_row,), name)
                _add_affinity(channels, index, key[1], key[2], _number(value), _Entry(place, header, header), out)
    return channels


def _normal(key: tuple) -> str:
    if key[0] == "field":
        return key[1]
    if key[0] == "response":
        return f"response_{key[1]}"
    if key[0] == "uses":
        return f"uses_{key[1]}_{key[2]}"
    return f"{AFFINITY_PREFIX}{key[1]}/{key[2]}"


# ---------------------------------------------------------------- the affinity table


def _affinity_from(table: _Table, out: Expanded) -> None:
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
    if long_form:
        def key_of(_: int, name: str) -> Any:
            if name.startswith("#"):
                return None
            if name.lower() not in LONG_COLUMNS:
                hint = did_you_mean(name.lower(), LONG_COLUMNS)
                problems.append(Problem(f"{table.label}: row {table.header_row}, column {name}", "unknown column",
                                        with_hint(hint, "an affinity table in long form has the columns channel, phase, "
                                                  "segment and affinity; a header starting with # marks a note column")))
                return None
            return name.lower()
    else:
        def key_of(_: int, name: str) -> Any:
            if name.startswith("#"):
                return None
            if name.lower() == "channel":
                return "channel"
            cell = _phase_segment(name)
            if cell is None:
                problems.append(Problem(f"{table.label}: row {table.header_row}, column {name}", "names no phase",
                                        "head the column phase/segment, or phase alone for every segment"))
            return cell
    used = _unique_columns(table, key_of, problems)
    where = {key: (position, name) for position, name, key in used}
    required = ("channel", "phase", "affinity") if long_form else ("channel",)
    missing = [c for c in required if c not in where]
    for column in missing:
        hint = did_you_mean(column, [name for _, name in table.columns])
        form = "long form: channel, phase, segment, affinity" if long_form else "wide form: channel, then one column per phase/segment"
        problems.append(Problem(table.label, f"has no column {column}", with_hint(hint, f"add a column headed {column} ({form})")))
    if missing:
        return
    known = sorted(ids)
    seen_rows: dict[str, int] = {}
    for row, cells in table.rows:
        position, name = where["channel"]
        channel_id = _text(table.cell(cells, position))
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
            continue
        index = ids[channel_id]
        if long_form:
            value = table.cell(cells, where["affinity"][0])
            if _empty(value):
                continue  # not given
            p_position, p_name = where["phase"]
            phase = _text(table.cell(cells, p_position))
            if phase is None:
                problems.append(Problem(str(Loc(table.label, (row,), p_name)), "is empty", "write a phase id, or * for every phase"))
                continue
            segment, s_name = WILDCARD, None
            if "segment" in where:
                s_position, s_name = where["segment"]
                segment = _text(table.cell(cells, s_position)) or WILDCARD
            entry = _Entry(Loc(table.label, (row,), where["affinity"][1]), Loc(table.label, (row,), p_name),
                           Loc(table.label, (row,), s_name or p_name))
            _add_affinity(channels, index, phase, segment, _number(value), entry, out)
        else:
            if channel_id in seen_rows:
                problems.append(Problem(str(channel_loc), f"channel '{channel_id}' already has a row (row {seen_rows[channel_id]})",
                                        "merge the two rows into one"))
                continue
            seen_rows[channel_id] = row
            for position, name, key in used:
                value = table.cell(cells, position)
                if key == "channel" or _empty(value):
                    continue
                header = Loc(table.label, (table.header_row,), name)
                _add_affinity(channels, index, key[0], key[1], _number(value),
                              _Entry(Loc(table.label, (row,), name), header, header), out)


def _add_affinity(channels: Any, index: int, phase: str, segment: str, value: Any, entry: _Entry, out: Expanded) -> None:
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
            also = f"channels[{index}].affinity.{phase}{'' if segment == WILDCARD else '.' + segment} in the scenario file"
        cid = channel.get("id")
        out.problems.append(Problem(str(entry.value), f"the affinity of '{cid}' for phase {phase}, segment {segment} is given twice (also {also})",
                                    "keep one of them"))
        return
    row[segment] = value
    out.affinity[(index, phase, segment)] = entry


# ---------------------------------------------------------------- cells


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str | None:
    """A cell as text: numbers as written (1.0 -> '1'), dates in ISO form; empty -> None."""
    if _empty(value):
        return None
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _format_number(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _number(value: Any) -> Any:
    """A cell as a number when it is one (or numeric text); anything else is left as it is,
    for the schema to report."""
    if isinstance(value, str):
        text = value.strip()
        if _NUMBER.fullmatch(text):
            return int(text) if _INTEGER.fullmatch(text) else float(text)
        return text
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _list(value: Any) -> list[str]:
    text = _text(value) or ""
    return [part.strip() for part in _LIST_SPLIT.split(text) if part.strip()]


def _points(value: Any) -> list[list[float]] | None:
    """'0:0; 500:0.3; 2000:0.5' -> [[0, 0], [500, 0.3], [2000, 0.5]], or None if it is not that."""
    text = _text(value) or ""
    points = []
    for part in _LIST_SPLIT.split(text):
        if not part.strip():
            continue
        pair = [p.strip() for p in part.split(":")]
        if len(pair) != 2 or not all(_NUMBER.fullmatch(p) for p in pair):
            return None
        points.append([_number(p) for p in pair])
    return points or None


def _format_number(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def _letter(position: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the column letter a spreadsheet shows."""
    out = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


def _show(value: Any) -> str:
    from .problems import show

    return show(value)
