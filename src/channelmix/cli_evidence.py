"""``channelmix import`` and ``channelmix calibrate``: curves from evidence (thin over channelmix.evidence)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import jsonout
from .cli_types import Number, finite
from .schema import ScenarioError
from .schema.limits import MAX_AMOUNT

BAD_INPUT = 2
MAX_PRIOR_WEIGHT = 1e6  # a pull this strong already pins the curve to the scenario's own


def _bad(err: ScenarioError) -> None:
    click.echo(err.render(), err=True)
    click.echo("error: nothing was written", err=True)
    sys.exit(BAD_INPUT)


def _yaml_out(path: Path) -> None:
    if path.suffix.lower() not in (".yaml", ".yml"):
        click.echo(f"error: {path}: the scenario is written as YAML; name it .yaml or .yml", err=True)
        sys.exit(BAD_INPUT)


def _ratio_pair(text: str) -> tuple[float, float]:
    lo, _, hi = text.partition(":")
    pair = finite(lo, "write --bounds LO:HI, e.g. 0.5:2"), finite(hi, "write --bounds LO:HI, e.g. 0.5:2")
    if not 0 <= pair[0] <= pair[1]:
        raise click.BadParameter(f"'{text}': need 0 ≤ LO ≤ HI")
    return pair


@click.command("import")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(["robyn", "curves", "pymc-marketing"]))
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Scenario file to write (.yaml).")
@click.option("--solid", help="robyn: the model (solID) to import from the pareto CSVs.")
@click.option("--window", metavar="START:END", help="robyn: dates for today's spend and carry-over (default Robyn's: the modelling window).")
@click.option("--model-window", metavar="START:END", help="robyn CSVs: the modelling window (default: every row of the raw data).")
@click.option("--adstock", type=click.Choice(["geometric", "weibull_cdf", "weibull_pdf"]), help="robyn CSVs: the run's adstock when Weibull.")
@click.option("--bounds", default="0.5:2", show_default=True, metavar="LO:HI", help="robyn: min_spend/max_spend as multiples of today's spend.")
@click.option("--budget", type=Number(min=0, max=MAX_AMOUNT),
              help="Budget per period (robyn, pymc-marketing default: today's total; curves default: none, objective net).")
@click.option("--recent", type=click.IntRange(min=1), default=13, show_default=True,
              help="pymc-marketing: today's spend is the mean of this many last periods of the training data.")
@click.option("--draws", "n_draws", type=click.IntRange(min=0), default=50, show_default=True,
              help="pymc-marketing: posterior draws kept as worlds (0: none).")
@click.option("--seed", type=int, default=0, show_default=True, help="pymc-marketing: seed for thinning the draws.")
def import_command(fmt: str, paths: tuple[str, ...], out: Path, solid: str | None, window: str | None, model_window: str | None,
                   adstock: str | None, bounds: str, budget: float | None, recent: int, n_draws: int, seed: int) -> None:
    """Write a scenario from a fitted MMM (robyn, pymc-marketing) or a curve table (curves: channel, spend, outcome[, draw])."""
    from .atomic import write_atomic
    from .evidence.writer import render, write_with_draws
    from .yaml_file import write

    _yaml_out(out)
    draws = None
    if fmt == "pymc-marketing":
        from .evidence.pymc import import_pymc

        if len(paths) != 1:
            raise click.UsageError("pymc-marketing takes one saved model (.nc)")
        try:
            imported, draws = import_pymc(paths[0], recent, n_draws, seed, budget)
            if draws is None:
                write(out, render(imported, str(out)))
            else:
                write_with_draws(imported, out, draws)
        except ScenarioError as err:
            _bad(err)
            return
        click.echo(f"wrote {out}: {len(imported.channels)} channels" + ("" if draws is None else f", worlds in {out.with_suffix('.draws.csv')}"),
                   err=True)
        return
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
    write(out, text)
    if draws is not None:
        write_atomic(out.with_suffix(".draws.csv"), draws.to_csv(index=False))
    click.echo(f"wrote {out}: {len(imported.channels)} channels", err=True)
    for line in imported.said:
        click.echo(f"note: {line}", err=True)


@click.command("calibrate")
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.argument("results", type=click.Path(dir_okay=False))
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Updated scenario to write (.yaml).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the bootstrap.")
@click.option("--boot", type=click.IntRange(min=0), default=200, show_default=True, help="Bootstrap fits for the intervals (0: none).")
@click.option("--prior-weight", type=Number(min=0, max=MAX_PRIOR_WEIGHT), default=1e-4, show_default=True,
              help="Weak pull of the scenario's own curve (ridge on log-parameters); 0 = none.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def calibrate_command(scenario: str, results: str, out: Path, seed: int, boot: int, prior_weight: float, fmt: str) -> None:
    """Refit channels' curves to observed periods (period, channel, spend, reach | outcome)."""
    import dataclasses

    from .evidence.calibrate_io import calibrate_file, report_lines
    from .yaml_file import write

    _yaml_out(out)
    try:
        text, fits = calibrate_file(scenario, results, prior_weight=prior_weight, boot=boot, seed=seed)
    except ScenarioError as err:
        _bad(err)
        return
    if fmt == "json":
        for fit in fits:
            click.echo(jsonout.dumps(dataclasses.asdict(fit)))
    else:
        for line in report_lines(fits):
            click.echo(line)
    if not any(f.ok for f in fits):
        click.echo("error: no channel could be calibrated; nothing was written", err=True)
        sys.exit(BAD_INPUT)
    write(out, text)
    click.echo(f"wrote {out}: {sum(f.ok for f in fits)} of {len(fits)} channels refitted", err=True)
