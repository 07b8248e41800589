"""Overflights: the ground track's closest approaches to a place (landing opportunities).

For each observer every local minimum of the distance from the sub-satellite point is
refined to 0.01 s on the interpolated ephemeris and kept when within the radius asked.
Distances are great circles on the mean Earth sphere (:mod:`.geodesy`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..engine import search
from ..engine.ephemeris import Ephemeris
from ..engine.look import Observer, Observers
from ..errors import ObserverError, param
from .geodesy import EARTH_MEAN_RADIUS_KM, bearing_deg, central_angle_rad, subpoints, unit_vectors

__all__ = ["APPROACH_TOL_S", "Overflight", "check_radius", "find_overflights"]

FloatArray = NDArray[np.float64]

APPROACH_TOL_S = 0.01


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


def check_radius(radius_km: ArrayLike) -> FloatArray:
    """The radius (km) as an array, or an :class:`ObserverError` for one that is not above
    0 and at most half the Earth's circumference."""
    r = np.atleast_1d(np.asarray(radius_km, dtype=float))
    high = math.pi * EARTH_MEAN_RADIUS_KM
    bad = ~((r > 0.0) & (r <= high))
    if bad.any():
        value = float(r[np.flatnonzero(bad)[0]])
        raise ObserverError(
            f"{param('radius_km')} {value:g} is impossible: expected a distance above 0 and "
            f"at most {high:.0f} km (half the Earth's circumference)",
            parameter="radius_km",
            value=value,
            low=0.0,
            high=high,
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

    The ground track over the Soyuz landing zone on the day Soyuz TMA-19M landed:

    >>> from zarya import Ephemeris, Observer, Window, load_satellite, parse_instant
    >>> eph = Ephemeris(load_satellite(), Window.days(parse_instant("2016-06-18"), 1))
    >>> [(f"{o.time:%H:%M}", round(o.distance_km), o.side, o.direction)
    ...  for o in find_overflights(eph, Observer(47.4, 69.7), 50.0)[0]]
    [('08:58', 12, 'right', 'ascending')]
    """
    obs = Observers.of(observers)
    radius = np.broadcast_to(check_radius(radius_km), (len(obs),))
    angle_max = radius / EARTH_MEAN_RADIUS_KM
    out: list[list[Overflight]] = [[] for _ in range(len(obs))]
    P = unit_vectors(obs.lat_deg, obs.lon_deg)  # (N, 3)
    lat, lon, _ = subpoints(eph.r_km)
    U = unit_vectors(lat, lon)  # (T, 3), NaN where SGP4 failed
    C = P @ U.T  # cos of the angle, (N, T)
    n, k = search.sampled_maxima(C)
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
    t_best, _ = search.golden_maximum(closeness, lo, hi, n, tol=APPROACH_TOL_S)
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
