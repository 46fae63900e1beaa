"""Self-contained HTML reports from jinja2 templates: one file, inline CSS, charts as
HTML bars and inline SVG, nothing fetched from the network to view it."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jinja2

from ..core.version import VERSION
from ..model.solution import SOLVED
from .common import (
    auto,
    cell_text,
    channel_labels,
    column_title,
    is_number,
    money_decimals,
    num,
    pct,
    qty,
    resource_name,
    shown_columns,
    spend_columns,
    without_single_periods,
)
from .explain_sections import html_context
from .i18n import current, localised, of_plan, of_plans, t
from .risk import collection_risk, risk_view, with_band
from .schedule_html import schedule_context
from .source import source_text, source_view
from .svg import frontier_svg, heat_colour, legend_gradient, series_colour, sweep_points
from .variant import diff_view
from .view import plan_view


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("channelmix.reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(qty=qty, version=VERSION, t=t, pct=pct, num=num, resource_name=resource_name, current=current)
    return env


def allocation_bars(v: dict[str, Any]) -> list[dict[str, Any]]:
    """One bar per channel that is on, longest first: spend and fixed cost stacked."""
    on = sorted(v["on"], key=lambda c: -c["cost"])
    largest = max((c["cost"] for c in on), default=0.0) or 1.0
    items = []
    for c in on:
        both = abs(c["share"] - c["spend_share"]) >= 0.005  # two bases that differ: each said with its own
        note = ((t("share_note", cost=pct(c["share"]), spend=pct(c["spend_share"])) if both
                 else t("share_cost", cost=pct(c["share"]))) if c["cost"] > 0
                else (t("no_money") + ", "
                      + ", ".join(f"{c['uses_text'][r]} {r}" for r in v["resource_names"] if c["uses"][r])
                      if any(c["uses"].values()) else t("free")))
        items.append({"id": c["id"], "label": c["label"], "spend_pct": 100 * c["spend"] / largest,
                      "fixed_pct": 100 * c["fixed_cost"] / largest, "value": v["money"](c["cost"]), "note": note})
    return items


def resource_charts(v: dict[str, Any]) -> list[dict[str, Any]]:
    charts = []
    for r in v["resources"]:
        name = r["id"]
        using = sorted((c for c in v["on"] if c["uses"][name] > 0), key=lambda c: -c["uses"][name])
        if not using:
            continue
        largest = max(c["uses"][name] for c in using)
        charts.append({"name": r["name"], "capacity_text": r["capacity_text"], "rows": [
            {"id": c["id"], "label": c["label"], "spend_pct": 100 * c["uses"][name] / largest, "fixed_pct": 0,
             "kind": "use", "value": f"{c['uses_text'][name]} {r['name']}", "note": ""} for c in using]})
    return charts


@localised(of_plan)
def plan_html(plan: dict[str, Any]) -> str:
    """One plan as a self-contained HTML page."""
    v = {**plan_view(plan), **source_view(plan)}
    for cell in v["cells"]:
        cell["bg"], cell["fg"] = heat_colour(cell["level"])
        served = ", ".join(cell["channel_labels"]) or t("no_channel")
        target = ", " + t("target_is", target=cell["target_text"]) if cell["target_text"] else ""
        cell["tooltip"] = t("html.tooltip", cell=f"{cell['phase_label']} × {cell['segment_label']}",
                            level=cell["level_text"], target=target, weight=cell["weight_text"], served=served)
    d = v["money_decimals"]
    return environment().get_template("report.html.j2").render(
        v=v, lang=current().code, dir=current().direction, allocation=allocation_bars(v),
        resource_charts=resource_charts(v), gradient=legend_gradient(), money_num=lambda x: num(x, d),
        explain=html_context(plan), sched=schedule_context(plan), risk=risk_view(plan))


# ---------------------------------------------------------------- many plans


def collection_context(title: str, table: Any, plans: list[dict[str, Any]], varied: list[str] | None,
                       diff: tuple[str, str] | None = None) -> dict[str, Any]:
    """What the HTML and Markdown reports of many plans share; ``diff`` names two plans
    to set side by side (``compare --diff A B``)."""
    varied = [p for p in varied or [] if p in table.columns]
    views = [plan_view(p) for p in plans]
    currency = next((p.get("currency") for p in plans if p.get("currency")), "")
    decimals = min((v["money_decimals"] for v in views), default=0)
    columns, numeric = _columns(table, plans, varied)
    today = today_marks(table, varied, currency)
    groups = spend_groups(table, {p.get("scenario"): p for p in plans}, varied)
    solved = [v for v in views if v["solved"]]
    kind_title = t("collection.sweep") if varied else t("collection.comparison")
    intro = (t("collection.sweep_intro", n=len(table), varied=", ".join(varied)) if varied
             else t("collection.compare_intro", n=len(table)))
    return {"title": title, "kind_title": kind_title, "intro": intro, "lang": current().code,
            "dir": current().direction,
            "columns": [
                {"name": c, "title": column_title(c), "numeric": numeric[c] and c not in ("entering", "leaving")}
                for c in columns], "rows": _rows(table, plans, columns, numeric, varied, today, decimals),
            "spend_groups": groups, "counts": _counts(table, views),
            "best": _best(table, varied, views, solved) if solved and len(groups) <= 1 else None,
            "knee": _knee(table, varied), "chart": _frontier(table, plans, varied, currency, solved, today),
            "today": today["line"] if today else "", "diff": diff_view(plans, diff, views[0]["money"]) if diff
            and views else None, "cards": [_card(v) for v in views], "currency": currency, "varied": varied,
            "views": views, "decimals": decimals, "risk": collection_risk(plans),
            "sources": list(dict.fromkeys(text for text in (source_text(p.get("source")) for p in plans) if text)),
            "table_title": t("collection.every_step") if varied else t("collection.summary"),
            "cards_title": t("collection.each_step") if varied else t("collection.each_plan")}


def _columns(table: Any, plans: list[dict[str, Any]], varied: list[str]) -> tuple[list[str], dict[str, bool]]:
    """The summary table's columns (a sweep's varied values first) and which of them are numbers."""
    columns = without_single_periods(shown_columns(table.columns), table)
    if varied:  # a sweep: the varied values first, the scenario name is long and says the same
        columns = varied + [c for c in columns if c not in varied and c != "scenario"]
    numeric = {c: str(table[c].dtype).startswith(("float", "int")) for c in columns}
    several = len({p.get("currency") or "" for p in plans if p.get("currency")}) > 1
    if several and "cost" in columns and "currency" not in columns:
        columns.insert(columns.index("cost") + 1, "currency")
        numeric["currency"] = False
    return columns, numeric


def _rows(table: Any, plans: list[dict[str, Any]], columns: list[str], numeric: dict[str, bool], varied: list[str],
          today: dict[str, Any] | None, decimals: int) -> list[dict[str, Any]]:
    """The summary table's rows: each cell's text, a knee or an unsolved step marked."""
    labels = channel_labels(plans)
    by_scenario = {p.get("scenario"): p for p in plans}

    def names(ids: Any) -> str:
        if not isinstance(ids, str):
            return cell_text("", ids)
        return t("list_sep").join(labels.get(i, i) for i in ids.split())

    rows = []
    for _, row in table.iterrows():
        cells = []
        for c in columns:
            value = row.get(c) if c != "currency" or c in table.columns else \
                (by_scenario.get(row.get("scenario")) or {}).get("currency")
            text = names(value) if c in ("entering", "leaving") else cell_text(c, value, decimals)
            if c in varied and is_number(value):
                text = num(float(value), 0 if float(value).is_integer() else 2)
                if (today and c == varied[0] and today["value"] is not None
                    and abs(float(value) - today["value"]) <= 1e-9):
                    text += " · " + t("collection.today_word")
            cells.append({"text": text, "numeric": numeric[c] and c not in ("entering", "leaving")})
        status = row.get("status")
        rows.append({"cells": cells, "status": status,
                     "cls": "off" if status not in SOLVED else ("knee" if row.get("knee") is True else "")})
    return rows


def _counts(table: Any, views: list[dict[str, Any]]) -> dict[str, int]:
    """How many plans, solved, verified and unsolved."""
    solved = [v for v in views if v["solved"]]
    counts = {"total": len(table), "solved": int(table["status"].isin(SOLVED).sum()) if "status" in table
              else len(solved), "verified": int(table["verified"].fillna(False).astype(bool).sum())
              if "verified" in table else sum(v["verified"] for v in views)}
    counts["unsolved"] = counts["total"] - counts["solved"]
    return counts


def _best(table: Any, varied: list[str], views: list[dict[str, Any]], solved: list[dict[str, Any]]) -> dict[str, Any]:
    """The best of the plans (for one business, not across businesses); in a sweep the smallest step as good."""
    sense = solved[0]["sense"]
    pick = (max if sense in ("max_reach", "max_value", "max_outcome") else min)(solved, key=lambda v: v["objective"])
    best = {"what": pick["objective_title"], "value": pick["objective_text"], "scenario": pick["scenario"], "note": ""}
    return sweep_best(table, varied[0], views, best) if varied else best


def _knee(table: Any, varied: list[str]) -> dict[str, Any] | None:
    """The sweep's knee — the lead card: the first step the frontier table marks, its objective and how close it
    comes to the best step (the smallest step within the stated tolerance is the best card's)."""
    if not varied or "knee" not in table.columns:
        return None
    hits = table[table["knee"].fillna(False).astype(bool)]
    if not len(hits):
        return None
    row = hits.iloc[0]
    value = row[varied[0]]
    objectives = [float(o) for o in table["objective"] if is_number(o)]
    sense = str(row.get("sense") or "max_reach")
    top = (max if sense in ("max_reach", "max_value", "max_outcome") else min)(objectives) if objectives else None
    share = float(row["objective"]) / top if top and is_number(row.get("objective")) else None
    return {"path": varied[0], "value": num(float(value)) if is_number(value) else str(value),
            "objective": auto(row.get("objective")), "share": pct(share, 1) if share is not None else ""}


def _frontier(table: Any, plans: list[dict[str, Any]], varied: list[str], currency: str, solved: list[dict[str, Any]],
              today: dict[str, Any] | None) -> dict[str, Any] | None:
    """The sweep's frontier chart (objective against the first varied path), its legend and caption."""
    if not varied or "objective" not in table.columns:
        return None
    x_title = f"{varied[0]} ({currency})" if currency and varied[0].startswith("budget") else varied[0]
    points = with_band(sweep_points(table, varied[0], varied[1:], currency), {p.get("scenario"): p for p in plans})
    y_title = pick_title(solved) if solved else t("objective")
    per = (t("collection.per_money", what=y_title, currency=currency, path=varied[0]) if currency
           and varied[0] == "budget" else t("collection.per_unit", what=y_title, path=varied[0]))
    svg = "".join(frontier_svg(points, x_title, y_title, marks=today["marks"] if today else None, marginal_title=per,
                               today=today["point"] if today else None, narrow=narrow) for narrow in (False, True))
    if not svg:
        return None
    series = list(dict.fromkeys(p["series"] for p in points if p["series"]))
    return {"svg": svg, "marginal": len(series) <= 1 and any(is_number(p["marginal"]) for p in points),
            "series": [{"name": name, "colour": series_colour(i)} for i, name in enumerate(series)] if len(series) > 1
            else [], "caption": t("collection.frontier_caption", varied=varied[0])
            + (t("collection.frontier_marginal") if len(series) <= 1
               else t("collection.frontier_lines", others=", ".join(varied[1:]))) + t("summary.end")
            + (" " + t("collection.today_point_line") if today and today.get("point") else ""),
            "band": any(p.get("p5") is not None for p in points) and len(series) <= 1}


def _card(v: dict[str, Any]) -> dict[str, Any]:
    """One plan's card: its on channels' spend bars, largest first."""
    on = sorted(v["on"], key=lambda c: -c["cost"])
    largest = max((c["cost"] for c in on), default=0.0) or 1.0
    bars = [{"id": c["id"], "label": c["label"], "spend_pct": 100 * c["spend"] / largest,
             "fixed_pct": 100 * c["fixed_cost"] / largest, "value": num(c["cost"], v["money_decimals"]), "note": ""}
            for c in on]
    return {"v": v, "bars": bars}


def today_marks(table: Any, varied: list[str], currency: str) -> dict[str, Any] | None:
    """Today's value of the swept path (and, on a budget axis, what today's plan spends),
    from the frontier table's ``attrs["today"]`` (see :func:`channelmix.analysis.whatif.today`):
    the chart's marks and one sentence; None when the table does not know it."""
    found = getattr(table, "attrs", {}).get("today") if varied else None
    if not found or found.get("path") != varied[0] or found.get("value") is None:
        return None
    unit = f" {currency}" if currency and varied[0] == "budget" else ""
    value = found["value"]
    marks = [(value, t("collection.today_mark", value=num(value, 0 if float(value).is_integer() else 2)))]
    line = t("collection.today_line", path=varied[0], value=num(value, 0 if float(value).is_integer() else 2) + unit)
    current = found.get("current")
    if current is not None and varied[0] == "budget":
        marks.append((current, t("collection.current_mark", value=num(current))))
        line += " " + t("collection.current_line", value=num(current) + unit)
    point = None
    if current is not None and varied[0] == "budget" and is_number(found.get("current_objective")):
        point = (float(current), float(found["current_objective"]),
                 t("collection.today_point", value=num(current) + unit, objective=auto(found["current_objective"])))
    return {"value": float(value), "marks": marks, "line": line, "point": point}


TOLERANCE = 0.001  # steps within 0.1 % of the best objective score the same: the smallest of them is "best"


def sweep_best(table: Any, path: str, views: list[dict[str, Any]], best: dict[str, Any]) -> dict[str, Any]:
    """The smallest swept value whose objective is within TOLERANCE of the best, and the
    most any step spends (beyond it a bigger budget buys nothing more)."""
    rows = [(float(r[path]), float(r["objective"]), str(r.get("scenario"))) for _, r in table.iterrows()
            if r.get("status") in SOLVED and is_number(r.get(path)) and is_number(r.get("objective"))]
    if not rows:
        return best
    sense = views[0]["sense"] if views else "max_reach"
    maximise = sense in ("max_reach", "max_value", "max_outcome")
    top = (max if maximise else min)(o for _, o, _ in rows)
    slack = TOLERANCE * max(abs(top), 1e-9)
    value, objective, name = min((r for r in rows if (r[1] >= top - slack if maximise else r[1] <= top + slack)),
                                 key=lambda r: r[0])
    view = next((v for v in views if v["scenario"] == name), None)
    note = t("collection.best_note", path=path, value=num(value), tolerance=pct(TOLERANCE, 1))
    spent = [v["cost"] for v in views if v["solved"] and is_number(v["cost"])]
    budgets = [r[0] for r in rows]
    if path == "budget" and spent and max(spent) < max(budgets) - 0.5:
        note += " " + t("collection.saturation", cost=views[0]["money"](max(spent)))
    return {"what": best["what"], "value": view["objective_text"] if view else num(objective),
            "scenario": f"{path} {num(value)}", "note": note}


def pick_title(views: list[dict[str, Any]]) -> str:
    """The frontier's vertical axis: the objective's name, with its unit when it is money."""
    v = views[0]
    return (f"{v['objective_title']} ({v['currency']})" if v["sense"] != "max_reach"
            and v["currency"] else v["objective_title"])


def spend_groups(table: Any, by_name: dict[str, dict[str, Any]], varied: list[str]) -> list[dict[str, Any]]:
    """Spends per channel, one matrix per set of plans that share their channels and
    currency (the steps of a sweep, the variants of one scenario): channel rows, plan columns."""
    spend_cols = spend_columns(table.columns)
    groups: dict[tuple, dict[str, Any]] = {}
    for _, row in table.iterrows():
        cols = tuple(c for c in spend_cols if is_number(row.get(c)))
        if not cols:
            continue  # no plan (an error or an unreadable file): nothing spent
        plan = by_name.get(row.get("scenario")) or {}
        currency = plan.get("currency") or ""
        group = groups.setdefault((cols, currency), {"cols": cols, "currency": currency, "rows": [], "plans": []})
        group["rows"].append(row)
        group["plans"].append(plan)
    out = []
    for group in groups.values():
        names = [str(row.get("scenario") or "") for row in group["rows"]]
        roots = {n.split("/")[0] for n in names}
        root = roots.pop() if len(roots) == 1 else ""
        if varied:
            heads = [" · ".join(num(float(row.get(p)), 0 if float(row.get(p)).is_integer() else 2)
                                if is_number(row.get(p)) else str(row.get(p)) for p in varied) for row in group["rows"]]
        else:
            heads = [n[len(root) + 1 :] if root
                     and n.startswith(root + "/") else ("base" if n == root and len(names) > 1 else n) for n in names]
        labels = channel_labels([p for p in group["plans"] if p])
        decimals = min((money_decimals(p) for p in group["plans"] if p), default=0)
        # each cell: the channel's cost in that plan (spend + fixed cost) and whether it is on
        values = [[channel_cost(plan, row, c) for c in group["cols"]]
                  for row, plan in zip(group["rows"], group["plans"])]
        largest = max((x for line in values for x, _ in line), default=0.0)
        rows, unused = [], []
        for j, col in enumerate(group["cols"]):
            cid = col[len("spend_"):]
            column = [line[j] for line in values]
            if not any(x > 0 or on for x, on in column):
                unused.append(labels.get(cid, cid))  # never on: named below the table, not a row of zeros
                continue
            rows.append({"id": cid, "label": labels.get(cid, cid), "cells": [
                {"text": num(x, decimals) if on else "—", "on": on, "pct": 100 * x / largest if largest > 0 else 0}
                for x, on in column]})
        out.append({"title": root, "currency": group["currency"], "heads": heads, "rows": rows, "unused": unused})
    return out


def channel_cost(plan: dict[str, Any], row: Any, column: str) -> tuple[float, bool]:
    """(cost, on) of a channel in one plan: spend plus fixed cost, from the plan when it has
    its channels (a forced-on store with no spend still costs its fixed cost), else the spend column."""
    cid = column[len("spend_"):]
    for c in plan.get("channels") or []:
        if c.get("id") == cid:
            return float(c.get("cost") or 0.0), bool(c.get("on"))
    spend = float(row.get(column))
    return spend, spend > 0


@localised(of_plans)
def collection_html(title: str, table: Any, plans: list[dict[str, Any]], varied: list[str] | None = None,
                    diff: tuple[str, str] | None = None) -> str:
    """A sweep (``varied`` names the swept paths) or a comparison / batch as one HTML page;
    ``diff`` names two plans to set side by side."""
    context = collection_context(title, table, plans, varied, diff)
    return environment().get_template("collection.html.j2").render(**context)


__all__ = ["plan_html", "collection_html", "collection_context", "spend_groups"]
