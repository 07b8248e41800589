"""World maps: the ground track, the station and its footprint, day, twilight and night.

Projection: equirectangular (plate carrée), longitude -180..180 across, latitude -90..90
up, one degree the same length both ways. Land and borders are Natural Earth's 1:110m
countries, bundled (:func:`zarya.domain.geography.country_polygons`): nothing is downloaded.

What is drawn, and how each is computed:

* the ground track: geodetic sub-points (:func:`zarya.domain.geodesy.subpoints`) of the
  Hermite-interpolated ephemeris every 20 s from the window's start, cut at the
  antimeridian (:func:`zarya.domain.tracks.split_antimeridian`); solid where the station is
  sunlit, dashed where it is in the Earth's shadow (the shadow test of :mod:`zarya.domain.light`);
* the station at the map's instant, and its footprint: the ring of ground points (WGS84,
  height 0) that see it exactly ``min_elevation_deg`` above the horizon. A first guess on
  the mean sphere (:func:`zarya.domain.geodesy.footprint_radius_km`) is refined along each of 181
  bearings until the geometric elevation is the threshold to 1e-9 rad;
* day and night for that instant: the Sun's altitude (geometric, of its centre, seen from
  the WGS84 surface) from the ephemeris's apparent Sun (:meth:`Ephemeris.sun`). Twilight
  bands are shaded between the altitudes 0, -6, -12 and -18 degrees (civil, nautical,
  astronomical) on a half-degree grid; the day/night line (altitude 0) is computed
  exactly, refined along 721 bearings from the sub-solar point like the footprint.

Times on the map are UTC.
"""

from __future__ import annotations

import math
import os
import textwrap
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..domain.geodesy import EARTH_MEAN_RADIUS_KM, destination, footprint_radius_km, subpoints
from ..domain.light import SHADOW_HEIGHT_KM, sun_elevation_deg, sunlit_margin_deg
from ..domain.tracks import split_antimeridian
from ..engine import search
from ..engine.ephemeris import Ephemeris
from ..engine.frames import enu_basis, geodetic_to_itrs
from ..engine.look import Observer, Observers, compass
from . import common

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.figure import Figure

__all__ = [
    "TWILIGHT_BANDS",
    "WorldMap",
    "world_map",
    "footprint_edge",
    "sun_altitude_ring",
    "world_map_figure",
    "world_map_svg",
    "save_world_map",
]

TRACK_STEP_S = 20.0
FOOTPRINT_POINTS = 181
TERMINATOR_POINTS = 721
GRID_STEP_DEG = 0.5
# (upper altitude, lower altitude, name, opacity of the night colour)
TWILIGHT_BANDS: tuple[tuple[float, float, str, float], ...] = (
    (0.0, -6.0, "civil twilight", 0.12),
    (-6.0, -12.0, "nautical twilight", 0.22),
    (-12.0, -18.0, "astronomical twilight", 0.32),
    (-18.0, -90.0, "night", 0.42),
)
NIGHT = "#0b1838"
OCEAN = "#d4e6f5"
LAND = "#ece6d6"
BORDER = "#9b9587"
SUNLIT_TRACK = {"color": "#f08c00", "linestyle": "-", "linewidth": 2.6}
SHADOW_TRACK = {"color": "#1f2840", "linestyle": "--", "linewidth": 2.0}
FOOTPRINT = "#c2255c"
INK = "#1e2430"
_TICK_MINUTES = (5, 10, 15, 20, 30, 60, 120, 180, 360, 720)


@dataclass(frozen=True)
class WorldMap:
    """Everything a world map shows, computed (no drawing).

    ``track_t_s`` (T,) seconds from ``window_start``; ``track_lat_deg``,
    ``track_lon_deg`` (T,) geodetic sub-points (NaN where SGP4 failed), ``track_sunlit``
    (T,) bool. ``at_s``: the instant of the station's position; ``station_r_km`` (3,)
    Earth-fixed. ``footprint_lat_deg``/``footprint_lon_deg`` (F,) closed ring where the
    station stands ``min_elevation_deg`` high. ``sun_km`` (3,) Earth-fixed apparent Sun;
    ``terminator_lat_deg``/``terminator_lon_deg`` (K,) closed ring of Sun altitude 0;
    ``grid_lon_deg`` (X,), ``grid_lat_deg`` (Y,), ``sun_altitude_deg`` (Y, X).
    ``tick_t_s``, ``tick_lat_deg``, ``tick_lon_deg``: labelled instants along the track.
    ``observer_look``: (azimuth, elevation) degrees of the station seen by the observer.
    """

    satellite: str
    window_start: datetime
    span_s: float
    at_s: float
    track_t_s: np.ndarray
    track_lat_deg: np.ndarray
    track_lon_deg: np.ndarray
    track_sunlit: np.ndarray
    station_lat_deg: float
    station_lon_deg: float
    station_alt_km: float
    station_r_km: np.ndarray
    station_sunlit: bool
    min_elevation_deg: float
    footprint_lat_deg: np.ndarray
    footprint_lon_deg: np.ndarray
    sun_km: np.ndarray
    terminator_lat_deg: np.ndarray
    terminator_lon_deg: np.ndarray
    grid_lon_deg: np.ndarray
    grid_lat_deg: np.ndarray
    sun_altitude_deg: np.ndarray
    tick_t_s: np.ndarray
    tick_lat_deg: np.ndarray
    tick_lon_deg: np.ndarray
    observer: Observer | None = None
    observer_label: str | None = None
    observer_look: tuple[float, float] | None = None

    def time(self, t_s: float) -> datetime:
        return self.window_start + timedelta(seconds=float(t_s))

    @property
    def at(self) -> datetime:
        return self.time(self.at_s)

    @property
    def end(self) -> datetime:
        return self.time(self.span_s)


# ------------------------------------------------------------------------ geometry
def _refined_ring(
    centre_lat_deg: float,
    centre_lon_deg: float,
    guess_rad: float,
    altitude_of,
    target_deg: float,
    n: int,
    half_width_rad: float = 0.03,
) -> tuple[np.ndarray, np.ndarray]:
    """The closed ring (``n`` points, last = first) around a centre where
    ``altitude_of(lat, lon, which)`` equals ``target_deg``: along each bearing, the
    distance is found by bracketed root search in ``guess +/- half_width`` (Illinois, to
    1e-9 rad). ``altitude_of`` must decrease with distance from the centre."""
    bearing = np.radians(np.linspace(0.0, 360.0, n))[:-1]
    idx = np.arange(len(bearing))

    def g(d: np.ndarray, which: np.ndarray) -> np.ndarray:
        lat, lon = destination(centre_lat_deg, centre_lon_deg, d, bearing[which])
        return altitude_of(lat, lon, which) - target_deg

    lo = np.full(len(bearing), max(guess_rad - half_width_rad, 1e-9))
    hi = np.full(len(bearing), min(guess_rad + half_width_rad, math.pi - 1e-9))
    d = search.bracketed_root(g, lo, hi, idx, tol=1e-9)
    lat, lon = destination(centre_lat_deg, centre_lon_deg, d, bearing)
    return np.append(lat, lat[0]), np.append(lon, lon[0])


def footprint_edge(
    r_sat_km: np.ndarray, min_elevation_deg: float = 10.0, n: int = FOOTPRINT_POINTS
) -> tuple[np.ndarray, np.ndarray]:
    """Ground points (WGS84, height 0) that see a satellite at ``r_sat_km`` (3,)
    Earth-fixed exactly ``min_elevation_deg`` above the horizon (geometric): a closed
    ring of latitudes and longitudes (degrees), ``(n,)`` each."""
    r = np.asarray(r_sat_km, dtype=float)
    lat0, lon0, alt = subpoints(r)
    guess = float(footprint_radius_km(alt, min_elevation_deg)) / EARTH_MEAN_RADIUS_KM

    def elevation(lat: np.ndarray, lon: np.ndarray, which: np.ndarray) -> np.ndarray:
        obs = Observers(lat, lon, 0.0)
        _, el, _, _ = obs.look(np.broadcast_to(r, (len(lat), 3)), np.arange(len(lat)))
        return el

    return _refined_ring(float(lat0), float(lon0), guess, elevation, min_elevation_deg, n)


def _sun_altitude(sun_km: np.ndarray, lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    """Geometric altitude (degrees) of the Sun's centre from WGS84 points at height 0."""
    r = geodetic_to_itrs(lat_deg, lon_deg, 0.0)
    _, _, up = enu_basis(lat_deg, lon_deg)
    return sun_elevation_deg(np.asarray(sun_km, dtype=float), r, up)


def sun_altitude_ring(
    sun_km: np.ndarray, altitude_deg: float = 0.0, n: int = TERMINATOR_POINTS
) -> tuple[np.ndarray, np.ndarray]:
    """Ground points (WGS84, height 0) where the Sun's centre stands at ``altitude_deg``
    (geometric): for 0 the day/night line. A closed ring of latitudes and longitudes."""
    s = np.asarray(sun_km, dtype=float)
    lat0 = math.degrees(math.asin(s[2] / float(np.linalg.norm(s))))
    lon0 = math.degrees(math.atan2(s[1], s[0]))

    def altitude(lat: np.ndarray, lon: np.ndarray, which: np.ndarray) -> np.ndarray:
        return _sun_altitude(s, lat, lon)

    return _refined_ring(lat0, lon0, math.radians(90.0 - altitude_deg), altitude, altitude_deg, n)


def world_map(
    eph: Ephemeris,
    *,
    at_s: float = 0.0,
    observer: Observer | None = None,
    observer_label: str | None = None,
    min_elevation_deg: float = 10.0,
    step_s: float = TRACK_STEP_S,
    shadow_height_km: float = SHADOW_HEIGHT_KM,
) -> WorldMap:
    """Compute a world map over ``eph``'s window: the track over the whole window (sunlit
    or in the Earth's shadow, raised ``shadow_height_km`` for the atmosphere), the
    station, its footprint and day and night at ``at_s`` seconds from the start."""
    window = eph.window
    t = np.unique(np.append(np.arange(0.0, window.span_s, step_s), window.span_s))
    ok = eph.valid(t)
    r = np.where(ok[:, None], eph.position(t), np.nan)
    lat, lon, _ = subpoints(r)
    with np.errstate(invalid="ignore"):
        sunlit = sunlit_margin_deg(r, eph.sun(t), shadow_height_km) >= 0.0

    at = np.array([float(at_s)])
    if not eph.valid(at)[0]:
        from ..errors import PropagationError

        raise PropagationError(
            f"SGP4 cannot propagate {eph.satellite.name} at {window.iso(at_s)}: no position "
            "to draw"
        )
    r_at = eph.position(at)[0]
    sun = eph.sun(at)[0]
    s_lat, s_lon, s_alt = subpoints(r_at)
    f_lat, f_lon = footprint_edge(r_at, min_elevation_deg)
    t_lat, t_lon = sun_altitude_ring(sun, 0.0)
    g_lon = np.arange(-180.0, 180.0 + GRID_STEP_DEG / 2, GRID_STEP_DEG)
    g_lat = np.arange(-90.0, 90.0 + GRID_STEP_DEG / 2, GRID_STEP_DEG)
    LON, LAT = np.meshgrid(g_lon, g_lat)
    alt_grid = _sun_altitude(sun, LAT.ravel(), LON.ravel()).reshape(LAT.shape)

    # labelled instants: whole multiples of a round number of minutes, about ten of them
    every = next((m for m in _TICK_MINUTES if window.span_s / (60.0 * m) <= 10.0), 1440)
    start = window.start
    first = start.replace(minute=0, second=0, microsecond=0)
    ticks = []
    k = first
    while k <= window.end:
        s = (k - start).total_seconds()
        if s > 60.0 * every / 3.0:  # not on top of the station's own label
            ticks.append(s)
        k += timedelta(minutes=every)
    tick_t = np.array(ticks, dtype=float)
    tick_ok = eph.valid(tick_t) if len(tick_t) else np.zeros(0, dtype=bool)
    tick_t = tick_t[tick_ok]
    tk_lat, tk_lon, _ = subpoints(eph.position(tick_t)) if len(tick_t) else (tick_t, tick_t, None)

    look = None
    if observer is not None:
        obs = Observers.of(observer)
        az, el, _, _ = obs.look(r_at[None, :], np.array([0]))
        look = (float(az[0]), float(el[0]))
    return WorldMap(
        eph.satellite.name, window.start, window.span_s, float(at_s),
        t, lat, lon, np.asarray(sunlit, dtype=bool),
        float(s_lat), float(s_lon), float(s_alt), r_at,
        bool(sunlit_margin_deg(r_at, sun, shadow_height_km) >= 0),
        min_elevation_deg, f_lat, f_lon, sun, t_lat, t_lon, g_lon, g_lat, alt_grid,
        tick_t, np.asarray(tk_lat), np.asarray(tk_lon), observer, observer_label, look,
    )


# ------------------------------------------------------------------------- drawing
def _wrapped_copies(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A closed ring drawn across the antimeridian: its longitudes unwrapped and three
    copies (shifted by -360, 0, +360) separated by NaN; the map's limits clip them."""
    u = np.degrees(np.unwrap(np.radians(lon)))
    xs, ys = [], []
    for shift in (-360.0, 0.0, 360.0):
        xs += [u + shift, [np.nan]]
        ys += [lat, [np.nan]]
    return np.concatenate(xs)[:-1], np.concatenate(ys)[:-1]


def _ring_polygons(lon: np.ndarray, lat: np.ndarray) -> list[np.ndarray]:
    """Fillable (K, 2) polygons of a closed ring on the map (three shifted copies); a ring
    around a pole is closed along the map's top or bottom edge."""
    u = np.degrees(np.unwrap(np.radians(lon)))
    pts = np.column_stack((u, lat))
    if abs(u[-1] - u[0]) > 180.0:  # goes once around the Earth: it encloses a pole
        pole = 90.0 if np.nanmean(lat) > 0 else -90.0
        pts = np.vstack((pts, [[u[-1], pole], [u[0], pole]]))
    return [pts + [s, 0.0] for s in (-360.0, 0.0, 360.0)]


def _track_lines(m: WorldMap) -> dict[bool, tuple[np.ndarray, np.ndarray]]:
    """The track split by sunlight, then at the antimeridian: {sunlit: (lon, lat)} with
    NaN between pieces. Neighbouring runs share their boundary sample."""
    out: dict[bool, tuple[list, list]] = {True: ([], []), False: ([], [])}
    lit = m.track_sunlit
    n = len(lit)
    a = 0
    for i in range(1, n + 1):
        if i == n or lit[i] != lit[a]:
            b = min(i, n - 1)
            for piece in split_antimeridian(m.track_lon_deg[a:b + 1], m.track_lat_deg[a:b + 1]):
                out[bool(lit[a])][0].extend([piece[:, 0], [np.nan]])
                out[bool(lit[a])][1].extend([piece[:, 1], [np.nan]])
            a = i
    result = {}
    for key, (xs, ys) in out.items():
        if xs:
            result[key] = (np.concatenate(xs)[:-1], np.concatenate(ys)[:-1])
    return result


def _lon_label(x: float) -> str:
    x = (x + 180.0) % 360.0 - 180.0 if abs(x) != 180.0 else 180.0
    if x == 0 or abs(x) == 180:
        return f"{abs(x):.0f}°"
    return f"{abs(x):.0f}°{'E' if x > 0 else 'W'}"


def _lat_label(y: float) -> str:
    return "0°" if y == 0 else f"{abs(y):.0f}°{'N' if y > 0 else 'S'}"


def _utc(when: datetime, fmt: str = "%H:%M") -> str:
    from datetime import UTC

    return when.astimezone(UTC).strftime(fmt)


def world_map_figure(
    m: WorldMap,
    *,
    width_px: int = common.WIDTH_PX,
    height_px: int = common.HEIGHT_PX,
    dpi: int = common.DPI,
) -> Figure:
    """The world map as a matplotlib Figure (``width_px`` x ``height_px``)."""
    with common.rc_context():
        return _build(m, width_px, height_px, dpi)


def _build(m: WorldMap, W: int, H: int, dpi: int) -> Figure:
    from matplotlib.collections import PathCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Polygon
    from matplotlib.path import Path as MplPath

    from ..domain.geography import beneath, country_polygons

    fig = common.new_figure(W, H, dpi)
    fig.patch.set_facecolor("white")
    map_w = W - 0.085 * W
    map_h = map_w / 2.0
    if map_h > 0.69 * H:
        map_h = 0.69 * H
        map_w = 2.0 * map_h
    x0 = (W - map_w) / 2.0 + 0.012 * W
    y0 = 0.19 * H
    ax = fig.add_axes(common.px_rect(fig, x0, y0, map_w, map_h))
    ax.set_xlim(-180.0, 180.0)
    ax.set_ylim(-90.0, 90.0)
    ax.set_facecolor(OCEAN)
    ax.set_xticks(np.arange(-180.0, 181.0, 30.0))
    ax.set_yticks(np.arange(-90.0, 91.0, 30.0))
    ax.set_xticklabels([_lon_label(x) for x in ax.get_xticks()], fontsize=10)
    ax.set_yticklabels([_lat_label(y) for y in ax.get_yticks()], fontsize=10)
    ax.tick_params(length=3, color="#8a94a6", labelcolor="#4a5568")
    ax.grid(True, color="white", linewidth=0.7, alpha=0.8, zorder=0.5)
    ax.set_axisbelow(True)
    for spine in ax.spines.values():
        spine.set_color("#8a94a6")

    # land and borders
    paths = []
    for country in country_polygons():
        for polygon in country.polygons:
            paths.append(MplPath.make_compound_path(*[MplPath(ring) for ring in polygon]))
    ax.add_collection(PathCollection(
        paths, facecolors=LAND, edgecolors=BORDER, linewidths=0.5, zorder=1,
        transform=ax.transData, gid="land"))  # fmt: skip

    # twilight bands and night, then the day/night line
    bands = sorted(TWILIGHT_BANDS, key=lambda band: band[1])  # night first
    lowest = min(-90.0, float(np.nanmin(m.sun_altitude_deg)) - 1.0)
    levels = [lowest] + [band[0] for band in bands]
    colours = [(*_rgb(NIGHT), band[3]) for band in bands]
    ax.contourf(m.grid_lon_deg, m.grid_lat_deg, m.sun_altitude_deg, levels=levels,
                colors=colours, zorder=2, antialiased=True)
    tx, ty = _wrapped_copies(m.terminator_lon_deg, m.terminator_lat_deg)
    ax.plot(tx, ty, color=NIGHT, lw=1.1, alpha=0.8, zorder=3, gid="terminator")

    # track
    tracks = _track_lines(m)
    for lit, style in ((True, SUNLIT_TRACK), (False, SHADOW_TRACK)):
        if lit in tracks:
            x, y = tracks[lit]
            ax.plot(x, y, zorder=4, gid="track-sunlit" if lit else "track-shadow",
                    solid_capstyle="round", **style)
    if len(m.tick_t_s):
        ax.plot(m.tick_lon_deg, m.tick_lat_deg, ls="none", marker="o", ms=4.5, mfc=INK,
                mec="white", mew=0.8, zorder=5, gid="track-ticks")

    # footprint and station
    for poly in _ring_polygons(m.footprint_lon_deg, m.footprint_lat_deg):
        ax.add_patch(Polygon(poly, closed=True, fc=FOOTPRINT, ec="none", alpha=0.13, zorder=5,
                             gid="footprint-fill"))
    fx, fy = _wrapped_copies(m.footprint_lon_deg, m.footprint_lat_deg)
    ax.plot(fx, fy, color=FOOTPRINT, lw=1.8, zorder=6, gid="footprint")
    ax.plot([m.station_lon_deg], [m.station_lat_deg], ls="none", marker="o", ms=13,
            mfc=FOOTPRINT, mec="white", mew=2.2, zorder=8, gid="station")
    if m.observer is not None:
        ax.plot([m.observer.lon_deg], [m.observer.lat_deg], ls="none", marker="*", ms=17,
                mfc="#ffd43b", mec=INK, mew=1.2, zorder=8, gid="observer")

    # title
    renderer = fig.canvas.get_renderer()
    column = common.TextColumn(fig, x0, H - 0.025 * H, 0.01 * W, INK)

    def add(text: str, gap: float = 4.0, **kw: Any) -> None:
        column.add(text, gap, **kw)

    start, end = m.window_start, m.end
    same_day = _utc(start, "%Y-%m-%d") == _utc(end, "%Y-%m-%d")
    span = (f"{_utc(start, '%a %d %b %Y %H:%M')} to "
            f"{_utc(end, '%H:%M') if same_day else _utc(end, '%a %d %b %H:%M')} UTC")
    add(f"{m.satellite}: ground track {span}", fontsize=16, fontweight="bold")
    where = str(beneath([m.station_lat_deg], [m.station_lon_deg])[0])
    light = "sunlit" if m.station_sunlit else "in the Earth's shadow"
    line = (f"At {_utc(m.at)} UTC over {where}: {_lat_label_exact(m.station_lat_deg)} "
            f"{_lon_label_exact(m.station_lon_deg)}, {m.station_alt_km:.0f} km up, {light}.")
    if m.observer_look is not None:
        az, el = m.observer_look
        who = m.observer_label or "the observer"
        if el >= 0:
            line += f" Seen from {who}: {el:.0f}° up in the {compass(az)}."
        else:
            line += f" Seen from {who}: below the horizon ({_signed(el)}°)."
    add(line, fontsize=11)

    # legend
    handles: list[Any] = [
        Line2D([], [], **SUNLIT_TRACK),
        Line2D([], [], **SHADOW_TRACK),
        Line2D([], [], ls="none", marker="o", ms=11, mfc=FOOTPRINT, mec="white", mew=2),
        Patch(fc=(*_rgb(FOOTPRINT), 0.13), ec=FOOTPRINT, lw=1.8),
        Line2D([], [], color=NIGHT, lw=1.1),
    ]
    labels = [
        "track in sunlight",
        "track in the Earth's shadow",
        f"station at {_utc(m.at)} UTC",
        f"sees it above {m.min_elevation_deg:g}°",
        "Sun on the horizon",
    ]
    if m.observer is not None:
        handles.append(Line2D([], [], ls="none", marker="*", ms=15, mfc="#ffd43b", mec=INK))
        labels.append(_short(m.observer_label or "observer", 40))
    for _, _, name, alpha in TWILIGHT_BANDS:
        handles.append(Patch(fc=(*_rgb(NIGHT), alpha), ec="none"))
        labels.append(name)
    for ncol in (5, 4, 3, 2):  # as many columns as fit across the picture
        legend = fig.legend(handles, labels, loc="lower center", ncol=ncol, frameon=False,
                            fontsize=10.5, handlelength=2.6, columnspacing=1.6,
                            bbox_to_anchor=(0.5, 0.005))
        for text in legend.get_texts():  # names are text, never TeX ('$' is a dollar)
            text.set_parse_math(False)
        if legend.get_window_extent(renderer).width <= 0.98 * W:
            break
        legend.remove()

    # labels on the map, clear of each other, of the track and of the markers
    px_of = ax.transData.transform
    placer = common.LabelPlacer(
        fig, bounds=tuple(ax.get_window_extent(renderer).extents), pad_px=3.0
    )
    for lit in tracks:
        placer.block_polyline(px_of(np.column_stack(tracks[lit])), 3.0)
    station_px = px_of((m.station_lon_deg, m.station_lat_deg))
    placer.block(np.array([[*(station_px - 9), *(station_px + 9)]]))
    box = {"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85}
    offsets = common.ring_offsets([26, 36, 50, 66, 84, 110, 140], 16, first_deg=90.0)
    if m.observer is not None:
        obs_px = px_of((m.observer.lon_deg, m.observer.lat_deg))
        placer.block(np.array([[*(obs_px - 9), *(obs_px + 9)]]))
    if len(m.tick_t_s):
        tick_px = px_of(np.column_stack((m.tick_lon_deg, m.tick_lat_deg)))
        for p in tick_px:
            placer.block(np.array([[*(p - 4), *(p + 4)]]))
    station_label = f"{m.satellite}\n{_utc(m.at)} UTC"
    if placer.place(station_label, station_px, offsets, fontsize=11, fontweight="bold",
                    color=INK, linespacing=1.2, bbox=box) is None:
        placer.put(station_label, _inside(placer, station_px + [0, 40]), fontsize=11,
                   fontweight="bold", color=INK)
    if m.observer is not None:
        label = textwrap.fill(m.observer_label or "observer", 24)
        if placer.place(label, obs_px, offsets, fontsize=11, color=INK, bbox=box) is None:
            placer.put(label, _inside(placer, obs_px + [0, -30]), fontsize=11, color=INK)
    if len(m.tick_t_s):
        small = common.ring_offsets([16, 22, 30], 8, first_deg=90.0)
        for t, p in zip(m.tick_t_s, tick_px, strict=True):
            placer.place(_utc(m.time(t)), p, small, fontsize=10, color=INK,
                         bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none",
                               "alpha": 0.75})
    return fig


def _inside(placer: common.LabelPlacer, centre_px: np.ndarray, margin_px: float = 90.0):
    """A label centre moved inside the placer's bounds (``margin_px`` from the edges)."""
    x0, y0, x1, y1 = placer.bounds
    return (float(np.clip(centre_px[0], x0 + margin_px, x1 - margin_px)),
            float(np.clip(centre_px[1], y0 + 20.0, y1 - 20.0)))


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "\u2026"


def _signed(x: float) -> str:
    return f"{x:.0f}".replace("-", "\u2212")


def _lat_label_exact(lat: float) -> str:
    return f"{abs(lat):.1f}°{'N' if lat >= 0 else 'S'}"


def _lon_label_exact(lon: float) -> str:
    return f"{abs(lon):.1f}°{'E' if lon >= 0 else 'W'}"


def _rgb(hex_colour: str) -> tuple[float, float, float]:
    h = hex_colour.lstrip("#")
    return tuple(int(h[i:i + 2], 16) / 255.0 for i in (0, 2, 4))  # type: ignore[return-value]


def world_map_svg(m: WorldMap, **kw: Any) -> str:
    """The world map as SVG text (keywords as :func:`world_map_figure`)."""
    return common.figure_svg(world_map_figure(m, **kw))


def save_world_map(m: WorldMap, path: str | os.PathLike[str], **kw: Any) -> Path:
    """Write the world map to ``path`` (.png or .svg), atomically; returns the path."""
    common.check_output(path)
    return common.save_figure(world_map_figure(m, **kw), path)
