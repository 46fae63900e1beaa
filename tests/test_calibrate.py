"""channelmix calibrate: bounded least squares recovers known curves from noisy synthetic
results within the reported intervals, refuses data that cannot identify a curve, and
writes a scenario that keeps everything else."""

from __future__ import annotations

import difflib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from channelmix.evidence.calibrate import calibrate_channel
from channelmix.schema import load
from channelmix.schema.models import Channel


def _cli() -> str:
    exe = Path(sys.executable).with_name("channelmix")
    return str(exe) if exe.exists() else shutil.which("channelmix")


def test_recovers_known_parameters_within_the_interval_in_most_repetitions():
    rng = np.random.default_rng(20261130)
    covered = {"scale": 0, "half": 0, "shape": 0, "value": 0}
    reps = 10
    for rep in range(reps):
        spend = rng.uniform(200, 4000, 12)
        # a saturating reach curve (true scale 1500), the prior at 800
        reach = 1 - np.exp(-spend / 1500) + rng.normal(0, 0.02, 12)
        fit = calibrate_channel(Channel.model_validate({"id": "a", "response": {"type": "saturating", "scale": 800}}),
                                spend, reach, "reach", boot=50, seed=rep)
        lo, hi = fit.intervals["scale"]
        covered["scale"] += lo <= 1500 <= hi
        assert fit.params["scale"] == pytest.approx(1500, rel=0.15)
        assert fit.r2 > 0.95 and fit.observations == 12 and len(fit.residuals) == 12
        # an S-shaped outcome curve (true half 1200, shape 2, value 5000), the prior elsewhere
        outcome = 5000 * spend**2 / (spend**2 + 1200**2) + rng.normal(0, 150, 12)
        ch = Channel.model_validate(
            {"id": "b", "response": {"type": "hill", "half": 2000, "shape": 1.2}, "outcome": {"value": 3000}})
        fit = calibrate_channel(ch, spend, outcome, "outcome", boot=50, seed=rep)
        for name, truth in (("half", 1200), ("shape", 2), ("value", 5000)):
            lo, hi = fit.intervals[name]
            covered[name] += lo <= truth <= hi
    assert all(count >= 0.6 * reps for count in covered.values()), covered  # 90% intervals: most repetitions


@pytest.mark.parametrize("spends, reason", [
    ([1000.0] * 6, "every spend is 1000"),
    ([1000.0, 2000.0], "2 observations, fewer than its 3 parameters"),
])
def test_unidentifiable_data_is_refused(spends, reason):
    ch = Channel.model_validate(
        {"id": "b", "response": {"type": "hill", "half": 2000, "shape": 1.2}, "outcome": {"value": 3000}})
    fit = calibrate_channel(ch, np.array(spends), np.linspace(100, 200, len(spends)), "outcome", boot=10)
    assert not fit.ok and reason in fit.refused and not fit.params


def test_a_pwl_curve_is_kept_with_the_reason():
    ch = Channel.model_validate({"id": "p", "response": {"type": "pwl", "points": [[0, 0], [10, 0.5]]}})
    fit = calibrate_channel(ch, np.array([1.0, 2.0, 3.0]), np.array([0.1, 0.2, 0.3]), "reach")
    assert not fit.ok and "pwl" in fit.refused


def _scenario(tmp_path) -> Path:
    path = tmp_path / "shop.yaml"
    path.write_text("""\
scenario: Café Øst
description: three months of results
phases: [aware, buy]
segments: [{id: locals, size: 1000}]
budget: 5000
channels:
  - id: flyers
    label: Flygblad
    response: {type: saturating, scale: 800}
    affinity: {"*": 0.8}
  - id: instagram
    response: {type: hill, half: 2000, shape: 1.5}
    affinity: {aware: 1.0}
  - id: window
    response: {type: constant, value: 0.1}
    affinity: {"*": 1}
rules:
  coverage: [{target: 0.2}]
""", encoding="utf-8")
    return path


def test_cli_refits_the_channels_with_data_and_keeps_the_rest(tmp_path):
    rng = np.random.default_rng(3)
    rows = ["period,channel,spend,reach"]
    for month, s in enumerate(rng.uniform(300, 3000, 12)):
        rows.append(f"2025-{month + 1:02d},flyers,{s:.2f},{1 - np.exp(-s / 1200) + rng.normal(0, 0.01):.5f}")
    rows += ["2025-01,instagram,500,0.1", "2025-02,instagram,500,0.11"]  # one spend level: refused
    (tmp_path / "results.csv").write_text("\n".join(rows) + "\n")
    out = tmp_path / "updated.yaml"
    done = subprocess.run([_cli(), "calibrate", str(_scenario(tmp_path)), str(tmp_path / "results.csv"), "-o", str(out),
                           "--boot", "30", "--format", "json"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    fits = {f["channel"]: f for f in map(json.loads, done.stdout.splitlines())}
    assert fits["flyers"]["params"]["scale"] == pytest.approx(1200, rel=0.1)
    assert "every spend is 500" in fits["instagram"]["refused"]
    before, after = (yaml.safe_load(_scenario(tmp_path).read_text(encoding="utf-8")),
                     yaml.safe_load(out.read_text(encoding="utf-8")))
    assert after["channels"][0]["response"] == {"type": "saturating",
                                                "scale": pytest.approx(fits["flyers"]["params"]["scale"], rel=1e-5)}
    after["channels"][0]["response"] = before["channels"][0]["response"]
    # the run is recorded where the curves' provenance is (a hand-written file gets a source block)
    assert after.pop("source") == {"tool": "channelmix calibrate",
                                   "calibrated": [{"file": "results.csv", "channels": ["flyers"]}]}
    assert after == before  # everything else kept, Unicode included
    assert "Café Øst" in out.read_text(encoding="utf-8")
    load(out)


def test_cli_bad_results_exit_2(tmp_path):
    (tmp_path / "results.csv").write_text(
        "period,channel,spend,reach\n1,flyer,100,0.2\n2,flyers,-3,0.2\n3,flyers,10,1.4\n")
    out = tmp_path / "updated.yaml"
    done = subprocess.run(
        [_cli(), "calibrate", str(_scenario(tmp_path)), str(tmp_path / "results.csv"), "-o", str(out)],
        capture_output=True, text=True)
    assert done.returncode == 2 and not out.exists() and "Traceback" not in done.stderr
    for expect in ("'flyer' is not a channel", "Did you mean 'flyers'?", "row 3, column spend: is -3",
                   "row 4, column reach: is 1.4, above 1"):
        assert expect in done.stderr


def test_cli_nothing_identifiable_writes_nothing(tmp_path):
    (tmp_path / "results.csv").write_text("period,channel,spend,reach\n1,instagram,100,0.2\n2,instagram,100,0.25\n")
    out = tmp_path / "updated.yaml"
    done = subprocess.run(
        [_cli(), "calibrate", str(_scenario(tmp_path)), str(tmp_path / "results.csv"), "-o", str(out)],
        capture_output=True, text=True)
    assert done.returncode == 2 and not out.exists()
    assert "instagram: not calibrated" in done.stdout and "every spend is 100" in done.stdout


def test_linear_slope_and_outcome_value_of_a_linear_channel():
    rng = np.random.default_rng(5)
    spend = rng.uniform(10, 400, 10)
    ch = Channel.model_validate({"id": "l", "response": {"type": "linear", "slope": 0.001}, "outcome": {"value": 2000}})
    observed = 2000 * np.minimum(1, 0.002 * spend) + rng.normal(0, 10, 10)
    fit = calibrate_channel(ch, spend, observed, "outcome", boot=30)
    assert fit.ok and set(fit.params) == {"slope"}  # value × slope only shows as a product: the value is kept
    assert fit.params["slope"] == pytest.approx(0.002, rel=0.05)
    lo, hi = fit.intervals["slope"]
    assert lo <= fit.params["slope"] <= hi


def test_channel_without_outcome_gets_one_from_outcome_results():
    rng = np.random.default_rng(11)
    spend = rng.uniform(100, 3000, 10)
    observed = 900 * -np.expm1(-spend / 700) + rng.normal(0, 10, 10)
    fit = calibrate_channel(Channel.model_validate({"id": "c", "response": {"type": "saturating", "scale": 300}}),
                            spend, observed, "outcome", boot=20)
    assert fit.ok and "value" not in fit.prior
    assert fit.params["value"] == pytest.approx(900, rel=0.05) and fit.params["scale"] == pytest.approx(700, rel=0.1)


def test_calibrating_three_parameters_changes_three_lines_of_the_file(tmp_path):
    """Issue 18: calibrate rewrote the whole file (274 changed lines for three parameters),
    dropping the user's comments and layout. Now a diff shows the three values and nothing else."""
    source = tmp_path / "bakery.yaml"
    text = (Path(__file__).parents[1] / "scenarios" / "township-bakery.yaml").read_text(encoding="utf-8")
    source.write_text(text, encoding="utf-8")
    rng = np.random.default_rng(11)
    rows = ["period,channel,spend,reach"]
    for month, s in enumerate(rng.uniform(50, 800, 10)):
        rows.append(f"m{month},whatsapp_groups,{s:.2f},{1 - np.exp(-s / 220) + rng.normal(0, 0.005):.5f}")
        rows.append(f"m{month},flyers,{s * 2:.2f},{1 - np.exp(-s * 2 / 700) + rng.normal(0, 0.005):.5f}")
        rows.append(f"m{month},own_stall,{s * 2:.2f},{min(1.0, 0.0005 * s * 2) + rng.normal(0, 0.005):.5f}")
    (tmp_path / "results.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "calibrated.yaml"
    done = subprocess.run([_cli(), "calibrate", str(source), str(tmp_path / "results.csv"), "-o", str(out), "--boot",
                           "0",
                           "--format", "json"], capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0, done.stderr
    fits = {f["channel"]: f["params"] for f in map(json.loads, done.stdout.splitlines())}
    diff = [line for line in difflib.unified_diff(text.splitlines(), out.read_text(encoding="utf-8").splitlines(),
                                                  lineterm="", n=0)
            if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    # The calibration is recorded in a source: block added at the end (issue 23's shared block).
    added = diff[6:]
    assert added[0] == "+source:" and all(line.startswith("+  ") for line in added[1:]), added
    assert any("calibrated" in line for line in added), added
    assert diff[:6] == [
        "-    response: {type: saturating, scale: 150}",
        f"+    response: {{type: saturating, scale: {fits['whatsapp_groups']['scale']:.6g}}}",
        "-    response: {type: saturating, scale: 600}",
        f"+    response: {{type: saturating, scale: {fits['flyers']['scale']:.6g}}}",
        "-    response: {type: linear, slope: 0.0004}",
        f"+    response: {{type: linear, slope: {fits['own_stall']['slope']:.6g}}}",
    ]
    assert load(out).scenario.channel("flyers").response.scale == pytest.approx(fits["flyers"]["scale"], rel=1e-5)


def test_a_toml_scenario_is_calibrated_into_yaml(tmp_path):
    (tmp_path / "s.toml").write_text('scenario = "t"\nphases = ["aware"]\nsegments = ["all"]\nbudget = 1000\n'
                                     '[[channels]]\nid = "flyers"\nresponse = {type = "saturating", scale = 800}\n'
                                     'affinity = {aware = 1.0}\n', encoding="utf-8")
    rows = ["period,channel,spend,reach"] + [f"{i},flyers,{s},{1 - np.exp(-s / 500):.5f}" for i,
                                             s in enumerate((100, 300, 600, 900))]
    (tmp_path / "r.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "s.yaml"
    done = subprocess.run([_cli(), "calibrate", str(tmp_path / "s.toml"), str(tmp_path / "r.csv"), "-o", str(out),
                           "--boot", "0"],
                          capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8").startswith("# s.toml with its curves calibrated to r.csv\n")
    assert load(out).scenario.channel("flyers").response.scale == pytest.approx(500, rel=1e-3)
