"""``zarya transits``: the satellite across the Sun or the Moon, and where to stand.

Registered on the application when :mod:`zarya.cli` is imported. A table in the place's
local time, or ``--json`` (UTC); ``--geojson`` prints every centre line on the globe over
the window instead; ``--plot DIR`` draws each transit (the disc with the path across it,
and the regional map of the centre line and its strip) as ``DIR/transit-N.svg`` (or
``--plot-format png``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .app import app
from .options import (
    AltOpt,
    DaysOpt,
    ElementsOpt,
    FromOpt,
    JsonOpt,
    LatOpt,
    LonOpt,
    PlaceOpt,
    SatOpt,
    StaleOpt,
    TzOpt,
    console,
    emit_json,
    local_time,
    observer,
    say,
    warn,
    zone,
)

__all__ = ["transits"]


@app.command()
def transits(
    place: PlaceOpt = None,
    lat: LatOpt = None,
    lon: LonOpt = None,
    alt_m: AltOpt = 0.0,
    body: Annotated[str, typer.Option("--body", help="sun, moon or both.")] = "both",
    radius_km: Annotated[
        float,
        typer.Option("--radius-km", help="Also transits whose centre line passes this near."),
    ] = 20.0,
    margin_deg: Annotated[
        float,
        typer.Option("--margin-deg", help="Near misses: this close to the disc's edge, degrees."),
    ] = 0.5,
    start: FromOpt = "now",
    days: DaysOpt = 7.0,
    sat: SatOpt = None,
    tz: TzOpt = "auto",
    geojson: Annotated[
        bool, typer.Option("--geojson", help="Every centre line on the globe, as GeoJSON.")
    ] = False,
    plot: Annotated[
        str | None, typer.Option("--plot", help="Draw each transit into this folder.")
    ] = None,
    plot_format: Annotated[
        str, typer.Option("--plot-format", help="svg or png.")
    ] = "svg",
    elements: ElementsOpt = None,
    allow_stale: StaleOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Transits of the Sun and the Moon: when the satellite crosses the disc, seen from
    here or from its centre line within --radius-km, and where to stand."""
    from ..domain.transits import TransitOptions
    from ..engine.timescale import parse_instant
    from ..reports.satellites import load_satellite, pass_window
    from ..reports.transits import check_bodies, transits_geojson, transits_report

    bodies = check_bodies(body)
    window = pass_window(parse_instant(start), days)
    if geojson:
        if place is not None or lat is not None or lon is not None:
            from ..errors import OptionError

            raise OptionError("--geojson draws the whole globe: give no --place, --lat or --lon",
                              parameter="geojson")
        satellite = load_satellite(sat, elements_file=elements)
        emit_json(transits_geojson(satellite, window, bodies=bodies, allow_stale=allow_stale))
        return
    obs, label, place_zone = observer(place, lat, lon, alt_m)
    TransitOptions(radius_km=radius_km, margin_deg=margin_deg)  # checked before the work
    folder = _plot_folder(plot, plot_format) if plot is not None else None
    satellite = load_satellite(sat, elements_file=elements)
    found: list = []
    report = transits_report(satellite, obs, window, bodies=bodies, radius_km=radius_km,
                             margin_deg=margin_deg, allow_stale=allow_stale, with_found=found)
    shown_in = zone(tz, place_zone, obs)
    if folder is not None:
        _draw(folder, plot_format, found, satellite, window, obs, label, shown_in)
    if as_json:
        emit_json(report)
        return
    out = console()
    sat_info = report["satellite"]
    out.print(
        f"[bold]{sat_info['name']}[/] across the {' and the '.join(bodies)} from "
        f"[bold]{label}[/] and within {radius_km:g} km, times in {shown_in}; elements epoch "
        f"{sat_info['elements_epoch']} ({sat_info['elements_age_days']:+.1f} days)",
        highlight=False)
    warn(out, report["warnings"])
    if not report["transits"]:
        out.print("No transits in this window.")
        return
    from rich.table import Table

    table = Table(show_lines=False)
    for col in ("Date", "Central", "Body", "What", "Where to stand", "Here", "On disc",
                "Body alt/az"):
        table.add_column(col, justify="right" if col in ("On disc",) else "left")
    for t in report["transits"]:
        here = (f"{t['separation_deg'] * 60:.1f}' off centre at "
                f"{local_time(t['observer_time'], shown_in, '%H:%M:%S')}")
        stand = (f"{t['distance_km']:.1f} km {t['direction']} "
                 f"({t['centre_lat_deg']:.4f}, {t['centre_lon_deg']:.4f})")
        if t["strip_width_km"] is not None:
            stand += f", strip {t['strip_width_km']:.1f} km"
        table.add_row(
            local_time(t["time"], shown_in, "%a %d %b"),
            local_time(t["time"], shown_in, "%H:%M:%S") + f".{t['time'][20:22]}",
            t["body"] + (f" {t['moon_illumination'] * 100:.0f}%" if t["moon_illumination"]
                         is not None else ""),
            t["kind"], stand, here,
            f"{t['duration_s']:.2f} s" if t["duration_s"] is not None else "-",
            f"{t['body_altitude_deg']:.0f}° {t['body_azimuth_deg']:.0f}°",
        )
    out.print(table)
    if folder is not None:
        say(f"pictures in {folder}")


def _plot_folder(plot: str, fmt: str) -> Path:
    from ..errors import RenderError

    if fmt not in ("svg", "png"):
        raise RenderError(f"--plot-format {fmt!r} is not a picture format: svg or png",
                          parameter="plot_format")
    folder = Path(plot)
    if not folder.is_dir():
        raise RenderError(f"--plot {plot!r} is not a folder", parameter="plot", path=plot)
    return folder


def _draw(folder: Path, fmt: str, found: list, satellite: object, window: object,
          obs: object, label: str, shown_in: object) -> None:
    from ..domain.transits import sky_path
    from ..engine.ephemeris import Ephemeris
    from ..engine.look import Observer
    from ..render.transits import TransitPicture, save_transit
    from ..reports.transits import TRANSIT_STEP_S

    eph = Ephemeris(satellite, window, step_s=TRANSIT_STEP_S)  # type: ignore[arg-type]
    assert isinstance(obs, Observer)
    for n, t in enumerate(found, start=1):
        centre = Observer(t.centre_lat_deg, t.centre_lon_deg, 0.0)
        half = max(2.0, 0.7 * t.duration_s) if t.duration_s == t.duration_s else 2.0
        pic = TransitPicture(t, obs.lat_deg, obs.lon_deg, label,
                             sky_path(eph, t, obs, half_s=half),
                             sky_path(eph, t, centre, half_s=half))
        save_transit(pic, shown_in, folder / f"transit-{n}.{fmt}")  # type: ignore[arg-type]
