"""The web page's pictures as SVG text: a pass's sky chart and the live world map.

The sky chart is :mod:`zarya.render.skychart`'s, for the pass under way at (or culminating
nearest to) an instant. The map is drawn here, from :mod:`zarya.render.worldmap`'s geometry
(ground track, footprint, the Sun and its altitude rings), as a light SVG whose user unit
is one degree (x = longitude, y = -latitude, equirectangular): the page's script can then
move the station's marker to any latitude and longitude that ``/api/now`` gives, and the
map can be redrawn every minute in a few milliseconds, which a matplotlib figure cannot.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from ..engine.look import Observer
from ..engine.timescale import Window, iso_z
from ..errors import TimeRangeError

__all__ = ["land_path", "parse_z", "ring_path", "sky_chart_svg", "world_map_svg"]

PASS_SEARCH_S = 20 * 60.0  # a pass is looked for within 20 minutes of the instant given
FOOTPRINT_ELEVATION_DEG = 10.0
TRACK_BEFORE_S = 45 * 60.0
TRACK_AFTER_S = 95 * 60.0


def parse_z(text: str) -> datetime:
    """'2016-04-04T21:26:03.1Z' -> aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# ------------------------------------------------------------------------- sky chart
def sky_chart_svg(
    sat: Any, observer: Observer, at: datetime, *, zone: str = "UTC", label: str = "",
    min_elevation_deg: float = 10.0, allow_stale: bool = False,
) -> str:
    """The sky chart (:func:`zarya.render.skychart.sky_chart_svg`) of the pass under way at
    ``at``, else the one culminating nearest to it within :data:`PASS_SEARCH_S`; a
    :class:`TimeRangeError` when there is none."""
    from ..domain.pass_table import PassOptions
    from ..domain.passes import find_passes
    from ..engine.ephemeris import Ephemeris
    from ..render.skychart import sky_chart_svg as draw
    from ..render.skychart import sky_pass

    window = Window(at - timedelta(seconds=PASS_SEARCH_S), 2.0 * PASS_SEARCH_S)
    sat.check_age(window, allow_stale=allow_stale)
    eph = Ephemeris(sat, window)
    eph.require_some_valid()
    found = find_passes(eph, observer, PassOptions(min_elevation_deg=min_elevation_deg))[0]
    if not found:
        raise TimeRangeError(
            f"no pass of {sat.name} above {min_elevation_deg:g} degrees within 20 minutes of "
            f"{iso_z(at, 0)} at lat {observer.lat_deg:g}, lon {observer.lon_deg:g}"
        )
    chosen = min(found, key=lambda p: abs((p.culmination.time - at).total_seconds()))
    sky = sky_pass(eph, observer, chosen, min_elevation_deg=min_elevation_deg)
    place = label or f"{observer.lat_deg:g}, {observer.lon_deg:g}"
    # matplotlib reads text between dollar signs as mathematics (and fails on bad TeX): a
    # label typed by a user is plain text
    place = place.replace("$", r"\$")
    return draw(sky, place=place, zone=ZoneInfo(zone))


# ------------------------------------------------------------------------------ map
def _path(lon: np.ndarray, lat: np.ndarray, close: bool = False) -> str:
    pts = " L".join(f"{a:.1f},{-b:.1f}" for a, b in zip(lon, lat, strict=True))
    return f"M{pts}{' Z' if close else ''}"


@lru_cache(maxsize=1)
def land_path() -> str:
    """Natural Earth 1:110m countries as one SVG path (borders included)."""
    from ..domain.geography import country_polygons

    parts = []
    for country in country_polygons():
        for ring in country.rings:
            parts.append(_path(ring[:, 0], ring[:, 1], close=True))
    return " ".join(parts)


def ring_path(lat_deg: np.ndarray, lon_deg: np.ndarray, pole_deg: float) -> str:
    """A closed ring on the ground as a fillable SVG path, drawn three times 360 degrees
    apart so that the map's clip shows it across the antimeridian. A ring that goes once
    around the Earth encloses a pole: it is closed along that pole's edge (``pole_deg``,
    +90 or -90); otherwise the path is the ring's inside that holds no pole."""
    lon = np.degrees(np.unwrap(np.radians(np.asarray(lon_deg, dtype=float))))
    lat = np.asarray(lat_deg, dtype=float)
    if abs(lon[-1] - lon[0]) > 180.0:
        lon = np.r_[lon, lon[-1], lon[0]]
        lat = np.r_[lat, pole_deg, pole_deg]
    return " ".join(_path(lon + shift, lat, close=True) for shift in (-360.0, 0.0, 360.0))


def world_map_svg(
    sat: Any, at: datetime, *, observer: Observer | None = None, label: str = "",
    allow_stale: bool = False,
) -> str:
    """The world map at ``at`` as SVG text: land, day, twilight and night, the ground track
    from 45 minutes before to 95 minutes after (dashed before), the footprint (where the
    satellite stands above :data:`FOOTPRINT_ELEVATION_DEG`), the satellite (``#sat-marker``)
    and the observer when given. Geometry: :func:`zarya.render.worldmap.world_map`."""
    from ..domain.tracks import split_antimeridian
    from ..engine.ephemeris import Ephemeris
    from ..render.worldmap import sun_altitude_ring, world_map

    window = Window(at - timedelta(seconds=TRACK_BEFORE_S), TRACK_BEFORE_S + TRACK_AFTER_S)
    sat.check_age(Window(at, 60.0), allow_stale=allow_stale)
    eph = Ephemeris(sat, window)
    eph.require_some_valid()
    m = world_map(eph, at_s=TRACK_BEFORE_S, observer=observer, observer_label=label or None,
                  min_elevation_deg=FOOTPRINT_ELEVATION_DEG)
    sun = np.asarray(m.sun_km, dtype=float)
    dark_pole = -90.0 if sun[2] >= 0.0 else 90.0  # the pole in the long night, if any
    title = (
        f"{sat.name} at {iso_z(at, 0)}: {abs(m.station_lat_deg):.1f}° "
        f"{'N' if m.station_lat_deg >= 0 else 'S'}, {abs(m.station_lon_deg):.1f}° "
        f"{'E' if m.station_lon_deg >= 0 else 'W'}"
    )
    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="-180 -90 360 180" width="720" '
        'height="360" role="img" aria-labelledby="map-title" id="world-map" '
        'font-family="system-ui, sans-serif">',
        f'<title id="map-title">{escape(title)}</title>',
        '<defs><clipPath id="map-clip"><rect x="-180" y="-90" width="360" height="180"/>'
        "</clipPath></defs>",
        '<g clip-path="url(#map-clip)">',
        '<rect x="-180" y="-90" width="360" height="180" fill="#a9cce3"/>',
        f'<path d="{land_path()}" fill="#e3dcc2" stroke="#8c8468" stroke-width="0.25"/>',
    ]
    rings = [(m.terminator_lat_deg, m.terminator_lon_deg)] + [
        sun_altitude_ring(sun, -h) for h in (6.0, 12.0, 18.0)
    ]
    for lat, lon in rings:
        out.append(
            f'<path d="{ring_path(lat, lon, dark_pole)}" fill="#0b1a2e" fill-opacity="0.17" '
            'class="night"/>'
        )
    grid = [f"M{x},-90 L{x},90" for x in range(-150, 180, 30)]
    grid += [f"M-180,{-y} L180,{-y}" for y in range(-60, 90, 30)]
    out.append(
        f'<path d="{" ".join(grid)}" stroke="#5d6d7e" stroke-width="0.15" fill="none" '
        'stroke-dasharray="1 1"/>'
    )
    t = m.track_t_s
    for keep, cls, style in (
        (t <= m.at_s, "track-past", 'stroke="#c0392b" stroke-width="0.5" '
                                    'stroke-dasharray="2 1.2"'),
        (t >= m.at_s, "track", 'stroke="#c0392b" stroke-width="0.9"'),
    ):
        for piece in split_antimeridian(m.track_lon_deg[keep], m.track_lat_deg[keep]):
            out.append(
                f'<path d="{_path(piece[:, 0], piece[:, 1])}" fill="none" {style} '
                f'class="{cls}"/>'
            )
    pole = 90.0 if m.station_lat_deg >= 0 else -90.0
    out.append(
        f'<path id="footprint" d="{ring_path(m.footprint_lat_deg, m.footprint_lon_deg, pole)}" '
        'fill="#f1c40f" fill-opacity="0.25" stroke="#9a7d0a" stroke-width="0.4"/>'
    )
    if observer is not None:
        ox, oy = observer.lon_deg, -observer.lat_deg
        out.append(
            f'<g id="observer"><path d="M{ox - 2.5:.2f},{oy:.2f} L{ox + 2.5:.2f},{oy:.2f} '
            f'M{ox:.2f},{oy - 2.5:.2f} L{ox:.2f},{oy + 2.5:.2f}" stroke="#1a5276" '
            'stroke-width="0.9"/>'
            f'<text x="{ox + 3:.2f}" y="{oy - 2:.2f}" font-size="5" fill="#154360" '
            'paint-order="stroke" stroke="#ffffff" stroke-width="0.8">'
            f"{escape(label or 'you')}</text></g>"
        )
    out.append(
        f'<circle id="sat-marker" cx="{m.station_lon_deg:.2f}" cy="{-m.station_lat_deg:.2f}" '
        'r="2.4" fill="#c0392b" stroke="#ffffff" stroke-width="0.8"/>'
    )
    out.append("</g>")
    out.append(
        '<rect x="-180" y="-90" width="360" height="180" fill="none" stroke="#34495e" '
        'stroke-width="0.4"/>'
    )
    out.append("</svg>")
    return "\n".join(out)
