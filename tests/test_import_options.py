"""Every option of ``channelmix import``, with every source, either changes the scenario written
or exits 2 saying why, with nothing written: no option is accepted and ignored (issue #18)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytest.importorskip("xarray")

HERE = Path(__file__).parent / "data"
SOURCES = {
    "robyn": [HERE / "robyn_real" / "RobynModel-2_118_6.json"],
    "curves": [HERE / "evidence" / "curves" / "meridian_curves.csv"],
    "pymc-marketing": [HERE / "pymc_real" / "identity_logistic.nc"],
}
OPTIONS = {  # a value each option takes, valid for the sources it applies to
    "--solid": "2_118_6", "--window": "2024-03-04:2024-06-24", "--model-window": "2022-04-04:2024-06-24",
    "--adstock": "geometric", "--bounds": "0.6:1.8", "--budget": "12345", "--recent": "5", "--draws": "7",
           "--seed": "3",
    "--periods": "4",
}


def _cli() -> str:
    exe = Path(sys.executable).with_name("channelmix")
    return str(exe) if exe.exists() else shutil.which("channelmix")


def _import(source: str, out: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([_cli(), "import", source, *map(str, SOURCES[source]), "-o", str(out), *args],
                          capture_output=True, text=True)


@pytest.fixture(scope="module")
def defaults(tmp_path_factory) -> dict[str, dict]:
    folder = tmp_path_factory.mktemp("defaults")
    out = {}
    for source in SOURCES:
        done = _import(source, folder / f"{source}.yaml")
        assert done.returncode == 0, done.stderr
        out[source] = yaml.safe_load((folder / f"{source}.yaml").read_text(encoding="utf-8"))
    return out


@pytest.mark.parametrize("source", list(SOURCES))
@pytest.mark.parametrize("option", list(OPTIONS))
def test_an_option_changes_the_scenario_or_exits_2(tmp_path, defaults, source, option):
    out = tmp_path / "out.yaml"
    done = _import(source, out, option, OPTIONS[option])
    assert "Traceback" not in done.stderr and done.stdout == ""
    if done.returncode == 2:
        assert not out.exists() and not list(tmp_path.glob("*.csv"))
        assert option in done.stderr or option.lstrip("-") in done.stderr  # the message names the option
        return
    assert done.returncode == 0, done.stderr
    assert yaml.safe_load(out.read_text(encoding="utf-8")) != defaults[source], f"{option} was accepted and changed " \
                                                                                f"nothing"


def test_seed_changes_which_samples_become_worlds(tmp_path):
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    assert _import("pymc-marketing", first, "--draws", "7", "--seed", "1").returncode == 0
    assert _import("pymc-marketing", second, "--draws", "7", "--seed", "2").returncode == 0
    from channelmix.model.worlds import sample_indices
    from channelmix.schema import load

    picks = [list(sample_indices(load(p).scenario)) for p in (first, second)]
    assert picks[0] != picks[1] and all(len(p) == 7 for p in picks)
