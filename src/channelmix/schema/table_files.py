"""Finding and reading a table a scenario names: a CSV/TSV file (delimiter detected) or
an Excel sheet, into rows of cells (for :mod:`channelmix.schema.tables`)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.textcells import csv_read
from .problems import Problem, did_you_mean, with_hint
from .table_cells import cell_text, column_letter, is_empty, show_cell

CSV_SUFFIXES = {".csv": None, ".tsv": "\t"}  # suffix -> forced delimiter (None: detect , ; or tab)
EXCEL_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(frozen=True)
class TableRef:
    key: str  # the scenario key that names the table
    file: str  # as written in the scenario
    sheet: str | None
    path: Path
    decimal: str | None = None  # the decimal sign the table's numbers use; None: found from the table

    @property
    def label(self) -> str:
        return f"{self.file}, sheet {self.sheet}" if self.sheet is not None else self.file


def table_reference(key: str, value: Any, base: Path, problems: list[Problem]) -> TableRef | None:
    example = f"write {key}: {key}.csv, or {key}: {{file: {key}.xlsx, sheet: <sheet name>}}"
    file: Any
    sheet: Any
    if isinstance(value, str):
        file, sheet = value, None
    elif isinstance(value, dict):
        for extra in [k for k in value if k not in ("file", "sheet", "decimal")]:
            hint = did_you_mean(extra, ["file", "sheet", "decimal"])
            problems.append(
                Problem(f"{key}.{extra}", f"unknown key in {key}",
                        with_hint(hint, "a table is named by file and sheet")))
        file, sheet = value.get("file"), value.get("sheet")
        decimal = value.get("decimal")
        if decimal is not None and decimal not in (".", ","):
            problems.append(Problem(f"{key}.decimal", f"got {show_cell(decimal)}, expected '.' or ','",
                                    "write decimal: ',' for numbers written 0,5 (or leave it out: it is found)"))
            return None
        if file is None:
            problems.append(Problem(f"{key}.file", "is required but missing", example))
            return None
        if not isinstance(file, str):
            problems.append(Problem(f"{key}.file", f"got {show_cell(file)}, expected the path of a table", example))
            return None
        if sheet is not None and not isinstance(sheet, (str, int)):
            problems.append(
                Problem(f"{key}.sheet", f"got {show_cell(sheet)}, expected a sheet name",
                        "write the sheet's name as text"))
            return None
        sheet = None if sheet is None else str(sheet)
    else:
        problems.append(Problem(key, f"got {show_cell(value)}, expected the path of a table", example))
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
            fix = ("list the channels here, or name a .csv or .xlsx table" if key == "channels"
                   else "name a .csv or .xlsx table")
        problems.append(Problem(key, f"cannot read '{file}': tables are read from .csv and .xlsx files", fix))
        return None
    if sheet is not None and suffix in CSV_SUFFIXES:
        problems.append(
            Problem(f"{key}.sheet", f"{file} is a CSV file, which has no sheets",
                    "remove sheet, or name an .xlsx file"))
        return None
    return TableRef(key, file, sheet, path, decimal if isinstance(value, dict) else None)


def _read_grid(ref: TableRef, problems: list[Problem]) -> list[list[Any]] | None:
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


def _read_csv(ref: TableRef, problems: list[Problem]) -> list[list[Any]] | None:
    try:
        text = ref.path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as err:
        problems.append(Problem(ref.key, f"{ref.file} is not UTF-8 text (byte {err.start})",
                                "save it as 'CSV UTF-8' (Excel) or with UTF-8 encoding"))
        return None
    except OSError as err:
        problems.append(Problem(ref.key, f"cannot read {ref.file}: {err.strerror or err}", "check the file"))
        return None
    delimiter = CSV_SUFFIXES[ref.path.suffix.lower()] or _detect_delimiter(text)
    try:
        return [[csv_read(cell) for cell in row]
                for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as err:
        problems.append(Problem(ref.key, f"{ref.file} is not a readable CSV file: {err}", "save it again as CSV"))
        return None


def _read_excel(ref: TableRef, problems: list[Problem]) -> list[list[Any]] | None:
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
            name = (ref.sheet if ref.sheet in names
                    else next((n for n in names if n.casefold() == ref.sheet.casefold()), None))
            if name is None:
                hint = did_you_mean(ref.sheet, names)
                problems.append(Problem(f"{ref.key}.sheet", f"{ref.file} has no sheet '{ref.sheet}'",
                                        with_hint(hint, f"sheets in {ref.file}: {', '.join(names)}")))
                return None
            sheet = book[name]
        if not hasattr(sheet, "iter_rows"):
            problems.append(
                Problem(ref.key, f"sheet '{sheet.title}' of {ref.file} is a chart, not a table",
                        "name a sheet with cells"))
            return None
        sheet.reset_dimensions()  # some writers record wrong sizes: read every row there is
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


@dataclass
class Table:
    label: str
    header_row: int
    columns: list[tuple[int, str]]  # (position, header as written)
    rows: list[tuple[int, list[Any]]]  # (row number, cells)
    decimal: str = "."  # the decimal sign of the numbers written as text

    def cell(self, cells: list[Any], position: int) -> Any:
        return cells[position] if position < len(cells) else None


def read_table(ref: TableRef, problems: list[Problem], kind: str) -> Table | None:
    """A table: the first non-empty row is its header; empty rows are skipped."""
    grid = _read_grid(ref, problems)
    if grid is None:
        return None
    label = ref.label
    header_at = next((i for i, row in enumerate(grid) if any(not is_empty(c) for c in row)), None)
    what = "one row per channel" if kind == "channel" else "one row per affinity"
    if header_at is None:
        first = "id, label, …, response_type, …" if kind == "channel" else "channel, phase, segment, affinity"
        problems.append(Problem(label, "is empty", f"write a header row ({first}) and below it {what}"))
        return None
    header = grid[header_at]
    columns = []
    for position, cell in enumerate(header):
        name = cell_text(cell)
        if name is not None:
            columns.append((position, name))
        elif any(position < len(row) and not is_empty(row[position]) for row in grid[header_at + 1:]):
            problems.append(Problem(f"{label}: column {column_letter(position)}", "has values but no header",
                                    f"write a header in row {header_at + 1}, or clear the column"))
    width = len(header)  # cells, empty ones included: a column with values but no header is reported as such
    rows = []
    for number, row in enumerate(grid[header_at + 1:], start=header_at + 2):
        if not any(p < len(row) and not is_empty(row[p]) for p, _ in columns):
            continue
        if ref.path.suffix.lower() in CSV_SUFFIXES and _used(row) > width:  # a separator inside a value
            problems.append(Problem(f"{label}: row {number}", f"has {_used(row)} cells, the header {width}",
                                    _ragged_fix(ref, row)))
            continue
        rows.append((number, row))
    if not rows and not any(p.path.startswith(f"{label}: row ") for p in problems):
        problems.append(Problem(label, "has a header but no rows", f"add {what} below the header"))
        return None
    if not rows:
        return None
    decimal = ref.decimal or COMMAND_DECIMAL.get() or _decimal_of(grid[header_at + 1:], _delimiter_of(ref))
    return Table(label, header_at + 1, columns, rows, decimal)


def _used(row: list[Any]) -> int:
    """How many cells a row has, empty ones at its end not counted."""
    return max((i + 1 for i, cell in enumerate(row) if not is_empty(cell)), default=0)


def _ragged_fix(ref: TableRef, row: list[Any]) -> str:
    delimiter = _delimiter_of(ref)
    if delimiter == "," and any(re.fullmatch(r"[+-]?\d+", cell_text(c) or "") for c in row):
        return ("a number written with a comma (2,5 or 4,500) splits in two: write 2.5 or 4500 (or put the value in "
                "quotes and give the table decimal: ',' for decimal commas)")
    return f"a value holds the separator '{delimiter}': put that value in quotes"


def _delimiter_of(ref: TableRef) -> str | None:
    """The separator of a CSV table (None for a sheet)."""
    suffix = ref.path.suffix.lower()
    if suffix not in CSV_SUFFIXES:
        return None
    if CSV_SUFFIXES[suffix] is not None:
        return CSV_SUFFIXES[suffix]
    try:
        text = ref.path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return ","
    return _detect_delimiter(text)


def _detect_delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    return max([",", ";", "\t"], key=first.count) if any(d in first for d in ",;\t") else ","


# the command line's --decimal: the decimal sign of every table that does not declare its own (None: found)
COMMAND_DECIMAL: ContextVar[str | None] = ContextVar("command_decimal", default=None)


@contextmanager
def decimal_sign(decimal: str | None) -> Iterator[None]:
    """Read tables inside the block with ``decimal`` as their decimal sign unless a table declares one
    (``--decimal ,`` on validate and solve, as on init)."""
    token = COMMAND_DECIMAL.set(decimal)
    try:
        yield
    finally:
        COMMAND_DECIMAL.reset(token)


_COMMA_DECIMAL = re.compile(r"[+-]?\d+,\d+")
_POINT_DECIMAL = re.compile(r"[+-]?\d*\.\d+")


def _decimal_of(rows: list[list[Any]], delimiter: str | None) -> str:
    """',' when a table separated by ';' or tabs writes its numbers with decimal commas (0,5)
    and none with a decimal point; '.' otherwise (a sheet's numbers are numbers already)."""
    if delimiter in (None, ","):
        return "."
    # every number a cell writes, the spends and reaches of a points cell ('0:0; 500:0,3') among them
    texts = [piece.strip() for row in rows for c in row if isinstance(c, str) for piece in re.split(r"[;:]", c)]
    commas = any(_COMMA_DECIMAL.fullmatch(c) for c in texts)
    points = any(_POINT_DECIMAL.fullmatch(c) for c in texts)
    return "," if commas and not points else "."
