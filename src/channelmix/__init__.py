"""channelmix: pick the channel mix that covers every journey phase and segment, provably optimally.

The solving functions are imported on first use, so that the schema, ``evaluate`` and
``verify`` load without the solver stack (PuLP).
"""

from __future__ import annotations

from typing import Any

from .schema import Loaded, Scenario, ScenarioError, load, validate
from .verify.evaluate import evaluate
from .verify.plan import Plan
from .verify.verifier import VerificationError, verify

__version__ = "0.1.0"

# loaded on first use: these pull in the solver stack (PuLP, HiGHS), matplotlib or pandas work
_LAZY = {
    "solve_file": "solve.pipeline", "solve_scenario": "solve.pipeline", "with_solver": "solve.pipeline",
    "derive": "schema.expand", "variants": "schema.expand", "grid": "schema.expand",
    "sweep": "analysis.whatif", "compare": "analysis.whatif", "diff": "analysis.whatif",
    "solve_paths": "analysis.batch", "frontier_chart": "reports.charts", "explain": "analysis.explanation",
}
__all__ = ["Loaded", "Plan", "Scenario", "ScenarioError", "VerificationError", "evaluate", "load", "validate",
           "verify", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'channelmix' has no attribute {name!r}")
