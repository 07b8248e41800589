"""``zarya plot sky`` and ``zarya plot map``: a pass on the sky, the track on a world map.

Registered on the application (as the ``plot`` group) when :mod:`zarya.cli` is imported.
Like the rest of the command line: parse, call the library (:mod:`zarya.render.skychart`,
:mod:`zarya.render.worldmap`), say what was written (or
print JSON with ``--json``). Matplotlib is imported only when a picture is drawn. The
output is checked before any work (PNG or SVG, an existing writable folder) and written
atomically: on any error no file, not even a partial one, is left behind.
"""

from __future__ import annotations

import math
from typing import Annotated

import typer

from .app import app
from .options import (
    AltOpt,
    ElementsOpt,
    FromOpt,
    JsonOpt,
    LatOpt,
    LonOpt,
    MinElevationOpt,
    PlaceOpt,
    RulesOpt,
    SatOpt,
    ShadowOpt,
    StaleOpt,
    SunLimitOpt,
    TzOpt,
    console,
    emit_json,
    observer,
    visible_options,
    warn,
    zone,
)

__all__ = ["MAX_MAP_HOURS", "plot_app", "sky", "world"]

MAX_MAP_HOURS = 48.0

plot_app = typer.Typer(
    help="Pictures: a pass on the sky chart, the ground track on a world map.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

OutOpt = Annotated[
    str, typer.Option("--out", help="The picture to write: FILE.png or FILE.svg.")
]


# --------------------------------------------------------------------------- sky
@plot_app.command("sky")
def sky(
    out: OutOpt,
    place: PlaceOpt = None,
    lat: LatOpt = None,
    lon: LonOpt = None,
    alt_m: AltOpt = 0.0,
    sat: SatOpt = None,
    start: FromOpt = "now",
    days: Annotated[
        float, typer.Option("--days", help="Length of the window searched, days.")
    ] = 10.0,
    pass_number: Annotated[
        int | None,
        typer.Option(
            "--pass", min=1,
            help="Draw the N-th pass of the window (1-based; default: the first visible, "
            "else the first).",
        ),
    ] = None,
    min_elevation: MinElevationOpt = 10.0,
    sun_limit: SunLimitOpt = -6.0,
    rules: RulesOpt = "zarya",
    shadow_height_km: ShadowOpt = None,
    tz: TzOpt = "auto",
    elements: ElementsOpt = None,
    allow_stale: StaleOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """A sky chart of one pass: where to look, minute by minute, and when it is visible."""
    from ..render.common import check_output

    path, fmt = check_output(out)
    obs, label, place_zone = observer(place, lat, lon, alt_m)
    options = visible_options(rules, min_elevation=min_elevation, sun_limit=sun_limit,
                              shadow_height_km=shadow_height_km)
    shown_in = zone(tz, place_zone, obs)

    from ..domain.passes import find_passes
    from ..engine.ephemeris import Ephemeris
    from ..engine.timescale import parse_instant
    from ..render.skychart import choose_pass, save_sky_chart, sky_pass
    from ..reports import contract
    from ..reports.satellites import load_satellite, pass_window, satellite_info

    window = pass_window(parse_instant(start), days)
    satellite = load_satellite(sat, elements_file=elements)
    warnings = satellite.check_age(window, allow_stale=allow_stale)
    eph = Ephemeris(satellite, window)
    eph.require_some_valid()
    failures = eph.failed_stretches()
    warnings += [f.warning("passes", digits=1) for f in failures]
    passes = find_passes(eph, obs, options)[0]
    k, chosen = choose_pass(
        passes, pass_number, where=label, window=(window.start, window.end),
        min_elevation_deg=min_elevation, failures=failures,
    )
    chart = sky_pass(
        eph, obs, chosen, min_elevation_deg=min_elevation, sun_limit_deg=sun_limit,
        number=k + 1, total=len(passes), shadow_height_km=options.shadow_height_km,
        extinction=options.extinction,
    )
    written = save_sky_chart(chart, path, place=label, zone=shown_in)
    if as_json:
        emit_json({
            "out": str(written),
            "format": fmt,
            "satellite": satellite_info(satellite, window.start),
            "observer": contract.observer(obs),
            "min_elevation_deg": min_elevation,
            "window": contract.window(window),
            "pass_number": k + 1,
            "passes_in_window": len(passes),
            "pass": contract.pass_(chosen, minute_truncated=options.minute_truncated),
            "warnings": warnings,
        })  # fmt: skip
        return
    screen = console()
    warn(screen, warnings)
    when = chosen.culmination.time.astimezone(shown_in)
    seen = "not visible"
    if chosen.visible is not None:
        mags = [v.brightest_magnitude for v in chosen.stretches
                if v.brightest_magnitude is not None]
        seen = f"visible, brightest {min(mags):+.1f}" if mags else "visible"
    screen.print(
        f"wrote {written}: {satellite.name} over {label}, pass {k + 1} of {len(passes)}, "
        f"highest {chosen.culmination.elevation_deg:.0f}° at {when:%a %d %b %H:%M:%S} "
        f"({shown_in}), {seen}",
        highlight=False,
        soft_wrap=True,
    )


# --------------------------------------------------------------------------- map
@plot_app.command("map")
def world(
    out: OutOpt,
    start: FromOpt = "now",
    hours: Annotated[
        float, typer.Option("--hours", help="Length of the ground track, hours.")
    ] = 1.5,
    place: PlaceOpt = None,
    lat: LatOpt = None,
    lon: LonOpt = None,
    alt_m: AltOpt = 0.0,
    min_elevation: Annotated[
        float,
        typer.Option("--min-elevation", help="Footprint: where it stands above this, degrees."),
    ] = 10.0,
    shadow_height_km: ShadowOpt = None,
    sat: SatOpt = None,
    elements: ElementsOpt = None,
    allow_stale: StaleOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """A world map: the ground track from --from, the station and its footprint at --from,
    day, twilight and night, and the observer if given."""
    from ..errors import TimeRangeError
    from ..render.common import check_output

    path, fmt = check_output(out)
    obs = label = None
    if place is not None or lat is not None or lon is not None:
        obs, label, _ = observer(place, lat, lon, alt_m)
    from ..engine.look import check_angle

    check_angle("min_elevation", min_elevation, low=0.0, low_included=True)
    from ..domain.light import SHADOW_HEIGHT_KM
    from ..domain.rules import check_shadow_height

    height = check_shadow_height(
        SHADOW_HEIGHT_KM if shadow_height_km is None else shadow_height_km)
    if not (math.isfinite(hours) and 0.0 < hours <= MAX_MAP_HOURS):
        raise TimeRangeError(
            f"--hours {hours:g} is impossible: expected more than 0 and at most "
            f"{MAX_MAP_HOURS:g} hours"
        )

    from ..engine.ephemeris import Ephemeris
    from ..engine.timescale import Window, iso_z, parse_instant
    from ..render.worldmap import save_world_map, world_map
    from ..reports import contract
    from ..reports.satellites import load_satellite, satellite_info

    window = Window(parse_instant(start), hours * 3600.0)
    satellite = load_satellite(sat, elements_file=elements)
    warnings = satellite.check_age(window, allow_stale=allow_stale)
    eph = Ephemeris(satellite, window)
    eph.require_some_valid()
    picture = world_map(eph, observer=obs, observer_label=label, min_elevation_deg=min_elevation,
                        shadow_height_km=height)
    written = save_world_map(picture, path)
    if as_json:
        report = {
            "out": str(written),
            "format": fmt,
            "satellite": satellite_info(satellite, window.start),
            "window": contract.window(window),
            "station": {
                "time": iso_z(window.start),
                "lat_deg": round(picture.station_lat_deg, 4),
                "lon_deg": round(picture.station_lon_deg, 4),
                "alt_km": round(picture.station_alt_km, 2),
                "sunlit": picture.station_sunlit,
            },
            "min_elevation_deg": min_elevation,
            "warnings": warnings,
        }
        if obs is not None:
            report["observer"] = contract.observer(obs)
        emit_json(report)
        return
    screen = console()
    warn(screen, warnings)
    screen.print(
        f"wrote {written}: {satellite.name} ground track from {iso_z(window.start, 0)} for "
        f"{hours:g} h, at the start over {picture.station_lat_deg:.1f}, "
        f"{picture.station_lon_deg:.1f}",
        highlight=False,
        soft_wrap=True,
    )


app.add_typer(plot_app, name="plot")
