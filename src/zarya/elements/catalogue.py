"""Questions about a whole catalogue in the element store: every object's sets, an
object's set nearest an instant, CelesTrak's groups and their members (the SQL behind
:class:`~zarya.elements.store.Store`'s catalogue methods; the store holds the connection
and its error wording)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from .elset import ElementSet
from .schema import ELEMENT_COLUMNS, element_set

__all__ = ["group_members", "groups", "nearest", "save_group", "sets_by_object"]


def sets_by_object(conn: sqlite3.Connection, norad_ids: Sequence[int] | None = None
                   ) -> dict[int, list[ElementSet]]:
    """Every object's element sets (or those of ``norad_ids``), by epoch."""
    out: dict[int, list[ElementSet]] = {}
    wanted = None if norad_ids is None else set(norad_ids)
    for row in conn.execute(
        f"SELECT {ELEMENT_COLUMNS} FROM element_sets ORDER BY norad_id, epoch_jd"
    ):
        es = element_set(row)
        if wanted is None or es.norad_id in wanted:
            out.setdefault(es.norad_id, []).append(es)
    return out


def save_group(conn: sqlite3.Connection, group: str, members: Iterable[int]) -> None:
    """The group's members, replacing those of its last fetch (inside the caller's
    transaction)."""
    name = group.strip().lower()
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    conn.execute("DELETE FROM groups WHERE name = ?", (name,))
    conn.executemany("INSERT INTO groups (name, norad_id, updated) VALUES (?, ?, ?)",
                     [(name, n, stamp) for n in sorted(set(members))])


def groups(conn: sqlite3.Connection) -> dict[str, int]:
    """The groups known and how many objects each."""
    return {str(n): int(c) for n, c in conn.execute(
        "SELECT name, count(*) FROM groups GROUP BY name ORDER BY name")}


def group_members(conn: sqlite3.Connection, name: str) -> list[int] | None:
    """A group's NORAD numbers, or None when no such group is known."""
    rows = conn.execute("SELECT norad_id FROM groups WHERE name = ? ORDER BY norad_id",
                        (str(name).strip().lower(),)).fetchall()
    return [int(r[0]) for r in rows] or None


def nearest(conn: sqlite3.Connection, norad_id: int, jd: float) -> ElementSet | None:
    """The object's set whose epoch is nearest ``jd`` (the switch at the midpoint of
    neighbouring epochs, a later set on a tie), or None when it has none."""
    before = conn.execute(
        f"SELECT {ELEMENT_COLUMNS}, epoch_jd FROM element_sets "
        "WHERE norad_id = ? AND epoch_jd <= ? ORDER BY epoch_jd DESC, id DESC LIMIT 1",
        (norad_id, jd),
    ).fetchone()
    after = conn.execute(
        f"SELECT {ELEMENT_COLUMNS}, epoch_jd FROM element_sets "
        "WHERE norad_id = ? AND epoch_jd > ? ORDER BY epoch_jd, id LIMIT 1",
        (norad_id, jd),
    ).fetchone()
    if before is None and after is None:
        return None
    if after is None or (before is not None and jd < (before[-1] + after[-1]) / 2.0):
        return element_set(before[:-1])
    return element_set(after[:-1])
