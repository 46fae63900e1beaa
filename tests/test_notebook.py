"""The what-if notebook runs from top to bottom (so it never rots)."""

from __future__ import annotations

import os
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
    # ipykernel shows the process's C-level output in the notebook, except under pytest: as a user sees it
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(work)}}).execute(
        env=env)
    errors = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs
              if o.output_type == "error"]
    assert errors == []
    # no solver banner or log may reach the notebook
    streams = "".join(o.get("text", "") for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs
                      if o.output_type == "stream")
    assert "HiGHS" not in streams and "Copyright" not in streams
    assert (work / "frontier.png").read_bytes().startswith(b"\x89PNG")
