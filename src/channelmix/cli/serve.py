"""``channelmix serve``: the local web planner (the optional ``serve`` extra)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import click

from .common import fail

MISSING = ("error: 'channelmix serve' needs the planner's extra packages (starlette, uvicorn, ruamel.yaml), "
           "which are not installed. Install them with:  pip install 'channelmix[serve]'")


@click.command()
@click.argument("target", required=False, default=".", type=click.Path(exists=True, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but 127.0.0.1 lets other machines reach the planner "
                   "(the token is still required).")
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="Port (default: a free one).")
@click.option("--no-browser", is_flag=True, help="Print the address; do not open a browser.")
@click.option("--solve-timeout", type=click.FloatRange(min=1), default=60.0, show_default=True,
              help="Seconds a solve may run before it is stopped and its message shown.")
def serve(target: Path, host: str, port: int, no_browser: bool, solve_timeout: float) -> None:
    """Plan in the browser: open TARGET (a scenario file or a folder of them, default the
    current folder) as forms; every change is re-solved into a verified plan; save writes the
    file back (keeping its comments, the old version as FILE.bak).

    Local and private by default: it listens on 127.0.0.1 and every request needs the token
    in the printed address. Only files under TARGET's folder are read or written.
    """
    if any(importlib.util.find_spec(name) is None for name in ("starlette", "uvicorn", "ruamel.yaml")):
        fail([MISSING])
    if target.is_file() and target.suffix.lower() not in (".yaml", ".yml", ".json", ".toml"):
        fail([f"error: {target}: not a scenario file (.yaml, .yml, .json or .toml) nor a folder"])
    from .planner.workers import Lane

    plans = Lane(solve_timeout)  # the opening page's plan starts solving while the server starts up
    if target.is_file():
        plans.ahead({"kind": "plan", "source": str(target.resolve()), "sets": []}, fork=True)
    from .planner.server import prepare, run

    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"warning: listening on {host}: other machines can reach the planner; anyone with the "
                   "address and its token can read and change the scenario files under "
                   f"{target.resolve() if target.is_dir() else target.resolve().parent}", err=True)
    try:
        started = prepare(target, host, port, solve_timeout, plans=plans)
    except OSError as err:
        plans.close()
        fail([f"error: cannot listen on {host}:{port}: {err.strerror or err}"])
    run(started, not no_browser, lambda url: click.echo(f"channelmix planner: {url}\n(Ctrl+C stops it)", err=True))
