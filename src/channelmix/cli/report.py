"""``channelmix report``: reports of saved results, without solving again."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..reports.i18n import LANGUAGES

LANGUAGE_OPTION = click.option("--language", type=click.Choice(list(LANGUAGES)),
                               help="Language of the reports and the terminal view "
                                    "(default: the scenario's language:, else English).")


@click.command()
@click.argument("results", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--report", "reports", multiple=True, type=click.Choice(["html", "md", "xlsx"]), default=("html",),
              show_default=True, help="Report kind (repeatable).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
              help="Where the reports go.")
@LANGUAGE_OPTION
def report(results: tuple[Path, ...], reports: tuple[str, ...], out_dir: Path, language: str | None) -> None:
    """Render reports from saved results (RESULTS: JSON written by solve --format json
    or --out, one plan per line or per file) without solving again."""
    import json

    from .commands import BAD_INPUT, _reports  # here: cli imports this module

    plans, problems = [], []
    for path in results:
        try:
            text = path.read_text(encoding="utf-8")
            objects = [json.loads(line) for line in text.splitlines() if line.strip()] if not text.lstrip().startswith("[") else []
        except (OSError, ValueError) as err:
            problems.append(f"{path}: is not a channelmix result ({err}). Fix: give a file written by 'solve --format json' or --out")
            continue
        if not objects or not all(isinstance(o, dict) and {"scenario", "status", "channels"} <= set(o) for o in objects):
            problems.append(f"{path}: is not a channelmix result (no scenario, status and channels). "
                            "Fix: give a file written by 'solve --format json' or --out")
            continue
        plans += objects
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        sys.exit(BAD_INPUT)
    for plan in plans:
        _reports(reports, out_dir, plan=plan, language=language)
