"""Launch windows: when a launch site passes through a satellite's orbital plane.

A launch site turns with the Earth and passes through the satellite's orbital plane twice a
day (if its latitude is within the inclination). The plane is the osculating one, normal
``h = r x v`` of the SGP4 state in TEME (an inertial frame to the accuracy that matters
here); the site is rotated into TEME by Greenwich mean sidereal time. At each crossing the
site can launch straight into the plane: on the crossing where the plane's direction of
motion at the site heads north, with the inertial azimuth ``sin(az) = cos(i) / cos(lat)``
(spherical trigonometry, geocentric latitude; a north-east launch for a prograde orbit), on
the other heading south (a south-east launch). The azimuth to fly over the rotating Earth
is smaller: the Earth's eastward speed at the site (465 m/s cos(lat)) is subtracted from
the orbital velocity. The phase angle is the angle along the orbit from the site (which
lies in the plane at that instant) to the satellite, positive when the satellite is ahead:
a small positive angle is what a fast rendezvous needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from ..engine import search
from ..engine.frames import EARTH_ROTATION_RAD_S, gmst82_rad, rotate_z
from ..engine.look import Observer, Observers
from ..engine.satellite import Satellite
from ..engine.timescale import Window
from ..errors import ObserverError

__all__ = [
    "LAUNCH_STEP_S",
    "LAUNCH_TOL_S",
    "LaunchWindow",
    "check_launch_reach",
    "geocentric_latitude_deg",
    "launch_azimuth_deg",
    "launch_windows",
    "rotating_azimuth_deg",
]

FloatArray = NDArray[np.float64]

LAUNCH_STEP_S = 120.0
LAUNCH_TOL_S = 0.01


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
    if sat.is_trajectory(k):  # the osculating inclination of the trajectory's state
        r, v, _ = sat.teme_of_sources(np.array([jd]), np.zeros(1), np.array([k]))
        h = np.cross(r[0], v[0])
        inc = float(np.degrees(np.arccos(np.clip(h[2] / np.linalg.norm(h), -1.0, 1.0))))
    else:
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

    Gagarin's Start on the day Soyuz TMA-19M left it for the ISS (at 11:03 UTC):

    >>> from zarya import Observer, Window, load_satellite, parse_instant
    >>> day = Window.days(parse_instant("2015-12-15"), 1)
    >>> [(f"{w.time:%H:%M}", w.direction, round(w.azimuth_deg, 1))
    ...  for w in launch_windows(load_satellite(), day, Observer(45.920278, 63.342222))[0]]
    [('11:06', 'north-east', 61.6), ('15:47', 'south-east', 118.4)]
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
    tc = search.bracketed_root(
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
