"""``channelmix validate``: the schema alone, never the solver stack (a check before a solve should
not wait for one)."""

from __future__ import annotations

import click

from .common import cases, decimal_option, set_option


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@set_option
@decimal_option
def validate(files: tuple[str, ...], assignments: tuple[str, ...], decimal: str | None) -> None:
    """Check scenario FILES and their variants without solving: every problem, with
    where and how to fix it.

    Exit code 0 when all are valid (warnings are printed but allowed), 2 otherwise.
    """
    for case in cases(files, assignments, decimal=decimal):
        sc = case.scenario
        click.echo(f"{case.source}: ok — '{sc.scenario}', {len(sc.channels)} channels, {len(sc.phases)} phases × "
                   f"{len(sc.segments)} segments, objective {sc.objective.sense}")
        for warning in case.warnings:
            click.echo(f"{case.source}: warning: {warning}", err=True)
