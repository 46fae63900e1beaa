"""The planner's web application: one page per scenario file (server-rendered from Jinja
templates beside the reports' own), a small JSON API the page's plain script calls, and the
static script itself. Every route sits behind :class:`.guard.Guard`; every file named in a
request is resolved under the folder the planner was started on."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
import markupsafe
from anyio import to_thread
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ...core.jsonout import dumps
from ...reports.html import environment
from ...reports.i18n import using
from ...schema import ScenarioError
from ...schema.load import SUFFIXES
from .edits import Invalid, case_of, loaded, relative
from .forms import form_of
from .guard import Gate, Guard, Refused, TooLarge, inside
from .saving import save, save_as_yaml
from .views import plan_answer, variants_answer, warm, why_html
from .workers import Lane

SCENARIO_SUFFIXES = (".yaml", ".yml", ".json", ".toml")


@dataclass
class Planner:
    """What the running planner holds: its folder, the file it opened with, and its two lanes."""

    root: Path
    plans: Lane  # the edits' lane, perhaps already at work on the opening page's plan
    start_file: str = ""
    timeout: float = 60.0
    questions: Lane = field(init=False)
    save_lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.questions = Lane(self.timeout * 5)  # a frontier is many solves

    def files(self) -> list[str]:
        """Scenario files under the folder (not its hidden folders, not backups)."""
        found = []
        for path in sorted(self.root.rglob("*")):
            rel = relative(self.root, path)
            if path.suffix.lower() in SCENARIO_SUFFIXES and path.is_file() and not any(
                    part.startswith(".") for part in rel.split("/")):
                found.append(rel)
        return found[:500]

    def path(self, name: Any) -> Path:
        path = inside(self.root, str(name or ""))
        if not path.is_file() or path.suffix.lower() not in SUFFIXES:
            raise Refused(f"'{name}' is not a scenario file in the planner's folder")
        return path


@lru_cache(maxsize=1)
def pages() -> jinja2.Environment:
    """The reports' environment (their globals, macros and style) with the planner's templates first."""
    reports = environment().loader
    assert reports is not None
    env = environment().overlay(loader=jinja2.ChoiceLoader([jinja2.PackageLoader("channelmix.cli.planner", "templates"),
                                                            reports]))
    env.globals.update(plain=plain)
    return env


def plain(value: float | None) -> str:
    """A number as a field shows it and ``--set`` reads it: 90000000, 0.45, 12.5 (no exponent)."""
    if value is None:
        return ""
    text = format(Decimal(repr(float(value))), "f")  # the shortest text that reads back as the same number
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return text if text not in ("-0", "") else "0"


def json_response(data: Any, status: int = 200) -> Response:
    return Response(dumps(data), status_code=status, media_type="application/json")


async def body_of(request: Request) -> dict[str, Any]:
    try:
        data = json.loads(await request.body() or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise Invalid([]) from None
    if not isinstance(data, dict):
        raise Invalid([])
    sets = data.get("sets", [])
    if not isinstance(sets, list) or not all(isinstance(s, str) for s in sets):
        raise Invalid([])
    return data


class Routes:
    """The pages and the API of one planner."""

    def __init__(self, planner: Planner, gate: Gate) -> None:
        self.planner = planner
        self.gate = gate

    async def index(self, request: Request) -> Response:
        files = self.planner.files()
        first = self.planner.start_file or (files[0] if len(files) == 1 else "")
        if first:
            return RedirectResponse(f"/plan?file={quote(first)}", status_code=303)
        with using("en"):
            html = pages().get_template("planner_index.html.j2").render(files=files, folder=self.planner.root.name,
                                                                         lang="en", dir="ltr")
        return HTMLResponse(html)

    async def page(self, request: Request) -> Response:
        name = request.query_params.get("file", "")
        path = self.planner.path(name)
        try:
            item = loaded(path)
        except ScenarioError as err:
            return HTMLResponse(f"<pre>{markupsafe.escape(err.render())}</pre>", status_code=422)
        form = form_of(item)
        with using(form["language"]) as language:
            html = pages().get_template("planner.html.j2").render(
                form=form, file=name, files=self.planner.files(), lang=language.code, dir=language.direction,
                style=report_style())
        return HTMLResponse(html)

    async def script(self, request: Request) -> Response:
        text = resources.files("channelmix.cli.planner").joinpath("static", "planner.js").read_text(encoding="utf-8")
        return Response(text, media_type="text/javascript; charset=utf-8")

    def ask(self, lane: Lane, kind: str) -> Any:
        """An endpoint that validates the edits here (a bad one answers at once) and asks a worker."""
        async def endpoint(request: Request) -> Response:
            data = await body_of(request)
            path = self.planner.path(data.get("file"))
            sets = list(data["sets"]) if "sets" in data else []
            case = await to_thread.run_sync(case_of, path, sets)
            job = {"kind": kind, "source": str(path), "sets": sets, "channel": str(data.get("channel", "")),
                   "values": budget_steps(case.scenario.budget)}
            answer = await to_thread.run_sync(lane.run, job)
            if kind == "plan":
                answer = await to_thread.run_sync(plan_answer, answer)
            if kind == "variants":
                answer = await to_thread.run_sync(variants_answer, answer, pages())
            if kind == "why" and answer.get("status") == "ok":
                answer["html"] = why_html(answer, case.scenario)
            if kind == "export" and answer.get("status") == "ok":
                disposition = f"attachment; filename*=UTF-8''{quote(answer['name'])}"
                return Response(answer["zip"], media_type="application/zip",
                                headers={"content-disposition": disposition})
            return json_response({**answer, "seq": data.get("seq")})
        return endpoint

    async def store(self, request: Request) -> Response:
        data = await body_of(request)
        path = self.planner.path(data.get("file"))
        variant, description = str(data.get("variant") or ""), str(data.get("description") or "")

        def write() -> dict[str, str]:
            with self.planner.save_lock:
                if data.get("as_yaml"):
                    return save_as_yaml(path, list(data.get("sets", [])))
                return save(path, list(data.get("sets", [])), variant, description)
        return json_response({"status": "saved", **await to_thread.run_sync(write)})

    async def refused(self, request: Request, exc: Exception) -> Response:
        return json_response({"status": "refused", "message": str(exc)}, 403)

    async def invalid(self, request: Request, exc: Exception) -> Response:
        problems = exc.problems if isinstance(exc, Invalid) else []
        message = "; ".join(p.message for p in problems) or "the request is not a planner request"
        return json_response({"status": "invalid", "message": message, "problems": [p.to_dict() for p in problems]},
                             422 if problems else 400)

    async def too_large(self, request: Request, exc: Exception) -> Response:
        return json_response({"status": "refused", "message": f"larger than {self.gate.max_body} bytes"}, 413)


def make_app(planner: Planner, gate: Gate) -> Guard:
    """The application behind its guard."""
    r = Routes(planner, gate)
    routes = [Route("/", r.index), Route("/plan", r.page), Route("/static/planner.js", r.script),
              Route("/api/solve", r.ask(planner.plans, "plan"), methods=["POST"]),
              Route("/api/why", r.ask(planner.questions, "why"), methods=["POST"]),
              Route("/api/frontier", r.ask(planner.questions, "frontier"), methods=["POST"]),
              Route("/api/variants", r.ask(planner.questions, "variants"), methods=["POST"]),
              Route("/api/export", r.ask(planner.questions, "export"), methods=["POST"]),
              Route("/api/save", r.store, methods=["POST"])]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        threading.Thread(target=warm, args=(environment(),), daemon=True).start()  # the page compiles its own
        yield
        planner.plans.close()  # no worker process outlives the server
        planner.questions.close()

    app = Starlette(routes=routes, exception_handlers={Refused: r.refused, Invalid: r.invalid, TooLarge: r.too_large},
                    lifespan=lifespan)
    return Guard(app, gate)


def budget_steps(budget: float | None, count: int = 13) -> list[float]:
    """The frontier's budgets: a quarter of today's budget to twice it, in round steps."""
    if not budget:
        return []
    step = float(f"{budget * 1.75 / (count - 1):.1g}")
    first = round(budget / 4 / step) * step or step
    return [first + i * step for i in range(count)]


@lru_cache(maxsize=1)
def report_style() -> markupsafe.Markup:
    """The HTML report's own style sheet (and the schedule's), which the plan's sections need: our own
    template's text, put into the page as it is (escaped, `a > b` would become `a &gt; b`)."""
    return markupsafe.Markup(pages().get_template("planner_style.css.j2").render())
