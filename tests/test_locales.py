"""The report languages: every sentence in every language, placeholders that match,
numbers in each language's style, and the language chosen as documented."""

from __future__ import annotations

import json
import re
import string
from importlib import resources

import pytest

from channelmix.reports import i18n
from channelmix.reports.common import num, pct

FIELDS = string.Formatter()


def words(code: str) -> dict[str, str]:
    return json.loads(
        resources.files("channelmix.core").joinpath("locales", f"{code}.json").read_text(encoding="utf-8"))


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in FIELDS.parse(text) if name}


@pytest.mark.parametrize("code", i18n.LANGUAGES)
def test_every_key_exists_in_every_language_with_the_same_placeholders(code):
    english, other = words("en"), words(code)
    assert set(other) == set(english), (set(english) ^ set(other))
    for key, text in english.items():
        if key != "_meta":
            assert placeholders(other[key]) == placeholders(text), key
            assert other[key].strip(), key


def test_every_key_the_code_asks_for_is_in_the_english_file():
    """A key written in a template or module but missing from the files would only fail when rendered."""
    root = resources.files("channelmix")
    used = set()
    for folder, pattern in (("reports", "*.py"), ("reports/templates", "*.j2")):
        for path in (root / folder).iterdir():
            if path.name.endswith(pattern[1:]):
                used |= set(re.findall(r"""\bt\(\s*["']([a-z_.]+)["']""", path.read_text(encoding="utf-8")))
    missing = used - set(words("en"))
    assert not missing, missing


@pytest.mark.parametrize("code, whole, part, share", [
    ("en", "1,234,567", "1,234.5", "34%"),
    ("fr", "1\u202f234\u202f567", "1\u202f234,5", "34\u00a0%"),
    ("es", "1.234.567", "1.234,5", "34\u00a0%"),
    ("sv", "1\u00a0234\u00a0567", "1\u00a0234,5", "34\u00a0%"),
    ("fa", "۱٬۲۳۴٬۵۶۷", "۱٬۲۳۴٫۵", "۳۴٪"),
])
def test_numbers_in_each_language(code, whole, part, share):
    with i18n.using(code):
        assert (num(1234567), num(1234.5, 1), pct(0.34)) == (whole, part, share)
        assert i18n.t("of_n", n=10).endswith(i18n.current().number("10"))  # counts in the language's digits


def test_the_language_is_chosen_as_documented():
    persian = {"scenario": "x", "channels": [{"id": "a", "label": "کانال تلگرام"}, {"id": "b", "label": "وب‌سایت"}]}
    assert i18n.report_language(None, [persian]) == "fa"  # Persian labels, no language given
    assert i18n.report_language("sv", [persian]) == "sv"  # asked for
    assert i18n.report_language(None, [{**persian, "language": "fr"}]) == "fr"  # the scenario's own
    assert (
        i18n.report_language(None, [{"scenario": "x", "language": "fr"}, {"scenario": "y", "language": "es"}]) == "en")
    with pytest.raises(ValueError, match="unknown report language 'de'"):
        i18n.catalogue("de")
    assert i18n.catalogue("fa").direction == "rtl" and i18n.catalogue("sv").direction == "ltr"
