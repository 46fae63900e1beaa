"""Every page of every shipped scenario, in every language and every format.

Nothing untranslated: every page of every shipped scenario (plan, plans over periods,
explanation, variant, risk over worlds, sweep, comparison), in HTML and Markdown, rendered in
every report language, shows no visible text that is an English catalogue sentence on a
non-English page; ids and the names the user wrote are the user's words and are let be.

A sentence with placeholders counts when its own words (without the filled-in values) are
enough to be English on their own: "{name} used" is, "{a} of {b}" is not (a user's label
"Word of mouth" would match it).

Workbooks: numbers stored as numbers and formatted on every sheet; a plan over periods keeps
its running total as a formula; today's plan beside the optimised one with a change column
and a chart; comparisons with spend and cost per channel and a chart.
"""

from __future__ import annotations

import json
import re
import string
from html.parser import HTMLParser
from importlib import resources

import pytest
from openpyxl.utils import get_column_letter

from channelmix.reports import i18n
from report_pages import page_names, pages  # one worker runs both files that use them (conftest.py SHARED)

OTHERS = [code for code in i18n.LANGUAGES if code != "en"]
FIELDS = string.Formatter()


def words(code: str) -> dict[str, str]:
    raw = json.loads(resources.files("channelmix.core").joinpath("locales", f"{code}.json").read_text(encoding="utf-8"))
    return {k: v for k, v in raw.items() if k != "_meta"}


class VisibleText(HTMLParser):
    """The page's text nodes (SVG text among them), without scripts and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.hidden += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self.hidden and data.strip():
            self.nodes.append(data)


def html_nodes(page: str) -> list[str]:
    parser = VisibleText()
    parser.feed(page)
    return parser.nodes


def markdown_nodes(page: str) -> list[str]:
    """A Markdown page's lines, table cells one by one (markup and bullets taken off)."""
    nodes = []
    for line in page.splitlines():
        for cell in re.split(r"(?<!\\)\|", line):
            nodes.append(re.sub(r"^(#+|[-*>]|\d+\.)\s+|[*_`]", "", cell.strip()))
    return nodes


def clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u2068", "").replace("\u2069", "")).strip(" :.;,")


def template(text: str) -> re.Pattern | None:
    """A sentence as a pattern (placeholders match anything), or None when its own words are
    too few to tell English from a user's label."""
    parts, own = [], ""
    for literal, name, _, _ in FIELDS.parse(clean(text)):
        parts.append(re.escape(literal))
        own += literal
        if name is not None:
            parts.append(".+")
    letters = re.findall(r"[A-Za-z]{2,}", own)
    if not letters or ("{" in text and sum(map(len, letters)) < 8):
        return None
    return re.compile("".join(parts), re.S)


def english_for(code: str) -> list[tuple[str, re.Pattern]]:
    """The English sentences that a page in ``code`` must not show: those the language words
    differently (a word both languages share, "Budget", "Total", is that language's too)."""
    own = words(code)
    theirs = {clean(v) for v in own.values()}
    found = []
    for key, text in words("en").items():
        if own[key] == text or clean(text) in theirs:
            continue
        pattern = template(text)
        if pattern is not None:
            found.append((key, pattern))
    return found


def user_words(page) -> set[str]:
    """Ids and names the user wrote: scenario, variants, channels, phases, segments, groups, resources' ids."""
    plans = [page.plan] if page.plan is not None else page.plans
    out: set[str] = set()
    for plan in plans:
        out |= {str(plan.get(k) or "") for k in ("scenario", "description", "variant", "currency")}
        for part in ("channels", "phases", "segments"):
            for item in plan.get(part) or []:
                out |= {item.get("id") or "", item.get("label") or ""}
    return {clean(w) for w in out if w}


def english_in_document(page) -> set[str]:
    """The English the result JSON keeps for its own readers (an explanation's limit names and
    sentences): a translated page says them in its own words."""
    x = (page.plan or {}).get("explain") or {}
    return {clean(r["rule"]) for r in x.get("limits") or []} | {clean(c["why"]) for c in x.get("channels") or []
                                                                  if c.get("why")}


@pytest.fixture(scope="module")
def every_page():
    return pages()


def english_on_pages(pages, code: str, kept, contains: bool = False) -> dict[str, set[str]]:
    """Every visible text node of ``pages`` (HTML and Markdown) in language ``code`` that is English, with
    the pages it is on: an English catalogue string (the user's ids and names excepted), or an English
    sentence the result JSON keeps (``kept(page)``; with ``contains``, a node that contains one)."""
    english = english_for(code)
    found: dict[str, set[str]] = {}
    for name, page in pages.items():
        mine, theirs = user_words(page), kept(page)
        for kind, nodes in (("html", html_nodes(page.html(code))), ("md", markdown_nodes(page.markdown(code)))):
            for node in map(clean, nodes):
                if not node or node in mine:
                    continue
                if any(sentence in node for sentence in theirs) if contains else node in theirs:
                    found.setdefault(f"result JSON: {node[:90]!r}", set()).add(f"{name}.{kind}")
                    continue
                for key, pattern in english:
                    if pattern.fullmatch(node):
                        found.setdefault(f"{key}: {node[:90]!r}", set()).add(f"{name}.{kind}")
                        break
    return found


@pytest.mark.parametrize("code", OTHERS)
def test_no_english_sentence_on_a_translated_page(every_page, code):
    found = english_on_pages(every_page, code, english_in_document)
    assert not found, "\n".join(f"{k} on {', '.join(sorted(v)[:3])}" for k, v in sorted(found.items()))


def test_the_pages_cover_every_kind_and_scenario(every_page):
    """Plans of every shipped scenario, over periods and over worlds, explanations, variants, a sweep, a comparison."""
    from report_pages import SCENARIOS

    assert {p.stem for p in SCENARIOS} <= set(every_page)
    kinds = {"explain": False, "schedule": False, "risk": False, "variant": False, "sweep": False, "diff": False}
    for page in every_page.values():
        plan = page.plan or {}
        kinds["explain"] |= "explain" in plan
        kinds["schedule"] |= "schedule" in plan
        kinds["risk"] |= "risk" in plan
        kinds["variant"] |= bool(plan.get("variant"))
        kinds["sweep"] |= bool(page.varied)
        kinds["diff"] |= page.diff is not None
    assert all(kinds.values()), kinds


# ---------------------------------------------------------------- the workbooks a lead forwards

NUMBER_AS_TEXT = re.compile(r"^[+\-−]?[\d۰-۹][\d۰-۹,.\s\u00a0\u202f٬٫]*\s*[%٪]?$|^[\d۰-۹]+\s+\S+\s+[\d۰-۹]+$")


def workbook(page, code: str, folder):
    from openpyxl import load_workbook

    return load_workbook(page.workbook(code, folder))


def own_language(page) -> str:
    return (page.plan or page.plans[0]).get("language") or "en"


@pytest.mark.parametrize("name", page_names())
def test_workbooks_keep_numbers_as_formatted_numbers(every_page, name, tmp_path):
    """No number stored as text ("22,043", "12 of 12"), and every number has a format (none
    left in Excel's General), on every sheet of every page's workbook, in its own language."""
    page = every_page[name]
    book = workbook(page, own_language(page), tmp_path)
    as_text, general = [], []
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str) and not value.startswith("=") and NUMBER_AS_TEXT.match(value.strip()):
                    as_text.append(f"{ws.title}!{cell.coordinate}={value!r}")
                if isinstance(value, (int, float)) and not isinstance(value, bool) and cell.number_format == "General":
                    general.append(f"{ws.title}!{cell.coordinate}={value!r}")
    assert (as_text, general) == ([], []), "numbers as text, then numbers without a format"


def test_cash_keeps_a_running_total_excel_computes(every_page, tmp_path):
    """Plans over periods: the Cash sheet's running total is a formula (the period's cost plus
    the total before it) that adds up to the plan's own running total."""
    from channelmix.reports import t, using

    page = every_page["township-bakery-6-months"]
    book = workbook(page, "en", tmp_path)
    with using("en"):
        ws = book[t("sched.cash_sheet")]
        titles = [c.value for c in ws[1]]
        running, cost = titles.index(t("sched.cumulative")) + 1, titles.index(t("cost")) + 1
    cash = page.plan["schedule"]["cash"]
    total = 0.0
    for i, period in enumerate(cash, start=2):
        formula = ws.cell(row=i, column=running).value
        own = f"{get_column_letter(cost)}{i}"
        assert formula == (f"={own}" if i == 2 else f"={get_column_letter(running)}{i - 1}+{own}")
        total += ws.cell(row=i, column=cost).value
        assert total == pytest.approx(period["cumulative"], abs=0.01)


def test_current_beside_optimised_with_its_change_and_a_chart(every_page, tmp_path):
    """A plan with today's plan: a sheet of both spends per channel, the change a formula, a native chart."""
    from channelmix.reports import t, using

    page = every_page["township-bakery"]
    book = workbook(page, "en", tmp_path)
    with using("en"):
        ws = book[t("baseline.sheet")]
    shown = [c for c in page.plan["baseline"]["channels"] if c["current_on"] or c["optimised_on"]]
    assert len(ws._charts) == 1
    for i, channel in enumerate(shown, start=2):
        assert ws.cell(row=i, column=1).value == channel["label"]
        assert ws.cell(row=i, column=3).value == pytest.approx(channel["current_spend"], abs=0.01)
        assert ws.cell(row=i, column=5).value == pytest.approx(channel["optimised_spend"], abs=0.01)
        assert ws.cell(row=i, column=6).value == f"=E{i}-C{i}"
    assert ws.cell(row=len(shown) + 2, column=6).value == f"=SUM(F2:F{len(shown) + 1})"


@pytest.mark.parametrize("name", ["boutique-en-ligne-compare", "township-bakery-sweep"])
def test_comparisons_give_spend_and_cost_with_a_chart(every_page, name, tmp_path):
    """A comparison's or sweep's workbook has the spend per channel and, beside it, the cost
    (spend plus fixed cost) the HTML shows, with a native chart."""
    from channelmix.reports import t, using

    page = every_page[name]
    code = own_language(page)
    book = workbook(page, code, tmp_path)
    with using(code):
        spends, costs = book[t("xlsx.spends")], book[t("collection.spend_title")]
    assert len(costs._charts) == 1
    labels = {c["id"]: c.get("label") or c["id"] for p in page.plans for c in p["channels"]}
    heads = [c.value for c in costs[1]]
    for row, plan in enumerate(page.plans, start=2):
        for channel in plan["channels"]:
            if channel["on"]:
                value = costs.cell(row=row, column=heads.index(labels[channel["id"]]) + 1).value
                assert value == pytest.approx(channel["spend"] + channel["fixed_cost"], abs=0.01)
    assert spends.max_row == costs.max_row


@pytest.mark.parametrize("name", ["khadamat-persian-risk", "township-bakery-sweep", "township-bakery-explain"])
def test_charts_on_a_right_to_left_page_count_in_persian_and_anchor_left_to_right(every_page, name):
    """Every SVG chart of a Persian page lays its text out left to right (its coordinates do: an
    inherited right-to-left direction would flip text-anchor and cut titles off) and writes its
    figures in Persian digits."""
    mine = user_words(every_page[name])  # a channel's label may hold digits of its own
    page = every_page[name].html("fa")
    charts = re.findall(r"<svg\b[^>]*>.*?</svg>", page, re.S)
    assert charts
    for chart in charts:
        assert 'direction="ltr"' in chart.split(">", 1)[0] or "cash-svg" in chart.split(">", 1)[0]
        texts = [clean(x) for x in re.findall(r"<text\b[^>]*>([^<]*)</text>", chart)]
        assert not [x for x in texts if re.search(r"[0-9]", x) and x not in mine], texts


def test_signed_alternatives_keep_their_sign_in_front_right_to_left(every_page):
    """ "+referral −webinar" is isolated token by token, so a right-to-left page cannot move a sign."""
    page = every_page["township-bakery-explain"]
    alternatives = page.plan["explain"]["alternatives"]
    differs = [d for a in alternatives for d in a["differs"]]
    assert differs
    html = page.html("fa")
    for token in differs:
        assert f"\u2068{token}\u2069" in html
