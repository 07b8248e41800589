"""A transit as a picture: the body's disc with the satellite's path across it (time ticks
every 0.1 s), as seen from the observer and from the centre line; and a regional map with
the centre line, the strip where the satellite is seen on the disc, the observer and the
nearest point of the line.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..domain.geodesy import destination
from ..domain.geography import country_polygons
from ..domain.transits import Transit
from ..engine.look import compass
from . import common

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.figure import Figure

__all__ = ["TransitPicture", "save_transit", "transit_figure", "transit_svg"]

SUN_COLOUR = "#f2b01e"
MOON_COLOUR = "#c9ccd6"


@dataclass(frozen=True)
class TransitPicture:
    """What the picture shows: the transit, the observer (latitude, longitude, label),
    and the satellite's path across the body from the observer and from the centre line
    (seconds, x and y offsets in degrees, see :func:`zarya.domain.transits.sky_path`)."""

    transit: Transit
    lat_deg: float
    lon_deg: float
    place: str
    from_observer: tuple[np.ndarray, np.ndarray, np.ndarray]
    from_centre: tuple[np.ndarray, np.ndarray, np.ndarray]


def transit_figure(pic: TransitPicture, zone: tzinfo, *, width_px: int = 1200,
                   height_px: int = 600, dpi: int = common.DPI) -> Figure:
    with common.rc_context():
        fig = common.new_figure(width_px, height_px, dpi)
        t = pic.transit
        when = t.time.astimezone(zone)
        fig.suptitle(
            f"{t.body.capitalize()} transit, {when:%a %d %b %Y %H:%M:%S}."
            f"{when.microsecond // 10000:02d} "
            f"{when.tzname()} on the centre line ({t.kind}, {t.distance_km:.1f} km "
            f"from {pic.place})", fontsize=12)
        _disc(fig.add_axes((0.07, 0.08, 0.40, 0.78)), pic)
        _map(fig.add_axes((0.54, 0.08, 0.42, 0.78)), pic)
    return fig


def _disc(ax: Any, pic: TransitPicture) -> None:
    t = pic.transit
    rho = t.body_radius_deg * 60.0  # arcmin
    colour = SUN_COLOUR if t.body == "sun" else MOON_COLOUR
    import matplotlib.patches as mpatches

    ax.add_patch(mpatches.Circle((0, 0), rho, color=colour, alpha=0.9, zorder=1))
    for (ts, x, y), label, style in ((pic.from_centre, "from the centre line", "--"),
                                     (pic.from_observer, f"from {pic.place}", "-")):
        xm, ym = x * 60.0, y * 60.0
        ax.plot(xm, ym, style, color="#1f3b73", lw=1.6, label=label, zorder=3)
        ticks = np.flatnonzero(np.isclose((ts - ts[0]) % 0.1, 0.0, atol=1e-6)
                               | np.isclose((ts - ts[0]) % 0.1, 0.1, atol=1e-6))
        ax.plot(xm[ticks], ym[ticks], "o", ms=2.5, color="#1f3b73", zorder=4)
    lim = max(rho * 1.8, min(t.separation_deg * 60.0 * 1.3, rho * 8.0))
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xlabel("arcminutes (right along the horizon)")
    ax.set_ylabel("arcminutes (up)")
    seen = (f"{pic.place}: closest {t.separation_deg * 60:.1f}' from the centre"
            + (f", {t.observer_duration_s:.2f} s on the disc" if t.on_disc else ""))
    ax.set_title(f"{t.body.capitalize()} (radius {rho:.1f}'), altitude "
                 f"{t.body_alt_deg:.0f}°; dots every 0.1 s\n{seen}", fontsize=10)
    ax.legend(loc="lower right", fontsize=9)


def _map(ax: Any, pic: TransitPicture) -> None:
    t = pic.transit
    line = t.centre_line.copy()
    lat0 = t.centre_lat_deg
    # longitudes near the observer's, whichever side of the antimeridian they fall
    lon0 = pic.lon_deg + (t.centre_lon_deg - pic.lon_deg + 180.0) % 360.0 - 180.0
    if len(line):
        line[:, 2] = np.degrees(np.unwrap(np.radians(line[:, 2])))
        line[:, 2] += 360.0 * np.round((lon0 - line[len(line) // 2, 2]) / 360.0)
    span = max(t.distance_km * 1.6, 60.0)
    dlat = span / 111.0
    dlon = span / (111.0 * max(math.cos(math.radians(lat0)), 0.1))
    for ring in (r for c in country_polygons() for r in c.rings):
        for shift in (-360.0, 0.0, 360.0):  # the outlines again beyond the antimeridian
            ax.plot(ring[:, 0] + shift, ring[:, 1], color="#888888", lw=0.6, zorder=1)
    if len(line) > 1:
        lats, lons = line[:, 1], line[:, 2]
        ax.plot(lons, lats, color="#b3261e", lw=1.8, label="centre line", zorder=3)
        if math.isfinite(t.strip_width_km):
            bearing = np.degrees(np.arctan2(np.gradient(lons) * np.cos(np.radians(lats)),
                                            np.gradient(lats)))
            half = t.strip_width_km / 2.0 / 6371.0
            edges = [destination(float(a), float(b), half, math.radians(float(c) + side))
                     for a, b, c in zip(lats, lons, bearing, strict=True) for side in (90, -90)]
            e = np.array([(float(la), float(lo)) for la, lo in edges]).reshape(-1, 2, 2)
            for k in (0, 1):
                ax.plot(e[:, k, 1], e[:, k, 0], color="#b3261e", lw=0.8, ls=":", zorder=3,
                        label="edge of the strip" if k == 0 else None)
    ax.plot([pic.lon_deg], [pic.lat_deg], "s", color="#1f3b73", ms=7, label=pic.place, zorder=4)
    ax.plot([lon0], [lat0], "o", color="#b3261e", ms=7, zorder=4,
            label=f"nearest point, {t.distance_km:.1f} km {compass(t.bearing_deg)}")
    mid_lat = (pic.lat_deg + lat0) / 2
    ax.set_xlim((pic.lon_deg + lon0) / 2 - dlon, (pic.lon_deg + lon0) / 2 + dlon)
    ax.set_ylim(mid_lat - dlat, mid_lat + dlat)
    ax.set_aspect(1.0 / max(math.cos(math.radians(mid_lat)), 0.1))
    ax.set_xlabel("longitude, degrees east")
    ax.set_ylabel("latitude, degrees north")
    width = f"strip {t.strip_width_km:.1f} km wide, " if math.isfinite(t.strip_width_km) else ""
    ax.set_title(f"Where to stand: {width}{t.duration_s:.2f} s on the disc on the line",
                 fontsize=10)
    ax.legend(loc="lower right", fontsize=9)


def transit_svg(pic: TransitPicture, zone: tzinfo) -> str:
    return common.figure_svg(transit_figure(pic, zone))


def save_transit(pic: TransitPicture, zone: tzinfo, path: str | os.PathLike[str]) -> Path:
    return common.save_figure(transit_figure(pic, zone), path)
