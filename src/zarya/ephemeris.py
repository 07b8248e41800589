"""A satellite's states on a time grid, computed once and shared by every observer.

:class:`Satellite` is one object's element history (one set or many); for each instant it
uses the set whose epoch is nearest (the later set wins a tie). :class:`Ephemeris`
propagates it with sgp4 on a uniform grid over a :class:`~zarya.timescale.Window` and
rotates the states to the Earth-fixed frame; between grid points it interpolates with
cubic Hermite polynomials on position and velocity. At the default 60 s step the
interpolation error for a low orbit is below 1 m (error ~ h^4 w^4 r / 384), far below the
accuracy of SGP4 itself, so event refinement never calls sgp4 again.

SGP4 failures (decay, eccentricity out of range) come back as NaN, with sgp4's error
code per grid time in :attr:`Ephemeris.error`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .bodies import sun_teme_interpolated
from .elements.base import ElementSet
from .errors import ElementsError, PropagationError, StaleElementsError
from .frames import gmst82_rad, rotate_z, teme_to_itrs
from .timescale import Window, datetime_of, iso_z

STALE_WARN_DAYS = 14.0
STALE_REFUSE_DAYS = 30.0
MANOEUVRE_DROP_REV_PER_DAY = 1e-3
MANOEUVRE_MAX_GAP_DAYS = 5.0

SGP4_ERRORS = {
    1: "mean eccentricity out of range",
    2: "mean motion below zero",
    3: "perturbed eccentricity out of range",
    4: "semi-latus rectum below zero",
    5: "epoch elements are sub-orbital",
    6: "satellite has decayed",
}


@dataclass
class Satellite:
    """One object and its element sets, sorted by epoch.

    ``std_magnitude`` is the brightness at 1000 km, half lit (phase angle 90 degrees);
    -1.8 is the value in common use for the ISS.
    """

    elements: list[ElementSet]
    std_magnitude: float = -1.8
    _satrecs: list | None = field(default=None, repr=False, compare=False)
    _decay: dict = field(default_factory=dict, repr=False, compare=False)
    _bounds: np.ndarray | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.elements:
            raise ElementsError("no element sets given")
        ids = {e.norad_id for e in self.elements}
        if len(ids) > 1:
            raise ElementsError(
                f"element sets of several objects given together: {sorted(ids)[:5]}"
            )
        self.elements = sorted(self.elements, key=lambda e: e.epoch_jd_total)

    @classmethod
    def from_tle(cls, line1: str, line2: str, name: str = "", **kw) -> Satellite:
        from .elements.tle import parse_tle

        return cls([parse_tle(line1, line2, name)], **kw)

    @classmethod
    def from_elements(cls, sets: Sequence[ElementSet], **kw) -> Satellite:
        return cls(list(sets), **kw)

    @property
    def norad_id(self) -> int:
        return self.elements[-1].norad_id

    @property
    def name(self) -> str:
        return self.elements[-1].name or str(self.norad_id)

    @property
    def epochs_jd(self) -> np.ndarray:
        return np.array([e.epoch_jd_total for e in self.elements])

    def satrecs(self) -> list:
        if self._satrecs is None:
            self._satrecs = [e.satrec() for e in self.elements]
        return self._satrecs

    def manoeuvres(self) -> np.ndarray:
        """Boolean per gap between consecutive sets: was the orbit raised in between?

        Drag only ever raises the mean motion; a drop of more than
        :data:`MANOEUVRE_DROP_REV_PER_DAY` between two sets at most
        :data:`MANOEUVRE_MAX_GAP_DAYS` apart (about 300 m of altitude for the ISS, well
        above the 4e-4 rev/day by which sets of different sources can disagree at the same
        epoch) means a reboost or an avoidance manoeuvre happened between their epochs.
        """
        n = np.array([e.mean_motion_rev_per_day for e in self.elements])
        gap = np.diff(self.epochs_jd)
        return (np.diff(n) < -MANOEUVRE_DROP_REV_PER_DAY) & (gap <= MANOEUVRE_MAX_GAP_DAYS)

    def boundaries_jd(self) -> np.ndarray:
        """Where the selection switches from one set to the next (JD), one per gap.

        Halfway between the epochs (the nearest epoch wins), except across a manoeuvre:
        there the later set wins from the earlier set's epoch on, since the older set
        cannot know about the burn.
        """
        if self._bounds is None:
            epochs = self.epochs_jd
            mid = (epochs[1:] + epochs[:-1]) / 2.0
            self._bounds = np.where(self.manoeuvres(), epochs[:-1], mid)
        return self._bounds

    def select(self, jd: np.ndarray) -> np.ndarray:
        """Index of the set to use at each Julian date: the nearest epoch (later wins ties,
        and across a manoeuvre the later set wins, see :meth:`boundaries_jd`)."""
        return np.searchsorted(self.boundaries_jd(), np.asarray(jd, dtype=float), side="right")

    def age_days(self, jd: np.ndarray) -> np.ndarray:
        """Signed age (instant minus epoch of the selected set) in days."""
        jd = np.asarray(jd, dtype=float)
        return jd - self.epochs_jd[self.select(jd)]

    def check_age(self, window: Window, *, allow_stale: bool = False) -> list[str]:
        """Warnings about element age over the window; refuse past 30 days unless allowed."""
        whole, frac = window.base_jd
        probe = whole + frac + np.linspace(0.0, window.span_s / 86400.0, 97)
        age = np.abs(self.age_days(probe))
        worst = float(age.max())
        if worst > STALE_REFUSE_DAYS and not allow_stale:
            k = int(age.argmax())
            epoch = self.elements[int(self.select(probe[k : k + 1])[0])].epoch
            raise StaleElementsError(
                f"the nearest elements of {self.name} (epoch {iso_z(epoch, 0)}) are "
                f"{worst:.0f} days from {iso_z(datetime_of(probe[k], 0.0), 0)}: predictions "
                f"past {STALE_REFUSE_DAYS:.0f} days are unreliable (use --allow-stale to "
                "compute anyway, or import fresher elements)"
            )
        if worst > STALE_WARN_DAYS:
            return [
                f"elements are up to {worst:.1f} days from the instants predicted: expect "
                "errors of tens of km or more"
            ]
        return []

    def decay_jd(self, k: int, until_jd: float) -> float | None:
        """First instant (JD) after set ``k``'s epoch at which sgp4 reports decay (error 6).

        Past decay, near-Earth SGP4 still returns states now and then (its drag
        polynomial turns the semi-major axis back up: an artefact), so for near-Earth sets
        everything after the first decay is treated as decayed. Deep-space sets (periods of
        225 minutes and more) keep sgp4's verdict time by time, as Vallado's reference does.
        Scans forward from the epoch in 10-minute steps up to ``until_jd`` (cached).
        """
        if self.elements[k].is_deep_space:
            return None
        epoch = self.elements[k].epoch_jd_total
        scanned, found = self._decay.get(k, (epoch, None))
        if found is not None or until_jd <= scanned:
            return found
        step = 10.0 / 1440.0
        grid = np.append(np.arange(scanned, until_jd, step), until_jd)
        e, _, _ = self.satrecs()[k].sgp4_array(grid, np.zeros_like(grid))
        hits = np.flatnonzero(e == 6)
        found = float(grid[hits[0]]) if len(hits) else None
        self._decay[k] = (until_jd, found)
        return found

    def teme(self, jd_whole: np.ndarray, jd_fraction: np.ndarray):
        """TEME position (km), velocity (km/s) and sgp4 error code for each time."""
        jd_whole = np.asarray(jd_whole, dtype=float)
        jd_fraction = np.asarray(jd_fraction, dtype=float)
        which = self.select(jd_whole + jd_fraction)
        r = np.empty(jd_whole.shape + (3,))
        v = np.empty(jd_whole.shape + (3,))
        err = np.zeros(jd_whole.shape, dtype=np.uint8)
        for k in np.unique(which):
            mask = which == k
            e, rr, vv = self.satrecs()[k].sgp4_array(jd_whole[mask], jd_fraction[mask])
            jd = jd_whole[mask] + jd_fraction[mask]
            decay = self.decay_jd(int(k), float(jd.max()))
            if decay is not None:
                e = np.where(jd >= decay, 6, e)
            r[mask], v[mask], err[mask] = rr, vv, e
        bad = err != 0
        r[bad] = np.nan
        v[bad] = np.nan
        return r, v, err


def default_step_s(sat: Satellite) -> float:
    """Grid step: 60 s, or 1/90 of the shortest orbital period if that is shorter."""
    period_s = min(e.period_minutes for e in sat.elements) * 60.0
    return min(60.0, period_s / 90.0)


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
        self._coef: np.ndarray | None = None

    # -------------------------------------------------------------- errors
    def require_some_valid(self) -> None:
        if not self.ok.any():
            code = int(np.bincount(self.error).argmax())
            raise PropagationError(
                f"SGP4 cannot propagate {self.satellite.name} anywhere from "
                f"{iso_z(self.window.start, 0)} to {iso_z(self.window.end, 0)}: "
                f"{SGP4_ERRORS.get(code, 'error')} (sgp4 error {code})"
            )

    def failed_stretches(self) -> list[dict]:
        """Stretches of the grid where sgp4 failed: [{'start','end','code','message'}]."""
        out = []
        bad = ~self.ok
        if not bad.any():
            return out
        edges = np.flatnonzero(np.diff(np.r_[0, bad.astype(np.int8), 0]))
        for a, b in zip(edges[0::2], edges[1::2], strict=True):
            code = int(self.error[a])
            out.append(
                {
                    "start": self.window.iso(self.t_s[a]),
                    "end": self.window.iso(self.t_s[b - 1]),
                    "code": code,
                    "message": SGP4_ERRORS.get(code, "sgp4 error"),
                }
            )
        return out

    # -------------------------------------------------------- interpolation
    def _locate(self, t_s: np.ndarray):
        """Grid interval k and fraction u of each time. A time exactly on a grid point
        whose next point failed is taken as the end of the interval before (u = 1), so
        the last state before an sgp4 failure is still usable."""
        t_s = np.asarray(t_s, dtype=float)
        k = np.clip(((t_s - self.t_s[0]) / self.step_s).astype(np.int64), 0, len(self.t_s) - 2)
        h = self.step_s
        u = (t_s - self.t_s[k]) / h
        back = (u <= 0.0) & (k > 0) & ~self.ok[k + 1] & self.ok[np.maximum(k - 1, 0)]
        if back.any():
            k = np.where(back, k - 1, k)
            u = np.where(back, 1.0, u)
        return k, u, h

    def _coefficients(self) -> np.ndarray:
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

    def position(self, t_s: np.ndarray) -> np.ndarray:
        """Earth-fixed position (km) at any times in the window, ``(..., 3)``."""
        k, u, _ = self._locate(t_s)
        c = self._coefficients()[k]
        u = u[..., None]
        return c[..., 0:3] + u * (c[..., 3:6] + u * (c[..., 6:9] + u * c[..., 9:12]))

    def velocity(self, t_s: np.ndarray) -> np.ndarray:
        """Earth-fixed velocity (km/s), the derivative of the Hermite interpolant."""
        k, u, h = self._locate(t_s)
        c = self._coefficients()[k]
        u = u[..., None]
        return (c[..., 3:6] + u * (2.0 * c[..., 6:9] + 3.0 * u * c[..., 9:12])) / h

    def state(self, t_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Position (km) and velocity (km/s) together: one look-up of the coefficients."""
        k, u, h = self._locate(t_s)
        c = self._coefficients()[k]
        u = u[..., None]
        r = c[..., 0:3] + u * (c[..., 3:6] + u * (c[..., 6:9] + u * c[..., 9:12]))
        v = (c[..., 3:6] + u * (2.0 * c[..., 6:9] + 3.0 * u * c[..., 9:12])) / h
        return r, v

    def sun(self, t_s: np.ndarray) -> np.ndarray:
        """Apparent Sun, Earth-fixed, km, interpolated linearly between grid points.

        In the Earth-fixed frame the Sun turns 0.25 degree a minute; the chord of one 60 s
        step departs from the arc by 0.5 arcsecond (0.03 s of twilight): negligible.
        """
        k, u, _ = self._locate(t_s)
        u = u[..., None]
        return self.sun_km[k] + u * (self.sun_km[k + 1] - self.sun_km[k])

    def valid(self, t_s: np.ndarray) -> np.ndarray:
        """True where both grid neighbours of ``t_s`` propagated."""
        k, _, _ = self._locate(t_s)
        return self.ok[k] & self.ok[k + 1]

    def max_ground_speed_rad_s(self) -> float:
        """Largest angular speed of the sub-satellite direction over the grid (rad/s)."""
        r = self.r_km[self.ok]
        v = self.v_km_s[self.ok]
        if not len(r):
            return 0.0
        rn = np.linalg.norm(r, axis=1)
        tangential = np.linalg.norm(np.cross(r, v), axis=1) / rn
        return float(np.max(tangential / rn))


def orbit_period_s(sat: Satellite) -> float:
    return min(e.period_minutes for e in sat.elements) * 60.0


__all__ = ["SGP4_ERRORS", "Ephemeris", "Satellite", "default_step_s", "orbit_period_s"]
