"""What a worker process computes for the page: the verified plan of an edit (its JSON document as
``channelmix solve --format json`` writes it, and the HTML report's body), the budget frontier,
the file's variants side by side, and one channel's decision against its opposite. Every plan
comes out of the verified pipeline (``solve.pipeline``); nothing here words a figure except
through the reports."""

from __future__ import annotations

import time
import traceback
from pathlib import Path
from typing import Any

from .edits import Invalid, case_of, loaded
from .views import report_body


def run_job(job: dict[str, Any]) -> dict[str, Any]:
    """One job's answer; a problem in the input or a failure inside is an answer too."""
    began = time.perf_counter()
    try:
        answer = JOBS[job["kind"]](Path(job["source"]), list(job.get("sets", [])), job)
    except Invalid as err:
        answer = {"status": "invalid", "problems": [p.to_dict() for p in err.problems]}
    except Exception as err:  # the page shows it; the worker lives on
        answer = {"status": "failed", "message": f"{type(err).__name__}: {err}",
                  "detail": traceback.format_exc(limit=6)}
    answer["solve_seconds"] = time.perf_counter() - began
    return answer


def plan_job(source: Path, sets: list[str], job: dict[str, Any]) -> dict[str, Any]:
    """The verified plan's document and each spend-driven channel's response curve (sampled as
    ``explain`` samples them for the report's charts); the server renders both (its process has
    the templates compiled already, a new worker would spend its first job compiling them)."""
    from ...analysis.explanation import curves
    from ...reports.documents import plan_document
    from ...solve.pipeline import solve_scenario
    from ...verify.reachable import report_facts

    case = case_of(source, sets)
    plan = solve_scenario(case.scenario, case.warnings)
    document = {**plan_document(plan), **report_facts(case.scenario)}  # as `solve --format json` writes it
    return {"status": "ok" if plan.solved else "no_plan", "plan": document, "verified": bool(plan.verified),
            "kind": case.scenario.kind, "curves": curves(case.scenario, plan) if plan.solved else []}


def why_job(source: Path, sets: list[str], job: dict[str, Any]) -> dict[str, Any]:
    """The plan with ``channel``'s decision turned the other way (the file's own force for it
    dropped), verified, against the plan itself."""
    from ...reports.wording import plan_message
    from ...solve.pipeline import solve_scenario
    from ...verify.baseline import better_by

    cid = str(job["channel"])
    case = case_of(source, sets)
    plan = solve_scenario(case.scenario, case.warnings)
    if not plan.solved:
        return {"status": "no_plan", "message": plan_message(plan)}
    on = next((c.on for c in plan.channels if c.id == cid), None)
    if on is None:
        raise Invalid([])
    rules = case.scenario.rules
    force_on = [c for c in rules.force_on if c != cid] + ([cid] if not on else [])
    force_off = [c for c in rules.force_off if c != cid] + ([cid] if on else [])
    flipped = case_of(source, sets + [f"rules.force_on={force_on}", f"rules.force_off={force_off}"])
    other = solve_scenario(flipped.scenario, flipped.warnings)
    plan_on = {c.id for c in plan.channels if c.on}
    other_on = {c.id for c in other.channels if c.on} if other.solved else set()
    return {"status": "ok", "channel": cid, "on": on, "objective": plan.objective, "cost": plan.cost,
            "other_solved": other.solved, "other_objective": other.objective if other.solved else None,
            "other_cost": other.cost if other.solved else None, "other_verified": bool(other.verified),
            "lost": better_by(case.scenario, plan.value, other.value) if other.solved else None,
            "enters": sorted(other_on - plan_on), "leaves": sorted(plan_on - other_on),
            "other_message": "" if other.solved else plan_message(other)}


def frontier_job(source: Path, sets: list[str], job: dict[str, Any]) -> dict[str, Any]:
    """The budget swept over ``values`` (each step verified, warm-started from the one before)
    as the sweep report draws it: the knee and today's point marked."""
    from ...analysis.whatif import sweep
    from ...reports.documents import plan_document
    from ...reports.html import collection_html

    case = case_of(source, sets)  # the edits are valid before anything is swept
    base = loaded(source)
    values = [float(v) for v in job["values"]][:60]
    changes = {k: v for k, v in case.overrides.items() if k != "budget"}
    found = sweep(base, {"budget": values}, changes)
    plans = [plan_document(p) for p in found.plans]
    body = report_body(collection_html(f"{base.scenario.scenario}: budget", found.frontier, plans, ["budget"]))
    knees = [v for v, knee in zip(values, found.frontier["knee"]) if knee]
    return {"status": "ok", "html": body, "knee": knees[0] if knees else None,
            "points": [{"budget": v, "objective": p.objective, "solved": p.solved, "verified": bool(p.verified)}
                       for v, p in zip(values, found.plans)]}


def variants_job(source: Path, sets: list[str], job: dict[str, Any]) -> dict[str, Any]:
    """The file's base and its variants (single-period ones), each with the edits on top, side by
    side; and for every ordered pair what ``compare --diff A B --format json`` prints (channels
    entering and leaving, spend before and after, objective and cost), with what each scenario
    sets, so the page can say what changed in the scenario too."""
    import json

    from ...analysis.whatif import compare, diff
    from ...reports.documents import plan_document
    from ...reports.html import collection_html
    from ...reports.output import rows_as_json
    from ...schema.expand import value_at, variants
    from ...solve.pipeline import solve_scenario

    case = case_of(source, sets)
    base = loaded(source)
    cases = [c for c in variants(base, case.overrides) if c.scenario.kind == "single"]
    plans = [solve_scenario(c.scenario, c.warnings) for c in cases]
    documents = [plan_document(p) for p in plans]
    body = report_body(collection_html(f"{case.scenario.scenario}: variants", compare(plans), documents))
    pairs = {f"{a.scenario}|{b.scenario}": [json.loads(line) for line in rows_as_json(diff(a, b))]
             for a in plans for b in plans if a is not b}
    return {"status": "ok", "html": body, "names": [c.variant or "base" for c in cases],
            "scenarios": [p.scenario for p in plans], "pairs": pairs,
            "sets": {p.scenario: c.overrides for p, c in zip(plans, cases)},
            "file_values": {path: value_at(base.raw, path) for c in cases for path in c.overrides},
            "labels": {ch.id: ch.name for ch in case.scenario.channels}, "currency": case.scenario.currency or "",
            "language": case.scenario.language or "en",
            "skipped": [v.name for v in base.scenario.variants if v.name not in {c.variant for c in cases}]}


def export_job(source: Path, sets: list[str], job: dict[str, Any]) -> dict[str, Any]:
    """The files ``channelmix solve FILE --set … --out DIR --report html --report md --report xlsx``
    writes (the plan's JSON and CSV tables and the three reports), written the command line's way
    into a temporary folder and returned as one zip."""
    import io
    import tempfile
    import zipfile

    from ...core.filenames import unique_stem
    from ...reports import write_report
    from ...reports.documents import plan_document
    from ...reports.output import write_outputs
    from ...solve.pipeline import solve_from
    from ...verify.reachable import report_facts
    from ..headroom import headroom_json

    case = case_of(source, sets)
    plan, values = solve_from(case.scenario, case.warnings)
    # what 10 % more budget and each binding limit 10 % looser would buy, as `solve --out` writes it
    extra = {"json": {**report_facts(case.scenario), **headroom_json(case.scenario, plan, values)}}
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="channelmix-export-") as tmp:
        out = Path(tmp)
        written = write_outputs(plan, out, unique_stem(plan.scenario, set()), extra)
        document = {**plan_document(plan), **extra["json"]}
        written += [write_report(kind, out, plan=document) for kind in ("html", "md", "xlsx")]
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in written:
                archive.write(path, path.name)
    return {"status": "ok", "zip": buffer.getvalue(), "name": f"{unique_stem(plan.scenario, set())}.zip",
            "files": [p.name for p in written], "verified": bool(plan.verified)}


JOBS = {"export": export_job, "plan": plan_job, "why": why_job, "frontier": frontier_job, "variants": variants_job}
