"""The catalogue search's coarse screen: which stretches of which satellites may hold a
pass over a few places.

For each coarse step (:data:`COARSE_S` for low orbits, :data:`COARSE_HIGH_S` for high ones)
and each satellite: when during the step can it come within reach of one of the places?
The reach is the footprint of the threshold at the satellite's highest altitude in the
window. Everything in the TEME frame, the places turned with the Earth.

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
  before it, and over windows of 1.5 h, the departure is at most 0.61 of it
  (tests/test_overhead.py). The phase being steady over a step, the part of the step
  within reach is an interval, found in closed form (:meth:`_Anchored.stretches`): only
  that part goes on to the fine grid (about 15 minutes of a low orbit's visit where whole
  5-minute steps made 20). A satellite whose sgp4 fails at an anchor, or that has decayed
  by the window's end (sgp4's decay begins as dips under the ground at perigee, which can
  fall between anchors), is screened as the others;
- every other satellite from sgp4 at each coarse time: a whole step is kept where the
  smallest angular distance it allows (the mean of the distances at its ends less half the
  sub-satellite point's largest motion over the step) is within reach, or where sgp4
  fails (so a decaying object's passes run up to the failure).
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
                  step_s: float, threshold_deg: float) -> NDArray[np.int64]:
    """Rows (satellite, first fine grid index, number of points) of the stretches where each
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
            t_lo, t_hi = _near(sats, part, observers, window, tc, threshold_deg)
            s, c = np.nonzero(t_lo <= t_hi)
            k0 = np.maximum(0, np.floor(t_lo[s, c] / step_s).astype(np.int64) - 1)
            k1 = np.minimum(T - 1, np.ceil(t_hi[s, c] / step_s).astype(np.int64) + 1)
            found.append((part[s].astype(np.int64), k0, k1))
    if not found:
        return np.zeros((0, 3), dtype=np.int64)
    return _merged(*(np.concatenate(f) for f in zip(*found, strict=True)))


def _near(sats: Sequence[Satellite], group: NDArray[np.intp], observers: Observers,
          window: Window, tc: NDArray[np.float64], threshold_deg: float
          ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Per satellite of ``group`` and coarse step ``[tc[c], tc[c + 1]]``: the stretch
    ``[t_lo, t_hi]`` of the step in which it may be above the threshold for an observer
    (``t_lo > t_hi``: none). Near-circular low orbits get the stretch their anchored
    motion allows; the others the whole step where they may come within reach (or sgp4
    fails: look closely). See the module docstring."""
    N, C = len(group), len(tc)
    t_lo = np.full((N, C - 1), np.inf)
    t_hi = np.full((N, C - 1), -np.inf)
    end_jd = float(sum(window.base_jd)) + window.span_s / 86400.0
    by_anchor = np.array([_anchorable(sats[i], end_jd) for i in group], dtype=bool)
    if by_anchor.any():
        at = np.flatnonzero(by_anchor)
        model = _Anchored([sats[i] for i in group[at]], window, tc)
        ok = ~model.failed
        lo, hi = model.stretches(observers, threshold_deg)
        t_lo[at[ok]], t_hi[at[ok]] = lo[ok], hi[ok]
        by_anchor[at[model.failed]] = False  # an anchor failed: sgp4 at every coarse time
    if not by_anchor.all():
        at = np.flatnonzero(~by_anchor)
        near = _near_by_states([sats[i] for i in group[at]], observers, window, tc,
                               threshold_deg)
        t_lo[at] = np.where(near, tc[:-1], np.inf)
        t_hi[at] = np.where(near, tc[1:], -np.inf)
    return t_lo, t_hi


def _reach_rad(r_max: NDArray[np.float64], threshold_deg: float) -> NDArray[np.float64]:
    """The footprint of the threshold (angular radius, rad) at radius ``r_max``, seen from
    the lowest ground (the polar radius), plus 0.01 rad for the geodetic/geocentric
    difference and the flattening."""
    e = np.radians(threshold_deg)
    out: NDArray[np.float64] = np.arccos(
        np.clip(_R_POLAR_KM / (1.01 * r_max) * np.cos(e), -1.0, 1.0)) - e + 0.01
    return out


def _near_by_states(sats: Sequence[Satellite], observers: Observers, window: Window,
                    tc: NDArray[np.float64], threshold_deg: float) -> NDArray[np.bool_]:
    """Per satellite and coarse step: whether it may come within reach of an observer
    then, from sgp4 states at the coarse times (or fails there); the sub-satellite point
    moves over the ground at most its inertial angular rate (|v| / r) plus the Earth's."""
    jd1, jd2 = window.jd(tc)
    r, v, bad = _coarse_states(sats, jd1, jd2)  # (N, C, 3) TEME
    dist = np.sqrt(np.einsum("nck,nck->nc", r, r))
    speed = np.sqrt(np.einsum("nck,nck->nc", v, v))
    with np.errstate(invalid="ignore"):
        omega = 1.2 * np.nanmax(np.where(bad, np.nan, speed / dist), axis=1,
                                initial=0.0) + EARTH_RATE_RAD_S
        r_max = np.nanmax(np.where(bad, np.nan, dist), axis=1, initial=_R_POLAR_KM)
    psi = _reach_rad(r_max, threshold_deg)
    dt = float(tc[1] - tc[0])
    unit = np.nan_to_num(r / dist[..., None])
    gmst = gmst82_rad(jd1, jd2)
    near = np.zeros((len(sats), len(tc) - 1), dtype=bool)
    for ob in observers.r_km / np.linalg.norm(observers.r_km, axis=1)[:, None]:
        o_teme = rotate_z(np.broadcast_to(ob, (len(tc), 3)), -gmst)  # (C, 3)
        d = np.arccos(np.clip(np.einsum("nck,ck->nc", unit, o_teme), -1.0, 1.0))
        closest = (d[:, :-1] + d[:, 1:] - omega[:, None] * dt) / 2.0
        near |= closest <= psi[:, None]
    near |= bad[:, :-1] | bad[:, 1:]
    return near


def _merged(sat: NDArray[np.int64], k0: NDArray[np.int64], k1: NDArray[np.int64]
            ) -> NDArray[np.int64]:
    """Overlapping or touching stretches ``[k0, k1]`` of one satellite joined, as rows
    (satellite, k0, count), by satellite then time."""
    if not len(sat):
        return np.zeros((0, 3), dtype=np.int64)
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
    return np.stack((sat[starts], first, last - first + 1), axis=1).astype(np.int64)


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


class _Anchored:
    """Near-circular low orbits from sgp4 at anchors (every :data:`ANCHOR_S`, on coarse
    times), each anchor step on the earlier anchor's orbital plane at a steady turn (see
    the module docstring): ``e1``, ``e2`` (N, A, 3) the plane's axes (``e1`` the anchor's
    direction), ``turn`` (N, A - 1) the angle to the next anchor, ``margin`` (N,) what
    the motion may depart from that by (rad), ``failed`` (N,) where sgp4 failed at an
    anchor."""

    def __init__(self, sats: Sequence[Satellite], window: Window,
                 tc: NDArray[np.float64]) -> None:
        from sgp4.api import SatrecArray

        every = max(1, int(round(ANCHOR_S / float(tc[1] - tc[0]))))
        self.k = np.unique(np.r_[np.arange(0, len(tc), every), len(tc) - 1])  # on tc
        self.tc, self.ta, self.window = tc, tc[self.k], window
        recs = [s.satrecs()[0] for s in sats]
        err, r, v = SatrecArray(recs).sgp4(*window.jd(self.ta))  # (N, A, 3)
        self.failed = (err != 0).any(axis=1)
        r, v = np.nan_to_num(r), np.nan_to_num(v)
        dist = np.sqrt(np.einsum("nak,nak->na", r, r))
        self.e1 = r / np.where(dist > 0, dist, 1.0)[..., None]
        h = np.cross(r, v)
        h /= np.maximum(np.sqrt(np.einsum("nak,nak->na", h, h)), 1e-12)[..., None]
        self.e2 = np.cross(h, self.e1)
        # the turn to the next anchor, in the earlier one's plane, whole revolutions
        # counted from the mean motion (sgp4's secular rates, rad/min)
        ahead = np.arctan2(np.einsum("nak,nak->na", self.e1[:, 1:], self.e2[:, :-1]),
                           np.einsum("nak,nak->na", self.e1[:, 1:], self.e1[:, :-1]))
        rate = np.array([(x.mdot + x.argpdot) / 60.0 for x in recs])[:, None]
        mean = rate * np.diff(self.ta)[None, :]
        self.turn = ahead + 2.0 * np.pi * np.round((mean - ahead) / (2.0 * np.pi))
        ecc = np.array([s.elements[0].eccentricity for s in sats])
        drift = np.array([abs(x.nodedot) / 60.0 for x in recs]) * float(np.diff(self.ta).max())
        # drag changes the rate of turn from one anchor step to the next; a steady turn
        # then departs from the bent one by an eighth of that change over a step: half is
        # kept (rates, not turns: the last anchor step may be shorter than the others)
        steps = np.diff(self.ta)
        bend = (np.abs(np.diff(self.turn / steps[None, :], axis=1)).max(axis=1, initial=0.0)
                * float(steps.max()))
        self.margin = 4.0 * ecc + _SHORT_PERIOD_RAD + drift + bend / 2.0
        e_up = ecc + 0.005  # sgp4's osculating eccentricity, a little above the mean one
        self.r_max = np.where(self.failed, _R_POLAR_KM,
                              dist.max(axis=1) * (1.0 + e_up) / (1.0 - e_up))

    def directions(self, t: NDArray[np.float64]) -> NDArray[np.float64]:
        """The model's directions (N, len(t), 3) at times ``t`` (s from the window start)."""
        a = np.clip(np.searchsorted(self.ta, t, side="right") - 1, 0, len(self.ta) - 2)
        phase = self.turn[:, a] * ((t - self.ta[a]) / (self.ta[a + 1] - self.ta[a]))
        out: NDArray[np.float64] = (np.cos(phase)[..., None] * self.e1[:, a]
                                    + np.sin(phase)[..., None] * self.e2[:, a])
        return out

    def stretches(self, observers: Observers, threshold_deg: float
                  ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Per satellite and coarse step, ``[t_lo, t_hi]`` where the model comes within
        reach of an observer, the margin and the observer's own turn over half a step
        added (``t_lo > t_hi``: never). On a plane the direction is ``cos p e1 + sin p
        e2``; an observer ``o`` is within ``psi`` where ``R cos(p - p_o) >= cos psi``,
        with ``R`` and ``p_o`` the length and angle of ``o``'s shadow on the plane,
        taken at the step's middle: the phase is steady, so the stretch is an interval
        of the step."""
        tc = self.tc
        a = np.searchsorted(self.ta, tc[:-1], side="right") - 1  # each step's anchor
        span = (self.ta[a + 1] - self.ta[a])
        p0 = self.turn[:, a] * ((tc[:-1] - self.ta[a]) / span)
        p1 = self.turn[:, a] * ((tc[1:] - self.ta[a]) / span)
        mid = (tc[:-1] + tc[1:]) / 2.0
        half = float(np.max(np.diff(tc))) / 2.0
        psi = _reach_rad(self.r_max, threshold_deg) + self.margin + EARTH_RATE_RAD_S * half
        cos_psi = np.cos(np.minimum(psi, np.pi))[:, None]
        gmst = gmst82_rad(*self.window.jd(mid))
        t_lo = np.full(p0.shape, np.inf)
        t_hi = np.full(p0.shape, -np.inf)
        x, y = np.empty(p0.shape), np.empty(p0.shape)
        cuts = np.flatnonzero(np.diff(a)) + 1  # the steps of each anchor step, together
        for ob in observers.r_km / np.linalg.norm(observers.r_km, axis=1)[:, None]:
            o = rotate_z(np.broadcast_to(ob, (len(mid), 3)), -gmst)  # (C - 1, 3)
            for steps in np.split(np.arange(len(mid)), cuts):  # a matrix product each
                x[:, steps] = self.e1[:, a[steps[0]]] @ o[steps].T
                y[:, steps] = self.e2[:, a[steps[0]]] @ o[steps].T
            shadow = np.hypot(x, y)
            n, c = np.nonzero(shadow >= cos_psi)  # the steps that may come within reach
            with np.errstate(invalid="ignore", divide="ignore"):
                width = np.arccos(np.clip(cos_psi[n, 0] / shadow[n, c], -1.0, 1.0))
            po = np.arctan2(y[n, c], x[n, c])
            q0, q1 = p0[n, c], p1[n, c]
            centre = po + 2.0 * np.pi * np.round(((q0 + q1) / 2.0 - po) / (2.0 * np.pi))
            lo = np.maximum(q0, centre - width)
            hi = np.minimum(q1, centre + width)
            seen = lo <= hi
            n, c, lo, hi, q0, q1 = n[seen], c[seen], lo[seen], hi[seen], q0[seen], q1[seen]
            with np.errstate(invalid="ignore", divide="ignore"):  # a failed one: no turn
                frac_lo = (lo - q0) / (q1 - q0)
                frac_hi = (hi - q0) / (q1 - q0)
            step = tc[1:][c] - tc[:-1][c]
            t_lo[n, c] = np.minimum(t_lo[n, c], tc[:-1][c] + frac_lo * step)
            t_hi[n, c] = np.maximum(t_hi[n, c], tc[:-1][c] + frac_hi * step)
        return t_lo, t_hi


def _anchorable(sat: Satellite, until_jd: float) -> bool:
    """Whether the anchored screen may serve ``sat`` up to ``until_jd``: one element set,
    a low orbit, nearly circular, and not decayed by then (a decaying object's failures,
    which can fall between anchors, are looked for at every coarse time)."""
    return (len(sat.elements) == 1 and not sat.trajectories
            and sat.period_s <= HIGH_PERIOD_S
            and sat.elements[0].eccentricity <= ANCHOR_MAX_ECCENTRICITY
            and sat.decay_jd(0, until_jd) is None)
