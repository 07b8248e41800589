"""States from a trajectory (an OEM): interpolation between its state vectors, in TEME.

An operator's trajectory lists positions and velocities at epochs that are not evenly
spaced (NASA's ISS file: every 4 minutes, plus states at each planned event, every 2
seconds during a burn). Between them zarya interpolates with Hermite polynomials on
position and velocity over several neighbours (by default 4 points, degree 7: about a
millimetre at 4-minute steps for the ISS, where a cubic over two points is only good to
100 m), or as the file's INTERPOLATION and INTERPOLATION_DEGREE ask (Lagrange on positions
and on velocities, or Hermite). A polynomial never reaches across:

- a segment boundary or a gap between segments (outside every segment there is no state:
  NaN, with the error code :data:`OUTSIDE_CODE`);
- a burn: the intervals of a planned burn (from the time of ignition through the run of
  dense states that samples it: NASA samples its burns every 2 seconds), and any interval
  whose end states disagree with free flight (two-body plus J2) by more than the
  interpolation and the epochs' printed resolution could explain, are powered arcs,
  interpolated on their own (cubic Hermite between their two ends); the smooth arcs on
  either side stop at them, so that no high-degree polynomial straddles the jump in
  velocity.

States are then rotated to TEME, the frame SGP4 gives, so that every computation downstream
sees one frame: GCRF and ICRF by IAU 2006/2000A to the celestial intermediate system (erfa
``c2i06a``) and about the pole by the Earth rotation angle less GMST-82, so that the
Earth-fixed states zarya derives by GMST-82 are those of IAU 2006/2000A (measured 2.4 cm
from Skyfield's ITRS for the 2025 ISS trajectory; the classical IAU 1976/1980 chain was
1.06 m off, for want of the IERS pole offsets); EME2000 the same with the frame bias (erfa
``bp00``) undone first; ITRF by the inverse of the rotation zarya uses for Earth-fixed
states (GMST-82, polar motion ignored), so that Earth-fixed states come back as they were
given.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import erfa
import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..elements.oem import (
    DEFAULT_DEGREE,
    DEFAULT_INTERPOLATION,
    OEMSegment,
    PlannedEvent,
    Trajectory,
)
from .frames import EARTH_ROTATION_RAD_S, gmst82_rad, rotate_z

__all__ = [
    "GM_KM3_S2",
    "EDGE_S",
    "OUTSIDE_CODE",
    "Arcs",
    "TrajectoryStates",
    "thrust_intervals",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

OUTSIDE_CODE = 7  # the instant lies outside every segment of the trajectory
GM_KM3_S2 = 398600.4418
_J2 = 1.08262668e-3
_RE_KM = 6378.137
# An interval is powered when its end accelerations (from the cubic through its end states)
# depart from free flight by more than the cubic's own error for a smooth orbit could explain
# (the fourth derivative times h^2 / 6, the fourth derivative at most w^4 r with
# w = 1.2e-3 rad/s and r = 7000 km, doubled), plus what epochs printed to a resolution dt do
# (a position off by |v| dt / 2 at each end: 6 |v| dt / h^2, doubled), plus a floor for the
# gravity model
# (J3 and beyond, drag: under 1e-8 km/s^2 for the ISS). Measured on NASA's ISS file of
# 2025-02-26 (epochs to the millisecond): the 240 s intervals come to 0.19 of that limit, the
# 30.6 s ones around the Crew-10 docking to 0.46; an ISS reboost adds about 4e-6 km/s^2.
_SMOOTH_R4_KM_S4 = 2.0 * (1.2e-3) ** 4 * 7000.0
_THRUST_FLOOR_KM_S2 = 1e-7
_DENSE_STEP_S = 10.0  # states closer than this, right after an ignition, sample the burn


def _gravity(r: FloatArray) -> FloatArray:
    """Two-body plus J2 acceleration (km/s^2) at positions ``r`` (..., 3), z the pole."""
    rn = np.linalg.norm(r, axis=-1, keepdims=True)
    z2 = (r[..., 2:3] / rn) ** 2
    k = 1.5 * _J2 * (_RE_KM / rn) ** 2
    factor = np.concatenate((1.0 + k * (1.0 - 5.0 * z2), 1.0 + k * (1.0 - 5.0 * z2),
                             1.0 + k * (3.0 - 5.0 * z2)), axis=-1)
    a: FloatArray = -GM_KM3_S2 * r / rn**3 * factor
    return a


def thrust_intervals(t_s: FloatArray, r: FloatArray, v: FloatArray, *,
                     rotating: bool = False, epoch_resolution_s: float = 1e-3,
                     ignitions_s: ArrayLike = ()) -> NDArray[np.bool_]:
    """For each interval between consecutive states, whether it is powered (see the module
    docstring). ``rotating``: the states are Earth-fixed (add the frame's fictitious
    accelerations); ``ignitions_s``: the times of planned burns, in the same seconds."""
    h = np.diff(t_s)[:, None]
    r0, r1, v0, v1 = r[:-1], r[1:], v[:-1] * h, v[1:] * h
    # the cubic through (r0, v0) and (r1, v1) on u in [0, 1]: acceleration at both ends
    a0 = (6.0 * (r1 - r0) - 4.0 * v0 - 2.0 * v1) / h**2
    a1 = (-6.0 * (r1 - r0) + 2.0 * v0 + 4.0 * v1) / h**2
    g0, g1 = _gravity(r0), _gravity(r1)
    if rotating:
        w = np.array([0.0, 0.0, EARTH_ROTATION_RAD_S])
        g0 = g0 - 2.0 * np.cross(w, v[:-1]) - np.cross(w, np.cross(w, r0))
        g1 = g1 - 2.0 * np.cross(w, v[1:]) - np.cross(w, np.cross(w, r1))
    excess = np.maximum(np.linalg.norm(a0 - g0, axis=1), np.linalg.norm(a1 - g1, axis=1))
    speed = np.maximum(np.linalg.norm(v[:-1], axis=1), np.linalg.norm(v[1:], axis=1))
    limit = (_THRUST_FLOOR_KM_S2 + _SMOOTH_R4_KM_S4 * h[:, 0] ** 2 / 6.0
             + 12.0 * speed * epoch_resolution_s / h[:, 0] ** 2)
    powered: NDArray[np.bool_] = excess > limit
    steps = h[:, 0]
    for tig in np.atleast_1d(np.asarray(ignitions_s, dtype=float)):
        i = int(np.searchsorted(t_s, tig, side="right")) - 1
        if not 0 <= i < len(steps):
            continue
        j = i + 1
        while j < len(steps) and steps[j] < _DENSE_STEP_S:
            j += 1
        powered[i:j] = True
    return powered


@dataclass(frozen=True)
class Arcs:
    """The smooth stretches of one segment: ``first``/``last`` node index of the arc each
    interval belongs to (a powered interval is an arc of its own two nodes)."""

    first: IntArray
    last: IntArray
    powered: NDArray[np.bool_]


def _arcs(powered: NDArray[np.bool_]) -> Arcs:
    n = len(powered)  # intervals
    first = np.empty(n, dtype=np.int64)
    last = np.empty(n, dtype=np.int64)
    start = 0
    for i in range(n + 1):
        if i == n or powered[i]:
            first[start:i] = start
            last[start:i] = i  # the arc's nodes are start .. i
            if i < n:
                first[i], last[i] = i, i + 1
            start = i + 1
    return Arcs(first, last, powered)


EDGE_S = 1e-4  # instants this close outside a segment's span count as inside: a Julian
# date in one float resolves 40 us in 2025; the ISS moves under a millimetre in 100 us


class _Segment:
    """One segment ready to interpolate: times in seconds from its first epoch."""

    def __init__(self, seg: OEMSegment, burns: tuple[PlannedEvent, ...] = ()) -> None:
        self.seg = seg
        self.w0 = float(seg.jd_whole[0])
        self.t = (seg.jd_whole - self.w0) * 86400.0 + seg.jd_fraction * 86400.0
        self.r, self.v = seg.r_km, seg.v_km_s
        self.kind = seg.interpolation or DEFAULT_INTERPOLATION
        degree = seg.degree if seg.degree is not None else DEFAULT_DEGREE
        self.points = (degree + 2) // 2 if self.kind == "HERMITE" else degree + 1
        self.arcs = _arcs(thrust_intervals(
            self.t, self.r, self.v, rotating=seg.frame == "ITRF",
            epoch_resolution_s=seg.epoch_resolution_s,
            ignitions_s=[(_jd(e.time) - self.w0) * 86400.0 for e in burns],
        ))
        # the span from the states' own times (whole day and fraction kept apart): a
        # Julian date in one float resolves only about 40 us
        lo, hi = seg.useable_start_jd, seg.useable_stop_jd
        self.lo_s = float(self.t[0]) if lo is None else (lo - self.w0) * 86400.0
        self.hi_s = float(self.t[-1]) if hi is None else (hi - self.w0) * 86400.0

    def states(self, t: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Interpolated position and velocity at ``t`` (seconds from the first epoch, inside
        the segment), in the segment's frame."""
        n = len(self.t)
        i = np.clip(np.searchsorted(self.t, t, side="right") - 1, 0, n - 2)
        a, b = self.arcs.first[i], self.arcs.last[i]
        size = np.minimum(b - a + 1, self.points)
        start = np.clip(i - (size - 1) // 2, a, b - size + 1)
        r = np.empty((len(t), 3))
        v = np.empty((len(t), 3))
        for m in np.unique(size):
            sel = size == m
            idx = start[sel, None] + np.arange(m)[None, :]
            r[sel], v[sel] = _interpolate(self.kind if m > 1 else "HERMITE", self.t[idx],
                                          self.r[idx], self.v[idx], t[sel])
        return r, v


def _interpolate(kind: str, nodes: FloatArray, r: FloatArray, v: FloatArray,
                 t: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Hermite (on r and v) or Lagrange (on r and on v) through ``nodes`` (M, n) at ``t``
    (M,): position and velocity (M, 3)."""
    centre = nodes.mean(axis=1, keepdims=True)
    scale = np.maximum(nodes[:, -1:] - nodes[:, :1], 1e-9)
    x = (nodes - centre) / scale  # (M, n), about -0.5 .. 0.5
    u = ((t[:, None] - centre) / scale)[:, 0]  # (M,)
    n = x.shape[1]
    diff = x[:, :, None] - x[:, None, :]  # x_j - x_k
    eye = np.eye(n, dtype=bool)[None]
    denom = np.where(eye, 1.0, diff).prod(axis=2)  # prod_{k != j} (x_j - x_k)
    du = u[:, None] - x  # (M, n): u - x_k
    # L_j(u) and L_j'(u) without dividing by u - x_k (which may be 0 at a node)
    terms = np.where(eye, 1.0, du[:, None, :])  # (M, j, k)
    lag = terms.prod(axis=2) / denom
    dlag = np.zeros_like(lag)
    for k in range(n):
        others = terms.copy()
        others[:, :, k] = 1.0
        dlag += np.where(eye[:, :, k], 0.0, others.prod(axis=2))
    dlag /= denom
    if kind == "LAGRANGE":
        pos = np.einsum("mj,mjc->mc", lag, r)
        vel = np.einsum("mj,mjc->mc", lag, v)
        return pos, vel
    # Hermite: H_j = (1 - 2 (u - x_j) c_j) L_j^2, K_j = (u - x_j) L_j^2, c_j = L_j'(x_j)
    c = np.where(eye, 0.0, 1.0 / np.where(eye, 1.0, diff)).sum(axis=2)  # (M, n)
    d = u[:, None] - x
    h_ = (1.0 - 2.0 * d * c) * lag**2
    k_ = d * lag**2
    dh = -2.0 * c * lag**2 + (1.0 - 2.0 * d * c) * 2.0 * lag * dlag
    dk = lag**2 + d * 2.0 * lag * dlag
    s = scale[:, 0:1]  # velocities in the node units: dr/du = v * scale
    pos = np.einsum("mj,mjc->mc", h_, r) + np.einsum("mj,mjc->mc", k_ * s, v)
    vel = (np.einsum("mj,mjc->mc", dh, r) + np.einsum("mj,mjc->mc", dk * s, v)) / s
    return pos, vel


def _jd(when: datetime) -> float:
    return 2440587.5 + (when - datetime(1970, 1, 1, tzinfo=UTC)) / timedelta(days=1)


def _tt(jd_whole: FloatArray, jd_fraction: FloatArray) -> tuple[FloatArray, FloatArray]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", erfa.ErfaWarning)
        shift = np.floor(jd_fraction)
        tai1, tai2 = erfa.utctai(jd_whole + shift, jd_fraction - shift)
        return cast(tuple[FloatArray, FloatArray], erfa.taitt(tai1, tai2))


_NODE_DAYS = 0.25  # the rotation to TEME is computed every 6 hours and interpolated


def _eme2000_to_teme(jd1: FloatArray, jd2: FloatArray, bias: bool) -> FloatArray:
    """Rotation matrices (T, 3, 3) from GCRS (or, without ``bias``, mean J2000: EME2000) to
    the TEME that zarya turns into Earth-fixed states by GMST-82: GCRS to the celestial
    intermediate system by IAU 2006/2000A (erfa ``c2i06a``), then about the pole by the
    Earth rotation angle less GMST-82, so that the Earth-fixed states come out on the IAU
    2006/2000A terrestrial frame (polar motion aside). Computed on 6-hourly nodes and
    interpolated entry by entry: a position 6,800 km from the Earth's centre moves by under
    1 cm against the rotation computed at each instant."""
    jd = jd1 + jd2
    lo = np.floor(jd.min() / _NODE_DAYS) * _NODE_DAYS
    hi = np.ceil(jd.max() / _NODE_DAYS) * _NODE_DAYS
    nodes = np.arange(lo, hi + _NODE_DAYS / 2.0, _NODE_DAYS)
    whole = np.floor(nodes)
    frac = nodes - whole
    tt1, tt2 = _tt(whole, frac)
    c: Any = erfa.c2i06a(tt1, tt2)  # GCRS -> CIRS
    if not bias:
        rb, _, _ = erfa.bp00(tt1, tt2)  # GCRS -> mean J2000 (the IAU 2000 frame bias): undo it
        c = np.einsum("tij,tkj->tik", c, rb)
    # UT1 taken as UTC here: ERA less GMST changes by 0.1 arcsecond a day at most
    m: Any = erfa.rz(erfa.era00(whole, frac) - erfa.gmst82(whole, frac), c)
    if len(nodes) == 1:
        return np.broadcast_to(m[0], (len(jd), 3, 3))
    out = np.empty((len(jd), 3, 3))
    for i in range(3):
        for j in range(3):
            out[:, i, j] = np.interp(jd, nodes, m[:, i, j])
    return out


def _to_teme(frame: str, jd1: FloatArray, jd2: FloatArray, r: FloatArray, v: FloatArray,
             dut1_s: float) -> tuple[FloatArray, FloatArray]:
    if frame == "TEME":
        return r, v
    if frame == "ITRF":
        gmst = gmst82_rad(jd1, jd2, dut1_s)
        w = np.array([0.0, 0.0, EARTH_ROTATION_RAD_S])
        return rotate_z(r, -gmst), rotate_z(v + np.cross(w, r), -gmst)
    m = _eme2000_to_teme(jd1, jd2, bias=frame in ("GCRF", "ICRF"))
    return np.einsum("tij,tj->ti", m, r), np.einsum("tij,tj->ti", m, v)


class TrajectoryStates:
    """TEME states of a trajectory at any UTC instants (see the module docstring)."""

    def __init__(self, trajectory: Trajectory, *, dut1_s: float = 0.0) -> None:
        self.trajectory = trajectory
        self.dut1_s = dut1_s
        self._segments = [_Segment(s, trajectory.burns()) for s in trajectory.segments]

    def covers(self, jd: ArrayLike) -> NDArray[np.bool_]:
        """Whether each Julian date (UTC) falls inside a segment's usable span."""
        jd = np.asarray(jd, dtype=float)
        out = np.zeros(jd.shape, dtype=bool)
        for s in self._segments:
            t = (jd - s.w0) * 86400.0
            out |= (t >= s.lo_s - EDGE_S) & (t <= s.hi_s + EDGE_S)
        return out

    def teme(self, jd_whole: ArrayLike, jd_fraction: ArrayLike
             ) -> tuple[FloatArray, FloatArray, NDArray[np.uint8]]:
        """TEME position (km), velocity (km/s) and an error code per instant (0, or
        :data:`OUTSIDE_CODE` outside every segment, where r and v are NaN)."""
        jd1 = np.atleast_1d(np.asarray(jd_whole, dtype=float))
        jd2 = np.atleast_1d(np.asarray(jd_fraction, dtype=float))
        r = np.full(jd1.shape + (3,), np.nan)
        v = np.full(jd1.shape + (3,), np.nan)
        err = np.full(jd1.shape, OUTSIDE_CODE, dtype=np.uint8)
        for s in self._segments:
            t = (jd1 - s.w0) * 86400.0 + jd2 * 86400.0
            inside = (t >= s.lo_s - EDGE_S) & (t <= s.hi_s + EDGE_S) & (err != 0)
            if not inside.any():
                continue
            rr, vv = s.states(np.clip(t[inside], s.t[0], s.t[-1]))
            r[inside], v[inside] = _to_teme(s.seg.frame, jd1[inside], jd2[inside], rr, vv,
                                            self.dut1_s)
            err[inside] = 0
        return r, v, err
