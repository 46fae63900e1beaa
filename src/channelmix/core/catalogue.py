"""The language catalogue: every word channelmix shows a person lives in ``locales/<lang>.json``
(data, not code), with the language's number style (separators, digits, the percent sign).

Only the catalogue is here; which language a report is rendered in, and the sentences made
from the words, are the reports' (:mod:`channelmix.reports.i18n`).  The domain reads it for
one thing: the labels of counted periods in the scenario's language ("Månad 3").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

LANGUAGES = ("en", "fr", "es", "sv", "fa")


DEFAULT = "en"


@dataclass(frozen=True)
class Language:
    """One language's words and number style."""

    code: str
    direction: str
    words: dict[str, str]
    group: str  # thousands separator
    decimal: str
    percent: str  # the percent sign with any space before it, e.g. "\u00a0%"
    digits: str  # the ten digits 0-9 in this language's script
    list_style: str = "decimal"  # how numbered lists count (CSS list-style-type): Persian counts ۱، ۲، ۳

    def __call__(self, key: str, **values: Any) -> str:
        """The sentence ``key`` with ``{names}`` filled in (English when this language lacks it)."""
        text = self.words.get(key)
        if text is None:
            text = catalogue(DEFAULT).words[key]  # a KeyError names a key missing everywhere: a bug
        if not values:
            return text
        # counts in the language's digits (Persian ۴ از ۱۰); figures come formatted already
        return text.format(**{k: self.number(str(v)) if isinstance(v, int) and not isinstance(v, bool) else v
                              for k, v in values.items()})

    def number(self, text: str) -> str:
        """A number written ``12,345.6`` (Python's style) in this language's style."""
        out = text.replace(",", "\x00").replace(".", self.decimal).replace("\x00", self.group)
        if self.digits != "0123456789":
            out = out.translate(str.maketrans("0123456789-", self.digits + "\u2212"))
        return out


@lru_cache(maxsize=None)
def catalogue(code: str) -> Language:
    """The language ``code`` as read from its file."""
    if code not in LANGUAGES:
        raise ValueError(f"unknown report language {code!r}: choose one of {', '.join(LANGUAGES)}")
    raw = json.loads(resources.files("channelmix.core").joinpath("locales", f"{code}.json").read_text(encoding="utf-8"))
    meta = raw.pop("_meta")
    return Language(code=code, direction=meta["dir"], words=raw, group=meta["group"], decimal=meta["decimal"],
                    percent=meta["percent"], digits=meta["digits"], list_style=meta.get("list_style", "decimal"))
