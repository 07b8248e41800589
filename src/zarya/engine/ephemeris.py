"""A satellite's states on a time grid, computed once and shared by every observer.

:class:`Ephemeris` propagates a :class:`~zarya.engine.satellite.Satellite` (each instant
from the set that serves it) with sgp4 on a uniform grid over a
:class:`~zarya.engine.timescale.Window` and rotates the states to the Earth-fixed frame;
between grid points it interpolates with cubic Hermite polynomials on position and velocity.
At the default 60 s step the interpolation error for a low orbit is below 1 m (error ~ h^4
w^4 r / 384), far below the accuracy of SGP4 itself, so event refinement never calls sgp4
again.

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
        self._coef: FloatArray | None = None

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
        the last state before an sgp4 failure is still usable."""
        t = np.asarray(t_s, dtype=float)
        k = np.clip(((t - self.t_s[0]) / self.step_s).astype(np.int64), 0, len(self.t_s) - 2)
        h = self.step_s
        u = (t - self.t_s[k]) / h
        back = (u <= 0.0) & (k > 0) & ~self.ok[k + 1] & self.ok[np.maximum(k - 1, 0)]
        if back.any():
            k = np.where(back, k - 1, k)
            u = np.where(back, 1.0, u)
        return k, u, h

    def _coefficients(self) -> FloatArray:
        """Cubic Hermite coefficients of each grid interval, ``(T - 1, 12)``: c0..c3 x xyz.

        On interval k with u = (t - t_k) / h: r(u) = c0 + c1 u + c2 u^2 + c3 u^3, matching
        the positions and velocities at both ends.
        """
        if self._coef is None:
            h = self.step_s
            r0, r1 = self.r_km[:-1], self.r_km[1:]
            v0, v1 = self.v_km_s[:-1] * h, self.v_km_s[1:] * h
            c2 = 3.0 * (r1 - r0) - 2.0 * v0 - v1
            c3 = 2.0 * (r0 - r1) + v0 + v1
            self._coef = np.ascontiguousarray(np.concatenate((r0, v0, c2, c3), axis=1))
        return self._coef

    def position(self, t_s: ArrayLike) -> FloatArray:
        """Earth-fixed position (km) at any times in the window, ``(..., 3)``."""
        k, u, _ = self._locate(t_s)
        c = self._coefficients()[k]
        u = u[..., None]
        r: FloatArray = c[..., 0:3] + u * (c[..., 3:6] + u * (c[..., 6:9] + u * c[..., 9:12]))
        return r

    def velocity(self, t_s: ArrayLike) -> FloatArray:
        """Earth-fixed velocity (km/s), the derivative of the Hermite interpolant."""
        k, u, h = self._locate(t_s)
        c = self._coefficients()[k]
        u = u[..., None]
        v: FloatArray = (c[..., 3:6] + u * (2.0 * c[..., 6:9] + 3.0 * u * c[..., 9:12])) / h
        return v

    def state(self, t_s: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Position (km) and velocity (km/s) together: one look-up of the coefficients."""
        k, u, h = self._locate(t_s)
        c = self._coefficients()[k]
        u = u[..., None]
        r = c[..., 0:3] + u * (c[..., 3:6] + u * (c[..., 6:9] + u * c[..., 9:12]))
        v = (c[..., 3:6] + u * (2.0 * c[..., 6:9] + 3.0 * u * c[..., 9:12])) / h
        return r, v

    def sun(self, t_s: ArrayLike) -> FloatArray:
        """Apparent Sun, Earth-fixed, km, interpolated linearly between grid points.

        In the Earth-fixed frame the Sun turns 0.25 degree a minute; the chord of one 60 s
        step departs from the arc by 0.5 arcsecond (0.03 s of twilight): negligible.
        """
        k, u, _ = self._locate(t_s)
        u = u[..., None]
        sun: FloatArray = self.sun_km[k] + u * (self.sun_km[k + 1] - self.sun_km[k])
        return sun

    def valid(self, t_s: ArrayLike) -> NDArray[np.bool_]:
        """True where both grid neighbours of ``t_s`` propagated."""
        k, _, _ = self._locate(t_s)
        ok: NDArray[np.bool_] = self.ok[k] & self.ok[k + 1]
        return ok

    def max_ground_speed_rad_s(self) -> float:
        """Largest angular speed of the sub-satellite direction over the grid (rad/s)."""
        r = self.r_km[self.ok]
        v = self.v_km_s[self.ok]
        if not len(r):
            return 0.0
        rn = np.linalg.norm(r, axis=1)
        tangential = np.linalg.norm(np.cross(r, v), axis=1) / rn
        return float(np.max(tangential / rn))

