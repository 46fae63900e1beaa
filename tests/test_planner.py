"""The planner (``channelmix serve``) through HTTP, as a browser or a script talks to it: the
token, Host and Origin checks, paths kept inside the folder, size limits, an edit's plan
against the command line's ``solve --set`` plan, field problems, saving with comments kept and
the old version beside it, concurrent edits, a solve that fails or runs too long, and the
command itself (installed console script)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
import time
from html.parser import HTMLParser
from pathlib import Path

import markupsafe
import pytest
import yaml

pytest.importorskip("starlette", reason="the planner's extra is not installed (pip install -e '.[serve]')")
httpx = pytest.importorskip("httpx")

import channelmix as cm  # noqa: E402
from channelmix.cli.planner.edits import overrides  # noqa: E402
from channelmix.cli.planner.server import prepare, serving  # noqa: E402
from channelmix.cli.planner.workers import TIMEOUT, Lane  # noqa: E402
from channelmix.schema.expand import derive  # noqa: E402
from test_cli_subprocess import CHANNELMIX, run  # noqa: E402

ROOT = Path(__file__).parents[1]
BAKERY = "township-bakery.yaml"
TOKEN = "test-token-not-secret"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("planner")
    for name in (BAKERY, "khadamat-persian.yaml"):
        shutil.copy(ROOT / "scenarios" / name, out / name)
    (out / "notes.txt").write_text("not a scenario", encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def server(folder):
    with serving(prepare(folder, token=TOKEN, timeout=120)) as started:
        yield started


@pytest.fixture(scope="module")
def base(server) -> str:
    return f"http://127.0.0.1:{server.gate.port}"


def client(base: str, **options) -> httpx.Client:
    return httpx.Client(base_url=base, timeout=300, **options)


def solve(base: str, sets: list[str], file: str = BAKERY, **headers: str) -> httpx.Response:
    with client(base, cookies={"channelmix_token": TOKEN}) as c:
        return c.post("/api/solve", json={"file": file, "sets": sets}, headers=headers)


def one_variant(path: Path) -> list[str]:
    """``--variant`` with the file's first variant, if it has any: the command line solves and writes a
    file's base plan before its variants and from nothing they give (cli/solve.py), so its base plan is
    the same, and it is not made to solve the bakery's two robust variants (12 worlds each) that these
    tests never read (about 5 CPU s a command)."""
    variants = yaml.safe_load(path.read_text(encoding="utf-8")).get("variants") or []
    return ["--variant", variants[0]["name"]] if variants else []


def cli_plan(path: Path, sets: list[str]) -> dict:
    """The command line's base plan (its first JSON line) of ``path`` with ``sets``."""
    done = run("solve", path, *[a for s in sets for a in ("--set", s)], *one_variant(path), "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[0])


def mix(plan: dict) -> dict:
    return {c["id"]: (c["on"], round(c["spend"], 6)) for c in plan["channels"]}


# ---------------------------------------------------------------- the gate


def test_every_request_needs_the_token(base):
    with client(base) as c:
        assert c.get("/").status_code == 403
        assert c.get("/static/planner.js").status_code == 403
        assert c.get("/?token=wrong").status_code == 403
        assert c.post("/api/solve", json={"file": BAKERY, "sets": []}).status_code == 403
        assert "token" in c.get("/").text
        first = c.get(f"/plan?file={BAKERY}&token={TOKEN}")
        assert first.status_code == 200 and "data-path=\"budget\"" in first.text
        assert "HttpOnly" in first.headers["set-cookie"] and "SameSite=Strict" in first.headers["set-cookie"]
        assert c.get(f"/plan?file={BAKERY}").status_code == 200  # the cookie from the first visit
        style = first.text.split("<style>")[1].split("</style>")[0]
        assert ".heat-cell .served > span" in style and "&gt;" not in style  # the report's CSS as it is
        assert "script-src 'self'" in first.headers["content-security-policy"]
        assert first.headers["referrer-policy"] == "no-referrer"
    with client(base) as c:
        assert c.get("/", headers={"X-Channelmix-Token": TOKEN}).status_code in (200, 303)


@pytest.mark.parametrize("host", ["evil.example:{port}", "attacker.test", "127.0.0.1:1", "localhost.evil.test:{port}"])
def test_a_foreign_host_is_refused(base, server, host):
    """DNS rebinding: a page on another name that resolves to 127.0.0.1 sends its own Host."""
    response = solve(base, [], Host=host.format(port=server.gate.port))
    assert response.status_code == 403 and "Host" in response.text


@pytest.mark.parametrize("origin", ["http://evil.example", "https://127.0.0.1:{port}", "null", "http://127.0.0.1:1"])
def test_a_foreign_origin_is_refused(base, server, origin):
    response = solve(base, [], Origin=origin.format(port=server.gate.port))
    assert response.status_code == 403 and "Origin" in response.text


def test_its_own_origin_and_localhost_are_answered(base, server):
    port = server.gate.port
    assert solve(base, [], Origin=f"http://127.0.0.1:{port}").status_code == 200
    assert solve(base, [], Host=f"localhost:{port}", Origin=f"http://localhost:{port}").status_code == 200


@pytest.mark.parametrize("name", ["../township-bakery.yaml", "/etc/passwd", "../../etc/hosts", "sub/../../x.yaml",
                                  "notes.txt", "missing.yaml", "", "link.yaml"])
def test_no_path_outside_the_folder_or_not_a_scenario(base, folder, name):
    link = folder / "link.yaml"
    if not link.exists():
        link.symlink_to(ROOT / "scenarios" / "pyme-mexico.yaml")  # a link that leads out of the folder
    with client(base, cookies={"channelmix_token": TOKEN}) as c:
        assert c.post("/api/solve", json={"file": name, "sets": []}).status_code == 403
        assert c.post("/api/save", json={"file": name, "sets": ["budget=1"]}).status_code == 403
        assert c.get("/plan", params={"file": name}).status_code == 403
    assert (ROOT / "scenarios" / "pyme-mexico.yaml").read_text(encoding="utf-8").count("budget: 28000") == 1


def test_a_large_request_is_refused(base):
    with client(base, cookies={"channelmix_token": TOKEN}) as c:
        big = c.post("/api/solve", json={"file": BAKERY, "sets": ["description=" + "x" * 2_000_000]})
        assert big.status_code == 413
        assert c.post("/api/solve", content=b"not json").status_code == 400
        assert c.post("/api/solve", json={"file": BAKERY, "sets": "budget=1"}).status_code == 400


# ---------------------------------------------------------------- the forms


class Fields(HTMLParser):
    """Every form field of a page: its --set path and the value it starts with."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, str] = {}
        self.rows: dict[str, dict[str, str]] = {}  # an affinity row: one assignment of its cells

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and "data-row" in a:
            self.rows.setdefault(a["data-row"], {})[a["data-key"]] = a.get("data-initial") or ""
        if tag == "input" and "data-path" in a:
            value = a.get("data-initial") or ""
            if "data-percent" in a and value:
                value = str(float(value) / 100)
            if "data-text" in a and value:
                value = json.dumps(value, ensure_ascii=False)
            if "data-list" in a:
                value = "[" + ", ".join(json.dumps(x.strip()) for x in value.split(",") if x.strip()) + "]"
            self.found[a["data-path"]] = value


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_field_names_a_path_set_reads_and_starts_at_the_files_value(path):
    """Each field's path, set to the value the field shows, gives back the file's own scenario:
    the form reads the file right and every edit lands where the command line's --set puts it."""
    from channelmix.cli.planner.app import pages, plain
    from channelmix.cli.planner.forms import form_of

    item = cm.load(path)
    form = form_of(item)
    html = pages().get_template("planner.html.j2").render(form=form, file=path.name, files=[], lang="en", dir="ltr",
                                                          style="")
    parser = Fields()
    parser.feed(html)
    fields = {k: v for k, v in parser.found.items() if v != ""}
    assert "budget" in fields or "periods.budget" in fields
    assert sum(k.startswith("channels.") for k in fields) >= 4 * len(item.scenario.channels)
    assert all(f"segments.{g.id}.weight" in fields for g in item.scenario.segments)
    ignored = {"scenario", "variants", "sweep"}
    again = derive(item, overrides([f"{k}={v}" for k, v in fields.items()])).scenario
    assert again.model_dump(exclude=ignored) == item.scenario.model_dump(exclude=ignored)
    assert all(f"channels.{c.id}.response.{name}" in fields for c in item.scenario.channels
               for name, value in c.response.model_dump().items() if name != "type" and value is not None)
    rows = [f"{row}={{{', '.join(f'{json.dumps(k)}: {v}' for k, v in cells.items())}}}"
            for row, cells in parser.rows.items()]
    assert len(rows) == len(item.scenario.channels) * len(item.scenario.phases)
    written = derive(item, overrides(rows)).scenario  # every affinity row written out: the same affinities
    assert all(a.affinity_for(p.id, g.id) == b.affinity_for(p.id, g.id) for a, b in zip(written.channels,
               item.scenario.channels) for p in item.scenario.phases for g in item.scenario.segments)
    assert plain(90_000_000) == "90000000" and plain(0.45) == "0.45" and plain(None) == ""


# ---------------------------------------------------------------- plans


def test_an_edit_gives_the_command_lines_verified_plan(base, folder):
    sets = ["budget=6000", "channels.flyers.fixed_cost=300", "rules.force_off=[\"whatsapp_groups\"]"]
    answer = solve(base, sets).json()
    assert answer["status"] == "ok" and answer["verified"] is True
    expected = cli_plan(folder / BAKERY, sets)
    assert answer["plan"]["scenario"] == expected["scenario"]
    assert answer["plan"]["objective"] == pytest.approx(expected["objective"], rel=1e-9)
    assert answer["plan"]["cost"] == pytest.approx(expected["cost"], rel=1e-9)
    assert mix(answer["plan"]) == mix(expected)
    assert mix(answer["plan"])["whatsapp_groups"] == (False, 0.0)
    assert 'id="coverage-heatmap"' in answer["html"] and 'id="binding-rules"' in answer["html"]
    assert 'id="baseline-table"' in answer["html"]  # today's plan beside the optimum


def test_a_bad_value_answers_at_its_field_and_solves_nothing(base):
    answer = solve(base, ["channels.flyers.fixed_cost=-5", "budget=lots"])
    assert answer.status_code == 422
    problems = {p["path"]: p for p in answer.json()["problems"]}
    assert problems["channels.flyers.fixed_cost"]["message"] == "got -5, must be ≥ 0"
    assert problems["channels.flyers.fixed_cost"]["fix"] == "use a number ≥ 0"
    assert "expected a number" in problems["budget"]["message"]
    unknown = solve(base, ["channels.radio.min_spend=1"]).json()["problems"]
    assert unknown[0]["path"] == "channels.radio" and "no item with id 'radio'" in unknown[0]["message"]
    both = solve(base, ["channels.flyers.min_spend=5000"]).json()["problems"]
    assert both == [{"path": "channels.flyers", "message": "min_spend 5000 is above max_spend 1200",
                     "fix": "lower min_spend or raise max_spend"}]


def test_an_infeasible_edit_is_an_answer_with_its_reason(base):
    answer = solve(base, ["budget=100"]).json()
    assert answer["status"] == "no_plan"
    assert answer["plan"]["status"] == "infeasible" and "budget" in answer["html"]


def test_why_a_channel_is_off_is_the_verified_forced_plan(base, folder):
    with client(base, cookies={"channelmix_token": TOKEN}) as c:
        answer = c.post("/api/why", json={"file": BAKERY, "sets": [], "channel": "community_radio"}).json()
    assert answer["status"] == "ok" and answer["on"] is False and answer["other_verified"]
    forced = cli_plan(folder / BAKERY, ["rules.force_on=[community_radio]"])
    assert answer["other_objective"] == pytest.approx(forced["objective"], rel=1e-9)
    assert answer["lost"] == pytest.approx(answer["objective"] - forced["objective"], rel=1e-9)
    assert "Community radio slots" in answer["html"] and "is off because" in answer["html"]


def test_the_budget_frontier_is_verified_plans_with_the_knee_and_today_marked(base, folder):
    with client(base, cookies={"channelmix_token": TOKEN}) as c:
        answer = c.post("/api/frontier", json={"file": BAKERY, "sets": ["rules.force_off=[whatsapp_groups]"]}).json()
    assert answer["status"] == "ok"
    points = answer["points"]
    assert [p["budget"] for p in points] == [1400.0 + 700 * i for i in range(13)]  # a quarter to twice 4500
    assert all(p["verified"] for p in points if p["solved"]) and sum(p["solved"] for p in points) >= 10
    solved = [p["objective"] for p in points if p["solved"]]
    assert solved == sorted(solved)  # more money never buys less reach
    step = points[6]
    expected = cli_plan(folder / BAKERY, ["rules.force_off=[whatsapp_groups]", f"budget={step['budget']:g}"])
    assert step["objective"] == pytest.approx(expected["objective"], rel=1e-6)
    assert 'id="frontier-chart"' in answer["html"] and 'id="today-note"' in answer["html"]


def test_the_files_variants_side_by_side_with_the_edits_on_top(base):
    with client(base, cookies={"channelmix_token": TOKEN}) as c:
        answer = c.post("/api/variants", json={"file": BAKERY, "sets": ["resources.hours=25"]}).json()
    assert answer["status"] == "ok"
    assert answer["names"] == ["base", "budget-cut", "no-whatsapp", "busy-owner", "uncertain"]
    assert answer["skipped"] == ["robust-mean", "robust"]  # robust plans: shown by `compare`, not here
    assert 'id="summary-table"' in answer["html"] and "busy-owner" in answer["html"]


def test_export_is_the_files_solve_out_writes(base, folder, tmp_path):
    import io
    import zipfile

    sets = ["budget=5600", "channels.flyers.max_spend=900"]
    with client(base, cookies={"channelmix_token": TOKEN}) as c:
        response = c.post("/api/export", json={"file": BAKERY, "sets": sets})
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    done = run("solve", folder / BAKERY, *[a for s in sets for a in ("--set", s)], *one_variant(folder / BAKERY),
               "--out", tmp_path, "--report", "html", "--report", "md", "--report", "xlsx")
    assert done.returncode == 0, done.stderr
    stem = archive.namelist()[0].split(".")[0]  # the base plan's files (the command line also writes a variant's)
    assert len(archive.namelist()) == 6
    assert sorted(archive.namelist()) == sorted(p.name for p in tmp_path.iterdir() if p.name.split(".")[0] == stem)
    for name in archive.namelist():
        ours, theirs = archive.read(name), (tmp_path / name).read_bytes()
        if name.endswith(".csv"):
            assert ours == theirs, name
        elif name.endswith(".json"):
            assert untimed(json.loads(ours)) == untimed(json.loads(theirs)), name
        elif name.endswith((".md", ".html")):
            assert re.sub(SECONDS, "", ours.decode()) == re.sub(SECONDS, "", theirs.decode()), name


SECONDS = r"\d+(\.\d+)? s\b"  # "solved in 0.30 s": how long a solve took is the one thing that differs


def untimed(document: dict) -> dict:
    return {k: v for k, v in document.items() if not k.endswith("seconds")}


# ---------------------------------------------------------------- saving


def test_save_writes_the_command_lines_scenario_keeps_comments_and_the_old_file(base, folder, tmp_path):
    path = folder / "save-me.yaml"
    shutil.copy(ROOT / "scenarios" / BAKERY, path)
    old = path.read_text(encoding="utf-8")
    sets = ["budget=5200", "channels.flyers.fixed_cost=300", "rules.force_off=[whatsapp_groups]"]
    with client(base, cookies={"channelmix_token": TOKEN}) as c:
        answer = c.post("/api/save", json={"file": path.name, "sets": sets}).json()
    assert answer == {"status": "saved", "saved": path.name, "backup": "save-me.yaml.bak"}
    new = path.read_text(encoding="utf-8")
    assert (folder / "save-me.yaml.bak").read_text(encoding="utf-8") == old
    comments = [line.split("#", 1)[1] for line in old.splitlines() if "#" in line]
    assert all(c in new for c in comments)  # every comment kept
    assert [k for k in old.splitlines() if k and not k.startswith((" ", "#", "-"))][:6] == \
        [k for k in new.splitlines() if k and not k.startswith((" ", "#", "-"))][:6]  # top keys in their order
    expected = derive(cm.load(ROOT / "scenarios" / BAKERY), overrides(sets)).scenario  # as `--set` reads them
    saved = cm.load(path).scenario
    ignored = {"scenario", "variants", "sweep"}  # a derived scenario is named for its changes and derives no further
    assert saved.model_dump(exclude=ignored) == expected.model_dump(exclude=ignored)
    original = cm.load(ROOT / "scenarios" / BAKERY).scenario
    assert saved.model_dump(exclude=ignored) != original.model_dump(exclude=ignored)
    assert len(new.splitlines()) == len(old.splitlines()) + 2  # two lines changed in place, force_off added


def test_save_as_variant_adds_one_entry_and_refuses_a_taken_name(base, folder):
    path = folder / "variant.yaml"
    shutil.copy(ROOT / "scenarios" / BAKERY, path)
    with client(base, cookies={"channelmix_token": TOKEN}) as c:
        done = c.post("/api/save", json={"file": path.name, "sets": ["budget=9000"], "variant": "rich"})
        assert done.status_code == 200
        again = c.post("/api/save", json={"file": path.name, "sets": ["budget=9500"], "variant": "rich"})
        assert again.status_code == 422 and "named twice" in again.text
    loaded = cm.load(path)
    assert [v.name for v in loaded.scenario.variants][-1] == "rich"
    assert loaded.scenario.variants[-1].set == {"budget": 9000}
    assert loaded.scenario.budget == 4500


def test_a_save_that_fails_leaves_the_file_as_it_was(folder, monkeypatch):
    from channelmix.cli.planner import saving

    path = folder / "crash.yaml"
    shutil.copy(ROOT / "scenarios" / BAKERY, path)
    old = path.read_text(encoding="utf-8")

    def crash(src, dst):  # the process dies between writing the new text and renaming it into place
        raise KeyboardInterrupt

    monkeypatch.setattr("channelmix.core.atomic.os.replace", crash)
    with pytest.raises(KeyboardInterrupt):
        saving.save(path, ["budget=5000"])
    assert path.read_text(encoding="utf-8") == old
    assert not [p for p in folder.iterdir() if p.name.startswith(".crash.yaml")]  # no temporary file left


def test_killing_the_server_during_saves_leaves_the_old_or_a_new_file(tmp_path):
    """SIGKILL while saves are being written, three times: the file is always one whole version."""
    shutil.copy(ROOT / "scenarios" / BAKERY, tmp_path / BAKERY)
    path = tmp_path / BAKERY
    versions = {4500} | {4000 + i for i in range(1000)}
    for round_ in range(3):
        process = subprocess.Popen([str(CHANNELMIX), "serve", str(tmp_path), "--no-browser"], stderr=subprocess.PIPE,
                                   stdout=subprocess.DEVNULL, text=True)
        url = process.stderr.readline().split("channelmix planner: ", 1)[1].strip()
        port, token = url.split(":")[2].split("/")[0], url.split("token=")[1]
        stop = threading.Event()
        done: list[int] = []

        def save(k: int, port: str = port, token: str = token, stop: threading.Event = stop,
                 done: list[int] = done) -> None:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30,
                              cookies={"channelmix_token": token}) as c:
                i = 0
                while not stop.is_set():
                    try:
                        edit = [f"budget={4000 + (k * 250 + i) % 1000}"]
                        sent = c.post("/api/save", json={"file": BAKERY, "sets": edit})
                        done.append(sent.status_code)
                    except httpx.HTTPError:
                        time.sleep(0.01)
                    i += 1

        threads = [threading.Thread(target=save, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for _ in range(3000):  # killed while saving: after a few saves have gone through
            if done.count(200) >= 3 + 2 * round_:
                break
            time.sleep(0.01)
        assert done.count(200) >= 3, done
        process.kill()
        process.wait(timeout=30)
        stop.set()
        for t in threads:
            t.join(timeout=60)
        assert cm.load(path).scenario.budget in versions  # parses, validates, one whole version
        assert "# what Nomsa runs today" in path.read_text(encoding="utf-8")
    assert path.read_text(encoding="utf-8") != (ROOT / "scenarios" / BAKERY).read_text(encoding="utf-8")  # saves ran


def test_twenty_concurrent_edits_leave_the_server_answering_and_the_file_intact(base, folder):
    path = folder / "busy.yaml"
    shutil.copy(ROOT / "scenarios" / BAKERY, path)
    answers: list[int] = []

    def edit(i: int) -> None:
        with client(base, cookies={"channelmix_token": TOKEN}) as c:
            answers.append(c.post("/api/solve", json={"file": path.name, "sets": [f"budget={4000 + 100 * i}"]})
                           .status_code)
            answers.append(c.post("/api/save", json={"file": path.name, "sets": [f"budget={4000 + 100 * i}"]})
                           .status_code)

    threads = [threading.Thread(target=edit, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert answers.count(200) == 40, answers
    budget = cm.load(path).scenario.budget  # a whole file: one of the saves, not a mix
    assert budget in {4000 + 100 * i for i in range(20)}
    last = solve(base, ["budget=6000"], file=path.name).json()
    assert last["status"] == "ok" and last["verified"]


def test_a_solve_past_the_time_limit_is_stopped_and_the_lane_answers_again(folder):
    lane = Lane(timeout=0.01)
    try:
        stopped = lane.run({"kind": "plan", "source": str(folder / BAKERY), "sets": []})
        assert stopped["status"] == TIMEOUT and "stopped" in stopped["message"]
        lane.timeout = 300
        again = lane.run({"kind": "plan", "source": str(folder / BAKERY), "sets": ["budget=5000"]})
        assert again["status"] == "ok" and again["verified"]
    finally:
        lane.close()


def test_a_newer_edit_stops_the_older_solve(folder):
    lane = Lane(timeout=300)
    answers: dict[str, dict] = {}
    try:
        lane.start()
        older = threading.Thread(target=lambda: answers.setdefault(
            "older", lane.run({"kind": "frontier", "source": str(folder / BAKERY), "sets": [],
                               "values": [1000.0 * i for i in range(2, 40)]})))
        older.start()
        time.sleep(1.0)
        answers["newer"] = lane.run({"kind": "plan", "source": str(folder / BAKERY), "sets": []})
        older.join(timeout=300)
    finally:
        lane.close()
    assert answers["older"]["status"] == "superseded"
    assert answers["newer"]["status"] == "ok"


def test_a_job_that_raises_answers_with_its_message(folder):
    from channelmix.cli.planner.jobs import run_job

    answer = run_job({"kind": "why", "source": str(folder / BAKERY), "sets": [], "channel": "no_such"})
    assert answer["status"] == "invalid"
    broken = folder / "broken.yaml"
    broken.write_text("scenario: [", encoding="utf-8")
    answer = run_job({"kind": "plan", "source": str(broken), "sets": []})
    assert answer["status"] == "invalid" and answer["problems"]


# ---------------------------------------------------------------- the command


def test_serve_on_every_address_warns_and_keeps_the_token(folder):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    process = subprocess.Popen([str(CHANNELMIX), "serve", str(folder), "--no-browser", "--host", "0.0.0.0"],
                               stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    try:
        lines = [process.stderr.readline() for _ in range(2)]
        assert "warning: listening on 0.0.0.0" in lines[0] and "token" in lines[0]
        url = lines[1].split("channelmix planner: ", 1)[1].strip()
        assert "token=" in url and url.startswith("http://127.0.0.1:")
        port = url.split(":")[2].split("/")[0]
        for _ in range(100):
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 403  # no token: refused
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        assert httpx.get(url).status_code in (200, 303)
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert process.stdout.read() == ""  # nothing on stdout


def test_serve_without_the_extra_says_how_to_install_it(tmp_path):
    blocker = tmp_path / "block"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(
        "import importlib.util as u\n_f = u.find_spec\n"
        "u.find_spec = lambda name, *a: None if name.split('.')[0] in ('starlette', 'uvicorn') else _f(name, *a)\n",
        encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(blocker)}
    done = subprocess.run([str(CHANNELMIX), "serve", str(ROOT / "scenarios"), "--no-browser"], capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.returncode == 2
    assert "pip install 'channelmix[serve]'" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""


def test_serve_refuses_a_file_that_is_not_a_scenario(tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("x", encoding="utf-8")
    done = run("serve", other, "--no-browser")
    assert done.returncode == 2 and "not a scenario file" in done.stderr



# ---------------------------------------------------------------- start, curves, variant pairs


def test_the_opening_plan_is_solved_ahead_and_is_the_command_lines(folder):
    """`channelmix serve FILE` starts the file's plan before the server is up: asked for later, the
    same plan (file unchanged, no edits) is that answer; an edit, or a changed file, is solved anew."""
    path = folder / "ahead.yaml"
    shutil.copy(ROOT / "scenarios" / BAKERY, path)
    lane = Lane(timeout=300)
    try:
        lane.ahead({"kind": "plan", "source": str(path), "sets": []})
        first = lane.run({"kind": "plan", "source": str(path), "sets": []})
        edited = lane.run({"kind": "plan", "source": str(path), "sets": ["budget=6000"]})
        path.write_text(path.read_text(encoding="utf-8").replace("budget: 4500", "budget: 4600"), encoding="utf-8")
        changed = lane.run({"kind": "plan", "source": str(path), "sets": []})
    finally:
        lane.close()
    assert first["status"] == "ok" and first["early"] is True and first["verified"]
    assert "early" not in edited and "early" not in changed
    assert mix(edited["plan"]) == mix(cli_plan(ROOT / "scenarios" / BAKERY, ["budget=6000"]))
    expected = cli_plan(ROOT / "scenarios" / BAKERY, [])
    assert first["plan"]["objective"] == pytest.approx(expected["objective"], rel=1e-9)
    assert mix(first["plan"]) == mix(expected)
    assert changed["plan"]["cost"] == pytest.approx(4600)


def test_each_channels_curve_marks_today_and_the_plans_spend(base, folder):
    """The curve chart of every spend-driven channel: the plan's point at the spend of the command
    line's plan for the same edit, today's at the file's current spend, drawn to fit any width."""
    from channelmix.schema.responses import depends_on_spend, reach

    sets = ["budget=6000"]
    answer = solve(base, sets).json()
    command_line = cli_plan(folder / BAKERY, sets)
    expected = {c["id"]: c for c in command_line["channels"]}
    scenario = cm.load(folder / BAKERY).scenario
    assert {c["id"] for c in answer["curves"]} == {c.id for c in scenario.channels if depends_on_spend(c.response)}
    assert any(c["current_spend"] for c in answer["curves"]) and any(c["on"] for c in answer["curves"])
    for c in answer["curves"]:
        assert c["on"] == expected[c["id"]]["on"]
        assert c["spend"] == pytest.approx(expected[c["id"]]["spend"], rel=1e-9, abs=1e-9)
        assert c["current_spend"] == scenario.current.get(c["id"])
        response = scenario.channel(c["id"]).response
        assert all(y == pytest.approx(reach(response, x), rel=1e-12) for x, y in c["points"])
        svg = c["svg"]
        assert svg.startswith("<svg viewBox=") and " width=" not in svg.split(">")[0]  # scales to the panel
        assert ('fill="#2e7d32"' in svg) == c["on"]  # the plan's point
        assert ('fill="#c0504d"' in svg) == (c["current_spend"] is not None)  # today's
        assert c["caption"].startswith(scenario.channel(c["id"]).name)
    # the phone's result bar: the decision box's objective and change-against-today sentences
    from channelmix.reports.common import auto

    assert auto(command_line["objective"]) in answer["headline"][0]
    assert answer["headline"][1].startswith("Against today")
    assert all(str(markupsafe.escape(line)) in answer["html"] for line in answer["headline"])
    persian = solve(base, [], file="khadamat-persian.yaml").json()["curves"][0]
    assert "امروز" in persian["caption"] and re.search("[۰-۹]", persian["svg"])


def test_two_variants_side_by_side_with_what_changed_in_scenario_and_plan(base, folder, tmp_path):
    """Every ordered pair of base and variants: the plan differences are what `compare --diff A B
    --format json` prints for them, the scenario differences the values each of them sets."""
    sets = ["channels.flyers.fixed_cost=300"]
    with client(base, cookies={"channelmix_token": TOKEN}) as c:
        answer = c.post("/api/variants", json={"file": BAKERY, "sets": sets}).json()
    assert answer["status"] == "ok"
    base_name, cut = "township-bakery/" + sets[0], "township-bakery/budget-cut, " + sets[0]
    # the same file without the robust variants (a risk over 12 worlds each, about 4 CPU s), which the planner skips
    # and this pair does not read: `compare` solves each variant on its own, so the pair's diff is the same
    data = yaml.safe_load((folder / BAKERY).read_text(encoding="utf-8"))
    data["variants"] = [v for v in data["variants"] if "objective.risk" not in (v.get("set") or {})]
    assert [v["name"] for v in data["variants"]][:1] == ["budget-cut"]
    (tmp_path / BAKERY).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    done = run("compare", tmp_path / BAKERY, "--set", sets[0], "--diff", base_name, cut, "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    moved = [r for r in rows if "change_in_spend" in r]
    assert answer["pairs"][f"{base_name}|{cut}"] == moved
    assert len(answer["pairs"]) == 5 * 4  # base and the four single-period variants, every ordered pair
    view = next(p for p in answer["pair_views"] if p["key"] == f"{base_name}|{cut}")
    assert view["scenario"] == ["budget: 4,500 → 3,150"]  # flyers' fixed cost is set in both: no change
    leaving = [r["channel"] for r in moved if r["change"] == "leaves"]
    labels = {ch.id: ch.name for ch in cm.load(folder / BAKERY).scenario.channels}
    assert all(labels[cid] in " ".join(view["plan"]) for cid in leaving)
    assert [row[0] for row in view["rows"]][-2:] == ["objective", "cost (spend + fixed)"]
    assert 'id="pair-a"' in answer["html"] and f'data-pair="{cut}|{base_name}"' in answer["html"]


def test_labels_curves_and_affinities_are_edits_as_the_command_line_reads_them(base, folder):
    """A label, a curve's parameter and an affinity row edited in the form: the plan is the CLI's for
    the same --set; a bad parameter or share answers at its own field and solves nothing."""
    sets = ['channels.flyers.label="Flyers: weekly"', "channels.flyers.response.scale=400",
            "channels.taxi_rank_sampling.affinity.aware={households: 0.6, spaza_owners: 0.2, commuters: 0.9}",
            "channels.community_radio.response.half=900"]
    answer = solve(base, sets).json()
    assert answer["status"] == "ok" and answer["verified"]
    expected = cli_plan(folder / BAKERY, sets)
    assert answer["plan"]["objective"] == pytest.approx(expected["objective"], rel=1e-9)
    assert mix(answer["plan"]) == mix(expected)
    assert "Flyers: weekly" in answer["html"]
    bad = solve(base, ["channels.flyers.response.scale=-3",
                       "channels.flyers.affinity.aware={households: 1.5, spaza_owners: 0.2, commuters: 0.2}"])
    assert bad.status_code == 422
    problems = {p["path"]: p["message"] for p in bad.json()["problems"]}
    assert problems == {"channels.flyers.response.scale": "got -3, must be > 0",
                        "channels.flyers.affinity.aware.households": "got 1.5, must be ≤ 1"}


def test_a_file_with_channel_tables_saves_its_own_fields_and_says_why_not_the_tables(base, folder):
    """A scenario whose channels and affinities live in CSV tables: a budget edit is saved into the
    YAML (only that line changes, the tables untouched); a channel edit is refused with the reason,
    and "save as YAML" writes the whole scenario, tables written out, that solves as `solve --set`."""
    tables = folder / "tables"
    tables.mkdir(exist_ok=True)
    for name in ("shop.yaml", "shop.channels.csv", "shop.affinity.csv"):
        shutil.copy(ROOT / "tests" / "data" / "tables" / name, tables / name)
    csv_before = (tables / "shop.channels.csv").read_bytes()
    old = (tables / "shop.yaml").read_text(encoding="utf-8")
    with client(base, cookies={"channelmix_token": TOKEN}) as c:
        page = c.get("/plan", params={"file": "tables/shop.yaml"})
        assert 'id="tables-note"' in page.text and "shop.channels.csv" in page.text and 'id="save-yaml"' in page.text
        done = c.post("/api/save", json={"file": "tables/shop.yaml", "sets": ["budget=21000"]})
        assert done.status_code == 200, done.text
        new = (tables / "shop.yaml").read_text(encoding="utf-8")
        assert changed_lines(old, new) == [("budget: 20000", "budget: 21000")]
        sets = ["channels.butik.fixed_cost=4100", "budget=22000"]
        refused = c.post("/api/save", json={"file": "tables/shop.yaml", "sets": sets})
        assert refused.status_code == 422 and "shop.channels.csv" in refused.json()["message"]
        assert "Save as YAML" in refused.json()["problems"][0]["fix"]
        assert (tables / "shop.yaml").read_text(encoding="utf-8") == new  # nothing written
        written = c.post("/api/save", json={"file": "tables/shop.yaml", "sets": sets, "as_yaml": True}).json()
    assert written == {"status": "saved", "saved": "shop.planned.yaml", "backup": ""}
    assert (tables / "shop.channels.csv").read_bytes() == csv_before
    planned = tables / "shop.planned.yaml"
    assert "shop.channels.csv" in planned.read_text(encoding="utf-8").splitlines()[0]  # says where it came from
    expected = cli_plan(tables / "shop.yaml", sets)
    again = cli_plan(planned, [])
    assert again["objective"] == pytest.approx(expected["objective"], rel=1e-9) and mix(again) == mix(expected)
    ignored = {"scenario", "variants", "sweep"}
    assert cm.load(planned).scenario.model_dump(exclude=ignored) == \
        derive(cm.load(tables / "shop.yaml"), overrides(sets)).scenario.model_dump(exclude=ignored)


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    import difflib

    gone = [x[2:] for x in difflib.ndiff(before.splitlines(), after.splitlines()) if x.startswith("- ")]
    came = [x[2:] for x in difflib.ndiff(before.splitlines(), after.splitlines()) if x.startswith("+ ")]
    return list(zip(gone, came)) if len(gone) == len(came) else [("?", "?")]


def test_save_as_variant_changes_no_line_of_the_file_but_adds_its_own(folder):
    """The shared YAML writer (schema.yaml_file.append): the variant's lines are added at the end of
    `variants:`, every other line of the file as it was, flow-style entries included."""
    from channelmix.cli.planner import saving

    path = folder / "append.yaml"
    shutil.copy(ROOT / "scenarios" / BAKERY, path)
    old = path.read_text(encoding="utf-8")
    saving.save(path, ["budget=5100", "rules.force_off=[whatsapp_groups]"], "lean", "a lean month")
    new = path.read_text(encoding="utf-8")
    kept = [line for line in new.splitlines() if line in old.splitlines()]
    assert kept == old.splitlines()  # not one line of the file changed or moved
    variant = cm.load(path).scenario.variants[-1]
    assert (variant.name, variant.description, variant.set) == \
        ("lean", "a lean month", {"budget": 5100, "rules.force_off": ["whatsapp_groups"]})


def test_serve_on_a_file_answers_the_first_plan_solved_while_it_started(folder):
    """`channelmix serve FILE` (the installed command): the page's first plan is the one its first
    worker (a fork made before the server started) solved ahead, and it is the command line's plan."""
    process = subprocess.Popen([str(CHANNELMIX), "serve", str(folder / BAKERY), "--no-browser"],
                               stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        url = process.stderr.readline().split("channelmix planner: ", 1)[1].strip()
        port, token = url.split(":")[2].split("/")[0], url.split("token=")[1]
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=300,
                          cookies={"channelmix_token": token}) as c:
            for _ in range(600):
                try:
                    c.get("/")
                    break
                except httpx.ConnectError:
                    time.sleep(0.05)
            first = c.post("/api/solve", json={"file": BAKERY, "sets": []}).json()
            edited = c.post("/api/solve", json={"file": BAKERY, "sets": ["budget=5000"]}).json()
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert first["status"] == "ok" and first["early"] is True and first["verified"]
    assert mix(first["plan"]) == mix(cli_plan(folder / BAKERY, []))
    assert edited["status"] == "ok" and "early" not in edited and edited["plan"]["cost"] <= 5000 + 1e-6


def test_the_persian_form_names_its_resource_in_persian(base):
    """The hours field of a Persian file is labelled with the catalogue's word, as its report says it
    (a user-named resource the catalogue does not know stays as written)."""
    with client(base, cookies={"channelmix_token": TOKEN}) as c:
        page = c.get("/plan", params={"file": "khadamat-persian.yaml"})
    assert page.status_code == 200
    labels = re.findall(r'<label for="f-res-\d+" dir="auto">([^<]*)</label>', page.text)
    assert labels == ["ساعت"], labels
    assert ">hours</span>" not in page.text
