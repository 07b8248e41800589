"""One object's sources of motion: element sets and trajectories, and which serves when.

A :class:`Satellite` holds one object's element history (sets, sorted by epoch) and its
trajectories (OEMs, by creation). Sources are numbered: the sets first (``0 .. K - 1``, by
epoch), then the trajectories (``K ..``). Which source serves each instant is decided by
one rule, in :mod:`.selection` (the freshest valid source; manoeuvre-aware), which
:meth:`Satellite.schedule` applies and :meth:`Satellite.select` looks up; every
computation asks it.

The age of the information at an instant is that of the source serving it (a set's
distance from its epoch, a trajectory's forecast beyond its creation);
:meth:`Satellite.check_age` evaluates it exactly, at the window's ends and at each switch of
source, warns past :data:`STALE_WARN_DAYS` and refuses past :data:`STALE_REFUSE_DAYS` (a
:class:`~zarya.errors.StaleElementsError` carrying the epoch, the instant and the age)
unless asked to go on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..elements.elset import ElementSet
from ..elements.oem import Trajectory
from ..errors import ElementsError, StaleElementsError
from .decay import surely_up
from .selection import (
    MANOEUVRE_DROP_REV_PER_DAY,
    MANOEUVRE_MAX_GAP_DAYS,
    Schedule,
    SourceInfo,
    build_schedule,
)
from .timescale import Window, datetime_of, iso_z
from .trajectory import TrajectoryStates

__all__ = [
    "MANOEUVRE_DROP_REV_PER_DAY",
    "MANOEUVRE_MAX_GAP_DAYS",
    "STALE_REFUSE_DAYS",
    "STALE_WARN_DAYS",
    "BUILTIN_STD_MAGNITUDES",
    "Satellite",
    "Switch",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

STALE_WARN_DAYS = 14.0
BUILTIN_STD_MAGNITUDES = {25544: -1.8}  # the ISS: the standard magnitude in common use
STALE_REFUSE_DAYS = 30.0
_DECAY_SCAN_DAYS = 10.0 / 1440.0
_GM_KM3_S2 = 398600.4418


@dataclass(frozen=True)
class Switch:
    """A change of source at ``time``: from source ``before`` to ``after``, which put the
    satellite ``distance_km`` apart there, ``along_track_s`` seconds apart along the track
    (NaN where one of them has no state)."""

    time: datetime
    before: int
    after: int
    distance_km: float
    along_track_s: float


@dataclass
class Satellite:
    """One object: its element sets (sorted by epoch) and its trajectories.

    ``std_magnitude`` is the brightness at 1000 km, half lit (phase angle 90 degrees), or
    None where it is unknown; left out, it is the built-in one of the object if there is
    one (:data:`BUILTIN_STD_MAGNITUDES`: the ISS's -1.8, the value in common use).

    >>> iss = Satellite.from_tle(
    ...     "1 25544U 98067A   16103.90629446  .00006076  00000-0  97790-4 0  9996",
    ...     "2 25544  51.6437  23.6320 0002668  61.0097  30.5624 15.54459501994820")
    >>> iss.norad_id, round(iss.period_s / 60.0, 2)
    (25544, 92.64)
    """

    elements: list[ElementSet]
    std_magnitude: float | None = None
    trajectories: list[Trajectory] = field(default_factory=list)
    _satrecs: list[Any] | None = field(default=None, repr=False, compare=False)
    _decay: dict[int, tuple[float, float | None]] = field(
        default_factory=dict, repr=False, compare=False
    )
    _schedule: Schedule | None = field(default=None, repr=False, compare=False)
    _states: list[TrajectoryStates] | None = field(default=None, repr=False, compare=False)
    _period_s: float | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.elements and not self.trajectories:
            raise ElementsError("no element sets nor trajectories given")
        ids = {e.norad_id for e in self.elements}
        ids |= {t.norad_id for t in self.trajectories if t.norad_id is not None}
        if len(ids) > 1:
            raise ElementsError(
                f"element sets of several objects given together: {sorted(ids)[:5]}"
            )
        self.elements = sorted(self.elements, key=lambda e: e.epoch_jd_total)
        self.trajectories = sorted(self.trajectories, key=lambda t: t.creation_jd)
        if self.std_magnitude is None:
            self.std_magnitude = BUILTIN_STD_MAGNITUDES.get(self.norad_id)

    @classmethod
    def from_tle(cls, line1: str, line2: str, name: str = "", **kw: Any) -> Satellite:
        """One element set from its two TLE lines (checked column by column)."""
        from ..elements.tle import parse_tle

        return cls([parse_tle(line1, line2, name)], **kw)

    @classmethod
    def from_elements(cls, sets: Sequence[ElementSet], **kw: Any) -> Satellite:
        return cls(list(sets), **kw)

    @classmethod
    def from_trajectory(cls, trajectory: Trajectory, **kw: Any) -> Satellite:
        return cls([], trajectories=[trajectory], **kw)

    # ------------------------------------------------------------------ identity
    @property
    def norad_id(self) -> int:
        if self.elements:
            return self.elements[-1].norad_id
        return next((t.norad_id for t in self.trajectories if t.norad_id is not None), 0)

    @property
    def name(self) -> str:
        if self.elements:
            return self.elements[-1].name or str(self.norad_id)
        return self.trajectories[-1].name or str(self.norad_id)

    @property
    def epochs_jd(self) -> FloatArray:
        return np.array([e.epoch_jd_total for e in self.elements])

    @property
    def n_sets(self) -> int:
        return len(self.elements)

    def is_trajectory(self, k: int) -> bool:
        return k >= len(self.elements)

    def trajectory(self, k: int) -> Trajectory:
        return self.trajectories[k - len(self.elements)]

    def reference_jd(self, k: int) -> float:
        """Source ``k``'s epoch (a set) or creation (a trajectory), UTC Julian date."""
        if self.is_trajectory(k):
            return self.trajectory(k).creation_jd
        return self.elements[k].epoch_jd_total

    def reference_time(self, k: int) -> datetime:
        """Source ``k``'s epoch (a set) or creation (a trajectory), UTC."""
        if self.is_trajectory(k):
            return self.trajectory(k).creation
        return self.elements[k].epoch

    def describe(self, k: int) -> str:
        """'the elements of 2016-04-01T16:52:42Z' or 'the JSC trajectory of 2025-02-26...'."""
        if self.is_trajectory(k):
            t = self.trajectory(k)
            who = f"{t.originator} " if t.originator else ""
            return f"the {who}trajectory of {iso_z(t.creation, 0)}"
        return f"the elements of {iso_z(self.elements[k].epoch, 0)}"

    @property
    def period_s(self) -> float:
        """The shortest orbital period among the sources, s: what sampling steps are cut from
        (a trajectory's from its first state's energy); worked out once."""
        if self._period_s is None:
            self._period_s = self._shortest_period_s()
        return self._period_s

    def _shortest_period_s(self) -> float:
        periods = [e.period_minutes * 60.0 for e in self.elements]
        for t in self.trajectories:
            seg = t.segments[0]
            r, v = np.linalg.norm(seg.r_km[0]), np.linalg.norm(seg.v_km_s[0])
            a = 1.0 / (2.0 / r - v * v / _GM_KM3_S2)
            if a > 0:
                periods.append(2.0 * np.pi * float(np.sqrt(a**3 / _GM_KM3_S2)))
        return min(periods)

    def satrecs(self) -> list[Any]:
        if self._satrecs is None:
            self._satrecs = [e.satrec() for e in self.elements]
        return self._satrecs

    def _trajectory_states(self) -> list[TrajectoryStates]:
        if self._states is None:
            self._states = [TrajectoryStates(t) for t in self.trajectories]
        return self._states

    # ------------------------------------------------------------------- selection
    def schedule(self) -> Schedule:
        """Which source serves when (the rule of :mod:`.selection`), computed once."""
        if self._schedule is None:
            infos = [
                SourceInfo(False, e.epoch_jd_total, mean_motion=e.mean_motion_rev_per_day)
                for e in self.elements
            ] + [
                SourceInfo(
                    True, t.creation_jd,
                    coverage=tuple((s.start_jd, s.stop_jd) for s in t.segments),
                    burns_jd=tuple(_jd(b.time) for b in t.burns()),
                )
                for t in self.trajectories
            ]

            def position(k: int, jd: FloatArray) -> FloatArray:
                return self.teme_of_sources(jd, np.zeros_like(jd), np.full(len(jd), k))[0]

            self._schedule = build_schedule(infos, position)
        return self._schedule

    def select(self, jd: ArrayLike) -> IntArray:
        """The source serving each Julian date (see :mod:`.selection`)."""
        if self.n_sources == 1:  # nothing to choose (a catalogue's objects, mostly)
            return np.zeros(np.shape(jd), dtype=np.int64)
        return self.schedule().select(jd)

    def boundaries_jd(self) -> FloatArray:
        """The instants (JD) where the serving source changes, in time order."""
        return self.schedule().switches_jd()

    def manoeuvres(self) -> NDArray[np.bool_]:
        """Per gap between consecutive sets: whether the orbit was raised in between (the
        mean motion dropped by more than :data:`MANOEUVRE_DROP_REV_PER_DAY` within
        :data:`MANOEUVRE_MAX_GAP_DAYS`; see :mod:`.selection`)."""
        n = np.array([e.mean_motion_rev_per_day for e in self.elements])
        gap = np.diff(self.epochs_jd)
        raised: NDArray[np.bool_] = (np.diff(n) < -MANOEUVRE_DROP_REV_PER_DAY) & (
            gap <= MANOEUVRE_MAX_GAP_DAYS
        )
        return raised

    def age_days(self, jd: ArrayLike) -> FloatArray:
        """The age of the information serving each instant (days, unsigned; a trajectory's
        is 0 before its creation)."""
        jd = np.asarray(jd, dtype=float)
        k = self.select(jd)
        refs = np.array([self.reference_jd(i) for i in range(self.n_sources)])
        ages: FloatArray = np.where(
            k >= len(self.elements), np.maximum(jd - refs[k], 0.0), np.abs(jd - refs[k])
        )
        return ages

    def switches(self, lo_jd: float, hi_jd: float) -> list[Switch]:
        """Every change of source inside ``(lo_jd, hi_jd)``, with how far the two sources
        put the satellite apart there: in km, and in seconds along the track (the
        difference projected on the direction of motion, over the speed; positive when the
        new source is ahead)."""
        out = []
        for jd in self.schedule().switches_jd(lo_jd, hi_jd):
            before, after = self.select(np.array([jd - 1e-9, jd]))
            t = np.array([jd, jd])
            r, v, err = self.teme_of_sources(t, np.zeros(2), np.array([before, after]))
            d = r[1] - r[0]
            speed = float(np.linalg.norm(v[0]))
            along = float(d @ v[0]) / speed**2 if err.max() == 0 else float("nan")
            out.append(Switch(datetime_of(float(jd), 0.0), int(before), int(after),
                              float(np.linalg.norm(d)), along))
        return out

    @property
    def n_sources(self) -> int:
        return len(self.elements) + len(self.trajectories)

    def check_age(self, window: Window, *, allow_stale: bool = False) -> list[str]:
        """Warnings about the age of the information over the window; refuse past 30 days
        unless allowed. The age is evaluated exactly where it is greatest: at the window's
        ends and on both sides of each switch of source inside it."""
        whole, frac = window.base_jd
        lo, hi = whole + frac, whole + frac + window.span_s / 86400.0
        probes, sources = [lo, hi], [0, 0]  # one set: it serves the whole window
        if len(self.elements) != 1 or self.trajectories:
            probes, sources = [], []
            for a, b, k in self.schedule().pieces(lo, hi):
                probes += [a, b]
                sources += [k, k]
        # (Python floats: a catalogue's report asks 10,000 times)
        age = [max(t - self.reference_jd(k), 0.0) if self.is_trajectory(k)
               else abs(t - self.reference_jd(k)) for t, k in zip(probes, sources, strict=True)]
        worst = max(age)
        if worst > STALE_REFUSE_DAYS and not allow_stale:
            at = age.index(worst)
            k = sources[at]
            reference = self.reference_time(k)
            instant = datetime_of(float(probes[at]), 0.0)
            what = (f"trajectory of {self.name} (created {iso_z(reference, 0)}) forecasts"
                    if self.is_trajectory(k)
                    else f"nearest elements of {self.name} (epoch {iso_z(reference, 0)}) are")
            raise StaleElementsError(
                f"the {what} {worst:.0f} days from {iso_z(instant, 0)}: predictions past "
                f"{STALE_REFUSE_DAYS:.0f} days are unreliable",
                name=self.name,
                epoch=reference,
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
        Scans forward from the epoch in 10-minute steps up to ``until_jd`` (cached), unless
        :func:`~zarya.engine.decay.surely_up` proves that sgp4 cannot report decay there
        (most sets: see :meth:`rule_out_decay` for many at once).
        """
        if self.elements[k].is_deep_space:
            return None
        epoch = self.elements[k].epoch_jd_total
        scanned, found = self._decay.get(k, (epoch, None))
        if found is not None or until_jd <= scanned:
            return found
        if surely_up([self.satrecs()[k]], np.array([(until_jd - epoch) * 1440.0]))[0]:
            self._decay[k] = (until_jd, None)
            return None
        grid = np.append(np.arange(scanned, until_jd, _DECAY_SCAN_DAYS), until_jd)
        e, _, _ = self.satrecs()[k].sgp4_array(grid, np.zeros_like(grid))
        hits = np.flatnonzero(e == 6)
        found = float(grid[hits[0]]) if len(hits) else None
        self._decay[k] = (until_jd, found)
        return found

    @staticmethod
    def rule_out_decay(sats: Sequence[Satellite], until_jd: float) -> None:
        """:meth:`decay_jd`'s proof for every near-Earth set of ``sats`` up to
        ``until_jd``, in one vectorised bound (:func:`~zarya.engine.decay.surely_up`)
        instead of one per set: those it clears are not scanned (a catalogue's 12,000 sets
        in 10 ms, against seconds of scanning)."""
        todo, minutes = [], []
        for sat in sats:
            for k, es in enumerate(sat.elements):
                epoch = es.epoch_jd_total
                scanned, found = sat._decay.get(k, (epoch, None))
                if found is None and scanned < until_jd and not es.is_deep_space:
                    todo.append((sat, k))
                    minutes.append((until_jd - epoch) * 1440.0)
        if not todo:
            return
        up = surely_up([sat.satrecs()[k] for sat, k in todo], np.array(minutes))
        for (sat, k), clear in zip(todo, up.tolist(), strict=True):
            if clear:
                sat._decay[k] = (until_jd, None)

    def teme_of_sources(
        self, jd_whole: ArrayLike, jd_fraction: ArrayLike, k: ArrayLike
    ) -> tuple[FloatArray, FloatArray, NDArray[np.uint8]]:
        """TEME position (km), velocity (km/s) and an error code of source ``k[i]`` at each
        time: sgp4's (6 past the decay, see :meth:`decay_jd`) for a set, 7 outside a
        trajectory's segments; r and v are NaN where the code is not 0."""
        jd1 = np.asarray(jd_whole, dtype=float)
        jd2 = np.asarray(jd_fraction, dtype=float)
        if len(self.elements) == 1 and not self.trajectories and jd1.ndim == 1:
            return self._teme_of_the_set(jd1, jd2)  # a catalogue's object: one set
        which = np.broadcast_to(np.asarray(k, dtype=np.int64), jd1.shape)
        r = np.full(jd1.shape + (3,), np.nan)
        v = np.full(jd1.shape + (3,), np.nan)
        err = np.zeros(jd1.shape, dtype=np.uint8)
        recs = self.satrecs()
        # the sources met (not np.unique: it imports numpy.ma, 12 ms of a cold start)
        met: list[int] = np.flatnonzero(np.bincount(which.ravel())).tolist() if which.size else []
        for kk in met:
            mask = which == kk
            if self.is_trajectory(int(kk)):
                states = self._trajectory_states()[int(kk) - len(self.elements)]
                rr, vv, e = states.teme(jd1[mask], jd2[mask])
                r[mask], v[mask], err[mask] = rr, vv, e
                continue
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

    def _teme_of_the_set(self, jd1: FloatArray, jd2: FloatArray
                         ) -> tuple[FloatArray, FloatArray, NDArray[np.uint8]]:
        """:meth:`teme_of_sources` of a satellite of one element set, without the
        bookkeeping of several (the same answer; a stack of a catalogue's objects asks
        10,000 times)."""
        err = np.empty(jd1.shape, dtype=np.uint8)
        r = np.empty(jd1.shape + (3,))
        v = np.empty(jd1.shape + (3,))
        self.propagate_into(jd1, jd2, err, r, v)
        bad = err != 0
        r[bad] = np.nan
        v[bad] = np.nan
        return r, v, err

    def propagate_into(self, jd1: FloatArray, jd2: FloatArray, err: NDArray[np.uint8],
                       r: FloatArray, v: FloatArray) -> None:
        """:meth:`teme` of a satellite of one element set, written into ``err``, ``r`` and
        ``v`` (C-ordered, such as views of a larger array: a stack of many satellites fills
        its own arrays without a copy); unlike :meth:`teme`, r and v are left as sgp4
        wrote them where ``err`` is not 0."""
        rec = self.satrecs()[0]
        if hasattr(rec, "_sgp4"):  # sgp4's C++ Satrec writes into the arrays given
            rec._sgp4(jd1, jd2, err, r, v)
        else:  # its pure-Python fallback returns new ones
            err[:], r[:], v[:] = rec.sgp4_array(jd1, jd2)
        if len(jd1):
            jd = jd1 + jd2
            decay = self.decay_jd(0, float(jd.max()))
            if decay is not None:
                err[jd >= decay] = 6

    def teme(
        self, jd_whole: ArrayLike, jd_fraction: ArrayLike
    ) -> tuple[FloatArray, FloatArray, NDArray[np.uint8]]:
        """TEME position (km), velocity (km/s) and error code at each time, each from the
        source that serves it (:meth:`select`)."""
        jd1 = np.asarray(jd_whole, dtype=float)
        jd2 = np.asarray(jd_fraction, dtype=float)
        return self.teme_of_sources(jd1, jd2, self.select(jd1 + jd2))


def _jd(when: datetime) -> float:
    from datetime import UTC, timedelta

    return 2440587.5 + float((when - datetime(1970, 1, 1, tzinfo=UTC)) / timedelta(days=1))
