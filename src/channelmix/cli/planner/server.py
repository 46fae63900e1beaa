"""Starting the planner: the folder and file it serves, a fresh token, uvicorn on the address
asked for (127.0.0.1 unless told otherwise), the browser opened on the tokened address."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import webbrowser
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import quote

from .app import Planner, make_app
from .edits import relative
from .guard import Gate, new_token
from .workers import Lane


@dataclass(frozen=True)
class Started:
    """Where the planner listens: the address to open (with its token) and what it serves."""

    url: str
    root: Path
    planner: Planner
    gate: Gate


def prepare(target: Path, host: str = "127.0.0.1", port: int = 0, timeout: float = 60.0,
            max_body: int = 1_000_000, token: str | None = None, plans: Lane | None = None) -> Started:
    """The planner for ``target`` (a scenario file or a folder), on ``port`` (0: a free one);
    ``plans``: a lane already at work on the opening page's plan (:meth:`.Lane.ahead`)."""
    target = target.resolve()
    root = target if target.is_dir() else target.parent
    start_file = "" if target.is_dir() else relative(root, target)
    if port == 0:
        port = free_port(host)
    gate = Gate(token or new_token(), port, host, max_body)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    page = f"/plan?file={quote(start_file)}&" if start_file else "/?"
    url = f"http://{shown if ':' not in shown else f'[{shown}]'}:{port}{page}token={gate.token}"
    return Started(url, root, Planner(root, plans or Lane(timeout), start_file, timeout), gate)


def free_port(host: str) -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def open_when_up(server: Any, url: str) -> None:
    """The browser opened once the server listens (not before: the first request would fail)."""
    for _ in range(300):
        if server.started:
            webbrowser.open(url)
            return
        time.sleep(0.05)


def server_of(started: Started) -> Any:
    import uvicorn

    config = uvicorn.Config(make_app(started.planner, started.gate), host=started.gate.host, port=started.gate.port,
                            log_level="warning", lifespan="on", server_header=False, date_header=False)
    return uvicorn.Server(config)


@contextlib.contextmanager
def serving(started: Started) -> Iterator[Started]:
    """The planner served from a thread of this process while the block runs (tests, benchmarks)."""
    server = server_of(started)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(600):
            if server.started or not thread.is_alive():
                break
            time.sleep(0.02)
        if not server.started:
            raise RuntimeError(f"the planner did not start on port {started.gate.port}")
        yield started
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        started.planner.plans.close()
        started.planner.questions.close()


def run(started: Started, open_browser: bool, announce: Callable[[str], None]) -> None:
    """Serve until interrupted; the worker processes end with the server."""
    server = server_of(started)
    announce(started.url)
    if open_browser:
        threading.Thread(target=open_when_up, args=(server, started.url), daemon=True).start()
    try:
        server.run()
    finally:
        started.planner.plans.close()
        started.planner.questions.close()
