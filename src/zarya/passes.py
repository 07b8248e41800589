"""Passes: rise, culmination and set above a threshold, and the naked-eye visible segment.

The search, for N observers at once over one :class:`~zarya.ephemeris.Ephemeris`:

1. sin(elevation) of every grid state for every observer (two matrix products);
2. local maxima of those samples, edges included (a pass under way at the start or the
   end of the window), kept when the sub-satellite point comes close enough to the observer
   for the threshold to be reachable (the footprint of the threshold, widened by how far the
   sub-point moves in half a step): grazing passes whose sampled maximum is below the
   threshold are refined too, and dropped only if the refined maximum is below it;
3. golden-section refinement of each maximum, then Illinois refinement of the rise and set
   crossings, bracketed by the samples, all on the Hermite-interpolated ephemeris;
4. the visible segment: sampled every 10 s (at least 8 samples a pass) on the margin
   ``min(elevation - threshold, Sun above Earth's limb from the satellite, Sun limit - Sun
   elevation)``; the longest run where it is >= 0, its edges refined as roots of that margin.

Times are refined to 0.01 s. A pass cut by the window has ``rise`` or ``set`` None, and its
culmination is the highest point inside the window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from . import events
from .ephemeris import Ephemeris
from .light import magnitude, phase_angle_rad, sun_elevation_deg, sunlit_margin_deg
from .look import (
    Observer,
    Observers,
    compass,
    geometric_threshold_deg,
    pressure_at_height_hpa,
    refraction_deg,
)
from .timescale import iso_z

TIME_TOL_S = 0.01
VIS_STEP_S = 10.0
_CHUNK_ELEMENTS = 4_000_000  # observers x grid samples held at once (~32 MB per array)


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

    def as_dict(self) -> dict:
        out = {
            "time": iso_z(self.time),
            "azimuth_deg": round(self.azimuth_deg, 2),
            "elevation_deg": round(self.elevation_deg, 2),
            "range_km": round(self.range_km, 1),
            "direction": self.direction,
        }
        if self.magnitude is not None:
            out["magnitude"] = round(self.magnitude, 1)
        return out


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

    def as_dict(self) -> dict:
        return {
            "start": self.start.as_dict(),
            "peak": self.peak.as_dict(),
            "end": self.end.as_dict(),
            "brightest_magnitude": round(self.brightest_magnitude, 1),
            "duration_s": round(self.duration_s, 1),
            "starts": self.starts,
            "ends": self.ends,
        }


@dataclass(frozen=True)
class Pass:
    rise: LookPoint | None
    culmination: LookPoint
    set: LookPoint | None
    duration_s: float
    visible: VisibleSegment | None = None
    observer_index: int = field(default=0, compare=False)

    def as_dict(self) -> dict:
        return {
            "rise": self.rise.as_dict() if self.rise else None,
            "culmination": self.culmination.as_dict(),
            "set": self.set.as_dict() if self.set else None,
            "duration_s": round(self.duration_s, 1),
            "visible": self.visible.as_dict() if self.visible else None,
        }


@dataclass(frozen=True)
class PassOptions:
    """Thresholds of a search. ``sun_limit_deg``: the observer's Sun at or below this."""

    min_elevation_deg: float = 10.0
    sun_limit_deg: float = -6.0
    refraction: bool = False
    pressure_hpa: float | None = None  # None: standard atmosphere at the observer's height
    temperature_c: float = 10.0
    visibility: bool = True


class _Geometry:
    """Evaluation helpers over one ephemeris and one set of observers."""

    def __init__(self, eph: Ephemeris, obs: Observers) -> None:
        self.eph = eph
        self.obs = obs

    def sin_el(self, t: np.ndarray, idx: np.ndarray) -> np.ndarray:
        return self.obs.sin_elevation_at(self.eph.position(t), idx)

    def vis_margin(self, t: np.ndarray, idx: np.ndarray, thr_deg: float, sun_limit: float):
        """(margin, el_part, shadow_part, sun_part), degrees, each (M,)."""
        r = self.eph.position(t)
        sun = self.eph.sun(t)
        el = np.degrees(np.arcsin(np.clip(self.obs.sin_elevation_at(r, idx), -1, 1)))
        el_part = el - thr_deg
        shadow_part = sunlit_margin_deg(r, sun)
        sun_part = sun_limit - sun_elevation_deg(sun, self.obs.r_km[idx], self.obs.up[idx])
        margin = np.fmin(np.fmin(el_part, shadow_part), sun_part)
        bad = ~self.eph.valid(t)
        margin = np.where(bad, np.nan, margin)
        return margin, el_part, shadow_part, sun_part


def find_passes(
    eph: Ephemeris,
    observers: Observer | list[Observer] | Observers,
    options: PassOptions | None = None,
) -> list[list[Pass]]:
    """Passes for each observer (a list per observer, in time order)."""
    options = options or PassOptions()
    obs = Observers.of(observers)
    out: list[list[Pass]] = [[] for _ in range(len(obs))]
    chunk = max(1, _CHUNK_ELEMENTS // len(eph.t_s))
    for first in range(0, len(obs), chunk):
        idx = np.arange(first, min(first + chunk, len(obs)))
        sub = obs.subset(idx) if len(idx) != len(obs) else obs
        for p in _find_chunk(eph, sub, options):
            n = int(p.observer_index)
            out[idx[n]].append(
                Pass(p.rise, p.culmination, p.set, p.duration_s, p.visible, int(idx[n]))
            )
    for lst in out:
        lst.sort(key=lambda p: p.culmination.time)
    return out


def _thresholds(obs: Observers, options: PassOptions) -> np.ndarray:
    """Geometric elevation threshold per observer (refraction lowers it near the horizon)."""
    if not options.refraction:
        return np.full(len(obs), options.min_elevation_deg)
    return np.array(
        [
            geometric_threshold_deg(
                options.min_elevation_deg,
                pressure_hpa=options.pressure_hpa or pressure_at_height_hpa(a),
                temperature_c=options.temperature_c,
            )
            for a in obs.alt_m
        ]
    )


def _find_chunk(eph: Ephemeris, obs: Observers, options: PassOptions) -> list[Pass]:
    t = eph.t_s
    T = len(t)
    geo = _Geometry(eph, obs)
    thr_deg = _thresholds(obs, options)
    s_thr = np.sin(np.radians(thr_deg))
    S = obs.sin_elevation(eph.r_km)  # (N, T), NaN where sgp4 failed

    n, k = events.sampled_maxima(S)
    # footprint filter: can the threshold be reached near this sample?
    r_hat = eph.r_km[k] / np.linalg.norm(eph.r_km[k], axis=1)[:, None]
    o_norm = np.linalg.norm(obs.r_km[n], axis=1)
    cos_psi = np.einsum("ij,ij->i", r_hat, obs.r_km[n]) / o_norm
    r_sat = np.linalg.norm(eph.r_km[k], axis=1)
    e = np.radians(thr_deg[n])
    psi_max = np.arccos(np.clip(o_norm / r_sat * np.cos(e), -1, 1)) - e
    slack = 0.6 * eph.max_ground_speed_rad_s() * eph.step_s + 0.01
    keep = np.arccos(np.clip(cos_psi, -1, 1)) <= psi_max + slack
    n, k = n[keep], k[keep]
    if not len(n):
        return []

    lo = t[np.maximum(k - 1, 0)]
    hi = t[np.minimum(k + 1, T - 1)]
    t_max, s_max = events.golden_maximum(geo.sin_el, lo, hi, n, tol=TIME_TOL_S)
    up = s_max >= s_thr[n]
    n, t_max, s_max = n[up], t_max[up], s_max[up]
    if not len(n):
        return []

    # last sample below the threshold before each maximum, first one after it
    below = ~(S >= s_thr[:, None])
    cols = np.arange(T)
    last_below = np.maximum.accumulate(np.where(below, cols, -1), axis=1)
    next_below = np.minimum.accumulate(np.where(below, cols, T)[:, ::-1], axis=1)[:, ::-1]
    q = np.clip(np.searchsorted(t, t_max, side="right") - 1, 0, T - 1)
    j_rise = last_below[n, q]
    j_set = np.where(q + 1 < T, next_below[n, np.minimum(q + 1, T - 1)], T)
    j_set = np.where((q == T - 1) & below[n, q], q, j_set)

    # one pass per (observer, rise bracket, set bracket): keep its highest maximum
    order = np.lexsort((-s_max, j_set, j_rise, n))
    key = np.stack((n, j_rise, j_set), axis=1)[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = np.any(key[1:] != key[:-1], axis=1)
    sel = order[first]
    n, t_max, j_rise, j_set = n[sel], t_max[sel], j_rise[sel], j_set[sel]

    def crossing(t_lo, t_hi, which):
        g = lambda tt, ii: geo.sin_el(tt, ii) - s_thr[ii]  # noqa: E731
        return events.bracketed_root(g, t_lo, t_hi, which, tol=TIME_TOL_S)

    has_rise = j_rise >= 0
    t_rise = np.full(len(n), np.nan)
    jr = j_rise[has_rise]
    t_rise[has_rise] = crossing(
        t[jr], np.minimum(t[np.minimum(jr + 1, T - 1)], t_max[has_rise]), n[has_rise]
    )
    has_set = j_set < T
    t_set = np.full(len(n), np.nan)
    js = j_set[has_set]
    t_set[has_set] = crossing(
        np.maximum(t[np.maximum(js - 1, 0)], t_max[has_set]), t[js], n[has_set]
    )

    start = np.where(np.isnan(t_rise), 0.0, t_rise)
    end = np.where(np.isnan(t_set), eph.window.span_s, t_set)
    points = _Points(geo, options)
    rise_pts = points.make(t_rise, n)
    culm_pts = points.make(t_max, n)
    set_pts = points.make(t_set, n)
    vis = (
        _visible_segments(geo, options, thr_deg, n, start, end, t_max, has_rise, has_set, points)
        if options.visibility
        else [None] * len(n)
    )
    return [
        Pass(rise_pts[i], culm_pts[i], set_pts[i], float(end[i] - start[i]), vis[i], int(n[i]))
        for i in range(len(n))
    ]


class _Points:
    """Builds LookPoints for many (time, observer) pairs at once; NaN times give None."""

    def __init__(self, geo: _Geometry, options: PassOptions) -> None:
        self.geo = geo
        self.options = options

    def make(self, t_s: np.ndarray, idx: np.ndarray, with_magnitude: bool = False):
        eph, obs = self.geo.eph, self.geo.obs
        ok = ~np.isnan(t_s)
        tt = np.where(ok, t_s, 0.0)
        r = eph.position(tt)
        az, el, rng, _ = obs.look(r, idx)
        if self.options.refraction:
            el = el + np.array(
                [
                    float(
                        refraction_deg(
                            e,
                            pressure_hpa=self.options.pressure_hpa or pressure_at_height_hpa(a),
                            temperature_c=self.options.temperature_c,
                        )
                    )
                    for e, a in zip(el, obs.alt_m[idx], strict=True)
                ]
            )
        mag = None
        if with_magnitude:
            mag = self.magnitudes(tt, idx, r, rng)
        window = eph.window
        return [
            LookPoint(
                window.instant(tt[i]),
                float(az[i]),
                float(el[i]),
                float(rng[i]),
                None if mag is None else float(mag[i]),
            )
            if ok[i]
            else None
            for i in range(len(tt))
        ]

    def magnitudes(self, t_s, idx, r=None, rng=None) -> np.ndarray:
        eph, obs = self.geo.eph, self.geo.obs
        r = eph.position(t_s) if r is None else r
        rng = np.linalg.norm(r - obs.r_km[idx], axis=-1) if rng is None else rng
        phase = phase_angle_rad(r, obs.r_km[idx], eph.sun(t_s))
        return magnitude(eph.satellite.std_magnitude, rng, phase)


def _visible_segments(geo, options, thr_deg, n, start, end, t_max, has_rise, has_set, points):
    """The longest visible run of each pass, refined; None where nothing is visible."""
    M = len(n)
    dur = end - start
    step = np.minimum(VIS_STEP_S, np.maximum(dur, 1e-3) / 8.0)
    counts = np.ceil(dur / step).astype(np.int64) + 1
    offsets = np.r_[0, np.cumsum(counts)]
    owner = np.repeat(np.arange(M), counts)
    local = np.arange(offsets[-1]) - offsets[owner]
    ts = np.minimum(start[owner] + local * step[owner], end[owner])
    idx = n[owner]
    lim = options.sun_limit_deg
    margin, el_p, sh_p, sun_p = geo.vis_margin(ts, idx, thr_deg[idx], lim)
    seen = margin >= 0

    # runs of `seen` that do not cross pass boundaries
    prev = np.r_[False, seen[:-1]] & (local > 0)
    nxt = np.r_[seen[1:], False] & (local < counts[owner] - 1)
    run_start = np.flatnonzero(seen & ~prev)
    run_stop = np.flatnonzero(seen & ~nxt)  # inclusive
    result: list[VisibleSegment | None] = [None] * M
    if not len(run_start):
        return result
    run_owner = owner[run_start]
    length = ts[run_stop] - ts[run_start]
    order = np.lexsort((-length, run_owner))
    firsts = order[np.r_[True, run_owner[order][1:] != run_owner[order][:-1]]]
    rs, re_, po = run_start[firsts], run_stop[firsts], run_owner[firsts]

    def refine(a_idx, b_idx):
        f = lambda tt, ii: geo.vis_margin(tt, ii, thr_deg[ii], lim)[0]  # noqa: E731
        return events.bracketed_root(f, ts[a_idx], ts[b_idx], idx[a_idx], tol=TIME_TOL_S)

    at_first = local[rs] == 0
    t_start = ts[rs].copy()
    inner = ~at_first
    if inner.any():
        t_start[inner] = refine(rs[inner] - 1, rs[inner])
    at_last = local[re_] == counts[po] - 1
    t_end = ts[re_].copy()
    inner = ~at_last
    if inner.any():
        t_end[inner] = refine(re_[inner], re_[inner] + 1)

    def reason(sample, edge_kind, at_edge, has_event):
        if at_edge:
            return ("rise" if edge_kind == "start" else "set") if has_event else (
                "window_start" if edge_kind == "start" else "window_end"
            )
        parts = {"el": el_p[sample], "shadow": sh_p[sample], "sun": sun_p[sample]}
        worst = min(parts, key=lambda key: parts[key])
        if worst == "el":
            return "rise" if edge_kind == "start" else "set"
        if worst == "shadow":
            return "leaves_shadow" if edge_kind == "start" else "enters_shadow"
        return "twilight"

    t_peak = np.clip(t_max[po], t_start, t_end)
    obs_idx = n[po]
    p_start = points.make(t_start, obs_idx, with_magnitude=True)
    p_peak = points.make(t_peak, obs_idx, with_magnitude=True)
    p_end = points.make(t_end, obs_idx, with_magnitude=True)
    sample_mag = points.magnitudes(ts, idx)
    for i, p in enumerate(po):
        inside = sample_mag[rs[i] : re_[i] + 1]
        brightest = min(
            [float(np.nanmin(inside))] if len(inside) else [],
            default=math.inf,
        )
        brightest = min(brightest, p_start[i].magnitude, p_peak[i].magnitude, p_end[i].magnitude)
        result[p] = VisibleSegment(
            p_start[i],
            p_peak[i],
            p_end[i],
            brightest,
            reason(rs[i] - 1, "start", bool(at_first[i]), bool(has_rise[p])),
            reason(re_[i] + 1, "end", bool(at_last[i]), bool(has_set[p])),
        )
    return result
