"""Passes across sgp4 failures, and the root finder's termination (review regressions).

The brute-force reference here is independent of zarya's engine: sgp4 itself every second,
rotated by GMST-82 with erfa, and the WGS84 observer from erfa's gd2gc.
"""

from __future__ import annotations

import erfa
import numpy as np
import pytest

from zarya import Ephemeris, Observer, Observers, PassOptions, Satellite, Window
from zarya.domain.passes import _thresholds, find_passes
from zarya.elements.tle import checksum, parse_tle
from zarya.engine.search import bracketed_root
from zarya.engine.timescale import jd_of

# SL-6 R/B(2), Vallado's set: sgp4 fails (error 1) 29350 s after the epoch and for ever after
A1 = "1 22312U 93002D   06094.46235912  .99999999  81888-5  49949-3 0  3953"
A2 = "2 22312  62.1486  77.4698 0308723 267.9229  88.7392 15.95744531 98783"


def _with_checksum(body: str) -> str:
    return body[:68] + str(checksum(body))


# the same orbit 0.8 day later without drag: sgp4 works again from this set's half-way point
B1 = _with_checksum("1 22312U 93002D   06095.26235912  .00000000  00000-0  00000-0 0  395")


def _elevation_1s(sat_lines, start, t_s, lat, lon):
    """Brute force: sgp4 every second, GMST-82, geodetic up vector: elevation, degrees."""
    from sgp4.api import WGS72, Satrec

    sat = Satrec.twoline2rv(*sat_lines, WGS72)
    w, f = jd_of(start)
    jf = f + t_s / 86400.0
    err, r, _ = sat.sgp4_array(np.full(t_s.shape, w), jf)
    theta = erfa.gmst82(np.full(t_s.shape, w), jf)
    c, s = np.cos(theta), np.sin(theta)
    x = c * r[:, 0] + s * r[:, 1]
    y = -s * r[:, 0] + c * r[:, 1]
    sat_ecef = np.stack((x, y, r[:, 2]), axis=1)
    o = erfa.gd2gc(1, np.radians(lon), np.radians(lat), 0.0) / 1000.0
    la, lo = np.radians(lat), np.radians(lon)
    up = np.array([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])
    d = sat_ecef - o
    el = np.degrees(np.arcsin(d @ up / np.linalg.norm(d, axis=1)))
    return np.where(err == 0, el, np.nan)


def test_a_pass_just_before_sgp4_fails_keeps_its_set():
    """The last valid grid state before a failure is usable (it used to be NaN through
    the interpolation, and the pass was reported as running to the end of the window)."""
    sat = Satellite([parse_tle(A1, A2)])
    start = sat.elements[0].epoch.replace(microsecond=0)
    eph = Ephemeris(sat, Window(start, 86400.0))
    lat, lon = -9.705225501201944, 142.261982006788
    (p,) = [p for p in find_passes(eph, Observer(lat, lon), PassOptions(min_elevation_deg=10))[0]
            if p.rise and abs((p.rise.time - start).total_seconds() - 29249) < 60]
    t = np.arange(29200.0, 29349.0, 1.0)
    el = _elevation_1s((A1, A2), start, t, lat, lon)
    above = t[el >= 10.0]
    assert p.set is not None
    # 1-s sampling brackets the crossings to 1 s
    assert abs((p.rise.time - start).total_seconds() - above[0]) <= 1.0
    assert abs((p.set.time - start).total_seconds() - above[-1]) <= 1.0
    assert p.duration_s == pytest.approx(above[-1] - above[0], abs=2.0)


def test_a_pass_meeting_a_failure_is_cut_there_in_both_engines():
    """Set A fails at 29350 s; set B takes over at 34560 s. An observer under the satellite
    when B resumes sees a pass already under way: cut at the failure edge, with the same
    answer from the one-observer (dense) and the many-observer (k-d tree) engines."""
    sat = Satellite([parse_tle(A1, A2), parse_tle(B1, A2)])
    start = sat.elements[0].epoch.replace(microsecond=0)
    eph = Ephemeris(sat, Window(start, 86400.0))
    assert eph.failed_stretches()  # the gap is real
    lat, lon = -34.87411730236038, 136.82382656329014
    rng = np.random.default_rng(1)
    lats = np.r_[lat, rng.uniform(-60, 60, 70)]
    lons = np.r_[lon, rng.uniform(-180, 180, 70)]
    options = PassOptions(visibility=False)
    dense = find_passes(eph, Observers(lats[:1], lons[:1]), options)[0]
    sparse = find_passes(eph, Observers(lats, lons), options)[0]

    def near_gap(passes):
        return [p for p in passes if 30000 < (p.culmination.time - start).total_seconds() < 36000]

    (d,), (s,) = near_gap(dense), near_gap(sparse)
    first_valid = eph.t_s[np.flatnonzero(~eph.ok)[-1] + 1]
    for p in (d, s):
        assert p.rise is None  # cut by the failure, not by the window
        assert (p.culmination.time - start).total_seconds() == pytest.approx(first_valid, abs=0.5)
        assert p.duration_s == pytest.approx(
            (p.set.time - start).total_seconds() - first_valid, abs=0.05)
    assert d.set.time == s.set.time


def test_visible_reason_names_the_failure():
    sat = Satellite([parse_tle(A1, A2), parse_tle(B1, A2)])
    start = sat.elements[0].epoch.replace(microsecond=0)
    eph = Ephemeris(sat, Window(start, 86400.0))
    rng = np.random.default_rng(2)
    lats, lons = rng.uniform(-60, 60, 400), rng.uniform(-180, 180, 400)
    reasons = {p.visible.starts for ps in find_passes(eph, Observers(lats, lons)) for p in ps
               if p.visible}
    reasons |= {p.visible.ends for ps in find_passes(eph, Observers(lats, lons)) for p in ps
                if p.visible}
    assert reasons <= {"rise", "set", "leaves_shadow", "enters_shadow", "twilight",
                       "window_start", "window_end", "sgp4_failure"}


def test_root_is_bracketed_to_tol_even_when_steps_creep():
    """A monotone cubic on which Illinois steps creep along one end: the old 'small step'
    test stopped at 0.004 with f = -6.6 (the review's reproducer)."""
    r, s = 1.7019219068112634, 1.2242367752540788

    def f(t, _i):
        return (t - r) * s + 0.5 * ((t - r) * s) ** 3

    root = bracketed_root(f, np.array([0.0]), np.array([60.0]), np.array([0]), tol=0.01)
    assert abs(root[0] - r) <= 0.01
    fuzz = np.random.default_rng(4)
    roots = fuzz.uniform(0.5, 59.5, 2000)
    scales = fuzz.uniform(0.01, 3.0, 2000)
    idx = np.arange(2000)

    def g(t, i):
        x = (t - roots[i]) * scales[i]
        return x + 0.5 * x**3

    found = bracketed_root(g, np.zeros(2000), np.full(2000, 60.0), idx, tol=0.01)
    assert np.max(np.abs(found - roots)) <= 0.01


def test_pressure_zero_means_no_atmosphere():
    obs = Observers([0.0], [0.0], [0.0])
    vacuum = _thresholds(obs, PassOptions(min_elevation_deg=0.0, refraction=True,
                                          pressure_hpa=0.0))
    assert vacuum[0] == pytest.approx(0.0, abs=1e-12)
    standard = _thresholds(obs, PassOptions(min_elevation_deg=0.0, refraction=True))
    assert -0.7 < standard[0] < -0.4  # about 34 arcminutes of horizon refraction
