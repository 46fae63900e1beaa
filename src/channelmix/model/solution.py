"""What a solver decided, as plain data: the record the solver side hands to the verifier side.

It holds on/off and spends (and the solver's own figures: bound, gap, seconds), never a model
object: the plan is built from it and every figure recomputed from the scenario
(:mod:`channelmix.verify.plan`), so the verifier needs neither the formulation nor a solver.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .facts import Proof, Rule

SOLVED = ("optimal", "feasible")  # the statuses that come with a plan


@dataclass(frozen=True)
class Solution:
    """What the solver decided, before anything is recomputed from the scenario."""

    status: str
    on: dict[Any, bool]  # by channel, or by (channel, period id) for a plan over periods
    spend: dict[Any, float]
    model_objective: float | None  # the first objective, on the LP pieces
    bound: float | None  # best bound on the first objective the solver proved
    gap: float | None  # relative gap between the two, when known
    seconds: float
    solver: str
    passes: int
    binding: list[Rule]  # the rules that bind in the optimisation
    values: dict[str, float] = field(default_factory=dict, repr=False)  # every variable, to warm-start a neighbour
    solver_seconds: float = 0.0  # inside the solver's run(), both passes
    tie_break: str = ""  # "", "done", or why it stopped short ("node limit 500")
    binding_names: list[str] = field(default_factory=list)  # the constraint names behind ``binding``
    tie_slack: float = 0.0  # how much of the first objective the tie-break pass may have given up, in its units
    proof: Proof | None = None  # a long plan over periods: how its bound was proven (see solve/period_cuts)
