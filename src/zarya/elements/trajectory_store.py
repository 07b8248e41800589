"""Trajectories (OEM) in the element store: how one is written as a row and read back.

A row keeps the file as it was read (gzipped, with its SHA-1 as the identity: importing a
file twice adds nothing), the facts a listing shows (object, creation, span, states,
planned events) and the trajectory itself as a compact payload (the segments' metadata as
JSON and their arrays as ``.npz``), so that loading one does not parse the file again.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import io
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from .oem import OEMSegment, PlannedEvent, Trajectory
from .records import ReadResult
from .schema import Batches, ImportSummary, Progress, iso_from_jd, iso_utc

__all__ = ["StoredTrajectory", "load", "rows", "save", "save_read"]

_ARRAYS = ("jd_whole", "jd_fraction", "r_km", "v_km_s", "a_km_s2")


@dataclass(frozen=True)
class StoredTrajectory:
    """One trajectory as the store lists it."""

    id: int
    norad_id: int | None
    object_id: str
    object_name: str
    creation: str  # ISO 8601 UTC
    start: str
    stop: str
    originator: str
    states: int
    events: list[dict[str, Any]]
    format: str
    source: str
    imported_at: str


def _payload(t: Trajectory) -> bytes:
    meta = {
        "creation": t.creation.isoformat(),
        "originator": t.originator,
        "version": t.version,
        "comments": list(t.comments),
        "events": [_event(e) for e in t.events],
        "segments": [],
    }
    arrays: dict[str, Any] = {}
    for n, seg in enumerate(t.segments):
        fields = {f.name: getattr(seg, f.name) for f in dataclasses.fields(seg)
                  if f.name not in _ARRAYS}
        fields["comments"] = list(seg.comments)
        meta["segments"].append(fields)  # type: ignore[attr-defined]
        for name in _ARRAYS:
            value = getattr(seg, name)
            if value is not None:
                arrays[f"{n}_{name}"] = value
    out = io.BytesIO()
    np.savez_compressed(out, meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
                        **arrays)
    return out.getvalue()


def _event(e: PlannedEvent) -> dict[str, Any]:
    return {"name": e.name, "time": iso_utc(e.time, 3), "delta_v_m_s": e.delta_v_m_s,
            "apogee_km": e.apogee_km, "perigee_km": e.perigee_km}


def _from_payload(blob: bytes, norad_id: int | None, source: str) -> Trajectory:
    with np.load(io.BytesIO(blob), allow_pickle=False) as data:
        meta = json.loads(bytes(data["meta"]).decode())
        segments = []
        for n, fields in enumerate(meta["segments"]):
            arrays = {name: data[f"{n}_{name}"] for name in _ARRAYS if f"{n}_{name}" in data}
            arrays.setdefault("a_km_s2", None)
            fields["comments"] = tuple(fields["comments"])
            segments.append(OEMSegment(**fields, **arrays))
    events = tuple(
        PlannedEvent(e["name"], datetime.fromisoformat(e["time"].replace("Z", "+00:00")),
                     e["delta_v_m_s"], e["apogee_km"], e["perigee_km"])
        for e in meta["events"]
    )
    return Trajectory(
        segments=tuple(segments),
        creation=datetime.fromisoformat(meta["creation"]).astimezone(UTC),
        originator=meta["originator"],
        version=meta["version"],
        comments=tuple(meta["comments"]),
        events=events,
        norad_id=norad_id,
        source=source,
    )


def save(conn: sqlite3.Connection, t: Trajectory, original: str, fmt: str, source: str,
         import_id: int) -> bool:
    """Write one trajectory (inside the caller's transaction); False when the same file is
    already in the store."""
    raw = original.encode("utf-8")
    digest = hashlib.sha1(raw).hexdigest()
    before = conn.total_changes
    conn.execute(
        "INSERT OR IGNORE INTO trajectories (norad_id, object_id, object_name, creation_jd, "
        "creation, start_jd, stop_jd, originator, states, events, digest, format, source, "
        "original, payload, import_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            t.norad_id, t.object_id, t.name, t.creation_jd, iso_utc(t.creation, 3),
            t.start_jd, t.stop_jd, t.originator, t.states,
            json.dumps([_event(e) for e in t.events]), digest, fmt, source,
            gzip.compress(raw, mtime=0), _payload(t), import_id,
        ),
    )
    return conn.total_changes > before


def load(conn: sqlite3.Connection, norad_id: int) -> list[Trajectory]:
    """Every trajectory of one object, by creation."""
    found = conn.execute(
        "SELECT payload, source FROM trajectories WHERE norad_id = ? ORDER BY creation_jd, id",
        (norad_id,),
    ).fetchall()
    return [_from_payload(blob, norad_id, source) for blob, source in found]


def rows(conn: sqlite3.Connection, norad_id: int) -> list[StoredTrajectory]:
    """Every trajectory of one object as the store lists it, by creation."""
    found = conn.execute(
        "SELECT t.id, t.norad_id, t.object_id, t.object_name, t.creation, t.start_jd, "
        "t.stop_jd, t.originator, t.states, t.events, t.format, t.source, i.imported_at "
        "FROM trajectories t JOIN imports i ON i.id = t.import_id WHERE t.norad_id = ? "
        "ORDER BY t.creation_jd, t.id",
        (norad_id,),
    ).fetchall()
    return [
        StoredTrajectory(r[0], r[1], r[2], r[3], r[4], iso_from_jd(r[5], 0.0, 0),
                         iso_from_jd(r[6], 0.0, 0), r[7], r[8], json.loads(r[9]), r[10],
                         r[11], r[12])
        for r in found
    ]


def save_read(conn: sqlite3.Connection, result: ReadResult, source: str, norad_id: int | None,
          norad_of: Callable[[Trajectory], int]) -> ImportSummary:
    """The trajectories of an OEM just read, saved (inside the caller's transaction) with
    their import-log row and their object's names; ``norad_of`` tells an unnumbered one's."""
    batch = Batches(conn, source, "oem", Progress(None))  # its import-log row
    new = 0
    objects = set()
    for trajectory, original in result.trajectories:
        number = norad_id if norad_id is not None else norad_of(trajectory)
        t = dataclasses.replace(trajectory, norad_id=number)
        fmt = "oem-xml" if original.lstrip("\ufeff \t\r\n").startswith("<") else "oem-kvn"
        if save(conn, t, original, fmt, source, batch.import_id):
            new += 1
        conn.execute(
            "INSERT INTO objects (norad_id, name, name_epoch_jd) VALUES (?, ?, ?) "
            "ON CONFLICT (norad_id) DO NOTHING",
            (number, t.name, t.creation_jd),
        )
        conn.execute(
            "INSERT OR IGNORE INTO object_names (name, norad_id) VALUES (?, ?)",
            (t.name, number),
        )
        objects.add(number)
    if new:
        conn.execute("UPDATE imports SET records = ?, added = ? WHERE id = ?",
                     (len(result.trajectories), new, batch.import_id))
    else:  # nothing new: leave no trace
        conn.execute("DELETE FROM imports WHERE id = ?", (batch.import_id,))
    return ImportSummary(source, "oem", 0, 0, len(objects), [],
                         trajectories=len(result.trajectories), new_trajectories=new)
