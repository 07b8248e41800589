"""Calendar feeds: the coming passes as an RFC 5545 iCalendar text a calendar can subscribe to.

One ``VEVENT`` per visible stretch, from when it appears to when it disappears, for a feed of
visible passes (a pass that leaves the shadow or the twilight and comes back, or a satellite
that never sets seen night after night, has several); one per pass, from rise to set, with
every stretch described, otherwise; times in UTC (``...Z``). A pass cut by
the window's edge is there too, from the edge (a satellite that never sets, such as a
geostationary one, fills the window): a feed that left it to the next refresh would show a
geostationary satellite never, and a pass under way at the start not at all. ``DTSTAMP`` is
the epoch of the elements used: the text depends only on its inputs, and so does its ETag.

The UID is derived from the satellite's NORAD number, the place rounded to 0.01 degree and
the first moment of the pass that does not depend on the window: its rise to the minute
(``25544-20160404T2126Z-51.17N071.45E@zarya``); for a pass already up when the window opens,
its set (``25544-set...``); for one neither rising nor setting in the window, when its
visible segment begins (``...-vis...``), else nothing (``25544-up-...``: one such pass a
window). A pass's later stretches are anchored on their own start (``...-vis...``). So a
refreshed feed updates its events instead of duplicating them.

Each event carries a reminder (a ``VALARM``, 15 minutes before by default, ``alarm=0`` for
none), and ``min_peak`` keeps only the passes worth going out for (NASA's Spot the Station
alerts for passes above 40 degrees).
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from ..engine.timescale import iso_z
from .charts import parse_z

__all__ = [
    "DEFAULT_ALARM_MIN",
    "MAX_ALARM_MIN",
    "describe",
    "escape_text",
    "fold",
    "pass_span",
    "pass_uid",
    "passes_calendar",
    "transits_calendar",
]

PRODID = "-//zarya//satellite passes//EN"
DEFAULT_ALARM_MIN = 15  # a reminder this long before each event
MAX_ALARM_MIN = 7 * 24 * 60
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


def pass_uid(
    norad_id: int, rise: str | None, lat_deg: float, lon_deg: float, *, kind: str = ""
) -> str:
    """``25544-20160404T2126Z-51.17N071.45E@zarya``: stable across refreshes.

    ``rise``: the instant the UID is anchored to (the rise, unless ``kind`` says ``set`` or
    ``vis``); None with ``kind="up"``: a pass with no such instant in the window.
    """
    minute = "" if rise is None else parse_z(rise).strftime("%Y%m%dT%H%MZ")
    ns = "N" if lat_deg >= 0 else "S"
    ew = "E" if lon_deg >= 0 else "W"
    where = f"{abs(lat_deg):05.2f}{ns}{abs(lon_deg):06.2f}{ew}"
    return f"{norad_id}-{kind}{minute}-{where}@zarya"


def _anchor(p: dict, vis: dict | None) -> tuple[str, str | None]:
    """(kind, instant) of the UID of pass ``p``: the first of its moments that does not
    move with the window (``vis``: the event is this visible segment)."""
    if p["rise"] is not None:
        return "", p["rise"]["time"]
    if p["set"] is not None:
        return "set", p["set"]["time"]
    if vis is not None and vis.get("starts") != "window_start":
        return "vis", vis["start"]["time"]
    return "up", None


def pass_span(p: dict, window: dict) -> tuple[str, str]:
    """(start, end) of pass ``p`` (ISO 8601 'Z'): rise and set, or where the window (or a
    propagation failure) cuts it, from its duration."""
    if p["rise"] is not None and p["set"] is not None:
        return p["rise"]["time"], p["set"]["time"]
    span = timedelta(seconds=p["duration_s"])
    if p["set"] is not None:
        return iso_z(parse_z(p["set"]["time"]) - span, 1), p["set"]["time"]
    if p["rise"] is not None:
        return p["rise"]["time"], iso_z(parse_z(p["rise"]["time"]) + span, 1)
    return window["start"], window["end"]


def _local(text: str, zone: ZoneInfo) -> str:
    return parse_z(text).astimezone(zone).strftime("%H:%M:%S")


def _duration(seconds: float) -> str:
    m, s = divmod(int(round(seconds)), 60)
    return f"{m} min {s:02d} s"


def _mag(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.1f}"


def describe(
    p: dict, zone: ZoneInfo, zone_name: str, *, visible: bool, window: dict,
    stretch: dict | None = None,
) -> tuple[str, str]:
    """(summary, description) of one pass, in words; local times in the description.

    ``visible``: the event is one visible stretch, ``stretch`` (the pass's first unless
    given), else the whole pass, rise to set, with every visible stretch described.
    ``window``: the report's window, for a pass it cuts (``rise`` or ``set`` null).
    """

    def at(point: dict) -> str:
        return (
            f"{_local(point['time'], zone)} in the {point['direction']} "
            f"({point['azimuth_deg']:.0f}°) at {point['elevation_deg']:.0f}° elevation"
        )

    def seen_text(vis: dict) -> str:
        return (
            f"Appears {at(vis['start'])}; highest {at(vis['peak'])}; disappears "
            f"{at(vis['end'])}. Brightest magnitude {_mag(vis['brightest_magnitude'])}; "
            f"visible for {_duration(vis['duration_s'])}."
        )

    stretches = p.get("visible_stretches") or ([p["visible"]] if p.get("visible") else [])
    vis = stretch if stretch is not None else (stretches[0] if stretches else None)
    if vis:
        bright = ("" if vis["brightest_magnitude"] is None
                  else f", magnitude {vis['brightest_magnitude']:.1f}")
        summary = f"visible{bright}, up to {vis['peak']['elevation_deg']:.0f}°"
        seen = seen_text(vis) if visible else " ".join(
            (f"Visible stretch {k} of {len(stretches)}: " if len(stretches) > 1 else "")
            + seen_text(v) for k, v in enumerate(stretches, start=1)
        )
    else:
        summary = f"pass, not visible, up to {p['culmination']['elevation_deg']:.0f}°"
        seen = "Not visible to the naked eye (in daylight or in the Earth's shadow)."
    begin, end = pass_span(p, window)
    rises = (
        f"Rises {at(p['rise'])}" if p["rise"] else f"Already up at {_local(begin, zone)}"
    )
    sets = f"sets {at(p['set'])}" if p["set"] else f"still up at {_local(end, zone)}"
    whole = (
        f"{rises}; highest {at(p['culmination'])}; {sets}; above the threshold for "
        f"{_duration(p['duration_s'])}."
    )
    text = seen if visible and vis else f"{whole} {seen}"
    return summary, f"{text} Local time: {zone_name}."


def _alarm(minutes: int, summary: str) -> list[str]:
    """A VALARM ``minutes`` before the event (none for 0)."""
    if minutes <= 0:
        return []
    return [
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        f"DESCRIPTION:{escape_text(f'In {minutes} min: {summary}')}",
        f"TRIGGER:-PT{minutes}M",
        "END:VALARM",
    ]


def _head(title: str) -> list[str]:
    """The calendar's opening lines: its name, and how often to fetch it again."""
    name = escape_text(title)
    return [
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


def passes_calendar(report: dict, *, label: str, zone_name: str, visible: bool,
                    alarm_min: int = DEFAULT_ALARM_MIN, min_peak_deg: float | None = None
                    ) -> str:
    """The ``zarya passes --json`` object ``report`` as an iCalendar text (CRLF lines):
    each event with a reminder ``alarm_min`` minutes before it (a VALARM; 0: none), and
    only the events whose highest point reaches ``min_peak_deg`` (the stretch's for a
    visible event, the culmination's otherwise: Spot the Station alerts from 40)."""
    zone = ZoneInfo(zone_name)
    sat = report["satellite"]
    obs = report["observer"]
    stamp = _utc(sat["elements_epoch"])
    what = "visible passes" if visible else "passes"
    lines = _head(f"{sat['name']} {what} over {label}")
    window = report["window"]
    for p in report["passes"]:
        stretches = p.get("visible_stretches") or ([p["visible"]] if p.get("visible") else [])
        # visible: an event per stretch; else one per pass
        events = list(enumerate(stretches)) if visible else [(0, None)]
        for k, vis in events:
            peak = (vis["peak"] if vis is not None else p["culmination"])["elevation_deg"]
            if min_peak_deg is not None and peak < min_peak_deg:
                continue
            begin, end = ((vis["start"]["time"], vis["end"]["time"]) if vis is not None
                          else pass_span(p, window))
            summary, text = describe(p, zone, zone_name, visible=visible, window=window,
                                     stretch=vis)
            summary = f"{sat['name']} {summary}"
            if k == 0:  # a pass's first event is anchored on the pass
                kind, instant = _anchor(p, vis)
            else:  # a later stretch on its own start (never the window's)
                assert vis is not None
                kind, instant = "vis", vis["start"]["time"]
            uid = pass_uid(sat["norad_id"], instant, obs["lat_deg"], obs["lon_deg"], kind=kind)
            lines += [
                "BEGIN:VEVENT",
                f"UID:{uid}",
                f"DTSTAMP:{stamp}",
                f"DTSTART:{_utc(begin)}",
                f"DTEND:{_utc(end)}",
                f"SUMMARY:{escape_text(summary)}",
                f"DESCRIPTION:{escape_text(text)}",
                f"LOCATION:{escape_text(label)}",
                f"GEO:{obs['lat_deg']:.6f};{obs['lon_deg']:.6f}",
                "TRANSP:TRANSPARENT",
                "CATEGORIES:ASTRONOMY",
                *_alarm(alarm_min, summary),
                "END:VEVENT",
            ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)



def transits_calendar(report: dict, *, label: str, zone_name: str, alarm_min: int = 60) -> str:
    """The ``zarya transits --json`` object as an iCalendar text: one event per transit,
    a minute either side of the central transit on the centre line, at that point (GEO),
    with where to stand and what is seen from the place in the description. The UID is
    the satellite, the body, the minute and the place: a refreshed feed updates it."""
    zone = ZoneInfo(zone_name)
    sat = report["satellite"]
    obs = report["observer"]
    stamp = _utc(sat["elements_epoch"])
    lines = _head(f"{sat['name']} transits of the Sun and the Moon near {label}")
    for t in report["transits"]:
        central = parse_z(t["time"])
        body = "Sun" if t["body"] == "sun" else "Moon"
        summary = (f"{sat['name']} across the {body}, {t['distance_km']:.1f} km "
                   f"{t['direction']} ({t['kind']})")
        local = central.astimezone(zone)
        width = (f"; the strip is {t['strip_width_km']:.1f} km wide"
                 if t["strip_width_km"] is not None else "")
        text = (
            f"Central transit at {local:%H:%M:%S}.{t['time'][20:22]} {zone_name} at "
            f"{t['centre_lat_deg']:.5f}, {t['centre_lon_deg']:.5f} ({t['distance_km']:.1f} "
            f"km {t['direction']} of {label}){width}; "
            f"{t['duration_s'] or 0:.2f} s on the disc there. From {label}: closest "
            f"{t['separation_deg'] * 60:.1f} arcmin from the centre (the {body}'s radius is "
            f"{t['body_radius_deg'] * 60:.1f} arcmin), the {body} at "
            f"{t['body_altitude_deg']:.0f} degrees."
        )
        minute = central.strftime("%Y%m%dT%H%MZ")
        uid = (f"{sat['norad_id']}-{t['body']}-{minute}-{abs(obs['lat_deg']):.2f}"
               f"{'N' if obs['lat_deg'] >= 0 else 'S'}{abs(obs['lon_deg']):06.2f}"
               f"{'E' if obs['lon_deg'] >= 0 else 'W'}@zarya")
        lines += [
            "BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{stamp}",
            f"DTSTART:{(central - timedelta(minutes=1)).strftime('%Y%m%dT%H%M%SZ')}",
            f"DTEND:{(central + timedelta(minutes=1)).strftime('%Y%m%dT%H%M%SZ')}",
            f"SUMMARY:{escape_text(summary)}", f"DESCRIPTION:{escape_text(text)}",
            f"LOCATION:{t['centre_lat_deg']:.5f}\\, {t['centre_lon_deg']:.5f}",
            f"GEO:{t['centre_lat_deg']:.6f};{t['centre_lon_deg']:.6f}",
            "TRANSP:TRANSPARENT", "CATEGORIES:ASTRONOMY",
            *_alarm(alarm_min, summary), "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
