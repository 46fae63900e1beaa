"""Why there is no plan, the repairs of an infeasible scenario and the input's warnings, in the page's language
(issue #19, item 5's gap): an infeasible scenario's plan page and explain page, and a solved page with a schema
warning, in all five languages; a non-English page must show no English catalogue sentence (the untranslated-text
checker of tests/test_report_pages.py) and none of the English sentences the result JSON keeps (``message``,
``warnings``, the conflict's rules and repairs)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from channelmix.analysis.explanation import explain
from channelmix.reports.documents import explanation_document, plan_document
from channelmix.schema import validate
from channelmix.solve.pipeline import solve_scenario
from channelmix.verify.reachable import report_facts
from helpers import channel, scenario
from report_pages import Page
from test_report_pages import OTHERS, clean, english_on_pages

# 100 of budget, two channels at least, each needing 60 when on, and one whose fixed cost alone is 150
IMPOSSIBLE = scenario(scenario="impossible", budget=100,
                      channels=[channel("radio", fixed_cost=150.0), channel("flyers", min_spend=60.0),
                                channel("stall", min_spend=60.0)],
                      rules={"cardinality": {"min": 2}})
WARNED = scenario(scenario="warned", budget=1000, channels=[channel("radio", fixed_cost=1500.0), channel("flyers"),
                                                            channel("stall")])


def _page(name: str, d: dict[str, Any], explained: bool = False) -> Page:
    loaded = validate(copy.deepcopy(d), source="test")
    plan = solve_scenario(loaded.scenario, loaded.warnings)
    doc = {**plan_document(plan), **report_facts(loaded.scenario)}
    if explained:
        doc["explain"] = explanation_document(explain(loaded, alternatives=0))
    return Page(name, json.loads(json.dumps(doc)))


@pytest.fixture(scope="module")
def problem_pages() -> dict[str, Page]:
    return {"impossible": _page("impossible", IMPOSSIBLE), "impossible-explain": _page("impossible-explain",
                                                                                      IMPOSSIBLE, True),
            "warned": _page("warned", WARNED)}


def english_kept(page: Page) -> set[str]:
    """The English sentences the result JSON keeps for its own readers."""
    plan = page.plan or {}
    conflict = (plan.get("explain") or {}).get("conflict") or {}
    said = [plan.get("message") or "", *(plan.get("warnings") or []), *(conflict.get("rules") or []),
            *(r["change"] for r in conflict.get("repairs") or [])]
    return {clean(s) for s in said if s}


def test_the_pages_meet_what_they_are_about(problem_pages):
    impossible, explained, warned = (problem_pages[n].plan for n in ("impossible", "impossible-explain", "warned"))
    assert impossible["status"] == "infeasible" and impossible["diagnosis"]["culprits"]
    assert {a["kind"] for a in impossible["advice"]} >= {"never_on", "needs_money"}
    assert explained["explain"]["conflict"]["repairs"]
    assert warned["status"] == "optimal" and [a["kind"] for a in warned["advice"]] == ["never_on"]
    md = problem_pages["impossible-explain"].markdown("en")
    assert "infeasible: no plan meets every hard rule. Dropping any one of these would make it feasible:" in md
    assert "Likely cause: The hard rules need at least 120 (2 channels at the least) but the budget is 100" in md
    assert "the budget must be at least 120" in md
    assert "radio: its fixed cost and least spend, 1,500, are above the budget 1,000, so it can never be on." in \
        problem_pages["warned"].markdown("en")


@pytest.mark.parametrize("code", OTHERS)
def test_no_english_on_an_infeasible_or_warned_page(problem_pages, code):
    found = english_on_pages(problem_pages, code, english_kept, contains=True)
    assert not found, "\n".join(f"{k} on {', '.join(sorted(v))}" for k, v in sorted(found.items()))
