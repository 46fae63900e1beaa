"""The plan as a person reads it in a terminal (rich), in the report language: whole
currency units, labels shortened with an ellipsis so a table fits the console."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..verify.plan import Plan
from .common import auto, num, pct, penalty_words, resource_name, sense_title, status_text
from .documents import plan_document
from .i18n import for_plans, t, using
from .risk import risk_lines
from .source import source_view
from .view import plan_view

if TYPE_CHECKING:
    import pandas as pd

LABEL_WIDTH = 28  # a channel label longer than this is cut with an ellipsis in narrow consoles


def _sentence(line: str) -> str:
    """A rule's sentence, ending with its full stop once (they are printed one after another)."""
    line = line.rstrip()
    return line if line.rstrip(")»”").endswith((".", "!", "?", "؟")) else line + "."  # "(A soft rule: … penalty.)" too


def label_column(table: Table, title: str, width: int) -> None:
    """The first column of a table of channels: labels cut with an ellipsis in a narrow
    console (below 120 columns), so the figures keep their room."""
    table.add_column(title, overflow="ellipsis", no_wrap=True, max_width=LABEL_WIDTH if width < 120 else None)


def short(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, an ellipsis marking the cut."""
    return text if len(text) <= width else text[: max(width - 1, 1)].rstrip() + "…"


WORD_COLUMNS = ("status",)  # text columns that are one word each: shown whole, never cut


def print_table(table: "pd.DataFrame", console: Console, title: str = "", columns: list[str] | None = None) -> None:
    """A DataFrame as a rich table; numbers rounded for reading.  Wider than the console:
    its lists of names (entering, leaving …) go under the table, one line per row; still
    too wide, it is turned sideways (one row per column), so no figure or status is cut."""
    shown = table[columns] if columns else table
    cells = [[_cell(name, v) for name, v in zip(shown.columns, row)] for row in shown.itertuples(index=False)]
    names = [str(name) for name in shown.columns]
    widths = [max([cell_len(name)] + [cell_len(line[i]) for line in cells]) + 3 for i, name in enumerate(names)]
    if sum(widths) + 1 <= console.width:
        console.print(_flat(shown, cells, title, range(len(names))))
        return
    lists = [i for i, name in enumerate(names) if i and name not in WORD_COLUMNS
             and not str(shown[name].dtype).startswith(("float", "int", "bool"))]
    kept = [i for i in range(len(names)) if i not in lists]
    if len(shown) > 12 and lists and sum(widths[i] for i in kept) + 1 <= console.width:
        console.print(_flat(shown, cells, title, kept))
        for line in cells:
            said = "; ".join(f"{names[i]} {line[i]}" for i in lists if line[i] not in ("", "—"))
            if said:
                console.print(Text(f"{line[0]}: {said}"))
        return
    for part in _sideways(shown, title, console.width):
        console.print(part)


def _flat(shown: "pd.DataFrame", cells: list[list[str]], title: str, keep: Any) -> Table:
    """One row per row of ``shown``, the columns at positions ``keep``."""
    out = Table(title=title or None, title_justify="left")
    for i in keep:
        name = shown.columns[i]
        numeric = str(shown[name].dtype).startswith(("float", "int"))
        out.add_column(str(name), justify="right" if numeric else "left", no_wrap=True)
    for line in cells:
        out.add_row(*(line[i] for i in keep))
    return out


def _sideways(shown: "pd.DataFrame", title: str, width: int) -> list[Table]:
    """One row per column and one column per plan: many columns read down a narrow console.
    Plans that do not fit beside each other go on into a further table, so no figure is cut."""
    names = [str(v) for v in (shown.iloc[:, 0] if len(shown.columns) else [])]
    roots = {n.split("/")[0] for n in names}
    root = roots.pop() if len(roots) == 1 and len(names) > 1 else ""
    heads = [short(name[len(root) + 1:] if root and name.startswith(root + "/") else name, 16) or str(i + 1)
             for i, name in enumerate(names)]
    rows = list(shown.columns)[1:]
    cells = [[_cell(name, v) for v in shown[name]] for name in rows]  # per row, one cell per plan
    label = max([cell_len(short(str(name), 16)) for name in rows] + [0]) + 3
    parts: list[list[int]] = [[]]
    used = label + 1
    for j, head in enumerate(heads):
        need = max([cell_len(head)] + [cell_len(line[j]) for line in cells]) + 3
        if parts[-1] and used + need > width:
            parts.append([])
            used = label + 1
        parts[-1].append(j)
        used += need
    tables = []
    for k, plans in enumerate(parts):
        out = Table(title=(title or None) if k == 0 else None, title_justify="left")
        out.add_column("", no_wrap=True)
        for j in plans:
            out.add_column(heads[j], justify="right", no_wrap=True)
        for name, line in zip(rows, cells):
            out.add_row(short(str(name), 16), *(line[j] for j in plans))
        tables.append(out)
    return tables


def _cell(column: Any, value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "✓" if value else ""
    if isinstance(value, float):
        if str(column) in ("cost", "budget", "objective") or str(column).startswith("spend_"):
            return num(value, 0)  # whole currency units
        if str(column) in ("gap", "weakest_cell"):
            return pct(value, 2 if str(column) == "gap" else 0)
        return auto(value)
    return short(str(value), 40) if isinstance(value, str) else str(value)


def render_listed_variants(listed: list[tuple[str, str, str, list[str]]], console: Console,
                           language: str | None = None) -> None:
    """One line for each variant not solved in this run: (name, variant, source file, paths it changes),
    and for each file the command that shows them all."""
    with using(language):
        for i, (name, variant, source, changes) in enumerate(listed):
            console.print(Text(t("variant.listed", name=name, changes=", ".join(changes), variant=variant),
                               style="dim"))
            if i + 1 == len(listed) or listed[i + 1][2] != source:
                console.print(Text(t("variant.listed_all", source=source), style="dim"))


def render(plan: Plan, console: Console, language: str | None = None, facts: dict[str, Any] | None = None) -> None:
    """The plan as a person reads it in a terminal, in ``language`` (else English);
    ``facts`` from :func:`~channelmix.verify.reachable.report_facts` add the share of the most reachable."""
    data = {**plan_document(plan), **(facts or {})}
    with for_plans([data], language):
        v = {**plan_view(data), **source_view(data)}
        console.print(Panel(_headline(plan, v, v["warnings"]), title=f"[bold]{plan.scenario}[/bold]", expand=False))
        if not plan.solved:
            return
        if v["decision"] and v["decision"]["lines"]:
            console.print(Text(v["decision"]["title"], style="bold"))
            for line in v["decision"]["lines"]:
                console.print(Text(f"• {line}"))
        console.print(_channel_table(v, console.width))
        console.print(_coverage_table(v, console.width))
        if data.get("schedule"):  # a plan over periods: what runs when, cash and reach per period
            from .schedule_terminal import render_schedule

            render_schedule(data, console)
        if v["binding_lines"]:
            console.print(Text(t("term.binding"), style="bold")
                          + Text(" ".join(_sentence(line) for line in v["binding_lines"])))
        for warning in v["warnings"]:
            console.print(Text(t("term.warning", warning=warning), style="yellow"))
        for line in risk_lines(data):
            console.print(Text(line))


def _headline(plan: Plan, v: dict[str, Any], warnings: list[str]) -> Group:
    status_style = {"optimal": "green", "feasible": "yellow"}.get(plan.status, "red")
    lines = [Text.assemble((t("term.status") + ": ", "bold"), (status_text(plan.status), status_style),
                           ("  " + t("term.verified") if plan.verified else "", "green"))]
    if v["message"]:
        lines.append(Text(v["message"]))
    if plan.solved:
        value = v["objective_text"] + (f"  ({v['reachable_text']})" if v["reachable_text"] else "")
        lines.append(Text(t("term.objective", title=sense_title(plan.sense), value=value)))
        if plan.outcome or plan.baseline_outcome:
            lines.append(
                Text(
                    t("term.outcome", outcome=v["money"](plan.outcome or 0.0),
                      baseline=v["money"](plan.baseline_outcome))))
        lines.append(Text(t("term.spent", spent=v["cost_text"])
                          + (t("term.of", budget=v["budget_text"]) if plan.budget is not None else "")))
        for r in v["resources"]:
            lines.append(Text(t("term.resource", name=r["name"], used=r["used_text"], capacity=r["capacity_text"])))
        if v["penalties"]:
            unit = v["currency"] if v["sense"] != "max_reach" else sense_title("max_reach")
            lines.append(Text(t("term.penalties", unit=unit, items="; ".join(
                t("penalty.for", amount=auto(p["amount"]), words=penalty_words(p["name"])) for p in v["penalties"]))))
        gap = "—" if plan.gap is None else pct(plan.gap, 2)
        lines.append(Text(t("term.gap", gap=gap, error=num(plan.curve_error, 4),
                            seconds=num(plan.build_seconds + plan.solve_seconds, 2), solver=plan.solver), style="dim"))
        if plan.proof is not None:  # a long plan over periods: how its gap was proven
            proof = plan.proof
            lines.append(Text(t("term.proof_cuts", cuts=proof.cuts, first=num(proof.first_nodes, 0),
                                nodes=num(proof.nodes, 0)) if proof.cuts else
                              t("term.proof_search", nodes=num(proof.nodes, 0)), style="dim"))
    if v["source_text"]:
        lines.append(Text(v["source_text"], style="dim"))
    for warning in warnings if not plan.solved else []:
        lines.append(Text(t("term.warning", warning=warning), style="yellow"))
    return Group(*lines)


def _channel_table(v: dict[str, Any], width: int) -> Table:
    cur = f" ({v['currency']})" if v["currency"] else ""
    table = Table(title=t("term.channels_on"), title_justify="left")
    label_column(table, t("channel"), width)
    for name in (t("spend") + cur, t("fixed_cost"), t("cost"), t("reach")):
        table.add_column(name, justify="right")
    valued = any(c["outcome"] for c in v["on"])
    if valued:
        table.add_column(t("term.outcome_column"), justify="right")
    for r in v["resource_names"]:
        table.add_column(resource_name(r), justify="right")
    for c in v["on"]:
        name = c["label"] if c["label"] == c["id"] or width < 120 else f"{c['label']} ({c['id']})"
        table.add_row(short(name, LABEL_WIDTH) if width < 120 else name, c["spend_text"], c["fixed_text"],
                      c["cost_text"], c["reach_text"], *([v["money"](c["outcome"])] if valued else []),
                      *(c["uses_text"][r] for r in v["resource_names"]))
    off = [c["label"] for c in v["off"]]
    if off:
        table.caption = t("term.off", channels=", ".join(off))
    return table


def _coverage_table(v: dict[str, Any], width: int) -> Table:
    table = Table(title=t("term.coverage"), title_justify="left")
    table.add_column(t("term.phase"), overflow="ellipsis", no_wrap=True, max_width=18 if width < 120 else None)
    room = max(6, (width - 22) // max(len(v["segments"]), 1) - 3)
    for g in v["segments"]:
        table.add_column(short(g["label"], room), justify="right")
    for p in v["phases"]:
        shown = []
        for g in v["segments"]:
            cell = v["matrix"].get((p["id"], g["id"]))
            if cell is None:
                shown.append(Text("—"))
                continue
            style = "red" if cell["short"] else ("dim" if not cell["level"] else "")
            shown.append(Text(cell["level_text"], style=style))
        table.add_row(p["label"], *shown)
    return table


__all__ = ["print_table", "render", "short"]
