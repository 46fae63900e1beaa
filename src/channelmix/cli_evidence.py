"""``channelmix import`` and ``channelmix calibrate``: curves from evidence (thin over channelmix.evidence)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .schema import ScenarioError

BAD_INPUT = 2


def _bad(err: ScenarioError) -> None:
    click.echo(err.render(), err=True)
    click.echo("error: nothing was written", err=True)
    sys.exit(BAD_INPUT)


def _ratio_pair(text: str) -> tuple[float, float]:
    lo, _, hi = text.partition(":")
    try:
        pair = float(lo), float(hi)
    except ValueError:
        raise click.BadParameter(f"'{text}' is not LO:HI, e.g. 0.5:2") from None
    if not 0 <= pair[0] <= pair[1]:
        raise click.BadParameter(f"'{text}': need 0 ≤ LO ≤ HI")
    return pair


@click.command("import")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(["robyn", "curves"]))
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Scenario file to write (.yaml).")
@click.option("--solid", help="robyn: the model (solID) to import from the pareto CSVs.")
@click.option("--window", metavar="START:END", help="robyn: dates for today's spend and carry-over (default Robyn's: the modelling window).")
@click.option("--model-window", metavar="START:END", help="robyn CSVs: the modelling window (default: every row of the raw data).")
@click.option("--adstock", type=click.Choice(["geometric", "weibull_cdf", "weibull_pdf"]), help="robyn CSVs: the run's adstock when Weibull.")
@click.option("--bounds", default="0.5:2", show_default=True, metavar="LO:HI", help="robyn: min_spend/max_spend as multiples of today's spend.")
@click.option("--budget", type=click.FloatRange(min=0), help="Budget per period (robyn default: today's total; curves default: none, objective net).")
def import_command(fmt: str, paths: tuple[str, ...], out: Path, solid: str | None, window: str | None, model_window: str | None,
                   adstock: str | None, bounds: str, budget: float | None) -> None:
    """Write a scenario from a fitted MMM (robyn) or a curve table (curves: channel, spend, outcome[, draw])."""
    from .evidence.writer import render, write_atomically

    draws = None
    try:
        if fmt == "robyn":
            from .evidence.robyn import import_robyn

            imported = import_robyn(list(paths), solid, window, adstock, model_window, _ratio_pair(bounds))
            if budget is not None:
                imported.budget = budget
        else:
            from .evidence.curve_table import import_curves

            if len(paths) != 1:
                raise click.UsageError("curves takes one table")
            imported, draws = import_curves(paths[0], budget)
        text = render(imported, str(out))
    except ScenarioError as err:
        _bad(err)
        return
    write_atomically(out, text)
    if draws is not None:
        write_atomically(out.with_suffix(".draws.csv"), draws.to_csv(index=False))
    click.echo(f"wrote {out}: {len(imported.channels)} channels", err=True)
