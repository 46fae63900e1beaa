"""Report sections for the explanation (``plan["explain"]``, from ``explain`` or ``solve --explain``):
marginal figures, the value of each decision, what loosening each limit is worth (limits named in
the report's language), alternatives, a conflict and its repairs, the LP prices in an appendix, and
response curves (inline SVG in HTML). Markdown lines, an HTML context for the ``_explain.html.j2``
partial, and an Excel sheet; today's plan beside the optimised one is :mod:`.baseline`.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

from .baseline import baseline_context, baseline_figures, baseline_head, baseline_period_head, period_names
from .common import auto, is_number, num, pct
from .i18n import current, isolated, t
from .limit_names import limit_name
from .problem_words import said_conflict

MARGINAL_KEYS = ["explain.col_reach_unit", "explain.col_objective_unit", "explain.col_cost_customer",
                 "explain.col_next_step", "explain.col_lost", "explain.col_verdict"]
LIMIT_KEYS = ["explain.col_limit", "explain.col_now", "explain.col_binding", "explain.col_step", "explain.col_gain",
              "explain.col_per_unit"]
ALTERNATIVE_KEYS = ["explain.col_rank", "column.objective", "column.cost", "explain.col_behind", "explain.col_differs"]


def limit_head() -> list[str]:
    return [t(k) for k in LIMIT_KEYS]


def alternative_head() -> list[str]:
    return [t(k) for k in ALTERNATIVE_KEYS]


def yes_no(value: Any) -> str:
    return t("explain.yes") if value else t("explain.no")


def verdict_word(verdict: str) -> str:
    return t(f"explain.verdict_{verdict}")


def why_sentence(label: str, on: bool, verdict: str, best: float, forced: float | None, lost: float | None) -> str:
    """A channel's decision in plain words, in the current language (the JSON's ``why`` is
    this sentence in English)."""
    state, other = (t("on_word"), t("off_word")) if on else (t("off_word"), t("on_word"))
    if verdict == "impossible" or forced is None or lost is None:
        return t("explain.why_impossible", label=label, state=state, other=other)
    if verdict == "forced":
        head = t("explain.why_forced_head", label=label, state=state, other=other, forced=auto(forced), best=auto(best))
        return t("explain.why_forced_costs", head=head, amount=auto(-lost)) if lost < 0 else \
            t("explain.why_forced_free", head=head, state=state)
    head = t("explain.why_head", label=label, state=state, other=other, forced=auto(forced), best=auto(best))
    if verdict == "tie":
        return t("explain.why_tie", head=head, other=other)
    if verdict == "better":
        return t("explain.why_better", head=head)
    if best:
        return t("explain.why_worse", head=head, amount=auto(lost), share=pct(lost / abs(best), 1))
    return t("explain.why_worse_plain", head=head, amount=auto(lost))


def lost_text(verdict: str, lost: float | None, decimals: int = 2) -> str:
    """What switching a decision loses, as the table shows it: a tie is a tie (the difference is the
    solver's noise, whatever its sign), a switch that would do better says what it gains; never a
    negative loss."""
    if lost is None:
        return verdict_word("impossible")
    if verdict == "tie":
        return verdict_word("tie")
    if lost < 0:
        return t("explain.gains_if_switched", amount=_n(-lost, decimals))
    return _n(lost, decimals)


def why_of(x: dict[str, Any], c: dict[str, Any]) -> str:
    """The sentence of one channel of an explanation dict (a saved result from before the
    sentences were translated has only its English ``why``)."""
    if "forced_objective" not in c or not is_number(x.get("objective")):
        return c["why"]
    lost = c["value_if_forced_off"] if c["on"] else c["value_if_forced_on"]
    return why_sentence(c["label"], c["on"], c["verdict"], x["objective"], c["forced_objective"], lost)


def marginal_head(currency: str = "", money: bool = False) -> list[str]:
    """The marginal table's columns, with their units when the plan has a currency; ``money``: a plan whose
    objective is the money (min-cost), explained by what one more unit of reach costs and the reach the next
    step buys."""
    if currency:
        keys = ("explain.col_reach_money", "explain.col_objective_money", "explain.col_cost_customer_money")
        head = [t("channel"), t("on"), f"{t('spend')} ({currency})", *(t(k, currency=currency) for k in keys),
                *(t(k) for k in MARGINAL_KEYS[3:])]
    else:
        head = [t("channel"), t("on"), t("spend"), *(t(k) for k in MARGINAL_KEYS)]
    if money:
        head[4], head[6] = t("explain.col_cost_reach"), t("explain.col_next_reach", step=num(100))
    return head


def is_money(x: dict[str, Any]) -> bool:
    """Is the explained objective money (min_cost, target), so that its per-unit figure is 1 everywhere?"""
    return x.get("sense") in ("min_cost", "target")


def periods_words(x: dict[str, Any]) -> tuple[str, str]:
    """The period grid's title and note (keys), by what its figure is."""
    if is_money(x):
        return "explain.periods_cost_title", "explain.periods_cost_note"
    return "explain.periods_title", "explain.periods_note"


def _n(value: Any, decimals: int = 2) -> str:
    if not is_number(value):
        return "—"
    return num(value, decimals) if abs(value) >= 1 or value == 0 else current().number(f"{value:.4g}")


def period_grid(x: dict[str, Any], names: dict[str, str] | None = None) -> dict[str, Any] | None:
    """Over periods: the objective per extra unit, channel × period ("–" where the channel is off);
    ``names``: the periods' labels in the report's language (:func:`period_names`)."""
    cells = x.get("periods") or []
    if not cells:
        return None
    names = names or {}
    periods = list(dict.fromkeys((m["period"], names.get(m["period"], m["label"])) for m in cells))
    figure = "cost_per_reach" if is_money(x) else "objective_per_unit"
    by = {(m["channel"], m["period"]): m.get(figure) for m in cells}
    labels = {c["id"]: c["label"] for c in x.get("channels", [])}
    ids = list(dict.fromkeys(m["channel"] for m in cells))
    rows = [[labels.get(cid, cid), *(sig(by[(cid, p)]) if (cid, p) in by else "–" for p, _ in periods)]
            for cid in ids]
    # the raw figures beside the formatted rows, for a sheet that keeps numbers as numbers
    values = [[labels.get(cid, cid), *(by.get((cid, p)) for p, _ in periods)] for cid in ids]
    head = [t("channel"), *(label for _, label in periods)]
    return {"head": head, "rows": rows, "values": values, "parts": column_parts(head, rows)}


PERIODS_PER_PART = 7  # a laptop's page holds the channel column and seven periods' figures; 13 weeks overflowed 1280 px


def column_parts(head: list[str], rows: list[list[Any]], most: int = PERIODS_PER_PART) -> list[dict[str, Any]]:
    """A grid's columns after the first in parts of at most ``most`` (as even as they go: 13 → 7 + 6), each
    part with the first column again, so a grid over many periods is read part by part on the page
    rather than scrolled sideways; the sheet keeps the whole grid."""
    count = len(head) - 1
    parts = max(1, -(-count // most))
    size = -(-count // parts) if count else 0
    starts = range(1, count + 1, size) if size else [1]
    return [{"head": [head[0], *head[i:i + size]], "rows": [[r[0], *r[i:i + size]] for r in rows]} for i in starts]


def channel_rows(x: dict[str, Any]) -> list[list[str]]:
    rows = []
    per_unit, bought = ("cost_per_reach", "step_reach") if is_money(x) else ("objective_per_unit", "step_objective")
    for c in x["channels"]:
        m = c.get("marginal")
        lost = c["value_if_forced_off"] if c["on"] else c["value_if_forced_on"]
        rows.append(
            [c["label"], t("on_word") if c["on"] else t("off_word"), num(c["spend"]), sig(m and m["reach_per_unit"]),
             sig(m and m.get(per_unit)), sig(m and m["cost_per_customer"]), sig(m and m.get(bought)),
             lost_text(c["verdict"], lost), verdict_word(c["verdict"])])
    return rows


def sig(value: Any) -> str:
    """A figure rounded to what matters: whole above 100, else three significant digits."""
    if not is_number(value):
        return "—"
    if abs(value) >= 100 or value == 0:
        return num(value, 0)
    text = f"{value:,.{min(6, max(0, 2 - math.floor(math.log10(abs(value)))))}f}"
    return current().number(text.rstrip("0").rstrip(".") if "." in text else text)  # trailing zeros say nothing


def limit_rows(x: dict[str, Any], plan: dict[str, Any] | None = None) -> list[list[str]]:
    """The limits and what loosening each is worth (the verified re-solve's gain), rounded to what matters."""
    return [[limit_name(r, plan or {}), sig(r["limit"]), yes_no(r["binding"]), sig(r["step"]), sig(r["gain"]),
             sig(r["worth_per_unit"])] for r in x["limits"]]


def lp_rows(x: dict[str, Any], plan: dict[str, Any] | None = None) -> list[list[str]]:
    """The appendix of LP prices (duals with on/off fixed), beside the re-solve's worth per unit they differ from."""
    return [[limit_name(r, plan or {}), sig(r["worth_per_unit"]), sig(r["shadow_price"])] for r in x.get("limits") or []
            if is_number(r.get("shadow_price"))]


def lp_head() -> list[str]:
    return [t("explain.col_limit"), t("explain.col_per_unit"), t("explain.col_shadow")]


def alternative_rows(x: dict[str, Any]) -> list[list[str]]:
    return [
        [str(a["rank"]), _n(a["objective"]), _n(a["cost"]), verdict_word("tie") if a.get("tie") else _n(a["behind"]),
         " ".join(map(isolated, a["differs"])) or t("explain.same_channels")] for a in x["alternatives"]]


def markdown_sections(plan: dict[str, Any], table) -> list[str]:
    """Markdown lines of the explanation sections (``table`` renders a table)."""
    lines: list[str] = []
    x = plan.get("explain")
    if not x:
        return lines
    if x["channels"]:
        head = marginal_head(plan.get("currency") or "", is_money(x))
        lines += ([f"## {t('explain.why_title')}", ""] + table(head, channel_rows(x), list("lcrrrrrrl"))
                  + [""])
        lines += [f"- {why_of(x, c)}" for c in x["channels"]] + [""]
    grid = period_grid(x, period_names(plan))
    if grid:
        title, note = periods_words(x)
        lines += [f"## {t(title)}", "", f"_{t(note)}_", ""]
        lines += table(grid["head"], grid["rows"], list("l" + "r" * (len(grid["head"]) - 1))) + [""]
    if x["limits"]:
        lines += [f"## {t('explain.limits_title')}", "", f"_{t('explain.limits_note')}_", ""]
        lines += table(limit_head(), limit_rows(x, plan), list("lrcrrr")) + [""]
    if x["alternatives"]:
        lines += ([f"## {t('explain.alternatives_title')}", ""]
                  + table(alternative_head(), alternative_rows(x), list("rrrrl")) + [""])
    if x.get("conflict"):
        conflict = said_conflict(x["conflict"], plan)
        lines += [f"## {t('explain.conflict_title')}", "", t("explain.conflict_intro"), ""]
        lines += [f"- {r}" for r in conflict["rules"]] + [""]
        lines += [f"- {t('explain.repair', change=r['change'])}" for r in conflict["repairs"]] + [""]
    if lp_rows(x, plan):
        lines += [f"## {t('explain.lp_title')}", "", t("explain.lp_note"), ""]
        lines += table(lp_head(), lp_rows(x, plan), list("lrr")) + [""]
    return lines


def curve_svg(c: dict[str, Any], currency: str = "") -> str:
    """One channel's response curve as inline SVG: the range the plan may use shaded, the
    optimised (green) and current (red) spends marked."""
    width, height, left, bottom, top, right = 320, 190, 40, 34, 24, 12
    pw, ph = width - left - right, height - top - bottom
    xmax = c["points"][-1][0] or 1.0

    def sx(x: float) -> float:
        return left + x / xmax * pw

    def sy(y: float) -> float:
        return top + ph - y * ph

    path = " ".join(f"{'M' if i == 0 else 'L'}{sx(x):.1f},{sy(y):.1f}" for i, (x, y) in enumerate(c["points"]))
    lo, hi = sx(min(c["lo"], xmax)), sx(min(c["hi"], xmax))
    out = [
        f'<svg viewBox="0 0 {width} {height}" class="curve-svg" role="img" direction="ltr" '
        f'aria-label="{escape(t("explain.curve_of", label=c["label"]))}" font-size="12" font-family="system-ui, '
        'sans-serif">',
        f'<text x="{left}" y="14" font-weight="bold">{escape(c["label"])}</text>',
        f'<rect x="{lo:.1f}" y="{top}" width="{max(hi - lo, 0):.1f}" height="{ph}" '
        f'fill="#dbe9f4"><title>{escape(t("explain.curve_range"))}'
        f"</title></rect>",
        f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="#888"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="#888"/>',
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{num(1)}</text>',
        f'<text x="{left - 4}" y="{top + ph}" text-anchor="end">{num(0)}</text>',
        f'<text x="{left + pw}" y="{height - 18}" text-anchor="end">{escape(num(xmax, 0))} {escape(currency)}</text>',
        f'<text x="{left + pw / 2:.1f}" y="{height - 4}" text-anchor="middle">{escape(t("explain.curve_axis"))}</text>',
        f'<path d="{path}" fill="none" stroke="#1f5f8b" stroke-width="2"/>',
    ]
    marks = [(c["spend"], "#2e7d32", t("explain.curve_optimised"))] if c["on"] else []
    if c.get("current_spend") is not None:
        marks.append((c["current_spend"], "#c0504d", t("explain.curve_current")))
    for spend, colour, name in marks:
        y = _level(c["points"], spend)
        out.append(f'<circle cx="{sx(min(spend, xmax)):.1f}" cy="{sy(y):.1f}" r="4.5" fill="{colour}">'
                   f'<title>{name}: {escape(num(spend, 0))}</title></circle>')
    out.append("</svg>")
    return "".join(out)


def _level(points: list[list[float]], x: float) -> float:
    """The curve between samples (linear), for placing a mark."""
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        if x0 <= x <= x1:
            return y0 + (y1 - y0) * ((x - x0) / (x1 - x0) if x1 > x0 else 0.0)
    return points[-1][1]


def html_context(plan: dict[str, Any]) -> dict[str, Any]:
    """What the ``_explain.html.j2`` partial shows (empty lists hide its sections)."""
    x = plan.get("explain") or {}
    context = baseline_context(plan)
    return {"baseline": context, "baseline_periods": context["periods"] if context else None,
            "periods": period_grid(x, period_names(plan)),
            "periods_words": [t(key) for key in periods_words(x)],
            "channels": {"head": marginal_head(plan.get("currency") or "", is_money(x)), "rows": channel_rows(x),
                         "why": [why_of(x, c) for c in x["channels"]]}
            if x.get("channels") else None, "limits": {"head": limit_head(), "rows": limit_rows(x, plan)}
            if x.get("limits") else None, "lp": {"head": lp_head(), "rows": lp_rows(x, plan)} if lp_rows(x, plan)
            else None, "alternatives": {"head": alternative_head(), "rows": alternative_rows(x)}
            if x.get("alternatives") else None,
            "conflict": said_conflict(x["conflict"], plan) if x.get("conflict") else None,
            "curves": [curve_svg(c, plan.get("currency", "")) for c in x.get("curves", [])]}


def excel_sheet(wb, plan: dict[str, Any], write_table, finish, rtl: bool = False) -> None:
    """An 'Explain' sheet with every section as a table, numbers kept as numbers (the
    sheet helpers are passed in, so this module does not import the Excel one)."""
    x = plan.get("explain")
    if not plan.get("baseline") and not x:
        return
    ws = wb.create_sheet(t("explain.sheet"))
    row = 1
    sections = []
    b = plan.get("baseline")
    if b:
        sections.append(
            (t("baseline.title"), baseline_head(plan.get("currency") or ""),
             [[r["label"], r["current"], r["optimised"], r["change"], r.get("current_reach"), r.get("optimised_reach")]
              for r in baseline_figures(plan)]))
    if b and b.get("periods"):
        sections.append(
            (t("baseline.periods_title"), baseline_period_head(),
             [[p["label"], p["current_cost"], p["optimised_cost"], p["current_objective"], p["optimised_objective"]]
              for p in b["periods"]]))
    if x:
        sections.append(
            (t("channels"), [*marginal_head(plan.get("currency") or ""), t("explain.col_why")],
             [
                 [c["label"], c["on"], c["spend"],
                  *(_m(c, k) for k in ("reach_per_unit", "objective_per_unit", "cost_per_customer", "step_objective")),
                  c["value_if_forced_off"] if c["on"] else c["value_if_forced_on"], verdict_word(c["verdict"]),
                  why_of(x, c)] for c in x["channels"]]))
        grid = period_grid(x, period_names(plan))
        if grid:
            sections.append((t(periods_words(x)[0]), grid["head"], grid["values"]))
        sections.append(
            (t("explain.limits_short"), limit_head(),
             [[limit_name(r, plan), r["limit"], r["binding"], r["step"], r["gain"], r["worth_per_unit"]]
              for r in x["limits"]]))
        sections.append(
            (t("explain.lp_title"), lp_head(), [[limit_name(r, plan), r["worth_per_unit"], r["shadow_price"]]
                                                for r in x["limits"] if is_number(r.get("shadow_price"))]))
        sections.append(
            (t("explain.alternatives_short"), alternative_head(),
             [[a["rank"], a["objective"], a["cost"], a["behind"], " ".join(a["differs"])] for a in x["alternatives"]]))
    for title, head, rows in sections:
        ws.cell(row=row, column=1, value=title)
        row = write_table(ws, row + 1, head, rows) + 2
    finish(ws, rtl, freeze=None)


def _m(c: dict[str, Any], key: str) -> Any:
    return (c.get("marginal") or {}).get(key)
