"""``channelmix import`` and ``channelmix calibrate``: curves from evidence (thin over channelmix.evidence)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

import click

from ..core import jsonout
from ..schema import ScenarioError
from ..schema.limits import MAX_AMOUNT
from .common import fail
from .types import Number, finite

MAX_PRIOR_WEIGHT = 1e6  # a pull this strong already pins the curve to the scenario's own


def _bad(err: ScenarioError) -> NoReturn:
    fail([err.render(), "error: nothing was written"])


def _yaml_out(path: Path) -> None:
    if path.suffix.lower() not in (".yaml", ".yml"):
        fail([f"error: {path}: the scenario is written as YAML; name it .yaml or .yml"])


def _ratio_pair(text: str) -> tuple[float, float]:
    lo, _, hi = text.partition(":")
    pair = finite(lo, "write --bounds LO:HI, e.g. 0.5:2"), finite(hi, "write --bounds LO:HI, e.g. 0.5:2")
    if not 0 <= pair[0] <= pair[1]:
        raise click.BadParameter(f"'{text}': need 0 ≤ LO ≤ HI")
    return pair


# the options each source reads: any other given on the command line exits 2 (never accepted and ignored)
OPTIONS = {
    "robyn": {"solid", "window", "model_window", "adstock", "bounds", "budget", "periods"},
    "curves": {"budget", "per"},
    "pymc-marketing": {"budget", "recent", "window", "bounds", "n_draws", "seed", "periods"},
    "meridian": {"per", "weeks", "bounds", "budget", "n_draws", "seed"},
}


def _given(name: str | None) -> bool:
    """Whether an option was given on the command line (not its default)."""
    ctx = click.get_current_context()
    return name is not None and ctx.get_parameter_source(name) is click.core.ParameterSource.COMMANDLINE


def _unused_options(fmt: str) -> None:
    ctx = click.get_current_context()
    given = [p for p in ctx.command.params
             if isinstance(p, click.Option) and p.name not in OPTIONS[fmt] and p.name != "out" and _given(p.name)]
    if given:
        names = ", ".join(p.opts[-1] for p in given)
        takes = ", ".join(sorted("--" + n.replace("n_draws", "draws").replace("_", "-") for n in OPTIONS[fmt]))
        _refuse(f"{names} {'does' if len(given) == 1 else 'do'} not apply to '{fmt}' (it takes {takes})")


def _refuse(message: str) -> NoReturn:
    """An option that cannot apply: exit 2, nothing written."""
    fail([f"error: {message}; nothing was written"])


def _check_table(imported: Any) -> None:
    """After import, on stderr: each channel at today's spend, the tool's own figure, channelmix's."""
    rows = (imported.source or {}).get("check") or []
    if not rows:
        return
    tool = (imported.source or {}).get("tool", "tool")
    click.echo(f"check at today's spend: {tool}'s own figure beside channelmix's (the scenario's curve)", err=True)
    width = max(len(r["channel"]) for r in rows)
    click.echo(f"  {'channel':<{width}}  {'spend':>16}  {tool:>18}  {'channelmix':>18}  {'difference':>10}", err=True)
    for r in rows:
        theirs = "—" if r["tool"] is None else f"{r['tool']:,.2f}"
        diff = "—" if not r["tool"] else f"{r['channelmix'] / r['tool'] - 1:+.2e}"
        click.echo(f"  {r['channel']:<{width}}  {r['spend']:>16,.2f}  {theirs:>18}  {r['channelmix']:>18,.2f}  "
                   f"{diff:>10}", err=True)
    if imported.check_note:
        click.echo(f"  {imported.check_note}", err=True)


@click.command("import")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(["robyn", "curves", "pymc-marketing", "meridian"]))
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Scenario file to write (.yaml).")
@click.option("--solid", help="robyn: the model (solID) to import from the pareto CSVs.")
@click.option("--window", metavar="RANGE",
              help="robyn: the allocator's date range for today's spend: all (default), last_N, a date "
                                                "or START:END, read on the modelling window's dates as Robyn does. "
                                                "pymc-marketing: START:END, the training periods today's spend is the "
                                                "mean of.")
@click.option("--model-window", metavar="START:END",
              help="robyn CSVs: the modelling window (default: every row of the raw data).")
@click.option("--adstock", type=click.Choice(["geometric", "weibull_cdf", "weibull_pdf"]),
              help="robyn CSVs: the run's adstock when Weibull.")
@click.option("--bounds", metavar="LO:HI|meridian",
              help="robyn, pymc-marketing, meridian: min_spend/max_spend as multiples of today's spend when a channel "
                   "is on (robyn default 0.5:2; pymc-marketing default none); meridian: also 'meridian', the "
                   "BudgetOptimizer's own (±30 % of each channel's historical share).")
@click.option("--budget", type=Number(min=0, max=MAX_AMOUNT),
              help="Budget per period of the scenario (robyn, pymc-marketing, meridian default: today's total; curves "
                   "default: none, objective net).")
@click.option("--per", help="curves: what the table's spends and outcomes are per (week, '156 weeks'; recorded). "
                            "meridian: window (default: totals over the model's window, as Meridian's curves) or week.")
@click.option("--weeks", type=click.IntRange(min=1),
              help="meridian, a table alone: the weeks in the model's window (for --per week).")
@click.option("--recent", type=click.IntRange(min=1),
              help="pymc-marketing: today's spend is the mean of this many last periods of the training data (default "
                   "13).")
@click.option("--draws", "n_draws", type=click.IntRange(min=0),
              help="pymc-marketing: posterior samples kept as worlds (0: none; default every one while samples × "
                   "channels ≤ 2,000, else that many, drawn with --seed). meridian: posterior draws kept as worlds "
                   "(default: every draw).")
@click.option("--seed", type=int,
              help="pymc-marketing, meridian: seed for drawing the samples kept as worlds (default 0).")
@click.option("--periods", type=click.IntRange(min=1, max=520),
              help="robyn (geometric adstock): a plan over this many periods after the "
                                                                    "data, from the adstock history leaves (default: "
                                                                    "one period, the curve Robyn's allocator "
                                                                    "optimises).")
def import_command(fmt: str, paths: tuple[str, ...], out: Path, solid: str | None, window: str | None,
                   model_window: str | None,
                   adstock: str | None, bounds: str | None, budget: float | None, per: str | None, weeks: int | None,
                   recent: int | None, n_draws: int | None, seed: int | None, periods: int | None) -> None:
    """Write a scenario from a fitted MMM (robyn, pymc-marketing, meridian) or a curve table
    (curves: channel, spend, outcome[, draw])."""
    from ..evidence.writer import render, write_with_draws
    from ..schema.yaml_file import write

    _yaml_out(out)
    _unused_options(fmt)
    draws = band = None
    try:
        if fmt == "pymc-marketing":
            if periods is not None:
                _refuse("--periods: PyMC-Marketing's adstock is a normalised l_max-week kernel whose decay differs in "
                        "every posterior sample, so no single carry-over θ (a_t = s_t + θ·a_(t−1)) reproduces its "
                        "BudgetOptimizer's window objective; the default import is the steady state, the response per "
                        "week of a plan kept up")
            imported = _pymc(paths, window, bounds, budget, recent, n_draws, seed)
        elif fmt == "meridian":
            from ..evidence.meridian import Options, import_meridian

            if per not in (None, "window", "week"):
                raise click.BadParameter(f"'{per}': meridian takes --per window or --per week", param_hint="--per")
            if bounds not in (None, "meridian"):
                _ratio_pair(bounds)
            imported, draws, band = import_meridian(list(paths),
                                                    Options(per or "window", weeks, bounds, budget, n_draws, seed))
        elif fmt == "robyn":
            from ..evidence.robyn import import_robyn

            imported = import_robyn(list(paths), solid, window, adstock, model_window, None if bounds is None
                                    else _ratio_pair(bounds),
                                    periods, budget)
        else:
            from ..evidence.curve_table import import_curves

            if len(paths) != 1:
                raise click.UsageError("curves takes one table")
            imported, draws = import_curves(paths[0], budget, per)
        if draws is None and band is None:
            write(out, render(imported, str(out)))
        else:
            write_with_draws(imported, out, draws, band)
    except ScenarioError as err:
        _bad(err)
    extra = [f"worlds in {out.with_suffix('.draws.csv')}"] if draws is not None else []
    extra += [f"interval in {out.with_suffix('.band.csv')}"] if band is not None else []
    extra += ["worlds from the posterior samples"] if (imported.worlds or {}).get("samples") else []
    click.echo(f"wrote {out}: {len(imported.channels)} channels" + "".join(", " + e for e in extra), err=True)
    for line in imported.said:
        click.echo(f"note: {line}", err=True)
    _check_table(imported)


def _pymc(paths: tuple[str, ...], window: str | None, bounds: str | None, budget: float | None, recent: int | None,
          n_draws: int | None, seed: int | None):
    from ..evidence.pymc import Options, import_pymc

    if len(paths) != 1:
        raise click.UsageError("pymc-marketing takes one saved model (.nc)")
    if recent is not None and window is not None:
        _refuse("--recent and --window both say which periods today's spend is the mean of: give one")
    options = Options(recent=recent, window=window, bounds=None if bounds is None else _ratio_pair(bounds),
                      budget=budget,
                      draws=n_draws, seed=seed or 0)
    imported = import_pymc(paths[0], options)
    kept = (imported.worlds or {}).get("samples", {}).get("count")
    if seed is not None and kept in (None, "all"):
        _refuse("--seed draws which posterior samples become worlds, but " + ("every sample is kept" if kept == "all"
                                                                              else "no worlds are kept")
                + ": give --draws N below the number of samples, or drop --seed")
    return imported


@click.command("calibrate")
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.argument("results", type=click.Path(dir_okay=False))
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Updated scenario to write (.yaml).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the bootstrap.")
@click.option("--boot", type=click.IntRange(min=0), default=200, show_default=True,
              help="Bootstrap fits for the intervals (0: none).")
@click.option("--prior-weight", type=Number(min=0, max=MAX_PRIOR_WEIGHT), default=1e-4, show_default=True,
              help="Weak pull of the scenario's own curve (ridge on log-parameters); 0 = none.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def calibrate_command(scenario: str, results: str, out: Path, seed: int, boot: int, prior_weight: float,
                      fmt: str) -> None:
    """Refit channels' curves to observed periods (period, channel, spend, reach | outcome)."""
    import dataclasses

    from ..evidence.calibrate_io import calibrate_file, report_lines
    from ..schema.yaml_file import write

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
        fail(["error: no channel could be calibrated; nothing was written"])
    write(out, text)
    click.echo(f"wrote {out}: {sum(f.ok for f in fits)} of {len(fits)} channels refitted", err=True)
