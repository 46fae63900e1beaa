"""The planner in headless Chromium, as a person uses it (one browser session, the report tests'
driver): move the budget and see the command line's plan for it, force a channel off, type a
bad value and see its message at the field while the last plan stays, reload and keep unsaved
edits, save into the file, a 390 px phone without sideways scrolling, Persian right to left."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the planner's extra is not installed (pip install -e '.[serve]')")

import channelmix as cm  # noqa: E402
import test_report_browser as report_tests  # noqa: E402
from channelmix.cli.common import cases  # noqa: E402
from channelmix.cli.planner.server import prepare, serving  # noqa: E402

pytestmark = pytest.mark.browser
chromium, driver = report_tests.chromium, report_tests.driver  # the report tests' browser fixtures
PHONE, WIDTH = report_tests.PHONE, report_tests.WIDTH
ROOT = Path(__file__).parents[1]
BAKERY = "township-bakery.yaml"
PERSIAN = "khadamat-persian.yaml"
TOKEN = "browser-test-token"


@pytest.fixture(scope="module")
def planner(tmp_path_factory):
    folder = tmp_path_factory.mktemp("planner-browser")
    for name in (BAKERY, PERSIAN):
        shutil.copy(ROOT / "scenarios" / name, folder / name)
    with serving(prepare(folder, token=TOKEN, timeout=300)) as started:
        yield started


def open_page(driver, planner, name: str) -> None:
    driver.get(f"http://127.0.0.1:{planner.gate.port}/plan?file={name}&token={TOKEN}")
    driver.execute_script("localStorage.clear()")
    driver.refresh()
    settled(driver)


def settled(driver, timeout: float = 300) -> str:
    """The status once the newest change has an answer (a plan, a problem or a failure)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        state = driver.find_element("id", "plan-status").get_attribute("data-state")
        if state not in ("loading", "solving"):
            return state
        time.sleep(0.1)
    raise AssertionError("no answer from the planner")


def shown(driver) -> dict:
    plan = driver.find_element("id", "plan")
    return {"objective": float(plan.get_attribute("data-objective")), "cost": float(plan.get_attribute("data-cost")),
            "on": set(plan.get_attribute("data-on").split())}


def cli(path: Path, sets: list[str]) -> dict:
    """The plan ``channelmix solve PATH --set …`` shows, by the command line's own code in this process
    (tests/test_planner.py holds the planner equal to the installed command run as a process)."""
    case = cases((str(path),), tuple(sets))[0]
    plan = cm.solve_scenario(case.scenario, case.warnings)
    return {"objective": plan.objective, "cost": plan.cost, "on": {c.id for c in plan.channels if c.on}}


def type_into(driver, selector: str, text: str) -> None:
    box = driver.find_element("css selector", selector)
    box.clear()
    box.send_keys(text)


def same(a: dict, b: dict) -> bool:
    return a["on"] == b["on"] and a["objective"] == pytest.approx(b["objective"], rel=1e-9) \
        and a["cost"] == pytest.approx(b["cost"], rel=1e-9)


def test_move_the_budget_force_a_channel_off_and_a_bad_value(driver, planner):
    driver.set_window_size(WIDTH, 1000)
    open_page(driver, planner, BAKERY)
    path = planner.root / BAKERY
    assert same(shown(driver), cli(path, []))
    type_into(driver, '[data-path="budget"]', "6000")
    assert settled(driver) == "ok"
    assert same(shown(driver), cli(path, ["budget=6000"]))
    assert driver.find_element("id", "s-budget").get_attribute("value") == "6000"  # the slider follows
    select = driver.find_element("css selector", 'select[data-state="own_stall"]')
    select.find_element("css selector", 'option[value="off"]').click()
    assert settled(driver) == "ok"
    forced = shown(driver)
    assert "own_stall" not in forced["on"]
    assert same(forced, cli(path, ["budget=6000", "rules.force_on=[]", "rules.force_off=[own_stall]"]))
    type_into(driver, '[data-path="channels.flyers.fixed_cost"]', "-5")
    assert settled(driver) == "invalid"
    cell = driver.find_element("css selector", 'td[data-field="channels.flyers.fixed_cost"]')
    assert "bad" in cell.get_attribute("class")
    assert cell.find_element("css selector", ".message").text == "got -5, must be ≥ 0 — use a number ≥ 0"
    assert shown(driver) == forced  # the last good plan stays
    assert driver.find_element("id", "coverage-heatmap").is_displayed()


def test_reload_keeps_unsaved_edits_and_save_writes_the_file(driver, planner):
    open_page(driver, planner, BAKERY)
    type_into(driver, '[data-path="resources.hours"]', "30")
    type_into(driver, '[data-path="rules.concentration.max_share"]', "50")
    assert settled(driver) == "ok"
    before = shown(driver)
    driver.refresh()
    assert settled(driver) == "ok"
    assert driver.find_element("css selector", '[data-path="resources.hours"]').get_attribute("value") == "30"
    assert shown(driver) == before
    path = planner.root / BAKERY
    assert same(before, cli(path, ["resources.hours=30", "rules.concentration.max_share=0.5"]))
    old = path.read_text(encoding="utf-8")
    driver.find_element("id", "save").click()
    for _ in range(300):
        if path.read_text(encoding="utf-8") != old:
            break
        time.sleep(0.1)
    eventually(lambda: driver.find_element("css selector", '[data-path="resources.hours"]')
               .get_attribute("data-initial") == "30")  # the page reloaded from the saved file
    settled(driver)
    saved = cm.load(path).scenario
    assert saved.resources == {"hours": 30} and saved.rules.concentration.max_share == 0.5
    assert "# what Nomsa runs today, scored beside the optimum" in path.read_text(encoding="utf-8")
    assert (planner.root / (BAKERY + ".bak")).read_text(encoding="utf-8") == old


def eventually(check, timeout: float = 120) -> None:
    """Wait for ``check()`` to hold, through a page reload (elements go stale meanwhile)."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if check():
                return
        except (StaleElementReferenceException, NoSuchElementException):
            pass
        time.sleep(0.1)
    raise AssertionError("never held")


def test_the_frontier_marks_the_budget_slider_and_why_answers(driver, planner):
    open_page(driver, planner, BAKERY)
    driver.find_element("id", "show-frontier").click()
    eventually(lambda: driver.find_elements("id", "frontier-chart"), timeout=600)
    slider = driver.find_element("id", "s-budget")
    assert slider.get_attribute("list") == "frontier-marks"
    marks = [float(o.get_attribute("value")) for o in driver.find_elements("css selector", "#frontier-marks option")]
    assert marks[:3] == [1400.0, 2100.0, 2800.0] and slider.get_attribute("data-knee") in {str(int(m)) for m in marks}
    driver.find_element("css selector", 'button[data-why="community_radio"]').click()
    eventually(lambda: "is off because" in driver.find_element("id", "why-answer").text, timeout=600)


def overflow(driver) -> int:
    return driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_a_phone_never_scrolls_sideways(driver, planner):
    driver.set_window_size(PHONE, 900)
    try:
        open_page(driver, planner, BAKERY)
        assert overflow(driver) <= 0
    finally:
        driver.set_window_size(WIDTH, 1000)


def test_persian_right_to_left(driver, planner):
    driver.set_window_size(PHONE, 900)
    try:
        open_page(driver, planner, PERSIAN)
        assert settled(driver) == "ok"
        html = driver.find_element("tag name", "html")
        assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("fa", "rtl")
        assert driver.find_element("css selector", "#money legend").text == "پول و زمان"
        assert "برنامهٔ تأییدشده" in driver.find_element("id", "plan-status").text
        form = driver.find_element("id", "scenario-form").rect
        label = driver.find_element("css selector", '[data-field="budget"] label').rect
        assert label["x"] + label["width"] > form["x"] + form["width"] - 40  # starts at the right edge
        type_into(driver, '[data-path="budget"]', "۸۰۰۰۰۰۰۰")  # Persian digits, as a Persian keyboard types them
        assert settled(driver) == "ok"
        assert same(shown(driver), cli(planner.root / PERSIAN, ["budget=80000000"]))
        assert overflow(driver) <= 0
    finally:
        driver.set_window_size(WIDTH, 1000)


def test_a_channels_curve_chart_follows_the_plan_on_a_phone_and_in_persian(driver, planner):
    """The curve button opens the channel's chart with the plan's point at the command line's spend;
    a new budget moves the point; a 390 px phone keeps it on screen; Persian reads right to left."""
    from channelmix.reports.common import num

    open_page(driver, planner, BAKERY)
    path = planner.root / BAKERY
    driver.find_element("css selector", 'button[data-curve="spaza_partners"]').click()
    panel = driver.find_element("id", "curve-panel")
    assert panel.is_displayed() and panel.get_attribute("data-channel") == "spaza_partners"

    def plan_point() -> str:
        return panel.find_element("css selector", 'circle[fill="#2e7d32"] title').get_attribute("textContent")

    def spend(sets: list[str]) -> str:
        case = cases((str(path),), tuple(sets))[0]
        plan = cm.solve_scenario(case.scenario, case.warnings)
        return num(next(c.spend for c in plan.channels if c.id == "spaza_partners"), 0)

    assert plan_point().endswith(spend([]))
    type_into(driver, '[data-path="budget"]', "7000")
    assert settled(driver) == "ok"
    eventually(lambda: plan_point().endswith(spend(["budget=7000"])))
    assert "this plan's " + spend(["budget=7000"]) in driver.find_element("id", "curve-caption").text
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": PHONE, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    try:
        svg = panel.find_element("tag name", "svg").rect
        assert svg["width"] <= PHONE and overflow(driver) <= 0
        open_page(driver, planner, PERSIAN)
        button = driver.find_element("css selector", "button[data-curve]:not([hidden])")  # in the table's scroll
        driver.execute_script("arguments[0].scrollIntoView(); arguments[0].click()", button)
        caption = driver.find_element("id", "curve-caption")
        assert "امروز" in caption.text
        assert driver.execute_script("return getComputedStyle(arguments[0]).direction", caption) == "rtl"
        assert overflow(driver) <= 0
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        driver.set_window_size(WIDTH, 1000)


def test_on_a_phone_the_new_plans_headline_stays_on_the_first_screen(driver, planner):
    """At 390 px the plan sits below the long form: the sticky result bar shows the newest plan's
    objective (the command line's figure) on the first screen, wherever one scrolls, and jumps to
    the plan; no sideways scrolling. The curve chart's long channel name is in the HTML caption
    (it wraps) and no text of the chart runs past its right edge."""
    from channelmix.reports.common import auto

    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": PHONE, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    try:
        open_page(driver, planner, BAKERY)
        path = planner.root / BAKERY
        type_into(driver, '[data-path="budget"]', "6500")
        assert settled(driver) == "ok"
        expected = cli(path, ["budget=6500"])
        assert same(shown(driver), expected)
        bar = driver.find_element("id", "result-bar")

        def on_first_screen() -> bool:
            box = driver.execute_script("const r = arguments[0].getBoundingClientRect();"
                                        "return [r.top, r.bottom, window.innerHeight]", bar)
            return bool(box[0] >= 0 and box[1] <= box[2])

        assert bar.get_attribute("data-state") == "ok" and on_first_screen()
        figures = driver.find_element("id", "bar-figures").text
        assert auto(expected["objective"]) in figures and "Against today" in figures
        plan_top = driver.execute_script("return document.getElementById('plan-status').getBoundingClientRect().top")
        assert plan_top > 844  # the plan itself is below the first screen: the bar is what shows it
        driver.execute_script("document.getElementById('segment-table').scrollIntoView()")
        assert on_first_screen()  # sticky: still there deep in the form
        bar.click()
        eventually(lambda: 0 <= driver.execute_script(
            "return document.getElementById('plan-status').getBoundingClientRect().top") < 844)
        assert overflow(driver) <= 0
        driver.execute_script("window.scrollTo(0, 0)")
        button = driver.find_element("css selector", 'button[data-curve="spaza_partners"]')
        driver.execute_script("arguments[0].scrollIntoView(); arguments[0].click()", button)
        assert "Stock in partner spaza shops" in driver.find_element("id", "curve-caption").text
        svg = driver.find_element("css selector", "#curve-chart svg")
        right = driver.execute_script("return Math.max(...Array.from(arguments[0].querySelectorAll('text'))"
                                      ".map((t) => t.getBBox()).filter((b) => b.width > 0).map((b) => b.x + b.width))",
                                      svg)
        assert right <= 320 + 0.5  # the viewBox's width
        assert overflow(driver) <= 0
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        driver.set_window_size(WIDTH, 1000)
