"""Validation stays linear in the file's size (issue 20, item 4): no check scans a rule's list of
channel ids once per channel, and lookups by id use an index.

Not timed: the work is counted.  A 5,000-channel scenario with a group listing half of them and
half of them forced off is validated and warned about, with the rules' id lists replaced by lists
that count every membership test and every scan; before the fix each channel scanned them (tens
of millions of comparisons at 78,000 channels), now each list is read a fixed number of times.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from channelmix.schema import validate
from channelmix.schema.advice import warnings_for
from channelmix.schema.checks import Parts, cross_problems
from channelmix.schema.models import Scenario
from channelmix.schema.problems import ScenarioError

CHANNELS = 5000


class Counted(list):
    """A list that counts membership tests and full scans (iterations)."""

    reads = 0

    def __contains__(self, item: object) -> bool:
        Counted.reads += 1
        return super().__contains__(item)

    def __iter__(self):
        Counted.reads += 1
        return super().__iter__()


def _raw(n: int, seed: int = 3) -> dict[str, Any]:
    rng = random.Random(seed)
    ids = [f"c{i:05d}" for i in range(n)]
    channels = [{"id": cid, "max_spend": 1000 + i % 7, "fixed_cost": 10 * (i % 3), "tags": ["paid" if i % 2 else "own"],
                 "response": {"type": "saturating", "scale": 500 + i % 11},
                 "affinity": {"awareness": {"*": 0.2 + 0.1 * (i % 5)}, "purchase": {"young": 0.3}}} for i, cid in
                enumerate(ids)]
    off = ids[::2]
    return {"scenario": "linear", "phases": "osterwalder", "segments": [{"id": "young", "size": 1000}],
            "budget": 1e6, "channels": channels,
            "rules": {"groups": [{"channels": rng.sample(ids, n // 2), "max_share": 0.7},
                                 {"tag": "paid", "max_share": 0.9}],
                      "force_off": off, "force_on": [ids[1]],
                      "requires": [[ids[2 * k + 1], ids[2 * k + 3]] for k in range(n // 10)],
                      "cardinality": {"max": n // 3}}}


@pytest.fixture(scope="module")
def counted() -> Scenario:
    """The scenario with every id list of its rules counting its reads."""
    scenario = validate(_raw(CHANNELS)).scenario
    rules = scenario.rules
    groups = [g.model_copy(update={"channels": Counted(g.channels)}) if g.channels is not None else g
              for g in rules.groups]
    rules = rules.model_copy(update={"groups": groups, "force_off": Counted(rules.force_off),
                                     "force_on": Counted(rules.force_on)})
    return scenario.model_copy(update={"rules": rules})


def test_the_cross_checks_read_each_rule_list_a_fixed_number_of_times(counted: Scenario):
    parts = Parts(phases=counted.phases, segments=counted.segments, channels=dict(enumerate(counted.channels)),
                  channel_ids_raw={c.id for c in counted.channels}, resources=counted.resources, rules=counted.rules,
                  objective=counted.objective, budget=counted.budget, budget_ok=True)
    Counted.reads = 0
    assert cross_problems(parts) == []
    assert Counted.reads <= 20  # was ≥ CHANNELS: a membership test per channel and group


def test_the_warnings_read_each_rule_list_a_fixed_number_of_times(counted: Scenario):
    Counted.reads = 0
    warnings_for(counted)
    assert Counted.reads <= 20


def test_a_channel_by_id_is_an_index_lookup():
    scenario = validate(_raw(200)).scenario
    assert [scenario.channel(c.id) for c in scenario.channels] == scenario.channels
    fewer = scenario.model_copy(update={"channels": scenario.channels[:3]})  # a copy indexes its own channels
    assert fewer.channel(scenario.channels[2].id) is scenario.channels[2]
    with pytest.raises(KeyError):
        fewer.channel(scenario.channels[3].id)


def test_every_forced_off_requirement_is_reported_in_order():
    """The requires/force_off cross-check (now a set lookup) still lists every problem, in rule order."""
    raw = _raw(1000)
    raw["rules"]["requires"] = [[f"c{2 * k + 1:05d}", f"c{2 * k:05d}"] for k in range(100)]  # odd on needs even (off)
    raw["rules"]["force_on"] = [f"c{2 * k + 1:05d}" for k in range(0, 100, 3)]
    raw["rules"].pop("cardinality")
    with pytest.raises(ScenarioError) as err:
        validate(raw)
    assert [p.path for p in err.value.problems] == [f"rules.requires[{k}]" for k in range(0, 100, 3)]
