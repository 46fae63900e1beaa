"""Risk in the reports: a plan judged in every world (``plan["risk"]``, see
:mod:`channelmix.model.worlds`) and the robust plan beside the risk-neutral one.

* :func:`risk_view` — the figures (mean, p5, p95, worst, CVaR), the histogram of the
  objective over the worlds, the share of worlds in which each target cell is met, and
  with ``plan["risk_reference"]`` (the base plan judged in the same worlds, see
  :func:`~channelmix.verify.reachable.report_facts`) the trade-off between the two;
* :func:`collection_risk` — the same comparison among the plans of a comparison;
* :func:`risk_lines` (terminal) and :func:`risk_markdown` (Markdown); the HTML partial is
  ``templates/_risk.html.j2``, the Excel sheet :mod:`channelmix.reports.risk_excel`.

All words come from the locale files; figures are in the objective's own units.
"""

from __future__ import annotations

from typing import Any

from .claims import trade_claim
from .common import MAXIMISE, auto, is_number, num, pct
from .i18n import labels_of, t
from .risk_svg import histogram_svg
from .svg import heat_colour

FIGURES = ("mean", "p5", "p95", "worst", "cvar")


def figure_title(key: str, alpha: float) -> str:
    """"Mean", "5th percentile", … "CVaR 20 %" in the report language."""
    return t(f"risk.{key}", alpha=pct(alpha)) if key == "cvar" else t(f"risk.{key}")


def measure_text(measure: str | None) -> str:
    return t(f"risk.measure.{measure}") if measure in ("mean", "worst", "cvar") else t("risk.measure.none")


def _formatter(plan: dict[str, Any]):
    """Objective figures as the report writes them: money with its currency, reach as a count."""
    if (plan.get("sense") or "max_reach") == "max_reach":
        return auto
    currency = plan.get("currency") or ""
    return lambda x: f"{num(x, 0)} {currency}".strip() if is_number(x) else "—"


def risk_view(plan: dict[str, Any]) -> dict[str, Any] | None:
    """Everything the reports show about the plan's risk, formatted; None without worlds."""
    risk = plan.get("risk")
    if not isinstance(risk, dict) or not risk.get("objectives"):
        return None
    fmt = _formatter(plan)
    alpha = float(risk.get("alpha") or 0.1)
    se = risk.get("mc_se") or {}
    figures = [{"key": k, "title": figure_title(k, alpha), "value": risk[k], "se": se.get(k),
                "text": fmt(risk[k]) + (f" ± {fmt(se[k])}" if is_number(se.get(k)) else "")} for k in FIGURES]
    labels = labels_of(plan.get("phases"))
    segments = {g["id"]: g["label"] for g in plan.get("segments") or []}
    cells = []
    for c in risk.get("cell_target_probability") or []:
        bg, fg = heat_colour(c["probability"])
        cells.append(
            {"phase": c["phase"], "segment": c["segment"], "phase_label": labels.get(c["phase"], c["phase"]),
             "segment_label": segments.get(c["segment"], c["segment"]), "target": c["target"],
             "target_text": pct(c["target"]), "probability": c["probability"], "text": pct(c["probability"]), "bg": bg,
             "fg": fg})
    maximises = (plan.get("sense") or "max_reach") in MAXIMISE
    measure = risk.get("risk")
    mc = t("risk.mc", n=int(risk["worlds"]) - 1, total=int(risk["samples"])) if se and risk.get("samples") else ""
    intro = " ".join(p for p in (t("risk.intro", n=int(risk["worlds"]), measure=measure_text(measure)), mc) if p)
    reference = plan.get("risk_reference")
    trade = None
    if isinstance(reference, dict) and reference.get("objectives"):
        trade = trade_off(reference, risk, (plan.get("base") or {}).get("channels") or [], plan.get("channels") or [],
                          maximises, fmt, t("risk.base_plan"), t("risk.this_plan"))
    phases = [{**p, "label": labels[p["id"]]} for p in plan.get("phases") or []
              if any(c["phase"] == p["id"] for c in cells)]
    segs = [g for g in plan.get("segments") or [] if any(c["segment"] == g["id"] for c in cells)]
    return {
        "worlds": int(risk["worlds"]), "measure": measure, "measure_text": measure_text(measure), "alpha": alpha,
        "intro": intro, "mc": mc, "figures": figures, "objectives": list(risk["objectives"]), "format": fmt,
        "svg": "".join(histogram_svg(risk["objectives"], {k: risk[k] for k in ("mean", "p5", "p95", "worst")}, narrow)
                       for narrow in (False, True)),
        "cells": cells, "matrix": {(c["phase"], c["segment"]): c for c in cells}, "phases": phases, "segments": segs,
        "trade": trade, "maximises": maximises,
    }


def trade_off(neutral: dict[str, Any], robust: dict[str, Any], neutral_channels: list[dict[str, Any]],
              robust_channels: list[dict[str, Any]], maximises: bool, fmt, neutral_name: str,
              robust_name: str) -> dict[str, Any]:
    """The robust plan beside the risk-neutral one, judged in the same worlds: figures side by
    side, what the robust plan gives up on average and gains in the bad worlds, and the
    channels whose cost differs."""
    alpha = float(robust.get("alpha") or neutral.get("alpha") or 0.1)
    rows, numbers = [], []  # the table as text, and as numbers (a workbook keeps numbers)
    for key in ("mean", "p5", "worst", "cvar"):
        a, b = float(neutral[key]), float(robust[key])
        change = b - a
        numbers.append([figure_title(key, alpha), a, b, change])
        rows.append(
            [figure_title(key, alpha), fmt(a), fmt(b), ("+" if change > 0 else "")
             + fmt(change) if abs(change) > 1e-9 else "0"])
    claim = trade_claim(neutral, robust, maximises, fmt)
    sentence = claim.sentence
    n = int(robust.get("worlds") or 0)
    held = (neutral.get("rules_hold"), robust.get("rules_hold"))
    if all(isinstance(h, int) for h in held):
        numbers.append([t("risk.rules_hold"), held[0], held[1], held[1] - held[0]])
        rows.append([t("risk.rules_hold"), t("of_n_worlds", k=held[0], n=n), t("of_n_worlds", k=held[1], n=n),
                     ("+" if held[1] > held[0] else "") + num(held[1] - held[0])])
        if held[1] > held[0]:
            sentence += " " + t("risk.trade_rules", neutral=held[0], robust=held[1], n=n)
    labels = {c["id"]: c.get("label") or c["id"] for c in [*neutral_channels, *robust_channels]}
    before = {c["id"]: (bool(c.get("on")), float(c.get("cost") or 0.0)) for c in neutral_channels}
    after = {c["id"]: (bool(c.get("on")), float(c.get("cost") or 0.0)) for c in robust_channels}
    channels, channel_numbers = [], []
    for cid in dict.fromkeys([*before, *after]):
        (on_a, cost_a), (on_b, cost_b) = before.get(cid, (False, 0.0)), after.get(cid, (False, 0.0))
        if on_a != on_b or abs(cost_a - cost_b) > 0.5:
            channel_numbers.append([labels[cid], cost_a if on_a else t("off_word"), cost_b if on_b else t("off_word"),
                                    cost_b - cost_a])
            channels.append(
                [labels[cid], num(cost_a) if on_a else t("off_word"), num(cost_b) if on_b else t("off_word"),
                 ("+" if cost_b - cost_a > 0.5 else "") + num(cost_b - cost_a)])
    return {"head": [t("risk.figure"), neutral_name, robust_name, t("variant.change")], "rows": rows,
            "sentence": sentence, "channel_head": [t("channel"), neutral_name, robust_name, t("variant.change")],
            "channels": channels, "numbers": numbers, "channel_numbers": channel_numbers, "worlds": n,
            "loss": -claim.figures["mean"], "tail": claim.figures["cvar"], "worst_gain": claim.figures["worst"],
            "claim": claim}


def collection_risk(plans: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Risk figures of every plan of a comparison that carries them, and the robust plans
    (risk worst or cvar) beside the risk-neutral one (risk mean, else a plan only judged
    in the worlds) over as many worlds."""
    judged = [p for p in plans if isinstance(p.get("risk"), dict) and p["risk"].get("objectives")]
    if not judged:
        return None
    fmt = _formatter(judged[0])
    alpha = float(judged[0]["risk"].get("alpha") or 0.1)
    head = [t("column.scenario"), t("risk.measure"), t("risk.worlds"), *(figure_title(k, alpha) for k in FIGURES)]
    rows = [[p.get("scenario") or "", measure_text(p["risk"].get("risk")), num(p["risk"]["worlds"]),
             *(_formatter(p)(p["risk"][k]) for k in FIGURES)] for p in judged]
    neutral = next((p for p in judged if p["risk"].get("risk") == "mean"), None) or \
        next((p for p in judged if p["risk"].get("risk") is None), None)
    trades = []
    if neutral is not None:
        maximises = (neutral.get("sense") or "max_reach") in MAXIMISE
        for p in judged:
            if p["risk"].get("risk") in ("worst", "cvar") and p["risk"]["worlds"] == neutral["risk"]["worlds"] \
                    and p.get("sense") == neutral.get("sense"):
                trade = trade_off(neutral["risk"], p["risk"], neutral.get("channels") or [], p.get("channels") or [],
                                  maximises, fmt, neutral.get("scenario") or "", p.get("scenario") or "")
                trades.append(
                    {"title": t("risk.versus", robust=p.get("scenario") or "", neutral=neutral.get("scenario") or ""),
                     **trade})
    return {"head": head, "rows": rows, "trades": trades}


def with_band(points: list[dict[str, Any]], plans: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Frontier points with ``p5`` and ``p95`` of their step's plan when it was judged in worlds."""
    for p in points:
        risk = (plans.get(p.get("scenario")) or {}).get("risk")
        if isinstance(risk, dict) and is_number(risk.get("p5")) and is_number(risk.get("p95")):
            p["p5"], p["p95"] = float(risk["p5"]), float(risk["p95"])
    return points


# ---------------------------------------------------------------- terminal and Markdown


def risk_lines(plan: dict[str, Any]) -> list[str]:
    """A short risk summary for the terminal: the figures on one line, then the targets met
    in fewer than every world, then the trade-off against the base plan."""
    view = risk_view(plan)
    if view is None:
        return []
    figures = ", ".join(f"{f['title']} {f['text']}" for f in view["figures"])
    head = t("risk.line_measure", measure=view["measure"]) if view["measure"] else t("risk.line")
    lines = [f"{head} {t('risk.over', n=view['worlds'])}: {figures}"]
    if view["mc"]:
        lines.append(view["mc"])
    low = [c for c in view["cells"] if c["probability"] < 1]
    if low:
        lines.append(t("risk.targets_met") + " " + ", ".join(f"{c['phase_label']} × {c['segment_label']} {c['text']}"
                                                             for c in low[:6]))
    if view["trade"]:
        lines.append(view["trade"]["sentence"])
    return lines


def risk_markdown(plan: dict[str, Any], table) -> list[str]:
    """The risk section of a plan's Markdown report (``table`` renders a GitHub table)."""
    view = risk_view(plan)
    if view is None:
        return []
    lines = [f"## {t('risk.title')}", "", view["intro"], ""]
    lines += table([t("risk.figure"), t("objective")], [[f["title"], f["text"]] for f in view["figures"]],
                   ["l", "r"]) + [""]
    lines += [t("risk.per_world"), ""]
    lines += table([t("risk.world"), t("objective")],
                   [[num(w), view["format"](v)] for w, v in enumerate(view["objectives"])], ["r", "r"]) + [""]
    if view["cells"]:
        lines += [t("risk.cells_intro"), ""]
        rows = [
            [p["label"],
             *(view["matrix"][(p["id"], g["id"])]["text"] if (p["id"], g["id"]) in view["matrix"] else "—"
               for g in view["segments"])] for p in view["phases"]]
        lines += table([t("phase_segment"), *(g["label"] for g in view["segments"])], rows,
                       ["l"] + ["r"] * len(view["segments"])) + [""]
    if view["trade"]:
        lines += trade_markdown(view["trade"], table, f"### {t('risk.trade_title')}")
    return lines


def trade_markdown(trade: dict[str, Any], table, heading: str) -> list[str]:
    lines = [heading, "", trade["sentence"], ""] + table(trade["head"], trade["rows"], list("lrrr")) + [""]
    if trade["channels"]:
        lines += [t("risk.channels_differ"), ""] + table(trade["channel_head"], trade["channels"], list("lrrr")) + [""]
    return lines


def collection_markdown(plans: list[dict[str, Any]], table) -> list[str]:
    """The risk section of a comparison's Markdown report."""
    ctx = collection_risk(plans)
    if ctx is None:
        return []
    lines = ([f"## {t('risk.title')}", ""]
             + table(ctx["head"], ctx["rows"], ["l", "l"] + ["r"] * (len(ctx["head"]) - 2)) + [""])
    for trade in ctx["trades"]:
        lines += trade_markdown(trade, table, f"### {trade['title']}")
    return lines


__all__ = ["risk_view", "collection_risk", "with_band", "risk_lines", "risk_markdown", "collection_markdown",
           "trade_off"]
