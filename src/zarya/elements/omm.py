"""Orbit Mean-elements Messages (CCSDS OMM) as CelesTrak serves them: JSON, CSV and KVN.

OMM carries the same SGP4 mean elements as a TLE, without the column squeeze: 9-digit
catalogue numbers, full-precision epochs. :func:`from_record` validates one record (a
mapping of OMM keys) into an :class:`~.elset.ElementSet` built through ``sgp4init``; a record
missing a required field, or holding a value out of range, raises
:class:`~zarya.errors.OMMError` naming the record and the field.

The streaming readers cut files into records in bounded memory: JSON is decoded one object
at a time, CSV and KVN line by line (XML: :mod:`.omm_xml`). ``read_omm_json`` and its
siblings (in :mod:`.readers`) read a text in hand through the same readers.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime

from ..errors import OMMError
from .elset import MAX_NAME_CHARS, ElementSet, clean_name, epoch_from_datetime
from .records import (
    MAX_RECORD_CHARS,
    BadHook,
    Record,
    RecordSink,
    decode_chunks,
    record_at,
    split_lines,
)

__all__ = [
    "REQUIRED",
    "from_record",
    "parse_epoch",
    "read_csv",
    "read_json",
    "read_kvn",
]

REQUIRED = (
    "EPOCH",
    "MEAN_MOTION",
    "ECCENTRICITY",
    "INCLINATION",
    "RA_OF_ASC_NODE",
    "ARG_OF_PERICENTER",
    "MEAN_ANOMALY",
    "NORAD_CAT_ID",
    "BSTAR",
)
_RANGES = {
    "MEAN_MOTION": (1e-8, 20.0),
    "ECCENTRICITY": (0.0, 0.9999999),
    "INCLINATION": (0.0, 180.0),
    "RA_OF_ASC_NODE": (0.0, 360.0),
    "ARG_OF_PERICENTER": (0.0, 360.0),
    "MEAN_ANOMALY": (0.0, 360.0),
    "BSTAR": (-1.0, 1.0),
    "MEAN_MOTION_DOT": (-1.0, 1.0),
    "MEAN_MOTION_DDOT": (-1.0, 1.0),
    "REV_AT_EPOCH": (0.0, 999_999_999.0),
    "ELEMENT_SET_NO": (0.0, 999_999.0),
    "EPHEMERIS_TYPE": (0.0, 9.0),
    "NORAD_CAT_ID": (1.0, 999_999_999.0),
}
EPOCH_YEARS = (1957, 2100)  # Sputnik to the end of the century: sgp4's practical range


def parse_epoch(text: str) -> datetime:
    """OMM epochs: ISO 8601 without zone (UTC), fractional seconds up to 9 digits."""
    m = re.fullmatch(
        r"\s*(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?Z?\s*", text
    )
    if not m:
        raise ValueError(
            f"expected an ISO 8601 UTC time like 2016-02-07T04:55:11.681, got {text!r}"
        )
    y, mo, d, h, mi, s, frac = m.groups()
    if not EPOCH_YEARS[0] <= int(y) <= EPOCH_YEARS[1]:
        raise ValueError(
            f"year {y} is outside {EPOCH_YEARS[0]} to {EPOCH_YEARS[1]}, got {text.strip()!r}"
        )
    micro = int((frac or "0")[:6].ljust(6, "0"))
    return datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), micro, tzinfo=UTC)


def from_record(record: Mapping[str, object], *, where: str, source: str = "") -> ElementSet:
    """One OMM record (keys as in CelesTrak's JSON) -> ElementSet."""
    rec = {str(k).strip().upper(): v for k, v in record.items()}
    missing = [k for k in REQUIRED if rec.get(k) in (None, "")]
    if missing:
        raise OMMError(f"{where}: not an OMM record, missing {', '.join(missing)}")

    def number(key: str, default: float | None = None) -> float:
        value = rec.get(key)
        if value in (None, "") and default is not None:
            return default
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
        try:
            x = float(str(value)) if not isinstance(value, bool) else math.nan
        except (ValueError, OverflowError):
            raise OMMError(f"{where}: {key} should be a number, found {shown}") from None
        if not math.isfinite(x):
            raise OMMError(f"{where}: {key} should be a finite number, found {shown}")
        low, high = _RANGES.get(key, (-1e300, 1e300))
        if not low <= x <= high:
            raise OMMError(f"{where}: {key} = {shown} is outside {low:.10g} to {high:.10g}")
        return x

    try:
        epoch = parse_epoch(str(rec["EPOCH"]))
    except ValueError as exc:
        raise OMMError(f"{where}: EPOCH {exc}") from None
    norad = number("NORAD_CAT_ID")
    if norad != int(norad):
        raise OMMError(f"{where}: NORAD_CAT_ID should be a whole number, found {norad}")
    name = clean_name(str(rec.get("OBJECT_NAME") or ""))
    if len(name) > MAX_NAME_CHARS:
        raise OMMError(f"{where}: OBJECT_NAME of {len(name)} characters (at most "
                       f"{MAX_NAME_CHARS})")
    ephemeris_type = int(number("EPHEMERIS_TYPE", 0.0))
    if ephemeris_type not in (0, 2):
        raise OMMError(f"{where}: EPHEMERIS_TYPE {ephemeris_type} is not SGP4 (0 or 2)")
    return ElementSet(
        norad_id=int(norad),
        name=name,
        epoch_jd=epoch_from_datetime(epoch),
        inclination_deg=number("INCLINATION"),
        raan_deg=number("RA_OF_ASC_NODE"),
        eccentricity=number("ECCENTRICITY"),
        arg_perigee_deg=number("ARG_OF_PERICENTER"),
        mean_anomaly_deg=number("MEAN_ANOMALY"),
        mean_motion_rev_per_day=number("MEAN_MOTION"),
        bstar=number("BSTAR"),
        ndot=number("MEAN_MOTION_DOT", 0.0),
        nddot=number("MEAN_MOTION_DDOT", 0.0),
        rev_number=int(number("REV_AT_EPOCH", 0.0)),
        classification=clean_name(str(rec.get("CLASSIFICATION_TYPE") or "U"))[:1] or "U",
        intl_designator=clean_name(str(rec.get("OBJECT_ID") or ""))[:MAX_NAME_CHARS],
        element_set_no=int(number("ELEMENT_SET_NO", 0.0)),
        ephemeris_type=ephemeris_type,
        source=source,
    )


# ----------------------------------------------------------------------------- JSON
def read_json(chunks: Iterable[bytes], source: str, out: RecordSink, bad: BadHook) -> None:
    """A JSON array of OMM objects (or one object), decoded one record at a time."""
    decoder = json.JSONDecoder()
    texts = decode_chunks(chunks)
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
        chunk = next(texts, None)
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
        if ch != "{":
            kind = {"[": "array", '"': "string", "n": "null", "t": "boolean",
                    "f": "boolean"}.get(ch, "number" if ch in "-0123456789" else "")
            raise OMMError(
                f"{record_at(number, line_of(pos))} is "
                + (f"a JSON {kind}" if kind else f"{ch!r}")
                + ", not an object with OMM keys: not OMM JSON"
            )
        while True:
            try:
                value, end = decoder.raw_decode(buf, pos)
                break
            except RecursionError:
                raise OMMError(
                    f"{record_at(number, line_of(pos))} is nested too deeply: not an OMM record"
                ) from None
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
            except ValueError as exc:  # a number of thousands of digits, ...
                why = "a number of thousands of digits" if "digits" in str(exc) else str(exc)
                raise OMMError(
                    f"{record_at(number, line_of(pos))}: not OMM JSON ({why})"
                ) from None
        line = line_of(pos)
        if not isinstance(value, dict):  # (cannot happen: it starts with "{")
            raise OMMError(f"{record_at(number, line)} is not an object with OMM keys")
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
def read_csv(chunks: Iterable[bytes], source: str, out: RecordSink, bad: BadHook) -> None:
    """CelesTrak's CSV: a header line naming the OMM keys, one record per line."""
    consumed: list[str] = []
    line_no = 0

    def tracked() -> Iterator[str]:
        nonlocal line_no
        for line in split_lines(decode_chunks(chunks)):
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
def read_kvn(chunks: Iterable[bytes], source: str, out: RecordSink, bad: BadHook) -> None:
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
        at = record_at(number, start)
        try:
            es = from_record(_kvn_fields(text, at), where=at, source=source)
        except OMMError as exc:
            bad(number, start, exc)
        else:
            out.append(Record(es, text, number, start))

    for line_no, line in enumerate(split_lines(decode_chunks(chunks)), start=1):
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


def _kvn_fields(text: str, where: str) -> dict[str, str]:
    """One KVN message's ``KEY = value`` lines as a record (units in brackets dropped)."""
    record: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("COMMENT"):
            continue
        key, eq, value = line.partition("=")
        if not eq:
            raise OMMError(
                f"{where}: not OMM KVN: expected 'KEY = value', found {line.strip()[:40]!r}"
            )
        record[key.strip().upper()] = re.sub(r"\s*\[.*\]\s*$", "", value.strip())
    return record
