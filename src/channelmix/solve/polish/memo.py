"""The last answer of a method of spends, kept: SLSQP asks for the objective, the coverage
targets and their Jacobian at the same point, one after another, and each reads the same
curve levels there (no pulp)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

Answer = TypeVar("Answer")


def last_answer(method: Callable[[Any, np.ndarray], Answer]) -> Callable[[Any, np.ndarray], Answer]:
    """``method(self, s)`` computed once for consecutive calls at the same spends (byte for byte),
    per instance: the same figures as computing them again, whose callers never change them."""
    slot = f"_last_{method.__name__}"

    @functools.wraps(method)
    def remembered(self: Any, s: np.ndarray) -> Answer:
        key = np.asarray(s, dtype=float).tobytes()
        kept = self.__dict__.get(slot)
        if kept is None or kept[0] != key:
            kept = (key, method(self, s))
            self.__dict__[slot] = kept
        return kept[1]

    return remembered
