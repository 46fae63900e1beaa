"""Refit a channel's curve to observed periods by bounded least squares, with a weak prior.

For every channel with results, the parameters of its curve (saturating: scale; hill: half
and shape, its carry-over offset kept; linear: slope) — and, when the observations are
outcomes, the outcome value too (except for linear, where value and slope only show as a
product) — are fitted on a log scale with scipy's bounded ``least_squares``, starting from
the scenario's own curve and pulled weakly towards it (a ridge on the log-parameters).
Intervals come from a seeded residual bootstrap.  Data that cannot identify a parameter
(fewer observations or spend levels than parameters) are refused, with the reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import least_squares

from ..schema.models import Channel, Linear, Saturating

FAMILIES = {"saturating": ("scale",), "hill": ("half", "shape"), "linear": ("slope",)}


@dataclass
class Fit:
    """One channel's calibration: the refit (or why there is none) and how good it is."""

    channel: str
    kind: str  # reach | outcome
    observations: int
    params: dict[str, float] = field(default_factory=dict)
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)
    prior: dict[str, float] = field(default_factory=dict)
    r2: float | None = None
    rmse: float | None = None
    residuals: list[float] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    refused: str = ""  # why the channel keeps its curve

    @property
    def ok(self) -> bool:
        return not self.refused


def _curve(response, names: tuple[str, ...]):
    """f(θ, s) for the family of ``response``, θ in the order of ``names`` (outcome value last if fitted)."""
    if isinstance(response, Saturating):
        return lambda t, s: -np.expm1(-s / t[0])
    if isinstance(response, Linear):
        return lambda t, s: np.minimum(1.0, t[0] * s)
    c = response.offset

    def hill(t, s):
        half, shape = t[0], t[1]

        def h(x):
            x = np.maximum(x, 1e-300)
            return 1.0 / (1.0 + np.exp(shape * (np.log(half) - np.log(x))))

        return np.where(s + c > 0, h(s + c) - (h(c) if c > 0 else 0.0), 0.0)

    return hill


def calibrate_channel(channel: Channel, spend: np.ndarray, observed: np.ndarray, kind: str, *,
                      prior_weight: float = 1e-4, boot: int = 200, seed: int = 0, level: float = 0.9) -> Fit:
    """Refit one channel; ``kind`` says whether ``observed`` is reach (share) or outcome."""
    response = channel.response
    fit = Fit(channel.id, kind, len(spend))
    family = response.type
    if family not in FAMILIES:
        fit.refused = f"has a {family} curve; calibrate refits saturating, hill and linear curves"
        return fit
    names = FAMILIES[family]
    prior = {n: float(getattr(response, n)) for n in names}
    fit_value = kind == "outcome" and family != "linear"
    if kind == "outcome":
        if channel.outcome is None and not fit_value:
            fit.refused = ("has outcome results but no outcome.value, and a linear curve cannot tell value from slope; "
                           "add outcome: {value: …}")
            return fit
        if channel.outcome is not None:
            prior["value"] = channel.outcome.value
    names = names + (("value",) if fit_value else ())
    fit.prior = dict(prior)
    levels = len(np.unique(spend))
    if len(spend) < len(names):
        observations = f"{len(spend)} observation{'s' if len(spend) != 1 else ''}"
        fit.refused = f"has {observations}, fewer than its {len(names)} parameters ({', '.join(names)})"
        return fit
    if levels < len(names) or (levels == 1 and len(names) > 1):
        same = f"every spend is {spend[0]:g}" if levels == 1 else f"only {levels} different spends"
        fit.refused = (f"{same}: {len(names)} parameters ({', '.join(names)}) cannot be told apart; "
                       "run periods at different spends")
        return fit
    if levels == len(names):
        fit.warnings.append(f"{levels} spend level{'s' if levels > 1 else ''} for {len(names)} "
                            f"parameter{'s' if len(names) > 1 else ''}: "
                            "the curve passes through the data exactly; nothing checks its shape elsewhere")
    curve = _curve(response, names)
    top = float(np.max(spend)) or 1.0
    y_scale = float(np.max(np.abs(observed))) or 1.0
    bounds = _bounds(names, top, y_scale)
    start = np.array([_start(n, prior, observed, top) for n in names])
    start = np.clip(np.log(start), bounds[0] + 1e-9, bounds[1] - 1e-9)
    anchor = np.array([math.log(prior[n]) if n in prior and prior[n] > 0 else np.nan for n in names])
    weight = math.sqrt(prior_weight)

    value = channel.outcome.value if channel.outcome is not None else 1.0  # outcomes without a value were refused above

    def predict(logt, s):
        t = np.exp(logt)
        f = curve(t, s)
        return f * t[-1] if fit_value else (f * value if kind == "outcome" else f)

    def solve(y, x0=start):
        def residuals(logt):
            ridge = np.where(np.isnan(anchor), 0.0, weight * (logt - np.nan_to_num(anchor)))
            return np.concatenate(((predict(logt, spend) - y) / y_scale, ridge))

        return least_squares(residuals, x0, bounds=bounds, method="trf", x_scale=1.0).x

    best = solve(observed)
    fitted = predict(best, spend)
    resid = observed - fitted
    sst = float(np.sum((observed - observed.mean()) ** 2))
    fit.params = {n: float(v) for n, v in zip(names, np.exp(best))}
    fit.residuals = [float(r) for r in resid]
    fit.rmse = float(np.sqrt(np.mean(resid**2)))
    fit.r2 = 1.0 - float(np.sum(resid**2)) / sst if sst > 0 else None
    _bootstrap(fit, names, lambda y: solve(y, best), fitted, resid, boot, seed, level)
    at_edge = [n for n, v, lo, hi in zip(names, best, *bounds) if min(v - lo, hi - v) < 1e-6]
    for n in at_edge:
        fit.warnings.append(f"{n} ran to the edge of its range ({fit.params[n]:.4g}): the data do not bound it")
    return fit


def _bootstrap(fit: Fit, names, solve, fitted, resid, boot: int, seed: int, level: float) -> None:
    """Percentile intervals from a residual bootstrap (seeded); the residuals are centred and
    inflated by √(n / (n − p)), as fitted residuals are smaller than the errors they stand for."""
    if boot <= 0:
        return
    rng = np.random.default_rng(seed)
    n, p = len(resid), len(names)
    centred = (resid - resid.mean()) * math.sqrt(n / max(n - p, 1))
    draws = np.array(
        [np.exp(solve(fitted + rng.choice(centred, size=len(centred), replace=True))) for _ in range(boot)])
    tail = (1.0 - level) / 2.0
    for j, n in enumerate(names):
        lo, hi = np.quantile(draws[:, j], [tail, 1.0 - tail])
        fit.intervals[n] = (float(min(lo, fit.params[n])), float(max(hi, fit.params[n])))
        if lo > 0 and hi / lo > 10:
            fit.warnings.append(f"{n} is barely identified: its {level:.0%} interval spans {lo:.4g} to {hi:.4g}")


def _bounds(names, top: float, y_scale: float) -> tuple[np.ndarray, np.ndarray]:
    box = {"scale": (1e-4 * top, 1e3 * top), "half": (1e-4 * top, 1e3 * top), "shape": (0.1, 20.0),
           "slope": (1e-6 / top, 1e4 / top), "value": (1e-6 * y_scale, 1e4 * y_scale)}
    return (np.log([box[n][0] for n in names]), np.log([box[n][1] for n in names]))


def _start(name: str, prior: dict[str, float], observed: np.ndarray, top: float) -> float:
    if name in prior and prior[name] > 0:
        return prior[name]
    return float(np.max(observed)) * 1.2 if name == "value" else top


def fitted_values(channel: Channel, fit: Fit) -> dict[str, float]:
    """The scenario values a fit changes, as ``--set`` paths (``channels.<id>.response.scale``,
    ``channels.<id>.outcome.value``), each to 6 significant digits; nothing else changes."""
    out = {f"channels.{channel.id}.response.{n}": float(f"{fit.params[n]:.6g}")
           for n in FAMILIES[channel.response.type]}
    if "value" in fit.params:
        out[f"channels.{channel.id}.outcome.value"] = float(f"{fit.params['value']:.6g}")
    return out
