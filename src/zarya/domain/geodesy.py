"""Points and distances on the ground: sub-satellite points, great circles, footprints.

Sub-points are geodetic (WGS84): the point of the ellipsoid straight below the satellite
along the ellipsoid's normal. Distances along the ground are great-circle distances on the
mean Earth sphere (radius 6371.0088 km, IUGG) between geodetic latitudes and longitudes;
against an ellipsoidal geodesic they differ by at most 0.5 %, under 1 km for a 200 km radius.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..engine.frames import itrs_to_geodetic

__all__ = [
    "EARTH_MEAN_RADIUS_KM",
    "bearing_deg",
    "central_angle_rad",
    "destination",
    "footprint_radius_km",
    "footprint_ring",
    "ground_distance_km",
    "subpoints",
    "unit_vectors",
]

FloatArray = NDArray[np.float64]

EARTH_MEAN_RADIUS_KM = 6371.0088


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


def destination(
    lat_deg: float, lon_deg: float, d_rad: ArrayLike, bearing_rad: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Points at angular distance ``d_rad`` along the initial bearing ``bearing_rad`` from a
    point of the sphere: latitude and longitude (degrees, longitude -180..180).

    >>> lat, lon = destination(0.0, 0.0, np.pi / 2, np.pi / 2)  # a quarter turn east
    >>> round(float(lat), 9) + 0.0, round(float(lon), 9)
    (0.0, 90.0)
    """
    d = np.asarray(d_rad, dtype=float)
    az = np.asarray(bearing_rad, dtype=float)
    p1, l1 = math.radians(lat_deg), math.radians(lon_deg)
    lat = np.arcsin(
        np.clip(math.sin(p1) * np.cos(d) + math.cos(p1) * np.sin(d) * np.cos(az), -1.0, 1.0)
    )
    lon = l1 + np.arctan2(
        np.sin(az) * np.sin(d) * math.cos(p1), np.cos(d) - math.sin(p1) * np.sin(lat)
    )
    return np.degrees(lat), (np.degrees(lon) + 180.0) % 360.0 - 180.0


def footprint_ring(lat_deg: float, lon_deg: float, radius_km: float, n: int = 73) -> FloatArray:
    """The footprint circle as an ``(n, 2)`` closed ring of (lon_deg, lat_deg), -180..180.

    Points of the small circle at ``radius_km`` around the centre, counter-clockwise seen
    from above; a circle over a pole or across the antimeridian is not cut here (use
    :func:`~zarya.domain.tracks.split_antimeridian` on it to draw it as lines).
    """
    az = np.radians(np.linspace(360.0, 0.0, n))
    lat, lon = destination(lat_deg, lon_deg, radius_km / EARTH_MEAN_RADIUS_KM, az)
    return np.stack((lon, lat), axis=-1)
