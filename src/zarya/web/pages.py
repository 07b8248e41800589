"""The sightings page ``/``: rendered on the server (Jinja2), complete without JavaScript.

A GET form (place, start, days) gives the visible passes in the place's local time, each
with a link to its sky chart, and the world map at the start instant. ``static/app.js``
adds place suggestions as you type, the browser's location, inline sky charts and a live
map. A refused question (an unknown place, elements too old for the date) is said in the
page, with what to do about it, and answered 422.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from ..errors import ObserverError, StaleElementsError, ZaryaError
from .answers import WebService
from .api import respond
from .charts import parse_z
from .queries import MAX_DAYS, MAX_TEXT, Answer, check_days, check_text, public_sentence

PAGE_TTL_S = 60.0  # a rendered page is kept this long (its parts have their own lives)

__all__ = ["brightness_words", "direction_words", "index", "now_caption", "pass_rows", "router"]

router = APIRouter()
DAY_CHOICES = (1, 2, 3, 5, 7, 10, 14, 20, 30)
EXAMPLE_DATE = "2016-04-04"  # inside the bundled history's densest stretch


@lru_cache(maxsize=1)
def templates() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("zarya.web", "templates"),
        autoescape=jinja2.select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["words"] = direction_words
    return env


def _number(name: str, text: str | None) -> float | None:
    text = check_text(name, text, 40)
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        raise ObserverError(f"{name} {text!r} is not a number") from None


_WORDS = {"N": "north", "E": "east", "S": "south", "W": "west"}


def direction_words(point: str) -> str:
    """'SSE' -> 'south-south-east' (for screen readers and tooltips)."""
    if len(point) == 3:
        return f"{_WORDS[point[0]]}-{_WORDS[point[1]]}-{_WORDS[point[2]]}"
    return "-".join(_WORDS[c] for c in point)


def brightness_words(magnitude: float | None) -> str:
    """How a magnitude looks to the naked eye (Venus is about -4, Sirius -1.5); unknown
    where the object's standard magnitude is."""
    if magnitude is None:
        return "brightness unknown"
    if magnitude <= -3.0:
        return "very bright"
    if magnitude <= -1.5:
        return "bright"
    if magnitude <= 0.5:
        return "easy to see"
    return "faint"


def _duration(seconds: float) -> str:
    m, s = divmod(int(round(seconds)), 60)
    return f"{m} min {s:02d} s" if m else f"{s} s"


def pass_rows(report: dict, zone: ZoneInfo, zone_name: str, label: str) -> list[dict]:
    """The table's rows: one per visible stretch (a pass seen twice has two), in local
    time."""
    obs = report["observer"]
    rows = []
    for p in report["passes"]:
        for vis in p.get("visible_stretches") or ([p["visible"]] if p.get("visible") else []):
            rows.append(_stretch_row(p, vis, obs, zone, zone_name, label))
    return rows


_WHY_ENDS = {"enters_shadow": "into the Earth's shadow", "set": "sets", "twilight": "in the dawn",
             "window_end": "after this window", "sky": "fades against the sky"}


def _stretch_row(p: dict, vis: dict, obs: dict, zone: ZoneInfo, zone_name: str,
                 label: str) -> dict:
    """One row of the table: one visible stretch of pass ``p``."""
    a, peak, b = vis["start"], vis["peak"], vis["end"]
    t_a = parse_z(a["time"]).astimezone(zone)
    chart = "/charts/sky.svg?" + urlencode(
        {"lat": obs["lat_deg"], "lon": obs["lon_deg"], "alt_m": obs["alt_m"],
         "at": peak["time"], "tz": zone_name, "place": label}
    )
    mag = vis["brightest_magnitude"]
    listed = vis.get("listed")  # rules that show appear times to the minute, truncated
    return {
        "date": f"{t_a:%a} {t_a.day} {t_a:%b %Y}",
        "appears": f"{t_a:%H:%M}" if listed else f"{t_a:%H:%M:%S}",
        "appears_dir": a["direction"],
        "appears_el": f"{a['elevation_deg']:.0f}",
        "peak": f"{parse_z(peak['time']).astimezone(zone):%H:%M:%S}",
        "peak_dir": peak["direction"],
        "peak_el": f"{peak['elevation_deg']:.0f}",
        "ends": f"{parse_z(b['time']).astimezone(zone):%H:%M:%S}",
        "ends_dir": b["direction"],
        "ends_el": f"{b['elevation_deg']:.0f}",
        "ends_why": _WHY_ENDS.get(vis["ends"], ""),
        "duration": _duration(vis["duration_s"]),
        "magnitude": "\u2013" if mag is None else f"{mag:.1f}".replace("-", "\u2212"),
        "brightness": brightness_words(mag),
        "chart": chart,
        "switch": "; ".join(
            f"at {parse_z(s['time']).astimezone(zone):%H:%M:%S} the prediction "
            f"switches from {s['from']} to {s['to']}, which disagree by "
            f"{s['distance_km']:.1f} km"
            for s in p.get("source_switches", [])
        ),
        "chart_alt": (
            f"Sky chart: appears {t_a:%H:%M:%S} in the {a['direction']}, highest "
            f"{peak['elevation_deg']:.0f} degrees in the {peak['direction']}, "
            f"disappears in the {b['direction']}"
        ),
    }


def _when(text: str) -> str:
    return f"{parse_z(text):%d %b %Y %H:%M} UTC"


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def index(
    request: Request,
    place: Annotated[str | None, Query(max_length=MAX_TEXT)] = None,
    lat: Annotated[str | None, Query(max_length=40)] = None,
    lon: Annotated[str | None, Query(max_length=40)] = None,
    start: Annotated[str | None, Query(alias="from", max_length=40)] = None,
    days: Annotated[str | None, Query(max_length=10)] = None,
    rules: Annotated[str, Query(max_length=40)] = "zarya",
) -> Response:
    """The sightings page (``rules=spot-the-station`` lists passes as NASA does)."""
    svc: WebService = request.app.state.service
    form = {"place": place or "", "lat": lat or "", "lon": lon or "", "from": start or "",
            "days": 10}
    ctx: dict[str, Any] = {"form": form, "day_choices": DAY_CHOICES, "rows": None}
    status = 200
    where = None
    try:
        lat_v, lon_v = _number("lat", lat), _number("lon", lon)
        days_v = _number("days", days)
        days_v = check_days(10.0 if days_v is None else days_v)  # NaN, inf: the sentence
        form["days"] = int(days_v) if days_v.is_integer() else days_v
        if form["days"] not in DAY_CHOICES:
            ctx["day_choices"] = sorted({*DAY_CHOICES, form["days"]})
        if check_text("place", place) or lat_v is not None or lon_v is not None:
            where, answer = svc.passes(
                place=place, lat=lat_v, lon=lon_v, start=start, days=days_v, visible=True,
                rules=rules,
            )
            report = json.loads(answer.body)
            ctx.setdefault("etags", []).append(answer.etag)
            zone_name = where.zone_name()
            zone = ZoneInfo(zone_name)
            sat = report["satellite"]
            ctx.update(
                report=report,
                label=where.label,
                zone=zone_name,
                rows=pass_rows(report, zone, zone_name, where.label),
                window_start=_when(report["window"]["start"]),
                window_end=_when(report["window"]["end"]),
                epoch=_when(sat["elements_epoch"]),
                age=sat["elements_age_days"],
                feed="/feeds/passes.ics?" + urlencode(
                    {"lat": where.observer.lat_deg, "lon": where.observer.lon_deg,
                     "place": where.label, "visible": 1,
                     **({"rules": rules} if rules != "zarya" else {})}
                ),
            )
            # the same feed for a calendar application to subscribe to (webcal://)
            base = request.url.replace(scheme="webcal", path="", query="", fragment="")
            ctx["subscribe"] = str(base).rstrip("/") + ctx["feed"]
            if not form["place"]:
                form["place"] = where.label
            _add_transits(svc, ctx, where, start, days_v, zone)
    except ZaryaError as exc:
        status = 422
        ctx["error"] = public_sentence(exc, allow_stale=False)
        if isinstance(exc, StaleElementsError):
            ctx.update(_stale_hint(svc, request))
    _add_map(svc, ctx, start, where)
    ctx["title"] = (
        f"ISS passes over {ctx['label']} \u2014 zarya" if ctx.get("label") else
        "zarya \u2014 when to see the ISS"
    )
    # the rendered page is a function of the request and of the cached answers it shows
    # (their ETags): kept as an answer of its own, compressed once
    key = ("page", request.url.scheme, request.url.netloc, request.url.query, status,
           tuple(ctx.pop("etags", ())), ctx.get("error"), ctx.get("map_error"))

    def render() -> Answer:
        html = templates().get_template("index.html").render(**ctx)
        return Answer.of(html.encode("utf-8"), "text/html; charset=utf-8", 0)

    page = svc.cache.get_or_make(key, render, PAGE_TTL_S)
    return respond(request, page, cache_control="no-cache", status_code=status)


def _add_transits(svc: WebService, ctx: dict, where: Any, start: str | None, days: float,
                  zone: ZoneInfo) -> None:
    """The transits of the Sun and the Moon within 20 km over the same window, as rows.

    A window that starts now moves every minute; its transits are asked from the start of
    the hour (an hour longer) and those already past left out, so that they are computed
    once an hour, not once a minute."""
    obs = where.observer
    since = None
    if not (start or "").strip() or str(start).strip().lower() == "now":
        from ..engine import timescale

        now = timescale.utc_now()
        since = now.replace(minute=0, second=0, microsecond=0)
        start, days = since.isoformat(), min(days + 1.0 / 24.0, MAX_DAYS)
    try:
        _, answer = svc.transits(lat=obs.lat_deg, lon=obs.lon_deg, alt_m=obs.alt_m,
                                 start=start, days=days)
    except ZaryaError:  # the passes above say why (the same elements, the same window)
        return
    ctx.setdefault("etags", []).append(answer.etag)
    rows = []
    for t in json.loads(answer.body)["transits"]:
        if since is not None and datetime.fromisoformat(t["time"]) < now:
            continue  # already past
        central = datetime.fromisoformat(t["time"]).astimezone(zone)
        rows.append({
            "date": central.strftime("%a %d %b"),
            "time": central.strftime("%H:%M:%S") + "." + t["time"][20:22],
            "body": "Sun" if t["body"] == "sun" else "Moon",
            "kind": t["kind"],
            "where": f"{t['distance_km']:.1f} km {t['direction']}",
            "point": f"{t['centre_lat_deg']:.4f}, {t['centre_lon_deg']:.4f}",
            "duration": f"{t['duration_s']:.2f} s" if t["duration_s"] is not None else "-",
            "strip": (f"{t['strip_width_km']:.1f} km" if t["strip_width_km"] is not None
                      else "-"),
            "altitude": f"{t['body_altitude_deg']:.0f}°",
        })
    ctx["transit_rows"] = rows
    ctx["transit_feed"] = "/feeds/transits.ics?" + urlencode(
        {"lat": obs.lat_deg, "lon": obs.lon_deg, "place": where.label})


def _stale_hint(svc: WebService, request: Request) -> dict:
    try:
        newest = _when(svc.newest_epoch())
    except ZaryaError:
        newest = "?"
    query = dict(request.query_params)
    query["from"] = EXAMPLE_DATE
    return {
        "stale": True,
        "hint": (
            f"The newest elements on this server are from {newest}: until fresher ones "
            "are imported, look at a date that the stored history covers:"
        ),
        "hint_url": "/?" + urlencode(query),
        "hint_link": f"passes from {EXAMPLE_DATE}",
    }


def _add_map(svc: WebService, ctx: dict, start: str | None, where: Any) -> None:
    """The map at the start instant (now if none) and its caption, or why there is none."""
    at = (start or "").strip() or None
    obs = where.observer if where is not None else None
    try:
        answer = svc.world_map(
            at=at, lat=obs.lat_deg if obs else None, lon=obs.lon_deg if obs else None,
            place=where.label if where is not None else None,
        )
        now = json.loads(svc.now(at=at).body)
    except ZaryaError as exc:
        ctx["map_error"] = public_sentence(exc, allow_stale=False)
        if isinstance(exc, StaleElementsError) and "hint" not in ctx:
            ctx["map_hint_url"] = "/?" + urlencode({"from": EXAMPLE_DATE})
        return
    ctx.setdefault("etags", []).extend((answer.etag, now["time"]))
    ctx["map_svg"] = answer.body.decode("utf-8")
    ctx["map_at"] = now["time"]
    ctx["map_live"] = at is None
    ctx["map_query"] = urlencode(
        {"lat": obs.lat_deg, "lon": obs.lon_deg, "place": where.label} if obs else {}
    )
    ctx["now"] = now
    ctx["now_text"] = now_caption(now)


def now_caption(now: dict) -> str:
    """'At 04 Apr 2016 00:00 UTC: over ..., 51.2 N 71.4 E, 406 km up, sunlit'."""
    lat, lon = now["lat_deg"], now["lon_deg"]
    ns, ew = ("N" if lat >= 0 else "S"), ("E" if lon >= 0 else "W")
    return (
        f"At {_when(now['time'])}: over {now['over']} ({abs(lat):.1f}° {ns}, "
        f"{abs(lon):.1f}° {ew}), {now['alt_km']:.0f} km up, {now['speed_km_s']:.2f} km/s, "
        f"{now['sunlight']}."
    )
