"""Certificates for the claims "optimal" and "infeasible" (issue #22), checked without the solver.

The verifier proves that a plan keeps every rule and that its figures are right; it cannot
see a plan that is feasible but far from the best, nor an "infeasible" that is not.  Here
every plan the pipeline has for free — today's plan (``current:``), every channel off, the
warm start (a sweep's previous step), the risk-neutral plan of a robust model — is scored
*as the MILP sees it*: on the MILP's own curve pieces, with its caps and payable units.
The MILP claimed that no plan it could take is better than its optimum (within the stated
gap); a rival it could take that is better refutes the claim, whatever the currency or
the solver's numerics did:

* :func:`certify_optimal` raises :class:`CertificateError` when a rival beats the MILP's
  objective by more than the gap (for a plan of the real curves the true objective of the
  rival beats the plan's then by more than the gap plus the approximation bound);
* :func:`certify_infeasible` raises when a rival keeps every rule the MILP states.

A rival the MILP could not take (a spend off the payable grid or above a cap, a hard
target met only on the real curves) proves nothing and is passed over.  Like the verifier,
nothing here imports the formulation or a solver: the pieces come in as plain data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..core.tolerances import TOLERANCE
from ..model.curves import Pieces
from ..model.periods import Horizon
from ..schema.models import Pwl, Scenario
from .baseline import decisions, decisions_over_periods
from .evaluate import Evaluation, evaluate, off_steps
from .evaluate_periods import evaluate_periods
from .risk import risk_figure, summarise
from .verifier import VerificationError


class CertificateError(VerificationError):
    """A claim of optimality or infeasibility that a plan the pipeline already has refutes: a
    channelmix bug (the model was solved wrong), reported as a failed verification is."""


@dataclass(frozen=True)
class Rival:
    """A plan the pipeline has for free: its name in words, on/off and spends (keyed as the plan's)."""

    name: str
    on: dict[Any, bool]
    spend: dict[Any, float]


@dataclass(frozen=True)
class ModelCurves:
    """The curves as the MILP saw them: ``pieces`` by channel id (one period), by (channel,
    period) (periods), or with ``worlds`` one mapping by channel id per world (robust)."""

    pieces: dict[Any, Pieces] = field(default_factory=dict)
    worlds: list[Scenario] = field(default_factory=list)
    world_pieces: list[dict[str, Pieces]] = field(default_factory=list)


def free_rivals(scenario: Scenario, extra: list[Rival] | None = None) -> list[Rival]:
    """Today's plan (kept up in every period over periods), every channel off, and ``extra``."""
    out = []
    if scenario.current is not None:
        on, spend = decisions_over_periods(scenario) if scenario.kind == "periods" else decisions(scenario)
        out.append(Rival("today's plan", on, spend))
    none: dict[str, float] = {}
    on, spend = decisions_over_periods(scenario, none) if scenario.kind == "periods" else decisions(scenario, none)
    out.append(Rival("every channel off", on, spend))
    return out + list(extra or [])


def model_value(scenario: Scenario, rival: Rival, curves: ModelCurves) -> float | None:
    """The MILP's objective (its risk figure for a robust model) at the rival's decisions, on its
    curve pieces; None when the MILP could not take them (a rule broken on the pieces, a spend
    off the payable grid or above the MILP's cap)."""
    if curves.worlds:
        if not _takeable(scenario, rival.on, rival.spend):
            return None
        truths = [evaluate(_pieced(world, pieces), rival.on, rival.spend) for world,
                  pieces in zip(curves.worlds, curves.world_pieces)]
        return None if any(t.violations for t in truths) else risk_figure(summarise(scenario, truths))
    if scenario.kind == "periods":
        H = Horizon(scenario)
        for view, p in zip(H.views, H.ids):
            if not _takeable(view, {c.id: rival.on.get((c.id, p), False) for c in scenario.channels},
                             {c.id: rival.spend.get((c.id, p), 0.0) for c in scenario.channels}):
                return None
        views = [_pieced(view, {c.id: curves.pieces[(c.id, p)] for c in scenario.channels
                                if (c.id, p) in curves.pieces})
                 for view, p in zip(H.views, H.ids)]
        over = evaluate_periods(scenario, rival.on, rival.spend, views=views)
        return None if over.violations else over.objective
    if not _takeable(scenario, rival.on, rival.spend):
        return None
    truth: Evaluation = evaluate(_pieced(scenario, curves.pieces), rival.on, rival.spend)
    return None if truth.violations else truth.objective


def certify_optimal(scenario: Scenario, plan: Any, rivals: list[Rival], curves: ModelCurves) -> None:
    """Raise :class:`CertificateError` when a rival is better, on the MILP's own pieces, than the
    optimum the MILP claimed (its objective, or its risk figure) by more than the plan's gap."""
    # chosen for the worlds: the claim is a risk figure
    robust = plan.risk is not None and plan.risk.get("risk") is not None
    claim = plan.risk.get("model") if robust else plan.model_objective
    if not plan.solved or claim is None:
        return
    gap = plan.gap if plan.gap is not None else scenario.solver.gap
    sign = 1.0 if scenario.objective.maximises else -1.0
    worth = risk_figure(plan.risk) if robust else plan.objective
    for rival in rivals:
        value = model_value(scenario, rival, curves)
        if value is None:
            continue
        room = gap * abs(claim) + TOLERANCE * max(abs(claim), abs(value), abs(worth or 0.0))
        if sign * (value - claim) > room:
            raise CertificateError(
                f"plan for '{scenario.scenario}' is not optimal (a channelmix bug, please report it): {rival.name} is "
                f"worth {value:.8g} on the model's own curve pieces, {'above' if sign > 0 else 'below'} the optimum of "
                f"{claim:.8g} the solver claimed within a gap of {gap:.3g}; the plan reported is worth {worth:.8g}"
                + (f" ({plan.risk['risk']} over {plan.risk['worlds']} worlds)" if robust else ""))


def certify_infeasible(scenario: Scenario, rivals: list[Rival], curves: ModelCurves) -> None:
    """Raise :class:`CertificateError` when a rival keeps every rule the MILP states: then the
    scenario is not infeasible, whatever the solver said."""
    for rival in rivals:
        if model_value(scenario, rival, curves) is not None:
            raise CertificateError(
                f"scenario '{scenario.scenario}' is not infeasible (a channelmix bug, please report it): the solver "
                f"found no plan, but {rival.name} keeps every hard rule")


def _takeable(scenario: Scenario, on: dict[str, bool], spend: dict[str, float]) -> bool:
    """Whether the MILP has these spends at all: each within the MILP's cap (0 without a spend
    lever) and a multiple of its payable unit."""
    caps = scenario.spend_caps()
    for ch in scenario.channels:
        s = float(spend.get(ch.id, 0.0)) if on.get(ch.id, False) else 0.0
        if s > caps[ch.id] * (1 + TOLERANCE) + TOLERANCE * (not caps[ch.id]):
            return False
    return not off_steps(scenario, {cid: s if on.get(cid, False) else 0.0 for cid, s in spend.items()})


def _pieced(scenario: Scenario, pieces: dict[str, Pieces]) -> Scenario:
    """The scenario with every pieced curve replaced by its pieces (a pwl through them, flat
    past the cap): the curves the MILP optimised on."""
    if not pieces:
        return scenario
    channels = [ch.model_copy(update={"response": Pwl.model_construct(type="pwl",
                                                                      points=[[x, y] for x, y in zip(p.xs, p.ys)])})
                if (p := pieces.get(ch.id)) is not None and len(p.xs) >= 2 else ch for ch in scenario.channels]
    return scenario.model_copy(update={"channels": channels})
