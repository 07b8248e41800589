"""The Moon, and the Sun and the Moon as an observer sees them (apparent, topocentric).

The Moon's geocentric position comes from JPL's DE421, refitted as Chebyshev series per 4
days (``data/moon_de421.npz``, 1995-2050, 1.7 cm from DE421; made by
``tools/make_moon_table.py``): pyerfa's ``moon98`` is 2 arcseconds off in the median and
up to 9, too coarse for a transit that a half-metre of the Moon's disc decides. Outside the
table, ``moon98`` serves (and :data:`MOON_TABLE_SPAN` says where the table ends).

Apparent places as Skyfield's ``observe().apparent()`` gives them: the Sun displaced by the
annual aberration (about 20 arcseconds, :mod:`.sun`); the Moon where it was a light time ago
(1.3 s, about 1.3 km) relative to the Earth, which is its apparent place (the annual
aberration and the Earth's motion during the light time cancel); both, seen from the
ground, displaced by the diurnal aberration of the observer's rotation (up to 0.3
arcsecond). Gravitational deflection (under
0.01 arcsecond away from the Sun's limb) is left out.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import erfa
import numpy as np
from numpy.typing import ArrayLike, NDArray

from .frames import EARTH_ROTATION_RAD_S, gmst82_rad, rotate_z
from .sun import AU_KM, SUN_RADIUS_KM, gcrs_to_teme, sun_teme_km, tt_of

__all__ = [
    "MOON_RADIUS_KM",
    "MOON_TABLE_SPAN",
    "body_itrs_km",
    "moon_gcrs_km",
    "moon_teme_km",
    "topocentric_apparent",
]

FloatArray = NDArray[np.float64]

MOON_RADIUS_KM = 1737.4  # IAU mean radius
C_KM_S = 299_792.458
BODY_RADIUS_KM = {"sun": SUN_RADIUS_KM, "moon": MOON_RADIUS_KM}


@lru_cache(maxsize=1)
def _table() -> tuple[float, float, FloatArray]:
    ref = resources.files("zarya").joinpath("data/moon_de421.npz")
    with ref.open("rb") as fh, np.load(fh) as data:
        return float(data["first_jd_tt"]), float(data["interval_days"]), data["coef"].copy()


def _span() -> tuple[float, float]:
    first, days, coef = _table()
    return first, first + days * len(coef)


MOON_TABLE_SPAN = ("1995-01-01", "2050-01-01")


def moon_gcrs_km(tt1: ArrayLike, tt2: ArrayLike) -> FloatArray:
    """The Moon's geometric geocentric position (GCRS axes, km) at TT Julian dates,
    ``(T, 3)``: DE421 inside the table, ``moon98`` outside."""
    jd = np.atleast_1d(np.asarray(tt1, dtype=float) + np.asarray(tt2, dtype=float))
    first, days, coef = _table()
    k = np.floor((jd - first) / days).astype(np.int64)
    inside = (k >= 0) & (k < len(coef))
    out = np.empty(jd.shape + (3,))
    if inside.any():
        kk = k[inside]
        x = 2.0 * (jd[inside] - (first + kk * days)) / days - 1.0
        c = coef[kk]  # (M, 3, DEGREE + 1)
        # Clenshaw, vectorised over times and axes
        b1 = np.zeros(c.shape[:2])
        b2 = np.zeros(c.shape[:2])
        xx = x[:, None]
        for j in range(c.shape[2] - 1, 0, -1):
            b1, b2 = 2.0 * xx * b1 - b2 + c[:, :, j], b1
        out[inside] = xx * b1 - b2 + c[:, :, 0]
    if (~inside).any():
        whole = np.atleast_1d(np.asarray(tt1, dtype=float))
        frac = np.atleast_1d(np.asarray(tt2, dtype=float))
        whole, frac = np.broadcast_arrays(whole, frac)
        out[~inside] = erfa.moon98(whole[~inside], frac[~inside])["p"] * AU_KM
    return out


def moon_teme_km(jd_whole: ArrayLike, jd_fraction: ArrayLike) -> FloatArray:
    """The Moon's apparent geocentric position in TEME (km) at UTC Julian dates,
    ``(T, 3)``: where it was a light time ago (see the module's notes on aberration)."""
    whole = np.atleast_1d(np.asarray(jd_whole, dtype=float))
    fraction = np.atleast_1d(np.asarray(jd_fraction, dtype=float))
    whole, fraction = np.broadcast_arrays(whole, fraction)
    tt1, tt2 = tt_of(whole, fraction)
    moon = moon_gcrs_km(tt1, tt2)
    for _ in range(2):  # light time: where the Moon was when the light left it
        delay_d = np.linalg.norm(moon, axis=-1) / C_KM_S / 86400.0
        moon = moon_gcrs_km(tt1, tt2 - delay_d)
    # No annual aberration: seen from the Earth, the Moon's light time taken from the
    # geocentric (co-moving) position already is the apparent place; the barycentric light
    # time and the aberration of the Earth's velocity cancel (v tau against d v / c).
    return gcrs_to_teme(tt1, tt2, moon)


def body_itrs_km(body: str, jd_whole: ArrayLike, jd_fraction: ArrayLike,
                 dut1_s: float = 0.0) -> FloatArray:
    """The apparent geocentric Sun or Moon (``body``) in the Earth-fixed frame, km."""
    whole = np.atleast_1d(np.asarray(jd_whole, dtype=float))
    fraction = np.atleast_1d(np.asarray(jd_fraction, dtype=float))
    whole, fraction = np.broadcast_arrays(whole, fraction)
    teme = moon_teme_km(whole, fraction) if body == "moon" else sun_teme_km(whole, fraction)
    return rotate_z(teme, gmst82_rad(whole, fraction, dut1_s))


def topocentric_apparent(body_itrs: FloatArray, observer_itrs: FloatArray) -> FloatArray:
    """Direction vectors (km, their length the topocentric distance) of a body from
    observers on the ground, with the diurnal aberration of the observers' rotation;
    ``body_itrs`` (..., 3) geocentric apparent, ``observer_itrs`` broadcasting (..., 3)."""
    d = body_itrs - observer_itrs
    r = observer_itrs
    v_obs = EARTH_ROTATION_RAD_S * np.stack(
        (-r[..., 1], r[..., 0], np.zeros_like(r[..., 0])), axis=-1)
    dist = np.linalg.norm(d, axis=-1, keepdims=True)
    out: FloatArray = d + dist * v_obs / C_KM_S
    return out


