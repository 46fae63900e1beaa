"""Saving the page's edits into the scenario file: the same ``--set`` assignments applied to the
file's own text by the project's one YAML writer (:mod:`channelmix.schema.yaml_file`: only the
lines of the values set change, comments, key order and style stay), the result validated as
the command line would read it, the previous version kept beside it (``FILE.bak``) and the new
one written atomically (``core.atomic``): a crash leaves the old file or the new one, never half
of one.

A file whose channels or affinities live in CSV/Excel tables keeps them there: the planner does
not write into a table (a cell's own text — decimal commas, quoting, a point list as
``0:0; 1000:0.4``, an Excel cell's format and formulas — cannot be rewritten exactly through the
table readers, which turn cells into values). Edits of the YAML's own fields are saved as
usual; edits of the tables' channels are refused with that reason, and "save as YAML" writes
the whole scenario, tables written out and the edits applied, to a new ``STEM.planned.yaml``
(TOML files, which the planner does not rewrite either, the same way)."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

from ...core.atomic import atomic_write, write_atomic
from ...schema import ScenarioError
from ...schema.expand import set_path, variants
from ...schema.load import parse, validate
from ...schema.tables import names_tables
from ...schema.yaml_file import append, dump, edit
from .edits import FieldProblem, Invalid, loaded, overrides

KINDS = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}
TABLE_KEYS = ("channels", "affinity")


def edit_text(text: str, kind: str, changes: dict[str, Any], variant: dict[str, Any] | None = None,
              source: str = "<text>") -> str:
    """``text`` with ``changes`` set (or, with ``variant``, a new entry of ``variants:``)."""
    if kind == "json":
        data = json.loads(text)
        if variant is not None:
            data.setdefault("variants", []).append(variant)
        for path, value in ({} if variant is not None else changes).items():
            set_path(data, path, value)
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return append(text, "variants", variant, source) if variant is not None else edit(text, changes, source)


def tables_of(path: Path) -> list[str]:
    """The table files a scenario file takes its channels or affinities from (none: [])."""
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        return []
    try:
        raw = parse(path.read_text(encoding="utf-8"), kind, str(path))
    except ScenarioError:
        return []
    if not names_tables(raw):
        return []
    found = [raw.get(key) for key in TABLE_KEYS if key in raw and not isinstance(raw.get(key), list)]
    return [str(ref.get("file", "")) if isinstance(ref, dict) else str(ref) for ref in found]


def save(path: Path, sets: list[str], variant: str = "", description: str = "") -> dict[str, str]:
    """Write the edits into ``path`` (or as variant ``variant``): validated first, then the old file
    copied to ``path.bak`` and the new text renamed into place. Raises :class:`Invalid`."""
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        raise Invalid([FieldProblem("", f"the planner does not rewrite '{path.suffix}' files",
                                    "use 'Save as YAML' to write the scenario with these edits as a new YAML file")])
    changes = overrides(sets)
    tables = tables_of(path)
    in_tables = [p for p in changes if p.split(".")[0] in TABLE_KEYS]
    if tables and in_tables and not variant:
        raise Invalid([FieldProblem("", f"{', '.join(in_tables)}: the channels come from {', '.join(tables)}, which "
                                        "the planner does not write into (a table's cells cannot be rewritten "
                                        "exactly: decimal commas, quoting, point lists, Excel formats)",
                                    "use 'Save as YAML' (a new file with the tables written out), 'Save as a "
                                    "variant', or edit the table itself")])
    entry = None
    if variant:
        entry = {"name": variant, **({"description": description} if description else {}), "set": dict(changes)}
    old = path.read_text(encoding="utf-8")
    try:
        new = edit_text(old, kind, changes, entry, str(path))
        checked = validate(parse(new, kind, str(path)), str(path), base=path.parent)
        if variant:
            variants(checked)  # a name already taken, a variant that does not validate: refused before writing
    except ScenarioError as err:
        raise Invalid([FieldProblem(p.path, p.message, p.fix) for p in err.problems]) from None
    return replace_file(path, new)


def save_as_yaml(path: Path, sets: list[str]) -> dict[str, str]:
    """The scenario with its tables written out and the edits applied, as ``STEM.planned.yaml``
    beside it (a file of that name already there is kept as ``.bak``). Raises :class:`Invalid`."""
    changes = overrides(sets)
    data = copy.deepcopy(loaded(path).raw)  # the file's data with its tables read in, as --set edits it
    target = path.with_name(f"{path.stem}.planned.yaml")
    try:
        for where, value in changes.items():
            set_path(data, where, value)
        notes = [f"Written by channelmix serve from {path.name}"
                 + (f" with its tables ({', '.join(tables_of(path))}) written out" if tables_of(path) else ""),
                 *([f"and these edits: {', '.join(sets)}"] if sets else [])]
        text = dump(data, notes)
        validate(parse(text, "yaml", str(target)), str(target), base=path.parent)
    except ScenarioError as err:
        raise Invalid([FieldProblem(p.path, p.message, p.fix) for p in err.problems]) from None
    return replace_file(target, text)


def replace_file(path: Path, text: str) -> dict[str, str]:
    """``text`` into ``path`` atomically, the previous version (if any) kept as ``path.bak``."""
    backup = path.with_name(path.name + ".bak")
    if path.exists():
        atomic_write(backup, lambda tmp: shutil.copyfile(path, tmp))
    write_atomic(path, text)
    return {"saved": path.name, "backup": backup.name if backup.exists() else ""}
