"""Numerical tolerances shared by the solver and the verifier (no solver code here)."""

from __future__ import annotations

TOLERANCE = 1e-6  # relative (and absolute, for small numbers) slack for solver round-off in a rule
TIE_TOLERANCE = 1e-9  # relative loss of the first objective allowed in the tie-break pass
# floor of that slack in the solver's units (the objective over its largest coefficient): its feasibility tolerance
TIE_FLOOR = 1e-9
FEASIBILITY = 1e-9  # the solvers' primal and integrality feasibility tolerances


def tie_slack(first: float) -> float:
    """How much of the first objective the tie-break pass may give up."""
    return max(TIE_TOLERANCE * abs(first), TIE_FLOOR)
