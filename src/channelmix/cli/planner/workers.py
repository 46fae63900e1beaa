"""Resident solver processes. Each lane (plans, and the slower questions: frontier, variants,
why) keeps one warm worker process with the solver stack imported, and a spare. A newer job on
a lane stops the older one by ending its process (a MILP cannot be interrupted from outside
otherwise), and the spare takes over at once while a new spare warms up. A job that runs past
the time limit is stopped the same way; a job that fails answers with its message. The
server's own process never solves, so nothing a solve does can take it down.

This module imports nothing of the pipeline (the worker imports it), so that ``channelmix serve``
can start the first worker, with the opening page's plan as its first job, before the server has
imported its own parts: the two processes start up side by side."""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

SUPERSEDED = "superseded"
TIMEOUT = "timeout"
FAILED = "failed"


def serve(conn: Connection) -> None:
    """A worker's life: warm up once (unless a job already waits: then that job is the warm-up),
    then answer jobs until the pipe closes."""
    from .jobs import run_job

    if not conn.poll(0):
        warm_up()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(run_job(job))


def warm_up() -> None:
    """Solve the starter scenario once as a plan job does, so that a spare taking over pays neither
    the imports nor the solver's first-use costs (about 2 s on a first solve)."""
    from importlib import resources

    from ...analysis.explanation import curves
    from ...reports.documents import plan_document
    from ...schema.load import parse, validate
    from ...solve.pipeline import solve_scenario

    text = resources.files("channelmix.schema").joinpath("starter.yaml").read_text(encoding="utf-8")
    try:
        scenario = validate(parse(text, "yaml", "starter.yaml")).scenario
        plan = solve_scenario(scenario)
        plan_document(plan), curves(scenario, plan)
    except Exception:  # a warm-up that fails costs only the warmth; the jobs report their own failures
        pass


@dataclass
class Worker:
    process: Any
    conn: Connection

    def kill(self) -> None:
        """End the process: its pipe then reads as closed in the thread waiting on it."""
        if self.process.is_alive():
            self.process.kill()

    def stop(self) -> None:
        self.kill()
        self.process.join(timeout=5)
        self.conn.close()


class Lane:
    """One job at a time; the newest wins. ``run`` blocks (call it from a thread)."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._context = multiprocessing.get_context("spawn")  # no fork of a threaded server
        self._lock = threading.Lock()
        self._idle: list[Worker] = []
        self._busy: dict[int, Worker] = {}
        self._generation = 0
        self._closed = False
        self._early: tuple[tuple[Any, ...], Future[dict[str, Any]]] | None = None

    def start(self) -> None:
        """Warm a worker and its spare now, not on the first edit."""
        with self._lock:
            while len(self._idle) < 2:
                self._idle.append(self._spawn())

    def _spawn(self, context: Any = None) -> Worker:
        context = context or self._context
        parent, child = context.Pipe()
        process = context.Process(target=serve, args=(child,), daemon=True, name="channelmix-planner-worker")
        process.start()
        child.close()
        return Worker(process, parent)

    def _replenish(self) -> None:
        """A new spare, warmed in the background so the next stop costs nothing."""
        def warm() -> None:
            worker = self._spawn()
            with self._lock:
                if self._closed or len(self._idle) >= 2:
                    worker.stop()
                else:
                    self._idle.append(worker)
        threading.Thread(target=warm, daemon=True).start()

    def ahead(self, job: dict[str, Any], fork: bool = False) -> None:
        """Start ``job`` now, before anyone asks (the opening page's plan while the server itself
        is still starting; its worker is started here, the spare only after it answered). The
        same job asked later, its file unchanged, gets this answer instead of a new solve.

        ``fork``: start that worker as a fork of this process, which skips a new interpreter's
        start (about 0.2 s) — only where fork is safe, so only before this process has started
        a thread or a library with threads of its own (``channelmix serve`` calls it first thing),
        and only on Linux (macOS's system libraries are not fork-safe, Windows has no fork)."""
        future: Future[dict[str, Any]] = Future()
        with self._lock:
            self._early = (early_key(job), future)
            if fork and sys.platform.startswith("linux") and threading.active_count() == 1:
                self._idle.insert(0, self._spawn(multiprocessing.get_context("fork")))
        threading.Thread(target=lambda: future.set_result(self._solve(job)), daemon=True).start()

    def run(self, job: dict[str, Any]) -> dict[str, Any]:
        """The job's answer, or ``{"status": superseded | timeout | failed, "message": …}``."""
        with self._lock:
            early = self._early
        if early is not None and early[0] == early_key(job):
            began = time.perf_counter()
            answer = early[1].result()
            if answer["status"] not in (SUPERSEDED, TIMEOUT, FAILED):
                return {**answer, "early": True, "seconds": time.perf_counter() - began}
        return self._solve(job)

    def _solve(self, job: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            if self._closed:
                return {"status": FAILED, "message": "the planner is shutting down"}
            self._generation += 1
            generation = self._generation
            for older in list(self._busy):  # a newer job: the older answer would be stale, stop it
                self._busy.pop(older).kill()  # its own thread joins and closes it
            worker = self._idle.pop(0) if self._idle else self._spawn()
            self._busy[generation] = worker
        began = time.perf_counter()
        try:
            worker.conn.send(job)
            if worker.conn.poll(self.timeout):
                answer: dict[str, Any] = worker.conn.recv()
            else:
                answer = {"status": TIMEOUT, "message": f"no answer within {self.timeout:g} s: the solve was stopped"}
        except (EOFError, OSError, BrokenPipeError):
            with self._lock:
                stale = generation != self._generation or self._closed
            answer = ({"status": SUPERSEDED, "message": "a newer change replaced this one"} if stale else
                      {"status": FAILED, "message": "the solver process stopped unexpectedly"})
        answer["seconds"] = time.perf_counter() - began
        with self._lock:
            kept = self._busy.pop(generation, None) is not None and answer["status"] not in (TIMEOUT, FAILED) \
                and not self._closed and worker.process.is_alive()
            if kept:
                self._idle.insert(0, worker)
        if not kept:
            worker.stop()
        if len(self._idle) < 2:  # after the answer: a spare warming up would slow this solve down
            self._replenish()
        return answer

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, busy = self._idle, list(self._busy.values())
            self._idle, self._busy = [], {}
        for worker in busy:
            worker.kill()  # the thread waiting on it stops it
        for worker in idle:
            worker.stop()


def early_key(job: dict[str, Any]) -> tuple[Any, ...]:
    """What makes two jobs the same question: kind, file (as it is on disk now) and edits."""
    try:
        stat = os.stat(job["source"])
        on_disk: tuple[int, int] = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        on_disk = (0, -1)
    return (job["kind"], job["source"], tuple(job.get("sets", [])), on_disk)
