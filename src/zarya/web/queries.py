"""What the web service computes: its limits, its inputs, its cache (no FastAPI here).

Every answer is the contract's JSON object, made by the same library functions as the
commands' ``--json`` (:mod:`zarya.reports`). The web adds on top:

- **Limits.** At most :data:`MAX_DAYS` days a request, coordinates in range (the library's
  own checks, so the sentences are the command line's), text parameters of at most
  :data:`MAX_TEXT` characters, tracks of at most :data:`MAX_TRACK_POINTS` points.
- **Rounded places.** Coordinates are rounded to :data:`PLACE_DIGITS` decimals (0.01 degree,
  about 1 km) before anything is computed: event times move by well under a second, the
  answer says which point it is for, neighbours share one cached answer and the server keeps
  no precise location.
- **Web sentences.** A refusal says the library's sentence worded for the web: inputs by
  their query parameter (``min_elevation``), the web's advice (``allow_stale=1``) and no
  file-system path of the server: :func:`public_sentence`.
- **A cache.** Answers (already serialised) are kept in memory, keyed by the endpoint, the
  rounded place, the window and the *element version* of the satellite (its NORAD number, how
  many sets the store holds for it and the newest epoch): importing new elements changes the
  version, so no stale answer outlives an import. A window that starts "now" starts at the
  current minute, so that requests within one minute share an answer.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import cached_property
from typing import Any

from ..engine import timescale
from ..engine.look import Observer, check_angle
from ..engine.timescale import Window, iso_z, parse_instant
from ..errors import (
    ObserverError,
    StaleElementsError,
    TimeRangeError,
    UnknownSatelliteError,
    ZaryaError,
    param,
)

__all__ = [
    "CACHE_BYTES",
    "CACHE_ENTRIES",
    "MAX_DAYS",
    "MAX_QUERY_BYTES",
    "MAX_SUGGESTIONS",
    "MAX_TEXT",
    "MAX_TRACK_POINTS",
    "PLACE_DIGITS",
    "Answer",
    "AnswerCache",
    "SatelliteSource",
    "Where",
    "check_days",
    "check_elevation",
    "check_text",
    "element_version",
    "public_sentence",
    "rounded",
    "start_of",
    "ttl_for",
    "web_name",
    "where",
    "window_days",
    "window_hours",
    "window_key",
]

MAX_DAYS = 30.0
MAX_TEXT = 100
MAX_SUGGESTIONS = 10
MAX_TRACK_POINTS = 20_000
MAX_QUERY_BYTES = 2048
PLACE_DIGITS = 2
CACHE_ENTRIES = 512
CACHE_BYTES = 96_000_000  # and at most this many bytes of answers (a page is 280 kB)
NOW_TTL_S = 60.0  # answers for a window starting "now" are kept a minute
FIXED_TTL_S = 3600.0  # answers for a given start: an hour (the element version guards them)
SAT_RECHECK_S = 10.0  # how often the element store is asked for a satellite's version


# ------------------------------------------------------------------------------ inputs
@dataclass(frozen=True)
class Where:
    """An observer (rounded), how to call it, and its IANA time zone (None: look it up)."""

    observer: Observer
    label: str
    timezone: str | None = None

    def zone_name(self) -> str:
        if self.timezone:
            return self.timezone
        from ..domain.places import timezone_at

        return timezone_at(self.observer.lat_deg, self.observer.lon_deg)


def rounded(value: float, digits: int = PLACE_DIGITS) -> float:
    """``value`` rounded to ``digits`` decimals, NaN and infinities passed through (the
    library's checks name them); never ``-0.0`` (-0.004 is 0.0)."""
    return round(value, digits) + 0.0 if math.isfinite(value) else value


def check_text(name: str, value: str | None, limit: int = MAX_TEXT) -> str | None:
    """``value`` with control characters and runs of spaces made single spaces, or None when
    empty; a :class:`ObserverError` when too long."""
    if value is None:
        return None
    if len(value) > limit:
        raise ObserverError(f"{name} is {len(value)} characters long: at most {limit} allowed")
    value = "".join(ch if ch.isprintable() else " " for ch in value)  # no control characters
    return " ".join(value.split()) or None


def where(
    place: str | None, lat: float | None, lon: float | None, alt_m: float | None = 0.0
) -> Where:
    """The observer of a request: ``place`` (a city or site) or ``lat`` and ``lon``.

    Raises the library's :class:`~zarya.errors.PlaceError` or :class:`ObserverError`.
    """
    place = check_text("place", place)
    alt = 0.0 if alt_m is None else float(alt_m)
    if lat is not None or lon is not None:
        if lat is None or lon is None:
            raise ObserverError("give both lat and lon (degrees), or a place name")
        obs = Observer(rounded(lat), rounded(lon), rounded(alt, 0))
        label = place or f"{obs.lat_deg:.2f}, {obs.lon_deg:.2f}"
        return Where(obs, label)
    if place is None:
        raise ObserverError(
            "say where you are: place=NAME (a city such as Astana), or lat=DEG and lon=DEG"
        )
    from ..domain.places import resolve_place, search_label

    p = resolve_place(place)
    obs = Observer(rounded(p.lat_deg), rounded(p.lon_deg), rounded(p.alt_m, 0))
    # a city by the label that tells it from its namesakes ("Springfield, MO, US")
    return Where(obs, p.label if p.kind == "site" else search_label(p), p.timezone)


def start_of(text: str | None) -> tuple[datetime, bool]:
    """(start, given): the instant of ``from`` (ISO 8601), else now at the current minute.

    Absent, empty (what the page's form sends when its field is left blank) and ``now`` all
    mean now; the command line, which has no empty form field, refuses ``--from ''``."""
    text = check_text("from", text, 40)
    if text is None or text.lower() == "now":
        # through the module, so that a test that freezes timescale.utc_now freezes this too
        return timescale.utc_now().replace(second=0, microsecond=0), False
    return parse_instant(text), True


def window_days(start: datetime, days: float) -> Window:
    """A window of ``days`` days (at most :data:`MAX_DAYS`), with the command line's sentences."""
    return Window.days(start, days, max_days=MAX_DAYS)


def check_days(days: float) -> float:
    """``days`` if a window of that many days may be asked for here, else the command
    line's sentence (the very check of :func:`window_days`, made before any other work)."""
    window_days(datetime(2000, 1, 1, tzinfo=UTC), days)
    return days


def window_hours(start: datetime, hours: float) -> Window:
    if not (math.isfinite(hours) and 0.0 < hours <= MAX_DAYS * 24.0):
        raise TimeRangeError(
            f"{param('hours')} {hours:g} is impossible: expected above 0, up to "
            f"{MAX_DAYS * 24:g}",
            parameter="hours",
            value=hours,
            limit=MAX_DAYS * 24,
        )
    return Window(start, hours * 3600.0)


def check_elevation(name: str, value: float) -> float:
    """The check of an elevation threshold (``min_elevation``), with the library's sentence."""
    return check_angle(name, value)


# -------------------------------------------------------------------------- sentences
def web_name(name: str) -> str:
    """An input as the web names it: its query parameter (``min_elevation``)."""
    return name


def _server_path(what: str, where: str) -> str:
    """A path of the server is never shown: only what it is."""
    return what or "a file on the server"


def public_sentence(exc: BaseException | str, *, allow_stale: bool = True) -> str:
    """The sentence of a refusal as the web says it: one line, the library's words with
    inputs named by their query parameters, the web's advice, and no file-system path of
    the server.

    ``allow_stale``: the route takes ``allow_stale=1`` (every route but the page, which
    says what to do in a hint of its own).

    >>> from zarya.errors import CatalogError, path
    >>> store = path("/srv/e.sqlite", "the element store")
    >>> public_sentence(CatalogError(f"{store}: disk I/O error"))
    'the element store: disk I/O error'
    """
    if not isinstance(exc, ZaryaError):
        return " ".join(str(exc).split())
    text = exc.worded(web_name, _server_path)
    if isinstance(exc, StaleElementsError) and allow_stale:
        text += " (add allow_stale=1 to compute anyway)"
    elif isinstance(exc, UnknownSatelliteError) and exc.remedy == "import":
        pass  # the store is the server's: nothing a visitor can add
    return " ".join(text.split())


# ------------------------------------------------------------------------- satellites
@dataclass
class _Loaded:
    satellite: Any
    version: str
    checked: float


class SatelliteSource:
    """Satellites from the element store, reloaded when their element version changes.

    The store is asked at most every ``recheck_s`` seconds per satellite; a satellite whose
    version is unchanged keeps its object (and whatever it has computed and cached).
    """

    def __init__(self, recheck_s: float = SAT_RECHECK_S) -> None:
        self.recheck_s = recheck_s
        self._loaded: dict[str, _Loaded] = {}
        self._lock = threading.Lock()

    def get(self, sat: str | None) -> tuple[Any, str]:
        """(Satellite, element version) for ``sat`` (a NORAD number or a name; None: ISS)."""
        key = (check_text("sat", sat, 40) or "25544").casefold()
        now = time.monotonic()
        with self._lock:
            held = self._loaded.get(key)
            if held is not None and now - held.checked < self.recheck_s:
                return held.satellite, held.version
            from ..reports.satellites import load_satellite

            satellite = load_satellite(key)
            version = element_version(satellite)
            if held is not None and held.version == version:
                held.checked = now
                return held.satellite, held.version
            if len(self._loaded) >= 64:
                self._loaded.clear()
            self._loaded[key] = _Loaded(satellite, version, now)
            return satellite, version


def element_version(satellite: Any) -> str:
    """NORAD number, number of sets and of trajectories, newest epoch and creation: changes
    whenever a set or a trajectory is imported (they are never replaced, only added)."""
    newest = max((e.epoch_jd_total for e in satellite.elements), default=0.0)
    created = max((t.creation_jd for t in satellite.trajectories), default=0.0)
    return (f"{satellite.norad_id}:{len(satellite.elements)}:{newest:.8f}:"
            f"{len(satellite.trajectories)}:{created:.8f}")


# ------------------------------------------------------------------------------ answers
@dataclass(frozen=True)
class Answer:
    """A serialised answer with its validators."""

    body: bytes
    media_type: str
    etag: str
    last_modified: str  # HTTP date
    max_age_s: int
    made: float = field(default_factory=time.monotonic)

    @cached_property
    def gzipped(self) -> bytes:
        """The body gzip-compressed (once per answer; level 6, no timestamp: the same
        bytes every time)."""
        return gzip.compress(self.body, compresslevel=6, mtime=0)

    @property
    def gzip_etag(self) -> str:
        """The ETag of the compressed representation (a strong ETag names one)."""
        return self.etag[:-1] + '-gz"'

    @classmethod
    def of(cls, body: bytes, media_type: str, max_age_s: int) -> Answer:
        etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
        stamp = format_datetime(datetime.now(UTC).replace(microsecond=0), usegmt=True)
        return cls(body, media_type, etag, stamp, max_age_s)


class AnswerCache:
    """A bounded, thread-safe LRU of :class:`Answer` with per-entry lifetimes: at most
    ``entries`` answers and ``max_bytes`` of their bodies (the oldest go first).

    :meth:`get_or_make` computes a missing answer under one lock, so that concurrent
    requests for the same answer compute it once (SGP4 objects are not shared across
    threads either).
    """

    def __init__(self, entries: int = CACHE_ENTRIES, max_bytes: int = CACHE_BYTES) -> None:
        self.entries = entries
        self.max_bytes = max_bytes
        self.bytes = 0
        self._data: OrderedDict[Hashable, tuple[Answer, float]] = OrderedDict()
        self._lock = threading.Lock()
        self._compute = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> Answer | None:
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return None
            answer, ttl = item
            if time.monotonic() - answer.made > ttl:
                del self._data[key]
                self.bytes -= len(answer.body)
                return None
            self._data.move_to_end(key)
            return answer

    def put(self, key: Hashable, answer: Answer, ttl_s: float) -> None:
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self.bytes -= len(old[0].body)
            self._data[key] = (answer, ttl_s)
            self.bytes += len(answer.body)
            while len(self._data) > 1 and (len(self._data) > self.entries
                                            or self.bytes > self.max_bytes):
                _, (gone, _) = self._data.popitem(last=False)
                self.bytes -= len(gone.body)

    def get_or_make(
        self, key: Hashable, make: Callable[[], Answer], ttl_s: float
    ) -> Answer:
        found = self.get(key)
        if found is not None:
            self.hits += 1
            return found
        with self._compute:
            found = self.get(key)  # made while we waited?
            if found is not None:
                self.hits += 1
                return found
            self.misses += 1
            answer = make()
            self.put(key, answer, ttl_s)
            return answer

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.bytes = 0

    def __len__(self) -> int:
        return len(self._data)


def ttl_for(given: bool) -> float:
    return FIXED_TTL_S if given else NOW_TTL_S


def window_key(window: Window) -> tuple[str, float]:
    return iso_z(window.start, 0), round(window.span_s, 3)
