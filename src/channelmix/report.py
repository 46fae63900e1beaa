"""Where the CLI and the batch find the output writers: a name kept for imports. The
writers live in the report package, with the reports: :mod:`channelmix.reports.output`
(JSON, CSV, file names, atomic writes) and :mod:`channelmix.reports.terminal`."""

from __future__ import annotations

from .reports.output import (MAX_STEM_BYTES, RESERVED, atomic_write, file_stem, rows_as_json, tables, to_json,
                             unique_stem, write_atomic, write_collection, write_outputs)
from .reports.terminal import print_table, render

__all__ = ["MAX_STEM_BYTES", "RESERVED", "atomic_write", "file_stem", "print_table", "render", "rows_as_json", "tables",
           "to_json", "unique_stem", "write_atomic", "write_collection", "write_outputs"]
