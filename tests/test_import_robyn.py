"""channelmix import robyn: the imported curve at today's spend equals Robyn's allocator
response (initResponseUnit), recomputed here by hand from Robyn's published formulas.

Hand formulas (Robyn ≥ 3.10, R/R/transformation.R, allocator.R, response.R, checks.R):
  geometric adstock     a[0] = x[0];  a[t] = x[t] + θ a[t−1]
  Weibull CDF weights   w[0] = 1;  w[l] = Π_{i=1..l} (1 − F(i)),  F(i) = 1 − exp(−(i/λ)^k)
  Weibull PDF weights   d(i) = (k/λ)(i/λ)^(k−1) exp(−(i/λ)^k) for i = 1..n, min-max normalised
                        λ = round(1 + scale (n − 1)) (R's quantile(1:n, scale), rounded)
                        a[t] = Σ_{j ≤ t} x[j] w[t − j]; immediate = x (CDF) or x·w[0] (PDF)
  inflexion             I = (1 − γ) min(a[W]) + γ max(a[W]), W the modelling window
  today's spend         s0 = mean of x over the allocator's date range (default W)
  carry-over            c = mean over W of a[t] − immediate[t], on the historical series
                        as it is (Robyn 3.11.0's allocator: input_carryover[window_loc])
  initResponseUnit      coef / (1 + I^α / (s0 + c)^α)

The real robyn_write() exports of tests/data/robyn_real, with Robyn's own figures, are
tested in test_import_robyn_real.py.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from channelmix.schema import load
from channelmix.schema.responses import reach
from channelmix.solve.pipeline import solve_scenario

DATA = Path(__file__).parent / "data" / "evidence" / "robyn"


def _cli() -> str:
    exe = Path(sys.executable).with_name("channelmix")
    return str(exe) if exe.exists() else shutil.which("channelmix")


def _raw() -> dict[str, list[float]]:
    lines = (DATA / "raw_data.csv").read_text().splitlines()
    head = [h.strip('"') for h in lines[0].split(",")]
    cols = {h: [] for h in head}
    for line in lines[1:]:
        for h, v in zip(head, line.split(",")):
            cols[h].append(v.strip('"'))
    return {h: [float(v) for v in vals] for h, vals in cols.items() if h not in ("", "DATE")} | {"DATE": cols["DATE"]}


def _geometric(x, theta):
    out = []
    for t, v in enumerate(x):
        out.append(v + (theta * out[t - 1] if t else 0.0))
    return out, list(x)


def _weibull(x, shape, scale, pdf):
    n = len(x)
    lam = round(1 + scale * (n - 1))
    if pdf:
        dens = [(shape / lam) * (i / lam) ** (shape - 1) * math.exp(-((i / lam) ** shape)) for i in range(1, n + 1)]
        lo, hi = min(dens), max(dens)
        w = [(d - lo) / (hi - lo) for d in dens]
    else:
        w, acc = [], 1.0
        for lag in range(n):
            if lag:
                acc *= math.exp(-((lag / lam) ** shape))
            w.append(acc)
    total = [sum(x[j] * w[t - j] for j in range(t + 1)) for t in range(n)]
    immediate = [v * w[0] for v in x] if pdf else list(x)
    return total, immediate


def _expected(x, adstock, alpha, gamma, coef, window, alloc=None):
    alloc = alloc or list(range(window[0], window[1] + 1))
    total, immediate = adstock(x)
    rows = range(window[0], window[1] + 1)
    inflexion = (1 - gamma) * min(total[i] for i in rows) + gamma * max(total[i] for i in rows)
    s0 = sum(x[i] for i in alloc) / len(alloc)
    carry = sum(total[i] - immediate[i] for i in rows) / len(rows)
    return s0, coef / (1 + inflexion**alpha / (s0 + carry) ** alpha)


def _import(tmp_path, *args) -> tuple[dict, Path]:
    out = tmp_path / "robyn.yaml"
    done = subprocess.run([_cli(), "import", "robyn", *map(str, args), "-o", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    return yaml.safe_load(out.read_text(encoding="utf-8")), out


def _check(channels: dict, name: str, s0: float, expected: float) -> None:
    from channelmix.schema.models import Channel

    ch = Channel.model_validate(channels[name])
    got = ch.outcome.value * reach(ch.response, s0) + ch.outcome.baseline
    assert got == pytest.approx(expected, rel=1e-3)  # the brief: within 0.1 %
    assert got == pytest.approx(expected, rel=1e-9)  # and in fact to rounding


def test_json_export_geometric_matches_the_allocator(tmp_path):
    raw = _raw()
    hyper = {"facebook_S": (1.73, 0.62, 0.21, 3120.5), "tv_S": (2.61, 0.48, 0.67, 9800.25),
             "search_S": (0.84, 0.35, 0.05, 2250.0)}
    data, out = _import(tmp_path, DATA / "RobynModel-2_13_4.json", DATA / "raw_data.csv")
    channels = {c["id"]: c for c in data["channels"]}
    assert sorted(channels) == ["facebook_S", "search_S", "tv_S"]  # the organic newsletter is not a paid channel
    for name, (alpha, gamma, theta, coef) in hyper.items():
        s0, expected = _expected(raw[name], lambda x, t=theta: _geometric(x, t), alpha, gamma, coef, (3, 17))
        _check(channels, name, s0, expected)
        assert channels[name]["min_spend"] == pytest.approx(0.5 * s0)
        assert channels[name]["max_spend"] == pytest.approx(2 * s0)
    loaded = load(out)
    plan = solve_scenario(loaded.scenario)
    assert plan.verified and plan.cost <= loaded.scenario.budget + 1e-6


def test_window_changes_todays_spend_not_the_carry_over(tmp_path):
    raw = _raw()
    whole, _ = _import(tmp_path, DATA / "RobynModel-2_13_4.json", DATA / "raw_data.csv")
    data, _ = _import(tmp_path, DATA / "RobynModel-2_13_4.json", DATA / "raw_data.csv", "--window",
                      "2024-03-04:2024-04-29")
    rows = [i for i, d in enumerate(raw["DATE"]) if "2024-03-04" <= d <= "2024-04-29"]
    s0, expected = _expected(raw["tv_S"], lambda x: _geometric(x, 0.67), 2.61, 0.48, 9800.25, (3, 17), alloc=rows)
    _check({c["id"]: c for c in data["channels"]}, "tv_S", s0, expected)
    tv, tv_whole = ({c["id"]: c for c in d["channels"]}["tv_S"] for d in (data, whole))
    assert tv["response"] == tv_whole["response"]  # the carry-over is the modelling window's, whatever the date range
    assert data["current"]["tv_S"] != whole["current"]["tv_S"]


@pytest.mark.parametrize("kind", ["weibull_cdf", "weibull_pdf"])
def test_pareto_csvs_weibull_match_the_allocator(tmp_path, kind):
    raw = _raw()
    data, out = _import(tmp_path, DATA / "pareto_hyperparameters.csv", DATA / "pareto_aggregated.csv",
                        DATA / "raw_data.csv",
                        "--solid", "3_7_1", "--adstock", kind, "--model-window", "2024-01-22:2024-04-29")
    channels = {c["id"]: c for c in data["channels"]}
    params = {"facebook_S": (2.9, 0.71, 0.15, 2.1, 3300), "search_S": (1.4, 0.3, 0.02, 1.3, 2100),
              "tv_S": (1.6, 0.44, 0.3, 3.4, 10100)}
    for name, (alpha, gamma, scale, shape, coef) in params.items():
        s0, expected = _expected(raw[name], lambda x, k=shape, sc=scale: _weibull(x, k, sc, kind == "weibull_pdf"),
                                 alpha, gamma, coef, (3, 17))
        _check(channels, name, s0, expected)
    assert solve_scenario(load(out).scenario).verified


def _bad(tmp_path, *args) -> str:
    out = tmp_path / "bad.yaml"
    done = subprocess.run([_cli(), "import", "robyn", *map(str, args), "-o", str(out)], capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert not out.exists()  # nothing half-written
    return done.stderr


def test_unknown_solid_names_the_file_and_the_known_ones(tmp_path):
    err = _bad(tmp_path, DATA / "pareto_hyperparameters.csv", DATA / "pareto_aggregated.csv", DATA / "raw_data.csv",
               "--solid", "9_9_9")
    assert "pareto_hyperparameters.csv" in err and "no model '9_9_9'" in err and "1_5_2, 3_7_1" in err


def test_weibull_csvs_need_the_adstock_kind(tmp_path):
    err = _bad(tmp_path, DATA / "pareto_hyperparameters.csv", DATA / "pareto_aggregated.csv", DATA / "raw_data.csv",
               "--solid", "1_5_2")
    assert "--adstock weibull_cdf" in err


def test_missing_column_and_negative_spend(tmp_path):
    raw = (DATA / "raw_data.csv").read_text().splitlines()
    (tmp_path / "no_tv.csv").write_text("\n".join(",".join(c for i, c in enumerate(r.split(",")) if i != 4)
                                                  for r in raw) + "\n")
    err = _bad(tmp_path, DATA / "RobynModel-2_13_4.json", tmp_path / "no_tv.csv")
    assert "no_tv.csv" in err and "'tv_S'" in err and "Fix:" in err
    negative = list(raw)
    cells = negative[5].split(",")
    cells[3] = "-5"  # facebook_S of the 5th period (row 6 of the file)
    negative[5] = ",".join(cells)
    (tmp_path / "negative.csv").write_text("\n".join(negative) + "\n")
    err = _bad(tmp_path, DATA / "RobynModel-2_13_4.json", tmp_path / "negative.csv")
    assert "negative.csv" in err and "row 6, column facebook_S" in err and "≥ 0" in err


def test_json_without_exported_model(tmp_path):
    (tmp_path / "inputs.json").write_text('{"InputCollect": {}}')
    err = _bad(tmp_path, tmp_path / "inputs.json", DATA / "raw_data.csv")
    assert "inputs.json" in err and "robyn_write" in err
