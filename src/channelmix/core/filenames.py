"""The one naming rule for result and report files: a file name from a scenario name, the same
for every command that writes one (solve, sweep, compare, batch, report)."""

from __future__ import annotations

import hashlib
import re

MAX_STEM_BYTES = 100  # well inside the usual 255-byte file-name limit, with suffixes and temporary names


RESERVED = frozenset({"summary"})  # summary.json and summary.csv sit beside the results


def file_stem(name: str) -> str:
    """The one naming rule for result and report files: a file name from a scenario name.

    A name that is already a safe file name (letters of any script, digits, ``_ . = -``,
    not starting or ending with ``.`` or ``-``) and at most MAX_STEM_BYTES long is kept
    as it is.  Any other name is cleaned (other characters become ``-``), shortened,
    and given ``-`` and 8 hex digits of the SHA-256 of the whole name, so two names
    that clean to the same text (``a-b`` and ``a/b``, ``.`` and ``..``) never share a
    file, and the same name always gets the same file."""
    stem = re.sub(r"[^\w.=-]+", "-", name, flags=re.UNICODE).strip("-.")
    if stem and stem == name and len(stem.encode("utf-8")) <= MAX_STEM_BYTES:
        return stem
    short = (stem or "scenario").encode("utf-8")[:MAX_STEM_BYTES - 9].decode("utf-8", errors="ignore").rstrip("-.")
    return f"{short or 'scenario'}-{hashlib.sha256(name.encode('utf-8', errors='surrogatepass')).hexdigest()[:8]}"


def unique_stem(name: str, used: set[str]) -> str:
    """:func:`file_stem` of ``name``, not yet in ``used`` and not a RESERVED name
    (``-2``, ``-3`` … on a clash, compared case-insensitively so case-insensitive file
    systems see distinct files too); records it in ``used``."""
    stem = file_stem(name)
    taken = {u.casefold() for u in used} | RESERVED
    unique, n = stem, 2
    while unique.casefold() in taken:
        unique, n = f"{stem}-{n}", n + 1
    used.add(unique)
    return unique
