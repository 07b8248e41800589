"""Naked-eye visibility inside passes: the visible segment, why it starts and ends, how bright.

Inside a pass the satellite is above the elevation threshold, so it is visible while it is
sunlit (the Sun's centre above the Earth's limb as seen from the satellite,
:func:`zarya.domain.light.sunlit_margin_deg`) and the observer's Sun is at or below the limit
(-6 degrees by default). Both conditions change slowly: the shadow margin at most at the
satellite's angular rate about the Earth's centre plus the change of the Earth's apparent
radius, the Sun margin at 0.25 degree a minute. So:

1. passes in full daylight (the Sun above the limit at both ends, by more than it can move
   in between) are skipped;
2. the others are sampled every 30 s; an interval whose two ends are both not visible is
   bisected, down to 1 s, wherever the rate bounds say a visible moment could hide inside;
3. every visible run of each pass is a stretch (a satellite that never sets, or one that
   crosses the Earth's shadow, has several), its edges refined (0.01 s) as roots of
   ``min(shadow margin, Sun margin)``;
4. the brightest magnitude comes from a 10-second sampling of the stretch, its minimum
   sharpened by the parabola through it and its neighbours.

Then, as the options ask (:func:`sky_cut`): against the sky, each stretch is cut to where
the satellite is brighter than the naked-eye limit of the twilight sky (sampled every 2 s,
edges refined to 0.01 s); :func:`fades` times the crossing of the penumbra at a stretch
that starts or ends in the shadow (the Sun's disc rising over, or sinking under, the
raised limb: a few seconds for the ISS, minutes for a geostationary satellite).

Everything works on all passes of all observers at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine import search
from ..engine.ephemeris import Ephemeris
from ..engine.look import Observers
from .light import (
    SHADOW_HEIGHT_KM,
    extinction_mag,
    limiting_magnitude,
    magnitude,
    phase_angle_rad,
    sun_elevation_deg,
    sun_semi_diameter_deg,
    sunlit_margin_deg,
)

__all__ = [
    "SKY_SEARCH_SUN_LIMIT_DEG",
    "Segments",
    "daylight_throughout",
    "fades",
    "light_margin_rates",
    "light_margins",
    "magnitudes",
    "sky_cut",
    "sky_margin",
    "visible_segments",
]

TIME_TOL_S = 0.01

_SUN_RATE_DEG_S = 360.0 / 86400.0  # the Sun's elevation changes at most this fast
_COARSE_VIS_S = 30.0
_FINE_VIS_S = 1.0
_MAG_SAMPLES = 250_000  # magnitude samples held at once (a few tens of MB of work)
_MAG_STEP_S = 10.0
_SKY_STEP_S = 2.0
_EARTH_RADIUS_KM = 6378.137
# against the sky, stretches are first found with the Sun below this: the twilight sky's
# naked-eye limit is -6.4 there (brighter than any satellite but a flare), and it only
# brightens towards sunset
SKY_SEARCH_SUN_LIMIT_DEG = -2.0
START_SKY = 5  # the index of "sky" in START_REASONS and END_REASONS


@dataclass(frozen=True)
class Segments:
    """The visible stretches of some passes: ``rows`` index the passes given (a pass may
    have several, in time order); times are seconds from the window start;
    ``starts``/``ends`` index :data:`START_REASONS` / :data:`END_REASONS`; ``brightest`` is
    the least magnitude sampled inside."""

    rows: np.ndarray
    t_start: np.ndarray
    t_end: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    brightest: np.ndarray

    def subset(self, keep: np.ndarray) -> Segments:
        """The stretches ``keep`` (a mask or indices)."""
        return Segments(self.rows[keep], self.t_start[keep], self.t_end[keep],
                        self.starts[keep], self.ends[keep], self.brightest[keep])


def light_margins(eph: Ephemeris, obs: Observers, t: np.ndarray, idx: np.ndarray,
                  sun_limit: float, shadow_height_km: float = SHADOW_HEIGHT_KM):
    """(margin, shadow_part, sun_part), degrees, each (M,): the satellite's Sun above the
    raised limb of the Earth, and the observer's Sun below the limit; margin is the
    smaller. NaN where sgp4 failed."""
    r = eph.position(t)
    sun = eph.sun(t)
    shadow_part = sunlit_margin_deg(r, sun, shadow_height_km)
    sun_part = sun_limit - sun_elevation_deg(sun, obs.r_km[idx], obs.up[idx])
    bad = ~eph.valid(t)
    shadow_part[bad] = np.nan
    sun_part[bad] = np.nan
    return np.fmin(shadow_part, sun_part), shadow_part, sun_part


def light_margin_rates(eph: Ephemeris,
                       shadow_height_km: float = SHADOW_HEIGHT_KM) -> tuple[float, float]:
    """Upper bounds (degrees/s) on how fast the two light margins can change, with a 25 %
    safety factor: the satellite's angular rate in the Earth-fixed frame plus the rate of
    change of the Earth's angular radius plus the Sun's own motion; the Sun's."""
    r, v = eph.r_km[eph.ok], eph.v_km_s[eph.ok]
    if not len(r):
        return 1.0, 1.0
    dist = np.linalg.norm(r, axis=1)
    angular = np.linalg.norm(np.cross(r, v), axis=1) / dist**2  # rad/s, Earth-fixed
    radial = np.abs(np.einsum("ij,ij->i", r, v)) / dist
    radius = _EARTH_RADIUS_KM + shadow_height_km
    limb = radius * radial / (dist * np.sqrt(np.maximum(dist**2 - radius**2, 1.0)))
    shadow = np.degrees(np.max(angular + limb) + np.radians(_SUN_RATE_DEG_S))
    return 1.25 * float(shadow), 1.25 * _SUN_RATE_DEG_S


def daylight_throughout(eph: Ephemeris, obs: Observers, idx: np.ndarray, t0: np.ndarray,
                        t1: np.ndarray, sun_limit_deg: float) -> np.ndarray:
    """True where observer ``idx``'s Sun stays above the limit all through ``[t0, t1]``:
    above it at both ends by more than the Sun's elevation can change in between. Nothing
    is visible there, so such a pass needs no light sampling (or no search at all when
    only the visible passes are wanted)."""
    sun_el = np.fmin(*(sun_elevation_deg(eph.sun(t), obs.r_km[idx], obs.up[idx])
                       for t in (t0, t1)))
    out: np.ndarray = sun_el - _SUN_RATE_DEG_S * (t1 - t0) > sun_limit_deg
    return out


def magnitudes(eph: Ephemeris, obs: Observers, t_s: np.ndarray, idx: np.ndarray,
               r: np.ndarray | None = None, *, extinction: bool = True) -> np.ndarray:
    """Visual magnitude of the satellite for observers ``idx`` at times ``t_s`` (NaN for an
    object of unknown brightness), dimmed by the atmosphere's extinction when asked."""
    r = eph.position(t_s) if r is None else r
    d = r - obs.r_km[idx]
    rng = np.linalg.norm(d, axis=-1)
    phase = phase_angle_rad(r, obs.r_km[idx], eph.sun(t_s))
    m = magnitude(eph.std_magnitude_at(t_s), rng, phase)
    if extinction:
        el = np.degrees(np.arcsin(np.clip(
            np.einsum("...i,...i->...", d, obs.up[idx]) / rng, -1.0, 1.0)))
        m = m + extinction_mag(el, obs.alt_m[idx])
    return m


def visible_segments(
    eph: Ephemeris,
    obs: Observers,
    pass_obs: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    start_code: np.ndarray,
    end_code: np.ndarray,
    sun_limit_deg: float,
    shadow_height_km: float = SHADOW_HEIGHT_KM,
    extinction: bool = True,
) -> Segments:
    """Every visible run inside each pass ``[start, end]`` (seconds) of observer
    ``pass_obs``, sorted by pass then time (``rows`` may repeat a pass);
    ``start_code``/``end_code`` say what the pass's own ends are (indices of
    :data:`START_REASONS`/:data:`END_REASONS`: rise/set, the window's edge, an sgp4
    failure). Passes with nothing visible are left out."""
    lim = sun_limit_deg
    none = np.zeros(0, dtype=np.int64)
    empty = Segments(none, np.zeros(0), np.zeros(0), none.astype(np.int8),
                     none.astype(np.int8), np.zeros(0))
    # passes in full daylight (the Sun above the limit throughout) need no sampling
    todo = np.flatnonzero(~daylight_throughout(eph, obs, pass_obs, start, end, lim))
    if not len(todo):
        return empty
    # a few passes at a time, about _MAG_SAMPLES light samples each (a geostationary
    # object's pass can last the whole window: thousands of samples, and hundreds of them)
    samples = np.ceil((end[todo] - start[todo]) / _COARSE_VIS_S) + 1
    parts = [_segments(eph, obs, pass_obs, start, end, start_code, end_code, lim,
                       shadow_height_km, extinction, todo[a:b])
             for a, b in search.weighted_chunks(samples, _MAG_SAMPLES)]
    found = [p for p in parts if p is not None]
    if len(found) < 2:
        return found[0] if found else empty
    return Segments(*(np.concatenate([getattr(p, f) for p in found])
                      for f in ("rows", "t_start", "t_end", "starts", "ends", "brightest")))


def _segments(eph, obs, pass_obs, start, end, start_code, end_code, lim, shadow_height_km,
              extinction, todo) -> Segments | None:
    """:func:`visible_segments` of the passes ``todo`` (None: nothing visible)."""
    owner, ts, sh_p, sun_p = _samples(eph, obs, lim, pass_obs[todo], start[todo], end[todo],
                                      shadow_height_km)
    idx = pass_obs[todo][owner]
    seen = np.fmin(sh_p, sun_p) >= 0
    counts = np.bincount(owner, minlength=len(todo))
    local = np.arange(len(ts)) - np.r_[0, np.cumsum(counts)][owner]

    # runs of `seen` that do not cross pass boundaries: each is a stretch
    prev = np.r_[False, seen[:-1]] & (local > 0)
    nxt = np.r_[seen[1:], False] & (local < counts[owner] - 1)
    rs = np.flatnonzero(seen & ~prev)
    re_ = np.flatnonzero(seen & ~nxt)  # inclusive
    if not len(rs):
        return None
    po = owner[rs]

    margin = np.fmin(sh_p, sun_p)  # what f gives at the samples: no need to ask again

    def refine(a_idx, b_idx):
        f = lambda tt, ii: light_margins(eph, obs, tt, ii, lim, shadow_height_km)[0]  # noqa: E731
        return search.bracketed_root(f, ts[a_idx], ts[b_idx], idx[a_idx], tol=TIME_TOL_S,
                                     f_lo=margin[a_idx], f_hi=margin[b_idx])

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

    rows = todo[po]
    # why the segment starts and ends: the condition that fails just outside it (inside a
    # pass the elevation is above the threshold, so it is the shadow or the Sun)
    parts = np.stack((sh_p, sun_p), axis=1)
    before = 1 + np.argmin(parts[np.maximum(rs - 1, 0)], axis=1)  # 1 shadow, 2 sun
    after = 1 + np.argmin(parts[np.minimum(re_ + 1, len(ts) - 1)], axis=1)
    starts = np.where(at_first, start_code[rows], before).astype(np.int8)
    ends = np.where(at_last, end_code[rows], after).astype(np.int8)
    brightest = _brightest(eph, obs, pass_obs[rows], t_start, t_end, extinction)
    return Segments(rows, t_start, t_end, starts, ends, brightest)


def _brightest(eph, obs, obs_idx, t_start, t_end, extinction: bool = True) -> np.ndarray:
    """Least magnitude of each segment: sampled every 10 s, the minimum sharpened by the
    parabola through it and its neighbours; segments taken a few at a time, at most about
    :data:`_MAG_SAMPLES` samples at once (a geostationary object can stay visible all
    night: 3,600 samples, and a catalogue has hundreds)."""
    per = np.ceil((t_end - t_start) / _MAG_STEP_S).astype(np.int64) + 1
    out = np.empty(len(obs_idx))
    for a, b in search.weighted_chunks(per, _MAG_SAMPLES):
        out[a:b] = _brightest_of(eph, obs, obs_idx[a:b], t_start[a:b], t_end[a:b], extinction)
    return out


def _brightest_of(eph, obs, obs_idx, t_start, t_end, extinction: bool) -> np.ndarray:
    """:func:`_brightest` of a few segments at once."""
    span = t_end - t_start
    per = np.ceil(span / _MAG_STEP_S).astype(np.int64) + 1
    first = np.r_[0, np.cumsum(per)[:-1]]
    seg = np.repeat(np.arange(len(obs_idx)), per)
    j = np.arange(per.sum()) - np.repeat(first, per)
    tm = np.minimum(t_start[seg] + j * _MAG_STEP_S, t_end[seg])
    sample_mag = magnitudes(eph, obs, tm, obs_idx[seg], extinction=extinction)
    best = np.minimum.reduceat(sample_mag, first)
    at = _segment_argmin(sample_mag, seg, first)
    inner = (at > first) & (at < first + per - 1)
    inner &= np.abs(tm[np.minimum(at + 1, len(tm) - 1)] - tm[at] - _MAG_STEP_S) < 1e-9
    if inner.any():
        i = at[inner]
        y0, y1, y2 = sample_mag[i - 1], sample_mag[i], sample_mag[i + 1]
        curv = y0 - 2.0 * y1 + y2
        # y1 is the least of the three, so curv >= |y0 - y2| and the dip is <= curv / 8
        vertex = y1 - (y0 - y2) ** 2 / (8.0 * np.where(curv > 0, curv, np.inf))
        best[inner] = np.fmin(best[inner], vertex)
    return best


def _segment_argmin(values: np.ndarray, seg: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Index of the smallest value within each contiguous segment (NaN-safe; the first
    on a tie). ``seg`` numbers the segments 0, 1, ... in order, ``first`` their starts:
    one pass over the values, no sort."""
    v = np.nan_to_num(values, nan=np.inf)
    hits = np.flatnonzero(v == np.minimum.reduceat(v, first)[seg])
    firsts = np.r_[True, seg[hits[1:]] != seg[hits[:-1]]]
    return hits[firsts]


def _samples(eph, obs, lim, pass_obs, s0, s1, shadow_height_km):
    """Samples of the two light conditions over each pass: (owner, t, shadow, sun), sorted
    by pass and time: every 30 s, plus the bisections of suspicious intervals (see the
    module docstring)."""
    dur = s1 - s0
    step = np.minimum(_COARSE_VIS_S, np.maximum(dur, 1e-3) / 4.0)
    counts = np.ceil(dur / step).astype(np.int64) + 1
    owner = np.repeat(np.arange(len(s0)), counts)
    local = np.arange(counts.sum()) - np.repeat(np.r_[0, np.cumsum(counts)[:-1]], counts)
    ts = np.minimum(s0[owner] + local * step[owner], s1[owner])
    _, sh, su = light_margins(eph, obs, ts, pass_obs[owner], lim, shadow_height_km)

    rate_sh, rate_su = light_margin_rates(eph, shadow_height_km)

    def could(sh0, sh1, su0, su1, width):
        """Can a visible moment hide strictly inside an interval whose ends are not visible?"""
        return (
            ~((sh0 >= 0) & (su0 >= 0))
            & ~((sh1 >= 0) & (su1 >= 0))
            & (np.fmax(sh0, sh1) + rate_sh * width / 2.0 >= 0)
            & (np.fmax(su0, su1) + rate_su * width / 2.0 >= 0)
        )

    same = owner[1:] == owner[:-1]
    gaps = np.flatnonzero(same & could(sh[:-1], sh[1:], su[:-1], su[1:], ts[1:] - ts[:-1]))
    # bisect the suspicious intervals until they are cleared or narrower than 1 s
    g_owner, g_t0, g_t1 = owner[gaps], ts[gaps], ts[gaps + 1]
    g_sh0, g_sh1, g_su0, g_su1 = sh[gaps], sh[gaps + 1], su[gaps], su[gaps + 1]
    extra_o, extra_t, extra_sh, extra_su = [], [], [], []
    while len(g_owner) and (g_t1 - g_t0).max() > _FINE_VIS_S:
        mid = (g_t0 + g_t1) / 2.0
        _, m_sh, m_su = light_margins(eph, obs, mid, pass_obs[g_owner], lim, shadow_height_km)
        extra_o.append(g_owner)
        extra_t.append(mid)
        extra_sh.append(m_sh)
        extra_su.append(m_su)
        half = (g_t1 - g_t0) / 2.0
        left = could(g_sh0, m_sh, g_su0, m_su, half) & (half > _FINE_VIS_S)
        right = could(m_sh, g_sh1, m_su, g_su1, half) & (half > _FINE_VIS_S)
        g_owner = np.r_[g_owner[left], g_owner[right]]
        g_t0, g_t1 = np.r_[g_t0[left], mid[right]], np.r_[mid[left], g_t1[right]]
        g_sh0, g_sh1 = np.r_[g_sh0[left], m_sh[right]], np.r_[m_sh[left], g_sh1[right]]
        g_su0, g_su1 = np.r_[g_su0[left], m_su[right]], np.r_[m_su[left], g_su1[right]]
    if extra_o:
        all_o = np.concatenate([owner, *extra_o])
        all_t = np.concatenate([ts, *extra_t])
        order = np.lexsort((all_t, all_o))
        owner, ts = all_o[order], all_t[order]
        sh = np.concatenate([sh, *extra_sh])[order]
        su = np.concatenate([su, *extra_su])[order]
    return owner, ts, sh, su


def sky_margin(eph: Ephemeris, obs: Observers, t: np.ndarray, idx: np.ndarray,
               dark_limit: float, extinction: bool = True) -> np.ndarray:
    """How much brighter than the sky's naked-eye limit the satellite is, magnitudes
    (negative: too faint for this sky); NaN where its brightness is unknown."""
    sun_el = sun_elevation_deg(eph.sun(t), obs.r_km[idx], obs.up[idx])
    limit = limiting_magnitude(sun_el, dark_limit)
    return limit - magnitudes(eph, obs, t, idx, extinction=extinction)


def sky_cut(eph: Ephemeris, obs: Observers, seg: Segments, obs_of_row: np.ndarray,
            dark_limit: float, extinction: bool = True) -> Segments:
    """Each stretch of ``seg`` cut to where the satellite is brighter than the sky's
    naked-eye limit (:func:`sky_margin`), sampled every 2 s and refined to 0.01 s: a
    stretch may shrink, split or vanish; a new edge's reason is "sky". ``obs_of_row``:
    the observer of each pass row that ``seg.rows`` index."""
    if not len(seg.rows):
        return seg
    idx_k = obs_of_row[seg.rows]
    span = seg.t_end - seg.t_start
    per = np.ceil(span / _SKY_STEP_S).astype(np.int64) + 1
    first = np.r_[0, np.cumsum(per)[:-1]]
    k = np.repeat(np.arange(len(seg.rows)), per)
    j = np.arange(per.sum()) - first[k]
    ts = np.minimum(seg.t_start[k] + j * _SKY_STEP_S, seg.t_end[k])
    idx = idx_k[k]
    margin = sky_margin(eph, obs, ts, idx, dark_limit, extinction)
    seen = margin >= 0
    last = j == per[k] - 1
    prev = np.r_[False, seen[:-1]] & (j > 0)
    nxt = np.r_[seen[1:], False] & ~last
    rs = np.flatnonzero(seen & ~prev)
    re_ = np.flatnonzero(seen & ~nxt)
    if not len(rs):
        none = np.zeros(0, dtype=np.int64)
        return Segments(none, np.zeros(0), np.zeros(0), none.astype(np.int8),
                        none.astype(np.int8), np.zeros(0))

    def f(tt, ii):
        return sky_margin(eph, obs, tt, ii, dark_limit, extinction)

    t_start, t_end = ts[rs].copy(), ts[re_].copy()
    inner_s = j[rs] > 0
    if inner_s.any():
        a = rs[inner_s]
        t_start[inner_s] = search.bracketed_root(f, ts[a - 1], ts[a], idx[a], tol=TIME_TOL_S)
    inner_e = ~last[re_]
    if inner_e.any():
        b = re_[inner_e]
        t_end[inner_e] = search.bracketed_root(f, ts[b], ts[b + 1], idx[b], tol=TIME_TOL_S)
    owner = k[rs]
    starts = np.where(inner_s, START_SKY, seg.starts[owner]).astype(np.int8)
    ends = np.where(inner_e, START_SKY, seg.ends[owner]).astype(np.int8)
    brightest = _brightest(eph, obs, idx_k[owner], t_start, t_end, extinction)
    return Segments(seg.rows[owner], t_start, t_end, starts, ends, brightest)


def fades(eph: Ephemeris, t_edge: np.ndarray, entering: np.ndarray,
          shadow_height_km: float = SHADOW_HEIGHT_KM) -> tuple[np.ndarray, np.ndarray]:
    """The crossing of the penumbra around each shadow edge ``t_edge`` (seconds; the Sun's
    centre on the raised limb): ``(from, to)``, for ``entering`` the shadow the Sun's
    disc touching the limb then gone, otherwise the reverse. NaN where the crossing leaves
    the window or the states (a satellite skimming the shadow's edge may not cross)."""
    t_edge = np.asarray(t_edge, dtype=float)
    zero = np.zeros(len(t_edge), dtype=np.int64)
    if not len(t_edge):
        return np.zeros(0), np.zeros(0)

    def part(sign: float):
        def g(tt, _ii):
            r, sun = eph.position(tt), eph.sun(tt)
            out = (sunlit_margin_deg(r, sun, shadow_height_km)
                   - sign * sun_semi_diameter_deg(r, sun))
            out[~eph.valid(tt)] = np.nan
            return out
        return g

    lo_span, hi_span = eph.valid_span(t_edge)  # the window, or up to an sgp4 failure
    h = 1.0
    a, b = np.clip(t_edge - h, lo_span, hi_span), np.clip(t_edge + h, lo_span, hi_span)
    centre = part(0.0)
    rate = np.abs(centre(b, zero) - centre(a, zero)) / np.maximum(b - a, 1e-9)
    semi = sun_semi_diameter_deg(eph.position(t_edge), eph.sun(t_edge))
    width = np.clip(3.0 * semi / np.maximum(rate, 1e-9), 30.0, 6 * 3600.0)
    before = np.clip(t_edge - width, lo_span, hi_span)
    after = np.clip(t_edge + width, lo_span, hi_span)
    # entering: Sun's disc wholly up (margin = +semi) before, wholly down (-semi) after
    first_sign = np.where(entering, 1.0, -1.0)
    t_from = np.full(len(t_edge), np.nan)
    t_to = np.full(len(t_edge), np.nan)
    for sign in (1.0, -1.0):
        sel = first_sign == sign
        if sel.any():
            t_from[sel] = search.bracketed_root(part(sign), before[sel], t_edge[sel],
                                                zero[sel], tol=TIME_TOL_S)
            t_to[sel] = search.bracketed_root(part(-sign), t_edge[sel], after[sel],
                                              zero[sel], tol=TIME_TOL_S)
    return t_from, t_to
