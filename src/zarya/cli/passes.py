"""``zarya passes`` and ``zarya now``: when the satellite passes over a place, and where it
is (and where to look) at an instant."""

from __future__ import annotations

import sys
from typing import Annotated, Any

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
    console,
    emit_json,
    local_time,
    observer,
    visible_options,
    warn,
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
    from ..reports.satellites import load_satellite, many_objects, pass_window

    obs, label, place_zone = observer(place, lat, lon, alt_m)
    options = visible_options(
        rules, min_elevation=min_elevation, sun_limit=sun_limit, refraction=refraction or None,
        shadow_height_km=shadow_height_km, brighter_than=brighter_than,
        against_sky=against_sky, limiting_magnitude=limiting_magnitude, extinction=extinction,
    )
    shown_in = None if as_json else zone(tz, place_zone, obs)
    window = pass_window(parse_instant(start), days)
    if sat is not None and many_objects(sat, elements):
        _many_passes(sat, obs, label, window, options, visible, elements, allow_stale,
                     as_json, shown_in)
        return
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
    min_elevation: Annotated[
        float, typer.Option("--min-elevation",
                            help="With --sat all or a list: only objects this high, degrees.")
    ] = 0.0,
    elements: ElementsOpt = None,
    allow_stale: StaleOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Where the satellite is at an instant (and where to look, given a place); with
    --sat all (or a comma-separated list) and a place, every object above the horizon."""
    from ..domain.light import SHADOW_HEIGHT_KM
    from ..domain.rules import check_shadow_height
    from ..engine.timescale import parse_instant
    from ..reports.passes import now_report
    from ..reports.satellites import load_satellite, many_objects

    height = SHADOW_HEIGHT_KM if shadow_height_km is None else shadow_height_km
    check_shadow_height(height)
    obs = None
    label = ""
    if place is not None or lat is not None or lon is not None:
        obs, label, _ = observer(place, lat, lon, alt_m)
    if sat is not None and many_objects(sat, elements):
        _above_me(sat, parse_instant(at), obs, label, elements, height, min_elevation,
                  allow_stale, as_json)
        return
    satellite = load_satellite(sat, elements_file=elements)
    report = now_report(satellite, parse_instant(at), observer=obs, allow_stale=allow_stale,
                        shadow_height_km=height)
    if as_json:
        emit_json(report)
        return
    from ..render.table import print_now

    print_now(report)


def _above_me(sat: str, when: Any, obs: Any, label: str, elements: str | None,
              height: float, min_elevation: float, allow_stale: bool, as_json: bool) -> None:
    """``now --sat all`` (or a list): every object above the horizon, highest first."""
    from ..engine.look import check_angle
    from ..errors import ObserverError
    from ..reports.overhead import overhead_report
    from ..reports.satellites import object_sets

    if obs is None:
        raise ObserverError("--sat all (or a list) asks what is above a place: give --place "
                            "NAME, or --lat DEG and --lon DEG")
    check_angle("min_elevation", min_elevation, low_included=True)
    by_object, mags = object_sets(sat, elements)
    sets = [es for history in by_object.values() for es in history]
    report = overhead_report(sets, when, obs, std_magnitudes=mags,
                             min_elevation_deg=min_elevation, shadow_height_km=height,
                             allow_stale=allow_stale)
    if as_json:
        emit_json(report)
        return
    out = console()
    out.print(f"Above [bold]{label}[/] at {report['time']}: {len(report['above'])} of "
              f"{report['objects_looked_at']} objects above {min_elevation:g}°", highlight=False)
    warn(out, report["warnings"])
    from rich.table import Table

    table = Table()
    for col in ("Name", "NORAD", "Az", "El", "Range km", "Light", "Mag"):
        table.add_column(col, justify="left" if col in ("Name", "Light") else "right")
    for o in report["above"]:
        table.add_row(o["name"], str(o["norad_id"]), f"{o['azimuth_deg']:.0f}° {o['direction']}",
                      f"{o['elevation_deg']:.1f}°", f"{o['range_km']:,.0f}", o["sunlight"],
                      "-" if o["magnitude"] is None else f"{o['magnitude']:+.1f}")
    out.print(table)


def _many_passes(sat: str, obs: Any, label: str, window: Any, options: Any, visible: bool,
                 elements: str | None, allow_stale: bool, as_json: bool, shown_in: Any
                 ) -> None:
    """``passes --sat all`` (or a list): every object's passes over one place, in time
    order (a progress bar on stderr for people, when there are many)."""
    from ..reports.passes import many_passes_report
    from ..reports.satellites import object_sets

    by_object, mags = object_sets(sat, elements)
    progress = None
    bar = None
    if not as_json and len(by_object) > 50 and sys.stderr.isatty():
        from rich.progress import Progress

        bar = Progress(transient=True)
        task = bar.add_task("objects", total=len(by_object))
        bar.start()
        progress = lambda done, total: bar.update(task, completed=done)  # noqa: E731
    try:
        report = many_passes_report(by_object, obs, window, options=options,
                                    visible_only=visible, allow_stale=allow_stale,
                                    std_magnitudes=mags, progress=progress)
    finally:
        if bar is not None:
            bar.stop()
    if as_json:
        emit_json(report)
        return
    out = console()
    what = "visible passes" if visible else "passes"
    out.print(f"{what.capitalize()} of {report['objects_with_passes']} of "
              f"{report['objects_looked_at']} objects over [bold]{label}[/], times in "
              f"{shown_in}", highlight=False)
    warn(out, report["warnings"])
    from rich.table import Table

    table = Table()
    for col in ("Date", "Rise", "Name", "NORAD", "Highest", "Set", "Mag"):
        table.add_column(col, justify="right" if col in ("Highest", "Mag", "NORAD") else "left")
    for p in report["passes"]:
        top = p["culmination"]
        vis = p.get("visible")
        mag = vis["brightest_magnitude"] if vis else None
        first = p["rise"] or top
        table.add_row(local_time(first["time"], shown_in, "%a %d %b"),
                      local_time(p["rise"]["time"] if p["rise"] else None, shown_in,
                                 "%H:%M:%S"),
                      p["name"], str(p["norad_id"]),
                      f"{top['elevation_deg']:.0f}° {top['direction']}",
                      local_time(p["set"]["time"] if p["set"] else None, shown_in, "%H:%M:%S"),
                      "-" if mag is None else f"{mag:+.1f}")
    out.print(table)
