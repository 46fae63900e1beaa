"""PyMC-Marketing's saturation curves as response types, and their exact values.

A channel of a PyMC-Marketing model contributes ``target_scale × sat(u)`` per period, u the
media scaled by the channel's scale.  At a steady spend s (the same every period, after the
adstock has built up) the adstocked media is Σw·s, Σw the **adstock sum** (1 when the
adstock is normalised), so the contribution is T·sat(Σw·s / K) with the adstock first, or
T·Σw·sat(s / K) with the saturation first; K is the **channel scale** in money (PyMC's
``channel_scale``, in the channel's units, times the price of a unit, ``cost_per_unit``).

PyMC-Marketing's own figure for a plan is the mean over its posterior samples, and the mean
of logistic curves is no logistic curve: so every parameter is one number or one per sample
(equal lengths), and the curve is the samples' mean.  The reach share f is that mean divided
by its ceiling (f → 1 as s → ∞); the ceiling times the target scale is ``outcome.value``:

    outcome.value × f(s) = T · mean_i sat_i(s),   f(s) = Σ_i m_i g_i(r_i s) / Σ_i m_i

with m_i the ceiling of sample i in PyMC's scaled units (β, b or α, times Σw_i when the
saturation is first), r_i its rate per unit of money and g one of three shapes:

* ``logistic``: β(1 − e^{−λu})/(1 + e^{−λu}) = β·tanh(λu/2): g = tanh, r = λ·A/(2K);
* ``inverse_scaled_logistic``: the same with λ replaced by ln 3 / λ;
* ``tanh``: b·tanh(u/(b c)): g = tanh, r = A/(b c K);
* ``michaelis_menten``: α u/(λ + u): g(x) = x/(1 + x), r = A/(λK);
* ``hill_saturation``: β u^a/(κ^a + u^a) (PyMC's HillSaturation, slope a): g(x) = x^a/(1 + x^a),
  r = A/(κK) — S-shaped where a > 1;

A = Σw_i with the adstock first, 1 with the saturation first.  (The ``hill`` type is Robyn's
Hill with a carry-over offset.)
"""

from __future__ import annotations

import math
import weakref
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import BeforeValidator, Field, PlainSerializer, model_validator

from .limits import MAX_AMOUNT, MIN_CURVE_SPEND
from .problems import Fixable
from .types import CurveSpend, Model

MAX_SAMPLES = 100_000  # posterior samples per curve: 4 chains × 1,000 draws is common, 25 times that is plenty
CHUNK = 2_000_000  # spends × samples evaluated at once (16 MB of floats)
SATURATION_TYPES = ("logistic", "inverse_scaled_logistic", "tanh", "michaelis_menten", "hill_saturation")
_PARTS: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}  # a curve's parts, computed once per (frozen) curve


def _samples_in(value: Any) -> Any:
    """One number or a list of samples, kept as a tuple (curves are frozen and hashed: the pieces
    cache); one number is a tuple of one, which every sample shares.  Each must be a number in
    (0, MAX_AMOUNT]; a problem names the sample it is in."""
    single = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not single and not isinstance(value, list):
        raise Fixable(f"got {value!r}, expected a number or a list of numbers (one per posterior sample)",
                      "write a number, or [n1, n2, …]")
    items = [value] if single else value
    if not items:
        raise Fixable("is an empty list", "give one number, or one per posterior sample")
    for i, item in enumerate(items):
        where = "" if single else f"sample {i}: "
        if isinstance(item, bool) or not isinstance(item, (int, float)) or not math.isfinite(item):
            raise Fixable(f"{where}got {item!r}, expected a finite number", "write a number here")
        if not 0 < item <= MAX_AMOUNT:
            raise Fixable(f"{where}got {item:g}, must be above 0 and at most {MAX_AMOUNT:g}",
                          "check the model's posterior")
    return tuple(float(x) for x in items)


Parameter = Annotated[float, Field(gt=0, le=MAX_AMOUNT)]
Samples = Annotated[
    tuple[Parameter, ...],
    BeforeValidator(_samples_in),
    Field(min_length=1, max_length=MAX_SAMPLES),
    PlainSerializer(lambda v: v[0] if len(v) == 1 else list(v)),
]


class Saturation(Model):
    """What every PyMC-Marketing saturation shares: the scales and the adstock's steady state."""

    channel_scale: CurveSpend  # money per unit of scaled media u = s / channel_scale
    adstock_sum: Samples = (1.0,)  # Σw: a steady spend s adstocks to Σw·s (1 when the adstock is normalised)
    adstock_first: bool = True  # PyMC-Marketing's adstock_first: saturation of the adstocked media

    PARAMS: ClassVar[tuple[str, ...]] = ()
    SHAPE: ClassVar[str] = "tanh"  # g: tanh | mm (x / (1 + x)) | hill (x^a / (1 + x^a))

    @model_validator(mode="after")
    def _samples_agree(self) -> "Saturation":
        lengths = {name: len(v) for name in ("adstock_sum", *self.PARAMS) if len(v := getattr(self, name)) > 1}
        if len(set(lengths.values())) > 1:
            listed = ", ".join(f"{k} {n}" for k, n in lengths.items())
            raise Fixable(f"gives its parameters for different numbers of samples ({listed})",
                          "give each parameter one number, or one number per posterior sample (the same samples for "
                          "all)")
        rate = self.parts()[1]
        if (1.0 / rate).min() < MIN_CURVE_SPEND:
            raise Fixable(f"reaches most of its ceiling by a spend of {1.0 / rate.max():.3g}, below "
                          f"{MIN_CURVE_SPEND:g}: the curve jumps to full reach for almost no money, which the solver "
                          "cannot represent faithfully",
                          "measure money in smaller units, or check channel_scale")
        return self

    @property
    def samples(self) -> int:
        """How many posterior samples the curve is the mean of (1: a single curve)."""
        return max(len(getattr(self, name)) for name in ("adstock_sum", *self.PARAMS))

    def column(self, name: str) -> np.ndarray:
        """A parameter as one value per sample."""
        value = getattr(self, name)
        return np.asarray(value, dtype=float) if len(value) > 1 else np.full(self.samples, float(value[0]))

    def parts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(ceiling m_i, rate r_i per unit of money, hill slope a_i) per sample (computed once:
        the polish and the verifier read a curve many times)."""
        key = id(self)
        found = _PARTS.get(key)
        if found is None:
            found = self._parts()
            _PARTS[key] = found
            weakref.finalize(self, _PARTS.pop, key, None)
        return found

    def _parts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        total = self.column("adstock_sum")
        reach_factor = total if self.adstock_first else np.ones_like(total)  # A: what a steady spend is multiplied by
        ceiling, rate = self._ceiling_and_rate(reach_factor / self.channel_scale)
        if not self.adstock_first:
            ceiling = ceiling * total  # the saturated media of every lag, summed
        slope = self.column("slope") if "slope" in self.PARAMS else np.ones_like(total)
        return ceiling, rate, slope

    def _ceiling_and_rate(self, per_money: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    @property
    def ceiling(self) -> float:
        """The mean over samples of the ceiling in PyMC's scaled units: outcome.value / target scale."""
        return float(self.parts()[0].mean())

    def sample(self, i: int) -> "Saturation":
        """The curve of posterior sample i alone."""
        update = {name: (getattr(self, name)[i],) for name in ("adstock_sum", *self.PARAMS)
                  if len(getattr(self, name)) > 1}
        return self.model_copy(update=update)

    def sample_weight(self, i: int) -> float:
        """Sample i's ceiling over the mean's: its outcome.value is the curve's times this."""
        ceiling = self.parts()[0]
        return float(ceiling[i] / ceiling.mean())

    def scaled(self, factor: float) -> "Saturation":
        """The same curve, ``factor`` times as effective per unit of money."""
        return self.model_copy(update={"channel_scale": self.channel_scale / factor})

    # -- values ---------------------------------------------------------------------

    def values(self, spend: Any, order: int = 0) -> np.ndarray:
        """f(s) (order 0), f'(s) (1) or f''(s) (2) at every spend of an array: exact."""
        s = np.maximum(np.atleast_1d(np.asarray(spend, dtype=float)), 0.0)
        ceiling, rate, slope = self.parts()
        weight = ceiling / ceiling.sum()
        step = max(1, CHUNK // max(len(rate), 1))
        out = np.empty(s.shape)
        for lo in range(0, len(s), step):
            part = s[lo:lo + step, None]
            out[lo:lo + step] = shape_values(self.SHAPE, part, rate[None, :], slope[None, :], order) @ weight
        return out

    def reach_at(self, spend: float) -> float:
        return float(self.values(np.array([spend]))[0])

    def saturation_spend(self, accuracy: float) -> float:
        """The spend past which the curve gains less than ``accuracy`` of its ceiling."""
        hi = 1.0 / float(self.parts()[1].min())
        while self.reach_at(hi) < 1.0 - accuracy and hi < MAX_AMOUNT:
            hi *= 2.0
        lo = 0.0
        for _ in range(60):
            mid = (lo + hi) / 2.0
            lo, hi = (mid, hi) if self.reach_at(mid) < 1.0 - accuracy else (lo, mid)
        return hi

    def bends(self, cap: float) -> tuple[list[float], bool]:
        """(where f'' changes sign on (0, cap), whether f is convex before the first of them).
        The concave shapes (tanh, x/(1+x), Hill with every slope ≤ 1) have none.  With S-shaped
        Hill samples the signs are read on a log grid from far below the steepest sample's
        scale up to cap, and each change refined by bisection: between two of them the curve
        is convex or concave throughout.  Near 0 the smallest slope rules: concave if below 1."""
        _, rate, slope = self.parts()
        if self.SHAPE != "hill" or slope.max() <= 1.0 or cap <= 0:
            return [], False
        grid = np.geomspace(min(1e-6 / rate.max(), cap * 1e-9), cap, 400)
        sign = np.sign(self.values(grid, 2))
        out = []
        for j in np.flatnonzero(sign[:-1] * sign[1:] < 0):
            lo, hi = grid[j], grid[j + 1]
            for _ in range(60):
                mid = (lo + hi) / 2.0
                lo, hi = (mid, hi) if np.sign(self.values([mid], 2)[0]) == sign[j] else (lo, mid)
            out.append((lo + hi) / 2.0)
        return out, bool(slope.min() > 1.0 and sign[0] > 0)


def shape_values(shape: str, s: np.ndarray, rate: np.ndarray, slope: np.ndarray, order: int) -> np.ndarray:
    """g(r s) and its first two derivatives in s, element by element."""
    x = rate * s
    if shape == "tanh":
        t = np.tanh(x)
        return t if order == 0 else rate * (1.0 - t * t) if order == 1 else -2.0 * rate * rate * t * (1.0 - t * t)
    if shape == "mm":
        if order == 0:
            return x / (1.0 + x)
        return rate / (1.0 + x) ** 2 if order == 1 else -2.0 * rate * rate / (1.0 + x) ** 3
    with np.errstate(divide="ignore"):
        z = slope * np.log(np.maximum(x, 1e-300))  # g = σ(a ln x), computed without overflow
    e = np.exp(-np.abs(z))
    g = np.where(x <= 0, 0.0, np.where(z > 0, 1.0 / (1.0 + e), e / (1.0 + e)))
    if order == 0:
        return g
    with np.errstate(divide="ignore", invalid="ignore"):
        first = np.where(s > 0, slope * g * (1.0 - g) / np.where(s > 0, s, 1.0),
                         np.where(slope < 1, np.inf, np.where(slope == 1, rate, 0.0)))
        if order == 1:
            return first
        return np.where(s > 0, first * (slope * (1.0 - 2.0 * g) - 1.0) / np.where(s > 0, s, 1.0), 0.0)


class Logistic(Saturation):
    """PyMC-Marketing's LogisticSaturation: β (1 − e^{−λu}) / (1 + e^{−λu})."""

    type: Literal["logistic"]
    lam: Samples
    beta: Samples
    PARAMS: ClassVar[tuple[str, ...]] = ("lam", "beta")

    def _ceiling_and_rate(self, per_money):
        return self.column("beta"), self._lam() * per_money / 2.0

    def _lam(self) -> np.ndarray:
        return self.column("lam")


class InverseScaledLogistic(Logistic):
    """PyMC-Marketing's InverseScaledLogisticSaturation: the logistic with λ → ln 3 / λ (λ the
    half-saturation point)."""

    type: Literal["inverse_scaled_logistic"]  # type: ignore[assignment]

    def _lam(self) -> np.ndarray:
        return math.log(3.0) / self.column("lam")


class Tanh(Saturation):
    """PyMC-Marketing's TanhSaturation: b · tanh(u / (b c))."""

    type: Literal["tanh"]
    b: Samples
    c: Samples
    PARAMS: ClassVar[tuple[str, ...]] = ("b", "c")

    def _ceiling_and_rate(self, per_money):
        b = self.column("b")
        return b, per_money / (b * self.column("c"))


class MichaelisMenten(Saturation):
    """PyMC-Marketing's MichaelisMentenSaturation: α u / (λ + u)."""

    type: Literal["michaelis_menten"]
    alpha: Samples
    lam: Samples
    PARAMS: ClassVar[tuple[str, ...]] = ("alpha", "lam")
    SHAPE: ClassVar[str] = "mm"

    def _ceiling_and_rate(self, per_money):
        return self.column("alpha"), per_money / self.column("lam")


class HillSaturation(Saturation):
    """PyMC-Marketing's HillSaturation: β u^a / (κ^a + u^a), a the slope."""

    type: Literal["hill_saturation"]
    slope: Samples
    kappa: Samples
    beta: Samples
    PARAMS: ClassVar[tuple[str, ...]] = ("slope", "kappa", "beta")
    SHAPE: ClassVar[str] = "hill"

    @model_validator(mode="after")
    def _slopes(self) -> "HillSaturation":
        if self.column("slope").max() > 20:
            raise Fixable("has a slope above 20", "a Hill slope above 20 is a step; check the model's saturation_slope")
        return self

    def _ceiling_and_rate(self, per_money):
        return self.column("beta"), per_money / self.column("kappa")


SATURATIONS = (Logistic, InverseScaledLogistic, Tanh, MichaelisMenten, HillSaturation)
