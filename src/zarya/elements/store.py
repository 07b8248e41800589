"""The element store: every element set ever imported, per object, in one SQLite file.

The store lives in ``elements.sqlite`` under the user's data directory
(``platformdirs.user_data_dir("zarya")``), or under ``$ZARYA_HOME`` when that is set, or at
any path given to :class:`Store` (the commands' ``--db``). A new store is seeded with the
bundled ISS history, so predictions work out of the box.

What it guarantees:

- **History.** Every set ever imported is kept with its name, NORAD number (Alpha-5 and
  9-digit OMM numbers alike), epoch (a UTC Julian date as whole + fraction, the sum as the
  sort key, and ISO 8601 text), the elements, where it came from, when it was imported and
  its original text. :meth:`Store.nearest` finds the set of nearest epoch (an index on
  object and epoch); predictions load an object's whole history (:meth:`Store.sets`) into
  a :class:`~zarya.engine.satellite.Satellite`, which selects per instant. Whole-catalogue
  questions are in :mod:`.catalogue`.
- **Idempotence.** A set is identified by its object, its epoch to the millisecond and its
  elements at TLE precision (``set_key``, unique): importing a file twice adds nothing, and
  the same set arriving as a TLE and as OMM is kept once (the first text seen).
- **Atomicity.** :meth:`Store.import_files` writes every file of one import in one
  transaction, in batches as the files are read (memory holds a batch, not the files): a
  bad record rolls it all back, a process killed in the middle leaves the store as it was.
  The database runs in WAL mode: readers go on reading (the last committed state) while an
  import writes.
- **Migrations.** The schema version is ``PRAGMA user_version``; :data:`MIGRATIONS` takes a
  store of any older version forward, in one transaction, when it is opened.
"""

from __future__ import annotations

import math
import os
import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import IO, BinaryIO

from ..errors import CatalogError, UnknownSatelliteError, param
from ..errors import path as mark_path
from . import catalogue, leases, magnitudes, trajectory_store
from .elset import ElementSet
from .files import bundled_sets, read_records, read_stream
from .oem import Trajectory, designator
from .records import DEFAULT_NORAD_ID, ReadResult, Record, satellite_query
from .schema import (
    ELEMENT_COLUMNS,
    MIGRATIONS,
    N_COLUMNS,
    SCHEMA_VERSION,
    Batches,
    ImportSummary,
    Progress,
    element_set,
    iso_from_jd,
    prefixed,
)
from .staging import WriterNote, staged, validate

__all__ = [
    "SCHEMA_VERSION",
    "HttpState",
    "ImportSummary",
    "ObjectSummary",
    "Store",
    "StoredSet",
    "age_days",
    "default_store_path",
    "iso_from_jd",
    "open_store",
]

STORE_FILENAME = "elements.sqlite"
_STORE = "the element store"
BUSY_TIMEOUT_S = 30.0  # how long a writer waits for another writer, s
_UNIX_EPOCH_JD = 2440587.5


def default_store_path() -> Path:
    """``$ZARYA_HOME/elements.sqlite``, else ``elements.sqlite`` in the user's data dir."""
    home = os.environ.get("ZARYA_HOME", "").strip()
    if home:
        return Path(home).expanduser() / STORE_FILENAME
    import platformdirs

    return Path(platformdirs.user_data_dir("zarya", appauthor=False)) / STORE_FILENAME


def open_store(path: str | Path | None = None, *, seed: bool = True) -> Store:
    """The store at ``path`` (default :func:`default_store_path`), created if need be."""
    return Store(default_store_path() if path is None else path, seed=seed)


@dataclass(frozen=True)
class StoredSet:
    """One element set with what the store knows about it."""

    elements: ElementSet
    format: str
    original: str
    imported_at: str  # ISO 8601 UTC


@dataclass(frozen=True)
class ObjectSummary:
    """One object: its current name, how many sets, the newest epoch (UTC Julian date)."""

    norad_id: int
    name: str
    sets: int
    newest_epoch_jd: float
    newest_epoch: str  # ISO 8601 UTC


@dataclass(frozen=True)
class HttpState:
    """Validators of the last successful fetch of a URL, and when it happened (Unix s)."""

    url: str
    etag: str | None
    last_modified: str | None
    fetched_at: float
    status: int


class Store:
    """An open element store. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: str | Path, *, seed: bool = True) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(
                str(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None
            )
        except (OSError, sqlite3.Error) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise CatalogError(
                f"cannot open {mark_path(self.path, _STORE)}: {reason}", path=str(self.path)
            ) from None
        try:
            with self._errors():
                self._prepare(seed)
        except BaseException:
            self._conn.close()
            raise

    # ------------------------------------------------------------ life cycle
    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """SQLite failures as one-line :class:`CatalogError` naming the store."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            raise CatalogError(
                f"{mark_path(self.path, _STORE)}: {exc}", path=str(self.path)
            ) from None

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (taken at once, so two writers queue rather than fail; one
        kept waiting past the busy timeout says which process writes)."""
        note = WriterNote(self.path)
        with self._errors():
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                who = note.read()
                raise CatalogError(
                    f"{mark_path(self.path, _STORE)} is busy: another zarya is writing to it "
                    f"({who or 'an import or an update'}) and has for over "
                    f"{BUSY_TIMEOUT_S:g} s; try again when it is done",
                    path=str(self.path),
                ) from None
            note.write()
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            finally:
                note.clear()
            self._conn.execute("COMMIT")

    def _prepare(self, seed: bool) -> None:
        conn = self._conn
        conn.execute("PRAGMA foreign_keys = ON")
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")  # with WAL: safe when a process dies
        if self.schema_version == SCHEMA_VERSION:
            return
        with self._transaction():
            version = self.schema_version  # again, now that we hold the write lock
            if version > SCHEMA_VERSION:
                raise CatalogError(
                    f"{mark_path(self.path, _STORE)} has schema version {version}, newer "
                    f"than this zarya understands ({SCHEMA_VERSION}): upgrade zarya",
                    path=str(self.path),
                )
            if version == 0 and conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                raise CatalogError(
                    f"{mark_path(self.path, _STORE)} is an SQLite file but not a zarya element "
                    "store",
                    path=str(self.path),
                )
            for step in MIGRATIONS[version:]:
                for statement in step:
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            if version == 0 and seed:
                batch = Batches(conn, "bundled", "tle", Progress(None))
                for record in _bundled_records():
                    batch.append(record)
                batch.finish([])

    @property
    def schema_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    # -------------------------------------------------------------- writing
    def add(
        self,
        results: Sequence[ReadResult],
        *,
        progress: Callable[[int], None] | None = None,
        http: HttpState | None = None,
    ) -> list[ImportSummary]:
        """Add records already read, in one transaction: all of them or none.

        ``progress(done)`` is called after each batch of :data:`BATCH` records, inside the
        transaction. ``http`` (the validators of the fetch that produced the results) is
        saved in the same transaction.
        """
        with self._transaction():
            counter = Progress(progress)
            summaries = []
            for result in results:
                batch = Batches(self._conn, result.source, result.format, counter)
                for record in result.records:
                    batch.append(record)
                summaries.append(batch.finish(result.bad))
            if http is not None:
                self._save_http(http)
        return summaries

    def import_files(
        self,
        paths: Sequence[str | Path],
        *,
        skip_bad: bool = False,
        progress: Callable[[int], None] | None = None,
        norad_id: int | None = None,
    ) -> list[ImportSummary]:
        """Read element files and trajectories (OEM) and add them, in one transaction.

        Every file is first read and validated without the store's lock (a pipe through a
        temporary copy: :mod:`.staging`), then read again and written a batch at a time:
        memory holds one batch, not the files; a bad record (without ``skip_bad``) or any
        other error leaves the store as it was. See :func:`~.files.read_records` for
        formats. ``norad_id``: the catalogue number of the object a trajectory is about,
        where the store cannot tell it from the OEM's international designator.
        """
        with staged(paths, skip_bad=skip_bad) as files, self._transaction():
            counter = Progress(progress)
            return [
                self._stream(partial(read_records, p, skip_bad=skip_bad, source=name), name,
                             counter, norad_id)
                for p, name in files
            ]

    def import_stream(
        self,
        stream: BinaryIO | IO[bytes],
        *,
        source: str,
        skip_bad: bool = False,
        http: HttpState | None = None,
        norad_id: int | None = None,
        group: str | None = None,
    ) -> ImportSummary:
        """Like :meth:`import_files` for one open binary stream (a downloaded body), saving
        ``http`` in the same transaction (a seekable stream is validated before the lock);
        with ``group``, the body's objects become that group's members."""
        if stream.seekable():
            validate(stream, source=source, skip_bad=skip_bad)
            stream.seek(0)
        with self._transaction():
            read = partial(read_stream, stream, source=source, skip_bad=skip_bad)
            self._last_objects: set[int] = set()
            summary = self._stream(read, source, Progress(None), norad_id)
            if group is not None and self._last_objects:
                catalogue.save_group(self._conn, group, self._last_objects)
            if http is not None:
                self._save_http(http)
        return summary

    def groups(self) -> dict[str, int]:
        """The groups the store knows (from CelesTrak fetches) and how many objects each."""
        with self._errors():
            return catalogue.groups(self._conn)

    def group_members(self, name: str) -> list[int] | None:
        """The NORAD numbers of a group, or None when the store knows no such group."""
        with self._errors():
            return catalogue.group_members(self._conn, name)

    def _stream(
        self, read: Callable[..., ReadResult], source: str, counter: Progress,
        norad_id: int | None = None,
    ) -> ImportSummary:
        """Run a reader with a batch writer as its sink (inside a transaction); a
        trajectory goes to its own table."""
        made: list[Batches] = []

        def into(fmt: str) -> Batches:
            made.append(Batches(self._conn, source, fmt, counter))
            return made[0]

        result = read(into=into)
        if result.trajectories:
            return trajectory_store.save_read(self._conn, result, source, norad_id,
                                              self._norad_of)
        summary = made[0].finish(result.bad)
        self._last_objects = set(made[0].objects)
        return summary

    def import_magnitudes(self, path: str | Path, convention: str = "standard") -> int:
        """Import a list of standard (or intrinsic) magnitudes (see
        :mod:`.magnitudes`), all of it or nothing; returns how many objects."""
        try:
            text = Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise CatalogError(f"{mark_path(path, 'the magnitude list')}: {exc.strerror}",
                               path=str(path)) from None
        entries = magnitudes.read_magnitudes(text, str(path), convention)
        with self._transaction():
            return magnitudes.save_magnitudes(self._conn, entries, str(path))

    def std_magnitude(self, norad_id: int) -> tuple[float, str] | None:
        """The standard magnitude the store knows for an object, and its source."""
        with self._errors():
            return magnitudes.load_magnitude(self._conn, norad_id)

    def std_magnitudes(self) -> dict[int, float]:
        """Every standard magnitude the store knows, by NORAD number."""
        with self._errors():
            return magnitudes.load_magnitudes(self._conn)

    def sets_by_object(self, norad_ids: Sequence[int] | None = None
                       ) -> dict[int, list[ElementSet]]:
        """Every object's element sets (or those of ``norad_ids``), by epoch, in one query."""
        with self._errors():
            return catalogue.sets_by_object(self._conn, norad_ids)

    def _norad_of(self, t: Trajectory) -> int:
        """The catalogue number of the object an OEM is about, from its international
        designator and the sets of the store."""
        wanted = designator(t.object_id)
        found = {
            n for n, d in self._conn.execute(
                "SELECT DISTINCT norad_id, intl_designator FROM element_sets"
            ) if d and designator(d) == wanted
        }
        if len(found) != 1:
            raise CatalogError(
                f"{t.source or 'the trajectory'}: the store has no element set of "
                f"{t.object_id} ({t.name}) to tell its NORAD number: give it "
                f"({param('norad_id')})",
                parameter="norad_id",
                value=t.object_id,
            )
        return found.pop()

    def record_fetch(self, http: HttpState) -> None:
        """Remember a fetch that brought nothing new (HTTP 304)."""
        with self._transaction():
            self._save_http(http)

    def _save_http(self, http: HttpState) -> None:
        self._conn.execute(
            "INSERT OR REPLACE INTO http_cache (url, etag, last_modified, fetched_at, status) "
            "VALUES (?, ?, ?, ?, ?)",
            (http.url, http.etag, http.last_modified, http.fetched_at, http.status),
        )

    # -------------------------------------------------------------- reading
    def resolve(self, sat: str | int | None = None) -> int:
        """The NORAD number of ``sat``: a number, an Alpha-5 number, or a name.

        Names match case-insensitively, any name the object ever had, exactly or else as a
        prefix; an ambiguous name lists the candidates. ``None`` means the ISS (25544).
        """
        text = satellite_query(DEFAULT_NORAD_ID if sat is None else sat) or str(DEFAULT_NORAD_ID)
        with self._errors():
            if text.isdigit():
                number = int(text)
                if self._exists(number):
                    return number
                raise UnknownSatelliteError(
                    f"no elements for NORAD {number} in {mark_path(self.path, _STORE)} "
                    f"({self._known()})",
                    parameter="sat",
                    query=text,
                    in_store=True,
                    remedy="import",
                    path=str(self.path),
                )
            exact = self._ids("SELECT DISTINCT norad_id FROM object_names WHERE name = ?", text)
            if not exact and re.fullmatch(r"[A-HJ-NP-Za-hj-np-z]\d{4}", text):
                from .tle import alpha5_to_int

                if self._exists(alpha5_to_int(text)):
                    return alpha5_to_int(text)
            pattern = re.sub(r"([\\%_])", r"\\\1", text) + "%"
            hits = exact or self._ids(
                "SELECT DISTINCT norad_id FROM object_names WHERE name LIKE ? ESCAPE '\\'",
                pattern,
            )
            if len(hits) == 1:
                return hits[0]
            if not hits:
                raise UnknownSatelliteError(
                    f"no satellite named {text!r} in the element store ({self._known()})",
                    parameter="sat",
                    query=text,
                    in_store=True,
                )
            listed = ", ".join(f"{self.name(n)} ({n})" for n in hits[:6])
            more = "" if len(hits) <= 6 else f" and {len(hits) - 6} more"
            raise UnknownSatelliteError(
                f"the name {text!r} matches several satellites: {listed}{more}; give a NORAD "
                "number",
                parameter="sat",
                query=text,
                candidates=tuple(hits),
            )

    def _exists(self, norad_id: int) -> bool:
        sql = "SELECT 1 FROM objects WHERE norad_id = ?"
        return self._conn.execute(sql, (norad_id,)).fetchone() is not None

    def _ids(self, sql: str, value: str) -> list[int]:
        return sorted(row[0] for row in self._conn.execute(sql, (value,)))

    def name(self, norad_id: int) -> str:
        """The object's current name (that of its newest named set), or '?'."""
        row = self._conn.execute("SELECT name FROM objects WHERE norad_id = ?", (norad_id,))
        found = row.fetchone()
        return (found[0] if found else "") or "?"

    def _known(self) -> str:
        rows = self._conn.execute(
            "SELECT norad_id, name FROM objects ORDER BY norad_id LIMIT 5"
        ).fetchall()
        count = self._conn.execute("SELECT count(*) FROM objects").fetchone()[0]
        if not rows:
            return "the store is empty"
        more = "" if count <= 5 else f" and {count - 5} more"
        return "known: " + ", ".join(f"{name or '?'} ({n})" for n, name in rows) + more

    def trajectories(self, norad_id: int) -> list[Trajectory]:
        """Every trajectory of one object, by creation."""
        with self._errors():
            return trajectory_store.load(self._conn, norad_id)

    def trajectory_rows(self, norad_id: int) -> list[trajectory_store.StoredTrajectory]:
        """Every trajectory of one object as :meth:`trajectories` lists them, with spans,
        events and import facts."""
        with self._errors():
            return trajectory_store.rows(self._conn, norad_id)

    def sources(self, norad_id: int) -> tuple[list[ElementSet], list[Trajectory]]:
        """Every set and every trajectory of one object (sets by epoch, trajectories by
        creation); an error when there is neither."""
        trajectories = self.trajectories(norad_id)
        return self.sets(norad_id, required=not trajectories), trajectories

    def sets(self, norad_id: int, *, required: bool = True) -> list[ElementSet]:
        """Every set of one object, by epoch (ties in import order)."""
        with self._errors():
            rows = self._conn.execute(
                f"SELECT {ELEMENT_COLUMNS} FROM element_sets WHERE norad_id = ? "
                "ORDER BY epoch_jd, id",
                (norad_id,),
            ).fetchall()
        if not rows and required:
            raise UnknownSatelliteError(
                f"no elements for NORAD {norad_id} in the element store",
                query=str(norad_id),
                in_store=True,
            )
        return [element_set(row) for row in rows]

    def history(self, norad_id: int) -> list[StoredSet]:
        """Every set of one object with its format, original text and import time."""
        with self._errors():
            rows = self._conn.execute(
                f"SELECT {prefixed('e.')}, e.format, e.original, i.imported_at "
                "FROM element_sets e JOIN imports i ON i.id = e.import_id "
                "WHERE e.norad_id = ? ORDER BY e.epoch_jd, e.id",
                (norad_id,),
            ).fetchall()
        return [StoredSet(element_set(r[:N_COLUMNS]), *r[N_COLUMNS:]) for r in rows]

    def nearest(self, norad_id: int, jd: float) -> ElementSet:
        """The set whose epoch is nearest the UTC Julian date ``jd`` (a later set wins a tie).

        The switch is at the midpoint ``(a + b) / 2`` of neighbouring epochs, computed in
        floating point as :class:`~zarya.engine.satellite.Satellite` computes it. This is the plain
        catalogue lookup; predictions load an object's whole history into a ``Satellite``,
        whose selection also lets a post-manoeuvre set win early (DESIGN).
        """
        with self._errors():
            found = catalogue.nearest(self._conn, norad_id, jd)
        if found is None:
            raise UnknownSatelliteError(
                f"no elements for NORAD {norad_id} in the element store",
                query=str(norad_id),
                in_store=True,
            )
        return found

    def objects(self) -> list[ObjectSummary]:
        """Every object: name, number of sets, newest epoch; by NORAD number."""
        with self._errors():
            rows = self._conn.execute(
                "SELECT e.norad_id, o.name, e.n, e.newest, e.epoch FROM "
                "(SELECT norad_id, count(*) AS n, max(epoch_jd) AS newest, epoch "
                " FROM element_sets GROUP BY norad_id) e "
                "JOIN objects o ON o.norad_id = e.norad_id ORDER BY e.norad_id"
            ).fetchall()
        return [ObjectSummary(*row) for row in rows]

    def count(self) -> int:
        """How many element sets the store holds."""
        with self._errors():
            return int(self._conn.execute("SELECT count(*) FROM element_sets").fetchone()[0])

    def lease(self, name: str, holder: str, ttl_s: float) -> bool:
        """Take or renew a lease (see :mod:`.leases`); False while another holds it."""
        with self._transaction() as conn:
            return leases.acquire(conn, name, holder, ttl_s)

    def release(self, name: str, holder: str) -> None:
        with self._transaction() as conn:
            leases.release(conn, name, holder)

    def log_refresh(self, refresh: leases.Refresh) -> None:
        with self._transaction() as conn:
            leases.log_refresh(conn, refresh)

    def refreshes(self, n: int = 10) -> list[leases.Refresh]:
        """The last ``n`` refreshes, newest first."""
        with self._errors():
            return leases.last_refreshes(self._conn, n)

    def http_state(self, url: str) -> HttpState | None:
        """The validators and time of the last successful fetch of ``url``, if any."""
        with self._errors():
            row = self._conn.execute(
                "SELECT url, etag, last_modified, fetched_at, status FROM http_cache WHERE url = ?",
                (url,),
            ).fetchone()
        return None if row is None else HttpState(*row)


def age_days(epoch_jd: float, now: datetime) -> float:
    """Days from an epoch (UTC Julian date) to ``now``."""
    now_jd = _UNIX_EPOCH_JD + now.timestamp() / 86400.0
    return now_jd - epoch_jd if math.isfinite(epoch_jd) else math.nan


def _bundled_records() -> list[Record]:
    """The bundled ISS history as records, to seed a new store."""
    return [
        Record(es, f"{es.name}\n{es.line1}\n{es.line2}", i + 1, 3 * i + 1)
        for i, es in enumerate(bundled_sets())
    ]
