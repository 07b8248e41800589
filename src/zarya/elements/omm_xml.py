"""OMM as CCSDS NDM/XML, read in bounded memory through defusedxml.

Every ``<omm>`` element (namespaces ignored) is one record, validated by
:func:`~.omm.from_record`. defusedxml refuses entity declarations (the billion-laughs bomb)
and external references before expanding anything; no tag, value or record may run past
the limits of :mod:`.records`.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import OMMError
from .omm import from_record
from .records import MAX_LINE_CHARS, MAX_RECORD_CHARS, BadHook, Record, RecordSink, record_at

__all__ = ["read_xml"]


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


def read_xml(chunks: Iterable[bytes], source: str, out: RecordSink, bad: BadHook) -> None:
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
        for chunk in chunks:
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
    except (LookupError, ValueError, RecursionError) as exc:  # an unknown encoding, ...
        raise OMMError(f"not XML zarya can read: {exc}") from None
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
