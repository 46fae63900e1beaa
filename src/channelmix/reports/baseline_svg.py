"""Inline SVG of today's plan beside the optimised one, channel by channel: two bars each (today
above, optimised below, on one spend scale) and the change written at the end of the row — the
chart Meridian's optimisation report and Robyn's one-pager put beside the table.  It scales with
the page (a viewBox, no fixed width); the key to the colours is HTML beside it."""

from __future__ import annotations

from html import escape
from typing import Any

from .common import num

TODAY = "#94a3b8"
OPTIMISED = "#0f766e"
ROW = 46  # px of the viewBox per channel: label, then two bars


def baseline_svg(figures: list[dict[str, Any]]) -> str:
    """The channels of :func:`~channelmix.reports.explain_sections.baseline_figures` as paired bars ("" without any)."""
    rows = [r for r in figures if r["kind"] == "channel"]
    if not rows:
        return ""
    width, left, right = 640, 8, 96
    plot = width - left - right
    top = max(max(r["current"], r["optimised"]) for r in rows) or 1.0
    height = ROW * len(rows) + 8
    parts = [f'<svg class="chart baseline-chart" viewBox="0 0 {width} {height}" role="img" '
             f'preserveAspectRatio="xMinYMin meet" style="width:100%;height:auto">']
    for i, r in enumerate(rows):
        y = 4 + i * ROW
        parts.append(f'<text x="{left}" y="{y + 11}" font-size="12" fill="#1e293b" dir="auto">'
                     f'{escape(r["label"])}</text>')
        for k, (key, colour) in enumerate((("current", TODAY), ("optimised", OPTIMISED))):
            w = plot * r[key] / top
            parts.append(f'<rect x="{left}" y="{y + 16 + k * 13}" width="{w:.1f}" height="11" fill="{colour}">'
                         f'<title>{num(r[key])}</title></rect>')
        change = r["change"]
        sign = "+" if change > 0.5 else ""
        colour = "#15803d" if change > 0.5 else "#b91c1c" if change < -0.5 else "#64748b"
        parts.append(f'<text x="{width - 4}" y="{y + 36}" font-size="12" text-anchor="end" fill="{colour}" '
                     f'direction="ltr" unicode-bidi="isolate">{sign}{num(change)}</text>')
    parts.append("</svg>")
    return "".join(parts)


__all__ = ["baseline_svg", "TODAY", "OPTIMISED"]
