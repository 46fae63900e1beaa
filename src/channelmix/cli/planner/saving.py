"""Saving the page's edits into the scenario file: the same ``--set`` assignments applied to the
file's own text through a round-trip YAML reader (ruamel.yaml keeps comments, key order and
flow style), the result validated as the command line would read it, the previous version kept
beside it (``FILE.bak``) and the new one written atomically (``core.atomic``): a crash leaves the
old file or the new one, never half of one. ``edit_text`` is the one function to swap for a
shared YAML editor later."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from ...core.atomic import atomic_write, write_atomic
from ...schema import ScenarioError
from ...schema.expand import set_path, variants
from ...schema.load import parse, validate
from .edits import FieldProblem, Invalid, overrides


def round_trip() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a user's long line
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def edit_text(text: str, kind: str, changes: dict[str, Any], variant: dict[str, Any] | None = None) -> str:
    """``text`` with ``changes`` set (or, with ``variant``, a new entry of ``variants:``)."""
    if kind == "json":
        data = json.loads(text)
        apply(data, changes, variant)
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    yaml = round_trip()
    data = yaml.load(text)
    apply(data, changes, variant)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def apply(data: Any, changes: dict[str, Any], variant: dict[str, Any] | None) -> None:
    if variant is not None:
        entries = data.get("variants")
        if entries is None:
            entries = data["variants"] = []
        entries.append(variant)
        return
    for path, value in changes.items():
        set_path(data, path, value)


def save(path: Path, sets: list[str], variant: str = "", description: str = "") -> dict[str, str]:
    """Write the edits into ``path`` (or as variant ``variant``): validated first, then the old file
    copied to ``path.bak`` and the new text renamed into place. Raises :class:`Invalid`."""
    kind = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}.get(path.suffix.lower())
    if kind is None:
        raise Invalid([FieldProblem("", f"the planner saves YAML and JSON files, not '{path.suffix}'",
                                    "convert the file to YAML, or edit it in a text editor")])
    changes = overrides(sets)
    entry = None
    if variant:
        entry = CommentedMap([("name", variant), *([("description", description)] if description else []),
                              ("set", CommentedMap(changes.items()))])
    old = path.read_text(encoding="utf-8")
    try:
        new = edit_text(old, kind, changes, entry)
        checked = validate(parse(new, kind, str(path)), str(path), base=path.parent)
        if variant:
            variants(checked)  # a name already taken, a variant that does not validate: refused before writing
    except ScenarioError as err:
        raise Invalid([FieldProblem(p.path, p.message, p.fix) for p in err.problems]) from None
    backup = path.with_name(path.name + ".bak")
    atomic_write(backup, lambda tmp: shutil.copyfile(path, tmp))
    write_atomic(path, new)
    return {"saved": path.name, "backup": backup.name}

