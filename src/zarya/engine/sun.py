"""The Sun, from pyerfa's ``epv00`` (VSOP2000-based, accurate to a few milliarcseconds).

The Sun moves about 1 degree a day, so it is computed on 6-hourly nodes and interpolated
linearly in between (the chord of a quarter-day's arc, 0.25 degree, departs from the arc by
under 0.5 arcsecond: 0.03 s of twilight). Positions are *apparent*: the annual
aberration (about 20 arcseconds, which is also what light time amounts to for the Sun)
is applied, as in Skyfield's
``observe(sun).apparent()``.
"""

from __future__ import annotations

import warnings
from typing import cast

import erfa
import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["AU_KM", "SUN_RADIUS_KM", "gcrs_to_teme", "sun_teme_interpolated", "sun_teme_km",
           "tt_of"]

FloatArray = NDArray[np.float64]

AU_KM = 149597870.7
C_AU_PER_DAY = 173.1446326846693
SUN_RADIUS_KM = 695700.0
_NODE_S = 6 * 3600.0


def tt_of(jd_whole: FloatArray, jd_fraction: FloatArray) -> tuple[FloatArray, FloatArray]:
    """UTC Julian dates (whole + any fraction) -> TT (leap seconds from erfa's table).

    Outside the table (before 1960, or years after its last entry) erfa warns of a
    "dubious year" and extrapolates; a second or two of TT moves the Sun by under 0.05
    arcsecond, so the warning is not passed on to the user.
    """
    shift = np.floor(jd_fraction)  # erfa's utctai wants a proper (day, fraction) split
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", erfa.ErfaWarning)
        tai1, tai2 = erfa.utctai(jd_whole + shift, jd_fraction - shift)
        return cast(tuple[FloatArray, FloatArray], erfa.taitt(tai1, tai2))


def gcrs_to_teme(tt1: FloatArray, tt2: FloatArray, gcrs: FloatArray) -> FloatArray:
    """Vectors ``(T, 3)`` from GCRS axes to TEME at TT dates: to true of date (IAU
    1976/1980 precession-nutation), then by the equation of the equinoxes."""
    teme_from_gcrs = erfa.rz(erfa.eqeq94(tt1, tt2), erfa.pnm80(tt1, tt2))
    return cast(FloatArray, np.einsum("tij,tj->ti", teme_from_gcrs, gcrs))


def sun_teme_km(jd_whole: ArrayLike, jd_fraction: ArrayLike) -> FloatArray:
    """Apparent geocentric Sun position in the TEME frame, km, ``(T, 3)``; exact at each time."""
    whole = np.atleast_1d(np.asarray(jd_whole, dtype=float))
    fraction = np.atleast_1d(np.asarray(jd_fraction, dtype=float))
    tt1, tt2 = tt_of(whole, fraction)
    pvh, pvb = erfa.epv00(tt1, tt2)
    earth_helio = pvh["p"]  # AU, BCRS axes (= GCRS axes)
    earth_vel = pvb["v"]  # AU/day, barycentric
    sun = -earth_helio
    light_days = np.linalg.norm(sun, axis=-1, keepdims=True) / C_AU_PER_DAY
    sun_apparent = sun + light_days * earth_vel  # aberration to first order in v/c
    return gcrs_to_teme(tt1, tt2, sun_apparent * AU_KM)


def sun_teme_interpolated(t_s: ArrayLike, base_jd: tuple[float, float]) -> FloatArray:
    """Sun in TEME (km) at seconds ``t_s`` after ``base_jd``, from 6-hourly nodes."""
    t = np.asarray(t_s, dtype=float)
    lo = np.floor(t.min() / _NODE_S) * _NODE_S
    hi = np.ceil(t.max() / _NODE_S) * _NODE_S
    nodes = np.arange(lo, hi + _NODE_S, _NODE_S)
    whole, frac = base_jd
    sun = sun_teme_km(np.full(nodes.shape, whole), frac + nodes / 86400.0)
    out = np.empty(t.shape + (3,))
    for k in range(3):
        out[..., k] = np.interp(t, nodes, sun[:, k])
    return out
