"""Scenario text to plain data: YAML at C speed (libyaml), JSON, TOML — safely.

Safe loading only (no Python objects), a key given twice in one mapping is an error,
``4.5e3`` and ``45e2`` are numbers (YAML 1.1 would read them as text), and nothing
nested deeper than :data:`MAX_DEPTH` levels or expanding through aliases past
:data:`MAX_ALIAS_GROWTH` times its size is ever built, so no input can raise
``RecursionError`` or exhaust memory.
"""

from __future__ import annotations

import gc
import json
import re
import tomllib
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

import yaml

from .problems import Problem, ScenarioError, format_path

MAX_DEPTH = 64  # a scenario needs about 6 levels; tables of rules perhaps 8
MAX_ALIAS_GROWTH = 10  # anchors and aliases may expand the file at most this many times (plus a little)
_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"

# YAML 1.1 reads 4.5e3 (no sign in the exponent), 45e2 and 1e5 (no dot) as text; a person means numbers.
_EXPONENT = re.compile(r"^(?:[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+|[-+]?\.[0-9][0-9_]*[eE][-+]?[0-9]+)$")


class DuplicateKey(Exception):
    """A key given twice in one mapping."""

    def __init__(self, key: str, where: str) -> None:
        super().__init__(key)
        self.key, self.where = key, where


class TooDeep(Exception):
    """Data nested past the limit, or aliases that expand without bound."""

    def __init__(self, message: str, where: str = "", fix: str = "") -> None:
        super().__init__(message)
        self.message, self.where = message, where
        self.fix = fix or "write the value flat: a scenario needs only a few levels (see 'channelmix init')"


def _deeper_than(levels: int) -> str:
    return f"is nested more than {levels} levels deep (lists and mappings inside each other); the limit is {MAX_DEPTH}"


_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when installed, else pure Python


if TYPE_CHECKING:  # a mixin of the loaders below, which give it resolve, construct_object …
    from yaml import SafeLoader as _Loader
else:
    _Loader = object


class _Strict(_Loader):
    """Rejects a key given twice, reads 4.5e3 as a number, builds plain data in one checked pass."""

    _plain_tags: dict[str, str] = {}  # plain scalar text -> its implicit tag (pure function of the text)

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        """:meth:`yaml.resolver.BaseResolver.resolve`, memoised (no path resolvers are used)."""
        if kind is yaml.ScalarNode and implicit[0]:
            tag = self._plain_tags.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(self._plain_tags) < 50_000:
                    self._plain_tags[value] = tag
            return tag
        return super().resolve(kind, value, implicit)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        if isinstance(node, yaml.MappingNode):
            self._no_duplicates(node)
        return super().construct_mapping(node, deep=deep)

    def _no_duplicates(self, node: yaml.MappingNode) -> None:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:
                continue  # '<<: *defaults' may be overridden by the keys written beside it
            key = key_node.value if key_node.tag == _STR_TAG else self.construct_object(key_node, deep=True)
            try:
                fresh = key not in seen
            except TypeError:  # an unhashable key: the constructor reports it
                continue
            if not fresh:
                raise DuplicateKey(str(key), f"line {key_node.start_mark.line + 1}")
            seen.add(key)


    def build(self, root: yaml.Node) -> Any:
        """The document as plain data, like ``construct_document`` but in one pass that also
        checks the shape (depth, self-containing aliases, alias growth) and skips PyYAML's
        per-node generator machinery for plain maps, lists and scalars."""
        self._built: dict[int, Any] = {}
        self._sizes: dict[int, int] = {}
        self._open: set[int] = set()
        data = self._build(root, 0)
        total, distinct = self._sizes.get(id(root), 1), len(self._sizes)
        if total > MAX_ALIAS_GROWTH * distinct + 100_000:
            raise TooDeep(
                f"expands through aliases to {total:,} lists and mappings from {distinct:,} written; the limit is "
                f"{MAX_ALIAS_GROWTH}× plus 100,000", fix="write the repeated parts out, or use fewer aliases")
        return data

    def _build(self, node: yaml.Node, depth: int) -> Any:
        key = id(node)
        if key in self._built:
            return self._built[key]  # an alias: the same object, as PyYAML builds it
        tag = node.tag
        if isinstance(node, yaml.ScalarNode):
            if tag == _STR_TAG:
                return node.value
            found = _SCALARS.get((tag, node.value), _SCALARS)
            if found is _SCALARS:
                found = self.construct_object(node, deep=True)
                if tag in _PLAIN_SCALARS and len(_SCALARS) < 50_000:
                    _SCALARS[(tag, node.value)] = found
            return found
        where = f"line {node.start_mark.line + 1}"
        if key in self._open:
            raise TooDeep("contains itself (an alias inside its own anchor)", where,
                          "remove the alias, or point it at another anchor")
        if depth >= MAX_DEPTH:
            raise TooDeep(_deeper_than(MAX_DEPTH), where)
        self._open.add(key)
        if isinstance(node, yaml.SequenceNode) and tag == _SEQ_TAG:
            out: Any = [self._build(child, depth + 1) for child in node.value]
            children = node.value
        elif isinstance(node, yaml.MappingNode) and tag == _MAP_TAG:
            self._no_duplicates(node)
            self.flatten_mapping(node)  # '<<' merge keys, written keys after (and over) merged ones
            out, children = {}, [v for _, v in node.value]
            for key_node, value_node in node.value:
                name, value = self._build(key_node, depth + 1), self._build(value_node, depth + 1)
                try:
                    out[name] = value
                except TypeError:
                    raise yaml.constructor.ConstructorError("while constructing a mapping", node.start_mark,
                                                            "found unhashable key", key_node.start_mark) from None
        else:  # !!set, !!omap and such: PyYAML's own constructors, after a separate shape check
            _check_shape(node, _node_children, lambda n: f"line {n.start_mark.line + 1}", depth)
            out, children = self.construct_object(node, deep=True), []
        self._open.discard(key)
        self._built[key] = out
        self._sizes[key] = 1 + sum(self._sizes.get(id(c), 0) for c in children)
        return out


class StrictLoader(_Strict, _Base):
    """The safe YAML loader: libyaml's when installed."""


class _PureLoader(_Strict, yaml.SafeLoader):
    """The same in pure Python: it words syntax errors as the project's messages always have."""


_SEQ_TAG, _MAP_TAG = "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_PLAIN_SCALARS = {f"tag:yaml.org,2002:{t}" for t in ("int", "float", "bool", "null")}
_SCALARS: dict[tuple[str, str], Any] = {}  # (tag, text) -> value, for immutable scalars


for _loader in (StrictLoader, _PureLoader):
    _loader.add_implicit_resolver("tag:yaml.org,2002:float", _EXPONENT, list("-+0123456789."))


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """The cycle collector paused while building many acyclic objects (a parsed file's nodes, its
    validated models): it would rescan the millions already built many times over (a third of the
    validation time of a 78,000-channel file).  Reference counting still frees everything; cycles
    made meanwhile wait for the next collection."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def yaml_value(text: str, loader_class: type = StrictLoader) -> Any:
    """One YAML document to plain data (raises yaml.YAMLError, DuplicateKey or TooDeep)."""
    loader = loader_class(text)
    try:
        with no_cycle_collection():
            node = loader.get_single_node()
            if node is None:
                return None
            return loader.build(node)
    except RecursionError:  # the pure-Python composer, without libyaml
        raise TooDeep(_deeper_than(MAX_DEPTH)) from None
    finally:
        loader.dispose()


def parse_text(text: str, kind: str, source: str) -> Any:
    """Text of a ``kind`` ('yaml', 'toml', 'json') file to plain data; problems name the line."""
    try:
        if kind == "yaml":
            return _yaml_worded(text)
        if kind == "toml":
            data = tomllib.loads(text)
        else:
            data = json.loads(text, object_pairs_hook=_no_duplicate_pairs)
        check_depth(data)
        return data
    except DuplicateKey as err:
        raise ScenarioError(source,
                            [Problem(err.where, f"key '{err.key}' appears twice", "keep one of them")]) from None
    except (TooDeep, RecursionError) as err:
        raise ScenarioError(source, [too_deep(err)]) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(err, "problem", None) or str(err)
        if "maximum nesting depth" in problem:  # newer libyaml stops at 1000 levels: word it as the build pass does,
            # so the message is the same whichever libyaml a fresh install brings
            raise ScenarioError(
                source, [too_deep(TooDeep(_deeper_than(MAX_DEPTH), f"line {mark.line + 1}" if mark else ""))]
            ) from None
        raise ScenarioError(source,
                            [
                                Problem(where, f"is not valid YAML: {problem}",
                                        "fix the syntax there (indentation, colons, quotes)")]) from None
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(source, [Problem("", f"is not valid TOML: {err}", "fix the syntax there")]) from None
    except json.JSONDecodeError as err:
        raise ScenarioError(source,
                            [
                                Problem(f"line {err.lineno}, column {err.colno}", f"is not valid JSON: {err.msg}",
                                        "fix the syntax there")]) from None


def _yaml_worded(text: str) -> Any:
    """:func:`yaml_value`; a syntax error found by libyaml is worded by the pure-Python parser
    (same place, the project's long-standing wording), unless only libyaml objects."""
    try:
        return yaml_value(text)
    except yaml.MarkedYAMLError as fast:
        if _Base is yaml.SafeLoader or "maximum nesting depth" in str(fast.problem):
            raise
        try:
            yaml_value(text, _PureLoader)
        except yaml.YAMLError as worded:
            raise worded from None
        except (RecursionError, TooDeep, DuplicateKey):
            pass
        raise


def too_deep(err: BaseException) -> Problem:
    """The problem for :class:`TooDeep` (or a RecursionError from a parser nesting past the stack)."""
    shape = err if isinstance(err, TooDeep) else TooDeep(_deeper_than(MAX_DEPTH))
    return Problem(shape.where, shape.message, shape.fix)


def check_depth(data: Any) -> None:
    """Raise :class:`TooDeep` if plain data nests past :data:`MAX_DEPTH` (checked without recursion)."""
    if not _plainly_fine(data):
        _check_shape(data, _data_children, None)  # the careful walk, which finds the place and the reason


def _plainly_fine(data: Any) -> bool:
    """A quick pass, level by level: True when no check can fail (no collection at depth
    MAX_DEPTH or deeper, so nothing contains itself, and no growth through shared parts),
    which is what a JSON or TOML parser gives; False means "look closer"."""
    level, depth, total, distinct = [data], 0, 0, set()
    while level:
        below: list[Any] = []
        for value in level:
            if isinstance(value, dict):
                below.extend(value.values())
            elif isinstance(value, (list, tuple)):
                below.extend(value)
            else:
                continue
            if depth >= MAX_DEPTH:
                return False
            total += 1
            distinct.add(id(value))
        if total > MAX_ALIAS_GROWTH * len(distinct) + 100_000:
            return False
        level, depth = below, depth + 1
    return True


def _data_children(value: Any) -> Iterable[tuple[Any, Any]] | None:
    if isinstance(value, dict):
        return value.items()
    if isinstance(value, (list, tuple)):
        return enumerate(value)
    return None


def _node_children(node: Any) -> Iterable[tuple[Any, Any]] | None:
    if isinstance(node, yaml.MappingNode):
        return ((getattr(k, "value", "?"), v) for k, v in node.value)
    if isinstance(node, yaml.SequenceNode):
        return enumerate(node.value)
    return None


def _check_shape(root: Any, children: Callable[[Any], Iterable[tuple[Any, Any]] | None],
                 where: Callable[[Any], str] | None, start: int = 0) -> None:
    """Depth-first, iteratively: depth ≤ MAX_DEPTH, no value containing itself, and (for YAML
    nodes shared through aliases) an expanded size within MAX_ALIAS_GROWTH of the file's own."""
    size: dict[int, int] = {}  # expanded size of each finished collection, by id
    path: list[Any] = []
    on_path: set[int] = set()
    stack: list[tuple[Any, Any, bool]] = [(root, None, False)]
    while stack:
        node, label, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            path.pop()
            size[key] = 1 + sum(size.get(id(c), 1) for _, c in children(node) or ())
            continue
        kids = children(node)
        if kids is None or key in size:
            continue
        if key in on_path:
            raise TooDeep("contains itself (an alias inside its own anchor)", _place(path, label, node, where),
                          "remove the alias, or point it at another anchor")
        if start + len(path) >= MAX_DEPTH:
            raise TooDeep(_deeper_than(MAX_DEPTH), _place(path, label, node, where))
        on_path.add(key)
        path.append(label)
        stack.append((node, label, True))
        stack.extend((child, name, False) for name, child in kids)
    total, distinct = size.get(id(root), 1), len(size)
    if total > MAX_ALIAS_GROWTH * distinct + 100_000:
        raise TooDeep(
            f"expands through aliases to {total:,} lists and mappings from {distinct:,} written; the limit is "
            f"{MAX_ALIAS_GROWTH}× plus 100,000", fix="write the repeated parts out, or use fewer aliases")


def _place(path: list[Any], label: Any, node: Any, where: Callable[[Any], str] | None) -> str:
    """Where the limit was passed: the YAML line, or the first few keys of the path."""
    if where is not None:
        return where(node)
    parts = [p for p in [*path[1:], label] if p is not None]
    shown = format_path(parts[:4])
    return shown + ("…" if len(parts) > 4 else "")


def _no_duplicate_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateKey(key, "")
        out[key] = value
    return out
