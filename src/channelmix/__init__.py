"""channelmix: pick the channel mix that covers every journey phase and segment, provably optimally."""

from .api import solve_file, solve_scenario, with_solver
from .evaluate import evaluate
from .plan import Plan
from .schema import Loaded, Scenario, ScenarioError, load, validate
from .verify import VerificationError, verify

__version__ = "0.1.0"
__all__ = [
    "Loaded", "Plan", "Scenario", "ScenarioError", "VerificationError", "evaluate", "load", "solve_file",
    "solve_scenario", "validate", "verify", "with_solver",
]
