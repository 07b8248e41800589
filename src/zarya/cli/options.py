"""What every command shares: option declarations, the place and time zone of a question,
and the ways of printing (JSON, one line, a rich console, warnings).

Only typer is imported here at start-up: numpy, the engine, the gazetteer and rich are
imported inside the functions, so that ``--help`` stays instant.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from ..domain.pass_table import PassOptions
    from ..engine.look import Observer

__all__ = [
    "AltOpt",
    "BrighterOpt",
    "DarkLimitOpt",
    "DaysOpt",
    "ElementsOpt",
    "ExtinctionOpt",
    "FromOpt",
    "JsonOpt",
    "LatOpt",
    "LonOpt",
    "MinElevationOpt",
    "PlaceOpt",
    "RadioHorizonOpt",
    "RulesOpt",
    "SatOpt",
    "ShadowOpt",
    "SkyOpt",
    "StaleOpt",
    "SunLimitOpt",
    "TzOpt",
    "console",
    "emit_json",
    "local_time",
    "observer",
    "say",
    "visible_options",
    "warn",
    "zone",
]

SatOpt = Annotated[
    str | None, typer.Option("--sat", help="NORAD number or name (default 25544, the ISS).")
]
ElementsOpt = Annotated[
    str | None,
    typer.Option(
        "--elements", help="Use the element sets (TLE, OMM) or trajectory (OEM) in this file."
    ),
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
RadioHorizonOpt = Annotated[
    float, typer.Option("--min-elevation", help="Radio horizon, degrees.")
]
SunLimitOpt = Annotated[
    float, typer.Option("--sun-limit", help="Visible only while your Sun is at or below this.")
]
RulesOpt = Annotated[
    str,
    typer.Option("--rules", help="What 'visible' means: zarya or spot-the-station (README)."),
]
ShadowOpt = Annotated[
    float | None,
    typer.Option(
        "--shadow-height-km",
        help="The Earth's shadow raised this much for the atmosphere (default 18; 0: none).",
    ),
]
BrighterOpt = Annotated[
    float | None,
    typer.Option("--brighter-than", help="Only stretches at least this bright (magnitude)."),
]
SkyOpt = Annotated[
    bool,
    typer.Option(
        "--against-sky",
        help="Visible only while brighter than the twilight sky's naked-eye limit.",
    ),
]
DarkLimitOpt = Annotated[
    float | None,
    typer.Option(
        "--limiting-magnitude", help="Your sky's naked-eye limit in full darkness (default 6)."
    ),
]
ExtinctionOpt = Annotated[
    bool | None,
    typer.Option(
        "--extinction/--no-extinction",
        help="Dim magnitudes by the airmass (default: the rules').",
    ),
]


def observer(
    place: str | None, lat: float | None, lon: float | None, alt_m: float
) -> tuple[Observer, str, str | None]:
    """(Observer, label, IANA time zone or None) from --place or --lat/--lon."""
    from ..engine.look import Observer
    from ..errors import ObserverError

    if place is not None:
        if lat is not None or lon is not None:
            raise ObserverError("give either --place or --lat/--lon, not both")
        from ..domain.places import resolve_place

        p = resolve_place(place)
        return Observer(p.lat_deg, p.lon_deg, p.alt_m), p.label, p.timezone
    if lat is None or lon is None:
        raise ObserverError("say where you are: --place NAME, or --lat DEG and --lon DEG")
    obs = Observer(lat, lon, alt_m)
    return obs, f"{lat:.4f}, {lon:.4f}", None


def visible_options(
    rules: str = "zarya", *, min_elevation: float = 10.0, sun_limit: float = -6.0,
    refraction: bool | None = None, shadow_height_km: float | None = None,
    brighter_than: float | None = None, against_sky: bool = False,
    limiting_magnitude: float | None = None, extinction: bool | None = None,
) -> PassOptions:
    """The options of a visible-pass search from the command's flags: the rule set's,
    with each flag given taking precedence (angles and magnitudes checked)."""
    from ..domain.rules import pass_options
    from ..engine.look import check_angle

    check_angle("min_elevation", min_elevation)
    check_angle("sun_limit", sun_limit, low_included=True, high_included=True)
    return pass_options(
        rules, min_elevation_deg=min_elevation, sun_limit_deg=sun_limit,
        refraction=refraction, shadow_height_km=shadow_height_km,
        brighter_than=brighter_than, sky=against_sky or None,
        dark_limit=limiting_magnitude, extinction=extinction,
    )


def zone(tz: str, place_zone: str | None, obs: Observer) -> ZoneInfo:
    """The time zone that ``--tz`` asks for (see :func:`~zarya.domain.places.resolve_zone`)."""
    from zoneinfo import ZoneInfo

    from ..domain.places import resolve_zone

    return ZoneInfo(resolve_zone(tz, zone=place_zone, lat_deg=obs.lat_deg, lon_deg=obs.lon_deg))


def emit_json(obj: object) -> None:
    """The object as indented JSON on stdout (UTF-8 kept as it is)."""
    sys.stdout.write(json.dumps(obj, indent=1, ensure_ascii=False) + "\n")


def say(line: str) -> None:
    """One line for people on stdout (not wrapped: paths and URLs stay whole)."""
    sys.stdout.write(line + "\n")


def console(*, highlight: bool = True) -> Any:
    """A rich console for tables (see :func:`zarya.render.table.make_console`)."""
    from ..render.table import make_console

    return make_console(highlight=highlight)


def warn(out: Any, warnings: list[str]) -> None:
    """Each warning on the console, marked (:func:`zarya.render.table.print_warnings`)."""
    from ..render.table import print_warnings

    print_warnings(out, warnings)


def local_time(iso: str | None, tz: Any, fmt: str = "%a %d %b %H:%M:%S") -> str:
    """An ISO 8601 UTC time ('...Z') in a time zone, or '-' for None."""
    if iso is None:
        return "-"
    from datetime import datetime

    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(tz).strftime(fmt)
