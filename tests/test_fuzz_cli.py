"""A property test of the console script on mutated shipped scenarios (issue 7): whatever a
file holds — keys dropped, values of the wrong type, huge, negative or non-finite numbers,
deep nesting, long or odd Unicode text, duplicate ids — ``channelmix validate`` and
``channelmix solve`` end with exit code 0, 1 or 2, never a traceback, within a bound.

Deterministic (``derandomize``) and small (8 drawn examples and 7 that mutate every shipped scenario
with every kind of mutation), so the suite stays fast; the
same generator with more examples is the fuzz corpus of the issue."""

from __future__ import annotations

import copy
import csv
import io
import math
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from channelmix.schema import limits as schema_limits

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


KINDS = ["drop", "type", "number", "text", "deep", "duplicate"]


class Seeded:
    """The choices of :func:`mutate` from a seeded generator: the covering examples below."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def pick(self, options: list[Any]) -> Any:
        return self.rng.choice(options)

    def integer(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, hi)

    def flip(self) -> bool:
        return self.rng.random() < 0.5

    def text(self) -> str:
        return self.rng.choice(ODD_TEXT)


class Drawn:
    """The same choices drawn by Hypothesis."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw

    def pick(self, options: list[Any]) -> Any:
        return self.draw(st.sampled_from(options))

    def integer(self, lo: int, hi: int) -> int:
        return self.draw(st.integers(lo, hi))

    def flip(self) -> bool:
        return self.draw(st.booleans())

    def text(self) -> str:
        return self.draw(st.sampled_from(ODD_TEXT) | st.text(max_size=30).filter(
            lambda t: not any(0xD800 <= ord(c) <= 0xDFFF for c in t)))


def mutate(path: Path, choose: Seeded | Drawn, kinds: list[str] | None = None) -> str:
    """A shipped scenario's text after one to three mutations at random places (``kinds``: these, in turn)."""
    data = without_world_variants(yaml.safe_load(path.read_text(encoding="utf-8")))
    for kind in kinds or [choose.pick(KINDS) for _ in range(choose.integer(1, 3))]:
        parent, key = None, None
        node: Any = data
        while _children(node) and (parent is None or choose.flip()):
            parent, key = node, choose.pick(_children(node))
            node = parent[key]
        if parent is None or kind == "duplicate":
            channels = data.get("channels") if isinstance(data, dict) else None
            if isinstance(channels, list) and channels:
                channels.append(copy.deepcopy(channels[choose.integer(0, len(channels) - 1)]))
            continue
        if kind == "drop":
            del parent[key]
        elif kind == "type":
            parent[key] = choose.pick(WRONG_TYPES)
        elif kind == "number":
            parent[key] = choose.pick(ODD_NUMBERS)
        elif kind == "text":
            parent[key] = choose.text()
        else:
            parent[key] = DEEP
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200)
    return text.replace(DEEP, "[" * 1000 + "]" * 1000)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    return mutate(draw(st.sampled_from(SHIPPED)), Drawn(draw))


# Every shipped scenario mutated once and every kind of mutation made, whatever Hypothesis draws: its 15
# derandomized examples never mutated butik-kundresan nor made a "text" mutation.  These 7 and 8 drawn
# examples cost what the 15 drawn did.
COVERING = [mutate(path, Seeded(n), [KINDS[n % len(KINDS)]]) for n, path in enumerate(SHIPPED)]


def _covering(test):
    for text in reversed(COVERING):
        test = example(text=text)(test)
    return test


@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@_covering
@given(text=mutated())
def test_the_cli_ends_cleanly_on_any_mutated_scenario(text: str, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "mutated.yaml"
    path.write_text(text, encoding="utf-8")
    for command in (["validate", str(path)], ["solve", str(path), "--out", str(folder / "out")]):
        done = subprocess.run([str(CLI), *command], capture_output=True, text=True, timeout=SECONDS, cwd=folder)
        assert done.returncode in (0, 1, 2), f"{command[0]} exit {done.returncode}:\n{done.stderr[-2000:]}"
        assert "Traceback" not in done.stderr, done.stderr[-4000:]


# ---------------------------------------------------------------- the newer surface (issue 18)
#
# periods, current:, spend_step, worlds (spreads and draws files), outcomes, import curves, calibrate,
# evaluate --spend and explain --within: the same promise — exit 0, 1 or 2, never a traceback,
# within a bound — and more: what validates solves (never exit 2 after validate said ok), and what
# `import curves` or `calibrate` writes validates and solves. The cases of issue 18 are examples
# every run tries; CHANNELMIX_FUZZ_EXAMPLES=500 runs the corpus at the size the was.

EXTRA = int(os.environ.get("CHANNELMIX_FUZZ_EXAMPLES", "0"))
NEWER = settings(max_examples=EXTRA or 10, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
ODD_CELLS = ["", " ", "nan", "NaN", "inf", "-inf", "1e-320", "1e-300", "-1", "0", "-0", "1e13", "1e300", "4.5e3", "abc",
             "1,5", "0x10", "١٢", "1_000", "=1+1"]
NAMES = ["a", "b", "tv radio", "a.b", "*", "وب‌سایت و سئو", "a\u202eb", "x" * 100, "Ölbaum & <b>café</b>", "=1+1", " ",
         "null", "yes", "1e3", "a\u200bb", "\x1b[2J"]
FUZZ_BASE: dict[str, Any] = {
    "scenario": "fuzz", "phases": ["aware", "buy"], "segments": [{"id": "all", "size": 100}], "budget": 1000,
    "channels": [
        {"id": "tv", "response": {"type": "hill", "half": 300, "shape": 2, "offset": 20},
         "outcome": {"value": 500, "baseline": 10}, "affinity": {"*": 0.8}},
        {"id": "radio", "response": {"type": "saturating", "scale": 200}, "outcome": {"value": 300},
         "affinity": {"aware": 0.6}},
        {"id": "web", "response": {"type": "pwl", "points": [[0, 0], [100, 0.4], [400, 0.9]]},
         "outcome": {"value": 200},
         "affinity": {"buy": 0.9}},
    ],
    "objective": {"sense": "max_outcome"},
    "solver": {"time_limit": 10},
}


# Issue 18's spend_step cases (a payable unit past what any channel can spend: VerificationError; one of
# 1e-320: OverflowError) are fixed on branch `scale`, which bounds spend_step (schema.limits.MAX_STEPS). Until
# that is merged a crash on a file with a spend_step is set aside here — only then — so the fuzz goes on to
# find the others; merged, those files are checked like any.
SPEND_STEP_FIXED = hasattr(schema_limits, "MAX_STEPS")


def cli(args: list[str], folder: Path) -> subprocess.CompletedProcess:
    """The console script in ``folder``; it must end within the bound, with 0, 1 or 2 and no traceback."""
    done = subprocess.run([str(CLI), *args], capture_output=True, text=True, encoding="utf-8", timeout=SECONDS,
                          cwd=folder)
    if not SPEND_STEP_FIXED and "Traceback" in done.stderr:
        scenario = next((folder / a for a in args if a.endswith(".yaml") and (folder / a).exists()), None)
        assume(scenario is None or "spend_step" not in scenario.read_text(encoding="utf-8"))
    assert done.returncode in (0, 1, 2), f"{args[0]} exit {done.returncode}:\n{done.stderr[-2000:]}"
    assert "Traceback" not in done.stderr and "a channelmix bug" not in done.stderr, done.stderr[-4000:]
    return done


def table_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


number_cells = st.sampled_from(ODD_CELLS) | st.floats(0, 1e5, allow_nan=False).map(lambda v: f"{v:.6g}")
odd_values = st.sampled_from(ODD_NUMBERS + WRONG_TYPES + [10, 0.5, 3, 1e11, 250, 0.2, 1, 2])


@st.composite
def curve_tables(draw: st.DrawFn) -> str:
    """A `channel, spend, outcome[, draw]` table: odd names, odd cells, spends too close, draws that disagree."""
    text = st.text(max_size=10).filter(lambda t: not any(0xD800 <= ord(c) <= 0xDFFF for c in t))
    names = draw(st.lists(st.sampled_from(NAMES) | text, min_size=1, max_size=3, unique=True))
    draws = draw(st.sampled_from([None, ["0", "1"], ["0", "0", ""]]))
    rows = [["channel", "spend", "outcome"] + (["draw"] if draws else [])]
    for name in names:
        count = draw(st.integers(1, 6))
        spends = draw(st.lists(number_cells, min_size=count, max_size=count))
        for d in draws or [None]:
            for s in spends:
                rows.append([name, s, draw(number_cells)] + ([d] if d is not None else []))
    return table_text(rows)


@st.composite
def results_tables(draw: st.DrawFn) -> str:
    """Observed periods for the fuzz scenario's channels (or others), with odd cells."""
    column = draw(st.sampled_from(["reach", "outcome", "reach,outcome", "result"]))
    rows = [["period", "channel", "spend", *column.split(",")]]
    for k in range(draw(st.integers(1, 8))):
        channel_cell = draw(st.sampled_from(["tv", "radio", "web", "", "nope", "tv "]))
        period = draw(st.sampled_from([str(k), str(k), "", "1"]))
        rows.append([period, channel_cell, draw(number_cells), *(draw(number_cells) for _ in column.split(","))])
    return table_text(rows)


def _newer_mutation(draw: st.DrawFn, data: dict[str, Any], files: dict[str, str]) -> None:
    """One change on the newer surface, at a random place, with a random (often odd) value (a draws
    table it names goes into ``files``, for the test to write beside the scenario)."""
    cid = draw(st.sampled_from(["tv", "radio", "web", "nope"]))
    channel_of = {c["id"]: c for c in data["channels"]}
    target = channel_of.get(cid, data["channels"][0])
    kind = draw(st.sampled_from(["spend_step", "channel_step", "current", "outcome", "objective", "risk", "uncertainty",
                                 "draws", "pwl", "periods", "carry_over", "time_rules", "coverage"]))
    value = draw(odd_values)
    if kind == "spend_step":
        data["spend_step"] = value
    elif kind == "channel_step":
        target["spend_step"] = value
    elif kind == "current":
        data["current"] = draw(st.sampled_from([{cid: value}, value, {"tv": 300, "radio": value}]))
    elif kind == "outcome":
        target["outcome"] = draw(st.sampled_from([{"value": value}, {"value": 100, "baseline": value}, value]))
    elif kind == "objective":
        data["objective"] = draw(st.sampled_from([{"sense": "max_outcome", "net": True},
                                                  {"sense": "min_cost", "outcome_target": value},
                                                  {"sense": "max_reach"}, {"sense": "max_outcome", "net": value}]))
    elif kind == "risk":
        data["objective"] = {**data["objective"], "risk": draw(st.sampled_from(["mean", "worst", "cvar", value])),
                             "alpha": draw(st.sampled_from([0.2, value]))}
        data.setdefault("worlds", {"uncertainty": {"affinity": 0.2, "response": 0.3, "count": 5, "seed": 1}})
    elif kind == "uncertainty":
        field = draw(st.sampled_from(["affinity", "response", "count", "seed"]))
        data["worlds"] = {"uncertainty": {"affinity": 0.2, "response": 0.3, "count": 5, "seed": 1, field: value}}
    elif kind == "draws":
        rows = [["channel", "draw", "spend", "outcome"]]
        spends = draw(st.lists(number_cells, min_size=1, max_size=4))
        for name in draw(st.lists(st.sampled_from(["tv", "radio", "web", "nope", ""]), min_size=1, max_size=2,
                                  unique=True)):
            for d in draw(st.sampled_from([["0", "1"], ["0"], ["0", "1", "2"]])):
                rows += [[name, d, s, draw(number_cells)] for s in spends]
        files["fuzz.draws.csv"] = table_text(rows)
        data["worlds"] = {"draws": draw(st.sampled_from(["fuzz.draws.csv", "missing.draws.csv", value]))}
    elif kind == "pwl":
        points = [[0, 0]] + [[draw(odd_values), draw(odd_values)] for _ in range(draw(st.integers(1, 3)))]
        target["response"] = {"type": "pwl",
                              "points": draw(st.sampled_from([points, [[0, 0], [1e-300, 0.5], [1, 1]], value]))}
    elif kind == "periods":
        data["periods"] = draw(st.sampled_from([{"count": value, "unit": "month"}, {"count": 3, "budget": value},
                                                {"items": ["jan", "feb", value]}, value]))
    elif kind == "carry_over":
        data.setdefault("periods", {"count": 3, "unit": "week"})
        target[draw(st.sampled_from(["carry_over", "available_from", "available_until", "setup_cost"]))] = value
    elif kind == "time_rules":
        data.setdefault("periods", {"count": 3, "unit": "week"})
        rule = draw(st.sampled_from(["min_periods_on", "max_switches", "pacing", "ramp"]))
        data.setdefault("rules", {})[rule] = draw(st.sampled_from([value, {cid: value}, {"band": value},
                                                                   {"max_growth": value}]))
    else:
        data.setdefault("rules", {})["coverage"] = {"target": value, "hard": draw(st.booleans())}


@st.composite
def newer_scenarios(draw: st.DrawFn) -> tuple[str, dict[str, str], list[str], str]:
    """(the scenario's YAML, files to write beside it, evaluate --spend arguments, an explain --within)
    after one to three changes on the newer surface."""
    data, files = copy.deepcopy(FUZZ_BASE), {}
    for _ in range(draw(st.integers(1, 3))):
        _newer_mutation(draw, data, files)
    ids = st.sampled_from(["tv", "radio", "web", "nope", "tv@1", "tv@9"])
    cells = st.sampled_from(ODD_CELLS + ["300", "off"])
    spends = [f"{draw(ids)}={draw(cells)}" for _ in range(draw(st.integers(0, 2)))]
    within = draw(st.sampled_from(["5%", "nan", "nan%", "-1%", "inf", "any", "0", "1e308", "abc", "50%"]))
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200), files, spends, within


BAD_DRAWS = copy.deepcopy(FUZZ_BASE) | {"worlds": {"draws": "fuzz.draws.csv"},
                                        "objective": {"sense": "max_outcome", "risk": "mean"}}


@NEWER
@example(case=(yaml.safe_dump(BAD_DRAWS),
               {"fuzz.draws.csv": "channel,draw,spend,outcome\ntv,0,0,1e300\ntv,0,100,5\ntv,1,0,0\ntv,1,100,4\n"},
               [], "nan"))
@example(case=(yaml.safe_dump(copy.deepcopy(FUZZ_BASE)), {}, ["tv=nan", "radio=inf"], "nan%"))
@example(case=(yaml.safe_dump(copy.deepcopy(FUZZ_BASE) | {"current": {"tv": 300, "radio": math.inf, "nope": -1.0}}), {},
               ["tv=300"], "5%"))  # "current": the drawn examples never make it
@given(case=newer_scenarios())
def test_the_cli_ends_cleanly_on_the_newer_surface(case: tuple[str, dict[str, str], list[str], str],
                                                     tmp_path_factory: pytest.TempPathFactory):
    text, files, spends, within = case
    folder = tmp_path_factory.mktemp("newer")
    (folder / "s.yaml").write_text(text, encoding="utf-8")
    for name, content in files.items():
        (folder / name).write_text(content, encoding="utf-8")
    valid = cli(["validate", "s.yaml"], folder).returncode == 0
    solved = cli(["solve", "s.yaml", "--format", "json"], folder)
    assert not valid or solved.returncode != 2, f"validate said ok, solve refused:\n{solved.stderr[-2000:]}"
    cli(["evaluate", "s.yaml", "--format", "json", *[a for s in spends for a in ("--spend", s)]], folder)
    explained = cli(["explain", "s.yaml", "--within", within, "--alternatives", "1", "--format", "json"], folder)
    if within in ("nan", "nan%", "-1%", "abc"):
        assert explained.returncode == 2 and "--within" in explained.stderr


TINY = "channel,spend,outcome\na,0,0\na,1e-320,10\na,1,20\n"
PERSIAN = "channel,spend,outcome\n" + "".join(f"{n},{s},{o}\n" for n in ("وب‌سایت و سئو", "کسب‌وکارهای کوچک") for s,
                                              o in ((0, 0), (100, 5), (900, 20)))


@NEWER
@example(table=TINY)
@example(table=PERSIAN)
@given(table=curve_tables())
def test_import_curves_ends_cleanly_and_what_it_writes_solves(table: str, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("curves")
    (folder / "t.csv").write_text(table, encoding="utf-8")
    done = cli(["import", "curves", "t.csv", "-o", "t.yaml", "--budget", "500"], folder)
    if done.returncode != 0:
        assert done.returncode == 2 and not (folder / "t.yaml").exists() and "nothing was written" in done.stderr
        return
    assert cli(["validate", "t.yaml"], folder).returncode == 0
    assert cli(["solve", "t.yaml", "--format", "json"], folder).returncode in (0, 1)


CAFE = {**copy.deepcopy(FUZZ_BASE), "objective": {"sense": "max_reach"}}
RESULTS = "period,channel,spend,reach\n1,radio,100,0.1\n2,radio,200,0.2\n3,radio,300,0.3\n4,radio,500,0.4\n"


@NEWER
@example(results=RESULTS.replace("2,radio,200", "2,radio,inf"), prior="1e-4")
@example(results=RESULTS.replace("2,radio,200", "2,,200"), prior="1e-4")
@example(results=RESULTS, prior="nan")
@example(results="period,channel,spend,reach,outcome\n1,radio,100,0.1,5\n2,radio,200,nan,7\n3,tv,300,0.3,-1\n",
         prior="1e-4")  # an outcome column: the drawn examples never have one
@given(results=results_tables(), prior=st.sampled_from(["1e-4", "0", "nan", "inf", "-1", "1e6", "1e300", "abc"]))
def test_calibrate_ends_cleanly_and_what_it_writes_validates(results: str, prior: str,
                                                             tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("calibrate")
    (folder / "s.yaml").write_text(yaml.safe_dump(CAFE, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (folder / "r.csv").write_text(results, encoding="utf-8")
    done = cli(["calibrate", "s.yaml", "r.csv", "-o", "out.yaml", "--boot", "5", "--prior-weight", prior], folder)
    if done.returncode != 0:
        assert done.returncode == 2 and not (folder / "out.yaml").exists()
        return
    assert cli(["validate", "out.yaml"], folder).returncode == 0
