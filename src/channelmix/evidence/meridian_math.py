"""Meridian's response, recomputed from a saved model (see :mod:`.meridian_file`), and its
optimiser's default bounds.

For paid channel c, posterior draw d, geo g and week t (Meridian 2.1, ``Analyzer``):

* media are scaled by ``pop_g · s_c``, ``s_c`` the median of ``media / pop`` over every geo
  and week where it is not 0;
* adstock is a *normalised* weighted sum over ``W = min(max_lag + 1, weeks)`` lags, weights
  ``α^l`` (geometric) or ``(1 − l/W)^(1/α − 1)`` (binomial), zeros before the first week;
* Hill ``x^slope / (x^slope + ec^slope)`` after the adstock (or before it), or none;
* the effect ``β_dgc · H`` is brought back to KPI units by ``σ · pop_g`` (σ the standard
  deviation, ddof 0, of ``kpi / pop`` over every geo and window week) and to revenue by the
  week's revenue per KPI.

Meridian's response curve at multiplier k scales every week's media by k (its historical
flighting kept) and sums the outcome over the window's weeks: :func:`window_outcome`.  A
steady weekly spend w settles at adstock = weekly media (the weights sum to one), so the
steady weekly outcome is exact: :func:`steady_outcome`, for a national model one Hill
curve per draw (:func:`steady_hills`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .meridian_file import MeridianModel

CHUNK = 32  # multipliers evaluated at once (draws × chunk × weeks floats)
GTOL = 1e-4  # BudgetOptimizer.optimize's default relative tolerance of the budget grid
SPEND_CONSTRAINT = 0.3  # …and its default bounds for a fixed budget: ±30 % of each channel's historical share


def media_scale(m: MeridianModel) -> np.ndarray:
    """s_c: the median of media / population over every geo and week where it is not 0."""
    per_capita = m.media / m.population[:, None, None]
    return np.array([np.median(col[col != 0]) for col in per_capita.reshape(-1, per_capita.shape[-1]).T])


def kpi_stdev(m: MeridianModel) -> float:
    """σ: the standard deviation (ddof 0) of KPI / population over every geo and window week."""
    return float(np.std((m.kpi / m.population[:, None])[:, m.kpi_week]))


def decay_weights(alpha: np.ndarray, window: int, decay: str) -> np.ndarray:
    """(draws, window) normalised weights of lags 0 … window − 1."""
    lags = np.arange(window, dtype=float)
    if decay == "binomial":
        with np.errstate(divide="ignore"):
            weights = (1.0 - lags / window)[None, :] ** (1.0 / alpha[:, None] - 1.0)
    else:
        weights = alpha[:, None] ** lags[None, :]
    return weights / weights.sum(axis=1, keepdims=True)


def _adstock(units: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(draws, geos, weeks) adstock of (geos, weeks) or (draws, geos, weeks) units."""
    window = weights.shape[1]
    if units.ndim == 2:
        units = units[None]
    padded = np.concatenate([np.zeros(units.shape[:-1] + (window - 1,)), units], axis=-1)
    weeks = units.shape[-1]
    return sum(weights[:, lag, None, None] * padded[..., window - 1 - lag: window - 1 - lag + weeks]
               for lag in range(window))


def _hill(x: np.ndarray, ec: np.ndarray, slope: np.ndarray, saturation: str) -> np.ndarray:
    if saturation == "none":
        return x
    shape = (-1,) + (1,) * (x.ndim - 1)
    if np.all(slope == 1.0):  # Meridian's default (slope_m is Deterministic(1)): no powers to take
        return x / (x + ec.reshape(shape))
    xs, es = x ** slope.reshape(shape), ec.reshape(shape) ** slope.reshape(shape)
    return xs / (xs + es)


@dataclass(frozen=True)
class Channel:
    """One channel's fixed facts: everything but the multiplier."""

    c: int
    scale: float  # s_c
    stdev: float  # σ
    window: int  # W

    @classmethod
    def of(cls, m: MeridianModel, c: int) -> "Channel":
        weeks = len(m.weeks)
        return cls(c, float(media_scale(m)[c]), kpi_stdev(m),
                   min((m.max_lag if m.max_lag is not None else weeks) + 1, weeks))


def window_outcome(m: MeridianModel, c: int, multipliers: np.ndarray, facts: Channel | None = None) -> np.ndarray:
    """(draws, multipliers): each draw's incremental outcome over the window with every week's
    media of channel c times k — Meridian's response curve before the mean over draws."""
    f = facts or Channel.of(m, c)
    units = m.media[..., c] / (m.population[:, None] * f.scale)  # (geos, weeks)
    weights = decay_weights(m.alpha[:, c], f.window, m.decay[c])
    gain = (m.revenue_per_kpi * m.population[:, None])[None] * m.beta[:, :, c, None] * f.stdev  # (draws, geos, weeks)
    inside = m.kpi_week
    ks = np.asarray(multipliers, dtype=float)
    out = np.empty((m.alpha.shape[0], len(ks)))
    if not m.hill_before_adstock:  # adstock is linear: adstock(k · units) = k · adstock(units)
        base = _adstock(units, weights)[..., inside]  # (draws, geos, window weeks)
        weighted = gain[..., inside]
        for start in range(0, len(ks), CHUNK):
            k = ks[start:start + CHUNK]
            effect = _hill(k[None, :, None, None] * base[:, None], m.ec[:, c], m.slope[:, c], m.saturation[c])
            out[:, start:start + CHUNK] = (weighted[:, None] * effect).sum(axis=(2, 3))
        return out
    for j, k in enumerate(ks):
        saturated = _hill(np.broadcast_to(k * units, (len(weights),) + units.shape), m.ec[:, c], m.slope[:, c],
                          m.saturation[c])
        out[:, j] = (gain[..., inside] * _adstock(saturated, weights)[..., inside]).sum(axis=(1, 2))
    return out


def steady_outcome(m: MeridianModel, c: int, weekly: np.ndarray, facts: Channel | None = None) -> np.ndarray:
    """(draws, spends): each draw's outcome in a week of a steady weekly spend, once the adstock
    has built up (adstock = that week's media). A national spend is split over geos as the
    channel's window spend was; each geo's media per unit of spend is its window's."""
    f = facts or Channel.of(m, c)
    inside = m.kpi_week
    spend_g = m.spend[:, inside, c].sum(axis=1)
    units_g = m.media[:, inside, c].sum(axis=1)
    share = spend_g / spend_g.sum() if spend_g.sum() > 0 else units_g / units_g.sum()
    per_spend = np.where(spend_g > 0, units_g / np.where(spend_g > 0, spend_g, 1.0), units_g.sum() / m.spend_total[c])
    rpk = m.revenue_per_kpi[:, inside].mean(axis=1)  # the window's mean revenue per KPI, per geo
    # (geos, spends)
    x = np.asarray(weekly, dtype=float)[None, :] * (share * per_spend / (m.population * f.scale))[:, None]
    out = np.zeros((m.alpha.shape[0], x.shape[1]))
    for g in range(len(m.geos)):
        gain = rpk[g] * m.beta[:, g, c] * f.stdev * m.population[g]
        out += gain[:, None] * _hill(np.broadcast_to(x[g], out.shape), m.ec[:, c], m.slope[:, c], m.saturation[c])
    return out


def steady_hills(m: MeridianModel, c: int,
                 facts: Channel | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """For a national model with Hill saturation, each draw's steady weekly curve is exactly
    ``value · w^shape / (w^shape + half^shape)``: (half, shape, value) per draw. None otherwise."""
    if len(m.geos) != 1 or m.saturation[c] != "hill":
        return None
    f = facts or Channel.of(m, c)
    inside = m.kpi_week
    spend_per_unit = m.spend_total[c] / m.media[0, inside, c].sum()
    half = m.ec[:, c] * spend_per_unit * f.scale * m.population[0]
    value = m.revenue_per_kpi[0, inside].mean() * m.beta[:, 0, c] * f.stdev * m.population[0]
    return half, m.slope[:, c].copy(), value


def round_factor(budget: float, gtol: float = GTOL) -> int:
    """Meridian's ``get_round_factor``: spends are rounded to 10^(−r)."""
    tolerance = budget * gtol
    return 0 if tolerance < 1.0 else -int(math.log10(tolerance)) - 1


def meridian_bounds(history: np.ndarray, budget: float | None = None,
                    spread: float = SPEND_CONSTRAINT) -> tuple[float, np.ndarray, np.ndarray]:
    """BudgetOptimizer.optimize()'s defaults for a fixed budget: (the budget it enforces — the
    sum of the rounded historical shares —, lower bounds, upper bounds), in window spend."""
    total = float(budget if budget is not None else history.sum())
    r = round_factor(total)
    rounded = np.round(total * history / history.sum(), r).astype(np.int64)
    lower = np.round(max(1.0 - spread, 0.0) * rounded, r).astype(np.int64)
    upper = np.round((1.0 + spread) * rounded, r).astype(np.int64)
    return float(rounded.sum()), lower.astype(float), upper.astype(float)
