"""A plan judged in every world of its scenario (no solver here): the risk figures of
:mod:`channelmix.model.worlds` computed on the real curves, and the robust model's promises
checked world by world.

Risk figures are in the objective's own units; "worst" is the lowest value for a
maximising objective and the highest for a minimising one, and CVaR_α is the average
of the worst α share of worlds (Rockafellar–Uryasev, the value the risk model optimises).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from ..core.tolerances import TOLERANCE
from ..model.worlds import thinned, worlds_of
from ..schema.models import Scenario
from ..schema.worlds import sampled_curves
from .evaluate import Evaluation, evaluate
from .verifier import VerificationError


def scores(values: np.ndarray, maximises: bool) -> np.ndarray:
    """The objective turned into "more is better" (negated for minimising senses)."""
    return np.asarray(values, dtype=float) if maximises else -np.asarray(values, dtype=float)


def cvar(values: np.ndarray, alpha: float, maximises: bool = True) -> float:
    """CVaR_α in the objective's units: the average of the worst α·W worlds, the last
    one counted in part (exactly max_η η − Σ(η − g_w)⁺ / (αW) on the scores g)."""
    g = np.sort(scores(values, maximises))
    k = alpha * len(g)
    whole = int(math.floor(k + 1e-12))
    total = float(g[:whole].sum()) + (k - whole) * (float(g[whole]) if whole < len(g) else 0.0)
    value = total / k
    return value if maximises else -value


def risk_of(scenario: Scenario, on: dict[str, bool], spend: dict[str, float],
            worlds: list[Scenario] | None = None) -> dict[str, Any]:
    """The plan judged in every world: objective mean, p5, p95, worst, CVaR_α, and per
    cell with a coverage target the share of worlds where it is met."""
    worlds = worlds_of(scenario) if worlds is None else worlds
    truths = [evaluate(w, on, spend) for w in worlds]
    return summarise(scenario, truths)


def summarise(scenario: Scenario, truths: list[Evaluation]) -> dict[str, Any]:
    """:func:`risk_of` from the evaluations (one per world, world 0 first); ``rules_hold``
    counts the worlds in which the plan breaks no hard rule."""
    maximises = scenario.objective.maximises
    alpha = scenario.objective.alpha
    values = np.array([t.objective for t in truths])
    worst = float(values.min() if maximises else values.max())
    cells = []
    for k, cell in enumerate(truths[0].cells):
        if cell.target is None:
            continue
        met = sum(1 for t in truths if t.cells[k].level >= cell.target - TOLERANCE * max(1.0, cell.target))
        cells.append(
            {"phase": cell.phase, "segment": cell.segment, "target": cell.target, "probability": met / len(truths)})
    out: dict[str, Any] = {"worlds": len(truths), "risk": scenario.objective.risk, "mean": float(values.mean()),
           "p5": float(np.percentile(values, 5)), "p95": float(np.percentile(values, 95)), "worst": worst,
           "cvar": cvar(values, alpha, maximises), "alpha": alpha, "objectives": [float(v) for v in values],
           "cell_target_probability": cells, "rules_hold": sum(1 for t in truths if not t.violations)}
    if len(truths) > 2 and thinned(scenario):
        assert scenario.worlds is not None and scenario.worlds.samples is not None  # thinned: posterior samples
        out["mc_se"] = mc_errors(values, alpha, maximises, scenario.worlds.samples.seed)
        out["samples"] = max(sampled_curves(scenario).values())  # of which the worlds are a random share
    return out


MC_RESAMPLES = 1000  # bootstrap resamples for the Monte-Carlo standard errors


def mc_errors(values: np.ndarray, alpha: float, maximises: bool, seed: int) -> dict[str, float]:
    """Monte-Carlo standard errors of the risk figures when the worlds are some of the posterior
    samples: the standard deviation of each figure over bootstrap resamples of the sampled
    worlds (world 0, the posterior mean, kept in every resample), seeded.  "worst" has none:
    the least of a sample does not estimate the posterior's least."""
    rng = np.random.default_rng(seed)
    drawn = values[1:][rng.integers(0, len(values) - 1, size=(MC_RESAMPLES, len(values) - 1))]
    sets = np.column_stack([np.full(MC_RESAMPLES, values[0]), drawn])
    figures = {"mean": sets.mean(axis=1), "p5": np.percentile(sets, 5, axis=1),
               "p95": np.percentile(sets, 95, axis=1), "cvar": np.array([cvar(row, alpha, maximises) for row in sets])}
    return {k: float(v.std(ddof=1)) for k, v in figures.items()}


def risk_figure(risk: dict[str, Any]) -> float | None:
    """The figure the risk objective optimises (mean, worst or cvar)."""
    return None if risk.get("risk") is None else float(risk[risk["risk"]])


def check_worlds(scenario: Scenario, plan: Any, promised: list[float] | None = None,
                 worlds: list[Scenario] | None = None) -> Any:
    """The plan with its ``risk`` recomputed world by world; raise
    :class:`~channelmix.verify.verifier.VerificationError` if the model promised any world more
    than the real curves give (``promised``: the model's obj_w), as the verifier does
    for the scenario as written."""
    if not plan.solved:
        return plan
    on = {c.id: c.on for c in plan.channels}
    spend = {c.id: c.spend for c in plan.channels}
    worlds = worlds_of(scenario) if worlds is None else worlds
    truths = [evaluate(w, on, spend) for w in worlds]
    risk = summarise(scenario, truths)
    problems = []
    if promised is not None:
        sign = 1.0 if scenario.objective.maximises else -1.0
        for w, (model, truth) in enumerate(zip(promised, truths)):
            slack = TOLERANCE * max(1.0, abs(truth.objective), abs(model)) * 10
            if sign * (model - truth.objective) > slack:
                problems.append(f"world {w}: the MILP promised {model:.6g} but the plan is worth {truth.objective:.6g}")
            for v in truth.violations:
                problems.append(f"world {w}: {v}")
        risk["model"] = _model_risk(scenario, promised)
        if sign * (risk["model"] - (risk_figure(risk) or 0.0)) > TOLERANCE * max(1.0, abs(risk["model"])) * 10:
            problems.append(
                f"risk {risk['risk']}: the MILP promised {risk['model']:.6g}, recomputed {risk_figure(risk):.6g}")
    if problems:
        lines = "\n  ".join(problems)
        raise VerificationError(
            f"plan for '{scenario.scenario}' failed verification in its worlds (a channelmix bug, please report it):\n "
            f" {lines}")
    return dataclasses.replace(plan, risk=risk)


def _model_risk(scenario: Scenario, promised: list[float]) -> float:
    values = np.array(promised)
    risk = scenario.objective.risk
    if risk == "mean":
        return float(values.mean())
    if risk == "worst":
        return float(values.min() if scenario.objective.maximises else values.max())
    return cvar(values, scenario.objective.alpha, scenario.objective.maximises)
