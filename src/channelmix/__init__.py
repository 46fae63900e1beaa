"""channelmix: pick the channel mix that covers every journey phase and segment, provably optimally.

The solving functions are imported on first use, so that the schema, ``evaluate`` and
``verify`` load without the solver stack (PuLP).
"""

from __future__ import annotations

from typing import Any

from .evaluate import evaluate
from .plan import Plan
from .schema import Loaded, Scenario, ScenarioError, load, validate
from .verify import VerificationError, verify

__version__ = "0.1.0"

_SOLVING = ("solve_file", "solve_scenario", "with_solver")
__all__ = ["Loaded", "Plan", "Scenario", "ScenarioError", "VerificationError", "evaluate", "load", "validate",
           "verify", *_SOLVING]


def __getattr__(name: str) -> Any:
    if name in _SOLVING:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'channelmix' has no attribute {name!r}")
