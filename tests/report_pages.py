"""Every kind of report page of the shipped scenarios, solved once per test process and
rendered in any language: a plan (plans over periods among them), an explanation, a
variant, a plan judged over worlds (risk), a sweep and a comparison.

The documents are what the CLI writes (``solve``/``explain``/``sweep``/``compare`` with
``--report``), so a page here is the page a user opens.  Every page is of every shipped
scenario, its explanation among them (issue #19 item 5).  An explanation re-solves each
channel and limit, so each scenario is explained once, in this process (``explain``'s
library default, one worker), and rendered in any language from that one result; its own
plan is the scenario's plan page too (the same solve of the same scenario), so the base is
not solved twice.  One xdist worker runs both test files that use these pages
(tests/conftest.py), so a suite run pays for them once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import channelmix as cm
from channelmix.analysis.whatif import compare
from channelmix.reports import report_facts
from channelmix.reports.documents import explanation_document, plan_document

ROOT = Path(__file__).parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
EXPLAINED = tuple(p.stem for p in SCENARIOS)  # every shipped scenario (issue #19 item 5)
VARIANTS = {"township-bakery": ("busy-owner", "robust"), "boutique-en-ligne": ("sans-amazon",),
            "township-bakery-6-months": ("tight-months",)}

# the Persian plan judged over worlds, its risk chosen by CVaR
PERSIAN_RISK = {"worlds": {"uncertainty": {"affinity": 0.2, "response": 0.2, "count": 10, "seed": 2}},
                "objective.risk": "cvar"}


@dataclass
class Page:
    """One report: a plan (``plan``), or a collection (``title``, ``table``, ``plans``, ``varied``, ``diff``)."""

    name: str
    plan: dict[str, Any] | None = None
    title: str = ""
    table: Any = None
    plans: list[dict[str, Any]] = field(default_factory=list)
    varied: list[str] | None = None
    diff: tuple[str, str] | None = None
    heading: tuple[str, dict[str, Any]] | None = None  # the title's catalogue key, as the CLI gives it

    def shown_title(self, language: str) -> str:
        from channelmix.reports import t, using

        with using(language):
            return t(self.heading[0], **self.heading[1]) if self.heading else self.title

    def html(self, language: str) -> str:
        from channelmix.reports import collection_html, plan_html

        if self.plan is not None:
            return plan_html(self.plan, language=language)
        return collection_html(self.shown_title(language), self.table, self.plans, self.varied, diff=self.diff,
                               language=language)

    def markdown(self, language: str) -> str:
        from channelmix.reports import collection_markdown, plan_markdown

        if self.plan is not None:
            return plan_markdown(self.plan, language=language)
        return collection_markdown(self.shown_title(language), self.table, self.plans, self.varied, diff=self.diff,
                                   language=language)

    def workbook(self, language: str, folder: Path) -> Path:
        """The Excel workbook, written as ``--report xlsx`` writes it."""
        from channelmix.reports import write_report

        if self.plan is not None:
            return write_report("xlsx", folder, plan=self.plan, language=language)
        return write_report("xlsx", folder, title=self.title, table=self.table, plans=self.plans, varied=self.varied,
                            language=language, diff=self.diff, heading=self.heading)


def _json(document: dict[str, Any]) -> dict[str, Any]:
    """Through JSON, as a saved result is read back."""
    import json

    from channelmix.core import jsonout

    return json.loads(jsonout.dumps(document, default=str))


def page_names() -> list[str]:
    """The names :func:`pages` returns, known without solving (for parametrising tests)."""
    return ([p.stem for p in SCENARIOS] + [f"{s}-explain" for s in EXPLAINED]
            + [f"{s}-{v}" for s, names in VARIANTS.items() for v in names]
            + ["khadamat-persian-risk", "township-bakery-sweep", "boutique-en-ligne-compare"])


@lru_cache(maxsize=1)
def pages() -> dict[str, Page]:
    """Every page, by name: ``<stem>``, ``<stem>-explain``, ``<stem>-<variant>``, and the bakery's
    ``township-bakery-sweep`` and the French shop's ``boutique-en-ligne-compare``."""
    out: dict[str, Page] = {}
    for path in SCENARIOS:
        loaded = cm.load(path)
        cases = cm.variants(loaded, {})
        explained = cm.explain(loaded, alternatives=2) if path.stem in EXPLAINED else None
        if explained is not None:  # as `explain --report` writes it: the explanation's own plan
            out[f"{path.stem}-explain"] = Page(f"{path.stem}-explain", _json(
                {**plan_document(explained.plan), **report_facts(loaded.scenario),
                 "explain": explanation_document(explained)}))
        same = explained is not None and cases[0].scenario == loaded.scenario and cases[0].warnings == loaded.warnings
        base = explained.plan if same else cm.solve_scenario(cases[0].scenario, cases[0].warnings)
        base_json = plan_document(base)
        out[path.stem] = Page(path.stem, _json({**base_json, **report_facts(loaded.scenario)}))
        for case in cases[1:]:
            if case.variant in VARIANTS.get(path.stem, ()):
                plan = cm.solve_scenario(case.scenario, case.warnings)
                facts = report_facts(case.scenario, case.variant, case.overrides, base_json, loaded.scenario)
                out[f"{path.stem}-{case.variant}"] = Page(f"{path.stem}-{case.variant}",
                                                          _json({**plan_document(plan), **facts}))
    persian = cm.variants(cm.load(ROOT / "scenarios" / "khadamat-persian.yaml"), PERSIAN_RISK)[0]
    out["khadamat-persian-risk"] = Page("khadamat-persian-risk", _json(
        {**plan_document(cm.solve_scenario(persian.scenario)), **report_facts(persian.scenario)}))
    bakery = cm.load(ROOT / "scenarios" / "township-bakery.yaml")
    swept = cm.sweep(bakery, {"budget": [1500, 3000, 4500, 6000, 9000]})
    facts = report_facts(bakery.scenario)
    out["township-bakery-sweep"] = Page("township-bakery-sweep", title="Frontier of township-bakery",
                                        heading=("collection.frontier_of", {"scenario": "township-bakery"}),
                                        table=swept.frontier, varied=swept.paths,
                                        plans=[_json({**plan_document(p), **facts}) for p in swept.plans])
    shop = cm.variants(cm.load(ROOT / "scenarios" / "boutique-en-ligne.yaml"), {})
    solved = [cm.solve_scenario(c.scenario, c.warnings) for c in shop]
    out["boutique-en-ligne-compare"] = Page(
        "boutique-en-ligne-compare", title="Comparison", heading=("collection.comparison", {}), table=compare(solved),
        plans=[_json({**plan_document(p), **report_facts(c.scenario)}) for p, c in zip(solved, shop)],
        diff=(solved[0].scenario, solved[2].scenario))
    return out
