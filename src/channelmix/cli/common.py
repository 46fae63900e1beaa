"""What every command shares: exit codes, the console, reading every input before anything is
solved, writing reports, and the options several commands take (as decorators)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from ..reports.i18n import LANGUAGES
from ..schema import Loaded, ScenarioError, load
from ..schema.expand import Case, derive, parse_assignments, variants
from ..schema.limits import MAX_TIME_LIMIT
from .types import Number

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress

OK, NO_PLAN, BAD_INPUT = 0, 1, 2
F = TypeVar("F", bound=Callable[..., Any])


def set_option(fn: F) -> F:
    return click.option(
        "--set",
        "assignments",
        multiple=True,
        metavar="PATH=VALUE",
        help="Override a value, e.g. --set budget=3500 --set channels.fb_ads.fixed_cost=900 (repeatable).",
    )(fn)


def decimal_option(fn: F) -> F:
    """--decimal: the decimal sign of channel tables that do not declare one (as init's)."""
    return click.option("--decimal", type=click.Choice([".", ","]), default=None,
                        help="The decimal sign of the channel tables' numbers, for tables without their own "
                        "decimal: key (default: found from the table; ',' for 0,5).")(fn)


def report_option(fn: F) -> F:
    return click.option("--report", "reports", multiple=True, type=click.Choice(["html", "md", "xlsx"]),
                        help="Also write a report (repeatable) into --out: html (self-contained, with charts), "
                             "md (Markdown) or xlsx (Excel).")(fn)


def format_option(fn: F) -> F:
    return click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
                        help="table: readable; json: one JSON object per line.")(fn)


def language_option(fn: F) -> F:
    return click.option("--language", type=click.Choice(list(LANGUAGES)),
                        help="Language of the reports and the terminal view "
                             "(default: the scenario's language:, else English).")(fn)


def solver_options(fn: F) -> F:
    """--solver, --time-limit, --gap and --threads: the file's solver settings overridden."""
    for option in reversed(
        [click.option("--solver", type=click.Choice(["highs", "cbc"]), help="Override solver.name."),
         click.option("--time-limit", type=Number(min=0, min_open=True, max=MAX_TIME_LIMIT),
                      help="Override solver.time_limit (seconds)."),
         click.option("--gap", type=Number(min=0, max=1, max_open=True),
                      help="Override solver.gap (relative)."),
         click.option("--threads", type=click.IntRange(min=1), help="Override solver.threads.")]):
        fn = option(fn)
    return fn


def console(stderr: bool = False) -> Console:
    """A terminal's own width; piped or captured: COLUMNS when set, else wide enough for
    frontier tables."""
    from rich.console import Console  # only for tables: JSON output never loads rich

    stream = sys.stderr if stderr else sys.stdout
    given = os.environ.get("COLUMNS", "")
    width = None if stream.isatty() else (int(given) if given.isdigit() and int(given) >= 40 else 160)
    return Console(stderr=stderr, highlight=False, soft_wrap=False, width=width)


def progress_bar(label: str, transient: bool = False) -> Progress:
    """A progress bar with the count, elapsed time and ETA, on stderr (stdout stays the answer's)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("ETA"),
                    TimeRemainingColumn(), console=console(stderr=True), transient=transient)


def fail(lines: list[str]) -> NoReturn:
    """Every problem on stderr, then exit 2: bad input, nothing solved or written."""
    for line in lines:
        click.echo(line, err=True)
    sys.exit(BAD_INPUT)


def need_out(reports: tuple[str, ...], out_dir: Path | None) -> None:
    if reports and out_dir is None:
        fail(["error: --report needs --out DIR (where the report goes)"])


def stop_if(failed: list[ScenarioError], summary: str) -> None:
    """Report every problem of every input and exit 2 before anything is solved."""
    if failed:
        fail([err.render() for err in failed] + [f"error: {summary}; nothing was solved"])


def load_all(paths: tuple[str, ...]) -> list[Loaded]:
    """Validate every file first; any problem stops the run before anything is solved."""
    loaded, failed = [], []
    for path in paths:
        try:
            loaded.append(load(path))
        except ScenarioError as err:
            failed.append(err)
    stop_if(failed, f"{len(failed)} of {len(paths)} file{'s' if len(paths) != 1 else ''} could not be read")
    return loaded


def overrides(assignments: tuple[str, ...]) -> dict[str, Any]:
    try:
        return parse_assignments(assignments)
    except ScenarioError as err:
        fail([err.render()])


def cases(paths: tuple[str, ...], assignments: tuple[str, ...], decimal: str | None = None,
          **solver: Any) -> list[Case]:
    """Every file's base scenario and variants, with --set overrides and solver options (``decimal``:
    the decimal sign of tables that declare none, --decimal); any problem anywhere stops the run before
    anything is solved."""
    from ..schema.table_files import decimal_sign

    changes = overrides(assignments)
    found, failed = [], []
    with decimal_sign(decimal):
        for item in load_all(paths):
            try:
                found += variants(item, changes)
            except ScenarioError as err:
                failed.append(err)
    stop_if(failed, "some variants or overrides are invalid")
    if all(v is None for v in solver.values()):
        return found  # validate never loads the solver stack
    from ..solve.pipeline import with_solver

    return [Case(c.name, with_solver(c.scenario, **solver), c.source, c.warnings, c.overrides, c.variant)
            for c in found]


def bases(paths: tuple[str, ...], assignments: tuple[str, ...]) -> list[Loaded]:
    """Every file's base scenario with --set overrides (no variants); any problem anywhere
    stops before anything is solved."""
    try:
        changes = parse_assignments(assignments)
    except ScenarioError as err:
        fail([err.render()])
    out, problems = [], []
    for path in paths:
        try:
            loaded = load(path)
            if changes:
                case = derive(loaded, changes)
                loaded = Loaded(case.scenario, loaded.source, case.warnings)
            out.append(loaded)
        except ScenarioError as err:
            problems.append(err.render())
    if problems:
        fail(problems + [f"error: {len(problems)} of {len(paths)} file(s) could not be read; nothing was solved"])
    return out


def write_reports(kinds: tuple[str, ...], out_dir: Path, **what: Any) -> None:
    """Each report kind asked for, written into ``out_dir`` (its path on stderr)."""
    from ..reports import write_report

    for kind in kinds:
        click.echo(f"wrote {write_report(kind, out_dir, **what)}", err=True)
