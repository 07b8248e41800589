"""Standard magnitudes per object: reading a "qs.mag"-style list, keeping it in the store.

A satellite's brightness needs its standard magnitude: the visual magnitude at 1000 km,
half lit (phase angle 90 degrees), the convention of Heavens-Above and of Matson's
SkyMap. Other lists give an intrinsic magnitude, at 1000 km and full phase (phase angle 0:
QuickSat's older convention); for the diffuse sphere zarya's brightness law assumes, the
standard magnitude is the intrinsic one plus 2.5 log10(pi) = 1.24 (:data:`FULL_PHASE_GAIN`).
The list imported says which it holds (``convention``); the store keeps the standard
value, the value as given and its convention.

The file: one object per line, a catalogue number and a magnitude, either as two fields
("25544 -1.8") or in McCants' qs.mag columns (number in columns 1-5, magnitude in 34-37).
Blank lines and lines starting with ``#`` are skipped; anything else that cannot be read
is an error naming its line, and nothing is stored.
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from ..errors import CatalogError, param
from ..errors import path as mark_path

__all__ = [
    "CONVENTIONS",
    "FULL_PHASE_GAIN",
    "MagnitudeEntry",
    "load_magnitude",
    "load_magnitudes",
    "read_magnitudes",
    "save_magnitudes",
    "standard_from_intrinsic",
]

FULL_PHASE_GAIN = 2.5 * math.log10(math.pi)  # 1.243: a diffuse sphere, full phase vs 90 deg
CONVENTIONS = ("standard", "intrinsic")
_MAX_NORAD = 999_999_999


def standard_from_intrinsic(intrinsic: float) -> float:
    """A standard magnitude (1000 km, phase 90 degrees) from an intrinsic one (1000 km, full
    phase), for the diffuse sphere.

    >>> round(standard_from_intrinsic(-3.043), 3)
    -1.8
    """
    return intrinsic + FULL_PHASE_GAIN


@dataclass(frozen=True)
class MagnitudeEntry:
    """One object's magnitude as read: ``given`` in the list's ``convention``, the
    ``standard`` one, and the ``line`` it came from."""

    norad_id: int
    given: float
    convention: str
    standard: float
    line: int


def read_magnitudes(text: str, source: str, convention: str = "standard"
                    ) -> list[MagnitudeEntry]:
    """The entries of a magnitude list (see the module docstring); a later line about the
    same object replaces an earlier one.

    >>> [(e.norad_id, e.standard) for e in read_magnitudes("25544 -1.8\\n# c\\n", "x")]
    [(25544, -1.8)]
    """
    if convention not in CONVENTIONS:
        raise CatalogError(
            f"{param('convention')} {convention!r} is not one zarya knows: expected "
            f"{' or '.join(CONVENTIONS)}",
            parameter="convention", value=convention,
        )
    where = mark_path(source, "the magnitude list")
    found: dict[int, MagnitudeEntry] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split()
        if not fields[0].isdigit() or not 0 < int(fields[0]) <= _MAX_NORAD:
            raise CatalogError(
                f"{where}, line {number}: expected a catalogue number first, found "
                f"{fields[0][:20]!r}", path=source, line=number,
            )
        if len(fields) == 2:
            field = fields[1]
        elif len(line) >= 37 and line[33:37].strip():
            field = line[33:37].strip()
        else:
            raise CatalogError(
                f"{where}, line {number}: no magnitude: expected a catalogue number and a "
                "magnitude, or qs.mag's columns (magnitude in columns 34-37)",
                path=source, line=number,
            )
        try:
            value = float(field)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and -30.0 <= value <= 30.0):
            raise CatalogError(
                f"{where}, line {number}: magnitude {field[:20]!r} is not a number from -30 "
                "to 30", path=source, line=number,
            )
        standard = value if convention == "standard" else standard_from_intrinsic(value)
        norad = int(fields[0])
        found[norad] = MagnitudeEntry(norad, value, convention, standard, number)
    if not found:
        raise CatalogError(f"{where}: no magnitude in it", path=source)
    return list(found.values())


def save_magnitudes(conn: sqlite3.Connection, entries: list[MagnitudeEntry],
                    source: str) -> int:
    """Write ``entries`` (replacing what the store knew of those objects) inside the
    caller's transaction, with a row in the import log; returns how many."""
    import_id = conn.execute(
        "INSERT INTO imports (source, format, imported_at, records, added) "
        "VALUES (?, 'magnitudes', ?, ?, ?)",
        (source, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), len(entries),
         len(entries)),
    ).lastrowid
    conn.executemany(
        "INSERT OR REPLACE INTO magnitudes (norad_id, std_magnitude, given, convention, "
        "source, import_id) VALUES (?, ?, ?, ?, ?, ?)",
        [(e.norad_id, e.standard, e.given, e.convention, source, import_id)
         for e in entries],
    )
    return len(entries)


def load_magnitudes(conn: sqlite3.Connection) -> dict[int, float]:
    """Every standard magnitude the store holds, by NORAD number."""
    return {int(n): float(m) for n, m in
            conn.execute("SELECT norad_id, std_magnitude FROM magnitudes")}


def load_magnitude(conn: sqlite3.Connection, norad_id: int) -> tuple[float, str] | None:
    """The standard magnitude the store holds for an object, and where it came from."""
    row = conn.execute(
        "SELECT std_magnitude, source FROM magnitudes WHERE norad_id = ?", (norad_id,)
    ).fetchone()
    return None if row is None else (float(row[0]), str(row[1]))
