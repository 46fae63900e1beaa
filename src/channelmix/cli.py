"""The ``channelmix`` command: a thin layer over :mod:`channelmix.api`.

Exit codes: 0 every scenario solved; 1 some scenario infeasible or unsolved;
2 bad input (nothing is solved or written).
"""

from __future__ import annotations

import os
import sys
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import __version__
from .api import solve_scenario, with_solver
from .expand import Case, parse_assignment, parse_range, sweep_of, variants
from .plan import SOLVED
from .report import print_table, render, rows_as_json, to_json, unique_stem, write_collection, write_outputs
from .cli_report import LANGUAGE_OPTION
from .cli_types import Number
from .reports.common import without_single_periods
from .reports.reachable import report_facts
from .schema import Loaded, Problem, ScenarioError, load
from .schema.limits import MAX_TIME_LIMIT
from .yaml_file import write

if TYPE_CHECKING:
    from rich.console import Console

OK, NO_PLAN, BAD_INPUT = 0, 1, 2


def _need_out(reports: tuple[str, ...], out_dir: Path | None) -> None:
    if reports and out_dir is None:
        click.echo("error: --report needs --out DIR (where the report goes)", err=True)
        sys.exit(BAD_INPUT)


def _console(stderr: bool = False) -> Console:
    from rich.console import Console  # only for tables: JSON output never loads rich

    stream = sys.stderr if stderr else sys.stdout
    columns = os.environ.get("COLUMNS", "")
    # a terminal's own width; piped or captured: COLUMNS when set, else wide enough for frontier tables
    width = None if stream.isatty() else (int(columns) if columns.isdigit() and int(columns) >= 40 else 160)
    return Console(stderr=stderr, highlight=False, soft_wrap=False, width=width)


def _stop_if(failed: list[ScenarioError], summary: str) -> None:
    """Report every problem of every input and exit 2 before anything is solved."""
    if failed:
        for err in failed:
            click.echo(err.render(), err=True)
        click.echo(f"error: {summary}; nothing was solved", err=True)
        sys.exit(BAD_INPUT)


def _load_all(paths: tuple[str, ...]) -> list[Loaded]:
    """Validate every file first; any problem stops the run before anything is solved."""
    loaded, failed = [], []
    for path in paths:
        try:
            loaded.append(load(path))
        except ScenarioError as err:
            failed.append(err)
    _stop_if(failed, f"{len(failed)} of {len(paths)} file{'s' if len(paths) != 1 else ''} could not be read")
    return loaded


def _overrides(assignments: tuple[str, ...]) -> dict:
    try:
        return dict(parse_assignment(a) for a in assignments)
    except ScenarioError as err:
        click.echo(err.render(), err=True)
        sys.exit(BAD_INPUT)


def _cases(paths: tuple[str, ...], assignments: tuple[str, ...], **solver: object) -> list[Case]:
    """Every file's base scenario and variants, with --set overrides and solver options;
    any problem anywhere stops the run before anything is solved."""
    overrides = _overrides(assignments)
    cases, failed = [], []
    for item in _load_all(paths):
        try:
            cases += variants(item, overrides)
        except ScenarioError as err:
            failed.append(err)
    _stop_if(failed, "some variants or overrides are invalid")
    return [Case(c.name, with_solver(c.scenario, **solver), c.source, c.warnings, c.overrides, c.variant) for c in cases]


SET_OPTION = click.option("--set", "assignments", multiple=True, metavar="PATH=VALUE",
                          help="Override a value, e.g. --set budget=3500 --set channels.fb_ads.fixed_cost=900 (repeatable).")
REPORT_OPTION = click.option("--report", "reports", multiple=True, type=click.Choice(["html", "md", "xlsx"]),
                             help="Also write a report (repeatable) into --out: html (self-contained, with charts), "
                                  "md (Markdown) or xlsx (Excel).")
FORMAT_OPTION = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
                             help="table: readable; json: one JSON object per line.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="channelmix")
@click.option("--verbose", "-v", is_flag=True, help="Show the solver's own log (on stderr; stdout stays clean).")
def main(verbose: bool) -> None:
    """Pick the channel mix that covers every journey phase and customer segment.

    A mixed-integer program chooses which channels run and how much each gets,
    within the budget, hours and rules of a scenario file; every plan is checked
    by an independent verifier before it is shown.
    """
    from .solvers import SOLVER_LOG

    # through the environment, so worker processes started later see it too
    os.environ[SOLVER_LOG] = "1" if verbose else "0"


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True,
              help="table: readable; json: one JSON object per line; csv: one table of every plan, a row per "
                   "scenario, channel and period (period empty for a single-period plan).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also write <scenario>.json, <scenario>.channels.csv and <scenario>.coverage.csv here "
                   "(and for a plan over periods <scenario>.schedule.csv and <scenario>.cash.csv).")
@REPORT_OPTION
@SET_OPTION
@click.option("--solver", type=click.Choice(["highs", "cbc"]), help="Override solver.name.")
@click.option("--time-limit", type=Number(min=0, min_open=True, max=MAX_TIME_LIMIT), help="Override solver.time_limit (seconds).")
@click.option("--gap", type=Number(min=0, max=1, max_open=True), help="Override solver.gap (relative).")
@click.option("--threads", type=click.IntRange(min=1), help="Override solver.threads.")
@click.option("--explain", "explained", is_flag=True, help="Also explain each plan (as 'channelmix explain' does) in the "
              "JSON and the reports: marginal figures, value of each decision and limit, alternatives.")
@LANGUAGE_OPTION
def solve(files: tuple[str, ...], fmt: str, out_dir: Path | None, reports: tuple[str, ...], assignments: tuple[str, ...],
          solver: str | None, time_limit: float | None, gap: float | None, threads: int | None, explained: bool,
          language: str | None) -> None:
    """Solve scenario FILES (and each file's variants) and show the verified plan of each.

    Exit code 0 when every scenario has a plan, 1 when one is infeasible or no plan
    was found in time, 2 when a file is invalid (then nothing is solved).
    """
    _need_out(reports, out_dir)
    cases = _cases(files, assignments, name=solver, time_limit=time_limit, gap=gap, threads=threads)
    out = _console() if fmt == "table" else None  # JSON and CSV never load rich (a tenth of a second at start-up)
    code, used, bases, base_json = OK, set(), {}, {}
    for case in cases:
        plan, extra = _solve_case(case, explained)
        if not case.variant:
            bases[case.source] = (plan, case.scenario)
        # the scenario's language and most reachable (and a variant's base) go into the JSON: a saved result reports the same
        base_plan, base_scenario = bases.get(case.source, (None, None))
        if case.variant and base_plan is not None and case.source not in base_json:  # only variants read it: made once
            base_json[case.source] = base_plan.to_dict()
        facts = report_facts(case.scenario, case.variant, case.overrides, base_json.get(case.source) if case.variant else None,
                             base_scenario)
        extra = {**(extra or {}), "json": {**(extra or {}).get("json", {}), **facts}}
        if "units" in facts:  # curves and budget in different units: said where it is seen whatever the format
            click.echo(f"{case.source}: {case.name}: warning: {facts['units']['text']}", err=True)
        if fmt == "json":
            click.echo(to_json(plan, extra))
        elif fmt == "csv":
            from .reports.output import PLAN_ROW_COLUMNS, csv_rows, plan_rows

            click.echo(csv_rows(plan_rows(plan), PLAN_ROW_COLUMNS, header=case is cases[0]), nl=False)
        else:
            render(plan, out, language or case.scenario.language, extra["json"])
            if "explanation" in extra:
                from .explain_render import render_explanation

                render_explanation(extra["explanation"], out, language or case.scenario.language)
            elif plan.baseline is not None:
                from .explain_render import render_baseline

                render_baseline(plan, out, language or case.scenario.language)
        if out_dir is not None:
            write_outputs(plan, out_dir, unique_stem(plan.scenario, used), extra)
            _reports(reports, out_dir, plan={**plan.to_dict(), **extra["json"]}, language=language)
        if not plan.solved:
            code = NO_PLAN
            click.echo(f"{case.source}: {case.name}: {plan.message}", err=True)
    sys.exit(code)


def _solve_case(case: Case, explained: bool):
    """The verified plan, and with ``explained`` its explanation (which solves it once)."""
    if not explained:
        return solve_scenario(case.scenario, case.warnings), None
    from .explanation import explain

    found = explain(case.scenario, warnings=case.warnings)
    return found.plan, {"explanation": found, "json": {"explain": found.to_dict()}}


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@SET_OPTION
def validate(files: tuple[str, ...], assignments: tuple[str, ...]) -> None:
    """Check scenario FILES and their variants without solving: every problem, with
    where and how to fix it.

    Exit code 0 when all are valid (warnings are printed but allowed), 2 otherwise.
    """
    for case in _cases(files, assignments):
        sc = case.scenario
        click.echo(f"{case.source}: ok — '{sc.scenario}', {len(sc.channels)} channels, {len(sc.phases)} phases × "
                   f"{len(sc.segments)} segments, objective {sc.objective.sense}")
        for warning in case.warnings:
            click.echo(f"{case.source}: warning: {warning}", err=True)


@main.command()
@click.argument("path", default="scenario.yaml", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--from-csv", "table", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Build the scenario around this channel table (.csv or .xlsx) instead of the example channels.")
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def init(path: Path, table: Path | None, force: bool) -> None:
    """Write a commented starter scenario to PATH (default scenario.yaml)."""
    if path.exists() and not force:
        click.echo(f"error: {path} exists; use --force to overwrite it or name another file", err=True)
        sys.exit(BAD_INPUT)
    if table is not None:
        from .spreadsheets import starter_for_table

        try:
            text = starter_for_table(table, path)
        except ScenarioError as err:
            click.echo(err.render(), err=True)
            sys.exit(BAD_INPUT)
    else:
        text = resources.files("channelmix").joinpath("templates/starter.yaml").read_text(encoding="utf-8")
    write(path, text)
    click.echo(f"wrote {path}; solve it with: channelmix solve {path}")


def _reports(kinds: tuple[str, ...], out_dir: Path, **what: Any) -> None:
    from .reports import write_report

    for kind in kinds:
        click.echo(f"wrote {write_report(kind, out_dir, **what)}", err=True)


FRONTIER_COLUMNS = ["status", "objective", "cost", "marginal", "channels_on", "entering", "leaving", "knee"]


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--vary", "ranges", multiple=True, metavar="PATH=START:STOP:STEP",
              help="A numeric path to sweep, e.g. budget=1000:20000:500 or resources.hours=10,20,40; "
                   "several make a grid. Default: the file's sweep.")
@SET_OPTION
@FORMAT_OPTION
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write summary.csv, summary.json, each step's JSON and the frontier chart here.")
@click.option("--chart", type=click.Choice(["png", "svg"]), default="png", show_default=True, help="Chart format with --out.")
@REPORT_OPTION
@click.option("--no-warm-start", is_flag=True, help="Solve every step from scratch (for measuring what warm starts save).")
@LANGUAGE_OPTION
def sweep(file: str, ranges: tuple[str, ...], assignments: tuple[str, ...], fmt: str, out_dir: Path | None, chart: str,
          reports: tuple[str, ...], no_warm_start: bool, language: str | None) -> None:
    """Sweep a value of FILE (the budget, hours, a cost …) and show the frontier: objective,
    money spent, the marginal value of the next unit, which channels enter and leave, and
    the knee of the curve.

    Exit code 0 when every step has a plan, 1 when some step has none, 2 on bad input.
    """
    from .charts import frontier_chart
    from .reports.html import today_marks
    from .whatif import sweep as run_sweep

    _need_out(reports, out_dir)
    (loaded,) = _load_all((file,))
    try:
        vary = dict(parse_range(r) for r in ranges) if ranges else sweep_of(loaded)
        if not vary:
            raise ScenarioError(file, [Problem("sweep", "nothing to vary", "give --vary PATH=START:STOP:STEP or a sweep: in the file")])
        result = run_sweep(loaded, vary, _overrides(assignments), warm_start=not no_warm_start)
    except ScenarioError as err:
        click.echo(err.render(), err=True)
        sys.exit(BAD_INPUT)
    table = result.frontier
    if fmt == "json":
        for line in rows_as_json(table):
            click.echo(line)
    else:
        print_table(table, _console(), f"Frontier of {loaded.scenario.scenario} ({result.seconds:.2f} s)",
                    result.paths + FRONTIER_COLUMNS)
        marked = today_marks(table, result.paths, loaded.scenario.currency)
        if marked:
            click.echo(marked["line"])
    if out_dir is not None:
        facts = report_facts(loaded.scenario)
        write_collection(table, result.plans, out_dir, [{"json": facts}] * len(result.plans))
        if len(result.paths) == 1:
            frontier_chart(table, result.paths[0], out_dir / f"frontier.{chart}", loaded.scenario.scenario,
                           loaded.scenario.currency)
        _reports(reports, out_dir, title=f"Frontier of {loaded.scenario.scenario}", table=table, language=language,
                 plans=[{**p.to_dict(), **facts} for p in result.plans], varied=result.paths)
    sys.exit(OK if all(p.solved for p in result.plans) else NO_PLAN)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@SET_OPTION
@click.option("--diff", "pair", nargs=2, metavar="A B", help="Also show what moved between scenarios A and B.")
@FORMAT_OPTION
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write summary.csv, summary.json and each scenario's JSON here.")
@REPORT_OPTION
@LANGUAGE_OPTION
def compare(files: tuple[str, ...], assignments: tuple[str, ...], pair: tuple[str, str] | None, fmt: str,
            out_dir: Path | None, reports: tuple[str, ...], language: str | None) -> None:
    """Compare FILES (and every variant of each) in one table: status, objective, cost,
    the weakest cell's coverage and each channel's spend.

    Exit code 0 when every scenario has a plan, 1 when some has none, 2 on bad input.
    """
    from .whatif import compare as compare_plans
    from .whatif import diff

    _need_out(reports, out_dir)
    cases = _cases(files, assignments)
    plans = [solve_scenario(c.scenario, c.warnings) for c in cases]
    table = compare_plans(plans)
    if pair:
        names = [p.scenario for p in plans]
        missing = [n for n in pair if n not in names]
        if missing:
            click.echo(f"error: --diff names {', '.join(missing)}, not among: {', '.join(names)}", err=True)
            sys.exit(BAD_INPUT)
    if fmt == "json":
        for line in rows_as_json(table):
            click.echo(line)
    else:
        spent = [c for c in table.columns if c.startswith("spend_") and (table[c].fillna(0) > 0).any()]
        print_table(table, _console(), "Comparison", without_single_periods(
            ["scenario", "status", "objective", "cost", "weakest_cell", "periods", *spent], table))
    if pair:
        a, b = (next(p for p in plans if p.scenario == n) for n in pair)
        moved = diff(a, b)
        if fmt == "json":
            for line in rows_as_json(moved):
                click.echo(line)
        else:
            print_table(moved[moved["change"] != ""] if (moved["change"] != "").any() else moved, _console(),
                        f"From {a.scenario} to {b.scenario}")
    if out_dir is not None:
        facts = [report_facts(c.scenario) for c in cases]
        write_collection(table, plans, out_dir, [{"json": f} for f in facts])
        _reports(reports, out_dir, title="Comparison", table=table, language=language,
                 plans=[{**p.to_dict(), **f} for p, f in zip(plans, facts)], diff=tuple(pair) if pair else None)
    sys.exit(OK if all(p.solved for p in plans) else NO_PLAN)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Where each result (<scenario>.json) and summary.csv / summary.json go.")
@click.option("--workers", type=click.IntRange(min=0), default=0, show_default=True, help="Processes; 0 = every core.")
@click.option("--resume", is_flag=True, help="Skip scenarios whose result exists and whose input has not changed.")
@click.option("--executor", type=click.Choice(["processes", "serial", "dask"]), default="processes", show_default=True)
@click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler address (with --executor dask).")
@SET_OPTION
@FORMAT_OPTION
@REPORT_OPTION
def batch(paths: tuple[str, ...], out_dir: Path, workers: int, resume: bool, executor: str, scheduler: str | None,
          assignments: tuple[str, ...], fmt: str, reports: tuple[str, ...]) -> None:
    """Solve every scenario file (and variant) under PATHS, in parallel, with a progress bar.

    A bad or infeasible scenario gets a row with its status and message; the rest
    finish. Exit code 0 when all solved, 1 when some did not, 2 when none could be read.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    from .batch import nothing_read, run_batch, stop_on_sigterm

    overrides = _overrides(assignments)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        click.echo(f"error: cannot write results to {out_dir}: {err.strerror or err}. Fix: give --out a folder you can write", err=True)
        sys.exit(BAD_INPUT)
    with stop_on_sigterm(), Progress(TextColumn("solving"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("ETA"),
                  TimeRemainingColumn(), console=_console(stderr=True), transient=False) as bar:
        task = bar.add_task("batch", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        table, results = run_batch(paths, out_dir, overrides=overrides, workers=workers, resume=resume, executor=executor,
                                   scheduler=scheduler, progress=progress)
    if fmt == "json":
        for line in rows_as_json(table):
            click.echo(line)
    else:
        print_table(table, _console(), f"Batch: {len(table)} scenarios → {out_dir}",
                    without_single_periods(["scenario", "variant", "status", "objective", "cost", "periods", "resumed"], table))
    _reports(reports, out_dir, title=f"Batch of {len(table)} scenarios", table=table, plans=results)
    solved = table["status"].isin(SOLVED)
    if nothing_read(results):
        sys.exit(BAD_INPUT)
    sys.exit(OK if solved.all() else NO_PLAN)


# Commands of their own modules (they import this one's helpers, so they come last).
from .cli_evidence import calibrate_command, import_command  # noqa: E402  (curves from evidence)
from .cli_explain import evaluate as _evaluate, explain as _explain  # noqa: E402  (decision support)
from .cli_report import report as _report  # noqa: E402  (reports of saved results)

for _command in (import_command, calibrate_command, _explain, _evaluate, _report):
    main.add_command(_command)

if __name__ == "__main__":
    main()
