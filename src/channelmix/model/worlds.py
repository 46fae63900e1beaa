"""Possible worlds of a scenario (no solver here).

A world is a concrete :class:`Scenario` (built with ``model_copy``), so the verifier's
truth, :func:`channelmix.verify.evaluate.evaluate`, applies to it unchanged.  World 0 is always
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

With ``worlds.draws`` every draw of the table (see :mod:`channelmix.model.worlds_draws`) is a
world of pwl curves besides world 0.  With ``worlds.samples`` each world takes one posterior
sample of every curve that holds samples (PyMC-Marketing curves, a joint draw; its
``outcome.value`` scaled by that sample's ceiling over the mean's), all of them or ``count``
drawn without replacement with ``default_rng(seed)``, in order.  World 0, the scenario as
written, is the samples' mean, so over every sample the worlds' mean outcome is exactly the
posterior mean; over a thinned set the risk figures carry a Monte-Carlo standard error.

How a plan fares in every world (its risk figures) is the verifier's:
:mod:`channelmix.verify.risk`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..schema.models import Channel, Constant, Hill, Linear, Pwl, Saturating, Scenario
from ..schema.saturations import Saturation
from ..schema.worlds import sampled_curves


def worlds_of(scenario: Scenario) -> list[Scenario]:
    """Every world of the scenario (just the scenario itself without ``worlds:``)."""
    spec = scenario.worlds
    if spec is None:
        return [scenario]
    if spec.draws is not None:
        from .worlds_draws import draw_worlds

        return [scenario, *draw_worlds(scenario, spec.draws)]
    if spec.samples is not None:
        return [scenario, *[_sample_world(scenario, int(i)) for i in sample_indices(scenario)]]
    u = spec.uncertainty
    assert u is not None  # the schema asks for draws or an uncertainty
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
    assert scenario.worlds is not None and scenario.worlds.samples is not None  # asked for only with samples
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


