"""Curves from evidence: import fitted marketing-mix models and curve tables, refit curves from results.

Importers turn another tool's output into a channelmix scenario (:mod:`.writer`); every
malformed input is reported as :class:`~channelmix.schema.ScenarioError` problems that name
the file, the row or field, and the fix.
"""
