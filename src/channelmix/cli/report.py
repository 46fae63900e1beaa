"""``channelmix report``: reports of saved results, without solving again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..reports.documents import read_results
from .common import fail, language_option, write_reports


@click.command()
@click.argument("results", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--report", "reports", multiple=True, type=click.Choice(["html", "md", "xlsx"]), default=("html",),
              show_default=True, help="Report kind (repeatable).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Where the reports go.")
@language_option
def report(results: tuple[Path, ...], reports: tuple[str, ...], out_dir: Path, language: str | None) -> None:
    """Render reports from saved results (RESULTS: JSON written by solve --format json
    or --out, one plan per line or per file) without solving again."""
    plans: list[dict[str, Any]] = []
    problems: list[str] = []
    for path in results:
        try:
            found = read_results(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as err:
            problems.append(
                f"{path}: cannot be read ({err}). Fix: give a file written by 'solve --format json' or --out")
            continue
        if found is None:
            problems.append(f"{path}: is not a channelmix result (no scenario, status and channels). "
                            "Fix: give a file written by 'solve --format json' or --out")
            continue
        plans += found
    if problems:
        fail(problems)
    for plan in plans:
        write_reports(reports, out_dir, plan=plan, language=language)
