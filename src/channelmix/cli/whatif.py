"""``channelmix sweep`` and ``channelmix compare``: what-if questions over many plans."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ..reports.common import without_single_periods
from ..reports.documents import plan_document, plan_of, read_results
from ..reports.output import rows_as_json, write_collection
from ..reports.wording import plan_message
from ..schema import Problem, ScenarioError
from ..schema.expand import parse_range, sweep_of
from ..solve.pipeline import solve_scenario
from ..verify.reachable import report_facts
from .common import (
    NO_PLAN,
    OK,
    cases,
    console,
    fail,
    format_option,
    language_option,
    load_all,
    need_out,
    overrides,
    report_option,
    set_option,
    write_reports,
)

FRONTIER_COLUMNS = ["status", "objective", "cost", "marginal", "channels_on", "entering", "leaving", "knee"]


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--vary", "ranges", multiple=True, metavar="PATH=START:STOP:STEP",
              help="A numeric path to sweep, e.g. budget=1000:20000:500 or resources.hours=10,20,40; "
              "several make a grid. Default: the file's sweep.")
@set_option
@format_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write summary.csv, summary.json, each step's JSON and the frontier chart here.")
@click.option("--chart", type=click.Choice(["png", "svg"]), default="png", show_default=True,
              help="Chart format with --out.")
@report_option
@click.option("--no-warm-start", is_flag=True,
              help="Solve every step from scratch (for measuring what warm starts save).")
@language_option
def sweep(file: str, ranges: tuple[str, ...], assignments: tuple[str, ...], fmt: str, out_dir: Path | None, chart: str,
          reports: tuple[str, ...], no_warm_start: bool, language: str | None) -> None:
    """Sweep a value of FILE (the budget, hours, a cost …) and show the frontier: objective,
    money spent, the marginal value of the next unit, which channels enter and leave, and
    the knee of the curve.

    Exit code 0 when every step has a plan, 1 when some step has none, 2 on bad input.
    """
    from ..analysis.whatif import sweep as run_sweep
    from ..reports.charts import frontier_chart
    from ..reports.html import today_marks
    from ..reports.terminal import print_table

    need_out(reports, out_dir)
    (loaded,) = load_all((file,))
    try:
        vary = dict(parse_range(r) for r in ranges) if ranges else sweep_of(loaded)
        if not vary:
            raise ScenarioError(
                file, [Problem("sweep", "nothing to vary", "give --vary PATH=START:STOP:STEP or a sweep: in the file")]
            )
        result = run_sweep(loaded, vary, overrides(assignments), warm_start=not no_warm_start)
    except ScenarioError as err:
        fail([err.render()])
    table = result.frontier
    if fmt == "json":
        for line in rows_as_json(table):
            click.echo(line)
    else:
        out = console()
        print_table(table, out, f"Frontier of {loaded.scenario.scenario} ({result.seconds:.2f} s)",
                    result.paths + FRONTIER_COLUMNS)
        marked = today_marks(table, result.paths, loaded.scenario.currency)
        if marked:
            click.echo(marked["line"])
        for plan in result.plans:  # a step without a plan says why, and what would give it one
            if not plan.solved:
                out.print(f"{plan.scenario}: {plan_message(plan)}", markup=False)
    if out_dir is not None:
        facts = report_facts(loaded.scenario)
        write_collection(table, result.plans, out_dir, [{"json": facts}] * len(result.plans))
        if len(result.paths) == 1:
            frontier_chart(table, result.paths[0], out_dir / f"frontier.{chart}", loaded.scenario.scenario,
                           loaded.scenario.currency)
        write_reports(reports, out_dir, title=f"Frontier of {loaded.scenario.scenario}", table=table, language=language,
                      heading=("collection.frontier_of", {"scenario": loaded.scenario.scenario}),
                      plans=[{**plan_document(p), **facts} for p in result.plans], varied=result.paths)
    sys.exit(OK if all(p.solved for p in result.plans) else NO_PLAN)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@set_option
@click.option("--diff", "pair", nargs=2, metavar="A B", help="Also show what moved between scenarios A and B.")
@format_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write summary.csv, summary.json and each scenario's JSON here.")
@report_option
@language_option
def compare(files: tuple[str, ...], assignments: tuple[str, ...], pair: tuple[str, str] | None, fmt: str,
            out_dir: Path | None, reports: tuple[str, ...], language: str | None) -> None:
    """Compare FILES (and every variant of each) in one table: status, objective, cost,
    the weakest cell's coverage and each channel's spend.  A FILE may be a saved result
    (written by solve --format json or --out): its plans are compared as they are.

    Exit code 0 when every scenario has a plan, 1 when some has none, 2 on bad input.
    """
    from ..analysis.whatif import compare as compare_plans
    from ..analysis.whatif import diff
    from ..reports.terminal import print_table

    need_out(reports, out_dir)
    saved, scenarios = _saved_results(files)
    if saved and assignments:  # a saved plan is compared as written: an override cannot change it
        click.echo(f"note: --set applies to the scenarios, not to the {len(saved)} saved plan(s)", err=True)
    todo = cases(scenarios, assignments) if scenarios else []
    solved = [solve_scenario(c.scenario, c.warnings) for c in todo]
    documents = [{**plan_document(p), **report_facts(c.scenario)} for p, c in zip(solved, todo)] + saved
    plans = solved + [plan_of(d) for d in saved]  # a saved plan is compared as it was written, not solved again
    table = compare_plans(plans)
    names = [p.scenario for p in plans]
    missing = [n for n in pair or () if n not in names]
    if missing:
        fail([f"error: --diff names {', '.join(missing)}, not among: {', '.join(names)}"])
    if fmt == "json":
        for line in rows_as_json(table):
            click.echo(line)
    else:
        spent = [c for c in table.columns if c.startswith("spend_") and (table[c].fillna(0) > 0).any()]
        print_table(table, console(), "Comparison", without_single_periods(
            ["scenario", "status", "objective", "cost", "weakest_cell", "periods", *spent], table))
    if pair:
        a, b = (next(p for p in plans if p.scenario == n) for n in pair)
        moved = diff(a, b)
        if fmt == "json":
            for line in rows_as_json(moved):
                click.echo(line)
        else:
            print_table(moved[moved["change"] != ""] if (moved["change"] != "").any() else moved, console(),
                        f"From {a.scenario} to {b.scenario}")
    if out_dir is not None:
        write_collection(table, plans, out_dir, [{"json": d} for d in documents])
        write_reports(reports, out_dir, title="Comparison", table=table, language=language, plans=documents,
                      heading=("collection.comparison", {}),
                      diff=tuple(pair) if pair else None)
    sys.exit(OK if all(p.solved for p in plans) else NO_PLAN)


def _saved_results(files: tuple[str, ...]) -> tuple[list[dict[str, Any]], tuple[str, ...]]:
    """The plans of the files that are saved results (``solve --format json`` or ``--out``),
    and the other files, which are scenarios to solve."""
    saved, scenarios = [], []
    for name in files:
        path = Path(name)
        found = None
        if path.suffix.lower() in (".json", ".jsonl") and path.is_file():
            try:
                found = read_results(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError):
                found = None  # read as a scenario, which reports what is wrong with it
        if found is None:
            scenarios.append(name)
        else:
            saved += found
    return saved, tuple(scenarios)
