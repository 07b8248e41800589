"""The one rule: which source of a satellite's motion serves each instant.

A satellite's motion comes from element sets (TLE or OMM, propagated by SGP4) and from
trajectories (an operator's OEM, interpolated). Each instant is served by the freshest
source that is valid there:

- **Age.** A set's age at an instant is its distance from the set's epoch (SGP4 fits the
  tracking around the epoch, and drifts both ways from it). A trajectory's age is how far
  past its creation it forecasts: zero for the instants before its creation (it is built on
  tracking up to then), growing after; it serves only inside its segments.
- **Validity.** A manoeuvre separates what a source can know: a set never serves across a
  burn between its epoch and the instant (the pre-burn set does not know the burn; the
  post-burn set's orbit is not the one flown before it). Burns come from the trajectories'
  planned events (a reboost, a debris avoidance) and from the sets themselves: where two
  consecutive sets show the orbit raised (the mean motion drops by more than
  ``MANOEUVRE_DROP_REV_PER_DAY`` within ``MANOEUVRE_MAX_GAP_DAYS``), the burn is put where
  the two sets' orbits pass closest to each other between the epochs (an impulsive burn
  changes the velocity, not the position: before it the flown orbit is the earlier set's,
  after it the later set's, and the two meet at the burn). A trajectory is valid in its
  segments, its planned burns included.
- **Choice.** Among the valid sources the youngest serves; a tie goes to a trajectory (it
  knows the planned manoeuvres), then to the later source. Where no source is valid (two
  burns with no set in between, beyond a trajectory's end), the youngest source serves
  anyway, and the age checks say how old it is.

With sets alone and no manoeuvre this is the nearest epoch, switching halfway between two
epochs. :func:`build_schedule` turns the rule into a :class:`Schedule`: the pieces of time,
each with its source, that every computation uses (passes, node crossings and orbit counts,
age checks, tracks).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .trajectory import EDGE_S

__all__ = [
    "MANOEUVRE_DROP_REV_PER_DAY",
    "MANOEUVRE_MAX_GAP_DAYS",
    "Schedule",
    "SourceInfo",
    "build_schedule",
    "closest_approach_jd",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

MANOEUVRE_DROP_REV_PER_DAY = 1e-3
MANOEUVRE_MAX_GAP_DAYS = 5.0
_APPROACH_STEP_DAYS = 60.0 / 86400.0
EDGE_DAYS = EDGE_S / 86400.0


@dataclass(frozen=True)
class SourceInfo:
    """What the rule needs to know of one source.

    ``reference_jd``: a set's epoch or a trajectory's creation; ``coverage``: the spans
    (JD) a trajectory has states for (sets: none, they cover all time); ``mean_motion``: a
    set's, rev/day (NaN for a trajectory); ``burns_jd``: a trajectory's planned burns.
    """

    is_trajectory: bool
    reference_jd: float
    coverage: tuple[tuple[float, float], ...] = ()
    mean_motion: float = float("nan")
    burns_jd: tuple[float, ...] = ()

    def age_days(self, jd: FloatArray) -> FloatArray:
        """The age of this source's information at each instant (see the module docstring)."""
        if self.is_trajectory:
            older: FloatArray = np.maximum(jd - self.reference_jd, 0.0)
            return older
        away: FloatArray = np.abs(jd - self.reference_jd)
        return away

    def covers(self, jd: FloatArray) -> NDArray[np.bool_]:
        if not self.is_trajectory:
            return np.ones(jd.shape, dtype=bool)
        inside = np.zeros(jd.shape, dtype=bool)
        for a, b in self.coverage:  # with the trajectory's own tolerance at its ends
            inside |= (jd >= a - EDGE_DAYS) & (jd <= b + EDGE_DAYS)
        return inside


@dataclass(frozen=True)
class Schedule:
    """Pieces of time and their sources: piece ``p`` runs from ``starts_jd[p]`` (``-inf`` for
    the first) to ``starts_jd[p + 1]`` (``+inf`` after the last) and is served by source
    ``source[p]``. ``manoeuvres_jd``: the burns the rule knows (planned and detected)."""

    starts_jd: FloatArray
    source: IntArray
    manoeuvres_jd: FloatArray

    def select(self, jd: ArrayLike) -> IntArray:
        """The source serving each Julian date."""
        p = np.searchsorted(self.starts_jd, np.asarray(jd, dtype=float), side="right") - 1
        found: IntArray = self.source[np.maximum(p, 0)]
        return found

    def switches_jd(self, lo: float = -np.inf, hi: float = np.inf) -> FloatArray:
        """The instants where the serving source changes, inside ``(lo, hi)``."""
        s = self.starts_jd[1:]
        inside: FloatArray = s[(s > lo) & (s < hi)]
        return inside

    def pieces(self, lo: float, hi: float) -> list[tuple[float, float, int]]:
        """The pieces overlapping ``[lo, hi]``, clipped to it: ``(start, end, source)``."""
        ends = np.append(self.starts_jd[1:], np.inf)
        out = []
        for a, b, k in zip(self.starts_jd, ends, self.source, strict=True):
            a, b = max(float(a), lo), min(float(b), hi)
            if b > a or (b == a == lo == hi):
                out.append((a, b, int(k)))
        return out


def closest_approach_jd(
    position: Callable[[int, FloatArray], FloatArray], a: int, b: int, lo_jd: float, hi_jd: float
) -> float:
    """The instant in ``[lo_jd, hi_jd]`` where sources ``a`` and ``b`` put the satellite
    closest together: sampled every minute, then every second around the closest sample,
    then every 0.1 s around the closest of those (three calls of ``position`` each way),
    and the middle of the 0.1 s bracket of the closest."""
    t = np.append(np.arange(lo_jd, hi_jd, _APPROACH_STEP_DAYS), hi_jd)
    x0, x1 = lo_jd, hi_jd
    for step_s in (1.0, 0.1, 0.0):
        d = np.linalg.norm(position(a, t) - position(b, t), axis=1)
        if not np.isfinite(d).any():
            break
        k = int(np.nanargmin(d))
        x0, x1 = t[max(k - 1, 0)], t[min(k + 1, len(t) - 1)]
        if step_s:
            t = np.append(np.arange(x0, x1, step_s / 86400.0), x1)
    # the middle of the last bracket: strictly inside [lo, hi] (never on an epoch)
    return float((x0 + x1) / 2.0)


def detected_manoeuvres(sources: Sequence[SourceInfo]) -> list[tuple[int, int]]:
    """Pairs (earlier, later) of consecutive sets between which the orbit was raised."""
    sets = sorted((s.reference_jd, k) for k, s in enumerate(sources) if not s.is_trajectory)
    out = []
    for (e0, k0), (e1, k1) in zip(sets[:-1], sets[1:], strict=True):
        drop = sources[k0].mean_motion - sources[k1].mean_motion
        if drop > MANOEUVRE_DROP_REV_PER_DAY and e1 - e0 <= MANOEUVRE_MAX_GAP_DAYS:
            out.append((k0, k1))
    return out


def build_schedule(
    sources: Sequence[SourceInfo],
    position: Callable[[int, FloatArray], FloatArray] | None = None,
) -> Schedule:
    """The rule of the module docstring as a :class:`Schedule`. ``position(k, jd)`` gives
    source ``k``'s positions (any fixed frame), to place detected manoeuvres; without it
    they are put halfway between the two epochs."""
    if len(sources) == 1 and not sources[0].is_trajectory:  # one set serves everywhere
        return Schedule(np.array([-np.inf]), np.zeros(1, dtype=np.int64), np.zeros(0))
    burns = [b for s in sources for b in s.burns_jd]
    for k0, k1 in detected_manoeuvres(sources):
        e0, e1 = sources[k0].reference_jd, sources[k1].reference_jd
        burns.append(
            closest_approach_jd(position, k0, k1, e0, e1) if position else (e0 + e1) / 2.0
        )
    manoeuvres = np.array(sorted(set(burns)), dtype=float)  # (np.unique imports numpy.ma)
    refs = [s.reference_jd for s in sources]
    points = [*refs, *manoeuvres]
    sets = sorted(r for r, s in zip(refs, sources, strict=True) if not s.is_trajectory)
    points += [(a + b) / 2.0 for a, b in zip(sets[:-1], sets[1:], strict=True)]
    for s in sources:
        if s.is_trajectory:
            points += [x for span in s.coverage for x in span]
            points += [(s.reference_jd + e) / 2.0 for e in sets]
    edges = np.array(sorted(set(map(float, points))), dtype=float)
    # the choice is constant between consecutive edges: decide it in the middle of each gap,
    # and on each edge itself: an edge the rule gives to the gap before it (a trajectory's
    # last state, a tie a trajectory wins) starts the next piece one float later
    pad = 1.0 if len(edges) == 1 else float(edges[-1] - edges[0]) + 1.0
    bounds = np.concatenate(([edges[0] - pad], edges, [edges[-1] + pad]))
    chosen = _choose(sources, (bounds[:-1] + bounds[1:]) / 2.0, manoeuvres)
    on_edge = _choose(sources, edges, manoeuvres)
    later = (on_edge == chosen[:-1]) & (on_edge != chosen[1:])
    starts = np.concatenate(([-np.inf], np.where(later, np.nextafter(edges, np.inf), edges)))
    change = np.r_[True, chosen[1:] != chosen[:-1]]
    return Schedule(starts[change], chosen[change].astype(np.int64), manoeuvres)


def _choose(sources: Sequence[SourceInfo], jd: FloatArray, manoeuvres: FloatArray) -> IntArray:
    """The source serving each instant: the youngest valid one (ties: a trajectory, the later
    creation first, then the later set); the youngest of all where none is valid.

    Among the sets only the nearest epoch at or before the instant and the nearest after it
    can win: a set farther away is older, and it is invalid wherever the nearer one on its
    side is (the burn that separates the nearer one also separates it)."""
    set_ids = np.array([k for k, s in enumerate(sources) if not s.is_trajectory], dtype=np.int64)
    traj_ids = sorted((k for k, s in enumerate(sources) if s.is_trajectory),
                      key=lambda k: -sources[k].reference_jd)
    epochs = np.array([sources[k].reference_jd for k in set_ids])
    order = np.argsort(epochs, kind="stable")
    set_ids, epochs = set_ids[order], epochs[order]
    burns_up_to = np.searchsorted(manoeuvres, jd, side="right")  # burns <= t
    rows: list[tuple[IntArray, FloatArray, NDArray[np.bool_]]] = []
    for k in traj_ids:  # trajectories first: they win ties
        s = sources[k]
        rows.append((np.full(len(jd), k), s.age_days(jd), s.covers(jd)))
    if len(set_ids):
        i = np.searchsorted(epochs, jd, side="right") - 1
        above = np.clip(i + 1, 0, len(epochs) - 1)
        has_above = i + 1 < len(epochs)
        e_up = epochs[above]
        burns_to_up = np.searchsorted(manoeuvres, e_up, side="right")
        rows.append((set_ids[above], np.where(has_above, e_up - jd, np.inf),
                     has_above & (burns_to_up - burns_up_to == 0)))
        below = np.clip(i, 0, len(epochs) - 1)
        has_below = i >= 0
        e_lo = epochs[below]
        burns_to_lo = np.searchsorted(manoeuvres, e_lo, side="right")
        rows.append((set_ids[below], np.where(has_below, jd - e_lo, np.inf),
                     has_below & (burns_up_to - burns_to_lo == 0)))
    ids = np.stack([r[0] for r in rows])
    ages = np.stack([r[1] for r in rows])
    valid = np.stack([r[2] for r in rows])
    any_valid = valid.any(axis=0)
    best = np.where(any_valid, np.argmin(np.where(valid, ages, np.inf), axis=0),
                    np.argmin(ages, axis=0))
    chosen: IntArray = ids[best, np.arange(len(jd))]
    return chosen
