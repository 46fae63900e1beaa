"""``channelmix batch``: every scenario file under some paths, in parallel, with a progress bar."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..model.solution import SOLVED
from ..reports.common import without_single_periods
from ..reports.documents import plan_document
from ..reports.output import rows_as_json
from .common import (
    BAD_INPUT,
    NO_PLAN,
    OK,
    console,
    fail,
    format_option,
    overrides,
    progress_bar,
    report_option,
    set_option,
    write_reports,
)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Where each result (<scenario>.json) and summary.csv / summary.json go.")
@click.option("--workers", type=click.IntRange(min=0), default=0, show_default=True, help="Processes; 0 = every core.")
@click.option("--resume", is_flag=True, help="Skip scenarios whose result exists and whose input has not changed.")
@click.option("--executor", type=click.Choice(["processes", "serial", "dask"]), default="processes", show_default=True)
@click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler address (with --executor dask).")
@set_option
@format_option
@report_option
def batch(paths: tuple[str, ...], out_dir: Path, workers: int, resume: bool, executor: str, scheduler: str | None,
          assignments: tuple[str, ...], fmt: str, reports: tuple[str, ...]) -> None:
    """Solve every scenario file (and variant) under PATHS, in parallel, with a progress bar.

    A bad or infeasible scenario gets a row with its status and message; the rest
    finish. Exit code 0 when all solved, 1 when some did not, 2 when none could be read.
    """
    from ..analysis.batch import nothing_read, run_batch, stop_on_sigterm
    from ..reports.terminal import print_table

    changes = overrides(assignments)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        fail(
            [f"error: cannot write results to {out_dir}: {err.strerror or err}. Fix: give --out a folder you can write"]
        )
    with stop_on_sigterm(), progress_bar("solving") as bar:
        task = bar.add_task("batch", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        table, results = run_batch(paths, out_dir, document=plan_document, overrides=changes, workers=workers,
                                   resume=resume, executor=executor, scheduler=scheduler, progress=progress)
    if fmt == "json":
        for line in rows_as_json(table):
            click.echo(line)
    else:
        print_table(table, console(), f"Batch: {len(table)} scenarios → {out_dir}",
                    without_single_periods(["scenario", "variant", "status", "objective", "cost", "periods", "resumed"],
                                           table))
    write_reports(reports, out_dir, title=f"Batch of {len(table)} scenarios", table=table, plans=results)
    if nothing_read(results):
        sys.exit(BAD_INPUT)
    sys.exit(OK if table["status"].isin(SOLVED).all() else NO_PLAN)
