"""Channel tables of a plan over periods (issue #11): the channel fields available_from,
available_until, setup_cost and carry_over are columns, both ways, in CSV and Excel; the
``periods:`` block and the time rules stay in the scenario file.  The six-month bakery
exported to tables and read back gives the same plan (its golden summary,
tests/data/golden/periods/township-bakery-6-months.json: do not update it from here); bad
period cells are reported at their file, row and column with the YAML's words; a
single-period table has no period columns, and one without them reads as before."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest
import yaml

import channelmix as cm
from channelmix.schema import ScenarioError, load
from channelmix.schema.periods import PERIOD_CHANNEL_KEYS
from channelmix.schema.spreadsheets import write_tables
from channelmix.schema.starter import starter_for_table
from channelmix.schema.table_format import CHANNEL_COLUMNS, PERIOD_FIELDS
from test_periods_seeds import summary

ROOT = Path(__file__).parents[1]
BAKERY = ROOT / "scenarios" / "township-bakery-6-months.yaml"
TIMED = [BAKERY, ROOT / "scenarios" / "butik-kundresan-kvartal.yaml"]
FORMS = [("csv", "long"), ("csv", "wide"), ("csv", "columns"), ("xlsx", "long"), ("xlsx", "wide")]
GOLDEN = Path(__file__).parent / "data" / "golden" / "periods" / "township-bakery-6-months.json"


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load(path)
    return [str(p) for p in caught.value.problems]


def channel_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_every_channel_field_of_a_plan_over_periods_has_a_column():
    assert set(PERIOD_FIELDS) == set(PERIOD_CHANNEL_KEYS) and set(PERIOD_FIELDS) <= set(CHANNEL_COLUMNS)


@pytest.mark.parametrize("form,affinity", FORMS, ids=[f"{f}-{a}" for f, a in FORMS])
@pytest.mark.parametrize("path", TIMED, ids=[p.stem for p in TIMED])
def test_a_plan_over_periods_round_trips_through_its_tables(path: Path, form: str, affinity: str, tmp_path: Path):
    loaded = load(path)
    written = write_tables(loaded.scenario, tmp_path, form=form, affinity=affinity)
    again = load(written)
    assert again.scenario == loaded.scenario  # periods, windows, set-up, carry-over and rules, to the last digit
    assert again.warnings == loaded.warnings
    data = yaml.safe_load(written.read_text(encoding="utf-8"))
    assert "periods" in data and isinstance(data["channels"], (str, dict))  # the periods stay in the scenario file


def test_the_six_month_bakery_from_its_tables_gives_the_same_plan(tmp_path: Path):
    loaded = load(BAKERY)
    written = write_tables(loaded.scenario, tmp_path, form="csv")
    table = channel_rows(tmp_path / "township-bakery-6-months.channels.csv")
    stall = next(r for r in table if r["id"] == "own_stall")
    radio = next(r for r in table if r["id"] == "community_radio")
    assert (stall["available_from"], stall["setup_cost"], radio["carry_over"]) == ("3", "400", "0.3")
    again = load(written)
    plan = cm.solve_scenario(again.scenario, again.warnings)
    assert plan.status == "optimal" and plan.verified
    found, golden = summary(plan), json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert found["objective"] == pytest.approx(golden.pop("objective"), rel=1e-4)
    assert {k: v for k, v in found.items() if k != "objective"} == golden


def problems_after(scenario: Path, tmp_path: Path,
                   change: dict[tuple[str, str], str]) -> tuple[list[str], dict[str, int]]:
    """Export ``scenario`` to CSV tables, set cells (channel id, column; a new column is added)
    of its channels table, read it back: its problems, and each channel's row (the header is row 1)."""
    written = write_tables(load(scenario).scenario, tmp_path, form="csv")
    table = tmp_path / f"{scenario.stem}.channels.csv"
    rows = channel_rows(table)
    for (cid, column), value in change.items():
        next(r for r in rows if r["id"] == cid)[column] = value
    with table.open("w", encoding="utf-8", newline="") as f:
        # a new column at the end
        writer = csv.DictWriter(f, fieldnames=list(dict.fromkeys(k for r in rows for k in r)))
        writer.writeheader()
        writer.writerows(rows)
    return problems_of(written), {r["id"]: n for n, r in enumerate(rows, 2)}


def test_a_bad_available_from_in_a_csv_row_is_reported_at_its_cell(tmp_path: Path):
    found, row = problems_after(BAKERY, tmp_path, {
        ("own_stall", "available_from"): "month 3", ("flyers", "available_until"): "7",
        ("community_radio", "available_from"): "4", ("community_radio", "available_until"): "2"})
    assert found == [
        f"township-bakery-6-months.channels.csv: row {row['flyers']}, column available_until: unknown period '7'. "
        "Fix: Known periods: 1, 2, 3, 4, 5, 6",
        f"township-bakery-6-months.channels.csv: row {row['community_radio']}, column available_until: "
        "period '2' comes before available_from '4'. Fix: Swap them, or widen the window",
        f"township-bakery-6-months.channels.csv: row {row['own_stall']}, column available_from: unknown period 'month "
        "3'. " "Fix: Known periods: 1, 2, 3, 4, 5, 6"]


def test_bad_set_up_costs_and_carry_over_name_their_cells(tmp_path: Path):
    found, row = problems_after(BAKERY, tmp_path,
                                {("flyers", "setup_cost"): "lots", ("community_radio", "carry_over"): "1.5"})
    assert found == [
        f"township-bakery-6-months.channels.csv: row {row['flyers']}, column setup_cost: got 'lots', expected a "
        "number. " "Fix: Write a number here",
        f"township-bakery-6-months.channels.csv: row {row['community_radio']}, column carry_over: got 1.5, must be < "
        "1. " "Fix: Use a number < 1"]


def test_excel_numbers_name_periods_by_id(tmp_path: Path):
    written = write_tables(load(BAKERY).scenario, tmp_path, form="xlsx")
    book = openpyxl.load_workbook(tmp_path / "township-bakery-6-months.xlsx")
    sheet = book["channels"]
    header = [c.value for c in sheet[1]]
    ids = [c.value for c in sheet["A"]]
    sheet.cell(row=ids.index("flyers") + 1, column=header.index("available_from") + 1, value=2)  # typed as a number
    book.save(tmp_path / "township-bakery-6-months.xlsx")
    assert next(c for c in load(written).scenario.channels if c.id == "flyers").available_from == "2"
    sheet.cell(row=ids.index("flyers") + 1, column=header.index("available_from") + 1, value=9)
    book.save(tmp_path / "township-bakery-6-months.xlsx")
    assert problems_of(written) == [
        f"township-bakery-6-months.xlsx, sheet channels: row {ids.index('flyers') + 1}, column available_from: "
        "unknown period '9'. Fix: Known periods: 1, 2, 3, 4, 5, 6"]


def test_a_single_period_table_has_no_period_columns_and_reads_as_before(tmp_path: Path):
    loaded = load(ROOT / "scenarios" / "township-bakery.yaml")
    write_tables(loaded.scenario, tmp_path, form="csv")
    table = tmp_path / "township-bakery.channels.csv"
    header = list(channel_rows(table)[0])
    assert not set(PERIOD_FIELDS) & set(header)
    assert header[:9] == ["id", "label", "function", "ownership", "medium", "tags", "fixed_cost", "min_spend",
                          "max_spend"]
    # a hand-written table, no period columns
    shop = load(Path(__file__).parent / "data" / "tables" / "shop.yaml").scenario
    assert all((c.available_from, c.available_until, c.setup_cost, c.carry_over) == (None, None, 0, 0)
               for c in shop.channels)


def test_a_period_column_without_periods_is_reported_at_its_cell(tmp_path: Path):
    found, row = problems_after(ROOT / "scenarios" / "township-bakery.yaml", tmp_path,
                                {("flyers", "setup_cost"): "250"})
    assert found == [
        f"township-bakery.channels.csv: row {row['flyers']}, column setup_cost: applies only to a plan over periods. "
        "Fix: Add periods: {count: 6, unit: month}, or remove it"]


def test_a_starter_around_a_table_with_period_columns_plans_over_periods(tmp_path: Path):
    write_tables(load(BAKERY).scenario, tmp_path / "tables", "csv", "columns")
    path = tmp_path / "plans" / "scenario.yaml"
    path.parent.mkdir()
    text = starter_for_table(tmp_path / "tables" / "township-bakery-6-months.channels.csv", path)
    assert "periods: {count: 6, unit: month, budget: " in text
    path.write_text(text, encoding="utf-8")
    loaded = load(path)
    assert loaded.scenario.periods is not None and loaded.scenario.periods.count == 6
    assert next(c for c in loaded.scenario.channels if c.id == "own_stall").available_from == "3"
