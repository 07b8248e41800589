"""Crossings of a patch of sky: which satellites pass through a telescope's field, when they
enter and leave it, how close to its centre and how fast.

The field is a circle of ``radius_deg`` around a direction given either as a fixed place in
the observer's sky (azimuth and altitude: a camera on a tripod) or as ICRS right ascension
and declination (a telescope tracking the stars: the field turns with the sky). For RA/Dec
the observed azimuth and zenith distance come from pyerfa's ``atco13`` (IAU SOFA: precession,
nutation, aberration, without refraction, the satellites' elevations being geometric too) on
a 60 s grid, interpolated.

For each satellite, its passes above the horizon (:func:`zarya.domain.passes.find_pass_table`)
are sampled every second; a stretch inside the field is refined to 0.01 s at its entry and
exit (bisection) and at its closest approach (golden section). The angular rate is the
satellite's speed across the field there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import erfa
import numpy as np
from numpy.typing import NDArray

from ..engine import search
from ..engine.ephemeris import Ephemeris
from ..engine.look import Observer, Observers
from ..errors import OptionError, param, shown
from .geodesy import central_angle_rad
from .light import magnitude, phase_angle_rad, shadow
from .pass_table import PassOptions
from .passes import find_pass_table

__all__ = ["Crossing", "Field", "find_crossings"]

FloatArray = NDArray[np.float64]
_TOL_S = 0.01
_SCAN_S = 1.0


@dataclass(frozen=True)
class Field:
    """A circular field: ``ra_deg``/``dec_deg`` (ICRS), or ``az_deg``/``alt_deg`` (fixed in
    the observer's sky), and its ``radius_deg`` (above 0, at most 30)."""

    radius_deg: float
    ra_deg: float | None = None
    dec_deg: float | None = None
    az_deg: float | None = None
    alt_deg: float | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.radius_deg) and 0.0 < self.radius_deg <= 30.0):
            raise OptionError(f"{param('radius_deg')} {shown(self.radius_deg)} is impossible: "
                              "expected above 0 and at most 30 degrees",
                              parameter="radius_deg", value=self.radius_deg)
        sky = self.ra_deg is not None or self.dec_deg is not None
        fixed = self.az_deg is not None or self.alt_deg is not None
        if sky == fixed or (sky and (self.ra_deg is None or self.dec_deg is None)) or (
                fixed and (self.az_deg is None or self.alt_deg is None)):
            raise OptionError(f"give the field's centre as {param('ra')} and {param('dec')}, "
                              f"or as {param('az')} and {param('alt')}", parameter="ra")
        for name, value, lo, hi in (("ra", self.ra_deg, 0.0, 360.0),
                                    ("dec", self.dec_deg, -90.0, 90.0),
                                    ("az", self.az_deg, 0.0, 360.0),
                                    ("alt", self.alt_deg, 0.0, 90.0)):
            if value is not None and not (math.isfinite(value) and lo <= value <= hi):
                raise OptionError(f"{param(name)} {shown(value)} is impossible: expected "
                                  f"{lo:g} to {hi:g} degrees", parameter=name, value=value)

    def directions(self, eph: Ephemeris, observer: Observer, t_s: FloatArray) -> FloatArray:
        """Unit vectors (east, north, up) of the field's centre at times ``t_s``."""
        if self.az_deg is not None and self.alt_deg is not None:
            az, alt = math.radians(self.az_deg), math.radians(self.alt_deg)
            v = np.array([math.sin(az) * math.cos(alt), math.cos(az) * math.cos(alt),
                          math.sin(alt)])
            return np.broadcast_to(v, (len(t_s), 3)).copy()
        assert self.ra_deg is not None and self.dec_deg is not None
        grid = np.arange(0.0, eph.window.span_s + 60.0, 60.0)
        jd1, jd2 = eph.window.jd(grid)
        z = np.zeros_like(grid)
        aob, zob, *_ = erfa.atco13(
            math.radians(self.ra_deg), math.radians(self.dec_deg), z, z, z, z, jd1, jd2, z,
            math.radians(observer.lon_deg), math.radians(observer.lat_deg), observer.alt_m,
            z, z, z, z, z, z)
        enu = np.stack([np.sin(aob) * np.sin(zob), np.cos(aob) * np.sin(zob), np.cos(zob)],
                       axis=-1)
        out = np.stack([np.interp(t_s, grid, enu[:, k]) for k in range(3)], axis=-1)
        norm: FloatArray = out / np.linalg.norm(out, axis=-1, keepdims=True)
        return norm


@dataclass(frozen=True)
class Crossing:
    """One satellite through the field: ``entry`` and ``exit`` (None where the window or
    the horizon cuts the crossing), the ``closest`` time and ``separation_deg`` from the
    centre, the ``rate_deg_s`` across the field there, the satellite's ``range_km``,
    ``sunlight`` and ``magnitude`` (None where unknown)."""

    norad_id: int
    name: str
    entry: datetime | None
    exit: datetime | None
    closest: datetime
    separation_deg: float
    rate_deg_s: float
    range_km: float
    sunlight: str
    magnitude: float | None


def _enu(eph: Ephemeris, obs: Observers, t: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The satellite's direction (east, north, up unit vectors) and range from the observer."""
    d = eph.position(t) - obs.r_km[0]
    rng = np.linalg.norm(d, axis=-1)
    u = d / rng[:, None]
    return np.stack([u @ obs.east[0], u @ obs.north[0], u @ obs.up[0]], axis=-1), rng


def _sep(a: FloatArray, b: FloatArray) -> FloatArray:
    """Degrees between unit vectors."""
    return np.degrees(central_angle_rad(a, b))


def find_crossings(eph: Ephemeris, observer: Observer, field: Field) -> list[Crossing]:
    """Every crossing of the field by the ephemeris's satellite over its window."""
    obs = Observers.of(observer)
    table = find_pass_table(eph, obs, PassOptions(min_elevation_deg=0.0, visibility=False))
    out: list[Crossing] = []
    span = eph.window.span_s
    for p in range(len(table)):
        a = table.t[p, 0] if np.isfinite(table.t[p, 0]) else 0.0
        b = table.t[p, 2] if np.isfinite(table.t[p, 2]) else span
        t = np.r_[np.arange(a, b, _SCAN_S), b]
        t = t[eph.valid(t)]
        if len(t) < 2:
            continue
        sep = _sep(_enu(eph, obs, t)[0], field.directions(eph, observer, t))
        inside = sep <= field.radius_deg
        for lo, hi in search.runs(inside):
            out.append(_crossing(eph, observer, obs, field, t, sep, lo, hi))
    return sorted(out, key=lambda c: c.closest)


def _crossing(eph: Ephemeris, observer: Observer, obs: Observers, field: Field, t: FloatArray,
              sep: FloatArray, lo: int, hi: int) -> Crossing:
    def f(x: FloatArray, _: object = None) -> FloatArray:
        return _sep(_enu(eph, obs, x)[0], field.directions(eph, observer, x)) - field.radius_deg

    idx = np.zeros(1, dtype=np.int64)
    entry = exit_ = None
    if lo > 0:
        entry = float(search.bracketed_root(f, np.array([t[lo - 1]]), np.array([t[lo]]), idx,
                                            tol=_TOL_S)[0])
    if hi < len(t):
        exit_ = float(search.bracketed_root(f, np.array([t[hi - 1]]), np.array([t[hi]]), idx,
                                            tol=_TOL_S)[0])
    k = lo + int(np.argmin(sep[lo:hi]))
    c_lo, c_hi = t[max(k - 1, 0)], t[min(k + 1, len(t) - 1)]
    best, low = search.golden_minimum(f, np.array([c_lo]), np.array([c_hi]), idx, tol=_TOL_S)
    tc = float(best[0])
    h = 0.05
    u2, _ = _enu(eph, obs, np.array([tc - h, tc + h]))
    v2 = field.directions(eph, observer, np.array([tc - h, tc + h]))
    rate = float(np.degrees(np.linalg.norm((u2[1] - v2[1]) - (u2[0] - v2[0]))) / (2 * h))
    r = eph.position(np.array([tc]))
    rng = float(np.linalg.norm(r[0] - obs.r_km[0]))
    sun = eph.sun(np.array([tc]))
    light = str(shadow(r, sun)[0])
    std = eph.satellite.std_magnitude
    mag = None
    if std is not None and light != "umbra":
        mag = round(float(magnitude(std, np.array(rng), phase_angle_rad(r, obs.r_km, sun)[0])), 1)
    win = eph.window
    return Crossing(
        eph.satellite.norad_id, eph.satellite.name,
        win.instant(entry) if entry is not None else None,
        win.instant(exit_) if exit_ is not None else None,
        win.instant(tc), float(low[0]) + field.radius_deg, rate, rng, light, mag)
