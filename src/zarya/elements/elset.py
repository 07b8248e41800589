"""The element set: one published set of mean orbital elements for one object.

An :class:`ElementSet` is what TLE and OMM readers produce and what the ephemeris
consumes. It keeps the original text (for the history store) and turns itself into an
``sgp4`` ``Satrec``: through Vallado's own ``twoline2rv`` when it came from a TLE (so our
results are bit-for-bit those of the reference code), through ``sgp4init`` otherwise.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

__all__ = ["MAX_NAME_CHARS", "ElementSet", "clean_name", "epoch_from_datetime",
           "epoch_from_tle"]

MAX_NAME_CHARS = 60  # an object's name, after control characters are taken out

_SGP4_EPOCH_JD = 2433281.5  # 1949 December 31 00:00 UT, sgp4init's epoch origin
_UNIX_EPOCH_JD = 2440587.5


def clean_name(text: str) -> str:
    r"""An object's name as zarya keeps it: control and format characters (CR, NUL, ESC,
    bidirectional marks) taken out, runs of white space made one space.

    >>> clean_name("ISS\r (ZARYA)\x00\x1b[2J")
    'ISS (ZARYA)[2J'
    """
    kept = "".join(" " if c.isspace() else c for c in text
                   if c.isspace() or unicodedata.category(c)[0] != "C")
    return " ".join(kept.split())


@dataclass(frozen=True)
class ElementSet:
    """Mean elements (SGP4 theory) of one object at one epoch.

    Angles in degrees, mean motion in revolutions per day, ``ndot`` in rev/day^2 / 2 and
    ``nddot`` in rev/day^3 / 6 as printed in a TLE, ``bstar`` in 1/earth radii.
    ``epoch_jd`` is a pair (whole, fraction) of UTC Julian dates.
    """

    norad_id: int
    name: str
    epoch_jd: tuple[float, float]
    inclination_deg: float
    raan_deg: float
    eccentricity: float
    arg_perigee_deg: float
    mean_anomaly_deg: float
    mean_motion_rev_per_day: float
    bstar: float
    ndot: float = 0.0
    nddot: float = 0.0
    rev_number: int = 0
    classification: str = "U"
    intl_designator: str = ""
    element_set_no: int = 0
    ephemeris_type: int = 0
    source: str = ""
    line1: str | None = None
    line2: str | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    # ------------------------------------------------------------------ time
    @property
    def epoch_jd_total(self) -> float:
        return self.epoch_jd[0] + self.epoch_jd[1]

    @property
    def epoch(self) -> datetime:
        """The epoch as an aware UTC datetime (microsecond resolution)."""
        days = (self.epoch_jd[0] - _UNIX_EPOCH_JD) + self.epoch_jd[1]
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(days=days)

    @property
    def period_minutes(self) -> float:
        return 1440.0 / self.mean_motion_rev_per_day

    @property
    def is_deep_space(self) -> bool:
        """SDP4 applies to periods of 225 minutes and longer."""
        return self.period_minutes >= 225.0

    # ---------------------------------------------------------------- sgp4
    def satrec(self) -> Any:  # an sgp4.api.Satrec
        """The sgp4 ``Satrec`` (WGS72 constants, improved mode, as Vallado and Skyfield)."""
        from sgp4.api import WGS72, Satrec

        if self.line1 is not None and self.line2 is not None:
            sat = Satrec.twoline2rv(self.line1, self.line2, WGS72)
        else:
            sat = Satrec()
            xpdotp = 1440.0 / (2.0 * math.pi)  # rev/day -> rad/min
            sat.sgp4init(
                WGS72,
                "i",
                self.norad_id if self.norad_id < 340000 else 0,
                (self.epoch_jd[0] - _SGP4_EPOCH_JD) + self.epoch_jd[1],
                self.bstar,
                self.ndot / (xpdotp * 1440.0),
                self.nddot / (xpdotp * 1440.0 * 1440.0),
                self.eccentricity,
                math.radians(self.arg_perigee_deg),
                math.radians(self.inclination_deg),
                math.radians(self.mean_anomaly_deg),
                self.mean_motion_rev_per_day / xpdotp,
                math.radians(self.raan_deg),
            )
        # sgp4 may flag an error already at initialisation (e.g. an eccentricity that goes
        # out of range at once): propagation then reports it per time, as NaN with the code.
        return sat


def epoch_from_tle(year2: int, day_of_year: float) -> tuple[float, float]:
    """TLE epoch (two-digit year, fractional day of year, day 1.0 = Jan 1 00:00) -> JD pair.

    Years 57-99 are 1957-1999, 00-56 are 2000-2056 (the TLE convention). Day 366 of a
    common year is accepted and means January 1 of the next year, as published sets do.
    """
    year = year2 + (1900 if year2 >= 57 else 2000)
    jd_jan0 = _jd_of_date(year, 1, 1) - 1.0  # JD of "day 0" 00:00
    whole = math.floor(day_of_year)
    # the fraction as printed (8 decimals), not day - floor(day) with its binary residue
    return (jd_jan0 + whole, round(day_of_year - whole, 8))


def epoch_from_datetime(when: datetime) -> tuple[float, float]:
    when = when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    midnight = when.replace(hour=0, minute=0, second=0, microsecond=0)
    frac = (when - midnight) / timedelta(days=1)
    return (_jd_of_date(when.year, when.month, when.day), frac)


def _jd_of_date(year: int, month: int, day: int) -> float:
    """Julian date of 00:00 UTC on a Gregorian calendar date."""
    a = (14 - month) // 12
    y = year + 4800 - a
    m = month + 12 * a - 3
    jdn = day + (153 * m + 2) // 5 + 365 * y + y // 4 - y // 100 + y // 400 - 32045
    return jdn - 0.5
