"""Ground geometry: node crossings against Skyfield, orbit counts against the revolution
numbers the element sets carry, overflights against brute-force sampling, ground tracks cut
at the antimeridian, footprints."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import zarya
from zarya.domain.geodesy import (
    EARTH_MEAN_RADIUS_KM,
    footprint_radius_km,
    footprint_ring,
    ground_distance_km,
    subpoints,
    unit_vectors,
)
from zarya.domain.nodes import node_crossings
from zarya.domain.overflights import find_overflights
from zarya.domain.revolutions import (
    NASA_REV_MODULUS,
    NORAD_REV_MODULUS,
    carried_rev_modulus,
    count_orbits,
)
from zarya.domain.tracks import ground_track, split_antimeridian
from zarya.engine.failures import propagation_failures, propagation_map
from zarya.engine.frames import gmst82_rad, rotate_z
from zarya.engine.satellite import Satellite
from zarya.engine.timescale import Window, parse_instant

from .conftest import shared_or_local

HISTORY = zarya.load_satellite()


def decayed() -> Satellite:
    """Vallado's MINOTAUR R/B (28872): SGP4 fails (decay, error 6) from about 01:20 UTC
    on 2005-11-29, 51 minutes after its epoch (and before 00:11 going backwards)."""
    lines = shared_or_local("vallado/SGP4-VER.TLE").read_text().splitlines()
    i = next(k for k, ln in enumerate(lines) if ln.startswith("1 28872"))
    return Satellite.from_tle(lines[i][:69], lines[i + 1][:69])


def one_set(epoch_prefix: str) -> Satellite:
    """The bundled set whose epoch starts with ``epoch_prefix`` (ISO), alone."""
    chosen = [e for e in HISTORY.elements if e.epoch.isoformat().startswith(epoch_prefix)]
    assert len(chosen) == 1, epoch_prefix
    return Satellite.from_elements(chosen)


# ------------------------------------------------------------------ node crossings
def skyfield_ascending_nodes(ts, element, start, hours: float) -> np.ndarray:
    """Ascending nodes from Skyfield's Earth-fixed (ITRS) z: sign changes on a 10 s grid,
    bisected 40 times (to 10 microseconds). Returns seconds after ``start``."""
    from skyfield.api import EarthSatellite
    from skyfield.framelib import itrs

    sat = EarthSatellite(element.line1, element.line2, element.name, ts)
    t0 = ts.from_datetime(start)

    def z(seconds: np.ndarray) -> np.ndarray:
        t = ts.tt_jd(t0.whole, t0.tt_fraction + seconds / 86400.0)
        return sat.at(t).frame_xyz(itrs).km[2]

    grid = np.arange(0.0, hours * 3600.0 + 1.0, 10.0)
    zz = z(grid)
    j = np.flatnonzero((zz[:-1] < 0) & (zz[1:] >= 0))
    lo, hi = grid[j], grid[j + 1]
    for _ in range(40):
        mid = (lo + hi) / 2.0
        below = z(mid) < 0
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return (lo + hi) / 2.0


@pytest.mark.parametrize("epoch", ["2016-03-19T16", "2016-05-09T13", "2008-09-20T12"])
def test_node_crossings_match_skyfield(skyfield_ts, epoch):
    sat = one_set(epoch)
    element = sat.elements[0]
    start = element.epoch.replace(microsecond=0)
    window = Window(start, 2 * 86400.0)
    ours = node_crossings(sat, window)
    theirs = skyfield_ascending_nodes(skyfield_ts, element, start, 48.0)
    asc = ours.ascending_times()
    assert len(asc) == len(theirs) >= 30
    worst = np.max(np.abs(asc - theirs))
    # Skyfield's nodes are bisected to 1e-11 s; ours are refined until the bracket is
    # narrower than NODE_TOL_S = 1 ms. Measured: 0.36 ms worst (0.35 ms on 2016-03-19,
    # 0.36 ms on 2016-05-09, 6e-11 s on 2008-09-20); the node does not depend on UT1 (z is
    # the same in TEME and the Earth-fixed frame). 1 ms is 2.8 times that, and what the
    # refinement guarantees.
    assert worst < 1e-3, worst
    # descending nodes alternate with ascending ones
    assert np.all(np.diff(ours.ascending.astype(int)) != 0)
    # the node's longitude is where z = 0 in the Earth-fixed frame
    jd1, jd2 = window.jd(asc)
    r, _, _ = sat.teme(jd1, jd2)
    assert np.max(np.abs(r[:, 2])) < 0.01  # km: 1 ms of motion is 8 m
    fixed = rotate_z(r, gmst82_rad(jd1, jd2))
    lon = np.degrees(np.arctan2(fixed[:, 1], fixed[:, 0]))
    assert np.allclose(ours.lon_deg[ours.ascending], lon, atol=1e-6)


# ------------------------------------------------------------------- orbit counts
def clusters(max_gap_days: float = 30.0) -> list[tuple[int, int]]:
    """Runs of bundled sets whose consecutive epochs are at most ``max_gap_days`` apart."""
    ep = HISTORY.epochs_jd
    cuts = np.r_[0, np.flatnonzero(np.diff(ep) > max_gap_days) + 1, len(ep)]
    return [(a, b) for a, b in zip(cuts[:-1], cuts[1:], strict=True) if b - a >= 2]


def check_cluster(a: int, b: int):
    e = HISTORY.elements
    window = Window.between(e[a].epoch, e[b - 1].epoch)
    return count_orbits(HISTORY, window)


def test_orbit_counts_agree_with_carried_numbers_across_the_history():
    """Every cluster of the bundled history (epochs at most 30 days apart): the number each
    set carries agrees with the count from the anchor set to within one revolution, and
    exactly, apart from the documented disagreements (below)."""
    found = 0
    for a, b in clusters():
        oc = check_cluster(a, b)
        assert len(oc.checks) == b - a
        for c in oc.checks:
            found += 1
            assert abs(c.difference) <= 1, (c.epoch, c.carried, c.predicted)
    assert found >= 100


def test_orbit_count_across_the_100000_wrap():
    """Peake's cluster (Dec 2015 - Jun 2016) crosses NORAD's wrap (99796 on 2016-05-03,
    then 6 on 2016-05-16). Counted from the set of 2015-12-04 (rev 97454):

    * every standard set before the wrap agrees exactly;
    * every NASA-published set (placeholder drag terms, numbered modulo 4000) agrees
      exactly, before and after the wrap;
    * every standard set after the wrap is one ahead: the sources disagree by one
      revolution across the wrap (NASA's numbers after it are NORAD's minus one, as in
      the 2017 and 2020 clusters below)."""
    (a, b) = next(c for c in clusters() if HISTORY.elements[c[0]].epoch.year == 2015)
    oc = check_cluster(a, b)
    assert HISTORY.elements[oc.anchor].rev_number == 97454
    wrapped = 0
    for c in oc.checks:
        if c.modulus == NASA_REV_MODULUS:
            assert c.difference == 0, c
        elif c.predicted < NORAD_REV_MODULUS:
            assert c.difference == 0, c
        else:
            wrapped += 1
            assert c.difference == 1, c
            assert c.note == "+1 after the 100000 wrap"
    assert wrapped == 3
    # the two standard sets on either side of the wrap: 99870 -> 6 (100006), 135 nodes
    by_rev = {c.carried: c for c in oc.checks if c.modulus == NORAD_REV_MODULUS}
    assert by_rev[6].predicted - by_rev[99870].predicted == 135
    # later clusters: NASA's count is NORAD's minus one, consistently
    for year in (2017, 2019):
        for a2, b2 in clusters():
            if HISTORY.elements[a2].epoch.year != year:
                continue
            oc2 = check_cluster(a2, b2)
            standard = [c for c in oc2.checks if c.modulus == NORAD_REV_MODULUS]
            nasa = [c for c in oc2.checks if c.modulus == NASA_REV_MODULUS]
            if standard and nasa:
                assert all(c.difference == 0 for c in standard)
                assert sum(c.difference == -1 for c in nasa) >= len(nasa) - 1


def test_peakes_stay():
    """Tim Peake's stay (Soyuz TMA-19M, 15 Dec 2015 11:03 to 18 Jun 2016 09:15 UTC): 2892
    ascending nodes. (ESA's "2976 orbits" is 186 days x 16.)"""
    window = Window.between(
        parse_instant("2015-12-15T11:03:09Z"), parse_instant("2016-06-18T09:14:48Z")
    )
    oc = count_orbits(HISTORY, window)
    assert oc.count == 2892
    assert oc.revolutions == pytest.approx(2892.16, abs=0.01)
    assert oc.rev_at_end - oc.rev_at_start == oc.count
    assert all(abs(c.difference) <= 1 for c in oc.checks)
    assert any("14.0" in w for w in oc.warnings)  # the January gap is flagged


def test_set_switch_joins_the_phase():
    """A node that falls between two sets' views of it is counted once: the count over a
    window equals the sum over its halves, and the two pieces' times agree."""
    start = parse_instant("2016-02-05")
    whole = count_orbits(HISTORY, Window(start, 10 * 86400.0))
    first = count_orbits(HISTORY, Window(start, 5 * 86400.0))
    second = count_orbits(HISTORY, Window(first.end, 5 * 86400.0))
    assert whole.count == first.count + second.count
    t = whole.crossings.ascending_times()
    assert np.all(np.diff(t) > 0.9 * 92 * 60)  # no double counts


def test_decay_inside_the_window_counts_only_what_propagates():
    """Regression: a window running past the decay gave revolutions NaN, no warning and a
    cross-check that 'agreed' with nothing. Now the count covers 00:30 to the decay, a
    warning names the failed stretch and the error, and the only set is the anchor (not a
    check)."""
    sat = decayed()
    window = Window.between(
        parse_instant("2005-11-29T00:30:00Z"), parse_instant("2005-11-29T12:00:00Z")
    )
    oc = count_orbits(sat, window)
    assert not oc.complete
    assert np.isfinite(oc.revolutions) and 0.3 < oc.revolutions < 0.8  # 50 of 87.5 min
    assert oc.count == 0 and oc.first is None
    (fail,) = oc.failures
    assert fail.code == 6 and fail.message == "satellite has decayed"
    assert fail.start.isoformat().startswith("2005-11-29T01:20") and fail.end == window.end
    ((a, b),) = oc.counted
    assert a == window.start and 0.0 < (fail.start - b).total_seconds() < 0.01
    assert any("satellite has decayed" in w and "01:20" in w for w in oc.warnings)
    (check,) = oc.checks
    assert check.is_anchor and not check.checked and check.note == "anchor"


def test_decay_before_the_window_is_an_error():
    window = Window.between(
        parse_instant("2005-11-29T02:00:00Z"), parse_instant("2005-11-29T12:00:00Z")
    )
    with pytest.raises(zarya.PropagationError, match=r"decayed \(sgp4 error 6\)"):
        count_orbits(decayed(), window)
    with pytest.raises(zarya.PropagationError, match="anywhere"):
        propagation_failures(decayed(), window)


def test_failure_edges_are_bisected():
    """The decay instant is found to well under a second; the backward failure before
    the epoch too, and failures and valid stretches tile the window."""
    sat = decayed()
    window = Window.between(
        parse_instant("2005-11-29T00:00:00Z"), parse_instant("2005-11-29T03:00:00Z")
    )
    valid, failed = propagation_map(sat, window)
    assert len(valid) == 1 and len(failed) == 2
    assert failed[0][0] == 0.0 and failed[1][1] == window.span_s
    assert failed[0][1] < valid[0][0] < failed[0][1] + 0.01
    assert valid[0][1] < failed[1][0] < valid[0][1] + 0.01
    jd1, jd2 = window.jd(np.array([valid[0][0], valid[0][1], failed[1][0]]))
    _, _, err = sat.teme(jd1, jd2)
    assert err.tolist() == [0, 0, 6]


def test_nasa_only_window_is_numbered_from_a_standard_set():
    """Regression: 1 to 3 April 2016 is served only by a NASA-format set (numbered modulo
    4000): the count was numbered 3297 to 3328 from it. Now it is numbered from the
    standard set of 27 March (99227, outside the window), the same numbers a wider window
    gives, and the NASA set is checked against it modulo 4000."""
    window = Window.between(parse_instant("2016-04-01"), parse_instant("2016-04-03"))
    oc = count_orbits(HISTORY, window)
    anchor = HISTORY.elements[oc.anchor]
    assert carried_rev_modulus(HISTORY, oc.anchor) == NORAD_REV_MODULUS
    assert anchor.rev_number == 99227 and anchor.epoch < window.start
    assert oc.absolute and (oc.rev_at_start, oc.rev_at_end) == (99297, 99328)
    before = count_orbits(
        HISTORY, Window.between(parse_instant("2016-03-29"), parse_instant("2016-04-01"))
    )
    assert before.rev_at_end == oc.rev_at_start
    nasa = [c for c in oc.checks if c.modulus == NASA_REV_MODULUS]
    assert len(nasa) == 1 and nasa[0].checked and nasa[0].difference == 0
    assert nasa[0].predicted == 99308 and nasa[0].carried == 3308
    (anchor_check,) = [c for c in oc.checks if c.is_anchor]
    assert anchor_check.serves_from is None and anchor_check.farthest_days is None


def test_nasa_sets_alone_are_numbered_modulo_4000():
    """With no standard set within reach the numbers stay modulo 4000, said plainly."""
    nasa = [k for k in range(len(HISTORY.elements)) if carried_rev_modulus(HISTORY, k)
            == NASA_REV_MODULUS]
    k = next(k for k in nasa if HISTORY.elements[k].epoch.isoformat().startswith("2016-04-01"))
    sat = Satellite.from_elements([HISTORY.elements[k]])
    oc = count_orbits(
        sat, Window.between(parse_instant("2016-04-01"), parse_instant("2016-04-03"))
    )
    assert oc.rev_modulus == NASA_REV_MODULUS and not oc.absolute
    assert any("modulo 4000" in w and "unknown" in w for w in oc.warnings)
    assert not any(c.checked for c in oc.checks)


# --------------------------------------------------------------------- overflights
PLACES = zarya.Observers(
    [47.4, 51.1694, -33.87, 0.0, 40.0],
    [69.7, 71.4491, 151.21, -160.0, 179.9],
)


def _direct_subpoints(sat: Satellite, window: Window, t: np.ndarray) -> np.ndarray:
    """Unit vectors of the sub-points of direct SGP4 (no Hermite) at times ``t``."""
    jd1, jd2 = window.jd(t)
    r, _, _ = sat.teme(jd1, jd2)
    lat, lon, _ = subpoints(rotate_z(r, gmst82_rad(jd1, jd2)))
    return unit_vectors(lat, lon)


def _distance_km(U: np.ndarray, place: np.ndarray) -> np.ndarray:
    """Great circle on the mean sphere, by atan2 (accurate at small angles)."""
    return EARTH_MEAN_RADIUS_KM * np.arctan2(np.linalg.norm(np.cross(U, place), axis=-1),
                                             U @ place)


def brute_force_approaches(sat: Satellite, window: Window, radius_km: float):
    """Local minima of the sub-point distance from direct SGP4 every 0.1 s (no Hermite),
    each refined by direct SGP4 every 1 ms over +/- 0.15 s around it: (time, distance), to
    0.5 ms and, at the ground track's 7 km/s, (3.5 m)^2 / (2 d) in distance (under 0.1 mm
    for d > 60 km)."""
    t = np.arange(0.0, window.span_s, 0.1)
    U = _direct_subpoints(sat, window, t)
    P = unit_vectors(PLACES.lat_deg, PLACES.lon_deg)
    fine = np.arange(-150, 151) * 1e-3
    out = []
    for n in range(len(PLACES)):
        d = _distance_km(U, P[n])
        k = np.flatnonzero((d[1:-1] < d[:-2]) & (d[1:-1] <= d[2:])) + 1
        k = k[d[k] <= radius_km]
        found = []
        for i in k:
            tf = t[i] + fine
            df = _distance_km(_direct_subpoints(sat, window, tf), P[n])
            j = int(np.argmin(df))
            assert 0 < j < len(tf) - 1  # a true minimum inside the fine scan
            found.append((tf[j], df[j]))
        out.append(found)
    return out


def test_overflights_match_brute_force_sampling():
    sat = one_set("2016-04-20T04")
    window = Window(sat.elements[0].epoch.replace(microsecond=0), 86400.0)
    eph = zarya.Ephemeris(sat, window)
    radius = 700.0
    ours = find_overflights(eph, PLACES, radius)
    truth = brute_force_approaches(sat, window, radius)
    total = 0
    for found, expected in zip(ours, truth, strict=True):
        # an approach right at the radius may fall either side: compare those well inside
        expected = [(t, d) for t, d in expected if d < radius - 1.0]
        found = [o for o in found if o.distance_km < radius - 1.0]
        assert len(found) == len(expected)
        for o, (t, d) in zip(found, expected, strict=True):
            dt = (o.time - window.start).total_seconds() - t
            # measured: 2.0 ms worst over the 12 approaches. Ours is golden-section search to
            # APPROACH_TOL_S = 0.01 s (the middle of the last bracket: 5 ms at most); the
            # reference's resolution is 0.5 ms. 5 ms is 2.5 times the measured.
            assert abs(dt) < 5e-3, dt
            # measured: 6.2 cm worst. The distance at the minimum hardly depends on the time;
            # it is the Hermite interpolation of the 60 s grid (ours) against direct SGP4:
            # up to 0.32 m of position error along these passes, 6 cm of it across the track.
            # 0.15 m is 2.4 times the measured.
            assert abs(o.distance_km - d) < 1.5e-4, o.distance_km - d
            total += 1
    assert total >= 10


def test_overflight_side_and_direction():
    """Side: the place is right of the track when (r x v) points away from it; ascending:
    the sub-point moves north."""
    sat = one_set("2016-04-20T04")
    window = Window(sat.elements[0].epoch.replace(microsecond=0), 86400.0)
    eph = zarya.Ephemeris(sat, window)
    P = unit_vectors(PLACES.lat_deg, PLACES.lon_deg)
    checked = 0
    for found in find_overflights(eph, PLACES, 1500.0):
        for o in found:
            t = (o.time - window.start).total_seconds()
            r, v = eph.position(np.array([t]))[0], eph.velocity(np.array([t]))[0]
            left = np.dot(np.cross(r, v), P[o.observer_index]) > 0
            assert o.side == ("left" if left else "right")
            lat_next = subpoints(eph.position(np.array([t + 1.0])))[0][0]
            assert o.ascending == (lat_next > o.lat_deg)
            assert 0.0 <= o.heading_deg < 360.0
            assert (0.0 < o.heading_deg < 90.0 or 270.0 < o.heading_deg) == o.ascending
            checked += 1
    assert checked >= 20


def test_radius_must_be_positive():
    eph = zarya.Ephemeris(HISTORY, Window(parse_instant("2016-04-01"), 3600.0))
    with pytest.raises(zarya.ObserverError, match="radius -5 is impossible") as info:
        find_overflights(eph, PLACES, -5.0)
    assert (info.value.parameter, info.value.value, info.value.low) == ("radius_km", -5.0, 0.0)


# ------------------------------------------------------------------ tracks, footprints
def test_ground_track_is_the_subpoints():
    eph = zarya.Ephemeris(HISTORY, Window(parse_instant("2016-04-01"), 6000.0))
    track = ground_track(eph)
    lat, lon, alt = subpoints(eph.r_km)
    assert np.array_equal(track.lat_deg, lat) and np.array_equal(track.lon_deg, lon)
    assert np.all((alt > 380) & (alt < 440))
    assert np.nanmax(np.abs(track.lat_deg)) < 52.0  # the ISS's inclination
    geometry = track.geojson_geometry()
    assert geometry["type"] == "MultiLineString"  # 100 minutes cross the antimeridian


def test_split_antimeridian_interpolates_the_crossing():
    pieces = split_antimeridian([170.0, 178.0, -176.0, -170.0], [10.0, 12.0, 15.0, 16.0])
    assert len(pieces) == 2
    assert pieces[0][-1].tolist() == [180.0, 13.0]  # 2 of 6 degrees: 12 + 3 * 2 / 6
    assert pieces[1][0].tolist() == [-180.0, 13.0]
    west = split_antimeridian([-170.0, 176.0], [0.0, 7.0])
    assert west[0][-1].tolist() == [-180.0, 5.0] and west[1][0].tolist() == [180.0, 5.0]
    # NaN breaks the line; single points vanish
    assert len(split_antimeridian([0, 1, np.nan, 2, np.nan, 3, 4], [0] * 7)) == 2


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-30.0, 30.0), min_size=2, max_size=40),
    st.floats(-180.0, 180.0),
    st.floats(-60.0, 60.0),
)
def test_split_pieces_never_jump(steps, lon0, lat0):
    """RFC 7946: no piece has consecutive points more than 180 degrees apart, every
    longitude is within -180..180 and the cut points pair up at the same latitude."""
    lon = (lon0 + np.cumsum([0.0] + steps) + 180.0) % 360.0 - 180.0
    lat = lat0 + np.linspace(0.0, 10.0, len(lon))
    pieces = split_antimeridian(lon, lat)
    for p in pieces:
        assert np.all(np.abs(p[:, 0]) <= 180.0)
        assert np.all(np.abs(np.diff(p[:, 0])) <= 180.0)
    for p, q in zip(pieces[:-1], pieces[1:], strict=True):
        assert abs(p[-1, 0]) == 180.0 and q[0, 0] == -p[-1, 0]
        assert p[-1, 1] == q[0, 1]


def test_footprint():
    radius = footprint_radius_km(408.0)
    assert 2200.0 < float(radius) < 2300.0  # ISS: about 2,250 km to the horizon
    assert float(footprint_radius_km(408.0, 10.0)) < 1400.0
    ring = footprint_ring(47.4, 69.7, 1000.0)
    d = ground_distance_km(47.4, 69.7, ring[:, 1], ring[:, 0])
    assert np.allclose(d, 1000.0, atol=1e-6)
    assert np.allclose(ring[0], ring[-1])
