"""Robyn's transformations, as its allocator evaluates a channel's response.

Written from Robyn 3.11.0's published R source (the CRAN release: R/transformation.R,
R/allocator.R, R/response.R, R/checks.R); no code copied:

* geometric adstock: a[0] = x[0], a[t] = x[t] + θ·a[t−1];
* Weibull adstock over the series length n: the lag weights are w = cumprod(1, 1 − F(1..n−1))
  (CDF) or the Weibull density at 1..n min-max normalised (PDF), with F, the density on
  shape k and scale round(1 + scale·(n − 1)) (R's quantile of 1..n, rounded half to even);
  a[t] = Σ_{j≤t} x[j]·w[t − j]; the immediate part is x (CDF) or x·w[0] (PDF);
* Hill: h(x) = x^α / (x^α + I^α), inflexion I = (1 − γ)·min + γ·max of the adstocked
  media over the modelling window;
* the allocator's response at a per-period spend s is coef · h(s + c) (``fx_objective``),
  c the mean over the **modelling window** of the carry-over (adstocked − immediate) of the
  historical series as it is: the allocator calls robyn_response with no spend and no date
  range, so nothing is replaced, and keeps ``input_carryover[window_loc]``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

ADSTOCKS = ("geometric", "weibull_cdf", "weibull_pdf")


@dataclass(frozen=True)
class Adstock:
    kind: str  # geometric | weibull_cdf | weibull_pdf
    theta: float = 0.0
    shape: float = 0.0
    scale: float = 0.0


def lag_weights(adstock: Adstock, n: int) -> np.ndarray:
    """Weibull lag weights for lags 0..n−1."""
    if adstock.shape == 0 or adstock.scale == 0:
        return np.zeros(n)
    lam = float(round(1 + adstock.scale * (n - 1)))  # quantile(1:n, scale), type 7, then round(., 0)
    lags = np.arange(1, n + 1, dtype=float)
    k = adstock.shape
    if adstock.kind == "weibull_cdf":
        survive = np.exp(-((lags[:-1] / lam) ** k))  # 1 − F(1..n−1)
        return np.cumprod(np.concatenate(([1.0], survive)))
    density = (k / lam) * (lags / lam) ** (k - 1) * np.exp(-((lags / lam) ** k))
    span = density.max() - density.min()
    if span == 0:
        out = np.zeros(n)
        out[0] = 1.0
        return out
    return (density - density.min()) / span


def adstocked(x: np.ndarray, adstock: Adstock) -> tuple[np.ndarray, np.ndarray]:
    """(total, immediate) adstocked series of a spend series."""
    x = np.asarray(x, dtype=float)
    n = len(x)
    if n <= 1:
        return x.copy(), x.copy()
    if adstock.kind == "geometric":
        total = np.empty(n)
        total[0] = x[0]
        for t in range(1, n):
            total[t] = x[t] + adstock.theta * total[t - 1]
        return total, x.copy()
    w = lag_weights(adstock, n)
    if adstock.shape == 0 or adstock.scale == 0:
        return x.copy(), x.copy()
    total = np.convolve(x, w)[:n]  # Σ_{j≤t} x[j]·w[t−j]
    immediate = x * w[0] if adstock.kind == "weibull_pdf" else x.copy()
    return total, immediate


def inflexion(total: np.ndarray, window: slice, gamma: float) -> float:
    """I = (1 − γ)·min + γ·max of the adstocked media over the modelling window."""
    part = total[window]
    return (1.0 - gamma) * float(part.min()) + gamma * float(part.max())


def mean_carryover(total: np.ndarray, immediate: np.ndarray, window: slice) -> float:
    """c = mean over the modelling window of the historical adstocked media less its
    immediate part (what the allocator passes to fx_objective as x_hist_carryover)."""
    return float(np.mean(total[window] - immediate[window]))


def hill(x: float, alpha: float, inflexion_: float) -> float:
    """x^α / (x^α + I^α) (0 at x = 0)."""
    if x <= 0:
        return 0.0
    return 1.0 / (1.0 + math.exp(alpha * (math.log(inflexion_) - math.log(x))))
