"""Journey-phase frameworks from the source articles, shipped as presets.

A scenario names one (``phases: osterwalder``) or lists its own phases.  A preset is its
phases' ids; their labels are words, so they live in the language catalogue
(``preset.<preset>.<id>`` in ``core/locales/*.json``): a phase loads with the label of the
preset's own language and keeps its ``term``, so each report shows it in the report's language.
"""

from __future__ import annotations

from ..core.catalogue import catalogue

# preset -> (the language its source article is written in, its phase ids in journey order)
PRESETS: dict[str, tuple[str, tuple[str, ...]]] = {
    # Osterwalder's five channel phases (French seed, English words).
    "osterwalder": ("en", ("awareness", "evaluation", "purchase", "delivery", "after_sales")),
    # Six phases of the English seed.
    "six-phase": ("en", ("aware", "consider", "purchase", "delivery", "support", "loyalty")),
    # The Swedish "kundresan" (customer journey) in four phases.
    "kundresan": ("sv", ("latent", "sök_och_urval", "köp", "efter_köp")),
    # The Persian article's six phases, with retention.
    "persian-six": ("fa", ("awareness", "consideration", "purchase", "retention", "support", "loyalty")),
}


def preset_phases(name: str) -> list[dict[str, str]]:
    """The phases of preset ``name``: id, the label in the preset's language, and the catalogue term."""
    source, ids = PRESETS[name]
    words = catalogue(source)
    return [{"id": i, "label": words(f"preset.{name}.{i}"), "term": f"preset.{name}.{i}"} for i in ids]


def preset_label(term: str) -> str | None:
    """The label a preset phase loads with (``term``: ``preset.<preset>.<id>``), None for no such phase."""
    _, name, phase = term.split(".", 2)
    if name not in PRESETS or phase not in PRESETS[name][1]:
        return None
    return catalogue(PRESETS[name][0])(term)


PHASE_PRESETS: dict[str, list[dict[str, str]]] = {name: preset_phases(name) for name in PRESETS}
