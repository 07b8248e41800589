"""Reference frames: TEME -> Earth-fixed, WGS84 geodetic <-> Earth-fixed, local bases.

SGP4 works in TEME (true equator, mean equinox). Rotating by Greenwich mean sidereal time
(IAU 1982, pyerfa ``gmst82``) about the z axis gives the pseudo-Earth-fixed frame, which we
use as the Earth-fixed frame: polar motion (under 0.5 arcsecond, about 15 m on the ground)
is left out, as Vallado's reference code does by default.

Shapes: positions are ``(..., 3)`` arrays in km, velocities in km/s; angles in degrees.
"""

from __future__ import annotations

import erfa
import numpy as np

# Earth's rotation rate for GMST-82 (Vallado, "Revisiting Spacetrack Report #3"), rad/s.
EARTH_ROTATION_RAD_S = 7.292115146706979e-5
WGS84_A_KM = 6378.137
WGS84_F = 1.0 / 298.257223563


def gmst82_rad(jd_whole: np.ndarray, jd_fraction: np.ndarray, dut1_s: float = 0.0) -> np.ndarray:
    """Greenwich mean sidereal time (IAU 1982) for UTC Julian dates, UT1 = UTC + dut1."""
    return erfa.gmst82(jd_whole, jd_fraction + dut1_s / 86400.0)


def rotate_z(vec: np.ndarray, angle_rad: np.ndarray) -> np.ndarray:
    """Rotate the frame by ``angle`` about z (erfa's Rz): coordinates of ``vec`` in the new frame.

    ``vec`` is ``(..., 3)``; ``angle_rad`` broadcasts against ``vec[..., 0]``.
    """
    c, s = np.cos(angle_rad), np.sin(angle_rad)
    x, y, z = vec[..., 0], vec[..., 1], vec[..., 2]
    return np.stack((c * x + s * y, -s * x + c * y, z), axis=-1)


def teme_to_itrs(
    r_teme: np.ndarray, v_teme: np.ndarray, gmst_rad: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """TEME position/velocity -> Earth-fixed position (km) and velocity (km/s).

    The Earth-fixed velocity removes the frame's rotation: v' = Rz(gmst) v - omega x r'.
    """
    r = rotate_z(r_teme, gmst_rad)
    v = rotate_z(v_teme, gmst_rad)
    w = EARTH_ROTATION_RAD_S
    v = v + np.stack((w * r[..., 1], -w * r[..., 0], np.zeros_like(r[..., 0])), axis=-1)
    return r, v


def geodetic_to_itrs(lat_deg, lon_deg, alt_m) -> np.ndarray:
    """WGS84 latitude, longitude (degrees) and height (m) -> Earth-fixed xyz, km, ``(N, 3)``."""
    lat = np.radians(np.atleast_1d(np.asarray(lat_deg, dtype=float)))
    lon = np.radians(np.atleast_1d(np.asarray(lon_deg, dtype=float)))
    alt = np.atleast_1d(np.asarray(alt_m, dtype=float))
    return erfa.gd2gc(1, lon, lat, alt) / 1000.0


def itrs_to_geodetic(xyz_km: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Earth-fixed xyz (km) -> WGS84 latitude, longitude (degrees, -180..180) and height (km)."""
    lon, lat, height_m = erfa.gc2gd(1, np.asarray(xyz_km, dtype=float) * 1000.0)
    return np.degrees(lat), np.degrees(lon), height_m / 1000.0


def enu_basis(lat_deg, lon_deg) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit east, north and up vectors (geodetic), each ``(N, 3)``, in the Earth-fixed frame."""
    lat = np.radians(np.atleast_1d(np.asarray(lat_deg, dtype=float)))
    lon = np.radians(np.atleast_1d(np.asarray(lon_deg, dtype=float)))
    sl, cl, so, co = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
    east = np.stack((-so, co, np.zeros_like(so)), axis=-1)
    north = np.stack((-sl * co, -sl * so, cl), axis=-1)
    up = np.stack((cl * co, cl * so, sl), axis=-1)
    return east, north, up
