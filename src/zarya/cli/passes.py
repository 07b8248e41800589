"""``zarya passes`` and ``zarya now``: when the satellite passes over a place, and where it
is (and where to look) at an instant."""

from __future__ import annotations

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
    MinElevationOpt,
    PlaceOpt,
    SatOpt,
    StaleOpt,
    SunLimitOpt,
    TzOpt,
    emit_json,
    observer,
    zone,
)

__all__ = ["now", "passes"]

# ----------------------------------------------------------------------- passes
@app.command()
def passes(
    place: PlaceOpt = None,
    lat: LatOpt = None,
    lon: LonOpt = None,
    alt_m: AltOpt = 0.0,
    sat: SatOpt = None,
    start: FromOpt = "now",
    days: DaysOpt = 10.0,
    min_elevation: MinElevationOpt = 10.0,
    visible: Annotated[
        bool, typer.Option("--visible", help="Only passes visible to the naked eye.")
    ] = False,
    sun_limit: SunLimitOpt = -6.0,
    refraction: Annotated[
        bool, typer.Option("--refraction", help="Apparent (refracted) elevations.")
    ] = False,
    tz: TzOpt = "auto",
    elements: ElementsOpt = None,
    allow_stale: StaleOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """When the satellite passes over a place, and when you can see it."""
    from ..domain.pass_table import PassOptions
    from ..engine.look import check_angle
    from ..engine.timescale import parse_instant
    from ..reports.passes import passes_report
    from ..reports.satellites import load_satellite, pass_window

    obs, label, place_zone = observer(place, lat, lon, alt_m)
    check_angle("min_elevation", min_elevation)
    check_angle("sun_limit", sun_limit, low_included=True, high_included=True)
    shown_in = None if as_json else zone(tz, place_zone, obs)
    window = pass_window(parse_instant(start), days)
    satellite = load_satellite(sat, elements_file=elements)
    options = PassOptions(
        min_elevation_deg=min_elevation, sun_limit_deg=sun_limit, refraction=refraction
    )
    report = passes_report(
        satellite, obs, window, options=options, visible_only=visible, allow_stale=allow_stale
    )
    if as_json:
        emit_json(report)
        return
    from ..render.table import print_passes

    assert shown_in is not None
    print_passes(report, label=label, zone=shown_in, visible_only=visible)


# -------------------------------------------------------------------------- now
@app.command()
def now(
    sat: SatOpt = None,
    at: Annotated[str, typer.Option("--at", help="Instant, ISO 8601 (default: now).")] = "now",
    place: PlaceOpt = None,
    lat: LatOpt = None,
    lon: LonOpt = None,
    alt_m: AltOpt = 0.0,
    elements: ElementsOpt = None,
    allow_stale: StaleOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Where the satellite is at an instant (and where to look, given a place)."""
    from ..engine.timescale import parse_instant
    from ..reports.passes import now_report
    from ..reports.satellites import load_satellite

    obs = None
    if place is not None or lat is not None or lon is not None:
        obs, _, _ = observer(place, lat, lon, alt_m)
    satellite = load_satellite(sat, elements_file=elements)
    report = now_report(satellite, parse_instant(at), observer=obs, allow_stale=allow_stale)
    if as_json:
        emit_json(report)
        return
    from ..render.table import print_now

    print_now(report)
