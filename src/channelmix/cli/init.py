"""``channelmix init``: a commented starter scenario."""

from __future__ import annotations

from pathlib import Path

import click

from ..schema import ScenarioError
from ..schema.starter import starter
from ..schema.yaml_file import write
from .common import fail


@click.command()
@click.argument("path", default="scenario.yaml", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--from-csv", "table", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Build the scenario around this channel table (.csv or .xlsx) instead of the example channels.")
@click.option("--decimal", type=click.Choice([".", ","]),
              help="The decimal sign of the table's numbers (default: found from the table; ',' for 0,5).")
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def init(path: Path, table: Path | None, decimal: str | None, force: bool) -> None:
    """Write a commented starter scenario to PATH (default scenario.yaml)."""
    if path.exists() and not force:
        fail([f"error: {path} exists; use --force to overwrite it or name another file"])
    try:
        text = starter(path, table, decimal)
    except ScenarioError as err:
        fail([err.render()])
    write(path, text)
    click.echo(f"wrote {path}; solve it with: channelmix solve {path}")
