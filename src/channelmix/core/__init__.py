"""What every stage shares and nothing of channelmix's own: tolerances, the JSON writer, atomic
files, text-cell safety, the language catalogue and period-unit words (docs/architecture.md,
"Packages and layers").  Imports no other channelmix package."""
