"""Instants and time grids.

UTC comes in (ISO 8601 text or aware datetimes), two-float Julian dates live inside
(``jd_whole + jd_fraction``, so a 30-day window keeps nanosecond resolution) and ISO 8601
text with a ``Z`` goes out. Inside a computation, times are float seconds since the start
of the window, ``t_s``, next to the window's base Julian date.

UT1 is taken equal to UTC unless a ``dut1_s`` is given. |UT1 - UTC| stays under 0.9 s;
the Earth turns 13.5 arcseconds in that time, which moves a low pass's rise and set by up
to about 0.7 s and its elevations by a few hundredths of a degree (measured against
Skyfield with IERS UT1: 0.64 s and 0.034 degree when UT1 - UTC was +0.57 s, in 2017).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from ..errors import TimeRangeError, param

__all__ = [
    "SECONDS_PER_DAY",
    "Window",
    "datetime_of",
    "iso_column",
    "iso_z",
    "jd_of",
    "micros_column",
    "parse_instant",
    "tenths_column",
    "utc_now",
]

FloatArray = NDArray[np.float64]

SECONDS_PER_DAY = 86400.0
_UNIX_EPOCH_JD = 2440587.5
# Instants zarya accepts at all: SGP4 elements exist from 1957; past 2100 nothing is meaningful.
_EARLIEST = datetime(1957, 10, 4, tzinfo=UTC)
_LATEST = datetime(2100, 1, 1, tzinfo=UTC)
_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
    r"\s*([Zz]|[+-]\d{2}:?\d{2})?$"
)


def utc_now() -> datetime:
    """The clock, as an aware UTC datetime: the one place zarya reads it (tests freeze it
    by replacing this function)."""
    return datetime.now(UTC)


def parse_instant(text: str | datetime) -> datetime:
    """An ISO 8601 instant as an aware UTC datetime.

    A bare date is 00:00 UTC; a time without an offset is UTC; ``now`` is the clock.

    >>> parse_instant("2016-03-28")
    datetime.datetime(2016, 3, 28, 0, 0, tzinfo=datetime.timezone.utc)
    >>> parse_instant("2016-03-28T21:30:00+06:00").isoformat()
    '2016-03-28T15:30:00+00:00'
    """
    if isinstance(text, datetime):
        when = text if text.tzinfo else text.replace(tzinfo=UTC)
        return _in_range(when.astimezone(UTC), when.isoformat())
    raw = text.strip()
    if raw.lower() == "now":
        return utc_now()
    m = _ISO.match(raw)
    if not m:
        raise TimeRangeError(
            f"cannot read the time {text!r}: expected ISO 8601 such as 2016-03-28 or "
            "2016-03-28T21:30:00Z",
            value=text,
        )
    y, mo, d, h, mi, s, frac, zone = m.groups()
    try:
        when = datetime(
            int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0),
            int((frac or "0")[:6].ljust(6, "0")), tzinfo=UTC,
        )
    except ValueError as exc:
        raise TimeRangeError(f"cannot read the time {text!r}: {exc}", value=text) from None
    if zone and zone.upper() != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        if offset > timedelta(hours=14):
            raise TimeRangeError(
                f"cannot read the time {text!r}: offset beyond 14 hours", value=text
            )
        when = when - sign * offset
    return _in_range(when, text)


def _in_range(when: datetime, text: str) -> datetime:
    if not _EARLIEST <= when < _LATEST:
        raise TimeRangeError(
            f"the time {text!r} is outside 1957-10-04 to 2100-01-01, where SGP4 elements mean "
            "anything",
            value=when,
        )
    return when


def jd_of(when: datetime) -> tuple[float, float]:
    """Aware datetime -> (JD of 00:00 UTC that day, fraction of the day)."""
    when = when.astimezone(UTC)
    midnight = when.replace(hour=0, minute=0, second=0, microsecond=0)
    whole = _UNIX_EPOCH_JD + (midnight - datetime(1970, 1, 1, tzinfo=UTC)).days
    return whole, (when - midnight) / timedelta(days=1)


def datetime_of(jd_whole: float, jd_fraction: float) -> datetime:
    days = (jd_whole - _UNIX_EPOCH_JD) + jd_fraction
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(days=days)


def iso_z(when: datetime, digits: int = 1) -> str:
    """'2016-03-28T21:30:00.0Z' (UTC, ``digits`` decimals of seconds)."""
    when = when.astimezone(UTC)
    micro = round(when.microsecond / 10 ** (6 - digits)) * 10 ** (6 - digits)
    when = when.replace(microsecond=0) + timedelta(microseconds=micro)
    # written out: strftime costs three times as much (a report of 40,000 passes: 0.4 s)
    base = (f"{when.year:04d}-{when.month:02d}-{when.day:02d}T"
            f"{when.hour:02d}:{when.minute:02d}:{when.second:02d}")
    if digits <= 0:
        return base + "Z"
    return f"{base}.{when.microsecond // 10 ** (6 - digits):0{digits}d}Z"


def micros_column(window: Window, t_s: NDArray[np.float64]) -> NDArray[np.int64]:
    """POSIX microseconds of ``window.instant(t)`` for a column of times (0 where NaN): the
    same microsecond a ``timedelta`` rounds to."""
    base = np.datetime64(window.start.astimezone(UTC).replace(tzinfo=None), "us")
    ok = np.isfinite(t_s)
    micros: NDArray[np.int64] = (base.astype(np.int64)
                                 + np.round(np.where(ok, t_s, 0.0) * 1e6).astype(np.int64))
    return micros


def tenths_column(window: Window, t_s: NDArray[np.float64]) -> NDArray[np.datetime64]:
    """Seconds from the window's start -> ``datetime64[us]`` UTC rounded to 0.1 s (half to
    even, as :func:`iso_z`), NaT for NaN: a column of times at once."""
    ok = ~np.isnan(t_s)
    micro = (np.round(micros_column(window, t_s) / 1e5) * 1e5).astype(np.int64)
    out = micro.astype("datetime64[us]")
    out[~ok] = np.datetime64("NaT")
    return out


def iso_column(times: NDArray[np.datetime64]) -> NDArray[np.object_]:
    """``datetime64[us]`` already rounded to 0.1 s -> :func:`iso_z` strings (``...Z``),
    None for NaT."""
    text = np.datetime_as_string(times, unit="ms")
    out = np.array([x[:-2] + "Z" for x in text.tolist()], dtype=object)
    out[np.isnat(times)] = None
    return out


@dataclass(frozen=True)
class Window:
    """A time window ``[start, start + span_s]``: the frame of every grid and event time."""

    start: datetime
    span_s: float

    @classmethod
    def between(cls, start: datetime, end: datetime, *, max_days: float = 3660.0) -> Window:
        span = (end - start).total_seconds()
        if span <= 0:
            raise TimeRangeError(
                f"the window ends ({iso_z(end, 0)}) before or when it starts ({iso_z(start, 0)})",
                value=end,
            )
        if span > max_days * SECONDS_PER_DAY:
            raise TimeRangeError(
                f"a window of {span / SECONDS_PER_DAY:.0f} days is too long: at most "
                f"{max_days:g} days",
                value=span / SECONDS_PER_DAY,
                limit=max_days,
            )
        return cls(start, span)

    @classmethod
    def days(cls, start: datetime, days: float, *, max_days: float = 3660.0) -> Window:
        if not math.isfinite(days) or days <= 0:
            raise TimeRangeError(
                f"{param('days')} must be a positive number of days, got {days:.10g}",
                parameter="days",
                value=days,
            )
        if days > max_days:
            raise TimeRangeError(
                f"{param('days')} {days:.10g} is too long: at most {max_days:g} days",
                parameter="days",
                value=days,
                limit=max_days,
            )
        return cls(start, days * SECONDS_PER_DAY)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(seconds=self.span_s)

    @property
    def base_jd(self) -> tuple[float, float]:
        return jd_of(self.start)

    def jd(self, t_s: FloatArray | float) -> tuple[FloatArray, FloatArray]:
        """Seconds since the start -> (jd_whole, jd_fraction) arrays for sgp4 and erfa."""
        whole, frac = self.base_jd
        t = np.asarray(t_s, dtype=float)
        return np.full(t.shape, whole), frac + t / SECONDS_PER_DAY

    def grid(self, step_s: float) -> FloatArray:
        """Seconds from 0 to span inclusive, evenly spaced, no step longer than ``step_s``."""
        n = max(2, math.ceil(self.span_s / step_s) + 1)
        return np.linspace(0.0, self.span_s, n)

    def instant(self, t_s: float | np.floating) -> datetime:
        return self.start + timedelta(seconds=float(t_s))

    def iso(self, t_s: float | np.floating) -> str:
        return iso_z(self.instant(t_s))
