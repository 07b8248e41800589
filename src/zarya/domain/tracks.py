"""Ground tracks: the sub-satellite points over a window, cut at the antimeridian.

A :class:`Track` holds the geodetic sub-points (WGS84) at chosen times of an ephemeris, NaN
where SGP4 failed; :func:`split_antimeridian` cuts any line of points where it crosses
longitude +/-180 (RFC 7946), for GeoJSON and maps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from ..engine.ephemeris import Ephemeris
from ..engine.timescale import Window
from .geodesy import subpoints

__all__ = ["Track", "ground_track", "split_antimeridian"]

FloatArray = NDArray[np.float64]


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
