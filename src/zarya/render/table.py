"""Rich tables for people: local times of the place, directions, brightness."""

from __future__ import annotations

import os
import sys
from datetime import datetime, tzinfo

from rich.console import Console
from rich.table import Table

__all__ = ["PIPE_WIDTH", "make_console", "print_now", "print_passes", "print_warnings"]


PIPE_WIDTH = 160  # columns for output that goes to a pipe or a file


def make_console(**kw) -> Console:
    """A console for tables: the terminal's width; when the output goes to a pipe or a file,
    :data:`PIPE_WIDTH` columns, or ``COLUMNS`` where that is wider (rich's default of 80, or a
    narrower ``COLUMNS`` meant for a terminal, would cut the cells). Every command uses it."""
    width = None
    if not sys.stdout.isatty():
        columns = os.environ.get("COLUMNS", "").strip()
        width = max(PIPE_WIDTH, int(columns)) if columns.isdigit() else PIPE_WIDTH
    return Console(width=width, **kw)


def _local(iso: str, zone: tzinfo) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(zone)


def _hm(iso: str, zone: tzinfo) -> str:
    return _local(iso, zone).strftime("%H:%M:%S")


def _point(p: dict | None, zone: tzinfo) -> str:
    if p is None:
        return "(before/after window)"
    return f"{_hm(p['time'], zone)}  {p['elevation_deg']:4.0f}°  {p['direction']}"


def _header(console: Console, report: dict, label: str, zone: tzinfo) -> None:
    sat = report["satellite"]
    age = sat["elements_age_days"]
    console.print(
        f"[bold]{sat['name']}[/] (NORAD {sat['norad_id']}) over [bold]{label}[/]  "
        f"times in {zone}  elements epoch {sat['elements_epoch']} "
        f"({abs(age):.1f} days {'old' if age >= 0 else 'ahead'})",
        highlight=False,
    )
    print_warnings(console, report.get("warnings", []))


def print_warnings(console: Console, warnings: list[str]) -> None:
    """Each warning on the console, marked."""
    for w in warnings:
        console.print(f"[yellow]warning:[/] {w}", highlight=False)


def _mag(value: float | None) -> str:
    """A magnitude, or a dash where the object's brightness is unknown."""
    return "-" if value is None else f"{value:+.1f}"


def _appears_hm(vis: dict, zone: tzinfo) -> str:
    """When a stretch appears: to the second, or under rules that show it so, to the
    minute, truncated."""
    listed = vis.get("listed")
    if listed is None:
        return _hm(vis["start"]["time"], zone)
    return _local(listed["appears"].replace("Z", ":00Z"), zone).strftime("%H:%M")


def _appears(vis: dict, zone: tzinfo) -> str:
    """Where a stretch appears (time, elevation, direction)."""
    start = vis["start"]
    return f"{_appears_hm(vis, zone):<8}  {start['elevation_deg']:4.0f}°  {start['direction']}"


def print_passes(report: dict, *, label: str, zone: tzinfo, visible_only: bool) -> None:
    """The passes as a table: with ``visible_only`` one row per visible stretch (a pass
    that comes out of the shadow or the twilight twice has two), else one row per pass
    with its visible stretches listed."""
    console = make_console()
    _header(console, report, label, zone)
    passes = report["passes"]
    if not passes:
        what = "visible passes" if visible_only else "passes"
        console.print(
            f"No {what} above {report['min_elevation_deg']:g}° in this window.", highlight=False
        )
        return
    table = Table(show_lines=False, header_style="bold")
    table.add_column("Date")
    if visible_only:
        for col in ("Appears", "Highest", "Disappears"):
            table.add_column(col + "  (time el dir)")
        table.add_column("Visible", justify="right")
        table.add_column("Mag", justify="right")
        table.add_column("Ends")
    else:
        for col in ("Rise", "Highest", "Set"):
            table.add_column(col + "  (time el dir)")
        table.add_column("Length", justify="right")
        table.add_column("Visible (mag)")
    switched = []
    for p in passes:
        culm = p["culmination"]
        day = _local(culm["time"], zone).strftime("%a %d %b %Y")
        if p.get("source_switches"):
            day += " *"
            switched += p["source_switches"]
        stretches = p.get("visible_stretches") or ([p["visible"]] if p["visible"] else [])
        if visible_only:
            for k, vis in enumerate(stretches):
                table.add_row(
                    day if k == 0 else "  and again",
                    _appears(vis, zone),
                    _point(vis["peak"], zone),
                    _point(vis["end"], zone),
                    _duration(vis["duration_s"]),
                    _mag(vis["brightest_magnitude"]),
                    vis["ends"].replace("_", " "),
                )
        else:
            seen = ", ".join(
                f"{_appears_hm(v, zone)}-{_hm(v['end']['time'], zone)} "
                f"({_mag(v['brightest_magnitude'])})"
                for v in stretches
            ) or "-"
            table.add_row(
                day,
                _point(p["rise"], zone),
                _point(culm, zone),
                _point(p["set"], zone),
                _duration(p["duration_s"]),
                seen,
            )
    console.print(table)
    for s in switched:
        ahead = ("" if s["along_track_s"] is None
                 else f", {s['along_track_s']:+.1f} s along the track")
        console.print(
            f"* at {_hm(s['time'], zone)} the prediction switches from {s['from']} to {s['to']}"
            f", which disagree by {s['distance_km']:.1f} km{ahead}",
            highlight=False,
        )


def _duration(seconds: float) -> str:
    m, s = divmod(int(round(seconds)), 60)
    return f"{m}m{s:02d}s"


def print_now(report: dict) -> None:
    console = make_console()
    sat = report["satellite"]
    console.print(
        f"[bold]{sat['name']}[/] (NORAD {sat['norad_id']}) at {report['time']}", highlight=False
    )
    print_warnings(console, report.get("warnings", []))
    lat, lon = report["lat_deg"], report["lon_deg"]
    console.print(
        f"  above {abs(lat):.2f}°{'N' if lat >= 0 else 'S'} "
        f"{abs(lon):.2f}°{'E' if lon >= 0 else 'W'}"
        + (f" ({report['over']})" if report.get("over") else "")
        + f", {report['alt_km']:.0f} km up, {report['speed_km_s']:.2f} km/s, "
        f"{report['sunlight']}",
        highlight=False,
    )
    console.print(
        f"  elements epoch {sat['elements_epoch']} ({sat['elements_age_days']:+.1f} days)",
        highlight=False,
    )
    if "look" in report:
        look = report["look"]
        console.print(
            f"  look {look['direction']} (azimuth {look['azimuth_deg']:.1f}°), elevation "
            f"{look['elevation_deg']:.1f}°, {look['range_km']:.0f} km away; your Sun at "
            f"{look['sun_elevation_deg']:.1f}°",
            highlight=False,
        )
