"""Element files as streams of records: what a reader yields, the limits, the sniffing.

Every format has one streaming reader (:mod:`.tle`, :mod:`.omm`, :mod:`.omm_xml`), used
alike by ``--elements FILE``, ``zarya elements import``, fetched bodies and text given from
Python (:mod:`.readers` routes each source to its reader): each takes byte chunks, cuts them
into records without ever holding more than one record and one chunk, validates each record
and hands it to a sink. A reader keeps each record's original text and the record and line
where it starts; a bad record goes to the ``bad`` hook, which raises (all or nothing) or
lists it (``skip_bad``).

Limits: lines of at most :data:`MAX_LINE_CHARS` characters in the line-based formats, JSON
and XML records of at most :data:`MAX_RECORD_CHARS`; the byte sources of :mod:`.files` cap
whole files (after decompression) at :data:`MAX_FILE_BYTES`.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ..errors import ElementsError, UnknownSatelliteError, param
from .elset import ElementSet
from .oem import Trajectory

__all__ = [
    "CHUNK_BYTES",
    "DEFAULT_NORAD_ID",
    "FORMATS",
    "MAX_BLANK_LINES",
    "MAX_FILE_BYTES",
    "MAX_LINE_CHARS",
    "MAX_RECORD_CHARS",
    "BadHook",
    "BadRecord",
    "ReadResult",
    "Record",
    "RecordSink",
    "decode_chunks",
    "satellite_query",
    "record_at",
    "select_object",
    "sniff",
    "split_lines",
]

MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_BLANK_LINES = 10_000
MAX_LINE_CHARS = 64 * 1024
MAX_RECORD_CHARS = 1024 * 1024
CHUNK_BYTES = 256 * 1024
DEFAULT_NORAD_ID = 25544
FORMATS = ("tle", "omm-json", "omm-csv", "omm-kvn", "omm-xml", "oem")


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
    """What one source held: its format, its good records and (with ``skip_bad``) the bad
    ones. ``records`` stays empty when the records went to a sink; ``count`` is the number of
    good records either way."""

    source: str
    format: str  # one of FORMATS
    records: list[Record] = field(default_factory=list)
    bad: list[BadRecord] = field(default_factory=list)
    count: int = 0
    # an OEM: each trajectory read, with the original text it was read from
    trajectories: list[tuple[Trajectory, str]] = field(default_factory=list)


class RecordSink(Protocol):
    """Where records go as they are read (a list, or the store's batch writer)."""

    def append(self, record: Record, /) -> None: ...


BadHook = Callable[[int, int, ElementsError], None]  # (record number, line, error naming both)


def record_at(number: int, line: int) -> str:
    """How errors name a record: ``record 3 (line 7)``."""
    return f"record {number} (line {line})"


# --------------------------------------------------------------------------- text
def decode_chunks(chunks: Iterable[bytes]) -> Iterator[str]:
    """UTF-8 text from byte chunks: a leading byte-order mark dropped, line endings (LF,
    CRLF or a lone CR) made LF."""
    text = io.IncrementalNewlineDecoder(
        codecs.getincrementaldecoder("utf-8-sig")("strict"), translate=True
    )
    offset = 0
    try:
        for chunk in chunks:
            out = text.decode(chunk)
            offset += len(chunk)
            if out:
                yield out
        tail = text.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise ElementsError(f"not UTF-8 text (byte {offset + exc.start})") from None
    if tail:
        yield tail


def split_lines(chunks: Iterable[str]) -> Iterator[str]:
    """Lines with their endings, each at most :data:`MAX_LINE_CHARS` characters long, and
    at most :data:`MAX_BLANK_LINES` empty lines in a row (a decompression bomb of newlines
    is refused at once, not read line by line)."""
    buffer = ""
    number = 0
    blank = 0
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
            if end - start <= 1:  # "\n" or "\r\n"
                blank += 1
                if blank > MAX_BLANK_LINES:
                    raise ElementsError(
                        f"line {number}: more than {MAX_BLANK_LINES} empty lines in a row: "
                        "not an element file", line=number, limit=MAX_BLANK_LINES,
                    )
            else:
                blank = 0
            yield buffer[start : end + 1]
            start = end + 1
        buffer = buffer[start:]
        if len(buffer) > MAX_LINE_CHARS:
            raise _line_too_long(number + 1)
    if buffer:
        yield buffer


def _line_too_long(number: int) -> ElementsError:
    return ElementsError(
        f"line {number} is longer than {MAX_LINE_CHARS} characters: not an element file",
        line=number,
        limit=MAX_LINE_CHARS,
    )


# ------------------------------------------------------------------------- formats
def sniff(head: bytes) -> str:
    """The format of a file from its first bytes: an OEM (KVN or XML), OMM JSON, XML, KVN or
    CSV, else TLE."""
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
    if text.startswith(("[", "{")):
        return "omm-json"
    if "CCSDS_OEM_VERS" in text[:4000] or (text.startswith("<") and "<oem" in text[:4000]):
        return "oem"
    if text.startswith("<"):
        return "omm-xml"
    if "CCSDS_OMM_VERS" in text[:2000]:
        return "omm-kvn"
    first_line = text.split("\n", 1)[0][:2000] if text else ""
    if "EPOCH" in first_line.upper() and "," in first_line:
        return "omm-csv"
    return "tle"


# ----------------------------------------------------------------------- selection
MAX_NORAD_ID = 999_999_999  # OMM's nine digits
MAX_QUERY_CHARS = 100


def satellite_query(sat: str | int) -> str:
    """A satellite asked for (a NORAD number or a name), checked: control characters out;
    a number (ASCII digits only) of at most nine digits; a name of at most 100 characters.

    >>> satellite_query(" 25544 "), satellite_query("iss")
    ('25544', 'iss')
    """
    text = " ".join(str(sat).split())
    text = "".join(c for c in text if c.isprintable())
    shown = text if len(text) <= 40 else text[:37] + "..."
    if text.isdigit() and not (text.isascii() and len(text) <= 9 and int(text) <= MAX_NORAD_ID):
        raise UnknownSatelliteError(
            f"{param('sat')} {shown!r} is not a NORAD number: expected 1 to {MAX_NORAD_ID}",
            parameter="sat", query=shown,
        )
    if len(text) > MAX_QUERY_CHARS:
        raise UnknownSatelliteError(
            f"{param('sat')} {shown!r} is {len(text)} characters long: a NORAD number or a "
            f"name of at most {MAX_QUERY_CHARS}",
            parameter="sat", query=shown,
        )
    return text


def select_object(sets: Sequence[ElementSet], sat: str | int | None) -> list[ElementSet]:
    """The sets of one object: by NORAD number, or by name (case-insensitive, prefix).

    With ``sat`` None: the ISS if present, else the only object in the sets.
    """
    by_id: dict[int, list[ElementSet]] = {}
    for s in sets:
        by_id.setdefault(s.norad_id, []).append(s)
    if sat is None or str(sat).strip() == "":
        if DEFAULT_NORAD_ID in by_id or len(by_id) != 1:
            sat = DEFAULT_NORAD_ID
        else:
            return next(iter(by_id.values()))
    text = satellite_query(sat)
    if text.isdigit():
        found = by_id.get(int(text))
        if found:
            return found
        raise UnknownSatelliteError(
            f"no elements for NORAD {int(text)} ({_known(by_id)})",
            parameter="sat",
            query=text,
        )
    want = text.casefold()
    exact = [n for n, lst in by_id.items() if any(s.name.casefold() == want for s in lst)]
    prefix = [n for n, lst in by_id.items() if any(s.name.casefold().startswith(want) for s in lst)]
    hits = exact or prefix
    if len(hits) == 1:
        return by_id[hits[0]]
    if not hits:
        raise UnknownSatelliteError(
            f"no satellite named {text!r} in the elements ({_known(by_id)})",
            parameter="sat",
            query=text,
        )
    listed = ", ".join(f"{by_id[n][-1].name} ({n})" for n in hits[:6])
    raise UnknownSatelliteError(
        f"the name {text!r} matches several satellites: {listed}; give a NORAD number",
        parameter="sat",
        query=text,
    )


def _known(by_id: dict[int, list[ElementSet]]) -> str:
    items = [f"{lst[-1].name or '?'} ({n})" for n, lst in list(by_id.items())[:5]]
    more = "" if len(by_id) <= 5 else f" and {len(by_id) - 5} more"
    return "known: " + ", ".join(items) + more
