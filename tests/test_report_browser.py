"""The HTML reports opened in a real browser (Debian's headless Chromium, driven by
selenium): no console errors, nothing fetched, every chart present and visible,
right-to-left labels laid out right to left. With CHANNELMIX_SCREENSHOTS=1 a full-page
screenshot of each report is saved in build/report-screenshots/ for a person to look at.

Chromium and its driver come from Debian's packages; the session fixture installs them
(as root) when /usr/bin/chromium is missing, and skips with the reason when it cannot.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from channelmix.reports import plan_html
from report_pages import page_names
from report_pages import pages as every_page  # one worker runs both files that use them (conftest.py SHARED)

ROOT = Path(__file__).parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
SHOTS = ROOT / "build" / "report-screenshots"
# Screenshots are for a person and nothing in the suite reads them; each is a full-page render and a PNG
# up to 12,000 px tall, about 150 of them a run, so they are taken only when asked for.
SCREENSHOTS = os.environ.get("CHANNELMIX_SCREENSHOTS", "") not in ("", "0")
CHROMIUM = Path("/usr/bin/chromium")
DRIVER = Path("/usr/bin/chromedriver")
WIDTH = 1280
PHONE = 390  # an iPhone 12-15 in CSS pixels
LANGUAGE = {"township-bakery": "en", "boutique-en-ligne": "fr", "pyme-mexico": "es", "butik-kundresan": "sv",
            "khadamat-persian": "fa", "butik-kundresan-kvartal": "sv", "township-bakery-6-months": "en"}


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's chromium and chromium-driver, installed here if missing."""
    if not (CHROMIUM.exists() and DRIVER.exists()):
        if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("apt-get") is None:
            pytest.skip("chromium is not installed and cannot be installed here (needs root and apt-get): "
                        "apt-get install chromium chromium-driver")
        command = "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver"
        try:
            done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=1200)
        except subprocess.TimeoutExpired:
            pytest.skip("installing chromium and chromium-driver with apt-get timed out")
        if done.returncode != 0 or not (CHROMIUM.exists() and DRIVER.exists()):
            pytest.skip(f"could not install chromium and chromium-driver with apt-get (exit {done.returncode}): "
                        f"{(done.stderr or done.stdout)[-500:]}")
    return CHROMIUM


@pytest.fixture(scope="session")
def driver(chromium, tmp_path_factory):
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", f"--window-size={WIDTH},1000", "--hide-scrollbars",
                     f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(argument)
    options.binary_location = str(chromium)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    browser.set_page_load_timeout(30)
    yield browser
    browser.quit()


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, tuple[Path, dict]]:
    """An HTML page of every kind (:mod:`report_pages`: every shipped scenario, explanations,
    variants, risk over worlds, a sweep, a comparison), each in its scenario's language."""
    out = tmp_path_factory.mktemp("reports")
    written = {}
    for name, page in every_page().items():
        path = out / f"{name}.html"
        path.write_text(page.html(LANGUAGE.get(name) or (page.plan or page.plans[0]).get("language") or "en"),
                        encoding="utf-8")
        written[name] = (path, page.plan or {})
    return written


RISK_PAGES = [("township-bakery-robust",), ("khadamat-persian-risk",)]
LANGUAGE.update({"township-bakery-robust": "en", "khadamat-persian-risk": "fa"})


def test_risk_report_in_a_browser(driver, pages, capsys):
    page, plan = pages["township-bakery-robust"]
    open_page(driver, page)
    check_clean(driver)
    visible(driver, "#risk-histogram svg.wide")
    assert len(visible(driver, "#risk-histogram svg.wide rect.bin")) >= 1
    assert len(driver.find_elements("css selector", "#risk-histogram svg.wide line.world")) == plan["risk"]["worlds"]
    visible(driver, "#risk-trade-table")
    assert len(visible(driver, "#risk-cells td.heat-cell")) >= 1
    screenshot(driver, f"township-bakery-robust-{WIDTH}", capsys)


def open_page(driver, page: Path, width: int = WIDTH) -> None:
    """The page in a window ``width`` CSS px wide: a phone's (touch, mobile viewport) under 500 px,
    which headless Chromium's windows cannot be narrower than."""
    if width < 500:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": width, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    else:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    driver.set_window_size(width, 1000)
    driver.get_log("browser")  # drop what earlier pages logged
    driver.get(page.as_uri())
    wait_until_loaded(driver)


def wait_until_loaded(driver, seconds: float = 30) -> None:
    """Wait for the page to finish loading (on a busy machine ``get`` can return while it is
    still 'loading'); fails with the state it was left in after ``seconds``."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        WebDriverWait(driver, seconds, poll_frequency=0.05).until(
            lambda d: d.execute_script("return document.readyState") == "complete")
    except TimeoutException:
        state = driver.execute_script("return document.readyState")
        raise AssertionError(f"the page did not finish loading in {seconds} s (readyState {state!r})") from None


def check_clean(driver) -> None:
    """No console errors and nothing fetched from anywhere: the page is self-contained."""
    severe = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert severe == []
    fetched = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert fetched == []


def visible(driver, css: str) -> list:
    from selenium.webdriver.common.by import By

    found = driver.find_elements(By.CSS_SELECTOR, css)
    assert found, f"no element matches {css}"
    for element in found:
        assert element.is_displayed(), f"{css} is not visible"
        size = element.size
        assert size["width"] > 0 and size["height"] > 0, f"{css} has no size"
    return found


def screenshot(driver, name: str, capsys, width: int = WIDTH) -> Path | None:
    """A full-page screenshot (the window stretched to the page's height), with CHANNELMIX_SCREENSHOTS=1;
    always the last step of a test, as stretching the window changes the layout."""
    if not SCREENSHOTS:
        return None
    height = driver.execute_script("return Math.ceil(document.documentElement.getBoundingClientRect().height)")
    height = min(max(height + 40, 600), 12000)
    if width < 500:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": True})
    driver.set_window_size(max(width, 500), height)
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    assert driver.save_screenshot(str(path)), path
    assert path.stat().st_size > 10_000
    with capsys.disabled():
        print(f"\nscreenshot: {path.relative_to(ROOT)}")
    return path


@pytest.mark.parametrize("name", [p.stem for p in SCENARIOS])
def test_plan_report_in_a_browser(driver, pages, name, capsys):
    page, plan = pages[name]
    open_page(driver, page)
    check_clean(driver)
    on = [c for c in plan["channels"] if c["on"]]
    visible(driver, "#headline")
    visible(driver, "#allocation-chart")
    bars = visible(driver, "#allocation-chart .bar-row")
    assert len(bars) == len(on)
    widths = driver.execute_script(
        "return [...document.querySelectorAll('#allocation-chart .bar-track')].map(t => "
        "[...t.children].reduce((w, b) => w + b.getBoundingClientRect().width, 0))")
    assert max(widths) > 100  # the longest bar is drawn, not collapsed
    visible(driver, "#coverage-heatmap")
    cells = visible(driver, "#coverage-heatmap td.heat-cell")
    assert len(cells) == len(plan["phases"]) * len(plan["segments"])
    served = next(c for c in plan["coverage"] if c["channels"])
    labels = {c["id"]: c["label"] for c in plan["channels"]}
    titles = [cell.get_attribute("title") for cell in cells]
    assert any(all(labels[i] in t for i in served["channels"]) for t in titles)  # the tooltip names the channels
    colours = {cell.value_of_css_property("background-color") for cell in cells}
    assert len(colours) > 1  # coloured by level
    visible(driver, "#channels-table")
    screenshot(driver, f"{name}-{WIDTH}", capsys)


def test_persian_labels_run_right_to_left(driver, pages):
    page, plan = pages["khadamat-persian"]
    open_page(driver, page)
    check_clean(driver)
    assert driver.execute_script("return document.documentElement.dir") == "rtl"
    label = plan["channels"][2]["label"]  # کانال تلگرام
    directions = driver.execute_script(
        "const label = arguments[0];"
        "return [...document.querySelectorAll('[dir=auto]')].filter(e => e.textContent.trim() === label)"
        ".map(e => getComputedStyle(e).direction)", label)
    assert directions and set(directions) == {"rtl"}
    phase = driver.execute_script(
        "return getComputedStyle(document.querySelector('#coverage-heatmap th[scope=row]')).direction")
    assert phase == "rtl"
    # the summary is Persian, its figures in Persian digits
    summary = driver.execute_script("return document.querySelector('#summary p').textContent")
    assert re.search(r"[۰-۹]+ کانال از [۰-۹]+ کانال با [۰-۹٬]+ toman", summary), summary


def test_sweep_report_in_a_browser(driver, pages, capsys):
    page, _ = pages["township-bakery-sweep"]
    open_page(driver, page)
    check_clean(driver)
    visible(driver, "#frontier-chart svg.wide")
    visible(driver, "#frontier-chart svg.wide polyline.objective-line")
    assert len(visible(driver, "#frontier-chart svg.wide circle")) >= 5
    # today's budget and today's plan
    labels = sorted(e.text for e in visible(driver, "#frontier-chart svg.wide .today-label"))
    assert labels == ["today's plan: 4,450", "today: 4,500"]
    visible(driver, "#summary-table")
    visible(driver, ".spend-table")
    assert len(visible(driver, ".plan-card")) == 5
    screenshot(driver, f"township-bakery-sweep-{WIDTH}", capsys)


# ---------------------------------------------------------------- laptop and phone, every language

SMALLEST_TEXT = """
const small = [];
for (const el of document.querySelectorAll('body *')) {
  const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
  if (!own) continue;
  const box = el.getBoundingClientRect();
  if (box.width === 0 || box.height === 0) continue;
  let size = parseFloat(getComputedStyle(el).fontSize);
  const svg = el.closest('svg');
  if (svg && svg.viewBox.baseVal && svg.viewBox.baseVal.width) {
    size *= svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;  // drawn size, after scaling
  }
  if (size < 9.95) small.push([el.tagName, el.textContent.trim().slice(0, 40), size.toFixed(1)]);
}
return small;
"""


def layout_problems(driver) -> dict:
    return driver.execute_script(
        "const d = document.documentElement;"
        "return {overflow: d.scrollWidth - d.clientWidth, lang: d.lang, dir: d.dir,"
        " headings: [...document.querySelectorAll('h2')].map(h => h.textContent.trim())};")


# the plan pages, the sweep and the risk pages: their layout is checked on the page as it loads, in the same load
# as the fit of their charts, heatmaps and tables (test_every_chart_heatmap_and_table_fits_the_screen) - this was a
# test of its own that loaded these 10 pages at both widths a second time
LAID_OUT = [p.stem for p in SCENARIOS] + ["township-bakery-sweep"] + [r[0] for r in RISK_PAGES]
assert set(LAID_OUT) <= set(page_names()), set(LAID_OUT) - set(page_names())


def check_layout(driver, name: str, width: int) -> None:
    """No sideways scrolling of the page, no text under 10 px, and the page in the scenario's
    language (lang, dir; Persian headings in Persian); nothing asks a phone's reader to hover."""
    facts = layout_problems(driver)
    assert facts["overflow"] <= 0, f"the page is {facts['overflow']} px wider than a {width} px screen"
    assert driver.execute_script(SMALLEST_TEXT) == []
    language = LANGUAGE.get(name, "en")
    assert (facts["lang"], facts["dir"]) == (language, "rtl" if language == "fa" else "ltr")
    if language == "fa":
        for heading in facts["headings"]:
            assert re.search("[\u0600-\u06ff]", heading) and not re.search("[A-Za-z]{3,}", heading), heading
    hover = driver.execute_script("return document.body.innerText")
    assert "hover" not in hover.lower()  # phones cannot hover: nothing asks the reader to


# ---------------------------------------------------------------- phone first

CONTAINERS = """
document.querySelectorAll('details').forEach(d => { d.open = true; });
const wide = [];
const boxes = '.scroll, figure, .chart, table.heatmap, table.data, .cards, .card, .curves, .tiles, details, .gantt, '
  + '.cash-chart, section, main';
for (const el of document.querySelectorAll(boxes)) {
  if (!el.getBoundingClientRect().width) continue;
  if (el.scrollWidth > el.clientWidth + 1) {
    const inner = el.firstElementChild;
    const what = inner ? inner.id || inner.className : '';
    wide.push([el.tagName, el.id || el.className, what, el.scrollWidth, el.clientWidth]);
  }
}
return wide;
"""
SMALLEST_TEXT_BELOW = SMALLEST_TEXT.replace("size < 9.95", "size < arguments[0]")


@pytest.mark.parametrize("width", [WIDTH, PHONE])
@pytest.mark.parametrize("name", page_names())
def test_every_chart_heatmap_and_table_fits_the_screen(driver, pages, name, width, capsys):
    """At 390 px (a phone) and 1280 px (a laptop), every chart, heatmap and table fits its box
    (nothing to scroll sideways, long tables opened) and no text is under 11 px; a full-page
    screenshot of each, at both widths.  Before anything is opened, the laptop and phone layout
    of the pages in LAID_OUT (check_layout)."""
    page, _ = pages[name]
    open_page(driver, page, width)
    check_clean(driver)
    if name in LAID_OUT:
        check_layout(driver, name, width)
    assert driver.execute_script(CONTAINERS) == []
    assert layout_problems(driver)["overflow"] <= 0
    assert driver.execute_script(SMALLEST_TEXT_BELOW, 10.95) == []
    if width == PHONE:  # the phone's drawings are the ones shown, the heatmap is a card per row
        charts = driver.execute_script(
            "return [...document.querySelectorAll('svg.wide, svg.narrow')].filter(s => s.getBoundingClientRect().width)"
            ".map(s => s.getAttribute('class'))")
        assert all("narrow" in c for c in charts), charts
        heat = driver.find_elements("css selector", "#coverage-heatmap tbody tr")
        assert all(row.value_of_css_property("display") == "block" for row in heat)
    screenshot(driver, f"{name}-fit-{width}", capsys, width)


# ---------------------------------------------------------------- plans over periods


@pytest.fixture(scope="module")
def period_pages(tmp_path_factory) -> dict[str, Path]:
    """Hand-built plans over periods: three months in English, 13 weeks in Persian, 52 weeks."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from schedule_plans import as_dict, bakery_plan, long_plan

    out = tmp_path_factory.mktemp("period-reports")
    written = {}
    for name, plan, language in (("bakery-3-months", bakery_plan(), "en"), ("quarter-13-weeks-fa", long_plan(13), "fa"),
                                 ("year-52-weeks", long_plan(52), "en")):
        page = out / f"{name}.html"
        page.write_text(plan_html(as_dict(plan), language=language), encoding="utf-8")
        written[name] = page
    return written


@pytest.mark.parametrize("width", [WIDTH, PHONE])
@pytest.mark.parametrize("name", ["bakery-3-months", "quarter-13-weeks-fa", "year-52-weeks"])
def test_plan_over_time_in_a_browser(driver, period_pages, name, width, capsys):
    """The Gantt grid, the cash chart and coverage per period are drawn; the page never
    scrolls sideways (wide grids scroll in their own box), no text under 10 px, no console
    error; time runs in the reading direction (right to left in Persian)."""
    open_page(driver, period_pages[name], width)
    check_clean(driver)
    assert layout_problems(driver)["overflow"] <= 0
    assert driver.execute_script(SMALLEST_TEXT) == []
    visible(driver, "#schedule-gantt")
    bars = driver.execute_script("return [...document.querySelectorAll('#schedule-gantt .g-bar')]"
                                 ".map(b => b.getBoundingClientRect().height)")
    assert bars and min(bars) >= 3 and max(bars) == 26
    visible(driver, "#schedule-cash .cash-svg")
    visible(driver, "#schedule-cash polyline.cumulative-line")
    visible(driver, "#schedule-coverage")
    heads = driver.execute_script(
        "const h = [...document.querySelectorAll('#schedule-gantt thead th[scope=col]')];"
        "return [h[0].getBoundingClientRect().left, h[1].getBoundingClientRect().left]")  # the first two periods
    labels = driver.execute_script(
        "const l = [...document.querySelectorAll('#schedule-cash .cash-labels span')];"
        "return [l[0].getBoundingClientRect().left, l[l.length - 1].getBoundingClientRect().left]")
    rtl = name.endswith("-fa")
    assert (heads[0] > heads[1]) == rtl and (labels[0] > labels[1]) == rtl  # the first period at the reading start
    mirrored = driver.execute_script("return getComputedStyle(document.querySelector('.cash-svg')).transform")
    assert (mirrored != "none") == rtl
    screenshot(driver, f"{name}-schedule-{width}", capsys, width)
