"""Orbit counts and revolution numbers.

Revolutions are counted from ascending-node crossings of the propagated orbit, switching to
the nearest element set along the way (DESIGN); the revolution numbers the sets carry are
only a cross-check (:func:`count_orbits`): they are five digits and wrap at 100000, sources
disagree by one, and NASA-published sets number modulo 4000. Absolute revolution numbers
come from a standard (NORAD) set, even one outside the window; where SGP4 fails (decay)
nothing is counted and the failure is reported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from ..engine import search
from ..engine.failures import FailedStretch, nowhere, propagation_map
from ..engine.satellite import Satellite
from ..engine.timescale import SECONDS_PER_DAY, Window, datetime_of, iso_z
from .nodes import NodeCrossings, argument_of_latitude_deg, node_crossings

__all__ = [
    "ANCHOR_MAX_GAP_DAYS",
    "EPOCH_ON_NODE_S",
    "FAR_SET_DAYS",
    "NASA_REV_MODULUS",
    "NORAD_REV_MODULUS",
    "OrbitCount",
    "SetCheck",
    "carried_rev_modulus",
    "count_orbits",
]

NORAD_REV_MODULUS = 100_000
# NASA-published sets (placeholder drag terms n-dot .00016717, B* .10270e-3) carry their own
# revolution count; in the bundled history it is the NORAD count modulo 4000 (e.g. 1906 on
# 2016-01-02 when NORAD's was 97906, 21 on 2016-05-17 when it was 100021).
NASA_REV_MODULUS = 4_000
_NASA_NDOT, _NASA_BSTAR = 0.00016717, 0.10270e-3
FAR_SET_DAYS = 3.0
# NASA-published sets put their epoch on the ascending node and number the revolution that
# starts there; our node may fall a fraction of a second after the epoch.
EPOCH_ON_NODE_S = 1.0
# Revolution numbers are carried across from a standard set outside the window only through
# a history whose consecutive epochs are at most this far apart (every instant within half
# of it from a set): the count between the two then holds (see :func:`count_orbits`). In the
# bundled ISS history, consecutive sets up to 30 days apart disagree at their midpoint by at
# most 52 degrees along the orbit (the count slips only past 180); 70 to 180 days apart, by
# up to 172 degrees.
ANCHOR_MAX_GAP_DAYS = 30.0


def carried_rev_modulus(sat: Satellite, k: int) -> int:
    """The modulus of the revolution number set ``k`` carries: 100000 for standard sets,
    :data:`NASA_REV_MODULUS` for NASA-published ones (placeholder drag terms)."""
    e = sat.elements[k]
    nasa = math.isclose(e.ndot, _NASA_NDOT, rel_tol=1e-6) and math.isclose(
        e.bstar, _NASA_BSTAR, rel_tol=1e-4
    )
    return NASA_REV_MODULUS if nasa else NORAD_REV_MODULUS
def _crossings_where_valid(
    sat: Satellite, window: Window, valid: list[tuple[float, float]], step_s: float | None
) -> NodeCrossings:
    """Node crossings over the stretches of ``window`` where SGP4 propagates, in the
    window's time frame (each stretch searched on its own, both ends included)."""
    if valid == [(0.0, window.span_s)]:
        return node_crossings(sat, window, step_s=step_s)
    parts = []
    for a, b in valid:
        if b > a:
            parts.append((a, node_crossings(sat, Window(window.instant(a), b - a), step_s=step_s)))
    if not parts:
        empty = np.zeros(0)
        return NodeCrossings(
            window, empty, empty.astype(bool), empty.astype(np.int64), empty,
            empty.astype(bool),
        )
    return NodeCrossings(
        window,
        np.concatenate([p.t_s + a for a, p in parts]),
        np.concatenate([p.ascending for _, p in parts]),
        np.concatenate([p.set_index for _, p in parts]),
        np.concatenate([p.lon_deg for _, p in parts]),
        np.concatenate([p.at_switch for _, p in parts]),
        np.concatenate([p.switch_gap_deg for _, p in parts]),
    )


# ------------------------------------------------------------------ revolution numbers
def _choose_anchor(sat: Satellite, used: np.ndarray, start_jd: float, end_jd: float) -> int:
    """The set whose carried revolution number the count is numbered from.

    The earliest standard set used; else the standard set of the history nearest to the
    window that can be reached through sets at most :data:`ANCHOR_MAX_GAP_DAYS` apart (the
    nodes in between are counted on the propagated orbit); else (only NASA-format sets
    within reach, numbered modulo 4000) the earliest set used.
    """
    standard = [
        k for k in range(len(sat.elements)) if carried_rev_modulus(sat, k) == NORAD_REV_MODULUS
    ]
    inside = [k for k in used.tolist() if k in standard]
    if inside:
        return int(inside[0])
    epochs = sat.epochs_jd
    lo_used, hi_used = float(epochs[used].min()), float(epochs[used].max())

    def distance(k: int) -> float:
        return max(start_jd - epochs[k], epochs[k] - end_jd, 0.0)

    for k in sorted(standard, key=distance):
        a, b = min(epochs[k], lo_used), max(epochs[k], hi_used)
        between = epochs[(epochs >= a) & (epochs <= b)]
        if len(between) < 2 or float(np.max(np.diff(between))) <= ANCHOR_MAX_GAP_DAYS:
            return int(k)
    return int(used[0])


@dataclass(frozen=True)
class SetCheck:
    """How one element set's carried revolution number agrees with the count.

    ``predicted`` is the revolution in progress at the set's epoch, counted from the
    anchor set's number (unwrapped, so it may pass 100000); ``carried`` what the set says
    (modulo ``modulus``); ``difference`` = carried - predicted reduced to the nearest
    multiple of the modulus; ``node_s`` how far the epoch is from the nearest ascending node
    (seconds; an epoch right on a node makes the revolution in progress ambiguous).
    ``is_anchor``: this is the anchor itself (its difference is 0 by construction, not a
    check). ``predicted`` and ``difference`` are None where SGP4 fails somewhere between
    the anchor's epoch and this set's (the nodes there cannot be counted: not checked).
    ``serves_from``/``serves_to``/``farthest_days``: the part of the window in which this
    set is the nearest and how far from its epoch that reaches (None for a set that serves
    no part of it, such as an anchor outside the window).
    """

    index: int
    epoch: datetime
    carried: int
    modulus: int
    predicted: int | None
    difference: int | None
    node_s: float
    serves_from: datetime | None
    serves_to: datetime | None
    farthest_days: float | None
    is_anchor: bool = False

    @property
    def checked(self) -> bool:
        return not self.is_anchor and self.difference is not None

    @property
    def note(self) -> str:
        """Plain words for the difference."""
        if self.is_anchor:
            return "anchor"
        if self.difference is None or self.predicted is None:
            return "not checked (SGP4 fails between this set and the anchor)"
        if self.difference == 0:
            return "agrees"
        wrapped = self.modulus == NORAD_REV_MODULUS and self.predicted >= NORAD_REV_MODULUS
        if self.difference == 1 and wrapped:
            return "+1 after the 100000 wrap"
        if abs(self.difference) == 1 and self.node_s <= EPOCH_ON_NODE_S:
            return f"{self.difference:+d}, epoch on a node"
        return f"off by {self.difference:+d}"


@dataclass(frozen=True)
class OrbitCount:
    """Revolutions between two instants, from ascending-node crossings.

    ``count``: ascending nodes in ``[start, end]``; ``revolutions``: the exact number of
    turns (count corrected by the arguments of latitude at both ends); ``first``/``last``:
    the first and last crossing (None when there is none); ``checks``: one
    :class:`SetCheck` per set used, per set whose epoch lies in the window, and for the
    anchor; ``anchor``: index of the set whose carried number the others are checked
    against (a standard set whenever one is within reach, see :func:`count_orbits`);
    ``rev_modulus``: the anchor's modulus, 100000 when the revolution numbers are NORAD's
    (absolute), :data:`NASA_REV_MODULUS` when only NASA-format sets were within reach
    (``rev_at_*`` are then only meaningful modulo 4000);
    ``rev_at_start``/``rev_at_end``: the revolution in progress at the start and end of
    what was counted, numbered from the anchor's carried number (unwrapped: 100005 is what
    a five-digit set prints as 5); None where SGP4 fails between the anchor's epoch and
    that instant.

    Where SGP4 fails for part of the window (decay), ``failures`` lists those stretches
    (clipped to the window), ``counted`` the stretches that were counted, and every number
    above covers only ``counted`` (``complete`` is False).
    """

    start: datetime
    end: datetime
    count: int
    revolutions: float
    first: datetime | None
    last: datetime | None
    crossings: NodeCrossings
    checks: list[SetCheck]
    anchor: int | None  # None: no element set, no revolution numbers
    rev_at_start: int | None
    rev_at_end: int | None
    warnings: list[str]
    rev_modulus: int = NORAD_REV_MODULUS
    counted: list[tuple[datetime, datetime]] = field(default_factory=list)
    failures: list[FailedStretch] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.failures

    @property
    def absolute(self) -> bool:
        """Whether ``rev_at_*`` are NORAD's absolute revolution numbers."""
        return self.rev_modulus == NORAD_REV_MODULUS


def count_orbits(sat: Satellite, window: Window, *, step_s: float | None = None) -> OrbitCount:
    """Count revolutions over ``window`` and cross-check the revolution numbers carried.

    Crossings are found over the window widened to the epochs of the sets used (and of
    the anchor), so that every set's carried number can be compared: for each, the number
    predicted from the anchor plus the ascending nodes between the two epochs. The anchor
    is the earliest standard set used; when the window is served only by NASA-format sets
    (whose numbers are modulo 4000), the nearest standard set of the history, counting the
    nodes in between on the propagated orbit; when there is none within reach
    (:data:`ANCHOR_MAX_GAP_DAYS`), the numbers stay modulo 4000 (``rev_modulus``) and a
    warning says so. A set whose epoch is exactly on a node may disagree by one
    revolution; so do sources that start a revolution at a slightly different instant.

    Where SGP4 fails (a decayed object), nothing is counted: the count covers the
    stretches where it propagates, each failure gets a warning, and revolution numbers
    across a failure are unknown (None). Raises :class:`~zarya.errors.PropagationError`
    when SGP4 fails over the whole window.

    Tim Peake's stay, from the launch of Soyuz TMA-19M to its landing:

    >>> from zarya import Window, load_satellite, parse_instant
    >>> stay = Window.between(parse_instant("2015-12-15T11:03:09Z"),
    ...                       parse_instant("2016-06-18T09:14:48Z"))
    >>> oc = count_orbits(load_satellite(), stay)
    >>> oc.count, oc.rev_at_start, oc.rev_at_end
    (2892, 97624, 100516)
    """
    whole, frac = window.base_jd
    start_jd, end_jd = whole + frac, whole + frac + window.span_s / SECONDS_PER_DAY
    probe = np.linspace(start_jd, end_jd, max(2, int(window.span_s / 600.0) + 1))
    used = np.unique(sat.select(probe))
    used = used[used < sat.n_sets]  # the sets serving (trajectories carry no numbers)
    epochs = sat.epochs_jd
    inside = np.flatnonzero((epochs >= start_jd) & (epochs <= end_jd))
    used = np.unique(np.concatenate((used, inside))).astype(np.int64)
    if not len(used) and sat.n_sets:  # served by trajectories: the nearest set anchors
        used = np.array([int(np.argmin(np.abs(epochs - (start_jd + end_jd) / 2.0)))])
    anchor = _choose_anchor(sat, used, start_jd, end_jd) if sat.n_sets else None
    listed = np.unique(np.append(used, [] if anchor is None else [anchor])).astype(np.int64)
    # the widened window, in seconds from the earlier of the window's start and the first
    # epoch; the window itself is [lo, hi] in it, to the microsecond
    first_jd = float(epochs[listed].min()) if len(listed) else start_jd
    last_jd = float(epochs[listed].max()) if len(listed) else end_jd
    lead_s = max(0.0, (start_jd - first_jd) * SECONDS_PER_DAY)
    ext_start = window.start - timedelta(seconds=lead_s)
    trail_s = max(0.0, (last_jd - end_jd) * SECONDS_PER_DAY)
    lo = (window.start - ext_start).total_seconds()
    hi = lo + window.span_s
    ext = Window(ext_start, hi + trail_s)
    ext_lo = sum(ext.base_jd)
    valid, failed = propagation_map(sat, ext, step_s=step_s)
    nodes = _crossings_where_valid(sat, ext, valid, step_s)
    t_asc = nodes.ascending_times()
    spans = [(max(a, lo), min(b, hi)) for a, b in valid if min(b, hi) > max(a, lo)]
    def at(t: float) -> datetime:  # the window's own start and end at its edges
        return window.start if t <= lo else window.end if t >= hi else window.instant(t - lo)

    failures = [
        FailedStretch(at(max(a, lo)), at(min(b, hi)), code)
        for a, b, code in failed
        if min(b, hi) >= max(a, lo)
    ]
    if not spans:
        raise nowhere(sat, window, [f.code for f in failures])
    counted_mask = np.zeros(len(t_asc), dtype=bool)
    for a, b in spans:
        counted_mask |= (t_asc >= a) & (t_asc <= b)
    in_window = t_asc[counted_mask]
    count = len(in_window)
    # exact turns: count + (u_end - u_start) / 360 over each stretch counted
    ends = np.array(spans, dtype=float).ravel()
    j1, j2 = ext.jd(ends)
    r, v, _ = sat.teme_of_sources(j1, j2, sat.select(j1 + j2))
    u = argument_of_latitude_deg(r, v).reshape(-1, 2)
    fraction = np.where(np.isfinite(u).all(axis=1), u[:, 1] - u[:, 0], 0.0)
    revolutions = count + float(np.sum(fraction)) / 360.0
    first = ext.instant(in_window[0]) if count else None
    last = ext.instant(in_window[-1]) if count else None

    # carried revolution numbers
    t_epoch = (epochs - ext_lo) * SECONDS_PER_DAY

    def revs_done(t: float) -> int:
        """Ascending nodes up to ``t`` (a node within EPOCH_ON_NODE_S after it counts)."""
        return int(np.searchsorted(t_asc, t + EPOCH_ON_NODE_S, side="right"))

    def joined(t1: float, t2: float) -> bool:
        """No SGP4 failure between the two instants: the nodes between can be counted."""
        a, b = min(t1, t2), max(t1, t2)
        return not any(fa <= b and fb >= a for fa, fb, _ in failed)

    anchor_rev = sat.elements[anchor].rev_number if anchor is not None else 0
    rev_modulus = carried_rev_modulus(sat, anchor) if anchor is not None else NORAD_REV_MODULUS

    def numbered(t: float) -> int | None:
        if anchor is None or not joined(t_epoch[anchor], t):
            return None
        return anchor_rev + revs_done(t) - revs_done(t_epoch[anchor])

    checks = []
    for k in listed.tolist():
        e = sat.elements[k]
        modulus = carried_rev_modulus(sat, k)
        predicted = numbered(t_epoch[k])
        diff = None
        if predicted is not None:
            diff = (e.rev_number - predicted) % modulus
            diff = int(diff - modulus if diff > modulus // 2 else diff)
        near = float(np.min(np.abs(t_asc - t_epoch[k]))) if len(t_asc) else math.inf
        served = _served(sat, k, ext_lo, ext_lo + ext.span_s / SECONDS_PER_DAY)
        lo_k, hi_k = max(served[0], start_jd), min(served[1], end_jd)
        serves = hi_k >= lo_k
        far = max(abs(lo_k - epochs[k]), abs(hi_k - epochs[k])) if serves else None
        checks.append(
            SetCheck(
                k, e.epoch, e.rev_number, modulus, predicted, diff, near,
                datetime_of(lo_k, 0.0) if serves else None,
                datetime_of(hi_k, 0.0) if serves else None,
                far, k == anchor,
            )
        )
    warnings = []
    for f in failures:
        warnings.append(f.warning("nodes counted"))
    if failures:
        hours = sum(b - a for a, b in spans) / 3600.0
        where = (
            ", ".join(f"{iso_z(at(a), 0)} to {iso_z(at(b), 0)}" for a, b in spans)
            if len(spans) <= 3
            else f"the {len(spans)} stretches where SGP4 propagates"
        )
        warnings.append(
            f"the count covers only {where} ({hours:.1f} of the window's "
            f"{window.span_s / 3600.0:.1f} hours)"
        )
    warnings += _far_warnings(sat, probe)
    big = np.flatnonzero(np.abs(nodes.switch_gap_deg) > 1.0)
    if len(big):
        worst = float(np.max(np.abs(nodes.switch_gap_deg)))
        typical_min = float(np.median([e.period_minutes for e in sat.elements]))
        warnings.append(
            f"at {len(big)} switch(es) from one element set to the next the two disagree by "
            f"more than 1 degree along the orbit (up to {worst:.1f} degrees, "
            f"{worst / 360.0 * typical_min:.1f} minutes): the count holds while they "
            "disagree by less than half a turn"
        )
    if rev_modulus != NORAD_REV_MODULUS and anchor is not None:
        warnings.append(
            f"no standard element set within reach: revolution numbers are those of the "
            f"NASA-format set of {iso_z(sat.elements[anchor].epoch, 0)}, modulo "
            f"{rev_modulus} (the absolute revolution number is unknown)"
        )
    at_start = numbered(spans[0][0])
    at_end = numbered(spans[-1][1])
    if anchor is None:
        warnings.append(
            "no element set: the revolution numbers are unknown (the count comes from the "
            "trajectory's node crossings)"
        )
    elif at_start is None or at_end is None:
        warnings.append(
            "SGP4 fails between the epoch of the set the revolutions are numbered from "
            f"({iso_z(sat.elements[anchor].epoch, 0)}) and the start or end of the count: "
            "the revolution numbers cannot be counted across the failure (unknown)"
        )
    return OrbitCount(
        window.start, window.end, count, float(revolutions), first, last, nodes, checks,
        anchor, at_start, at_end, warnings, rev_modulus,
        [(at(a), at(b)) for a, b in spans], failures,
    )


def _served(sat: Satellite, k: int, lo_jd: float, hi_jd: float) -> tuple[float, float]:
    """The span (JD) from the first to the last instant source ``k`` serves (the schedule
    of :meth:`Satellite.schedule`), clipped to ``[lo_jd, hi_jd]``; an empty span (start
    after end) where it serves none of it."""
    mine = [(a, b) for a, b, s in sat.schedule().pieces(lo_jd, hi_jd) if s == k]
    if not mine:
        return hi_jd, lo_jd
    return mine[0][0], mine[-1][1]


def _far_warnings(sat: Satellite, probe_jd: np.ndarray) -> list[str]:
    """One warning per stretch where the nearest set is more than FAR_SET_DAYS away."""
    age = np.abs(sat.age_days(probe_jd))
    out = []
    for a, b in search.runs(age > FAR_SET_DAYS):
        out.append(
            f"from {iso_z(datetime_of(probe_jd[a], 0.0), 0)} to "
            f"{iso_z(datetime_of(probe_jd[b - 1], 0.0), 0)} the nearest element set is more "
            f"than {FAR_SET_DAYS:g} days away (up to {age[a:b].max():.1f}): node times there "
            "may be off by seconds to minutes"
        )
    return out
