"""The JSON API, the calendar feed and the pictures: thin FastAPI routes over
:class:`~.answers.WebService`.

Each JSON route answers the object that the matching command prints with ``--json``. Bad
input is answered 422 with ``{"detail": "<the command line's sentence>"}`` (see
:mod:`.app`). Answers carry ``ETag``, ``Last-Modified`` and ``Cache-Control``; a matching
``If-None-Match`` is answered 304.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from .answers import WebService
from .queries import MAX_SUGGESTIONS, MAX_TEXT, Answer

__all__ = ["Problem", "TrackFormat", "respond", "router", "service"]


class Problem(BaseModel):
    """Why a request was refused: one sentence that names the bad value."""

    detail: str


ERRORS: dict[int | str, dict] = {422: {"model": Problem, "description": "Bad input"}}

# ------------------------------------------------------------------------ parameters
Lat = Annotated[
    float | None,
    Query(description="Latitude, degrees north (-90 to 90); rounded to 0.01 degree."),
]
Lon = Annotated[
    float | None,
    Query(description="Longitude, degrees east (-180 to 180); rounded to 0.01 degree."),
]
AltM = Annotated[float, Query(description="Height above the ellipsoid, m (-500 to 100000).")]
Place = Annotated[
    str | None,
    Query(
        max_length=MAX_TEXT,
        description="A city ('Astana', 'Paris, FR') or a named site ('baikonur-1/5'), instead "
        "of lat and lon. With lat and lon, only a label.",
    ),
]
From = Annotated[
    str | None,
    Query(
        alias="from", max_length=40,
        description="Start, ISO 8601 (a bare date is 00:00 UTC); absent, empty or 'now': "
        "now (the current minute).",
    ),
]
Days = Annotated[float, Query(description="Length of the window, days (above 0, at most 30).")]
Sat = Annotated[
    str | None,
    Query(max_length=40, description="NORAD number or name (default 25544, the ISS); on "
          "/api/passes and /api/now also 'all', a group the store knows (e.g. 'visual') or a "
          "comma-separated list: every object's passes, at most 2 days."),
]
Stale = Annotated[
    bool, Query(description="Predict even with elements more than 30 days away.")
]
AT_NOW = "Instant, ISO 8601; absent, empty or 'now': now."
MinElevation = Annotated[float, Query(description="Elevation threshold, degrees.")]
Rules = Annotated[
    str,
    Query(max_length=40, description="What 'visible' means: zarya (the default) or "
          "spot-the-station (NASA's sighting lists); see the README's table."),
]
ShadowHeight = Annotated[
    float | None,
    Query(description="The Earth's shadow raised this much for the atmosphere, km (0 to "
          "100; default 18, 0: the bare sphere)."),
]
BrighterThan = Annotated[
    float | None, Query(description="Only visible stretches at least this bright (magnitude).")
]
AgainstSky = Annotated[
    bool,
    Query(description="Visible only while brighter than the twilight sky's naked-eye limit."),
]


class TrackFormat(StrEnum):
    json = "json"
    geojson = "geojson"


def service(request: Request) -> WebService:
    return request.app.state.service


GZIP_MIN_BYTES = 1024


def respond(request: Request, answer: Answer, *, cache_control: str | None = None,
            status_code: int = 200) -> Response:
    """The answer, gzip-compressed when the client accepts it and it is worth it (once
    per answer, kept with it), or 304 when the client's ``If-None-Match`` names its ETag."""
    gz = (len(answer.body) >= GZIP_MIN_BYTES
          and "gzip" in request.headers.get("accept-encoding", "").lower())
    etag = answer.gzip_etag if gz else answer.etag
    headers = {
        "ETag": etag,
        "Last-Modified": answer.last_modified,
        "Cache-Control": cache_control or f"public, max-age={answer.max_age_s}",
        "Vary": "Accept-Encoding",
    }
    match = request.headers.get("if-none-match")
    if match is not None:
        tags = {t.strip().removeprefix("W/") for t in match.split(",")}
        if etag in tags or "*" in tags:
            return Response(status_code=304, headers=headers)
    if gz:
        headers["Content-Encoding"] = "gzip"
        return Response(answer.gzipped, status_code=status_code,
                        media_type=answer.media_type, headers=headers)
    return Response(answer.body, status_code=status_code, media_type=answer.media_type,
                    headers=headers)


router = APIRouter()


@router.get("/api/passes", tags=["api"], responses=ERRORS)
def api_passes(
    request: Request,
    lat: Lat = None,
    lon: Lon = None,
    alt_m: AltM = 0.0,
    place: Place = None,
    start: From = None,
    days: Days = 10.0,
    min_elevation: MinElevation = 10.0,
    visible: Annotated[bool, Query(description="Only passes visible to the naked eye.")] = False,
    rules: Rules = "zarya",
    shadow_height_km: ShadowHeight = None,
    brighter_than: BrighterThan = None,
    against_sky: AgainstSky = False,
    sat: Sat = None,
    allow_stale: Stale = False,
) -> Response:
    """Passes over a place: the object of ``zarya passes --json`` (times UTC, ``Z``)."""
    _, answer = service(request).passes(
        place=place, lat=lat, lon=lon, alt_m=alt_m, start=start, days=days,
        min_elevation=min_elevation, visible=visible, sat=sat, allow_stale=allow_stale,
        rules=rules, shadow_height_km=shadow_height_km, brighter_than=brighter_than,
        against_sky=against_sky,
    )
    return respond(request, answer)


@router.get("/api/now", tags=["api"], responses=ERRORS)
def api_now(
    request: Request,
    at: Annotated[
        str | None, Query(max_length=40, description=AT_NOW)
    ] = None,
    lat: Lat = None,
    lon: Lon = None,
    alt_m: AltM = 0.0,
    place: Place = None,
    sat: Sat = None,
    allow_stale: Stale = False,
) -> Response:
    """Where the satellite is (and where to look from a place): ``zarya now --json``."""
    answer = service(request).now(
        at=at, place=place, lat=lat, lon=lon, alt_m=alt_m, sat=sat, allow_stale=allow_stale
    )
    return respond(request, answer)


@router.get("/api/track", tags=["api"], responses=ERRORS)
def api_track(
    request: Request,
    start: From = None,
    hours: Annotated[float, Query(description="Length, hours (at most 720).")] = 1.5,
    step_s: Annotated[float, Query(description="Between points, s (1 to 3600).")] = 30.0,
    format: Annotated[
        TrackFormat, Query(description="json (``zarya track --json``) or geojson (RFC 7946).")
    ] = TrackFormat.json,
    sat: Sat = None,
    allow_stale: Stale = False,
) -> Response:
    """The ground track: ``zarya track --json`` (or ``--format geojson``)."""
    answer = service(request).track(
        start=start, hours=hours, step_s=step_s, fmt=format.value, sat=sat,
        allow_stale=allow_stale,
    )
    return respond(request, answer)


@router.get("/api/orbits", tags=["api"], responses=ERRORS)
def api_orbits(
    request: Request,
    start: From = None,
    end: Annotated[
        str | None,
        Query(alias="to", max_length=40, description="End, ISO 8601; empty or 'now': now."),
    ] = None,
    sat: Sat = None,
    allow_stale: Stale = False,
) -> Response:
    """Revolutions between two instants (at most 30 days): ``zarya orbits --json``."""
    answer = service(request).orbits(start=start, end=end, sat=sat, allow_stale=allow_stale)
    return respond(request, answer)


@router.get("/api/overflights", tags=["api"], responses=ERRORS)
def api_overflights(
    request: Request,
    lat: Lat = None,
    lon: Lon = None,
    alt_m: AltM = 0.0,
    place: Place = None,
    radius_km: Annotated[float, Query(description="Tracks passing within this, km.")] = 100.0,
    start: From = None,
    days: Days = 3.0,
    sat: Sat = None,
    allow_stale: Stale = False,
) -> Response:
    """When the ground track passes near a place: ``zarya overflights --json``."""
    answer = service(request).overflights(
        place=place, lat=lat, lon=lon, alt_m=alt_m, radius_km=radius_km, start=start,
        days=days, sat=sat, allow_stale=allow_stale,
    )
    return respond(request, answer)


Body = Annotated[str, Query(max_length=10, description="sun, moon or both.")]
RadiusKm = Annotated[
    float, Query(description="Also transits whose centre line passes within this, km (0 to "
                 "the satellite's reach, about 2,300 km for the ISS).")
]
MarginDeg = Annotated[
    float, Query(description="Near misses within this of the disc's edge, degrees (0 to 180).")
]


@router.get("/api/transits", tags=["api"], responses=ERRORS)
def api_transits(
    request: Request,
    lat: Lat = None,
    lon: Lon = None,
    alt_m: AltM = 0.0,
    place: Place = None,
    body: Body = "both",
    radius_km: RadiusKm = 20.0,
    margin_deg: MarginDeg = 0.5,
    start: From = None,
    days: Days = 7.0,
    sat: Sat = None,
    allow_stale: Stale = False,
) -> Response:
    """The satellite across the Sun and the Moon, and where to stand: ``zarya transits
    --json``."""
    _, answer = service(request).transits(
        place=place, lat=lat, lon=lon, alt_m=alt_m, body=body, radius_km=radius_km,
        margin_deg=margin_deg, start=start, days=days, sat=sat, allow_stale=allow_stale,
    )
    return respond(request, answer)


@router.get("/feeds/transits.ics", tags=["feeds"], responses=ERRORS, response_class=Response)
def feed_transits(
    request: Request,
    lat: Lat = None,
    lon: Lon = None,
    alt_m: AltM = 0.0,
    place: Place = None,
    body: Body = "both",
    radius_km: RadiusKm = 20.0,
    margin_deg: MarginDeg = 0.5,
    start: From = None,
    days: Days = 7.0,
    alarm: Annotated[
        int, Query(description="A reminder this many minutes before each (0: none).")
    ] = 60,
    sat: Sat = None,
    allow_stale: Stale = False,
) -> Response:
    """The coming transits as an RFC 5545 calendar: an event at each centre line's nearest
    point, with a reminder before it."""
    answer = service(request).transits_calendar(
        place=place, lat=lat, lon=lon, alt_m=alt_m, body=body, radius_km=radius_km,
        margin_deg=margin_deg, start=start, days=days, sat=sat, allow_stale=allow_stale,
        alarm=alarm,
    )
    return respond(request, answer)


@router.get("/api/places", tags=["api"], responses=ERRORS)
def api_places(
    request: Request,
    q: Annotated[str | None, Query(max_length=MAX_TEXT, description="Start of a name.")] = None,
    limit: Annotated[
        int, Query(description=f"How many suggestions (1 to {MAX_SUGGESTIONS}).")
    ] = MAX_SUGGESTIONS,
) -> Response:
    """Places whose name starts with ``q``: named sites, then cities, most populous first.

    Each ``label`` names its place and no other: passed back as ``place=`` it gives that very
    place (``"Springfield, MO, US"``, the region code added where a country has namesakes;
    a site by its key, ``"baikonur-1/5"``). The few cities that share name, country and
    region with another carry their coordinates in the label and are refused as ``place=``:
    ask with their ``lat_deg`` and ``lon_deg``."""
    return respond(request, service(request).places(q, limit))


@router.get(
    "/feeds/passes.ics", tags=["feeds"], responses=ERRORS,
    response_class=Response,
)
def feed_passes(
    request: Request,
    lat: Lat = None,
    lon: Lon = None,
    alt_m: AltM = 0.0,
    place: Place = None,
    start: From = None,
    days: Days = 10.0,
    min_elevation: MinElevation = 10.0,
    visible: Annotated[
        bool, Query(description="Only visible passes: an event per visible stretch, from "
                    "appearing to disappearing.")
    ] = True,
    rules: Rules = "zarya",
    shadow_height_km: ShadowHeight = None,
    brighter_than: BrighterThan = None,
    against_sky: AgainstSky = False,
    alarm: Annotated[
        int, Query(description="A reminder this many minutes before each event (0: none).")
    ] = 15,
    min_peak: Annotated[
        float | None,
        Query(description="Only passes whose highest point reaches this elevation, degrees "
              "(Spot the Station alerts from 40)."),
    ] = None,
    sat: Sat = None,
    allow_stale: Stale = False,
) -> Response:
    """The coming passes as an RFC 5545 calendar to subscribe to (UTC times, stable UIDs,
    a reminder before each)."""
    answer = service(request).calendar(
        place=place, lat=lat, lon=lon, alt_m=alt_m, start=start, days=days,
        min_elevation=min_elevation, visible=visible, sat=sat, allow_stale=allow_stale,
        rules=rules, shadow_height_km=shadow_height_km, brighter_than=brighter_than,
        against_sky=against_sky, alarm=alarm, min_peak=min_peak,
    )
    return respond(request, answer)


@router.get("/charts/sky.svg", tags=["pictures"], responses=ERRORS, response_class=Response)
def chart_sky(
    request: Request,
    at: Annotated[
        str | None,
        Query(max_length=40, description="An instant of the pass (e.g. its culmination)."),
    ] = None,
    lat: Lat = None,
    lon: Lon = None,
    alt_m: AltM = 0.0,
    place: Place = None,
    tz: Annotated[
        str | None,
        Query(
            max_length=64,
            description="Time zone of the labels: auto (the place's own, the default), UTC "
            "or an IANA name such as Asia/Almaty.",
        ),
    ] = None,
    min_elevation: MinElevation = 10.0,
    sat: Sat = None,
    allow_stale: Stale = False,
) -> Response:
    """The sky chart of one pass (SVG): where to look, minute by minute."""
    answer = service(request).sky_chart(
        at=at, place=place, lat=lat, lon=lon, alt_m=alt_m, tz=tz,
        min_elevation=min_elevation, sat=sat, allow_stale=allow_stale,
    )
    return respond(request, answer)


@router.get("/charts/map.svg", tags=["pictures"], responses=ERRORS, response_class=Response)
def chart_map(
    request: Request,
    at: Annotated[
        str | None, Query(max_length=40, description=AT_NOW)
    ] = None,
    lat: Lat = None,
    lon: Lon = None,
    place: Place = None,
    sat: Sat = None,
    allow_stale: Stale = False,
) -> Response:
    """The world map (SVG): position, ground track, footprint, day and night."""
    answer = service(request).world_map(
        at=at, place=place, lat=lat, lon=lon, sat=sat, allow_stale=allow_stale
    )
    return respond(request, answer)
