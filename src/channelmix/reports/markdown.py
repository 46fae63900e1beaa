"""Markdown reports (GitHub-flavoured tables) for a README, a ticket or a chat: the
headline, the channels, coverage as phase rows × segment columns, what binds, warnings.
Labels are kept as written, in any script."""

from __future__ import annotations

import html
from collections import Counter
from typing import Any

from .common import is_number, num, pct, plan_view, qty
from .explain_sections import markdown_sections


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
        badges.append("✓ verified" if v["verified"] else "not verified")
        badges.append(v["gap_text"])
    lines = [" · ".join(badges), ""]
    if not v["solved"]:
        lines += [f"> **No plan.** {escape(v['message'] or v['status_text'])}", ""]
        facts = ([f"budget {v['budget_text']}"] if v["budget"] is not None else []) + \
                [f"{r['name']} {r['capacity_text']}" for r in v["resources"]]
        if facts:
            lines += ["Available: " + ", ".join(facts) + ".", ""]
        return lines
    rows = [[f"**{v['objective_title']}**", f"{v['objective_text']} — {v['objective_meaning']}"],
            ["**Money spent**", v["cost_text"] + (f" of the {v['budget_text']} budget ({v['budget_share_text']})"
                                                 if v["budget"] is not None else "")]]
    rows += [[f"**{r['name']} used**", f"{r['used_text']} of {r['capacity_text']} ({r['share_text']})"]
             for r in v["resources"]]
    rows.append(["**Channels on**", f"{len(v['on'])} of {len(v['channels'])}"])
    if v["penalties"]:
        rows.append(["**Penalties**", "; ".join(f"{p['text']} for {p['words']}" for p in v["penalties"])])
    lines += table(["", ""], rows) + [""]
    lines += [escape(line) for line in v["summary"]] + [""] if v["summary"] else []
    if v["message"]:
        lines += [escape(v["message"]), ""]
    return lines


def channels_section(v: dict[str, Any]) -> list[str]:
    cur = f" ({v['currency']})" if v["currency"] else ""
    head = ["Channel", "id", "On", f"Spend{cur}", f"Fixed cost{cur}", f"Cost{cur}", "Share", "Reach",
            *v["resource_names"]]
    rows = [[c["label"], f"`{c['id']}`", "✓" if c["on"] else "off", c["spend_text"], c["fixed_text"], c["cost_text"],
             c["share_text"], c["reach_text"], *(c["uses_text"][r] for r in v["resource_names"])] for c in v["channels"]]
    d = v["money_decimals"]
    rows.append([f"**Total ({len(v['on'])} on)**", "", "", f"**{num(v['total_spend'], d)}**",
                 f"**{num(v['total_fixed'], d)}**", f"**{num(v['total_cost'], d)}**", "", "",
                 *(f"**{qty(v['total_uses'][r])}**" for r in v["resource_names"])])
    align = ["l", "l", "c"] + ["r"] * (len(head) - 3)
    return ["## Channels", ""] + table(head, rows, align) + ["",
            "Reach: the share of a segment the channel touches at its spend, on its real response curve.", ""]


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
                text += f" (target {cell['target_text']})"
            if cell["short"]:
                text += " ▼"
            row.append(text)
        rows.append(row)
    lines = ["## Coverage", "",
             "The share of each segment reached in each phase of its journey"
             + (f"; the target is {pct(usual)} unless shown" if usual is not None else "")
             + ("; ▼ marks a cell below its target." if v["below"] else "."), ""]
    lines += table(["Phase \\ segment", *(g["label"] for g in v["segments"])], rows,
                   ["l"] + ["r"] * len(v["segments"]))
    return lines + [""]


def rules_section(v: dict[str, Any]) -> list[str]:
    lines = ["## What limits the plan", "", escape(v["binding_intro"]), ""]
    lines += [f"- {escape(rule)}" for rule in v["binding_lines"]]
    if v["binding_lines"]:
        lines.append("")
    if v["penalties"]:
        lines += ["Soft rules not fully met, and what they cost the objective: "
                  + "; ".join(f"{p['words']} ({p['text']})" for p in v["penalties"]) + ".", ""]
    return lines


def warnings_section(v: dict[str, Any]) -> list[str]:
    if not v["warnings"]:
        return []
    return ["## Warnings", ""] + [f"- ⚠ {escape(w)}" for w in v["warnings"]] + [""]


def plan_markdown(plan: dict[str, Any]) -> str:
    """One plan as Markdown."""
    v = plan_view(plan)
    lines = [f"# {escape(v['scenario'])}", ""]
    if v["description"]:
        lines += [escape(v["description"]), ""]
    lines += headline(v)
    lines += warnings_section(v) if not v["solved"] else []
    if v["solved"]:
        lines += channels_section(v) + coverage_section(v) + rules_section(v) + warnings_section(v)
        footer = f"Response curves are modelled within {v['curve_error_text']} of the real curves; every figure is " \
                 "recomputed on the real curves."
        if v["approximation_bound"] is not None:
            footer += f" The true optimum is at most {v['approximation_bound_text']} better than this plan."
        lines += [f"_{footer}_", ""]
    lines += markdown_sections(plan, table)
    return "\n".join(lines).rstrip("\n") + "\n"


# ---------------------------------------------------------------- many plans


def collection_markdown(title: str, table_: Any, plans: list[dict[str, Any]], varied: list[str] | None = None) -> str:
    """A sweep or a comparison / batch as Markdown: the summary table, spends per channel,
    and each plan's headline."""
    from .html import collection_context

    ctx = collection_context(title, table_, plans, varied)
    lines = [f"# {escape(title)}", "", escape(ctx["intro"]), ""]
    if not ctx["rows"]:
        return "\n".join(lines + ["No plans."]) + "\n"
    if ctx["knee"]:
        lines += [escape(f"The knee is at {ctx['varied'][0]} {ctx['knee']['value']}: past it, more {ctx['varied'][0]} buys much less."), ""]
    lines += [f"## {ctx['table_title']}", ""]
    lines += table([c["title"] for c in ctx["columns"]], [[cell["text"] for cell in row["cells"]] for row in ctx["rows"]],
                   ["r" if c["numeric"] else "l" for c in ctx["columns"]]) + [""]
    groups = ctx["spend_groups"]
    if groups:
        lines += ["## Spend per channel", "", "What each plan spends on each channel (fixed costs not included).", ""]
    for g in groups:
        cur = f" ({g['currency']})" if g["currency"] else ""
        if len(groups) > 1:
            lines += [f"### {escape(g['title'] or 'plans')}{cur}", ""]
        lines += table([f"Channel{cur}" if len(groups) == 1 else "Channel", *g["heads"]],
                       [[row["label"], *(c["text"] for c in row["cells"])] for row in g["rows"]],
                       ["l"] + ["r"] * len(g["heads"])) + [""]
        if g["unused"]:
            lines += ["No spend in any of these plans (fixed costs aside): " + ", ".join(escape(u) for u in g["unused"]) + ".", ""]
    lines += [f"## {ctx['cards_title']}", ""]
    for v in ctx["views"]:
        if v["solved"]:
            facts = [f"{v['objective_title'].lower()} {v['objective_text']}",
                     f"spent {v['cost_text']}" + (f" of {v['budget_text']}" if v["budget"] is not None else "")]
            facts += [f"{r['name']} {r['used_text']} of {r['capacity_text']}" for r in v["resources"]]
            facts.append(f"{len(v['on'])} channels on: " + ", ".join(c["label"] for c in v["on"]))
        else:
            facts = [v["message"] or v["status_text"]]
        badge = v["status_text"] + (", ✓ verified" if v["verified"] else "")
        lines.append(f"- **{escape(v['scenario'])}** ({badge}): " + "; ".join(escape(f) for f in facts))
    return "\n".join(lines).rstrip("\n") + "\n"
