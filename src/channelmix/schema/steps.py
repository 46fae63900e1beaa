"""Spends in multiples of a payable unit (``spend_step``): rounding bounds inward and
telling how far a spend is from the nearest multiple.  Plain arithmetic, shared by the
schema, the formulation, the polish and the verifier."""

from __future__ import annotations

import math

STEP_SLACK = 1e-9  # relative: a bound within this share of itself of a multiple counts as that multiple


def round_down(value: float, step: float | None) -> float:
    """The largest multiple of ``step`` at most ``value`` (``value`` itself without a step).

    The slack is relative to the value (round-off in ``3 × 0.1``), never to the step: a
    spend_step of 1e12 does not make 3,000 a multiple of it."""
    if not step:
        return value
    return math.floor(value * (1 + STEP_SLACK) / step) * step


def round_up(value: float, step: float | None) -> float:
    """The smallest multiple of ``step`` at least ``value`` (``value`` itself without a step);
    800 with a step of 1e12 is 1e12, not 0."""
    if not step:
        return value
    return math.ceil(value * (1 - STEP_SLACK) / step) * step


def nearest(value: float, step: float | None) -> float:
    """The multiple of ``step`` nearest ``value``."""
    if not step:
        return value
    return round(value / step) * step


def off_step(value: float, step: float | None) -> float:
    """How far ``value`` is from the nearest multiple of ``step`` (0 without a step)."""
    if not step:
        return 0.0
    return abs(value - nearest(value, step))
