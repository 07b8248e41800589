"""Calendar feeds: the coming passes as an RFC 5545 iCalendar text a calendar can subscribe to.

One ``VEVENT`` per complete pass (a pass cut by the window's edge is left to the next
refresh): from when it appears to when it disappears (the visible segment) for a feed of
visible passes, from rise to set otherwise; times in UTC (``...Z``). The UID is derived from
the satellite's NORAD number, the rise time to the minute and the place rounded to 0.01
degree, so that a refreshed feed updates its events instead of duplicating them. ``DTSTAMP``
is the epoch of the elements used: the text depends only on its inputs, and so does its ETag.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from .charts import parse_z

PRODID = "-//zarya//satellite passes//EN"
REFRESH = "PT6H"


def escape_text(text: str) -> str:
    """RFC 5545 TEXT escaping: backslash, semicolon, comma and newlines."""
    return (
        text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 section 3.1), never inside a character."""
    out: list[str] = []
    current = b""
    limit = 75
    for ch in line:
        encoded = ch.encode("utf-8")
        if len(current) + len(encoded) > limit:
            out.append(current.decode("utf-8"))
            current = b" "
            limit = 75  # the leading space counts
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n".join(out)


def _utc(text: str) -> str:
    return parse_z(text).strftime("%Y%m%dT%H%M%SZ")


def pass_uid(norad_id: int, rise: str, lat_deg: float, lon_deg: float) -> str:
    """``25544-20160404T2126Z-51.17N071.45E@zarya``: stable across refreshes."""
    minute = parse_z(rise).strftime("%Y%m%dT%H%MZ")
    ns = "N" if lat_deg >= 0 else "S"
    ew = "E" if lon_deg >= 0 else "W"
    return f"{norad_id}-{minute}-{abs(lat_deg):05.2f}{ns}{abs(lon_deg):06.2f}{ew}@zarya"


def _local(text: str, zone: ZoneInfo) -> str:
    return parse_z(text).astimezone(zone).strftime("%H:%M:%S")


def _duration(seconds: float) -> str:
    m, s = divmod(int(round(seconds)), 60)
    return f"{m} min {s:02d} s"


def describe(p: dict, zone: ZoneInfo, zone_name: str, *, visible: bool) -> tuple[str, str]:
    """(summary, description) of one pass, in words; local times in the description.

    ``visible``: the event is the visible segment (else the whole pass, rise to set).
    """

    def at(point: dict) -> str:
        return (
            f"{_local(point['time'], zone)} in the {point['direction']} "
            f"({point['azimuth_deg']:.0f}°) at {point['elevation_deg']:.0f}° elevation"
        )

    vis = p.get("visible")
    if vis:
        summary = (
            f"visible, magnitude {vis['brightest_magnitude']:.1f}, "
            f"up to {vis['peak']['elevation_deg']:.0f}°"
        )
        seen = (
            f"Appears {at(vis['start'])}; highest {at(vis['peak'])}; disappears "
            f"{at(vis['end'])}. Brightest magnitude {vis['brightest_magnitude']:.1f}; "
            f"visible for {_duration(vis['duration_s'])}."
        )
    else:
        summary = f"pass, not visible, up to {p['culmination']['elevation_deg']:.0f}°"
        seen = "Not visible to the naked eye (in daylight or in the Earth's shadow)."
    whole = (
        f"Rises {at(p['rise'])}; highest {at(p['culmination'])}; sets {at(p['set'])}; above "
        f"the threshold for {_duration(p['duration_s'])}."
    )
    text = seen if visible and vis else f"{whole} {seen}"
    return summary, f"{text} Local time: {zone_name}."


def passes_calendar(report: dict, *, label: str, zone_name: str, visible: bool) -> str:
    """The ``zarya passes --json`` object ``report`` as an iCalendar text (CRLF lines)."""
    zone = ZoneInfo(zone_name)
    sat = report["satellite"]
    obs = report["observer"]
    stamp = _utc(sat["elements_epoch"])
    what = "visible passes" if visible else "passes"
    name = escape_text(f"{sat['name']} {what} over {label}")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{name}",
        f"NAME:{name}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH}",
        f"X-PUBLISHED-TTL:{REFRESH}",
    ]
    for p in report["passes"]:
        if p["rise"] is None or p["set"] is None:
            continue  # cut by the window: the next refresh has it whole
        vis = p.get("visible")
        if visible and not vis:
            continue
        begin, end = (vis["start"], vis["end"]) if visible else (p["rise"], p["set"])
        summary, text = describe(p, zone, zone_name, visible=visible)
        summary = f"{sat['name']} {summary}"
        lines += [
            "BEGIN:VEVENT",
            f"UID:{pass_uid(sat['norad_id'], p['rise']['time'], obs['lat_deg'], obs['lon_deg'])}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_utc(begin['time'])}",
            f"DTEND:{_utc(end['time'])}",
            f"SUMMARY:{escape_text(summary)}",
            f"DESCRIPTION:{escape_text(text)}",
            f"LOCATION:{escape_text(label)}",
            f"GEO:{obs['lat_deg']:.6f};{obs['lon_deg']:.6f}",
            "TRANSP:TRANSPARENT",
            "CATEGORIES:ASTRONOMY",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)

