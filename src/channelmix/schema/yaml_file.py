"""Every YAML file channelmix writes for a person, in one place: new files, and edits of theirs.

A person's scenario file is theirs: its comments, key order, quoting, flow or block style and
blank lines say how they think about it. ``calibrate`` used to parse the file and dump it again
(274 changed lines for three parameters); an edit now changes the lines of the values it sets
and nothing else. The API, for the commands and for the web planner's "save" (issue 21):

* :func:`edit` — ``text`` with ``{path: value}`` edits applied, paths as ``--set`` takes them
  (``channels.flyers.response.scale``: lists of phases, segments and channels by id);
* :func:`append` — an entry added at the end of a list (the planner's "save as variant");
* :func:`edit_file` — the same for a file, written atomically (to the file itself or to
  ``out``) only after ``check(text)`` accepts the result;
* :func:`dump` — a new file's text (``import``, ``write_tables``), notes as a comment header;
* :func:`scalar` — one value as YAML text, for files assembled line by line (``init --from-csv``);
* :func:`write` — any text written atomically (``init``), through :mod:`channelmix.atomic`.

Edits go through ruamel.yaml's round trip, with the file's own indentation. ruamel does not
reproduce every file to the letter (unusual spacing, comments in odd places), so the result
is the file itself with only the lines that the edits changed in ruamel's rendering replaced
(a three-way merge by line); when those lines cannot be placed, ruamel's rendering is used whole.
"""

from __future__ import annotations

import difflib
import io
import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from ..core.atomic import write_atomic
from .expand import set_path, value_at
from .problems import Problem, ScenarioError
from .yaml_reader import yaml_value

INDENTS = (2, 4, 3)  # mapping indents tried: the one that renders the file most like itself is kept


def dump(data: Any, notes: list[str] | None = None) -> str:
    """A new file's text: keys in the order given, text in any script as written, each note a
    ``#`` comment line at the top. Lists of numbers (a pwl's [spend, reach] points) stay on one
    line each, as a person writes them."""
    head = "".join(f"# {line}\n" if line else "#\n" for line in notes or [])
    return head + yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120)


# libyaml when installed: a 20,000-point curve in a second
_Dumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _numbers_inline(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    flow = bool(data) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _numbers_inline)


def scalar(text: str) -> str:
    """Text as a YAML scalar inside a flow mapping: plain when channelmix's own reader reads it
    back as itself (which reads ``1e3`` as a number, unlike YAML 1.1), else quoted."""
    if re.fullmatch(r"[\w./][\w\-./]*", text):
        try:
            if yaml_value(text) == text:
                return text
        except (yaml.YAMLError, ValueError):
            pass
    return json.dumps(text, ensure_ascii=False)


def write(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically (never half a file)."""
    return write_atomic(Path(path), text)


def edit(text: str, edits: Mapping[str, Any], source: str = "<text>") -> str:
    """``text`` with every ``path: value`` of ``edits`` set, every other line as it was.

    Raises :class:`ScenarioError` (naming ``source`` and the path) when the text is not YAML,
    a path leads nowhere, or a path runs through a node the file shares through an anchor
    (changing it there would change every place that names it)."""
    def change(data: dict[str, Any]) -> None:
        shared = _shared(data)
        for path, value in edits.items():
            _refuse_shared(data, path, shared, source)
            set_path(data, path, value)
    return _changed(text, source, change)


def append(text: str, path: str, entry: Any, source: str = "<text>") -> str:
    """``text`` with ``entry`` added at the end of the list at ``path`` (begun when the file has
    none), every other line as it was: the planner's "save as variant" (``variants``)."""
    def change(data: dict[str, Any]) -> None:
        _refuse_shared(data, path, _shared(data), source)
        items = value_at(data, path)
        if items is None:
            set_path(data, path, [])
            items = value_at(data, path)
        if not isinstance(items, list):
            raise ScenarioError(source, [Problem(path, "is not a list", f"make {path} a list in the file")])
        items.append(entry)
    return _changed(text, source, change)


def _changed(text: str, source: str, change: Callable[[dict[str, Any]], None]) -> str:
    """``text`` after ``change`` of its round-trip data, merged into the file's own lines."""
    renderer = _renderer(text, source)
    data = renderer.load(text)
    if not isinstance(data, dict):
        raise ScenarioError(source, [Problem("", "is not a mapping of keys to values", "edit a scenario file")])
    try:
        change(data)
    except ScenarioError as err:
        raise ScenarioError(source, err.problems) from None
    return _merge(text, _render(renderer, renderer.load(text)), _render(renderer, data))


def edit_file(path: str | Path, edits: Mapping[str, Any], out: str | Path | None = None,
              check: Callable[[str], None] | None = None) -> str:
    """Apply ``edits`` to the YAML file at ``path`` and write the result atomically to ``out``
    (default: the file itself), once ``check(text)`` has accepted it (it raises to refuse:
    nothing is written then). Returns the text written."""
    path = Path(path)
    text = edit(path.read_text(encoding="utf-8"), edits, str(path))
    if check is not None:
        check(text)
    write(out if out is not None else path, text)
    return text


def _renderer(text: str, source: str) -> Any:
    """A round-trip YAML (ruamel's) with the file's own sequence indentation and the mapping
    indent that renders it most like itself."""
    from ruamel.yaml.error import YAMLError  # only edits need ruamel: the commands that never edit do not load it
    from ruamel.yaml.util import load_yaml_guess_indent

    try:
        _, sequence, offset = load_yaml_guess_indent(text)
    except YAMLError as err:
        raise ScenarioError(source, [Problem("", f"is not YAML: {str(err).splitlines()[0]}",
                                             "fix the file first")]) from None
    best, best_changed = None, None
    for mapping in INDENTS:
        candidate = _round_trip(mapping, sequence or 2, offset or 0)
        changed = _changed_lines(text, _render(candidate, candidate.load(text)))
        if best_changed is None or changed < best_changed:
            best, best_changed = candidate, changed
        if changed == 0:
            break
    return best


def _round_trip(mapping: int, sequence: int, offset: int) -> Any:
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 1 << 16  # never re-wrap a person's long lines
    y.indent(mapping=mapping, sequence=max(sequence, offset + 2), offset=offset)
    return y


def _render(y: Any, data: Any) -> str:
    out = io.StringIO()
    y.dump(data, out)
    return out.getvalue()


def _changed_lines(a: str, b: str) -> int:
    return sum(1 for line in difflib.ndiff(a.splitlines(), b.splitlines()) if line[:1] in "+-")


def _merge(original: str, before: str, after: str) -> str:
    """The original text with the changes from ``before`` to ``after`` (ruamel's renderings
    without and with the edits) applied to the original's own lines. A changed line is placed
    by the nearest lines that ``before`` and the original share on either side; the lines between
    them must be as many in both (the same lines, spaced differently), else ruamel's rendering
    is used whole."""
    if original == before:
        return after
    text, old = original.splitlines(keepends=True), before.splitlines(keepends=True)
    new = after.splitlines(keepends=True)
    place = {-1: -1, len(old): len(text)}  # a line of `before` -> the same line of the original
    for block in difflib.SequenceMatcher(None, old, text, autojunk=False).get_matching_blocks():
        place.update({block.a + k: block.b + k for k in range(block.size)})
    result, cursor = [], 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        below = max(k for k in place if k < i1)  # the shared lines around the change
        above = min(k for k in place if k >= i2)
        if above - below != place[above] - place[below]:
            return after  # the file and ruamel's rendering differ in length here: the change cannot be placed
        start = place[below] + (i1 - below)
        if start < cursor:
            return after
        result += text[cursor:start] + new[j1:j2]
        cursor = start + (i2 - i1)
    return "".join(result + text[cursor:])


def _shared(data: Any) -> set[int]:
    """The containers reached along more than one path (a YAML anchor named by an alias)."""
    seen: set[int] = set()
    twice: set[int] = set()
    todo = [data]
    while todo:
        node = todo.pop()
        if not isinstance(node, (dict, list)):
            continue
        if id(node) in seen:
            twice.add(id(node))
            continue
        seen.add(id(node))
        todo.extend(node.values() if isinstance(node, dict) else node)
    return twice


def _refuse_shared(data: Any, path: str, shared: set[int], source: str) -> None:
    parts = path.split(".")
    for depth in range(len(parts)):
        node = data if depth == 0 else value_at(data, ".".join(parts[:depth]))
        if id(node) in shared:
            where = ".".join(parts[:depth])
            said = (f"runs through {where}, which the file shares through a YAML anchor: changing it there would "
                    "change every place that names the anchor")
            fix = "give this place its own copy in the file (no alias), then run again"
            raise ScenarioError(source, [Problem(path, said, fix)])
