"""Channel catalogues and affinities in CSV and Excel tables (issue 4): every shipped
scenario survives the round trip through every table form with the same plan; bad
tables are reported at their file, row and column with exact wording; the starter
written around a table validates and solves."""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

import openpyxl
import pytest
import yaml

import channelmix as cm
from channelmix.schema import ScenarioError, load, validate
from channelmix.schema.expand import derive
from channelmix.schema.spreadsheets import write_tables
from channelmix.schema.starter import starter_for_table

ROOT = Path(__file__).parents[1]
DATA = Path(__file__).parent / "data" / "tables"
ALL_SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
# plans over periods are slow to solve five times each: their round trip is in test_tables_periods
SCENARIOS = [p for p in ALL_SCENARIOS if "periods" not in yaml.safe_load(p.read_text(encoding="utf-8"))]
STARTER = ROOT / "src" / "channelmix" / "schema" / "starter.yaml"  # has a pwl curve
FORMS = [("csv", "long"), ("csv", "wide"), ("csv", "columns"), ("xlsx", "long"), ("xlsx", "wide")]


def expected(path: Path) -> list[str]:
    return [line.removeprefix("# expect: ") for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("# expect: ")]


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load(path)
    assert caught.value.source == str(path)
    return [str(p) for p in caught.value.problems]


@functools.lru_cache(maxsize=None)
def original(path: Path) -> tuple[cm.Loaded, cm.Plan]:
    loaded = load(path)
    return loaded, cm.solve_scenario(loaded.scenario)


# ---------------------------------------------------------------- round trip


@pytest.mark.parametrize("form,affinity", FORMS, ids=[f"{f}-{a}" for f, a in FORMS])
@pytest.mark.parametrize("path", [*SCENARIOS, STARTER], ids=[p.stem for p in [*SCENARIOS, STARTER]])
def test_round_trip_through_tables_gives_the_same_plan(path: Path, form: str, affinity: str, tmp_path: Path):
    loaded, plan = original(path)
    written = write_tables(loaded.scenario, tmp_path, form=form, affinity=affinity)
    again = load(written)
    assert again.scenario == loaded.scenario  # the same data, to the last digit
    assert again.warnings == loaded.warnings
    replan = cm.solve_scenario(again.scenario)
    assert replan.status == plan.status == "optimal"
    assert replan.objective == pytest.approx(plan.objective, rel=1e-9)
    assert {c.id for c in replan.on_channels()} == {c.id for c in plan.on_channels()}
    spends = {c.id: c.spend for c in plan.channels}
    assert {c.id: c.spend for c in replan.channels} == pytest.approx(spends, rel=1e-9, abs=1e-9)
    text = written.read_text(encoding="utf-8")
    # top level (a variant's worlds may hold an affinity spread)
    assert "channels:" in text and ("\naffinity:" in text) == (affinity != "columns")
    assert not any(isinstance(v, list) for v in [yaml.safe_load(text)["channels"]])  # the channels are in a table


def test_files_written_for_each_form(tmp_path: Path):
    scenario = original(SCENARIOS[0])[0].scenario
    name = scenario.scenario
    write_tables(scenario, tmp_path / "csv", "csv", "long")
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == [f"{name}.affinity.csv", f"{name}.channels.csv",
                                                                    f"{name}.yaml"]
    write_tables(scenario, tmp_path / "xlsx", "xlsx", "wide")
    assert sorted(p.name for p in (tmp_path / "xlsx").iterdir()) == [f"{name}.xlsx", f"{name}.yaml"]
    book = openpyxl.load_workbook(tmp_path / "xlsx" / f"{name}.xlsx", read_only=True)
    assert book.sheetnames == ["channels", "affinity"]
    book.close()
    with pytest.raises(ValueError):
        write_tables(scenario, tmp_path, "ods")


def test_unicode_ids_and_labels_survive_csv_and_excel(tmp_path: Path):
    swedish = original(ROOT / "scenarios" / "butik-kundresan.yaml")[0].scenario
    persian = original(ROOT / "scenarios" / "khadamat-persian.yaml")[0].scenario
    assert any(ch in c.id for c in swedish.channels for ch in "åäö")
    for scenario in (swedish, persian):
        for form in ("csv", "xlsx"):
            back = load(write_tables(scenario, tmp_path / form, form, "long")).scenario
            assert [(c.id, c.label) for c in back.channels] == [(c.id, c.label) for c in scenario.channels]
            assert [g.label for g in back.segments] == [g.label for g in scenario.segments]
    csv_text = (tmp_path / "csv" / "khadamat-persian.channels.csv").read_text(encoding="utf-8-sig")
    assert "اینستاگرام" in csv_text
    # Excel sees UTF-8
    assert (tmp_path / "csv" / "butik-kundresan.channels.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    book = openpyxl.load_workbook(tmp_path / "xlsx" / "butik-kundresan.xlsx", read_only=True)
    ids = [row[0] for row in book["channels"].iter_rows(min_row=2, values_only=True)]
    book.close()
    assert "sökmotorer" in ids and "kundtjänst" in ids


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path):
    data = {"scenario": "f", "phases": ["a"], "segments": ["g"], "budget": 10,
            "channels": [{"id": "x", "label": "=1+2 is not a sum", "response": {"type": "linear", "slope": 0.1},
                          "affinity": {"a": 1.0}}]}
    scenario = validate(data).scenario
    back = load(write_tables(scenario, tmp_path, "xlsx", "long")).scenario
    assert back.channels[0].label == "=1+2 is not a sum"


# ---------------------------------------------------------------- reading tables


def test_a_hand_written_csv_catalogue_loads_and_solves():
    loaded = load(DATA / "shop.yaml")  # BOM, a note column, an empty row, lists with ';' and ',', pwl points
    channels = {c.id: c for c in loaded.scenario.channels}
    assert list(channels) == ["sökmotorer", "kundtjänst", "butik"]
    assert channels["sökmotorer"].label == "موتورهای جستجو"
    assert channels["sökmotorer"].tags == ["sök", "betald"]
    assert channels["butik"].function == ["sales", "distribution"]
    assert channels["kundtjänst"].response.points == [[0, 0], [1000, 0.4], [3000, 0.6]]
    assert channels["sökmotorer"].affinity == {"sök_och_urval": {"småbarnsföräldrar": 0.6, "pensionärer": 0.3},
                                               "latent": {"*": 0.2}}  # an empty segment cell = every segment
    assert channels["butik"].uses["timmar"].fixed == 12
    assert loaded.warnings == []
    plan = cm.solve_scenario(loaded.scenario)
    assert plan.status == "optimal" and plan.verified


def test_loaded_raw_holds_the_channels_so_overrides_work():
    loaded = load(DATA / "shop.yaml")
    assert isinstance(loaded.raw["channels"], list) and "affinity" not in loaded.raw
    case = derive(loaded, {"channels.sökmotorer.max_spend": 100})
    assert case.scenario.channel("sökmotorer").max_spend == 100


def test_excel_sheet_by_name_numbers_and_numeric_text(tmp_path: Path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Kanäle"
    sheet.append(["ID", "Label", "Response_Type", "response_scale", "max_spend", "fixed_cost"])
    sheet.append(["sökmotorer", "موتورهای جستجو", "saturating", 200, "800", None])
    sheet.append([]),
    sheet.append([123, 4.0, "saturating", "300", 50.5, " 12 "])
    affinity = book.create_sheet("Affinität")
    affinity.append(["channel", "aware/locals", "buy"])
    affinity.append(["sökmotorer", 0.5, None])
    affinity.append(["123", None, "0.7"])
    book.save(tmp_path / "katalog.xlsx")
    data = {"scenario": "x", "phases": ["aware", "buy"], "segments": ["locals"], "budget": 1000,
            "channels": {"file": "katalog.xlsx", "sheet": "Kanäle"},
            "affinity": {"file": "katalog.xlsx", "sheet": "Affinität"}}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    channels = load(tmp_path / "s.yaml").scenario.channels
    assert [(c.id, c.label, c.max_spend, c.fixed_cost) for c in channels] == [
        ("sökmotorer", "موتورهای جستجو", 800, 0), ("123", "4", 50.5, 12)]
    assert channels[0].affinity == {"aware": {"locals": 0.5}}
    assert channels[1].affinity == {"buy": {"*": 0.7}}  # a phase alone = every segment


def test_semicolon_separated_csv_and_inline_channels_with_an_affinity_table(tmp_path: Path):
    (tmp_path / "aff.csv").write_text("channel;aware/locals;buy\nradio;0.4;\nshop;;0.9\n", encoding="utf-8")
    data = {"scenario": "x", "phases": ["aware", "buy"], "segments": ["locals", "visitors"], "budget": 1000,
            "channels": [
                {"id": "radio", "response": {"type": "linear", "slope": 0.01},
                 "affinity": {"aware": {"visitors": 0.2}}},
                {"id": "shop", "max_spend": 0, "response": {"type": "constant", "value": 0.5}}], "affinity": "aff.csv"}
    channels = validate(data, "s.yaml", base=tmp_path).scenario.channels
    assert channels[0].affinity == {"aware": {"visitors": 0.2, "locals": 0.4}}  # inline and table merge
    assert channels[1].affinity == {"buy": {"*": 0.9}}
    assert data["channels"][0]["affinity"] == {"aware": {"visitors": 0.2}}  # the caller's data is not changed


# ---------------------------------------------------------------- bad tables: file, row and column


def test_many_table_problems_are_reported_at_once_with_exact_words():
    path = DATA / "many_problems.yaml"
    assert problems_of(path) == expected(path)


SCENARIO = {"scenario": "t", "phases": ["aware", "buy"], "segments": ["locals", "visitors"], "budget": 1000}


def problems_with(tmp_path: Path, tables: dict[str, str], **keys) -> list[str]:
    for name, text in tables.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({**SCENARIO, **keys}, allow_unicode=True), encoding="utf-8")
    return problems_of(path)


GOOD = "id,response_type,response_scale,affinity:aware\nflyers,saturating,200,0.5\nradio,saturating,300,0.4\n"


def test_bad_number(tmp_path: Path):
    table = "id,response_type,response_scale,max_spend\nflyers,saturating,200,800\nradio,saturating,300,lots\n"
    assert problems_with(tmp_path, {"c.csv": table}, channels="c.csv") == [
        "c.csv: row 3, column max_spend: got 'lots', expected a number. Fix: Write a number here"]


def test_unknown_column_with_did_you_mean(tmp_path: Path):
    table = "id,response_type,response_scale,max_spnd,uses_hours\nflyers,saturating,200,800,2\n"
    assert problems_with(tmp_path, {"c.csv": table}, channels="c.csv", resources={"hours": 10}) == [
        "c.csv: row 1, column max_spnd: unknown column. Fix: Did you mean 'max_spend'? Channel columns are id, label, "
        "function, ownership, medium, tags, fixed_cost, min_spend, max_spend, available_from, available_until, "
        "setup_cost, " "carry_over (plans over periods), response_type, response_<parameter> "
        "(value, slope, points, scale, half, shape), uses_<resource>_fixed, uses_<resource>_per_unit and "
        "affinity:<phase>/<segment>; a header starting with # marks a note column",
        "c.csv: row 1, column uses_hours: unknown column. Fix: Did you mean 'uses_hours_fixed'? Channel columns are "
        "id, "
        "label, function, ownership, medium, tags, fixed_cost, min_spend, max_spend, available_from, available_until, "
        "setup_cost, carry_over (plans over periods), response_type, response_<parameter> "
        "(value, slope, points, scale, half, shape), uses_<resource>_fixed, uses_<resource>_per_unit and "
        "affinity:<phase>/<segment>; a header starting with # marks a note column"]


def test_missing_id(tmp_path: Path):
    table = "id,label,response_type,response_scale\nflyers,Flyers,saturating,200\n,Radio,saturating,300\n"
    assert problems_with(tmp_path, {"c.csv": table}, channels="c.csv") == [
        "c.csv: row 3, column id: is required but missing. Fix: Fill in this cell"]


def test_duplicate_id_names_both_rows(tmp_path: Path):
    table = "id,response_type,response_scale\nflyers,saturating,200\nradio,saturating,300\n\nflyers,saturating,400\n"
    assert problems_with(tmp_path, {"c.csv": table}, channels="c.csv") == [
        "c.csv: row 5, column id: 'flyers' is used twice (also row 2). Fix: Give every channel its own id"]


def test_unknown_phase_and_segment_in_a_long_affinity_table_name_the_row(tmp_path: Path):
    affinity = (
        "channel,phase,segment,affinity\nflyers,aware,locals,0.5\nflyers,awarness,locals,0.3\nradio,buy,vistors,0.2\n")
    assert problems_with(tmp_path, {"c.csv": GOOD, "a.csv": affinity}, channels="c.csv", affinity="a.csv") == [
        "a.csv: row 3, column phase: unknown phase 'awarness'. Fix: Did you mean 'aware'? Known phases: aware, buy",
        "a.csv: row 4, column segment: unknown segment 'vistors'. Fix: Did you mean 'visitors'? Known segments: "
        "locals, visitors"]


def test_unknown_phase_in_a_wide_header_names_the_column_once(tmp_path: Path):
    affinity = "channel,awarness/locals,buy\nflyers,0.5,0.2\nradio,0.3,\n"
    assert problems_with(tmp_path, {"c.csv": GOOD, "a.csv": affinity}, channels="c.csv", affinity="a.csv") == [
        "a.csv: row 1, column awarness/locals: unknown phase 'awarness'. Fix: Did you mean 'aware'? Known phases: "
        "aware, buy"]


def test_affinity_table_problems(tmp_path: Path):
    affinity = (
        "channel,phase,segment,affinity,note\nflyer,aware,,0.5,x\n,buy,,0.2,\nradio,,locals,0.2,\nradio,buy,,1.5,\n")
    assert problems_with(tmp_path, {"c.csv": GOOD, "a.csv": affinity}, channels="c.csv", affinity="a.csv") == [
        "a.csv: row 1, column note: unknown column. Fix: An affinity table in long form has the columns channel, "
        "phase, " "segment and affinity; a header starting with # marks a note column",
        "a.csv: row 2, column channel: unknown channel 'flyer'. Fix: Did you mean 'flyers'? Known channels: flyers, "
        "radio", "a.csv: row 3, column channel: is empty. Fix: Write the id of the channel this row is about",
        "a.csv: row 4, column phase: is empty. Fix: Write a phase id, or * for every phase",
        "a.csv: row 5, column affinity: got 1.5, must be ≤ 1. Fix: Use a number ≤ 1"]


def test_affinity_given_twice_names_both_places(tmp_path: Path):
    affinity = "channel,aware,buy/locals\nflyers,0.3,0.2\nradio,,0.1\nradio,,0.2\n"
    assert problems_with(tmp_path, {"c.csv": GOOD, "a.csv": affinity}, channels="c.csv", affinity="a.csv") == [
        "a.csv: row 2, column aware: the affinity of 'flyers' for phase aware, segment * is given twice "
        "(also c.csv: row 2, column affinity:aware). Fix: Keep one of them",
        "a.csv: row 4, column channel: channel 'radio' already has a row (row 3). Fix: Merge the two rows into one"]


def test_missing_file(tmp_path: Path):
    assert problems_with(tmp_path, {}, channels="nowhere/channels.csv", affinity="affinity.csv") == [
        f"channels: file 'nowhere/channels.csv' not found (looked in {(tmp_path / 'nowhere').resolve()}). "
        "Fix: Check the name; a table's path is relative to the scenario file's folder",
        f"affinity: file 'affinity.csv' not found (looked in {tmp_path.resolve()}). "
        "Fix: Check the name; a table's path is relative to the scenario file's folder"]


def test_missing_sheet(tmp_path: Path):
    book = openpyxl.Workbook()
    book.active.title = "Kanäle"
    book.active.append(["id", "response_type", "response_value"])
    book.active.append(["shop", "constant", 0.5])
    book.create_sheet("Affinität")
    book.save(tmp_path / "katalog.xlsx")
    assert problems_with(tmp_path, {}, channels={"file": "katalog.xlsx", "sheet": "Kanaele"}) == [
        "channels.sheet: katalog.xlsx has no sheet 'Kanaele'. Fix: Did you mean 'Kanäle'? Sheets in katalog.xlsx: "
        "Kanäle, Affinität"]


def test_empty_tables_and_unreadable_references(tmp_path: Path):
    tables = {"empty.csv": "\n\n", "header.csv": "channel,phase,segment,affinity\n,,,\n",
              "noid.csv": "name,response_type\nx,linear\n"}
    assert problems_with(tmp_path, tables, channels="empty.csv", affinity="header.csv") == [
        "empty.csv: is empty. Fix: Write a header row (id, label, …, response_type, …) and below it one row per "
        "channel", "header.csv: has a header but no rows. Fix: Add one row per affinity below the header"]
    assert problems_with(tmp_path, {}, channels="noid.csv") == [
        "noid.csv: row 1, column name: unknown column. Fix: " + "Channel columns are id, label, function, ownership, "
        "medium, tags, fixed_cost, min_spend, max_spend, available_from, available_until, setup_cost, carry_over "
        "(plans over periods), response_type, response_<parameter> (value, slope, points, "
        "scale, half, shape), uses_<resource>_fixed, uses_<resource>_per_unit and affinity:<phase>/<segment>; a header "
        "starting with # marks a note column",
        "noid.csv: has no column id. Fix: Add a column headed id",
    ]
    assert problems_with(
        tmp_path, {}, channels={"file": "c.xls"}, affinity={"file": "a.csv", "sheet": "x", "shet": 1}
    ) == [
        "channels: cannot read 'c.xls': tables are read from .csv and .xlsx files. "
        "Fix: Save it as an Excel Workbook (.xlsx) or as CSV UTF-8 (.csv)",
        "affinity.shet: unknown key in affinity. Fix: Did you mean 'sheet'? A table is named by file and sheet",
        "affinity.sheet: a.csv is a CSV file, which has no sheets. Fix: Remove sheet, or name an .xlsx file",
    ]
    assert problems_with(tmp_path, {}, channels="whatsapp", affinity=None) == [
        "channels: cannot read 'whatsapp': tables are read from .csv and .xlsx files. "
        "Fix: List the channels here, or name a .csv or .xlsx table",
        "affinity: got nothing (null), expected the path of a table. "
        "Fix: Write affinity: affinity.csv, or affinity: {file: affinity.xlsx, sheet: <sheet name>}"]


def test_cell_problems_in_the_channels_table(tmp_path: Path):
    table = (
        "id,response_type,response_scale,response_half,response_points,function,affinity:aware/locals,affinity:/x\n"
        "flyers,saturating,200,3,,communication,0.5,\n" "web,pwl,,,0-0; 500:0.3,sale,,\n"
        "radio,saturatng,100,,,,1.2,\n" "shop,,,,,,,\n")
    assert problems_with(tmp_path, {"c.csv": table}, channels="c.csv") == [
        "c.csv: row 1, column affinity:/x: unknown column. Fix: "
        + "Channel columns are id, label, function, ownership, "
        "medium, tags, fixed_cost, min_spend, max_spend, available_from, available_until, setup_cost, carry_over "
        "(plans over periods), response_type, response_<parameter> (value, slope, points, "
        "scale, half, shape), uses_<resource>_fixed, uses_<resource>_per_unit and affinity:<phase>/<segment>; a header "
        "starting with # marks a note column",
        "c.csv: row 3, column response_points: got '0-0; 500:0.3', expected points spend:reach separated by ';'. "
        "Fix: Write e.g. 0:0; 500:0.3; 2000:0.5 (rising spend, starting at 0:0)",
        "c.csv: row 2, column response_half: is not a parameter of a saturating response. Fix: Clear this cell; a "
        "saturating response takes response_scale",
        "c.csv: row 3, column function: got 'sale', must be one of 'communication', 'sales' or 'distribution'. "
        "Fix: Did you mean 'sales'?",
        "c.csv: row 4, column response_type: unknown type 'saturatng'. Fix: Did you mean 'saturating'?",
        "c.csv: row 4, column affinity:aware/locals: got 1.2, must be ≤ 1. Fix: Use a number ≤ 1",
        "c.csv: row 5, column response_type: is required but missing. Fix: Fill in this cell (one of constant, linear, "
        "pwl, saturating, hill, logistic, inverse_scaled_logistic, tanh, michaelis_menten, hill_saturation) and the "
        "response's parameter columns"]


def test_duplicate_and_headerless_columns(tmp_path: Path):
    table = "id,response_type,Response_Scale,response_scale,,\nflyers,saturating,200,300,,\nradio,saturating,100,,,x\n"
    assert problems_with(tmp_path, {"c.csv": table}, channels="c.csv") == [
        "c.csv: column F: has values but no header. Fix: Write a header in row 1, or clear the column",
        "c.csv: row 1, column response_scale: columns C and D are both headed 'response_scale'. "
        "Fix: Keep one of them (column D is ignored)"]


def test_the_error_names_the_scenario_file_and_the_table(tmp_path: Path):
    (tmp_path / "c.csv").write_text("id,response_type,response_scale,max_spend\nflyers,saturating,200,lots\n",
                                    encoding="utf-8")
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({**SCENARIO, "channels": "c.csv"}), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load(path)
    assert caught.value.render().splitlines() == [
        f"{path}: 1 problem found:",
        f"  {path}: c.csv: row 2, column max_spend: got 'lots', expected a number. Fix: Write a number here"]


def test_warnings_name_the_row(tmp_path: Path):
    table = "id,response_type,response_scale,affinity:aware\nflyers,saturating,200,0.5\nidle,saturating,300,\n"
    (tmp_path / "c.csv").write_text(table, encoding="utf-8")
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({**SCENARIO, "channels": "c.csv"}), encoding="utf-8")
    assert load(path).warnings == ["c.csv row 3 (idle): serves no (phase, segment) cell; its affinity is empty or zero"]


def test_cli_validate_reports_table_rows(tmp_path: Path):
    from click.testing import CliRunner

    from channelmix.cli import main

    good = CliRunner().invoke(main, ["validate", str(DATA / "shop.yaml")])
    assert good.exit_code == 0, good.output
    bad = CliRunner().invoke(main, ["validate", str(DATA / "many_problems.yaml")])
    assert bad.exit_code == 2
    assert "many_problems.channels.csv: row 2, column max_spend: got 'lots', expected a number" in bad.output


# ---------------------------------------------------------------- a starter around a table


def solved(text: str, path: Path) -> cm.Plan:
    path.write_text(text, encoding="utf-8")
    loaded = load(path)
    return cm.solve_scenario(loaded.scenario, loaded.warnings)


@pytest.mark.parametrize("name", ["township-bakery", "butik-kundresan", "khadamat-persian"])
def test_starter_for_a_table_with_affinity_columns_validates_and_solves(name: str, tmp_path: Path):
    scenario = original(ROOT / "scenarios" / f"{name}.yaml")[0].scenario
    write_tables(scenario, tmp_path / "tables", "csv", "columns")
    table = tmp_path / "tables" / f"{name}.channels.csv"
    path = tmp_path / "plans" / "scenario.yaml"
    path.parent.mkdir()
    text = starter_for_table(table, path)
    assert f"channels: ../tables/{name}.channels.csv" in text
    plan = solved(text, path)
    assert plan.status == "optimal" and plan.verified and plan.on_channels()
    loaded = load(path)
    assert [g.id for g in loaded.scenario.segments] == [g.id for g in scenario.segments]
    assert [p.id for p in loaded.scenario.phases] == [p.id for p in scenario.phases]
    assert loaded.warnings == []


def test_starter_uses_an_affinity_sheet_or_a_sibling_affinity_table(tmp_path: Path):
    scenario = original(ROOT / "scenarios" / "pyme-mexico.yaml")[0].scenario
    write_tables(scenario, tmp_path, "xlsx", "long")
    text = starter_for_table(tmp_path / "pyme-mexico.xlsx", tmp_path / "plan.yaml")
    assert "affinity: {file: pyme-mexico.xlsx, sheet: affinity}" in text
    assert solved(text, tmp_path / "plan.yaml").status == "optimal"
    write_tables(scenario, tmp_path / "csv", "csv", "wide")
    text = starter_for_table(tmp_path / "csv" / "pyme-mexico.channels.csv", tmp_path / "csv" / "plan.yaml")
    assert "affinity: pyme-mexico.affinity.csv" in text
    assert "resources: {horas:" in text
    assert solved(text, tmp_path / "csv" / "plan.yaml").status == "optimal"


def test_starter_for_a_table_without_affinities_has_a_placeholder_segment(tmp_path: Path):
    shutil.copy(DATA / "shop.channels.csv", tmp_path / "catalogue.csv")
    text = starter_for_table(tmp_path / "catalogue.csv", tmp_path / "scenario.yaml")
    assert "  - {id: customers, label: Customers, size: 1000}" in text
    assert "phases: osterwalder" in text
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load(path)  # valid as written; every channel still serves nothing
    assert len(loaded.warnings) == 3 and loaded.warnings[0].startswith("catalogue.csv row 2 (sökmotorer): serves no")


def test_starter_for_a_missing_table_raises(tmp_path: Path):
    with pytest.raises(ScenarioError) as caught:
        starter_for_table(tmp_path / "missing.csv", tmp_path / "scenario.yaml")
    assert [str(p) for p in caught.value.problems] == [
        f"channels: file 'missing.csv' not found (looked in {tmp_path.resolve()}). "
        "Fix: Check the name; a table's path is relative to the scenario file's folder"]


def test_inline_affinity_and_table_affinity_for_the_same_cell_is_a_problem(tmp_path: Path):
    (tmp_path / "a.csv").write_text("channel,phase,segment,affinity\nradio,aware,,0.4\nradio,buy,locals,0.3\n",
                                    encoding="utf-8")
    data = {**SCENARIO, "affinity": "a.csv",
            "channels": [
                {"id": "radio", "response": {"type": "linear", "slope": 0.01},
                 "affinity": {"aware": 0.2, "buy": {"locals": 0.1}}}]}
    with pytest.raises(ScenarioError) as caught:
        validate(data, "s.yaml", base=tmp_path)
    assert [str(p) for p in caught.value.problems] == [
        "a.csv: row 2, column affinity: the affinity of 'radio' for phase aware, segment * is given twice "
        "(also channels[0].affinity.aware in the scenario file). Fix: Keep one of them",
        "a.csv: row 3, column affinity: the affinity of 'radio' for phase buy, segment locals is given twice "
        "(also channels[0].affinity.buy.locals in the scenario file). Fix: Keep one of them"]
