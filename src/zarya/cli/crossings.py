"""``zarya crossings``: the satellites that cross a patch of sky (a telescope's field).

Registered on the application when :mod:`zarya.cli` is imported. The field's centre as
``--ra``/``--dec`` (ICRS, degrees; the field turns with the sky) or ``--az``/``--alt``
(fixed), ``--radius-deg``; ``--sat`` one object (default the ISS), a list, a group or
``all``. A table in local time, or ``--json`` (UTC).
"""

from __future__ import annotations

from typing import Annotated

import typer

from .app import app
from .options import (
    AltOpt,
    ElementsOpt,
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
    warn,
    zone,
)

__all__ = ["crossings"]


@app.command()
def crossings(
    start: Annotated[str, typer.Option("--from", help="Start, ISO 8601.")],
    end: Annotated[str, typer.Option("--to", help="End, ISO 8601 (at most 3 days on).")],
    radius_deg: Annotated[
        float, typer.Option("--radius-deg", help="The field's radius, degrees (up to 30).")
    ],
    ra: Annotated[
        float | None, typer.Option("--ra", help="Right ascension of the centre, degrees.")
    ] = None,
    dec: Annotated[
        float | None, typer.Option("--dec", help="Declination of the centre, degrees.")
    ] = None,
    az: Annotated[
        float | None, typer.Option("--az", help="Or a fixed centre: azimuth, degrees.")
    ] = None,
    alt: Annotated[
        float | None, typer.Option("--alt", help="... and altitude, degrees.")
    ] = None,
    place: PlaceOpt = None,
    lat: LatOpt = None,
    lon: LonOpt = None,
    alt_m: AltOpt = 0.0,
    sat: SatOpt = None,
    tz: TzOpt = "auto",
    elements: ElementsOpt = None,
    allow_stale: StaleOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """The satellites that cross a patch of sky: entry, exit, closest approach, speed."""
    from ..domain.crossings import Field
    from ..engine.timescale import Window, parse_instant
    from ..reports.crossings import crossings_report
    from ..reports.satellites import load_satellite, many_objects, object_sets

    obs, label, place_zone = observer(place, lat, lon, alt_m)
    field = Field(radius_deg, ra, dec, az, alt)
    window = Window.between(parse_instant(start), parse_instant(end))
    if sat is not None and many_objects(sat, elements):
        sources, mags = object_sets(sat, elements)
    else:
        one = load_satellite(sat, elements_file=elements)
        sources = {one.norad_id: one.elements}
        mags = {one.norad_id: one.std_magnitude} if one.std_magnitude is not None else {}
    report = crossings_report(sources, obs, window, field, allow_stale=allow_stale,
                              std_magnitudes=mags)
    if as_json:
        emit_json(report)
        return
    shown_in = zone(tz, place_zone, obs)
    out = console()
    centre = (f"RA {ra:g}°, Dec {dec:+g}°" if ra is not None else f"az {az:g}°, alt {alt:g}°")
    out.print(f"{len(report['crossings'])} crossings of the field at {centre} (radius "
              f"{radius_deg:g}°) seen from [bold]{label}[/], times in {shown_in}",
              highlight=False)
    warn(out, report["warnings"])
    from rich.table import Table

    table = Table()
    for col in ("Name", "Enters", "Closest", "Leaves", "Off centre", "Speed", "Light"):
        table.add_column(col)
    for c in report["crossings"]:
        table.add_row(c["name"], local_time(c["entry"], shown_in, "%H:%M:%S"),
                      local_time(c["closest"], shown_in, "%H:%M:%S"),
                      local_time(c["exit"], shown_in, "%H:%M:%S"),
                      f"{c['separation_deg']:.3f}°", f"{c['rate_deg_s']:.2f}°/s",
                      c["sunlight"])
    out.print(table)
