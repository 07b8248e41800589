"""Reading element files record by record, in bounded memory, for the element store.

:func:`~zarya.elements.load.read_elements_file` reads a whole file and stops at the first
bad set: right for ``--elements FILE``. The store needs more: each record's original text,
the record and line where it starts, the choice to skip bad records (``--skip-bad``), and
protection from hostile input (a 100 MB line, a gzip or XML bomb, an endless JSON string).
This module frames a byte stream into records (TLE, 3LE, OMM JSON, CSV, XML, KVN, optionally
gzipped) and hands each one to the validators of :mod:`.tle` and :mod:`.omm`.

Limits: at most :data:`MAX_FILE_BYTES` (after decompression), lines of at most
:data:`MAX_LINE_CHARS` characters in the line-based formats, JSON and XML records of at most
:data:`MAX_RECORD_CHARS`. The input is read in :data:`CHUNK_BYTES` pieces, so memory holds
one chunk, one record and the sets read so far, whatever the file holds.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import json
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from ..errors import ElementsError, OMMError, TLEFormatError
from .base import ElementSet
from .load import MAX_FILE_BYTES
from .omm import from_record, read_omm_kvn
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
    """What one file held: its format, its good records and (with ``skip_bad``) the bad ones."""

    source: str
    format: str  # 'tle', 'omm-json', 'omm-csv', 'omm-xml' or 'omm-kvn'
    records: list[Record] = field(default_factory=list)
    bad: list[BadRecord] = field(default_factory=list)


def read_records(
    path: str | Path, *, skip_bad: bool = False, max_bytes: int = MAX_FILE_BYTES
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
        return read_stream(handle, source=str(path), skip_bad=skip_bad, max_bytes=max_bytes)


def read_stream(
    stream: BinaryIO, *, source: str, skip_bad: bool = False, max_bytes: int = MAX_FILE_BYTES
) -> ReadResult:
    """Like :func:`read_records`, from an open binary stream; ``source`` names it in errors."""
    try:
        result = _read(_ByteSource(stream, source, max_bytes), source, skip_bad)
    except ElementsError as exc:
        message = str(exc)
        if not message.startswith(f"{source}: ") and not message.endswith(source):
            message = f"{source}: {message}"
        raise type(exc)(message) from None
    if not result.records:
        detail = f" ({len(result.bad)} bad records skipped)" if result.bad else ""
        raise ElementsError(f"{source}: no element sets in the file{detail}")
    return result


# ------------------------------------------------------------------------ byte source
class _ByteSource:
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
            raise ElementsError(
                f"more than {self.max_bytes} bytes: too large for an element file"
            )
        return data

    def chunks(self) -> Iterator[bytes]:
        """Every byte of the stream (the sniffed head first), CHUNK_BYTES at a time."""
        head, self._pending = self._pending, b""
        self.total -= 0
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


def _text_chunks(chunks: Iterator[bytes]) -> Iterator[str]:
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


def _lines(chunks: Iterator[str]) -> Iterator[str]:
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


def _read(src: _ByteSource, source: str, skip_bad: bool) -> ReadResult:
    fmt = _sniff(src.head)
    result = ReadResult(source=source, format=fmt)

    def bad(number: int, line: int, exc: ElementsError) -> None:
        message = str(exc)
        if not skip_bad:
            raise type(exc)(f"record {number} (line {line}): {message}")
        result.bad.append(BadRecord(number, line, message))

    readers: dict[str, Callable] = {
        "tle": _read_tle,
        "omm-json": _read_json,
        "omm-csv": _read_csv,
        "omm-kvn": _read_kvn,
        "omm-xml": _read_xml,
    }
    readers[fmt](src, source, result.records, bad)
    return result


BadHook = Callable[[int, int, ElementsError], None]


# ------------------------------------------------------------------------------ TLE
def _read_tle(src: _ByteSource, source: str, out: list[Record], bad: BadHook) -> None:
    """2- and 3-line sets; a name line is optional (``0 `` prefix allowed)."""
    name = ""
    name_line = 0
    pending: tuple[int, str] | None = None  # (line number, text) of a line 1
    number = 0
    line_no = 0
    for raw in _lines(_text_chunks(src.chunks())):
        line_no += 1
        text = raw.rstrip("\r\n")
        if pending is not None:
            first_no, line1 = pending
            pending = None
            start = name_line or first_no
            if text.startswith("2 "):
                original = "\n".join(
                    ([name] if name else []) + [line1.rstrip(), text.rstrip()]
                )
                try:
                    es = parse_tle(line1, text, name, source=source, first_line_no=first_no)
                except TLEFormatError as exc:
                    bad(number, start, exc)
                else:
                    out.append(Record(es, original, number, start))
                name, name_line = "", 0
                continue
            bad(
                number,
                start,
                TLEFormatError(
                    f"line {line_no} of the file: expected TLE line 2 after line {first_no}, "
                    f"found {text[:20]!r}",
                    line=line_no,
                    column=1,
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
                TLEFormatError(
                    f"line {line_no} of the file: TLE line 2 without a line 1 before it",
                    line=line_no,
                    column=1,
                ),
            )
            name, name_line = "", 0
            continue
        if name:
            number += 1
            bad(number, name_line, _lonely_name(name, name_line, stripped))
        name = stripped[2:].strip() if stripped.startswith("0 ") else stripped
        name_line = line_no
        if len(name) > 60:
            number += 1
            bad(
                number,
                line_no,
                TLEFormatError(
                    f"line {line_no} of the file: a satellite name of {len(name)} characters "
                    "(expected at most 60), not a TLE",
                    line=line_no,
                    column=1,
                ),
            )
            name, name_line = "", 0
    if pending is not None:
        first_no, _ = pending
        bad(
            number,
            name_line or first_no,
            TLEFormatError(
                f"line {first_no} of the file: TLE line 1 is not followed by a line 2 "
                "(truncated file?)",
                line=first_no,
                column=1,
            ),
        )
    elif name:
        bad(number + 1, name_line, _lonely_name(name, name_line, None))


def _lonely_name(name: str, line: int, found: str | None) -> TLEFormatError:
    what = "the end of the file" if found is None else repr(found[:20])
    return TLEFormatError(
        f"line {line} of the file: the name {name!r} is not followed by TLE line 1 "
        f"(found {what})",
        line=line,
        column=1,
    )


# ----------------------------------------------------------------------------- JSON
def _read_json(src: _ByteSource, source: str, out: list[Record], bad: BadHook) -> None:
    """A JSON array of OMM objects (or one object), decoded one record at a time."""
    decoder = json.JSONDecoder()
    chunks = _text_chunks(src.chunks())
    buf = ""
    pos = 0
    line_base = 1  # line number at buf[0]
    eof = False

    def more() -> bool:
        nonlocal buf, pos, line_base, eof
        if eof:
            return False
        chunk = next(chunks, None)
        if chunk is None:
            eof = True
            return False
        line_base += buf.count("\n", 0, pos)
        buf = buf[pos:] + chunk
        pos = 0
        return True

    def skip_ws() -> str:
        nonlocal pos
        while True:
            while pos < len(buf) and buf[pos] in " \t\r\n":
                pos += 1
            if pos < len(buf):
                return buf[pos]
            if not more():
                return ""

    first = skip_ws()
    array = first == "["
    if array:
        pos += 1
    elif first != "{":
        raise OMMError("not OMM JSON: expected a list of objects with OMM keys")
    number = 0
    while True:
        ch = skip_ws()
        if array and ch == "]" and number == 0:
            pos += 1
            break
        if ch == "":
            raise OMMError(
                f"the JSON ends after record {number}, before the closing ']' (truncated file?)"
            )
        number += 1
        start = pos
        while True:
            try:
                value, end = decoder.raw_decode(buf, start)
                break
            except json.JSONDecodeError as exc:
                if len(buf) - start > MAX_RECORD_CHARS:
                    raise OMMError(
                        f"record {number} is longer than {MAX_RECORD_CHARS} characters: "
                        "not an OMM record"
                    ) from None
                pos = start
                if more():
                    start = pos
                    continue
                line = line_base + buf.count("\n", 0, start)
                cut = exc.pos >= len(buf) - 1 or exc.msg.startswith("Unterminated")
                why = "the JSON ends in the middle of it (truncated file?)" if cut else (
                    f"not valid JSON ({exc.msg})"
                )
                raise OMMError(f"record {number} (line {line}): {why}") from None
        line = line_base + buf.count("\n", 0, start)
        pos = end
        if not isinstance(value, dict):
            raise OMMError(
                f"record {number} (line {line}) is a JSON {type(value).__name__}, "
                "not an object with OMM keys: not OMM JSON"
            )
        try:
            es = from_record(value, where="the record", source=source)
        except OMMError as exc:
            bad(number, line, exc)
        else:
            out.append(Record(es, buf[start:end], number, line))
        if not array:
            break
        ch = skip_ws()
        if ch == ",":
            pos += 1
        elif ch == "]":
            pos += 1
            break
        elif ch == "":
            raise OMMError(
                f"the JSON ends after record {number}, before the closing ']' (truncated file?)"
            )
        else:
            raise OMMError(
                f"after record {number} (line {line}): expected ',' or ']', found {ch!r}"
            )
    if skip_ws() != "":
        raise OMMError("unexpected text after the end of the JSON")


# ------------------------------------------------------------------------------ CSV
def _read_csv(src: _ByteSource, source: str, out: list[Record], bad: BadHook) -> None:
    """CelesTrak's CSV: a header line naming the OMM keys, one record per line."""
    consumed: list[str] = []
    line_no = 0

    def tracked() -> Iterator[str]:
        nonlocal line_no
        for line in _lines(_text_chunks(src.chunks())):
            line_no += 1
            consumed.append(line)
            yield line

    reader = csv.reader(tracked())
    try:
        header = [h.strip().upper() for h in next(reader, [])]
        if "EPOCH" not in header:
            raise OMMError("not OMM CSV: the header line has no EPOCH column")
        number = 0
        consumed.clear()
        for row in reader:
            start = line_no - len(consumed) + 1
            original = "".join(consumed).rstrip("\r\n")
            consumed.clear()
            if not any(cell.strip() for cell in row):
                continue
            number += 1
            if len(row) != len(header):
                bad(
                    number,
                    start,
                    OMMError(f"{len(row)} fields where the header names {len(header)}"),
                )
                continue
            try:
                es = from_record(dict(zip(header, row, strict=True)), where="the record",
                                 source=source)
            except OMMError as exc:
                bad(number, start, exc)
            else:
                out.append(Record(es, original, number, start))
    except csv.Error as exc:
        raise OMMError(f"line {line_no}: not CSV ({exc})") from None


# ------------------------------------------------------------------------------ KVN
def _read_kvn(src: _ByteSource, source: str, out: list[Record], bad: BadHook) -> None:
    """``KEY = value`` lines; each ``CCSDS_OMM_VERS`` starts a new message."""
    lines: list[str] = []
    start = 0
    number = 0
    size = 0

    def flush() -> None:
        nonlocal number
        if not lines:
            return
        number += 1
        text = "".join(lines).rstrip("\r\n")
        try:
            es = read_omm_kvn(text, source=source)[0]
        except OMMError as exc:
            bad(number, start, OMMError(str(exc).removeprefix("record 1: ")))
        else:
            out.append(Record(es, text, number, start))

    for line_no, line in enumerate(_lines(_text_chunks(src.chunks())), start=1):
        key = line.partition("=")[0].strip().upper()
        if key == "CCSDS_OMM_VERS" or not lines and line.strip():
            flush()
            lines, start, size = [], line_no, 0
        if lines or line.strip():
            lines.append(line)
            size += len(line)
            if size > MAX_RECORD_CHARS:
                raise OMMError(
                    f"record {number + 1} (line {start}) is longer than {MAX_RECORD_CHARS} "
                    "characters: not an OMM record"
                )
    flush()


# ------------------------------------------------------------------------------ XML
class _OmmTarget:
    """Parser target collecting the leaf elements of each ``<omm>`` into a record."""

    def __init__(self, parser: object) -> None:
        self.parser = parser
        self.depth = 0
        self.leaf: list[str] = []
        self.leaf_size = 0
        self.children = [0]
        self.current: dict[str, str] | None = None
        self.current_start = (0, 0)  # (line, byte offset) of the <omm> tag
        self.loose: dict[str, str] = {}
        self.done: list[tuple[dict[str, str], int, int, int]] = []  # record, line, start, end

    def _where(self) -> tuple[int, int]:
        expat = getattr(self.parser, "parser", None)
        if expat is None:
            return 0, 0
        return expat.CurrentLineNumber, expat.CurrentByteIndex

    def start(self, tag: str, attrib: dict) -> None:
        self.children[-1] += 1
        self.children.append(0)
        self.leaf, self.leaf_size = [], 0
        if _local(tag) == "omm":
            self.current = {}
            self.current_start = self._where()

    def data(self, text: str) -> None:
        self.leaf_size += len(text)
        if self.leaf_size > MAX_LINE_CHARS:
            raise OMMError(
                f"line {self._where()[0]}: an XML value longer than {MAX_LINE_CHARS} "
                "characters: not an OMM record"
            )
        self.leaf.append(text)

    def end(self, tag: str) -> None:
        name = _local(tag)
        leaf = self.children.pop() == 0
        if leaf:
            target = self.current if self.current is not None else self.loose
            if len(target) > 1000:
                raise OMMError(f"line {self._where()[0]}: too many XML elements in one record")
            target[name.upper()] = "".join(self.leaf).strip()
        self.leaf, self.leaf_size = [], 0
        if name == "omm" and self.current is not None:
            line, start = self.current_start
            self.done.append((self.current, line, start, self._where()[1]))
            self.current = None

    def close(self) -> None:
        return None


def _read_xml(src: _ByteSource, source: str, out: list[Record], bad: BadHook) -> None:
    """CCSDS OMM XML (an ``<ndm>`` of ``<omm>`` messages, or one ``<omm>``), via defusedxml:
    entity declarations (the billion-laughs bomb), DTDs with external references and
    external entities are refused before anything is expanded."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import DefusedXMLParser, ParseError

    parser = DefusedXMLParser(target=None)
    target = _OmmTarget(parser)
    parser = DefusedXMLParser(target=target)  # type: ignore[arg-type]
    target.parser = parser
    kept = b""  # bytes from the start of the open record (or the last chunk)
    kept_at = 0  # byte offset of kept[0]
    number = 0

    def drain() -> None:
        nonlocal number
        for record, line, start, end in target.done:
            number += 1
            close = kept.find(b">", end - kept_at)
            text = kept[max(0, start - kept_at) : close + 1].decode("utf-8", "replace")
            try:
                es = from_record(record, where="the record", source=source)
            except OMMError as exc:
                bad(number, line, exc)
            else:
                out.append(Record(es, text, number, line))
        target.done.clear()

    try:
        for chunk in src.chunks():
            kept += chunk
            parser.feed(chunk)
            drain()
            keep_from = target.current_start[1] if target.current is not None else (
                kept_at + len(kept) - len(chunk)
            )
            if target.current is not None and kept_at + len(kept) - keep_from > MAX_RECORD_CHARS:
                raise OMMError(
                    f"record {number + 1} (line {target.current_start[0]}) is longer than "
                    f"{MAX_RECORD_CHARS} bytes: not an OMM record"
                )
            cut = max(0, keep_from - kept_at)
            kept, kept_at = kept[cut:], kept_at + cut
        parser.close()
        drain()
    except DefusedXmlException as exc:
        raise OMMError(
            f"refused XML: {type(exc).__name__} ({exc}); entity and DTD declarations are not "
            "allowed in OMM files (an XML bomb?)"
        ) from None
    except ParseError as exc:
        raise OMMError(f"not XML: {exc}") from None
    if number == 0 and target.loose:
        try:
            es = from_record(target.loose, where="the record", source=source)
        except OMMError as exc:
            bad(1, 1, exc)
        else:
            out.append(Record(es, kept.decode("utf-8", "replace").strip(), 1, 1))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
