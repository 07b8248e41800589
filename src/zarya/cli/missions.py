"""The mission commands: ``orbits``, ``launch-windows``, ``overflights``, ``radio``, ``track``.

Registered on the application when :mod:`zarya.cli` is imported. Like the rest of the
command line: parse, call the library (:mod:`zarya.reports.missions`), print JSON (``--json``, UTC
times with ``Z``) or a rich table in the place's local time; bad input raises a
:class:`~zarya.errors.ZaryaError`, which ``main`` prints as one line with exit status 2.
"""

from __future__ import annotations

import json
import math
import sys
from enum import StrEnum
from typing import Annotated, Any

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
    RadioHorizonOpt,
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

__all__ = ["TrackFormat", "launch_windows", "orbits", "overflights", "radio", "track"]


def _table(*columns: str, right: tuple[str, ...] = ()) -> Any:
    from rich.table import Table

    table = Table(header_style="bold")
    for col in columns:
        table.add_column(col, justify="right" if col in right else "left")
    return table


def _header(out: Any, report: dict[str, Any], what: str, tz: Any) -> None:
    sat = report["satellite"]
    out.print(
        f"[bold]{sat['name']}[/] (NORAD {sat['norad_id']}) {what}, times in {tz}; elements "
        f"epoch {sat['elements_epoch']} ({sat['elements_age_days']:+.1f} days)",
        highlight=False,
    )
    warn(out, report.get("warnings", []))


# ------------------------------------------------------------------------------ orbits
@app.command()
def orbits(
    start: Annotated[str, typer.Option("--from", help="Start, ISO 8601.")],
    end: Annotated[str, typer.Option("--to", help="End, ISO 8601.")],
    sat: SatOpt = None,
    elements: ElementsOpt = None,
    allow_stale: StaleOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """How many times the satellite circled the Earth between two instants.

    Counted from ascending-node crossings of the propagated orbit, switching to the nearest
    element set along the way, and checked against the revolution numbers the sets carry.
    """
    from ..engine.timescale import Window, parse_instant
    from ..reports.missions import orbits_report
    from ..reports.satellites import load_satellite

    window = Window.between(parse_instant(start), parse_instant(end))
    satellite = load_satellite(sat, elements_file=elements)
    report = orbits_report(satellite, window, allow_stale=allow_stale)
    if as_json:
        emit_json(report)
        return
    out = console()
    from zoneinfo import ZoneInfo

    _header(out, report, "revolutions", ZoneInfo("UTC"))
    w = report["window"]
    if report["complete"]:
        out.print(
            f"From {w['start']} to {w['end']}: [bold]{report['orbits']}[/] orbits "
            f"(ascending-node crossings; {report['revolutions']:.2f} turns exactly)",
            highlight=False,
        )
    else:
        counted = report["counted"]
        spans = (
            "from " + ", ".join(f"{c['start']} to {c['end']}" for c in counted)
            if len(counted) <= 3
            else f"over {len(counted)} stretches"
        )
        out.print(
            f"From {w['start']} to {w['end']}: [bold]{report['orbits']}[/] orbits counted "
            f"{spans} only, where SGP4 propagates (ascending-node crossings; "
            f"{report['revolutions']:.2f} turns in that time); SGP4 fails for the rest",
            highlight=False,
        )
    if report["first_node"]:
        nodes = f"first node {report['first_node']}, last node {report['last_node']}"
    else:
        nodes = "no ascending node"
    numbering = report["rev_numbering"]
    if numbering["absolute"]:
        revs = (
            f"revolution {report['rev_at_start']} to {report['rev_at_end']} (a five-digit set "
            f"prints {report['rev_at_end_as_printed']}; {numbering['note']})"
        )
    elif "rev_at_start" in numbering:
        revs = (
            f"revolution {numbering['rev_at_start']} to {numbering['rev_at_end']} modulo "
            f"{numbering['modulus']} ({numbering['note']})"
        )
    else:
        revs = f"revolution numbers {numbering['note']}"
    out.print(f"  {nodes}; {revs}", highlight=False)
    check = report["cross_check"]
    anchor = f"the set of {check['anchor_epoch']}, rev {check['anchor_rev_number']}"
    if check["checked"]:
        text = (
            f"  cross-check of the {check['checked']} other element set"
            f"{'s' if check['checked'] != 1 else ''} against {anchor}: {check['agree']} "
            f"agree, {check['off_by_one']} off by one, {check['other']} other"
        )
    else:
        text = f"  cross-check: nothing to check, no element set besides {anchor} (the anchor)"
    if check["not_checked"]:
        text += f"; {check['not_checked']} not checked (SGP4 fails in between)"
    out.print(text, highlight=False)
    table = _table(
        "Epoch (UTC)", "Rev", "Counted", "Diff", "Note", "Days away",
        right=("Rev", "Counted", "Diff", "Days away"),
    )
    for s in report["element_sets"]:
        counted = s["counted_rev"]
        if counted is None:
            shown = "-"
        elif not numbering["absolute"]:
            shown = f"{counted % s['rev_modulus']}"
        elif s["rev_modulus"] == 100000:
            shown = f"{counted}"
        else:
            shown = f"{counted % s['rev_modulus']} ({counted})"
        diff = "-" if s["difference"] is None else f"{s['difference']:+d}"
        days = "-" if s["farthest_days"] is None else f"{s['farthest_days']:.1f}"
        table.add_row(s["epoch"][:16], str(s["rev_number"]), shown, diff, s["note"], days)
    out.print(table)


# ---------------------------------------------------------------------- launch windows
@app.command("launch-windows")
def launch_windows(
    place: PlaceOpt = None,
    lat: LatOpt = None,
    lon: LonOpt = None,
    alt_m: AltOpt = 0.0,
    sat: SatOpt = None,
    start: FromOpt = "now",
    days: DaysOpt = 3.0,
    tz: TzOpt = "auto",
    elements: ElementsOpt = None,
    allow_stale: StaleOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """When a launch site passes through the satellite's orbital plane.

    Both crossings a day, with the launch azimuth into the plane (the north-east one suits
    a launch like Soyuz's from Baikonur to the ISS) and the target's phase angle.
    """
    from ..engine.timescale import parse_instant
    from ..reports.missions import launch_windows_report
    from ..reports.satellites import load_satellite, pass_window

    site, label, place_zone = observer(place, lat, lon, alt_m)
    window = pass_window(parse_instant(start), days)
    shown_in = None if as_json else zone(tz, place_zone, site)
    satellite = load_satellite(sat, elements_file=elements)
    report = launch_windows_report(
        satellite, site, window, label=label, allow_stale=allow_stale
    )
    if as_json:
        emit_json(report)
        return
    out = console()
    _header(out, report, f"orbital plane over [bold]{label}[/]", shown_in)
    table = _table(
        "Date", "Time", "Launch", "Azimuth", "Inertial", "Phase", "Incl.",
        right=("Azimuth", "Inertial", "Phase", "Incl."),
    )
    for w in report["windows"]:
        table.add_row(
            local_time(w["time"], shown_in, "%a %d %b"),
            local_time(w["time"], shown_in, "%H:%M:%S"),
            w["direction"] + (" *" if w["northbound"] else ""),
            f"{w['azimuth_deg']:.1f}°", f"{w['azimuth_inertial_deg']:.1f}°",
            f"{w['phase_angle_deg']:+.1f}°", f"{w['inclination_deg']:.2f}°",
        )
    out.print(table)
    out.print(
        "* northbound crossing: the plane heads north over the site (a north-east launch "
        "into a prograde orbit). Phase angle: how far ahead of the site the target is along "
        "its orbit. Azimuth: to fly over the rotating Earth; inertial: the plane's own.",
        highlight=False,
    )


# ------------------------------------------------------------------------- overflights
@app.command()
def overflights(
    place: PlaceOpt = None,
    lat: LatOpt = None,
    lon: LonOpt = None,
    alt_m: AltOpt = 0.0,
    radius_km: Annotated[
        float, typer.Option("--radius-km", help="Report tracks passing within this, km.")
    ] = 100.0,
    sat: SatOpt = None,
    start: FromOpt = "now",
    days: DaysOpt = 3.0,
    tz: TzOpt = "auto",
    elements: ElementsOpt = None,
    allow_stale: StaleOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """When the ground track passes within a distance of a place (landing opportunities
    with --place soyuz-landing-zone)."""
    from ..domain.overflights import check_radius
    from ..engine.timescale import parse_instant
    from ..reports.missions import overflights_report
    from ..reports.satellites import load_satellite, pass_window

    obs, label, place_zone = observer(place, lat, lon, alt_m)
    check_radius(radius_km)
    window = pass_window(parse_instant(start), days)
    shown_in = None if as_json else zone(tz, place_zone, obs)
    satellite = load_satellite(sat, elements_file=elements)
    report = overflights_report(satellite, obs, window, radius_km, allow_stale=allow_stale)
    if as_json:
        emit_json(report)
        return
    out = console()
    what = "landing opportunities" if place == "soyuz-landing-zone" else "ground track"
    _header(out, report, f"{what} within {radius_km:g} km of [bold]{label}[/]", shown_in)
    if not report["overflights"]:
        out.print(f"The track never comes within {radius_km:g} km in this window.")
        return
    table = _table(
        "Closest approach", "Distance", "Side", "Pass", "Heading", "Elevation",
        right=("Distance", "Heading", "Elevation"),
    )
    for o in report["overflights"]:
        table.add_row(
            local_time(o["time"], shown_in), f"{o['distance_km']:.1f} km", o["side"],
            o["direction"],
            f"{o['heading_deg']:.0f}°", f"{o['elevation_deg']:.1f}°",
        )
    out.print(table)


# ------------------------------------------------------------------------------- radio
@app.command()
def radio(
    place: PlaceOpt = None,
    lat: LatOpt = None,
    lon: LonOpt = None,
    alt_m: AltOpt = 0.0,
    freq_mhz: Annotated[
        float, typer.Option("--freq-mhz", help="Downlink frequency, MHz (ISS: 145.800).")
    ] = 145.8,
    min_elevation: RadioHorizonOpt = 0.0,
    step_s: Annotated[
        float, typer.Option("--step-s", help="Doppler samples along each pass, seconds.")
    ] = 30.0,
    sat: SatOpt = None,
    start: FromOpt = "now",
    days: DaysOpt = 1.0,
    tz: TzOpt = "auto",
    elements: ElementsOpt = None,
    allow_stale: StaleOpt = False,
    transmitters: Annotated[
        str | None,
        typer.Option("--transmitters", help="With --sat all, a group or a list: each object's "
                     "downlink from this SatNOGS DB transmitters JSON export."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Radio contacts: acquisition and loss of signal, with the Doppler shift along each
    pass; with --sat all (a group, a list) every object's passes in AOS order."""
    from ..domain.radio import check_frequency
    from ..engine.look import check_angle
    from ..engine.timescale import parse_instant
    from ..reports.missions import radio_report
    from ..reports.satellites import load_satellite, many_objects, pass_window

    obs, label, place_zone = observer(place, lat, lon, alt_m)
    check_frequency(freq_mhz)
    check_angle("min_elevation", min_elevation)
    window = pass_window(parse_instant(start), days)
    shown_in = None if as_json else zone(tz, place_zone, obs)
    if sat is not None and many_objects(sat, elements):
        _many_radio(sat, elements, transmitters, obs, label, window, freq_mhz, min_elevation,
                    step_s, allow_stale, as_json, shown_in)
        return
    if transmitters is not None:
        from ..errors import OptionError, param

        raise OptionError(f"{param('transmitters')} goes with {param('sat')} all, a group "
                          f"or a list (for one satellite: zarya follow {param('channel')})",
                          parameter="transmitters")
    satellite = load_satellite(sat, elements_file=elements)
    report = radio_report(
        satellite, obs, window, freq_mhz=freq_mhz, min_elevation_deg=min_elevation,
        step_s=step_s, allow_stale=allow_stale,
    )
    if as_json:
        emit_json(report)
        return
    out = console()
    _header(
        out, report,
        f"radio passes over [bold]{label}[/] above {min_elevation:g}° at {freq_mhz:.3f} MHz",
        shown_in,
    )
    if not report["passes"]:
        out.print("No passes in this window.")
        return
    table = _table(
        "Date", "AOS", "LOS", "Max el", "Length", "Doppler kHz", "Zero shift", "Fastest",
        right=("Max el", "Length", "Doppler kHz", "Fastest"),
    )
    for p in report["passes"]:
        d = p["doppler"]
        aos = p["aos"]["time"] if p["aos"] else None
        los = p["los"]["time"] if p["los"] else None
        m, s = divmod(int(round(p["duration_s"])), 60)
        table.add_row(
            local_time(p["culmination"]["time"], shown_in, "%a %d %b"),
            local_time(aos, shown_in, "%H:%M:%S")
            + (f" {p['aos']['direction']}" if p["aos"] else ""),
            local_time(los, shown_in, "%H:%M:%S")
            + (f" {p['los']['direction']}" if p["los"] else ""),
            f"{p['culmination']['elevation_deg']:.0f}°", f"{m}m{s:02d}s",
            f"{d['at_aos_hz'] / 1000:+.2f}/{d['at_los_hz'] / 1000:+.2f}",
            local_time(d["zero_time"], shown_in, "%H:%M:%S"), f"{d['max_rate_hz_s']:.0f} Hz/s",
        )
    out.print(table)
    out.print(
        "Shifts are what you hear on the downlink (tune up at AOS, down at LOS); transmit the "
        "opposite shift on an uplink. --json gives the shift every --step-s seconds.",
        highlight=False,
    )


def _many_radio(sat: str, elements: str | None, transmitters: str | None, obs: Any,
                label: str, window: Any, freq_mhz: float, min_elevation: float, step_s: float,
                allow_stale: bool, as_json: bool, shown_in: Any) -> None:
    """``radio --sat all`` (a group, a list): every object's radio passes, AOS order."""
    from ..elements.transmitters import read_satnogs_transmitters
    from ..reports.missions import many_radio_report
    from ..reports.satellites import object_sets

    by_object, _ = object_sets(sat, elements)
    downlinks: dict[int, list[Any]] | None = None
    if transmitters is not None:
        downlinks = {}
        for ch in read_satnogs_transmitters(transmitters):
            if ch.norad_id is not None:
                downlinks.setdefault(ch.norad_id, []).append(ch)
    report = many_radio_report(by_object, obs, window, freq_mhz=freq_mhz, downlinks=downlinks,
                               min_elevation_deg=min_elevation, step_s=step_s,
                               allow_stale=allow_stale)
    if as_json:
        emit_json(report)
        return
    out = console()
    out.print(f"Radio passes of {report['objects_with_passes']} of "
              f"{report['objects_looked_at']} objects over {label} above {min_elevation:g}°, "
              f"times in {shown_in}", highlight=False)
    warn(out, report["warnings"])
    if not report["passes"]:
        out.print("No passes in this window.")
        return
    table = _table("Date", "AOS", "LOS", "Name", "NORAD", "Max el", "Downlink MHz",
                   "Doppler kHz", right=("NORAD", "Max el", "Downlink MHz", "Doppler kHz"))
    for p in report["passes"]:
        d = p["doppler"]
        table.add_row(
            local_time((p["aos"] or p["culmination"])["time"], shown_in, "%a %d %b"),
            local_time(p["aos"]["time"] if p["aos"] else None, shown_in, "%H:%M:%S"),
            local_time(p["los"]["time"] if p["los"] else None, shown_in, "%H:%M:%S"),
            p["name"], str(p["norad_id"]), f"{p['culmination']['elevation_deg']:.0f}°",
            f"{p['downlink_mhz']:.3f}",
            f"{d['at_aos_hz'] / 1000:+.2f}/{d['at_los_hz'] / 1000:+.2f}",
        )
    out.print(table)


# ------------------------------------------------------------------------------- track
class TrackFormat(StrEnum):
    geojson = "geojson"
    csv = "csv"
    json = "json"


@app.command()
def track(
    sat: SatOpt = None,
    start: FromOpt = "now",
    hours: Annotated[float, typer.Option("--hours", help="Length of the track, hours.")] = 1.5,
    step_s: Annotated[float, typer.Option("--step-s", help="Between points, seconds.")] = 30.0,
    fmt: Annotated[
        TrackFormat | None,
        typer.Option("--format", help="geojson (RFC 7946, the default), csv or json."),
    ] = None,
    elements: ElementsOpt = None,
    allow_stale: StaleOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """The ground track: sub-satellite points as GeoJSON (cut at the antimeridian), CSV or
    JSON (with the country or ocean beneath each point)."""
    from ..engine.timescale import Window, parse_instant
    from ..errors import TimeRangeError, ZaryaError
    from ..reports.satellites import load_satellite
    from ..reports.tracks import track_csv, track_geojson, track_report

    if not (math.isfinite(hours) and 0.0 < hours <= 24.0 * 31.0):
        raise TimeRangeError(f"--hours {hours:g} is impossible: expected above 0, up to 744")
    window = Window(parse_instant(start), hours * 3600.0)
    satellite = load_satellite(sat, elements_file=elements)
    if as_json and fmt not in (None, TrackFormat.json):
        raise ZaryaError(f"--json and --format {fmt.value} disagree: give one of them")
    kind = TrackFormat.json if as_json else (fmt or TrackFormat.geojson)
    if kind is TrackFormat.json:
        emit_json(track_report(satellite, window, step_s, allow_stale=allow_stale))
    elif kind is TrackFormat.geojson:
        collection = track_geojson(satellite, window, step_s, allow_stale=allow_stale)
        sys.stdout.write(json.dumps(collection, separators=(",", ":"), ensure_ascii=False) + "\n")
    else:
        text, warnings = track_csv(satellite, window, step_s, allow_stale=allow_stale)
        for w in warnings:
            sys.stderr.write(f"zarya: warning: {w}\n")
        sys.stdout.write(text)
