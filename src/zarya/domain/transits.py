"""Transits: the satellite crossing the Sun or the Moon, and where on the ground to stand.

Seen from a place, the satellite passes closest to the body's centre once per pass; a
*transit* is when that closest separation is under the body's angular radius (it crosses the
disc), a *near miss* when it is under the radius plus a margin. The *centre line* is where
on the ground the satellite crosses the body's very centre: at each instant, the point where
the line from the body through the satellite, continued, meets the WGS84 ellipsoid. Its
point nearest the observer tells where to drive; around it lies the *strip* from which the
satellite is seen on the disc, as wide as the body's angular diameter seen at the
satellite's distance, spread by the slant of the line of sight across the ground.

Directions: the satellite geometric (as Skyfield gives ``(sat - topos).at(t)``; its light
time of 1-5 ms would move events by that much), the bodies apparent (:mod:`zarya.engine.moon`).
Refraction lifts the satellite and the body alike (the same direction): it changes their
altitudes as shown, not their separation. The Sun must be above the horizon (its centre's
apparent altitude above 0), the Moon above it and lit (at least
:data:`MIN_MOON_ILLUMINATION` of its disc).

Times are found on a 1-second scan of every stretch when the satellite can be in front of
the body for someone within reach, then refined to 10 microseconds (golden section).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from ..engine import search
from ..engine.ephemeris import Ephemeris
from ..engine.frames import enu_basis, geodetic_to_itrs, gmst82_rad, itrs_to_geodetic, rotate_z
from ..engine.look import Observer, refraction_deg
from ..engine.moon import BODY_RADIUS_KM, moon_teme_km, topocentric_apparent
from ..engine.sun import sun_teme_km
from ..errors import OptionError, param, shown
from .geodesy import bearing_deg, central_angle_rad, ground_distance_km

__all__ = [
    "BODIES",
    "ISS_SPAN_M",
    "MAX_TRANSIT_DAYS",
    "MIN_MOON_ILLUMINATION",
    "Transit",
    "TransitOptions",
    "centre_lines",
    "body_ever_up",
    "check_reach",
    "find_transits",
    "sky_path",
]

FloatArray = NDArray[np.float64]
BODIES = ("sun", "moon")
ISS_SPAN_M = 108.5  # the integrated truss, end to end (NASA ISS facts and figures)
MIN_MOON_ILLUMINATION = 0.05
MAX_RADIUS_KM = 3000.0  # beyond any low orbit's reach (check_reach names the satellite's)
MAX_TRANSIT_DAYS = 62.0  # two months: about 0.1 s of work a day and body
_A_KM, _B_KM = 6378.137, 6356.752314245
_SCAN_S = 1.0
_TOL_S = 1e-5
_ARCSEC = 1.0 / 3600.0


@dataclass(frozen=True)
class TransitOptions:
    """``body``: ``sun`` or ``moon``; ``radius_km``: also list transits whose centre line
    passes within this distance (0 to 3000 km: check_reach also holds it to the satellite's
    reach); ``margin_deg``: list near misses whose
    closest separation is within this much of the disc's edge (0 to 180; 180 lists every
    closest approach); ``dut1_s``: UT1 - UTC (0 unless IERS data are given)."""

    body: str = "sun"
    radius_km: float = 0.0
    margin_deg: float = 0.5
    dut1_s: float = 0.0

    def __post_init__(self) -> None:
        if self.body not in BODIES:
            raise OptionError(f"{param('body')} {shown(self.body)} is not a body: expected sun "
                              "or moon", parameter="body", value=self.body, choices=BODIES)
        if not (math.isfinite(self.radius_km) and 0.0 <= self.radius_km <= MAX_RADIUS_KM):
            raise OptionError(
                f"{param('radius_km')} {shown(self.radius_km)} is impossible: expected 0 to "
                f"{MAX_RADIUS_KM:g} km", parameter="radius_km", value=self.radius_km,
                low=0.0, high=MAX_RADIUS_KM)
        if not (math.isfinite(self.margin_deg) and 0.0 <= self.margin_deg <= 180.0):
            raise OptionError(
                f"{param('margin_deg')} {shown(self.margin_deg)} is impossible: expected 0 "
                "to 180 degrees", parameter="margin_deg", value=self.margin_deg,
                low=0.0, high=180.0)


@dataclass(frozen=True)
class Transit:
    """One crossing (or near miss) of the body by the satellite.

    The centre line's point nearest the observer: ``time`` (central transit there, UTC),
    ``centre_lat_deg``/``centre_lon_deg``, ``distance_km`` and ``bearing_deg`` from the
    observer, ``duration_s`` on the disc there, ``strip_width_km`` (where the satellite is
    seen on the disc, across the line). From the observer: ``observer_time`` of the
    closest approach, ``separation_deg`` then, ``on_disc``, ``observer_duration_s`` (0 when
    not on the disc), the body's ``body_alt_deg`` (apparent, refracted) and
    ``body_az_deg``, the satellite's ``sat_alt_deg``, ``sat_az_deg``, ``range_km`` and
    angular size ``sat_size_arcsec`` (:data:`ISS_SPAN_M` across). The body's angular
    radius ``body_radius_deg``; the Moon's illuminated fraction ``moon_illumination``.
    ``kind``: ``transit`` (on the disc from here), ``near miss``, or ``nearby`` (its centre
    line within the radius asked). ``t_s``: seconds from the window start of ``time``,
    ``observer_t_s`` of ``observer_time``.
    """

    body: str
    kind: str
    time: datetime
    t_s: float
    centre_lat_deg: float
    centre_lon_deg: float
    distance_km: float
    bearing_deg: float
    duration_s: float
    strip_width_km: float
    observer_time: datetime
    observer_t_s: float
    separation_deg: float
    on_disc: bool
    observer_duration_s: float
    body_radius_deg: float
    body_alt_deg: float
    body_az_deg: float
    sat_alt_deg: float
    sat_az_deg: float
    range_km: float
    sat_size_arcsec: float
    moon_illumination: float | None = None
    centre_line: FloatArray = field(default_factory=lambda: np.zeros((0, 3)), repr=False,
                                    compare=False)


class _Sky:
    """The satellite and the body at any time of a window (seconds from its start): the
    satellite from an ephemeris on a 10 s grid (Hermite, sub-millimetre), the body
    apparent in TEME on 10-minute nodes interpolated (under 0.02 arcsecond) and turned to the
    Earth-fixed frame at the very instant."""

    def __init__(self, eph: Ephemeris, body: str, dut1_s: float) -> None:
        self.eph, self.body, self.dut1_s = eph, body, dut1_s
        w = eph.window
        self.nodes = np.arange(-600.0, w.span_s + 1200.0, 600.0)
        jd1, jd2 = w.jd(self.nodes)
        teme = moon_teme_km if body == "moon" else sun_teme_km
        self.body_teme = teme(jd1, jd2)
        self.sun_teme = self.body_teme if body == "sun" else sun_teme_km(jd1, jd2)

    def _interp(self, table: FloatArray, t: FloatArray) -> FloatArray:
        return np.stack([np.interp(t, self.nodes, table[:, k]) for k in range(3)], axis=-1)

    def _gmst(self, t: FloatArray) -> FloatArray:
        jd1, jd2 = self.eph.window.jd(t)
        return gmst82_rad(jd1, jd2, self.dut1_s)

    def at(self, t: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Satellite and body (geocentric apparent), Earth-fixed km, ``(T, 3)`` each."""
        t = np.atleast_1d(np.asarray(t, dtype=float))
        return self.eph.position(t), rotate_z(self._interp(self.body_teme, t), self._gmst(t))

    def sun(self, t: FloatArray) -> FloatArray:
        t = np.atleast_1d(np.asarray(t, dtype=float))
        return rotate_z(self._interp(self.sun_teme, t), self._gmst(t))


def _angle(u: FloatArray, v: FloatArray) -> FloatArray:
    """Angle (degrees) between vectors ``(..., 3)``, accurate when small."""
    a = u / np.linalg.norm(u, axis=-1, keepdims=True)
    b = v / np.linalg.norm(v, axis=-1, keepdims=True)
    return np.degrees(central_angle_rad(a, b))


def _separation(sky: _Sky, t: FloatArray, where: FloatArray) -> FloatArray:
    """The satellite's separation from the body's centre seen from ``where`` (km,
    Earth-fixed, broadcasting against ``t``), degrees."""
    sat, body = sky.at(t)
    return _angle(sat - where, topocentric_apparent(body, where))


def _hit(sat: FloatArray, body: FloatArray) -> FloatArray:
    """Where the line from the body through the satellite meets the ellipsoid (km; NaN
    where it misses): the centre line's point at each instant."""
    d = sat - body
    d = d / np.linalg.norm(d, axis=-1, keepdims=True)
    k = np.array([1.0, 1.0, _A_KM / _B_KM])
    s, u = sat * k, d * k
    a = np.einsum("ij,ij->i", u, u)
    b = 2.0 * np.einsum("ij,ij->i", s, u)
    c = np.einsum("ij,ij->i", s, s) - _A_KM**2
    disc = b * b - 4.0 * a * c
    with np.errstate(invalid="ignore"):
        root = (-b - np.sqrt(disc)) / (2.0 * a)
    root = np.where((disc >= 0.0) & (root > 0.0), root, np.nan)
    return sat + root[:, None] * d


def _centre(sky: _Sky, t: FloatArray) -> FloatArray:
    sat, body = sky.at(t)
    return _hit(sat, body)


def _minimise(f: Callable[[FloatArray], FloatArray], lo: FloatArray, hi: FloatArray
              ) -> tuple[FloatArray, FloatArray]:
    """Golden-section minimum of ``f(t)`` on each ``[lo, hi]``, to 10 microseconds."""
    return search.golden_minimum(lambda x, i: f(x), lo, hi, np.arange(len(lo)), tol=_TOL_S)


def _altaz(vec: FloatArray, obs: Observer) -> tuple[float, float]:
    e, n, u = (b[0] for b in enu_basis(obs.lat_deg, obs.lon_deg))
    v = vec.ravel()
    alt = math.degrees(math.asin(max(-1.0, min(1.0, float(v @ u) / float(np.linalg.norm(v))))))
    return alt, math.degrees(math.atan2(float(v @ e), float(v @ n))) % 360.0


def _illumination(sky: _Sky, t: float, where: FloatArray) -> float:
    _, moon = sky.at(np.array([t]))
    sun = sky.sun(np.array([t]))
    i = math.radians(float(_angle(sun - moon, where - moon)[0]))
    return (1.0 + math.cos(i)) / 2.0


def _scan_times(eph: Ephemeris, sky: _Sky, obs_r: FloatArray, up: FloatArray,
                radius_km: float) -> FloatArray:
    """1-second samples of every stretch when the satellite and the body are near enough
    the observer's horizon to be up somewhere within the radius: the body above -1.5
    degrees less the angle the radius spans on the ground, the satellite above -1 degree
    less that angle and less the radius seen from 400 km up (at most 25 degrees: a place
    1000 km away that sees the satellite overhead sees it from here some 20 degrees up)."""
    wider = math.degrees(radius_km / 6371.0)
    sat_margin = min(25.0, 1.0 + math.degrees(radius_km / 400.0)) + wider
    t = eph.t_s
    sat, body = sky.at(t)
    d = sat - obs_r
    el = np.degrees(np.arcsin(np.clip((d @ up) / np.linalg.norm(d, axis=-1), -1, 1)))
    b = topocentric_apparent(body, obs_r)
    bel = np.degrees(np.arcsin(np.clip((b @ up) / np.linalg.norm(b, axis=-1), -1, 1)))
    keep = (el > -sat_margin) & (bel > -1.5 - wider) & eph.ok
    keep = keep | np.r_[keep[1:], False] | np.r_[False, keep[:-1]]
    out = [np.arange(t[a], t[min(b_, len(t) - 1)] + _SCAN_S, _SCAN_S)
           for a, b_ in search.runs(keep)]
    return np.concatenate(out) if out else np.zeros(0)


def find_transits(eph: Ephemeris, observer: Observer, options: TransitOptions
                  ) -> list[Transit]:
    """Transits of the body seen from the observer, near misses within the margin, and
    transits whose centre line passes within ``radius_km``, in time order."""
    sky = _Sky(eph, options.body, options.dut1_s)
    obs_r = geodetic_to_itrs(observer.lat_deg, observer.lon_deg, observer.alt_m)[0]
    up = enu_basis(observer.lat_deg, observer.lon_deg)[2][0]
    t = _scan_times(eph, sky, obs_r, up, options.radius_km)
    if not len(t):
        return []
    sep = _separation(sky, t, obs_r)
    centre = _centre(sky, t)
    dist = np.linalg.norm(centre - obs_r, axis=-1)
    gap = np.r_[True, np.diff(t) > _SCAN_S * 1.5, True]
    bounds = np.flatnonzero(gap)
    out: list[Transit] = []
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        for k in _local_minima(sep[a:b]):
            found = _event(sky, eph, observer, obs_r, options, t[a:b], sep[a:b], dist[a:b], k)
            if found is not None:
                out.append(found)
    return _one_per_line(out)


def _one_per_line(found: list[Transit]) -> list[Transit]:
    """One event per centre-line point: two closest approaches of one pass (at a wide
    radius, the far minima at a pass's ends) may lead to the same nearest point; keep the
    one seen nearest in time to it."""
    kept: list[Transit] = []
    for t in sorted(found, key=lambda x: x.t_s):
        if kept and abs(t.t_s - kept[-1].t_s) < 1.0:
            if abs(t.observer_t_s - t.t_s) < abs(kept[-1].observer_t_s - kept[-1].t_s):
                kept[-1] = t
            continue
        kept.append(t)
    return sorted(kept, key=lambda x: x.observer_t_s)


def _local_minima(values: FloatArray) -> list[int]:
    n = len(values)
    return [k for k in range(n) if np.isfinite(values[k])
            and (k == 0 or values[k] <= values[k - 1])
            and (k == n - 1 or values[k] < values[k + 1])]


def _event(sky: _Sky, eph: Ephemeris, observer: Observer, obs_r: FloatArray,
           options: TransitOptions, t: FloatArray, sep: FloatArray, dist: FloatArray, k: int
           ) -> Transit | None:
    lo, hi = np.array([t[max(k - 1, 0)]]), np.array([t[min(k + 1, len(t) - 1)]])
    t_o, s_o = _minimise(lambda x: _separation(sky, x, obs_r), lo, hi)
    t_obs, s_min = float(t_o[0]), float(s_o[0])
    sat, body = sky.at(np.array([t_obs]))
    b_top = topocentric_apparent(body, obs_r)
    rho = math.degrees(math.asin(BODY_RADIUS_KM[options.body] / float(np.linalg.norm(b_top))))
    body_alt, body_az = _altaz(b_top, observer)
    body_alt += float(refraction_deg(body_alt))
    # the centre line's nearest point: near this pass's closest approach
    near = np.flatnonzero(np.isfinite(dist) & (np.abs(t - t_obs) <= 300.0))
    centre_ok = len(near) > 0
    if centre_ok:
        j = int(near[np.argmin(dist[near])])
        lo, hi = np.array([t[max(j - 1, 0)]]), np.array([t[min(j + 1, len(t) - 1)]])
        t_c, _ = _minimise(lambda x: _dist(sky, x, obs_r), lo, hi)
        t_star = float(t_c[0])
        n_r = _centre(sky, np.array([t_star]))[0]
        centre_ok = bool(np.all(np.isfinite(n_r)))
    if not centre_ok:  # the line misses the Earth near here: report the observer's view
        t_star, n_r = t_obs, obs_r
    lat, lon, _ = itrs_to_geodetic(n_r)
    lat_c, lon_c = float(np.atleast_1d(lat)[0]), float(np.atleast_1d(lon)[0])
    distance = float(ground_distance_km(observer.lat_deg, observer.lon_deg, lat_c, lon_c))
    on_disc = s_min < rho
    nearby = centre_ok and distance <= options.radius_km
    if not (s_min <= rho + options.margin_deg or nearby):
        return None
    sat_alt, sat_az = _altaz(sat - obs_r, observer)
    if (body_alt <= 0.0 or sat_alt <= 0.0) and not nearby:
        return None
    illumination = None
    if options.body == "moon":
        illumination = _illumination(sky, t_obs, obs_r)
        if illumination < MIN_MOON_ILLUMINATION:
            return None
    if centre_ok:  # the body must be up where the line is
        _, nb = sky.at(np.array([t_star]))
        n_alt, _ = _altaz(topocentric_apparent(nb, n_r), Observer(lat_c, lon_c))
        if n_alt + float(refraction_deg(n_alt)) <= 0.0 and not (on_disc and body_alt > 0):
            return None
    h = 0.05
    rate_c = float(np.mean(_separation(sky, np.array([t_star - h, t_star + h]), n_r))) / h
    f_o = float(_separation(sky, np.array([t_obs + h]), obs_r)[0])
    rate_o = math.sqrt(max(f_o**2 - s_min**2, 0.0)) / h
    width = _strip_width(sky, t_star, n_r, rho) if centre_ok else float("nan")
    rng = float(np.linalg.norm(sat - obs_r))
    line = _line(sky, t_star) if centre_ok else np.zeros((0, 3))
    win = eph.window
    seen = body_alt > 0.0 and sat_alt > 0.0
    kind = ("transit" if on_disc and seen else
            "near miss" if seen and s_min <= rho + options.margin_deg else "nearby")
    return Transit(
        options.body, kind,
        win.instant(t_star), t_star, lat_c, lon_c, distance,
        float(bearing_deg(observer.lat_deg, observer.lon_deg, lat_c, lon_c)),
        2.0 * rho / rate_c if rate_c > 0 else float("nan"), width,
        win.instant(t_obs), t_obs, s_min, on_disc,
        2.0 * math.sqrt(rho**2 - s_min**2) / rate_o if on_disc and rate_o > 0 else 0.0,
        rho, body_alt, body_az, sat_alt + float(refraction_deg(sat_alt)), sat_az, rng,
        math.degrees(ISS_SPAN_M / 1000.0 / rng) * 3600.0, illumination, line,
    )


def _dist(sky: _Sky, t: FloatArray, obs_r: FloatArray) -> FloatArray:
    d = np.linalg.norm(_centre(sky, t) - obs_r, axis=-1)
    return np.where(np.isfinite(d), d, 1e9)


def _strip_width(sky: _Sky, t_star: float, n_r: FloatArray, rho: float) -> float:
    """Across the centre line at its point ``n_r``: move 1 km on the ground, find the
    closest separation there; it grows linearly, reaching the body's radius at half the
    width."""
    p = _centre(sky, np.array([t_star - 0.5, t_star + 0.5]))
    if not np.all(np.isfinite(p)):  # the line leaves the ground right here
        return float("nan")
    along = p[1] - p[0]
    up = n_r / np.linalg.norm(n_r)
    cross = np.cross(up, along)
    cross /= np.linalg.norm(cross)
    moved = n_r + cross * 1.0
    lat, lon, _ = itrs_to_geodetic(moved)
    moved = geodetic_to_itrs(float(np.atleast_1d(lat)[0]), float(np.atleast_1d(lon)[0]), 0.0)[0]
    _, s = _minimise(lambda x: _separation(sky, x, moved), np.array([t_star - 2.0]),
                     np.array([t_star + 2.0]))
    offset_km = float(np.linalg.norm(moved - n_r))
    return 2.0 * rho * offset_km / float(s[0]) if s[0] > 0 else float("nan")


def _line(sky: _Sky, t_star: float, half_s: float = 90.0) -> FloatArray:
    """The centre line around its point nearest the observer: (seconds from the window
    start, latitude, longitude) every second, ``(M, 3)``, where it meets the ground."""
    t = np.arange(t_star - half_s, t_star + half_s + 0.5, 1.0)
    p = _centre(sky, t)
    ok = np.all(np.isfinite(p), axis=1)
    lat, lon, _ = itrs_to_geodetic(p[ok]) if ok.any() else (np.zeros(0), np.zeros(0), None)
    return np.column_stack([t[ok], np.atleast_1d(lat), np.atleast_1d(lon)])


def centre_lines(eph: Ephemeris, body: str, *, step_s: float = 2.0, dut1_s: float = 0.0
                 ) -> list[FloatArray]:
    """Every centre line on the globe over the window: where the line from the body through
    the satellite meets the ground with the body above the horizon there (and, for the
    Moon, lit), as pieces of (seconds from the window start, latitude, longitude)."""
    sky = _Sky(eph, body, dut1_s)
    t = np.arange(0.0, eph.window.span_s + step_s / 2, step_s)
    sat, b = sky.at(t)
    p = _hit(sat, b)
    ok = np.all(np.isfinite(p), axis=1) & eph.valid(t)
    if body == "moon" and ok.any():
        sun = sky.sun(t)
        i = np.radians(_angle(sun - b, p - b))
        ok &= (1.0 + np.cos(i)) / 2.0 >= MIN_MOON_ILLUMINATION
    pieces = []
    for a, z in search.runs(ok):
        if z - a < 2:
            continue
        lat, lon, _ = itrs_to_geodetic(p[a:z])
        pieces.append(np.column_stack([t[a:z], lat, lon]))
    return pieces



def sky_path(eph: Ephemeris, transit: Transit, where: Observer, *, half_s: float = 2.0,
             step_s: float = 0.02) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The satellite's path across the body as seen from ``where``: seconds from the
    window start and offsets from the body's centre (degrees; x to the right along the
    horizon, y up), around the closest approach seen from there."""
    sky = _Sky(eph, transit.body, 0.0)
    r = geodetic_to_itrs(where.lat_deg, where.lon_deg, where.alt_m)[0]
    up = enu_basis(where.lat_deg, where.lon_deg)[2][0]
    t_mid, _ = _minimise(lambda x: _separation(sky, x, r),
                         np.array([transit.t_s - 30.0]), np.array([transit.t_s + 30.0]))
    t = float(t_mid[0]) + np.arange(-half_s, half_s + step_s / 2, step_s)
    sat, body = sky.at(t)
    b = topocentric_apparent(body, r)
    bhat = b / np.linalg.norm(b, axis=-1, keepdims=True)
    right = np.cross(bhat, up)
    right /= np.linalg.norm(right, axis=-1, keepdims=True)
    upward = np.cross(right, bhat)
    v = sat - r
    v = v / np.einsum("ij,ij->i", v, bhat)[:, None]  # gnomonic: onto the plane at the body
    return (t, np.degrees(np.einsum("ij,ij->i", v, right)),
            np.degrees(np.einsum("ij,ij->i", v, upward)))


def body_ever_up(window_: object, observer: Observer, body: str, *, step_s: float = 600.0
                 ) -> bool:
    """Whether the body's centre rises above the horizon (apparent, refracted) at the
    observer at some time of the window (sampled every 10 minutes, with the horizon
    lowered by the most the body climbs in a step)."""
    from ..engine.moon import body_itrs_km

    w = window_
    t = np.arange(0.0, w.span_s + step_s, step_s)  # type: ignore[attr-defined]
    jd1, jd2 = w.jd(np.minimum(t, w.span_s))  # type: ignore[attr-defined]
    b = body_itrs_km(body, jd1, jd2)
    r = geodetic_to_itrs(observer.lat_deg, observer.lon_deg, observer.alt_m)[0]
    up = enu_basis(observer.lat_deg, observer.lon_deg)[2][0]
    d = topocentric_apparent(b, r)
    alt = np.degrees(np.arcsin(np.clip((d @ up) / np.linalg.norm(d, axis=-1), -1, 1)))
    alt = alt + refraction_deg(alt)
    margin = 360.0 / 86400.0 * step_s / 2.0  # the most the body climbs in half a step
    return bool(np.any(alt > -margin))


def check_reach(radius_km: float, altitude_km: float) -> None:
    """Refuse a radius beyond the satellite's reach: no centre line lies farther from
    the observer than where the satellite stands on the horizon."""
    from .geodesy import footprint_radius_km

    reach = float(footprint_radius_km(altitude_km))
    if radius_km > reach:
        raise OptionError(
            f"{param('radius_km')} {shown(radius_km)} is beyond the satellite's reach: seen "
            f"from farther than {reach:,.0f} km it is below your horizon (at "
            f"{altitude_km:,.0f} km up)", parameter="radius_km", value=radius_km,
            low=0.0, high=reach)
