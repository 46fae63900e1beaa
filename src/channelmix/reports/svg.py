"""Inline SVG and colours for the HTML reports, drawn by hand: no matplotlib, no fonts
embedded, no text but numbers and plain axis names (labels stay in HTML, where the
browser shapes and orders right-to-left scripts)."""

from __future__ import annotations

import math
from html import escape
from typing import Any

from ..model.solution import SOLVED
from . import i18n
from .common import auto, is_number, num

INK = "#1e293b"
MUTED = "#64748b"
GRID = "#e2e8f0"
OBJECTIVE = "#0f766e"
MARGINAL = "#c2410c"

# coverage 0 → 1: pale slate, through teal, to deep teal
_STOPS = [(0.0, (241, 245, 249)), (0.25, (204, 235, 229)), (0.5, (122, 199, 186)), (0.75, (32, 148, 137)),
          (1.0, (17, 94, 89))]


def heat_colour(level: float) -> tuple[str, str]:
    """Background and text colour of a coverage cell at this level (0 to 1)."""
    level = min(1.0, max(0.0, level if is_number(level) else 0.0))
    for (a, ca), (b, cb) in zip(_STOPS, _STOPS[1:]):
        if level <= b:
            t = (level - a) / (b - a)
            rgb = tuple(round(x + (y - x) * t) for x, y in zip(ca, cb))
            break
    background = "#{:02x}{:02x}{:02x}".format(*rgb)
    return background, ("#ffffff" if level > 0.6 else INK)


def legend_gradient() -> str:
    """A CSS linear-gradient of the heat scale, for the legend."""
    return "linear-gradient(to right, " + ", ".join(
        "#{:02x}{:02x}{:02x} {:.0f}%".format(*rgb, at * 100) for at, rgb in _STOPS) + ")"


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]."""
    if not (is_number(low) and is_number(high)):
        return [0.0, 1.0]
    if high == low:
        pad = abs(high) * 0.1 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / max(1, count)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


def compact(value: float) -> str:
    """An axis number: 1,500 / 25k / 90M."""
    if not is_number(value):
        return ""
    size = abs(value)
    for limit, unit, suffix in ((1e9, 1e9, "B"), (1e6, 1e6, "M"), (1e4, 1e3, "k")):
        if size >= limit:
            return auto(value / unit) + suffix
    return auto(value)


def axis_labels(ticks: list[float]) -> list[str]:
    """Tick labels in one unit for the whole axis: 0, 5k, 10k, not 0, 5,000, 10k."""
    biggest = max((abs(t) for t in ticks), default=0.0)
    for limit, unit, suffix in ((1e9, 1e9, "B"), (1e6, 1e6, "M"), (1e4, 1e3, "k")):
        if biggest >= limit:
            return [auto(t / unit) + (suffix if t else "") for t in ticks]
    return [auto(t) for t in ticks]


PALETTE = [OBJECTIVE, "#2563eb", "#9333ea", "#ca8a04", "#db2777", "#475569"]


def series_colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def frontier_svg(points: list[dict[str, Any]], x_title: str, y_title: str = "objective",
                 series_names: list[str] | None = None, marks: list[tuple[float, str]] | None = None,
                 marginal_title: str | None = None) -> str:
    """Objective against the swept value (one line per series) and, for a single series, the
    marginal value of the next unit as a step line on a second axis; the knee marked.

    ``points``: ``{x, objective, marginal, knee, series, tip}`` for each solved step; ``marks``:
    (x, label) drawn as labelled vertical lines (today's budget, what today's plan spends)."""
    width, height = 760, 340
    left, right, top, bottom = 72, 72, 18, 52
    plot_w, plot_h = width - left - right, height - top - bottom
    points = [p for p in points if is_number(p.get("x")) and is_number(p.get("objective"))]
    if not points:
        return ""
    series = list(dict.fromkeys(p.get("series", "") for p in points))
    single = len(series) == 1
    xs = [float(p["x"]) for p in points]
    ys = [float(p["objective"]) for p in points] + [float(p[k]) for p in points for k in ("p5", "p95") if is_number(p.get(k))]
    marks = [(float(x), label) for x, label in marks or [] if is_number(x)]
    x_ticks = nice_ticks(min(xs + [x for x, _ in marks]), max(xs + [x for x, _ in marks]))
    y_ticks = nice_ticks(min(ys), max(ys))
    x0, x1 = x_ticks[0], x_ticks[-1]
    y0, y1 = y_ticks[0], y_ticks[-1]
    margins = [float(p["marginal"]) for p in points if is_number(p.get("marginal"))] if single else []
    m_ticks = nice_ticks(min(0.0, *margins), max(0.0, *margins)) if margins else []

    def sx(x: float) -> float:
        return left + (x - x0) / ((x1 - x0) or 1.0) * plot_w

    def sy(y: float) -> float:
        return top + plot_h - (y - y0) / ((y1 - y0) or 1.0) * plot_h

    def sm(m: float) -> float:
        return top + plot_h - (m - m_ticks[0]) / ((m_ticks[-1] - m_ticks[0]) or 1.0) * plot_h

    out = [f'<svg viewBox="0 0 {width} {height}" class="frontier-svg" '
           f'role="img" aria-label="{escape(y_title)} against {escape(x_title)}" '
           f'font-family="system-ui, -apple-system, Segoe UI, Roboto, Noto Sans, DejaVu Sans, sans-serif" font-size="12">']
    # grid and axes
    for t, text in zip(y_ticks, axis_labels(y_ticks)):
        y = sy(t)
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        out.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" fill="{OBJECTIVE}">{text}</text>')
    for t, text in zip(x_ticks, axis_labels(x_ticks)):
        x = sx(t)
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top + plot_h}" y2="{top + plot_h + 5}" stroke="{MUTED}"/>')
        out.append(f'<text x="{x:.1f}" y="{top + plot_h + 19}" text-anchor="middle" fill="{INK}">{text}</text>')
    out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="{MUTED}"/>')
    out.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 8}" text-anchor="middle" fill="{INK}" '
               f'font-weight="600">{escape(x_title)}</text>')
    out.append(f'<text transform="translate(16 {top + plot_h / 2:.1f}) rotate(-90)" text-anchor="middle" '
               f'fill="{OBJECTIVE}" font-weight="600">{escape(y_title)}</text>')
    # marginal value: a step line on the right axis
    if m_ticks:
        for t, text in zip(m_ticks, axis_labels(m_ticks)):
            out.append(f'<text x="{left + plot_w + 8}" y="{sm(t) + 4:.1f}" fill="{MARGINAL}">{text}</text>')
        out.append(f'<text transform="translate({width - 14} {top + plot_h / 2:.1f}) rotate(90)" text-anchor="middle" '
                   f'fill="{MARGINAL}" font-weight="600">{escape(marginal_title or i18n.t("column.marginal"))}</text>')
        steps = []
        ordered = sorted(points, key=lambda p: float(p["x"]))
        for before, after in zip(ordered, ordered[1:]):
            if is_number(after.get("marginal")):
                y = sm(float(after["marginal"]))
                steps.append(f'M{sx(float(before["x"])):.1f},{y:.1f}H{sx(float(after["x"])):.1f}')
        if steps:
            out.append(f'<path class="marginal-line" d="{"".join(steps)}" fill="none" stroke="{MARGINAL}" '
                       f'stroke-width="2" stroke-dasharray="6 4"/>')
    # today's value (and today's plan's money): labelled vertical lines; the labels stacked at the
    # foot of the plot (a rising frontier leaves it empty), on a white halo, right of the line unless near the edge
    for j, (x, label) in enumerate(sorted(marks, reverse=True)):
        out.append(f'<line class="today-line" x1="{sx(x):.1f}" x2="{sx(x):.1f}" y1="{top}" y2="{top + plot_h}" '
                   f'stroke="{INK}" stroke-width="1.5" stroke-dasharray="2 3"/>')
        anchor = "end" if sx(x) > left + plot_w * 0.75 else "start"
        shift = -5 if anchor == "end" else 5
        out.append(f'<text class="today-label" x="{sx(x) + shift:.1f}" y="{top + plot_h - 8 - 16 * j:.1f}" '
                   f'text-anchor="{anchor}" fill="{INK}" font-weight="600" stroke="#fff" stroke-width="4" '
                   f'paint-order="stroke">{escape(label)}</text>')
    if single:  # with worlds: the band from the 5th to the 95th percentile of each step's plan
        out.append(band_path(points, sx, sy))
    # objective: a line per series, a dot per step with a tooltip
    for i, name in enumerate(series):
        colour = series_colour(i)
        line = sorted((p for p in points if p.get("series", "") == name), key=lambda p: float(p["x"]))
        coords = " ".join(f'{sx(float(p["x"])):.1f},{sy(float(p["objective"])):.1f}' for p in line)
        out.append(f'<polyline class="objective-line" points="{coords}" fill="none" stroke="{colour}" '
                   f'stroke-width="2.5" stroke-linejoin="round"/>')
        for p in line:
            x, y = sx(float(p["x"])), sy(float(p["objective"]))
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#fff" stroke="{colour}" stroke-width="2">'
                       f'<title>{escape(p.get("tip", ""))}</title></circle>')
            if p.get("knee"):
                out.append(f'<circle class="knee" cx="{x:.1f}" cy="{y:.1f}" r="9" fill="none" stroke="{INK}" '
                           f'stroke-width="1.5"/>')
                out.append(f'<text x="{x:.1f}" y="{y - 14:.1f}" text-anchor="middle" fill="{INK}" '
                           f'font-weight="600">knee</text>')
    out.append("</svg>")
    return "".join(out)


def sweep_points(table: Any, path: str, others: list[str], currency: str = "") -> list[dict[str, Any]]:
    """The frontier chart's points from a frontier table."""
    points = []
    for _, row in table.iterrows():
        if row.get("status") not in SOLVED:
            continue
        x, objective = row.get(path), row.get("objective")
        marginal = row.get("marginal")
        series = ", ".join(f"{o} {row.get(o)}" for o in others)
        tip = f"{path} {num(float(x)) if is_number(x) else x}: objective {auto(objective)}"
        if is_number(row.get("cost")):
            tip += f", cost {num(float(row['cost']))} {currency}".rstrip()
        if is_number(marginal):
            tip += f", marginal {num(float(marginal), 2)}"
        points.append({"x": x, "objective": objective, "marginal": marginal, "knee": bool(row.get("knee")),
                       "series": series, "tip": tip, "scenario": row.get("scenario")})
    return points


def band_path(points: list[dict[str, Any]], sx, sy) -> str:
    """The p5–p95 band of a frontier as an SVG path (points with ``x``, ``p5``, ``p95``), or ""."""
    ordered = sorted((p for p in points if p.get("p5") is not None and p.get("p95") is not None), key=lambda p: float(p["x"]))
    if len(ordered) < 2:
        return ""
    upper = [f"{sx(float(p['x'])):.1f},{sy(float(p['p95'])):.1f}" for p in ordered]
    lower = [f"{sx(float(p['x'])):.1f},{sy(float(p['p5'])):.1f}" for p in reversed(ordered)]
    return f'<path class="risk-band" d="M{" L".join(upper + lower)} Z" fill="{OBJECTIVE}" fill-opacity="0.15" stroke="none"/>'
