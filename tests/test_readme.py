"""The README is a contract: its quick start is what CI runs, and its library example runs."""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def quick_start() -> list[str]:
    section = README.split("## Quick start", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_quick_start_is_two_commands_and_ci_runs_exactly_them():
    commands = quick_start()
    assert len(commands) == 2
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert [line for line in ci if line in commands] == commands
    # the README's test command is the first test run in CI (a later job may run fewer tests elsewhere)
    assert next(line for line in ci if "python -m pytest" in line) == commands[1]


def test_library_example_runs(tmp_path: Path, monkeypatch):
    section = README.split("## Library", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    monkeypatch.chdir(ROOT)
    code = code.replace('"out"', repr(str(tmp_path / "out")))
    exec(compile(code, "README.md", "exec"), {})
    assert (tmp_path / "out" / "summary.csv").exists()
    assert os.getcwd() == str(ROOT)
