"""What the server renders from a worker's answer, with the reports' own renderers and words:
the plan as the HTML report's sections, each channel's response curve as the report's curve
chart, one channel's decision turned over in a sentence. Rendering here rather than in the
worker: the server has the templates compiled (:func:`warm`) while a fresh worker would spend
its first job compiling them."""

from __future__ import annotations

import re
from typing import Any

import markupsafe

from ...reports.i18n import for_plans, t, using
from ...schema import Scenario

_MAIN = re.compile(r"<main>(.*)</main>", re.S)


def report_body(page: str) -> str:
    """The report's ``<main>`` content: the page shows the report's own sections."""
    found = _MAIN.search(page)
    return found.group(1) if found else page


def plan_answer(answer: dict[str, Any]) -> dict[str, Any]:
    """A plan job's answer with its report sections and its curve charts rendered."""
    from ...reports.common import num
    from ...reports.explain_sections import curve_svg
    from ...reports.html import plan_html

    if answer.get("status") not in ("ok", "no_plan"):
        return answer
    document = answer["plan"]
    currency = document.get("currency") or ""
    with for_plans([document]):
        curves = [{**c, "svg": curve_svg(c, currency),
                   "caption": t("planner.curve_caption", channel=c["label"],
                                today=num(c["current_spend"]) if c["current_spend"] is not None else "—",
                                plan=num(c["spend"]) if c["on"] else t("planner.curve_off"))}
                  for c in answer.get("curves", [])]
        return {**answer, "html": report_body(plan_html(document)), "curves": curves}


def why_html(answer: dict[str, Any], scenario: Scenario) -> str:
    """One channel's decision against its opposite, in the page's language."""
    from ...reports.common import num

    labels = {c.id: c.name for c in scenario.channels}
    cid = answer["channel"]
    with using(scenario.language or "en"):
        if not answer["other_solved"]:
            text = t("planner.why_impossible", channel=labels[cid], message=answer["other_message"])
        else:
            names = {key: ", ".join(labels[c] for c in answer[key] if c != cid) or "—" for key in ("enters", "leaves")}
            text = t("planner.why_answer_on" if answer["on"] else "planner.why_answer_off", channel=labels[cid],
                     other=num(answer["other_objective"], 2), best=num(answer["objective"], 2),
                     lost=num(answer["lost"], 2), **names)
    return str(markupsafe.escape(text))


NOT_HERE = ("collection.html.j2", "planner_index.html.j2")  # rendered in a worker / only for a folder


def warm(*environments: Any) -> None:
    """Compile the templates the page and a plan use in these Jinja environments now (at start, in a
    background thread), so that the first plan does not wait for it (about 0.5 s)."""
    for env in environments:
        for name in sorted(env.list_templates(), key=lambda n: not n.startswith("planner")):
            if name not in NOT_HERE:
                env.get_template(name)
