"""Antenna rotators as they are: azimuth and elevation ranges, end stops, flip, a minimum
step; and the plan of a pass that never drives the antenna into a stop.

An az/el rotator turns between two azimuth end stops (0 to 360 degrees, or 0 to 450 with
an overlap, or -180 to 180 with the stop in the south) and tilts between two elevations
(0 to 90, or 0 to 180 for a "flip" rotator that can point over the top). A pass whose
azimuth crosses the stop (a pass through the north for a 0-360 rotator) would need the
antenna to swing round the long way in the middle of the pass, losing the station for
tens of seconds. So the whole pass is planned before AOS (:func:`plan_pass`):

1. the azimuth track is unwrapped (continuous, no 360-degree jumps) and placed, shifted
   by whole turns, inside the range if it fits (a 450-degree rotator takes a north pass on
   its overlap); among the placements that fit, the one starting nearest the antenna;
2. else, on a flip rotator, the same with the antenna over the top (azimuth + 180, elevation
   180 - elevation), which turns any pass that fits in 180 degrees into one away from the
   stop;
3. else, when the range covers a full turn, the antenna follows inside the range and swings
   round once where the track crosses the stop (``unwinds``: the sample indices);
4. else (a range under a full turn that the pass leaves) the pass cannot be followed: an
   :class:`~zarya.errors.OptionError` says where it goes.

:class:`Stepper` keeps a rotator from chattering: a new position is sent only when it
differs by at least ``min_step_deg`` from the last one sent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import OptionError, param, shown

__all__ = ["PassPlan", "Rotator", "Stepper", "parse_range", "plan_pass"]

FloatArray = NDArray[np.float64]
_EPS = 1e-9


def parse_range(text: str, name: str) -> tuple[float, float]:
    """``"0:450"`` as (0.0, 450.0); an :class:`OptionError` naming ``name`` otherwise."""
    parts = str(text).replace(",", ":").split(":")
    try:
        lo, hi = (float(p) for p in parts) if len(parts) == 2 else (math.nan, math.nan)
    except ValueError:
        lo = hi = math.nan
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise OptionError(
            f"{param(name)} {shown(text)} is not a range: expected LOW:HIGH in degrees, LOW below "
            "HIGH (e.g. 0:360, 0:450, -180:180)",
            parameter=name, value=text,
        )
    return lo, hi


@dataclass(frozen=True)
class Rotator:
    """A rotator's ranges (degrees), minimum step and park position.

    Azimuth: ``az_min_deg`` to ``az_max_deg``, a span of 90 to 720 degrees, each end
    within -360 to 720. Elevation: ``el_min_deg`` (0 to 45) to ``el_max_deg`` (above it, at
    most 180); above 90 the rotator can flip. The park position lies in both ranges.
    """

    az_min_deg: float = 0.0
    az_max_deg: float = 360.0
    el_min_deg: float = 0.0
    el_max_deg: float = 90.0
    min_step_deg: float = 1.0
    park_az_deg: float | None = None
    park_el_deg: float | None = None

    def __post_init__(self) -> None:
        span = self.az_max_deg - self.az_min_deg
        if not (-360.0 <= self.az_min_deg and self.az_max_deg <= 720.0 and 90.0 <= span <= 720.0):
            raise OptionError(
                f"rotator azimuth range {self.az_min_deg:g} to {self.az_max_deg:g} is "
                "impossible: expected a span of 90 to 720 degrees between -360 and 720",
                parameter="rotator_az", value=f"{self.az_min_deg:g}:{self.az_max_deg:g}",
            )
        if not (0.0 <= self.el_min_deg <= 45.0 and self.el_min_deg < self.el_max_deg <= 180.0):
            raise OptionError(
                f"rotator elevation range {self.el_min_deg:g} to {self.el_max_deg:g} is "
                "impossible: expected LOW 0 to 45 and HIGH above it, at most 180",
                parameter="rotator_el", value=f"{self.el_min_deg:g}:{self.el_max_deg:g}",
            )
        if not (math.isfinite(self.min_step_deg) and 0.0 <= self.min_step_deg <= 20.0):
            raise OptionError(
                f"rotator step {shown(self.min_step_deg)} is impossible: expected 0 to 20 "
                "degrees", parameter="min_step_deg", value=self.min_step_deg,
                low=0.0, high=20.0,
            )
        az, el = self.park
        if not (self.az_min_deg <= az <= self.az_max_deg
                and self.el_min_deg <= el <= self.el_max_deg):
            raise OptionError(
                f"park position {az:g}, {el:g} is outside the rotator's range (azimuth "
                f"{self.az_min_deg:g} to {self.az_max_deg:g}, elevation {self.el_min_deg:g} "
                f"to {self.el_max_deg:g})", parameter="park", value=f"{az:g},{el:g}",
            )

    @property
    def can_flip(self) -> bool:
        """Whether the antenna can point over the top (elevation up to 180 - el_min)."""
        return self.el_max_deg >= 180.0 - self.el_min_deg

    @property
    def full_turn(self) -> bool:
        return self.az_max_deg - self.az_min_deg >= 360.0 - _EPS

    @property
    def park(self) -> tuple[float, float]:
        """Where the antenna rests: as given, else azimuth 0 (or the range's start) and the
        lowest elevation."""
        az = self.park_az_deg
        if az is None:
            az = 0.0 if self.az_min_deg <= 0.0 <= self.az_max_deg else self.az_min_deg
        el = self.el_min_deg if self.park_el_deg is None else self.park_el_deg
        return float(az), float(el)

    def reaches(self, az_deg: ArrayLike) -> NDArray[np.bool_]:
        """Whether each azimuth (any turn) lies inside the range."""
        a = np.asarray(az_deg, dtype=float)
        inside: NDArray[np.bool_] = (self.az_min_deg + (a - self.az_min_deg) % 360.0
                                     <= self.az_max_deg + _EPS)
        return inside


@dataclass(frozen=True)
class PassPlan:
    """The antenna's commands over a pass, one per sample: ``az_deg``/``el_deg`` inside the
    rotator's ranges; ``flipped`` when pointing over the top; ``unwinds`` the sample
    indices where the antenna swings round (empty when it follows the whole pass)."""

    az_deg: FloatArray
    el_deg: FloatArray
    flipped: bool
    unwinds: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def command(self, rotator: Rotator, i: int, az_deg: float, el_deg: float
                ) -> tuple[float, float]:
        """The command for a look direction near sample ``i`` (the same turn and side as
        the plan there), clipped into the rotator's ranges."""
        a = float(az_deg) + (180.0 if self.flipped else 0.0)
        a += 360.0 * round((float(self.az_deg[i]) - a) / 360.0)
        e = min(max(float(el_deg), rotator.el_min_deg), 90.0)
        e = 180.0 - e if self.flipped else min(e, rotator.el_max_deg)
        return (min(max(a, rotator.az_min_deg), rotator.az_max_deg),
                min(max(e, rotator.el_min_deg), rotator.el_max_deg))


def _placements(track: FloatArray, rotator: Rotator) -> list[float]:
    """Whole-turn shifts that put the unwrapped track inside the azimuth range."""
    lo, hi = float(track.min()), float(track.max())
    out = []
    for k in range(-3, 4):
        s = 360.0 * k
        if lo + s >= rotator.az_min_deg - _EPS and hi + s <= rotator.az_max_deg + _EPS:
            out.append(s)
    return out


def _tracks(a: FloatArray) -> list[FloatArray]:
    """The azimuth track unwrapped; where it turns by over 90 degrees between samples (a
    pass through the zenith, where the azimuth turns 180 at once) also the other way
    round: either way is a half turn, and one may fit the range where the other does not."""
    track = np.degrees(np.unwrap(np.radians(a)))
    d = np.diff(track)
    big = np.abs(d) > 90.0
    if not big.any():
        return [track]
    d[big] -= 360.0 * np.sign(d[big])
    return [track, track[0] + np.r_[0.0, np.cumsum(d)]]


def plan_pass(
    rotator: Rotator, az_deg: ArrayLike, el_deg: ArrayLike, *, from_az_deg: float | None = None
) -> PassPlan:
    """The antenna's commands along a pass sampled densely enough that the azimuth moves
    less than 180 degrees between samples (a few seconds apart; see the module's notes).
    ``from_az_deg``: where the antenna is (default: parked), to start nearest it."""
    az = np.asarray(az_deg, dtype=float) % 360.0
    el = np.asarray(el_deg, dtype=float)
    if az.ndim != 1 or not len(az) or az.shape != el.shape:
        raise ValueError("plan_pass needs two 1-d arrays of the same, non-zero length")
    start_from = rotator.park[0] if from_az_deg is None else float(from_az_deg)
    el_up = np.clip(el, rotator.el_min_deg, 90.0)
    sides = [(False, az, np.minimum(el_up, rotator.el_max_deg))]
    if rotator.can_flip:
        sides.append((True, (az + 180.0) % 360.0, 180.0 - el_up))
    for flipped, a, e in sides:
        fits = [(track + s, s) for track in _tracks(a) for s in _placements(track, rotator)]
        if fits:
            best = min(fits, key=lambda f: abs(f[0][0] - start_from))[0]
            return PassPlan(best, np.clip(e, rotator.el_min_deg, rotator.el_max_deg), flipped)
    if rotator.full_turn:
        a = rotator.az_min_deg + (az - rotator.az_min_deg) % 360.0
        jumps = np.flatnonzero(np.abs(np.diff(a)) > 180.0) + 1
        return PassPlan(a, sides[0][2], False, jumps.astype(np.int64))
    out = az[~rotator.reaches(az)]
    raise OptionError(
        f"the rotator's azimuth range {rotator.az_min_deg:g} to {rotator.az_max_deg:g} "
        f"cannot follow this pass: it goes to azimuth {float(out[0]):.1f}"
        + ("" if rotator.can_flip else " (a flip rotator, elevation 0 to 180, could)"),
        parameter="rotator_az", value=f"{rotator.az_min_deg:g}:{rotator.az_max_deg:g}",
    )


class Stepper:
    """Sends a position only when it moved at least ``min_step_deg`` on either axis since
    the last one sent (or when forced: the first, the last, after a reconnection)."""

    def __init__(self, min_step_deg: float) -> None:
        self.min_step_deg = float(min_step_deg)
        self.last: tuple[float, float] | None = None

    def due(self, az_deg: float, el_deg: float, *, force: bool = False) -> bool:
        if force or self.last is None or max(
            abs(az_deg - self.last[0]), abs(el_deg - self.last[1])
        ) >= self.min_step_deg:
            self.last = (az_deg, el_deg)
            return True
        return False

    def reset(self) -> None:
        self.last = None
