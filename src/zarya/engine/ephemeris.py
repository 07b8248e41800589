"""A satellite's states on a time grid, computed once and shared by every observer.

:class:`Ephemeris` propagates a :class:`~zarya.engine.satellite.Satellite` (each instant
from the set that serves it) with sgp4 on a uniform grid over a
:class:`~zarya.engine.timescale.Window` and rotates the states to the Earth-fixed frame;
between grid points it interpolates with cubic Hermite polynomials on position and velocity.
At the default 60 s step the interpolation error for a low orbit is below 1 m (error ~ h^4
w^4 r / 384), far below the accuracy of SGP4 itself, so event refinement never calls sgp4
again.

Where the serving source changes inside a grid step (a switch of element set, or between a
trajectory and a set: :mod:`.selection`), the step is cut there: each side is its own
Hermite piece from the source that serves it, evaluated at both ends of the piece, so that
no instant is a blend of two sources (two sets can be hundreds of km apart at a switch).

SGP4 failures (decay, eccentricity out of range) come back as NaN, with sgp4's error
code per grid time in :attr:`Ephemeris.error`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .failures import FailedStretch, grid_stretches, nowhere
from .frames import gmst82_rad, rotate_z, teme_to_itrs
from .satellite import Satellite
from .search import runs
from .sun import sun_teme_interpolated
from .timescale import Window

__all__ = ["Ephemeris", "default_step_s"]

FloatArray = NDArray[np.float64]


def default_step_s(sat: Satellite) -> float:
    """Grid step: 60 s, or 1/90 of the shortest orbital period if that is shorter."""
    return min(60.0, sat.period_s / 90.0)


class Ephemeris:
    """Earth-fixed states of one satellite on a uniform grid over a window.

    Attributes: ``t_s`` (T,), ``r_km`` and ``v_km_s`` (T, 3) Earth-fixed, ``error`` (T,)
    sgp4 codes, ``gmst_rad`` (T,), ``sun_km`` (T, 3) apparent Sun, Earth-fixed.
    """

    coefficients_ahead = True  # Hermite coefficients of every interval at the first use

    def __init__(
        self,
        satellite: Satellite,
        window: Window,
        *,
        step_s: float | None = None,
        dut1_s: float = 0.0,
    ) -> None:
        self.satellite = satellite
        self.window = window
        self.dut1_s = dut1_s
        self.t_s = window.grid(step_s or default_step_s(satellite))
        self.step_s = float(self.t_s[1] - self.t_s[0])
        jd1, jd2 = window.jd(self.t_s)
        r_teme, v_teme, self.error = satellite.teme(jd1, jd2)
        self.gmst_rad = np.unwrap(gmst82_rad(jd1, jd2, dut1_s))
        self.r_km, self.v_km_s = teme_to_itrs(r_teme, v_teme, self.gmst_rad)
        self._sun_teme = sun_teme_interpolated(self.t_s, window.base_jd)
        self.sun_km = rotate_z(self._sun_teme, self.gmst_rad)
        self.ok = self.error == 0
        self._all_ok = bool(self.ok.all())
        self._coef: FloatArray | None = None
        self._sun_columns: FloatArray | None = None
        self._grid_columns: FloatArray | None = None
        self._max_ground_speed: float | None = None
        self._pieces = _Pieces.at_switches(self)

    # -------------------------------------------------------------- errors
    def require_some_valid(self) -> None:
        """Raise :class:`~zarya.errors.PropagationError` when no grid time propagated."""
        if not self.ok.any():
            raise nowhere(self.satellite, self.window, self.error.tolist())

    def failed_stretches(self) -> list[FailedStretch]:
        """Stretches of the grid where sgp4 failed, in time order (to the grid's step)."""
        return grid_stretches(self.window, self.t_s, self.error)

    def valid_span(self, t_s: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """The run of propagated grid samples around each of ``t_s`` (seconds from the
        start; each inside such a run): its first and last times, kept a microsecond inside
        where a failure lies beyond (exactly on the grid point, the interpolation may take
        the failed interval next to it). A pass cut by an sgp4 failure ends there."""
        spans = np.array(runs(self.ok), dtype=np.int64).reshape(-1, 2)
        if not len(spans):
            raise nowhere(self.satellite, self.window, self.error.tolist())
        nudge = 1e-6 * self.step_s
        lo = self.t_s[spans[:, 0]] + np.where(spans[:, 0] > 0, nudge, 0.0)
        hi = self.t_s[spans[:, 1] - 1] - np.where(spans[:, 1] < len(self.t_s), nudge, 0.0)
        t = np.asarray(t_s, dtype=float)
        r = np.clip(np.searchsorted(lo, t, side="right") - 1, 0, len(spans) - 1)
        return lo[r], hi[r]

    # -------------------------------------------------------- interpolation
    def _locate(self, t_s: ArrayLike) -> tuple[NDArray[np.int64], FloatArray, float]:
        """Grid interval k and fraction u of each time. A time exactly on a grid point
        whose next point failed is taken as the end of the interval before (u = 1), so
        the last state before an sgp4 failure is still usable; one on a grid point whose
        previous point failed, as the start of the interval after (u = 0)."""
        t = np.asarray(t_s, dtype=float)
        k = np.clip(((t - self.t_s[0]) / self.step_s).astype(np.int64), 0, len(self.t_s) - 2)
        h = self.step_s
        u = (t - self.t_s[k]) / h
        if self._all_ok:  # no failure anywhere: nothing to step around
            return k, u, h
        back = (u <= 0.0) & (k > 0) & ~self.ok[k + 1] & self.ok[np.maximum(k - 1, 0)]
        if back.any():
            k = np.where(back, k - 1, k)
            u = np.where(back, 1.0, u)
        # and the first state after a failure, when rounding put its time at the end of
        # the failed interval before it (t / h a hair under the grid index)
        last = len(self.t_s) - 2
        fwd = (u >= 1.0 - 1e-9) & (k < last) & ~self.ok[k] & self.ok[np.minimum(k + 2, last + 1)]
        if fwd.any():
            k = np.where(fwd, k + 1, k)
            u = np.where(fwd, 0.0, u)
        return k, u, h

    def _coefficients(self) -> FloatArray:
        """Cubic Hermite coefficients of each grid interval by row, ``(12, T - 1)``: c0..c3
        x xyz (row 3 j + i is c_j of coordinate i), each row contiguous: gathering rows
        of single values and evaluating column by column is three times faster than
        gathering ``(M, 12)`` records.

        On interval k with u = (t - t_k) / h: r(u) = c0 + c1 u + c2 u^2 + c3 u^3, matching
        the positions and velocities at both ends.
        """
        if self._coef is None:
            h = self.step_s
            r0, r1 = self.r_km[:-1], self.r_km[1:]
            v0, v1 = self.v_km_s[:-1] * h, self.v_km_s[1:] * h
            c2 = 3.0 * (r1 - r0) - 2.0 * v0 - v1
            c3 = 2.0 * (r0 - r1) + v0 + v1
            self._coef = np.ascontiguousarray(np.concatenate((r0, v0, c2, c3), axis=1).T)
        return self._coef

    def _coefficients_at(self, k: NDArray[np.int64]) -> list[FloatArray]:
        """The 12 coefficient rows of :meth:`_coefficients` at intervals ``k`` (fresh
        arrays). Where the grid holds far more intervals than a search ever looks at (a
        stack of many satellites' stretches: :attr:`coefficients_ahead` False), they are
        worked out for ``k`` alone from the grid's states, not for the whole grid."""
        if self.coefficients_ahead:
            c = self._coefficients()
            return [c[j][k] for j in range(12)]
        g, h = self.grid_columns(), self.step_s
        r0, r1 = [g[i][k] for i in range(3)], [g[i][k + 1] for i in range(3)]
        v0, v1 = [g[3 + i][k] * h for i in range(3)], [g[3 + i][k + 1] * h for i in range(3)]
        c2 = [3.0 * (r1[i] - r0[i]) - 2.0 * v0[i] - v1[i] for i in range(3)]
        c3 = [2.0 * (r0[i] - r1[i]) + v0[i] + v1[i] for i in range(3)]
        return [*r0, *v0, *c2, *c3]

    def position(self, t_s: ArrayLike) -> FloatArray:
        """Earth-fixed position (km) at any times in the window, ``(..., 3)``."""
        k, u, _ = self._locate(t_s)
        c = self._coefficients_at(k)
        r: FloatArray = np.empty((*np.shape(u), 3))
        for i in range(3):
            x = c[9 + i] * u
            x += c[6 + i]
            x *= u
            x += c[3 + i]
            x *= u
            x += c[i]
            r[..., i] = x
        if self._pieces is not None:
            self._pieces.patch(np.asarray(t_s, dtype=float), k, r, None)
        return r

    def velocity(self, t_s: ArrayLike) -> FloatArray:
        """Earth-fixed velocity (km/s), the derivative of the Hermite interpolant."""
        return self.state(t_s)[1]

    def state(self, t_s: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Position (km) and velocity (km/s) together: one look-up of the coefficients."""
        k, u, h = self._locate(t_s)
        c = self._coefficients_at(k)
        r, v = np.empty((*np.shape(u), 3)), np.empty((*np.shape(u), 3))
        for i in range(3):
            c1, c2, c3 = c[3 + i], c[6 + i], c[9 + i]
            x = c3 * u
            x += c2
            x *= u
            x += c1
            x *= u
            x += c[i]
            r[..., i] = x
            c3 *= 3.0 * u
            c3 += 2.0 * c2
            c3 *= u
            c3 += c1
            v[..., i] = c3 / h
        if self._pieces is not None:
            self._pieces.patch(np.asarray(t_s, dtype=float), k, r, v)
        return r, v

    def motion(self, t_s: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Position (km), velocity (km/s) and acceleration (km/s^2) of the interpolant: its
        value and first two derivatives, for Newton steps on a rate (a maximum's search)."""
        k, u, h = self._locate(t_s)
        c = self._coefficients_at(k)
        shape = (*np.shape(u), 3)
        r, v, a = np.empty(shape), np.empty(shape), np.empty(shape)
        for i in range(3):
            c1, c2, c3 = c[3 + i], c[6 + i], c[9 + i]
            r[..., i] = ((c3 * u + c2) * u + c1) * u + c[i]
            v[..., i] = ((3.0 * c3 * u + 2.0 * c2) * u + c1) / h
            a[..., i] = (6.0 * c3 * u + 2.0 * c2) / (h * h)
        if self._pieces is not None:
            self._pieces.patch(np.asarray(t_s, dtype=float), k, r, v, a)
        return r, v, a

    def grid_columns(self) -> FloatArray:
        """The grid's states by coordinate, ``(6, T)`` contiguous (x, y, z, vx, vy, vz):
        gathering single columns is faster than gathering ``(M, 3)`` rows."""
        if self._grid_columns is None:
            self._grid_columns = np.ascontiguousarray(
                np.concatenate((self.r_km, self.v_km_s), axis=1).T)
        return self._grid_columns

    def sun(self, t_s: ArrayLike) -> FloatArray:
        """Apparent Sun, Earth-fixed, km, interpolated linearly between grid points.

        In the Earth-fixed frame the Sun turns 0.25 degree a minute; the chord of one 60 s
        step departs from the arc by 0.5 arcsecond (0.03 s of twilight): negligible.
        """
        k, u, _ = self._locate(t_s)
        if self._sun_columns is None:
            self._sun_columns = np.ascontiguousarray(self.sun_km.T)
        sun: FloatArray = np.empty((*np.shape(u), 3))
        for i, column in enumerate(self._sun_columns):  # by coordinate: see position
            a = column[k]
            b = column[k + 1]
            b -= a
            b *= u
            b += a
            sun[..., i] = b
        return sun

    def valid(self, t_s: ArrayLike) -> NDArray[np.bool_]:
        """True where both grid neighbours of ``t_s`` propagated."""
        k, _, _ = self._locate(t_s)
        ok: NDArray[np.bool_] = self.ok[k] & self.ok[k + 1]
        return ok

    @property
    def has_std_magnitude(self) -> bool:
        """Whether the satellite's standard magnitude is known."""
        return self.satellite.std_magnitude is not None

    def std_magnitude_at(self, t_s: FloatArray) -> FloatArray | float | None:
        """The standard magnitude at times ``t_s``: the satellite's (None when unknown);
        a stack of satellites answers per time."""
        return self.satellite.std_magnitude

    def max_ground_speed_rad_s(self) -> float:
        """Largest angular speed of the sub-satellite direction over the grid (rad/s),
        worked out once."""
        if self._max_ground_speed is None:
            self._max_ground_speed = self._ground_speed()
        return self._max_ground_speed

    def _ground_speed(self) -> float:
        r = self.r_km[self.ok]
        v = self.v_km_s[self.ok]
        if not len(r):
            return 0.0
        rn = np.linalg.norm(r, axis=1)
        tangential = np.linalg.norm(np.cross(r, v), axis=1) / rn
        return float(np.max(tangential / rn))



def _hermite(c: FloatArray, u: FloatArray, h: FloatArray | float
             ) -> tuple[FloatArray, FloatArray]:
    """Position and velocity of cubic Hermite coefficients ``c`` (..., 12) at fractions
    ``u`` of steps ``h`` (seconds)."""
    u = np.asarray(u)[..., None]
    hh = np.asarray(h, dtype=float)[..., None] if np.ndim(h) else h
    r = c[..., 0:3] + u * (c[..., 3:6] + u * (c[..., 6:9] + u * c[..., 9:12]))
    v = (c[..., 3:6] + u * (2.0 * c[..., 6:9] + 3.0 * u * c[..., 9:12])) / hh
    return r, v


def _hermite_accel(c: FloatArray, u: FloatArray, h: FloatArray | float) -> FloatArray:
    """Acceleration (km/s^2) of cubic Hermite coefficients ``c`` (..., 12), as
    :func:`_hermite`."""
    u = np.asarray(u)[..., None]
    hh = np.asarray(h, dtype=float)[..., None] if np.ndim(h) else h
    a: FloatArray = (2.0 * c[..., 6:9] + 6.0 * u * c[..., 9:12]) / (hh * hh)
    return a


def _coefficients(r0: FloatArray, v0: FloatArray, r1: FloatArray, v1: FloatArray,
                  h: FloatArray) -> FloatArray:
    """Cubic Hermite coefficients (N, 12) of N intervals of lengths ``h`` (s)."""
    v0, v1 = v0 * h[:, None], v1 * h[:, None]
    c2 = 3.0 * (r1 - r0) - 2.0 * v0 - v1
    c3 = 2.0 * (r0 - r1) + v0 + v1
    return np.concatenate((r0, v0, c2, c3), axis=1)


class _Pieces:
    """The grid steps cut at switches of source: pieces ``[a, b]`` (seconds), each with the
    Hermite coefficients of the source serving it."""

    def __init__(self, k: NDArray[np.int64], a: FloatArray, b: FloatArray,
                 coef: FloatArray, steps: int) -> None:
        self.k, self.a, self.b, self.coef = k, a, b, coef
        self.cut = np.zeros(steps, dtype=bool)  # which grid steps are cut
        self.cut[k] = True

    @classmethod
    def at_switches(cls, eph: Ephemeris) -> _Pieces | None:
        sat, window, t = eph.satellite, eph.window, eph.t_s
        whole, frac = window.base_jd
        jd = (sat.boundaries_jd() - whole - frac) * 86400.0  # seconds from the start
        # sorted and deduplicated without np.unique, which imports numpy.ma (6 ms of a start)
        cuts = np.array(sorted(set(jd[(jd > t[0]) & (jd < t[-1])].tolist())), dtype=float)
        if not len(cuts):
            return None
        k = np.clip(np.searchsorted(t, cuts, side="left") - 1, 0, len(t) - 2)
        ks, a, b = [], [], []
        for step in sorted(set(k.tolist())):
            edges = [float(t[step]), *cuts[k == step].tolist(), float(t[step + 1])]
            for lo, hi in zip(edges[:-1], edges[1:], strict=True):
                if hi > lo:
                    ks.append(int(step))
                    a.append(lo)
                    b.append(hi)
        ka, aa, ba = np.array(ks, dtype=np.int64), np.array(a), np.array(b)
        src = sat.select(sum(window.jd((aa + ba) / 2.0)))  # a piece's own source
        ends = np.concatenate((aa, ba))
        jd1, jd2 = window.jd(ends)
        r, v, _ = sat.teme_of_sources(jd1, jd2, np.concatenate((src, src)))
        r, v = teme_to_itrs(r, v, gmst82_rad(jd1, jd2, eph.dut1_s))
        n = len(aa)
        coef = _coefficients(r[:n], v[:n], r[n:], v[n:], ba - aa)
        return cls(ka, aa, ba, coef, len(t) - 1)

    def patch(self, t: FloatArray, k: NDArray[np.int64], r: FloatArray,
              v: FloatArray | None, a: FloatArray | None = None) -> None:
        """Replace, in ``r``, ``v`` and ``a``, the states of the times that fall in a cut
        step."""
        inside = self.cut[k]
        if not inside.any():
            return
        tt = np.broadcast_to(t, inside.shape)[inside]
        q = np.clip(np.searchsorted(self.a, tt, side="right") - 1, 0, len(self.a) - 1)
        h = self.b[q] - self.a[q]
        r_cut, v_cut = _hermite(self.coef[q], (tt - self.a[q]) / h, h)
        r[inside] = r_cut
        if v is not None:
            v[inside] = v_cut
        if a is not None:
            a[inside] = _hermite_accel(self.coef[q], (tt - self.a[q]) / h, h)
