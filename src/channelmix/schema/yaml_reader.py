"""YAML scenario text to plain data, safely, at C speed (libyaml when installed): loaded only for
YAML (a JSON or TOML file never loads PyYAML).  See :mod:`channelmix.schema.syntax`."""

from __future__ import annotations

import gc
import re
from typing import TYPE_CHECKING, Any, Iterable

import yaml

from .problems import Problem, ScenarioError
from .shape import MAX_ALIAS_GROWTH, MAX_DEPTH, DuplicateKey, TooDeep, check_shape, deeper_than, too_deep

_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"

# YAML 1.1 reads 4.5e3 (no sign in the exponent), 45e2 and 1e5 (no dot) as text; a person means numbers.
_EXPONENT = re.compile(r"^(?:[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+|[-+]?\.[0-9][0-9_]*[eE][-+]?[0-9]+)$")


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
            raise TooDeep(deeper_than(MAX_DEPTH), where)
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
            check_shape(node, node_children, lambda n: f"line {n.start_mark.line + 1}", depth)
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


def yaml_value(text: str, loader_class: type = StrictLoader) -> Any:
    """One YAML document to plain data (raises yaml.YAMLError, DuplicateKey or TooDeep)."""
    loader = loader_class(text)
    collecting = gc.isenabled()
    gc.disable()  # building ~10^5 acyclic nodes: the cycle collector would rescan them many times over
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        return loader.build(node)
    except RecursionError:  # the pure-Python composer, without libyaml
        raise TooDeep(deeper_than(MAX_DEPTH)) from None
    finally:
        loader.dispose()
        if collecting:
            gc.enable()


def parse_yaml(text: str, source: str) -> Any:
    """YAML text to plain data; a syntax error is a :class:`ScenarioError` naming the line
    (DuplicateKey and TooDeep are raised as they are, for the caller's wording)."""
    try:
        return _yaml_worded(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(err, "problem", None) or str(err)
        if "maximum nesting depth" in problem:  # newer libyaml stops at 1000 levels: word it as the build pass does,
            # so the message is the same whichever libyaml a fresh install brings
            raise ScenarioError(
                source, [too_deep(TooDeep(deeper_than(MAX_DEPTH), f"line {mark.line + 1}" if mark else ""))]
            ) from None
        raise ScenarioError(source,
                            [
                                Problem(where, f"is not valid YAML: {problem}",
                                        "fix the syntax there (indentation, colons, quotes)")]) from None


def plain_value(text: str) -> Any:
    """A value written on the command line, read as the file's own reader reads it (4.5e3 is a number);
    text that is no YAML value stays the text."""
    try:
        return yaml_value(text)
    except (yaml.YAMLError, DuplicateKey):
        return text


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


def node_children(node: Any) -> Iterable[tuple[Any, Any]] | None:
    if isinstance(node, yaml.MappingNode):
        return ((getattr(k, "value", "?"), v) for k, v in node.value)
    if isinstance(node, yaml.SequenceNode):
        return enumerate(node.value)
    return None
