"""Channel tables and --set values as people in other locales write them (issue #19, item 8),
through the installed console script: decimal commas in a ';' table read (found, or
declared with decimal: ',' / init --decimal ,), numbers written as 60%, 4 500, R4,500 or an
ambiguous 4.500 refused at their cell with the exact number to write, a row with a cell too
many named by its counts. Every problem at once, exit 2, nothing written."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCENARIO = "scenario: t\nphases: [aware, buy]\nsegments: [locals]\nbudget: 1000\nchannels: {channels}\n"
HEAD = "id;label;response_type;response_scale;max_spend;affinity:aware/locals;affinity:buy\n"


def channelmix(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    script = Path(sys.executable).with_name("channelmix")
    command = [str(script) if script.exists() else shutil.which("channelmix") or "channelmix", *args]
    env = {**os.environ, "COLUMNS": "200", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(command, capture_output=True, text=True, encoding="utf-8", env=env, timeout=300, cwd=cwd)


def scenario(tmp_path: Path, table: str, name: str = "c.csv", reference: str | None = None) -> Path:
    (tmp_path / name).write_text(table, encoding="utf-8")
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.format(channels=reference or name), encoding="utf-8")
    return path


def test_a_semicolon_table_with_decimal_commas_is_read_as_written(tmp_path: Path):
    """It was accepted by init --from-csv, then validate said "expected a number"."""
    table = HEAD + "flyers;Flygblad;saturating;200;800,5;0,5;0,25\nradio;Radio;saturating;300;1200;0,4;\n"
    (tmp_path / "c.csv").write_text(table, encoding="utf-8")
    made = channelmix("init", str(tmp_path / "s.yaml"), "--from-csv", str(tmp_path / "c.csv"))
    assert made.returncode == 0, made.stderr
    done = channelmix("solve", str(tmp_path / "s.yaml"), "--format", "json")
    assert done.returncode == 0, done.stderr
    assert '"max_spend"' not in done.stderr and "expected a number" not in done.stderr
    import json

    plan = json.loads(done.stdout)
    assert plan["status"] == "optimal"
    assert sum(c["spend"] for c in plan["channels"] if c["id"] == "flyers") <= 800.5 + 1e-6


def test_decimal_commas_declared_on_the_table_or_by_init(tmp_path: Path):
    table = "id;response_type;response_scale;affinity:aware/locals\nflyers;saturating;200;0,5\n"
    declared = scenario(tmp_path, table, reference="{file: c.csv, decimal: ','}")
    assert channelmix("validate", str(declared)).returncode == 0
    made = channelmix("init", str(tmp_path / "i.yaml"), "--from-csv", str(tmp_path / "c.csv"), "--decimal", ",",
                      "--force")
    assert made.returncode == 0, made.stderr
    assert "decimal: ','" in (tmp_path / "i.yaml").read_text(encoding="utf-8")
    assert channelmix("validate", str(tmp_path / "i.yaml")).returncode == 0
    wrong = scenario(tmp_path, table, reference="{file: c.csv, decimal: ';'}")
    done = channelmix("validate", str(wrong))
    assert done.returncode == 2
    assert "channels.decimal: got ';', expected '.' or ','" in done.stderr


def test_numbers_written_another_way_are_refused_at_their_cell_with_the_exact_fix(tmp_path: Path):
    table = ("id,label,response_type,response_scale,max_spend,affinity:aware/locals\n"
             "flyers,Flyers,saturating,60%,4 500,0.5\n"
             "shop,Shop,saturating,300,4.500,0.3\n"
             "stall,Stall,saturating,300,\"R4,500\",0.3\n"
             "radio,Radio,saturating,2,5,1200,0.4\n")
    done = channelmix("validate", str(scenario(tmp_path, table)))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    problems = [line.strip().replace(f"{tmp_path}{os.sep}", "") for line in done.stderr.splitlines()
                if line.startswith("  ")]
    assert problems == [
        "s.yaml: c.csv: row 5: has 7 cells, the header 6. Fix: A number written with a comma (2,5 or 4,500) splits in "
        "two: write 2.5 or 4500 (or put the value in quotes and give the table decimal: ',' for decimal commas)",
        "s.yaml: c.csv: row 2, column response_scale: got '60%', a percentage. Fix: Write 0.6 (a share: 1 is 100%)",
        "s.yaml: c.csv: row 2, column max_spend: got '4 500', a number with thousands separators. Fix: Write 4500",
        "s.yaml: c.csv: row 3, column max_spend: got '4.500', which reads as 4.5 but may mean 4500 (a '.' grouping "
        "thousands). Fix: Write 4.5, or 4500 if the '.' groups thousands",
        "s.yaml: c.csv: row 4, column max_spend: got 'R4,500', a number with a currency sign. Fix: Write 4500",
    ]
    assert "unknown type" not in done.stderr and "expected a number" not in done.stderr


def test_a_quoted_decimal_comma_in_a_comma_table_names_the_decimal_key(tmp_path: Path):
    table = 'id,response_type,response_scale,affinity:aware/locals\nflyers,saturating,200,"0,5"\n'
    done = channelmix("validate", str(scenario(tmp_path, table)))
    assert done.returncode == 2
    assert ("c.csv: row 2, column affinity:aware/locals: got '0,5', a decimal comma. Fix: Write 0.5 (or give the "
            "table decimal: ',' when the file writes decimal commas)") in done.stderr


def test_init_refuses_such_a_table_and_writes_nothing(tmp_path: Path):
    table = "id,response_type,response_scale,affinity:aware/locals\nflyers,saturating,60%,0.5\n"
    (tmp_path / "c.csv").write_text(table, encoding="utf-8")
    done = channelmix("init", str(tmp_path / "s.yaml"), "--from-csv", str(tmp_path / "c.csv"))
    assert done.returncode == 2 and "Write 0.6" in done.stderr
    assert not (tmp_path / "s.yaml").exists()


@pytest.mark.parametrize("value, fix", [
    ("4 500", "got '4 500', a number with thousands separators. Fix: Write 4500"),
    ("60%", "got '60%', a percentage. Fix: Write 0.6 (a share: 1 is 100%)"),
    ("R4,500", "got 'R4,500', a number with a currency sign. Fix: Write 4500"),
    ("4.500", "got '4.500', which reads as 4.5 but may mean 4500 (a '.' grouping thousands). Fix: Write 4.5, or 4500 "
              "if the '.' groups thousands"),
    ("0,5", "got '0,5', a decimal comma. Fix: Write 0.5"),
])
def test_set_values_in_the_users_locale_get_the_exact_fix(value: str, fix: str, tmp_path: Path):
    table = "id,response_type,response_scale,affinity:aware/locals\nflyers,saturating,200,0.5\n"
    done = channelmix("validate", str(scenario(tmp_path, table)), "--set", f"budget={value}")
    assert done.returncode == 2
    assert f"--set: budget={value}: {fix}" in done.stderr


def test_every_set_problem_at_once_and_text_values_left_alone(tmp_path: Path):
    path = scenario(tmp_path, "id,response_type,response_scale,affinity:aware/locals\nflyers,saturating,200,0.5\n")
    done = channelmix("validate", str(path), "--set", "budget=4 500", "--set", "channels.flyers.max_spend=60%")
    assert done.returncode == 2 and "2 problems found" in done.stderr
    fine = channelmix("validate", str(path), "--set", "description=60% of the budget", "--set", "budget=1500")
    assert fine.returncode == 0, fine.stderr


def test_points_written_with_decimal_commas_are_read_in_a_decimal_comma_table(tmp_path: Path):
    """'0:0; 500:0,3' was split at the comma ('500:0' and '3'): in a ';' table with decimal commas the points are
    separated by ';' only; the table's decimal sign is found from the points cell too (no other decimal written)."""
    import json

    head = "id;response_type;response_points;max_spend;affinity:aware/locals;affinity:buy/locals\n"
    table = head + 'flyers;pwl;"0:0; 500:0,3; 1000:0,45";1000;1;1\nradio;pwl;"0:0; 400:0,2";400;1;0\n'
    path = scenario(tmp_path, table)
    checked = channelmix("validate", str(path))
    assert checked.returncode == 0, checked.stderr
    done = channelmix("solve", str(path), "--format", "json")
    assert done.returncode == 0, done.stderr
    plan = json.loads(done.stdout)
    reach = {c["id"]: c["reach"] for c in plan["channels"]}
    # 600 of flyers on its curve: 0.3 + (0.45 - 0.3) × 100 / 500 = 0.33; radio's 400 reach 0.2
    spend = {c["id"]: c["spend"] for c in plan["channels"]}
    assert spend["flyers"] + spend["radio"] == pytest.approx(1000, abs=1e-6)
    assert reach["radio"] == pytest.approx(0.2 * spend["radio"] / 400, abs=1e-6)
    assert reach["flyers"] == pytest.approx(0.3 + 0.15 * (spend["flyers"] - 500) / 500 if spend["flyers"] > 500
                                            else 0.3 * spend["flyers"] / 500, abs=1e-6)


def test_validate_and_solve_take_decimal_as_init_does(tmp_path: Path):
    """--decimal was init's only: validate and solve read tables that declare no decimal sign with it, and a
    table's own decimal: key still wins."""
    mixed = HEAD.replace("affinity:buy", "affinity:buy/locals") + \
        "flyers;Flygblad;saturating;200;1.500;0,5;0,25\nradio;Radio;saturating;300;1200;0,4;0,1\n"
    path = scenario(tmp_path, mixed)
    found = channelmix("validate", str(path))  # '1.500' looks like a decimal point: the commas are refused
    assert found.returncode == 2 and found.stderr.count("a decimal comma") == 4
    told = channelmix("validate", str(path), "--decimal", ",")
    assert told.returncode == 2 and "a decimal comma" not in told.stderr
    assert "row 2, column max_spend: got '1.500', a number with thousands separators. Fix: Write 1500" in told.stderr
    (tmp_path / "c.csv").write_text(mixed.replace("1.500", "1500"), encoding="utf-8")
    assert channelmix("validate", str(path), "--decimal", ",").returncode == 0
    done = channelmix("solve", str(path), "--decimal", ",", "--format", "json")
    assert done.returncode == 0, done.stderr
    forced = channelmix("solve", str(path), "--decimal", ".", "--format", "json")  # found ',' but told '.'
    assert forced.returncode == 2 and forced.stderr.count("a decimal comma") == 4
    declared = scenario(tmp_path, mixed.replace("1.500", "1500"), reference="{file: c.csv, decimal: ','}")
    assert channelmix("validate", str(declared), "--decimal", ".").returncode == 0
