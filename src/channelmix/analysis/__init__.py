"""Questions asked of a solved scenario: explanations, marginals, limits, alternatives,
conflicts and repairs, what-if sweeps and comparisons, batches.  They return data (records,
tables), never sentences: the words are the reports' (docs/architecture.md, "Invariants")."""
