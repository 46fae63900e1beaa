"""Journey-phase frameworks from the source articles, shipped as presets.

A scenario names one (``phases: osterwalder``) or lists its own phases.
"""

from __future__ import annotations

PHASE_PRESETS: dict[str, list[dict[str, str]]] = {
    # Osterwalder's five channel phases (French seed).
    "osterwalder": [
        {"id": "awareness", "label": "Awareness"},
        {"id": "evaluation", "label": "Evaluation"},
        {"id": "purchase", "label": "Purchase"},
        {"id": "delivery", "label": "Delivery"},
        {"id": "after_sales", "label": "After-sales"},
    ],
    # Six phases of the English seed.
    "six-phase": [
        {"id": "aware", "label": "Aware"},
        {"id": "consider", "label": "Consider"},
        {"id": "purchase", "label": "Purchase"},
        {"id": "delivery", "label": "Delivery"},
        {"id": "support", "label": "Support"},
        {"id": "loyalty", "label": "Loyalty"},
    ],
    # The Swedish "kundresan" (customer journey) in four phases.
    "kundresan": [
        {"id": "latent", "label": "Latent fas"},
        {"id": "sök_och_urval", "label": "Sök- och urvalsfas"},
        {"id": "köp", "label": "Köp"},
        {"id": "efter_köp", "label": "Efter köp"},
    ],
    # The Persian article's six phases, with retention.
    "persian-six": [
        {"id": "awareness", "label": "آگاهی"},
        {"id": "consideration", "label": "بررسی"},
        {"id": "purchase", "label": "خرید"},
        {"id": "retention", "label": "حفظ مشتری"},
        {"id": "support", "label": "پشتیبانی"},
        {"id": "loyalty", "label": "وفاداری"},
    ],
}
