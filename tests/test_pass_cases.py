"""The six published pass predictions and look angles in tests/data/pass_cases.json.

Each case comes from another program (PyEphem, beyond, a libnova fork, Skyfield's
documentation, CalSky via PyEphem's tests, pyorbital), with that program's settings
(horizon, refraction). Different programs use different Earth models and print rounded
values, so a case agrees to about a second, not a millisecond: each tolerance below says
where it comes from.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import numpy as np
import pytest

from zarya import (
    Ephemeris,
    Observer,
    Observers,
    PassOptions,
    Satellite,
    Window,
    find_passes,
    parse_instant,
    parse_tle,
)
from zarya.engine.frames import gmst82_rad, itrs_to_geodetic, teme_to_itrs
from zarya.engine.timescale import jd_of

# Programs that print whole seconds: half a second of rounding, plus up to half a second
# of model differences (UT1 - UTC, the programs' frame and SGP4 versions).
PRINTED_SECONDS_TOL_S = 1.0


def _case(pass_cases, prefix: str) -> dict:
    return next(c for c in pass_cases if c["id"].startswith(prefix))


def _sexagesimal(text: str) -> float:
    """'39:34:30.8' or '16deg 16\\' 32.6"' -> degrees."""
    d, m, s = (float(x) for x in re.findall(r"[\d.]+", text))
    return d + m / 60 + s / 3600


def _observer(case: dict) -> Observer:
    o = case["observer"]
    return Observer(o["lat_deg"], o["lon_deg"], o["elev_m"])


def _passes(case, start: str, days: float, **options):
    sat = Satellite([parse_tle(*case["tle"])])
    window = Window.days(parse_instant(start), days)
    return find_passes(Ephemeris(sat, window), _observer(case), PassOptions(**options))[0]


def _look_at(case, when: datetime, observer: Observer | None = None):
    sat = Satellite([parse_tle(*case["tle"])])
    eph = Ephemeris(sat, Window(when, 60.0))
    obs = Observers.of(observer or _observer(case))
    az, el, rng, _ = obs.look(eph.r_km[:1], np.array([0]))
    return float(az[0]), float(el[0]), float(rng[0]), eph


def _elevation_at(case, when: datetime) -> float:
    return _look_at(case, when)[1]


def _close_s(a: datetime, b: datetime) -> float:
    return abs((a - b).total_seconds())


def test_p1_pyephem_jacksonville(pass_cases):
    case = _case(pass_cases, "P1")
    exp = case["expected"]
    first = _passes(case, case["search_start_utc"], 1.0, min_elevation_deg=0.0)[0]
    assert _close_s(first.rise.time, parse_instant(exp["rise_utc"])) < PRINTED_SECONDS_TOL_S
    assert _close_s(first.culmination.time, parse_instant(exp["max_utc"])) < PRINTED_SECONDS_TOL_S
    assert _close_s(first.set.time, parse_instant(exp["set_utc"])) < PRINTED_SECONDS_TOL_S
    assert abs(first.duration_s - exp["duration_s"]) < 2 * PRINTED_SECONDS_TOL_S
    # PyEphem prints angles to 0.1 arcsecond; its Earth model (no UT1, its own SGP4 port)
    # differs from ours by a few hundredths of a degree at most.
    assert first.rise.azimuth_deg == pytest.approx(_sexagesimal(exp["rise_az"]), abs=0.05)
    assert first.set.azimuth_deg == pytest.approx(_sexagesimal(exp["set_az"]), abs=0.05)
    assert first.culmination.elevation_deg == pytest.approx(_sexagesimal(exp["max_alt"]), abs=0.05)


def test_p2_beyond_toulouse(pass_cases):
    case = _case(pass_cases, "P2")
    exp = case["expected"]
    days = case["search_duration_s"] / 86400
    (p,) = _passes(case, case["search_start_utc"], days, min_elevation_deg=0.0)
    # beyond gives microseconds; it applies IERS UT1 and polar motion, we take UT1 = UTC:
    # 0.9 s of Earth rotation at most, which moves a horizon crossing by well under 1 s.
    assert _close_s(p.rise.time, parse_instant(exp["aos_utc"])) < 0.5
    assert _close_s(p.set.time, parse_instant(exp["los_utc"])) < 0.5
    # beyond's MAX event comes 1.7 s after the maximum of elevation (a 1-second sampling of
    # our look angles puts the maximum at 16:55:08.0, 60.754 degrees; see the next test):
    # accept 2 s, and check that ours is the higher point and differs by < 0.05 degree.
    max_time = parse_instant(exp["max_utc"])
    assert _close_s(p.culmination.time, max_time) < 2.0
    at_theirs = _elevation_at(case, max_time)
    assert at_theirs <= p.culmination.elevation_deg < at_theirs + 0.05


def test_p2_culmination_is_the_sampled_maximum(pass_cases):
    """Our refined culmination against a brute-force 1-second sampling of sgp4 itself."""
    case = _case(pass_cases, "P2")
    sat = Satellite([parse_tle(*case["tle"])])
    window = Window(parse_instant("2016-02-07T16:54:00Z"), 240.0)
    dense = Ephemeris(sat, window, step_s=1.0)  # grid points are exact sgp4 states
    az, el, _, _ = Observers.of(_observer(case)).look(dense.r_km, np.zeros(len(dense.t_s), int))
    k = int(el.argmax())
    (p,) = _passes(case, case["search_start_utc"], case["search_duration_s"] / 86400,
                   min_elevation_deg=0.0)
    assert _close_s(p.culmination.time, window.instant(dense.t_s[k])) <= 0.5
    # the sampled maximum can only be lower than the true one, by the curvature over 0.5 s
    assert 0.0 <= p.culmination.elevation_deg - el[k] < 0.01


def test_p2_beyond_look_angles_from_teme_state(pass_cases):
    """Our TEME -> Earth-fixed rotation and look angles on beyond's own TEME state vector."""
    case = _case(pass_cases, "P2")
    check = case["expected"]["lookangle_check"]
    j1, j2 = jd_of(parse_instant(check["utc"]))
    state = np.array(check["teme_state_m_mps"]) / 1000.0
    gmst = gmst82_rad(np.array([j1]), np.array([j2]))
    r, _ = teme_to_itrs(state[None, :3], state[None, 3:], gmst)
    az, el, rng, _ = Observers.of(_observer(case)).look(r, np.array([0]))
    # |UT1 - UTC| <= 0.9 s turns the Earth by 13.5 arcsec: 0.4 km on the ground, which seen
    # from 461 km is at most 0.05 degree; polar motion adds under 0.5 arcsec.
    assert float(az[0]) == pytest.approx(check["az_deg"], abs=0.05)
    assert float(el[0]) == pytest.approx(check["el_deg"], abs=0.05)
    assert float(rng[0]) == pytest.approx(check["range_m"] / 1000.0, abs=0.4)


def test_p3_libnova_madrid_look_angles(pass_cases):
    case = _case(pass_cases, "P3")
    tol = case["tolerance"]  # the case's own: 0.5 (degrees; its values are rounded)
    for point in case["expected_points"]:
        az, el, rng, _ = _look_at(case, parse_instant(point["utc"]))
        expected_az = (point["az_from_south"] + 180.0) % 360.0  # libnova counts from south
        assert abs((az - expected_az + 180.0) % 360.0 - 180.0) < tol
        assert el == pytest.approx(point["alt"], abs=tol)
        # ranges are printed as whole km
        assert rng == pytest.approx(point["range_km"], abs=1.0)


def test_s1_skyfield_documentation_bluffton(pass_cases):
    case = _case(pass_cases, "S1")
    start, end = (parse_instant(t) for t in case["window_utc"])
    passes = _passes(case, case["window_utc"][0], (end - start).total_seconds() / 86400,
                     min_elevation_deg=case["threshold_deg"])
    ours = []
    for p in passes:
        ours += [(p.rise.time, "rise"), (p.culmination.time, "culminate"), (p.set.time, "set")]
    assert [k for _, k in ours] == [k for _, k in case["expected_events"]]
    for (when, _), (text, _) in zip(ours, case["expected_events"], strict=True):
        # Skyfield's documentation prints times rounded to the second
        assert _close_s(when, parse_instant(text)) < PRINTED_SECONDS_TOL_S


def test_s1_skyfield_documentation_altaz(pass_cases):
    case = _case(pass_cases, "S1")
    exp = case["expected_altaz"]
    az, el, rng, _ = _look_at(case, parse_instant(exp["utc"]))
    # Skyfield uses the full IAU 2000 Earth model and real UT1; printed to 0.1 arcsec
    assert el == pytest.approx(_sexagesimal(exp["alt"]), abs=0.01)
    assert az == pytest.approx(_sexagesimal(exp["az"]), abs=0.01)
    assert int(rng) == exp["range_km"]  # the documentation prints int(distance.km)


# S2: CalSky's pass as quoted in PyEphem's test (rise 05:02:17 at 192.0, culmination
# 05:06:39 at 16.0, set 05:11:04 at 64.9): times printed to the second (0.5 s of rounding),
# angles to 0.1 degree (0.05 of rounding). The case's own tolerance (43 s, 2.9 degrees) is
# PyEphem's assertAlmostEqual to 3 decimals of a day and 1 decimal of a radian: far above
# the differences, so not used here. Measured (our minus CalSky's):
#
#                      rise time  culm. time  set time  rise az  set az  culm. el
#   refraction on       -11.04 s    -0.63 s    +9.42 s   +0.894  -0.933   +0.079
#   geometric horizon    -1.23 s    -0.63 s    -0.50 s   +0.038  -0.098   +0.024
#
# CalSky's values are for the geometric horizon (PyEphem's comment: "probably a different
# horizon"): without refraction they agree to the printing and a second; with PyEphem's
# refraction (34 arcmin at the horizon) the rise comes 10 s earlier and the set 10 s later,
# their azimuths move 0.85 degree along the track, and the culmination is lifted 3 arcmin.
def _s2_first_pass(case, refraction: bool):
    # PyEphem's horizon 0; with refraction, the pressure from the observer's elevation
    return _passes(case, case["search_start_utc"], 1.0, min_elevation_deg=0.0,
                   refraction=refraction)[0]


def test_s2_calsky_atlanta_with_refraction(pass_cases):
    case = _case(pass_cases, "S2")
    exp = case["expected"]
    first = _s2_first_pass(case, refraction=True)
    # dominated by the refraction CalSky leaves out (above): 2.3 to 2.7 times the measured
    # 11.04 s and 9.42 s; 2.4 times the 0.63 s of the culmination (unmoved by refraction)
    assert _close_s(first.rise.time, parse_instant(exp["rise_utc"])) < 25.0
    assert _close_s(first.culmination.time, parse_instant(exp["max_utc"])) < 1.5
    assert _close_s(first.set.time, parse_instant(exp["set_utc"])) < 25.0
    # 2.1 to 2.2 times the measured 0.894 and 0.933 degree; 2.5 times the 0.079
    assert first.rise.azimuth_deg == pytest.approx(exp["rise_az"], abs=2.0)
    assert first.set.azimuth_deg == pytest.approx(exp["set_az"], abs=2.0)
    assert first.culmination.elevation_deg == pytest.approx(exp["max_alt"], abs=0.2)
    # refraction is applied: the apparent elevation at rise is the threshold, 0
    assert first.rise.elevation_deg == pytest.approx(0.0, abs=1e-3)


def test_s2_calsky_atlanta_geometric_horizon(pass_cases):
    case = _case(pass_cases, "S2")
    exp = case["expected"]
    first = _s2_first_pass(case, refraction=False)
    # about 2.5 times the measured 1.23 s, 0.63 s and 0.50 s (3.0 for the set), each above
    # the half second of rounding
    assert _close_s(first.rise.time, parse_instant(exp["rise_utc"])) < 3.0
    assert _close_s(first.culmination.time, parse_instant(exp["max_utc"])) < 1.5
    assert _close_s(first.set.time, parse_instant(exp["set_utc"])) < 1.5
    # 2.6, 2.6 and 2.5 times the measured 0.038, 0.098 and 0.024 degree (with 0.05 of
    # rounding in CalSky's figures)
    assert first.rise.azimuth_deg == pytest.approx(exp["rise_az"], abs=0.1)
    assert first.set.azimuth_deg == pytest.approx(exp["set_az"], abs=0.25)
    assert first.culmination.elevation_deg == pytest.approx(exp["max_alt"], abs=0.06)


def test_s2_refraction_moves_rise_earlier(pass_cases):
    case = _case(pass_cases, "S2")
    plain = _passes(case, case["search_start_utc"], 1.0, min_elevation_deg=0.0)[0]
    refracted = _passes(case, case["search_start_utc"], 1.0, min_elevation_deg=0.0,
                        refraction=True)[0]
    # about 34 arcmin of horizon refraction: the ISS clears it some 10-20 s earlier
    lead = (plain.rise.time - refracted.rise.time).total_seconds()
    assert 5.0 < lead < 30.0


def test_s5_pyorbital_subpoint_and_look(pass_cases):
    case = _case(pass_cases, "S5")
    exp, tol = case["expected"], case["tolerance"]
    ob = exp["observer"]
    observer = Observer(ob["lat"], ob["lon"], ob["alt_km"] * 1000.0)
    az, el, _, eph = _look_at(case, parse_instant(case["utc"]), observer)
    lat, lon, height = itrs_to_geodetic(eph.r_km[:1])
    assert float(lat[0]) == pytest.approx(exp["sub_lat"], abs=tol)
    assert float(lon[0]) == pytest.approx(exp["sub_lon"], abs=tol)
    assert float(height[0]) == pytest.approx(exp["alt_km"], abs=tol)
    assert az == pytest.approx(exp["az"], abs=tol)
    assert el == pytest.approx(exp["el"], abs=tol)


def test_window_edge_case_is_consistent(pass_cases):
    """Cutting a window through the P1 pass: the cut pass has no rise, same set."""
    case = _case(pass_cases, "P1")
    full = _passes(case, case["search_start_utc"], 1.0, min_elevation_deg=0.0)[0]
    mid = full.rise.time + timedelta(seconds=60)
    cut = _passes(case, mid.isoformat(), 0.5, min_elevation_deg=0.0)[0]
    assert cut.rise is None
    assert _close_s(cut.set.time, full.set.time) < 0.05
    assert _close_s(cut.culmination.time, full.culmination.time) < 0.05
