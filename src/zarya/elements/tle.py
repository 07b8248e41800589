"""Two-line elements: strict reading of 2- and 3-line sets, Alpha-5 catalogue numbers.

:func:`parse_tle` checks one pair of lines; :func:`read_tle_chunks` is the streaming reader
of TLE files (every entry point reads TLE files through it), :func:`read_tle` the same for a
text in hand.

sgp4's own parser is fast and forgiving: it accepts ``hello``, shifted columns and
mismatched catalogue numbers and then returns NaN. We check every column ourselves
first and say exactly what is wrong: :class:`~zarya.errors.TLEFormatError` names the
line, the column(s), what was expected and what was found.

The column layout (1-based, inclusive) is the one CelesTrak documents; NASA's published
sets with placeholder drag terms and ``   .6413`` right-aligned angles follow it too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..errors import ElementsError, TLEFormatError
from .elset import MAX_NAME_CHARS, ElementSet, clean_name, epoch_from_tle
from .records import BadHook, Record, RecordSink, decode_chunks, split_lines

__all__ = [
    "MAX_NAME_CHARS",
    "alpha5_to_int",
    "checksum",
    "int_to_alpha5",
    "parse_tle",
    "read_tle",
    "read_tle_chunks",
]


_ALPHA5 = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # I and O are skipped
_DECIMAL = re.compile(r"^ *[+-]? *\d*\.\d+ *$|^ *[+-]? *\d+\.\d* *$")
_IMPLIED = re.compile(r"^([ +-])(\d{5})([+-])(\d)$")
_SATNUM = re.compile(r"^ *\d{1,5}$|^[A-HJ-NP-Z]\d{4}$")

# Columns that must hold a space, per line.
_BLANKS = {1: (2, 9, 18, 33, 44, 53, 62, 64), 2: (2, 8, 17, 26, 34, 43, 52)}


def checksum(line: str) -> int:
    """Modulo-10 checksum of columns 1-68: digits count their value, '-' counts 1."""
    total = 0
    for ch in line[:68]:
        if ch.isdigit():
            total += int(ch)
        elif ch == "-":
            total += 1
    return total % 10


def alpha5_to_int(text: str) -> int:
    """Catalogue number from its 5-character TLE form ('25544', 'A0001' -> 100001)."""
    text = text.strip()
    if text and text[0].isalpha():
        return (_ALPHA5.index(text[0].upper()) + 10) * 10000 + int(text[1:])
    return int(text)


def int_to_alpha5(number: int) -> str:
    """The 5-character TLE form of a catalogue number below 340000."""
    if number < 100000:
        return f"{number:05d}"
    if number >= 340000:
        raise ValueError(f"catalogue number {number} does not fit a TLE (Alpha-5 ends at 339999)")
    lead, rest = divmod(number, 10000)
    return f"{_ALPHA5[lead - 10]}{rest:04d}"


class _Line:
    """One TLE line and where it came from, to phrase errors."""

    def __init__(self, text: str, which: int, where: str) -> None:
        self.text = text
        self.which = which
        self.where = where

    def fail(self, first: int, last: int, what: str, expected: str) -> TLEFormatError:
        found = self.text[first - 1 : last]
        cols = f"column {first}" if first == last else f"columns {first}-{last}"
        return TLEFormatError(
            f"{self.where}TLE line {self.which}, {cols} ({what}): expected {expected}, "
            f"found {found!r}",
            line=self.which,
            column=first,
            expected=expected,
            found=found,
        )

    def number(self, first: int, last: int, what: str, low: float, high: float) -> float:
        field = self.text[first - 1 : last]
        if not _DECIMAL.match(field):
            raise self.fail(first, last, what, f"a decimal number from {low:g} to {high:g}")
        value = float(field.replace(" ", ""))
        if not low <= value <= high:
            raise self.fail(first, last, what, f"a decimal number from {low:g} to {high:g}")
        return value

    def implied(self, first: int, last: int, what: str) -> float:
        """The 'assumed decimal point' notation: ' 12345-3' means 0.12345e-3."""
        field = self.text[first - 1 : last]
        m = _IMPLIED.match(field)
        if not m:
            raise self.fail(first, last, what, "a number like ' 12345-3' (0.12345e-3)")
        sign = -1.0 if m.group(1) == "-" else 1.0
        mantissa = int(m.group(2)) / 1e5
        exponent = int(m.group(4)) * (-1 if m.group(3) == "-" else 1)
        return sign * mantissa * 10.0**exponent

    def integer(self, first: int, last: int, what: str) -> int:
        field = self.text[first - 1 : last]
        if not re.fullmatch(r" *\d+", field):
            raise self.fail(first, last, what, "a right-aligned whole number")
        return int(field)


def _check_layout(line: _Line, *, lenient: bool = False) -> None:
    text = line.text
    if len(text) != 69:
        raise TLEFormatError(
            f"{line.where}TLE line {line.which} is {len(text)} characters long, expected 69",
            line=line.which,
            column=min(len(text), 69) + 1 if len(text) < 69 else 70,
            expected="69 characters",
            found=str(len(text)),
        )
    if not text.isascii() or not text.isprintable():
        bad = next(i for i, ch in enumerate(text) if not (ch.isascii() and ch.isprintable()))
        raise line.fail(bad + 1, bad + 1, "character", "printable ASCII")
    if text[0] != str(line.which):
        raise line.fail(1, 1, "line number", repr(str(line.which)))
    for col in _BLANKS[line.which]:
        if text[col - 1] != " ":
            raise line.fail(col, col, "separator", "a space")
    found = text[68]
    if lenient:
        return
    if not found.isdigit():
        raise line.fail(69, 69, "checksum", "a digit")
    expected = checksum(text)
    if int(found) != expected:
        raise TLEFormatError(
            f"{line.where}TLE line {line.which}, column 69 (checksum): expected {expected}, "
            f"found {found}",
            line=line.which,
            column=69,
            expected=str(expected),
            found=found,
        )


def parse_tle(
    line1: str,
    line2: str,
    name: str = "",
    *,
    source: str = "",
    first_line_no: int | None = None,
    lenient: bool = False,
) -> ElementSet:
    """Validate and read one element set.

    ``first_line_no`` is the number of ``line1`` in its file, if any, so that errors can
    say ``file line 12``. Trailing whitespace (and carriage returns) is ignored.
    ``lenient=True`` accepts a wrong checksum and a blank ephemeris type, as some old
    archives (and Vallado's deliberately broken test sets) need; every other check stays.
    """

    def where(k: int) -> str:
        return "" if first_line_no is None else f"line {first_line_no + k} of the file: "

    l1 = _Line(line1.rstrip("\r\n\t "), 1, where(0))
    l2 = _Line(line2.rstrip("\r\n\t "), 2, where(1))
    _check_layout(l1, lenient=lenient)
    _check_layout(l2, lenient=lenient)

    satnum1 = l1.text[2:7]
    if not _SATNUM.match(satnum1):
        raise l1.fail(3, 7, "catalogue number", "5 digits or an Alpha-5 number such as 'A0001'")
    satnum2 = l2.text[2:7]
    if satnum2.strip() != satnum1.strip():
        raise l2.fail(3, 7, "catalogue number", f"{satnum1!r} as on line 1")
    if l1.text[7] not in "UCS ":
        raise l1.fail(8, 8, "classification", "U, C or S")
    if not l1.text[18:20].isdigit():
        raise l1.fail(19, 20, "epoch year", "two digits")
    day = l1.number(21, 32, "epoch day of year", 1.0, 366.99999999)
    ndot = l1.number(34, 43, "first derivative of mean motion", -1.0, 1.0)
    nddot = l1.implied(45, 52, "second derivative of mean motion")
    bstar = l1.implied(54, 61, "B* drag term")
    if not l1.text[62].isdigit() and not (lenient and l1.text[62] == " "):
        raise l1.fail(63, 63, "ephemeris type", "a digit (0 for SGP4)")
    element_set_no = l1.integer(65, 68, "element set number")

    inclination = l2.number(9, 16, "inclination", 0.0, 180.0)
    raan = l2.number(18, 25, "right ascension of the ascending node", 0.0, 360.0)
    ecc_text = l2.text[26:33]
    if not re.fullmatch(r" *\d+", ecc_text):
        raise l2.fail(27, 33, "eccentricity", "7 digits with an assumed leading '0.'")
    argp = l2.number(35, 42, "argument of perigee", 0.0, 360.0)
    mean_anomaly = l2.number(44, 51, "mean anomaly", 0.0, 360.0)
    mean_motion = l2.number(53, 63, "mean motion", 1e-8, 20.0)
    rev_text = l2.text[63:68]
    rev_number = 0 if not rev_text.strip() else l2.integer(64, 68, "revolution number")

    return ElementSet(
        norad_id=alpha5_to_int(satnum1),
        name=name.strip(),
        epoch_jd=epoch_from_tle(int(l1.text[18:20]), day),
        inclination_deg=inclination,
        raan_deg=raan,
        eccentricity=int(ecc_text) / 1e7,
        arg_perigee_deg=argp,
        mean_anomaly_deg=mean_anomaly,
        mean_motion_rev_per_day=mean_motion,
        bstar=bstar,
        ndot=ndot,
        nddot=nddot,
        rev_number=rev_number,
        classification=l1.text[7],
        intl_designator=l1.text[9:17].strip(),
        element_set_no=element_set_no,
        ephemeris_type=int(l1.text[62].strip() or 0),
        source=source,
        line1=l1.text,
        line2=l2.text,
    )


def _framing_error(
    number: int, line: int, message: str, *, expected: str, found: str
) -> TLEFormatError:
    return TLEFormatError(
        f"record {number}, line {line} of the file: {message}",
        line=line,
        column=1,
        expected=expected,
        found=found,
    )


def read_tle_chunks(
    chunks: Iterable[bytes],
    source: str,
    out: RecordSink,
    bad: BadHook,
    *,
    lenient: bool = False,
) -> None:
    """2- and 3-line sets from byte chunks; a name line is optional (a ``0 `` prefix is
    allowed). Each good set goes to ``out`` as a :class:`~.records.Record`, each bad one to
    ``bad`` with a :class:`~zarya.errors.TLEFormatError` naming its record and line."""
    name, name_line = "", 0
    pending: tuple[int, str] | None = None  # (line number, text) of a line 1
    number = 0
    line_no = 0
    for raw in split_lines(decode_chunks(chunks)):
        line_no += 1
        text = raw.rstrip("\r\n")
        if pending is not None:
            first_no, line1 = pending
            pending = None
            start = name_line or first_no
            if text.startswith("2 "):
                original = "\n".join(([name] if name else []) + [line1.rstrip(), text.rstrip()])
                try:
                    es = parse_tle(
                        line1, text, name, source=source, first_line_no=first_no, lenient=lenient
                    )
                except TLEFormatError as exc:
                    exc.prefixed(f"record {number}, ")
                    bad(number, start, exc)
                else:
                    out.append(Record(es, original, number, start))
                name, name_line = "", 0
                continue
            bad(
                number,
                start,
                _framing_error(
                    number, line_no,
                    f"expected TLE line 2 after line {first_no}, found {text[:20]!r}",
                    expected="'2 '", found=text[:20],
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
                _framing_error(
                    number, line_no, "TLE line 2 without a line 1 before it",
                    expected="'1 '", found=text[:2],
                ),
            )
            name, name_line = "", 0
            continue
        if name:
            number += 1
            bad(
                number,
                name_line,
                _framing_error(
                    number, line_no,
                    f"the name {name!r} is followed by {stripped[:20]!r}, not TLE line 1",
                    expected="'1 '", found=stripped[:20],
                ),
            )
        name = clean_name(stripped[2:] if stripped.startswith("0 ") else stripped)
        name_line = line_no
        if len(name) > MAX_NAME_CHARS:
            number += 1
            bad(
                number,
                line_no,
                _framing_error(
                    number, line_no,
                    f"a satellite name of {len(name)} characters (expected at most "
                    f"{MAX_NAME_CHARS}): not a TLE",
                    expected="a name or TLE line 1", found=stripped[:20],
                ),
            )
            name, name_line = "", 0
    if pending is not None:
        first_no, _ = pending
        bad(
            number,
            name_line or first_no,
            _framing_error(
                number, first_no, "TLE line 1 is not followed by a line 2 (truncated file?)",
                expected="TLE line 2", found="the end of the file",
            ),
        )
    elif name:
        bad(
            number + 1,
            name_line,
            _framing_error(
                number + 1, name_line, f"the name {name!r} is not followed by TLE lines",
                expected="TLE line 1", found="the end of the file",
            ),
        )


def read_tle(
    text: str | Iterable[str], *, source: str = "", lenient: bool = False
) -> list[ElementSet]:
    """Every element set in a text of 2- or 3-line sets (names optional, blank lines ok).

    The first line that is neither a name nor part of a pair raises
    :class:`~zarya.errors.TLEFormatError` naming its record and line number in the text.
    ``lenient`` accepts wrong checksums and blank ephemeris types (see :func:`parse_tle`).
    """
    if not isinstance(text, str):
        text = "\n".join(line.rstrip("\r\n") for line in text)
    sets: list[Record] = []

    def fail(number: int, line: int, exc: ElementsError) -> None:
        raise exc

    read_tle_chunks([text.encode("utf-8")], source, sets, fail, lenient=lenient)
    return [r.elements for r in sets]
