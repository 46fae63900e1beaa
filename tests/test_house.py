"""The house's rules (docs/architecture.md), checked on every run of the suite: the import
contracts, lint and types pass; no import loop, counting the imports inside functions; no
private name imported from another module; the verifier's closure reaches neither the model
builder, the solver, the reports nor pulp; and ``import channelmix`` alone stays light."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PACKAGE = SRC / "channelmix"


# ---------------------------------------------------------------- the tools


def _tool(name: str) -> list[str]:
    """The command of a console script installed next to this Python (the test extra), else on PATH."""
    here = Path(sys.executable).parent / name
    found = str(here) if here.exists() else shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[test]')")
    return [found]


def _run(command: list[str]) -> None:
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"{' '.join(command[-3:])} found problems:\n{done.stdout}\n{done.stderr}"


def test_the_import_contracts_hold():
    pytest.importorskip("importlinter")
    _run(_tool("lint-imports") + ["--no-cache"])


def test_ruff_finds_nothing():
    pytest.importorskip("ruff")
    _run([sys.executable, "-m", "ruff", "check", "--no-cache", "src", "tests", "benchmarks"])


def test_mypy_finds_nothing_in_the_domain_packages():
    pytest.importorskip("mypy")
    _run([sys.executable, "-m", "mypy"])  # the packages and settings are pyproject.toml's [tool.mypy]


# ---------------------------------------------------------------- the import graph


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(SRC).with_suffix("").parts)
        out[name.removesuffix(".__init__")] = path
    return out


MODULES = _modules()


def _imports(module: str, path: Path) -> list[tuple[str, str | None, bool]]:
    """(module or package imported, name imported from it, whether it runs on import) for every
    import in the file, those inside functions too; those under ``if TYPE_CHECKING:`` do not run
    and do not count."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for node in ast.walk(tree)
                   if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test) for n in ast.walk(node)}
    in_function = {id(n) for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                   for n in ast.walk(node)}
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    out: list[tuple[str, str | None, bool]] = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        on_import = id(node) not in in_function
        if isinstance(node, ast.Import):
            out += [(alias.name, None, on_import) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[:len(package) - node.level + 1] + [node.module or ""]).strip(".") if node.level \
                else node.module or ""
            for alias in node.names:
                full = f"{base}.{alias.name}"
                out.append((full, None, on_import) if full in MODULES else (base, alias.name, on_import))
    return out


def _owner(target: str) -> str | None:
    """The module of channelmix a dotted name lives in (None: outside the package)."""
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target or None


class Graph:
    """Imports between channelmix's modules (``edges``: all; ``on_import``: those that run when
    the module is imported, not inside a function), each module's outside packages, and the
    private names imported across modules."""

    def __init__(self) -> None:
        self.edges: dict[str, set[str]] = {m: set() for m in MODULES}
        self.on_import: dict[str, set[str]] = {m: set() for m in MODULES}
        self.outside: dict[str, set[str]] = {m: set() for m in MODULES}
        self.private: list[str] = []
        for module, path in MODULES.items():
            for target, name, on_import in _imports(module, path):
                owner = _owner(target)
                if owner is None:
                    self.outside[module].add(target.split(".")[0])
                elif owner != module:
                    self.edges[module].add(owner)
                    if on_import:
                        self.on_import[module].add(owner)
                    if name and name.startswith("_") and not name.startswith("__"):
                        self.private.append(f"{module} imports {owner}.{name}")

    def closure(self, start: list[str]) -> set[str]:
        """Every module that using ``start`` can run: all they import, inside functions too, and
        the packages above each, whose imports on import (only) run as well."""
        seen: set[str] = set()
        todo = [(m, True) for m in start]
        while todo:
            module, used = todo.pop()
            if (module, used) in seen or (module, True) in seen:
                continue
            seen.add((module, used))
            parts = module.split(".")
            todo += [(".".join(parts[:k]), False) for k in range(1, len(parts))]  # a package's __init__ runs first
            todo += [(m, True) for m in (self.edges if used else self.on_import)[module]]
        return {m for m, _ in seen}


GRAPH = Graph()


def _loops(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    loops = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[v] = min(low[v], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == v:
                        break
                if len(component) > 1:
                    loops.append(sorted(component))
    return loops


def test_the_loop_finder_finds_a_loop():
    assert _loops({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_loop_counting_the_imports_inside_functions():
    assert _loops(GRAPH.edges) == []


def test_no_private_name_is_imported_from_another_module():
    assert GRAPH.private == []


def test_the_verifier_reaches_no_builder_solver_report_nor_pulp():
    reached = GRAPH.closure(sorted(m for m in MODULES if m.startswith("channelmix.verify")))
    banned = ("channelmix.formulate", "channelmix.solve", "channelmix.reports", "channelmix.cli")
    assert sorted(m for m in reached if m.startswith(banned)) == []
    assert sorted({p for m in reached for p in GRAPH.outside[m]} & {"pulp", "highspy", "scipy", "click"}) == []
    assert "channelmix.verify.verifier" in reached and "channelmix.model.solution" in reached  # the graph is read


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          check=True)
    return set(done.stdout.split())


def test_verifying_a_plan_loads_no_builder_solver_report_nor_pulp():
    loaded = _loaded_after("import channelmix.verify.verifier, channelmix.verify.evaluate_periods, "
                           "channelmix.verify.plan, channelmix.verify.risk, channelmix.verify.baseline")
    banned = ("channelmix.formulate", "channelmix.solve", "channelmix.reports", "channelmix.cli")
    assert sorted(m for m in loaded if m.startswith(banned) or m.split(".")[0] in ("pulp", "highspy", "scipy")) == []


def test_import_channelmix_alone_loads_no_solver_library():
    loaded = _loaded_after("import channelmix")
    assert sorted(m for m in loaded if m.split(".")[0] in ("pulp", "highspy", "scipy")) == []
