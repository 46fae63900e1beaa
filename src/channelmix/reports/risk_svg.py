"""Inline SVG of a plan's objective over its worlds: a histogram, a tick per world under
it, and the mean, 5th and 95th percentiles and the worst world marked (the key to the
marks is HTML beside the chart, as for the other charts: no words inside the SVG)."""

from __future__ import annotations

import math
from html import escape

import numpy as np

from .common import auto, num
from .svg import GRID, INK, MARGINAL, MUTED, OBJECTIVE, axis_labels, nice_ticks

MARKS = {"mean": (INK, ""), "p5": (MUTED, "5 3"), "p95": (MUTED, "5 3"), "worst": (MARGINAL, "")}
BAR = "#99d5cb"


def bins_of(values: list[float], ticks: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """(counts, edges): about √W bins (5 to 20) over the tick range."""
    count = int(min(20, max(5, round(math.sqrt(len(values))))))
    edges = np.linspace(ticks[0], ticks[-1], count + 1)
    counts, _ = np.histogram(np.asarray(values, dtype=float), bins=edges)
    return counts, edges


def histogram_svg(values: list[float], marks: dict[str, float], narrow: bool = False) -> str:
    """The histogram of ``values`` with a vertical line at each of ``marks`` (mean, p5, p95, worst);
    ``narrow``: the phone's drawing, about 1:1 on a 390 px screen."""
    width, height = (360, 220) if narrow else (640, 220)
    left, right, top, bottom = 44, 16, 14, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    xs = [float(v) for v in values]
    ticks = nice_ticks(min(xs), max(xs), 4 if narrow else 5)
    counts, edges = bins_of(xs, ticks)
    x0, x1 = ticks[0], ticks[-1]
    tallest = int(counts.max()) if len(counts) else 1
    y_ticks = [k for k in nice_ticks(0, tallest, 4) if float(k).is_integer()] or [0, tallest]

    def sx(x: float) -> float:
        return left + (x - x0) / ((x1 - x0) or 1.0) * plot_w

    def sy(n: float) -> float:
        return top + plot_h - n / (y_ticks[-1] or 1) * plot_h

    out = [
        f'<svg viewBox="0 0 {width} {height}" class="risk-svg {"narrow" if narrow else "wide"}" direction="ltr" '
        f'role="img" aria-label="histogram of {len(xs)} worlds" '
        f'font-family="system-ui, -apple-system, Segoe UI, Roboto, Noto Sans, DejaVu Sans, sans-serif" font-size="12">']
    for k in y_ticks:
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{sy(k):.1f}" y2="{sy(k):.1f}" stroke="{GRID}"/>')
        out.append(f'<text x="{left - 6}" y="{sy(k) + 4:.1f}" text-anchor="end" fill="{MUTED}">{num(int(k))}</text>')
    for n, a, b in zip(counts, edges, edges[1:]):
        if n:
            out.append(
                f'<rect class="bin" x="{sx(a) + 1:.1f}" y="{sy(n):.1f}" width="{max(sx(b) - sx(a) - 2, 1):.1f}" '
                f'height="{sy(0) - sy(n):.1f}" fill="{BAR}"><title>{auto(a)} – {auto(b)}: {num(int(n))}</title></rect>'
            )
    base = top + plot_h
    for v in xs:  # a rug: one tick per world
        out.append(f'<line class="world" x1="{sx(v):.1f}" x2="{sx(v):.1f}" y1="{base + 2}" y2="{base + 9}" '
                   f'stroke="{OBJECTIVE}"/>')
    out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{base}" y2="{base}" stroke="{MUTED}"/>')
    for tick, text in zip(ticks, axis_labels(ticks)):
        out.append(f'<text x="{sx(tick):.1f}" y="{base + 24}" text-anchor="middle" fill="{INK}">{text}</text>')
    for key, value in marks.items():
        colour, dash = MARKS[key]
        x = sx(float(value))
        out.append(f'<line class="mark mark-{key}" x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{base}" stroke="{colour}" '
                   f'stroke-width="2"{f" stroke-dasharray={chr(34)}{dash}{chr(34)}" if dash else ""}>'
                   f'<title>{escape(key)} {auto(value)}</title></line>')
    out.append("</svg>")
    return "".join(out)


