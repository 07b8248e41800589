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

import numpy as np
from numpy.typing import NDArray

from ..engine.look import compass
from ..engine.timescale import Window

__all__ = [
    "END_REASONS",
    "START_REASONS",
    "LookPoint",
    "Pass",
    "PassOptions",
    "PassTable",
    "VisibleSegment",
]

FloatArray = NDArray[np.float64]

# why a visible segment starts and ends (the codes of PassTable.starts and .ends)
START_REASONS = ("rise", "leaves_shadow", "twilight", "window_start", "sgp4_failure")
END_REASONS = ("set", "enters_shadow", "twilight", "window_end", "sgp4_failure")


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
    """The part of a pass seen with the naked eye: appears, highest, disappears."""

    start: LookPoint
    peak: LookPoint
    end: LookPoint
    brightest_magnitude: float
    starts: str  # "rise", "leaves_shadow", "twilight" or "window_start"
    ends: str  # "set", "enters_shadow", "twilight" or "window_end"

    @property
    def duration_s(self) -> float:
        return (self.end.time - self.start.time).total_seconds()


@dataclass(frozen=True)
class Pass:
    rise: LookPoint | None
    culmination: LookPoint
    set: LookPoint | None
    duration_s: float
    visible: VisibleSegment | None = None
    observer_index: int = field(default=0, compare=False)


@dataclass(frozen=True)
class PassOptions:
    """Thresholds of a search. ``sun_limit_deg``: the observer's Sun at or below this."""

    min_elevation_deg: float = 10.0
    sun_limit_deg: float = -6.0
    refraction: bool = False
    pressure_hpa: float | None = None  # None: standard atmosphere at the observer's height
    temperature_c: float = 10.0
    visibility: bool = True


@dataclass
class PassTable:
    """Passes as columns, for many observers at once (P passes).

    Times are seconds from the window start (NaN where a pass is cut by the window or has
    no visible segment); angles in degrees, ranges in km. Columns of three hold (rise,
    culmination, set) in ``t``/``az``/``el``/``range_km`` and (start, peak, end) of the
    visible segment in the ``vis_*`` columns. ``starts``/``ends`` index
    :data:`START_REASONS`/:data:`END_REASONS` (-1 when not visible).
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

    @classmethod
    def empty(cls, window: Window, size: int) -> PassTable:
        def nan3():
            return np.full((size, 3), np.nan)

        return cls(
            window, np.zeros(size, dtype=np.int64), nan3(), nan3(), nan3(), nan3(),
            np.zeros(size), np.zeros(size, dtype=bool), nan3(), nan3(), nan3(), nan3(), nan3(),
            np.full(size, np.nan), np.full(size, -1, dtype=np.int8),
            np.full(size, -1, dtype=np.int8),
        )

    def __len__(self) -> int:
        return len(self.observer)

    def take(self, rows: np.ndarray) -> PassTable:
        values = {
            f: (getattr(self, f) if f == "window" else getattr(self, f)[rows])
            for f in self.__dataclass_fields__
        }
        return PassTable(**values)

    @classmethod
    def concat(cls, window: Window, tables: list[PassTable]) -> PassTable:
        if not tables:
            return cls.empty(window, 0)
        values = {
            f: (window if f == "window" else np.concatenate([getattr(t, f) for t in tables]))
            for f in cls.__dataclass_fields__
        }
        return cls(**values)  # type: ignore[arg-type]

    def sorted(self) -> PassTable:
        return self.take(np.lexsort((self.t[:, 1], self.observer)))

    def passes(self, n_observers: int) -> list[list[Pass]]:
        """Pass objects, a list per observer in time order."""
        out: list[list[Pass]] = [[] for _ in range(n_observers)]
        for i in range(len(self)):
            vis = None
            if self.visible[i]:
                a, b, c = (self._point(i, j, vis=True) for j in range(3))
                assert a is not None and b is not None and c is not None
                vis = VisibleSegment(
                    a, b, c, float(self.brightest[i]),
                    START_REASONS[self.starts[i]], END_REASONS[self.ends[i]],
                )
            rise, culm, set_ = (self._point(i, j) for j in range(3))
            assert culm is not None
            out[int(self.observer[i])].append(
                Pass(rise, culm, set_, float(self.duration_s[i]), vis, int(self.observer[i]))
            )
        return out

    def _point(self, i: int, j: int, vis: bool = False) -> LookPoint | None:
        t = (self.vis_t if vis else self.t)[i, j]
        if np.isnan(t):
            return None
        if vis:
            return LookPoint(
                self.window.instant(t), float(self.vis_az[i, j]), float(self.vis_el[i, j]),
                float(self.vis_range_km[i, j]), float(self.vis_mag[i, j]),
            )
        return LookPoint(
            self.window.instant(t), float(self.az[i, j]), float(self.el[i, j]),
            float(self.range_km[i, j]),
        )
