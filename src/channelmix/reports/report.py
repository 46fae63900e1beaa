"""Where the CLI and the batch find the output writers: a name kept for imports. The
writers live in the report package, with the reports: :mod:`channelmix.reports.output`
(JSON, CSV, file names, atomic writes) and :mod:`channelmix.reports.terminal`."""

from __future__ import annotations

from typing import Any

from .output import (
    MAX_STEM_BYTES,
    RESERVED,
    atomic_write,
    file_stem,
    rows_as_json,
    tables,
    to_json,
    unique_stem,
    write_atomic,
    write_collection,
    write_outputs,
)


def print_table(*args: Any, **kwargs: Any) -> Any:
    """:func:`channelmix.reports.terminal.print_table`, imported when first used (it loads rich)."""
    from .terminal import print_table as show

    return show(*args, **kwargs)


def render(*args: Any, **kwargs: Any) -> Any:
    """:func:`channelmix.reports.terminal.render`, imported when first used (it loads rich)."""
    from .terminal import render as show

    return show(*args, **kwargs)


__all__ = ["MAX_STEM_BYTES", "RESERVED", "atomic_write", "file_stem", "print_table", "render", "rows_as_json", "tables",
           "to_json", "unique_stem", "write_atomic", "write_collection", "write_outputs"]
