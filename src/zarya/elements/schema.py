"""The element store's schema, its migrations, and how element sets become rows.

:mod:`.store` holds the :class:`~.store.Store` API; this module holds what it writes:
the tables (``PRAGMA user_version`` counts the migrations applied), the mapping between an
:class:`~.base.ElementSet` and a row (floats stored as they are, so a set comes back equal,
bit for bit), the identity of a set (:func:`set_key`), and the batch writer that imports
records inside a transaction.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from operator import attrgetter

from .elset import ElementSet
from .records import BadRecord, Record

__all__ = [
    "BATCH",
    "ELEMENT_COLUMNS",
    "MIGRATIONS",
    "N_COLUMNS",
    "SCHEMA_VERSION",
    "Batches",
    "ImportSummary",
    "Progress",
    "element_set",
    "iso_from_jd",
    "iso_utc",
    "prefixed",
    "set_key",
]

SCHEMA_VERSION = 6
BATCH = 1000  # rows per insert batch (and per progress report)
_UNIX_EPOCH_JD = 2440587.5
_J2000_JD = 2451545.0

# ElementSet fields stored as columns of the same name (the epoch pair is two columns)
_FIELDS = (
    "norad_id", "name", "inclination_deg", "raan_deg", "eccentricity", "arg_perigee_deg",
    "mean_anomaly_deg", "mean_motion_rev_per_day", "bstar", "ndot", "nddot", "rev_number",
    "classification", "intl_designator", "element_set_no", "ephemeris_type", "source",
    "line1", "line2",
)  # fmt: skip
ELEMENT_COLUMNS = "epoch_jd_whole, epoch_jd_fraction, " + ", ".join(_FIELDS)
N_COLUMNS = 2 + len(_FIELDS)  # columns that make an ElementSet
_values = attrgetter(*_FIELDS)


def prefixed(alias: str) -> str:
    return ", ".join(alias + name.strip() for name in ELEMENT_COLUMNS.split(","))


MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # version 0 -> 1: element sets, object names, the import log
        """CREATE TABLE imports (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,           -- file path or URL
            format TEXT NOT NULL,           -- tle, omm-json, omm-csv, omm-xml, omm-kvn
            imported_at TEXT NOT NULL,      -- ISO 8601 UTC
            records INTEGER NOT NULL,       -- sets read from the source
            added INTEGER NOT NULL          -- sets new to the store
        )""",
        """CREATE TABLE element_sets (
            id INTEGER PRIMARY KEY,
            norad_id INTEGER NOT NULL,
            name TEXT NOT NULL,
            epoch_jd REAL NOT NULL,         -- UTC Julian date, whole + fraction: the sort key
            epoch_jd_whole REAL NOT NULL,
            epoch_jd_fraction REAL NOT NULL,
            epoch TEXT NOT NULL,            -- ISO 8601 UTC, microseconds
            set_key TEXT NOT NULL UNIQUE,   -- object, epoch (ms), elements at TLE precision
            inclination_deg REAL NOT NULL,
            raan_deg REAL NOT NULL,
            eccentricity REAL NOT NULL,
            arg_perigee_deg REAL NOT NULL,
            mean_anomaly_deg REAL NOT NULL,
            mean_motion_rev_per_day REAL NOT NULL,
            bstar REAL NOT NULL,            -- 1/earth radii
            ndot REAL NOT NULL,             -- rev/day^2 / 2
            nddot REAL NOT NULL,            -- rev/day^3 / 6
            rev_number INTEGER NOT NULL,
            classification TEXT NOT NULL,
            intl_designator TEXT NOT NULL,
            element_set_no INTEGER NOT NULL,
            ephemeris_type INTEGER NOT NULL,
            line1 TEXT,                     -- the TLE lines, for TLE-born sets
            line2 TEXT,
            format TEXT NOT NULL,
            source TEXT NOT NULL,
            original TEXT NOT NULL,         -- the record as read
            import_id INTEGER NOT NULL REFERENCES imports (id)
        )""",
        "CREATE INDEX element_sets_by_epoch ON element_sets (norad_id, epoch_jd)",
        """CREATE TABLE objects (
            norad_id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,             -- the name on the newest set that has one
            name_epoch_jd REAL NOT NULL
        )""",
        """CREATE TABLE object_names (       -- every name an object was ever given
            name TEXT NOT NULL COLLATE NOCASE,
            norad_id INTEGER NOT NULL,
            PRIMARY KEY (name, norad_id)
        ) WITHOUT ROWID""",
    ),
    (  # version 1 -> 2: HTTP validators and the time of the last fetch, per URL
        """CREATE TABLE http_cache (
            url TEXT PRIMARY KEY,
            etag TEXT,
            last_modified TEXT,
            fetched_at REAL NOT NULL,       -- Unix time (s) of the last 200 or 304
            status INTEGER NOT NULL
        )""",
    ),
    (  # version 2 -> 3: trajectories (OEM) beside the element sets
        """CREATE TABLE trajectories (
            id INTEGER PRIMARY KEY,
            norad_id INTEGER,               -- NULL while the object is not known by number
            object_id TEXT NOT NULL,        -- the international designator, as in the file
            object_name TEXT NOT NULL,
            creation_jd REAL NOT NULL,      -- UTC Julian date of the file's CREATION_DATE
            creation TEXT NOT NULL,         -- ISO 8601 UTC
            start_jd REAL NOT NULL,
            stop_jd REAL NOT NULL,
            originator TEXT NOT NULL,
            states INTEGER NOT NULL,
            events TEXT NOT NULL,           -- JSON: the planned events of the file's summary
            digest TEXT NOT NULL UNIQUE,    -- SHA-1 of the original text: a file is kept once
            format TEXT NOT NULL,           -- oem-kvn or oem-xml
            source TEXT NOT NULL,
            original BLOB NOT NULL,         -- the file as read, gzipped
            payload BLOB NOT NULL,          -- the trajectory as read (metadata and arrays)
            import_id INTEGER NOT NULL REFERENCES imports (id)
        )""",
        "CREATE INDEX trajectories_by_object ON trajectories (norad_id, creation_jd)",
    ),
    (  # version 3 -> 4: standard magnitudes per object
        """CREATE TABLE magnitudes (
            norad_id INTEGER PRIMARY KEY,
            std_magnitude REAL NOT NULL,    -- at 1000 km, phase angle 90 degrees
            given REAL NOT NULL,            -- as the list gave it
            convention TEXT NOT NULL,       -- standard or intrinsic (full phase)
            source TEXT NOT NULL,
            import_id INTEGER NOT NULL REFERENCES imports (id)
        )""",
    ),
    (  # version 4 -> 5: the refresher's lease and log (several server processes, one store)
        """CREATE TABLE leases (
            name TEXT PRIMARY KEY,          -- what the lease is for ("refresh")
            holder TEXT NOT NULL,           -- host:pid of the process holding it
            expires REAL NOT NULL           -- Unix time it lapses
        )""",
        """CREATE TABLE refreshes (
            id INTEGER PRIMARY KEY,
            started REAL NOT NULL,          -- Unix time
            finished REAL NOT NULL,
            source TEXT NOT NULL,           -- the URL fetched
            outcome TEXT NOT NULL,          -- imported, not-modified, too-soon, failed
            message TEXT NOT NULL
        )""",
    ),
    (  # version 5 -> 6: CelesTrak groups, as the last fetch of each listed them
        """CREATE TABLE groups (
            name TEXT NOT NULL,             -- the group's name, lower case ("visual")
            norad_id INTEGER NOT NULL,
            updated TEXT NOT NULL,          -- ISO 8601 UTC of the fetch that listed it
            PRIMARY KEY (name, norad_id)
        )""",
    ),
)
assert len(MIGRATIONS) == SCHEMA_VERSION


@dataclass(frozen=True)
class ImportSummary:
    """What one source added: sets read, new sets, sets already present, bad records."""

    source: str
    format: str
    read: int
    added: int
    objects: int  # distinct objects among the sets read
    bad: list[BadRecord] = field(default_factory=list)
    trajectories: int = 0  # trajectories read (OEM)
    new_trajectories: int = 0  # of which new to the store

    @property
    def duplicates(self) -> int:
        return self.read - self.added


# ---------------------------------------------------------------------- batch writer
class Progress:
    """Records written so far in one transaction, reported to an optional callback."""

    def __init__(self, callback: Callable[[int], None] | None) -> None:
        self.callback = callback
        self.done = 0

    def step(self, n: int) -> None:
        self.done += n
        if self.callback is not None:
            self.callback(self.done)


class Batches:
    """Writes the records of one source, :data:`BATCH` at a time, inside the caller's
    transaction: element sets (new ones only), current names, every name, the import log."""

    def __init__(self, conn: sqlite3.Connection, source: str, fmt: str, progress: Progress):
        self.conn, self.source, self.format, self.progress = conn, source, fmt, progress
        self.imported_at = iso_utc(datetime.now(UTC), 0)
        self.import_id: int = conn.execute(
            "INSERT INTO imports (source, format, imported_at, records, added) "
            "VALUES (?, ?, ?, 0, 0)",
            (source, fmt, self.imported_at),
        ).lastrowid or 0
        self.pending: list[Record] = []
        self.read = 0
        self.added = 0
        self.objects: set[int] = set()

    def append(self, record: Record) -> None:
        self.pending.append(record)
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        conn, sets = self.conn, [r.elements for r in self.pending]
        before = conn.total_changes
        conn.executemany(
            f"INSERT OR IGNORE INTO element_sets ({ELEMENT_COLUMNS}, epoch_jd, epoch, set_key, "
            f"format, original, import_id) VALUES ({', '.join('?' * (N_COLUMNS + 6))})",
            [_row(r, self.format, self.import_id) for r in self.pending],
        )
        self.added += conn.total_changes - before
        conn.executemany(
            "INSERT INTO objects (norad_id, name, name_epoch_jd) VALUES (?, ?, ?) "
            "ON CONFLICT (norad_id) DO UPDATE SET name = excluded.name, "
            "name_epoch_jd = excluded.name_epoch_jd WHERE excluded.name != '' AND "
            "(objects.name = '' OR excluded.name_epoch_jd >= objects.name_epoch_jd)",
            [(e.norad_id, e.name, e.epoch_jd_total) for e in sets],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO object_names (name, norad_id) VALUES (?, ?)",
            {(e.name, e.norad_id) for e in sets if e.name},
        )
        self.objects.update(e.norad_id for e in sets)
        self.read += len(self.pending)
        self.progress.step(len(self.pending))
        self.pending = []

    def finish(self, bad: list[BadRecord]) -> ImportSummary:
        self.flush()
        if self.added:
            self.conn.execute(
                "UPDATE imports SET records = ?, added = ? WHERE id = ?",
                (self.read, self.added, self.import_id),
            )
        else:  # nothing new: leave no trace
            self.conn.execute("DELETE FROM imports WHERE id = ?", (self.import_id,))
        return ImportSummary(
            self.source, self.format, self.read, self.added, len(self.objects), bad
        )


# ------------------------------------------------------------------------- helpers
def set_key(es: ElementSet) -> str:
    """The identity of a set: object, epoch to the millisecond, elements at TLE precision."""
    epoch_ms = round(((es.epoch_jd[0] - _J2000_JD) + es.epoch_jd[1]) * 86_400_000.0)

    def f(x: float, spec: str) -> str:
        return format(x + 0.0, spec)  # + 0.0 turns -0.0 into 0.0

    text = "|".join(
        (
            str(es.norad_id),
            str(epoch_ms),
            f(es.inclination_deg, ".4f"),
            f(es.raan_deg, ".4f"),
            f(es.eccentricity, ".7f"),
            f(es.arg_perigee_deg, ".4f"),
            f(es.mean_anomaly_deg, ".4f"),
            f(es.mean_motion_rev_per_day, ".8f"),
            f(es.bstar, ".4e"),
            f(es.ndot, ".8f"),
            f(es.nddot, ".4e"),
        )
    )
    return hashlib.sha1(text.encode("ascii")).hexdigest()


def _row(record: Record, fmt: str, import_id: int) -> tuple:
    e = record.elements
    return (
        *e.epoch_jd,
        *_values(e),
        e.epoch_jd_total,
        iso_from_jd(*e.epoch_jd),
        set_key(e),
        fmt,
        record.original,
        import_id,
    )


def element_set(row: Sequence) -> ElementSet:
    return ElementSet(
        epoch_jd=(row[0], row[1]), **dict(zip(_FIELDS, row[2:N_COLUMNS], strict=True))
    )


def iso_from_jd(whole: float, fraction: float = 0.0, digits: int = 6) -> str:
    """A UTC Julian date (whole + fraction) as ISO 8601 with ``Z`` (``digits`` of seconds)."""
    days = (whole - _UNIX_EPOCH_JD) + fraction
    when = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=round(days * 86400e6))
    return iso_utc(when, digits)


def iso_utc(when: datetime, digits: int) -> str:
    text = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    if digits:
        text += f".{when.microsecond:06d}"[: digits + 1]
    return text + "Z"
