"""Mission geometry: launch windows into a satellite's plane, radio contacts with Doppler,
and the JSON answers of the mission commands (orbits, launch windows, overflights, radio,
track).

Launch windows. A launch site turns with the Earth and passes through the satellite's
orbital plane twice a day (if its latitude is within the inclination). The plane is the
osculating one, normal ``h = r x v`` of the SGP4 state in TEME (an inertial frame to the
accuracy that matters here); the site is rotated into TEME by Greenwich mean sidereal
time. At each crossing the site can launch straight into the plane: on the crossing where the
plane's direction of motion at the site heads north, with the inertial azimuth
``sin(az) = cos(i) / cos(lat)`` (spherical trigonometry, geocentric latitude; a north-east
launch for a prograde orbit), on the other heading south (a south-east launch). The azimuth
to fly over the rotating Earth is smaller: the Earth's eastward speed at the site
(465 m/s cos(lat)) is subtracted from the orbital velocity. The phase angle is the angle
along the orbit from the site (which lies in the plane at that instant) to the satellite,
positive when the satellite is ahead: a small positive angle is what a fast rendezvous
needs.

Radio. Passes above the horizon (or ``min_elevation_deg``) give acquisition (AOS) and loss
(LOS) of signal; along each pass the downlink Doppler shift heard on the ground is
``f * (-range_rate / c)`` (first order; the relativistic term is below 0.1 Hz at 145.8 MHz). An
uplink must be sent shifted the opposite way. The shift is zero where the range is
shortest (the range rate changes sign), refined to 0.01 s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from . import events
from .ephemeris import Ephemeris, Satellite
from .errors import ObserverError, PropagationError, TimeRangeError
from .frames import EARTH_ROTATION_RAD_S, gmst82_rad, rotate_z
from .look import Observer, Observers
from .passes import LookPoint, PassOptions, find_pass_table
from .timescale import Window, iso_z

SPEED_OF_LIGHT_KM_S = 299_792.458
LAUNCH_STEP_S = 120.0
LAUNCH_TOL_S = 0.01
RADIO_TOL_S = 0.01
MAX_TRACK_POINTS = 200_000

__all__ = [
    "LaunchWindow",
    "RadioPass",
    "SPEED_OF_LIGHT_KM_S",
    "check_launch_reach",
    "doppler_shift_hz",
    "launch_azimuth_deg",
    "launch_windows",
    "radio_passes",
    "rotating_azimuth_deg",
]


# ----------------------------------------------------------------------- launch windows
def launch_azimuth_deg(lat_deg, inclination_deg, *, northbound=True) -> np.ndarray:
    """Inertial azimuth (degrees from north, 0..360) of a launch from latitude ``lat_deg``
    straight into an orbit inclined ``inclination_deg``: ``sin(az) = cos(i) / cos(lat)``.

    ``northbound`` picks the crossing where the plane heads north (north-east for a
    prograde orbit, north-west for a retrograde one); otherwise the southbound azimuth
    ``180 - az``. Arrays broadcast; NaN where ``|lat|`` exceeds the orbit's reach.
    """
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    inc = np.radians(np.asarray(inclination_deg, dtype=float))
    ratio = np.cos(inc) / np.cos(lat)
    with np.errstate(invalid="ignore"):
        az = np.degrees(np.arcsin(np.where(np.abs(ratio) <= 1.0, ratio, np.nan)))
    return np.where(northbound, az % 360.0, (180.0 - az) % 360.0)


def rotating_azimuth_deg(azimuth_inertial_deg, lat_deg, orbit_speed_km_s, *,
                         axis_distance_km=None) -> np.ndarray:
    """The azimuth to fly over the rotating Earth so that the inertial velocity, once the
    Earth's eastward speed at the site is added, points along ``azimuth_inertial_deg``.

    ``orbit_speed_km_s``: the inertial speed to reach; ``axis_distance_km``: the site's
    distance from the Earth's axis (default: the equatorial radius times cos(lat)).
    """
    az = np.radians(np.asarray(azimuth_inertial_deg, dtype=float))
    v = np.asarray(orbit_speed_km_s, dtype=float)
    if axis_distance_km is None:
        axis_distance_km = 6378.137 * np.cos(np.radians(np.asarray(lat_deg, dtype=float)))
    v_earth = EARTH_ROTATION_RAD_S * np.asarray(axis_distance_km, dtype=float)
    return np.degrees(np.arctan2(v * np.sin(az) - v_earth, v * np.cos(az))) % 360.0


def _num(value: float, digits: int) -> float | None:
    """``value`` rounded, or None where it is not a finite number (JSON has no NaN)."""
    value = float(value)
    return round(value, digits) if math.isfinite(value) else None


def _direction_words(azimuth_deg: float) -> str:
    a = azimuth_deg % 360.0
    return ("north-east", "south-east", "south-west", "north-west")[int(a // 90.0) % 4]


@dataclass(frozen=True)
class LaunchWindow:
    """One instant a site passes through the satellite's orbital plane.

    ``northbound``: the plane heads north at the site (a north-east launch for a prograde
    orbit); ``azimuth_inertial_deg``: the direction of the plane at the site (inertial);
    ``azimuth_deg``: the azimuth to fly over the rotating Earth; ``phase_angle_deg``: how far
    ahead of the site the satellite is along its orbit (-180..180); ``inclination_deg``: the
    osculating inclination of the plane at that instant.
    """

    time: datetime
    northbound: bool
    azimuth_inertial_deg: float
    azimuth_deg: float
    phase_angle_deg: float
    inclination_deg: float
    observer_index: int = 0

    @property
    def direction(self) -> str:
        return _direction_words(self.azimuth_deg)

    def as_dict(self) -> dict:
        return {
            "time": iso_z(self.time),
            "direction": self.direction,
            "northbound": self.northbound,
            "azimuth_deg": _num(self.azimuth_deg, 2),
            "azimuth_inertial_deg": _num(self.azimuth_inertial_deg, 2),
            "phase_angle_deg": _num(self.phase_angle_deg, 2),
            "inclination_deg": _num(self.inclination_deg, 4),
        }


class _PlaneGeometry:
    """Orbit normal and site directions in TEME at any instants of a window."""

    def __init__(self, sat: Satellite, window: Window, obs: Observers, dut1_s: float) -> None:
        self.sat, self.window, self.obs, self.dut1_s = sat, window, obs, dut1_s

    def states(self, t_s: np.ndarray):
        jd1, jd2 = self.window.jd(t_s)
        r, v, _ = self.sat.teme(jd1, jd2)
        gmst = gmst82_rad(jd1, jd2, self.dut1_s)
        return r, v, gmst

    def site(self, gmst: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """Unit site vectors in TEME, ``(M, 3)``."""
        s = rotate_z(self.obs.r_km[idx], -gmst)
        return s / np.linalg.norm(s, axis=-1, keepdims=True)

    def dot(self, t_s: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """cos of the angle between orbit normal and site: zero in the plane."""
        r, v, gmst = self.states(t_s)
        h = np.cross(r, v)
        h /= np.linalg.norm(h, axis=-1, keepdims=True)
        return np.einsum("ij,ij->i", h, self.site(gmst, idx))


def geocentric_latitude_deg(obs: Observers) -> np.ndarray:
    r = obs.r_km
    return np.degrees(np.arcsin(r[:, 2] / np.linalg.norm(r, axis=1)))


def check_launch_reach(sat: Satellite, window: Window, observers, labels=None) -> None:
    """Raise :class:`ObserverError` for a site the orbital plane never sweeps.

    The plane passes over latitudes up to the inclination (180 - i for a retrograde orbit):
    a site farther from the equator (geocentric latitude) never lies in it.
    """
    obs = Observers.of(observers)
    jd = sum(window.base_jd)
    k = int(sat.select(np.array([jd]))[0])
    inc = sat.elements[k].inclination_deg
    reach = inc if inc <= 90.0 else 180.0 - inc
    lat_c = geocentric_latitude_deg(obs)
    bad = np.flatnonzero(np.abs(lat_c) >= reach)
    if len(bad):
        n = int(bad[0])
        label = labels[n] if labels else f"{obs.lat_deg[n]:.4f}, {obs.lon_deg[n]:.4f}"
        hemi = "N" if obs.lat_deg[n] >= 0 else "S"
        raise ObserverError(
            f"no launch window from {label} at {abs(obs.lat_deg[n]):.2f} deg {hemi} "
            f"(geocentric {abs(lat_c[n]):.2f}): the orbit of {sat.name} is inclined "
            f"{inc:.2f} deg, so its plane only sweeps latitudes up to {reach:.2f} deg and the "
            "site never passes through it (reaching that orbit needs a plane change, a "
            "dog-leg)"
        )


def launch_windows(
    sat: Satellite,
    window: Window,
    observers: Observer | list[Observer] | Observers,
    *,
    step_s: float = LAUNCH_STEP_S,
    dut1_s: float = 0.0,
) -> list[list[LaunchWindow]]:
    """The instants each site passes through the satellite's orbital plane, in time order.

    Sampled every ``step_s`` (the site crosses the plane twice a day), the sign changes of
    ``h . s`` (orbit normal, site direction) refined to 0.01 s. Sites out of the plane's
    reach get an empty list (:func:`check_launch_reach` says why).
    """
    obs = Observers.of(observers)
    geo = _PlaneGeometry(sat, window, obs, dut1_s)
    t = window.grid(step_s)
    r, v, gmst = geo.states(t)
    h = np.cross(r, v)
    h /= np.linalg.norm(h, axis=-1, keepdims=True)
    N, T = len(obs), len(t)
    site = rotate_z(np.broadcast_to(obs.r_km[:, None, :], (N, T, 3)), -gmst[None, :])
    site /= np.linalg.norm(site, axis=-1, keepdims=True)
    f = np.einsum("ntk,tk->nt", site, h)
    change = (np.sign(f[:, :-1]) * np.sign(f[:, 1:]) < 0) | (f[:, 1:] == 0.0)
    n, j = np.nonzero(change)
    out: list[list[LaunchWindow]] = [[] for _ in range(N)]
    if not len(n):
        return out
    tc = events.bracketed_root(
        geo.dot, t[j], t[j + 1], n, tol=LAUNCH_TOL_S, f_lo=f[n, j], f_hi=f[n, j + 1]
    )
    ok = np.isfinite(tc)
    n, tc = n[ok], tc[ok]
    r, v, gmst = geo.states(tc)
    ok = np.isfinite(r).all(axis=1) & np.isfinite(v).all(axis=1)  # SGP4 failed there
    n, tc, r, v, gmst = n[ok], tc[ok], r[ok], v[ok], gmst[ok]
    h = np.cross(r, v)
    h /= np.linalg.norm(h, axis=-1, keepdims=True)
    s = geo.site(gmst, n)
    # local east/north of each site in TEME
    east = rotate_z(obs.east[n], -gmst)
    north = rotate_z(obs.north[n], -gmst)
    d = np.cross(h, s)  # direction of motion along the plane at the site
    az_i = np.degrees(np.arctan2(np.einsum("ij,ij->i", d, east), np.einsum("ij,ij->i", d, north)))
    az_i %= 360.0
    northbound = np.einsum("ij,ij->i", d, north) > 0.0
    speed = np.linalg.norm(v, axis=-1)
    axis = np.hypot(obs.r_km[n, 0], obs.r_km[n, 1])
    az_rot = rotating_azimuth_deg(az_i, obs.lat_deg[n], speed, axis_distance_km=axis)
    rhat = r / np.linalg.norm(r, axis=-1, keepdims=True)
    phase = np.degrees(
        np.arctan2(np.einsum("ij,ij->i", h, np.cross(s, rhat)), np.einsum("ij,ij->i", s, rhat))
    )
    inc = np.degrees(np.arccos(np.clip(h[:, 2], -1.0, 1.0)))
    for i in np.lexsort((tc, n)):
        out[int(n[i])].append(
            LaunchWindow(
                window.instant(tc[i]), bool(northbound[i]), float(az_i[i]), float(az_rot[i]),
                float(phase[i]), float(inc[i]), int(n[i]),
            )
        )
    return out


# -------------------------------------------------------------------------------- radio
def doppler_shift_hz(range_rate_km_s, freq_hz) -> np.ndarray:
    """Downlink Doppler shift heard on the ground (Hz): ``f * (-range_rate / c)``.

    ``range_rate_km_s`` > 0 when the satellite moves away (the shift is then negative).
    """
    return -np.asarray(freq_hz, dtype=float) * np.asarray(range_rate_km_s, dtype=float) / (
        SPEED_OF_LIGHT_KM_S
    )


def check_frequency(freq_hz: float) -> None:
    if not (math.isfinite(freq_hz) and freq_hz > 0.0):
        raise ObserverError(
            f"--freq-mhz {freq_hz / 1e6:g} is impossible: expected a frequency above 0 MHz "
            "(145.800 is the ISS's amateur radio downlink)"
        )


@dataclass(frozen=True)
class RadioPass:
    """One pass above the radio horizon and the Doppler shift along it.

    ``aos``/``los``: acquisition and loss of signal (None where the window cuts the pass);
    ``zero_shift_time``: when the shift is zero (the range is shortest; None if outside the
    window); ``shift_aos_hz``/``shift_los_hz``: the shift at the ends, ``max_shift_hz`` the
    largest in size (signed), ``max_rate_hz_s`` the fastest change (Hz/s, negative: the
    pitch falls); ``t_s`` (S,) sample times (seconds from the window start) with
    ``shift_hz``, ``elevation_deg`` and ``range_rate_km_s`` (S,).
    """

    aos: LookPoint | None
    culmination: LookPoint
    los: LookPoint | None
    duration_s: float
    zero_shift_time: datetime | None
    shift_aos_hz: float
    shift_los_hz: float
    max_shift_hz: float
    max_rate_hz_s: float
    window: Window
    t_s: np.ndarray
    shift_hz: np.ndarray
    elevation_deg: np.ndarray
    range_rate_km_s: np.ndarray
    observer_index: int = 0

    def as_dict(self, *, samples: bool = True) -> dict:
        out = {
            "aos": self.aos.as_dict() if self.aos else None,
            "culmination": self.culmination.as_dict(),
            "los": self.los.as_dict() if self.los else None,
            "duration_s": _num(self.duration_s, 1),
            "doppler": {
                "at_aos_hz": _num(self.shift_aos_hz, 1),
                "at_los_hz": _num(self.shift_los_hz, 1),
                "max_hz": _num(self.max_shift_hz, 1),
                "max_rate_hz_s": _num(self.max_rate_hz_s, 2),
                "zero_time": iso_z(self.zero_shift_time) if self.zero_shift_time else None,
            },
        }
        if samples:
            out["doppler"]["samples"] = [
                {
                    "time": self.window.iso(t),
                    "shift_hz": _num(s, 1),
                    "elevation_deg": _num(e, 2),
                    "range_rate_km_s": _num(rr, 4),
                }
                for t, s, e, rr in zip(
                    self.t_s, self.shift_hz, self.elevation_deg, self.range_rate_km_s,
                    strict=True,
                )
            ]
        return out


def radio_passes(
    eph: Ephemeris,
    observers: Observer | list[Observer] | Observers,
    freq_hz: float,
    *,
    min_elevation_deg: float = 0.0,
    step_s: float = 30.0,
) -> list[list[RadioPass]]:
    """Passes above ``min_elevation_deg`` (geometric) for each observer, with the Doppler
    shift of ``freq_hz`` sampled every ``step_s`` from AOS to LOS (both ends included)."""
    from .ground import valid_span

    check_frequency(freq_hz)
    obs = Observers.of(observers)
    table = find_pass_table(
        eph, obs, PassOptions(min_elevation_deg=min_elevation_deg, visibility=False)
    )
    passes = table.passes(len(obs))
    out: list[list[RadioPass]] = [[] for _ in range(len(obs))]
    P = len(table)
    if not P:
        return out
    # a pass cut by the window or by an sgp4 failure runs to the edge of the stretch of
    # valid grid samples around its culmination (as in zarya.passes)
    run_lo, run_hi = valid_span(eph, table.t[:, 1])
    start = np.where(np.isnan(table.t[:, 0]), run_lo, table.t[:, 0])
    end = np.where(np.isnan(table.t[:, 2]), run_hi, table.t[:, 2])
    counts = np.maximum(np.ceil((end - start) / step_s).astype(np.int64), 1) + 1
    owner = np.repeat(np.arange(P), counts)
    offsets = np.r_[0, np.cumsum(counts)]
    local = np.arange(offsets[-1]) - offsets[owner]
    ts = np.minimum(start[owner] + local * step_s, end[owner])
    ts[offsets[1:] - 1] = end  # the last sample of each pass is LOS
    idx = table.observer[owner]

    def rate(t, ii):
        _, _, _, rr = obs.look(eph.position(t), ii, eph.velocity(t))
        return rr

    _, el, _, rr = obs.look(eph.position(ts), idx, eph.velocity(ts))
    shift = doppler_shift_hz(rr, freq_hz)
    # zero shift: where the range rate turns from negative to positive
    same = owner[1:] == owner[:-1]
    turn = np.flatnonzero(same & (rr[:-1] < 0.0) & (rr[1:] >= 0.0))
    t_zero = np.full(P, np.nan)
    if len(turn):
        roots = events.bracketed_root(
            rate, ts[turn], ts[turn + 1], idx[turn], tol=RADIO_TOL_S,
            f_lo=rr[turn], f_hi=rr[turn + 1],
        )
        t_zero[owner[turn]] = roots
    seen = [0] * len(obs)
    for p in range(P):
        a, b = offsets[p], offsets[p + 1]
        s = shift[a:b]
        k = int(np.argmax(np.abs(s)))
        dt = np.diff(ts[a:b])
        rates = np.diff(s)[dt > 0] / dt[dt > 0]
        n = int(table.observer[p])
        base = passes[n][seen[n]]
        seen[n] += 1
        out[n].append(
            RadioPass(
                base.rise, base.culmination, base.set, float(end[p] - start[p]),
                eph.window.instant(t_zero[p]) if np.isfinite(t_zero[p]) else None,
                float(s[0]), float(s[-1]), float(s[k]),
                float(rates[np.argmax(np.abs(rates))]) if len(rates) else 0.0,
                eph.window, ts[a:b].copy(), s.copy(), el[a:b].copy(), rr[a:b].copy(), n,
            )
        )
    return out


# ------------------------------------------------------------------------------ reports
def _warn_failures(eph: Ephemeris, warnings: list[str], what: str) -> None:
    for stretch in eph.failed_stretches():
        warnings.append(
            f"SGP4 failed from {stretch['start']} to {stretch['end']} "
            f"({stretch['message']}, error {stretch['code']}): no {what} there"
        )


def orbits_report(sat: Satellite, window: Window, *, allow_stale: bool = False) -> dict:
    """``zarya orbits --json``: the count, the crossings, the sets used and the cross-check.

    Where SGP4 fails for part of the window, ``complete`` is false, ``counted`` lists the
    stretches counted and ``propagation_failures`` the others (each with a warning); where it
    fails over the whole window, :class:`~zarya.errors.PropagationError`. ``rev_at_start``
    and ``rev_at_end`` are NORAD's absolute revolution numbers, or null when they cannot be
    known (only NASA-format sets, numbered modulo 4000, within reach: ``rev_numbering`` then
    gives the numbers modulo 4000; or SGP4 fails between the anchor set and the window).
    """
    from .ground import NORAD_REV_MODULUS, count_orbits
    from .service import satellite_info

    warnings = sat.check_age(window, allow_stale=allow_stale)
    oc = count_orbits(sat, window)
    warnings += oc.warnings
    anchor = sat.elements[oc.anchor]
    checked = [c for c in oc.checks if c.checked]
    diffs = [c.difference for c in checked]
    sets = []
    for c in oc.checks:
        sets.append(
            {
                "epoch": iso_z(c.epoch, 0),
                "rev_number": c.carried,
                "rev_modulus": c.modulus,
                "counted_rev": c.predicted,
                "difference": c.difference,
                "anchor": c.is_anchor,
                "note": c.note,
                "epoch_to_node_s": round(c.node_s, 1) if math.isfinite(c.node_s) else None,
                "nearest_from": iso_z(c.serves_from, 0) if c.serves_from else None,
                "nearest_to": iso_z(c.serves_to, 0) if c.serves_to else None,
                "farthest_days": (
                    round(c.farthest_days, 2) if c.farthest_days is not None else None
                ),
            }
        )
    known = oc.rev_at_start is not None and oc.rev_at_end is not None
    absolute = known and oc.absolute
    in_window = window.start <= anchor.epoch <= window.end
    if not known:
        note = (
            "unknown: SGP4 fails between the epoch of the set of "
            f"{iso_z(anchor.epoch, 0)} and the start or end of the count, so the nodes in "
            "between cannot be counted"
        )
    elif absolute:
        where = "" if in_window else ", outside the window"
        note = (
            f"NORAD's, numbered from the standard set of {iso_z(anchor.epoch, 0)} "
            f"(rev {anchor.rev_number}{where})"
        )
    else:
        note = (
            f"no standard set within reach: numbered from the NASA-format set of "
            f"{iso_z(anchor.epoch, 0)} (rev {anchor.rev_number}), whose numbers are modulo "
            f"{oc.rev_modulus}; the absolute revolution number is unknown"
        )
    numbering = {
        "absolute": absolute,
        "modulus": oc.rev_modulus,
        "anchor_epoch": iso_z(anchor.epoch, 0),
        "anchor_rev_number": anchor.rev_number,
        "anchor_in_window": in_window,
        "note": note,
    }
    if known and not absolute:
        numbering["rev_at_start"] = oc.rev_at_start % oc.rev_modulus
        numbering["rev_at_end"] = oc.rev_at_end % oc.rev_modulus
    return {
        "satellite": satellite_info(sat, window.start),
        "window": {"start": iso_z(window.start, 0), "end": iso_z(window.end, 0)},
        "orbits": oc.count,
        "revolutions": round(oc.revolutions, 3),
        "complete": oc.complete,
        "counted": [{"start": iso_z(a, 0), "end": iso_z(b, 0)} for a, b in oc.counted],
        "propagation_failures": [f.as_dict() for f in oc.failures],
        "first_node": iso_z(oc.first) if oc.first else None,
        "last_node": iso_z(oc.last) if oc.last else None,
        "rev_at_start": oc.rev_at_start if absolute else None,
        "rev_at_end": oc.rev_at_end if absolute else None,
        "rev_at_end_as_printed": (
            oc.rev_at_end % NORAD_REV_MODULUS if absolute and oc.rev_at_end is not None
            else None
        ),
        "rev_numbering": numbering,
        "cross_check": {
            "anchor_epoch": iso_z(anchor.epoch, 0),
            "anchor_rev_number": anchor.rev_number,
            "anchor_modulus": oc.rev_modulus,
            "checked": len(checked),
            "agree": diffs.count(0),
            "off_by_one": sum(1 for d in diffs if d is not None and abs(d) == 1),
            "other": sum(1 for d in diffs if d is not None and abs(d) > 1),
            "not_checked": sum(
                1 for c in oc.checks if not c.is_anchor and c.difference is None
            ),
        },
        "element_sets": sets,
        "warnings": warnings,
    }


def launch_windows_report(
    sat: Satellite, site: Observer, window: Window, *, label: str | None = None,
    allow_stale: bool = False,
) -> dict:
    """``zarya launch-windows --json``: every plane crossing of the site, with azimuths."""
    from .ground import propagation_failures
    from .service import satellite_info

    warnings = sat.check_age(window, allow_stale=allow_stale)
    failures = propagation_failures(sat, window)  # PropagationError if nowhere
    check_launch_reach(sat, window, site, [label] if label else None)
    found = launch_windows(sat, window, site)[0]
    for f in failures:
        warnings.append(
            f"SGP4 failed from {iso_z(f.start, 0)} to {iso_z(f.end, 0)} ({f.message}, error "
            f"{f.code}): no plane crossings there"
        )
    if not found and failures:
        warnings.append(
            "no plane crossing in the part of the window where SGP4 propagates (it fails "
            "for the rest: see above)"
        )
    elif not found:
        warnings.append(
            "no plane crossing in the window: the site passes through the plane about twice "
            "a day (fewer near the orbit's reach); try a longer --days"
        )
    return {
        "satellite": satellite_info(sat, window.start),
        "site": site.as_dict(),
        "window": {"start": iso_z(window.start, 0), "end": iso_z(window.end, 0)},
        "windows": [w.as_dict() for w in found],
        "warnings": warnings,
    }


def overflights_report(
    sat: Satellite, place: Observer, window: Window, radius_km: float, *,
    allow_stale: bool = False,
) -> dict:
    """``zarya overflights --json``: closest approaches of the track within the radius."""
    from .ground import check_radius, find_overflights
    from .service import satellite_info

    check_radius(radius_km)
    warnings = sat.check_age(window, allow_stale=allow_stale)
    eph = Ephemeris(sat, window)
    eph.require_some_valid()
    found = find_overflights(eph, place, radius_km)[0]
    _warn_failures(eph, warnings, "overflights")
    return {
        "satellite": satellite_info(sat, window.start),
        "place": place.as_dict(),
        "radius_km": radius_km,
        "window": {"start": iso_z(window.start, 0), "end": iso_z(window.end, 0)},
        "overflights": [o.as_dict() for o in found],
        "warnings": warnings,
    }


def radio_report(
    sat: Satellite, observer: Observer, window: Window, *, freq_mhz: float = 145.8,
    min_elevation_deg: float = 0.0, step_s: float = 30.0, allow_stale: bool = False,
) -> dict:
    """``zarya radio --json``: AOS, LOS and the Doppler shift along each pass."""
    from .service import satellite_info

    check_frequency(freq_mhz * 1e6)
    if not (math.isfinite(step_s) and 0.1 <= step_s <= 3600.0):
        raise TimeRangeError(f"--step-s {step_s:g} is impossible: expected 0.1 to 3600 s")
    warnings = sat.check_age(window, allow_stale=allow_stale)
    eph = Ephemeris(sat, window)
    eph.require_some_valid()
    found = radio_passes(
        eph, observer, freq_mhz * 1e6, min_elevation_deg=min_elevation_deg, step_s=step_s
    )[0]
    _warn_failures(eph, warnings, "passes")
    return {
        "satellite": satellite_info(sat, window.start),
        "observer": observer.as_dict(),
        "frequency_mhz": freq_mhz,
        "min_elevation_deg": min_elevation_deg,
        "window": {"start": iso_z(window.start, 0), "end": iso_z(window.end, 0)},
        "passes": [p.as_dict() for p in found],
        "warnings": warnings,
    }


def track_points(sat: Satellite, window: Window, step_s: float, *, allow_stale: bool = False):
    """(Track, warnings) for ``zarya track``: sub-points every ``step_s`` over the window."""
    from .ground import ground_track

    if not (math.isfinite(step_s) and step_s > 0.0):
        raise TimeRangeError(f"--step-s {step_s:g} is impossible: expected a positive step")
    n = math.ceil(window.span_s / step_s) + 1
    if n > MAX_TRACK_POINTS:
        raise TimeRangeError(
            f"a track of {n} points is too long: at most {MAX_TRACK_POINTS} (use a larger "
            "--step-s or fewer --hours)"
        )
    warnings = sat.check_age(window, allow_stale=allow_stale)
    eph = Ephemeris(sat, window)
    eph.require_some_valid()
    t = np.minimum(np.arange(n) * step_s, window.span_s)
    track = ground_track(eph, t)
    _warn_failures(eph, warnings, "track")
    return track, warnings


def track_report(sat: Satellite, window: Window, step_s: float, *,
                 allow_stale: bool = False) -> dict:
    """``zarya track --format json``: sub-points with the country or ocean beneath."""
    from .geography import beneath
    from .ground import footprint_radius_km
    from .service import satellite_info

    track, warnings = track_points(sat, window, step_s, allow_stale=allow_stale)
    ok = np.isfinite(track.lat_deg)
    over = np.full(len(ok), None, dtype=object)
    over[ok] = beneath(track.lat_deg[ok], track.lon_deg[ok])
    foot = footprint_radius_km(track.alt_km)
    points = [
        {
            "time": window.iso(t),
            "lat_deg": round(float(la), 4) if np.isfinite(la) else None,
            "lon_deg": round(float(lo), 4) if np.isfinite(lo) else None,
            "alt_km": round(float(al), 2) if np.isfinite(al) else None,
            "footprint_km": round(float(fp), 1) if np.isfinite(fp) else None,
            "over": ov,
        }
        for t, la, lo, al, fp, ov in zip(
            track.t_s, track.lat_deg, track.lon_deg, track.alt_km, foot, over, strict=True
        )
    ]
    return {
        "satellite": satellite_info(sat, window.start),
        "window": {"start": iso_z(window.start, 0), "end": iso_z(window.end, 0)},
        "step_s": step_s,
        "points": points,
        "warnings": warnings,
    }


def track_geojson(sat: Satellite, window: Window, step_s: float, *,
                  allow_stale: bool = False) -> dict:
    """``zarya track --format geojson``: one Feature, a LineString or (cut at the
    antimeridian) a MultiLineString, RFC 7946."""
    from .service import satellite_info

    track, warnings = track_points(sat, window, step_s, allow_stale=allow_stale)
    if not track.pieces():
        raise PropagationError("no part of the track could be computed in this window")
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": track.geojson_geometry(),
                "properties": {
                    "satellite": satellite_info(sat, window.start),
                    "start": iso_z(window.start, 0),
                    "end": iso_z(window.end, 0),
                    "step_s": step_s,
                    "warnings": warnings,
                },
            }
        ],
    }


def track_csv(sat: Satellite, window: Window, step_s: float, *,
              allow_stale: bool = False) -> tuple[str, list[str]]:
    """``zarya track --format csv``: time, lat_deg, lon_deg, alt_km, over (and warnings)."""
    report = track_report(sat, window, step_s, allow_stale=allow_stale)
    lines = ["time,lat_deg,lon_deg,alt_km,footprint_km,over"]
    for p in report["points"]:
        cells = [p["time"], p["lat_deg"], p["lon_deg"], p["alt_km"], p["footprint_km"]]
        over = p["over"] or ""
        text = ",".join("" if c is None else str(c) for c in cells)
        lines.append(f'{text},"{over}"' if "," in over else f"{text},{over}")
    return "\n".join(lines) + "\n", report["warnings"]
