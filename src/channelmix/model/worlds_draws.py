"""Worlds from a draws table: each draw becomes a world of pwl curves.

A channel the table gives gets, in each draw, the curve ``(spend, outcome − outcome at
the first spend)``, divided by its largest value, which becomes the channel's
``outcome.value`` in that world (as ``channelmix import curves`` turns the mean curve
into the scenario's channel).  A draw that does not start at spend 0 starts at [0, 0].
Channels the table does not give keep the scenario's curve.  A draw given as Hill
parameters ``(half, shape, value)`` is that exact ``hill`` curve with ``outcome.value``.
"""

from __future__ import annotations

from pathlib import Path

from ..schema.models import Channel, Hill, Outcome, Pwl, Scenario
from ..schema.worlds import draw_curve, read_draws


def draw_worlds(scenario: Scenario, path: str) -> list[Scenario]:
    """One world per draw, in the table's order (the file was checked when the scenario loaded)."""
    table, problems = read_draws(Path(path), scenario)
    if problems:  # the schema read this file when the scenario loaded; it changed since
        from ..schema.problems import ScenarioError

        raise ScenarioError(path, problems)
    out = []
    for curves in table.values():
        channels = [_channel(ch, curves.get(ch.id)) for ch in scenario.channels]
        out.append(scenario.model_copy(update={"channels": channels}))
    return out


def _channel(ch: Channel, points: list[tuple[float, float]] | tuple[float, float, float] | None) -> Channel:
    if not points:
        return ch
    if isinstance(points, tuple):  # an exact Hill curve: (half, shape, value)
        half, shape, value = points
        outcome = (ch.outcome or Outcome(value=0.0)).model_copy(update={"value": value})
        return ch.model_copy(update={"response": Hill(type="hill", half=half, shape=shape), "outcome": outcome})
    curve, value = draw_curve(points)
    outcome = (ch.outcome or Outcome(value=0.0)).model_copy(update={"value": value})
    return ch.model_copy(update={"response": Pwl(type="pwl", points=curve), "outcome": outcome})
