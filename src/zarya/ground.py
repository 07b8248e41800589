"""The satellite seen from below: sub-points, ground tracks, footprints, node crossings,
orbit counts and overflights.

Sub-points are geodetic (WGS84): the point of the ellipsoid straight below the satellite
along the ellipsoid's normal. Distances along the ground are great-circle distances on the
mean Earth sphere (radius 6371.0088 km, IUGG) between geodetic latitudes and longitudes;
against an ellipsoidal geodesic they differ by at most 0.5 %, under 1 km for a 200 km radius.

Node crossings and orbit counts follow DESIGN: revolutions are counted from ascending-node
crossings (the satellite's z, TEME or Earth-fixed alike, going from negative to positive) of
the propagated orbit, switching to the nearest element set along the way; the revolution
numbers the sets carry are only a cross-check (:func:`count_orbits`). Absolute revolution
numbers come from a standard (NORAD) set, even one outside the window (NASA-format sets
number modulo 4000); where SGP4 fails (decay) nothing is counted and the failure is reported
(:func:`propagation_map`, :func:`propagation_failures`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from . import events
from .ephemeris import SGP4_ERRORS, Ephemeris, Satellite
from .errors import ObserverError, PropagationError
from .frames import gmst82_rad, itrs_to_geodetic, rotate_z
from .look import Observer, Observers
from .timescale import SECONDS_PER_DAY, Window, datetime_of, iso_z

EARTH_MEAN_RADIUS_KM = 6371.0088
NODE_TOL_S = 1e-3
APPROACH_TOL_S = 0.01
NORAD_REV_MODULUS = 100_000
# NASA-published sets (placeholder drag terms n-dot .00016717, B* .10270e-3) carry their own
# revolution count; in the bundled history it is the NORAD count modulo 4000 (e.g. 1906 on
# 2016-01-02 when NORAD's was 97906, 21 on 2016-05-17 when it was 100021).
NASA_REV_MODULUS = 4_000
_NASA_NDOT, _NASA_BSTAR = 0.00016717, 0.10270e-3
FAR_SET_DAYS = 3.0
# NASA-published sets put their epoch on the ascending node and number the revolution that
# starts there; our node may fall a fraction of a second after the epoch.
EPOCH_ON_NODE_S = 1.0
# Revolution numbers are carried across from a standard set outside the window only through
# a history whose consecutive epochs are at most this far apart (every instant within half
# of it from a set): the count between the two then holds (see :func:`count_orbits`). In the
# bundled ISS history, consecutive sets up to 30 days apart disagree at their midpoint by at
# most 52 degrees along the orbit (the count slips only past 180); 70 to 180 days apart, by
# up to 172 degrees.
ANCHOR_MAX_GAP_DAYS = 30.0
FAILURE_BISECTIONS = 20


# ------------------------------------------------------------------ points on the ground
def subpoints(r_km: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Geodetic sub-satellite points of Earth-fixed positions ``(..., 3)`` km.

    Returns latitude and longitude (degrees, longitude -180..180) and height (km), each
    ``(...)``; NaN positions give NaN.
    """
    r = np.asarray(r_km, dtype=float)
    shape = r.shape[:-1]
    flat = r.reshape(-1, 3)
    ok = np.isfinite(flat).all(axis=1)
    lat = np.full(len(flat), np.nan)
    lon = np.full(len(flat), np.nan)
    alt = np.full(len(flat), np.nan)
    if ok.any():
        lat[ok], lon[ok], alt[ok] = itrs_to_geodetic(flat[ok])
    return lat.reshape(shape), lon.reshape(shape), alt.reshape(shape)


def unit_vectors(lat_deg, lon_deg) -> np.ndarray:
    """Unit vectors ``(..., 3)`` of latitudes and longitudes on the sphere (degrees)."""
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    lon = np.radians(np.asarray(lon_deg, dtype=float))
    return np.stack(
        (np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)), axis=-1
    )


def central_angle_rad(u1: np.ndarray, u2: np.ndarray) -> np.ndarray:
    """Angle between unit vectors ``(..., 3)``, accurate at all angles (2 asin(chord/2))."""
    chord = np.linalg.norm(np.asarray(u1) - np.asarray(u2), axis=-1)
    return 2.0 * np.arcsin(np.clip(chord / 2.0, 0.0, 1.0))


def ground_distance_km(lat1_deg, lon1_deg, lat2_deg, lon2_deg) -> np.ndarray:
    """Great-circle distance on the mean Earth sphere (km), broadcasting the inputs."""
    return EARTH_MEAN_RADIUS_KM * central_angle_rad(
        unit_vectors(lat1_deg, lon1_deg), unit_vectors(lat2_deg, lon2_deg)
    )


def bearing_deg(lat1_deg, lon1_deg, lat2_deg, lon2_deg) -> np.ndarray:
    """Initial great-circle bearing from point 1 to point 2, degrees from north, 0..360."""
    p1, l1 = np.radians(lat1_deg), np.radians(lon1_deg)
    p2, l2 = np.radians(lat2_deg), np.radians(lon2_deg)
    y = np.sin(l2 - l1) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(l2 - l1)
    return np.degrees(np.arctan2(y, x)) % 360.0


def footprint_radius_km(alt_km, min_elevation_deg=0.0) -> np.ndarray:
    """Ground radius (km, along the mean sphere) of the area that sees the satellite above
    ``min_elevation_deg``, for heights ``alt_km``: R (arccos(R cos e / (R + h)) - e)."""
    R = EARTH_MEAN_RADIUS_KM
    h = np.asarray(alt_km, dtype=float)
    e = np.radians(np.asarray(min_elevation_deg, dtype=float))
    return R * (np.arccos(np.clip(R * np.cos(e) / (R + h), -1.0, 1.0)) - e)


def footprint_ring(lat_deg: float, lon_deg: float, radius_km: float, n: int = 73) -> np.ndarray:
    """The footprint circle as an ``(n, 2)`` closed ring of (lon_deg, lat_deg), -180..180.

    Points of the small circle at ``radius_km`` around the centre, counter-clockwise seen
    from above; a circle over a pole or across the antimeridian is not cut here (use
    :func:`split_antimeridian` on it to draw it as lines).
    """
    d = radius_km / EARTH_MEAN_RADIUS_KM
    az = np.radians(np.linspace(360.0, 0.0, n))
    p1, l1 = math.radians(lat_deg), math.radians(lon_deg)
    lat = np.arcsin(np.sin(p1) * np.cos(d) + np.cos(p1) * np.sin(d) * np.cos(az))
    lon = l1 + np.arctan2(
        np.sin(az) * np.sin(d) * np.cos(p1), np.cos(d) - np.sin(p1) * np.sin(lat)
    )
    lon = (np.degrees(lon) + 180.0) % 360.0 - 180.0
    return np.stack((lon, np.degrees(lat)), axis=-1)


def split_antimeridian(lon_deg, lat_deg) -> list[np.ndarray]:
    """Cut a track into pieces that never cross the antimeridian (RFC 7946, section 3.1.9).

    ``lon_deg``, ``lat_deg``: ``(T,)`` arrays of consecutive points (longitude -180..180;
    NaN points break the line). Where consecutive points are more than 180 degrees apart
    in longitude the track has crossed +/-180: the crossing latitude is interpolated
    linearly in longitude and each piece ends (or starts) on +180 or -180. Returns a list of
    ``(K, 2)`` arrays of (lon, lat); pieces of a single point are dropped.
    """
    lon = np.asarray(lon_deg, dtype=float)
    lat = np.asarray(lat_deg, dtype=float)
    pieces: list[np.ndarray] = []
    current: list[tuple[float, float]] = []

    def close() -> None:
        if len(current) >= 2:
            pieces.append(np.array(current))
        current.clear()

    for i in range(len(lon)):
        if not (np.isfinite(lon[i]) and np.isfinite(lat[i])):
            close()
            continue
        if current:
            x0, y0 = current[-1]
            dx = lon[i] - x0
            if abs(dx) > 180.0:
                edge = 180.0 if dx < 0 else -180.0  # leaving through this edge
                x1 = lon[i] + (360.0 if dx < 0 else -360.0)  # unwrapped next point
                f = (edge - x0) / (x1 - x0) if x1 != x0 else 0.0
                y = y0 + f * (lat[i] - y0)
                current.append((edge, y))
                close()
                current.append((-edge, y))
        current.append((float(lon[i]), float(lat[i])))
    close()
    return pieces


@dataclass(frozen=True)
class Track:
    """Sub-points over a window: ``t_s`` (T,) seconds from ``window.start``, ``lat_deg``,
    ``lon_deg`` (T,) geodetic, ``alt_km`` (T,) height; NaN where SGP4 failed."""

    window: Window
    t_s: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_km: np.ndarray

    def times(self) -> list[datetime]:
        return [self.window.instant(t) for t in self.t_s]

    def pieces(self) -> list[np.ndarray]:
        """The track as (lon, lat) pieces cut at the antimeridian."""
        return split_antimeridian(self.lon_deg, self.lat_deg)

    def geojson_geometry(self, digits: int = 4) -> dict:
        """RFC 7946 geometry: a LineString, or a MultiLineString when cut at +/-180."""
        pieces = [np.round(p, digits).tolist() for p in self.pieces()]
        if len(pieces) == 1:
            return {"type": "LineString", "coordinates": pieces[0]}
        return {"type": "MultiLineString", "coordinates": pieces}


def ground_track(eph: Ephemeris, t_s: np.ndarray | None = None) -> Track:
    """Sub-points of the ephemeris at ``t_s`` (default: its grid), seconds from its start."""
    if t_s is None:
        t = eph.t_s
        r = eph.r_km
    else:
        t = np.asarray(t_s, dtype=float)
        r = np.where(eph.valid(t)[:, None], eph.position(t), np.nan)
    lat, lon, alt = subpoints(r)
    return Track(eph.window, t, lat, lon, alt)


# ---------------------------------------------------------------------- node crossings
@dataclass(frozen=True)
class NodeCrossings:
    """Ascending (and descending) node crossings over a window.

    ``t_s`` (K,) seconds from ``window.start``, sorted; ``ascending`` (K,) bool;
    ``set_index`` (K,) index into ``satellite.elements`` of the set that gave each crossing;
    ``lon_deg`` (K,) Earth-fixed longitude of the node; ``at_switch`` (K,) True for a crossing
    that falls between two sets at the instant one takes over from the other (the two sets
    disagree about which side of the node the satellite is on: the crossing is placed at the
    switch). ``switch_gap_deg`` lists, per switch of sets inside the window, how far apart
    the two sets put the satellite along its orbit (argument of latitude, degrees).
    """

    window: Window
    t_s: np.ndarray
    ascending: np.ndarray
    set_index: np.ndarray
    lon_deg: np.ndarray
    at_switch: np.ndarray
    switch_gap_deg: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def ascending_times(self) -> np.ndarray:
        return self.t_s[self.ascending]


def _set_states(sat: Satellite, jd1: np.ndarray, jd2: np.ndarray, k: np.ndarray):
    """TEME r (km), v (km/s) of set ``k[i]`` at each time, and sgp4's error code (6 past
    the decay, see :meth:`Satellite.decay_jd`); r and v NaN where the code is not 0."""
    r = np.full(jd1.shape + (3,), np.nan)
    v = np.full(jd1.shape + (3,), np.nan)
    err = np.zeros(jd1.shape, dtype=np.uint8)
    recs = sat.satrecs()
    for kk in np.unique(k):
        m = k == kk
        e, rr, vv = recs[int(kk)].sgp4_array(jd1[m], jd2[m])
        jd = jd1[m] + jd2[m]
        decay = sat.decay_jd(int(kk), float(jd.max()))
        if decay is not None:
            e = np.where(jd >= decay, 6, e)
        bad = e != 0
        rr[bad] = np.nan
        vv[bad] = np.nan
        r[m], v[m], err[m] = rr, vv, e
    return r, v, err


def argument_of_latitude_deg(r: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Angle (0..360) from the ascending node to the position, in the osculating plane of
    ``r``, ``v`` ``(..., 3)`` (any frame sharing the Earth's z axis, e.g. TEME)."""
    h = np.cross(r, v)
    hn = np.linalg.norm(h, axis=-1)
    y = r[..., 2] * hn
    x = -h[..., 1] * r[..., 0] + h[..., 0] * r[..., 1]
    return np.degrees(np.arctan2(y, x)) % 360.0


def _node_step(sat: Satellite) -> float:
    """Default sampling step of the node search: 300 s or a twentieth of the period."""
    return min(300.0, min(e.period_minutes for e in sat.elements) * 60.0 / 20.0)


def node_crossings(sat: Satellite, window: Window, *, step_s: float | None = None) -> NodeCrossings:
    """Node crossings of the propagated orbit over ``window``, switching element sets.

    The window is cut where the nearest set changes (the midpoint between two epochs); in
    each piece only that piece's set is propagated, sampled every ``step_s`` (default: 300 s
    or a twentieth of the period) and the sign changes of z are refined to 1 ms (Illinois
    method). Where two sets take over from one another the phase is joined continuously
    (their arguments of latitude differ by a fraction of a degree): a node that one set
    has passed and the other has not is counted once.
    """
    period_s = min(e.period_minutes for e in sat.elements) * 60.0
    step = step_s or _node_step(sat)
    base_whole, base_frac = window.base_jd
    base = base_whole + base_frac
    epochs_t = (sat.epochs_jd - base) * SECONDS_PER_DAY
    switches = (epochs_t[1:] + epochs_t[:-1]) / 2.0  # set k serves [switch k-1, switch k)
    bounds = np.concatenate(([-np.inf], switches, [np.inf]))
    span = window.span_s
    seg_set, seg_lo, seg_hi = [], [], []
    for k in range(len(sat.elements)):
        lo, hi = max(bounds[k], 0.0), min(bounds[k + 1], span)
        if hi > lo or (hi == lo and span == 0.0):
            seg_set.append(k)
            seg_lo.append(lo)
            seg_hi.append(hi)
    seg_set_a = np.array(seg_set)
    # samples: each piece's own grid, both ends included
    times, owner = [], []
    for s, (lo, hi) in enumerate(zip(seg_lo, seg_hi, strict=True)):
        n = max(2, math.ceil((hi - lo) / step) + 1)
        times.append(np.linspace(lo, hi, n))
        owner.append(np.full(n, s))
    ts = np.concatenate(times)
    own = np.concatenate(owner)
    ks = seg_set_a[own]
    jd1, jd2 = window.jd(ts)
    r, v, _ = _set_states(sat, jd1, jd2, ks)
    z = r[:, 2]

    def f(t, idx):
        j1, j2 = window.jd(t)
        return _set_states(sat, j1, j2, idx)[0][:, 2]

    same = own[1:] == own[:-1]
    up = same & (z[:-1] < 0.0) & (z[1:] >= 0.0)
    down = same & (z[:-1] >= 0.0) & (z[1:] < 0.0)
    j = np.flatnonzero(up | down)
    t_cross = events.bracketed_root(
        f, ts[j], ts[j + 1], ks[j], tol=NODE_TOL_S, f_lo=z[j], f_hi=z[j + 1]
    )
    asc = up[j]
    k_cross = ks[j]
    switch = np.zeros(len(j), dtype=bool)

    # joins between consecutive pieces: continuous phase
    gaps = []
    add_t, add_k = [], []
    drop: set[int] = set()
    first_of = np.flatnonzero(np.r_[True, own[1:] != own[:-1]])
    for s in range(1, len(seg_set)):
        a, b = first_of[s] - 1, first_of[s]  # last sample of piece s-1, first of piece s
        ua = argument_of_latitude_deg(r[a], v[a])
        ub = argument_of_latitude_deg(r[b], v[b])
        if not (np.isfinite(ua) and np.isfinite(ub)):
            continue
        delta = (ub - ua + 180.0) % 360.0 - 180.0
        gaps.append(delta)
        if ua + delta >= 360.0:  # neither piece saw this node: it happened at the switch
            add_t.append(ts[b])
            add_k.append(seg_set_a[s])
        elif ua + delta < 0.0:  # both pieces saw it: keep the one nearer the switch's past
            near = np.flatnonzero(asc & (np.abs(t_cross - ts[b]) < period_s / 2.0))
            if len(near):
                later = near[np.argmax(t_cross[near])]
                drop.add(int(later))
    keep = np.ones(len(j), dtype=bool)
    keep[list(drop)] = False
    t_all = np.concatenate((t_cross[keep], np.array(add_t, dtype=float)))
    asc_all = np.concatenate((asc[keep], np.ones(len(add_t), dtype=bool)))
    k_all = np.concatenate((k_cross[keep], np.array(add_k, dtype=np.int64)))
    sw_all = np.concatenate((switch[keep], np.ones(len(add_t), dtype=bool)))
    good = np.isfinite(t_all)
    order = np.argsort(t_all[good], kind="stable")
    t_all, asc_all = t_all[good][order], asc_all[good][order]
    k_all, sw_all = k_all[good][order], sw_all[good][order]
    lon = _node_longitude(sat, window, t_all, k_all)
    return NodeCrossings(window, t_all, asc_all, k_all, lon, sw_all, np.array(gaps))


def _node_longitude(sat: Satellite, window: Window, t_s: np.ndarray, k: np.ndarray):
    if not len(t_s):
        return np.zeros(0)
    jd1, jd2 = window.jd(t_s)
    r, _, _ = _set_states(sat, jd1, jd2, k)
    r_fixed = rotate_z(r, gmst82_rad(jd1, jd2))
    return np.degrees(np.arctan2(r_fixed[:, 1], r_fixed[:, 0]))


# ------------------------------------------------------------------------ orbit counts
def period_minutes(sat: Satellite) -> float:
    return float(np.median([e.period_minutes for e in sat.elements]))


def carried_rev_modulus(sat: Satellite, k: int) -> int:
    """The modulus of the revolution number set ``k`` carries: 100000 for standard sets,
    :data:`NASA_REV_MODULUS` for NASA-published ones (placeholder drag terms)."""
    e = sat.elements[k]
    nasa = math.isclose(e.ndot, _NASA_NDOT, rel_tol=1e-6) and math.isclose(
        e.bstar, _NASA_BSTAR, rel_tol=1e-4
    )
    return NASA_REV_MODULUS if nasa else NORAD_REV_MODULUS


# ------------------------------------------------------------- propagation failures
@dataclass(frozen=True)
class FailedStretch:
    """A stretch where SGP4 cannot propagate: from ``start`` to ``end`` (the first and last
    failing instants, to a millisecond), with sgp4's error ``code``."""

    start: datetime
    end: datetime
    code: int

    @property
    def message(self) -> str:
        return SGP4_ERRORS.get(self.code, "sgp4 error")

    def as_dict(self) -> dict:
        return {
            "start": iso_z(self.start, 0),
            "end": iso_z(self.end, 0),
            "code": self.code,
            "message": self.message,
        }


def valid_span(eph: Ephemeris, t_s) -> tuple[np.ndarray, np.ndarray]:
    """The run of propagated grid samples of ``eph`` around each of ``t_s`` (seconds from
    its start; each inside such a run): its first and last times, kept a microsecond inside
    where a failure lies beyond (exactly on the grid point, the interpolation may take the
    failed interval next to it). A pass cut by an sgp4 failure ends there."""
    runs = np.array(events.runs(eph.ok), dtype=np.int64).reshape(-1, 2)
    if not len(runs):
        raise _nowhere(eph.satellite, eph.window, eph.error.tolist())
    nudge = 1e-6 * eph.step_s
    lo = eph.t_s[runs[:, 0]] + np.where(runs[:, 0] > 0, nudge, 0.0)
    hi = eph.t_s[runs[:, 1] - 1] - np.where(runs[:, 1] < len(eph.t_s), nudge, 0.0)
    t = np.asarray(t_s, dtype=float)
    r = np.clip(np.searchsorted(lo, t, side="right") - 1, 0, len(runs) - 1)
    return lo[r], hi[r]


def _errors(sat: Satellite, window: Window, t_s: np.ndarray) -> np.ndarray:
    jd1, jd2 = window.jd(t_s)
    return _set_states(sat, jd1, jd2, sat.select(jd1 + jd2))[2]


def propagation_map(
    sat: Satellite, window: Window, *, step_s: float | None = None
) -> tuple[list[tuple[float, float]], list[tuple[float, float, int]]]:
    """Where SGP4 propagates over ``window``, and where it fails.

    Sampled every ``step_s`` (default: the node search's step) with the nearest set at each
    instant (as :meth:`Satellite.select`); each change between propagating and failing is
    bisected down to ``step_s / 2**20`` (0.3 ms for the ISS). Returns ``(valid, failed)``:
    ``valid`` a list of ``(start_s, end_s)``, ``failed`` a list of ``(start_s, end_s,
    code)``, seconds from the window start, in time order; each stretch runs from its first
    to its last instant of that kind.
    """
    t = window.grid(step_s or _node_step(sat))
    err = _errors(sat, window, t)
    bad = err != 0
    if not bad.any():
        return [(0.0, window.span_s)], []
    j = np.flatnonzero(bad[1:] != bad[:-1])
    a, b = t[j], t[j + 1]
    side_a = bad[j]
    for _ in range(FAILURE_BISECTIONS):
        m = (a + b) / 2.0
        on_a = (_errors(sat, window, m) != 0) == side_a
        a, b = np.where(on_a, m, a), np.where(on_a, b, m)
    last_before = dict(zip(j.tolist(), a.tolist(), strict=True))  # run ending at grid j
    first_after = dict(zip((j + 1).tolist(), b.tolist(), strict=True))  # run from j + 1

    def edges(i0: int, i1: int) -> tuple[float, float]:
        start = float(t[0]) if i0 == 0 else first_after[i0]
        end = float(t[-1]) if i1 == len(t) else last_before[i1 - 1]
        return start, end

    valid = [edges(i0, i1) for i0, i1 in events.runs(~bad)]
    failed = [
        (*edges(i0, i1), int(np.bincount(err[i0:i1]).argmax()))
        for i0, i1 in events.runs(bad)
    ]
    return valid, failed


def _nowhere(sat: Satellite, window: Window, codes: list[int]) -> PropagationError:
    """The error for a window in which SGP4 propagates nowhere (as
    :meth:`Ephemeris.require_some_valid` words it)."""
    code = int(np.bincount(codes).argmax()) if codes else 0
    return PropagationError(
        f"SGP4 cannot propagate {sat.name} anywhere from {iso_z(window.start, 0)} to "
        f"{iso_z(window.end, 0)}: {SGP4_ERRORS.get(code, 'error')} (sgp4 error {code})"
    )


def propagation_failures(
    sat: Satellite, window: Window, *, step_s: float | None = None
) -> list[FailedStretch]:
    """The stretches of ``window`` where SGP4 fails (see :func:`propagation_map`), in time
    order; empty when it propagates everywhere. Raises
    :class:`~zarya.errors.PropagationError` when it fails over the whole window."""
    valid, failed = propagation_map(sat, window, step_s=step_s)
    if not valid:
        raise _nowhere(sat, window, [code for _, _, code in failed])
    return [FailedStretch(window.instant(a), window.instant(b), code) for a, b, code in failed]


def _crossings_where_valid(
    sat: Satellite, window: Window, valid: list[tuple[float, float]], step_s: float | None
) -> NodeCrossings:
    """Node crossings over the stretches of ``window`` where SGP4 propagates, in the
    window's time frame (each stretch searched on its own, both ends included)."""
    if valid == [(0.0, window.span_s)]:
        return node_crossings(sat, window, step_s=step_s)
    parts = []
    for a, b in valid:
        if b > a:
            parts.append((a, node_crossings(sat, Window(window.instant(a), b - a), step_s=step_s)))
    if not parts:
        empty = np.zeros(0)
        return NodeCrossings(
            window, empty, empty.astype(bool), empty.astype(np.int64), empty,
            empty.astype(bool),
        )
    return NodeCrossings(
        window,
        np.concatenate([p.t_s + a for a, p in parts]),
        np.concatenate([p.ascending for _, p in parts]),
        np.concatenate([p.set_index for _, p in parts]),
        np.concatenate([p.lon_deg for _, p in parts]),
        np.concatenate([p.at_switch for _, p in parts]),
        np.concatenate([p.switch_gap_deg for _, p in parts]),
    )


# ------------------------------------------------------------------ revolution numbers
def _choose_anchor(sat: Satellite, used: np.ndarray, start_jd: float, end_jd: float) -> int:
    """The set whose carried revolution number the count is numbered from.

    The earliest standard set used; else the standard set of the history nearest to the
    window that can be reached through sets at most :data:`ANCHOR_MAX_GAP_DAYS` apart (the
    nodes in between are counted on the propagated orbit); else (only NASA-format sets
    within reach, numbered modulo 4000) the earliest set used.
    """
    standard = [
        k for k in range(len(sat.elements)) if carried_rev_modulus(sat, k) == NORAD_REV_MODULUS
    ]
    inside = [k for k in used.tolist() if k in standard]
    if inside:
        return int(inside[0])
    epochs = sat.epochs_jd
    lo_used, hi_used = float(epochs[used].min()), float(epochs[used].max())

    def distance(k: int) -> float:
        return max(start_jd - epochs[k], epochs[k] - end_jd, 0.0)

    for k in sorted(standard, key=distance):
        a, b = min(epochs[k], lo_used), max(epochs[k], hi_used)
        between = epochs[(epochs >= a) & (epochs <= b)]
        if len(between) < 2 or float(np.max(np.diff(between))) <= ANCHOR_MAX_GAP_DAYS:
            return int(k)
    return int(used[0])


@dataclass(frozen=True)
class SetCheck:
    """How one element set's carried revolution number agrees with the count.

    ``predicted`` is the revolution in progress at the set's epoch, counted from the
    anchor set's number (unwrapped, so it may pass 100000); ``carried`` what the set says
    (modulo ``modulus``); ``difference`` = carried - predicted reduced to the nearest
    multiple of the modulus; ``node_s`` how far the epoch is from the nearest ascending node
    (seconds; an epoch right on a node makes the revolution in progress ambiguous).
    ``is_anchor``: this is the anchor itself (its difference is 0 by construction, not a
    check). ``predicted`` and ``difference`` are None where SGP4 fails somewhere between
    the anchor's epoch and this set's (the nodes there cannot be counted: not checked).
    ``serves_from``/``serves_to``/``farthest_days``: the part of the window in which this
    set is the nearest and how far from its epoch that reaches (None for a set that serves
    no part of it, such as an anchor outside the window).
    """

    index: int
    epoch: datetime
    carried: int
    modulus: int
    predicted: int | None
    difference: int | None
    node_s: float
    serves_from: datetime | None
    serves_to: datetime | None
    farthest_days: float | None
    is_anchor: bool = False

    @property
    def checked(self) -> bool:
        return not self.is_anchor and self.difference is not None

    @property
    def note(self) -> str:
        """Plain words for the difference."""
        if self.is_anchor:
            return "anchor"
        if self.difference is None or self.predicted is None:
            return "not checked (SGP4 fails between this set and the anchor)"
        if self.difference == 0:
            return "agrees"
        wrapped = self.modulus == NORAD_REV_MODULUS and self.predicted >= NORAD_REV_MODULUS
        if self.difference == 1 and wrapped:
            return "+1 after the 100000 wrap"
        if abs(self.difference) == 1 and self.node_s <= EPOCH_ON_NODE_S:
            return f"{self.difference:+d}, epoch on a node"
        return f"off by {self.difference:+d}"


@dataclass(frozen=True)
class OrbitCount:
    """Revolutions between two instants, from ascending-node crossings.

    ``count``: ascending nodes in ``[start, end]``; ``revolutions``: the exact number of
    turns (count corrected by the arguments of latitude at both ends); ``first``/``last``:
    the first and last crossing (None when there is none); ``checks``: one
    :class:`SetCheck` per set used, per set whose epoch lies in the window, and for the
    anchor; ``anchor``: index of the set whose carried number the others are checked
    against (a standard set whenever one is within reach, see :func:`count_orbits`);
    ``rev_modulus``: the anchor's modulus, 100000 when the revolution numbers are NORAD's
    (absolute), :data:`NASA_REV_MODULUS` when only NASA-format sets were within reach
    (``rev_at_*`` are then only meaningful modulo 4000);
    ``rev_at_start``/``rev_at_end``: the revolution in progress at the start and end of
    what was counted, numbered from the anchor's carried number (unwrapped: 100005 is what
    a five-digit set prints as 5); None where SGP4 fails between the anchor's epoch and
    that instant.

    Where SGP4 fails for part of the window (decay), ``failures`` lists those stretches
    (clipped to the window), ``counted`` the stretches that were counted, and every number
    above covers only ``counted`` (``complete`` is False).
    """

    start: datetime
    end: datetime
    count: int
    revolutions: float
    first: datetime | None
    last: datetime | None
    crossings: NodeCrossings
    checks: list[SetCheck]
    anchor: int
    rev_at_start: int | None
    rev_at_end: int | None
    warnings: list[str]
    rev_modulus: int = NORAD_REV_MODULUS
    counted: list[tuple[datetime, datetime]] = field(default_factory=list)
    failures: list[FailedStretch] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.failures

    @property
    def absolute(self) -> bool:
        """Whether ``rev_at_*`` are NORAD's absolute revolution numbers."""
        return self.rev_modulus == NORAD_REV_MODULUS


def count_orbits(sat: Satellite, window: Window, *, step_s: float | None = None) -> OrbitCount:
    """Count revolutions over ``window`` and cross-check the revolution numbers carried.

    Crossings are found over the window widened to the epochs of the sets used (and of
    the anchor), so that every set's carried number can be compared: for each, the number
    predicted from the anchor plus the ascending nodes between the two epochs. The anchor
    is the earliest standard set used; when the window is served only by NASA-format sets
    (whose numbers are modulo 4000), the nearest standard set of the history, counting the
    nodes in between on the propagated orbit; when there is none within reach
    (:data:`ANCHOR_MAX_GAP_DAYS`), the numbers stay modulo 4000 (``rev_modulus``) and a
    warning says so. A set whose epoch is exactly on a node may disagree by one
    revolution; so do sources that start a revolution at a slightly different instant.

    Where SGP4 fails (a decayed object), nothing is counted: the count covers the
    stretches where it propagates, each failure gets a warning, and revolution numbers
    across a failure are unknown (None). Raises :class:`~zarya.errors.PropagationError`
    when SGP4 fails over the whole window.
    """
    whole, frac = window.base_jd
    start_jd, end_jd = whole + frac, whole + frac + window.span_s / SECONDS_PER_DAY
    probe = np.linspace(start_jd, end_jd, max(2, int(window.span_s / 600.0) + 1))
    used = np.unique(sat.select(probe))
    epochs = sat.epochs_jd
    inside = np.flatnonzero((epochs >= start_jd) & (epochs <= end_jd))
    used = np.unique(np.concatenate((used, inside)))
    anchor = _choose_anchor(sat, used, start_jd, end_jd)
    listed = np.unique(np.append(used, anchor))
    # the widened window, in seconds from the earlier of the window's start and the first
    # epoch; the window itself is [lo, hi] in it, to the microsecond
    lead_s = max(0.0, (start_jd - float(epochs[listed].min())) * SECONDS_PER_DAY)
    ext_start = window.start - timedelta(seconds=lead_s)
    trail_s = max(0.0, (float(epochs[listed].max()) - end_jd) * SECONDS_PER_DAY)
    lo = (window.start - ext_start).total_seconds()
    hi = lo + window.span_s
    ext = Window(ext_start, hi + trail_s)
    ext_lo = sum(ext.base_jd)
    valid, failed = propagation_map(sat, ext, step_s=step_s)
    nodes = _crossings_where_valid(sat, ext, valid, step_s)
    t_asc = nodes.ascending_times()
    spans = [(max(a, lo), min(b, hi)) for a, b in valid if min(b, hi) > max(a, lo)]
    def at(t: float) -> datetime:  # the window's own start and end at its edges
        return window.start if t <= lo else window.end if t >= hi else window.instant(t - lo)

    failures = [
        FailedStretch(at(max(a, lo)), at(min(b, hi)), code)
        for a, b, code in failed
        if min(b, hi) >= max(a, lo)
    ]
    if not spans:
        raise _nowhere(sat, window, [f.code for f in failures])
    counted_mask = np.zeros(len(t_asc), dtype=bool)
    for a, b in spans:
        counted_mask |= (t_asc >= a) & (t_asc <= b)
    in_window = t_asc[counted_mask]
    count = len(in_window)
    # exact turns: count + (u_end - u_start) / 360 over each stretch counted
    ends = np.array(spans, dtype=float).ravel()
    j1, j2 = ext.jd(ends)
    r, v, _ = _set_states(sat, j1, j2, sat.select(j1 + j2))
    u = argument_of_latitude_deg(r, v).reshape(-1, 2)
    fraction = np.where(np.isfinite(u).all(axis=1), u[:, 1] - u[:, 0], 0.0)
    revolutions = count + float(np.sum(fraction)) / 360.0
    first = ext.instant(in_window[0]) if count else None
    last = ext.instant(in_window[-1]) if count else None

    # carried revolution numbers
    t_epoch = (epochs - ext_lo) * SECONDS_PER_DAY

    def revs_done(t: float) -> int:
        """Ascending nodes up to ``t`` (a node within EPOCH_ON_NODE_S after it counts)."""
        return int(np.searchsorted(t_asc, t + EPOCH_ON_NODE_S, side="right"))

    def joined(t1: float, t2: float) -> bool:
        """No SGP4 failure between the two instants: the nodes between can be counted."""
        a, b = min(t1, t2), max(t1, t2)
        return not any(fa <= b and fb >= a for fa, fb, _ in failed)

    anchor_rev = sat.elements[anchor].rev_number
    rev_modulus = carried_rev_modulus(sat, anchor)

    def numbered(t: float) -> int | None:
        if not joined(t_epoch[anchor], t):
            return None
        return anchor_rev + revs_done(t) - revs_done(t_epoch[anchor])

    checks = []
    for k in listed.tolist():
        e = sat.elements[k]
        modulus = carried_rev_modulus(sat, k)
        predicted = numbered(t_epoch[k])
        diff = None
        if predicted is not None:
            diff = (e.rev_number - predicted) % modulus
            diff = int(diff - modulus if diff > modulus // 2 else diff)
        near = float(np.min(np.abs(t_asc - t_epoch[k]))) if len(t_asc) else math.inf
        served = _served(sat, k, ext_lo, ext_lo + ext.span_s / SECONDS_PER_DAY)
        lo_k, hi_k = max(served[0], start_jd), min(served[1], end_jd)
        serves = hi_k >= lo_k
        far = max(abs(lo_k - epochs[k]), abs(hi_k - epochs[k])) if serves else None
        checks.append(
            SetCheck(
                k, e.epoch, e.rev_number, modulus, predicted, diff, near,
                datetime_of(lo_k, 0.0) if serves else None,
                datetime_of(hi_k, 0.0) if serves else None,
                far, k == anchor,
            )
        )
    warnings = []
    for f in failures:
        warnings.append(
            f"SGP4 failed from {iso_z(f.start, 0)} to {iso_z(f.end, 0)} ({f.message}, error "
            f"{f.code}): no nodes counted there"
        )
    if failures:
        hours = sum(b - a for a, b in spans) / 3600.0
        where = (
            ", ".join(f"{iso_z(at(a), 0)} to {iso_z(at(b), 0)}" for a, b in spans)
            if len(spans) <= 3
            else f"the {len(spans)} stretches where SGP4 propagates"
        )
        warnings.append(
            f"the count covers only {where} ({hours:.1f} of the window's "
            f"{window.span_s / 3600.0:.1f} hours)"
        )
    warnings += _far_warnings(sat, probe)
    big = np.flatnonzero(np.abs(nodes.switch_gap_deg) > 1.0)
    if len(big):
        worst = float(np.max(np.abs(nodes.switch_gap_deg)))
        warnings.append(
            f"at {len(big)} switch(es) from one element set to the next the two disagree by "
            f"more than 1 degree along the orbit (up to {worst:.1f} degrees, "
            f"{worst / 360.0 * period_minutes(sat):.1f} minutes): the count holds while they "
            "disagree by less than half a turn"
        )
    if rev_modulus != NORAD_REV_MODULUS:
        warnings.append(
            f"no standard element set within reach: revolution numbers are those of the "
            f"NASA-format set of {iso_z(sat.elements[anchor].epoch, 0)}, modulo "
            f"{rev_modulus} (the absolute revolution number is unknown)"
        )
    at_start = numbered(spans[0][0])
    at_end = numbered(spans[-1][1])
    if at_start is None or at_end is None:
        warnings.append(
            "SGP4 fails between the epoch of the set the revolutions are numbered from "
            f"({iso_z(sat.elements[anchor].epoch, 0)}) and the start or end of the count: "
            "the revolution numbers cannot be counted across the failure (unknown)"
        )
    return OrbitCount(
        window.start, window.end, count, float(revolutions), first, last, nodes, checks,
        anchor, at_start, at_end, warnings, rev_modulus,
        [(at(a), at(b)) for a, b in spans], failures,
    )


def _served(sat: Satellite, k: int, lo_jd: float, hi_jd: float) -> tuple[float, float]:
    """The span (JD) in which set ``k`` is the nearest, clipped to ``[lo_jd, hi_jd]``."""
    ep = sat.epochs_jd
    a = (ep[k - 1] + ep[k]) / 2.0 if k > 0 else -math.inf
    b = (ep[k] + ep[k + 1]) / 2.0 if k + 1 < len(ep) else math.inf
    return max(a, lo_jd), min(b, hi_jd)


def _far_warnings(sat: Satellite, probe_jd: np.ndarray) -> list[str]:
    """One warning per stretch where the nearest set is more than FAR_SET_DAYS away."""
    age = np.abs(sat.age_days(probe_jd))
    out = []
    for a, b in events.runs(age > FAR_SET_DAYS):
        out.append(
            f"from {iso_z(datetime_of(probe_jd[a], 0.0), 0)} to "
            f"{iso_z(datetime_of(probe_jd[b - 1], 0.0), 0)} the nearest element set is more "
            f"than {FAR_SET_DAYS:g} days away (up to {age[a:b].max():.1f}): node times there "
            "may be off by seconds to minutes"
        )
    return out


# ------------------------------------------------------------------------- overflights
@dataclass(frozen=True)
class Overflight:
    """The ground track's closest approach to a place.

    ``distance_km`` from the place to the sub-point (great circle, mean sphere); ``side``
    "left" or "right" of the track, looking along the direction of motion; ``ascending``
    True when the sub-point moves north; ``heading_deg`` the track's direction (degrees
    from north); ``elevation_deg`` the satellite's elevation seen from the place.
    """

    time: datetime
    distance_km: float
    side: str
    ascending: bool
    heading_deg: float
    lat_deg: float
    lon_deg: float
    alt_km: float
    elevation_deg: float
    observer_index: int = 0

    @property
    def direction(self) -> str:
        return "ascending" if self.ascending else "descending"

    def as_dict(self) -> dict:
        return {
            "time": iso_z(self.time),
            "distance_km": round(self.distance_km, 2),
            "side": self.side,
            "direction": self.direction,
            "heading_deg": round(self.heading_deg, 2),
            "subpoint": {
                "lat_deg": round(self.lat_deg, 4),
                "lon_deg": round(self.lon_deg, 4),
                "alt_km": round(self.alt_km, 2),
            },
            "elevation_deg": round(self.elevation_deg, 2),
        }


def check_radius(radius_km) -> np.ndarray:
    r = np.atleast_1d(np.asarray(radius_km, dtype=float))
    bad = ~((r > 0.0) & (r <= math.pi * EARTH_MEAN_RADIUS_KM))
    if bad.any():
        value = float(r[np.flatnonzero(bad)[0]])
        raise ObserverError(
            f"--radius-km {value:g} is impossible: expected a distance above 0 and at most "
            f"{math.pi * EARTH_MEAN_RADIUS_KM:.0f} km (half the Earth's circumference)"
        )
    return r


def find_overflights(
    eph: Ephemeris, observers: Observer | list[Observer] | Observers, radius_km
) -> list[list[Overflight]]:
    """Closest approaches of the ground track within ``radius_km`` of each observer.

    ``radius_km``: a scalar or one value per observer (km, > 0). For each observer, every
    local minimum of the distance from the sub-point, refined to 0.01 s (golden section on
    the Hermite-interpolated ephemeris), kept when within the radius and strictly inside
    the window. Returns a list per observer, in time order.
    """
    obs = Observers.of(observers)
    radius = np.broadcast_to(check_radius(radius_km), (len(obs),))
    angle_max = radius / EARTH_MEAN_RADIUS_KM
    out: list[list[Overflight]] = [[] for _ in range(len(obs))]
    P = unit_vectors(obs.lat_deg, obs.lon_deg)  # (N, 3)
    lat, lon, _ = subpoints(eph.r_km)
    U = unit_vectors(lat, lon)  # (T, 3), NaN where SGP4 failed
    C = P @ U.T  # cos of the angle, (N, T)
    n, k = events.sampled_maxima(C)
    slack = eph.max_ground_speed_rad_s() * eph.step_s * 1.2 + 1e-3
    near = np.arccos(np.clip(C[n, k], -1.0, 1.0)) <= angle_max[n] + slack
    n, k = n[near], k[near]
    if not len(n):
        return out
    T = len(eph.t_s)

    def closeness(t, idx):
        la, lo, _ = subpoints(eph.position(t))
        return np.einsum("ij,ij->i", unit_vectors(la, lo), P[idx])

    lo = eph.t_s[np.maximum(k - 1, 0)]
    hi = eph.t_s[np.minimum(k + 1, T - 1)]
    t_best, _ = events.golden_maximum(closeness, lo, hi, n, tol=APPROACH_TOL_S)
    interior = (t_best > 0.0) & (t_best < eph.window.span_s) & eph.valid(t_best)
    n, t_best = n[interior], t_best[interior]
    r = eph.position(t_best)
    v = eph.velocity(t_best)
    la, lo_, alt = subpoints(r)
    dist = EARTH_MEAN_RADIUS_KM * central_angle_rad(unit_vectors(la, lo_), P[n])
    keep = dist <= radius[n]
    n, t_best, r, v, la, lo_, alt, dist = (
        a[keep] for a in (n, t_best, r, v, la, lo_, alt, dist)
    )
    # direction of motion over the ground, in the sub-point's east/north
    phi, lam = np.radians(la), np.radians(lo_)
    east = np.stack((-np.sin(lam), np.cos(lam), np.zeros_like(lam)), axis=-1)
    north = np.stack(
        (-np.sin(phi) * np.cos(lam), -np.sin(phi) * np.sin(lam), np.cos(phi)), axis=-1
    )
    ve = np.einsum("ij,ij->i", v, east)
    vn = np.einsum("ij,ij->i", v, north)
    heading = np.degrees(np.arctan2(ve, vn)) % 360.0
    rel = (bearing_deg(la, lo_, obs.lat_deg[n], obs.lon_deg[n]) - heading) % 360.0
    _, el, _, _ = obs.look(r, n)
    order = np.lexsort((t_best, n))
    for i in order:
        out[int(n[i])].append(
            Overflight(
                eph.window.instant(t_best[i]),
                float(dist[i]),
                "right" if rel[i] < 180.0 else "left",
                bool(vn[i] > 0.0),
                float(heading[i]),
                float(la[i]),
                float(lo_[i]),
                float(alt[i]),
                float(el[i]),
                int(n[i]),
            )
        )
    return out
