"""Independent pieces of work on every core, in processes, results as they finish: what
``batch`` and ``explain`` share.  A worker that dies fails its own piece only; an interrupt
(Ctrl-C, SIGTERM, a closed generator) ends the running workers at once."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, as_completed, wait
from typing import Any, TypeVar

Item = TypeVar("Item")

# modules a worker needs loaded before its first piece of work: the forkserver imports them
# once, and every worker it forks starts with them
PRELOAD = ["channelmix.solve.pipeline"]


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
            yield futures[future], _result(future)

    def shared(self, fn: Callable[..., Any], items: Sequence[Item], *args: Any) -> Iterator[tuple[Item, Any]]:
        """:meth:`map` with this process working too: the pool takes items from the front, one per
        worker at a time, once its workers have started, while this process answers from the back;
        an item the pool has not started when this process runs out is taken back.  So a pool
        whose workers are still starting costs nothing, and each worker takes its share."""
        todo: deque[Item] = deque(items)
        running: dict[Future, Item] = {}
        slots = self.workers
        while todo or running:
            # a submission waits until the workers have started: until then this process works alone
            ready = self.starting is None or not self.starting.is_alive()
            while ready and todo and len(running) < slots:
                item = todo.popleft()
                running[self.executor.submit(fn, item, *args)] = item
            for future in [f for f in running if f.done()]:
                yield running.pop(future), _result(future)
            if todo:
                item = todo.pop()
                yield item, fn(item, *args)
                continue
            for future in [f for f in running if f.cancel()]:  # not started: answered here, now
                item = running.pop(future)
                yield item, fn(item, *args)
            if running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    yield running.pop(future), _result(future)

    def close(self) -> None:
        if self.starting is not None:
            self.starting.join()
        self.executor.shutdown(wait=True)

    def stop(self) -> None:
        """Cancel what has not started and end the running workers now, not after their piece.

        The workers are this process's children that were not there when the pool started:
        Python 3.11's pool has no public handle on them."""
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


def _result(future: Future) -> Any:
    try:
        return future.result()
    except Exception as err:  # noqa: BLE001 - a worker that died (BrokenProcessPool …) fails its piece only
        return err


def in_processes(fn: Callable[..., Any], items: Sequence[Item], *args: Any, workers: int = 0,
                 pool: Pool | None = None) -> Iterator[tuple[Item, Any]]:
    """(item, fn(item, *args)) for every item as it finishes: with ``pool``, shared between it and
    this process (:meth:`Pool.shared`); else in this process, in order, with one worker or one item;
    else in a new pool of ``workers``.  The pool is closed at the end and stopped on an interrupt.
    A piece that raised in a worker yields its exception (one that raised here, raises)."""
    count = min(cores(workers), len(items))
    if pool is None and count <= 1:
        for item in items:
            yield item, fn(item, *args)
        return
    shared = pool is not None
    pool = pool or Pool(count)
    try:
        yield from pool.shared(fn, items, *args) if shared else pool.map(fn, items, *args)
    except BaseException:
        pool.stop()  # interrupted: leave no worker behind
        raise
    pool.close()
