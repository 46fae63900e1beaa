"""The array-backed view of a scenario against a straightforward reference computation.

The reference below walks channels × cells in plain Python with ``Channel.affinity_for``,
``rule_for_cell`` and ``curves.reach``, the way the evaluation did before it read the
arrays.  Every figure of :func:`channelmix.verify.evaluate.evaluate` must agree with it (to float
tolerance) on every shipped scenario, with wildcard affinities, rules restricted to some
cells and random decisions, on and off budget.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

import numpy as np
import pytest

from channelmix.model.arrays import CurveTable, arrays
from channelmix.schema import ScenarioError
from channelmix.schema import load as load_file
from channelmix.schema.cells import affinity_matrix
from channelmix.schema.models import Scenario, rule_for_cell
from channelmix.schema.responses import reach
from channelmix.verify.evaluate import evaluate
from helpers import load, random_scenario

SCENARIOS = sorted((Path(__file__).parent.parent / "scenarios").glob("*.yaml"))
ALL_CURVES = ("constant", "linear", "pwl", "pwl_s", "saturating", "hill")


def reference(sc: Scenario, on: dict[str, bool], spend: dict[str, float]) -> dict:
    """Cost, reach, coverage, penalties and objective by plain loops (no arrays)."""
    r = {c.id: reach(c.response, spend[c.id]) if on[c.id] else 0.0 for c in sc.channels}
    money = sum(spend[c.id] + c.fixed_cost for c in sc.channels if on[c.id])
    weighted, levels, serving = 0.0, [], []
    penalty = 0.0
    for p in sc.phases:
        for g in sc.segments:
            level = min(1.0, sum(c.affinity_for(p.id, g.id) * r[c.id] for c in sc.channels))
            levels.append(level)
            serving.append([c.id for c in sc.channels if on[c.id] and c.affinity_for(p.id, g.id) > 0])
            weighted += sc.cell_weight(p, g) * level
            rule = rule_for_cell(sc.rules.coverage, p.id, g.id)
            if rule is not None and rule.target > 0 and not rule.hard:
                penalty += (rule.penalty or 0.0) * max(0.0, rule.target - level)
            for family in ("breadth", "redundancy"):
                b = rule_for_cell(getattr(sc.rules, family), p.id, g.id)
                if b is None or b.min_channels == 0 or (family == "breadth" and b.hard):
                    continue
                count = sum(1 for c in sc.channels if on[c.id] and c.affinity_for(p.id, g.id) >= b.threshold)
                penalty += (b.penalty or 0.0) * max(0, b.min_channels - count)
    card = sc.rules.cardinality
    if card is not None:
        penalty += card.penalty_per_channel * sum(on.values())
    sense = sc.objective.sense
    objective = {"max_reach": weighted - penalty, "max_value": weighted - money - penalty}.get(sense, money + penalty)
    return {"reach": r, "money": money, "weighted": weighted, "levels": levels, "serving": serving,
            "objective": objective}


def random_decisions(sc: Scenario, rng: random.Random) -> tuple[dict[str, bool], dict[str, float]]:
    on = {c.id: rng.random() < 0.6 for c in sc.channels}
    caps = sc.spend_caps()
    spend = {c.id: rng.uniform(0, caps[c.id]) if on[c.id] else 0.0 for c in sc.channels}
    return on, spend


def assert_same(sc: Scenario, on: dict[str, bool], spend: dict[str, float]) -> None:
    ref = reference(sc, on, spend)
    got = evaluate(sc, on, spend)
    close = lambda a, b: math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)  # noqa: E731
    assert close(got.money, ref["money"])
    assert close(got.weighted_reach, ref["weighted"])
    assert close(got.objective, ref["objective"]), (got.objective, ref["objective"])
    for c in got.channels:
        assert close(c.reach, ref["reach"][c.id]), c.id
    assert [cell.channels for cell in got.cells] == ref["serving"]
    for cell, level in zip(got.cells, ref["levels"]):
        assert close(cell.level, level)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_shipped_scenarios_evaluate_like_the_reference(path: Path):
    sc = load_file(path).scenario
    rng = random.Random(path.stem)
    for _ in range(5):
        assert_same(sc, *random_decisions(sc, rng))


@pytest.mark.parametrize("seed", range(60))
def test_random_scenarios_evaluate_like_the_reference(seed: int):
    rng = random.Random(seed)
    d = random_scenario(rng, max_channels=7, curves=ALL_CURVES, rule_p=0.5)
    try:
        sc = load(d)
    except ScenarioError:
        pytest.skip("the schema rejects this random scenario (impossible bounds)")
    for _ in range(3):
        assert_same(sc, *random_decisions(sc, rng))


def test_affinity_matrix_follows_wildcard_precedence():
    """Named phase row over '*' row; within a row, a named segment over '*'."""
    sc = load({
        "scenario": "w", "phases": ["p1", "p2", "p3"], "segments": ["a", "b"], "budget": 10,
        "channels": [{"id": "c", "response": {"type": "constant", "value": 0.5},
                      "affinity": {"*": {"*": 0.1, "b": 0.2}, "p2": {"a": 0.7}, "p3": 0.9}}],
    })
    m = affinity_matrix(sc.channels, [p.id for p in sc.phases], [g.id for g in sc.segments]).toarray()[:, 0]
    expected = [sc.channels[0].affinity_for(p, g) for p, g in sc.cells]
    assert list(m) == expected == [0.1, 0.2, 0.7, 0.2, 0.9, 0.9]


def test_curve_table_matches_reach_and_its_slope():
    rng = random.Random(3)
    from channelmix.schema.models import Channel
    from helpers import random_response

    responses = [Channel.model_validate({"id": f"c{i}", "response": random_response(rng, ALL_CURVES)[0]}).response
                 for i in range(80)]
    table = CurveTable.of(responses)
    for s in (0.0, 1.0, 150.0, 200.0, 777.0, 5000.0):
        got = table.reach(np.full(len(responses), s))
        assert np.allclose(got, [reach(r, s) for r in responses], rtol=1e-13, atol=1e-15)
    for s in (1.3, 151.3, 777.7, 5003.1):  # away from kinks (and from 0, where a hill of shape < 1 is vertical)
        got = table.reach(np.full(len(responses), s))
        h = 1e-4 * max(s, 1.0)
        numeric = (table.reach(np.full(len(responses), s + h)) - got) / h
        assert np.allclose(table.slope(np.full(len(responses), s)), numeric, rtol=1e-3, atol=1e-6)


def test_the_view_is_built_once_per_scenario():
    sc = load_file(SCENARIOS[0]).scenario
    assert arrays(sc) is arrays(sc)


def test_the_kept_affinity_matrix_answers_the_same_channels_and_their_subsets_exactly():
    from channelmix.schema.cells import _affinity_matrix

    sc = load(random_scenario(random.Random(11), min_channels=6, max_channels=8))
    phases, segments = [p.id for p in sc.phases], [g.id for g in sc.segments]
    for channels in (sc.channels, sc.channels[1::2], sc.channels[::-1], list(sc.channels)):
        got, fresh = affinity_matrix(channels, phases, segments), _affinity_matrix(channels, phases, segments)
        assert got.shape == fresh.shape and np.array_equal(got.toarray(), fresh.toarray())
        assert np.array_equal(got.indptr, fresh.indptr) and np.array_equal(got.indices, fresh.indices)
