"""Sunlight and brightness: the Earth's shadow, twilight, magnitudes, the sky's own limit.

Shadow: the satellite is sunlit when the Sun's centre stands above the Earth's limb as
seen from the satellite, the Earth a sphere of radius 6378.137 km raised by an effective
shadow height for the atmosphere (:data:`SHADOW_HEIGHT_KM`, 18 km by default).
:func:`sunlit_margin_deg` is that height of the Sun's centre above the limb, in degrees;
within one solar semi-diameter (about 0.27 degree) of zero the satellite is in the
penumbra, and it fades over the seconds it takes to cross it.

Why 18 km: sunlight grazing the atmosphere is refracted and absorbed, and the satellite
dims well above the bare sphere's shadow. Observers time the shadow edge 15 to 20 km up
(Matson's and Molczan's predictions use 15-20 km, "See A Satellite Tonight" 15 km), and
against NASA's published ISS sightings of February 2022 for 461 cities (from NASA's own
trajectory), a shadow raised by about 18 km brings the peak elevation of the visible part
within 2 degrees of NASA's for 97 % of passes instead of 91 %, and the appearing elevation
within 1 degree for 93 % instead of 76 % (zarya issue 12). 0 km is the bare sphere: the
test of Skyfield's ``is_sunlit``. The sphere has the equatorial radius: at the latitudes
where the ISS's shadow grazes the Earth it stands 0 to 16 km above the WGS84 ellipsoid.

Magnitude (the convention of Heavens-Above and most pass predictors): a diffusely
reflecting sphere of standard magnitude ``m_std`` (at 1000 km, half lit: phase angle 90
degrees):

    m = m_std + 5 log10(range / 1000 km) - 2.5 log10(sin p + (pi - p) cos p)

with p the phase angle, Sun - satellite - observer. At p = 90 degrees the last term is 0;
at full phase (p = 0) the sphere is 2.5 log10(pi) = 1.24 magnitudes brighter, so an
"intrinsic" magnitude (1000 km, full phase) is the standard one less 1.24
(:func:`standard_from_intrinsic`). Atmospheric extinction adds ``k X``: X the airmass of
Kasten and Young (1989), k the V-band coefficient at the observer's height of Green (1992)
as used by Schaefer (Rayleigh 0.1451 e^(-h/7996 m), aerosols 0.120 e^(-h/1500 m), ozone
0.016: 0.28 magnitude per airmass at sea level).

The sky's limit: the zenith sky brightness in twilight is the V-band fit of Patat et al.
(2006, A&A 455, 385: Paranal, Sun zenith distance 95 to 105 degrees), extended linearly
towards sunset, added to the night sky's; the naked-eye limiting magnitude against a sky
of brightness B (mag/arcsec^2) is 7.93 - 5 log10(10^(4.316 - B / 5) + 1) (Schaefer's
relation as used for sky-quality meters). A dark sky of limiting magnitude 6 is 20.8
mag/arcsec^2; at the end of civil twilight (Sun at -6 degrees) the limit is about -0.4,
the brightest stars and planets.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np

from ..elements.magnitudes import standard_from_intrinsic
from ..engine.sun import SUN_RADIUS_KM

__all__ = [
    "DARK_SKY_LIMIT",
    "EARTH_SHADOW_RADIUS_KM",
    "SHADOW_HEIGHT_KM",
    "Shadow",
    "airmass",
    "extinction_coefficient",
    "extinction_mag",
    "limiting_magnitude",
    "magnitude",
    "naked_eye_limit",
    "phase_angle_rad",
    "shadow",
    "sky_brightness",
    "standard_from_intrinsic",
    "sun_elevation_deg",
    "sun_semi_diameter_deg",
    "sunlit_margin_deg",
    "twilight_sky_brightness",
]

EARTH_SHADOW_RADIUS_KM = 6378.137  # the bare sphere; the shadow is raised from it
SHADOW_HEIGHT_KM = 18.0  # see the module docstring
DARK_SKY_LIMIT = 6.0  # the naked-eye limiting magnitude of a dark sky


class Shadow(StrEnum):
    SUNLIT = "sunlit"
    PENUMBRA = "penumbra"
    UMBRA = "umbra"


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Dot products of vectors (..., 3), written out (faster than einsum, and than
    ``np.linalg.norm`` for lengths, on the long arrays of the pass search)."""
    out: np.ndarray = a[..., 0] * b[..., 0] + a[..., 1] * b[..., 1] + a[..., 2] * b[..., 2]
    return out


def _norm(a: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.sqrt(_dot(a, a))
    return out


def _angle_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Angle between vectors (..., 3), radians (arccos: 1e-8 rad near 0 and pi, ample here)."""
    dot = _dot(a, b)
    norms = np.sqrt(_dot(a, a) * _dot(b, b))
    return np.arccos(np.clip(dot / norms, -1.0, 1.0))


def sunlit_margin_deg(r_sat_km: np.ndarray, sun_km: np.ndarray,
                      shadow_height_km: float = SHADOW_HEIGHT_KM) -> np.ndarray:
    """Height of the Sun's centre above the limb of the Earth raised by
    ``shadow_height_km``, seen from the satellite, degrees."""
    to_sun = sun_km - r_sat_km
    to_earth = -r_sat_km
    dist = _norm(r_sat_km)
    radius = EARTH_SHADOW_RADIUS_KM + shadow_height_km
    limb = np.arcsin(np.clip(radius / dist, -1.0, 1.0))
    return np.degrees(_angle_between(to_sun, to_earth) - limb)


def sun_semi_diameter_deg(r_sat_km: np.ndarray, sun_km: np.ndarray) -> np.ndarray:
    """The Sun's angular radius seen from the satellite, degrees (about 0.27)."""
    return np.degrees(np.arcsin(SUN_RADIUS_KM / _norm(sun_km - r_sat_km)))


def shadow(r_sat_km: np.ndarray, sun_km: np.ndarray,
           shadow_height_km: float = SHADOW_HEIGHT_KM) -> np.ndarray:
    """'sunlit', 'penumbra' or 'umbra' for each position (array of str)."""
    margin = sunlit_margin_deg(r_sat_km, sun_km, shadow_height_km)
    semi = sun_semi_diameter_deg(r_sat_km, sun_km)
    return np.where(
        margin > semi, Shadow.SUNLIT.value,
        np.where(margin < -semi, Shadow.UMBRA.value, Shadow.PENUMBRA.value),
    )


def sun_elevation_deg(sun_km: np.ndarray, r_obs_km: np.ndarray, up: np.ndarray) -> np.ndarray:
    """Geometric elevation of the Sun's centre for observers at ``r_obs_km`` with ``up``."""
    d = sun_km - r_obs_km
    return np.degrees(np.arcsin(_dot(d, up) / _norm(d)))


def phase_angle_rad(r_sat_km: np.ndarray, r_obs_km: np.ndarray, sun_km: np.ndarray) -> np.ndarray:
    """Angle Sun - satellite - observer, radians (0 = fully lit as seen by the observer)."""
    return _angle_between(sun_km - r_sat_km, r_obs_km - r_sat_km)


def magnitude(std_magnitude: float | np.ndarray | None, range_km: np.ndarray,
              phase_rad: np.ndarray) -> np.ndarray:
    """Visual magnitude of a diffuse sphere above the atmosphere (see the module
    docstring); NaN throughout for an object of unknown brightness (``None``).

    >>> round(float(magnitude(-1.8, 1000.0, np.pi / 2)), 6)
    -1.8
    >>> round(float(magnitude(-1.8, 1000.0, 0.0)), 3)  # full phase: 2.5 log10(pi) brighter
    -3.043
    """
    p = np.asarray(phase_rad, dtype=float)
    if std_magnitude is None:
        return np.full(np.broadcast(p, np.asarray(range_km)).shape, np.nan)
    phase = np.maximum(np.sin(p) + (np.pi - p) * np.cos(p), 1e-12)
    return std_magnitude + 5.0 * np.log10(np.asarray(range_km) / 1000.0) - 2.5 * np.log10(phase)


def airmass(elevation_deg: np.ndarray) -> np.ndarray:
    """Relative airmass at an apparent elevation (Kasten and Young 1989): 1 at the zenith,
    5.6 at 10 degrees, 37.9 at the horizon; NaN below -6 degrees.

    >>> [round(float(airmass(e)), 3) for e in (90.0, 30.0, 10.0, 0.0)]
    [1.0, 1.994, 5.586, 37.92]
    """
    e = np.asarray(elevation_deg, dtype=float)
    with np.errstate(invalid="ignore"):
        return 1.0 / (np.sin(np.radians(e)) + 0.50572 * (e + 6.07995) ** -1.6364)


def extinction_coefficient(height_m: np.ndarray | float) -> np.ndarray:
    """V-band extinction, magnitudes per airmass, at the observer's height (see the module
    docstring).

    >>> [round(float(extinction_coefficient(h)), 4) for h in (0.0, 2000.0)]
    [0.2811, 0.1606]
    """
    h = np.maximum(np.asarray(height_m, dtype=float), 0.0)
    return 0.1451 * np.exp(-h / 7996.0) + 0.120 * np.exp(-h / 1500.0) + 0.016


def extinction_mag(elevation_deg: np.ndarray, height_m: np.ndarray | float) -> np.ndarray:
    """How much fainter the atmosphere makes an object at this elevation, magnitudes."""
    return extinction_coefficient(height_m) * airmass(np.maximum(elevation_deg, -1.0))


def twilight_sky_brightness(sun_elevation: np.ndarray) -> np.ndarray:
    """The twilight part of the zenith sky's V brightness, mag/arcsec^2, for the Sun at
    this elevation (degrees): Patat et al. (2006) between 5 and 15 degrees below the
    horizon, its tangent from 5 degrees up to sunset, its tangent beyond 15 (the night sky
    takes over there: :func:`sky_brightness`); 3 (a daylight sky) at most."""
    d = -np.asarray(sun_elevation, dtype=float)  # the Sun's depression
    x = np.clip(d, 5.0, 15.0) - 5.0
    fit = 11.84 + 1.518 * x - 0.057 * x * x
    below = np.minimum(d - 5.0, 0.0) * 1.518  # towards sunset, the slope at 5 degrees
    above = np.maximum(d - 15.0, 0.0) * (1.518 - 2 * 0.057 * 10.0)
    return np.maximum(fit + below + above, 3.0)


def sky_brightness(sun_elevation: np.ndarray, dark_limit: float = DARK_SKY_LIMIT) -> np.ndarray:
    """The zenith sky's V brightness, mag/arcsec^2: twilight plus the night sky of a place
    whose naked-eye limit is ``dark_limit`` in full darkness."""
    night = _sky_for_limit(dark_limit)
    tw = twilight_sky_brightness(sun_elevation)
    return -2.5 * np.log10(10.0 ** (-0.4 * tw) + 10.0 ** (-0.4 * night))


def naked_eye_limit(sky: np.ndarray) -> np.ndarray:
    """The faintest star the naked eye sees against a sky of this V brightness
    (mag/arcsec^2): Schaefer's relation (see the module docstring).

    >>> [round(float(naked_eye_limit(b)), 2) for b in (21.6, 20.8, 18.0)]
    [6.43, 6.0, 3.97]
    """
    return 7.93 - 5.0 * np.log10(10.0 ** (4.316 - np.asarray(sky, dtype=float) / 5.0) + 1.0)


def limiting_magnitude(sun_elevation: np.ndarray,
                       dark_limit: float = DARK_SKY_LIMIT) -> np.ndarray:
    """The naked-eye limiting magnitude at the zenith for the Sun at this elevation, under
    a sky whose limit in full darkness is ``dark_limit``.

    >>> [round(float(limiting_magnitude(s)), 1) for s in (-3.0, -6.0, -12.0, -30.0)]
    [-4.9, -0.4, 5.0, 6.0]
    """
    return naked_eye_limit(sky_brightness(sun_elevation, dark_limit))


def _sky_for_limit(limit: float) -> float:
    """The sky brightness (mag/arcsec^2) whose naked-eye limit is ``limit``."""
    return float(5.0 * (4.316 - np.log10(10.0 ** ((7.93 - limit) / 5.0) - 1.0)))
