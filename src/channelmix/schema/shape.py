"""The shape of plain data read from a scenario file, whatever its syntax: no value nested deeper
than :data:`MAX_DEPTH` levels, none containing itself, none expanding through shared parts past
:data:`MAX_ALIAS_GROWTH` times its size (checked without recursion); a key given twice is an error.
No YAML here: JSON and TOML are checked without loading PyYAML."""

from __future__ import annotations

from typing import Any, Callable, Iterable

from .problems import Problem, format_path

MAX_DEPTH = 64  # a scenario needs about 6 levels; tables of rules perhaps 8
MAX_ALIAS_GROWTH = 10  # anchors and aliases may expand the file at most this many times (plus a little)


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


def deeper_than(levels: int) -> str:
    return f"is nested more than {levels} levels deep (lists and mappings inside each other); the limit is {MAX_DEPTH}"


def too_deep(err: BaseException) -> Problem:
    """The problem for :class:`TooDeep` (or a RecursionError from a parser nesting past the stack)."""
    shape = err if isinstance(err, TooDeep) else TooDeep(deeper_than(MAX_DEPTH))
    return Problem(shape.where, shape.message, shape.fix)


def check_depth(data: Any) -> None:
    """Raise :class:`TooDeep` if plain data nests past :data:`MAX_DEPTH` (checked without recursion)."""
    if not plainly_fine(data):
        check_shape(data, data_children, None)  # the careful walk, which finds the place and the reason


def plainly_fine(data: Any) -> bool:
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


def data_children(value: Any) -> Iterable[tuple[Any, Any]] | None:
    if isinstance(value, dict):
        return value.items()
    if isinstance(value, (list, tuple)):
        return enumerate(value)
    return None


def check_shape(root: Any, children: Callable[[Any], Iterable[tuple[Any, Any]] | None],
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
            raise TooDeep("contains itself (an alias inside its own anchor)", place(path, label, node, where),
                          "remove the alias, or point it at another anchor")
        if start + len(path) >= MAX_DEPTH:
            raise TooDeep(deeper_than(MAX_DEPTH), place(path, label, node, where))
        on_path.add(key)
        path.append(label)
        stack.append((node, label, True))
        stack.extend((child, name, False) for name, child in kids)
    total, distinct = size.get(id(root), 1), len(size)
    if total > MAX_ALIAS_GROWTH * distinct + 100_000:
        raise TooDeep(
            f"expands through aliases to {total:,} lists and mappings from {distinct:,} written; the limit is "
            f"{MAX_ALIAS_GROWTH}× plus 100,000", fix="write the repeated parts out, or use fewer aliases")


def place(path: list[Any], label: Any, node: Any, where: Callable[[Any], str] | None) -> str:
    """Where the limit was passed: the YAML line, or the first few keys of the path."""
    if where is not None:
        return where(node)
    parts = [p for p in [*path[1:], label] if p is not None]
    shown = format_path(parts[:4])
    return shown + ("…" if len(parts) > 4 else "")
