"""Node crossings: where the propagated orbit crosses the equatorial plane.

The ascending node is where the satellite's z (TEME or Earth-fixed alike) goes from negative
to positive. Crossings are found on the propagated orbit, switching element sets along the
way (:func:`node_crossings`); where two sets take over from one another their phases are
joined, so that a node one set has passed and the other has not is counted once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ..engine import search
from ..engine.failures import scan_step_s
from ..engine.frames import gmst82_rad, rotate_z
from ..engine.satellite import Satellite
from ..engine.timescale import SECONDS_PER_DAY, Window

__all__ = ["NODE_TOL_S", "NodeCrossings", "argument_of_latitude_deg", "node_crossings"]

FloatArray = NDArray[np.float64]

NODE_TOL_S = 1e-3


@dataclass(frozen=True)
class NodeCrossings:
    """Ascending (and descending) node crossings over a window.

    ``t_s`` (K,) seconds from ``window.start``, sorted; ``ascending`` (K,) bool;
    ``set_index`` (K,) index into ``satellite.elements`` of the set that gave each crossing;
    ``lon_deg`` (K,) Earth-fixed longitude of the node; ``at_switch`` (K,) True for a crossing
    that falls between two sets at the instant one takes over from the other (the two sets
    disagree about which side of the node the satellite is on: the crossing is placed at the
    switch). ``switch_gap_deg`` lists, per switch of sets inside the window, how far apart
    the two sets put the satellite along its orbit (argument of latitude, degrees).
    """

    window: Window
    t_s: np.ndarray
    ascending: np.ndarray
    set_index: np.ndarray
    lon_deg: np.ndarray
    at_switch: np.ndarray
    switch_gap_deg: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def ascending_times(self) -> np.ndarray:
        return self.t_s[self.ascending]
def argument_of_latitude_deg(r: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Angle (0..360) from the ascending node to the position, in the osculating plane of
    ``r``, ``v`` ``(..., 3)`` (any frame sharing the Earth's z axis, e.g. TEME)."""
    h = np.cross(r, v)
    hn = np.linalg.norm(h, axis=-1)
    y = r[..., 2] * hn
    x = -h[..., 1] * r[..., 0] + h[..., 0] * r[..., 1]
    return np.degrees(np.arctan2(y, x)) % 360.0


def node_crossings(sat: Satellite, window: Window, *, step_s: float | None = None) -> NodeCrossings:
    """Node crossings of the propagated orbit over ``window``, switching sources.

    The window is cut where the serving source changes (:meth:`Satellite.schedule`: the
    one rule of :mod:`zarya.engine.selection`); in each piece only that piece's source is
    propagated, sampled every ``step_s`` (default: 300 s
    or a twentieth of the period) and the sign changes of z are refined to 1 ms (Illinois
    method). Where two sets take over from one another the phase is joined continuously
    (their arguments of latitude differ by a fraction of a degree): a node that one set
    has passed and the other has not is counted once.
    """
    period_s = sat.period_s
    step = step_s or scan_step_s(sat)
    base_whole, base_frac = window.base_jd
    base = base_whole + base_frac
    span = window.span_s
    seg_set, seg_lo, seg_hi = [], [], []
    for a, b, k in sat.schedule().pieces(base, base + span / SECONDS_PER_DAY):
        lo = max((a - base) * SECONDS_PER_DAY, 0.0)
        hi = min((b - base) * SECONDS_PER_DAY, span)
        if hi > lo or (hi == lo and span == 0.0):
            seg_set.append(k)
            seg_lo.append(lo)
            seg_hi.append(hi)
    seg_set_a = np.array(seg_set)
    # samples: each piece's own grid, both ends included
    times, owner = [], []
    for s, (lo, hi) in enumerate(zip(seg_lo, seg_hi, strict=True)):
        n = max(2, math.ceil((hi - lo) / step) + 1)
        times.append(np.linspace(lo, hi, n))
        owner.append(np.full(n, s))
    ts = np.concatenate(times)
    own = np.concatenate(owner)
    ks = seg_set_a[own]
    jd1, jd2 = window.jd(ts)
    r, v, _ = sat.teme_of_sources(jd1, jd2, ks)
    z = r[:, 2]

    def f(t, idx):
        j1, j2 = window.jd(t)
        return sat.teme_of_sources(j1, j2, idx)[0][:, 2]

    same = own[1:] == own[:-1]
    up = same & (z[:-1] < 0.0) & (z[1:] >= 0.0)
    down = same & (z[:-1] >= 0.0) & (z[1:] < 0.0)
    j = np.flatnonzero(up | down)
    t_cross = search.bracketed_root(
        f, ts[j], ts[j + 1], ks[j], tol=NODE_TOL_S, f_lo=z[j], f_hi=z[j + 1]
    )
    asc = up[j]
    k_cross = ks[j]
    switch = np.zeros(len(j), dtype=bool)

    # joins between consecutive pieces: continuous phase
    gaps = []
    add_t, add_k = [], []
    drop: set[int] = set()
    first_of = np.flatnonzero(np.r_[True, own[1:] != own[:-1]])
    for s in range(1, len(seg_set)):
        a, b = first_of[s] - 1, first_of[s]  # last sample of piece s-1, first of piece s
        ua = argument_of_latitude_deg(r[a], v[a])
        ub = argument_of_latitude_deg(r[b], v[b])
        if not (np.isfinite(ua) and np.isfinite(ub)):
            continue
        delta = (ub - ua + 180.0) % 360.0 - 180.0
        gaps.append(delta)
        if ua + delta >= 360.0:  # neither piece saw this node: it happened at the switch
            add_t.append(ts[b])
            add_k.append(seg_set_a[s])
        elif ua + delta < 0.0:  # both pieces saw it: keep the one nearer the switch's past
            near = np.flatnonzero(asc & (np.abs(t_cross - ts[b]) < period_s / 2.0))
            if len(near):
                later = near[np.argmax(t_cross[near])]
                drop.add(int(later))
    keep = np.ones(len(j), dtype=bool)
    keep[list(drop)] = False
    t_all = np.concatenate((t_cross[keep], np.array(add_t, dtype=float)))
    asc_all = np.concatenate((asc[keep], np.ones(len(add_t), dtype=bool)))
    k_all = np.concatenate((k_cross[keep], np.array(add_k, dtype=np.int64)))
    sw_all = np.concatenate((switch[keep], np.ones(len(add_t), dtype=bool)))
    good = np.isfinite(t_all)
    order = np.argsort(t_all[good], kind="stable")
    t_all, asc_all = t_all[good][order], asc_all[good][order]
    k_all, sw_all = k_all[good][order], sw_all[good][order]
    lon = _node_longitude(sat, window, t_all, k_all)
    return NodeCrossings(window, t_all, asc_all, k_all, lon, sw_all, np.array(gaps))


def _node_longitude(sat: Satellite, window: Window, t_s: np.ndarray, k: np.ndarray):
    if not len(t_s):
        return np.zeros(0)
    jd1, jd2 = window.jd(t_s)
    r, _, _ = sat.teme_of_sources(jd1, jd2, k)
    r_fixed = rotate_z(r, gmst82_rad(jd1, jd2))
    return np.degrees(np.arctan2(r_fixed[:, 1], r_fixed[:, 0]))
