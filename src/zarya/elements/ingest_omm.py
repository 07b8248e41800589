"""Framing OMM files into records (JSON, CSV, KVN, XML), in bounded memory.

The OMM half of :mod:`.ingest`: each reader takes the byte source of one file, cuts it into
records without ever holding more than one record (and one chunk) of text, and hands each
record to :func:`~.omm.from_record` (KVN: :func:`~.omm.read_omm_kvn`) for validation. JSON
is decoded one object at a time; XML goes through defusedxml, which refuses entity
declarations (the billion-laughs bomb) and external references before expanding anything.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from ..errors import OMMError
from .ingest import (
    MAX_LINE_CHARS,
    MAX_RECORD_CHARS,
    BadHook,
    ByteSource,
    Record,
    RecordSink,
    decode_chunks,
    record_at,
    split_lines,
)
from .omm import from_record, read_omm_kvn


# ----------------------------------------------------------------------------- JSON
def read_json(src: ByteSource, source: str, out: RecordSink, bad: BadHook) -> None:
    """A JSON array of OMM objects (or one object), decoded one record at a time."""
    decoder = json.JSONDecoder()
    chunks = decode_chunks(src.chunks())
    buf = ""
    pos = 0
    counted_pos, counted_line = 0, 1  # buf[counted_pos] is on line counted_line
    eof = False

    def line_of(i: int) -> int:
        nonlocal counted_pos, counted_line
        counted_line += buf.count("\n", counted_pos, i)
        counted_pos = i
        return counted_line

    def more() -> bool:
        nonlocal buf, pos, counted_pos, eof
        if eof:
            return False
        chunk = next(chunks, None)
        if chunk is None:
            eof = True
            return False
        line_of(pos)
        buf = buf[pos:] + chunk
        pos = counted_pos = 0
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

    def truncated(number: int) -> OMMError:
        return OMMError(
            f"the JSON ends after record {number}, before the closing ']' (truncated file?)"
        )

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
            raise truncated(number)
        number += 1
        while True:
            try:
                value, end = decoder.raw_decode(buf, pos)
                break
            except json.JSONDecodeError as exc:
                if len(buf) - pos > MAX_RECORD_CHARS:
                    raise OMMError(
                        f"{record_at(number, line_of(pos))} is longer than {MAX_RECORD_CHARS} "
                        "characters: not an OMM record"
                    ) from None
                if more():
                    continue
                cut = exc.pos >= len(buf) - 1 or exc.msg.startswith("Unterminated")
                why = (
                    "the JSON ends in the middle of it (truncated file?)"
                    if cut
                    else (f"not valid JSON ({exc.msg})")
                )
                raise OMMError(f"{record_at(number, line_of(pos))}: {why}") from None
        line = line_of(pos)
        if not isinstance(value, dict):
            raise OMMError(
                f"{record_at(number, line)} is a JSON {type(value).__name__}, not an object with "
                "OMM keys: not OMM JSON"
            )
        try:
            es = from_record(value, where=record_at(number, line), source=source)
        except OMMError as exc:
            bad(number, line, exc)
        else:
            out.append(Record(es, buf[pos:end], number, line))
        pos = end
        if not array:
            break
        ch = skip_ws()
        if ch == ",":
            pos += 1
        elif ch == "]":
            pos += 1
            break
        elif ch == "":
            raise truncated(number)
        else:
            raise OMMError(f"after {record_at(number, line)}: expected ',' or ']', found {ch!r}")
    if skip_ws() != "":
        raise OMMError(f"line {line_of(pos)}: unexpected text after the end of the JSON")


# ------------------------------------------------------------------------------ CSV
def read_csv(src: ByteSource, source: str, out: RecordSink, bad: BadHook) -> None:
    """CelesTrak's CSV: a header line naming the OMM keys, one record per line."""
    consumed: list[str] = []
    line_no = 0

    def tracked() -> Iterator[str]:
        nonlocal line_no
        for line in split_lines(decode_chunks(src.chunks())):
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
            at = record_at(number, start)
            if len(row) != len(header):
                bad(
                    number,
                    start,
                    OMMError(f"{at}: {len(row)} fields where the header names {len(header)}"),
                )
                continue
            try:
                es = from_record(dict(zip(header, row, strict=True)), where=at, source=source)
            except OMMError as exc:
                bad(number, start, exc)
            else:
                out.append(Record(es, original, number, start))
    except csv.Error as exc:
        raise OMMError(f"line {line_no}: not CSV ({exc})") from None


# ------------------------------------------------------------------------------ KVN
def read_kvn(src: ByteSource, source: str, out: RecordSink, bad: BadHook) -> None:
    """``KEY = value`` lines; each ``CCSDS_OMM_VERS`` starts a new message."""
    lines: list[str] = []
    start = 0
    number = 0
    size = 0

    def flush() -> None:
        nonlocal number
        if not any(ln.strip() and not ln.lstrip().startswith("COMMENT") for ln in lines):
            return
        number += 1
        text = "".join(lines).rstrip("\r\n")
        try:
            es = read_omm_kvn(text, source=source)[0]
        except OMMError as exc:
            message = str(exc).removeprefix("record 1: ")
            bad(number, start, OMMError(f"{record_at(number, start)}: {message}"))
        else:
            out.append(Record(es, text, number, start))

    for line_no, line in enumerate(split_lines(decode_chunks(src.chunks())), start=1):
        key = line.partition("=")[0].strip().upper()
        if key == "CCSDS_OMM_VERS" or (not lines and line.strip()):
            flush()
            lines, start, size = [], line_no, 0
        if lines or line.strip():
            lines.append(line)
            size += len(line)
            if size > MAX_RECORD_CHARS:
                raise OMMError(
                    f"{record_at(number + 1, start)} is longer than {MAX_RECORD_CHARS} "
                    "characters: not an OMM record"
                )
    flush()


# ------------------------------------------------------------------------------ XML
class _OmmTarget:
    """Parser target collecting the leaf elements of each ``<omm>`` into a record."""

    def __init__(self) -> None:
        self.expat: object | None = None  # the pyexpat parser, for line numbers and offsets
        self.children = [0]
        self.leaf: list[str] = []
        self.leaf_size = 0
        self.current: dict[str, str] | None = None
        self.current_start = (0, 0)  # (line, byte offset) of the open <omm> tag
        self.last_event = 0  # byte offset of the latest tag or text
        self.loose: dict[str, str] = {}
        self.done: list[tuple[dict[str, str], int, int, int]] = []  # record, line, start, end

    def position(self) -> tuple[int, int]:
        if self.expat is None:
            return 0, 0
        where = (self.expat.CurrentLineNumber, self.expat.CurrentByteIndex)  # type: ignore
        self.last_event = max(self.last_event, where[1])
        return where

    def start(self, tag: str, attrib: dict) -> None:
        where = self.position()
        self.children[-1] += 1
        self.children.append(0)
        self.leaf, self.leaf_size = [], 0
        if _local(tag) == "omm":
            self.current = {}
            self.current_start = where

    def data(self, text: str) -> None:
        self.leaf_size += len(text)
        if self.leaf_size > MAX_LINE_CHARS:
            raise OMMError(
                f"line {self.position()[0]}: an XML value longer than {MAX_LINE_CHARS} "
                "characters: not an OMM record"
            )
        self.position()
        self.leaf.append(text)

    def end(self, tag: str) -> None:
        line, offset = self.position()
        name = _local(tag)
        if self.children.pop() == 0:
            target = self.current if self.current is not None else self.loose
            if len(target) > 1000:
                raise OMMError(f"line {line}: too many XML elements in one record")
            target[name.upper()] = "".join(self.leaf).strip()
        self.leaf, self.leaf_size = [], 0
        if name == "omm" and self.current is not None:
            record_line, record_start = self.current_start
            self.done.append((self.current, record_line, record_start, offset))
            self.current = None

    def close(self) -> None:
        return None


def read_xml(src: ByteSource, source: str, out: RecordSink, bad: BadHook) -> None:
    """CCSDS OMM XML (an ``<ndm>`` of ``<omm>`` messages, or one ``<omm>``) via defusedxml.

    Entity declarations (the billion-laughs bomb) and external references are refused
    before anything is expanded; no tag or record may run past MAX_RECORD_CHARS bytes.
    """
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import DefusedXMLParser, ParseError

    target = _OmmTarget()
    parser = DefusedXMLParser(target=target)
    target.expat = getattr(parser, "parser", None)
    kept = b""  # the input from the start of the open record (else from the last chunk)
    kept_at = 0  # byte offset of kept[0] in the input
    number = 0

    def drain() -> None:
        nonlocal number
        for record, line, start, end in target.done:
            number += 1
            close = kept.find(b">", end - kept_at)
            text = kept[max(0, start - kept_at) : close + 1].decode("utf-8", "replace")
            try:
                es = from_record(record, where=record_at(number, line), source=source)
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
            fed = kept_at + len(kept)
            if fed - target.last_event > MAX_RECORD_CHARS:
                raise OMMError(
                    f"no XML tag or value ends within {MAX_RECORD_CHARS} bytes of byte "
                    f"{target.last_event}: not an OMM file"
                )
            if target.current is not None:
                keep_from = target.current_start[1]
                if fed - keep_from > MAX_RECORD_CHARS:
                    raise OMMError(
                        f"{record_at(number + 1, target.current_start[0])} is longer than "
                        f"{MAX_RECORD_CHARS} bytes: not an OMM record"
                    )
            else:
                keep_from = fed - len(chunk)
            cut = max(0, keep_from - kept_at)
            kept, kept_at = kept[cut:], kept_at + cut
        parser.close()
        drain()
    except DefusedXmlException as exc:
        raise OMMError(
            f"refused XML: {exc}; entity declarations and external references are not "
            "allowed in OMM files (an XML bomb?)"
        ) from None
    except ParseError as exc:
        raise OMMError(f"not XML: {exc}") from None
    if number == 0 and target.loose:
        try:
            es = from_record(target.loose, where=record_at(1, 1), source=source)
        except OMMError as exc:
            bad(1, 1, exc)
        else:
            out.append(Record(es, kept.decode("utf-8", "replace").strip(), 1, 1))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
