"""Passes across sgp4 failures, and the root finder's termination (review regressions).

The brute-force reference here is independent of zarya's engine: sgp4 itself every second,
rotated by GMST-82 with erfa, and the WGS84 observer from erfa's gd2gc; for the light
conditions, Skyfield's shadow test and DE421's Sun.
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


# The visible-segment reasons against independent references: sgp4 itself for where it fails
# and where the elevation crosses the threshold, Skyfield (DE421) for the satellite's shadow
# and the observer's Sun. Each tolerance is 2.3 to 2.9 times the worst difference measured
# on this case (the reference's own crossing, bisected to 1e-11 s, against zarya's edge, over
# the 403 observers of the test: 279 rise/set edges, 86 shadow edges, 9 twilight edges):
#   rise/set: 0.104 s, on set A: sgp4's velocity for A (drag term 0.99999999) differs from
#     the derivative of its position by up to 15 m/s, so the Hermite interpolation between
#     the 60 s grid states is off by up to 150 m there; set B's 209 edges agree to 2 ms;
#   shadow entry/exit: 0.215 s (mean -0.13 s): Skyfield's shadow test takes the geometric
#     Sun, zarya the apparent one (about 20 arcseconds of aberration apart);
#   twilight: 0.271 s (mean +0.269 s): Skyfield's UT1 - UTC that day, +0.264 s (zarya takes
#     UT1 = UTC).
RISE_SET_TOL_S = 0.3
SHADOW_TOL_S = 0.5
TWILIGHT_TOL_S = 0.7
MIN_ELEVATION_DEG = PassOptions().min_elevation_deg  # 10
SUN_LIMIT_DEG = PassOptions().sun_limit_deg  # -6


def _failure_instants(start):
    """From sgp4 alone: (when set A starts failing for good, when set B takes over), in
    seconds from ``start``. A is scanned every second over the day and the first failure
    refined on a 0.01 s grid; B propagates all day; B serves from the midpoint of the two
    epochs (each instant is served by the set with the nearest epoch)."""
    from sgp4.api import WGS72, Satrec

    a = Satrec.twoline2rv(A1, A2, WGS72)
    b = Satrec.twoline2rv(B1, A2, WGS72)
    w, f = jd_of(start)
    t = np.arange(0.0, 86400.0, 1.0)
    err_a, _, _ = a.sgp4_array(np.full(t.shape, w), f + t / 86400.0)
    err_b, _, _ = b.sgp4_array(np.full(t.shape, w), f + t / 86400.0)
    first = int(np.flatnonzero(err_a)[0])
    assert np.all(err_a[first:] != 0) and np.all(err_b == 0)
    fine = np.arange(t[first] - 1.0, t[first] + 0.005, 0.01)
    err, _, _ = a.sgp4_array(np.full(fine.shape, w), f + fine / 86400.0)
    fails_at = float(fine[np.flatnonzero(err)[0]])
    epoch_s = [((s.jdsatepoch - w) + (s.jdsatepochF - f)) * 86400.0 for s in (a, b)]
    return fails_at, (epoch_s[0] + epoch_s[1]) / 2.0


class _Reference:
    """Elevation (sgp4 + GMST-82, set by set), shadow and Sun (Skyfield, DE421)."""

    def __init__(self, ts, de421, start, switch_s):
        from skyfield.api import EarthSatellite
        from skyfield.framelib import itrs

        self.ts, self.t0, self.switch_s, self.start = ts, ts.from_datetime(start), switch_s, start
        self.sats = [EarthSatellite(A1, A2, ts=ts), EarthSatellite(B1, A2, ts=ts)]
        self.de421, self.itrs = de421, itrs

    def _t(self, seconds):
        return self.ts.tt_jd(self.t0.whole, self.t0.tt_fraction + seconds / 86400.0)

    def elevation(self, seconds, lat, lon):
        seconds = np.atleast_1d(np.asarray(seconds, dtype=float))
        a = seconds < self.switch_s
        out = np.empty(seconds.shape)
        for lines, m in (((A1, A2), a), ((B1, A2), ~a)):
            if m.any():
                out[m] = _elevation_1s(lines, self.start, seconds[m], lat, lon)
        return out

    def sunlit(self, seconds):
        seconds = np.atleast_1d(np.asarray(seconds, dtype=float))
        a = seconds < self.switch_s
        out = np.empty(seconds.shape, dtype=bool)
        for sat, m in ((self.sats[0], a), (self.sats[1], ~a)):
            if m.any():
                out[m] = sat.at(self._t(seconds[m])).is_sunlit(self.de421)
        return out

    def sun_elevation(self, seconds, lat, lon):
        """Geometric elevation of DE421's apparent Sun, WGS84 observer at sea level."""
        seconds = np.atleast_1d(np.asarray(seconds, dtype=float))
        earth, sun = self.de421["earth"], self.de421["sun"]
        s = earth.at(self._t(seconds)).observe(sun).apparent().frame_xyz(self.itrs).km.T
        o = erfa.gd2gc(1, np.radians(lon), np.radians(lat), 0.0) / 1000.0
        la, lo = np.radians(lat), np.radians(lon)
        up = np.array([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])
        d = s - o
        return np.degrees(np.arcsin(d @ up / np.linalg.norm(d, axis=1)))

    def check_edge(self, reason, t, lat, lon, starts: bool, pass_, window_span_s):
        """The condition named by ``reason`` changes at ``t`` (the segment's start when
        ``starts``), the other conditions of visibility hold there."""
        el = lambda tt: self.elevation(tt, lat, lon)  # noqa: E731
        dark = lambda tt: self.sun_elevation(tt, lat, lon) <= SUN_LIMIT_DEG  # noqa: E731
        sign = 1.0 if starts else -1.0  # inside the segment is t + sign * dt
        where = f"{reason} at {t:.2f} s for ({lat:.3f}, {lon:.3f})"
        if reason in ("rise", "set"):
            assert starts == (reason == "rise"), where
            inside, outside = el(t + sign * RISE_SET_TOL_S), el(t - sign * RISE_SET_TOL_S)
            assert inside[0] >= MIN_ELEVATION_DEG > outside[0], where
            assert self.sunlit(t)[0] and dark(t)[0], where
        elif reason in ("leaves_shadow", "enters_shadow"):
            assert starts == (reason == "leaves_shadow"), where
            assert self.sunlit(t + sign * SHADOW_TOL_S)[0], where
            assert not self.sunlit(t - sign * SHADOW_TOL_S)[0], where
            assert el(t)[0] >= MIN_ELEVATION_DEG and dark(t)[0], where
        elif reason == "twilight":
            assert dark(t + sign * TWILIGHT_TOL_S)[0], where
            assert not dark(t - sign * TWILIGHT_TOL_S)[0], where
            assert el(t)[0] >= MIN_ELEVATION_DEG and self.sunlit(t)[0], where
        elif reason in ("window_start", "window_end"):
            assert starts == (reason == "window_start"), where
            assert t == (0.0 if starts else window_span_s), where
            assert (pass_.rise if starts else pass_.set) is None, where
            assert el(t)[0] >= MIN_ELEVATION_DEG and self.sunlit(t)[0] and dark(t)[0], where
        else:
            raise AssertionError(f"unexpected reason {where}")


def test_visible_reason_names_the_failure(skyfield_ts, skyfield_eph):
    """Set A fails for good 29349.78 s after the window's start and set B takes over at
    34560.83 s (both from sgp4 itself). Near Adelaide the satellite is already up, sunlit
    and in a dark sky when B takes over: that visible segment is cut by the failure and
    starts with 'sgp4_failure'. When A fails the satellite is in the Earth's shadow, so no
    segment may end with 'sgp4_failure'. Every other segment edge of 400 random observers
    names the condition that changes there (rise, set, shadow, twilight, the window's end),
    each checked against the references."""
    sat = Satellite([parse_tle(A1, A2), parse_tle(B1, A2)])
    start = sat.elements[0].epoch.replace(microsecond=0)
    window = Window(start, 86400.0)
    eph = Ephemeris(sat, window)
    fails_at, resumes_at = _failure_instants(start)
    assert fails_at == pytest.approx(29349.78, abs=0.005)
    assert resumes_at == pytest.approx(34560.83, abs=0.005)
    ref = _Reference(skyfield_ts, skyfield_eph, start, resumes_at)
    assert not ref.sunlit(fails_at - 0.01)[0]  # A fails in the Earth's shadow
    # observers under the track when B takes over (designed: the pass is already under
    # way and visible then), and 400 random ones
    designed = [(-36.0, 132.0), (-34.0, 134.0), (-32.0, 134.0)]
    rng = np.random.default_rng(2)
    lats = np.r_[[c[0] for c in designed], rng.uniform(-60, 60, 400)]
    lons = np.r_[[c[1] for c in designed], rng.uniform(-180, 180, 400)]
    # which observers see the satellite when B takes over, by the references alone: their
    # visible segment is cut by the failure. zarya finds failure edges to its grid (60 s
    # here: Ephemeris.failed_stretches), so a pass is cut at the first grid time after B
    # takes over (34620 s): only segments still visible then can be reported.
    first_grid = np.ceil(resumes_at / 60.0) * 60.0
    assert ref.sunlit(resumes_at)[0] and ref.sunlit(first_grid)[0]
    cut = {n for n in range(len(lats))
           if np.all(ref.elevation([resumes_at, first_grid], lats[n], lons[n])
                     >= MIN_ELEVATION_DEG)
           and np.all(ref.sun_elevation([resumes_at, first_grid], lats[n], lons[n])
                      <= SUN_LIMIT_DEG)}
    assert cut == {0, 1, 2}

    seen: dict[str, int] = {}
    # the shadow of the bare sphere, as Skyfield's is_sunlit (the reference here)
    bare = PassOptions(shadow_height_km=0.0)
    for n, passes in enumerate(find_passes(eph, Observers(lats, lons), bare)):
        for p in passes:
            if not p.visible:
                continue
            v = p.visible
            t_start = (v.start.time - start).total_seconds()
            t_end = (v.end.time - start).total_seconds()
            for reason in (v.starts, v.ends):
                seen[reason] = seen.get(reason, 0) + 1
            assert v.ends != "sgp4_failure"
            if n in cut and resumes_at <= t_start <= first_grid:
                # the pass and its visible segment begin where propagation resumes
                assert v.starts == "sgp4_failure" and p.rise is None
                assert t_start == pytest.approx(first_grid, abs=1e-6)
            else:
                assert v.starts != "sgp4_failure"
                ref.check_edge(v.starts, t_start, lats[n], lons[n], True, p, window.span_s)
            ref.check_edge(v.ends, t_end, lats[n], lons[n], False, p, window.span_s)
    assert seen["sgp4_failure"] == len(cut)
    # every other kind of edge was met and checked (no segment is cut by the window's start)
    assert {"rise", "set", "leaves_shadow", "enters_shadow", "twilight",
            "window_end"} <= set(seen)


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
