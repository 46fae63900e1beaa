"""The ``channelmix`` command: a thin layer over :mod:`channelmix.api`.

Exit codes: 0 every scenario solved; 1 some scenario infeasible or unsolved;
2 bad input (nothing is solved or written).
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

import click
from rich.console import Console

from . import __version__
from .api import solve_scenario, with_solver
from .report import render, to_json, write_outputs
from .schema import Loaded, ScenarioError, load

OK, NO_PLAN, BAD_INPUT = 0, 1, 2


def _console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def _load_all(paths: tuple[str, ...]) -> list[Loaded]:
    """Validate every file first; any problem stops the run before anything is solved."""
    loaded, failed = [], []
    for path in paths:
        try:
            loaded.append(load(path))
        except ScenarioError as err:
            failed.append(err)
    if failed:
        for err in failed:
            click.echo(err.render(), err=True)
        click.echo(f"error: {len(failed)} of {len(paths)} file{'s' if len(paths) != 1 else ''} could not be read; nothing was solved", err=True)
        sys.exit(BAD_INPUT)
    return loaded


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="channelmix")
def main() -> None:
    """Pick the channel mix that covers every journey phase and customer segment.

    A mixed-integer program chooses which channels run and how much each gets,
    within the budget, hours and rules of a scenario file; every plan is checked
    by an independent verifier before it is shown.
    """


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="table: a readable view; json: one JSON object per scenario, one per line.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also write <scenario>.json, <scenario>.channels.csv and <scenario>.coverage.csv here.")
@click.option("--solver", type=click.Choice(["highs", "cbc"]), help="Override solver.name.")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), help="Override solver.time_limit (seconds).")
@click.option("--gap", type=click.FloatRange(min=0, max=1, max_open=True), help="Override solver.gap (relative).")
@click.option("--threads", type=click.IntRange(min=1), help="Override solver.threads.")
def solve(files: tuple[str, ...], fmt: str, out_dir: Path | None, solver: str | None, time_limit: float | None,
          gap: float | None, threads: int | None) -> None:
    """Solve scenario FILES and show the verified plan of each.

    Exit code 0 when every scenario has a plan, 1 when one is infeasible or no plan
    was found in time, 2 when a file is invalid (then nothing is solved).
    """
    loaded = _load_all(files)
    out, code = _console(), OK
    for item in loaded:
        scenario = with_solver(item.scenario, name=solver, time_limit=time_limit, gap=gap, threads=threads)
        plan = solve_scenario(scenario, item.warnings)
        if fmt == "json":
            click.echo(to_json(plan))
        else:
            render(plan, out)
        if out_dir is not None:
            write_outputs(plan, out_dir)
        if not plan.solved:
            code = NO_PLAN
            click.echo(f"{item.source}: {plan.message}", err=True)
    sys.exit(code)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def validate(files: tuple[str, ...]) -> None:
    """Check scenario FILES without solving: every problem, with where and how to fix it.

    Exit code 0 when all are valid (warnings are printed but allowed), 2 otherwise.
    """
    loaded = _load_all(files)
    for item in loaded:
        sc = item.scenario
        click.echo(f"{item.source}: ok — '{sc.scenario}', {len(sc.channels)} channels, {len(sc.phases)} phases × "
                   f"{len(sc.segments)} segments, objective {sc.objective.sense}")
        for warning in item.warnings:
            click.echo(f"{item.source}: warning: {warning}", err=True)


@main.command()
@click.argument("path", default="scenario.yaml", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def init(path: Path, force: bool) -> None:
    """Write a commented starter scenario to PATH (default scenario.yaml)."""
    if path.exists() and not force:
        click.echo(f"error: {path} exists; use --force to overwrite it or name another file", err=True)
        sys.exit(BAD_INPUT)
    text = resources.files("channelmix").joinpath("templates/starter.yaml").read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    click.echo(f"wrote {path}; solve it with: channelmix solve {path}")
