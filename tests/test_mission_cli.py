"""The mission commands: JSON answers, tables, and bad input (one line on stderr, exit 2)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from zarya.cli import main

ASTANA = ["--lat", "51.1694", "--lon", "71.4491", "--alt-m", "347"]
IN_HISTORY = ["--from", "2016-03-31", "--days", "1"]


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *args: str) -> dict:
    code, out, err = run(capsys, *args, "--json")
    assert code == 0, err
    return json.loads(out)


def assert_one_line_error(capsys, *args: str, fragments: tuple[str, ...] = ()) -> str:
    code, out, err = run(capsys, *args)
    assert code == 2, (code, out, err)
    assert err.startswith("zarya: error: ")
    assert err.count("\n") == 1, err
    assert "Traceback" not in err + out
    for fragment in fragments:
        assert fragment in err, (fragment, err)
    return err


def times_in(obj) -> list[str]:
    found = []
    if isinstance(obj, dict):
        for key, value in obj.items():
            if isinstance(value, str) and (key in ("time", "start", "end") or key.endswith(
                ("_node", "_time", "epoch", "_from", "_to")
            )):
                found.append(value)
            else:
                found += times_in(value)
    elif isinstance(obj, list):
        for value in obj:
            found += times_in(value)
    return found


# ------------------------------------------------------------------------ answers
def test_orbits_json_peake(capsys):
    data = run_json(
        capsys, "orbits", "--from", "2015-12-15T11:03:09Z", "--to", "2016-06-18T09:14:48Z"
    )
    assert data["orbits"] == 2892
    assert data["rev_at_end"] - data["rev_at_start"] == 2892
    assert data["rev_at_end_as_printed"] == data["rev_at_end"] % 100000
    assert data["cross_check"]["other"] == 0
    assert data["cross_check"]["off_by_one"] == 3  # the standard sets after the wrap
    assert len(data["element_sets"]) == 50
    assert {"epoch", "rev_number", "counted_rev", "difference", "note"} <= set(
        data["element_sets"][0]
    )
    assert any("nearest element set" in w for w in data["warnings"])
    assert all(t.endswith("Z") for t in times_in(data) if t)


def test_launch_windows_json(capsys):
    data = run_json(capsys, "launch-windows", "--place", "baikonur-1/5", "--from",
                    "2015-12-15", "--days", "2")
    assert len(data["windows"]) == 4
    kinds = [w["direction"] for w in data["windows"]]
    assert kinds == ["north-east", "south-east", "north-east", "south-east"]
    first = data["windows"][0]
    assert first["time"].startswith("2015-12-15T11:0") and first["time"].endswith("Z")
    assert first["northbound"] is True
    assert set(first) >= {"azimuth_deg", "azimuth_inertial_deg", "phase_angle_deg"}


def test_overflights_json_landing_zone(capsys):
    data = run_json(capsys, "overflights", "--place", "soyuz-landing-zone", "--from",
                    "2016-06-17", "--days", "2", "--radius-km", "200")
    assert data["radius_km"] == 200.0
    found = data["overflights"]
    assert found and all(o["distance_km"] <= 200.0 for o in found)
    o = found[-1]
    assert o["time"].startswith("2016-06-18T08:58")  # TMA-19M landed there at 09:15
    assert o["side"] in ("left", "right") and o["direction"] == "ascending"
    assert set(o["subpoint"]) == {"lat_deg", "lon_deg", "alt_km"}


def test_radio_json(capsys):
    data = run_json(capsys, "radio", *ASTANA, *IN_HISTORY, "--step-s", "60")
    assert data["frequency_mhz"] == 145.8 and data["min_elevation_deg"] == 0.0
    assert len(data["passes"]) >= 4
    for p in data["passes"]:
        d = p["doppler"]
        assert d["at_aos_hz"] > 0 > d["at_los_hz"]
        assert abs(d["max_hz"]) <= 3500.0
        assert p["aos"]["time"] < d["zero_time"] < p["los"]["time"]
        assert d["samples"][0]["time"] == p["aos"]["time"]
    higher = run_json(capsys, "radio", *ASTANA, *IN_HISTORY, "--min-elevation", "20",
                      "--freq-mhz", "437.8")
    assert len(higher["passes"]) < len(data["passes"])
    assert higher["passes"][0]["doppler"]["at_aos_hz"] > 437.8 / 145.8 * 2000


def test_track_formats(capsys):
    args = ["track", "--from", "2016-04-01", "--hours", "1.6", "--step-s", "60"]
    code, out, err = run(capsys, *args)
    assert code == 0, err
    collection = json.loads(out)
    assert collection["type"] == "FeatureCollection"
    geometry = collection["features"][0]["geometry"]
    assert geometry["type"] == "MultiLineString"  # RFC 7946: cut at the antimeridian
    for line in geometry["coordinates"]:
        assert all(-180.0 <= lon <= 180.0 and -90 <= lat <= 90 for lon, lat in line)
        assert all(abs(b[0] - a[0]) <= 180.0 for a, b in zip(line[:-1], line[1:], strict=True))
    ends = [line[-1][0] for line in geometry["coordinates"][:-1]]
    assert all(abs(x) == 180.0 for x in ends)

    code, out, err = run(capsys, *args, "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 97 and rows[0]["time"] == "2016-04-01T00:00:00.0Z"
    assert rows[0]["over"] == "Mexico"

    data = run_json(capsys, *args)
    assert len(data["points"]) == 97
    assert {p["over"] for p in data["points"]} >= {"North Atlantic Ocean", "Indian Ocean"}


def test_tables_for_people(capsys):
    code, out, err = run(capsys, "launch-windows", "--place", "baikonur-1/5", "--from",
                         "2015-12-15", "--days", "1")
    assert code == 0, err
    assert "Asia/Qyzylorda" in out and "north-east *" in out and "17:06:22" in out
    code, out, err = run(capsys, "overflights", "--place", "soyuz-landing-zone", "--from",
                         "2016-06-18", "--days", "1", "--radius-km", "50", "--tz", "UTC")
    assert code == 0, err
    assert "landing opportunities" in out and "08:58:27" in out
    code, out, err = run(capsys, "radio", "--place", "Astana", *IN_HISTORY)
    assert code == 0, err
    assert "145.800 MHz" in out and "kHz" in out
    code, out, err = run(capsys, "orbits", "--from", "2016-05-01", "--to", "2016-05-20")
    assert code == 0, err
    words = " ".join(out.replace("│", " ").split())
    assert "296 orbits" in words and "+1 after the" in words


def test_now_says_what_is_beneath(capsys):
    data = run_json(capsys, "now", "--at", "2016-04-01T00:02:00Z")
    assert data["over"] == "Gulf of Mexico"
    data = run_json(capsys, "now", "--at", "2016-04-01T00:00:00Z")
    assert data["over"] == "Mexico"


# ---------------------------------------------------------------------- bad input
def test_site_beyond_the_inclination(capsys):
    err = assert_one_line_error(
        capsys, "launch-windows", "--lat", "62.93", "--lon", "40.57", *IN_HISTORY,
        fragments=("no launch window", "inclined 51.6", "never passes through"),
    )
    assert "plane change" in err


@pytest.mark.parametrize(
    "args, fragments",
    [
        (["orbits", "--from", "2016-05-20", "--to", "2016-05-01"], ("before",)),
        (["orbits", "--from", "2016-05-20"], ("--to",)),
        (["overflights", *ASTANA, *IN_HISTORY, "--radius-km", "-5"], ("radius-km -5",)),
        (["overflights", *ASTANA, *IN_HISTORY, "--radius-km", "0"], ("radius-km 0",)),
        (["radio", *ASTANA, *IN_HISTORY, "--freq-mhz", "0"], ("freq-mhz 0",)),
        (["radio", *ASTANA, *IN_HISTORY, "--freq-mhz", "-145.8"], ("freq-mhz -145.8",)),
        (["radio", *ASTANA, *IN_HISTORY, "--min-elevation", "95"], ("min-elevation 95",)),
        (["radio", *ASTANA, "--from", "2016-03-31", "--days", "-1"], ("--days",)),
        (["launch-windows", "--lat", "95", "--lon", "0"], ("latitude 95",)),
        (["launch-windows", "--place", "Atlantis-under-the-sea"], ()),
        (["track", "--from", "2016-04-01", "--hours", "0"], ("--hours 0",)),
        (["track", "--from", "2016-04-01", "--step-s", "0"], ("--step-s 0",)),
        (["track", "--from", "2016-04-01", "--format", "kml"], ("kml",)),
        (["track", "--from", "2016-04-01", "--hours", "1000", "--step-s", "0.01"], ("744",)),
        (["overflights", *ASTANA, "--from", "2010-01-01"], ("allow-stale",)),
    ],
)
def test_bad_input_is_one_line(capsys, args, fragments):
    assert_one_line_error(capsys, *args, fragments=fragments)
