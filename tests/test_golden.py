"""Golden outputs: the JSON of a fixed set of commands and web requests, recorded before the
wave-two refactor (at commit dee2d01) and compared exactly, so that moving code between
modules cannot change an answer unnoticed.

``golden/bare/`` keeps the pass snapshots as they were before the Earth's shadow was raised
for the atmosphere and magnitudes dimmed by extinction (issue 12): with
``--shadow-height-km 0 --no-extinction`` zarya still gives every field of them exactly
(the answers have new fields since: ``visible_stretches``, ``rules``, ``std_magnitude``).

These are regression snapshots, not accuracy checks: the numbers in them are checked against
independent implementations and published predictions elsewhere (test_skyfield_compare.py,
test_pass_cases.py, test_vallado.py, test_ground.py, test_missions.py). A change that is
meant to change an answer rewrites the snapshot it changes, says why in its commit, and
leaves the others as they are: ``ZARYA_WRITE_GOLDEN=1 pytest tests/test_golden.py`` writes
them anew.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from zarya.cli import main

GOLDEN = Path(__file__).parent / "golden"
WRITE = os.environ.get("ZARYA_WRITE_GOLDEN") == "1"

COMMANDS: dict[str, list[str]] = {
    "passes_astana_visible": [
        "passes", "--place", "Astana", "--from", "2016-03-31", "--days", "7", "--visible",
    ],
    "passes_latlon_all": [
        "passes", "--lat", "51.17", "--lon", "71.45", "--alt-m", "347", "--from",
        "2016-04-01", "--days", "3",
    ],
    "passes_baikonur_30deg_refraction": [
        "passes", "--place", "baikonur-1/5", "--from", "2016-03-18", "--days", "4",
        "--min-elevation", "30", "--refraction",
    ],
    "passes_polar_observer": [
        "passes", "--lat", "-89.5", "--lon", "10", "--from", "2016-04-01", "--days", "2",
        "--min-elevation", "0",
    ],
    "now_astana": ["now", "--at", "2016-03-19T21:26:00Z", "--place", "Astana"],
    "now_bare": ["now", "--at", "2016-04-04T12:00:00Z"],
    "orbits_peake": ["orbits", "--from", "2015-12-15T11:03:09Z", "--to", "2016-06-18T09:14:48Z"],
    "orbits_two_days": ["orbits", "--from", "2016-04-01", "--to", "2016-04-03"],
    "launch_windows_baikonur": [
        "launch-windows", "--place", "baikonur-1/5", "--from", "2015-12-15", "--days", "2",
    ],
    "overflights_landing_zone": [
        "overflights", "--place", "soyuz-landing-zone", "--radius-km", "50", "--from",
        "2016-06-17", "--days", "2",
    ],
    "radio_astana": [
        "radio", "--place", "Astana", "--freq-mhz", "145.8", "--from", "2016-04-04", "--days",
        "1", "--step-s", "60",
    ],
    "track_json": ["track", "--from", "2016-04-04", "--hours", "1.5", "--step-s", "120"],
}


def _run(capsys: pytest.CaptureFixture[str], args: list[str]) -> str:
    code = main(args)
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def _check(name: str, value: object) -> None:
    path = GOLDEN / f"{name}.json"
    if WRITE:
        path.write_text(json.dumps(value, indent=1, ensure_ascii=False) + "\n")
    assert value == json.loads(path.read_text()), f"{name} differs from {path}"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_json(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    _check(name, json.loads(_run(capsys, [*COMMANDS[name], "--json"])))


BARE = ["--shadow-height-km", "0", "--no-extinction"]


def _contains(old: object, new: object, where: str = "") -> None:
    """Every field of ``old`` is in ``new``, equal (lists element by element)."""
    if isinstance(old, dict):
        assert isinstance(new, dict), where
        for key, value in old.items():
            assert key in new, f"{where}.{key} missing"
            _contains(value, new[key], f"{where}.{key}")
    elif isinstance(old, list):
        assert isinstance(new, list) and len(old) == len(new), f"{where}: lengths differ"
        for k, (a, b) in enumerate(zip(old, new, strict=True)):
            _contains(a, b, f"{where}[{k}]")
    else:
        assert old == new, f"{where}: {old!r} then, {new!r} now"


@pytest.mark.parametrize("name", [n for n in sorted(COMMANDS) if n.startswith("passes")])
def test_bare_shadow_reproduces_the_old_answers(name: str, capsys) -> None:
    old = json.loads((GOLDEN / "bare" / f"{name}.json").read_text())
    _contains(old, json.loads(_run(capsys, [*COMMANDS[name], *BARE, "--json"])), name)


def test_bare_shadow_reproduces_the_old_batch(tmp_path: Path, capsys) -> None:
    """The batch's rows of then, each the first (and only) stretch of its pass now."""
    out = tmp_path / "b.jsonl"
    _run(capsys, ["batch", "--cities", "40", "--from", "2016-04-04", "--days", "2",
                  "--out", str(out), *BARE])
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    old = json.loads((GOLDEN / "bare" / "batch_cities_40.json").read_text())
    assert all(r["visible_stretches"] <= 1 for r in rows)
    _contains(old, rows, "batch")


# SL-6 R/B(2), Vallado's set: sgp4 fails (error 1) 29350 s after its epoch (decay warnings)
FAILING = (
    "1 22312U 93002D   06094.46235912  .99999999  81888-5  49949-3 0  3953\n"
    "2 22312  62.1486  77.4698 0308723 267.9229  88.7392 15.95744531 98783\n"
)


def test_elements_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--elements with another object: a geostationary one (XM-3, up all the window) and one
    that sgp4 stops propagating inside the window."""
    lines = (Path(__file__).parent / "data/vallado/SGP4-VER.TLE").read_text().splitlines()
    k = next(i for i, line in enumerate(lines) if line.startswith("1 28626"))  # XM-3, GEO
    geo = tmp_path / "geo.tle"
    geo.write_text(f"XM-3\n{lines[k][:69]}\n{lines[k + 1][:69]}\n", "ascii")
    args = ["passes", "--elements", str(geo), "--lat", "30", "--lon", "-85.12", "--from",
            "2006-06-26", "--days", "2", "--json"]
    _check("elements_geo_xm3", json.loads(_run(capsys, args)))
    failing = tmp_path / "failing.tle"
    failing.write_text(FAILING, "ascii")
    args = ["passes", "--elements", str(failing), "--lat", "-9.7", "--lon", "142.26",
            "--from", "2006-04-04T11:00:00Z", "--days", "1", "--allow-stale", "--json"]
    _check("elements_failing", json.loads(_run(capsys, args)))


def test_track_geojson_and_csv(capsys: pytest.CaptureFixture[str]) -> None:
    base = ["track", "--from", "2016-04-04T14:00:00Z", "--hours", "2", "--step-s", "300"]
    _check("track_geojson", json.loads(_run(capsys, [*base, "--format", "geojson"])))
    _check("track_csv", _run(capsys, [*base, "--format", "csv"]).splitlines())


def test_batch_jsonl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "b.jsonl"
    _run(capsys, ["batch", "--cities", "40", "--from", "2016-04-04", "--days", "2",
                  "--out", str(out)])
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    _check("batch_cities_40", rows)


WEB = {
    "web_passes": "/api/passes?place=Astana&from=2016-04-04&days=3",
    "web_passes_visible": "/api/passes?lat=48.85&lon=2.35&from=2016-04-04&days=10&visible=1",
    "web_now": "/api/now?at=2016-04-04T12:00:00Z&place=Astana",
    "web_track": "/api/track?from=2016-04-04&hours=1&step_s=300",
    "web_orbits": "/api/orbits?from=2016-04-01&to=2016-04-03",
    "web_overflights": (
        "/api/overflights?place=soyuz-landing-zone&radius_km=50&from=2016-06-17&days=2"
    ),
    "web_places": "/api/places?q=Ast",
}


def test_web_api() -> None:
    from fastapi.testclient import TestClient

    from zarya.web import create_app

    with TestClient(create_app()) as client:
        for name, url in sorted(WEB.items()):
            response = client.get(url)
            assert response.status_code == 200, (url, response.text)
            _check(name, response.json())
        ics = client.get("/feeds/passes.ics?place=Astana&from=2016-04-04&days=3&visible=1")
        assert ics.status_code == 200
        lines = [ln for ln in ics.text.splitlines() if not ln.startswith("DTSTAMP")]
        _check("web_feed_ics", lines)
