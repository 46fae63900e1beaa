"""Independent pieces of work on every core, in processes, results as they finish: what
``batch`` and ``explain`` share.  A worker that dies fails its own piece only; an interrupt
(Ctrl-C, SIGTERM, a closed generator) ends the running workers at once.

One pool is resident (:func:`resident`): started on first use, kept for the life of the
process and shared by every later ``batch`` and ``explain`` (a notebook's second explanation
pays no start-up), shut down at exit; an interrupt or a dead worker retires it."""

from __future__ import annotations

import atexit
import multiprocessing
import os
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

Item = TypeVar("Item")

# modules a worker needs loaded before its first piece of work: the forkserver imports them
# once, and every worker it forks starts with them
PRELOAD = ["channelmix.solve.pipeline", "channelmix.analysis.explain_tasks", "scipy.optimize"]
# CPU seconds a worker takes to start (a forked process importing the solver stack, ~1.2 s measured on
# the shipped scenarios' machine): work shorter than two of these is done in this process
START_SECONDS = 1.5


def cores(workers: int = 0) -> int:
    """Processes to use: ``workers``, or every core for 0."""
    return workers or os.cpu_count() or 1


class Pool:
    """A process pool started before the work is known (its workers load the solver stack while
    the caller does something else, e.g. the first solve), then mapped over the pieces."""

    def __init__(self, workers: int, preload: Sequence[str] = PRELOAD) -> None:
        context = multiprocessing.get_context(
            "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn")
        if context.get_start_method() == "forkserver":
            context.set_forkserver_preload(list(preload))  # the first pool of a process starts the server
        self.others = set(multiprocessing.active_children())  # children that are not this pool's workers
        self.workers = workers
        self.executor = ProcessPoolExecutor(max_workers=workers, mp_context=context)
        self.starting: threading.Thread | None = None
        self.broken = False  # a worker died: the pool takes no more work

    def warm(self) -> None:
        """Start the workers now, in the background (a pool starts them on its first submission, and
        waits there until the forkserver has loaded the solver stack: seconds the caller can use)."""
        self.starting = threading.Thread(target=self.executor.submit, args=(os.getpid,), daemon=True)
        self.starting.start()

    def map(self, fn: Callable[..., Any], items: Sequence[Item], *args: Any) -> Iterator[tuple[Item, Any]]:
        """(item, fn(item, *args)) as each finishes; a piece whose worker died yields its exception."""
        if self.starting is not None:
            self.starting.join()
        futures: dict[Future, Item] = {self.executor.submit(fn, item, *args): item for item in items}
        for future in as_completed(futures):
            yield futures[future], self.result(future)

    def shared(self, fn: Callable[..., Any], items: Sequence[Item], *args: Any,
               slots: int | None = None) -> Iterator[tuple[Item, Any]]:
        """:meth:`map` with this process working too, both taking items in their order: the pool one
        per worker at a time once its workers have started, fed the next item the moment a worker
        finishes one (by the future's callback, not when this process is between items: a worker
        otherwise idled until this process's item ended), while this process answers one after
        another; an item the pool has not started when this process runs out is taken back.  So a pool
        whose workers are still starting costs nothing, and each worker takes its share.  Put the
        longest items first: the two finish together.  ``slots``: at most this many of the workers
        (a resident pool may have more than a caller asks for)."""
        todo: deque[Item] = deque(items)
        running: dict[Future, Item] = {}
        finished: queue.SimpleQueue[tuple[Item, Future]] = queue.SimpleQueue()
        lock = threading.RLock()  # a cancel runs the callback in the cancelling thread, which may hold it
        slots = min(slots or self.workers, self.workers)
        open_ = [True]  # the generator is still running: the callbacks may submit

        def done(future: Future) -> None:
            with lock:
                finished.put((running.pop(future), future))
            feed()

        def feed() -> None:
            with lock:
                while open_[0] and todo and len(running) < slots:
                    item = todo.popleft()
                    try:
                        future = self.executor.submit(fn, item, *args)
                    except RuntimeError:  # the pool was shut down (an interrupt): this process answers it
                        todo.appendleft(item)
                        return
                    running[future] = item
                    future.add_done_callback(done)  # runs at once when already done, which takes the lock again

        def first() -> None:  # a submission waits until the workers have started: until then this process works alone
            if self.starting is not None:
                self.starting.join()
            feed()

        threading.Thread(target=first, daemon=True).start()
        try:
            while True:
                while not finished.empty():
                    yield self._finished(finished.get(), fn, args)
                with lock:
                    mine = [todo.popleft()] if todo else []
                if mine:
                    yield mine[0], fn(mine[0], *args)
                    continue
                with lock:
                    for future in list(running):
                        future.cancel()  # not started: its callback hands it back, answered here
                    if not running and finished.empty():
                        return
                yield self._finished(finished.get(), fn, args)
        finally:
            open_[0] = False

    def _finished(self, entry: tuple[Item, Future], fn: Callable[..., Any], args: tuple) -> tuple[Item, Any]:
        """A finished submission's (item, answer); one cancelled before it started is answered here."""
        item, future = entry
        return (item, fn(item, *args)) if future.cancelled() else (item, self.result(future))

    def result(self, future: Future) -> Any:
        """The piece's answer, or the exception it raised (a worker that died: the pool is broken)."""
        try:
            return future.result()
        except Exception as err:  # noqa: BLE001 - a worker that died (BrokenProcessPool …) fails its piece only
            self.broken = self.broken or isinstance(err, BrokenProcessPool)
            return err

    def close(self) -> None:
        _retire(self)
        if self.starting is not None:
            self.starting.join()
        self.executor.shutdown(wait=True)

    def stop(self) -> None:
        """Cancel what has not started and end the running workers now, not after their piece.

        The workers are this process's children that were not there when the pool started:
        Python 3.11's pool has no public handle on them."""
        _retire(self)
        if self.starting is not None:
            self.starting.join()
        processes = [p for p in multiprocessing.active_children() if p not in self.others]
        self.executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join(timeout=1)


_resident: list[Pool] = []  # the process's resident pool, when one is running


def resident(workers: int) -> Pool:
    """The resident pool, with at least ``workers`` workers: the running one, or (none running, too
    small, or broken) a new one, started now in the background and shut down at exit."""
    if _resident and (_resident[0].workers < workers or _resident[0].broken):
        _resident[0].close()
    if not _resident:
        pool = Pool(workers)
        pool.warm()
        _resident.append(pool)
    return _resident[0]


def running() -> Pool | None:
    """The resident pool if one is running (its start-up already paid)."""
    return _resident[0] if _resident and not _resident[0].broken else None


def _retire(pool: Pool) -> None:
    if pool in _resident:
        _resident.remove(pool)


@atexit.register
def _shut_down() -> None:
    if _resident:
        _resident[0].close()


def worth_processes(seconds: float, count: int) -> bool:
    """Whether ``seconds`` of work (in this process) gains from ``count`` processes: a resident pool
    is running, or the work outlasts the workers' start (:data:`START_SECONDS` each, two at least)."""
    return count > 1 and (running() is not None or seconds > START_SECONDS * max(count, 2))


def in_processes(fn: Callable[..., Any], items: Sequence[Item], *args: Any, workers: int = 0,
                 pool: Pool | None = None) -> Iterator[tuple[Item, Any]]:
    """(item, fn(item, *args)) for every item as it finishes: with ``pool``, shared between it
    (``workers`` of its workers at most) and this process (:meth:`Pool.shared`); else in this
    process, in order, with one worker or one item; else on the resident pool (:func:`resident`).
    The pool stays for the next call, and is stopped on an interrupt.  A piece that raised in a
    worker yields its exception (one that raised here, raises)."""
    count = min(cores(workers), len(items))
    if pool is None and count <= 1:
        for item in items:
            yield item, fn(item, *args)
        return
    shared = pool is not None
    pool = pool or resident(count)
    try:
        yield from pool.shared(fn, items, *args, slots=cores(workers)) if shared else pool.map(fn, items, *args)
    except BaseException:
        pool.stop()  # interrupted: leave no worker behind
        raise
