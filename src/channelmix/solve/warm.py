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


@dataclass(frozen=True)
class Warm:
    """How a re-solve starts from a solved plan.

    ``values``: the plan's solver values (``solve_from``'s second result).  ``repair``: channel ->
    its on/off in the start (True, False), or None to leave it to the solver (over periods:
    in which periods); with any repair the start names only the on/off decisions, the
    other channels' as the plan has them, and the solver completes the spends (a partial
    start), since the plan's own spends need not fit the perturbed model.  ``cutoff`` and
    ``target``: see :func:`channelmix.solve.passes.run` (the objective's own terms)."""

    values: dict[str, float]
    repair: dict[str, bool | None] = field(default_factory=dict)
    cutoff: float | None = None
    target: float | None = None

    def start(self, formulation: Formulation) -> dict[str, float]:
        """The first incumbent for ``formulation``: the plan's values, or the repaired on/off decisions."""
        if not self.repair:
            return self.values
        partial = PartialStart()
        for key, x in formulation.on.items():
            cid = key[0] if isinstance(key, tuple) else key  # over periods: (channel, period)
            decided = self.repair[cid] if cid in self.repair else self.values.get(x.name, 0.0) > 0.5
            if decided is not None:
                partial[x.name] = 1.0 if decided else 0.0
        return partial
