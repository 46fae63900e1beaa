"""A property test of the console script on mutated shipped scenarios (issue 7): whatever a
file holds — keys dropped, values of the wrong type, huge, negative or non-finite numbers,
deep nesting, long or odd Unicode text, duplicate ids — ``channelmix validate`` and
``channelmix solve`` end with exit code 0, 1 or 2, never a traceback, within a bound.

Deterministic (``derandomize``) and small (15 examples), so the suite stays fast; the
same generator with more examples is the fuzz corpus of the issue."""

from __future__ import annotations

import copy
import math
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).parents[1]
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))
CLI = Path(sys.executable).with_name("channelmix")
if not CLI.exists():  # pragma: no cover - an unusual install
    CLI = Path(shutil.which("channelmix") or "channelmix")
DEEP = "__deep__"  # replaced by 1,000 nested lists in the file text (yaml.safe_dump would recurse)
SECONDS = 60  # a bound on a hang, not a timing: CI machines are shared

ODD_TEXT = ["", " ", "x" * 10_000, "a\u202eb", "a\u200bb", "می\u200cخواهم", "\x00", "\x1b[2J", "=HYPERLINK(\"x\")",
            "-1", "4.5e3", "🙂" * 50, "Ölbaum & <b>café</b>", "a.b", "*", "null", "yes"]
ODD_NUMBERS = [1e308, -1e308, -1.0, 0.0, -0.0, 1e-320, math.nan, math.inf, -math.inf, 10**30, 2**63, 4.5e3, 1e12, 1e13]
WRONG_TYPES = [None, True, [], {}, [1, "a"], {"a": 1}, "text"]


def _children(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return list(node)
    if isinstance(node, list):
        return list(range(len(node)))
    return []


def without_world_variants(data: dict[str, Any]) -> dict[str, Any]:
    """The scenario without its robust variants: each solves a dozen worlds (tests/test_worlds.py
    covers them), which is time spent on the solver, not on what this test probes."""
    if data.get("variants"):
        data["variants"] = [v for v in data["variants"] if "worlds" not in (v.get("set") or {})]
    return data


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A shipped scenario's text after one to three mutations at random places."""
    path = draw(st.sampled_from(SHIPPED))
    data = without_world_variants(yaml.safe_load(path.read_text(encoding="utf-8")))
    for _ in range(draw(st.integers(1, 3))):
        parent, key = None, None
        node: Any = data
        while _children(node) and (parent is None or draw(st.booleans())):
            parent, key = node, draw(st.sampled_from(_children(node)))
            node = parent[key]
        kind = draw(st.sampled_from(["drop", "type", "number", "text", "deep", "duplicate"]))
        if parent is None or kind == "duplicate":
            channels = data.get("channels") if isinstance(data, dict) else None
            if isinstance(channels, list) and channels:
                channels.append(copy.deepcopy(channels[draw(st.integers(0, len(channels) - 1))]))
            continue
        if kind == "drop":
            del parent[key]
        elif kind == "type":
            parent[key] = draw(st.sampled_from(WRONG_TYPES))
        elif kind == "number":
            parent[key] = draw(st.sampled_from(ODD_NUMBERS))
        elif kind == "text":
            parent[key] = draw(
                st.sampled_from(ODD_TEXT) | st.text(max_size=30).filter(
                    lambda t: not any(0xD800 <= ord(c) <= 0xDFFF for c in t)))
        else:
            parent[key] = DEEP
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200)
    return text.replace(DEEP, "[" * 1000 + "]" * 1000)


@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(text=mutated())
def test_the_cli_ends_cleanly_on_any_mutated_scenario(text: str, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "mutated.yaml"
    path.write_text(text, encoding="utf-8")
    for command in (["validate", str(path)], ["solve", str(path), "--out", str(folder / "out")]):
        done = subprocess.run([str(CLI), *command], capture_output=True, text=True, timeout=SECONDS, cwd=folder)
        assert done.returncode in (0, 1, 2), f"{command[0]} exit {done.returncode}:\n{done.stderr[-2000:]}"
        assert "Traceback" not in done.stderr, done.stderr[-4000:]
