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
multiplied by Σw instead.
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
    lags = np.arange(l_max, dtype=float)
    alpha = params["alpha"][..., None]
    if kind == "geometric":
        weights = np.power(alpha, lags)
    else:  # delayed
        weights = np.power(alpha, (lags - params["theta"][..., None]) ** 2)
    return weights.sum(axis=-1)


@dataclass(frozen=True)
class ChannelModel:
    """One channel's posterior: saturation and adstock parameters per sample, and its scales."""

    saturation: str
    sat: Params  # parameter -> (samples,)
    adstock: str
    ad: Params
    l_max: int
    normalize: bool
    adstock_first: bool
    channel_scale: float
    target_scale: float

    def contribution(self, spend: np.ndarray) -> np.ndarray:
        """(samples, spends): the steady-state contribution per period, in target units."""
        u = np.asarray(spend, dtype=float)[None, :] / self.channel_scale
        total = weight_sum(self.adstock, self.ad, self.l_max, self.normalize)[:, None]
        sat = {k: v[:, None] for k, v in self.sat.items()}
        function = SATURATIONS[self.saturation].function
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            out = function(u * total, sat) if self.adstock_first else total * function(u, sat)
        return out * self.target_scale
