"""The exception tree: errors that carry data, worded by whoever shows them.

Every error zarya raises on purpose is a :class:`ZaryaError`. Each carries the facts of the
refusal as attributes (the offending ``value``, the ``low``/``high`` or ``limit`` it broke,
the ``epoch``, ``instant`` and ``age_days`` of stale elements, the ``line`` and ``column``
of a bad TLE, ...) and a message of one sentence that names the bad value and what was
expected. The library never names a command-line flag or a query parameter: where a
sentence names an input (``days``, ``min_elevation``), it marks it with :func:`param`, and
each face words the mark its own way (:meth:`ZaryaError.worded`): the command line says
``--days``, the web ``days``, ``str(error)`` plain words ("days", "minimum elevation").
File-system paths are marked with :func:`path` the same way, so that the web can leave its
own paths out of what it tells the world.

    ZaryaError
    +-- ElementsError            orbital elements that cannot be used
    |   +-- TLEFormatError       a malformed TLE line (line, column, expected, found)
    |   +-- OMMError             a malformed OMM record (record, line, field)
    |   +-- OEMError             a malformed OEM trajectory (the line or element at fault)
    |   +-- StaleElementsError   elements too far from the instant asked (epoch, instant, age)
    +-- PropagationError         SGP4 fails everywhere in the window (decayed: code, start, end)
    +-- ObserverError            impossible coordinates or angles (parameter, value, low, high)
    +-- TimeRangeError           reversed, empty or absurd windows, bad instants (value, limit)
    +-- PlaceError               unknown or ambiguous place names (query, candidates)
    +-- OptionError              a setting out of range, or a choice that does not exist
    |                            (parameter, value, choices)
    +-- CatalogError             unknown satellite, unusable element store (path)
    |   +-- UnknownSatelliteError  no elements for the object asked (query, in_store)
    +-- RenderError              a picture that cannot be drawn or written (path)
    +-- BatchError               a batch run that cannot start or finish (parameter, line)
    +-- ServeError               an address the web service cannot listen on

The command line prints ``worded`` sentences as one line on stderr with exit status 2; the
web answers them with HTTP 422.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

__all__ = [
    "BatchError",
    "CatalogError",
    "ElementsError",
    "OEMError",
    "OMMError",
    "ObserverError",
    "OptionError",
    "PlaceError",
    "PropagationError",
    "RenderError",
    "ServeError",
    "StaleElementsError",
    "StationError",
    "TLEFormatError",
    "TimeRangeError",
    "UnknownSatelliteError",
    "ZaryaError",
    "param",
    "path",
    "plain_name",
    "plain_path",
    "shown",
]

_PARAM_MARK = re.compile("\x1e([^\x1e\x1f]*)\x1f")
_PATH_MARK = re.compile("\x1d([^\x1c\x1d\x1f]*)\x1c([^\x1d\x1f]*)\x1f")

# How ``str(error)`` names an input when no face words it (the library's own words).
PLAIN_WORDS = {
    "days": "days",
    "hours": "hours",
    "from": "start",
    "to": "end",
    "at": "instant",
    "min_elevation": "minimum elevation",
    "sun_limit": "Sun limit",
    "radius_km": "radius",
    "step_s": "step",
    "freq_mhz": "frequency",
    "lat": "latitude",
    "lon": "longitude",
    "alt_m": "height",
    "sat": "satellite",
    "place": "place",
    "tz": "time zone",
    "pass": "pass number",
    "group": "group",
    "url": "URL",
    "timeout": "timeout",
    "retries": "retries",
    "cities": "number of cities",
    "workers": "number of workers",
    "threads": "number of threads",
    "chunk_size": "chunk size",
    "out": "output file",
    "scheduler": "scheduler",
    "places": "places file",
    "rules": "rule set",
    "shadow_height_km": "shadow height",
    "brighter_than": "magnitude limit",
    "limiting_magnitude": "limiting magnitude",
    "magnitudes": "magnitude list",
    "convention": "magnitude convention",
    "alarm": "reminder",
    "min_peak": "lowest peak",
}


def shown(value: object, limit: int = 40) -> str:
    """A value as a sentence quotes it: a number to 12 significant digits (90.0000001 stays
    itself, 1e+308 too), text cut to ``limit`` characters.

    >>> shown(90.0000001), shown(1e308), shown("x" * 50)
    ('90.0000001', '1e+308', "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'")
    """
    if isinstance(value, float):
        return f"{value:.12g}"
    text = str(value)
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def param(name: str) -> str:
    """Mark the name of an input (``"days"``, ``"min_elevation"``) inside a message."""
    return f"\x1e{name}\x1f"


def path(where: object, what: str = "") -> str:
    """Mark a file-system path inside a message, with what it is (``"the element store"``)
    when the sentence needs it: ``str(error)`` shows ``what`` and the path, the web only
    ``what`` (or "a file on the server")."""
    return f"\x1d{what}\x1c{where}\x1f"


def plain_path(what: str, where: str) -> str:
    """How ``str(error)`` shows a marked path: what it is, then the path."""
    return f"{what} {where}" if what else where


def plain_name(name: str) -> str:
    """The library's words for an input (see :data:`PLAIN_WORDS`)."""
    return PLAIN_WORDS.get(name, name.replace("_", " "))


class ZaryaError(Exception):
    """Base class of every error zarya raises deliberately.

    ``message`` is one sentence; keyword arguments become attributes (the data of the
    refusal). ``parameter`` names the input at fault, if one is (``"days"``), by the same
    name as :func:`param` marks it.
    """

    parameter: str | None = None
    value: Any = None

    def __init__(self, message: str, **data: Any) -> None:
        super().__init__(message)
        for key, item in data.items():
            setattr(self, key, item)

    @property
    def message(self) -> str:
        """The sentence with its marks (see :func:`param`, :func:`path`)."""
        return str(self.args[0]) if self.args else ""

    def __str__(self) -> str:
        return self.worded()

    def worded(
        self,
        name: Callable[[str], str] = plain_name,
        where: Callable[[str, str], str] = plain_path,
    ) -> str:
        """The sentence with each marked input named by ``name`` and each marked path
        shown by ``where(what, path)``.

        >>> e = TimeRangeError(f"{param('days')} 0 is impossible", parameter="days")
        >>> str(e), e.worded(lambda p: "--" + p.replace("_", "-"))
        ('days 0 is impossible', '--days 0 is impossible')
        """
        text = _PARAM_MARK.sub(lambda m: name(m.group(1)), self.message)
        return _PATH_MARK.sub(lambda m: where(m.group(1), m.group(2)), text)

    def prefixed(self, prefix: str) -> ZaryaError:
        """This error with ``prefix`` put in front of its sentence (marks kept); returns
        itself, to be raised again."""
        self.args = (prefix + self.message, *self.args[1:])
        return self


class ElementsError(ZaryaError):
    """Orbital elements that cannot be read or used."""


class TLEFormatError(ElementsError):
    """A TLE line that does not follow the format.

    ``line`` is 1 or 2 (or the line number in a file), ``column`` the 1-based column,
    ``expected``/``found`` what should have been there and what was.
    """

    line: int | None = None
    column: int | None = None
    expected: str | None = None
    found: str | None = None


class OMMError(ElementsError):
    """An OMM record (JSON, CSV, XML or KVN) that is missing fields or holds bad values.

    ``record`` (1-based) and ``line`` where the record starts, when known; ``field`` the
    OMM key at fault and ``value`` what it held.
    """

    record: int | None = None
    line: int | None = None
    field: str | None = None


class OEMError(ElementsError):
    """A malformed Orbit Ephemeris Message: the sentence names the line (KVN) or the element
    (XML) at fault."""


class StaleElementsError(ElementsError):
    """The nearest element set is too far (in time) from an instant asked for.

    ``name`` of the object, ``epoch`` of the nearest set, ``instant`` where it is farthest,
    ``age_days`` between them and ``limit_days`` allowed. Faces say how to go on anyway
    (the command line's ``--allow-stale``, the web's ``allow_stale=1``).
    """

    name: str = ""
    epoch: datetime | None = None
    instant: datetime | None = None
    age_days: float = 0.0
    limit_days: float = 0.0


class PropagationError(ZaryaError):
    """SGP4 could not propagate the satellite anywhere in the window (decayed, bad orbit):
    ``name``, sgp4's error ``code``, the window's ``start`` and ``end``."""

    name: str = ""
    code: int = 0
    start: datetime | None = None
    end: datetime | None = None


class ObserverError(ZaryaError):
    """Impossible observer coordinates or angles: ``parameter``, ``value`` and the range
    ``low`` to ``high`` it should be in."""

    low: float | None = None
    high: float | None = None


class TimeRangeError(ZaryaError):
    """A reversed, empty or absurd time window, or an unreadable instant: ``value`` and the
    ``limit`` it broke, where there is one."""

    limit: float | None = None


class PlaceError(ZaryaError):
    """A place name that is unknown or matches several places: ``query`` and, when it is
    ambiguous, the ``candidates``."""

    query: str = ""
    candidates: tuple[str, ...] = ()


class OptionError(ZaryaError):
    """A setting out of its range (``value``, ``low`` to ``high``) or a choice that does not
    exist (``value``, the ``choices``)."""

    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()


class CatalogError(ZaryaError):
    """An unusable element store (``path``) or a bad request to fill it."""

    path: str | None = None


class UnknownSatelliteError(CatalogError):
    """No elements for the object asked (``query``: a NORAD number or a name), in the
    element store (``in_store``) or in a file; ``candidates`` when a name matches several.
    ``remedy`` is ``"import"`` where elements must be added first: faces say how."""

    query: str = ""
    in_store: bool = False
    candidates: tuple[object, ...] = ()
    remedy: str | None = None


class RenderError(ZaryaError):
    """A picture that cannot be drawn or written (unknown format, missing folder): ``path``."""

    path: str | None = None


class BatchError(ZaryaError):
    """A batch run that cannot start or finish (a bad places file, an unreachable
    scheduler): ``parameter`` or the places file's ``line`` at fault."""

    line: int | None = None


class ServeError(ZaryaError):
    """An address the web service cannot listen on (unknown host, port in use, no
    permission)."""


class StationError(ZaryaError):
    """A ground station's daemon (``rotctld``, ``rigctld``: ``daemon`` at ``host``:``port``)
    that cannot be reached, went away (``lost``) or refused a command (Hamlib's ``code``)."""

    daemon: str | None = None
    host: str | None = None
    port: int | None = None
    code: int | None = None
    lost: bool = False
