"""Who may refresh the store, and what the refreshes did: a lease and a log, in the store.

Several server processes share one store; one of them at a time fetches new elements. The
right to do so is a lease (:func:`acquire`): a row naming its holder and when it lapses, taken
in a write transaction, so two processes never both hold it. A holder renews it while it
works and gives it back when done (:func:`release`); one that is killed cannot hold it
forever: the lease lapses after its time (minutes), and the next process takes it.

Each refresh leaves a line in the log (:func:`log_refresh`): when, what it fetched, the
outcome and its message, for ``/healthz`` in every process (:func:`last_refreshes`).
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

__all__ = ["Refresh", "acquire", "last_refreshes", "log_refresh", "release"]

_KEEP = 200  # log lines kept


def acquire(conn: sqlite3.Connection, name: str, holder: str, ttl_s: float,
            now: float | None = None) -> bool:
    """Take (or renew) the lease ``name`` for ``ttl_s`` seconds, inside the caller's write
    transaction: True if ``holder`` has it now, False while another holds it unlapsed."""
    now = time.time() if now is None else now
    row = conn.execute("SELECT holder, expires FROM leases WHERE name = ?", (name,)).fetchone()
    if row is not None and row[0] != holder and row[1] > now:
        return False
    conn.execute(
        "INSERT INTO leases (name, holder, expires) VALUES (?, ?, ?) "
        "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires = excluded.expires",
        (name, holder, now + ttl_s),
    )
    return True


def release(conn: sqlite3.Connection, name: str, holder: str) -> None:
    """Give the lease back (if ``holder`` has it)."""
    conn.execute("DELETE FROM leases WHERE name = ? AND holder = ?", (name, holder))


@dataclass(frozen=True)
class Refresh:
    """One refresh: ``started``/``finished`` (Unix time), the ``source`` fetched, the
    ``outcome`` (imported, not-modified, too-soon, failed) and a ``message``."""

    started: float
    finished: float
    source: str
    outcome: str
    message: str

    @property
    def ok(self) -> bool:
        return self.outcome != "failed"


def log_refresh(conn: sqlite3.Connection, r: Refresh) -> None:
    """Add a line to the log (inside the caller's write transaction), keeping the last 200."""
    conn.execute(
        "INSERT INTO refreshes (started, finished, source, outcome, message) "
        "VALUES (?, ?, ?, ?, ?)",
        (r.started, r.finished, r.source, r.outcome, r.message[:500]),
    )
    conn.execute(
        "DELETE FROM refreshes WHERE id <= (SELECT max(id) FROM refreshes) - ?", (_KEEP,)
    )


def last_refreshes(conn: sqlite3.Connection, n: int = 10) -> list[Refresh]:
    """The last ``n`` refreshes, newest first."""
    rows = conn.execute(
        "SELECT started, finished, source, outcome, message FROM refreshes "
        "ORDER BY id DESC LIMIT ?", (n,),
    ).fetchall()
    return [Refresh(*row) for row in rows]
