"""The what-if commands through click's CliRunner: sweep, compare, and --set on
solve/validate — exit codes, output shapes, files written (and not written)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from channelmix.cli import main
from channelmix.core.filenames import file_stem
from helpers import channel, scenario

SOLVE_KEYS = {"scenario", "status", "objective", "cost", "gap", "verified", "channels", "coverage"}
CHANNELS = ["radio", "ads", "mail", "stall"]


def small(**overrides) -> dict:
    """A small scenario that solves in milliseconds; channels enter as the budget grows."""
    d = scenario(scenario="small",
                 channels=[
                     channel("radio", response={"type": "constant", "value": 0.5}, fixed_cost=300, max_spend=0,
                             affinity={"aware": 1}, uses={"hours": {"fixed": 3}}),
                     channel("ads", response={"type": "pwl", "points": [[0, 0], [200, 0.3], [600, 0.5], [1200, 0.6]]},
                             max_spend=1200, min_spend=100, fixed_cost=50,
                             affinity={"aware": {"young": 0.8, "old": 0.3}, "buy": 0.2}, uses={"hours": {"fixed": 2}}),
                     channel("mail", max_spend=500, response={"type": "linear", "slope": 1 / 500},
                             affinity={"buy": {"old": 0.7}, "aware": {"old": 0.4}}, uses={"hours": {"fixed": 1}}),
                     channel("stall", response={"type": "constant", "value": 0.4}, fixed_cost=150, max_spend=0,
                             affinity={"buy": 1}, uses={"hours": {"fixed": 2}})], resources={"hours": 20})
    d.update(overrides)
    return d


def write(tmp_path: Path, d: dict, name: str = "small.yaml") -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(d, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return str(path)


def run(*args: str):
    # tables as wide as when piped, whatever the caller's COLUMNS
    return CliRunner().invoke(main, list(args), env={"COLUMNS": "160"})


def json_lines(text: str) -> list[dict]:
    lines = [line for line in text.splitlines() if line.strip()]
    return [json.loads(line) for line in lines]


@pytest.fixture
def small_file(tmp_path):
    return write(tmp_path, small())


@pytest.fixture
def variants_file(tmp_path):
    d = small()
    d["variants"] = [
        {"name": "cut", "description": "less money", "set": {"budget": 400}},
        {"name": "no-radio", "set": {"rules.force_off": ["radio"]}},
        {"name": "busy", "set": {"resources.hours": 3}},
    ]
    return write(tmp_path, d, "with-variants.yaml")


@pytest.mark.parametrize("command", ["sweep", "compare"])
def test_help(command):
    result = run(command, "--help")
    assert result.exit_code == 0 and "Usage: " in result.output


# ---------------------------------------------------------------- sweep


def test_sweep_prints_the_frontier(small_file):
    result = run("sweep", small_file, "--vary", "budget=0:1500:500")
    assert result.exit_code == 0, result.output
    assert "Frontier of small" in result.stdout
    for header in ("budget", "status", "objective", "cost", "marginal", "channels_on", "entering", "leaving", "knee"):
        assert header in result.stdout
    assert result.stdout.count("optimal") == 4


def test_sweep_json_is_one_row_per_line(small_file):
    result = run("sweep", small_file, "--vary", "budget=0:1500:500", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json_lines(result.stdout)
    assert [r["budget"] for r in rows] == [0, 500, 1000, 1500]
    assert [r["scenario"] for r in rows] == ["small/budget=0", "small/budget=500", "small/budget=1000",
                                             "small/budget=1500"]
    for row in rows:
        assert {"status", "objective", "cost", "marginal", "on", "entering", "leaving", "knee"} <= set(row)
        assert {f"spend_{c}" for c in CHANNELS} <= set(row)
    assert rows[0]["marginal"] is None  # NaN is written null
    objectives = [r["objective"] for r in rows]
    assert objectives == sorted(objectives)
    assert all(r["marginal"] == pytest.approx((b["objective"] - a["objective"]) / 500)
               for a, b, r in zip(rows, rows[1:], rows[1:]))
    # entering and leaving follow the on-sets
    for a, b in zip(rows, rows[1:]):
        was, now = set(a["on"].split()), set(b["on"].split())
        assert b["entering"] == " ".join(sorted(now - was)) and b["leaving"] == " ".join(sorted(was - now))


def test_sweep_a_list_of_values(small_file):
    result = run("sweep", small_file, "--vary", "resources.hours=2,5,9", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [r["resources.hours"] for r in json_lines(result.stdout)] == [2, 5, 9]


def test_sweep_uses_the_files_own_sweep(tmp_path):
    path = write(tmp_path, small(sweep={"budget": {"start": 300, "stop": 900, "step": 300}}))
    result = run("sweep", path, "--format", "json")
    assert result.exit_code == 0, result.output
    assert [r["budget"] for r in json_lines(result.stdout)] == [300, 600, 900]
    # --vary replaces it
    result = run("sweep", path, "--format", "json", "--vary", "budget=100,200")
    assert [r["budget"] for r in json_lines(result.stdout)] == [100, 200]


def test_sweep_with_nothing_to_vary_is_bad_input(small_file):
    result = run("sweep", small_file)
    assert result.exit_code == 2
    assert "sweep: nothing to vary" in result.stderr
    assert result.stdout == ""


def test_sweep_warm_and_cold_agree(small_file):
    warm = run("sweep", small_file, "--vary", "budget=0:1500:300", "--format", "json")
    cold = run("sweep", small_file, "--vary", "budget=0:1500:300", "--format", "json", "--no-warm-start")
    assert warm.exit_code == cold.exit_code == 0
    for w, c in zip(json_lines(warm.stdout), json_lines(cold.stdout), strict=True):
        assert w["status"] == c["status"]
        assert w["objective"] == pytest.approx(c["objective"], rel=1e-6, abs=1e-6)


def test_sweep_set_applies_to_every_step(small_file):
    result = run("sweep", small_file, "--vary", "budget=500:1500:500", "--set", "rules.force_off=[radio]", "--format",
                 "json")
    assert result.exit_code == 0, result.output
    rows = json_lines(result.stdout)
    assert len(rows) == 3 and all("radio" not in r["on"].split() for r in rows)
    assert all(r["spend_radio"] == 0 for r in rows)


def test_sweep_grid_has_a_row_per_combination(small_file, tmp_path):
    out = tmp_path / "grid"
    result = run("sweep", small_file, "--vary", "budget=400:1200:400", "--vary", "resources.hours=3,6",
                 "--format", "json", "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = json_lines(result.stdout)
    assert [(r["budget"], r["resources.hours"]) for r in rows] == [(b, h) for b in (400, 800, 1200) for h in (3, 6)]
    assert not any(r["knee"] for r in rows)
    with open(out / "summary.csv", encoding="utf-8") as f:
        summary = list(csv.DictReader(f))
    assert len(summary) == 6 and {"budget", "resources.hours"} <= set(summary[0])
    assert len(list(out.glob("small-*.json"))) == 6


def test_sweep_with_infeasible_steps_exits_1(tmp_path):
    path = write(tmp_path, small(rules={"coverage": {"target": 0.2, "hard": True}}))
    result = run("sweep", path, "--vary", "budget=0:1500:500", "--format", "json")
    assert result.exit_code == 1
    rows = json_lines(result.stdout)
    assert len(rows) == 4 and rows[0]["status"] == "infeasible" and rows[-1]["status"] == "optimal"


@pytest.mark.parametrize("vary, words", [
    ("budget=1000:500:100", ["budget=1000:500:100", "is not a rising range"]),
    ("budget=1000:x:100", ["budget=1000:x:100", "has a value that is not a number"]),
    ("budget", ["is not PATH=START:STOP:STEP"]),
    ("channels.radoi.fixed_cost=0:100:50", ["set channels.radoi", "no item with id 'radoi'", "did you mean 'radio'?"]),
    ("budget.monthly=0:100:50", ["set budget.monthly", "'budget' is a value, not something with a 'monthly'"]),
    ("budget=-500:500:500", ["budget: got -500, must be ≥ 0 (after set budget)"]),
    ("channels.ads.min_spend=0:2000:1000", ["min_spend 2000", "channels.ads.min_spend"]),
])
def test_sweep_bad_vary_is_bad_input_and_writes_nothing(small_file, tmp_path, vary, words):
    out = tmp_path / "out"
    result = run("sweep", small_file, "--vary", vary, "--out", str(out))
    assert result.exit_code == 2, result.output
    for word in words:
        assert word.lower() in result.stderr.lower(), result.stderr
    assert result.stdout == ""
    assert not out.exists()


def test_sweep_bad_set_is_bad_input(small_file):
    result = run("sweep", small_file, "--vary", "budget=0:1000:500", "--set", "bugdet=5")
    assert result.exit_code == 2
    assert "bugdet: unknown key in the top level (after set bugdet, budget)" in result.stderr
    assert "did you mean 'budget'?" in result.stderr.lower()


def test_sweep_out_writes_summary_steps_and_chart(small_file, tmp_path):
    out = tmp_path / "out"
    result = run("sweep", small_file, "--vary", "budget=0:1500:500", "--out", str(out))
    assert result.exit_code == 0, result.output

    with open(out / "summary.csv", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        summary = list(reader)
        columns = reader.fieldnames
    assert {"scenario", "status", "objective", "cost", "budget", *(f"spend_{c}" for c in CHANNELS)} <= set(columns)
    assert [float(r["budget"]) for r in summary] == [0, 500, 1000, 1500]
    assert all(r["status"] == "optimal" for r in summary)

    records = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert isinstance(records, list) and len(records) == 4
    assert [r["scenario"] for r in records] == [r["scenario"] for r in summary]
    assert [r["objective"] for r in records] == pytest.approx([float(r["objective"]) for r in summary])

    steps = sorted(out.glob("small-*.json"))
    assert len(steps) == 4
    by_name = {}
    for path in steps:
        obj = json.loads(path.read_text(encoding="utf-8"))
        assert SOLVE_KEYS <= set(obj), path
        by_name[obj["scenario"]] = obj
    assert set(by_name) == {r["scenario"] for r in records}

    # each step's JSON is what `solve --set budget=… --format json` prints
    solved = json_lines(run("solve", small_file, "--set", "budget=1000", "--format", "json").stdout)[0]
    step = by_name["small/budget=1000"]
    assert set(step) == set(solved)
    assert step["objective"] == pytest.approx(solved["objective"], rel=1e-9)
    assert [c["id"] for c in step["channels"]] == [c["id"] for c in solved["channels"]]
    assert len(step["coverage"]) == len(solved["coverage"])

    chart = out / "frontier.png"
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert chart.stat().st_size > 2000


def test_sweep_chart_svg(small_file, tmp_path):
    out = tmp_path / "out"
    result = run("sweep", small_file, "--vary", "budget=0:1500:500", "--out", str(out), "--chart", "svg")
    assert result.exit_code == 0, result.output
    text = (out / "frontier.svg").read_text(encoding="utf-8")
    assert "<svg" in text[:2000] and text.rstrip().endswith("</svg>")
    assert not (out / "frontier.png").exists()


def test_sweep_out_files_do_not_misstate_large_budgets(small_file, tmp_path):
    """budget=1000000 must not be written as 'small-budget=1e-06.json' (a ten-millionth),
    nor 1000001 share its name with 1000000."""
    out = tmp_path / "out"
    result = run("sweep", small_file, "--vary", "budget=1000000,1000001", "--out", str(out), "--format", "json")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.glob("small-*.json"))
    assert len(names) == 2
    assert not any("e-0" in n for n in names), names
    assert not any("again" in n for n in names), names
    assert len({r["scenario"] for r in json_lines(result.stdout)}) == 2


# ---------------------------------------------------------------- compare


def test_compare_prints_one_row_per_scenario(variants_file):
    result = run("compare", variants_file)
    assert result.exit_code == 0, result.output
    assert "Comparison" in result.stdout
    for name in ("small/cut", "small/no-radio", "small/busy"):
        assert name in result.stdout


def test_compare_json_rows(variants_file):
    result = run("compare", variants_file, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json_lines(result.stdout)
    assert [r["scenario"] for r in rows] == ["small", "small/cut", "small/no-radio", "small/busy"]
    for row in rows:
        assert {"status", "objective", "cost", "weakest_cell"} <= set(row)
        assert [k for k in row if k.startswith("spend_")] == [f"spend_{c}" for c in CHANNELS]
        assert row["status"] == "optimal"
    base, cut, no_radio, busy = rows
    assert cut["cost"] <= 400 + 1e-6 and cut["objective"] < base["objective"]
    assert no_radio["spend_radio"] == 0
    # each row is the plan `solve` gives for that scenario
    solved = {o["scenario"]: o for o in json_lines(run("solve", variants_file, "--format", "json").stdout)}
    for row in rows:
        assert row["objective"] == pytest.approx(solved[row["scenario"]]["objective"], rel=1e-9)
        spends = {c["id"]: c["spend"] for c in solved[row["scenario"]]["channels"]}
        assert all(row[f"spend_{c}"] == pytest.approx(spends[c], abs=1e-6) for c in CHANNELS)


def test_compare_several_files(variants_file, small_file):
    result = run("compare", small_file, variants_file, "--format", "json")
    assert result.exit_code == 0, result.output
    assert [r["scenario"] for r in json_lines(result.stdout)] == ["small", "small", "small/cut", "small/no-radio",
                                                                  "small/busy"]


def test_compare_set_applies_to_every_scenario(variants_file):
    result = run("compare", variants_file, "--set", "channels.ads.max_spend=150", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json_lines(result.stdout)
    assert len(rows) == 4 and all(r["spend_ads"] <= 150 + 1e-6 for r in rows)


def test_compare_diff_table(variants_file):
    result = run("compare", variants_file, "--diff", "small", "small/no-radio")
    assert result.exit_code == 0, result.output
    assert "From small to small/no-radio" in result.stdout
    diff_part = result.stdout.split("From small to small/no-radio", 1)[1]
    assert "radio" in diff_part and "leaves" in diff_part
    assert "(objective)" in diff_part and "(cost)" in diff_part


def test_compare_diff_json(variants_file):
    result = run("compare", variants_file, "--diff", "small/cut", "small", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json_lines(result.stdout)
    table, moved = rows[:4], rows[4:]
    assert [r["scenario"] for r in table] == ["small", "small/cut", "small/no-radio", "small/busy"]
    assert [r["channel"] for r in moved] == [*CHANNELS, "(objective)", "(cost)"]
    before, after = table[1], table[0]
    for r in moved[:-2]:
        c = r["channel"]
        assert r["spend_before"] == pytest.approx(before[f"spend_{c}"]) and r["spend_after"] == pytest.approx(
            after[f"spend_{c}"])
        assert r["change"] in {"enters", "leaves", "moves", ""}
        if r["change"] == "enters":
            assert not r["on_before"] and r["on_after"]
        if r["change"] == "leaves":
            assert r["on_before"] and not r["on_after"]
    assert any(r["change"] in ("enters", "moves") for r in moved[:-2])  # more money buys something
    assert moved[-2]["change_in_spend"] == pytest.approx(after["objective"] - before["objective"])


@pytest.mark.parametrize("pair", [("small", "small/nope"), ("smal", "small/cut")])
def test_compare_diff_of_an_unknown_scenario_is_bad_input(variants_file, tmp_path, pair):
    out = tmp_path / "out"
    result = run("compare", variants_file, "--diff", *pair, "--out", str(out))
    assert result.exit_code == 2
    bad = next(n for n in pair if n not in ("small", "small/cut"))
    assert f"error: --diff names {bad}, not among: small, small/cut, small/no-radio, small/busy" in result.stderr
    assert not out.exists()


def test_compare_out_writes_summary_and_each_plan(variants_file, tmp_path):
    out = tmp_path / "out"
    result = run("compare", variants_file, "--out", str(out))
    assert result.exit_code == 0, result.output
    with open(out / "summary.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["scenario"] for r in rows] == ["small", "small/cut", "small/no-radio", "small/busy"]
    assert {f"spend_{c}" for c in CHANNELS} <= set(rows[0])
    assert len(json.loads((out / "summary.json").read_text(encoding="utf-8"))) == 4
    for name in ("small", "small/cut", "small/no-radio", "small/busy"):  # variants: "small-cut-<hash of the name>"
        assert SOLVE_KEYS <= set(json.loads((out / f"{file_stem(name)}.json").read_text(encoding="utf-8")))


def test_compare_example_file_with_diff():
    root = Path(__file__).parents[1]
    result = run("compare", str(root / "scenarios" / "boutique-en-ligne.yaml"), "--format", "json",
                 "--diff", "boutique-en-ligne", "boutique-en-ligne/sans-amazon")
    assert result.exit_code == 0, result.output
    rows = json_lines(result.stdout)
    assert [r["scenario"] for r in rows[:4]] == ["boutique-en-ligne", "boutique-en-ligne/budget-reduit",
                                                 "boutique-en-ligne/sans-amazon",
                                                 "boutique-en-ligne/instagram-plus-cher"]
    assert len([k for k in rows[0] if k.startswith("spend_")]) == 13
    moved = {r["channel"]: r for r in rows[4:]}
    assert moved["amazon"]["change"] == "leaves" and rows[2]["spend_amazon"] == 0


# ---------------------------------------------------------------- bad variants and --set on solve / validate


@pytest.fixture
def bad_variant_file(tmp_path):
    d = small()
    d["variants"] = [{"name": "good", "set": {"budget": 500}}, {"name": "broke", "set": {"budget": -100}}]
    return write(tmp_path, d, "bad-variant.yaml")


@pytest.mark.parametrize("command", [["validate"], ["solve"], ["solve", "--format", "json"], ["compare"]])
def test_a_bad_variant_stops_everything(bad_variant_file, tmp_path, command):
    out = tmp_path / "out"
    extra = ["--out", str(out)] if command[0] != "validate" else []
    result = run(*command, bad_variant_file, *extra)
    assert result.exit_code == 2
    assert (
        f"{bad_variant_file}: variant broke: budget: got -100, must be ≥ 0 (after set budget). Fix: Use a number ≥ 0"
        in result.stderr
    )
    assert "variant good" not in result.stderr
    assert "nothing was solved" in result.stderr
    assert result.stdout == ""  # no plan, no 'ok'
    assert not out.exists()


def test_a_variant_with_a_bad_path_names_variant_and_path(tmp_path):
    d = small()
    d["variants"] = [{"name": "dearer", "set": {"channels.raido.fixed_cost": 900}}]
    path = write(tmp_path, d)
    result = run("validate", path)
    assert result.exit_code == 2
    assert (f"{path}: variant dearer: set channels.raido: no item with id 'raido'. "
            f"Fix: Did you mean 'radio'? Known ids: radio, ads, mail, stall") in result.stderr


def test_validate_set_bad_path_and_value(small_file):
    result = run("validate", small_file, "--set", "channels.mial.max_spend=5", "--set", "resources.hours=-1")
    assert result.exit_code == 2
    assert "set channels.mial: no item with id 'mial'. Fix: Did you mean 'mail'?" in result.stderr


def test_validate_set_wrong_type(small_file):
    result = run("validate", small_file, "--set", "budget=plenty")
    assert result.exit_code == 2
    assert "budget: got 'plenty', expected a number (after set budget). Fix: Write a number here" in result.stderr


def test_validate_set_without_equals(small_file):
    result = run("validate", small_file, "--set", "budget")
    assert result.exit_code == 2
    assert "budget: is not PATH=VALUE" in result.stderr


def test_validate_variants_ok(variants_file):
    result = run("validate", variants_file)
    assert result.exit_code == 0, result.output
    assert result.stdout.count(": ok") == 4
    assert "'small/no-radio'" in result.stdout


def test_solve_set_changes_the_plan_and_its_name(small_file):
    result = run("solve", small_file, "--set", "budget=500", "--set", "rules.force_off=[radio]", "--format", "json")
    assert result.exit_code == 0, result.output
    (obj,) = json_lines(result.stdout)
    assert obj["scenario"] == "small/budget=500, rules.force_off=['radio']"
    assert obj["cost"] <= 500 + 1e-6
    assert not next(c for c in obj["channels"] if c["id"] == "radio")["on"]


def test_solve_set_nested_response_and_concentration(small_file):
    plain = json_lines(run("solve", small_file, "--format", "json").stdout)[0]
    result = run("solve", small_file, "--format", "json", "--set", "rules.concentration.max_share=0.6",
                 "--set", "channels.mail.response.slope=0.004")
    assert result.exit_code == 0, result.output
    (obj,) = json_lines(result.stdout)
    spends = [c["spend"] for c in obj["channels"]]
    assert max(spends) <= 0.6 * sum(spends) + 1e-6
    assert obj["objective"] != pytest.approx(plain["objective"])
