"""The channel-table format and where each value came from: the column names a table may
use, and the record (:class:`Expanded`) that maps every value taken from a table back to
its file, row and column, so the schema's problems are reported where the user typed them
(for :mod:`channelmix.schema.tables`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, get_args

from .models import Constant, Hill, Linear, Pwl, Saturating
from .problems import Problem
from .saturations import SATURATIONS
from .table_cells import cell_number, number_advice, show_cell
from .vocabulary import RESPONSE_TYPES

TEXT_FIELDS = ("id", "label", "ownership", "medium")
LIST_FIELDS = ("function", "tags")
NUMBER_FIELDS = ("fixed_cost", "min_spend", "max_spend")
# a channel's fields in a plan over periods: its window (period ids; a number stands for its id) and time costs
PERIOD_TEXT_FIELDS = ("available_from", "available_until")
PERIOD_NUMBER_FIELDS = ("setup_cost", "carry_over", "carry_in")
PERIOD_FIELDS = (*PERIOD_TEXT_FIELDS, *PERIOD_NUMBER_FIELDS)
# a curve model's type field is Literal["…"]: its one argument is the name of the type
RESPONSE_PARAMS: dict[str, list[str]] = {
    get_args(model.model_fields["type"].annotation)[0]: [name for name in model.model_fields if name != "type"]
    for model in (Constant, Linear, Pwl, Saturating, Hill, *SATURATIONS)}
ALL_PARAMS = [p for t in RESPONSE_TYPES for p in RESPONSE_PARAMS[t]]
CHANNEL_COLUMNS = [*TEXT_FIELDS[:2], *LIST_FIELDS[:1], *TEXT_FIELDS[2:], *LIST_FIELDS[1:], *NUMBER_FIELDS,
                   *PERIOD_FIELDS, "response_type", *(f"response_{p}" for p in dict.fromkeys(ALL_PARAMS))]
USE_KINDS = ("fixed", "per_unit")
AFFINITY_PREFIX = "affinity:"
LONG_COLUMNS = ("channel", "phase", "segment", "affinity")

_PATH_TOKENS = re.compile(r"\.[^.\[]+|\[\d+\]")
_CHANNEL_PATH = re.compile(r"^channels\[(\d+)\](.*)$")
_CHANNEL_REF = re.compile(r"channels\[(\d+)\]")

COLUMNS_FIX = (
    "channel columns are id, label, function, ownership, medium, tags, fixed_cost, min_spend, max_spend, "
    "available_from, available_until, setup_cost, carry_over (plans over periods), response_type, response_<parameter> "
    "(value, slope, points, scale, half, shape), uses_<resource>_fixed, "
    "uses_<resource>_per_unit and affinity:<phase>/<segment>; a header starting with # marks a note column"
)


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
class Entry:
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
    affinity: dict[tuple[int, str, str], Entry] = field(default_factory=dict)
    handled: set[tuple[str, int, str]] = field(default_factory=set)  # cells whose problem the table reader reported
    channels_lost: bool = False  # the channels table could not be read at all

    def number(self, where: Loc, value: Any, decimal: str) -> Any:
        """A cell as a number in its table's decimal sign; a number written another way ('60%',
        '4 500', 'R4,500', an ambiguous '4.500') is a problem at its cell, with the exact fix."""
        if not isinstance(value, str):
            return cell_number(value)
        found, advice = number_advice(value, decimal)
        if found is not None:
            return found
        if advice is not None:
            self.problems.append(Problem(str(where), f"got {show_cell(value.strip())}, {advice[0]}", advice[1]))
            self.handled.add((where.table, where.rows[0], where.column or ""))
        return cell_number(value)

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
            return (f"{self.channel_table} row {self.channel_rows[index]}" if index in self.channel_rows
                    else match.group(0))

        return _CHANNEL_REF.sub(row, warning)


# ---------------------------------------------------------------- the hook that schema.load calls
