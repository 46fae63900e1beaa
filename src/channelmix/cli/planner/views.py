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
        return {**answer, "html": report_body(plan_html(document)), "curves": curves, "headline": headline(document)}


def headline(document: dict[str, Any]) -> list[str]:
    """The decision header's objective and change-against-today sentences, for the page's result
    bar (a phone keeps it on screen while the plan itself is below the form)."""
    from ...reports.common import is_number, money_decimals, num
    from ...reports.decision import change_line, objective_line

    decimals, currency = money_decimals(document), document.get("currency") or ""

    def money(value: Any) -> str:
        return f"{num(value, decimals)} {currency}".strip() if is_number(value) else "—"

    return [c.sentence for c in (objective_line(document, money), change_line(document, money)) if c is not None]


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
    """Compile the templates a plan uses in these Jinja environments now (at start, in a background
    thread, while the first worker solves), so that the first plan does not wait for it (about 0.5 s)."""
    for env in environments:
        for name in env.list_templates():
            if name not in NOT_HERE:
                env.get_template(name)


def variants_answer(answer: dict[str, Any], render: Any) -> dict[str, Any]:
    """A variants job's answer with the pair picker and every ordered pair's differences put
    before the side-by-side table (``render``: the planner's template environment)."""
    if answer.get("status") != "ok":
        return answer
    with using(answer["language"]):
        names = {s: (n if n != "base" else t("variant.base")) for s, n in zip(answer["scenarios"], answer["names"])}
        pairs = [pair_view(answer, a, b, names) for a in answer["scenarios"] for b in answer["scenarios"] if a != b]
        html = render.get_template("planner_pairs.html.j2").render(names=names, pairs=pairs)
    return {**answer, "html": html + answer["html"], "pair_views": pairs}


def pair_view(answer: dict[str, Any], a: str, b: str, names: dict[str, str]) -> dict[str, Any]:
    """What changed from scenario ``a`` to ``b``: the values each sets (the file's value where it
    sets none), and what ``compare --diff a b`` found in their plans, in words."""
    from ...reports.common import auto, num
    from ...reports.variant import readable

    labels, sets, values = answer["labels"], answer["sets"], answer["file_values"]
    scenario = []
    for path in dict.fromkeys([*sets[a], *sets[b]]):
        before, after = sets[a].get(path, values.get(path)), sets[b].get(path, values.get(path))
        if before != after:
            shown = ["—" if v is None else readable(v, labels) for v in (before, after)]  # None: the file sets none
            scenario.append(t("planner.pair_set", path=path, before=shown[0], after=shown[1]))
    rows = answer["pairs"][f"{a}|{b}"]
    entering = [labels.get(r["channel"], r["channel"]) for r in rows if r["change"] == "enters"]
    leaving = [labels.get(r["channel"], r["channel"]) for r in rows if r["change"] == "leaves"]
    plan = ([t("diff.entering", names=", ".join(entering))] if entering else []) + \
           ([t("diff.leaving", names=", ".join(leaving))] if leaving else [])
    table = []
    for r in rows:
        if r["change"] == "total":
            title, show = t(f"column.{r['channel'].strip('()')}"), auto
        elif r["change"]:
            title, show = labels.get(r["channel"], r["channel"]), num
        else:
            continue
        off = {"before": r["change"] == "enters", "after": r["change"] == "leaves"}
        cells = [t("off_word") if off[k] else show(r[f"spend_{k}"]) for k in ("before", "after")]
        change = r["change_in_spend"]
        table.append([title, *cells, ("+" if change is not None and change > 0 else "") + show(change),
                      "" if r["change"] == "total" else t(f"planner.change_{r['change']}")])
    return {"key": f"{a}|{b}", "title": t("diff.title", before=names[a], after=names[b]),
            "scenario": scenario or [t("planner.pair_same_scenario")], "plan": plan or [t("diff.same")],
            "head": [t("channel"), names[a], names[b], t("planner.change_in_spend"), ""], "rows": table}
