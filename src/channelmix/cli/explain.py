"""``channelmix explain`` and ``channelmix evaluate``: thin commands over
:mod:`channelmix.analysis.explanation` and :mod:`channelmix.verify.baseline`.

Exit codes: explain — 0 every scenario solved, 1 one is infeasible or unsolved;
evaluate — 0 the plan keeps every rule, 1 it breaks some; both — 2 bad input.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from ..analysis.explain_tasks import QUESTIONS
from ..core import jsonout
from ..model.periods import Horizon
from ..reports.wording import plan_message
from .common import NO_PLAN, OK, bases, console, fail, language_option, progress_bar, set_option
from .types import finite


def _share(text: str) -> float | None:
    """'5%' or '0.05' as 0.05; 'any' as no limit."""
    text = text.strip()
    if text.lower() in ("any", "all", "inf"):
        return None
    fix = "write 5% or 0.05 (or 'any' for no limit)"
    value = finite(text[:-1], fix) / 100 if text.endswith("%") else finite(text, fix)
    if value < 0:
        raise click.BadParameter(f"'{text}' is negative: write 5% or 0.05")
    return value


FORMAT_OPTION = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
                             show_default=True, help="table: readable; json: one JSON object per scenario per line.")


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@FORMAT_OPTION
@click.option("--alternatives", "k", type=click.IntRange(min=0), default=3, show_default=True,
              help="How many next-best distinct mixes (different on/off sets) to list.")
@click.option("--within", default="5%", show_default=True, metavar="SHARE",
              help="Only alternatives within this share of the optimum (5% or 0.05; 'any': no limit).")
@click.option("--curves", "curves_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write each channel's response curve (current and optimised spend marked) here.")
@click.option("--chart", type=click.Choice(["png", "svg"]), default="svg", show_default=True,
              help="Curve format with --curves.")
@click.option("--report", "reports", multiple=True, type=click.Choice(["html", "md", "xlsx"]),
              help="Also write a report with every section (repeatable) into --out.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Where --report goes.")
@click.option("--workers", type=click.IntRange(min=0), default=0, show_default=True,
              help="Processes for the re-solves, this one included; 0 = every core. Same figures with any number.")
@click.option("--only", "only", multiple=True, type=click.Choice(list(QUESTIONS)),
              help="Ask only this question (repeatable): channels (each on/off decision), limits (loosening each "
                   "limit), alternatives (next-best mixes), conflict (an infeasible file's conflict and repairs).")
@click.option("--progress/--no-progress", "show_progress", default=None,
              help="A progress bar with ETA and each result as it finishes, on stderr (default: when stderr is a "
                   "terminal).")
@set_option
@language_option
def explain(files: tuple[str, ...], fmt: str, k: int, within: str, curves_dir: Path | None, chart: str,
            reports: tuple[str, ...], out_dir: Path | None, workers: int, only: tuple[str, ...],
            show_progress: bool | None, assignments: tuple[str, ...], language: str | None) -> None:
    """Explain the plan of each scenario FILE: the current plan beside it, what the next
    unit of money buys on each channel, what each on/off decision is worth, what
    loosening each limit is worth, the next-best mixes, and — when nothing is feasible —
    a minimal set of conflicting rules and the smallest changes that repair it.

    Each file's base scenario is explained (with --set overrides; its variants are not).
    Every figure comes from a verified re-solve or from the real curves.
    Exit code 0 when every scenario has a plan, 1 when one has none, 2 on bad input.
    """
    from ..analysis.explanation import explain as run
    from ..reports import report_facts, write_report
    from ..reports.documents import explanation_document, plan_document
    from ..reports.explain_render import render_explanation

    try:
        tolerance = _share(within)
    except click.BadParameter as err:
        fail([f"error: --within: {err.message}"])
    if reports and out_dir is None:
        fail(["error: --report needs --out DIR (where the report goes)"])
    code, out = OK, console()
    if show_progress is None:
        show_progress = sys.stderr.isatty()
    for loaded in bases(files, assignments):
        with _progress(show_progress, language or loaded.scenario.language) as progress:
            result = run(loaded, alternatives=k, within=tolerance, workers=workers, only=only or None,
                         progress=progress)
        if fmt == "json":
            click.echo(jsonout.dumps(explanation_document(result), default=_jsonable))
        else:
            render_explanation(result, out, language or loaded.scenario.language)
        for kind in reports:  # the scenario's language and most reachable, as solve's reports have them
            plan = json.loads(jsonout.dumps({**plan_document(result.plan), **report_facts(loaded.scenario),
                                             "explain": explanation_document(result)}, default=_jsonable))
            click.echo(f"wrote {write_report(kind, out_dir, plan=plan, language=language)}", err=True)
        if curves_dir is not None and result.plan.solved:
            from ..reports.charts import response_curves

            for path in response_curves(loaded.scenario, result.plan, curves_dir, chart):
                click.echo(f"wrote {path}", err=True)
        if not result.plan.solved:
            code = NO_PLAN
            click.echo(f"{loaded.source}: {result.scenario}: {plan_message(result.plan)}", err=True)
    sys.exit(code)


@contextmanager
def _progress(show: bool, language: str | None) -> Iterator[Callable[[int, int, Any], None] | None]:
    """A progress bar with ETA on stderr, each finished re-solve printed above it (None: no bar)."""
    if not show:
        yield None
        return
    from ..reports.explain_render import finished_line

    with progress_bar("explaining", transient=True) as bar:
        task = bar.add_task("explain", total=None)
        best: list[float | None] = [None]

        def progress(done: int, total: int, item: Any) -> None:
            if done == 0:  # the solved plan, before its re-solves
                best[0], item = getattr(item, "objective", None), None
            line = finished_line(item, best[0], language) if item is not None else None
            if line:
                bar.console.print(line, highlight=False, markup=False)
            bar.update(task, completed=done, total=total)

        yield progress


def _jsonable(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not JSON")


def _spends(scenario: Any, given: tuple[str, ...],
            source: str) -> tuple[dict[str, float], dict[tuple[str, str], float | None]]:
    """--spend ID=AMOUNT (kept up in every period) and, over periods, ID@PERIOD=AMOUNT or
    ID@PERIOD=off (that period only); every problem at once."""
    known = {c.id for c in scenario.channels}
    periods = Horizon(scenario).ids if scenario.kind == "periods" else []
    out: dict[str, float] = {}
    apart: dict[tuple[str, str], float | None] = {}
    problems = []
    for item in given:
        name, sep, amount = item.partition("=")
        cid, at, period = (part.strip() for part in name.partition("@"))
        off = at and amount.strip().lower() == "off"
        try:
            value = None if off else float(amount) if sep else None
        except ValueError:
            value = None
        if not off and (value is None or value != value or value < 0 or value == float("inf")):
            problems.append(
                f"{source}: --spend {item}: needs a spend ≥ 0. Fix: write --spend {cid or 'channel'}=AMOUNT "
                f"(0 for a channel that only has to be on{'; off for off in that period' if at else ''})")
        elif cid not in known:
            problems.append(
                f"{source}: --spend {item}: unknown channel '{cid}'. Fix: use one of {', '.join(sorted(known))}")
        elif at and not periods:
            problems.append(
                f"{source}: --spend {item}: a period is named but the scenario has no periods. Fix: write --spend "
                f"{cid}=AMOUNT")
        elif at and period not in periods:
            problems.append(
                f"{source}: --spend {item}: unknown period '{period}'. Fix: use one of {', '.join(periods)}")
        elif at:
            apart[(cid, period)] = value
        else:
            out[cid] = value
    if problems:
        fail(problems)
    return out, apart


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--spend",
    "spends",
    multiple=True,
    metavar="ID=AMOUNT",
    help="A channel on at this spend (repeatable; channels not named are off; over periods: this spend in every "
    "period it can run, and ID@PERIOD=AMOUNT or ID@PERIOD=off for one period). Default: the file's current plan.",
)
@FORMAT_OPTION
@set_option
@language_option
def evaluate(file: str, spends: tuple[str, ...], fmt: str, assignments: tuple[str, ...], language: str | None) -> None:
    """Score a given plan of FILE without optimising: every figure recomputed on the real
    curves and every rule checked (the plan is --spend …, or the file's current: block).

    Exit code 0 when the plan keeps every rule, 1 when it breaks some, 2 on bad input.
    """
    from ..reports.evaluation import render_evaluation
    from ..reports.explain_render import evaluation_dict
    from ..verify.baseline import score, score_in_worlds, score_schedule

    (loaded,) = bases((file,), assignments)
    scenario = loaded.scenario
    apart: dict = {}
    if spends:
        current, apart = _spends(scenario, spends, loaded.source)
    elif scenario.current is not None:
        current = dict(scenario.current)
    else:
        fail([f"{loaded.source}: no plan to evaluate. Fix: give --spend ID=AMOUNT (repeatable) or add a current: block "
              "to the file (channel: spend)"])
    truth = score_schedule(scenario, current, apart) if apart else score(scenario, current)
    risk = score_in_worlds(scenario, current)
    if fmt == "json":
        click.echo(jsonout.dumps(evaluation_dict(scenario, truth, risk)))
    else:
        render_evaluation(scenario, truth, console(), language, risk)
    sys.exit(NO_PLAN if truth.violations else OK)
