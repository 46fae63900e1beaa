"""Solve many scenarios: every file (and variant) under some paths, in parallel.

One bad or infeasible scenario never stops a batch: it gets a row with its status
and message and the rest finish. Each result is written atomically as it arrives,
with a hash of the concrete scenario it answers, so ``resume`` skips what is done
and unchanged. Executors: ``serial`` (in this process), ``processes`` (all cores),
``dask`` (a distributed cluster; ``pip install channelmix[dask]``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import signal
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..core import jsonout
from ..core.atomic import write_atomic
from ..core.filenames import unique_stem
from ..core.textcells import csv_frame
from ..core.version import VERSION
from ..model.solution import SOLVED
from ..schema import SUFFIXES, ScenarioError, load
from ..schema.expand import Case, variants
from ..verify.plan import Plan
from .parallel import cores, in_processes

SUMMARY_KEYS = ("scenario", "source", "variant", "status", "objective", "cost", "gap", "verified", "message")

Document = Callable[[Plan], dict[str, Any]]  # a plan's result file, as JSON data (the reports' plan_document)


@dataclass(frozen=True)
class Job:
    """One case to solve, where its result goes, and the hash of what it answers."""

    case: Case
    stem: str
    digest: str


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Scenario files: the files named, and every scenario file under the folders named."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file()
                            and not any(part.startswith(".") for part in p.relative_to(path).parts))
        else:
            found.append(path)
    return found


def digest(case: Case) -> str:
    """What a result answers: the concrete scenario and the channelmix version."""
    text = json.dumps(case.scenario.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(f"{VERSION}\n{text}".encode()).hexdigest()[:20]


def prepare(files: list[Path], overrides: dict[str, Any] | None = None) -> tuple[list[Job], list[dict[str, Any]]]:
    """Jobs for every readable file and variant; a row for every file that could not be
    read: ``invalid`` with the schema's problems, or ``error`` with whatever else went
    wrong (a RecursionError, an OSError …) — one bad file never stops the others."""
    jobs: list[Job] = []
    unread: list[dict[str, Any]] = []
    used: set[str] = set()
    for path in files:
        row = {"scenario": path.stem, "source": str(path), "variant": "", "verified": False}
        try:
            cases = variants(load(path), overrides)
            found = [(case, digest(case)) for case in cases]
        except ScenarioError as err:
            unread.append({**row, "status": "invalid", "message": err.render()})
            continue
        except Exception as err:  # noqa: BLE001 - reported in the file's row, the batch goes on
            unread.append({**row, "status": "error", "message": f"{path}: could not be read: {_describe(err)}"})
            continue
        for case, hashed in found:
            jobs.append(Job(case, unique_stem(case.name, used), hashed))
    return jobs, unread


def _describe(err: BaseException) -> str:
    text = str(err)
    return f"{type(err).__name__}: {text[:500] + ' …' if len(text) > 500 else text}"


def nothing_read(results: list[dict[str, Any]]) -> bool:
    """True when no file of the batch could be read (every row is a file that failed to load)."""
    return bool(results) and not any("input_hash" in row for row in results)


def run_case(case: Case, document: Document) -> dict[str, Any]:
    """Solve one case in a worker; never raises: a failure becomes a result with a message."""
    from ..solve.pipeline import solve_scenario  # in the worker: the parent of a batch only reads files

    base = {"source": case.source, "variant": case.variant, "overrides": case.overrides}
    try:
        plan = solve_scenario(case.scenario, case.warnings)
        return {**json.loads(jsonout.dumps(document(plan))), **base}
    except Exception as err:  # a bug in channelmix must not stop the batch; it is reported
        return _error_row(case, err, traceback.format_exc())


def _guarded(case: Case, document: Document) -> dict[str, Any]:
    """:func:`run_case` in this process; even what escapes it fails only this case."""
    try:
        return run_case(case, document)
    except Exception as err:  # noqa: BLE001
        return _error_row(case, err, traceback.format_exc())


def _error_row(case: Case, err: BaseException, trace: str = "") -> dict[str, Any]:
    return {"scenario": case.name, "source": case.source, "variant": case.variant, "overrides": case.overrides,
            "status": "error", "verified": False, "message": _describe(err), "traceback": trace}


def run(jobs: list[Job], out_dir: Path, document: Document, *, workers: int = 0, resume: bool = False,
        executor: str = "processes", scheduler: str | None = None,
        progress: Callable[[int, int], None] | None = None) -> list[dict[str, Any]]:
    """Solve the jobs, writing ``<stem>.json`` (the plan's ``document``) per result as it arrives;
    return one row per job."""
    out_dir.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict[str, Any]] = {}
    todo: list[Job] = []
    for job in jobs:
        done = _finished(out_dir / f"{job.stem}.json", job.digest) if resume else None
        if done is not None:
            results[job.stem] = {**done, "resumed": True}
        else:
            todo.append(job)
    if progress:
        progress(len(results), len(jobs))
    by_name = {id(job.case): job for job in todo}
    for case, result in _execute([job.case for job in todo], document, workers, executor, scheduler):
        job = by_name[id(case)]
        result["input_hash"] = job.digest
        try:
            write_atomic(out_dir / f"{job.stem}.json", jsonout.dumps(result) + "\n")
        except (OSError, ValueError, TypeError) as err:  # a result that cannot be saved is that row's error
            result = {**_error_row(job.case, err), "message": f"result not written: {_describe(err)}",
                      "input_hash": job.digest}
        results[job.stem] = {**result, "resumed": False}
        if progress:
            progress(len(results), len(jobs))
    return [results[job.stem] for job in jobs]


def _finished(path: Path, expected: str) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if data.get("input_hash") == expected else None


def _execute(cases: list[Case], document: Document, workers: int, executor: str,
             scheduler: str | None) -> Iterator[tuple[Case, dict[str, Any]]]:
    if not cases:
        return
    if executor == "dask":
        yield from _on_dask(cases, document, scheduler)
        return
    if executor == "serial" or cores(workers) == 1 or len(cases) == 1:
        for case in cases:
            yield case, _guarded(case, document)
        return
    for case, result in in_processes(run_case, cases, document, workers=workers):
        yield case, (_error_row(case, result) if isinstance(result, BaseException) else result)


@contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """SIGTERM ends a batch as Ctrl-C does: by an exception, so the workers are stopped, not orphaned."""
    def terminated(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, terminated)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _on_dask(cases: list[Case], document: Document, scheduler: str | None) -> Iterator[tuple[Case, dict[str, Any]]]:
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise RuntimeError("the dask executor needs dask[distributed]: pip install 'channelmix[dask]'") from None
    # A local cluster is ours: its workers' own logs stay quiet (a heartbeat that meets the
    # scheduler closing at the end logs a traceback, on a busy machine), while every case's
    # failure still comes back as that case's error row. A user's scheduler keeps its logging.
    with Client(scheduler) if scheduler else Client(processes=True, silence_logs=logging.CRITICAL) as client:
        futures = client.map(run_case, cases, [document] * len(cases), pure=False)
        order = {f.key: case for f, case in zip(futures, cases)}
        for future in as_completed(futures):
            yield order[future.key], future.result()


def summary(rows: list[dict[str, Any]], varied: list[str] | None = None) -> pd.DataFrame:
    """One row per scenario: the summary keys, each varied path, a spend column per channel."""
    table = []
    for row in rows:
        line = {key: row.get(key) for key in SUMMARY_KEYS}
        coverage = [c.get("level") for c in row.get("coverage") or [] if c.get("level") is not None]
        line.update(
            currency=row.get("currency"),
            sense=row.get("sense"),
            weighted_reach=row.get("weighted_reach"),
            channels_on=sum(bool(c.get("on")) for c in row.get("channels") or []) if row.get("channels") else None,
            weakest_cell=min(coverage) if coverage else None,  # one currency and objective kind per row
            periods=period_count(row),
        )
        for path in varied or []:
            line[path] = (row.get("overrides") or {}).get(path)
        line["resumed"] = row.get("resumed", False)
        for channel in row.get("channels") or []:
            line[f"spend_{channel['id']}"] = channel["spend"]
        table.append(line)
    return pd.DataFrame(table)


COUNT_COLUMNS = ("channels_on", "periods")  # whole numbers, float only where a row without a plan left a gap


def tidy(table: pd.DataFrame) -> pd.DataFrame:
    """The table as a summary file shows it: counts as whole numbers (``4``, not ``4.0``, an empty
    cell where there is no plan) and floating-point and solver noise rounded away
    (``4999.999999999999`` and ``2499.999999792494`` are ``5000`` and ``2500``): 10 significant
    digits, finer than any rule is checked (:data:`~channelmix.core.tolerances.TOLERANCE`, 1e-6)."""
    from pandas.api.types import is_float_dtype

    out = table.copy()
    for name in out.columns:
        column = out[name]
        if not is_float_dtype(column):
            continue
        if name in COUNT_COLUMNS:
            out[name] = column.round().astype("Int64")
        else:
            out[name] = column.map(lambda v: float(f"{v:.10g}") if math.isfinite(v) else v)
    return out


def write_summary(table: pd.DataFrame, out_dir: Path) -> list[Path]:
    """summary.csv and summary.json (see :func:`tidy`), each written atomically."""
    out_dir.mkdir(parents=True, exist_ok=True)
    table = tidy(table)
    records = json.loads(table.to_json(orient="records", force_ascii=False))
    return [write_atomic(out_dir / "summary.csv", csv_frame(table).to_csv(index=False)),
            write_atomic(out_dir / "summary.json", jsonout.dumps(records, indent=1) + "\n")]


def run_batch(paths: Iterable[str | Path], out_dir: str | Path, *, document: Document,
              overrides: dict[str, Any] | None = None, workers: int = 0, resume: bool = False,
              executor: str = "processes", scheduler: str | None = None,
              progress: Callable[[int, int], None] | None = None) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """The whole batch: discover, solve, write each result (``document``: the plan's JSON, see
    :func:`channelmix.reports.documents.plan_document`) and the summary; returns the summary
    table and every result (as its JSON dict, unread files included).  ``channelmix.solve_paths``
    is this with the reports' document."""
    out = Path(out_dir)
    jobs, unread = prepare(discover(paths), overrides)
    rows = run(jobs, out, document, workers=workers, resume=resume, executor=executor, scheduler=scheduler,
               progress=progress)
    table = summary(unread + rows)
    write_summary(table, out)
    return table, unread + rows


def period_count(plan: dict[str, Any]) -> int | None:
    """How many periods the plan covers: 1 without a schedule, None without a plan."""
    if plan.get("status") not in SOLVED:
        return None
    return len((plan.get("schedule") or {}).get("periods") or []) or 1
