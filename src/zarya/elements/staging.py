"""An import read before the store is locked, and a note of who holds the lock.

The store takes its write lock only for writing: every file of an import is first read
whole and validated without it (:func:`staged`), so that a slow, huge or broken input never
keeps other writers waiting, and only input known to be good is written (read a second time,
inside the transaction, a batch at a time). A pipe cannot be read twice: it is copied to a
temporary file first (at most :data:`~.records.MAX_FILE_BYTES` bytes, and no longer than
:data:`~.files.PIPE_WAIT_S` waiting for a writer).

While a process writes, a small note beside the store (``elements.sqlite.writer``) says
which (its pid, its command, since when); a writer kept waiting past the busy timeout
names it instead of saying "database is locked" (:class:`WriterNote`).
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, BinaryIO

from ..errors import ElementsError
from ..errors import path as mark_path
from .files import open_element_file, read_records, read_stream
from .records import MAX_FILE_BYTES, Record

__all__ = ["WriterNote", "staged", "validate"]


class _Discard:
    """A sink that keeps nothing: validation only."""

    def append(self, record: Record, /) -> None:
        return None


@contextmanager
def staged(paths: Sequence[str | Path], *, skip_bad: bool = False
           ) -> Iterator[list[tuple[Path, str]]]:
    """Every file read and validated, none of it kept: ``(path to read, name)`` for each,
    a pipe's path being a temporary copy (removed on the way out). Raises the first
    :class:`~zarya.errors.ElementsError` of any file (naming the file as given)."""
    spools: list[Path] = []
    try:
        out: list[tuple[Path, str]] = []
        for given in paths:
            where = Path(given)
            try:
                pipe = stat.S_ISFIFO(where.stat().st_mode)
            except OSError:
                pipe = False  # open_element_file says why
            if pipe:
                copy = _spool(where)
                spools.append(copy)
                out.append((copy, str(given)))
            else:
                out.append((where, str(given)))
        for where, name in out:
            read_records(where, skip_bad=skip_bad, into=lambda fmt: _Discard(), source=name)
        yield out
    finally:
        for copy in spools:
            copy.unlink(missing_ok=True)


def validate(stream: BinaryIO | IO[bytes], *, source: str, skip_bad: bool = False) -> None:
    """Read a whole stream as an element file and keep nothing: its first error raised."""
    read_stream(stream, source=source, skip_bad=skip_bad, into=lambda fmt: _Discard())


def _spool(where: Path) -> Path:
    """A named pipe's bytes in a temporary file (waiting a bounded time for them)."""
    fd, name = tempfile.mkstemp(prefix="zarya-pipe-", suffix=".part")
    copy = Path(name)
    try:
        with open_element_file(where) as src, os.fdopen(fd, "wb") as dst:
            copied = 0
            while chunk := src.read(1 << 20):
                copied += len(chunk)
                if copied > MAX_FILE_BYTES:
                    raise ElementsError(
                        f"{mark_path(where)}: more than {MAX_FILE_BYTES} bytes: too large for "
                        "an element file", limit=MAX_FILE_BYTES,
                    )
                dst.write(chunk)
    except BaseException:
        copy.unlink(missing_ok=True)
        raise
    return copy


class WriterNote:
    """The note beside a store saying which process writes to it."""

    def __init__(self, store_path: Path) -> None:
        self.path = Path(f"{store_path}.writer")

    def write(self) -> None:
        command = " ".join(["zarya", *sys.argv[1:3]])[:80]
        since = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        try:
            self.path.write_text(f"pid {os.getpid()}, '{command}', since {since}\n")
        except OSError:
            pass  # a note is a courtesy: a read-only folder goes without

    def clear(self) -> None:
        try:
            self.path.unlink(missing_ok=True)
        except OSError:
            pass

    def read(self) -> str | None:
        """Who writes, if the note says (and its process still runs)."""
        try:
            text = self.path.read_text()[:200].strip()
            pid = int(text.split(",")[0].split()[1])
            os.kill(pid, 0)
        except (OSError, ValueError, IndexError):
            return None
        return text

