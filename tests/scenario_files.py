"""Copies of shipped scenario files with fewer variants, for tests that need the file's
base plan (and perhaps one what-if) but not its 12-world robust variants.

``--set variants=[]`` does not drop a file's variants (it is applied to each of them), so
a test that must not pay for them solves a copy written here. The copy keeps the file's
name and scenario name, so output files and plan names are the ones of the real file.
"""

from __future__ import annotations

from pathlib import Path

import yaml

SCENARIOS = Path(__file__).parents[1] / "scenarios"


def with_variants(stem: str, folder: Path, keep: tuple[str, ...] = ()) -> Path:
    """``scenarios/<stem>.yaml`` written into ``folder`` with only the variants named in
    ``keep`` (in the file's order); an error if one of them is not in the file."""
    data = yaml.safe_load((SCENARIOS / f"{stem}.yaml").read_text(encoding="utf-8"))
    kept = [v for v in data.get("variants", []) if v["name"] in keep]
    assert {v["name"] for v in kept} == set(keep), f"{stem} has no variant among {keep}"
    data["variants"] = kept
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
