"""The `zarya` command: the JSON contract, the tables, and bad input (one line, exit 2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from zarya.cli import main
from zarya.elements.files import bundled_sets

from .cli_harness import assert_one_line_error, run, run_json
from .conftest import shared_or_local

ASTANA = ["--lat", "51.1694", "--lon", "71.4491", "--alt-m", "347"]
# the bundled history is dense from 2015-12 to 2016-06: use instants there
IN_HISTORY = ["--from", "2016-03-31", "--days", "3"]


# ------------------------------------------------------------------ the contract
def test_passes_json_contract(capsys):
    data = run_json(capsys, "passes", *ASTANA, *IN_HISTORY)
    assert set(data) >= {"satellite", "observer", "min_elevation_deg", "rules", "passes"}
    assert set(data["satellite"]) == {"norad_id", "name", "elements_epoch", "elements_age_days",
                                      "std_magnitude"}
    assert data["satellite"]["std_magnitude"] == -1.8  # the ISS's built-in one
    assert data["rules"]["name"] == "zarya" and data["rules"]["shadow_height_km"] == 18.0
    assert data["satellite"]["norad_id"] == 25544
    assert data["satellite"]["name"] == "ISS (ZARYA)"
    assert data["satellite"]["elements_epoch"].endswith("Z")
    assert data["observer"] == {"lat_deg": 51.1694, "lon_deg": 71.4491, "alt_m": 347.0}
    assert data["min_elevation_deg"] == 10.0
    # ISS at 51.6 degrees inclination over 51 N: 4 to 6 passes a day above 10 degrees
    assert 10 <= len(data["passes"]) <= 20
    point_keys = {"time", "azimuth_deg", "elevation_deg", "range_km", "direction"}
    for p in data["passes"]:
        assert set(p) >= {"rise", "culmination", "set", "duration_s", "visible",
                          "visible_stretches"}
        assert p["visible"] == (p["visible_stretches"][0] if p["visible_stretches"] else None)
        for key in ("rise", "culmination", "set"):
            assert set(p[key]) == point_keys
            assert p[key]["time"].endswith("Z")
        assert p["rise"]["elevation_deg"] == pytest.approx(10.0, abs=0.01)
        assert p["rise"]["time"] < p["culmination"]["time"] < p["set"]["time"]
        if p["visible"] is not None:
            vis = p["visible"]
            assert set(vis) >= {"start", "peak", "end", "brightest_magnitude"}
            for key in ("start", "peak", "end"):
                assert set(vis[key]) == point_keys | {"magnitude"}
            assert vis["brightest_magnitude"] <= min(vis[k]["magnitude"] for k in ("start", "end"))


def test_visible_keeps_only_visible_passes(capsys):
    every = run_json(capsys, "passes", *ASTANA, *IN_HISTORY)
    seen = run_json(capsys, "passes", *ASTANA, *IN_HISTORY, "--visible")
    assert seen["passes"], "early April 2016 had evening ISS passes over Astana"
    assert all(p["visible"] for p in seen["passes"])
    assert len(seen["passes"]) == sum(1 for p in every["passes"] if p["visible"])


def test_place_names_resolve(capsys):
    by_name = run_json(capsys, "passes", "--place", "Astana", *IN_HISTORY)
    assert by_name["observer"]["lat_deg"] == pytest.approx(51.18, abs=0.05)
    assert by_name["passes"]
    site = run_json(capsys, "passes", "--place", "baikonur-1/5", *IN_HISTORY)
    assert site["observer"]["lat_deg"] == pytest.approx(45.920278)


def test_table_for_people_in_local_time(capsys):
    code, out, err = run(capsys, "passes", "--place", "Astana", *IN_HISTORY, "--visible")
    assert code == 0, err
    assert "ISS (ZARYA)" in out
    assert "Asia/" in out  # --tz auto: the place's zone
    assert "elements epoch" in out
    code, out, _ = run(capsys, "passes", "--place", "Astana", *IN_HISTORY, "--tz", "UTC")
    assert code == 0 and "UTC" in out


def test_elements_file_is_used(tmp_path, capsys):
    one = next(s for s in bundled_sets() if s.line1[18:32] == "16092.70325827")
    path = tmp_path / "iss.tle"
    path.write_text(f"ISS (ZARYA)\n{one.line1}\n{one.line2}\n")
    data = run_json(capsys, "passes", *ASTANA, *IN_HISTORY, "--elements", str(path))
    assert data["satellite"]["elements_epoch"].startswith("2016-04-01")


def test_now_reports_subpoint(capsys):
    data = run_json(capsys, "now", "--at", "2016-03-31T12:00:00Z")
    assert -51.7 <= data["lat_deg"] <= 51.7  # the ISS never goes past its inclination
    assert 380 < data["alt_km"] < 440
    assert 7.6 < data["speed_km_s"] < 7.75  # circular speed at 400 km: 7.67 km/s
    assert data["sunlight"] in {"sunlit", "penumbra", "umbra"}
    code, out, _ = run(capsys, "now", "--at", "2016-03-31T12:00:00Z", "--place", "Astana")
    assert code == 0 and "look" in out


def test_python_dash_m_runs_without_traceback():
    proc = subprocess.run(
        [sys.executable, "-m", "zarya", "passes", "--lat", "95", "--lon", "0", "--json"],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "zarya: error: latitude 95 degrees is impossible: expected -90 to 90 degrees"
    )


# ------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--lat", "95", "--lon", "0"], ["latitude 95"]),
        (["--lat", "0", "--lon", "200"], ["longitude 200"]),
        (["--lat", "nan", "--lon", "0"], ["latitude nan"]),
        (["--lat", "10", "--lon", "10", "--alt-m", "-20000"], ["altitude -20000"]),
        (["--place", "Xyzzyville"], ["unknown place 'Xyzzyville'"]),
        (["--place", "Springfield"], ["Springfield"]),
        (["--lat", "10"], ["--lon"]),
        (["--place", "Astana", "--lat", "1", "--lon", "2"], ["not both"]),
        ([*ASTANA, "--days", "0"], ["--days"]),
        ([*ASTANA, "--days=-3"], ["--days"]),
        ([*ASTANA, "--days", "100000"], ["100000"]),
        ([*ASTANA, "--from", "yesterday-ish"], ["cannot read the time"]),
        ([*ASTANA, "--from", "2016-02-30"], ["day is out of range"]),
        ([*ASTANA, "--from", "2300-01-01"], ["outside"]),
        ([*ASTANA, "--from", "2031-01-01", "--days", "1"], ["--allow-stale"]),
        ([*ASTANA, "--from", "2016-03-31", "--tz", "Mars/Olympus"], ["unknown time zone"]),
        ([*ASTANA, "--from", "2016-03-31", "--tz", "America"], ["unknown time zone"]),
        ([*ASTANA, "--from", "2016-03-31", "--min-elevation", "95"], ["--min-elevation"]),
        ([*ASTANA, "--from", "2016-03-31", "--sat", "99999"], ["NORAD 99999"]),
        ([*ASTANA, "--from", "2016-03-31", "--elements", "/nonexistent.tle"], ["no such"]),
        (["--bogus-option"], ["--bogus-option"]),
    ],
)
def test_bad_input_is_one_line_exit_2(capsys, args, fragments):
    assert_one_line_error(*run(capsys, "passes", *args), *fragments)


def test_unknown_command(capsys):
    assert_one_line_error(*run(capsys, "fly-me-to-the-moon"), "fly-me-to-the-moon")


BAD_TLES = {
    "checksum": (
        "1 25544U 98067A   16092.70325827  .00005599  00000-0  91817-4 0  9998",
        "column 69 (checksum): expected",
    ),
    "shifted": (
        "1  25544U 98067A   16092.70325827  .00005599  00000-0  91817-4 0  999",
        "TLE line 1",
    ),
    "garbage": ("hello", "line 1 of the file"),
}


@pytest.mark.parametrize("kind", sorted(BAD_TLES))
def test_malformed_elements_file(tmp_path, capsys, kind):
    good = next(s for s in bundled_sets() if s.line1[18:32] == "16092.70325827")
    line1, fragment = BAD_TLES[kind]
    path = tmp_path / "bad.tle"
    path.write_text(f"{line1}\n{good.line2}\n" if kind != "garbage" else "hello\n")
    code, out, err = run(capsys, "passes", *ASTANA, *IN_HISTORY, "--elements", str(path))
    assert_one_line_error(code, out, err, str(path), fragment)


def test_mismatched_catalogue_numbers(tmp_path, capsys):
    good = next(s for s in bundled_sets() if s.line1[18:32] == "16092.70325827")
    from zarya.elements.tle import checksum

    body = good.line2[:2] + "25545" + good.line2[7:68]
    path = tmp_path / "mismatch.tle"
    path.write_text(f"{good.line1}\n{body}{checksum(body)}\n")
    code, out, err = run(capsys, "passes", *ASTANA, *IN_HISTORY, "--elements", str(path))
    assert_one_line_error(code, out, err, "catalogue number", "as on line 1")


def test_decayed_satellite(tmp_path, capsys):
    """Vallado's MINOTAUR R/B (28872) decayed within 50 minutes of its epoch."""
    lines = Path(shared_or_local("vallado/SGP4-VER.TLE")).read_text().splitlines()
    i = next(k for k, ln in enumerate(lines) if ln.startswith("1 28872"))
    path = tmp_path / "decayed.tle"
    path.write_text(f"{lines[i][:69]}\n{lines[i + 1][:69]}\n")
    code, out, err = run(
        capsys, "passes", *ASTANA, "--from", "2005-11-30", "--days", "1", "--elements", str(path)
    )
    assert_one_line_error(code, out, err, "decayed", "sgp4 error 6")


def test_partly_failed_window_warns(tmp_path, capsys):
    """A window that starts before the decay: passes until then, and a warning after."""
    lines = Path(shared_or_local("vallado/SGP4-VER.TLE")).read_text().splitlines()
    i = next(k for k, ln in enumerate(lines) if ln.startswith("1 28872"))
    path = tmp_path / "decayed.tle"
    path.write_text(f"{lines[i][:69]}\n{lines[i + 1][:69]}\n")
    data = run_json(
        capsys, "passes", "--lat", "0", "--lon", "0", "--from", "2005-11-29", "--days", "1",
        "--elements", str(path),
    )
    assert any("satellite has decayed" in w for w in data["warnings"])


def test_bare_command_prints_help_and_version(capsys):
    assert main([]) == 0
    out, err = capsys.readouterr()
    assert "Usage: zarya" in out and "passes" in out and err == ""
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("zarya ")


@pytest.mark.parametrize("columns", [None, "40", "80", "200"])
def test_piped_tables_are_not_cut(capsys, monkeypatch, columns):
    """Out of a terminal, tables are 160 columns wide, or COLUMNS where that is wider: no '…'
    in the cells, whatever COLUMNS says (a terminal's width is no pipe's)."""
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    code, out, _ = run(capsys, "passes", *ASTANA, *IN_HISTORY)
    assert code == 0
    assert "…" not in out
    assert max(len(line) for line in out.splitlines()) > 80
    assert max(len(line) for line in out.splitlines()) <= max(160, int(columns or 0))


def test_days_message_keeps_the_digits(capsys):
    code, out, err = run(capsys, "passes", *ASTANA, "--from", "2016-03-31", "--days", "366.0001")
    assert_one_line_error(code, out, err, "--days 366.0001 is too long")


def test_lowercase_iso_letters_are_accepted(capsys):
    a = run_json(capsys, "now", "--at", "2016-03-31t12:00:00z")
    b = run_json(capsys, "now", "--at", "2016-03-31T12:00:00Z")
    assert a["lat_deg"] == b["lat_deg"]


def test_far_years_warn_once_without_erfa_noise(capsys):
    """erfa's 'dubious year' warning (no leap-second table there) is not passed on."""
    code, out, err = run(capsys, "now", "--at", "2030-01-01", "--allow-stale", "--json")
    assert code == 0
    assert "dubious" not in err and "Erfa" not in err
    assert json.loads(out)["warnings"]


def test_stale_message_names_the_instant_asked(capsys):
    code, out, err = run(capsys, "now", "--at", "2031-01-01T12:00:00Z")
    assert_one_line_error(code, out, err, "from 2031-01-01T12:00:00Z")


def test_empty_sat_is_refused(capsys):
    assert_one_line_error(*run(capsys, "passes", *ASTANA, *IN_HISTORY, "--sat", " "),
                          "--sat is empty")


def test_track_format_and_json_must_agree(capsys):
    assert_one_line_error(
        *run(capsys, "track", "--from", "2016-04-04", "--hours", "0.5", "--format", "csv",
             "--json"),
        "disagree",
    )
    code, out, err = run(capsys, "track", "--from", "2016-04-04", "--hours", "0.5", "--json")
    assert code == 0, err
    points = json.loads(out)["points"]
    assert len(points) == 61  # 30 minutes every 30 s, both ends included
    assert all(p["time"].endswith("Z") for p in points)
