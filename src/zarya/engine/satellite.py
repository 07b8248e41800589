"""One object's element sets, and which set serves each instant.

A :class:`Satellite` holds one object's element history (one set or many, sorted by
epoch). For each instant it uses the set whose epoch is nearest (the later set wins a tie),
except across a detected manoeuvre (:meth:`Satellite.manoeuvres`), where the later set wins
from the earlier set's epoch on. This is the one rule of selection: :meth:`Satellite.select`
applies it, :meth:`Satellite.boundaries_jd` says where it switches, and every computation
(ephemeris, node crossings, age checks) asks it.

The age of the elements at an instant is its distance from the epoch of the set serving it;
:meth:`Satellite.check_age` warns past :data:`STALE_WARN_DAYS` and refuses past
:data:`STALE_REFUSE_DAYS` (a :class:`~zarya.errors.StaleElementsError` carrying the epoch,
the instant and the age) unless asked to go on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..elements.elset import ElementSet
from ..errors import ElementsError, StaleElementsError
from .timescale import Window, datetime_of, iso_z

__all__ = [
    "MANOEUVRE_DROP_REV_PER_DAY",
    "MANOEUVRE_MAX_GAP_DAYS",
    "STALE_REFUSE_DAYS",
    "STALE_WARN_DAYS",
    "Satellite",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

STALE_WARN_DAYS = 14.0
STALE_REFUSE_DAYS = 30.0
MANOEUVRE_DROP_REV_PER_DAY = 1e-3
MANOEUVRE_MAX_GAP_DAYS = 5.0
_DECAY_SCAN_DAYS = 10.0 / 1440.0


@dataclass
class Satellite:
    """One object and its element sets, sorted by epoch.

    ``std_magnitude`` is the brightness at 1000 km, half lit (phase angle 90 degrees);
    -1.8 is the value in common use for the ISS.

    >>> iss = Satellite.from_tle(
    ...     "1 25544U 98067A   16103.90629446  .00006076  00000-0  97790-4 0  9996",
    ...     "2 25544  51.6437  23.6320 0002668  61.0097  30.5624 15.54459501994820")
    >>> iss.norad_id, round(iss.period_s / 60.0, 2)
    (25544, 92.64)
    """

    elements: list[ElementSet]
    std_magnitude: float = -1.8
    _satrecs: list[Any] | None = field(default=None, repr=False, compare=False)
    _decay: dict[int, tuple[float, float | None]] = field(
        default_factory=dict, repr=False, compare=False
    )
    _bounds: FloatArray | None = field(default=None, repr=False, compare=False)

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
    def from_tle(cls, line1: str, line2: str, name: str = "", **kw: Any) -> Satellite:
        """One element set from its two TLE lines (checked column by column)."""
        from ..elements.tle import parse_tle

        return cls([parse_tle(line1, line2, name)], **kw)

    @classmethod
    def from_elements(cls, sets: Sequence[ElementSet], **kw: Any) -> Satellite:
        return cls(list(sets), **kw)

    @property
    def norad_id(self) -> int:
        return self.elements[-1].norad_id

    @property
    def name(self) -> str:
        return self.elements[-1].name or str(self.norad_id)

    @property
    def epochs_jd(self) -> FloatArray:
        return np.array([e.epoch_jd_total for e in self.elements])

    @property
    def period_s(self) -> float:
        """The shortest orbital period among the sets, s: what sampling steps are cut from."""
        return min(e.period_minutes for e in self.elements) * 60.0

    def satrecs(self) -> list[Any]:
        if self._satrecs is None:
            self._satrecs = [e.satrec() for e in self.elements]
        return self._satrecs

    # ------------------------------------------------------------------- selection
    def manoeuvres(self) -> NDArray[np.bool_]:
        """Boolean per gap between consecutive sets: was the orbit raised in between?

        Drag only ever raises the mean motion; a drop of more than
        :data:`MANOEUVRE_DROP_REV_PER_DAY` between two sets at most
        :data:`MANOEUVRE_MAX_GAP_DAYS` apart (about 300 m of altitude for the ISS, well
        above the 4e-4 rev/day by which sets of different sources can disagree at the same
        epoch) means a reboost or an avoidance manoeuvre happened between their epochs.
        """
        n = np.array([e.mean_motion_rev_per_day for e in self.elements])
        gap = np.diff(self.epochs_jd)
        result: NDArray[np.bool_] = (np.diff(n) < -MANOEUVRE_DROP_REV_PER_DAY) & (
            gap <= MANOEUVRE_MAX_GAP_DAYS
        )
        return result

    def boundaries_jd(self) -> FloatArray:
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

    def select(self, jd: ArrayLike) -> IntArray:
        """Index of the set to use at each Julian date: the nearest epoch (later wins ties,
        and across a manoeuvre the later set wins, see :meth:`boundaries_jd`)."""
        found: IntArray = np.searchsorted(
            self.boundaries_jd(), np.asarray(jd, dtype=float), side="right"
        )
        return found

    def age_days(self, jd: ArrayLike) -> FloatArray:
        """Signed age (instant minus epoch of the selected set) in days."""
        jd = np.asarray(jd, dtype=float)
        age: FloatArray = jd - self.epochs_jd[self.select(jd)]
        return age

    def check_age(self, window: Window, *, allow_stale: bool = False) -> list[str]:
        """Warnings about element age over the window; refuse past 30 days unless allowed."""
        whole, frac = window.base_jd
        probe = whole + frac + np.linspace(0.0, window.span_s / 86400.0, 97)
        age = np.abs(self.age_days(probe))
        worst = float(age.max())
        if worst > STALE_REFUSE_DAYS and not allow_stale:
            k = int(age.argmax())
            epoch = self.elements[int(self.select(probe[k : k + 1])[0])].epoch
            instant = datetime_of(float(probe[k]), 0.0)
            raise StaleElementsError(
                f"the nearest elements of {self.name} (epoch {iso_z(epoch, 0)}) are "
                f"{worst:.0f} days from {iso_z(instant, 0)}: predictions past "
                f"{STALE_REFUSE_DAYS:.0f} days are unreliable",
                name=self.name,
                epoch=epoch,
                instant=instant,
                age_days=worst,
                limit_days=STALE_REFUSE_DAYS,
            )
        if worst > STALE_WARN_DAYS:
            return [
                f"elements are up to {worst:.1f} days from the instants predicted: expect "
                "errors of tens of km or more"
            ]
        return []

    # ----------------------------------------------------------------- propagation
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
        grid = np.append(np.arange(scanned, until_jd, _DECAY_SCAN_DAYS), until_jd)
        e, _, _ = self.satrecs()[k].sgp4_array(grid, np.zeros_like(grid))
        hits = np.flatnonzero(e == 6)
        found = float(grid[hits[0]]) if len(hits) else None
        self._decay[k] = (until_jd, found)
        return found

    def teme_of_sets(
        self, jd_whole: ArrayLike, jd_fraction: ArrayLike, k: ArrayLike
    ) -> tuple[FloatArray, FloatArray, NDArray[np.uint8]]:
        """TEME position (km), velocity (km/s) and sgp4's error code of set ``k[i]`` at each
        time (6 past the decay, see :meth:`decay_jd`); r and v NaN where the code is not 0."""
        jd1 = np.asarray(jd_whole, dtype=float)
        jd2 = np.asarray(jd_fraction, dtype=float)
        which = np.broadcast_to(np.asarray(k, dtype=np.int64), jd1.shape)
        r = np.full(jd1.shape + (3,), np.nan)
        v = np.full(jd1.shape + (3,), np.nan)
        err = np.zeros(jd1.shape, dtype=np.uint8)
        recs = self.satrecs()
        for kk in np.unique(which):
            mask = which == kk
            e, rr, vv = recs[int(kk)].sgp4_array(jd1[mask], jd2[mask])
            jd = jd1[mask] + jd2[mask]
            decay = self.decay_jd(int(kk), float(jd.max()))
            if decay is not None:
                e = np.where(jd >= decay, 6, e)
            bad = e != 0
            rr[bad] = np.nan
            vv[bad] = np.nan
            r[mask], v[mask], err[mask] = rr, vv, e
        return r, v, err

    def teme(
        self, jd_whole: ArrayLike, jd_fraction: ArrayLike
    ) -> tuple[FloatArray, FloatArray, NDArray[np.uint8]]:
        """TEME position (km), velocity (km/s) and sgp4 error code at each time, each from
        the set that serves it (:meth:`select`)."""
        jd1 = np.asarray(jd_whole, dtype=float)
        jd2 = np.asarray(jd_fraction, dtype=float)
        return self.teme_of_sets(jd1, jd2, self.select(jd1 + jd2))
