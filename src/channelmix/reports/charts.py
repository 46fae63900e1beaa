"""Charts drawn with matplotlib (no screen needed): the frontier of a sweep."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, never a window

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from ..model.solution import SOLVED  # noqa: E402


def frontier_chart(frontier: pd.DataFrame, path: str, out: Path, title: str = "", currency: str = "") -> Path:
    """Objective and marginal value against the swept value; the knee marked. PNG or SVG by suffix."""
    solved = frontier[frontier["status"].isin(SOLVED)]
    fig, left = plt.subplots(figsize=(8, 4.5), dpi=120)
    x = solved[path].astype(float)
    left.plot(x, solved["objective"], marker="o", color="#1f5f8b", label="objective")
    left.set_xlabel(f"{path} ({currency})" if currency and path.startswith("budget") else path)
    left.set_ylabel("objective", color="#1f5f8b")
    right = left.twinx()
    right.step(x, solved["marginal"], where="pre", color="#c0504d", label="marginal value per unit")
    right.set_ylabel("marginal value per unit", color="#c0504d")
    knee = solved[solved["knee"].astype(bool)]
    for _, row in knee.iterrows():
        left.annotate("knee", (float(row[path]), float(row["objective"])), textcoords="offset points", xytext=(0, 12),
                      ha="center", arrowprops={"arrowstyle": "->"})
    left.grid(alpha=0.3)
    left.set_title(title or f"Frontier over {path}")
    lines = left.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    left.legend(lines, [ln.get_label() for ln in lines], loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2,
                frameon=False)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, format=out.suffix.lstrip(".") or "png")
    plt.close(fig)
    return out


def response_curves(scenario, plan, out_dir: Path, fmt: str = "svg") -> list[Path]:
    """One chart per spend-driven channel: its real response curve, the range the plan may
    use shaded, the optimised spend (and the current one, when the scenario names it)
    marked. Files <scenario>.<channel>.<png|svg> in ``out_dir``; returns their paths."""
    from ..analysis.explanation import curves
    from ..core.filenames import file_stem
    from ..schema.responses import reach

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for c in curves(scenario, plan):
        fig, ax = plt.subplots(figsize=(6, 3.6), dpi=120)
        xs, ys = [p[0] for p in c["points"]], [p[1] for p in c["points"]]
        ax.axvspan(c["lo"], c["hi"], color="#dbe9f4", label="range the plan may use")
        ax.plot(xs, ys, color="#1f5f8b", label="response (real curve)")
        for spend, colour, name in ((c["spend"], "#2e7d32", "optimised"), (c["current_spend"], "#c0504d", "current")):
            if spend is not None and (name == "current" or c["on"]):
                level = reach(scenario.channel(c["id"]).response, spend)
                ax.plot([spend], [level], marker="o", color=colour, linestyle="none", label=f"{name}: {spend:,.0f}")
        ax.set_xlabel(f"spend ({scenario.currency})" if scenario.currency else "spend")
        ax.set_ylabel("reach share")
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
        ax.set_title(c["label"])
        ax.legend(loc="lower right", fontsize=8)
        fig.tight_layout()
        path = out_dir / f"{file_stem(scenario.scenario)}.{file_stem(c['id'])}.{fmt}"
        fig.savefig(path, format=fmt)
        plt.close(fig)
        paths.append(path)
    return paths
