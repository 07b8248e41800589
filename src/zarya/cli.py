"""The ``zarya`` command: parses, calls the library, prints.

Bad input never ends in a traceback: every :class:`~zarya.errors.ZaryaError` and every
usage error prints one line on stderr and exits with status 2. Heavy modules (numpy, sgp4,
erfa, the gazetteer) are imported inside the commands, so ``--help`` stays instant.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

app = typer.Typer(
    name="zarya",
    help="Follow the International Space Station (or any satellite) from the ground.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

EXIT_BAD_INPUT = 2


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            sys.stdout.write(f"zarya {version('zarya')}\n")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree
            sys.stdout.write("zarya (not installed)\n")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Follow the International Space Station (or any satellite) from the ground."""

# ----------------------------------------------------------------- shared options
SatOpt = Annotated[
    str | None, typer.Option("--sat", help="NORAD number or name (default 25544, the ISS).")
]
ElementsOpt = Annotated[
    str | None,
    typer.Option("--elements", help="Use the element sets in this file (TLE or OMM)."),
]
StaleOpt = Annotated[
    bool, typer.Option("--allow-stale", help="Predict even with elements over 30 days old.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for machines (UTC times).")]
PlaceOpt = Annotated[
    str | None,
    typer.Option("--place", help="A city ('Astana', 'Paris, FR') or a site ('baikonur-1/5')."),
]
LatOpt = Annotated[float | None, typer.Option("--lat", help="Latitude, degrees north.")]
LonOpt = Annotated[float | None, typer.Option("--lon", help="Longitude, degrees east.")]
AltOpt = Annotated[float, typer.Option("--alt-m", help="Height above the ellipsoid, m.")]
FromOpt = Annotated[
    str, typer.Option("--from", help="Start, ISO 8601 (a bare date is 00:00 UTC).")
]
DaysOpt = Annotated[float, typer.Option("--days", help="Length of the window, days.")]
TzOpt = Annotated[
    str, typer.Option("--tz", help="Time zone of the times shown: auto, UTC or an IANA name.")
]
MinElevationOpt = Annotated[
    float, typer.Option("--min-elevation", help="Elevation threshold, degrees.")
]
SunLimitOpt = Annotated[
    float, typer.Option("--sun-limit", help="Visible only while your Sun is at or below this.")
]


def _observer(place: str | None, lat: float | None, lon: float | None, alt_m: float):
    """(Observer, label, timezone or None) from --place or --lat/--lon."""
    from .errors import ObserverError
    from .look import Observer

    if place is not None:
        if lat is not None or lon is not None:
            raise ObserverError("give either --place or --lat/--lon, not both")
        from .places import resolve_place

        p = resolve_place(place)
        return Observer(p.lat_deg, p.lon_deg, p.alt_m), p.label, p.timezone
    if lat is None or lon is None:
        raise ObserverError("say where you are: --place NAME, or --lat DEG and --lon DEG")
    obs = Observer(lat, lon, alt_m)
    return obs, f"{lat:.4f}, {lon:.4f}", None


def _zone(tz: str, place_zone: str | None, obs) -> Any:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from .errors import ObserverError

    if tz.upper() == "UTC":
        return ZoneInfo("UTC")
    if tz == "auto":
        if place_zone is None:
            from .places import timezone_at

            place_zone = timezone_at(obs.lat_deg, obs.lon_deg)
        tz = place_zone
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: 'America' is a folder
        raise ObserverError(
            f"unknown time zone {tz!r}: expected auto, UTC or an IANA name like Asia/Almaty"
        ) from None


def _emit_json(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj, indent=1, ensure_ascii=False) + "\n")


def _warn(console, warnings: list[str]) -> None:
    for w in warnings:
        console.print(f"[yellow]warning:[/] {w}", highlight=False)


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
    from .look import check_angle
    from .passes import PassOptions
    from .service import load_satellite, pass_window, passes_report
    from .timescale import parse_instant

    obs, label, place_zone = _observer(place, lat, lon, alt_m)
    check_angle("--min-elevation", min_elevation)
    check_angle("--sun-limit", sun_limit, low_included=True, high_included=True)
    zone = None if as_json else _zone(tz, place_zone, obs)
    window = pass_window(parse_instant(start), days)
    satellite = load_satellite(sat, elements_file=elements)
    options = PassOptions(
        min_elevation_deg=min_elevation, sun_limit_deg=sun_limit, refraction=refraction
    )
    report = passes_report(
        satellite, obs, window, options=options, visible_only=visible, allow_stale=allow_stale
    )
    if as_json:
        _emit_json(report)
        return
    from .render.table import print_passes

    print_passes(report, label=label, zone=zone, visible_only=visible)


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
    from .service import load_satellite, now_report
    from .timescale import parse_instant

    obs = None
    if place is not None or lat is not None or lon is not None:
        obs, _, _ = _observer(place, lat, lon, alt_m)
    satellite = load_satellite(sat, elements_file=elements)
    report = now_report(satellite, parse_instant(at), observer=obs, allow_stale=allow_stale)
    if as_json:
        _emit_json(report)
        return
    from .render.table import print_now

    print_now(report)


# The other commands live in their own modules and register themselves on ``app``.
from . import (  # noqa: E402,F401
    cli_batch,  # batch
    cli_mission,  # orbits, launch-windows, overflights, radio, track
    cli_plot,  # plot sky|map
    cli_web,  # serve
)
from .cli_elements import elements_app  # noqa: E402

app.add_typer(elements_app, name="elements")


# ------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script and ``python -m zarya``."""
    from .errors import ZaryaError

    command = typer.main.get_command(app)
    args = sys.argv[1:] if argv is None else argv
    try:
        command.main(args=args, prog_name="zarya", standalone_mode=False)
    except ZaryaError as exc:
        _fail(str(exc))
        return EXIT_BAD_INPUT
    except Exception as exc:  # usage errors of the (vendored) click parser
        if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):
            if type(exc).__name__ == "Abort":
                return 130
            if type(exc).__name__ == "NoArgsIsHelpError":  # bare `zarya`: the help, as asked
                sys.stdout.write(exc.ctx.get_help() + "\n")
                return 0
            code = exc.exit_code
            if code == 0:
                return 0
            _fail(exc.format_message())
            return EXIT_BAD_INPUT
        raise
    except KeyboardInterrupt:
        return 130
    return 0


def _fail(message: str) -> None:
    line = " ".join(message.split())
    sys.stderr.write(f"zarya: error: {line}\n")


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
