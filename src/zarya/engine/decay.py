"""Where near-Earth SGP4 cannot report decay: a bound on its drag model.

sgp4 reports decay (error 6) at an instant where the radius it computes, ``mrt`` in
Vallado's code, falls under one Earth radius. Past the first decay its drag polynomial can
lift the orbit again, so :meth:`~zarya.engine.satellite.Satellite.decay_jd` scans each
near-Earth set every 10 minutes from its epoch for the first one. Over a catalogue most of
those scans are wasted: an orbit whose perigee is hundreds of kilometres up cannot come
down within days. This module proves it, from the element set alone, with sgp4's own
secular drag terms (those of ``sgp4init``, Hoots and Roehrich's Spacetrack Report #3 as
revised by Vallado et al., AIAA 2006-6753), so that the scan runs only where a decay is
possible.

Over ``t`` minutes from the epoch, sgp4's mean semi-major axis is ``a0 tempa(t)^2``, with
``tempa = 1 - C1 t - D2 t^2 - D3 t^3 - D4 t^4`` (the last three terms only for perigees
over 220 km), and its mean eccentricity ``e0 - B* C4 t - B* C5 (sin M - sin M0)``. Bounding
each term by its absolute value over ``[0, t]`` bounds ``a`` from below and ``e`` from
above; the long-period (J3) terms add at most ``|A_ycof| / (a (1 - e^2))`` to the
eccentricity vector's length; the radius ``a (1 - e cos E)`` is then at least ``a (1 -
e)``, and the short-period (J2) terms move it by at most ``1.5 |K2 con41| / p^2`` of itself
and ``0.5 |K2 (1 - cos^2 i)| / p`` (``K2 = J2 / 2``, ``p`` the semi-latus rectum). Where
that lower bound stays over one Earth radius (with :data:`MARGIN_EARTH_RADII` to spare),
no instant of the span can report decay, and the scan would find nothing.

Deep-space sets (periods of 225 minutes and more) are not bounded here: the scan does not
apply to them either.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["MARGIN_EARTH_RADII", "drag_terms", "lowest_radius", "surely_up"]

MARGIN_EARTH_RADII = 1e-4  # 0.6 km to spare over the bound, for rounding in sgp4's own sums
_X2O3 = 2.0 / 3.0


def drag_terms(satrecs: Sequence[Any]) -> dict[str, NDArray[np.float64]]:
    """sgp4init's near-Earth secular terms of each set, vectorised: ``a0`` (the mean
    semi-major axis, Earth radii), ``e0``, ``cc1``, ``cc4``, ``cc5``, ``d2``, ``d3``,
    ``d4``, ``bstar``, ``aycof``, ``con41``, ``x1mth2`` and ``isimp`` (1.0 where the
    perigee is under 220 km and the cubic and higher terms are left out), each as sgp4
    computes it from the set and its gravity model (``Satrec``'s own constants).

    >>> from zarya import load_satellite
    >>> terms = drag_terms([load_satellite().satrecs()[-1]])
    >>> round(float(terms['a0'][0]), 3)  # the ISS: about 420 km up, in Earth radii
    1.066
    """
    col = {name: np.array([getattr(s, name) for s in satrecs], dtype=float)
           for name in ("no_kozai", "ecco", "inclo", "bstar", "argpo",
                        "xke", "j2", "j3oj2", "radiusearthkm")}
    xke, j2, re = col["xke"], col["j2"], col["radiusearthkm"]
    ecco, bstar = col["ecco"], col["bstar"]
    cosio = np.cos(col["inclo"])
    sinio = np.sin(col["inclo"])
    cosio2 = cosio * cosio
    # _initl: the Kozai mean motion to Brouwer's ("un-Kozai"), then the semi-major axis
    omeosq = 1.0 - ecco * ecco
    rteosq = np.sqrt(omeosq)
    ak = (xke / col["no_kozai"]) ** _X2O3
    d1 = 0.75 * j2 * (3.0 * cosio2 - 1.0) / (rteosq * omeosq)
    dl = d1 / (ak * ak)
    adel = ak * (1.0 - dl * dl - dl * (1.0 / 3.0 + 134.0 * dl * dl / 81.0))
    dl = d1 / (adel * adel)
    no = col["no_kozai"] / (1.0 + dl)
    ao = (xke / no) ** _X2O3
    con41 = 3.0 * cosio2 - 1.0
    rp = ao * (1.0 - ecco)
    # sgp4init: the atmosphere's reference heights, lowered for perigees under 156 km
    perige = (rp - 1.0) * re
    sfour_km = np.where(perige < 156.0, np.where(perige < 98.0, 20.0, perige - 78.0), 78.0)
    qzms24 = ((120.0 - sfour_km) / re) ** 4
    sfour = sfour_km / re + 1.0
    tsi = 1.0 / (ao - sfour)
    eta = ao * ecco * tsi
    etasq = eta * eta
    eeta = ecco * eta
    psisq = np.abs(1.0 - etasq)
    coef = qzms24 * tsi**4
    coef1 = coef / psisq**3.5
    cc2 = coef1 * no * (ao * (1.0 + 1.5 * etasq + eeta * (4.0 + etasq))
                        + 0.375 * j2 * tsi / psisq * con41 * (8.0 + 3.0 * etasq * (8.0 + etasq)))
    cc1 = bstar * cc2
    x1mth2 = 1.0 - cosio2
    cc4 = 2.0 * no * coef1 * ao * omeosq * (
        eta * (2.0 + 0.5 * etasq) + ecco * (0.5 + 2.0 * etasq)
        - j2 * tsi / (ao * psisq) * (
            -3.0 * con41 * (1.0 - 2.0 * eeta + etasq * (1.5 - 0.5 * eeta))
            + 0.75 * x1mth2 * (2.0 * etasq - eeta * (1.0 + etasq)) * np.cos(2.0 * col["argpo"])))
    cc5 = 2.0 * coef1 * ao * omeosq * (1.0 + 2.75 * (etasq + eeta) + eeta * etasq)
    isimp = (rp < 220.0 / re + 1.0).astype(float)
    d2 = 4.0 * ao * tsi * cc1 * cc1
    temp = d2 * tsi * cc1 / 3.0
    d3 = (17.0 * ao + sfour) * temp
    d4 = 0.5 * temp * ao * tsi * (221.0 * ao + 31.0 * sfour) * cc1
    return {"a0": ao, "e0": ecco, "cc1": cc1, "cc4": cc4, "cc5": cc5, "d2": d2, "d3": d3,
            "d4": d4, "bstar": bstar, "aycof": -0.5 * col["j3oj2"] * sinio, "con41": con41,
            "x1mth2": x1mth2, "isimp": isimp, "j2": j2}


def lowest_radius(satrecs: Sequence[Any], minutes: NDArray[np.float64]) -> NDArray[np.float64]:
    """A lower bound (Earth radii) on the radius near-Earth sgp4 computes for each set at
    any instant from its epoch to ``minutes`` after it (the module docstring's bound);
    ``0.0`` where the bound says nothing (drag terms too large for the span, or a set sgp4
    propagates as deep space)."""
    c = drag_terms(satrecs)
    t = np.maximum(np.asarray(minutes, dtype=float), 0.0)
    full = 1.0 - c["isimp"]
    drop = (np.abs(c["cc1"]) * t
            + full * (np.abs(c["d2"]) * t**2 + np.abs(c["d3"]) * t**3 + np.abs(c["d4"]) * t**4))
    a = c["a0"] * (1.0 - drop) ** 2  # the smallest mean semi-major axis
    e = np.maximum(c["e0"] + np.abs(c["bstar"] * c["cc4"]) * t
                   + full * 2.0 * np.abs(c["bstar"] * c["cc5"]), 1e-6)
    with np.errstate(divide="ignore", invalid="ignore"):
        ecc = e + np.abs(c["aycof"]) / (a * (1.0 - e * e))  # the eccentricity vector's length
        p = a * (1.0 - ecc * ecc)  # the smallest semi-latus rectum
        k2 = 0.5 * c["j2"]
        low = (a * (1.0 - ecc) * (1.0 - 1.5 * k2 * np.abs(c["con41"]) / (p * p))
               - 0.5 * k2 * np.abs(c["x1mth2"]) / p)
    # sgp4's own choice of method (2 pi / its un-Kozai'd mean motion): a set just under
    # 225 minutes by its Kozai mean motion may be propagated as deep space: no bound
    near = np.array([s.method == "n" for s in satrecs], dtype=bool)
    sound = near & (drop < 0.5) & (e < 0.9) & (ecc < 1.0) & (p > 0.0) & np.isfinite(low)
    return np.where(sound, low, 0.0)


def surely_up(satrecs: Sequence[Any], minutes: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Whether near-Earth sgp4 cannot report decay for each set at any instant from its
    epoch to ``minutes`` after it.

    >>> from zarya import load_satellite
    >>> bool(surely_up([load_satellite().satrecs()[-1]], np.array([30 * 1440.0]))[0])
    True
    """
    if not len(satrecs):
        return np.zeros(0, dtype=bool)
    return lowest_radius(satrecs, minutes) >= 1.0 + MARGIN_EARTH_RADII
