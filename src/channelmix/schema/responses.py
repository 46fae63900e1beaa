"""A channel's response curve f(s): the share of a segment it reaches at spend s
(docs/architecture.md, "The model").

One model per curve type, told apart by ``type`` (the format's one tagged union), and what a
curve means: its exact value :func:`reach` and where it saturates.  The model's piecewise-linear
pieces of a curve are :mod:`channelmix.model.curves`.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal, Union

import numpy as np
from pydantic import Field, model_validator

from .limits import MAX_AMOUNT, MAX_CURVE_SLOPE, MIN_CURVE_SPEND, PWL_RESOLUTION, RANGE_FIX
from .problems import Fixable
from .saturations import HillSaturation, InverseScaledLogistic, Logistic, MichaelisMenten, Saturation, Tanh  # noqa: F401
from .types import CurveSpend, Model, NonNegative, Share


class Constant(Model):
    """Reach when on, whatever the spend (word of mouth, a shop window)."""

    type: Literal["constant"]
    value: Share


class Linear(Model):
    """min(1, slope · s)."""

    type: Literal["linear"]
    slope: Annotated[float, Field(ge=1e-12, le=1e12)]


class Pwl(Model):
    """Linear between the given (spend, reach) points, flat after the last."""

    type: Literal["pwl"]
    points: list[list[float]] = Field(min_length=2)

    @model_validator(mode="after")
    def _points_are_a_curve(self) -> "Pwl":
        for i, point in enumerate(self.points):
            if len(point) != 2 or not all(math.isfinite(v) for v in point):
                raise Fixable(f"points[{i}] must be a pair of finite numbers [spend, reach]",
                              "write it as [spend, reach]")
            if not 0 <= point[0] <= MAX_AMOUNT:
                raise Fixable(f"points[{i}] has spend {point[0]:g}, must be within [0, {MAX_AMOUNT:g}]", RANGE_FIX)
            if not 0 <= point[1] <= 1:
                raise Fixable(f"points[{i}] has reach {point[1]}, must be within [0, 1]",
                              "reach is a share of the segment")
        if self.points[0] != [0, 0]:
            raise Fixable("the first point must be [0, 0]", "start the curve with [0, 0]: no spend, no reach")
        found = point_problem([p[0] for p in self.points], [p[1] for p in self.points])
        if found is not None:
            i, message, fix = found
            raise Fixable(f"points[{i}] {message}", fix)
        return self


def point_problem(spends: list[float], reaches: list[float]) -> tuple[int, str, str] | None:
    """The first point of a pwl curve the solver cannot represent faithfully, as (its index,
    what is wrong, the fix), or None. The rule, for the schema and every importer alike:
    spends rise strictly, each at least :data:`PWL_RESOLUTION` of the curve's span (its last
    spend) above the one before — closer spends are one point to a solver working to 1e-7,
    and a spend like 1e-320 broke HiGHS's reader — and no piece climbs faster than
    :data:`MAX_CURVE_SLOPE` reach per unit of money (the bound a scale of 1e-6 sets on the
    other curves)."""
    span = spends[-1]
    for i in range(1, len(spends)):
        step, rise = spends[i] - spends[i - 1], reaches[i] - reaches[i - 1]
        if step <= 0:
            return i, f"spend {spends[i]:g} is not above the previous {spends[i - 1]:g}", "list points by strictly " \
                                                                                          "rising spend"
        if step < PWL_RESOLUTION * span:
            return i, (f"spend {spends[i]:g} is only {step:g} above the previous {spends[i - 1]:g}, less than "
                       f"{PWL_RESOLUTION:g} of the curve's span {span:g}: the solver cannot tell the two apart"), \
                "merge the two points into one (or drop one of them)"
        if abs(rise) > MAX_CURVE_SLOPE * step:
            return i, (f"spend {spends[i]:g}: reach changes by {rise:g} over a spend of {step:g} from "
                       f"{spends[i - 1]:g}, faster than {MAX_CURVE_SLOPE:g} per unit of money, which the solver cannot "
                       "represent faithfully"), \
                "measure money in smaller units (units rather than millions), or check the point"
    return None


class Saturating(Model):
    """1 − exp(−s / scale)."""

    type: Literal["saturating"]
    scale: CurveSpend

    @model_validator(mode="after")
    def _not_a_step(self) -> "Saturating":
        _curve_spend("scale", self.scale)
        return self


class Hill(Model):
    """h(s) = s^shape / (s^shape + half^shape); S-shaped when shape > 1.

    With a carry-over ``offset`` c (spend-equivalent already in the market, e.g. an
    MMM's adstock from past periods) the curve is h(s + c) − h(c): still 0 at s = 0."""

    type: Literal["hill"]
    half: CurveSpend
    shape: Annotated[float, Field(gt=0, le=20)]
    offset: NonNegative = 0.0

    @model_validator(mode="after")
    def _not_a_step(self) -> "Hill":
        _curve_spend("half", self.half)
        return self


def _curve_spend(name: str, value: float) -> None:
    if value < MIN_CURVE_SPEND:
        raise Fixable(
            f"{name} {value:g} is below {MIN_CURVE_SPEND:g}: the curve jumps to full reach for almost no money, "
            "which the solver cannot represent faithfully",
            "measure money in smaller units (units rather than millions), or check the value")


Response = Annotated[Union[Constant, Linear, Pwl, Saturating, Hill, Logistic, InverseScaledLogistic, Tanh,
                           MichaelisMenten, HillSaturation], Field(discriminator="type")]


def reach(response: Response, spend: float) -> float:
    """f(s): the share of a segment the channel touches at this spend (exact)."""
    s = max(float(spend), 0.0)
    if isinstance(response, Constant):
        return response.value
    if isinstance(response, Linear):
        return min(1.0, response.slope * s)
    if isinstance(response, Saturating):
        return -math.expm1(-s / response.scale)
    if isinstance(response, Hill):
        if response.offset:  # carry-over c: h(s + c) − h(c), so no spend still means no reach
            return max(_hill(response, s + response.offset) - _hill(response, response.offset), 0.0)
        return _hill(response, s)
    if isinstance(response, Saturation):
        return response.reach_at(s)
    xs = [p[0] for p in response.points]
    ys = [p[1] for p in response.points]
    return float(np.interp(s, xs, ys))


def _hill(response: Hill, s: float) -> float:
    """s^a / (s^a + K^a) = 1 / (1 + (K/s)^a), stable for large a."""
    if s <= 0.0:
        return 0.0
    power = response.shape * (math.log(response.half) - math.log(s))
    return 0.0 if power > 700.0 else 1.0 / (1.0 + math.exp(power))


def saturation_spend(response: Response, accuracy: float) -> float:
    """The spend past which the curve gains less than ``accuracy`` of its ceiling."""
    if isinstance(response, Constant):
        return 0.0
    if isinstance(response, Linear):
        return 1.0 / response.slope
    if isinstance(response, Saturating):
        return response.scale * math.log(1.0 / accuracy)
    if isinstance(response, Hill):
        return max(response.half * ((1.0 - accuracy) / accuracy) ** (1.0 / response.shape) - response.offset,
                   response.half * accuracy)
    if isinstance(response, Saturation):
        return response.saturation_spend(accuracy)
    return response.points[-1][0]


def depends_on_spend(response: Response) -> bool:
    return not isinstance(response, Constant)
