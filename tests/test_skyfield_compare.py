"""Agreement with an independent implementation: Skyfield (offline, DE421 from skyfield-data).

200 random observers (uniform on the sphere between 70 S and 70 N, 0-3000 m) x 10 days,
as 20 windows of 10 observers spread over the densely covered stretches of the bundled ISS
history (2016-01..06, 2017-01..04). Each window propagates ONE element set, the one whose
epoch is nearest the window's middle, for both zarya and Skyfield's ``EarthSatellite``
(built from the same two lines), so every difference below is a difference of method, not
of elements. zarya computes the 10 observers of a window in one ``find_passes`` call.

Checked for every pass: that both find the same passes (including those cut by the window
edges), rise, culmination and set times, the maximum elevation, the visible segment (against
Skyfield sampled every second) and the magnitudes (the DESIGN formula on Skyfield's geometry).
Run with ``-s`` to see the measured statistics.

Two zarya runs per window:

* ``default``: what users get, UT1 = UTC. Skyfield uses the real UT1 (its built-in IERS
  table; UT1 - UTC is -0.2 to +0.6 s over these windows), so differences include that.
* ``iers``: zarya given Skyfield's UT1 - UTC (``dut1_s``) at the window's middle: the same
  Earth orientation on both sides, so what is left is the difference of method alone, and
  the tolerances are ten to twenty times tighter.

Skyfield's ``find_events`` locates events to half a second only (its ``epsilon``); next to
its raw times, each event is also located on Skyfield's own altitude to ~1 ms (sampled every
0.05 s around the reported time: linear interpolation of the crossing, a parabola through
the highest three samples for the culmination).

Skyfield is slow when it builds its IAU 2000A nutation and the complementary terms of
the equation of the equinoxes for every instant (~80 us each); to keep this file near half
a minute, each Skyfield ``Time`` gets its nutation angles and its GAST - GMST (the
equation of the equinoxes) from values Skyfield computes on hourly nodes, interpolated
linearly (setting the nutation angles is the pattern Skyfield's ``Time`` supports for
replacing IAU 2000A). The shortest nutation term with an amplitude worth naming (13.7
days, 0.2 arcsec) departs from its hourly chord by ~1e-5 arcsec; test_shortcut_is_skyfield
checks the result against Skyfield's own full computation.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from skyfield.api import EarthSatellite, wgs84
from skyfield.nutationlib import iau2000a_radians

from zarya import Ephemeris, Observers, PassOptions, Satellite, Window, bundled_sets, find_passes

SEED = 20160328
N_WINDOWS = 20
N_OBSERVERS = 10  # per window: 200 observers in all
DAYS = 10.0
THRESHOLD_DEG = 10.0
SUN_LIMIT_DEG = -6.0
STD_MAGNITUDE = -1.8  # DESIGN: the ISS, half lit at 1000 km
DENSE_PERIODS = (
    (datetime(2016, 1, 1, tzinfo=UTC), datetime(2016, 7, 1, tzinfo=UTC)),
    (datetime(2017, 1, 1, tzinfo=UTC), datetime(2017, 5, 1, tzinfo=UTC)),
)
MODES = ("default", "iers")

# --- tolerances, and where they come from ---------------------------------------------
# Skyfield's find_events locates maxima and crossings to half a second (its epsilon); UT1 =
# UTC (zarya's default) against Skyfield's real UT1 moves events by up to ~0.7 s measured
# here (|UT1 - UTC| up to 0.6 s: the Earth-fixed track shifts by up to 0.3 km sideways,
# and a low, slow crossing of the 10 degree cone turns that into most of a second). 1 s.
EVENT_TOL_S = 1.0
# The same Earth orientation (``iers`` mode), against Skyfield's altitude located to ~1 ms:
# zarya refines to 0.01 s, and the two frame chains differ by metres (measured: 0.008 s at
# most, median 0.0004 s). 0.05 s.
EVENT_FINE_TOL_S = 0.05
# The elevation error of UT1 = UTC: 0.6 s of rotation moves the observer by up to 0.28 km,
# which seen from the nearest pass (~400 km) is up to 0.04 deg; the DESIGN allows 0.05.
ELEVATION_TOL_DEG = 0.05
# ``iers`` mode: metres at >= 400 km; measured ~0.001 deg, 0.005 leaves room.
ELEVATION_FINE_TOL_DEG = 0.005
# The visibility truth is sampled every second: the true edge lies within 1 s of the first
# (last) visible sample; 1 s more for event-time differences as above.
VISIBLE_EDGE_TOL_S = 2.0
# A visible run shorter than this may be missed by either side (the sampling step plus the
# event-time tolerance).
SHORT_RUN_S = 2.0
# The DESIGN formula on both geometries: 0.05 mag is 2 % in range; the geometries agree
# to a fraction of a km, so the real differences are ~1e-3 mag.
MAGNITUDE_TOL = 0.05
# zarya's brightest magnitude is the minimum over its own samples (10 to 30 s apart) and
# the segment's three points, Skyfield's over 1-s samples: near the brightest instant the
# magnitude changes by under 0.1 in the half-step between samples (measured: 0.04).
BRIGHTEST_TOL = 0.1
# Rigorous pruning of daylight passes: the Sun's altitude changes at most at the Earth's
# rotation rate plus its own motion, 15.04 + 0.04 deg/h, i.e. 0.00419 deg/s. Sun altitudes
# sampled every 30 s bound it everywhere to 15 s x 0.00419 deg/s = 0.063 deg.
SUN_RATE_DEG_S = 15.08 / 3600.0
SUN_NODE_S = 30.0
# Skyfield's own events, located on its altitude: samples every 0.05 s within 0.6 s of the
# time find_events reports (its epsilon is 0.5 s).
FINE_OFFSETS_S = np.linspace(-0.6, 0.6, 25)


# ------------------------------------------------------------------------- helpers
@dataclass
class SkyPass:
    """One pass as Skyfield's find_events reports it, in seconds since the window start;
    ``*_fine``: the same events located on Skyfield's altitude to ~1 ms."""

    rise: float | None = None
    culminations: list[float] = field(default_factory=list)
    set: float | None = None
    rise_fine: float = math.nan
    set_fine: float = math.nan
    culm: float = math.nan  # the highest of ``culminations`` (or the edge where cut)
    culm_fine: float = math.nan
    peak_fine: float = math.nan

    def span(self, window_s: float) -> tuple[float, float]:
        return (0.0 if self.rise is None else self.rise, window_s if self.set is None else self.set)


def sky_passes(t_s: np.ndarray, events: np.ndarray) -> list[SkyPass]:
    """Group find_events' (times, codes) into passes; a pass cut by an edge misses an event."""
    out: list[SkyPass] = []
    cur: SkyPass | None = None
    for t, e in zip(t_s.tolist(), events.tolist(), strict=True):
        if e == 0:
            assert cur is None, f"Skyfield reported a rise at {t:.1f} s inside a pass"
            cur = SkyPass(rise=t)
        elif e == 1:
            cur = cur or SkyPass()
            cur.culminations.append(t)
        else:
            cur = cur or SkyPass()
            cur.set = t
            out.append(cur)
            cur = None
    if cur is not None:
        out.append(cur)
    return out


def runs_of(mask: np.ndarray) -> list[tuple[int, int]]:
    """Inclusive (first, last) index pairs of the True runs of a 1-d mask."""
    edges = np.flatnonzero(np.diff(np.r_[0, mask.astype(np.int8), 0]))
    return [(int(a), int(b) - 1) for a, b in zip(edges[0::2], edges[1::2], strict=True)]


def _angle(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Angle between (3, N) vectors, radians."""
    cross = np.linalg.norm(np.cross(a, b, axis=0), axis=0)
    return np.arctan2(cross, np.einsum("i...,i...->...", a, b))


def design_magnitude(range_km: np.ndarray, phase_rad: np.ndarray) -> np.ndarray:
    """DESIGN: m = m_std + 5 log10(r / 1000 km) - 2.5 log10(sin p + (pi - p) cos p)."""
    p = phase_rad
    return (
        STD_MAGNITUDE
        + 5.0 * np.log10(range_km / 1000.0)
        - 2.5 * np.log10(np.sin(p) + (np.pi - p) * np.cos(p))
    )


class SkyView:
    """Skyfield's view of one satellite from one observer, at seconds since a window start."""

    def __init__(self, ts, eph, sky_sat, t0, nutation, lat, lon, alt_m) -> None:
        self.ts, self.eph, self.sat, self.t0 = ts, eph, sky_sat, t0
        self.nut_s, self.dpsi, self.deps, self.eqeq_h = nutation
        self.topos = wgs84.latlon(lat, lon, elevation_m=alt_m)
        self.observer = eph["earth"] + self.topos
        self.sun = eph["sun"]

    def time(self, seconds: np.ndarray):
        seconds = np.asarray(seconds, dtype=float)
        t = self.ts.tt_jd(self.t0.whole, self.t0.tt_fraction + seconds / 86400.0)
        t._nutation_angles_radians = (
            np.interp(seconds, self.nut_s, self.dpsi),
            np.interp(seconds, self.nut_s, self.deps),
        )
        t.gast = (t.gmst + np.interp(seconds, self.nut_s, self.eqeq_h)) % 24.0
        return t

    def alt(self, seconds: np.ndarray) -> np.ndarray:
        """The satellite's (geometric) altitude, degrees."""
        return (self.sat - self.topos).at(self.time(seconds)).altaz()[0].degrees

    def at(self, seconds: np.ndarray) -> dict[str, np.ndarray]:
        """Satellite altitude, sunlit flag, Sun altitude (apparent), range and phase angle."""
        t = self.time(seconds)
        topo = (self.sat - self.topos).at(t)
        sun = self.observer.at(t).observe(self.sun).apparent()
        d = topo.position.km  # observer -> satellite, GCRS
        s = sun.position.km  # observer -> Sun, GCRS
        return {
            "alt": topo.altaz()[0].degrees,
            "sunlit": self.sat.at(t).is_sunlit(self.eph),
            "sun_alt": sun.altaz()[0].degrees,
            "range_km": np.linalg.norm(d, axis=0),
            "phase_rad": _angle(s - d, -d),
        }

    def passes(self, window_end_t, span_s: float) -> list[SkyPass]:
        """find_events' passes above the threshold, each event also located finely."""
        t, ev = self.sat.find_events(
            self.topos, self.t0, window_end_t, altitude_degrees=THRESHOLD_DEG
        )
        sec = (t.whole - self.t0.whole) * 86400.0 + (t.tt_fraction - self.t0.tt_fraction) * 86400.0
        passes = sky_passes(np.clip(sec, 0.0, span_s), np.asarray(ev))
        self._refine(passes, span_s)
        return passes

    def _refine(self, passes: list[SkyPass], span_s: float) -> None:
        rows = []  # (pass, kind, centre)
        for sp in passes:
            rows += [(sp, "rise", sp.rise)] if sp.rise is not None else []
            rows += [(sp, "culm", c) for c in sp.culminations]
            rows += [(sp, "set", sp.set)] if sp.set is not None else []
            rows += [(sp, "edge", e) for e in (0.0, span_s)]
        if not rows:
            return
        grid = np.clip(np.array([c for _, _, c in rows])[:, None] + FINE_OFFSETS_S, 0, span_s)
        alt = self.alt(grid.ravel()).reshape(grid.shape)
        for (sp, kind, _), g, a in zip(rows, grid, alt, strict=True):
            if kind in ("rise", "set"):
                d = a - THRESHOLD_DEG
                j = np.flatnonzero(np.sign(d[:-1]) != np.sign(d[1:]))
                assert len(j) == 1, f"Skyfield's {kind} is not within 0.6 s of a crossing"
                j = int(j[0])
                t = g[j] - d[j] * (g[j + 1] - g[j]) / (d[j + 1] - d[j])
                setattr(sp, f"{kind}_fine", float(t))
            elif kind == "culm":
                j = int(np.argmax(a))
                assert 0 < j < len(a) - 1, "Skyfield's culmination is over 0.6 s off"
                y0, y1, y2 = a[j - 1], a[j], a[j + 1]
                h = g[1] - g[0]
                den = y0 - 2 * y1 + y2
                x = 0.5 * (y0 - y2) / den
                peak = y1 - 0.25 * (y0 - y2) * x
                if not peak <= sp.peak_fine:  # NaN or higher: the highest culmination wins
                    sp.culm, sp.culm_fine, sp.peak_fine = g[12], g[j] + x * h, float(peak)
            elif not sp.culminations and (
                (g[12] == 0.0 and sp.rise is None) or (g[12] == span_s and sp.set is None)
            ):
                # Skyfield found no maximum inside the window: the highest point is the edge
                sp.culm = sp.culm_fine = g[12]
                sp.peak_fine = float(a[12])


def nutation_nodes(ts, t0, span_s: float):
    """Skyfield's IAU 2000A nutation (dpsi, deps, radians) and equation of the equinoxes
    (GAST - GMST, hours) on hourly nodes over the window."""
    nodes = np.arange(-3600.0, span_s + 7200.0, 3600.0)
    t = ts.tt_jd(t0.whole, t0.tt_fraction + nodes / 86400.0)
    dpsi, deps = iau2000a_radians(t)
    eqeq_h = (t.gast - t.gmst + 12.0) % 24.0 - 12.0
    return nodes, dpsi, deps, eqeq_h


def seconds_of(when: datetime, start: datetime) -> float:
    return (when - start).total_seconds()


def pick_windows(rng: np.random.Generator):
    """(window, element set) pairs: random starts around epochs inside the dense periods."""
    sets = bundled_sets()
    epochs = np.array([e.epoch_jd_total for e in sets])
    dense = [k for k, e in enumerate(sets) if any(a <= e.epoch < b for a, b in DENSE_PERIODS)]
    chosen = rng.choice(dense, size=N_WINDOWS, replace=False)
    out = []
    for k in chosen:
        offset = float(rng.uniform(1.0, DAYS - 1.0)) * 86400.0
        start = (sets[k].epoch - timedelta(seconds=offset)).replace(microsecond=0)
        window = Window.days(start, DAYS)
        middle = window.start + timedelta(days=DAYS / 2)
        mid_jd = 2440587.5 + (middle - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds() / 86400
        nearest = sets[int(np.argmin(np.abs(epochs - mid_jd)))]
        out.append((window, nearest))
    return out


def random_observers(rng: np.random.Generator, n: int):
    """Uniform on the sphere between 70 S and 70 N, heights 0-3000 m."""
    s = np.sin(np.radians(70.0))
    lat = np.degrees(np.arcsin(rng.uniform(-s, s, n)))
    lon = rng.uniform(-180.0, 180.0, n)
    alt = rng.uniform(0.0, 3000.0, n)
    return lat, lon, alt


# ---------------------------------------------------------------------- comparison
@dataclass
class Stats:
    """What one mode's comparison measured; lists of differences are zarya - Skyfield."""

    passes: int = 0
    paired: int = 0
    cut: int = 0
    unpaired: list[tuple[str, float]] = field(default_factory=list)  # (who, peak elevation)
    edge_ambiguous: list[str] = field(default_factory=list)
    dt: dict[str, list[float]] = field(
        default_factory=lambda: {"rise": [], "culmination": [], "set": []}
    )
    dt_fine: dict[str, list[float]] = field(
        default_factory=lambda: {"rise": [], "culmination": [], "set": []}
    )
    del_at_zarya: list[float] = field(default_factory=list)
    del_peak: list[float] = field(default_factory=list)
    del_at_sky_culm: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


@dataclass
class Visibility:
    checked: int = 0
    pruned_daylight: int = 0
    segments: int = 0
    seconds_sampled: int = 0
    edge: list[float] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    short_ignored: int = 0
    pruned_but_visible: list[str] = field(default_factory=list)
    dmag: list[float] = field(default_factory=list)
    dbrightest: list[float] = field(default_factory=list)


@dataclass
class Comparison:
    observers: int = 0
    windows: list[str] = field(default_factory=list)
    modes: dict[str, Stats] = field(default_factory=lambda: {m: Stats() for m in MODES})
    vis: Visibility = field(default_factory=Visibility)
    runtime_s: float = 0.0


def _pair(zarya_spans, sky: list[SkyPass], span_s: float):
    """Pair passes whose [start, end] intervals overlap (one to one)."""
    pairs, used = [], set()
    for zp, (za, zb) in zarya_spans:
        match = [
            i
            for i, sp in enumerate(sky)
            if i not in used and sp.span(span_s)[0] < zb + 1.0 and za < sp.span(span_s)[1] + 1.0
        ]
        assert len(match) <= 1, f"one zarya pass overlaps {len(match)} Skyfield passes"
        if match:
            used.add(match[0])
        pairs.append((zp, sky[match[0]] if match else None))
    lonely = [sp for i, sp in enumerate(sky) if i not in used]
    return pairs, lonely


def _zarya_span(p, window) -> tuple[float, float]:
    a = 0.0 if p.rise is None else seconds_of(p.rise.time, window.start)
    b = window.span_s if p.set is None else seconds_of(p.set.time, window.start)
    return a, b


def _compare_events(st: Stats, view: SkyView, passes, sky, window, tag: str):
    span, start = window.span_s, window.start
    pairs, lonely = _pair([(p, _zarya_span(p, window)) for p in passes], sky, span)
    st.passes += len(passes)

    # Skyfield's altitude at zarya's culminations and at the window edges, in one call
    z_culm = np.array([seconds_of(p.culmination.time, start) for p, _ in pairs])
    pt = np.r_[0.0, span, z_culm, [sp.culm for _, sp in pairs if sp is not None]]
    alt = view.alt(pt)
    edge_alt = {"rise": float(alt[0]), "set": float(alt[1])}
    at_zarya = alt[2 : 2 + len(pairs)]
    at_sky = iter(alt[2 + len(pairs) :])

    for (p, sp), alt_z in zip(pairs, at_zarya, strict=True):
        peak = p.culmination.elevation_deg
        who = f"{tag} pass at {p.culmination.time:%Y-%m-%d %H:%M:%S}"
        if sp is None:
            st.unpaired.append((f"zarya only: {who}", peak))
            continue
        st.paired += 1
        st.cut += p.rise is None or p.set is None
        for name, z_ev, s_ev, s_fine in (
            ("rise", p.rise, sp.rise, sp.rise_fine),
            ("set", p.set, sp.set, sp.set_fine),
        ):
            if (z_ev is None) != (s_ev is None):
                msg = f"{who}: {name} zarya={z_ev is not None} Skyfield={s_ev is not None}"
                # an edge within the elevation tolerance of the threshold is ambiguous
                if abs(edge_alt[name] - THRESHOLD_DEG) <= ELEVATION_TOL_DEG:
                    st.edge_ambiguous.append(msg)
                else:
                    st.failures.append(f"{msg} (Skyfield alt at edge {edge_alt[name]:.3f})")
            elif z_ev is None:
                # cut by the window: Skyfield too sees the satellite above the threshold there
                if edge_alt[name] < THRESHOLD_DEG - ELEVATION_TOL_DEG:
                    st.failures.append(f"{who}: cut, Skyfield alt {edge_alt[name]:.3f} at edge")
            else:
                t_z = seconds_of(z_ev.time, start)
                st.dt[name].append(t_z - s_ev)
                st.dt_fine[name].append(t_z - s_fine)
        c = seconds_of(p.culmination.time, start)
        st.dt["culmination"].append(c - sp.culm)
        st.dt_fine["culmination"].append(c - sp.culm_fine)
        st.del_at_zarya.append(float(alt_z) - peak)
        st.del_peak.append(sp.peak_fine - peak)
        st.del_at_sky_culm.append(float(next(at_sky)) - peak)

    for sp in lonely:
        a, b = sp.span(span)
        st.unpaired.append((f"Skyfield only: {tag} pass at {a:.0f}-{b:.0f} s", sp.peak_fine))
    return pairs, lonely


def _compare_visibility(vs: Visibility, view: SkyView, pairs, lonely, window, tag) -> None:
    span, start = window.span_s, window.start
    intervals = []
    for p, sp in pairs:
        a, b = _zarya_span(p, window)
        if sp is not None:
            sa, sb = sp.span(span)
            a, b = min(a, sa), max(b, sb)
        intervals.append((p, a, b))
    # a grazing pass only Skyfield reports is checked as unpaired; its samples show nothing
    # zarya could be compared with
    if not intervals:
        return

    # 1. Sun altitude on 30-s nodes: passes in daylight throughout cannot be visible
    node_lists = [
        np.linspace(a, b, max(2, math.ceil((b - a) / SUN_NODE_S) + 1)) for _, a, b in intervals
    ]
    sun_nodes = view.at(np.concatenate(node_lists))["sun_alt"]
    bound = SUN_RATE_DEG_S * SUN_NODE_S / 2.0 + 1e-3
    k = 0
    sampled = []
    for (p, a, b), nodes in zip(intervals, node_lists, strict=True):
        lowest = float(np.min(sun_nodes[k : k + len(nodes)]))
        k += len(nodes)
        if lowest > SUN_LIMIT_DEG + bound:
            vs.pruned_daylight += 1
            if p.visible is not None:
                vs.pruned_but_visible.append(
                    f"{tag} {p.culmination.time}: visible in zarya, Sun >= {lowest:.2f} deg"
                )
            continue
        sampled.append((p, np.arange(math.ceil(a), math.floor(b) + 1, dtype=float)))
    if not sampled:
        return

    # 2. every second of the remaining passes, in one Skyfield call
    secs = np.concatenate([s for _, s in sampled])
    vs.seconds_sampled += len(secs)
    sv = view.at(secs)
    visible = sv["sunlit"] & (sv["sun_alt"] <= SUN_LIMIT_DEG) & (sv["alt"] >= THRESHOLD_DEG)
    mags = design_magnitude(sv["range_km"], sv["phase_rad"])
    k = 0
    segments = []
    for p, s in sampled:
        vis, mag = visible[k : k + len(s)], mags[k : k + len(s)]
        k += len(s)
        vs.checked += 1
        runs = [(s[i], s[j]) for i, j in runs_of(vis)]
        zv = p.visible
        who = f"{tag} pass at {p.culmination.time:%Y-%m-%d %H:%M:%S}"
        if zv is None:
            long_runs = [(a, b) for a, b in runs if b - a + 1 >= SHORT_RUN_S]
            if long_runs:
                vs.missing.append(f"{who}: Skyfield visible {long_runs} s, zarya not")
            vs.short_ignored += len(runs) - len(long_runs)
            continue
        z0, z1 = seconds_of(zv.start.time, start), seconds_of(zv.end.time, start)
        # the Skyfield run that overlaps zarya's segment the most
        overlap = [min(z1, r1 + 1) - max(z0, r0 - 1) for r0, r1 in runs]
        if not runs or max(overlap) <= 0:
            if z1 - z0 >= SHORT_RUN_S:
                vs.missing.append(f"{who}: zarya visible {z0:.0f}-{z1:.0f} s, Skyfield not")
            else:
                vs.short_ignored += 1
            continue
        vs.segments += 1
        r0, r1 = runs[int(np.argmax(overlap))]
        if max(b - a for a, b in runs) - (r1 - r0) > 2 * VISIBLE_EDGE_TOL_S:
            vs.missing.append(f"{who}: zarya's segment is not Skyfield's longest run")
        vs.edge += [z0 - r0, z1 - r1]
        inside = (s >= r0) & (s <= r1)
        vs.dbrightest.append(zv.brightest_magnitude - float(np.min(mag[inside])))
        segments.append(zv)

    # 3. magnitudes at zarya's segment points, on Skyfield's geometry
    if segments:
        points = [q for v in segments for q in (v.start, v.peak, v.end)]
        g = view.at(np.array([seconds_of(q.time, start) for q in points]))
        zm = np.array([q.magnitude for q in points])
        vs.dmag += (zm - design_magnitude(g["range_km"], g["phase_rad"])).tolist()


@pytest.fixture(scope="module")
def comparison(skyfield_ts, skyfield_eph) -> Comparison:
    began = time.perf_counter()
    rng = np.random.default_rng(SEED)
    out = Comparison()
    options = PassOptions(min_elevation_deg=THRESHOLD_DEG, sun_limit_deg=SUN_LIMIT_DEG)
    ts = skyfield_ts
    for w, (window, elements) in enumerate(pick_windows(rng)):
        lat, lon, alt = random_observers(rng, N_OBSERVERS)
        observers = Observers(lat, lon, alt)
        t0, t1 = ts.from_datetime(window.start), ts.from_datetime(window.end)
        dut1 = float(ts.from_datetime(window.start + timedelta(days=DAYS / 2)).dut1)
        sat = Satellite([elements])
        results = {
            "default": find_passes(Ephemeris(sat, window), observers, options),
            "iers": find_passes(Ephemeris(sat, window, dut1_s=dut1), observers, options),
        }
        out.windows.append(
            f"w{w} {window.start:%Y-%m-%dT%H:%M:%S} elements {elements.epoch:%Y-%m-%d %H:%M} "
            f"UT1-UTC {dut1:+.3f} s"
        )
        sky_sat = EarthSatellite(elements.line1, elements.line2, ts=ts)
        nutation = nutation_nodes(ts, t0, window.span_s)
        for j in range(N_OBSERVERS):
            view = SkyView(ts, skyfield_eph, sky_sat, t0, nutation, lat[j], lon[j], alt[j])
            tag = f"w{w} obs({lat[j]:.3f}, {lon[j]:.3f}, {alt[j]:.0f} m)"
            sky = view.passes(t1, window.span_s)
            for mode in MODES:
                pairs, lonely = _compare_events(
                    out.modes[mode], view, results[mode][j], sky, window, tag
                )
                if mode == "default":
                    _compare_visibility(out.vis, view, pairs, lonely, window, tag)
            out.observers += 1
    out.runtime_s = time.perf_counter() - began
    _report(out)
    return out


def _maxabs(values) -> float:
    return float(np.max(np.abs(values))) if len(values) else 0.0


def _report(c: Comparison) -> None:
    print(f"\nSkyfield comparison, {c.observers} observers x {DAYS:g} days ({c.runtime_s:.1f} s):")
    for line in c.windows:
        print("  " + line)
    for mode, s in c.modes.items():
        print(
            f"  [{mode}] {s.passes} zarya passes, {s.paired} paired ({s.cut} cut by a window "
            f"edge), {len(s.unpaired)} unpaired, {len(s.edge_ambiguous)} ambiguous edges"
        )
        for name in ("rise", "culmination", "set"):
            print(
                f"    max |dt| {name:<11}: {_maxabs(s.dt[name]):.3f} s vs find_events, "
                f"{_maxabs(s.dt_fine[name]):.3f} s vs Skyfield's altitude"
                f" (median {np.median(np.abs(s.dt_fine[name])):.4f} s)"
            )
        print(
            f"    max |d elevation|: {_maxabs(s.del_at_zarya):.4f} deg at zarya's culmination, "
            f"{_maxabs(s.del_peak):.4f} deg Skyfield's maximum, "
            f"{_maxabs(s.del_at_sky_culm):.4f} deg at find_events' culmination"
        )
        for who, peak in s.unpaired:
            print(f"    unpaired: {who}, peak {peak:.3f} deg")
    v = c.vis
    print(
        f"  visibility [default]: {v.checked} passes sampled every 1 s ({v.seconds_sampled} s),"
        f" {v.pruned_daylight} in daylight throughout, {v.segments} segments compared, "
        f"{v.short_ignored} runs under {SHORT_RUN_S:g} s ignored, {len(v.missing)} missed"
    )
    print(f"    max |d visible edge|: {_maxabs(v.edge):.3f} s")
    print(f"    max |d magnitude| at start/peak/end: {_maxabs(v.dmag):.4f}")
    print(f"    max |d brightest magnitude| (zarya's samples vs 1-s): {_maxabs(v.dbrightest):.4f}")
    for line in v.missing:
        print(f"    missed: {line}")


# --------------------------------------------------------------------------- tests
def test_shortcut_is_skyfield(skyfield_ts, skyfield_eph) -> None:
    """The interpolated nutation and equation of the equinoxes change nothing measurable:
    against Skyfield's full computation (IAU 2000A at every instant) at 500 random instants
    of a window, satellite and Sun altitudes agree to 1e-8 degree, the sunlit flag exactly.
    (Measured: 3e-13 and 1e-9 degree.)"""
    ts = skyfield_ts
    rng = np.random.default_rng(SEED)
    window, elements = pick_windows(rng)[0]
    t0 = ts.from_datetime(window.start)
    sat = EarthSatellite(elements.line1, elements.line2, ts=ts)
    nutation = nutation_nodes(ts, t0, window.span_s)
    view = SkyView(ts, skyfield_eph, sat, t0, nutation, 40.0, 10.0, 100.0)
    s = rng.uniform(0.0, window.span_s, 500)
    fast = view.at(s)
    t = ts.tt_jd(t0.whole, t0.tt_fraction + s / 86400.0)  # untouched: IAU 2000A everywhere
    alt = (sat - view.topos).at(t).altaz()[0].degrees
    sun_alt = view.observer.at(t).observe(view.sun).apparent().altaz()[0].degrees
    np.testing.assert_allclose(fast["alt"], alt, rtol=0, atol=1e-8)
    np.testing.assert_allclose(fast["sun_alt"], sun_alt, rtol=0, atol=1e-8)
    np.testing.assert_array_equal(fast["sunlit"], sat.at(t).is_sunlit(skyfield_eph))


def test_coverage(comparison: Comparison) -> None:
    """The comparison covers what it claims: 200 observers, thousands of passes, nights."""
    assert comparison.observers >= 200
    for s in comparison.modes.values():
        assert s.paired > 5000
        assert s.cut >= 3  # ~1 % of the time in a pass: a few of the 400 edges cut one
        assert not s.failures, "\n".join(s.failures[:20])
    assert comparison.vis.segments > 500


@pytest.mark.parametrize("mode", MODES)
def test_same_passes(comparison: Comparison, mode: str) -> None:
    """Both find the same passes; only a grazing one (peak within the elevation tolerance
    of the threshold) may be missing from either, and the cut passes correspond."""
    s = comparison.modes[mode]
    for who, peak in s.unpaired:
        assert abs(peak - THRESHOLD_DEG) <= ELEVATION_TOL_DEG, f"{who}: peak {peak:.3f}"
    assert len(s.unpaired) <= 0.002 * s.passes
    assert len(s.edge_ambiguous) <= 2, s.edge_ambiguous


@pytest.mark.parametrize("event", ["rise", "culmination", "set"])
@pytest.mark.parametrize("mode", MODES)
def test_event_times(comparison: Comparison, mode: str, event: str) -> None:
    s = comparison.modes[mode]
    assert len(s.dt[event]) > 5000
    assert _maxabs(s.dt[event]) <= EVENT_TOL_S
    fine_tol = EVENT_FINE_TOL_S if mode == "iers" else EVENT_TOL_S
    assert _maxabs(s.dt_fine[event]) <= fine_tol


@pytest.mark.parametrize("mode", MODES)
def test_maximum_elevation(comparison: Comparison, mode: str) -> None:
    s = comparison.modes[mode]
    tol = ELEVATION_FINE_TOL_DEG if mode == "iers" else ELEVATION_TOL_DEG
    assert _maxabs(s.del_at_zarya) <= tol  # Skyfield's altitude at zarya's culmination
    assert _maxabs(s.del_peak) <= tol  # Skyfield's own maximum
    # find_events' raw culmination time (half a second) can only be lower than the maximum
    assert max(s.del_at_sky_culm) <= tol


def test_visible_segment_edges(comparison: Comparison) -> None:
    """zarya's segment starts and ends where Skyfield's 1-s samples do; no pass zarya
    calls visible is in daylight throughout."""
    v = comparison.vis
    assert not v.pruned_but_visible, v.pruned_but_visible[:5]
    assert _maxabs(v.edge) <= VISIBLE_EDGE_TOL_S


def test_no_visible_run_missed(comparison: Comparison) -> None:
    """Every visible run of 2 s or more in Skyfield's 1-s samples is in zarya's results and
    the other way round (runs at a pass's very start or end, shorter than zarya's
    sampling step, included)."""
    assert not comparison.vis.missing, "\n".join(comparison.vis.missing[:10])


def test_magnitudes(comparison: Comparison) -> None:
    v = comparison.vis
    assert len(v.dmag) == 3 * v.segments
    assert np.all(np.isfinite(v.dmag))
    assert _maxabs(v.dmag) <= MAGNITUDE_TOL
    # zarya's brightest cannot be brighter than the 1-s truth, nor much fainter
    assert min(v.dbrightest) >= -MAGNITUDE_TOL
    assert max(v.dbrightest) <= BRIGHTEST_TOL
