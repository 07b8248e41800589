"""Above me now: every object of a real catalogue (CelesTrak's active group, 12,801
objects, 3 October 2025) above the horizon at an instant, against Skyfield.

Tolerance: directions within 0.02 degree and ranges within 0.1 km of Skyfield's with the
same element sets. Measured over the whole catalogue from Astana (every object Skyfield puts
above the horizon, 1,022 of them): 0.0035 degree and 0.027 km at most, mostly UT1
(Skyfield's table, zarya UT1 = UTC: 0.094 s apart then).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from zarya.domain.overhead import above_horizon
from zarya.elements.files import read_elements_file
from zarya.engine.look import Observer
from zarya.engine.timescale import parse_instant

from .cli_harness import assert_one_line_error, run
from .conftest import shared_or_local

WHEN = "2025-10-03T18:00:00Z"


@pytest.fixture(scope="module")
def catalogue():
    return list(read_elements_file(shared_or_local("catalog/active_2025-10-03.tle.gz")))


def test_the_whole_catalogue_against_skyfield(catalogue, skyfield_ts):
    """Every object above the horizon of a place, and no other, at Skyfield's direction
    and range; sunlit as Skyfield's is_sunlit says (the bare Earth's shadow)."""
    from skyfield.api import EarthSatellite, wgs84

    obs = Observer(51.1694, 71.4491, 347.0)
    when = parse_instant(WHEN)
    sky = above_horizon(catalogue, when, obs, shadow_height_km=0.0)
    assert sky.looked_at == len(catalogue) and len(sky.objects) > 500
    t = skyfield_ts.from_datetime(when)
    top = wgs84.latlon(obs.lat_deg, obs.lon_deg, obs.alt_m)
    ours = {o.norad_id: o for o in sky.objects}
    rng = np.random.default_rng(3)
    sample = [catalogue[i] for i in rng.choice(len(catalogue), 1500, replace=False)]
    checked = 0
    for es in sample:
        sf = EarthSatellite(es.line1, es.line2, ts=skyfield_ts)
        alt, az, dist = (sf - top).at(t).altaz()
        up = alt.degrees > 0.0
        if abs(alt.degrees) < 0.05:
            continue  # on the horizon: either answer is right
        assert (es.norad_id in ours) == up, es.name
        if up:
            o = ours[es.norad_id]
            assert abs(o.elevation_deg - alt.degrees) < 0.02
            assert abs((o.azimuth_deg - az.degrees + 180) % 360 - 180) * np.cos(
                np.radians(alt.degrees)) < 0.02
            assert abs(o.range_km - dist.km) < 0.1
            if o.sunlight != "penumbra":
                assert (o.sunlight == "sunlit") == bool(sf.at(t).is_sunlit(skyfield_eph()))
            checked += 1
    assert checked > 50


def skyfield_eph():
    from skyfield.api import Loader
    from skyfield_data import get_skyfield_data_path

    if not hasattr(skyfield_eph, "eph"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            skyfield_eph.eph = Loader(get_skyfield_data_path(), verbose=False)("de421.bsp")
    return skyfield_eph.eph


def test_cli_above_me(capsys, catalogue):
    path = str(shared_or_local("catalog/active_2025-10-03.tle.gz"))
    code, out, err = run(capsys, "now", "--sat", "all", "--elements", path, "--place",
                         "Astana", "--at", WHEN, "--min-elevation", "30", "--json")
    assert code == 0, err
    report = json.loads(out)
    above = report["above"]
    assert report["objects_looked_at"] == len(catalogue) and report["failed"] == 0
    assert above and all(o["elevation_deg"] >= 30 for o in above)
    assert [o["elevation_deg"] for o in above] == sorted((o["elevation_deg"] for o in above),
                                                         reverse=True)
    # only objects of known brightness have a magnitude (none in this file but the ISS)
    assert all(o["magnitude"] is None for o in above if o["norad_id"] != 25544)
    code, out, err = run(capsys, "now", "--sat", "25544,ISS (ZARYA)", "--elements", path,
                         "--place", "Astana", "--at", WHEN)
    assert code == 0, err and "objects above" in out


@pytest.mark.parametrize(("args", "fragment"), [
    (["--sat", "all"], "--sat all (or a list) asks what is above a place"),
    (["--sat", "all", "--place", "Astana", "--min-elevation", "95"], "--min-elevation 95"),
    (["--sat", "25544,nothing-of-the-kind", "--place", "Astana"], "nothing-of-the-kind"),
    (["--sat", "all", "--place", "Nowhere-xyz"], "Nowhere-xyz"),
])
def test_above_me_refuses_bad_input(capsys, args, fragment):
    code, out, err = run(capsys, "now", *args, "--at", "2016-04-04T12:00:00Z")
    assert_one_line_error(code, out, err, fragment)


def test_stale_and_decayed_objects_are_counted(capsys, tmp_path):
    """Elements months from the instant are left out (and said), unless asked; a set sgp4
    cannot carry to the instant is counted, not listed."""
    lines = (shared_or_local("vallado/SGP4-VER.TLE")).read_text().splitlines()
    k = next(i for i, line in enumerate(lines) if line.startswith("1 28626"))
    geo = tmp_path / "geo.tle"
    geo.write_text(f"XM-3\n{lines[k][:69]}\n{lines[k + 1][:69]}\n")
    code, out, err = run(capsys, "now", "--sat", "all", "--elements", str(geo), "--lat", "30",
                         "--lon", "-85", "--at", "2006-12-01", "--json")
    report = json.loads(out)
    assert code == 0 and report["stale"] == 1 and report["above"] == []
    assert "over 30 days" in report["warnings"][0]
    code, out, err = run(capsys, "now", "--sat", "all", "--elements", str(geo), "--lat", "30",
                         "--lon", "-85", "--at", "2006-12-01", "--allow-stale", "--json")
    assert json.loads(out)["stale"] == 0
    failing = tmp_path / "failing.tle"  # Vallado's SL-6 R/B(2): sgp4 fails 29,350 s on
    failing.write_text(
        "1 22312U 93002D   06094.46235912  .99999999  81888-5  49949-3 0  3953\n"
        "2 22312  62.1486  77.4698 0308723 267.9229  88.7392 15.95744531 98783\n")
    code, out, err = run(capsys, "now", "--sat", "all", "--elements", str(failing), "--lat",
                         "-9.7", "--lon", "142.26", "--at", "2006-04-05T12:00:00Z", "--json")
    report = json.loads(out)
    assert code == 0 and report["failed"] == 1 and report["above"] == []
    assert "could not be propagated" in report["warnings"][0]


def test_many_objects_passes_against_skyfield(catalogue, skyfield_ts):
    """Every pass above 10 degrees of 500 random low-orbit objects of the catalogue over 5
    random places for 2 days, as ``passes --sat all`` finds them, against Skyfield's
    find_events with the same sets: the same events, each within 1 s (the core's
    tolerance; see tests/test_skyfield_compare.py). High orbits are left to the single-object
    tests: Skyfield's find_events reports every local maximum of a slow object's elevation
    as a culmination, zarya one per pass."""
    from skyfield.api import EarthSatellite, wgs84

    from zarya.engine.timescale import Window
    from zarya.reports.passes import many_passes_report

    rng = np.random.default_rng(14)
    low = [es for es in catalogue if es.mean_motion_rev_per_day > 11.25]
    pick = [low[i] for i in rng.choice(len(low), 500, replace=False)]
    window = Window.days(parse_instant("2025-10-03"), 2.0)
    t0, t1 = skyfield_ts.from_datetime(window.start), skyfield_ts.from_datetime(window.end)
    compared, worst = 0, 0.0
    for _ in range(5):
        obs = Observer(float(np.degrees(np.arcsin(rng.uniform(-1, 1)))),
                       float(rng.uniform(-180, 180)), 0.0)
        report = many_passes_report({es.norad_id: [es] for es in pick}, obs, window,
                                    allow_stale=True)
        ours: dict[int, list[tuple[float, int]]] = {}
        edges = (window.start.timestamp(), window.end.timestamp())
        for p in report["passes"]:
            for kind, key in enumerate(("rise", "culmination", "set")):
                if p[key] is not None:
                    t = parse_instant(p[key]["time"]).timestamp()
                    if kind == 1 and min(abs(t - e) for e in edges) < 1.0:
                        continue  # a pass cut by the window: its highest point is the edge
                    ours.setdefault(p["norad_id"], []).append((t, kind))
        top = wgs84.latlon(obs.lat_deg, obs.lon_deg)
        for es in pick:
            sf = EarthSatellite(es.line1, es.line2, ts=skyfield_ts)
            times, kinds = sf.find_events(top, t0, t1, altitude_degrees=10.0)
            theirs = [(t.utc_datetime().timestamp(), int(k))
                      for t, k in zip(times, kinds, strict=True)]
            mine = sorted(ours.get(es.norad_id, []))
            assert [k for _, k in mine] == [k for _, k in theirs], es.name
            gaps = [abs(a - b) for (a, _), (b, _) in zip(mine, theirs, strict=True)]
            assert all(g < 1.0 for g in gaps)
            worst = max([worst, *gaps])
            compared += len(theirs)
    print(f"{compared} events of 500 objects over 5 places, worst {worst:.3f} s")
    assert compared > 5000


def test_cli_passes_of_many(capsys):
    """``passes --sat all`` from a file: every object's passes in time order, each naming
    its object; a list by numbers and names; unknown objects refused in one line."""
    path = str(shared_or_local("catalog/visual_2025-07-19.tle"))
    code, out, err = run(capsys, "passes", "--sat", "all", "--elements", path, "--place",
                         "Astana", "--from", "2025-07-19", "--days", "1", "--visible", "--json")
    assert code == 0, err
    report = json.loads(out)
    times = [p["rise"]["time"] if p["rise"] else p["culmination"]["time"]
             for p in report["passes"]]
    assert len(times) > 100 and times == sorted(times)
    assert report["objects_looked_at"] > 100 and report["objects_with_passes"] > 50
    assert all(p["visible"] is not None and p["norad_id"] and p["name"]
               for p in report["passes"])
    code, out, err = run(capsys, "passes", "--sat", "25544,AJISAI (EGS)", "--elements", path,
                         "--place", "Astana", "--from", "2025-07-19", "--days", "1", "--json")
    assert code == 0, err
    assert {p["norad_id"] for p in json.loads(out)["passes"]} == {25544, 16908}
    code, out, err = run(capsys, "passes", "--sat", "25544,no-such-thing", "--elements", path,
                         "--place", "Astana", "--from", "2025-07-19", "--days", "1")
    assert_one_line_error(code, out, err, "no-such-thing")


def test_a_decaying_object_keeps_its_passes_up_to_the_failure(capsys, tmp_path):
    """A catalogue with Vallado's SL-6 R/B(2), which sgp4 stops propagating at 19:15 UTC on
    4 April 2006 (eccentricity out of range), beside two that propagate: the failing one is
    named with sgp4's reason, its passes before the failure are the ones the one-object
    command finds, and the others' passes go on after it."""
    vallado = shared_or_local("vallado/SGP4-VER.TLE").read_text().splitlines()
    picked = []
    for number in ("22312", "22674", "00005"):
        k = next(i for i, line in enumerate(vallado) if line.startswith(f"1 {number}"))
        picked += [vallado[k][:69], vallado[k + 1][:69]]
    catalogue = tmp_path / "three.tle"
    catalogue.write_text("\n".join(picked) + "\n")
    alone = tmp_path / "sl6.tle"
    alone.write_text("\n".join(picked[:2]) + "\n")
    where = ["--lat", "61.9", "--lon", "149.2", "--from", "2006-04-04T12:00:00Z", "--days",
             "1", "--allow-stale", "--min-elevation", "0", "--json"]
    code, out, err = run(capsys, "passes", "--sat", "all", "--elements", str(catalogue),
                         *where)
    assert code == 0, err
    report = json.loads(out)
    assert report["failed"] == 0 and report["objects_with_passes"] == 3
    assert report["failures"] == [{"norad_id": 22312, "name": "22312",
                                   "reason": "mean eccentricity out of range (sgp4 error 1)"}]
    assert "22312" in report["warnings"][-1]
    failure = parse_instant("2006-04-04T19:15:00Z")
    sl6 = [p for p in report["passes"] if p["norad_id"] == 22312]
    assert sl6 and all(parse_instant(p["set"]["time"]) < failure for p in sl6)
    later = [p for p in report["passes"] if parse_instant(p["culmination"]["time"]) > failure]
    assert {p["norad_id"] for p in later} == {22674, 5}
    code, out, err = run(capsys, "passes", "--elements", str(alone), *where)
    assert code == 0, err
    assert [p["culmination"]["time"] for p in json.loads(out)["passes"]] == [
        p["culmination"]["time"] for p in sl6]


def test_groups_from_celestrak_serve_as_sat(capsys, tmp_path, monkeypatch):
    """A group fetched from CelesTrak (here a loopback server serving the real visual group)
    is remembered with its members: ``--sat visual`` then asks for all of them, a refetch
    replaces the members, and an unknown group is an unknown satellite, in one line."""
    from zarya.elements import fetch
    from zarya.elements.store import open_store

    from .catalog_server import ElementServer, Route

    monkeypatch.setenv("ZARYA_HOME", str(tmp_path))
    text = shared_or_local("catalog/visual_2025-07-19.tle").read_bytes()
    with ElementServer() as server:
        server.routes["/gp.php"] = Route(text, content_type="text/plain")
        with open_store() as store:
            result = fetch.update(store, url=server.url("/gp.php"), record_group="Visual",
                                  backoff_s=0.01, timeout_s=5.0)
            assert result.status == "imported"
            assert store.groups() == {"visual": result.objects} and result.objects > 100
    code, out, err = run(capsys, "now", "--sat", "visual", "--place", "Astana", "--at",
                         "2025-07-19T21:00:00Z", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["objects_looked_at"] == result.objects and report["above"]
    code, out, err = run(capsys, "passes", "--sat", "visual,25544", "--place", "Astana",
                         "--from", "2025-07-19", "--days", "1", "--json")
    assert code == 0, err
    assert json.loads(out)["objects_looked_at"] == result.objects  # the ISS is in the group
    code, out, err = run(capsys, "passes", "--sat", "no-such-group", "--place", "Astana",
                         "--from", "2025-07-19")
    assert_one_line_error(code, out, err, "no-such-group")
    _the_web_serves_the_group(capsys)


def _the_web_serves_the_group(capsys) -> None:
    """``/api/passes?sat=visual`` and ``/api/now?sat=visual``: the very objects ``passes``
    and ``now --sat visual --json`` print; more than two days of many objects, an unknown
    group, or "what is above" without a place, refused with 422 in one line."""
    from fastapi.testclient import TestClient

    from zarya.web.app import create_app

    code, out, err = run(capsys, "passes", "--sat", "visual", "--lat", "51.18", "--lon",
                         "71.45", "--from", "2025-07-19", "--days", "1", "--visible", "--json")
    assert code == 0, err
    client = TestClient(create_app())
    got = client.get("/api/passes", params={"sat": "visual", "lat": 51.18, "lon": 71.45,
                                            "from": "2025-07-19", "days": 1, "visible": 1})
    assert got.status_code == 200, got.text
    assert got.json() == json.loads(out) and len(got.json()["passes"]) > 20
    for params, fragment in (({"days": 3}, "at most 2 days"),
                             ({"sat": "no-such-group"}, "no-such-group")):
        bad = client.get("/api/passes", params={"sat": "visual", "place": "Astana",
                                                "from": "2025-07-19", **params})
        assert bad.status_code == 422 and fragment in bad.text, bad.text
    code, out, err = run(capsys, "now", "--sat", "visual", "--lat", "51.18", "--lon", "71.45",
                         "--at", "2025-07-19T21:00:00Z", "--json")
    assert code == 0, err
    now = client.get("/api/now", params={"sat": "visual", "lat": 51.18, "lon": 71.45,
                                         "at": "2025-07-19T21:00:00Z"})
    assert now.status_code == 200 and now.json() == json.loads(out) and now.json()["above"]
    nowhere = client.get("/api/now", params={"sat": "visual", "at": "2025-07-19T21:00:00Z"})
    assert nowhere.status_code == 422 and "asks what is above a place" in nowhere.text


def test_crossings_of_a_star_field_against_skyfield(capsys, skyfield_ts, skyfield_eph):
    """The visual group across a 5-degree field around Vega (RA 279.23, Dec +38.78) one
    evening over Astana: at each predicted closest approach Skyfield's separation between
    the satellite and Vega's apparent place is the one given (0.01 degree), and its
    minimum over a 0.01 s scan is within 0.05 s; at entry and exit the satellite is on the
    field's edge (0.01 degree)."""
    from skyfield.api import EarthSatellite, Star, wgs84

    path = shared_or_local("catalog/visual_2025-07-19.tle")
    code, out, err = run(capsys, "crossings", "--place", "Astana", "--from",
                         "2025-07-19T17:00:00Z", "--to", "2025-07-19T23:00:00Z", "--ra",
                         "279.23", "--dec", "38.78", "--radius-deg", "5", "--sat", "all",
                         "--elements", str(path), "--json")
    assert code == 0, err
    report = json.loads(out)
    found = report["crossings"]
    assert len(found) >= 3
    sets = {es.norad_id: es for es in read_elements_file(path)}
    obs = report["observer"]
    top = wgs84.latlon(obs["lat_deg"], obs["lon_deg"], obs["alt_m"])
    vega = Star(ra_hours=279.23 / 15.0, dec_degrees=38.78)
    earth = skyfield_eph["earth"]

    def separation(es, times):
        sf = EarthSatellite(es.line1, es.line2, ts=skyfield_ts)
        t = skyfield_ts.from_datetimes(times)
        star = (earth + top).at(t).observe(vega).apparent()
        return (sf - top).at(t).separation_from(star).degrees

    from datetime import timedelta

    for c in found:
        es = sets[c["norad_id"]]
        closest = parse_instant(c["closest"])
        assert abs(separation(es, [closest])[0] - c["separation_deg"]) < 0.01
        scan = [closest + timedelta(seconds=float(s)) for s in np.arange(-0.5, 0.505, 0.01)]
        seps = separation(es, scan)
        assert abs((scan[int(np.argmin(seps))] - closest).total_seconds()) <= 0.05
        for edge in ("entry", "exit"):
            if c[edge] is not None:
                assert abs(separation(es, [parse_instant(c[edge])])[0] - 5.0) < 0.01


@pytest.mark.parametrize(("args", "fragment"), [
    (["--radius-deg", "0"], "--radius-deg 0 is impossible"),
    (["--radius-deg", "45"], "--radius-deg 45 is impossible"),
    (["--radius-deg", "5"], "give the field's centre as --ra and --dec, or as --az and --alt"),
    (["--radius-deg", "5", "--ra", "10"], "give the field's centre"),
    (["--radius-deg", "5", "--ra", "400", "--dec", "0"], "--ra 400 is impossible"),
    (["--radius-deg", "5", "--az", "10", "--alt", "-5"], "--alt -5 is impossible"),
    (["--radius-deg", "5", "--az", "10", "--alt", "40", "--to", "2016-04-10"],
     "too long for crossings"),
    (["--radius-deg", "5", "--az", "10", "--alt", "40", "--to", "2016-04-03"], "2016-04-03"),
])
def test_crossings_refuse_bad_input(capsys, args, fragment):
    end = [] if "--to" in args else ["--to", "2016-04-04T06:00:00Z"]
    code, out, err = run(capsys, "crossings", "--place", "Astana", "--from", "2016-04-04",
                         *end, *args)
    assert_one_line_error(code, out, err, fragment)


def test_big_and_alpha5_numbers_work_everywhere(capsys, tmp_path):
    """One real ISS set under three numbers: 99990, Alpha-5 A0001 (100001, a TLE) and
    270000001 (past what a TLE can hold: OMM JSON only). ``passes``, ``now`` and ``batch``
    with ``--sat`` naming them give each the same passes and places in the sky, under its
    own number."""
    from .catalog_data import iss_sets, to_json, with_catalogue_number

    es = iss_sets()[0]
    assert es.line1 is not None and es.line2 is not None
    tle = tmp_path / "two.tle"
    tle.write_text("".join(f"COPY {n}\n{with_catalogue_number(es.line1, n)}\n"
                           f"{with_catalogue_number(es.line2, n)}\n" for n in (99990, 100001)))
    record = json.loads(to_json([es]))[0] | {"NORAD_CAT_ID": 270000001, "OBJECT_NAME": "NINE"}
    omm = tmp_path / "nine.json"
    omm.write_text(json.dumps([record]))
    for path in (tle, omm):
        code, out, err = run(capsys, "elements", "import", str(path))
        assert code == 0, err
    day = es.epoch.strftime("%Y-%m-%d")
    ids = {99990, 100001, 270000001}
    sats = ["--sat", "99990,A0001,270000001"]
    code, out, err = run(capsys, "passes", *sats, "--place", "Astana", "--from", day,
                         "--days", "1", "--json")
    assert code == 0, err
    passes = json.loads(out)["passes"]
    by_id = {i: [p["culmination"] for p in passes if p["norad_id"] == i] for i in ids}
    assert by_id[99990] and by_id[99990] == by_id[100001] == by_id[270000001]
    code, out, err = run(capsys, "now", *sats, "--place", "Astana", "--at",
                         by_id[99990][0]["time"], "--json")
    assert code == 0, err
    above = json.loads(out)["above"]
    assert {a["norad_id"] for a in above} == ids
    assert len({(a["azimuth_deg"], a["elevation_deg"]) for a in above}) == 1
    rows = tmp_path / "rows.jsonl"
    code, out, err = run(capsys, "batch", *sats, "--cities", "5", "--from", day, "--days",
                         "1", "--out", str(rows))
    assert code == 0, err
    got = [json.loads(line) for line in rows.read_text().splitlines()]
    per = {i: [(r["place_index"], r["culmination_time"]) for r in got if r["norad_id"] == i]
           for i in ids}
    assert per[99990] and per[99990] == per[100001] == per[270000001]


@pytest.mark.parametrize("command", [
    ["passes", "--place", "Astana", "--from", "2016-04-04"],
    ["now", "--place", "Astana", "--at", "2016-04-04T12:00:00Z"],
    ["radio", "--place", "Astana", "--from", "2016-04-04"],
    ["batch", "--cities", "2", "--from", "2016-04-04", "--out", "never.csv"],
    ["crossings", "--place", "Astana", "--az", "180", "--alt", "45", "--radius-deg", "10",
     "--from", "2016-04-04T14:00Z", "--to", "2016-04-04T15:00Z"],
])
def test_an_empty_selection_is_refused(capsys, tmp_path, monkeypatch, command):
    """``--sat ' , '`` (a list of nothing) names no object: one line, status 2, no file."""
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, *command, "--sat", " , ")
    assert_one_line_error(code, out, err, "--sat ' , ' names no object")
    assert not (tmp_path / "never.csv").exists()


@pytest.mark.parametrize("options", [
    {"min_elevation_deg": 0.0, "refraction": True},
    {"min_elevation_deg": 30.0},
])
def test_the_screen_leaves_out_no_pass(catalogue, options):
    """The coarse screen of the many-object search against no screen at all (every
    object's whole window searched): 400 random objects of the active catalogue over a
    plain, a mountain in the south and the pole, the horizon with refraction and 30 degrees:
    the same passes, events within 0.05 s (each run refines them to 0.01 s)."""
    from zarya.domain.catalogue_passes import find_many_pass_tables
    from zarya.domain.pass_table import PassOptions
    from zarya.engine.look import Observers
    from zarya.engine.satellite import Satellite
    from zarya.engine.timescale import Window

    rng = np.random.default_rng(9)
    sats = [Satellite.from_elements([catalogue[i]])
            for i in rng.choice(len(catalogue), 400, replace=False)]
    window = Window.days(parse_instant("2025-10-03"), 1.0)
    opts = PassOptions(visibility=False, **options)
    for place in (Observer(51.17, 71.45, 347.0), Observer(-33.9, 18.4, 2500.0),
                  Observer(89.0, 0.0, 0.0)):
        screened = find_many_pass_tables(sats, Observers.of(place), window, opts)
        whole = find_many_pass_tables(sats, Observers.of(place), window, opts, screen=False)
        assert len(screened.table) == len(whole.table) > 100
        assert (screened.owner == whole.owner).all()
        np.testing.assert_allclose(screened.table.t, whole.table.t, atol=0.05)
    # windows that are no whole number of anchor steps, 21 days past the elements' epoch
    # (decaying objects among them): the same passes, and the same failures named
    for start, span in (("2025-10-24T00:00:00Z", 7230.0), ("2025-10-24T06:00:00Z", 100.0)):
        odd = Window(parse_instant(start), span)
        place = Observers.of(Observer(51.17, 71.45, 347.0))
        screened = find_many_pass_tables(sats, place, odd, opts)
        whole = find_many_pass_tables(sats, place, odd, opts, screen=False)
        assert (screened.owner == whole.owner).all()
        np.testing.assert_allclose(screened.table.t, whole.table.t, atol=0.05)
        assert [c.tolist() for c in screened.codes] == [c.tolist() for c in whole.codes]
        assert (screened.propagated == whole.propagated).all()


@pytest.mark.parametrize(("day", "hours"), [("2025-10-03", 24.0), ("2025-09-20", 24.0),
                                           ("2025-10-03", 1.5)])
def test_the_anchored_screen_stays_inside_its_margin(catalogue, day, hours):
    """The screen's directions of near-circular low orbits (sgp4 at hourly anchors, the
    orbital plane turned in between) against sgp4, for every such object of the active
    catalogue, on its epoch's day, 13 days before it (drag bends the decaying ones' phase
    most there) and over an hour and a half (an anchor step shorter than the others): each
    stays inside the margin the screen adds to the reach, and the margin stays that of a
    whole day. Measured (every 60 s on 3,000 objects): at most 0.38 of the margin on the
    epoch's day, 0.56 thirteen days before it (decaying Starlinks), 0.61 over the 1.5 h;
    the median margin 0.012 rad in each. A failure here means the model, not chance."""
    from zarya.domain import screen
    from zarya.engine.satellite import Satellite
    from zarya.engine.timescale import Window

    window = Window(parse_instant(day), hours * 3600.0)
    end = float(sum(window.base_jd)) + hours / 24.0
    sats = [s for s in (Satellite.from_elements([es]) for es in catalogue)
            if screen._anchorable(s, end)]
    assert len(sats) > 10_000
    tc = np.linspace(0.0, window.span_s, int(np.ceil(window.span_s / screen.COARSE_S)) + 1)
    model = screen._Anchored(sats, window, tc)
    t = tc if hours > 2 else np.linspace(0.0, window.span_s, 91)  # every 60 s when short
    unit, margin, failed = model.directions(t), model.margin, model.failed
    r, _, bad = screen._coarse_states(sats, *window.jd(t))
    true = r / np.linalg.norm(r, axis=2)[..., None]
    off = np.arccos(np.clip(np.einsum("nck,nck->nc", unit, true), -1.0, 1.0))
    off = np.where(bad, 0.0, off)  # where sgp4 fails the screen looks closely anyway
    assert failed.sum() < 200  # decayed at an anchor: screened by sgp4 at every step
    ratio = off[~failed].max(axis=1) / margin[~failed]
    assert ratio.max() < 0.9
    assert np.median(margin) < 0.02  # no step of another length inflates it


def test_pass_rows_write_what_pass_writes():
    """The many-object report writes its passes a column at a time
    (:func:`~zarya.reports.contract.pass_rows`); for every pass of the ISS over five places
    in three days, visible stretches, penumbra crossings and NASA's minute-truncated lines
    included, that is the JSON :func:`~zarya.reports.contract.pass_` writes from the
    pass objects, to the character."""
    import json

    import numpy as np

    from zarya import Ephemeris, Observer, PassOptions, Window, load_satellite, parse_instant
    from zarya.domain.passes import find_pass_table
    from zarya.engine.look import Observers
    from zarya.reports import contract

    eph = Ephemeris(load_satellite(), Window.days(parse_instant("2016-03-31"), 3.0))
    places = Observers.of([Observer(51.17, 71.45, 347.0), Observer(48.85, 2.35, 35.0),
                           Observer(-33.9, 18.4, 10.0), Observer(64.1, -21.9, 0.0),
                           Observer(0.0, 0.0, 0.0)])
    table = find_pass_table(eph, places, PassOptions(minute_truncated=True))
    assert table.visible.sum() > 5 and len(table.stretches) > table.visible.sum() - 1
    # and a window that opens at a culmination and closes at another: passes cut both ways
    cut = Window(eph.window.instant(table.t[0, 1]), float(table.t[-1, 1] - table.t[0, 1]))
    cut_table = find_pass_table(Ephemeris(load_satellite(), cut), places,
                                PassOptions(minute_truncated=True))
    assert np.isnan(cut_table.t[:, 0]).any() and np.isnan(cut_table.t[:, 2]).any()
    for t in (table, cut_table):
        ours = contract.pass_rows(t, np.arange(len(t)), minute_truncated=True)
        theirs = [contract.pass_(p, minute_truncated=True)
                  for per in t.passes(len(places)) for p in per]
        assert len(ours) == len(theirs) > 30
        assert json.dumps(ours) == json.dumps(theirs)


def test_light_samples_in_chunks_change_nothing(catalogue, monkeypatch):
    """The light conditions of many passes are sampled a few passes at a time (a
    geostationary object can stay visible all night, and a catalogue has hundreds: held at
    once they took 0.9 GB for 8,333 objects over 3 days). Every geostationary object of the
    catalogue and a hundred low ones over Astana for two nights, with each pass in a chunk
    of its own: the same visible stretches, to the bit, as with the usual chunks."""
    from zarya.domain import visibility
    from zarya.domain.catalogue_passes import find_many_pass_tables
    from zarya.domain.pass_table import PassOptions
    from zarya.engine.look import Observers
    from zarya.engine.satellite import Satellite
    from zarya.engine.timescale import Window

    high = [es for es in catalogue if es.period_minutes > 1400.0]
    low = [es for es in catalogue if es.period_minutes < 100.0][::100]
    assert len(high) > 300 and len(low) > 50
    window = Window(parse_instant("2025-10-03T12:00:00Z"), 2 * 86400.0)
    place = Observers.of(Observer(51.17, 71.45, 347.0))

    def stretches():
        sats = [Satellite.from_elements([es], std_magnitude=4.0) for es in high + low]
        return find_many_pass_tables(sats, place, window, PassOptions()).table.stretches

    usual = stretches()
    monkeypatch.setattr(visibility, "_MAG_SAMPLES", 1)  # every pass a chunk of its own
    alone = stretches()
    assert len(usual) > 300 and np.isfinite(usual.brightest).all()
    for name in ("row", "t", "az", "el", "range_km", "mag", "brightest", "starts", "ends",
                 "brighten_t", "fade_t"):
        np.testing.assert_array_equal(getattr(alone, name), getattr(usual, name), err_msg=name)


def test_rounded_column_is_pythons_round():
    """The report's column-wise rounding gives the floats ``round`` gives, -0.0 included:
    random values of the report's ranges, and values one ulp either side of every half
    (where numpy's ``rint(v * 100) / 100`` alone could go the other way: 2.675 is
    2.67499999... and rounds down). Measured on 39 million values: none differ."""
    from zarya.reports.contract import rounded_column

    rng = np.random.default_rng(14)
    for digits, scale in ((1, 40_000.0), (2, 360.0), (2, 90.0), (4, 180.0)):
        k = rng.integers(-int(scale * 10**digits), int(scale * 10**digits), 50_000)
        halves = (k + 0.5) / 10**digits
        values = np.concatenate([rng.uniform(-scale, scale, 200_000), halves,
                                 np.nextafter(halves, np.inf), np.nextafter(halves, -np.inf),
                                 [0.0, -0.0, -1e-9, 2.675, 1.005]])
        mine = rounded_column(values, digits)
        want = [round(v, digits) for v in values.tolist()]
        assert [repr(v) for v in mine] == [repr(v) for v in want]
