"""One way in for every element source: sniff the format, route the chunks to its reader.

:func:`read_chunks` takes the byte chunks of a file, a download or a text in hand, sniffs
the format from the first bytes (or takes the one given) and runs that format's streaming
reader (:mod:`.tle`, :mod:`.omm`, :mod:`.omm_xml`), collecting the records or handing them
to a sink as they come. Without ``skip_bad`` the first bad record raises; with it, bad
records are listed in the result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from ..errors import ElementsError
from .elset import ElementSet
from .oem import Trajectory, read_oem_kvn
from .oem_xml import read_oem_xml
from .omm import read_csv, read_json, read_kvn
from .omm_xml import read_xml
from .records import FORMATS, BadHook, BadRecord, ReadResult, Record, RecordSink, sniff
from .tle import read_tle_chunks

__all__ = [
    "MAX_BAD_RECORDS",
    "SinkFactory",
    "read_chunks",
    "read_elements_text",
    "read_oem",
    "read_omm_csv",
    "read_omm_json",
    "read_omm_kvn",
    "read_omm_xml",
]

SinkFactory = Callable[[str], RecordSink]  # called with the format, once it is known
Reader = Callable[[Iterable[bytes], str, RecordSink, BadHook], None]

_READERS: dict[str, Reader] = {
    "tle": read_tle_chunks,
    "omm-json": read_json,
    "omm-csv": read_csv,
    "omm-kvn": read_kvn,
    "omm-xml": read_xml,
}
assert tuple(_READERS) == FORMATS[:-1]  # and "oem": a trajectory, read whole
_SNIFF_BYTES = 64 * 1024
MAX_BAD_RECORDS = 10_000  # skipped and listed; beyond, the file is not an element file


class _Counted:
    """A sink that counts what goes through it."""

    def __init__(self, target: RecordSink) -> None:
        self.target = target
        self.count = 0

    def append(self, record: Record, /) -> None:
        self.count += 1
        self.target.append(record)


def _with_head(chunks: Iterable[bytes]) -> tuple[bytes, Iterator[bytes]]:
    """The first bytes (at least :data:`_SNIFF_BYTES`, unless the source is shorter) and
    every chunk again, those first bytes included."""
    it = iter(chunks)
    head = b""
    while len(head) < _SNIFF_BYTES:
        chunk = next(it, None)
        if chunk is None:
            break
        head += chunk

    def again() -> Iterator[bytes]:
        if head:
            yield head
        yield from it

    return head, again()


def read_chunks(
    chunks: Iterable[bytes],
    into: SinkFactory | None = None,
    *,
    source: str = "",
    fmt: str | None = None,
    skip_bad: bool = False,
) -> ReadResult:
    """Every record of a source given as byte chunks, in the format it sniffs as (or
    ``fmt``). With ``into``, each good record goes to ``into(format).append`` as soon as it
    is read, instead of into ``ReadResult.records``."""
    head, chunks = _with_head(chunks)
    kind = fmt or sniff(head)
    result = ReadResult(source=source, format=kind)
    if kind == "oem":  # a trajectory is one message: read whole (within the byte cap)
        try:
            text = b"".join(chunks).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ElementsError(f"not UTF-8 text (byte {exc.start})") from None
        result.trajectories.append((read_oem(text, source=source), text))
        result.count = 1
        return result
    out = _Counted(result.records if into is None else into(kind))

    def bad(number: int, line: int, exc: ElementsError) -> None:
        if not skip_bad:
            raise exc
        if len(result.bad) >= MAX_BAD_RECORDS:
            raise ElementsError(
                f"more than {MAX_BAD_RECORDS} bad records (the last: record {number}, line "
                f"{line}): not an element file", limit=MAX_BAD_RECORDS,
            )
        result.bad.append(BadRecord(number, line, str(exc)))

    _READERS[kind](chunks, source, out, bad)
    result.count = out.count
    return result


def read_elements_text(text: str, *, source: str = "") -> list[ElementSet]:
    """Sniff the format (OMM JSON, XML, KVN, CSV or TLE) and read every set in ``text``; the
    first bad record raises, naming the record and its line.

    >>> from zarya.elements.files import bundled_sets
    >>> first = bundled_sets()[0]
    >>> [s.epoch.year for s in read_elements_text(f"{first.line1}\\n{first.line2}\\n")]
    [2002]
    """
    return [r.elements for r in read_chunks([text.encode("utf-8")], source=source).records]


def _read_text(fmt: str, text: str, source: str) -> list[ElementSet]:
    result = read_chunks([text.encode("utf-8")], source=source, fmt=fmt)
    return [r.elements for r in result.records]


def read_omm_json(text: str, *, source: str = "") -> list[ElementSet]:
    """OMM as CelesTrak's JSON: a list of objects (or one object) with OMM keys."""
    return _read_text("omm-json", text, source)


def read_omm_csv(text: str, *, source: str = "") -> list[ElementSet]:
    """OMM as CSV: a header line of OMM keys, one record per line."""
    return _read_text("omm-csv", text, source)


def read_omm_kvn(text: str, *, source: str = "") -> list[ElementSet]:
    """KVN: ``KEY = value`` lines; each ``CCSDS_OMM_VERS`` starts a new message."""
    return _read_text("omm-kvn", text, source)


def read_omm_xml(text: str, *, source: str = "") -> list[ElementSet]:
    """OMM as CCSDS NDM/XML: every ``<omm>`` element (namespaces ignored) is one record."""
    return _read_text("omm-xml", text, source)


def read_oem(
    text: str, *, source: str = "", norad_id: int | None = None,
    expect_object: str | None = None,
) -> Trajectory:
    """An Orbit Ephemeris Message given as text, KVN or XML (sniffed), as a
    :class:`~.oem.Trajectory`. ``expect_object``: the international designator (or name)
    the OEM must be about; ``norad_id``: the catalogue number to give it."""
    reader = read_oem_xml if text.lstrip("\ufeff \t\r\n").startswith("<") else read_oem_kvn
    return reader(text, source=source, norad_id=norad_id, expect_object=expect_object)
