"""What a pass search returns: look points, visible segments, passes, and the columns
that hold many of them.

A :class:`Pass` is one pass of a satellite over one observer: its rise, culmination and set
(:class:`LookPoint`: time, azimuth, elevation, range) and the part seen with the naked eye
(:class:`VisibleSegment`). :class:`PassOptions` holds the thresholds of a search. A
:class:`PassTable` holds the passes of many observers as columns (numpy arrays): the form
the search works in and the batch writes out; :meth:`PassTable.passes` turns it into
:class:`Pass` objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..engine.look import compass
from ..engine.timescale import Window
from .light import DARK_SKY_LIMIT, SHADOW_HEIGHT_KM

__all__ = [
    "END_REASONS",
    "START_REASONS",
    "LookPoint",
    "Pass",
    "PassOptions",
    "PassTable",
    "StretchTable",
    "VisibleSegment",
]

FloatArray = NDArray[np.float64]

# why a visible segment starts and ends (the codes of PassTable.starts and .ends); "sky":
# the satellite becomes bright enough against the sky, or fades against it
START_REASONS = ("rise", "leaves_shadow", "twilight", "window_start", "sgp4_failure", "sky")
END_REASONS = ("set", "enters_shadow", "twilight", "window_end", "sgp4_failure", "sky")


@dataclass(frozen=True)
class LookPoint:
    """Where to look at one instant. Elevation is apparent when refraction is on."""

    time: datetime
    azimuth_deg: float
    elevation_deg: float
    range_km: float
    magnitude: float | None = None

    @property
    def direction(self) -> str:
        return compass(self.azimuth_deg)


@dataclass(frozen=True)
class VisibleSegment:
    """A stretch of a pass seen with the naked eye: where it appears, its highest point,
    where it disappears, its brightest magnitude (None for an object of unknown
    brightness), and why it starts and ends."""

    start: LookPoint
    peak: LookPoint
    end: LookPoint
    brightest_magnitude: float | None
    starts: str  # one of START_REASONS
    ends: str  # one of END_REASONS
    brightens: tuple[datetime | None, datetime | None] | None = None  # out of the penumbra
    fades: tuple[datetime | None, datetime | None] | None = None  # into the shadow

    @property
    def duration_s(self) -> float:
        return (self.end.time - self.start.time).total_seconds()


@dataclass(frozen=True)
class Pass:
    """One pass over one observer: rise, culmination and set (None where the window or an
    SGP4 failure cuts it), the time above the threshold, and every stretch of it seen with
    the naked eye (``stretches``, in time order; ``visible`` is the first, or None)."""

    rise: LookPoint | None
    culmination: LookPoint
    set: LookPoint | None
    duration_s: float
    visible: VisibleSegment | None = None
    observer_index: int = field(default=0, compare=False)
    stretches: tuple[VisibleSegment, ...] = ()


@dataclass(frozen=True)
class PassOptions:
    """Thresholds of a search (the defaults are zarya's rule set; see
    :mod:`zarya.domain.rules` for the named sets).

    ``sun_limit_deg``: the observer's Sun at or below this; ``shadow_height_km``: the
    Earth's shadow raised for the atmosphere (0: the bare sphere); ``extinction``:
    magnitudes dimmed by the airmass; ``sky``: visible only while brighter than the
    naked-eye limit of the sky (twilight by the Sun's depression, ``dark_limit`` in full
    darkness); ``dark_throughout``: twilight drops a stretch instead of shortening it;
    ``brighter_than``: keep only stretches at least this bright (unknown brightness: none
    kept); ``minute_truncated``: appear times are shown to the minute, truncated.
    """

    min_elevation_deg: float = 10.0
    sun_limit_deg: float = -6.0
    refraction: bool = False
    pressure_hpa: float | None = None  # None: standard atmosphere at the observer's height
    temperature_c: float = 10.0
    visibility: bool = True
    shadow_height_km: float = SHADOW_HEIGHT_KM
    extinction: bool = True
    sky: bool = False
    dark_limit: float = DARK_SKY_LIMIT
    dark_throughout: bool = False
    brighter_than: float | None = None
    minute_truncated: bool = False
    rules: str = "zarya"


def _nan3(size: int) -> FloatArray:
    return np.full((size, 3), np.nan)


@dataclass
class StretchTable:
    """The visible stretches of a :class:`PassTable`'s passes as columns (S stretches),
    sorted by pass then time: ``row`` is the pass's row in its table; (start, peak, end)
    in ``t``/``az``/``el``/``range_km``/``mag`` (magnitudes NaN where the object's
    brightness is unknown); ``starts``/``ends`` index :data:`START_REASONS` /
    :data:`END_REASONS`; ``brighten_t``/``fade_t`` (from, to) the crossing of the penumbra
    where a stretch starts or ends at the shadow (NaN elsewhere)."""

    row: NDArray[np.int64]
    t: FloatArray
    az: FloatArray
    el: FloatArray
    range_km: FloatArray
    mag: FloatArray
    brightest: FloatArray
    starts: NDArray[np.int8]
    ends: NDArray[np.int8]
    brighten_t: FloatArray
    fade_t: FloatArray

    @classmethod
    def empty(cls, size: int = 0) -> StretchTable:
        return cls(np.zeros(size, dtype=np.int64), _nan3(size), _nan3(size), _nan3(size),
                   _nan3(size), _nan3(size), np.full(size, np.nan),
                   np.full(size, -1, dtype=np.int8), np.full(size, -1, dtype=np.int8),
                   np.full((size, 2), np.nan), np.full((size, 2), np.nan))

    def __len__(self) -> int:
        return len(self.row)

    def take(self, keep: NDArray[Any], row: NDArray[np.int64]) -> StretchTable:
        """The stretches ``keep`` (indices), renumbered to the passes' new ``row``s and
        sorted by them."""
        values = {f: getattr(self, f)[keep] for f in self.__dataclass_fields__}
        values["row"] = row
        out = StretchTable(**values)
        order = np.lexsort((out.t[:, 0], out.row))
        return StretchTable(**{f: getattr(out, f)[order] for f in self.__dataclass_fields__})

    @classmethod
    def concat(cls, parts: list[StretchTable]) -> StretchTable:
        if not parts:
            return cls.empty()
        return cls(**{f: np.concatenate([getattr(p, f) for p in parts])
                      for f in cls.__dataclass_fields__})


@dataclass
class PassTable:
    """Passes as columns, for many observers at once (P passes).

    Times are seconds from the window start (NaN where a pass is cut by the window or has
    no visible segment); angles in degrees, ranges in km. Columns of three hold (rise,
    culmination, set) in ``t``/``az``/``el``/``range_km`` and (start, peak, end) of the
    first visible stretch in the ``vis_*`` columns, every stretch in ``stretches``.
    ``starts``/``ends`` index :data:`START_REASONS`/:data:`END_REASONS` (-1 when not
    visible); ``brightest`` is over every stretch of the pass.
    """

    window: Window
    observer: np.ndarray
    t: np.ndarray
    az: np.ndarray
    el: np.ndarray
    range_km: np.ndarray
    duration_s: np.ndarray
    visible: np.ndarray
    vis_t: np.ndarray
    vis_az: np.ndarray
    vis_el: np.ndarray
    vis_range_km: np.ndarray
    vis_mag: np.ndarray
    brightest: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    stretches: StretchTable = field(default_factory=StretchTable.empty)

    _COLUMNS = ("observer", "t", "az", "el", "range_km", "duration_s", "visible", "vis_t",
                "vis_az", "vis_el", "vis_range_km", "vis_mag", "brightest", "starts", "ends")

    @classmethod
    def empty(cls, window: Window, size: int) -> PassTable:
        return cls(
            window, np.zeros(size, dtype=np.int64), _nan3(size), _nan3(size), _nan3(size),
            _nan3(size), np.zeros(size), np.zeros(size, dtype=bool), _nan3(size), _nan3(size),
            _nan3(size), _nan3(size), _nan3(size), np.full(size, np.nan),
            np.full(size, -1, dtype=np.int8), np.full(size, -1, dtype=np.int8),
        )

    def __len__(self) -> int:
        return len(self.observer)

    def take(self, rows: NDArray[Any]) -> PassTable:
        """The passes ``rows`` (indices or a mask), in that order, with their stretches."""
        rows = np.flatnonzero(rows) if rows.dtype == bool else np.asarray(rows, dtype=np.int64)
        values: dict[str, Any] = {f: getattr(self, f)[rows] for f in self._COLUMNS}
        new_row = np.full(len(self), -1, dtype=np.int64)
        new_row[rows] = np.arange(len(rows))
        keep = np.flatnonzero(new_row[self.stretches.row] >= 0)
        stretches = self.stretches.take(keep, new_row[self.stretches.row[keep]])
        return PassTable(self.window, **values, stretches=stretches)

    @classmethod
    def concat(cls, window: Window, tables: list[PassTable]) -> PassTable:
        if not tables:
            return cls.empty(window, 0)
        values: dict[str, Any] = {
            f: np.concatenate([getattr(t, f) for t in tables]) for f in cls._COLUMNS
        }
        offsets = np.cumsum([0] + [len(t) for t in tables[:-1]])
        parts = []
        for t, off in zip(tables, offsets, strict=True):
            keep = np.arange(len(t.stretches))
            parts.append(t.stretches.take(keep, t.stretches.row + off))
        return cls(window, **values, stretches=StretchTable.concat(parts))

    def sorted(self) -> PassTable:
        """The table by observer, then culmination time (itself where it is already: one
        pass over the columns finds that, no sort)."""
        n, t = self.observer, self.t[:, 1]
        if np.all((n[1:] > n[:-1]) | ((n[1:] == n[:-1]) & (t[1:] >= t[:-1]))):
            return self
        return self.take(np.lexsort((t, n)))

    def passes(self, n_observers: int) -> list[list[Pass]]:
        """Pass objects, a list per observer in time order."""
        out: list[list[Pass]] = [[] for _ in range(n_observers)]
        st = self.stretches
        first = np.searchsorted(st.row, np.arange(len(self) + 1))
        for i in range(len(self)):
            segments = tuple(self.segment(k) for k in range(first[i], first[i + 1]))
            rise, culm, set_ = (self._point(i, j) for j in range(3))
            assert culm is not None
            out[int(self.observer[i])].append(
                Pass(rise, culm, set_, float(self.duration_s[i]),
                     segments[0] if segments else None, int(self.observer[i]), segments)
            )
        return out

    def segment(self, k: int) -> VisibleSegment:
        """Stretch ``k`` of :attr:`stretches` as a :class:`VisibleSegment`."""
        st = self.stretches
        a, b, c = (
            LookPoint(self.window.instant(st.t[k, j]), float(st.az[k, j]),
                      float(st.el[k, j]), float(st.range_km[k, j]), _or_none(st.mag[k, j]))
            for j in range(3)
        )
        return VisibleSegment(
            a, b, c, _or_none(st.brightest[k]), START_REASONS[st.starts[k]],
            END_REASONS[st.ends[k]], self._crossing(st.brighten_t[k]),
            self._crossing(st.fade_t[k]),
        )

    def _crossing(self, t: FloatArray) -> tuple[datetime | None, datetime | None] | None:
        """A penumbra crossing (from, to), None where there is none."""
        if np.isnan(t).all():
            return None
        a, b = (None if np.isnan(x) else self.window.instant(float(x)) for x in t)
        return a, b

    def _point(self, i: int, j: int) -> LookPoint | None:
        t = self.t[i, j]
        if np.isnan(t):
            return None
        return LookPoint(
            self.window.instant(t), float(self.az[i, j]), float(self.el[i, j]),
            float(self.range_km[i, j]),
        )


def _or_none(value: float) -> float | None:
    """A magnitude, or None where it is not known (NaN)."""
    return None if np.isnan(value) else float(value)
