"""The exception tree.

Every error zarya raises on purpose is a :class:`ZaryaError`. Each message is one sentence
that names the bad value and what was expected, so the command line can print it as is
(exit code 2) and the web service can answer it with HTTP 422.

    ZaryaError
    +-- ElementsError            orbital elements that cannot be used
    |   +-- TLEFormatError       a malformed TLE line (line, column, expected, found)
    |   +-- OMMError             a malformed OMM record
    |   +-- StaleElementsError   elements too far from the requested instant
    +-- PropagationError         SGP4 failed everywhere in the window (e.g. decayed)
    +-- ObserverError            impossible coordinates
    +-- TimeRangeError           reversed, empty or absurd time windows, bad instants
    +-- PlaceError               unknown or ambiguous place names
    +-- CatalogError             unknown satellite, empty store
    (and, next to the code that raises them: render.common.RenderError for pictures that
    cannot be written, batch.BatchError for batch runs that cannot start or finish)
"""

from __future__ import annotations


class ZaryaError(Exception):
    """Base class of every error zarya raises deliberately."""


class ElementsError(ZaryaError):
    """Orbital elements that cannot be read or used."""


class TLEFormatError(ElementsError):
    """A TLE line that does not follow the format.

    Attributes name the ``line`` (1 or 2, or the line number in a file), the 1-based
    ``column`` and what was ``expected``/``found``.
    """

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        expected: str | None = None,
        found: str | None = None,
    ) -> None:
        super().__init__(message)
        self.line = line
        self.column = column
        self.expected = expected
        self.found = found


class OMMError(ElementsError):
    """An OMM record (JSON, CSV, XML or KVN) that is missing fields or holds bad values."""


class StaleElementsError(ElementsError):
    """The nearest element set is too far (in time) from the instant asked for."""


class PropagationError(ZaryaError):
    """SGP4 could not propagate the satellite anywhere in the window (decayed, bad orbit)."""


class ObserverError(ZaryaError):
    """Impossible observer coordinates (latitude beyond 90, longitude beyond 180, ...)."""


class TimeRangeError(ZaryaError):
    """A reversed, empty or absurd time window, or an unreadable instant."""


class PlaceError(ZaryaError):
    """A place name that is unknown or matches several places."""


class CatalogError(ZaryaError):
    """An unknown satellite or an unusable element store."""


__all__ = [
    "ZaryaError",
    "ElementsError",
    "TLEFormatError",
    "OMMError",
    "StaleElementsError",
    "PropagationError",
    "ObserverError",
    "TimeRangeError",
    "PlaceError",
    "CatalogError",
]
