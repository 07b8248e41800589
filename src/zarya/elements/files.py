"""Element files and streams: opening, gzip, size caps; and the bundled ISS history.

This module (with the store and the fetcher) is where zarya reads element files: everything
else gets :class:`~.elset.ElementSet` objects. A file is opened once (a directory or a
device is refused unread; a pipe is read), gunzipped block by block when it starts with
gzip's magic, counted against :data:`~.records.MAX_FILE_BYTES` (by default) after
decompression (a gzip bomb costs no more memory than a file of that size) and handed in
chunks to the format's streaming reader (:func:`~.readers.read_chunks`). ``--elements FILE``
(:func:`read_elements_file`) and ``zarya elements import`` (:func:`read_records`) read
through the very same path, so they accept the same files."""

from __future__ import annotations

import gzip
import os
import select
import stat
import zlib
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import IO, BinaryIO

from ..errors import ElementsError, path
from . import records
from .elset import ElementSet
from .oem import Trajectory
from .readers import SinkFactory, read_chunks
from .records import CHUNK_BYTES, ReadResult
from .tle import read_tle

__all__ = [
    "PIPE_WAIT_S",
    "ByteSource",
    "bundled_sets",
    "open_element_file",
    "read_elements_file",
    "read_records",
    "read_sources_file",
    "read_stream",
]

_GZIP_MAGIC = b"\x1f\x8b"
PIPE_WAIT_S = 30.0  # how long a named pipe may stay without a writer, s


class ByteSource:
    """Binary chunks of a (possibly gzipped) stream, counted against a size cap."""

    def __init__(self, stream: BinaryIO | IO[bytes], max_bytes: int | None = None) -> None:
        self.max_bytes = records.MAX_FILE_BYTES if max_bytes is None else max_bytes
        self.total = 0
        magic = stream.read(2)
        self.zipped = magic == _GZIP_MAGIC
        self._raw: BinaryIO | IO[bytes] | gzip.GzipFile = stream
        self._pending = magic
        if self.zipped:
            self._raw = gzip.GzipFile(fileobj=_Prefixed(magic, stream), mode="rb")  # type: ignore[call-overload]
            self._pending = b""

    def _read(self, n: int) -> bytes:
        try:
            data = self._pending + self._raw.read(n - len(self._pending))
        except (OSError, EOFError, zlib.error) as exc:
            raise ElementsError(f"not a valid gzip file ({exc})") from None
        self._pending = b""
        self.total += len(data)
        if self.total > self.max_bytes:
            unzipped = " once decompressed" if self.zipped else ""
            raise ElementsError(
                f"more than {self.max_bytes} bytes{unzipped}: too large for an element file",
                limit=self.max_bytes,
            )
        return data

    def chunks(self) -> Iterator[bytes]:
        """Every byte of the stream, :data:`~.records.CHUNK_BYTES` at a time."""
        while True:
            data = self._read(CHUNK_BYTES)
            if not data:
                return
            yield data


class _Prefixed:
    """A stream with its first bytes (already read to sniff gzip) put back in front."""

    def __init__(self, prefix: bytes, stream: BinaryIO | IO[bytes]) -> None:
        self._prefix = prefix
        self._stream = stream

    def read(self, n: int = -1) -> bytes:
        if self._prefix:
            data, self._prefix = self._prefix, b""
            if n < 0:
                return data + self._stream.read()
            return data + self._stream.read(max(0, n - len(data)))
        return self._stream.read(n)


def open_element_file(where: str | Path, *, wait_s: float | None = None) -> BinaryIO:
    """The file at ``where`` opened for reading: a regular file or a pipe (a shell's
    ``<(...)``); a missing file, a directory or a device is refused unread, and so is a
    named pipe nobody writes to within ``wait_s`` seconds (default :data:`PIPE_WAIT_S`:
    never a wait without end)."""
    wait_s = PIPE_WAIT_S if wait_s is None else wait_s
    where = Path(where)
    try:
        info = where.stat()
    except FileNotFoundError:
        raise ElementsError(f"no such elements file: {path(where)}", path=str(where)) from None
    except OSError as exc:
        raise ElementsError(
            f"cannot read the elements file {path(where)}: {exc.strerror}", path=str(where)
        ) from None
    if stat.S_ISDIR(info.st_mode):
        raise ElementsError(
            f"{path(where)} is a directory, not an elements file", path=str(where)
        )
    if not (stat.S_ISREG(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
        raise ElementsError(
            f"{path(where)} is not a regular file (a device or socket): expected an "
            "elements file",
            path=str(where),
        )
    try:
        if stat.S_ISFIFO(info.st_mode):
            # opened without blocking (a pipe nobody writes to would block forever), then
            # waiting a bounded time for its first bytes (or its writer's end)
            fd = os.open(where, os.O_RDONLY | os.O_NONBLOCK)
            ready, _, _ = select.select([fd], [], [], wait_s)
            if not ready:
                os.close(fd)
                raise ElementsError(
                    f"{path(where)}: a named pipe nobody wrote to within {wait_s:g} s",
                    path=str(where),
                )
            os.set_blocking(fd, True)
            return os.fdopen(fd, "rb")
        return where.open("rb")
    except OSError as exc:
        raise ElementsError(
            f"cannot read the elements file {path(where)}: {exc.strerror}", path=str(where)
        ) from None


def read_stream(
    stream: BinaryIO | IO[bytes],
    *,
    source: str,
    skip_bad: bool = False,
    max_bytes: int | None = None,
    into: SinkFactory | None = None,
    source_is_path: bool = False,
) -> ReadResult:
    """Every record of an open binary stream (optionally gzipped); ``source`` names it in
    errors (marked as a path with ``source_is_path``).

    Without ``skip_bad`` the first bad record raises an :class:`~zarya.errors.ElementsError`
    naming the source, the record and its line; with it, bad records are listed in
    ``ReadResult.bad``. Damage to the file as a whole (truncated JSON, an oversized line,
    an XML entity declaration, no sets at all) always raises. With ``into``, each good
    record goes to ``into(format).append`` as soon as it is read.
    """
    named = path(source) if source_is_path else source
    try:
        result = read_chunks(
            ByteSource(stream, max_bytes).chunks(), into, source=source, skip_bad=skip_bad
        )
    except ElementsError as exc:
        raise exc.prefixed(f"{named}: ") from None
    except OSError as exc:
        raise ElementsError(
            f"cannot read {named}: {exc.strerror or exc}", path=source
        ) from None
    if not result.count:
        detail = f" ({len(result.bad)} bad records skipped)" if result.bad else ""
        raise ElementsError(f"{named}: no element sets in the file{detail}")
    return result


def read_records(
    where: str | Path,
    *,
    skip_bad: bool = False,
    max_bytes: int | None = None,
    into: SinkFactory | None = None,
    source: str | None = None,
) -> ReadResult:
    """Every record of an element file, with its original text and place in the file (see
    :func:`read_stream`); ``source`` names it (default: the path)."""
    with open_element_file(where) as handle:
        cap = records.MAX_FILE_BYTES if max_bytes is None else max_bytes
        size = os.fstat(handle.fileno()).st_size
        if stat.S_ISREG(os.fstat(handle.fileno()).st_mode) and size > cap:
            if handle.peek(2)[:2] != _GZIP_MAGIC:  # type: ignore[attr-defined]
                raise ElementsError(
                    f"{path(where)}: {size} bytes is too large for an element file (at most "
                    f"{cap})",
                    path=str(where),
                    limit=cap,
                )
        return read_stream(
            handle, source=str(where) if source is None else source, skip_bad=skip_bad,
            max_bytes=max_bytes, into=into, source_is_path=True,
        )


def read_elements_file(where: str | Path, *, max_bytes: int | None = None) -> list[ElementSet]:
    """Every element set in a file (TLE, 3LE, OMM JSON/CSV/XML/KVN, optionally gzipped); the
    first bad record raises, naming the file, the record and its line."""
    return [r.elements for r in read_records(where, max_bytes=max_bytes).records]


def read_sources_file(
    where: str | Path, *, max_bytes: int | None = None
) -> tuple[list[ElementSet], list[Trajectory]]:
    """The element sets or the trajectory (OEM) a file holds: ``(sets, trajectories)``."""
    result = read_records(where, max_bytes=max_bytes)
    return [r.elements for r in result.records], [t for t, _ in result.trajectories]


@lru_cache(maxsize=1)
def bundled_sets() -> tuple[ElementSet, ...]:
    """The ISS element history shipped with zarya (150 sets, 2002-2025).

    >>> sets = bundled_sets()
    >>> len(sets), sets[0].norad_id
    (150, 25544)
    """
    text = resources.files("zarya").joinpath("data/iss_tle_history.txt").read_text("ascii")
    return tuple(read_tle(text, source="bundled"))
