"""Transits of the Sun and the Moon: the geometry against Skyfield, the centre lines by brute
force, and the command, the API and the pictures.

Tolerances: the issue's. Measured here first: zarya's apparent topocentric Sun and Moon
against Skyfield's ``observe().apparent()`` (DE421) are 0.055 arcsecond apart at most over
200 random places and dates each (the Moon from the bundled DE421 series; pyerfa's moon98
would be 2-9 arcseconds off), and the satellite's direction is the same SGP4 through the
same GMST-82 rotation once both use the same UT1 (``dut1_s`` is given Skyfield's).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest

from zarya.domain.transits import TransitOptions, find_transits
from zarya.engine.ephemeris import Ephemeris
from zarya.engine.look import Observer
from zarya.engine.satellite import Satellite
from zarya.engine.timescale import Window
from zarya.reports.satellites import load_satellite

from .test_follow import HISTORY


@pytest.fixture(scope="module")
def iss_sets():
    return load_satellite(None, elements_file=str(HISTORY)).elements


def skyfield_separation(skyfield_ts, skyfield_eph, es, obs, times, body):
    """Skyfield's topocentric separation (degrees) between the satellite and the body's
    apparent centre."""
    from skyfield.api import EarthSatellite, wgs84

    sf = EarthSatellite(es.line1, es.line2, ts=skyfield_ts)
    top = wgs84.latlon(obs.lat_deg, obs.lon_deg, obs.alt_m)
    t = skyfield_ts.from_datetimes(list(times))
    sat = (sf - top).at(t)
    target = (skyfield_eph["earth"] + top).at(t).observe(skyfield_eph[body]).apparent()
    return sat.separation_from(target).degrees


def near_centre_lines(sat, start, body, rng, n, dut1, spread_km=15.0):
    """``n`` random places within ``spread_km`` of the body's centre lines over a day (where
    transits and near misses are), each with the time its line passes: (Observer, when)."""
    from zarya.domain.transits import centre_lines

    eph = Ephemeris(sat, Window.days(start, 1.0), step_s=10.0, dut1_s=dut1)
    pieces = [p for p in centre_lines(eph, body, dut1_s=dut1) if len(p) > 20]
    out = []
    for _ in range(n if pieces else 0):
        piece = pieces[int(rng.integers(len(pieces)))]
        t_s, lat, lon = piece[int(rng.integers(5, len(piece) - 5))]
        dlat = rng.uniform(-1, 1) * spread_km / 111.0
        dlon = rng.uniform(-1, 1) * spread_km / (111.0 * max(np.cos(np.radians(lat)), 0.2))
        lat2 = float(np.clip(lat + dlat, -89.9, 89.9))
        out.append((Observer(lat2, float((lon + dlon + 180) % 360 - 180),
                             float(rng.uniform(0, 2000))), start + timedelta(seconds=float(t_s))))
    return out


@pytest.mark.parametrize("body", ["sun", "moon"])
def test_transits_against_skyfield(skyfield_ts, skyfield_eph, iss_sets, body):
    """Transits and near misses (places within 15 km of a centre line, the body high or
    low): at each predicted closest approach Skyfield's separation agrees within 1
    arcsecond, and its minimum over a 0.001 s scan lies within 0.01 s of the predicted
    time."""
    rng = np.random.default_rng(11 if body == "sun" else 12)
    cases = on_disc = 0
    worst_arcsec = worst_s = 0.0
    alts = []
    while cases < 150:
        es = iss_sets[int(rng.integers(len(iss_sets)))]
        sat = Satellite.from_elements([es])
        start = es.epoch + timedelta(hours=float(rng.uniform(-12, 12)))
        dut1 = float(skyfield_ts.from_datetime(start).dut1)
        for obs, when in near_centre_lines(sat, start, body, rng, 10, dut1):
            eph = Ephemeris(sat, Window.days(when - timedelta(minutes=10), 1 / 72),
                            step_s=10.0, dut1_s=dut1)
            for tr in find_transits(eph, obs, TransitOptions(body=body, margin_deg=2.0,
                                                             dut1_s=dut1)):
                if tr.kind == "nearby":
                    continue
                cases += 1
                on_disc += tr.on_disc
                alts.append(tr.body_alt_deg)
                at = tr.observer_time
                sf = skyfield_separation(skyfield_ts, skyfield_eph, es, obs, [at], body)[0]
                worst_arcsec = max(worst_arcsec, abs(sf - tr.separation_deg) * 3600)
                scan = [at + timedelta(seconds=float(s)) for s in np.arange(-0.05, 0.0505, 0.001)]
                seps = skyfield_separation(skyfield_ts, skyfield_eph, es, obs, scan, body)
                worst_s = max(worst_s, abs((scan[int(np.argmin(seps))] - at).total_seconds()))
    print(f"{body}: {cases} cases ({on_disc} on the disc, body altitudes "
          f"{min(alts):.0f} to {max(alts):.0f}), worst {worst_arcsec:.3f} arcsec, {worst_s:.3f} s")
    assert on_disc >= 20 and min(alts) < 20 and max(alts) > 50
    assert worst_arcsec < 1.0
    assert worst_s <= 0.01


@pytest.mark.parametrize("body", ["sun", "moon"])
def test_centre_lines_by_brute_force(iss_sets, body):
    """At points along computed centre lines, places across the line every 10 m out to
    500 m each side: the closest separation is smallest within 50 m of the line (the line
    lies on the true locus); and the strip's width is the angular-size geometry's,
    2 rho L / |c' - (c'.m) m| (rho the body's angular radius, L the satellite's distance,
    c' the cross-line ground direction seen across the line of sight, m the direction the
    satellite moves over the body), within 1 %."""
    from zarya.domain.geodesy import destination
    from zarya.domain.transits import _minimise, _separation, _Sky
    from zarya.engine.frames import geodetic_to_itrs

    rng = np.random.default_rng(21 if body == "sun" else 22)
    checked = 0
    while checked < 12:
        es = iss_sets[int(rng.integers(len(iss_sets)))]
        sat = Satellite.from_elements([es])
        start = es.epoch + timedelta(hours=float(rng.uniform(-12, 12)))
        for obs, when in near_centre_lines(sat, start, body, rng, 3, 0.0, spread_km=5.0):
            eph = Ephemeris(sat, Window.days(when - timedelta(minutes=10), 1 / 72), step_s=10.0)
            found = [t for t in find_transits(eph, obs, TransitOptions(body=body, radius_km=50))
                     if np.isfinite(t.strip_width_km) and len(t.centre_line) > 10]
            for tr in found[:1]:
                checked += 1
                sky = _Sky(eph, body, 0.0)
                line = tr.centre_line
                k = int(np.argmin(np.abs(line[:, 0] - tr.t_s)))
                along = float(np.degrees(np.arctan2(
                    np.sin(np.radians(line[k + 1, 2] - line[k - 1, 2])) *
                    np.cos(np.radians(line[k + 1, 1])),
                    np.cos(np.radians(line[k - 1, 1])) * np.sin(np.radians(line[k + 1, 1])) -
                    np.sin(np.radians(line[k - 1, 1])) * np.cos(np.radians(line[k + 1, 1])) *
                    np.cos(np.radians(line[k + 1, 2] - line[k - 1, 2])))))
                offsets_m = np.arange(-500.0, 501.0, 10.0)
                lat, lon = destination(tr.centre_lat_deg, tr.centre_lon_deg,
                                       offsets_m / 1000.0 / 6371.0, np.radians(along + 90.0))
                places = geodetic_to_itrs(lat, lon, np.zeros_like(lat))
                closest = np.array([
                    _minimise(lambda x, p=p, sky=sky: _separation(sky, x, p),
                              np.array([tr.t_s - 3.0]), np.array([tr.t_s + 3.0]))[1][0]
                    for p in places])
                assert abs(offsets_m[int(np.argmin(closest))]) <= 50.0
                # the strip's width from the geometry
                n_r = geodetic_to_itrs(tr.centre_lat_deg, tr.centre_lon_deg, 0.0)[0]
                c = places[-1] - places[0]
                c /= np.linalg.norm(c)
                h = 0.01
                s_now, _ = sky.at(np.array([tr.t_s]))
                u = (s_now[0] - n_r) / np.linalg.norm(s_now[0] - n_r)
                L = float(np.linalg.norm(s_now[0] - n_r))
                s2, b2 = sky.at(np.array([tr.t_s - h, tr.t_s + h]))
                rel = [(s2[i] - n_r) / np.linalg.norm(s2[i] - n_r)
                       - (b2[i] - n_r) / np.linalg.norm(b2[i] - n_r) for i in (0, 1)]
                m = rel[1] - rel[0]
                m -= (m @ u) * u
                m /= np.linalg.norm(m)
                cp = c - (c @ u) * u
                rho = np.radians(tr.body_radius_deg)
                width = 2 * rho * L / np.linalg.norm(cp - (cp @ m) * m)
                assert tr.strip_width_km == pytest.approx(width, rel=0.01)


# --------------------------------------------------------------- the faces
import json  # noqa: E402
import xml.etree.ElementTree as ET  # noqa: E402

from .cli_harness import assert_one_line_error, run, run_json  # noqa: E402

REQUIRED = ("body", "time", "centre_lat_deg", "centre_lon_deg", "distance_km",
            "separation_deg", "duration_s", "on_disc", "body_radius_deg")


@pytest.fixture(scope="module")
def on_the_line(iss_sets):
    """A place on a centre line of the Sun on 4 April 2016 (the line's point 60 s into
    one of its longest pieces), the element set and the time."""
    from zarya.domain.transits import centre_lines
    from zarya.engine.timescale import parse_instant

    es = min(iss_sets, key=lambda e: abs((e.epoch - parse_instant("2016-04-04")).total_seconds()))
    sat = Satellite.from_elements([es])
    start = parse_instant("2016-04-04")
    eph = Ephemeris(sat, Window.days(start, 1.0), step_s=10.0)
    piece = max(centre_lines(eph, "sun"), key=len)
    t_s, lat, lon = piece[30]
    return es, float(lat), float(lon), start + timedelta(seconds=float(t_s))


def test_cli_finds_the_transit_on_its_centre_line(capsys, tmp_path, on_the_line, monkeypatch):
    """Standing on a centre line: a transit on the disc, the nearest point where we stand,
    the closest separation 0, its time the line's."""
    es, lat, lon, when = on_the_line
    tle = tmp_path / "iss.tle"
    tle.write_text(f"ISS (ZARYA)\n{es.line1}\n{es.line2}\n")
    report = run_json(capsys, "transits", "--lat", f"{lat:.6f}", "--lon", f"{lon:.6f}",
                      "--from", "2016-04-04", "--days", "1", "--body", "sun",
                      "--elements", str(tle))
    found = [t for t in report["transits"] if t["on_disc"]]
    assert len(found) == 1
    t = found[0]
    assert all(k in t for k in REQUIRED)
    assert t["kind"] == "transit" and t["body"] == "sun"
    assert t["distance_km"] < 0.05 and t["separation_deg"] < 0.0005
    assert abs((datetime.fromisoformat(t["time"]) - when).total_seconds()) < 0.02
    assert t["time"].endswith("Z") and 0 < t["duration_s"] < 5
    assert 0.25 < t["body_radius_deg"] < 0.28  # the Sun's 16 arcminutes in April
    # the table, at any width, in local time
    for width in ("40", "200"):
        monkeypatch.setenv("COLUMNS", width)
        code, out, err = run(capsys, "transits", "--lat", f"{lat:.6f}", "--lon", f"{lon:.6f}",
                             "--from", "2016-04-04", "--days", "1", "--body", "sun",
                             "--elements", str(tle), "--tz", "UTC")
        assert code == 0, err
        assert code == 0 and "Traceback" not in err
        assert "transit" in out and f"{t['distance_km']:.1f} km" in out


def test_pictures_and_geojson(capsys, tmp_path, on_the_line):
    es, lat, lon, _ = on_the_line
    tle = tmp_path / "iss.tle"
    tle.write_text(f"ISS (ZARYA)\n{es.line1}\n{es.line2}\n")
    (tmp_path / "pics").mkdir()
    code, out, err = run(capsys, "transits", "--lat", f"{lat + 0.05:.6f}", "--lon",
                         f"{lon:.6f}", "--from", "2016-04-04", "--days", "1", "--body", "sun",
                         "--elements", str(tle), "--plot", str(tmp_path / "pics"))
    assert code == 0, err
    pics = sorted((tmp_path / "pics").glob("transit-*.svg"))
    assert pics and all(ET.parse(p).getroot().tag.endswith("svg") for p in pics)
    text = pics[0].read_text()
    assert "centre line" in text and "edge of the strip" in text
    code, out, err = run(capsys, "transits", "--geojson", "--from", "2016-04-04", "--days",
                         "1", "--elements", str(tle))
    assert code == 0, err
    gj = json.loads(out)
    assert gj["type"] == "FeatureCollection" and len(gj["features"]) > 10
    bodies = {f["properties"]["body"] for f in gj["features"]}
    assert bodies == {"sun", "moon"}
    for f in gj["features"]:
        coords = np.array(f["geometry"]["coordinates"])
        assert f["geometry"]["type"] == "LineString" and len(coords) >= 2
        assert np.all(np.abs(np.diff(coords[:, 0])) < 180)  # cut at the antimeridian
        assert np.all(np.abs(coords[:, 1]) <= 90)
    # the place we picked is on a line of the Sun at the time
    sun = [np.array(f["geometry"]["coordinates"]) for f in gj["features"]
           if f["properties"]["body"] == "sun"]
    nearest = min(float(np.min(np.hypot(c[:, 0] - lon, c[:, 1] - lat))) for c in sun)
    assert nearest < 0.2


@pytest.mark.parametrize(("args", "fragment"), [
    (["--body", "mars"], "--body 'mars' is not a body"),
    (["--radius-km", "-1"], "--radius-km -1 is impossible"),
    (["--radius-km", "5000"], "--radius-km 5000 is impossible"),
    (["--margin-deg", "nan"], "--margin-deg nan is impossible"),
    (["--days", "0"], "days"),
    (["--days", "-3"], "days"),
    (["--days", "1e9"], "days"),
    (["--from", "2016-02-30"], "2016-02-30"),
    (["--plot", "/nonexistent/folder"], "--plot '/nonexistent/folder' is not a folder"),
    (["--plot-format", "bmp", "--plot", "."], "--plot-format 'bmp'"),
    (["--lat", "95", "--lon", "0"], "latitude"),
    (["--place", "Nowhere-on-Earth-xyz"], "Nowhere-on-Earth-xyz"),
    (["--geojson", "--place", "Astana"], "--geojson draws the whole globe"),
    (["--sat", "99999999999"], "--sat"),
    (["--radius-km", "2900"], "--radius-km 2900 is beyond the satellite's reach"),
    (["--days", "63"], "--days 63 is too long for transits: at most 62 days"),
    (["--lat", "89", "--lon", "0", "--body", "sun", "--from", "2016-12-01", "--days", "3",
      "--allow-stale"], "the Sun stays below the horizon at this place for the whole window"),
])
def test_transits_refuse_bad_input(capsys, args, fragment):
    where = [] if any(a in args for a in ("--lat", "--place")) else ["--place", "Astana"]
    start = [] if "--from" in args else ["--from", "2016-04-04"]
    code, out, err = run(capsys, "transits", *where, *start, *args)
    assert_one_line_error(code, out, err, fragment)


def test_transits_refuse_stale_and_decayed(capsys, tmp_path):
    code, out, err = run(capsys, "transits", "--place", "Astana", "--from", "2030-01-01")
    assert_one_line_error(code, out, err, "--allow-stale")


def test_web_api_feed_and_page(tmp_path, monkeypatch, on_the_line):
    """/api/transits answers the command's JSON, /feeds/transits.ics parses with icalendar
    (an event at the centre line's point, a reminder), bad input is 422, and the page shows
    the transit."""
    import icalendar
    from fastapi.testclient import TestClient

    from zarya.web import create_app

    monkeypatch.setenv("ZARYA_HOME", str(tmp_path))
    es, lat, lon, when = on_the_line
    client = TestClient(create_app())
    q = {"lat": f"{lat:.4f}", "lon": f"{lon:.4f}", "from": "2016-04-04", "days": "1",
         "body": "sun", "allow_stale": "true"}
    r = client.get("/api/transits", params=q)
    assert r.status_code == 200
    found = [t for t in r.json()["transits"] if t["distance_km"] < 1.0]
    assert found and all(k in found[0] for k in REQUIRED)
    r = client.get("/feeds/transits.ics", params={**q, "alarm": "30"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    events = icalendar.Calendar.from_ical(r.text).walk("VEVENT")
    assert events and all(e.walk("VALARM")[0]["TRIGGER"].dt == timedelta(minutes=-30)
                          for e in events)
    assert any(abs(float(e["GEO"].latitude) - lat) < 0.05 for e in events)
    for bad in ({"body": "pluto"}, {"radius_km": "-5"}, {"margin_deg": "999"},
                {"days": "31"}, {"lat": "91"}):
        r = client.get("/api/transits", params={**q, **bad})
        assert r.status_code == 422 and "\n" not in r.json()["detail"]
    page = client.get("/", params={"lat": f"{lat:.4f}", "lon": f"{lon:.4f}",
                                   "from": "2016-04-04", "days": "1"})
    assert page.status_code == 200
    assert 'id="transits"' in page.text and "/feeds/transits.ics?" in page.text
    assert "(transit)</span>" in page.text  # the row of the transit on the line


@pytest.mark.parametrize("body", ["sun", "moon"])
def test_no_missed_transits(body):
    """Random places, a month of the ISS's element history: a brute-force scan of the
    separation (every 2 s wherever the satellite and the body are both up, then every
    0.01 s near the body) finds no transit or near miss (within 10 degrees) that the
    search did not, and the search none that the scan did not."""
    from zarya.domain.transits import MIN_MOON_ILLUMINATION, _angle, _separation, _Sky
    from zarya.engine.frames import enu_basis, geodetic_to_itrs
    from zarya.engine.moon import BODY_RADIUS_KM, topocentric_apparent
    from zarya.engine.timescale import parse_instant

    sat = load_satellite(None, elements_file=str(HISTORY))
    window = Window.days(parse_instant("2016-04-01"), 30.0)
    eph = Ephemeris(sat, window, step_s=10.0)
    sky = _Sky(eph, body, 0.0)
    rng = np.random.default_rng(31 if body == "sun" else 32)
    compared = 0
    for _ in range(3):
        obs = Observer(float(rng.uniform(-50, 50)), float(rng.uniform(-180, 180)), 0.0)
        margin = 10.0
        found = [t for t in find_transits(eph, obs, TransitOptions(body=body,
                                                                   margin_deg=margin))
                 if t.kind != "nearby"]
        r = geodetic_to_itrs(obs.lat_deg, obs.lon_deg, 0.0)[0]
        up = enu_basis(obs.lat_deg, obs.lon_deg)[2][0]
        t = np.arange(0.0, window.span_s, 2.0)
        sat_r, body_r = sky.at(t)
        d = sat_r - r
        b = topocentric_apparent(body_r, r)
        seen = ((d @ up) > 0) & ((b @ up) > 0) & eph.valid(t)
        sep = np.full(len(t), np.inf)
        sep[seen] = _angle(d[seen], b[seen])
        close = np.flatnonzero(sep < margin + 1.0)
        events = []
        for stretch in np.split(close, np.flatnonzero(np.diff(close) > 1) + 1):
            if not len(stretch):
                continue
            fine = np.arange(t[stretch[0]] - 2.0, t[stretch[-1]] + 2.0, 0.01)
            s = _separation(sky, fine, r)
            k = int(np.argmin(s))
            sk, bb = sky.at(fine[k : k + 1])
            rho = np.degrees(np.arcsin(BODY_RADIUS_KM[body] / np.linalg.norm(bb[0] - r)))
            if s[k] > rho + margin or (sk[0] - r) @ up <= 0 or (bb[0] - r) @ up <= 0:
                continue  # not close enough, or closest where one of them is set
            if body == "moon":
                sun = sky.sun(fine[k : k + 1])
                i = np.radians(_angle(sun - bb, r - bb))[0]
                if (1 + np.cos(i)) / 2 < MIN_MOON_ILLUMINATION:
                    continue
            events.append((fine[k], s[k]))
        # refraction aside, the search lists what the scan finds, and nothing more
        matched = [e for e in events
                   if any(abs(e[0] - f.observer_t_s) < 0.05 for f in found)]
        assert len(matched) == len(events), (events, [f.observer_t_s for f in found])
        for f in found:
            assert any(abs(e[0] - f.observer_t_s) < 0.05 and abs(e[1] - f.separation_deg) < 1e-3
                       for e in events) or f.sat_alt_deg < 0.6 or f.body_alt_deg < 0.6, f
        compared += len(events)
    print(f"{body}: {compared} closest approaches within 10 degrees, all found")
    assert compared >= 5


def test_one_event_per_centre_line_point(iss_sets):
    """At a wide radius the far closest approaches at a pass's ends lead to the same
    nearest point of its centre line: it is listed once."""
    from zarya.engine.timescale import parse_instant

    sat = load_satellite(None, elements_file=str(HISTORY))
    eph = Ephemeris(sat, Window.days(parse_instant("2016-03-25"), 20.0), step_s=10.0)
    found = find_transits(eph, Observer(-44.675, -169.795), TransitOptions(body="sun",
                                                                          radius_km=2000.0))
    assert len(found) > 5
    times = sorted(t.t_s for t in found)
    assert all(b - a >= 1.0 for a, b in zip(times, times[1:], strict=False))
