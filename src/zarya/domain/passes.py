"""Passes: rise, culmination and set above a threshold, and the naked-eye visible segment.

The search, for N observers at once over one :class:`~zarya.engine.ephemeris.Ephemeris`:

1. sin(elevation) on the ephemeris grid: for a few observers every grid time (two matrix
   products); from 64 observers on, only the times when the observer lies inside the
   satellite's reach (a k-d tree over the sub-satellite directions);
2. local maxima of those samples, edges included (a pass under way at the start or the
   end of the window), kept when the sub-satellite point comes close enough to the observer
   for the threshold to be reachable (the footprint of the threshold, widened by how far the
   sub-point moves in 0.6 of a step): grazing passes whose sampled maximum is below the
   threshold are refined too, and dropped only if the refined maximum is below it;
3. each maximum refined as the root of the elevation rate (golden-section search at the
   window's edges), then the rise and set crossings, bracketed by the samples, all on the
   Hermite-interpolated ephemeris: Newton steps from where the cubic through the bracket's
   grid ends (their values and rates) turns or crosses, the bracketed search
   (:func:`~zarya.engine.search.bracketed_root`) for the few a step takes out of their
   bracket (grazing passes, a flat rate);
4. the visible segment of each pass, by :mod:`zarya.domain.visibility`.

Times are refined to 0.01 s. A pass cut by the window has ``rise`` or ``set`` None, and its
culmination is the highest point inside the window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..engine import search
from ..engine.ephemeris import Ephemeris
from ..engine.look import (
    Observer,
    Observers,
    geometric_threshold_deg,
    pressure_at_height_hpa,
    refraction_deg,
)
from ..engine.stacked import SEPARATOR
from .pass_table import END_REASONS, START_REASONS, Pass, PassOptions, PassTable, StretchTable
from .visibility import (
    SKY_SEARCH_SUN_LIMIT_DEG,
    daylight_throughout,
    fades,
    magnitudes,
    sky_cut,
    visible_segments,
)

__all__ = ["TIME_TOL_S", "find_pass_table", "find_passes"]

FloatArray = NDArray[np.float64]

TIME_TOL_S = 0.01
_CHUNK_ELEMENTS = 4_000_000  # observer-time samples held at once (~32 MB per array)
_SPARSE_MIN_OBSERVERS = 64  # from this many observers on, sample only inside footprints


class _Geometry:
    """Evaluation helpers over one ephemeris and one set of observers."""

    def __init__(self, eph: Ephemeris, obs: Observers) -> None:
        self.eph = eph
        self.obs = obs

    def sin_el(self, t: np.ndarray, idx: np.ndarray) -> np.ndarray:
        return self.obs.sin_elevation_at(self.eph.position(t), idx)

    def sin_el_grid(self, k: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """sin(elevation) at grid times ``k``: the grid's own states, no interpolation."""
        c = self.eph.grid_columns()
        return self.obs.sin_elevation_of(c[0][k], c[1][k], c[2][k], idx)

    def sin_el_rate(self, t: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """d/dt sin(elevation), 1/s, on the interpolated ephemeris."""
        return self._rate(*self.eph.state(t), idx)

    def sin_el_rate_grid(self, k: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """d/dt sin(elevation) at grid times ``k``, from the grid's own states."""
        c = self.eph.grid_columns()
        return self.obs.sin_elevation_rate_of((c[0][k], c[1][k], c[2][k]),
                                              (c[3][k], c[4][k], c[5][k]), idx)

    def sin_el_and_rate(self, t: np.ndarray, idx: np.ndarray):
        """sin(elevation) and its rate on the interpolated ephemeris: Newton steps on a
        crossing."""
        r, v = self.eph.state(t)
        return self.obs.sin_elevation_at(r, idx), self._rate(r, v, idx)

    def rate_and_slope(self, t: np.ndarray, idx: np.ndarray):
        """d/dt sin(elevation) and its own derivative, 1/s and 1/s^2, on the interpolated
        ephemeris (its acceleration included): Newton steps on a maximum. With d = r - o,
        D = |d|, p = d.up, q = d.v, w = v.up: s' = w/D - p q/D^3 and
        s'' = a.up/D - 2 w q/D^3 - p (v.v + d.a)/D^3 + 3 p q^2/D^5."""
        r, v, a = self.eph.motion(t)
        o = self.obs.r_km[idx]
        up = self.obs.up[idx]
        d = [r[:, i] - o[:, i] for i in range(3)]
        vs = [v[:, i] for i in range(3)]
        us = [up[:, i] for i in range(3)]
        acc = [a[:, i] for i in range(3)]

        def dot(x, y):
            return x[0] * y[0] + x[1] * y[1] + x[2] * y[2]

        d2 = dot(d, d)
        dist = np.sqrt(d2)
        p, q, w = dot(d, us), dot(d, vs), dot(vs, us)
        d3 = d2 * dist
        rate = w / dist - p * q / d3
        slope = (dot(acc, us) / dist - 2.0 * w * q / d3
                 - p * (dot(vs, vs) + dot(d, acc)) / d3 + 3.0 * p * q * q / (d3 * d2))
        return rate, slope

    def _rate(self, r: np.ndarray, v: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """d/dt sin(elevation) of states given as ``(M, 3)`` rows."""
        return self.obs.sin_elevation_rate_of((r[:, 0], r[:, 1], r[:, 2]),
                                              (v[:, 0], v[:, 1], v[:, 2]), idx)

    def maxima(self, k_lo: np.ndarray, k: np.ndarray, k_hi: np.ndarray, idx: np.ndarray):
        """Refined maxima of sin(elevation) near grid times ``k`` (the sampled maxima),
        between grid times ``k_lo`` and ``k_hi``: (t, value).

        The rate at ``k`` says which grid step holds the maximum. Where the rate changes
        sign across that step (rising, then setting), the maximum is the rate's root,
        found by secant steps from where the cubic through the step's ends turns; elsewhere
        (a step at the window's edge, still rising or already setting) golden-section
        search.
        """
        rate_k = self.sin_el_rate_grid(k, idx)
        rising = rate_k > 0
        rate_other = self.sin_el_rate_grid(np.where(rising, k_hi, k_lo), idx)
        k_lo = np.where(rising, k, k_lo)
        k_hi = np.where(rising, k_hi, k)
        lo, hi = self.eph.t_s[k_lo], self.eph.t_s[k_hi]
        rate_lo = np.where(rising, rate_k, rate_other)
        rate_hi = np.where(rising, rate_other, rate_k)
        turn = (rate_lo > 0) & (rate_hi < 0)
        t = np.empty(len(lo))
        if turn.any():
            a, b, ii, r_lo, r_hi = lo[turn], hi[turn], idx[turn], rate_lo[turn], rate_hi[turn]
            k_a, k_b = k_lo[turn], k_hi[turn]
            guess = search.hermite_turn(a, b, self.sin_el_grid(k_a, ii),
                                        self.sin_el_grid(k_b, ii), r_lo, r_hi)
            found, done = search.newton_root(self.rate_and_slope, guess, a, b, ii,
                                             tol=TIME_TOL_S)
            rest = ~done  # a step out of the bracket, or slow: the bracketed search
            if rest.any():
                found[rest] = search.bracketed_root(
                    self.sin_el_rate, a[rest], b[rest], ii[rest], tol=TIME_TOL_S,
                    f_lo=r_lo[rest], f_hi=r_hi[rest], guess=guess[rest])
            t[turn] = found
        other = ~turn
        if other.any():
            t[other], _ = search.golden_maximum(
                self.sin_el, lo[other], hi[other], idx[other], tol=TIME_TOL_S
            )
        return t, self.sin_el(t, idx)


def find_passes(
    eph: Ephemeris,
    observers: Observer | list[Observer] | Observers,
    options: PassOptions | None = None,
    *,
    visible_only: bool = False,
) -> list[list[Pass]]:
    """The passes of the satellite over each observer during the ephemeris's window.

    Returns a list per observer (in the order given), each a list of :class:`Pass` in time
    order: ``rise``, ``culmination`` and ``set`` (:class:`LookPoint`: time, azimuth,
    elevation, range), the ``duration_s`` above the threshold, and ``stretches``, the parts
    seen with the naked eye (:class:`VisibleSegment`; ``visible`` is the first, or None);
    ``visible_only`` leaves out, early, the passes that cannot have any.
    Rise and set are where the elevation crosses ``options.min_elevation_deg`` (geometric,
    or apparent with ``options.refraction``), the culmination is the highest point; times
    are refined to 0.01 s on the interpolated ephemeris.

    >>> from zarya import Ephemeris, Observer, Window, load_satellite, parse_instant
    >>> eph = Ephemeris(load_satellite(), Window.days(parse_instant("2016-04-04"), 1))
    >>> (astana,) = find_passes(eph, Observer(51.1694, 71.4491, 347.0))
    >>> [(f"{p.rise.time:%H:%M}", round(p.culmination.elevation_deg)) for p in astana]
    [('13:00', 11), ('14:33', 45), ('16:10', 83), ('17:46', 77), ('19:23', 24)]

    Where it breaks down:

    - A pass cut by the window's start or end has ``rise`` or ``set`` None, and its
      ``culmination`` is the highest point inside the window, not the pass's own; so is a
      pass cut by an SGP4 failure (a decayed object), whose ``visible`` segment then says
      ``sgp4_failure``. A satellite that never sets (geostationary) is one pass with
      neither rise nor set.
    - Passes are found from samples on the ephemeris grid (60 s, or 1/90 of the orbital
      period if shorter): two maxima of the elevation within one grid step (two passes in
      60 s, which no real orbit gives for a ground observer) would be taken as one.
      Grazing passes whose sampled peak is under the threshold are refined and kept when the
      refined peak reaches it; one that peaks within 0.01 s-equivalent of the threshold may
      fall either side.
    - The accuracy is that of SGP4 and its elements (kilometres a few days from the epoch:
      seconds of event time), not of the search: against Skyfield with the same elements,
      events agree within 1 s, elevations within 0.05 degree (UT1 taken as UTC; see the
      README's accuracy table).
    - ``visible`` is the first visible stretch of the pass, ``stretches`` all of them (a
      satellite that never sets, or one that crosses the Earth's shadow, can have
      several); a stretch shorter than about 1 s between two samples 30 s apart can be
      missed (see :mod:`zarya.domain.visibility`).
    - "Visible" follows ``options`` (zarya's rule set by default: the Sun at or below -6
      degrees, the shadow raised 18 km for the atmosphere); the shadow's edge is where
      the Sun's centre crosses the raised limb, and the fade around it (``fades``,
      ``brightens``) takes seconds.
    """
    obs = Observers.of(observers)
    return find_pass_table(eph, obs, options, visible_only=visible_only).passes(len(obs))


def find_pass_table(
    eph: Ephemeris,
    observers: Observer | list[Observer] | Observers,
    options: PassOptions | None = None,
    *,
    visible_only: bool = False,
) -> PassTable:
    """Passes of every observer as one :class:`PassTable`, sorted by observer then time.

    With ``visible_only`` (and ``options.visibility``), a pass whose grid bracket lies in
    daylight throughout (:func:`~zarya.domain.visibility.daylight_throughout`) is dropped
    as soon as it is found, before its rise and set are refined: it could not have a
    visible stretch. The other passes are exactly those of a search without it, the
    invisible ones among them too (filter on ``visible``).

    Observers are processed in chunks so that at most about 4 million observer-time
    samples (a few tens of MB per working array) are held at once. From 64 observers on,
    only the observers inside the satellite's reach at each grid time are sampled (a k-d
    tree over the sub-satellite directions): same passes, far fewer samples.
    """
    options = options or PassOptions()
    obs = Observers.of(observers)
    thr_deg = _thresholds(obs, options)
    index = None
    chunk = max(1, _CHUNK_ELEMENTS // len(eph.t_s))
    if len(obs) >= _SPARSE_MIN_OBSERVERS and eph.ok.any():
        index = _FootprintIndex(eph, float(thr_deg.min()))
        if index.fraction > 0.25:  # a high orbit sees most of the Earth: stay dense
            index = None
        else:
            chunk = max(1, int(_CHUNK_ELEMENTS / (len(eph.t_s) * index.fraction * 1.5)))
    tables = []
    for first in range(0, len(obs), chunk):
        idx = np.arange(first, min(first + chunk, len(obs)))
        sub = obs.subset(idx) if len(idx) != len(obs) else obs
        table = _find_chunk(eph, sub, options, thr_deg[idx], index, visible_only)
        table.observer = idx[table.observer]
        tables.append(table)
    return PassTable.concat(eph.window, tables).sorted()


def _slack_rad(eph: Ephemeris) -> float:
    """How far the sub-satellite direction can move in 0.6 of a grid step, plus 0.01 rad
    for the geodetic/geocentric difference of elevation (under 0.2 degree) and the Earth's
    flattening."""
    return 0.6 * eph.max_ground_speed_rad_s() * eph.step_s + 0.01


@dataclass
class _Samples:
    """sin(elevation) samples as flat arrays sorted by (observer, grid index)."""

    n: np.ndarray
    k: np.ndarray
    s: np.ndarray


def _dense_samples(eph: Ephemeris, obs: Observers) -> _Samples:
    S = obs.sin_elevation(eph.r_km)  # (N, T), NaN where sgp4 failed
    N, T = S.shape
    return _Samples(np.repeat(np.arange(N), T), np.tile(np.arange(T), N), S.ravel())


class _FootprintIndex:
    """A k-d tree over the sub-satellite directions of the grid, for many observers.

    At each grid time only the observers within the reach of the threshold (the
    footprint's angular radius at the highest altitude of the window, plus the slack of
    :func:`_slack_rad`) are sampled: for the ISS and a 10 degree threshold that is about
    2 % of the Earth, so 50 times fewer samples than the dense observers x times grid.
    """

    def __init__(self, eph: Ephemeris, min_threshold_deg: float) -> None:
        from scipy.spatial import cKDTree

        self.ok_k = np.flatnonzero(eph.ok)
        r = eph.r_km[self.ok_k]
        dist = np.linalg.norm(r, axis=1)
        e = np.radians(min_threshold_deg)
        r_earth_min = 6356.0  # polar radius, km: the widest footprint
        psi = float(np.arccos(np.clip(r_earth_min / dist.max() * np.cos(e), -1, 1)) - e)
        self.psi_rad = min(np.pi, max(psi, 0.0) + _slack_rad(eph))
        self.chord = 2.0 * np.sin(self.psi_rad / 2.0)
        self.tree = cKDTree(r / dist[:, None])
        self.fraction = (1.0 - np.cos(self.psi_rad)) / 2.0  # of the sphere's area

    def samples(self, eph: Ephemeris, obs: Observers) -> _Samples:
        """Every (observer, grid time) pair within reach, sorted by observer then time,
        with its sin(elevation): the pairs come from one tree-against-tree search as
        arrays (no list per observer) and are sorted as one integer key."""
        from scipy.spatial import cKDTree

        u = obs.r_km / np.linalg.norm(obs.r_km, axis=1)[:, None]
        pairs = cKDTree(u).sparse_distance_matrix(self.tree, self.chord,
                                                  output_type="ndarray")
        K = len(self.ok_k)
        key = np.sort(pairs["i"].astype(np.int64) * K + pairs["j"])
        n = key // K
        k = self.ok_k[key - n * K]
        c = eph.grid_columns()
        return _Samples(n, k, obs.sin_elevation_of(c[0][k], c[1][k], c[2][k], n))


def _thresholds(obs: Observers, options: PassOptions) -> np.ndarray:
    """Geometric elevation threshold per observer (refraction lowers it near the horizon)."""
    if not options.refraction:
        return np.full(len(obs), options.min_elevation_deg)
    return geometric_threshold_deg(
        options.min_elevation_deg,
        pressure_hpa=_pressures(obs.alt_m, options),
        temperature_c=options.temperature_c,
    )


def _pressures(alt_m: np.ndarray, options: PassOptions) -> np.ndarray:
    """Air pressure for refraction: the one given, else the standard atmosphere's."""
    if options.pressure_hpa is not None:
        return np.full(np.shape(alt_m), float(options.pressure_hpa))
    return pressure_at_height_hpa(np.asarray(alt_m, dtype=float))


def _find_chunk(
    eph: Ephemeris,
    obs: Observers,
    options: PassOptions,
    thr_deg: np.ndarray,
    index: _FootprintIndex | None = None,
    visible_only: bool = False,
) -> PassTable:
    t = eph.t_s
    T = len(t)
    geo = _Geometry(eph, obs)
    s_thr = np.sin(np.radians(thr_deg))
    if index is None:
        smp = _dense_samples(eph, obs)
    else:
        smp = index.samples(eph, obs)
    M = len(smp.s)
    if not M:
        return PassTable.empty(eph.window, 0)
    n_all, k_all, s_all = smp.n, smp.k, smp.s
    # visits: runs of consecutive grid samples of one observer
    finite = np.isfinite(s_all)
    same_prev = np.zeros(M, dtype=bool)
    same_prev[1:] = (n_all[1:] == n_all[:-1]) & (k_all[1:] == k_all[:-1] + 1)
    same_prev[1:] &= finite[1:] & finite[:-1]  # sgp4 gaps split
    same_next = np.zeros(M, dtype=bool)
    same_next[:-1] = same_prev[1:]
    is_max = finite.copy()  # above the sample before in its visit, not below the next
    is_max[1:] &= ~same_prev[1:] | (s_all[1:] > s_all[:-1])
    is_max[:-1] &= ~same_next[:-1] | (s_all[:-1] >= s_all[1:])
    cand = np.flatnonzero(is_max)
    n, k = n_all[cand], k_all[cand]

    # footprint filter: can the threshold be reached near this sample?
    c, o = eph.grid_columns(), obs.r_km.T
    r_sat = np.sqrt(c[0][k] ** 2 + c[1][k] ** 2 + c[2][k] ** 2)
    o_norm = np.sqrt(obs.r2_km2[n])
    cos_psi = (c[0][k] * o[0][n] + c[1][k] * o[1][n] + c[2][k] * o[2][n]) / (r_sat * o_norm)
    e = np.radians(thr_deg[n])
    psi_max = np.arccos(np.clip(o_norm / r_sat * np.cos(e), -1, 1)) - e
    keep = np.arccos(np.clip(cos_psi, -1, 1)) <= psi_max + _slack_rad(eph)
    cand, n, k = cand[keep], n[keep], k[keep]
    if not len(n):
        return PassTable.empty(eph.window, 0)

    # brackets: the neighbouring grid times, where they propagated
    k_lo, k_hi = np.maximum(k - 1, 0), np.minimum(k + 1, T - 1)
    k_lo = np.where(eph.ok[k_lo], k_lo, k)
    k_hi = np.where(eph.ok[k_hi], k_hi, k)
    t_max, s_max = geo.maxima(k_lo, k, k_hi, n)
    up = s_max >= s_thr[n]
    cand, n, k, t_max, s_max = cand[up], n[up], k[up], t_max[up], s_max[up]
    if not len(n):
        return PassTable.empty(eph.window, 0)

    # last sample below the threshold before each maximum, first one after it, looking
    # only inside the candidate's visit (outside it the satellite is too far to be above)
    # (the samples' positions where visits start and end, and where it is below: looked
    # up for the candidates only, by bisection)
    starts_at = np.flatnonzero(~same_prev)  # position 0 always starts one
    ends_at = np.flatnonzero(~same_next)  # the last position always ends one
    below_at = np.flatnonzero(~(s_all >= s_thr[n_all]))
    bounded = np.r_[-1, below_at, M]  # -1 and M: none before, none after

    def last_below(i):
        """The last position at or before ``i`` that is below the threshold, -1 if none."""
        return bounded[np.searchsorted(below_at, i, side="right")]

    def next_below(i):
        """The first position at or after ``i`` that is below the threshold, M if none."""
        return bounded[np.searchsorted(below_at, i, side="left") + 1]

    vs = starts_at[np.searchsorted(starts_at, cand, side="right") - 1]
    ve = ends_at[np.searchsorted(ends_at, cand, side="left")]
    q = np.clip(np.searchsorted(t, t_max, side="right") - 1, 0, T - 1)
    pq = cand - (k - q)
    inside = (pq >= vs) & (pq <= ve)
    pqc = np.clip(pq, vs, ve)
    lb = last_below(pqc)
    j_rise = np.where(
        ~inside & (pq < vs),
        q,
        np.where(lb >= vs, k_all[np.maximum(lb, 0)], np.where(k_all[vs] == 0, -1, k_all[vs] - 1)),
    )
    start = np.minimum(pqc + 1, M - 1)
    nb = next_below(start)
    after_visit = np.where(k_all[ve] == T - 1, T, k_all[ve] + 1)
    j_set = np.where(
        (pqc + 1 > ve) | (nb > ve),
        np.where(q >= T - 1, T, after_visit),
        k_all[np.minimum(nb, M - 1)],
    )
    j_set = np.where(~inside & (pq > ve), q + 1, j_set)

    # one pass per (observer, rise bracket, set bracket): keep its highest maximum
    sel = search.highest_per_key(s_max, n, j_rise, j_set)
    if visible_only and options.visibility:  # no need to refine what cannot be seen
        day = daylight_throughout(eph, obs, n[sel], t[np.clip(j_rise[sel], 0, T - 1)],
                                  t[np.clip(j_set[sel], 0, T - 1)], _sun_limit(eph, options))
        sel = sel[~day]
    n, t_max, s_max, j_rise, j_set = n[sel], t_max[sel], s_max[sel], j_rise[sel], j_set[sel]

    def crossing(k_lo, k_hi, pick, peak_side):
        """Where the elevation crosses the threshold between grid times ``k_lo`` and
        ``k_hi`` of the passes ``pick``, the bracket cut at the culmination where that
        comes first (``peak_side`` 0: the low end, a set; 1: the high end, a rise). The
        ends' values come from the grid's own states and the refined maximum: no
        interpolation spent on them."""
        which, tm, sm = n[pick], t_max[pick], s_max[pick] - s_thr[n[pick]]
        ends = [t[k_lo], t[k_hi]]
        values = [geo.sin_el_grid(k, which) - s_thr[which] for k in (k_lo, k_hi)]
        rates = [geo.sin_el_rate_grid(k, which) for k in (k_lo, k_hi)]
        cut = tm > ends[0] if peak_side == 0 else tm < ends[1]
        ends[peak_side] = np.where(cut, tm, ends[peak_side])
        values[peak_side] = np.where(cut, sm, values[peak_side])
        rates[peak_side] = np.where(cut, 0.0, rates[peak_side])  # flat at the culmination
        # Newton steps from where the cubic through the ends crosses; the bracketed
        # search for the few that step out of their bracket (a grazing pass)
        guess = search.hermite_root(*ends, *values, *rates)

        def g_slope(tt, ii):
            s_el, rate = geo.sin_el_and_rate(tt, ii)
            return s_el - s_thr[ii], rate

        found, done = search.newton_root(g_slope, guess, ends[0], ends[1], which,
                                         tol=TIME_TOL_S)
        rest = ~done
        if rest.any():
            g = lambda tt, ii: geo.sin_el(tt, ii) - s_thr[ii]  # noqa: E731
            found[rest] = search.bracketed_root(
                g, ends[0][rest], ends[1][rest], which[rest], tol=TIME_TOL_S,
                f_lo=values[0][rest], f_hi=values[1][rest], guess=guess[rest])
        return found

    # a pass that meets an sgp4 failure is cut there, as by the window's edge
    rise_gap = (j_rise >= 0) & ~eph.ok[np.clip(j_rise, 0, T - 1)]
    set_gap = (j_set < T) & ~eph.ok[np.clip(j_set, 0, T - 1)]
    has_rise = (j_rise >= 0) & ~rise_gap
    t_rise = np.full(len(n), np.nan)
    jr = j_rise[has_rise]
    t_rise[has_rise] = crossing(jr, np.minimum(jr + 1, T - 1), has_rise, 1)
    has_set = (j_set < T) & ~set_gap
    t_set = np.full(len(n), np.nan)
    js = j_set[has_set]
    t_set[has_set] = crossing(np.maximum(js - 1, 0), js, has_set, 0)

    start = np.where(rise_gap, t[np.clip(j_rise + 1, 0, T - 1)], 0.0)
    start = np.where(np.isnan(t_rise), start, t_rise)
    end = np.where(set_gap, t[np.clip(j_set - 1, 0, T - 1)], eph.window.span_s)
    end = np.where(np.isnan(t_set), end, t_set)
    table = PassTable.empty(eph.window, len(n))
    table.observer = n
    table.t = np.stack((t_rise, t_max, t_set), axis=1)
    for j in range(3):
        table.az[:, j], table.el[:, j], table.range_km[:, j], _ = _look_columns(
            geo, options, table.t[:, j], n
        )
    table.duration_s = end - start
    if options.visibility:
        # what ends a visible run that reaches the pass's edge: rise/set, the window, sgp4
        # (a stack of satellites' blocks meet at separators: those are a window's edges)
        rise_gap &= eph.error[np.clip(j_rise, 0, T - 1)] != SEPARATOR
        set_gap &= eph.error[np.clip(j_set, 0, T - 1)] != SEPARATOR
        start_code = np.where(~np.isnan(t_rise), 0, np.where(rise_gap, 4, 3)).astype(np.int8)
        end_code = np.where(~np.isnan(t_set), 0, np.where(set_gap, 4, 3)).astype(np.int8)
        _fill_visible(geo, options, table, start, end, start_code, end_code)
    return table


def _fill_visible(geo, options: PassOptions, table: PassTable, start, end, start_code,
                  end_code) -> None:
    """Every visible stretch of each pass (see :mod:`zarya.domain.visibility`) into the
    table's stretches, the first one into its ``vis_*`` columns, as ``options`` say:
    against the sky, twilight dropping a stretch, only bright ones."""
    eph, obs = geo.eph, geo.obs
    sky = options.sky and eph.has_std_magnitude
    lim = _sun_limit(eph, options)
    seg = visible_segments(eph, obs, table.observer, start, end, start_code, end_code, lim,
                           options.shadow_height_km, options.extinction)
    if sky:
        seg = sky_cut(eph, obs, seg, table.observer, options.dark_limit, options.extinction)
    if options.dark_throughout:  # twilight drops a stretch, it does not shorten it
        twilight = START_REASONS.index("twilight")
        seg = seg.subset((seg.starts != twilight) & (seg.ends != twilight))
    if options.brighter_than is not None:
        with np.errstate(invalid="ignore"):
            seg = seg.subset(seg.brightest <= options.brighter_than)
    rows = seg.rows
    if not len(rows):
        return
    st = StretchTable.empty(len(rows))
    st.row = rows.astype(np.int64)
    obs_idx = table.observer[rows]
    # the highest point inside a stretch: the culmination, or the stretch's edge nearer to
    # it (the elevation rises to the culmination and falls after it)
    t_peak = np.clip(table.t[rows, 1], seg.t_start, seg.t_end)
    for j, tt in enumerate((seg.t_start, t_peak, seg.t_end)):
        st.t[:, j] = tt
        az, el, rng, r = _look_columns(geo, options, tt, obs_idx)
        st.az[:, j], st.el[:, j], st.range_km[:, j] = az, el, rng
        st.mag[:, j] = magnitudes(eph, obs, tt, obs_idx, r, extinction=options.extinction)
    with np.errstate(invalid="ignore"):
        st.brightest = np.fmin(seg.brightest, np.min(st.mag, axis=1))
    st.starts, st.ends = seg.starts.astype(np.int8), seg.ends.astype(np.int8)
    for edge, code, column in ((seg.t_start, START_REASONS.index("leaves_shadow"),
                                st.brighten_t),
                               (seg.t_end, END_REASONS.index("enters_shadow"), st.fade_t)):
        at = np.flatnonzero((st.starts if column is st.brighten_t else st.ends) == code)
        if len(at):
            entering = np.full(len(at), column is st.fade_t)
            column[at, 0], column[at, 1] = fades(eph, edge[at], entering,
                                                 options.shadow_height_km)
    table.stretches = st
    first = np.r_[True, rows[1:] != rows[:-1]]  # the first stretch of each pass
    r0 = rows[first]
    table.visible[r0] = True
    table.vis_t[r0], table.vis_az[r0], table.vis_el[r0] = st.t[first], st.az[first], st.el[first]
    table.vis_range_km[r0], table.vis_mag[r0] = st.range_km[first], st.mag[first]
    table.starts[r0], table.ends[r0] = st.starts[first], st.ends[first]
    starts_at = np.flatnonzero(first)
    table.brightest[r0] = np.fmin.reduceat(st.brightest, starts_at)


def _sun_limit(eph: Ephemeris, options: PassOptions) -> float:
    """The observer's Sun limit the light search works to: against the sky (an object of
    known brightness), the wider :data:`SKY_SEARCH_SUN_LIMIT_DEG`, which the sky's own
    limit then cuts."""
    sky = options.sky and eph.has_std_magnitude
    return SKY_SEARCH_SUN_LIMIT_DEG if sky else options.sun_limit_deg


def _look_columns(geo: _Geometry, options: PassOptions, t_s: np.ndarray, idx: np.ndarray):
    """Azimuth, elevation (apparent if refraction is on), range and position; NaN times
    give NaN."""
    eph, obs = geo.eph, geo.obs
    ok = ~np.isnan(t_s)
    tt = np.where(ok, t_s, 0.0)
    r = eph.position(tt)
    az, el, rng, _ = obs.look(r, idx)
    if options.refraction:
        pressure = _pressures(obs.alt_m[idx], options)
        el = el + refraction_deg(el, pressure_hpa=pressure, temperature_c=options.temperature_c)
    bad = ~ok
    az[bad] = el[bad] = rng[bad] = np.nan
    return az, el, rng, r
