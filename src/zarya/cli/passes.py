"""``zarya passes`` and ``zarya now``: when the satellite passes over a place, and where it
is (and where to look) at an instant."""

from __future__ import annotations

from typing import Annotated

import typer

from .app import app
from .options import (
    AltOpt,
    BrighterOpt,
    DarkLimitOpt,
    DaysOpt,
    ElementsOpt,
    ExtinctionOpt,
    FromOpt,
    JsonOpt,
    LatOpt,
    LonOpt,
    MinElevationOpt,
    PlaceOpt,
    RulesOpt,
    SatOpt,
    ShadowOpt,
    SkyOpt,
    StaleOpt,
    SunLimitOpt,
    TzOpt,
    emit_json,
    observer,
    visible_options,
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
    rules: RulesOpt = "zarya",
    shadow_height_km: ShadowOpt = None,
    brighter_than: BrighterOpt = None,
    against_sky: SkyOpt = False,
    limiting_magnitude: DarkLimitOpt = None,
    extinction: ExtinctionOpt = None,
    tz: TzOpt = "auto",
    elements: ElementsOpt = None,
    allow_stale: StaleOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """When the satellite passes over a place, and when you can see it."""
    from ..engine.timescale import parse_instant
    from ..reports.passes import passes_report
    from ..reports.satellites import load_satellite, pass_window

    obs, label, place_zone = observer(place, lat, lon, alt_m)
    options = visible_options(
        rules, min_elevation=min_elevation, sun_limit=sun_limit, refraction=refraction or None,
        shadow_height_km=shadow_height_km, brighter_than=brighter_than,
        against_sky=against_sky, limiting_magnitude=limiting_magnitude, extinction=extinction,
    )
    shown_in = None if as_json else zone(tz, place_zone, obs)
    window = pass_window(parse_instant(start), days)
    satellite = load_satellite(sat, elements_file=elements)
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
    shadow_height_km: ShadowOpt = None,
    elements: ElementsOpt = None,
    allow_stale: StaleOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Where the satellite is at an instant (and where to look, given a place)."""
    from ..domain.light import SHADOW_HEIGHT_KM
    from ..domain.rules import check_shadow_height
    from ..engine.timescale import parse_instant
    from ..reports.passes import now_report
    from ..reports.satellites import load_satellite

    height = SHADOW_HEIGHT_KM if shadow_height_km is None else shadow_height_km
    check_shadow_height(height)
    obs = None
    if place is not None or lat is not None or lon is not None:
        obs, _, _ = observer(place, lat, lon, alt_m)
    satellite = load_satellite(sat, elements_file=elements)
    report = now_report(satellite, parse_instant(at), observer=obs, allow_stale=allow_stale,
                        shadow_height_km=height)
    if as_json:
        emit_json(report)
        return
    from ..render.table import print_now

    print_now(report)
