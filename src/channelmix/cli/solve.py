"""``channelmix solve``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..core.filenames import unique_stem
from ..reports.documents import explanation_document, plan_document
from ..reports.output import to_json, write_outputs
from ..reports.wording import plan_message
from ..schema.expand import Case
from ..solve.pipeline import solve_from
from ..verify.plan import Plan
from ..verify.reachable import report_facts

if TYPE_CHECKING:
    from ..analysis.explanation import Explanation

from .common import (
    NO_PLAN,
    OK,
    cases,
    console,
    decimal_option,
    fail,
    language_option,
    need_out,
    report_option,
    set_option,
    solver_options,
    write_reports,
)
from .headroom import headroom_json


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True,
              help="table: readable; json: one JSON object per line; csv: one table of every plan, a row per "
              "scenario, channel and period (period empty for a single-period plan).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also write <scenario>.json, <scenario>.channels.csv and <scenario>.coverage.csv here "
              "(and for a plan over periods <scenario>.schedule.csv and <scenario>.cash.csv).")
@report_option
@set_option
@solver_options
@click.option("--explain", "explained", is_flag=True,
              help="Also explain each plan (as 'channelmix explain' does) in the "
              "JSON and the reports: marginal figures, value of each decision and limit, alternatives.")
@language_option
@decimal_option
@click.option("--all", "every", is_flag=True,
              help="Show every variant's plan in full in the table (JSON, CSV and --out always have every variant).")
@click.option("--variant", "named", multiple=True, metavar="NAME",
              help="Solve and show only this variant of each file beside its base plan (repeatable).")
def solve(files: tuple[str, ...], fmt: str, out_dir: Path | None, reports: tuple[str, ...],
          assignments: tuple[str, ...], solver: str | None, time_limit: float | None, gap: float | None,
          threads: int | None, explained: bool, language: str | None, decimal: str | None, every: bool,
          named: tuple[str, ...]) -> None:
    """Solve scenario FILES and show the verified plan of each. A file's variants: in the table, one
    line each (--all: every variant in full; --variant NAME: that one); in JSON, CSV and --out, every
    variant in full.

    Exit code 0 when every scenario has a plan, 1 when one is infeasible or no plan
    was found in time, 2 when a file is invalid (then nothing is solved).
    """
    need_out(reports, out_dir)
    todo = cases(files, assignments, decimal, name=solver, time_limit=time_limit, gap=gap, threads=threads)
    todo = _chosen(todo, named)
    listed: list[Case] = []
    if fmt == "table" and not every and not named and out_dir is None:  # a first look: the base plans in full
        listed, todo = [c for c in todo if c.variant], [c for c in todo if not c.variant]
    out = console() if fmt == "table" else None  # JSON and CSV never load rich (a tenth of a second at start-up)
    code, used, bases, base_json = OK, set(), {}, {}
    for case in todo:
        plan, explanation, values = _solve_case(case, explained)
        if not case.variant:
            bases[case.source] = (plan, case.scenario)
        # the scenario's language and most reachable (and a variant's base) go into the JSON: a saved result reports the
        # same
        base_plan, base_scenario = bases.get(case.source, (None, None))
        if case.variant and base_plan is not None and case.source not in base_json:  # only variants read it: made once
            base_json[case.source] = plan_document(base_plan)
        facts = report_facts(case.scenario, case.variant, case.overrides,
                             base_json.get(case.source) if case.variant else None, base_scenario)
        extra = {"json": {**({"explain": explanation_document(explanation)} if explanation else {}), **facts,
                          **(headroom_json(case.scenario, plan, values, limits=bool(reports) or explained)
                             if out_dir is not None or explained else {})}}
        if "units" in facts:  # curves and budget in different units: said where it is seen whatever the format
            click.echo(f"{case.source}: {case.name}: warning: {facts['units']['text']}", err=True)
        _show(plan, explanation, extra, fmt, out, language or case.scenario.language, first=case is todo[0])
        if out_dir is not None:
            write_outputs(plan, out_dir, unique_stem(plan.scenario, used), extra)
            write_reports(reports, out_dir, plan={**plan_document(plan), **extra["json"]}, language=language)
        if not plan.solved:
            code = NO_PLAN
            click.echo(f"{case.source}: {case.name}: {plan_message(plan)}", err=True)
    if listed:
        from ..reports.terminal import render_listed_variants

        render_listed_variants([(c.name, c.variant, c.source, list(c.overrides)) for c in listed], out,
                               language or listed[0].scenario.language)
    sys.exit(code)


def _chosen(todo: list[Case], named: tuple[str, ...]) -> list[Case]:
    """The base cases and, with --variant, only the variants named (an unknown name is bad input)."""
    if not named:
        return todo
    known = sorted({c.variant for c in todo if c.variant})
    unknown = [n for n in named if n not in known]
    if unknown:
        fail([f"error: --variant {n}: no such variant. Fix: use one of {', '.join(known) or '(none: no variants)'}"
              for n in unknown])
    return [c for c in todo if not c.variant or c.variant in named]


def _solve_case(case: Case, explained: bool) -> tuple[Plan, Explanation | None, dict[str, float] | None]:
    """The verified plan, with ``explained`` its explanation (which solves it once), and the
    solver's values behind the plan (the re-solves of :func:`headroom_json` start from them)."""
    if not explained:
        plan, values = solve_from(case.scenario, case.warnings)
        return plan, None, values
    from ..analysis.explanation import explain

    found = explain(case.scenario, warnings=case.warnings, workers=0)  # as `explain` runs it: every core when it pays
    return found.plan, found, None


def _show(plan: Plan, explanation: Explanation | None, extra: dict[str, Any], fmt: str, out: Any, language: str | None,
          first: bool) -> None:
    """One plan on stdout: its JSON line, its CSV rows, or its tables (with its explanation or baseline)."""
    if fmt == "json":
        click.echo(to_json(plan, extra))
    elif fmt == "csv":
        from ..reports.output import PLAN_ROW_COLUMNS, csv_rows, plan_rows

        click.echo(csv_rows(plan_rows(plan), PLAN_ROW_COLUMNS, header=first), nl=False)
    else:
        from ..reports.explain_render import render_baseline, render_explanation
        from ..reports.terminal import render

        render(plan, out, language, extra["json"])
        if explanation is not None:
            render_explanation(explanation, out, language)
        elif plan.baseline is not None:
            render_baseline(plan, out, language)
