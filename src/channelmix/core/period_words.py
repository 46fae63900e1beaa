"""Labels of periods made from a count (``periods: {count: 6, unit: month}``), in a language.

The data keeps what does not depend on a language: each period's id and number, and the
unit as the user wrote it.  A label is made when it is shown: a known unit (month, week,
day, quarter, year, period, in any of the spellings below) gets the word of the output's
language from the locale files (``period.month`` → "Month {n}", "Månad {n}", "ماه {n}"),
with the number in that language's digits; an unknown unit word is kept as the user wrote
it, first letter raised ("sprint" → "Sprint 1").  Labels the user listed are never made here.
"""

from __future__ import annotations

from .catalogue import Language

UNITS = ("month", "week", "day", "quarter", "year", "period")

# every spelling a user may write for a known unit (compared case-blind), in the report languages
SPELLINGS: dict[str, tuple[str, ...]] = {
    "month": ("month", "months", "mo", "månad", "månader", "manad", "mes", "meses", "mois", "ماه", "ماه‌ها", "ماهها"),
    "week": ("week", "weeks", "wk", "vecka", "veckor", "semana", "semanas", "semaine", "semaines", "هفته", "هفته‌ها",
             "هفتهها"),
    "day": ("day", "days", "dag", "dagar", "día", "dia", "días", "dias", "jour", "jours", "روز", "روزها", "روز‌ها"),
    "quarter": ("quarter", "quarters", "q", "kvartal", "trimestre", "trimestres", "فصل", "فصل‌ها", "سه‌ماهه",
                "سه ماهه"),
    "year": ("year", "years", "yr", "år", "año", "años", "ano", "anos", "an", "ans", "année", "années", "annee",
             "annees", "سال", "سال‌ها", "سالها"),
    "period": ("period", "periods", "perioder", "período", "periodo", "períodos", "periodos", "période", "périodes",
               "periode", "periodes", "دوره", "دوره‌ها", "دورهها")}
_KNOWN = {spelling.casefold(): unit for unit, spellings in SPELLINGS.items() for spelling in spellings}


def unit_key(unit: str | None) -> str | None:
    """The known unit a word stands for ("Veckor" → "week"; None → "period"), else None."""
    if unit is None:
        return "period"
    return _KNOWN.get(" ".join(unit.split()).casefold())


def period_label(unit: str | None, number: int, language: Language) -> str:
    """The label of period ``number`` counted in ``unit``, in ``language``."""
    key = unit_key(unit)
    if key is not None:
        return language(f"period.{key}", n=number)
    assert unit is not None  # unit_key(None) is "period", so unit is a word here
    word = unit.strip()
    return f"{word[:1].upper()}{word[1:]} {language.number(str(number))}"
