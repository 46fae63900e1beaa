"""Today's plan beside the optimised one, channel by channel, as HTML bars: two bars each (today
above, optimised below, on one spend scale) and the change at the end of the row — the chart
Meridian's optimisation report and Robyn's one-pager put beside the table.  HTML rather than SVG so
its words keep the page's own size on a phone and the page's direction in a right-to-left report;
the key to the colours is the caption beside it."""

from __future__ import annotations

from html import escape
from typing import Any

from .common import num


def baseline_chart(figures: list[dict[str, Any]]) -> str:
    """The channels of :func:`~channelmix.reports.baseline.baseline_figures` as paired bars ("" without any)."""
    rows = [r for r in figures if r["kind"] == "channel"]
    if not rows:
        return ""
    top = max(max(r["current"], r["optimised"]) for r in rows) or 1.0
    items = []
    for r in rows:
        change = r["change"]
        way = "up" if change > 0.5 else "down" if change < -0.5 else "same"
        sign = "+" if way == "up" else ""
        items.append(
            f'<li><span class="pair-label" dir="auto">{escape(r["label"])}</span>'
            f'<span class="pair-change {way}"><bdi>{sign}{num(change)}</bdi></span>'
            f'<span class="pair-track"><span class="pair-bar today" style="width: {100 * r["current"] / top:.2f}%" '
            f'title="{num(r["current"])}"></span></span>'
            f'<span class="pair-track"><span class="pair-bar optimised" '
            f'style="width: {100 * r["optimised"] / top:.2f}%" title="{num(r["optimised"])}"></span></span></li>')
    return f'<ol class="pair-bars" id="baseline-chart">{"".join(items)}</ol>'


__all__ = ["baseline_chart"]
