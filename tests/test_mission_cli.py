"""The mission commands: JSON answers, tables, and bad input (one line on stderr, exit 2)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from .cli_harness import run
from .conftest import shared_or_local

ASTANA = ["--lat", "51.1694", "--lon", "71.4491", "--alt-m", "347"]
IN_HISTORY = ["--from", "2016-03-31", "--days", "1"]


def strict_json(text: str):
    """JSON as the standard has it: Python's json reads NaN and Infinity by default."""

    def refuse(constant: str):
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def run_json(capsys, *args: str) -> dict:
    code, out, err = run(capsys, *args, "--json")
    assert code == 0, err
    return strict_json(out)


@pytest.fixture
def decayed(tmp_path) -> str:
    """Vallado's MINOTAUR R/B (28872), the first 69 columns of its two lines: SGP4 fails
    (decay, error 6) from about 01:20 UTC on 2005-11-29, 51 minutes after its epoch, and
    before about 00:11 going backwards."""
    lines = shared_or_local("vallado/SGP4-VER.TLE").read_text().splitlines()
    i = next(k for k, ln in enumerate(lines) if ln.startswith("1 28872"))
    path = tmp_path / "28872.tle"
    path.write_text(f"{lines[i][:69]}\n{lines[i + 1][:69]}\n")
    return str(path)


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


def test_orbits_past_the_decay(capsys, decayed):
    """Regression: revolutions NaN (invalid JSON), no warning, 'agrees'. Now the count
    covers what propagates, says so, and there is nothing to cross-check."""
    args = ["orbits", "--from", "2005-11-29T00:30:00Z", "--to", "2005-11-29T12:00Z",
            "--elements", decayed]
    data = run_json(capsys, *args)
    assert data["complete"] is False and data["orbits"] == 0
    assert 0.3 < data["revolutions"] < 0.8
    assert data["counted"][0]["start"] == "2005-11-29T00:30:00Z"
    assert data["counted"][0]["end"].startswith("2005-11-29T01:20")
    (fail,) = data["propagation_failures"]
    assert fail["code"] == 6 and fail["end"] == "2005-11-29T12:00:00Z"
    assert any("satellite has decayed" in w and "error 6" in w for w in data["warnings"])
    assert data["cross_check"]["checked"] == 0 and data["cross_check"]["agree"] == 0
    assert all(t.endswith("Z") for t in times_in(data) if t)
    code, out, err = run(capsys, *args)
    assert code == 0, err
    words = " ".join(out.replace("│", " ").split())
    for wrong in ("nan", "None", "1 agree"):
        assert wrong not in words, wrong
    assert "satellite has decayed" in words and "only, where SGP4 propagates" in words
    assert "no ascending node" in words and "nothing to check" in words


def test_orbits_after_the_decay_is_one_line(capsys, decayed):
    assert_one_line_error(
        capsys, "orbits", "--from", "2005-11-29T02:00:00Z", "--to", "2005-11-29T12:00Z",
        "--elements", decayed, fragments=("cannot propagate", "decayed", "sgp4 error 6"),
    )


def test_orbits_numbered_from_a_standard_set(capsys):
    """Regression: 1-3 April 2016 (only a NASA-format set, numbered modulo 4000, serves
    it) was numbered 3297 to 3328 'as a five-digit set prints'. Now it is numbered from the
    standard set of 27 March, consistently with a wider window (99250 to 99359)."""
    data = run_json(capsys, "orbits", "--from", "2016-04-01", "--to", "2016-04-03")
    assert (data["rev_at_start"], data["rev_at_end"]) == (99297, 99328)
    assert data["rev_numbering"]["absolute"] is True
    assert data["rev_numbering"]["anchor_in_window"] is False
    assert data["cross_check"]["anchor_rev_number"] == 99227
    assert data["cross_check"]["checked"] == 1 and data["cross_check"]["agree"] == 1
    wide = run_json(capsys, "orbits", "--from", "2016-03-29", "--to", "2016-04-05")
    assert (wide["rev_at_start"], wide["rev_at_end"]) == (99250, 99359)
    head = run_json(capsys, "orbits", "--from", "2016-03-29", "--to", "2016-04-01")
    assert head["rev_at_end"] == data["rev_at_start"]
    code, out, err = run(capsys, "orbits", "--from", "2016-04-01", "--to", "2016-04-03")
    assert code == 0, err
    words = " ".join(out.replace("│", " ").split())
    assert "revolution 99297 to 99328" in words and "3297" not in words


def test_orbits_from_nasa_sets_alone_say_modulo_4000(capsys, tmp_path):
    """With only a NASA-format set the revolution numbers are modulo 4000: said plainly,
    and no absolute number is given."""
    import zarya

    nasa = next(e for e in zarya.load_satellite().elements
                if e.epoch.isoformat().startswith("2016-04-01T16"))
    path = tmp_path / "nasa.tle"
    path.write_text(f"{nasa.line1}\n{nasa.line2}\n")
    args = ["orbits", "--from", "2016-04-01", "--to", "2016-04-03", "--elements", str(path)]
    data = run_json(capsys, *args)
    assert data["rev_at_start"] is None and data["rev_at_end"] is None
    assert data["rev_at_end_as_printed"] is None
    numbering = data["rev_numbering"]
    assert numbering["absolute"] is False and numbering["modulus"] == 4000
    assert (numbering["rev_at_start"], numbering["rev_at_end"]) == (3297, 3328)
    assert any("modulo 4000" in w for w in data["warnings"])
    assert data["cross_check"]["checked"] == 0
    code, out, err = run(capsys, *args)
    words = " ".join(out.replace("│", " ").split())
    assert "3297 to 3328 modulo 4000" in words and "unknown" in words


@pytest.mark.parametrize(
    "args",
    [
        ["orbits", "--to", "2005-11-29T03:00Z"],
        ["track", "--hours", "2", "--json"],
        ["track", "--hours", "2", "--format", "geojson"],
        ["overflights", "--lat", "-22.5", "--lon", "-112.7", "--radius-km", "3000",
         "--days", "1"],
        ["radio", "--lat", "-22.5", "--lon", "-112.7", "--days", "1"],
        ["radio", "--lat", "-71.7", "--lon", "107", "--days", "1"],
        ["launch-windows", "--lat", "0", "--lon", "0", "--days", "1"],
    ],
)
@pytest.mark.parametrize("start", ["2005-11-29T00:00:00Z", "2005-11-29T00:30:00Z"])
def test_json_past_a_failure_is_strict(capsys, decayed, args, start):
    """Every mission answer over a window where SGP4 fails for a part (before 00:11 and
    after 01:20): valid JSON (no NaN, no Infinity), times with Z, and a warning naming
    the failure."""
    full = [*args, "--from", start, "--elements", decayed]
    code, out, err = run(capsys, *full, *([] if "--format" in args or "--json" in args
                                           else ["--json"]))
    assert code == 0, err
    data = strict_json(out)
    if data.get("type") == "FeatureCollection":
        data = data["features"][0]["properties"]
    assert all(t.endswith("Z") for t in times_in(data) if t)
    assert any("satellite has decayed" in w for w in data["warnings"]), data["warnings"]


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
def test_launch_windows_of_a_decayed_satellite(capsys, decayed):
    """Regression: 'no plane crossing ... near the orbit's reach' for a satellite that had
    decayed. Now: a warning naming the failure, and one line, exit 2, when nothing
    propagates."""
    code, out, err = run(capsys, "launch-windows", "--lat", "0", "--lon", "0", "--from",
                         "2005-11-29T00:30:00Z", "--days", "1", "--elements", decayed)
    assert code == 0, err
    words = " ".join(out.split())
    assert "satellite has decayed" in words and "reach" not in words
    assert_one_line_error(
        capsys, "launch-windows", "--lat", "0", "--lon", "0", "--from",
        "2005-11-29T02:00:00Z", "--days", "1", "--elements", decayed,
        fragments=("cannot propagate", "decayed", "sgp4 error 6"),
    )


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
