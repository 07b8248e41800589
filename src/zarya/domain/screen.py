"""The catalogue search's coarse screen: which stretches of which satellites may hold a
pass over a few places.

For each coarse step (:data:`COARSE_S` for low orbits, :data:`COARSE_HIGH_S` for high ones)
and each satellite: can it come within reach of one of the places during the step? The
reach is the footprint of the threshold at the satellite's highest altitude in the window;
the smallest angular distance the step allows is the mean of the distances at its ends less
half the sub-satellite point's largest motion over the step. Everything in the TEME frame:
the places turned with the Earth to each coarse time.

Where the satellites are at the coarse times:

- a near-circular low orbit (eccentricity up to :data:`ANCHOR_MAX_ECCENTRICITY`) from sgp4
  at anchors every :data:`ANCHOR_S` (one ``SatrecArray`` call for all of them), and in
  between on the anchor's orbital plane, turned at the rate that carries it to the next
  anchor. The real motion departs from that by under four times the eccentricity (the
  equation of the centre at both ends), the short-period terms of the Earth's flattening
  (under 0.0025 rad, taken twice), the plane's turn over an anchor step (the node's drift)
  and, for an object that drag brings down, the bend of its phase (an eighth of the change
  of rate between anchor steps, taken four times); that sum is added to the reach. Over
  the active catalogue's 11,246 such objects and four days, from its epoch to 13 days
  before it, the departure is at most 0.56 of it (tests/test_overhead.py). A satellite
  whose sgp4 fails at an anchor is screened as the others;
- every other satellite from sgp4 at each coarse time, where a failure flags its steps
  (so a decaying object's passes run up to the failure).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from ..engine.frames import gmst82_rad, rotate_z
from ..engine.look import Observers
from ..engine.satellite import Satellite
from ..engine.timescale import Window

__all__ = ["ANCHOR_MAX_ECCENTRICITY", "ANCHOR_S", "COARSE_HIGH_S", "COARSE_S",
           "EARTH_RATE_RAD_S", "HIGH_PERIOD_S", "screen_blocks"]

COARSE_S = 300.0  # the screen's step for low orbits
COARSE_HIGH_S = 1800.0  # and for high ones, periods over HIGH_PERIOD_S
HIGH_PERIOD_S = 225.0 * 60.0
ANCHOR_S = 3600.0  # sgp4 anchors of a near-circular low orbit's screen
ANCHOR_MAX_ECCENTRICITY = 0.1
EARTH_RATE_RAD_S = 7.292115e-5
_SCREEN_STATES = 1_000_000  # coarse states held at once (about 24 MB per (N, C, 3) array)
_R_POLAR_KM = 6356.75
_SHORT_PERIOD_RAD = 0.005  # the flattening's short-period terms, in direction (2x)


def screen_blocks(sats: Sequence[Satellite], observers: Observers, window: Window,
                  step_s: float, threshold_deg: float) -> list[tuple[int, int, int]]:
    """(satellite, first fine grid index, number of points) of the stretches where each
    satellite may be above ``threshold_deg`` for one of the observers (see the module
    docstring); a satellite that never comes near has none. Low orbits are screened every
    :data:`COARSE_S`, high ones (periods over :data:`HIGH_PERIOD_S`, slow across the sky)
    every :data:`COARSE_HIGH_S`."""
    T = len(window.grid(step_s))
    found: list[tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]] = []
    high = np.array([s.period_s > HIGH_PERIOD_S for s in sats], dtype=bool)
    for group, coarse in ((np.flatnonzero(~high), COARSE_S),
                          (np.flatnonzero(high), COARSE_HIGH_S)):
        if not len(group):
            continue
        n_coarse = max(2, int(np.ceil(window.span_s / coarse)) + 1)
        tc = np.linspace(0.0, window.span_s, n_coarse)
        per = max(1, _SCREEN_STATES // n_coarse)  # objects screened at once: bounded memory
        for first in range(0, len(group), per):
            part = group[first:first + per]
            near = _near(sats, part, observers, window, tc, threshold_deg)
            s, c = np.nonzero(near)
            k0 = np.maximum(0, np.floor(tc[c] / step_s).astype(np.int64) - 2)
            k1 = np.minimum(T - 1, np.ceil(tc[c + 1] / step_s).astype(np.int64) + 2)
            found.append((part[s].astype(np.int64), k0, k1))
    if not found:
        return []
    return _merged(*(np.concatenate(f) for f in zip(*found, strict=True)))


def _near(sats: Sequence[Satellite], group: NDArray[np.intp], observers: Observers,
          window: Window, tc: NDArray[np.float64], threshold_deg: float) -> NDArray[np.bool_]:
    """Per satellite of ``group`` and coarse step ``[tc[c], tc[c + 1]]``: whether it may
    be above the threshold for an observer then (or sgp4 fails there: look closely). In
    the TEME frame: the observers turned with the Earth to each coarse time, the
    satellites' directions (see the module docstring); the sub-satellite point moves over
    the ground at most its inertial angular rate (|v| / r) plus the Earth's."""
    jd1, jd2 = window.jd(tc)
    N, C = len(group), len(tc)
    unit = np.zeros((N, C, 3))
    rate, r_max, margin = np.zeros(N), np.full(N, _R_POLAR_KM), np.zeros(N)
    bad = np.zeros((N, C), dtype=bool)
    by_anchor = np.array([_anchorable(sats[i]) for i in group], dtype=bool)
    if by_anchor.any():
        at = np.flatnonzero(by_anchor)
        u, w, rm, m, failed = _anchored([sats[i] for i in group[at]], window, tc)
        ok = at[~failed]
        unit[ok], rate[ok], r_max[ok], margin[ok] = u[~failed], w[~failed], rm[~failed], \
            m[~failed]
        by_anchor[at[failed]] = False  # an anchor failed: sgp4 at every coarse time
    if not by_anchor.all():
        at = np.flatnonzero(~by_anchor)
        r, v, bad[at] = _coarse_states([sats[i] for i in group[at]], jd1, jd2)  # TEME
        dist = np.sqrt(np.einsum("nck,nck->nc", r, r))
        speed = np.sqrt(np.einsum("nck,nck->nc", v, v))
        with np.errstate(invalid="ignore"):
            rate[at] = np.nanmax(np.where(bad[at], np.nan, speed / dist), axis=1,
                                 initial=0.0)
            r_max[at] = np.nanmax(np.where(bad[at], np.nan, dist), axis=1,
                                  initial=_R_POLAR_KM)
        unit[at] = np.nan_to_num(r / dist[..., None])
    omega = 1.2 * rate + EARTH_RATE_RAD_S
    e = np.radians(threshold_deg)
    psi = (np.arccos(np.clip(_R_POLAR_KM / (1.01 * r_max) * np.cos(e), -1.0, 1.0)) - e
           + 0.01 + margin)
    dt = float(tc[1] - tc[0])
    gmst = gmst82_rad(jd1, jd2)
    near = np.zeros((N, C - 1), dtype=bool)
    for ob in observers.r_km / np.linalg.norm(observers.r_km, axis=1)[:, None]:
        o_teme = rotate_z(np.broadcast_to(ob, (C, 3)), -gmst)  # (C, 3)
        d = np.arccos(np.clip(np.einsum("nck,ck->nc", unit, o_teme), -1.0, 1.0))
        closest = (d[:, :-1] + d[:, 1:] - omega[:, None] * dt) / 2.0
        near |= closest <= psi[:, None]
    near |= bad[:, :-1] | bad[:, 1:]
    return near


def _merged(sat: NDArray[np.int64], k0: NDArray[np.int64], k1: NDArray[np.int64]
            ) -> list[tuple[int, int, int]]:
    """Overlapping or touching stretches ``[k0, k1]`` of one satellite joined, as
    (satellite, k0, count), by satellite then time."""
    if not len(sat):
        return []
    order = np.lexsort((k1, k0, sat))
    sat, k0, k1 = sat[order], k0[order], k1[order]
    # the furthest end reached so far within the satellite: a stretch starting past it
    # (by more than one point) or of another satellite begins a new run
    # (each satellite's ends lifted above all of the one before it: one running maximum)
    lift = sat * (int(k1.max(initial=0)) + 2)
    reach = np.maximum.accumulate(k1 + lift) - lift
    new = np.r_[True, sat[1:] != sat[:-1]]
    new[1:] |= k0[1:] > reach[:-1] + 1
    starts = np.flatnonzero(new)
    ends = np.r_[starts[1:], len(sat)] - 1
    first, last = k0[starts], reach[ends]
    return list(zip(sat[starts].tolist(), first.tolist(), (last - first + 1).tolist(),
                    strict=True))


def _coarse_states(sats: Sequence[Satellite], jd1: NDArray[np.float64],
                   jd2: NDArray[np.float64]
                   ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """TEME states (N, C, 3) of every satellite at the coarse times, and where they
    failed: element sets through one ``SatrecArray`` call, trajectories one by one."""
    from sgp4.api import SatrecArray

    N, C = len(sats), len(jd1)
    r = np.full((N, C, 3), np.nan)
    v = np.full((N, C, 3), np.nan)
    bad = np.zeros((N, C), dtype=bool)
    source = [int(s.select(jd1[:1] + jd2[:1])[0]) for s in sats]
    sets = [i for i, (s, k) in enumerate(zip(sats, source, strict=True))
            if not s.is_trajectory(k)]
    if sets:
        recs = SatrecArray([sats[i].satrecs()[source[i]] for i in sets])
        err, rr, vv = recs.sgp4(jd1, jd2)
        r[sets], v[sets], bad[sets] = rr, vv, err != 0
    for i in sorted(set(range(N)) - set(sets)):
        rr, vv, err = sats[i].teme(jd1, jd2)
        r[i], v[i], bad[i] = rr, vv, err != 0
    r[bad] = np.nan
    v[bad] = np.nan
    return r, v, bad


def _anchored(sats: Sequence[Satellite], window: Window, tc: NDArray[np.float64]
              ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64],
                         NDArray[np.float64], NDArray[np.bool_]]:
    """Directions (N, C, 3) TEME at the coarse times ``tc`` of near-circular low orbits from
    sgp4 at anchors (see the module docstring), with per satellite the largest angular rate
    |v|/r, the highest radius, the reach's margin (rad), and whether an anchor failed."""
    from sgp4.api import SatrecArray

    span = float(tc[-1])
    ta = np.linspace(0.0, span, max(2, int(np.ceil(span / ANCHOR_S)) + 1))
    step = float(ta[1] - ta[0])
    recs = [s.satrecs()[0] for s in sats]
    err, r, v = SatrecArray(recs).sgp4(*window.jd(ta))  # (N, A, 3)
    failed = (err != 0).any(axis=1)
    r, v = np.nan_to_num(r), np.nan_to_num(v)
    dist = np.sqrt(np.einsum("nak,nak->na", r, r))
    e1 = r / np.where(dist > 0, dist, 1.0)[..., None]
    h = np.cross(r, v)
    h /= np.maximum(np.sqrt(np.einsum("nak,nak->na", h, h)), 1e-12)[..., None]
    e2 = np.cross(h, e1)
    # the turn from each anchor to the next, in the earlier one's plane, whole revolutions
    # counted from the mean motion (sgp4's secular rates, rad/min)
    ahead = np.arctan2(np.einsum("nak,nak->na", e1[:, 1:], e2[:, :-1]),
                       np.einsum("nak,nak->na", e1[:, 1:], e1[:, :-1]))
    mean = np.array([(x.mdot + x.argpdot) / 60.0 for x in recs])[:, None] * step
    turn = ahead + 2.0 * np.pi * np.round((mean - ahead) / (2.0 * np.pi))
    a = np.minimum((tc / step).astype(np.int64), len(ta) - 2)
    phase = turn[:, a] * ((tc - ta[a]) / step)[None, :]
    unit = (np.cos(phase)[..., None] * e1[:, a] + np.sin(phase)[..., None] * e2[:, a])
    ecc = np.array([s.elements[0].eccentricity for s in sats])
    drift = np.array([abs(x.nodedot) / 60.0 for x in recs]) * step
    # drag changes the rate from one anchor step to the next; a straight phase then
    # departs from the curved one by an eighth of that change: half is kept
    bend = np.abs(np.diff(turn, axis=1)).max(axis=1, initial=0.0)
    margin = 4.0 * ecc + _SHORT_PERIOD_RAD + drift + bend / 2.0
    speed = np.sqrt(np.einsum("nak,nak->na", v, v))
    omega = np.max(speed / np.where(dist > 0, dist, np.inf), axis=1)
    e_up = ecc + 0.005  # sgp4's osculating eccentricity, a little above the mean one
    r_max = dist.max(axis=1) * (1.0 + e_up) / (1.0 - e_up)
    return unit, omega, r_max, margin, failed


def _anchorable(sat: Satellite) -> bool:
    """Whether the anchored screen may serve ``sat``: one element set, a low orbit, nearly
    circular."""
    return (len(sat.elements) == 1 and not sat.trajectories
            and sat.period_s <= HIGH_PERIOD_S
            and sat.elements[0].eccentricity <= ANCHOR_MAX_ECCENTRICITY)
