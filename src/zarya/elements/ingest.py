"""Reading element files record by record, in bounded memory, for the element store.

:func:`~zarya.elements.load.read_elements_file` reads a whole file and stops at the first
bad set: right for ``--elements FILE``. The store needs more: each record's original text,
the record and line where it starts, the choice to skip bad records (``--skip-bad``), and
protection from hostile input (a 100 MB line, a gzip or XML bomb, an endless JSON string).
This module frames a byte stream into records (TLE, 3LE, OMM JSON, CSV, XML, KVN, optionally
gzipped) and hands each one to the validators of :mod:`.tle` and :mod:`.omm`: the byte
source, sniffing and TLE framing live here, the OMM framing in :mod:`.ingest_omm`.

Limits: at most :data:`MAX_FILE_BYTES` (after decompression), lines of at most
:data:`MAX_LINE_CHARS` characters in the line-based formats, JSON and XML records of at most
:data:`MAX_RECORD_CHARS`. The input is read in :data:`CHUNK_BYTES` pieces, so memory holds
one chunk and one record, whatever the file holds, plus the records read: all of them in
``ReadResult.records``, or only those not yet taken by a sink (``into``, which the store
uses to write them in batches as they come).
"""

from __future__ import annotations

import codecs
import gzip
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Protocol

from ..errors import ElementsError, TLEFormatError
from .base import ElementSet
from .load import MAX_FILE_BYTES
from .tle import parse_tle

MAX_LINE_CHARS = 64 * 1024
MAX_RECORD_CHARS = 1024 * 1024
CHUNK_BYTES = 256 * 1024
_SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True)
class Record:
    """One element set as read from a file, with its text and place in the file."""

    elements: ElementSet
    original: str  # the record's own text (TLE: name line and both lines; OMM: the record)
    number: int  # 1-based record number in the file
    line: int  # 1-based line on which the record starts


@dataclass(frozen=True)
class BadRecord:
    """A record that failed validation (kept only with ``skip_bad``)."""

    number: int
    line: int
    message: str


@dataclass
class ReadResult:
    """What one file held: its format, its good records and (with ``skip_bad``) the bad ones.

    ``records`` stays empty when the records went to a sink (``into``); ``count`` is the
    number of good records either way.
    """

    source: str
    format: str  # 'tle', 'omm-json', 'omm-csv', 'omm-xml' or 'omm-kvn'
    records: list[Record] = field(default_factory=list)
    bad: list[BadRecord] = field(default_factory=list)
    count: int = 0


class RecordSink(Protocol):
    """Where records go as they are read (the store's batch writer)."""

    def append(self, record: Record) -> None: ...


SinkFactory = Callable[[str], RecordSink]  # called with the format, once it is known


def read_records(
    path: str | Path,
    *,
    skip_bad: bool = False,
    max_bytes: int = MAX_FILE_BYTES,
    into: SinkFactory | None = None,
) -> ReadResult:
    """Every record of an element file (optionally gzipped).

    Without ``skip_bad`` the first bad record raises an :class:`~zarya.errors.ElementsError`
    naming the file, the record and its line; with it, bad records are listed in
    ``ReadResult.bad``. Damage to the file as a whole (truncated JSON, an oversized line,
    an XML entity declaration, no sets at all) always raises.
    """
    path = Path(path)
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise ElementsError(f"no such elements file: {path}") from None
    except OSError as exc:
        raise ElementsError(f"cannot read the elements file {path}: {exc.strerror}") from None
    with handle:
        return read_stream(
            handle, source=str(path), skip_bad=skip_bad, max_bytes=max_bytes, into=into
        )


def read_stream(
    stream: BinaryIO,
    *,
    source: str,
    skip_bad: bool = False,
    max_bytes: int = MAX_FILE_BYTES,
    into: SinkFactory | None = None,
) -> ReadResult:
    """Like :func:`read_records`, from an open binary stream; ``source`` names it in errors.

    With ``into``, each good record goes to ``into(format).append`` as soon as it is read,
    instead of into ``ReadResult.records``.
    """
    try:
        result = _read(ByteSource(stream, source, max_bytes), source, skip_bad, into)
    except ElementsError as exc:
        named = type(exc)(f"{source}: {exc}")
        named.__dict__.update(exc.__dict__)  # keep line, column, expected, found
        raise named from None
    if not result.count:
        detail = f" ({len(result.bad)} bad records skipped)" if result.bad else ""
        raise ElementsError(f"{source}: no element sets in the file{detail}")
    return result


# ------------------------------------------------------------------------ byte source
class ByteSource:
    """Binary chunks of a (possibly gzipped) stream, counted against a size cap."""

    def __init__(self, stream: BinaryIO, source: str, max_bytes: int) -> None:
        self.source = source
        self.max_bytes = max_bytes
        self.total = 0
        magic = stream.read(2)
        self._raw: BinaryIO = stream
        self._pending = magic
        if magic == b"\x1f\x8b":
            self._raw = gzip.GzipFile(fileobj=_Prefixed(magic, stream), mode="rb")
            self._pending = b""
        self.head = self._read(_SNIFF_BYTES)
        self._pending = self.head

    def _read(self, n: int) -> bytes:
        try:
            data = self._pending + self._raw.read(n - len(self._pending))
        except (OSError, EOFError, zlib.error) as exc:
            raise ElementsError(f"not a valid gzip file ({exc})") from None
        self._pending = b""
        self.total += len(data)
        if self.total > self.max_bytes:
            raise ElementsError(f"more than {self.max_bytes} bytes: too large for an element file")
        return data

    def chunks(self) -> Iterator[bytes]:
        """Every byte of the stream (the sniffed head first), CHUNK_BYTES at a time."""
        head, self._pending = self._pending, b""
        if head:
            yield head
        while True:
            data = self._read(CHUNK_BYTES)
            if not data:
                return
            yield data


class _Prefixed:
    """A stream with its first bytes (already read to sniff gzip) put back in front."""

    def __init__(self, prefix: bytes, stream: BinaryIO) -> None:
        self._prefix = prefix
        self._stream = stream

    def read(self, n: int = -1) -> bytes:
        if self._prefix:
            data, self._prefix = self._prefix, b""
            if n < 0:
                return data + self._stream.read()
            return data + self._stream.read(max(0, n - len(data)))
        return self._stream.read(n)


def decode_chunks(chunks: Iterator[bytes]) -> Iterator[str]:
    """UTF-8 text (a leading byte-order mark dropped) from byte chunks."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
    offset = 0
    try:
        for chunk in chunks:
            text = decoder.decode(chunk)
            offset += len(chunk)
            if text:
                yield text
        tail = decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise ElementsError(f"not UTF-8 text (byte {offset + exc.start})") from None
    if tail:
        yield tail


def split_lines(chunks: Iterator[str]) -> Iterator[str]:
    """Lines with their endings, each at most MAX_LINE_CHARS characters long."""
    buffer = ""
    number = 0
    for chunk in chunks:
        buffer += chunk
        start = 0
        while True:
            end = buffer.find("\n", start)
            if end < 0:
                break
            number += 1
            if end - start > MAX_LINE_CHARS:
                raise _line_too_long(number)
            yield buffer[start : end + 1]
            start = end + 1
        buffer = buffer[start:]
        if len(buffer) > MAX_LINE_CHARS:
            raise _line_too_long(number + 1)
    if buffer:
        yield buffer


def _line_too_long(number: int) -> ElementsError:
    return ElementsError(
        f"line {number} is longer than {MAX_LINE_CHARS} characters: not an element file"
    )


# ------------------------------------------------------------------------- dispatch
def _sniff(head: bytes) -> str:
    """The format from the first bytes, as :func:`~.load.read_elements_text` decides it."""
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
    if text.startswith(("[", "{")):
        return "omm-json"
    if text.startswith("<"):
        return "omm-xml"
    if "CCSDS_OMM_VERS" in text[:2000]:
        return "omm-kvn"
    first_line = text.split("\n", 1)[0][:2000] if text else ""
    if "EPOCH" in first_line.upper() and "," in first_line:
        return "omm-csv"
    return "tle"


class _Counted:
    """A sink that counts what goes through it."""

    def __init__(self, target: RecordSink) -> None:
        self.target = target
        self.count = 0

    def append(self, record: Record) -> None:
        self.count += 1
        self.target.append(record)


def _read(src: ByteSource, source: str, skip_bad: bool, into: SinkFactory | None) -> ReadResult:
    fmt = _sniff(src.head)
    result = ReadResult(source=source, format=fmt)
    out = _Counted(result.records if into is None else into(fmt))

    def bad(number: int, line: int, exc: ElementsError) -> None:
        if not skip_bad:
            raise exc
        result.bad.append(BadRecord(number, line, str(exc)))

    from .ingest_omm import read_csv, read_json, read_kvn, read_xml

    readers: dict[str, Callable] = {
        "tle": _read_tle,
        "omm-json": read_json,
        "omm-csv": read_csv,
        "omm-kvn": read_kvn,
        "omm-xml": read_xml,
    }
    readers[fmt](src, source, out, bad)
    result.count = out.count
    return result


BadHook = Callable[[int, int, ElementsError], None]  # (record number, line, error naming both)


def record_at(number: int, line: int) -> str:
    """How errors name a record: ``record 3 (line 7)``."""
    return f"record {number} (line {line})"


# ------------------------------------------------------------------------------ TLE
def _tle_error(number: int, message: str, line: int) -> TLEFormatError:
    return TLEFormatError(
        f"record {number}, line {line} of the file: {message}", line=line, column=1
    )


def _read_tle(src: ByteSource, source: str, out: RecordSink, bad: BadHook) -> None:
    """2- and 3-line sets; a name line is optional (a ``0 `` prefix is allowed)."""
    name, name_line = "", 0
    pending: tuple[int, str] | None = None  # (line number, text) of a line 1
    number = 0
    line_no = 0
    for raw in split_lines(decode_chunks(src.chunks())):
        line_no += 1
        text = raw.rstrip("\r\n")
        if pending is not None:
            first_no, line1 = pending
            pending = None
            start = name_line or first_no
            if text.startswith("2 "):
                original = "\n".join(([name] if name else []) + [line1.rstrip(), text.rstrip()])
                try:
                    es = parse_tle(line1, text, name, source=source, first_line_no=first_no)
                except TLEFormatError as exc:
                    named = TLEFormatError(f"record {number}, {exc}")
                    named.__dict__.update(exc.__dict__)
                    bad(number, start, named)
                else:
                    out.append(Record(es, original, number, start))
                name, name_line = "", 0
                continue
            bad(
                number,
                start,
                _tle_error(
                    number,
                    f"expected TLE line 2 after line {first_no}, found {text[:20]!r}",
                    line_no,
                ),
            )
            name, name_line = "", 0
        stripped = text.strip()
        if not stripped:
            continue
        if text.startswith("1 "):
            number += 1
            pending = (line_no, text)
            continue
        if text.startswith("2 "):
            number += 1
            bad(
                number,
                line_no,
                _tle_error(number, "TLE line 2 without a line 1 before it", line_no),
            )
            name, name_line = "", 0
            continue
        if name:
            number += 1
            bad(
                number,
                name_line,
                _tle_error(
                    number,
                    f"the name {name!r} is followed by {stripped[:20]!r}, not TLE line 1",
                    name_line,
                ),
            )
        name = stripped[2:].strip() if stripped.startswith("0 ") else stripped
        name_line = line_no
        if len(name) > 60:
            number += 1
            bad(
                number,
                line_no,
                _tle_error(
                    number,
                    f"a satellite name of {len(name)} characters (expected at most 60): not a TLE",
                    line_no,
                ),
            )
            name, name_line = "", 0
    if pending is not None:
        first_no, _ = pending
        bad(
            number,
            name_line or first_no,
            _tle_error(
                number, "TLE line 1 is not followed by a line 2 (truncated file?)", first_no
            ),
        )
    elif name:
        bad(
            number + 1,
            name_line,
            _tle_error(
                number + 1,
                f"the name {name!r} is not followed by TLE lines",
                name_line,
            ),
        )
