"""A re-solve started from the plan it perturbs (docs/architecture.md, "Questions after a solve").

An explanation asks the same scenario many small questions: this channel the other way, this
limit a step looser, the next-best mix.  Each re-solve knows the plan it perturbs, and often
the direction its answer can move: :class:`Warm` hands both to the solver, as a first
incumbent (the plan itself when it stays feasible, or repaired: the perturbed channels' on/off
set the other way or left to the solver, which completes the rest) and as bounds (a cutoff
that prunes what cannot matter, a target at which the answer is already known)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..formulate import Formulation
from .solvers import PartialStart

RESTARTS = False
"""Whether HiGHS may restart its search (presolve again with what the root found) in a re-solve that
starts from a known plan.  Off: such a re-solve perturbs one decision or one limit of a plan already
optimal, or asks the next mix past it, and HiGHS spent its time at the root restarting rather than
searching.  Every model of the six-month bakery's explanation, dumped and re-run with restarts off,
kept its objective (within 5e-14 relative) in about half the HiGHS time (27.4 -> 14.2 s summed; the
13-week quarter 33.9 -> 23.7 s).  A scenario's first solve keeps them: a big cold model (set
covering) may need them, and nothing is known of its plan yet."""


@dataclass(frozen=True)
class Warm:
    """How a re-solve starts from a solved plan.

    ``values``: the plan's solver values (``solve_from``'s second result; None: no start, the
    solver's own, e.g. a horizon's, as in a first solve).  ``repair``: channel ->
    its on/off in the start (True, False), or None to leave it to the solver (over periods:
    in which periods); with any repair the start names only the on/off decisions, the
    other channels' as the plan has them, and the solver completes the spends (a partial
    start), since the plan's own spends need not fit the perturbed model.  ``cutoff`` and
    ``target``: see :func:`channelmix.solve.passes.run` (the objective's own terms)."""

    values: dict[str, float] | None
    repair: dict[str, bool | None] = field(default_factory=dict)
    cutoff: float | None = None
    target: float | None = None
    restarts: bool = RESTARTS

    def start(self, formulation: Formulation) -> dict[str, float] | None:
        """The first incumbent for ``formulation``: the plan's values, or the repaired on/off decisions."""
        if not self.repair or self.values is None:
            return self.values
        partial = PartialStart()
        for key, x in formulation.on.items():
            cid = key[0] if isinstance(key, tuple) else key  # over periods: (channel, period)
            decided = self.repair[cid] if cid in self.repair else self.values.get(x.name, 0.0) > 0.5
            if decided is not None:
                partial[x.name] = 1.0 if decided else 0.0
        return partial
