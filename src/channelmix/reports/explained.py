"""An explanation with its JSON and its DataFrames: what the public ``channelmix.explain``
returns (the explanation itself is data, :class:`channelmix.analysis.explanation.Explanation`;
the sentences of its JSON are the reports')."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from ..analysis.explanation import Explanation
from .documents import explanation_document, explanation_frames


class Explained(Explanation):
    """:class:`Explanation` with :meth:`to_dict` (the JSON of ``channelmix explain --format
    json``) and :meth:`frames` (pandas DataFrames)."""

    @classmethod
    def of(cls, explanation: Explanation) -> Explained:
        return cls(**{f.name: getattr(explanation, f.name) for f in fields(explanation)})

    def to_dict(self) -> dict[str, Any]:
        return explanation_document(self)

    def frames(self) -> dict[str, Any]:
        return explanation_frames(self)
