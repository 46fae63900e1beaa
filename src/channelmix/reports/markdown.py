"""Markdown reports (GitHub-flavoured tables) for a README, a ticket or a chat: the
headline, the channels, coverage as phase rows × segment columns, what binds, warnings.
Labels are kept as written, in any script."""

from __future__ import annotations

import html
from collections import Counter
from typing import Any

from .baseline import baseline_markdown
from .common import is_number, num, pct, qty, resource_name
from .explain_sections import markdown_sections
from .i18n import localised, of_plan, of_plans, t
from .risk import collection_markdown as risk_collection
from .risk import risk_markdown
from .schedule import markdown_lines
from .source import source_view
from .view import plan_view


def escape(text: Any) -> str:
    """Safe inside a table cell and as Markdown: no pipes breaking columns, no line breaks,
    no HTML (a label ``<img src=x onerror=…>`` is shown, not rendered)."""
    return html.escape(" ".join(str(text).split()), quote=False).replace("|", "\\|")


def table(head: list[str], rows: list[list[str]], align: list[str] | None = None) -> list[str]:
    """A GitHub table; ``align`` per column: ``l``, ``r`` or ``c``."""
    marks = {"l": "---", "r": "--:", "c": ":-:"}
    align = align or ["l"] * len(head)
    lines = ["| " + " | ".join(escape(h) for h in head) + " |",
             "|" + "|".join(marks[a] for a in align) + "|"]
    lines += ["| " + " | ".join(escape(c) for c in row) + " |" for row in rows]
    return lines


def headline(v: dict[str, Any]) -> list[str]:
    badges = [f"**{v['status_text']}**"]
    if v["solved"]:
        badges.append("✓ " + t("verified") if v["verified"] else t("not_verified"))
        badges.append(v["gap_text"])
    lines = [" · ".join(badges), ""]
    if not v["solved"]:
        lines += [f"> **{t('no_plan')}** {escape(v['message'] or v['status_text'])}", ""]
        facts = ([t("budget_is", budget=v["budget_text"])] if v["budget"] is not None else []) + \
                [f"{r['name']}: {t('available', capacity=r['capacity_text'])}" for r in v["resources"]]
        if facts:
            lines += [" ".join(facts), ""]
        return lines
    share = f" ({v['reachable_text']})" if v["reachable_text"] else ""
    rows = [[f"**{v['objective_title']}**", f"{v['objective_text']}{share} — {v['objective_meaning']}"],
            [f"**{t('money_spent')}**", v["cost_text"] + (" " + t("of_budget_share", budget=v["budget_text"],
                                                                    share=v["budget_share_text"])
                                                          if v["budget"] is not None else "")]]
    rows += [[f"**{t('resource_used', name=r['name'])}**",
              f"{r['used_text']} " + t("of_available", capacity=r["capacity_text"], share=r["share_text"])]
             for r in v["resources"]]
    rows.append([f"**{t('channels_on')}**", f"{num(len(v['on']))} {t('of_n', n=len(v['channels']))}"])
    if v["penalties"]:
        rows.append([f"**{t('penalties')}**", "; ".join(t("penalty.for", amount=p["text"], words=p["words"])
                                                       for p in v["penalties"])])
    lines += table(["", ""], rows) + [""]
    lines += [escape(line) for line in v["summary"]] + [""] if v["summary"] else []
    if v["message"]:
        lines += [escape(v["message"]), ""]
    return lines


def channels_section(v: dict[str, Any]) -> list[str]:
    cur = f" ({v['currency']})" if v["currency"] else ""
    head = [t("channel"), "id", t("on"), t("spend") + cur, t("fixed_cost") + cur, t("cost") + cur, t("share"),
            t("reach"), *map(resource_name, v["resource_names"])]
    rows = [
        [c["label"], f"`{c['id']}`", "✓" if c["on"] else t("off_word"), c["spend_text"], c["fixed_text"],
         c["cost_text"], c["share_text"], c["reach_text"], *(c["uses_text"][r] for r in v["resource_names"])]
        for c in v["channels"]]
    d = v["money_decimals"]
    rows.append([f"**{t('total_on', on=len(v['on']))}**", "", "", f"**{num(v['total_spend'], d)}**",
                 f"**{num(v['total_fixed'], d)}**", f"**{num(v['total_cost'], d)}**", "", "",
                 *(f"**{qty(v['total_uses'][r])}**" for r in v["resource_names"])])
    align = ["l", "l", "c"] + ["r"] * (len(head) - 3)
    return [f"## {t('channels')}", ""] + table(head, rows, align) + ["", t("reach_note"), ""]


def coverage_section(v: dict[str, Any]) -> list[str]:
    targets = Counter(c["target"] for c in v["cells"] if is_number(c.get("target")))
    usual = targets.most_common(1)[0][0] if targets else None
    rows = []
    for p in v["phases"]:
        row = [p["label"]]
        for g in v["segments"]:
            cell = v["matrix"].get((p["id"], g["id"]))
            if cell is None:
                row.append("—")
                continue
            text = cell["level_text"]
            if is_number(cell.get("target")) and cell["target"] != usual:
                text += f" ({t('target_is', target=cell['target_text'])})"
            if cell["short"]:
                text += " ▼"
            row.append(text)
        rows.append(row)
    lines = [f"## {t('coverage')}", "",
             t("md.coverage_intro")
             + (t("md.usual_target", target=pct(usual)) if usual is not None else "")
             + (t("md.below_mark") if v["below"] else t("summary.end")), "", t("coverage_rule"), ""]
    lines += table([t("phase_segment"), *(g["label"] for g in v["segments"])], rows,
                   ["l"] + ["r"] * len(v["segments"]))
    return lines + [""]


def rules_section(v: dict[str, Any]) -> list[str]:
    lines = [f"## {t('limits_title')}", "", escape(v["binding_intro"]), ""]
    lines += [f"- {escape(rule)}" for rule in v["binding_lines"]]
    if v["binding_lines"]:
        lines.append("")
    if v["penalties"]:
        lines += [t("soft_rules") + " "
                  + "; ".join(f"{p['words']} ({p['text']})" for p in v["penalties"]) + ".", ""]
    return lines


def warnings_section(v: dict[str, Any]) -> list[str]:
    if not v["warnings"]:
        return []
    return [f"## {t('warnings')}", ""] + [f"- ⚠ {escape(w)}" for w in v["warnings"]] + [""]


@localised(of_plan)
def plan_markdown(plan: dict[str, Any]) -> str:
    """One plan as Markdown."""
    v = {**plan_view(plan), **source_view(plan)}
    lines = [f"# {escape(v['scenario'])}", ""]
    if v["variant"]:
        lines += [escape(v["variant"]["intro"]), ""]
    if v["description"]:
        lines += [escape(v["description"]), ""]
    if v["source_text"]:
        lines += [f"_{escape(v['source_text'])}_", ""]
    if v["decision"] and v["decision"]["lines"]:
        lines += [f"## {escape(v['decision']['title'])}", ""] + [f"- {escape(x)}" for x in v["decision"]["lines"]]
        lines += [""]
    lines += headline(v)
    lines += baseline_markdown(plan, table) if v["solved"] else []
    if v["variant"] and v["variant"]["rows"]:
        lines += ([f"## {t('variant.title')}", ""] + table(v["variant"]["head"], v["variant"]["rows"], list("lrrr"))
                  + [""])
    lines += warnings_section(v) if not v["solved"] else []
    if v["solved"]:
        lines += channels_section(v) + coverage_section(v) + markdown_lines(plan, table, escape) + rules_section(v) \
            + warnings_section(v)
        footer = t("footer.curves", error=v["curve_error_text"])
        if v["approximation_bound"] is not None:
            footer += " " + t("footer.bound", bound=v["approximation_bound_text"])
        lines += risk_markdown(plan, table) + [f"_{footer}_", ""]
    lines += markdown_sections(plan, table)
    return "\n".join(lines).rstrip("\n") + "\n"


# ---------------------------------------------------------------- many plans


@localised(of_plans)
def collection_markdown(title: str, table_: Any, plans: list[dict[str, Any]], varied: list[str] | None = None,
                        diff: tuple[str, str] | None = None) -> str:
    """A sweep or a comparison / batch as Markdown: the summary table, spends per channel,
    and each plan's headline."""
    from .html import collection_context

    ctx = collection_context(title, table_, plans, varied, diff)
    lines = [f"# {escape(title)}", "", escape(ctx["intro"]), ""]
    lines += [line for text in ctx["sources"] for line in (f"_{escape(text)}_", "")]
    if not ctx["rows"]:
        return "\n".join(lines + [t("collection.no_plans")]) + "\n"
    if ctx["best"] and ctx["best"]["note"]:
        lines += [escape(ctx["best"]["note"]), ""]
    if ctx["knee"]:
        lines += [escape(t("collection.knee_line", path=ctx["varied"][0], value=ctx["knee"]["value"])), ""]
    if ctx["today"]:
        lines += [escape(ctx["today"]), ""]
    lines += [f"## {ctx['table_title']}", ""]
    lines += table([c["title"] for c in ctx["columns"]],
                   [[cell["text"] for cell in row["cells"]] for row in ctx["rows"]],
                   ["r" if c["numeric"] else "l" for c in ctx["columns"]]) + [""]
    if ctx["diff"]:
        d = ctx["diff"]
        lines += [f"## {escape(d['title'])}", "", " ".join(escape(x) for x in d["lines"]), ""]
        lines += table(d["head"], d["rows"], list("lrrr")) + [""]
    groups = ctx["spend_groups"]
    if groups:
        lines += [f"## {t('collection.spend_title')}", "", t("collection.spend_intro"), ""]
    for g in groups:
        cur = f" ({g['currency']})" if g["currency"] else ""
        if len(groups) > 1:
            lines += [f"### {escape(g['title'] or t('collection.plans'))}{cur}", ""]
        lines += table([t("channel") + cur if len(groups) == 1 else t("channel"), *g["heads"]],
                       [[row["label"], *(c["text"] for c in row["cells"])] for row in g["rows"]],
                       ["l"] + ["r"] * len(g["heads"])) + [""]
        if g["unused"]:
            lines += [t("collection.unused") + " " + ", ".join(escape(u) for u in g["unused"]) + ".", ""]
    lines += risk_collection(plans, table)
    lines += [f"## {ctx['cards_title']}", ""]
    for v in ctx["views"]:
        if v["solved"]:
            facts = [f"{v['objective_title']}: {v['objective_text']}", f"{t('money_spent')}: {v['cost_text']}"
                     + (f" {t('of_n', n=v['budget_text'])}" if v["budget"] is not None else "")]
            facts += [f"{r['name']}: {r['used_text']} {t('of_n', n=r['capacity_text'])}" for r in v["resources"]]
            facts.append(f"{t('channels_on')} ({num(len(v['on']))}): " + ", ".join(c["label"] for c in v["on"]))
        else:
            facts = [v["message"] or v["status_text"]]
        badge = v["status_text"] + (", ✓ " + t("verified") if v["verified"] else "")
        lines.append(f"- **{escape(v['scenario'])}** ({badge}): " + "; ".join(escape(f) for f in facts))
    return "\n".join(lines).rstrip("\n") + "\n"
