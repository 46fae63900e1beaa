"""Possible worlds of a scenario, and a plan judged in every one of them (no solver here).

A world is a concrete :class:`Scenario` (built with ``model_copy``), so the verifier's
truth, :func:`channelmix.evaluate.evaluate`, applies to it unchanged.  World 0 is always
the scenario as written; with ``worlds.uncertainty`` the other ``count − 1`` are sampled
with ``numpy.random.default_rng(seed)`` (same seed, same worlds):

* **affinity** spread σ: one factor per channel, ``exp(σ·N(0,1) − σ²/2)`` (lognormal,
  mean 1), multiplies every affinity of the channel, clipped to [0, 1];
* **response** spread σ: one lognormal factor per channel, drawn the same way, scales
  what the channel's spend buys.  With objective ``max_outcome`` (or an
  ``outcome_target``) a channel with an outcome has its ``outcome.value`` multiplied;
  otherwise its curve is made more (factor > 1) or less effective: a saturating
  ``scale``, a hill ``half`` and a PyMC-Marketing curve's ``channel_scale`` are divided by
  the factor, a linear ``slope`` and a constant ``value`` multiplied, a pwl's reach values
  multiplied (clipped to 1).

With ``worlds.draws`` every draw of the table (see :mod:`channelmix.worlds_draws`) is a
world of pwl curves besides world 0.  With ``worlds.samples`` each world takes one posterior
sample of every curve that holds samples (PyMC-Marketing curves, a joint draw; its
``outcome.value`` scaled by that sample's ceiling over the mean's), all of them or ``count``
drawn without replacement with ``default_rng(seed)``, in order.  World 0, the scenario as
written, is the samples' mean, so over every sample the worlds' mean outcome is exactly the
posterior mean; over a thinned set the risk figures carry a Monte-Carlo standard error.

Risk figures are in the objective's own units; "worst" is the lowest value for a
maximising objective and the highest for a minimising one, and CVaR_α is the average
of the worst α share of worlds (Rockafellar–Uryasev, the value the risk model optimises).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .evaluate import Evaluation, evaluate
from .schema.models import Channel, Constant, Hill, Linear, Pwl, Saturating, Scenario
from .schema.saturations import Saturation
from .schema.worlds import sampled_curves
from .tolerances import TOLERANCE


def worlds_of(scenario: Scenario) -> list[Scenario]:
    """Every world of the scenario (just the scenario itself without ``worlds:``)."""
    spec = scenario.worlds
    if spec is None:
        return [scenario]
    if spec.draws is not None:
        from .worlds_draws import draw_worlds

        return [scenario, *draw_worlds(scenario, spec.draws)]
    if spec.samples is not None:
        return [scenario, *[_sample_world(scenario, i) for i in sample_indices(scenario)]]
    u = spec.uncertainty
    rng = np.random.default_rng(u.seed)
    n = len(scenario.channels)
    out = [scenario]
    for _ in range(u.count - 1):
        a = _lognormal(rng, u.affinity, n)
        r = _lognormal(rng, u.response, n)
        channels = [_vary(scenario, ch, float(a[c]), float(r[c])) for c, ch in enumerate(scenario.channels)]
        out.append(scenario.model_copy(update={"channels": channels}))
    return out


def sample_indices(scenario: Scenario) -> np.ndarray:
    """The posterior samples the worlds take (every one, or ``count`` of them, seeded, in order)."""
    spec = scenario.worlds.samples
    total = max(sampled_curves(scenario).values())
    if spec.count == "all" or spec.count >= total:
        return np.arange(total)
    return np.sort(np.random.default_rng(spec.seed).choice(total, size=spec.count, replace=False))


def thinned(scenario: Scenario) -> bool:
    """Whether the worlds are some of the posterior samples, not all (then risk figures have a Monte-Carlo error)."""
    spec = scenario.worlds.samples if scenario.worlds is not None else None
    return spec is not None and spec.count != "all" and spec.count < max(sampled_curves(scenario).values())


def _sample_world(scenario: Scenario, i: int) -> Scenario:
    channels = []
    for ch in scenario.channels:
        resp = ch.response
        if isinstance(resp, Saturation) and resp.samples > 1:
            update: dict[str, Any] = {"response": resp.sample(i)}
            if ch.outcome is not None:
                update["outcome"] = ch.outcome.model_copy(update={"value": ch.outcome.value * resp.sample_weight(i)})
            ch = ch.model_copy(update=update)
        channels.append(ch)
    return scenario.model_copy(update={"channels": channels})


def _lognormal(rng: np.random.Generator, sigma: float, n: int) -> np.ndarray:
    """n factors exp(σZ − σ²/2): mean 1, all 1 at σ = 0 (the draws are taken either way, so
    changing one spread does not reshuffle the other)."""
    z = rng.standard_normal(n)
    return np.exp(sigma * z - sigma * sigma / 2.0)


def _vary(sc: Scenario, ch: Channel, a: float, r: float) -> Channel:
    update: dict[str, Any] = {}
    if a != 1.0 and ch.affinity:
        update["affinity"] = {p: {g: min(1.0, v * a) for g, v in row.items()} for p, row in ch.affinity.items()}
    if r != 1.0:
        outcome_counts = sc.objective.sense == "max_outcome" or sc.objective.outcome_target is not None
        if outcome_counts and ch.outcome is not None:
            update["outcome"] = ch.outcome.model_copy(update={"value": ch.outcome.value * r})
        else:
            update["response"] = _scaled(ch.response, r)
    return ch.model_copy(update=update) if update else ch


def _scaled(resp: Any, r: float) -> Any:
    if isinstance(resp, Saturating):
        return resp.model_copy(update={"scale": resp.scale / r})
    if isinstance(resp, Hill):
        return resp.model_copy(update={"half": resp.half / r})
    if isinstance(resp, Saturation):
        return resp.scaled(r)
    if isinstance(resp, Linear):
        return resp.model_copy(update={"slope": resp.slope * r})
    if isinstance(resp, Constant):
        return resp.model_copy(update={"value": min(1.0, resp.value * r)})
    if isinstance(resp, Pwl):
        return resp.model_copy(update={"points": [[x, min(1.0, y * r)] for x, y in resp.points]})
    return resp


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
        cells.append({"phase": cell.phase, "segment": cell.segment, "target": cell.target, "probability": met / len(truths)})
    out = {"worlds": len(truths), "risk": scenario.objective.risk, "mean": float(values.mean()),
           "p5": float(np.percentile(values, 5)), "p95": float(np.percentile(values, 95)), "worst": worst,
           "cvar": cvar(values, alpha, maximises), "alpha": alpha, "objectives": [float(v) for v in values],
           "cell_target_probability": cells, "rules_hold": sum(1 for t in truths if not t.violations)}
    if len(truths) > 2 and thinned(scenario):
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
    figures = {"mean": sets.mean(axis=1), "p5": np.percentile(sets, 5, axis=1), "p95": np.percentile(sets, 95, axis=1),
               "cvar": np.array([cvar(row, alpha, maximises) for row in sets])}
    return {k: float(v.std(ddof=1)) for k, v in figures.items()}


def risk_figure(risk: dict[str, Any]) -> float | None:
    """The figure the risk objective optimises (mean, worst or cvar)."""
    return None if risk.get("risk") is None else float(risk[risk["risk"]])


def check_worlds(scenario: Scenario, plan: Any, promised: list[float] | None = None,
                 worlds: list[Scenario] | None = None) -> Any:
    """The plan with its ``risk`` recomputed world by world; raise
    :class:`~channelmix.verify.VerificationError` if the model promised any world more
    than the real curves give (``promised``: the model's obj_w), as the verifier does
    for the scenario as written."""
    import dataclasses

    from .verify import VerificationError

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
            problems.append(f"risk {risk['risk']}: the MILP promised {risk['model']:.6g}, recomputed {risk_figure(risk):.6g}")
    if problems:
        lines = "\n  ".join(problems)
        raise VerificationError(f"plan for '{scenario.scenario}' failed verification in its worlds (a channelmix bug, please report it):\n  {lines}")
    return dataclasses.replace(plan, risk=risk)


def _model_risk(scenario: Scenario, promised: list[float]) -> float:
    values = np.array(promised)
    risk = scenario.objective.risk
    if risk == "mean":
        return float(values.mean())
    if risk == "worst":
        return float(values.min() if scenario.objective.maximises else values.max())
    return cvar(values, scenario.objective.alpha, scenario.objective.maximises)
