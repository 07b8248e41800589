"""Sky charts: one pass drawn on the observer's sky.

The chart is polar: the zenith at the centre, the horizon on the outer circle. A point at
azimuth ``A`` and elevation ``E`` (degrees) is drawn at polar angle ``A`` and radius
``90 - E`` (zenith distance, linear in degrees). North is at the top and east on the left:
the sky as seen looking up, as on a star chart held overhead.

The path runs from rise to set (at the pass's threshold), sampled every 2 s, and is drawn
in three styles by the light the satellite is in (:data:`LIGHT_STYLES`):

* ``visible``: sunlit, and the observer's Sun at or below the limit (-6 degrees): a bright
  solid line. Inside the pass's visible segment
  (:class:`~zarya.domain.pass_table.VisibleSegment`) the path is always drawn visible, so
  that the picture agrees with ``zarya passes``;
* ``shadow``: in the Earth's shadow (the Sun's centre below the Earth's limb seen from the
  satellite): a dark dashed line;
* ``daylight``: sunlit but the observer's sky too bright (the Sun above the limit): grey.

Whole minutes are ticked and labelled in the local time of the place; where the pass
appears, culminates and disappears is marked with the time and the magnitude. Labels are
placed so that none overlaps another (:class:`~zarya.render.common.LabelPlacer`); a minute
label that finds no free place is left out (its tick stays).

Typical use (the web page calls :func:`sky_chart_svg`)::

    eph = Ephemeris(sat, window)
    passes = find_passes(eph, observer, options)[0]
    k, p = choose_pass(passes)
    sky = sky_pass(eph, observer, p, number=k + 1, total=len(passes))
    save_sky_chart(sky, "pass.png", place="Astana, KZ", zone=ZoneInfo("Asia/Almaty"))
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..domain.light import SHADOW_HEIGHT_KM, sun_elevation_deg, sunlit_margin_deg
from ..domain.pass_table import LookPoint, Pass
from ..domain.visibility import magnitudes
from ..engine.ephemeris import Ephemeris
from ..engine.failures import FailedStretch, reason
from ..engine.look import Observer, Observers, compass
from ..engine.timescale import iso_z
from ..errors import PropagationError, TimeRangeError, param
from . import common

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "LIGHT_STYLES",
    "SkyPass",
    "choose_pass",
    "sky_pass",
    "sky_chart_figure",
    "sky_chart_svg",
    "save_sky_chart",
]

SAMPLE_STEP_S = 2.0
VISIBLE, SHADOW, DAYLIGHT = "visible", "shadow", "daylight"
LIGHT_STYLES: dict[str, dict[str, Any]] = {
    VISIBLE: {"color": "#f08c00", "linestyle": "-", "linewidth": 4.5,
              "label": "visible: sunlit, dark sky"},
    SHADOW: {"color": "#1f2840", "linestyle": "--", "linewidth": 2.2,
             "label": "in the Earth's shadow"},
    DAYLIGHT: {"color": "#9a9a9a", "linestyle": "-", "linewidth": 3.0,
               "label": "sunlit, sky too bright"},
}  # fmt: skip
SKY_COLOR = "#f2f5fa"
GRID_COLOR = "#c3ccdb"
INK = "#1e2430"
_STARTS = {
    "rise": "it rises",
    "leaves_shadow": "it leaves the Earth's shadow",
    "twilight": "the sky is dark enough",
    "window_start": "the window starts",
}
_ENDS = {
    "set": "it sets",
    "enters_shadow": "it enters the Earth's shadow",
    "twilight": "the sky gets too bright",
    "window_end": "the window ends",
}


@dataclass(frozen=True)
class SkyPass:
    """One pass sampled for drawing, with where it appears, culminates and disappears.

    ``t_s`` (T,) seconds from ``window_start`` (every 2 s from rise to set, plus the
    instants of the pass's events); ``azimuth_deg``, ``elevation_deg`` (geometric),
    ``range_km``, ``magnitude`` and ``light`` (``"visible"``, ``"shadow"`` or
    ``"daylight"``), each (T,). ``tick_t_s``, ``tick_azimuth_deg``, ``tick_elevation_deg``
    (M,): the whole minutes (UTC, hence local) inside the pass. ``number`` and ``total``:
    the pass's place in its search (1-based), when known.
    """

    satellite: str
    observer: Observer
    window_start: datetime
    passage: Pass
    min_elevation_deg: float
    sun_limit_deg: float
    t_s: np.ndarray
    azimuth_deg: np.ndarray
    elevation_deg: np.ndarray
    range_km: np.ndarray
    magnitude: np.ndarray
    light: np.ndarray
    tick_t_s: np.ndarray
    tick_azimuth_deg: np.ndarray
    tick_elevation_deg: np.ndarray
    number: int | None = None
    total: int | None = None

    def time(self, t_s: float) -> datetime:
        """The instant ``t_s`` seconds after the window's start (UTC)."""
        return self.window_start + timedelta(seconds=float(t_s))

    @property
    def theta_rad(self) -> np.ndarray:
        """Polar angle of each sample: the azimuth, radians (unwrapped across north)."""
        return np.unwrap(np.radians(self.azimuth_deg))

    @property
    def radius_deg(self) -> np.ndarray:
        """Polar radius of each sample: the zenith distance, 90 - elevation, degrees."""
        return 90.0 - self.elevation_deg

    def runs(self) -> list[tuple[str, int, int]]:
        """(light, first, last) index runs of one light; consecutive runs share a point."""
        out = []
        start = 0
        n = len(self.light)
        for i in range(1, n + 1):
            if i == n or self.light[i] != self.light[start]:
                out.append((str(self.light[start]), start, min(i, n - 1)))
                start = i
        return out


def choose_pass(
    passes: list[Pass],
    number: int | None = None,
    *,
    where: str = "",
    window: tuple[datetime, datetime] | None = None,
    min_elevation_deg: float = 10.0,
    failures: list[FailedStretch] | None = None,
) -> tuple[int, Pass]:
    """The pass to draw: the ``number``-th (1-based), else the first visible, else the first.

    Returns (index, pass). Raises :class:`~zarya.errors.TimeRangeError` when the list is
    empty or ``number`` is beyond it; ``where`` and ``window`` only shape the message.
    ``failures``: the stretches where SGP4 failed
    (:meth:`~zarya.engine.ephemeris.Ephemeris.failed_stretches`); with no pass found and some,
    the error is a :class:`~zarya.errors.PropagationError` that names them (a decayed
    satellite: a longer window would not help).
    """
    span = ""
    if window is not None:
        span = f" from {iso_z(window[0], 0)} to {iso_z(window[1], 0)}"
    place = f" over {where}" if where else ""
    failed = ""
    if failures:
        failed = "; ".join(
            f"from {iso_z(f.start)} to {iso_z(f.end)} ({reason(f.code)})"
            for f in failures
        )
    if not passes:
        if failures:
            raise PropagationError(
                f"no pass above {min_elevation_deg:g} degrees{place}{span}: SGP4 fails "
                f"{failed}, and no pass falls where it propagates",
                code=failures[0].code,
            )
        raise TimeRangeError(
            f"no pass above {min_elevation_deg:g} degrees{place}{span}: try a longer "
            f"{param('days')}, a later {param('from')} or a lower {param('min_elevation')}"
        )
    if number is not None:
        if not 1 <= number <= len(passes):
            hint = f"SGP4 fails {failed}" if failures else f"or a longer {param('days')}"
            raise TimeRangeError(
                f"{param('pass')} {number} is beyond the {len(passes)} pass"
                f"{'es' if len(passes) != 1 else ''}{place}{span}: expected 1 to "
                f"{len(passes)} ({hint})",
                parameter="pass",
                value=number,
                limit=len(passes),
            )
        return number - 1, passes[number - 1]
    for k, p in enumerate(passes):
        if p.visible is not None:
            return k, p
    return 0, passes[0]


def sky_pass(
    eph: Ephemeris,
    observer: Observer,
    passage: Pass,
    *,
    min_elevation_deg: float = 10.0,
    sun_limit_deg: float = -6.0,
    step_s: float = SAMPLE_STEP_S,
    number: int | None = None,
    total: int | None = None,
    shadow_height_km: float = SHADOW_HEIGHT_KM,
    extinction: bool = True,
) -> SkyPass:
    """Sample ``passage`` (found on ``eph`` for ``observer``) for a sky chart.

    Look angles are geometric, from the Hermite-interpolated ephemeris; the light of each
    sample follows the definitions of :mod:`zarya.domain.visibility` (shadow margin, the observer's
    Sun against ``sun_limit_deg``); magnitudes follow :func:`zarya.domain.light.magnitude`.
    """

    window = eph.window
    # a pass cut by the window or by an sgp4 failure (decay) is drawn up to that edge
    t_culm = (passage.culmination.time - window.start).total_seconds()
    lo, hi = eph.valid_span(np.array([t_culm]))
    t0 = (passage.rise.time - window.start).total_seconds() if passage.rise else float(lo[0])
    t1 = (passage.set.time - window.start).total_seconds() if passage.set else float(hi[0])
    start, end = window.instant(t0), window.instant(t1)
    events = [t0, t1, (passage.culmination.time - window.start).total_seconds()]
    stretches = passage.stretches or ((passage.visible,) if passage.visible else ())
    for vis in stretches:
        events += [(p.time - window.start).total_seconds() for p in (vis.start, vis.peak, vis.end)]
    grid = np.arange(t0, t1, step_s)
    t = np.unique(np.clip(np.concatenate((grid, events)), t0, t1))

    obs = Observers.of(observer)
    idx = np.zeros(len(t), dtype=np.int64)
    r = eph.position(t)
    sun = eph.sun(t)
    az, el, rng, _ = obs.look(r, idx)
    mag = magnitudes(eph, obs, t, idx, r, extinction=extinction)
    lit = sunlit_margin_deg(r, sun, shadow_height_km) >= 0.0
    dark_sky = sun_elevation_deg(sun, obs.r_km[idx], obs.up[idx]) <= sun_limit_deg
    light = np.where(~lit, SHADOW, np.where(dark_sky, VISIBLE, DAYLIGHT)).astype(object)
    for vis in stretches:
        a = (vis.start.time - window.start).total_seconds()
        b = (vis.end.time - window.start).total_seconds()
        light[(t >= a) & (t <= b)] = VISIBLE

    # whole minutes inside the pass (local minutes are UTC minutes: offsets are whole)
    first = start.replace(second=0, microsecond=0) + timedelta(minutes=1)
    ticks = []
    m = first
    while m < end:
        ticks.append((m - window.start).total_seconds())
        m += timedelta(minutes=1)
    tick_t = np.array(ticks, dtype=float)
    if len(tick_t):
        taz, tel, _, _ = obs.look(eph.position(tick_t), np.zeros(len(tick_t), dtype=np.int64))
    else:
        taz = tel = np.zeros(0)
    return SkyPass(
        eph.satellite.name, observer, window.start, passage, min_elevation_deg, sun_limit_deg,
        t, az, el, rng, mag, np.asarray(light, dtype=str), tick_t, taz, tel, number, total,
    )


# ----------------------------------------------------------------------- drawing
def _local(when: datetime, zone: tzinfo, fmt: str = "%H:%M:%S") -> str:
    return when.astimezone(zone).strftime(fmt)


def zone_label(zone: tzinfo, when: datetime) -> str:
    """``"Asia/Almaty (UTC+06:00)"``, or ``"UTC"``."""
    name = getattr(zone, "key", None) or str(zone)
    offset = when.astimezone(zone).utcoffset() or timedelta(0)
    if name.upper() == "UTC" and not offset:
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "\u2212"
    h, m = divmod(abs(minutes), 60)
    return f"{name} (UTC{sign}{h:02d}:{m:02d})"


def _mag(m: float | None) -> str:
    if m is None or not np.isfinite(m):
        return ""
    return f"{m:+.1f}".replace("-", "\u2212")


def _minutes(seconds: float) -> str:
    m, s = divmod(int(round(seconds)), 60)
    return f"{m} min {s:02d} s" if m else f"{s} s"


@dataclass(frozen=True)
class _Event:
    name: str
    point: LookPoint
    mag: float | None
    marker: str
    face: str


def _events(sky: SkyPass) -> tuple[list[_Event], list[tuple[str, LookPoint, float | None]]]:
    """Events to mark on the chart, and the rows of the table (name, point, magnitude):
    each visible stretch appears and disappears (numbered when there are several)."""
    p = sky.passage
    stretches = p.stretches or ((p.visible,) if p.visible is not None else ())
    culm = p.culmination
    culm_mag = next((v.peak.magnitude for v in stretches
                     if v.start.time <= culm.time <= v.end.time), None)
    seen = any(v.start.time <= culm.time <= v.end.time for v in stretches)
    marks = [_Event("Highest", culm, culm_mag, "o", LIGHT_STYLES[VISIBLE]["color"]
                    if seen else "white")]
    rows: list[tuple[str, LookPoint, float | None]] = []
    if p.rise is not None:
        rows.append(("Rises", p.rise, None))
    for k, vis in enumerate(stretches, start=1):
        tag = f" {k}" if len(stretches) > 1 else ""
        marks.insert(0, _Event("Appears" + tag, vis.start, vis.start.magnitude, "o", "#2f9e44"))
        marks.append(_Event("Disappears" + tag, vis.end, vis.end.magnitude, "o", "#c92a2a"))
        rows += [("Appears" + tag, vis.start, vis.start.magnitude),
                 ("Disappears" + tag, vis.end, vis.end.magnitude)]
    if not stretches:
        if p.rise is not None:
            marks.insert(0, _Event("Rises", p.rise, None, "o", "white"))
        if p.set is not None:
            marks.append(_Event("Sets", p.set, None, "o", "white"))
    rows.append(("Highest", culm, culm_mag))
    if p.set is not None:
        rows.append(("Sets", p.set, None))
    rows.sort(key=lambda row: (row[1].time, row[0] != "Highest"))
    return marks, rows


def sky_chart_figure(
    sky: SkyPass,
    *,
    place: str,
    zone: tzinfo = UTC,
    width_px: int = common.WIDTH_PX,
    height_px: int = common.HEIGHT_PX,
    dpi: int = common.DPI,
) -> Figure:
    """The sky chart of one pass as a matplotlib Figure (``width_px`` x ``height_px``).

    ``place`` names the observer in the title; times are shown in ``zone``.
    """
    with common.rc_context():
        return _build(sky, place, zone, width_px, height_px, dpi)


def _build(sky: SkyPass, place: str, zone: tzinfo, W: int, H: int, dpi: int) -> Figure:
    from matplotlib.lines import Line2D
    from matplotlib.markers import MarkerStyle
    from matplotlib.transforms import Affine2D

    fig = common.new_figure(W, H, dpi)
    fig.patch.set_facecolor("white")
    margin = 0.07 * H
    radius = H / 2.0 - margin
    cx, cy = margin + radius + 0.01 * W, H / 2.0
    panel_x = cx + radius + 0.06 * W
    ax: Axes = fig.add_axes(
        common.px_rect(fig, cx - radius, cy - radius, 2 * radius, 2 * radius), projection="polar"
    )
    ax.set_theta_zero_location("N")
    ax.set_theta_direction(1)  # counter-clockwise: east on the left, looking up
    ax.set_rlim(0.0, 90.0)
    ax.set_facecolor(SKY_COLOR)
    ax.set_rticks([30.0, 60.0, 90.0])
    ax.set_yticklabels([])
    ax.set_xticks(np.radians(np.arange(0.0, 360.0, 45.0)))
    ax.set_xticklabels([])
    ax.grid(True, color=GRID_COLOR, linewidth=0.9)
    ax.spines["polar"].set_color("#5b6577")
    ax.spines["polar"].set_linewidth(1.6)
    ring = np.linspace(0.0, 2.0 * np.pi, 361)
    ax.plot(ring, np.full(361, 90.0 - sky.min_elevation_deg), color="#9aa5b8", lw=1.0,
            ls=":", gid="threshold")
    ax.plot([0.0], [0.0], marker="+", color="#5b6577", ms=12, mew=1.4, gid="zenith")

    placer = common.LabelPlacer(fig, bounds=(0.0, 0.0, panel_x - 0.02 * W, H), pad_px=3.0)

    def to_px(az_deg: np.ndarray, el_deg: np.ndarray) -> np.ndarray:
        pts = np.column_stack((np.radians(np.asarray(az_deg)), 90.0 - np.asarray(el_deg)))
        return ax.transData.transform(pts)

    centre = ax.transData.transform((0.0, 0.0))

    # compass: 16 points just outside the horizon
    for k in range(16):
        az = 22.5 * k
        name = compass(az)
        cardinal = k % 4 == 0
        kw = {"fontsize": 15 if cardinal else 10, "fontweight": "bold" if cardinal else "normal",
              "color": INK if cardinal else "#4a5568"}
        w, h = placer.text_size(name, **kw)
        u = to_px([az], [0.0])[0] - centre
        u = u / np.hypot(*u)
        pad = 7.0 + abs(u[0]) * w / 2.0 + abs(u[1]) * h / 2.0
        placer.put(name, centre + u * (radius + pad), **kw)

    # the path, one line per run of the same light
    theta, rad = sky.theta_rad, sky.radius_deg
    xy = ax.transData.transform(np.column_stack((theta, rad)))
    for light, a, b in sky.runs():
        style = {k: v for k, v in LIGHT_STYLES[light].items() if k != "label"}
        ax.plot(theta[a:b + 1], rad[a:b + 1], solid_capstyle="round", dash_capstyle="round",
                gid=f"path-{light}", zorder=3, **style)
    placer.block_polyline(xy, 6.0)
    # minute ticks, perpendicular to the path
    tick_px = to_px(sky.tick_azimuth_deg, sky.tick_elevation_deg)
    normals = []
    for t, az, el, p in zip(
        sky.tick_t_s, sky.tick_azimuth_deg, sky.tick_elevation_deg, tick_px, strict=True
    ):
        j = int(np.clip(np.searchsorted(sky.t_s, t), 1, len(sky.t_s) - 1))
        d = xy[min(j + 1, len(xy) - 1)] - xy[max(j - 2, 0)]
        d = d / (np.hypot(*d) or 1.0)
        normals.append(np.array([-d[1], d[0]]))
        angle = float(np.degrees(np.arctan2(d[1], d[0])))
        marker = MarkerStyle("|", transform=Affine2D().rotate_deg(angle))
        ax.plot([np.radians(az)], [90.0 - el], marker=marker, ms=13, mew=2.0, color=INK,
                ls="none", zorder=4, gid="minute-tick")
        placer.block(np.array([[p[0] - 7, p[1] - 7, p[0] + 7, p[1] + 7]]))

    # events: markers first (obstacles), then their labels
    marks, rows = _events(sky)
    mark_px = []
    for ev in marks:
        pt = ev.point
        ax.plot([np.radians(pt.azimuth_deg)], [90.0 - pt.elevation_deg], marker=ev.marker,
                ms=11, mfc=ev.face, mec=INK, mew=1.6, ls="none", zorder=5,
                gid=f"event-{ev.name.lower()}")
        p = to_px([pt.azimuth_deg], [pt.elevation_deg])[0]
        mark_px.append(p)
        placer.block(np.array([[p[0] - 8, p[1] - 8, p[0] + 8, p[1] + 8]]))

    head = _arrow(ax, sky, xy, np.vstack([tick_px.reshape(-1, 2), *mark_px]))
    if head is not None:
        placer.block(np.array([[head[0] - 10, head[1] - 10, head[0] + 10, head[1] + 10]]))
    panel_texts, panel_bottom = _panel(fig, sky, place, zone, rows, panel_x, W, H)
    placer.block_artists(panel_texts)

    event_offsets = common.ring_offsets([34, 44, 56, 70, 86, 104, 124], 16, first_deg=90.0)
    for ev, p in zip(marks, mark_px, strict=True):
        label = f"{ev.name} {_local(ev.point.time, zone)}"
        if ev.mag is not None:
            label += f"\nmag {_mag(ev.mag)}"
        placed = placer.place(label, p, event_offsets, fontsize=11, color=INK,
                              fontweight="bold", linespacing=1.25,
                              bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none",
                                    "alpha": 0.85})
        if placed is None:  # nowhere free: still say it, beside the marker
            placer.put(label, (p[0] + 60, p[1]), fontsize=11, color=INK, fontweight="bold")

    # elevation rings: labels where the path leaves room
    for k in range(16):
        az = 11.25 + 22.5 * ((k + 9) % 16)
        spots = to_px([az, az], [30.0, 60.0])
        boxes = []
        for text, s in zip(("30°", "60°"), spots, strict=True):
            w, h = placer.text_size(text, fontsize=10)
            boxes.append((s[0] - w / 2, s[1] - h / 2, s[0] + w / 2, s[1] + h / 2))
        if all(placer.fits(b) for b in boxes):
            for text, s in zip(("30°", "60°"), spots, strict=True):
                placer.put(text, s, fontsize=10, color="#5b6577",
                           bbox={"boxstyle": "round,pad=0.1", "fc": SKY_COLOR, "ec": "none"})
            break

    # minute labels in local time
    for t, p, nrm in zip(sky.tick_t_s, tick_px, normals, strict=True):
        label = _local(sky.time(t), zone, "%H:%M")
        offsets = [tuple(s * d * nrm) for d in (17, 22, 28, 36) for s in (1, -1)]
        offsets += common.ring_offsets([20, 28], 16)
        placer.place(label, p, offsets, fontsize=10, color=INK,
                     bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none",
                           "alpha": 0.75})

    # the legend
    handles = [Line2D([], [], **{k: v for k, v in LIGHT_STYLES[c].items() if k != "label"})
               for c in (VISIBLE, SHADOW, DAYLIGHT)]
    labels = [LIGHT_STYLES[c]["label"] for c in (VISIBLE, SHADOW, DAYLIGHT)]
    legend = fig.legend(handles, labels, loc="upper left", frameon=False, fontsize=11,
                        handlelength=3.2, borderaxespad=0.0, borderpad=0.0,
                        bbox_to_anchor=(panel_x / W, (panel_bottom - 8.0) / H))
    for text in legend.get_texts():  # names are text, never TeX ('$' is a dollar)
        text.set_parse_math(False)
    return fig


def _arrow(
    ax: Axes, sky: SkyPass, xy: np.ndarray, busy_px: np.ndarray
) -> np.ndarray | None:
    """An arrowhead on the path showing which way the satellite goes, where it is
    farthest from the ticks and markers (between 20 % and 85 % of the way); returns its
    position in pixels."""
    n = len(xy)
    if n < 8:
        return None
    candidates = np.arange(max(1, int(0.2 * n)), min(n - 2, int(0.85 * n)) + 1)
    if len(busy_px):
        dist = np.linalg.norm(xy[candidates, None, :] - busy_px[None, :, :], axis=2).min(axis=1)
        j = int(candidates[np.argmax(dist)])
    else:
        j = int(candidates[len(candidates) // 2])
    theta, rad = sky.theta_rad, sky.radius_deg
    ax.annotate("", xy=(theta[j + 1], rad[j + 1]), xytext=(theta[j - 1], rad[j - 1]), zorder=6,
                arrowprops={"arrowstyle": "-|>", "color": INK, "lw": 1.0, "mutation_scale": 24,
                            "shrinkA": 0, "shrinkB": 0})
    return xy[j + 1]


def _panel(
    fig: Figure,
    sky: SkyPass,
    place: str,
    zone: tzinfo,
    rows: list[tuple[str, LookPoint, float | None]],
    x_px: float,
    W: int,
    H: int,
) -> tuple[list[Any], float]:
    """The text at the right: title, table of events, what the pass looks like; returns
    the texts and the pixel height where the next item can start."""
    p = sky.passage
    when = p.culmination.time.astimezone(zone)
    date = f"{when:%A} {when.day} {when:%B %Y}"
    column = common.TextColumn(fig, x_px, H - 0.035 * H, 0.012 * W, INK)

    def add(text: str, gap: float = 6.0, **kw: Any) -> None:
        column.add(text, gap, **kw)

    add(sky.satellite, fontsize=18, fontweight="bold")
    add(f"over {place}", fontsize=13)
    add(date, fontsize=13)
    add(f"times in {zone_label(zone, p.culmination.time)}", gap=18.0, fontsize=11,
        color="#4a5568")
    header = f"{'':<11}{'time':>9}{'elev':>6}{'dir':>5}{'mag':>7}"
    lines = [header]
    for name, pt, mag in rows:
        lines.append(
            f"{name:<11}{_local(pt.time, zone):>9}{pt.elevation_deg:>5.0f}°"
            f"{pt.direction:>5}{_mag(mag):>7}"
        )
    add("\n".join(lines), gap=18.0, fontsize=11, family="monospace", linespacing=1.45)
    stretches = p.stretches or ((p.visible,) if p.visible is not None else ())
    if stretches:
        first, last = stretches[0], stretches[-1]
        mags = [v.brightest_magnitude for v in stretches if v.brightest_magnitude is not None]
        bright = f"brightest mag {_mag(min(mags))}" if mags else "brightness unknown"
        spans = " and ".join(_minutes(v.duration_s) for v in stretches)
        times = "" if len(stretches) == 1 else f" {len(stretches)} times"
        summary = [
            f"Visible{times} for {spans}, {bright}",
            f"Appears as {_STARTS.get(first.starts, first.starts)},",
            f"disappears as {_ENDS.get(last.ends, last.ends)}.",
        ]
    else:
        shadow_share = float(np.mean(sky.light == SHADOW))
        why = "in the Earth's shadow" if shadow_share > 0.5 else "the sky is too bright"
        summary = ["Not visible to the naked eye:", f"{why}."]
    summary.append(f"Above {sky.min_elevation_deg:g}° for {_minutes(p.duration_s)}.")
    if sky.number is not None and sky.total is not None:
        summary.append(f"Pass {sky.number} of {sky.total} in the window.")
    add("\n".join(summary), gap=18.0, fontsize=11, linespacing=1.4)
    add("Looking up: north at the top, east on the left.\n"
        "Rings every 30° of elevation; ticks every minute.",
        gap=14.0, fontsize=10, color="#4a5568", linespacing=1.4)
    return column.texts, column.y


def sky_chart_svg(sky: SkyPass, **kw: Any) -> str:
    """The sky chart as SVG text (keywords as :func:`sky_chart_figure`)."""
    return common.figure_svg(sky_chart_figure(sky, **kw))


def save_sky_chart(sky: SkyPass, path: str | os.PathLike[str], **kw: Any) -> Path:
    """Write the sky chart to ``path`` (.png or .svg), atomically; returns the path."""
    common.check_output(path)
    return common.save_figure(sky_chart_figure(sky, **kw), path)
