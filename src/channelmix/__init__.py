"""channelmix: pick the channel mix that covers every journey phase and segment, provably optimally.

Every name is imported on first use, so that ``import channelmix`` (and ``channelmix --version``)
loads neither the schema (pydantic) nor the solver stack (PuLP, HiGHS, scipy), and the schema,
``evaluate`` and ``verify`` load without the solver stack.  Two names join stages that do not import
each other: :func:`explain` returns the analysis with its JSON and DataFrames (the words are the
reports'), and :func:`solve_paths` writes each result as the CLI writes it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import verify as _verify_package  # noqa: F401 - the package first: its name here is the function below
from .core.version import VERSION

if TYPE_CHECKING:
    from collections.abc import Iterable

    import pandas as pd

    from .reports.explained import Explained
    from .schema import Loaded, Scenario
    from .verify.evaluate import Violation
    from .verify.plan import Plan

__version__ = VERSION

# loaded on first use: the schema (pydantic), the verifier (numpy), the solver stack (PuLP, HiGHS),
# matplotlib and pandas; `import channelmix` itself loads none of them
_LAZY = {
    "Loaded": "schema", "Scenario": "schema", "ScenarioError": "schema", "load": "schema", "validate": "schema",
    "evaluate": "verify.evaluate", "Plan": "verify.plan", "VerificationError": "verify.verifier",
    "solve_file": "solve.pipeline", "solve_scenario": "solve.pipeline", "with_solver": "solve.pipeline",
    "derive": "schema.expand", "variants": "schema.expand", "grid": "schema.expand",
    "sweep": "analysis.whatif", "compare": "analysis.whatif", "diff": "analysis.whatif",
    "frontier_chart": "reports.charts",
}
__all__ = ["explain", "solve_paths", "verify", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'channelmix' has no attribute {name!r}")


def verify(scenario: Scenario, plan: Plan) -> list[Violation]:
    """Every violated rule and every misreported figure of a solved plan
    (:func:`channelmix.verify.verifier.verify`)."""
    from .verify.verifier import verify as run

    return run(scenario, plan)


def explain(what: Loaded | Scenario, alternatives: int = 3, within: float | None = 0.05, step: float = 100.0,
            warnings: list[str] | None = None) -> Explained:
    """Why this plan, compared with what, and what else (:func:`channelmix.analysis.explanation.explain`),
    with ``to_dict()`` (the JSON of ``channelmix explain --format json``) and ``frames()``."""
    from .analysis.explanation import explain as run
    from .reports.explained import Explained

    return Explained.of(run(what, alternatives, within, step, warnings))


def solve_paths(paths: Iterable[str | Path], out_dir: str | Path, **options: Any) -> pd.DataFrame:
    """The whole batch (:func:`channelmix.analysis.batch.run_batch`): discover, solve, write each
    result as ``solve --format json`` prints it and the summary; returns the summary table."""
    from .analysis.batch import run_batch
    from .reports.documents import plan_document

    return run_batch(paths, out_dir, document=plan_document, **options)[0]
