"""Reference frames: TEME -> Earth-fixed, WGS84 geodetic <-> Earth-fixed, local bases.

SGP4 works in TEME (true equator, mean equinox). Rotating by Greenwich mean sidereal time
(IAU 1982, pyerfa ``gmst82``) about the z axis gives the pseudo-Earth-fixed frame, which we
use as the Earth-fixed frame: polar motion (under 0.5 arcsecond, about 15 m on the ground)
is left out, as Vallado's reference code does by default.

Shapes: positions are ``(..., 3)`` arrays in km, velocities in km/s; angles in degrees.
"""

from __future__ import annotations

from typing import cast

import erfa
import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "EARTH_ROTATION_RAD_S",
    "enu_basis",
    "geodetic_to_itrs",
    "gmst82_rad",
    "itrs_to_geodetic",
    "rotate_z",
    "teme_to_itrs",
]

FloatArray = NDArray[np.float64]

# Earth's rotation rate for GMST-82 (Vallado, "Revisiting Spacetrack Report #3"), rad/s.
EARTH_ROTATION_RAD_S = 7.292115146706979e-5


def gmst82_rad(
    jd_whole: ArrayLike, jd_fraction: ArrayLike, dut1_s: float = 0.0
) -> FloatArray:
    """Greenwich mean sidereal time (IAU 1982) for UTC Julian dates, UT1 = UTC + dut1."""
    return cast(FloatArray, erfa.gmst82(jd_whole, np.asarray(jd_fraction) + dut1_s / 86400.0))


def rotate_z(vec: FloatArray, angle_rad: FloatArray | float, *,
             cos_sin: tuple[FloatArray, FloatArray] | None = None) -> FloatArray:
    """Rotate the frame by ``angle`` about z (erfa's Rz): coordinates of ``vec`` in the new frame.

    ``vec`` is ``(..., 3)``; ``angle_rad`` broadcasts against ``vec[..., 0]``; ``cos_sin``:
    its cosine and sine, when already known.
    """
    c, s = cos_sin if cos_sin is not None else (np.cos(angle_rad), np.sin(angle_rad))
    x, y, z = vec[..., 0], vec[..., 1], vec[..., 2]
    return np.stack((c * x + s * y, -s * x + c * y, z), axis=-1)


def teme_to_itrs(
    r_teme: FloatArray, v_teme: FloatArray, gmst_rad: FloatArray, *,
    cos_sin: tuple[FloatArray, FloatArray] | None = None,
) -> tuple[FloatArray, FloatArray]:
    """TEME position/velocity -> Earth-fixed position (km) and velocity (km/s).

    The Earth-fixed velocity removes the frame's rotation: v' = Rz(gmst) v - omega x r'.
    ``cos_sin``: the cosine and sine of ``gmst_rad``, when already known.
    """
    turn = cos_sin if cos_sin is not None else (np.cos(gmst_rad), np.sin(gmst_rad))
    r = rotate_z(r_teme, gmst_rad, cos_sin=turn)
    v = rotate_z(v_teme, gmst_rad, cos_sin=turn)
    w = EARTH_ROTATION_RAD_S
    v = v + np.stack((w * r[..., 1], -w * r[..., 0], np.zeros_like(r[..., 0])), axis=-1)
    return r, v


def geodetic_to_itrs(lat_deg: ArrayLike, lon_deg: ArrayLike, alt_m: ArrayLike) -> FloatArray:
    """WGS84 latitude, longitude (degrees) and height (m) -> Earth-fixed xyz, km, ``(N, 3)``."""
    lat = np.radians(np.atleast_1d(np.asarray(lat_deg, dtype=float)))
    lon = np.radians(np.atleast_1d(np.asarray(lon_deg, dtype=float)))
    alt = np.atleast_1d(np.asarray(alt_m, dtype=float))
    return cast(FloatArray, erfa.gd2gc(1, lon, lat, alt) / 1000.0)


def itrs_to_geodetic(xyz_km: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Earth-fixed xyz (km) -> WGS84 latitude, longitude (degrees, -180..180) and height (km)."""
    lon, lat, height_m = erfa.gc2gd(1, np.asarray(xyz_km, dtype=float) * 1000.0)
    return np.degrees(lat), np.degrees(lon), height_m / 1000.0


def enu_basis(lat_deg: ArrayLike, lon_deg: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Unit east, north and up vectors (geodetic), each ``(N, 3)``, in the Earth-fixed frame."""
    lat = np.radians(np.atleast_1d(np.asarray(lat_deg, dtype=float)))
    lon = np.radians(np.atleast_1d(np.asarray(lon_deg, dtype=float)))
    sl, cl, so, co = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
    east = np.stack((-so, co, np.zeros_like(so)), axis=-1)
    north = np.stack((-sl * co, -sl * so, cl), axis=-1)
    up = np.stack((cl * co, cl * so, sl), axis=-1)
    return east, north, up
