"""Uncertainty and robust plans: worlds, risk figures, the robust MILP, bad input."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from channelmix.model.worlds import worlds_of
from channelmix.reports.documents import plan_document
from channelmix.solve.pipeline import solve_scenario
from channelmix.verify.evaluate import evaluate
from channelmix.verify.risk import check_worlds, cvar, risk_of
from channelmix.verify.verifier import VerificationError
from helpers import channel, load, scenario

CHANNELMIX = Path(sys.executable).with_name("channelmix")
if not CHANNELMIX.exists():
    CHANNELMIX = Path(shutil.which("channelmix") or "channelmix")


def uncertain(risk: str | None = None, count: int = 8, seed: int = 3, affinity: float = 0.3, response: float = 0.3,
              alpha: float = 0.25, **overrides) -> dict:
    """Three exactly-modelled channels (linear, concave pwl) that serve the cells unevenly."""
    d = scenario(budget=900,
                 channels=[channel("a", {"type": "linear", "slope": 0.002}, {"aware": 0.9, "buy": 0.2}),
                           channel("b", {"type": "pwl", "points": [[0, 0], [200, 0.6], [600, 0.9]]},
                                   {"*": {"young": 0.8, "old": 0.3}}),
                           channel("c", {"type": "linear", "slope": 0.0015}, {"buy": 0.8, "aware": 0.4},
                                   fixed_cost=50)],
                 objective={"sense": "max_reach", "tie_break": False,
                            **({"risk": risk, "alpha": alpha} if risk else {})},
                 worlds={"uncertainty": {"affinity": affinity, "response": response, "count": count, "seed": seed}},
                 **overrides)
    return d


def decisions(plan):
    return {c.id: c.on for c in plan.channels}, {c.id: c.spend for c in plan.channels}


def test_sampling_is_deterministic_and_world_zero_is_the_scenario():
    sc = load(uncertain())
    first, again = worlds_of(sc), worlds_of(sc)
    assert len(first) == 8 and first[0] is sc
    assert [w.channels for w in first] == [w.channels for w in again]
    assert first[1].channels != first[2].channels
    # slopes scaled by the response factor, affinities clipped to [0, 1]
    for w in first[1:]:
        assert all(0 <= v <= 1 for ch in w.channels for row in ch.affinity.values() for v in row.values())


@pytest.mark.parametrize("risk", ["mean", "worst", "cvar"])
@pytest.mark.parametrize("spec", [{"count": 1}, {"count": 6, "affinity": 0.0, "response": 0.0}])
def test_one_world_risk_equals_the_plain_optimum(risk, spec):
    plain = solve_scenario(load(uncertain(**spec)))
    robust = solve_scenario(load(uncertain(risk, **spec)))
    assert robust.objective == pytest.approx(plain.objective, rel=1e-6)
    assert robust.risk[risk] == pytest.approx(plain.objective, rel=1e-6)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_cvar_plan_tail_is_never_below_the_mean_plan(seed):
    mean = solve_scenario(load(uncertain("mean", count=12, seed=seed)))
    tail = solve_scenario(load(uncertain("cvar", count=12, seed=seed)))
    worst = solve_scenario(load(uncertain("worst", count=12, seed=seed)))
    assert tail.risk["cvar"] >= mean.risk["cvar"] - 1e-6 * abs(mean.risk["cvar"])
    assert mean.risk["mean"] >= tail.risk["mean"] - 1e-6 * abs(tail.risk["mean"])
    assert worst.risk["worst"] >= max(mean.risk["worst"], tail.risk["worst"]) - 1e-6 * abs(worst.risk["worst"])


def test_each_world_evaluation_of_the_plan_matches_the_verifier():
    sc = load(uncertain("cvar", count=10, rules={"coverage": [{"segment": "young", "target": 0.4, "hard": True}]}))
    plan = solve_scenario(sc)
    assert plan.verified and plan.risk["worlds"] == 10
    on, spend = decisions(plan)
    truths = [evaluate(w, on, spend) for w in worlds_of(sc)]
    assert [t.violations for t in truths] == [[]] * 10  # hard targets hold in every world
    assert plan.risk["objectives"] == pytest.approx([t.objective for t in truths], rel=1e-12)
    assert plan.risk["cvar"] == pytest.approx(cvar(np.array(plan.risk["objectives"]), 0.25), rel=1e-12)
    assert plan.risk["model"] <= plan.risk["cvar"] + 1e-6  # the pieces never promise more than the curves give
    assert all(p["probability"] == 1.0 for p in plan.risk["cell_target_probability"])
    # a model that promised one world more than it is worth is caught
    promised = [t.objective for t in truths]
    promised[3] += 1.0
    with pytest.raises(VerificationError, match="world 3"):
        check_worlds(sc, plan, promised)


def test_cvar_figure_by_hand():
    # worst 25 % of 8 worlds = the 2 lowest: (1 + 2) / 2; of 10 worlds: (1 + 2 + 0.5 · 3) / 2.5
    assert cvar(np.array([5, 1, 7, 2, 9, 3, 4, 8.0]), 0.25) == pytest.approx(1.5)
    assert cvar(np.array([5, 1, 7, 2, 9, 3, 4, 8, 6, 10.0]), 0.25) == pytest.approx(4.5 / 2.5)
    assert cvar(np.array([5, 1, 7.0]), 1 / 3, maximises=False) == pytest.approx(7.0)  # minimising: the highest


def test_the_plain_plan_is_judged_in_every_world():
    sc = load(uncertain(None, count=7, rules={"coverage": [{"phase": "buy", "target": 0.5, "hard": True}]}))
    plan = solve_scenario(sc)
    assert plan.risk["risk"] is None and plan.risk["worlds"] == 7
    on, spend = decisions(plan)
    assert plan.risk == {**risk_of(sc, on, spend), "risk": None}
    assert plan_document(plan)["risk"]["worst"] == min(plan.risk["objectives"])


def test_worst_case_plan_is_optimal_among_a_grid_of_spends():
    """Brute force: two linear channels, four worlds, every split of the budget on a grid."""
    d = scenario(budget=1000,
                 channels=[channel("a", {"type": "linear", "slope": 0.0016}, {"aware": 0.9, "buy": 0.3}),
                           channel("b", {"type": "linear", "slope": 0.0012}, {"aware": 0.2, "buy": 0.9})],
                 objective={"sense": "max_reach", "tie_break": False, "risk": "worst"},
                 worlds={"uncertainty": {"affinity": 0.4, "response": 0.4, "count": 4, "seed": 11}})
    sc = load(d)
    plan = solve_scenario(sc)
    worlds = worlds_of(sc)
    best = -np.inf
    for sa, sb in itertools.product(np.arange(0, 1001, 10.0), repeat=2):
        if sa + sb > 1000:
            continue
        on, spend = {"a": sa > 0, "b": sb > 0}, {"a": sa, "b": sb}
        best = max(best, min(evaluate(w, on, spend).objective for w in worlds))
    assert plan.risk["worst"] >= best - 1e-6
    assert plan.risk["worst"] <= best + 2.0  # the grid is 10 apart: it comes close to the optimum too


def test_draws_become_worlds(tmp_path: Path):
    rows = ["channel,draw,spend,outcome"]
    for draw, k in (("1", 1.0), ("2", 0.7), ("3", 1.2)):
        rows += [f"a,{draw},0,0", f"a,{draw},500,{300 * k}", f"a,{draw},1000,{400 * k}"]
        rows += [f"b,{draw},0,0", f"b,{draw},500,{250 / k}", f"b,{draw},1000,{450 / k}"]
    (tmp_path / "m.draws.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    d = scenario(budget=1000, objective={"sense": "max_outcome", "risk": "worst", "tie_break": False},
                 channels=[
                     channel("a", {"type": "pwl", "points": [[0, 0], [500, 0.75], [1000, 1]]}, outcome={"value": 400}),
                     channel("b", {"type": "pwl", "points": [[0, 0], [500, 0.55], [1000, 1]]}, outcome={"value": 450})],
                 worlds={"draws": "m.draws.csv"})
    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump(d), encoding="utf-8")
    done = subprocess.run([str(CHANNELMIX), "solve", str(path), "--format", "json"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    risk = json.loads(done.stdout)["risk"]
    assert risk["worlds"] == 4 and risk["risk"] == "worst"
    assert risk["worst"] == pytest.approx(min(risk["objectives"]))
    table = subprocess.run([str(CHANNELMIX), "solve", str(path)], capture_output=True, text=True, timeout=120)
    assert table.returncode == 0 and "risk worst over 4 worlds" in table.stdout


def test_hill_draws_are_exact_hill_worlds(tmp_path: Path):
    """A draw whose curve is exactly a Hill curve (Meridian's steady week) is one row of its parameters."""
    rows = ["channel,draw,half,shape,value", "a,0,400,1,900", "b,0,250,2.5,600", "a,1,700,1,1200", "b,1,300,1.5,500"]
    (tmp_path / "h.draws.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    d = scenario(budget=1000, objective={"sense": "max_outcome", "risk": "mean"},
                 channels=[channel("a", {"type": "hill", "half": 500, "shape": 1}, outcome={"value": 1000}),
                           channel("b", {"type": "hill", "half": 280, "shape": 2}, outcome={"value": 550})],
                 worlds={"draws": "h.draws.csv"})
    from channelmix.schema import validate

    loaded = validate(d, "h.yaml", base=tmp_path)
    worlds = worlds_of(loaded.scenario)
    assert len(worlds) == 3
    b = worlds[2].channel("b")
    assert (b.response.type, b.response.half, b.response.shape, b.outcome.value) == ("hill", 300, 1.5, 500)
    plan = solve_scenario(loaded.scenario)
    assert plan.verified and plan.risk["worlds"] == 3
    for w, world in enumerate(worlds):  # each world's figure is its exact curves' outcome at the plan's spends
        spend = {c.id: c.spend for c in plan.channels}
        exact = sum(ch.outcome.value * spend[ch.id] ** ch.response.shape
                    / (spend[ch.id] ** ch.response.shape + ch.response.half ** ch.response.shape)
                    for ch in world.channels)
        assert plan.risk["objectives"][w] == pytest.approx(exact, rel=1e-9)


@pytest.mark.parametrize("worlds, draws, words",
                         [
                             ({"uncertainty": {"affinity": -0.1}}, None,
                              ["worlds.uncertainty.affinity", "got -0.1, must be ≥ 0", "Fix:"]),
                             ({"uncertainty": {"response": 1.0, "count": 0}}, None,
                              ["worlds.uncertainty.response", "worlds.uncertainty.count"]),
                             ({"draws": "missing.csv"}, None, ["worlds.draws", "no such file", "Fix:"]),
                             ({"draws": "d.csv"}, "channel,draw,spend,outcome\na,1,0,0\na,1,10,5\na,2,0,0\n",
                              ["unequal length", "channel a", "Fix: Give every draw"]),
                             ({"draws": "d.csv"}, "channel,draw,spend,outcome\nzz,1,0,0\n",
                              ["row 2, column channel", "unknown channel 'zz'", "Fix:"]),
                             ({"draws": "d.csv"}, "channel,spend\na,0\n", ["lacks column(s) draw, outcome"]),
                             ({"draws": "d.csv"},
                              "channel,draw,half,shape,value\na,1,0,2,5\na,2,10,2,5\na,2,11,2,5\nzz,2,10,1,3\n",
                              ["row 2: half 0, shape 2, value 5 are not a Hill curve",
                               "row 4: gives channel a twice in draw 2",
                               "row 5, column channel: unknown channel 'zz'"]),
                             (None, None, ["objective.risk", "needs worlds", "Fix:"])])
def test_bad_worlds_exit_2_with_file_field_and_fix(tmp_path: Path, worlds, draws, words):
    d = scenario(objective={"risk": "cvar"})
    if worlds is not None:
        d["worlds"] = worlds
    if draws is not None:
        (tmp_path / "d.csv").write_text(draws, encoding="utf-8")
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(d), encoding="utf-8")
    done = subprocess.run([str(CHANNELMIX), "solve", str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert "bad.yaml" in done.stderr and "Traceback" not in done.stderr
    for word in words:
        assert word in done.stderr


@pytest.mark.parametrize("risk", ["mean", "cvar"])
def test_redundancy_counts_the_channels_above_the_threshold_in_each_world(risk):
    """Affinities near a redundancy threshold cross it in some worlds: the model must count
    the channels each world counts (it promised worlds a shortfall-free objective before)."""
    d = uncertain(risk, count=10, seed=2, affinity=0.4, alpha=0.1,
                  rules={"redundancy": {"min_channels": 2, "threshold": 0.35, "penalty": 150}})
    sc = load(d)
    plan = solve_scenario(sc)  # raises VerificationError if a world was promised more than it gives
    assert plan.verified
    on, spend = decisions(plan)
    truths = [evaluate(w, on, spend) for w in worlds_of(sc)]
    assert plan.risk[risk] == pytest.approx(risk_of(sc, on, spend)[risk], rel=1e-12)
    assert plan.risk["model"] <= plan.risk[risk] + 1e-6
    assert len({t.penalties["redundancy_shortfall"] for t in truths}) > 1  # the worlds do count differently
