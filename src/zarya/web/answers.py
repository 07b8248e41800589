"""The web service's answers, each a cached, serialised :class:`~.queries.Answer`.

:class:`WebService` is what the FastAPI routes (and the page) call: it validates the inputs
with the library's checks, asks the report builders (:mod:`zarya.reports`) for the very
objects that the commands print with ``--json``, and keeps the serialised result in the cache
under the rounded place, the window and the element version. Nothing here knows HTTP.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TypeGuard

from ..engine import timescale
from ..engine.timescale import Window, iso_z, parse_instant
from ..errors import TimeRangeError
from .queries import (
    MAX_DAYS,
    MAX_SUGGESTIONS,
    MAX_TRACK_POINTS,
    Answer,
    AnswerCache,
    SatelliteSource,
    Where,
    check_elevation,
    check_text,
    start_of,
    ttl_for,
    where,
    window_days,
    window_hours,
    window_key,
)

__all__ = ["ICS", "JSON", "MANY_MAX_DAYS", "MANY_MAX_OBJECTS", "SVG", "WebService", "to_json"]

MANY_MAX_DAYS = 2.0  # a question about many objects at once covers at most this
MANY_MAX_OBJECTS = 20_000

JSON = "application/json"
SVG = "image/svg+xml"
ICS = "text/calendar; charset=utf-8"


def to_json(obj: object) -> bytes:
    """Compact JSON, UTF-8 (the objects of ``--json``, without the indentation)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _obs_key(w: Where) -> tuple[float, float, float]:
    o = w.observer
    return (o.lat_deg, o.lon_deg, o.alt_m)


class WebService:
    """Everything the web serves, computed once per (rounded) question and element version."""

    def __init__(self, *, sat_recheck_s: float = 10.0, cache_entries: int = 512) -> None:
        self.sats = SatelliteSource(sat_recheck_s)
        self.cache = AnswerCache(cache_entries)

    # ---------------------------------------------------------------- passes
    def passes(
        self, *, place: str | None = None, lat: float | None = None, lon: float | None = None,
        alt_m: float | None = 0.0, start: str | None = None, days: float = 10.0,
        min_elevation: float = 10.0, visible: bool = False, sat: str | None = None,
        allow_stale: bool = False, rules: str = "zarya", shadow_height_km: float | None = None,
        brighter_than: float | None = None, against_sky: bool = False,
    ) -> tuple[Where, Answer]:
        """``zarya passes --json`` for a place: (the place, the answer)."""
        from ..domain.rules import pass_options
        from ..reports.passes import passes_report

        w = where(place, lat, lon, alt_m)
        check_elevation("min_elevation", min_elevation)
        options = pass_options(
            rules, min_elevation_deg=min_elevation, shadow_height_km=shadow_height_km,
            brighter_than=brighter_than, sky=against_sky or None,
        )
        begin, given = start_of(start)
        window = window_days(begin, days)
        if self._many(sat):
            return w, self._many_passes(w, sat, window, options, visible, allow_stale, given)
        satellite, version = self.sats.get(sat)
        key = ("passes", version, _obs_key(w), window_key(window), options, visible,
               allow_stale)

        def make() -> Answer:
            report = passes_report(
                satellite, w.observer, window, options=options,
                visible_only=visible, allow_stale=allow_stale,
            )
            return Answer.of(to_json(report), JSON, 300 if given else 60)

        return w, self.cache.get_or_make(key, make, ttl_for(given))

    @staticmethod
    def _many(sat: str | None) -> TypeGuard[str]:
        """Whether ``sat`` asks for many objects (``all``, a group, a list)."""
        from ..reports.satellites import many_objects

        return sat is not None and len(sat) <= 200 and many_objects(sat, None)

    def _many_passes(self, w: Where, sat: str, window: Window, options, visible: bool,
                     allow_stale: bool, given: bool) -> Answer:
        """``passes --sat GROUP|all|LIST --json``: every object's passes, each naming its
        object; at most :data:`MANY_MAX_DAYS` days and :data:`MANY_MAX_OBJECTS` objects a
        request (the whole catalogue over one place for a day takes seconds)."""
        from ..errors import OptionError, param
        from ..reports.passes import many_passes_report
        from ..reports.satellites import object_sets

        if window.span_s > MANY_MAX_DAYS * 86400.0:
            raise OptionError(
                f"{param('days')} {window.span_s / 86400.0:g} is too long for many objects "
                f"at once ({sat!r}): at most {MANY_MAX_DAYS:g} days",
                parameter="days", value=window.span_s / 86400.0, low=0.0, high=MANY_MAX_DAYS)
        by_object, mags = object_sets(sat, None)  # refuses a selection of nothing itself
        if len(by_object) > MANY_MAX_OBJECTS:
            raise OptionError(
                f"{param('sat')} {sat!r} names {len(by_object):,} objects: expected 1 to "
                f"{MANY_MAX_OBJECTS:,}", parameter="sat", value=sat)
        version = ":".join(f"{k}/{len(v)}/{max(e.epoch_jd_total for e in v):.8f}"
                           for k, v in sorted(by_object.items()))
        key = ("passes-many", sat.casefold(), hash(version), _obs_key(w), window_key(window),
               options, visible, allow_stale)

        def make() -> Answer:
            report = many_passes_report(by_object, w.observer, window, options=options,
                                        visible_only=visible, allow_stale=allow_stale,
                                        std_magnitudes=mags)
            return Answer.of(to_json(report), JSON, 300 if given else 60)

        return self.cache.get_or_make(key, make, ttl_for(given))

    def calendar(
        self, *, place: str | None = None, lat: float | None = None, lon: float | None = None,
        alt_m: float | None = 0.0, start: str | None = None, days: float = 10.0,
        min_elevation: float = 10.0, visible: bool = True, sat: str | None = None,
        allow_stale: bool = False, rules: str = "zarya", shadow_height_km: float | None = None,
        brighter_than: float | None = None, against_sky: bool = False,
        alarm: int = 15, min_peak: float | None = None,
    ) -> Answer:
        """The passes as an iCalendar feed (see :mod:`.feeds`): reminders ``alarm`` minutes
        before (0: none), only passes reaching ``min_peak`` degrees."""
        from ..engine.look import check_angle
        from ..errors import OptionError, param
        from .feeds import MAX_ALARM_MIN, passes_calendar

        if not 0 <= alarm <= MAX_ALARM_MIN:
            raise OptionError(
                f"{param('alarm')} {alarm} is impossible: expected 0 (no reminder) to "
                f"{MAX_ALARM_MIN} minutes", parameter="alarm", value=alarm, low=0,
                high=MAX_ALARM_MIN,
            )
        if min_peak is not None:
            check_angle("min_peak", min_peak, low_included=True, high_included=True)

        w, answer = self.passes(
            place=place, lat=lat, lon=lon, alt_m=alt_m, start=start, days=days,
            min_elevation=min_elevation, visible=visible, sat=sat, allow_stale=allow_stale,
            rules=rules, shadow_height_km=shadow_height_km, brighter_than=brighter_than,
            against_sky=against_sky,
        )
        zone = w.zone_name()
        key = ("ics", answer.etag, w.label, zone, visible, alarm, min_peak)

        def make() -> Answer:
            report = json.loads(answer.body)
            text = passes_calendar(report, label=w.label, zone_name=zone, visible=visible,
                                   alarm_min=alarm, min_peak_deg=min_peak)
            return Answer.of(text.encode("utf-8"), ICS, 3600)

        return self.cache.get_or_make(key, make, 3600.0)

    # ------------------------------------------------------------------ now
    def now(
        self, *, at: str | None = None, place: str | None = None, lat: float | None = None,
        lon: float | None = None, alt_m: float | None = 0.0, sat: str | None = None,
        allow_stale: bool = False,
    ) -> Answer:
        """``zarya now --json``: where the satellite is (and where to look from a place)."""
        from ..reports.passes import now_report

        when, given = _instant(at)
        w = where(place, lat, lon, alt_m) if any(
            v is not None for v in (place, lat, lon)
        ) else None
        if self._many(sat):
            return self._many_now(w, sat, when, given, allow_stale)
        satellite, version = self.sats.get(sat)
        key = ("now", version, iso_z(when, 1), _obs_key(w) if w else None, allow_stale)

        def make() -> Answer:
            report = now_report(
                satellite, when, observer=w.observer if w else None, allow_stale=allow_stale
            )
            return Answer.of(to_json(report), JSON, 300 if given else 1)

        return self.cache.get_or_make(key, make, ttl_for(given))

    def _many_now(self, w: Where | None, sat: str, when: datetime, given: bool,
                  allow_stale: bool) -> Answer:
        """``now --sat GROUP|all|LIST --json``: every object above the place's horizon."""
        from ..errors import ObserverError, param
        from ..reports.overhead import overhead_report
        from ..reports.satellites import object_sets

        if w is None:
            raise ObserverError(f"{param('sat')} {sat!r} asks what is above a place: give "
                                f"{param('place')}, or {param('lat')} and {param('lon')}",
                                parameter="place")
        by_object, mags = object_sets(sat, None)
        sets = [es for history in by_object.values() for es in history]
        version = hash(tuple((es.norad_id, es.epoch_jd_total) for es in sets))
        key = ("now-many", sat.casefold(), version, iso_z(when, 1), _obs_key(w), allow_stale)

        def make() -> Answer:
            report = overhead_report(sets, when, w.observer, std_magnitudes=mags,
                                     allow_stale=allow_stale)
            return Answer.of(to_json(report), JSON, 300 if given else 1)

        return self.cache.get_or_make(key, make, ttl_for(given))

    # ----------------------------------------------------------------- track
    def track(
        self, *, start: str | None = None, hours: float = 1.5, step_s: float = 30.0,
        fmt: str = "json", sat: str | None = None, allow_stale: bool = False,
    ) -> Answer:
        """``zarya track --format json`` (or ``geojson``): the ground track."""
        from ..reports.tracks import check_track, track_geojson, track_report

        begin, given = start_of(start)
        window = window_hours(begin, hours)
        check_track(window, step_s, min_step_s=1.0, max_step_s=3600.0,
                    max_points=MAX_TRACK_POINTS)
        satellite, version = self.sats.get(sat)
        key = ("track", version, window_key(window), step_s, fmt, allow_stale)

        def make() -> Answer:
            make_obj = track_geojson if fmt == "geojson" else track_report
            obj = make_obj(satellite, window, step_s, allow_stale=allow_stale)
            media = "application/geo+json" if fmt == "geojson" else JSON
            return Answer.of(to_json(obj), media, 300 if given else 60)

        return self.cache.get_or_make(key, make, ttl_for(given))

    # ---------------------------------------------------------------- orbits
    def orbits(
        self, *, start: str | None, end: str | None, sat: str | None = None,
        allow_stale: bool = False,
    ) -> Answer:
        """``zarya orbits --json``: revolutions between two instants (at most 30 days)."""
        from ..reports.missions import orbits_report

        if start is None or end is None:
            raise TimeRangeError("give both from and to (ISO 8601 instants)")
        begin, given_start = _instant(start)
        finish, given_end = _instant(end)
        window = Window.between(begin, finish, max_days=MAX_DAYS)
        satellite, version = self.sats.get(sat)
        given = given_start and given_end
        key = ("orbits", version, window_key(window), allow_stale)

        def make() -> Answer:
            obj = orbits_report(satellite, window, allow_stale=allow_stale)
            return Answer.of(to_json(obj), JSON, 300 if given else 60)

        return self.cache.get_or_make(key, make, ttl_for(given))

    # ----------------------------------------------------------- overflights
    def overflights(
        self, *, place: str | None = None, lat: float | None = None, lon: float | None = None,
        alt_m: float | None = 0.0, radius_km: float = 100.0, start: str | None = None,
        days: float = 3.0, sat: str | None = None, allow_stale: bool = False,
    ) -> Answer:
        """``zarya overflights --json``: closest approaches of the ground track to a place."""
        from ..domain.overflights import check_radius
        from ..reports.missions import overflights_report

        w = where(place, lat, lon, alt_m)
        check_radius(radius_km)
        begin, given = start_of(start)
        window = window_days(begin, days)
        satellite, version = self.sats.get(sat)
        key = ("overflights", version, _obs_key(w), window_key(window), radius_km, allow_stale)

        def make() -> Answer:
            obj = overflights_report(
                satellite, w.observer, window, radius_km, allow_stale=allow_stale
            )
            return Answer.of(to_json(obj), JSON, 300 if given else 60)

        return self.cache.get_or_make(key, make, ttl_for(given))

    # -------------------------------------------------------------- transits
    def transits(
        self, *, place: str | None = None, lat: float | None = None, lon: float | None = None,
        alt_m: float | None = 0.0, body: str = "both", radius_km: float = 20.0,
        margin_deg: float = 0.5, start: str | None = None, days: float = 7.0,
        sat: str | None = None, allow_stale: bool = False,
    ) -> tuple[Where, Answer]:
        """``zarya transits --json``: the satellite across the Sun and the Moon."""
        from ..domain.transits import TransitOptions
        from ..reports.transits import check_bodies, transits_report

        w = where(place, lat, lon, alt_m)
        bodies = check_bodies(body)
        TransitOptions(radius_km=radius_km, margin_deg=margin_deg)
        begin, given = start_of(start)
        window = window_days(begin, days)
        satellite, version = self.sats.get(sat)
        key = ("transits", version, _obs_key(w), window_key(window), bodies, radius_km,
               margin_deg, allow_stale)

        def make() -> Answer:
            obj = transits_report(satellite, w.observer, window, bodies=bodies,
                                  radius_km=radius_km, margin_deg=margin_deg,
                                  allow_stale=allow_stale)
            return Answer.of(to_json(obj), JSON, 300 if given else 60)

        return w, self.cache.get_or_make(key, make, ttl_for(given))

    def transits_calendar(self, *, alarm: int = 60, **kw: object) -> Answer:
        """The transits as an iCalendar feed, each with a reminder ``alarm`` minutes before
        (time to drive to the line; 0: none)."""
        from ..errors import OptionError, param
        from .feeds import MAX_ALARM_MIN, transits_calendar

        if not 0 <= alarm <= MAX_ALARM_MIN:
            raise OptionError(
                f"{param('alarm')} {alarm} is impossible: expected 0 (no reminder) to "
                f"{MAX_ALARM_MIN} minutes", parameter="alarm", value=alarm, low=0,
                high=MAX_ALARM_MIN,
            )
        w, answer = self.transits(**kw)  # type: ignore[arg-type]
        zone = w.zone_name()
        key = ("transits-ics", answer.etag, w.label, zone, alarm)

        def make() -> Answer:
            text = transits_calendar(json.loads(answer.body), label=w.label, zone_name=zone,
                                     alarm_min=alarm)
            return Answer.of(text.encode("utf-8"), ICS, 3600)

        return self.cache.get_or_make(key, make, 3600.0)

    # ---------------------------------------------------------------- places
    def places(self, q: str | None, limit: int = MAX_SUGGESTIONS) -> Answer:
        """Gazetteer suggestions for a prefix: sites first, then cities, most populous first."""
        from ..domain.places import search_label, search_places

        text = check_text("q", q) or ""
        limit = max(1, min(int(limit), MAX_SUGGESTIONS))
        key = ("places", " ".join(text.casefold().split()), limit)

        def make() -> Answer:
            found = search_places(text, limit) if len(text) >= 1 else []
            obj = {
                "query": text,
                "places": [
                    {
                        "label": search_label(p),  # names this place and no other
                        "name": p.name,
                        "kind": p.kind,
                        "description": p.label if p.kind == "site" else "",
                        "country_code": p.country_code,
                        "region": p.region,
                        "lat_deg": p.lat_deg,
                        "lon_deg": p.lon_deg,
                        "alt_m": p.alt_m,
                        "population": p.population,
                        "timezone": p.timezone,
                    }
                    for p in found
                ],
            }
            return Answer.of(to_json(obj), JSON, 86400)

        return self.cache.get_or_make(key, make, 86400.0)

    # ---------------------------------------------------------------- charts
    def sky_chart(
        self, *, at: str | None, place: str | None = None, lat: float | None = None,
        lon: float | None = None, alt_m: float | None = 0.0, tz: str | None = None,
        min_elevation: float = 10.0, sat: str | None = None, allow_stale: bool = False,
    ) -> Answer:
        """A sky chart (SVG) of the pass under way at ``at`` (or culminating nearest to it)."""
        from .charts import sky_chart_svg

        if at is None:
            raise TimeRangeError("give at=, an instant of the pass (ISO 8601)")
        when, _ = _instant(at)
        w = where(place, lat, lon, alt_m)
        check_elevation("min_elevation", min_elevation)
        from ..domain.places import resolve_zone

        zone = resolve_zone(
            check_text("tz", tz, 64) or "auto", zone=w.timezone,
            lat_deg=w.observer.lat_deg, lon_deg=w.observer.lon_deg,
        )
        satellite, version = self.sats.get(sat)
        key = ("sky", version, _obs_key(w), iso_z(when, 0), zone, w.label, min_elevation,
               allow_stale)

        def make() -> Answer:
            svg = sky_chart_svg(satellite, w.observer, when, zone=zone, label=w.label,
                                min_elevation_deg=min_elevation, allow_stale=allow_stale)
            return Answer.of(svg.encode("utf-8"), SVG, 3600)

        return self.cache.get_or_make(key, make, 3600.0)

    def world_map(
        self, *, at: str | None = None, place: str | None = None, lat: float | None = None,
        lon: float | None = None, sat: str | None = None, allow_stale: bool = False,
    ) -> Answer:
        """The world map (SVG) at ``at`` (default now): track, footprint, night, position."""
        from .charts import world_map_svg

        when, given = _instant(at)
        when = when.replace(microsecond=0)
        w = where(place, lat, lon, 0.0) if any(v is not None for v in (place, lat, lon)) else None
        satellite, version = self.sats.get(sat)
        key = ("map", version, iso_z(when, 0), _obs_key(w) if w else None,
               w.label if w else None, allow_stale)

        def make() -> Answer:
            svg = world_map_svg(satellite, when, observer=w.observer if w else None,
                                label=w.label if w else "", allow_stale=allow_stale)
            return Answer.of(svg.encode("utf-8"), SVG, 300 if given else 30)

        return self.cache.get_or_make(key, make, ttl_for(given))

    def newest_epoch(self, sat: str | None = None) -> str:
        """The epoch of the newest element set (or the creation of the newest trajectory)
        of ``sat`` (ISO 8601 'Z')."""
        satellite, _ = self.sats.get(sat)
        newest = max(range(satellite.n_sources), key=satellite.reference_jd)
        return iso_z(satellite.reference_time(newest), 0)


def _instant(text: str | None) -> tuple[datetime, bool]:
    """An instant (``now`` when absent, to the tenth of a second)."""
    text = check_text("at", text, 40)
    if text is None or text.lower() == "now":
        now = timescale.utc_now()  # through the module: a test's frozen clock applies
        return now.replace(microsecond=now.microsecond // 100_000 * 100_000), False
    return parse_instant(text), True
