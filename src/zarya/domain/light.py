"""Sunlight and brightness: Earth's shadow, twilight, visual magnitude.

Shadow: the satellite is sunlit when the Sun's centre stands above the Earth's limb as
seen from the satellite, the Earth a sphere of radius 6378.137 km (the test of Skyfield's
``is_sunlit``). :func:`sunlit_margin_deg` is that height of the Sun's centre above the
limb, in degrees; within one solar semi-diameter (about 0.27 degree) of zero the
satellite is in the penumbra.

Magnitude (the convention of Heavens-Above and most pass predictors): a diffusely
reflecting sphere of standard magnitude ``m_std`` (at 1000 km, half lit):

    m = m_std + 5 log10(range / 1000 km) - 2.5 log10(sin p + (pi - p) cos p)

with p the phase angle, Sun - satellite - observer. At p = 90 degrees the last term is 0.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np

from ..engine.sun import SUN_RADIUS_KM

__all__ = [
    "EARTH_SHADOW_RADIUS_KM",
    "Shadow",
    "magnitude",
    "phase_angle_rad",
    "shadow",
    "sun_elevation_deg",
    "sunlit_margin_deg",
]

EARTH_SHADOW_RADIUS_KM = 6378.137


class Shadow(StrEnum):
    SUNLIT = "sunlit"
    PENUMBRA = "penumbra"
    UMBRA = "umbra"


def _angle_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Angle between vectors (..., 3), radians (arccos: 1e-8 rad near 0 and pi, ample here)."""
    dot = np.einsum("...i,...i->...", a, b)
    norms = np.sqrt(np.einsum("...i,...i->...", a, a) * np.einsum("...i,...i->...", b, b))
    return np.arccos(np.clip(dot / norms, -1.0, 1.0))


def sunlit_margin_deg(r_sat_km: np.ndarray, sun_km: np.ndarray) -> np.ndarray:
    """Height of the Sun's centre above the Earth's limb, seen from the satellite, degrees."""
    to_sun = sun_km - r_sat_km
    to_earth = -r_sat_km
    dist = np.linalg.norm(r_sat_km, axis=-1)
    limb = np.arcsin(np.clip(EARTH_SHADOW_RADIUS_KM / dist, -1.0, 1.0))
    return np.degrees(_angle_between(to_sun, to_earth) - limb)


def shadow(r_sat_km: np.ndarray, sun_km: np.ndarray) -> np.ndarray:
    """'sunlit', 'penumbra' or 'umbra' for each position (array of str)."""
    margin = sunlit_margin_deg(r_sat_km, sun_km)
    semi = np.degrees(np.arcsin(SUN_RADIUS_KM / np.linalg.norm(sun_km - r_sat_km, axis=-1)))
    return np.where(
        margin > semi, Shadow.SUNLIT.value,
        np.where(margin < -semi, Shadow.UMBRA.value, Shadow.PENUMBRA.value),
    )


def sun_elevation_deg(sun_km: np.ndarray, r_obs_km: np.ndarray, up: np.ndarray) -> np.ndarray:
    """Geometric elevation of the Sun's centre for observers at ``r_obs_km`` with ``up``."""
    d = sun_km - r_obs_km
    return np.degrees(
        np.arcsin(np.einsum("...i,...i->...", d, up) / np.linalg.norm(d, axis=-1))
    )


def phase_angle_rad(r_sat_km: np.ndarray, r_obs_km: np.ndarray, sun_km: np.ndarray) -> np.ndarray:
    """Angle Sun - satellite - observer, radians (0 = fully lit as seen by the observer)."""
    return _angle_between(sun_km - r_sat_km, r_obs_km - r_sat_km)


def magnitude(std_magnitude: float, range_km: np.ndarray, phase_rad: np.ndarray) -> np.ndarray:
    """Visual magnitude of a diffuse sphere (see the module docstring).

    >>> round(float(magnitude(-1.8, 1000.0, np.pi / 2)), 6)
    -1.8
    >>> round(float(magnitude(-1.8, 1000.0, 0.0)), 3)  # full phase: 2.5 log10(pi) brighter
    -3.043
    """
    p = np.asarray(phase_rad, dtype=float)
    phase = np.maximum(np.sin(p) + (np.pi - p) * np.cos(p), 1e-12)
    return std_magnitude + 5.0 * np.log10(np.asarray(range_km) / 1000.0) - 2.5 * np.log10(phase)
