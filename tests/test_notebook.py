"""The what-if notebook runs from top to bottom (so it never rots)."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).parents[1] / "notebooks" / "what-if.ipynb"


def test_what_if_notebook_executes(tmp_path: Path):
    work = tmp_path / "notebooks"
    work.mkdir()
    shutil.copytree(NOTEBOOK.parents[1] / "scenarios", tmp_path / "scenarios")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(work)}}).execute()
    errors = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs if o.output_type == "error"]
    assert errors == []
    assert (work / "frontier.png").read_bytes().startswith(b"\x89PNG")
