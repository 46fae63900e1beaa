"""Reports to share and act on, rendered from the plan dict (the JSON of
``channelmix solve --format json``), so a saved result can be reported without solving:

- HTML: one self-contained page per plan (headline, allocation chart, phase × segment
  coverage heatmap, binding rules in plain words, warnings, tables), or per sweep /
  comparison / batch (frontier chart and table, spends per channel, each plan's headline);
- Markdown: the same headline and tables for a README or a ticket;
- Excel: a sheet per view, numbers kept as numbers.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.atomic import write_atomic
from ..core.filenames import file_stem
from ..verify.reachable import most_reachable, report_facts
from .i18n import LANGUAGES, report_language, t, using

_RENDERERS = {"collection_html": "html", "plan_html": "html", "collection_markdown": "markdown",
              "plan_markdown": "markdown", "collection_workbook": "excel", "plan_workbook": "excel"}


def __getattr__(name: str) -> Any:
    """The renderers, imported when first used (jinja2 and openpyxl are not needed to
    print a plan in the terminal or write its JSON)."""
    if name in _RENDERERS:
        import importlib

        return getattr(importlib.import_module(f".{_RENDERERS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

if TYPE_CHECKING:
    import pandas as pd

KINDS = {"html": "html", "md": "md", "markdown": "md", "xlsx": "xlsx", "excel": "xlsx"}

__all__ = ["KINDS", "LANGUAGES", "collection_html", "collection_markdown", "collection_workbook", "most_reachable",
           "plan_html", "plan_markdown", "plan_workbook", "report_facts", "report_language", "report_path", "t",
           "using", "write_report"]


def report_path(kind: str, out_dir: Path, name: str) -> Path:
    """``<out_dir>/<name as a file stem>.<html|md|xlsx>``."""
    if kind not in KINDS:
        raise ValueError(f"unknown report kind {kind!r}: choose html, md or xlsx")
    return Path(out_dir) / f"{file_stem(name)}.{KINDS[kind]}"


def write_report(kind: str, out_dir: Path, plan: dict[str, Any] | None = None, *, title: str | None = None,
                 table: "pd.DataFrame | None" = None, plans: list[dict[str, Any]] | None = None,
                 varied: list[str] | None = None, language: str | None = None,
                 diff: tuple[str, str] | None = None, heading: tuple[str, dict[str, Any]] | None = None) -> Path:
    """Write one report, atomically: of ``plan`` if given, else of ``table`` and ``plans``
    (a sweep when ``varied`` names the swept paths; ``diff`` names two of the plans to set
    side by side, as ``compare --diff``), in ``language`` (else the plans' own).
    The file is named after the scenario or the title; the page is headed ``heading`` (a catalogue key
    and its values, said in the report's language) when given, else the title. Returns its path."""
    with using(report_language(language, [plan] if plan is not None else list(plans or []))):
        return _write_report(kind, Path(out_dir), plan, title=title, table=table, plans=plans, varied=varied, diff=diff,
                             shown=t(heading[0], **heading[1]) if heading else None)


def _write_report(kind: str, out_dir: Path, plan: dict[str, Any] | None, *, title: str | None,
                  table: "pd.DataFrame | None", plans: list[dict[str, Any]] | None, varied: list[str] | None,
                  diff: tuple[str, str] | None = None, shown: str | None = None) -> Path:
    from .excel import collection_workbook, plan_workbook
    from .html import collection_html, plan_html
    from .markdown import collection_markdown, plan_markdown

    out_dir.mkdir(parents=True, exist_ok=True)
    if plan is not None:
        path = report_path(kind, out_dir, plan.get("scenario") or "plan")
        if KINDS[kind] == "xlsx":
            return plan_workbook(plan, path)
        text = plan_html(plan) if KINDS[kind] == "html" else plan_markdown(plan)
        return write_atomic(path, text)
    if table is None:
        raise ValueError("write_report needs a plan, or a table (and plans) of many")
    title = title or "report"
    plans = plans or []
    path = report_path(kind, out_dir, title)
    if KINDS[kind] == "xlsx":
        return collection_workbook(shown or title, table, plans, path, varied)
    text = (collection_html if KINDS[kind] == "html" else collection_markdown)(shown or title, table, plans, varied,
                                                                                diff=diff)
    return write_atomic(path, text)
