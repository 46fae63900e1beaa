"""The formulation: a golden LP file of a small scenario that uses every rule family.

Do not update tests/data/golden/every_rule.lp unless the mathematics of the model
changed on purpose; then regenerate it with UPDATE_GOLDEN=1 and read the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from channelmix.formulate import formulate
from channelmix.reports.wording import rule_words
from channelmix.schema import validate

GOLDEN = Path(__file__).parent / "data" / "golden" / "every_rule.lp"

EVERY_RULE = {"scenario": "every-rule", "phases": ["aware", "buy"],
              "segments": [{"id": "a", "size": 10}, {"id": "b", "size": 5}], "budget": 100, "resources": {"hours": 8},
              "channels": [
                  {"id": "ads", "medium": "digital", "function": "communication", "fixed_cost": 5, "max_spend": 60,
                   "uses": {"hours": {"fixed": 1, "per_unit": 0.05}}, "response": {"type": "linear", "slope": 0.02},
                   "affinity": {"aware": 0.8}},
                  {"id": "shop", "function": ["sales", "distribution"], "fixed_cost": 30, "max_spend": 0,
                   "uses": {"hours": {"fixed": 4}}, "response": {"type": "constant", "value": 0.7},
                   "affinity": {"buy": 1.0}},
                  {"id": "promo", "medium": "physical", "min_spend": 10, "max_spend": 40,
                   "response": {"type": "pwl", "points": [[0, 0], [20, 0.1], [40, 0.5]]},
                   "affinity": {"aware": {"b": 0.6}, "buy": 0.2}}],
              "rules": {"coverage": [{"target": 0.2, "hard": False, "penalty": 30}, {"phase": "buy", "target": 0.3}],
                        "breadth": {"min_channels": 1, "threshold": 0.1},
                        "redundancy": {"phase": "aware", "min_channels": 2, "penalty": 3},
                        "concentration": {"max_share": 0.8},
                        "cardinality": {"min": 1, "max": 3, "penalty_per_channel": 0.5},
                        "groups": [{"medium": "digital", "min_share": 0.2}, {"function": "sales", "min_count": 1}],
                        "requires": [["promo", "shop"]], "excludes": [["ads", "promo"]], "force_on": ["shop"]},
              "objective": {"sense": "max_reach"}}


def test_golden_lp_file(tmp_path: Path):
    problem = formulate(validate(EVERY_RULE).scenario).problem
    written = tmp_path / "every_rule.lp"
    problem.writeLP(str(written))
    text = written.read_text(encoding="utf-8")
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_constraints_are_named_after_their_rules():
    formulation = formulate(validate(EVERY_RULE).scenario)
    names = set(formulation.rules)
    for family in ("budget", "resource_0", "target_0", "breadth_0", "redundancy_0", "concentration_0",
                   "group_0_min_share", "group_1_min_count", "cardinality_min", "cardinality_max", "requires_0",
                   "excludes_0", "curve_spend_2", "onoff_min_2", "cover_0"):
        assert family in names
    assert rule_words(formulation.rules["budget"]) == "money spent ≤ budget 100"
    assert rule_words(formulation.rules["requires_0"]) == "promo on ⇒ shop on"


def test_the_model_is_lean():
    """No spend or reach variable without a spend lever; no coverage variable nothing reads."""
    formulation = formulate(validate(EVERY_RULE).scenario)
    assert "shop" not in formulation.spend  # constant response, max_spend 0
    assert str(formulation.reach["shop"]) == "0.7*x_1"  # its reach is value · x
    names = {v.name for v in formulation.problem.variables()}
    assert {"s_1", "y_1"}.isdisjoint(names)
    covering = dict(EVERY_RULE, objective={"sense": "min_cost", "tie_break": False},
                    rules={"breadth": {"min_channels": 1, "threshold": 0.1}})
    lean = formulate(validate(covering).scenario)
    assert lean.coverage == {}  # min_cost without coverage rules or tie-break reads no coverage
    assert not any(v.name.startswith("z_") for v in lean.problem.variables())


def test_the_kept_variable_list_follows_every_change_to_the_rows_and_objective():
    import pulp

    from channelmix.formulate.formulation import Problem

    p = Problem("t", pulp.LpMaximize)
    x, y, z, w = (p.add_variable(n, 0, 1) for n in "xyzw")
    p.addConstraint(pulp.LpConstraint(pulp.LpAffineExpression({x: 1, y: 1}), pulp.LpConstraintLE, name="r", rhs=1))
    p.setObjective(pulp.LpAffineExpression({x: 1}))
    first = p.variables()
    assert [v.name for v in first] == ["x", "y"] and p.variables() is first  # unchanged: the kept list
    p.setObjective(pulp.LpAffineExpression({z: 1}))  # a new objective
    assert [v.name for v in p.variables()] == ["x", "y", "z"]
    # diagnose's replacement
    p._constraints["r"] = pulp.LpConstraint(pulp.LpAffineExpression({x: 1, w: 1}), pulp.LpConstraintLE, name="r", rhs=1)
    assert "w" in [v.name for v in p.variables()]
    p.get_constraint_by_name("r").addInPlace(2.0 * y)  # a row gaining a term in place
    assert [v.name for v in p.variables()] == [v.name for v in pulp.LpProblem.variables(p)]


@pytest.mark.parametrize("path", sorted((Path(__file__).parents[1] / "scenarios").glob("*.yaml")), ids=lambda p: p.stem)
def test_the_bulk_hand_over_gives_highs_the_same_model_as_pulps_own(path: Path):
    """Without scaling, our hand-over is PuLP's own model exactly; with it (the default), the same
    model in the solver's units: undoing the units gives PuLP's numbers back to round-off."""
    import numpy as np
    import pulp

    from channelmix.schema import load as load_file
    from channelmix.solve import scaling
    from channelmix.solve import solvers as solve_module

    sc = load_file(path).scenario

    def handed_over(solver):
        f = formulate(sc)
        f.problem.solverModel = solve_module.quiet_highs()
        solver.buildSolverModel(f.problem)
        return f.problem, f.problem.solverModel.getLp()

    _, theirs = handed_over(pulp.HiGHS(msg=False))
    with scaling.policy(scaling.identity):
        _, ours = handed_over(solve_module._StartedHiGHS(None, msg=False))
    for part in ("col_cost_", "col_lower_", "col_upper_", "row_lower_", "row_upper_"):
        assert np.array_equal(np.asarray(getattr(ours, part)), np.asarray(getattr(theirs, part))), part
    assert list(ours.integrality_) == list(theirs.integrality_)
    for part in ("start_", "index_", "value_"):
        assert np.array_equal(np.asarray(getattr(ours.a_matrix_, part)), np.asarray(getattr(theirs.a_matrix_, part))), (
            part)

    problem, scaled = handed_over(solve_module._StartedHiGHS(None, msg=False))
    units = problem.scaling
    columns, rows = units.columns, units.rows
    assert np.allclose(np.asarray(scaled.col_cost_) * units.objective / columns, theirs.col_cost_, rtol=1e-14,
                       atol=0)
    for part in ("col_lower_", "col_upper_"):
        assert np.allclose(np.asarray(getattr(scaled, part)) * columns, getattr(theirs, part), rtol=1e-14, atol=0), part
    for part in ("row_lower_", "row_upper_"):
        assert np.allclose(np.asarray(getattr(scaled, part)) / rows, getattr(theirs, part), rtol=1e-14, atol=0), part
    a = scaled.a_matrix_
    assert np.array_equal(np.asarray(a.start_), np.asarray(theirs.a_matrix_.start_))
    assert np.array_equal(np.asarray(a.index_), np.asarray(theirs.a_matrix_.index_))
    row_of = np.repeat(np.arange(len(rows)), np.diff(np.asarray(a.start_)))
    unscaled = np.asarray(a.value_) / columns[np.asarray(a.index_)] / rows[row_of]
    assert np.allclose(unscaled, theirs.a_matrix_.value_, rtol=1e-14, atol=0)
    size = np.abs(np.asarray(a.value_))
    largest, smallest = np.zeros(len(rows)), np.full(len(rows), np.inf)
    np.maximum.at(largest, row_of, size)
    meaningful = size >= scaling.ROUND_OFF * largest[row_of]  # smaller ones are the formulation's round-off
    np.minimum.at(smallest, row_of, np.where(meaningful, size, np.inf))
    filled = np.isfinite(smallest)  # every row's largest and smallest coefficient straddle 1
    assert np.allclose(largest[filled] * smallest[filled], 1.0, rtol=1e-12)
