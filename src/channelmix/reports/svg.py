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
                 marginal_title: str | None = None, today: tuple[float, float, str] | None = None,
                 narrow: bool = False) -> str:
    """Objective against the swept value (one line per series) and, for a single series, the
    marginal value of the next unit as a step line on a second axis; the knee marked.

    ``points``: ``{x, objective, marginal, knee, series, tip}`` for each solved step; ``marks``:
    (x, label) drawn as labelled vertical lines (today's budget, what today's plan spends); ``today``:
    (money, objective, tip) of today's plan, drawn as a hollow diamond where it sits against the frontier;
    ``narrow``: the phone's drawing (the page shows one of the two by the screen's width)."""
    points = [p for p in points if is_number(p.get("x")) and is_number(p.get("objective"))]
    if not points:
        return ""
    series = list(dict.fromkeys(p.get("series", "") for p in points))
    single = len(series) == 1
    marks = [(float(x), label) for x, label in marks or [] if is_number(x)]
    today = today if today is not None and is_number(today[0]) and is_number(today[1]) else None
    f = _Frame(points + ([{"x": today[0], "objective": today[1]}] if today else []), marks, single, narrow)
    out = [
        f'<svg viewBox="0 0 {f.width} {f.height}" class="frontier-svg {"narrow" if narrow else "wide"}" '
        'direction="ltr" '
        f'role="img" aria-label="{escape(y_title)} against {escape(x_title)}" '
        f'font-family="system-ui, -apple-system, Segoe UI, Roboto, Noto Sans, DejaVu Sans, sans-serif" font-size="12">'
    ]
    out += _axes(f, x_title, y_title)
    out += _marginal_steps(f, points, marginal_title)
    out += _mark_lines(f, marks)
    if single:  # with worlds: the band from the 5th to the 95th percentile of each step's plan
        out.append(band_path(points, f.sx, f.sy))
    out += _objective_lines(f, points, series)
    if today is not None:
        x, y, r = f.sx(today[0]), f.sy(today[1]), 7
        out.append(f'<path class="today-point" d="M{x:.1f} {y - r:.1f}L{x + r:.1f} {y:.1f}L{x:.1f} {y + r:.1f}'
                   f'L{x - r:.1f} {y:.1f}Z" fill="#fff" stroke="{INK}" stroke-width="2">'
                   f'<title>{escape(today[2])}</title></path>')
    out.append("</svg>")
    return "".join(out)


class _Frame:
    """The frontier chart's plot area and scales: x (the swept value), y (the objective) and,
    for a single series, m (the marginal value, on the right axis)."""

    width, height = 760, 340
    left, right, top, bottom = 72, 72, 18, 52

    def __init__(self, points: list[dict[str, Any]], marks: list[tuple[float, str]], single: bool,
                 narrow: bool = False) -> None:
        if narrow:  # a phone's: drawn about 1:1 on a 390 px screen, so its 12 px text stays 11 px or more
            self.width, self.height, self.left, self.right = 360, 300, 56, 56
        count = 4 if narrow else 5
        self.plot_w, self.plot_h = self.width - self.left - self.right, self.height - self.top - self.bottom
        xs = [float(p["x"]) for p in points]
        ys = [float(p["objective"]) for p in points] + [float(p[k]) for p in points for k in ("p5", "p95")
                                                        if is_number(p.get(k))]
        self.x_ticks = nice_ticks(min(xs + [x for x, _ in marks]), max(xs + [x for x, _ in marks]), count)
        self.y_ticks = nice_ticks(min(ys), max(ys), count)
        margins = [float(p["marginal"]) for p in points if is_number(p.get("marginal"))] if single else []
        self.m_ticks = nice_ticks(min(0.0, *margins), max(0.0, *margins), count) if margins else []

    def sx(self, x: float) -> float:
        x0, x1 = self.x_ticks[0], self.x_ticks[-1]
        return self.left + (x - x0) / ((x1 - x0) or 1.0) * self.plot_w

    def sy(self, y: float) -> float:
        y0, y1 = self.y_ticks[0], self.y_ticks[-1]
        return self.top + self.plot_h - (y - y0) / ((y1 - y0) or 1.0) * self.plot_h

    def sm(self, m: float) -> float:
        m0, m1 = self.m_ticks[0], self.m_ticks[-1]
        return self.top + self.plot_h - (m - m0) / ((m1 - m0) or 1.0) * self.plot_h


def _axes(f: _Frame, x_title: str, y_title: str) -> list[str]:
    """The grid, both axes' ticks and their titles."""
    left, top, plot_w, plot_h = f.left, f.top, f.plot_w, f.plot_h
    out = []
    for t, text in zip(f.y_ticks, axis_labels(f.y_ticks)):
        y = f.sy(t)
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        out.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" fill="{OBJECTIVE}">{text}</text>')
    for t, text in zip(f.x_ticks, axis_labels(f.x_ticks)):
        x = f.sx(t)
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top + plot_h}" y2="{top + plot_h + 5}" stroke="{MUTED}"/>')
        out.append(f'<text x="{x:.1f}" y="{top + plot_h + 19}" text-anchor="middle" fill="{INK}">{text}</text>')
    out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="{MUTED}"/>')
    out.append(f'<text x="{left + plot_w / 2:.1f}" y="{f.height - 8}" text-anchor="middle" fill="{INK}" '
               f'font-weight="600">{escape(x_title)}</text>')
    out.append(f'<text transform="translate(16 {top + plot_h / 2:.1f}) rotate(-90)" text-anchor="middle" '
               f'fill="{OBJECTIVE}" font-weight="600">{escape(y_title)}</text>')
    return out


def _marginal_steps(f: _Frame, points: list[dict[str, Any]], title: str | None) -> list[str]:
    """The marginal value: a step line on the right axis (a single series only)."""
    if not f.m_ticks:
        return []
    out = []
    for t, text in zip(f.m_ticks, axis_labels(f.m_ticks)):
        out.append(f'<text x="{f.left + f.plot_w + 8}" y="{f.sm(t) + 4:.1f}" fill="{MARGINAL}">{text}</text>')
    out.append(f'<text transform="translate({f.width - 14} {f.top + f.plot_h / 2:.1f}) rotate(90)" '
               f'text-anchor="middle" fill="{MARGINAL}" font-weight="600">'
               f'{escape(title or i18n.t("column.marginal"))}</text>')
    steps = []
    ordered = sorted(points, key=lambda p: float(p["x"]))
    for before, after in zip(ordered, ordered[1:]):
        if is_number(after.get("marginal")):
            y = f.sm(float(after["marginal"]))
            steps.append(f'M{f.sx(float(before["x"])):.1f},{y:.1f}H{f.sx(float(after["x"])):.1f}')
    if steps:
        out.append(f'<path class="marginal-line" d="{"".join(steps)}" fill="none" stroke="{MARGINAL}" '
                   f'stroke-width="2" stroke-dasharray="6 4"/>')
    return out


def _mark_lines(f: _Frame, marks: list[tuple[float, str]]) -> list[str]:
    """Today's value (and today's plan's money): labelled vertical lines; the labels stacked at the
    foot of the plot (a rising frontier leaves it empty), on a white halo, right of the line unless
    near the edge."""
    out = []
    for j, (x, label) in enumerate(sorted(marks, reverse=True)):
        out.append(f'<line class="today-line" x1="{f.sx(x):.1f}" x2="{f.sx(x):.1f}" y1="{f.top}" '
                   f'y2="{f.top + f.plot_h}" stroke="{INK}" stroke-width="1.5" stroke-dasharray="2 3"/>')
        anchor = "end" if f.sx(x) > f.left + f.plot_w * 0.75 else "start"
        shift = -5 if anchor == "end" else 5
        out.append(f'<text class="today-label" x="{f.sx(x) + shift:.1f}" y="{f.top + f.plot_h - 8 - 16 * j:.1f}" '
                   f'text-anchor="{anchor}" fill="{INK}" font-weight="600" stroke="#fff" stroke-width="4" '
                   f'paint-order="stroke">{escape(label)}</text>')
    return out


def _objective_lines(f: _Frame, points: list[dict[str, Any]], series: list[str]) -> list[str]:
    """The objective: a line per series, a dot per step with a tooltip, the knee circled."""
    out = []
    for i, name in enumerate(series):
        colour = series_colour(i)
        line = sorted((p for p in points if p.get("series", "") == name), key=lambda p: float(p["x"]))
        coords = " ".join(f'{f.sx(float(p["x"])):.1f},{f.sy(float(p["objective"])):.1f}' for p in line)
        out.append(f'<polyline class="objective-line" points="{coords}" fill="none" stroke="{colour}" '
                   f'stroke-width="2.5" stroke-linejoin="round"/>')
        for p in line:
            x, y = f.sx(float(p["x"])), f.sy(float(p["objective"]))
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#fff" stroke="{colour}" stroke-width="2">'
                       f'<title>{escape(p.get("tip", ""))}</title></circle>')
            if p.get("knee"):
                out.append(f'<circle class="knee" cx="{x:.1f}" cy="{y:.1f}" r="9" fill="none" stroke="{INK}" '
                           f'stroke-width="1.5"/>')
                out.append(f'<text x="{x:.1f}" y="{y - 14:.1f}" text-anchor="middle" fill="{INK}" '
                           f'font-weight="600">{escape(i18n.t("column.knee"))}</text>')
    return out


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
    ordered = sorted((p for p in points if p.get("p5") is not None and p.get("p95") is not None),
                     key=lambda p: float(p["x"]))
    if len(ordered) < 2:
        return ""
    upper = [f"{sx(float(p['x'])):.1f},{sy(float(p['p95'])):.1f}" for p in ordered]
    lower = [f"{sx(float(p['x'])):.1f},{sy(float(p['p5'])):.1f}" for p in reversed(ordered)]
    path = " L".join(upper + lower)
    return f'<path class="risk-band" d="M{path} Z" fill="{OBJECTIVE}" fill-opacity="0.15" stroke="none"/>'
