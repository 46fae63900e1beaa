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

# loaded on first use: these pull in the solver stack (PuLP, HiGHS), matplotlib or pandas work
_LAZY = {
    "solve_file": "api", "solve_scenario": "api", "with_solver": "api",
    "derive": "expand", "variants": "expand", "grid": "expand",
    "sweep": "whatif", "compare": "whatif", "diff": "whatif",
    "solve_paths": "batch", "frontier_chart": "charts", "explain": "explanation",
}
__all__ = ["Loaded", "Plan", "Scenario", "ScenarioError", "VerificationError", "evaluate", "load", "validate",
           "verify", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'channelmix' has no attribute {name!r}")
