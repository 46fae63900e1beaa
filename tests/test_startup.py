"""Start-up (issue 20): what `import channelmix`, `channelmix --version` and `channelmix validate` load.
Each runs in a fresh interpreter and lists ``sys.modules`` afterwards; the time itself is measured by
benchmarks, not here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
SOLVER_STACK = ("pulp", "highspy", "scipy")


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint('\\n'.join(sorted(sys.modules)), file=sys.stderr)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    return set(done.stderr.split())


def _top(loaded: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted({m.split(".")[0] for m in loaded} & set(names))


def _cli(*args: str) -> str:
    return f"from channelmix.cli import main\ntry:\n    main({list(args)!r})\nexcept SystemExit:\n    pass"


def test_import_channelmix_loads_neither_the_solver_stack_nor_the_schema():
    loaded = _loaded_after("import channelmix")
    assert _top(loaded, SOLVER_STACK + ("pydantic", "numpy", "yaml", "pandas")) == []


def test_version_loads_no_solver_schema_or_report_code():
    loaded = _loaded_after(_cli("--version"))
    assert _top(loaded, SOLVER_STACK + ("pydantic", "numpy", "yaml", "pandas", "rich")) == []
    assert sorted(m for m in loaded if m.startswith(("channelmix.schema", "channelmix.solve", "channelmix.reports"))) \
        == []


def test_validate_never_loads_the_solver_stack():
    loaded = _loaded_after(_cli("validate", str(ROOT / "scenarios" / "township-bakery.yaml")))
    assert "channelmix.schema.load" in loaded  # it did validate
    assert _top(loaded, SOLVER_STACK) == []
    assert sorted(m for m in loaded if m.startswith(("channelmix.solve", "channelmix.formulate"))) == []


def test_a_json_scenario_loads_no_yaml(tmp_path):
    path = tmp_path / "tiny.json"
    path.write_text('{"scenario": "tiny", "phases": ["aware"], "segments": [{"id": "all", "size": 1, "value": 1}], '
                    '"budget": 100, "channels": [{"id": "a", "response": {"type": "linear", "slope": 0.01}, '
                    '"affinity": {"aware": 1}}]}', encoding="utf-8")
    loaded = _loaded_after(_cli("validate", str(path)))
    assert "channelmix.schema.load" in loaded and _top(loaded, ("yaml",)) == []


def test_plain_solve_without_curves_loads_no_scipy_and_no_analysis(tmp_path):
    """A plan whose channels reach the same whatever they spend has nothing for the polish to move:
    ``channelmix solve`` in the terminal (its plan beside today's) loads neither scipy (its import is
    half a second of a 10-channel solve) nor the explanation's analysis."""
    path = tmp_path / "shops.json"
    path.write_text(
        '{"scenario": "shops", "phases": ["aware", "buy"], "segments": [{"id": "all", "size": 10, "value": 1}], '
        '"budget": 100, "objective": {"sense": "max_reach"}, "current": {"window": 0}, "channels": ['
        '{"id": "window", "fixed_cost": 40, "response": {"type": "constant", "value": 0.5}, '
        '"affinity": {"aware": 1}}, '
        '{"id": "flyers", "fixed_cost": 50, "response": {"type": "constant", "value": 0.8}, '
        '"affinity": {"aware": 0.5, "buy": 1}}, '
        '{"id": "stall", "fixed_cost": 70, "response": {"type": "constant", "value": 0.9}, '
        '"affinity": {"buy": 1}}]}', encoding="utf-8")
    loaded = _loaded_after(_cli("solve", str(path)))
    assert "channelmix.solve.pipeline" in loaded and "channelmix.reports.terminal" in loaded  # it did solve and show
    assert "channelmix.reports.explain_render" in loaded  # with today's plan beside it
    assert _top(loaded, ("scipy",)) == []
    assert sorted(m for m in loaded if m.startswith("channelmix.analysis")) == []
