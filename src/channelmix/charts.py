"""Charts drawn with matplotlib (no screen needed): the frontier of a sweep."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, never a window

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from .plan import SOLVED  # noqa: E402


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
    left.legend(lines, [ln.get_label() for ln in lines], loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, frameon=False)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, format=out.suffix.lstrip(".") or "png")
    plt.close(fig)
    return out
