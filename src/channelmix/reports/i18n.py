"""The report language: every heading, sentence and label the reports and the terminal
view write comes from the language catalogue (:mod:`channelmix.core.catalogue`), and numbers
are written with the language's separators and digits.

The language is chosen per rendering with :func:`using` (a context variable, so
concurrent renderings in threads do not mix) and read with :func:`t` and :func:`current`.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..core.catalogue import DEFAULT, LANGUAGES, Language, catalogue

__all__ = ["DEFAULT", "LANGUAGES", "Language", "catalogue", "choose", "current", "first_strong", "for_plans",
           "isolated", "labels_of", "language", "shown",
           "localised", "of_plan", "of_plans", "report_language", "t", "using"]

_CURRENT: contextvars.ContextVar[str | None] = contextvars.ContextVar("channelmix_report_language", default=None)


def current() -> Language:
    return catalogue(_CURRENT.get() or DEFAULT)


def t(key: str, **values: Any) -> str:
    """The sentence ``key`` in the current report language."""
    return current()(key, **values)


@contextlib.contextmanager
def using(code: str | None) -> Iterator[Language]:
    """Render in language ``code`` (English when None) inside the block."""
    token = _CURRENT.set(code or DEFAULT)
    try:
        yield current()
    finally:
        _CURRENT.reset(token)


@contextlib.contextmanager
def for_plans(plans: list[dict[str, Any]], requested: str | None = None) -> Iterator[Language]:
    """Render these plans in ``requested``, else in the language already chosen by an
    enclosing block, else in :func:`report_language` of the plans."""
    if requested is None and _CURRENT.get() is not None:
        yield current()
        return
    with using(report_language(requested, plans)) as chosen:
        yield chosen


def of_plan(plan: dict[str, Any], *_: Any, **__: Any) -> list[dict[str, Any]]:
    return [plan]


def of_plans(_title: str, _table: Any, plans: list[dict[str, Any]], *_: Any, **__: Any) -> list[dict[str, Any]]:
    return list(plans)


def localised(plans_of: Callable[..., list[dict[str, Any]]]) -> Callable:
    """A renderer that takes ``language=`` (else the plans' own, see :func:`for_plans`)."""
    def wrap(render: Callable) -> Callable:
        @functools.wraps(render)
        def inner(*args: Any, language: str | None = None, **kwargs: Any) -> Any:
            with for_plans(plans_of(*args, **kwargs), language):
                return render(*args, **kwargs)
        return inner
    return wrap


def report_language(requested: str | None, plans: list[dict[str, Any]]) -> str:
    """The language of a report of these plans: the one asked for, else the plans' own
    (when they agree), else Persian when most labels are Persian, else English."""
    own = {p.get("language") for p in plans}
    plan = plans[0] if len(own) == 1 and plans else None
    labels = [text for p in plans
              for text in (p.get("scenario") or "", *labels_of(p.get("channels")).values(),
                           *labels_of(p.get("phases")).values(), *labels_of(p.get("segments")).values())]
    return choose(requested, plan, labels)


def choose(requested: str | None, plan: dict[str, Any] | None = None, labels: list[str] | None = None) -> str:
    """The report language: the one asked for, else the plan's (the scenario's
    ``language``), else Persian when most labels are Persian, else English."""
    if requested:
        return catalogue(requested).code
    if plan and plan.get("language") in LANGUAGES:
        return plan["language"]
    if labels:
        guessed, _ = language(labels)
        if guessed in LANGUAGES:
            return guessed
    return DEFAULT


def first_strong(text: str) -> str | None:
    """``rtl`` or ``ltr`` by the first strongly directional character (as ``dir="auto"`` does)."""
    for ch in text or "":
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return None


def language(labels: Iterable[str]) -> tuple[str, str]:
    """``(lang, dir)`` for a document whose user labels are these: right to left when most
    labels are in a right-to-left script."""
    labels = [t for t in labels if t]
    directions = [first_strong(t) for t in labels]
    rtl, ltr = directions.count("rtl"), directions.count("ltr")
    if rtl <= ltr:
        return "en", "ltr"
    text = "".join(labels)
    if any("\u0590" <= ch <= "\u05ff" for ch in text):
        return "he", "rtl"
    if any(ch in text for ch in "پچژگکی"):
        return "fa", "rtl"
    return "ar", "rtl"


def labels_of(items: list[dict[str, Any]] | None) -> dict[str, str]:
    """Each item's label by id: a preset phase's (``term``) in the report language, else the user's words."""
    return {item["id"]: shown(item) for item in items or [] if "id" in item}


def isolated(text: str) -> str:
    """Text set apart from the direction around it (Unicode's first-strong isolate): a signed id
    ("+referral") keeps its sign in front on a right-to-left page."""
    return f"\u2068{text}\u2069"


def shown(item: dict[str, Any]) -> str:
    """An item's label as a report shows it: a catalogue ``term`` (a preset phase) in the current
    language, else the label the user wrote, else the id."""
    term = item.get("term")
    if term and term in catalogue(DEFAULT).words:
        return t(term)
    return item.get("label") or item["id"]
