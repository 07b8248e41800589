"""Above me now: every object of a catalogue above the horizon at one instant.

One call of sgp4's ``SatrecArray`` propagates every element set to the instant (C++,
vectorised over the objects); the states are turned to the Earth-fixed frame and looked at
from the observer all at once. For each object above ``min_elevation_deg``: its direction,
elevation, range and range rate, whether it is sunlit (or in the penumbra or the umbra of
the Earth's shadow raised ``shadow_height_km``), and its magnitude where its standard
magnitude is known (dimmed by the airmass): none for the others, never the ISS's.

Element sets whose propagation fails at the instant (decayed, eccentricity out of range)
are counted, not listed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from ..elements.elset import ElementSet
from ..engine.frames import gmst82_rad, itrs_to_geodetic, rotate_z, teme_to_itrs
from ..engine.look import Observer, Observers
from ..engine.sun import sun_teme_km
from ..engine.timescale import jd_of
from .light import SHADOW_HEIGHT_KM, extinction_mag, magnitude, phase_angle_rad, shadow

__all__ = ["Overhead", "OverheadSky", "above_horizon"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Overhead:
    """One object above the horizon: where to look, how far, lit or not, how bright."""

    norad_id: int
    name: str
    azimuth_deg: float
    elevation_deg: float
    range_km: float
    range_rate_km_s: float
    height_km: float
    sunlight: str
    magnitude: float | None
    epoch: datetime


@dataclass(frozen=True)
class OverheadSky:
    """The objects above the horizon (highest first), how many sets were looked at and
    how many could not be propagated to the instant."""

    objects: list[Overhead]
    looked_at: int
    failed: int


def above_horizon(
    sets: Sequence[ElementSet], when: datetime, observer: Observer, *,
    std_magnitudes: Mapping[int, float] | None = None, min_elevation_deg: float = 0.0,
    shadow_height_km: float = SHADOW_HEIGHT_KM,
) -> OverheadSky:
    """Every object of ``sets`` (one set per object) above ``min_elevation_deg`` seen from
    the observer at ``when``; magnitudes from ``std_magnitudes`` (NORAD number to standard
    magnitude)."""
    from sgp4.api import SatrecArray

    if not sets:
        return OverheadSky([], 0, 0)
    whole, frac = jd_of(when)
    array = SatrecArray([es.satrec() for es in sets])
    err, r_teme, v_teme = array.sgp4(np.array([whole]), np.array([frac]))
    err, r_teme, v_teme = err[:, 0], r_teme[:, 0, :], v_teme[:, 0, :]
    ok = (err == 0) & np.all(np.isfinite(r_teme), axis=1)
    gmst = gmst82_rad(np.array([whole]), np.array([frac]))
    r, v = teme_to_itrs(r_teme[ok], v_teme[ok], np.full(int(ok.sum()), gmst[0]))
    obs = Observers.of(observer)
    idx = np.zeros(len(r), dtype=np.int64)
    az, el, rng, rate = obs.look(r, idx, v)
    assert rate is not None
    up = el >= min_elevation_deg
    kept = np.flatnonzero(ok)[up]
    r_up, az_u, el_u, rng_u, rate_u = r[up], az[up], el[up], rng[up], rate[up]
    sun = rotate_z(sun_teme_km(np.array([whole]), np.array([frac])), gmst)[0]
    sun_all = np.broadcast_to(sun, r_up.shape)
    light = shadow(r_up, sun_all, shadow_height_km)
    phase = phase_angle_rad(r_up, obs.r_km[0], sun_all)
    _, _, height = itrs_to_geodetic(r_up) if len(r_up) else (None, None, np.zeros(0))
    height = np.atleast_1d(height)
    dimming = extinction_mag(el_u, observer.alt_m) if len(el_u) else np.zeros(0)
    mags = std_magnitudes or {}
    out = []
    for j, i in enumerate(kept.tolist()):
        es = sets[i]
        std = mags.get(es.norad_id)
        mag = None
        if std is not None and light[j] != "umbra":
            mag = round(float(magnitude(std, rng_u[j], phase[j])) + float(dimming[j]), 1)
        out.append(Overhead(es.norad_id, es.name, float(az_u[j]), float(el_u[j]),
                            float(rng_u[j]), float(rate_u[j]), float(height[j]),
                            str(light[j]), mag, es.epoch))
    out.sort(key=lambda o: -o.elevation_deg)
    return OverheadSky(out, len(sets), int((~ok).sum()))
