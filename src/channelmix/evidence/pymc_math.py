"""PyMC-Marketing's media transformations, as a saved model's posterior evaluates them.

Written from PyMC-Marketing's published documentation of ``pymc_marketing.mmm.transformers``
and ``mmm.components`` (0.8 onward); no code copied. On the scaled media u = spend / channel
scale, a channel contributes ``target scale × saturation(adstock(u))`` to the target:

* logistic: β · (1 − e^{−λu}) / (1 + e^{−λu}); inverse_scaled_logistic: the same with
  λ replaced by ln 3 / λ (λ is then the half-saturation point);
* tanh: b · tanh(u / (b·c)); michaelis_menten: α · u / (λ + u);
  hill: β · (1 − κ^s / (κ^s + u^s));
* geometric adstock: lag weights α^l, l = 0 … l_max − 1; delayed: α^{(l − θ)²}; divided
  by their sum when ``normalize`` (PyMC-Marketing's GeometricAdstock default).

A plan spends the same every period, so the response per period is the steady state: the
adstocked media is u · Σw (Σw = 1 when normalised, (1 − α^{l_max}) / (1 − α) for geometric
when not), and with saturation first (``adstock_first: false``) the saturated media is
multiplied by Σw instead (:mod:`channelmix.schema.saturations` holds those curves).  Over
the training periods :func:`in_sample` recomputes the model's own in-sample contributions,
to check that a file was read as the tool reads it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

Params = dict[str, np.ndarray]  # parameter -> (samples, 1) or (samples, channels), broadcast over spends


def _logistic(u: np.ndarray, p: Params) -> np.ndarray:
    e = np.exp(-p["lam"] * u)
    return p["beta"] * (1.0 - e) / (1.0 + e)


def _inverse_scaled_logistic(u: np.ndarray, p: Params) -> np.ndarray:
    e = np.exp(-(math.log(3.0) / p["lam"]) * u)
    return p["beta"] * (1.0 - e) / (1.0 + e)


def _tanh(u: np.ndarray, p: Params) -> np.ndarray:
    return p["b"] * np.tanh(u / (p["b"] * p["c"]))


def _michaelis_menten(u: np.ndarray, p: Params) -> np.ndarray:
    return p["alpha"] * u / (p["lam"] + u)


def _hill(u: np.ndarray, p: Params) -> np.ndarray:
    ks = np.power(p["kappa"], p["slope"])
    return p["beta"] * (1.0 - ks / (ks + np.power(u, p["slope"])))


@dataclass(frozen=True)
class Form:
    params: tuple[str, ...]
    function: Callable[[np.ndarray, Params], np.ndarray]


SATURATIONS: dict[str, Form] = {
    "logistic": Form(("lam", "beta"), _logistic),
    "inverse_scaled_logistic": Form(("lam", "beta"), _inverse_scaled_logistic),
    "tanh": Form(("b", "c"), _tanh),
    "michaelis_menten": Form(("alpha", "lam"), _michaelis_menten),
    "hill": Form(("slope", "kappa", "beta"), _hill),
}
ADSTOCKS: dict[str, tuple[str, ...]] = {"geometric": ("alpha",), "delayed": ("alpha", "theta")}

# Class names of the newer serialisation (``__type__``) and of older files, to the lookup names above.
CLASS_NAMES = {"GeometricAdstock": "geometric", "DelayedAdstock": "delayed", "WeibullPDFAdstock": "weibull_pdf",
               "WeibullCDFAdstock": "weibull_cdf", "WeibullAdstock": "weibull", "BinomialAdstock": "binomial",
               "NoAdstock": "no_adstock", "LogisticSaturation": "logistic",
               "InverseScaledLogisticSaturation": "inverse_scaled_logistic", "TanhSaturation": "tanh",
               "TanhSaturationBaselined": "tanh_baselined", "MichaelisMentenSaturation": "michaelis_menten",
               "HillSaturation": "hill", "HillSaturationSigmoid": "hill_sigmoid", "RootSaturation": "root"}


def weight_sum(kind: str, params: Params, l_max: int, normalize: bool) -> np.ndarray:
    """Σw per sample and channel: what a constant spend is multiplied by once adstocked."""
    if normalize:
        return np.ones_like(params["alpha"], dtype=float)
    return lag_weights(kind, params, l_max, False).sum(axis=-1)


def lag_weights(kind: str, params: Params, l_max: int, normalize: bool) -> np.ndarray:
    """(samples, l_max) adstock weights w_l, divided by their sum when ``normalize``."""
    lags = np.arange(l_max, dtype=float)
    alpha = params["alpha"][..., None]
    weights = np.power(alpha, lags) if kind == "geometric" else np.power(alpha,
                                                                         (lags - params["theta"][..., None]) ** 2)
    return weights / weights.sum(axis=-1, keepdims=True) if normalize else weights


def in_sample(saturation: str, sat: Params, adstock: str, ad: Params, l_max: int, normalize: bool, adstock_first: bool,
              scaled: np.ndarray) -> np.ndarray:
    """(samples, periods) contribution in scaled target units over the training periods, adstock
    mode "After" (a_t = Σ_l w_l u_{t−l}, nothing before the first period): what PyMC-Marketing
    stores as ``posterior.channel_contribution``, recomputed from the parameters read."""
    w = lag_weights(adstock, ad, l_max, normalize)  # (samples, lags)
    n = len(scaled)
    function = SATURATIONS[saturation].function
    p = {k: v[:, None] for k, v in sat.items()}

    def lagged(x: np.ndarray) -> np.ndarray:  # (samples, periods) → Σ_l w_l x_{t−l}
        out = np.zeros_like(x)
        for lag in range(min(l_max, n)):
            out[:, lag:] += w[:, lag:lag + 1] * x[:, :n - lag]
        return out

    u = np.broadcast_to(scaled[None, :], (w.shape[0], n))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return function(lagged(u), p) if adstock_first else lagged(function(u, p))
