"""The polish: a MILP plan's spends moved on the real curves, the on/off decisions kept (the
periods' schedule kept), never making the plan worse or wrong (no pulp).  One dispatch by the
scenario's kind (:func:`polish`): one period (:mod:`.single`, with neighbouring on/off sets
(:mod:`.sets`) and payable units (:mod:`.steps`)), or the whole horizon (:mod:`.periods`)."""

from __future__ import annotations

from ...schema.models import Scenario
from .periods import polish_periods
from .single import Polished, polish_single


def polish(scenario: Scenario, on: dict, spend: dict, time_left: float = 5.0, sets: bool = False) -> Polished:
    """Better spends for the same decisions (keys: channel, or (channel, period) over periods).
    ``sets``: one period's polish may also try neighbouring on/off sets (see :func:`polish_single`)."""
    match scenario.kind:
        case "periods":
            return polish_periods(scenario, on, spend, time_left)
        case _:
            return polish_single(scenario, on, spend, time_left, sets=sets)


__all__ = ["Polished", "polish"]
