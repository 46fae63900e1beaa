"""The one place that tells the kinds of scenario apart for the model (see ``Scenario.kind``)."""

from __future__ import annotations

from ..schema.models import Scenario
from .builder import formulate_single
from .formulation import Formulation
from .periods import formulate_periods
from .worlds import formulate_worlds


def formulate(scenario: Scenario, worlds: bool = True) -> Formulation:
    """The MILP of a concrete scenario: over periods, robust over its worlds, or of one period.

    ``worlds=False``: a robust scenario's nominal model (the scenario as written, one world), as
    the relaxation diagnosis, the LP duals and the alternatives of an explanation ask for it."""
    match scenario.kind:
        case "periods":
            return formulate_periods(scenario)
        case "robust" if worlds:
            return formulate_worlds(scenario)
        case _:
            return formulate_single(scenario)
