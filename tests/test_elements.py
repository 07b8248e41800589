"""Element readers: strict TLE (2- and 3-line, Alpha-5), OMM (JSON, CSV, XML, KVN), files.

The TLE cases use the 150 published ISS sets in tests/data/iss (NASA's sets with their
placeholder drag terms, the "day 366" epoch, the negative n-dot post-manoeuvre fits) and
malformed variants of a real set; the OMM cases convert real sets to each OMM encoding
here, read them back and propagate both.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import gzip
import io
import json
import math
from datetime import UTC, datetime
from xml.sax.saxutils import escape

import numpy as np
import pytest
from sgp4.api import WGS72, Satrec

from zarya.elements.elset import ElementSet
from zarya.elements.files import bundled_sets, read_elements_file
from zarya.elements.omm import from_record
from zarya.elements.readers import (
    read_elements_text,
    read_omm_csv,
    read_omm_json,
    read_omm_kvn,
    read_omm_xml,
)
from zarya.elements.records import select_object
from zarya.elements.tle import alpha5_to_int, checksum, int_to_alpha5, parse_tle, read_tle
from zarya.engine.satellite import Satellite
from zarya.errors import (
    CatalogError,
    ElementsError,
    OMMError,
    TLEFormatError,
    ZaryaError,
)

from .catalog_data import CSV_FIELDS
from .conftest import shared_or_local

ISS_TEXT = shared_or_local("iss/iss_tle_history.txt").read_text("ascii")
NORAD_ONLY_TEXT = shared_or_local("iss/iss_tle_history_norad_format_only.txt").read_text("ascii")

# The latest set of the history, a standard (NORAD) element set, as the base of the
# malformed variants below.
L1 = "1 25544U 98067A   25313.96830531  .00008626  00000+0  16179-3 0  9997"
L2 = "2 25544  51.6342 304.7042 0004075  52.7615 307.3745 15.49490024537771"

MINUTES_PER_DAY = 1440.0
XPDOTP = MINUTES_PER_DAY / (2.0 * math.pi)  # rev/day per rad/min, as sgp4's twoline2rv


def _fix(line: str) -> str:
    """The line with its checksum (column 69) recomputed."""
    return line[:68] + str(checksum(line))


@functools.cache
def _iss_sets() -> tuple[ElementSet, ...]:
    return tuple(read_tle(ISS_TEXT))


def _by_epoch(sets, epoch_text: str) -> ElementSet:
    """The set whose line 1 carries this epoch (columns 19-32)."""
    (found,) = [s for s in sets if s.line1[18:32] == epoch_text]
    return found


def _state(elements: ElementSet, days_after_epoch: float, at: ElementSet | None = None):
    """TEME position (km) from zarya's Satellite ``days_after_epoch`` after the epoch of
    ``at`` (default: the set itself)."""
    whole, fraction = (at or elements).epoch_jd
    r, v, err = Satellite([elements]).teme(
        np.array([whole]), np.array([fraction + days_after_epoch])
    )
    assert err[0] == 0
    return r[0]


# ----------------------------------------------------------------- the ISS history


def test_all_150_bundled_iss_sets_parse():
    sets = _iss_sets()
    assert len(sets) == 150
    assert {s.norad_id for s in sets} == {25544}
    assert {s.name for s in sets} == {"ISS (ZARYA)"}
    assert {s.intl_designator for s in sets} == {"98067A"}
    assert (sets[-1].line1, sets[-1].line2) == (L1, L2)  # the base of the variants below
    epochs = [s.epoch_jd_total for s in sets]
    assert epochs == sorted(epochs)  # the file is sorted by epoch
    assert sets[0].epoch.year == 2002 and sets[-1].epoch.year == 2025
    # every set keeps its original text, for the history store
    assert [(s.line1, s.line2) for s in sets] == [
        (a, b)
        for a, b in zip(ISS_TEXT.splitlines()[1::3], ISS_TEXT.splitlines()[2::3], strict=True)
    ]
    # the history the package bundles is this one
    assert bundled_sets() == tuple(read_tle(ISS_TEXT, source="bundled"))


def test_nasa_sets_with_placeholder_drag_terms():
    sets = _iss_sets()
    norad = {(s.line1, s.line2) for s in read_tle(NORAD_ONLY_TEXT)}
    assert len(norad) == 88
    nasa = [s for s in sets if (s.line1, s.line2) not in norad]
    assert len(nasa) == 62
    # NASA's placeholders: n-dot ' .00016717', nddot ' 00000-0', B* ' 10270-3'
    for s in nasa:
        assert (s.ndot, s.nddot, s.bstar) == (0.00016717, 0.0, 0.10270e-3)
    # RAAN written right-aligned without its leading zero: '   .6413'
    (odd,) = [s for s in sets if s.line2[17:25] == "   .6413"]
    assert odd.raan_deg == 0.6413


def test_day_366_epoch_is_new_years_day():
    s = _by_epoch(_iss_sets(), "19366.82137887")
    # day 366 of 2019 (a common year) is 2020-01-01; .82137887 day = 19:42:47.134368
    assert s.epoch_jd[0] == 2458849.5  # JD of 2020-01-01 00:00 UTC
    assert (
        abs(s.epoch - datetime(2020, 1, 1, 19, 42, 47, 134368, tzinfo=UTC)).total_seconds() < 2e-6
    )
    assert s.epoch.isoformat(timespec="milliseconds") == "2020-01-01T19:42:47.134+00:00"


def test_negative_ndot_post_manoeuvre_sets():
    sets = _iss_sets()
    expected = {
        "16065.25775256": (-0.00164574, -0.25195e-2),
        "16065.66704861": (-0.00164486, -0.25529e-2),
        "16160.86541705": (-0.00081986, -0.12286e-2),
    }
    for epoch, (ndot, bstar) in expected.items():
        s = _by_epoch(sets, epoch)
        assert s.ndot == ndot
        assert s.bstar == pytest.approx(bstar, rel=1e-15)  # ' -25195-2': mantissa * 10**exp
        # they still propagate (the README: they drift hundreds of km within three days)
        assert np.isfinite(_state(s, 3.0)).all()


def test_revolution_number_wraps_at_100000():
    sets = _iss_sets()
    assert _by_epoch(sets, "16124.14033565").rev_number == 99796
    assert _by_epoch(sets, "16137.55001157").rev_number == 6  # printed '    6'


def test_satrec_agrees_with_twoline2rv_for_every_set():
    for s in _iss_sets():
        ours = s.satrec()
        ref = Satrec.twoline2rv(s.line1, s.line2, WGS72)
        jd, fr = ref.jdsatepoch, ref.jdsatepochF + 1.0  # epoch + 1 day
        assert ours.sgp4(jd, fr) == ref.sgp4(jd, fr)  # identical, bit for bit
        # zarya's own reading of each field agrees with sgp4's (its units: radians,
        # rad/min, and n-dot/nddot divided by 1440 and 1440**2 once more)
        assert s.norad_id == ref.satnum and s.rev_number == ref.revnum
        assert s.element_set_no == ref.elnum and s.classification == ref.classification
        assert s.eccentricity == ref.ecco and s.bstar == ref.bstar
        for degrees, radians in [
            (s.inclination_deg, ref.inclo),
            (s.raan_deg, ref.nodeo),
            (s.arg_perigee_deg, ref.argpo),
            (s.mean_anomaly_deg, ref.mo),
        ]:
            assert math.radians(degrees) == pytest.approx(radians, rel=1e-15, abs=1e-15)
        assert s.mean_motion_rev_per_day / XPDOTP == pytest.approx(ref.no_kozai, rel=1e-15)
        assert s.ndot / (XPDOTP * MINUTES_PER_DAY) == pytest.approx(ref.ndot, rel=1e-15)
        assert s.nddot / (XPDOTP * MINUTES_PER_DAY**2) == pytest.approx(ref.nddot, rel=1e-15)
        # the epoch: float rounding of the day fraction only (1e-13 day is 9 ns)
        assert s.epoch_jd[0] == ref.jdsatepoch
        assert abs(s.epoch_jd[1] - ref.jdsatepochF) < 1e-13


def test_sgp4init_path_agrees_with_twoline2rv():
    """The same fields through sgp4init (the OMM path) give the same orbit."""
    worst = 0.0
    for s in _iss_sets():
        bare = dataclasses.replace(s, line1=None, line2=None)
        r_tle = _state(s, 1.0)
        r_init = _state(bare, 1.0, at=s)
        worst = max(worst, float(np.linalg.norm(r_tle - r_init)))
    # the epochs may differ by the float rounding of the day fraction (< 1e-13 day, about
    # 9 ns, 0.07 mm along-track): 1 mm is far above that and far below any real mistake
    assert worst < 1e-6


def test_epoch_fraction_is_the_printed_decimal():
    for s in _iss_sets():
        digits = s.line1[18:32].split(".")[1]
        assert s.epoch_jd[1] == float("0." + digits), s.line1[18:32]


# ---------------------------------------------------------------- forms and names


def test_two_three_and_zero_name_forms():
    two = read_tle(f"{L1}\n{L2}\n")
    three = read_tle(f"ISS (ZARYA)\n{L1}\n{L2}\n")
    zero = read_tle(f"0 ISS (ZARYA)\n{L1}\n{L2}\n")
    # CelesTrak pads names to 24 columns; CRLF line ends; blank lines between sets
    padded = read_tle(f"ISS (ZARYA)             \r\n{L1}\r\n{L2}\r\n\r\n{L1}\r\n{L2}\r\n")
    as_lines = read_tle(["ISS (ZARYA)\n", L1 + "\n", L2 + "\n"])
    assert [s.name for s in two] == [""]
    assert [s.name for s in three] == [s.name for s in zero] == ["ISS (ZARYA)"]
    assert [s.name for s in padded] == ["ISS (ZARYA)", ""]
    assert as_lines == three
    # the name is the only difference
    assert dataclasses.replace(two[0], name="ISS (ZARYA)") == three[0] == zero[0]
    assert padded[0].line1 == L1 and padded[0].line2 == L2  # no '\r' kept
    mixed = read_tle(f"{L1}\n{L2}\nISS\n{L1}\n{L2}\n0 ISS (ZARYA)\n{L1}\n{L2}\n")
    assert [s.name for s in mixed] == ["", "ISS", "ISS (ZARYA)"]


def test_parse_tle_fields():
    s = parse_tle(L1, L2, "ISS (ZARYA)", source="unit")
    assert (s.norad_id, s.name, s.source, s.intl_designator) == (
        25544,
        "ISS (ZARYA)",
        "unit",
        "98067A",
    )
    assert (s.inclination_deg, s.raan_deg, s.eccentricity) == (51.6342, 304.7042, 0.0004075)
    assert (s.arg_perigee_deg, s.mean_anomaly_deg) == (52.7615, 307.3745)
    assert (s.mean_motion_rev_per_day, s.rev_number, s.element_set_no) == (15.49490024, 53777, 999)
    assert (s.ndot, s.nddot) == (0.00008626, 0.0)
    assert s.bstar == pytest.approx(0.16179e-3, rel=1e-15)  # ' 16179-3' = 0.16179e-3
    # 2025 day 313.96830531 = 9 November 23:14:21.578784
    assert (
        abs(s.epoch - datetime(2025, 11, 9, 23, 14, 21, 578784, tzinfo=UTC)).total_seconds() < 2e-6
    )
    assert s.epoch_jd[0] == 2460988.5


# ---------------------------------------------------------------------- Alpha-5


def _alpha5_lines(number5: str) -> tuple[str, str]:
    """The real ISS set with its catalogue number replaced (checksums recomputed)."""
    return _fix(L1[:2] + number5 + L1[7:]), _fix(L2[:2] + number5 + L2[7:])


def test_alpha5_numbers():
    assert alpha5_to_int("A0001") == 100001
    assert alpha5_to_int("Z9999") == 339999
    assert alpha5_to_int("H0000") == 170000 and alpha5_to_int("J0000") == 180000  # no I
    assert alpha5_to_int("N0000") == 220000 and alpha5_to_int("P0000") == 230000  # no O
    assert alpha5_to_int("25544") == 25544 and alpha5_to_int("    5") == 5
    assert int_to_alpha5(5) == "00005" and int_to_alpha5(99999) == "99999"
    assert int_to_alpha5(100000) == "A0000" and int_to_alpha5(339999) == "Z9999"
    for n in [*range(0, 340000, 997), 99999, 100000, 179999, 180000, 339999]:
        text = int_to_alpha5(n)
        assert len(text) == 5 and "I" not in text and "O" not in text
        assert alpha5_to_int(text) == n
    with pytest.raises(ValueError, match="339999"):
        int_to_alpha5(340000)
    for bad in ("I0001", "O0001"):
        with pytest.raises(ValueError):
            alpha5_to_int(bad)


@pytest.mark.parametrize(("number5", "norad"), [("A0001", 100001), ("Z9999", 339999)])
def test_alpha5_tle(number5, norad):
    line1, line2 = _alpha5_lines(number5)
    (s,) = read_tle(f"OBJECT {number5}\n{line1}\n{line2}\n")
    assert s.norad_id == norad and s.name == f"OBJECT {number5}"
    ref = Satrec.twoline2rv(line1, line2, WGS72)
    assert ref.satnum == norad  # sgp4 reads Alpha-5 the same way
    jd, fr = ref.jdsatepoch, ref.jdsatepochF + 1.0
    assert s.satrec().sgp4(jd, fr) == ref.sgp4(jd, fr)
    # the same orbit as the real ISS set it was made from
    assert np.allclose(_state(s, 1.0), _state(parse_tle(L1, L2), 1.0), rtol=0, atol=1e-9)
    # the sgp4init path carries the Alpha-5 number too
    assert dataclasses.replace(s, line1=None, line2=None).satrec().satnum == norad


@pytest.mark.parametrize("letter", ["I", "O"])
def test_alpha5_letters_i_and_o_are_refused(letter):
    line1, line2 = _alpha5_lines(f"{letter}0001")
    with pytest.raises(TLEFormatError) as info:
        parse_tle(line1, line2)
    assert (info.value.line, info.value.column) == (1, 3)
    assert "catalogue number" in str(info.value) and f"'{letter}0001'" in str(info.value)


# --------------------------------------------------------------- malformed TLEs


def _shift_right_from(line: str, column: int) -> str:
    """A space inserted before ``column``, everything after it one column to the right
    (69 columns kept, the checksum recomputed): a line shifted by one column."""
    return _fix(line[: column - 1] + " " + line[column - 1 : 67] + "0")


MALFORMED = {
    # name: (text for read_tle, file line, column, words the message must contain)
    "hello": ("hello", 1, 1, ["'hello'", "not followed by TLE lines"]),
    "line shifted by one column": (
        f"{L1}\n{_shift_right_from(L2, 9)}",
        2,
        17,
        ["TLE line 2, column 17", "separator", "expected a space", "found '2'"],
    ),
    "whole line shifted by one column": (
        f"{L1}\n {L2[:68]}",
        2,
        1,
        ["expected TLE line 2 after line 1", "' 2 25544"],
    ),
    "mismatched catalogue numbers": (
        f"{L1}\n{_fix(L2.replace('25544', '25545'))}",
        2,
        3,
        ["TLE line 2, columns 3-7", "catalogue number", "'25544' as on line 1", "'25545'"],
    ),
    "bad checksum": (
        f"{L1[:68]}4\n{L2}",
        1,
        69,
        ["TLE line 1, column 69", "checksum", "expected 7, found 4"],
    ),
    "truncated line": (
        f"{L1}\n{L2[:50]}",
        2,
        51,
        ["TLE line 2 is 50 characters long, expected 69"],
    ),
    "letters in the inclination": (
        f"{L1}\n{_fix(L2[:8] + ' 51.6x42' + L2[16:])}",
        2,
        9,
        ["TLE line 2, columns 9-16", "inclination", "' 51.6x42'"],
    ),
    "inclination 200": (
        f"{L1}\n{_fix(L2[:8] + '200.0000' + L2[16:])}",
        2,
        9,
        ["inclination", "from 0 to 180", "'200.0000'"],
    ),
    "eccentricity with a point": (
        f"{L1}\n{_fix(L2[:26] + '.000407' + L2[33:])}",
        2,
        27,
        ["TLE line 2, columns 27-33", "eccentricity", "assumed leading '0.'", "'.000407'"],
    ),
    "name followed by no lines": (
        "ISS (ZARYA)\n",
        1,
        1,
        ["'ISS (ZARYA)' is not followed by TLE lines"],
    ),
    "line 2 without line 1": (
        f"ISS (ZARYA)\n{L2}",
        2,
        1,
        ["line 2 of the file", "TLE line 2 without a line 1 before it"],
    ),
    "line 1 without line 2": (
        f"ISS (ZARYA)\n{L1}\n",
        2,
        1,
        ["TLE line 1 is not followed by a line 2", "truncated"],
    ),
    "non-ASCII character": (
        f"{L1}\n{L2[:9]}é{L2[10:]}",
        2,
        10,
        ["TLE line 2, column 10", "printable ASCII", "'é'"],
    ),
    "no-break space": (
        f"{L1[:8]}\u00a0{L1[9:]}\n{L2}",
        1,
        9,
        ["TLE line 1, column 9", "printable ASCII", "'\\xa0'"],
    ),
    "tab for a space": (
        f"{L1[:8]}\t{L1[9:]}\n{L2}",
        1,
        9,
        ["TLE line 1, column 9", "printable ASCII", "'\\t'"],
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_tle(case):
    text, line, column, words = MALFORMED[case]
    with pytest.raises(TLEFormatError) as info:
        read_tle(text)
    exc = info.value
    message = str(exc)
    assert isinstance(exc, ElementsError) and isinstance(exc, ZaryaError)
    assert "\n" not in message  # one line, printable as is by the command line
    assert message.startswith(f"record 1, line {line} of the file: ")
    assert (exc.line, exc.column) == (line, column)
    for word in words:
        assert word in message, (word, message)


def test_checksum_error_names_expected_and_found():
    for wrong in "0123456789":
        if int(wrong) == checksum(L2):
            continue
        with pytest.raises(TLEFormatError) as info:
            parse_tle(L1, L2[:68] + wrong)
        exc = info.value
        assert (exc.line, exc.column, exc.expected, exc.found) == (2, 69, "1", wrong)
        assert str(exc) == f"TLE line 2, column 69 (checksum): expected 1, found {wrong}"


def test_errors_in_a_longer_text_name_the_file_line():
    sets = ISS_TEXT.splitlines()[:9]  # three 3-line sets
    sets[8] = sets[8][:68] + str((int(sets[8][68]) + 1) % 10)  # line 2 of the third
    with pytest.raises(TLEFormatError) as info:
        read_tle("\n".join(sets))
    assert str(info.value).startswith(
        "record 3, line 9 of the file: TLE line 2, column 69 (checksum)"
    )
    assert info.value.column == 69


def test_parse_tle_errors_name_the_tle_line():
    cases = [
        (("hello", L2), 1, 6, "TLE line 1 is 5 characters long, expected 69"),
        ((" " + L1[:68], L2), 1, 1, "TLE line 1, column 1 (line number): expected '1'"),
        ((L2, L1), 1, 1, "TLE line 1, column 1 (line number): expected '1', found '2'"),
        ((L1, L2[:60]), 2, 61, "TLE line 2 is 60 characters long"),
        ((L1, _shift_right_from(L2, 9)), 2, 17, "TLE line 2, column 17 (separator)"),
    ]
    for (line1, line2), line, column, start in cases:
        with pytest.raises(TLEFormatError) as info:
            parse_tle(line1, line2)
        assert (info.value.line, info.value.column) == (line, column)
        assert str(info.value).startswith(start), str(info.value)
    with pytest.raises(TLEFormatError, match=r"^line 12 of the file: TLE line 2, column 69"):
        parse_tle(L1, L2[:68] + "0", first_line_no=11)


def test_tabs_instead_of_spaces_are_refused():
    tabbed = "\t".join(L1.split())  # spaces collapsed into tabs, as a copy-paste can do
    with pytest.raises(TLEFormatError) as info:
        read_tle(f"ISS (ZARYA)\n{tabbed}\n{L2}\n")
    assert info.value.line == 2
    assert "line 2 of the file" in str(info.value) and "'1\\t25544U\\t" in str(info.value)
    with pytest.raises(TLEFormatError) as info:
        parse_tle(tabbed, L2)
    assert info.value.line == 1 and "TLE line 1" in str(info.value)


def test_lenient_relaxes_only_checksum_and_ephemeris_type():
    sloppy1 = L1[:62] + " " + L1[63:68] + "0"  # blank ephemeris type, wrong checksum
    s = parse_tle(sloppy1, L2[:68] + "0", lenient=True)
    assert s.ephemeris_type == 0 and s.norad_id == 25544
    with pytest.raises(TLEFormatError, match="columns 9-16"):  # everything else stays checked
        parse_tle(L1, L2[:8] + "200.0000" + L2[16:], lenient=True)


# ------------------------------------------------------------------------- OMM

OMM_KEYS = list(CSV_FIELDS)  # CelesTrak's OMM keys, in its CSV order (tests/catalog_data.py)
_MEAN_ELEMENTS = OMM_KEYS[2:9]
_TLE_PARAMETERS = OMM_KEYS[9:]
_UNITS = {
    "MEAN_MOTION": "rev/day",
    "INCLINATION": "deg",
    "RA_OF_ASC_NODE": "deg",
    "ARG_OF_PERICENTER": "deg",
    "MEAN_ANOMALY": "deg",
    "BSTAR": "1/ER",
    "MEAN_MOTION_DOT": "rev/day**2",
    "MEAN_MOTION_DDOT": "rev/day**3",
}

# Real sets of the history, odd ones included: the first, RAAN '   .6413', a negative
# n-dot manoeuvre fit, the 'day 366' epoch, the latest.
OMM_EPOCHS = [
    "02256.70033192",
    "16108.51933851",
    "16065.25775256",
    "19366.82137887",
    "25313.96830531",
]


def _omm_record(s: ElementSet) -> dict:
    """CelesTrak's OMM JSON record for an element set (the epoch to the microsecond)."""
    year = int(s.intl_designator[:2])
    year += 1900 if year >= 57 else 2000
    return {
        "OBJECT_NAME": s.name,
        "OBJECT_ID": f"{year}-{s.intl_designator[2:]}",
        "EPOCH": s.epoch.strftime("%Y-%m-%dT%H:%M:%S.%f"),
        "MEAN_MOTION": s.mean_motion_rev_per_day,
        "ECCENTRICITY": s.eccentricity,
        "INCLINATION": s.inclination_deg,
        "RA_OF_ASC_NODE": s.raan_deg,
        "ARG_OF_PERICENTER": s.arg_perigee_deg,
        "MEAN_ANOMALY": s.mean_anomaly_deg,
        "EPHEMERIS_TYPE": s.ephemeris_type,
        "CLASSIFICATION_TYPE": s.classification,
        "NORAD_CAT_ID": s.norad_id,
        "ELEMENT_SET_NO": s.element_set_no,
        "REV_AT_EPOCH": s.rev_number,
        "BSTAR": s.bstar,
        "MEAN_MOTION_DOT": s.ndot,
        "MEAN_MOTION_DDOT": s.nddot,
    }


def _to_json(sets: list[ElementSet]) -> str:
    return json.dumps([_omm_record(s) for s in sets], indent=1)


def _to_csv(sets: list[ElementSet]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=OMM_KEYS)  # '\r\n' line ends, as CelesTrak
    writer.writeheader()
    writer.writerows(_omm_record(s) for s in sets)
    return out.getvalue()


def _to_xml(sets: list[ElementSet]) -> str:
    """CCSDS NDM/XML, laid out as CelesTrak serves it (FORMAT=xml)."""

    def leaves(rec: dict, keys: list[str]) -> str:
        return "".join(f"<{k}>{escape(str(rec[k]))}</{k}>" for k in keys)

    body = []
    for s in sets:
        rec = _omm_record(s)
        body.append(
            '<omm id="CCSDS_OMM_VERS" version="2.0">'
            "<header><CREATION_DATE/><ORIGINATOR/></header>"
            "<body><segment>"
            "<metadata>"
            f"{leaves(rec, ['OBJECT_NAME', 'OBJECT_ID'])}"
            "<CENTER_NAME>EARTH</CENTER_NAME><REF_FRAME>TEME</REF_FRAME>"
            "<TIME_SYSTEM>UTC</TIME_SYSTEM><MEAN_ELEMENT_THEORY>SGP4</MEAN_ELEMENT_THEORY>"
            "</metadata>"
            f"<data><meanElements>{leaves(rec, _MEAN_ELEMENTS)}</meanElements>"
            f"<tleParameters>{leaves(rec, _TLE_PARAMETERS)}</tleParameters></data>"
            "</segment></body></omm>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<ndm xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:noNamespaceSchemaLocation="https://sanaregistry.org/r/ndmxml_unqualified/'
        'ndmxml-2.0.0-master-2.0.xsd">\n' + "\n".join(body) + "\n</ndm>\n"
    )


def _to_xml_qualified(sets: list[ElementSet]) -> str:
    """The same document with every element in a default namespace (qualified NDM/XML)."""
    text = _to_xml(sets)
    return text.replace("<ndm ", '<ndm xmlns="urn:ccsds:schema:ndmxml" ', 1)


def _to_kvn(sets: list[ElementSet]) -> str:
    """CCSDS OMM KVN (502.0-B-2), units in brackets, one message after the other."""
    lines = []
    for s in sets:
        rec = _omm_record(s)
        lines += [
            "CCSDS_OMM_VERS = 2.0",
            "COMMENT made from a TLE by zarya's tests",
            "CREATION_DATE = 2025-11-10T00:00:00",
            "ORIGINATOR = TEST",
            "",
            f"OBJECT_NAME = {rec['OBJECT_NAME']}",
            f"OBJECT_ID = {rec['OBJECT_ID']}",
            "CENTER_NAME = EARTH",
            "REF_FRAME = TEME",
            "TIME_SYSTEM = UTC",
            "MEAN_ELEMENT_THEORY = SGP4",
            "",
        ]
        for key in OMM_KEYS[2:]:
            unit = f" [{_UNITS[key]}]" if key in _UNITS else ""
            lines.append(f"{key:<20}= {rec[key]}{unit}")
        lines.append("")
    return "\n".join(lines)


OMM_FORMATS = {
    "json": (_to_json, read_omm_json),
    "csv": (_to_csv, read_omm_csv),
    "xml": (_to_xml, read_omm_xml),
    "xml-qualified": (_to_xml_qualified, read_omm_xml),
    "kvn": (_to_kvn, read_omm_kvn),
}


@pytest.mark.parametrize("fmt", list(OMM_FORMATS))
def test_omm_round_trip_propagates_like_the_tle(fmt):
    write, read = OMM_FORMATS[fmt]
    sets = _iss_sets()
    tles = [_by_epoch(sets, epoch) for epoch in OMM_EPOCHS]
    text = write(tles)
    omms = read(text, source="test")
    assert read_elements_text(text) == [dataclasses.replace(s, source="") for s in omms]
    assert len(omms) == len(tles)
    worst = 0.0
    for tle, omm in zip(tles, omms, strict=True):
        assert omm.line1 is None and omm.line2 is None  # sgp4init, not twoline2rv
        assert (omm.norad_id, omm.name, omm.source) == (25544, "ISS (ZARYA)", "test")
        assert omm.intl_designator == "1998-067A"
        assert (omm.rev_number, omm.element_set_no, omm.classification) == (
            tle.rev_number,
            tle.element_set_no,
            tle.classification,
        )
        assert (omm.inclination_deg, omm.raan_deg, omm.eccentricity) == (
            tle.inclination_deg,
            tle.raan_deg,
            tle.eccentricity,
        )
        assert (omm.mean_motion_rev_per_day, omm.bstar, omm.ndot) == (
            tle.mean_motion_rev_per_day,
            tle.bstar,
            tle.ndot,
        )
        # the OMM epoch is the TLE epoch to the microsecond
        assert abs((omm.epoch - tle.epoch).total_seconds()) < 1e-6
        # the same instant, half a day on: the TLE through twoline2rv, the OMM through
        # sgp4init. Only the epoch can differ: written to the microsecond (a TLE epoch is a
        # multiple of 1e-8 day = 864 microseconds, so that is exact) and read back as a
        # float pair (rounding below 1e-13 day, 0.07 mm along-track). 1 m leaves room for
        # an OMM epoch cut to the microsecond and still catches any wrong unit or field.
        distance = float(np.linalg.norm(_state(tle, 0.5) - _state(omm, 0.5, at=tle)))
        worst = max(worst, distance)
    assert worst < 1e-3


def test_omm_json_single_object_and_csv_quoting():
    s = _iss_sets()[-1]
    (one,) = read_omm_json(json.dumps(_omm_record(s)))  # an object, not a list
    assert one.norad_id == 25544
    # CelesTrak's CSV quotes names with commas; numbers may come as strings in JSON
    rec = {k: str(v) for k, v in _omm_record(s).items()} | {"OBJECT_NAME": "ISS, ZARYA"}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=OMM_KEYS)
    writer.writeheader()
    writer.writerow(rec)
    (row,) = read_omm_csv(out.getvalue())
    (strings,) = read_omm_json(json.dumps([rec]))
    assert row.name == strings.name == "ISS, ZARYA"
    assert row == strings and row.mean_motion_rev_per_day == s.mean_motion_rev_per_day


def _good_record() -> dict:
    return _omm_record(_iss_sets()[-1])


def _without(key: str) -> dict:
    rec = _good_record()
    del rec[key]
    return rec


OMM_ERRORS = {
    # name: (reader, text, words the one-line message must contain)
    "JSON object that is not OMM": (read_omm_json, '{"foo": 1}', ["record 1", "missing", "EPOCH"]),
    "JSON list of numbers": (read_omm_json, "[1, 2, 3]", ["not OMM JSON"]),
    "JSON that is not JSON": (read_omm_json, "[{", ["JSON ends in the middle", "line 1"]),
    "JSON that is not JSON at all": (read_omm_json, "[{x: 1}, {}]", ["not valid JSON", "line 1"]),
    "missing MEAN_MOTION": (
        read_omm_json,
        json.dumps([_good_record(), _without("MEAN_MOTION")]),
        ["record 2", "missing MEAN_MOTION"],
    ),
    "eccentricity 1.5": (
        read_omm_json,
        json.dumps([_good_record() | {"ECCENTRICITY": 1.5}]),
        ["record 1", "ECCENTRICITY", "1.5"],
    ),
    "mean motion not a number": (
        read_omm_json,
        json.dumps([_good_record() | {"MEAN_MOTION": "fast"}]),
        ["record 1", "MEAN_MOTION", "'fast'"],
    ),
    "bad EPOCH": (
        read_omm_json,
        json.dumps([_good_record() | {"EPOCH": "yesterday"}]),
        ["record 1", "EPOCH", "'yesterday'"],
    ),
    "impossible EPOCH": (
        read_omm_json,
        json.dumps([_good_record() | {"EPOCH": "2020-13-01T00:00:00"}]),
        ["record 1", "EPOCH", "month"],
    ),
    "XML that is not XML": (read_omm_xml, "ISS (ZARYA) 25544 <omm", ["not XML"]),
    "XML without the elements": (
        read_omm_xml,
        '<ndm><omm id="CCSDS_OMM_VERS"><body/></omm></ndm>',
        ["record 1", "missing", "MEAN_MOTION"],
    ),
    "CSV without EPOCH column": (
        read_omm_csv,
        "OBJECT_NAME,NORAD_CAT_ID,MEAN_MOTION\nISS (ZARYA),25544,15.5\n",
        ["CSV", "EPOCH column"],
    ),
    "CSV row without MEAN_MOTION": (
        read_omm_csv,
        _to_csv([_iss_sets()[-1]]).replace(",15.49490024,", ",,"),
        ["record 1 (line 2)", "MEAN_MOTION"],
    ),
    "KVN line without '='": (
        read_omm_kvn,
        "CCSDS_OMM_VERS = 2.0\nOBJECT_NAME ISS\n",
        ["KVN", "'OBJECT_NAME ISS'"],
    ),
}


@pytest.mark.parametrize("case", list(OMM_ERRORS))
def test_omm_errors(case):
    reader, text, words = OMM_ERRORS[case]
    with pytest.raises(OMMError) as info:
        reader(text)
    message = str(info.value)
    assert isinstance(info.value, ElementsError)
    assert "\n" not in message
    for word in words:
        assert word in message, (word, message)


def test_omm_eccentricity_range_is_stated_exactly():
    # the accepted range ends below 1: the message must not claim "0 to 1" for e = 1
    with pytest.raises(OMMError) as info:
        from_record(_good_record() | {"ECCENTRICITY": 1.0}, where="record 7")
    assert str(info.value) == "record 7: ECCENTRICITY = 1.0 is outside 0 to 0.9999999"


def test_omm_errors_through_the_sniffer():
    with pytest.raises(OMMError, match="record 1"):
        read_elements_text('{"foo": 1}')
    with pytest.raises(OMMError, match="not XML"):
        read_elements_text("<ndm><omm>")


# ------------------------------------------------------------------------ files


def test_read_gzipped_tle_file(tmp_path):
    path = tmp_path / "iss.tle.gz"
    path.write_bytes(gzip.compress(ISS_TEXT.encode("ascii")))
    sets = read_elements_file(path)
    assert sets == read_tle(ISS_TEXT, source=str(path))
    assert len(sets) == 150


def test_read_gzipped_omm_file(tmp_path):
    path = tmp_path / "gp.json.gz"
    sets = _iss_sets()[-3:]
    path.write_bytes(gzip.compress(_to_json(sets).encode()))
    got = read_elements_file(path)
    assert [s.norad_id for s in got] == [25544] * 3 and got[0].source == str(path)


def test_missing_file(tmp_path):
    path = tmp_path / "nothing-here.tle"
    with pytest.raises(ElementsError) as info:
        read_elements_file(path)
    assert str(info.value) == f"no such elements file: {path}"


def test_binary_file(tmp_path):
    path = tmp_path / "picture.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(ElementsError) as info:
        read_elements_file(path)
    message = str(info.value)
    assert str(path) in message and "not UTF-8" in message and "\n" not in message


def test_empty_and_broken_gzip_files(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n")
    with pytest.raises(ElementsError, match="no element sets"):
        read_elements_file(empty)
    broken = tmp_path / "cut.tle.gz"
    broken.write_bytes(gzip.compress(ISS_TEXT.encode())[:100])
    with pytest.raises(ElementsError, match="not a valid gzip file"):
        read_elements_file(broken)


def test_file_errors_name_the_file_and_line(tmp_path):
    path = tmp_path / "bad.tle"
    path.write_text(f"ISS (ZARYA)\n{L1}\n{L2[:68]}0\n")
    with pytest.raises(TLEFormatError) as info:
        read_elements_file(path)
    assert str(info.value) == (
        f"{path}: record 1, line 3 of the file: TLE line 2, column 69 (checksum): expected 1, "
        "found 0"
    )


def test_file_errors_keep_the_tle_error_attributes(tmp_path):
    path = tmp_path / "bad.tle"
    path.write_text(f"{L1}\n{L2[:68]}0\n")
    with pytest.raises(TLEFormatError) as info:
        read_elements_file(path)
    assert (info.value.column, info.value.expected, info.value.found) == (69, "1", "0")


MB = 1024 * 1024


def _gzip_bomb(path, megabytes, fill=b"\0"):
    """``megabytes`` MiB of ``fill`` bytes as a multi-member gzip file of about 1 kB per MiB."""
    member = gzip.compress(fill * (MB // len(fill)))
    with open(path, "wb") as f:
        for _ in range(megabytes):
            f.write(member)


def test_devices_and_directories_are_refused_unread(tmp_path):
    """`--elements /dev/zero` read forever; now refused before a byte is read."""
    for device in ("/dev/zero", "/dev/null"):
        with pytest.raises(ElementsError) as info:
            read_elements_file(device)
        assert str(info.value) == (
            f"{device} is not a regular file (a device or socket): expected an elements file"
        )
    with pytest.raises(ElementsError, match="is a directory, not an elements file"):
        read_elements_file(tmp_path)


def test_a_file_over_the_cap_is_refused_by_its_size(tmp_path, monkeypatch):
    monkeypatch.setattr("zarya.elements.records.MAX_FILE_BYTES", 4096)
    path = tmp_path / "big.tle"
    path.write_text(ISS_TEXT)
    with pytest.raises(ElementsError) as info:
        read_elements_file(path)
    assert str(info.value) == (
        f"{path}: {path.stat().st_size} bytes is too large for an element file (at most 4096)"
    )


def test_a_gzip_bomb_stops_at_the_cap_in_bounded_memory(tmp_path, monkeypatch):
    """256 MiB of blank lines (1 kB each) in 256 kB of gzip, against a cap of 8 MiB:
    decompression stops at the cap; the peak is a few blocks, not the 256 MiB it used to
    inflate to."""
    import tracemalloc

    monkeypatch.setattr("zarya.elements.records.MAX_FILE_BYTES", 8 * MB)
    path = tmp_path / "bomb.tle.gz"
    _gzip_bomb(path, 256, fill=b" " * 1023 + b"\n")
    tracemalloc.start()
    try:
        with pytest.raises(ElementsError) as info:
            read_elements_file(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(info.value) == (
        f"{path}: more than {8 * MB} bytes once decompressed: too large for an element file"
    )
    assert peak < 16 * MB, f"peak Python memory {peak / MB:.1f} MB"
    ok = tmp_path / "ok.tle.gz"  # under the cap, gzip still reads whole
    ok.write_bytes(gzip.compress(ISS_TEXT.encode()))
    assert len(read_elements_file(ok)) == 150


def test_a_1_gb_gzip_bomb_on_the_command_line(tmp_path):
    """The whole command, at the real cap (256 MiB), in its own process: one line, and the
    peak RSS stays bounded (under the cap), not the 2 GB that inflating the whole bomb cost.
    The bomb is zeros: one endless line, refused at the line-length limit once 64 kB of it
    are decompressed."""
    import subprocess
    import sys

    from zarya.elements.records import MAX_FILE_BYTES

    bomb = tmp_path / "bomb.tle.gz"
    _gzip_bomb(bomb, 1024)
    good = tmp_path / "iss.tle"
    good.write_text(ISS_TEXT)
    script = (
        "import resource, sys\n"
        "from zarya.cli import main\n"
        "args = ['passes', '--place', 'Astana', '--from', '2016-03-31', '--days', '1',\n"
        "        '--json', '--elements']\n"
        "assert main(args + [sys.argv[1]]) == 0\n"
        "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "code = main(args + [sys.argv[2]])\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print('RSS', code, base, peak)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(good), str(bomb)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    [numbers] = [ln.split()[1:] for ln in done.stdout.splitlines() if ln.startswith("RSS")]
    code, base_kb, peak_kb = map(int, numbers)
    assert code == 2
    assert done.stderr == (
        f"zarya: error: {bomb}: line 1 is longer than 65536 characters: not an element file\n"
    )
    assert (peak_kb - base_kb) * 1024 < MAX_FILE_BYTES + 64 * MB, (base_kb, peak_kb)


def test_a_pipe_is_read(tmp_path):
    """A shell's `--elements <(curl ...)` is a pipe, not a regular file: still read."""
    import os
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)

    def write():
        with open(fifo, "w") as f:
            f.write(ISS_TEXT)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        sets = read_elements_file(fifo)
    finally:
        writer.join(timeout=10)
    assert len(sets) == 150


# -------------------------------------------------------------------- selection


def _renamed(number: int, name: str) -> ElementSet:
    """A real ISS set given another catalogue number and name."""
    line1, line2 = _alpha5_lines(f"{number:05d}")
    return parse_tle(line1, line2, name)


@pytest.fixture(scope="module")
def mixed_sets() -> list[ElementSet]:
    return [
        *_iss_sets(),
        _renamed(44235, "STARLINK-1"),
        _renamed(44236, "STARLINK-2"),
        _renamed(44237, "STARLINK-10"),
    ]


def test_select_by_number(mixed_sets):
    iss = select_object(mixed_sets, 25544)
    assert len(iss) == 150 and {s.norad_id for s in iss} == {25544}
    assert [s.name for s in select_object(mixed_sets, "44236")] == ["STARLINK-2"]
    assert select_object(mixed_sets, None) == iss  # the ISS by default


def test_select_by_name(mixed_sets):
    assert select_object(mixed_sets, "iss") == select_object(mixed_sets, 25544)
    assert select_object(mixed_sets, "ISS (ZARYA)") == select_object(mixed_sets, 25544)
    # an exact name wins over the names it is a prefix of (STARLINK-10)
    assert [s.norad_id for s in select_object(mixed_sets, "starlink-1")] == [44235]


def test_select_unknown_number(mixed_sets):
    with pytest.raises(CatalogError) as info:
        select_object(mixed_sets, 12345)
    message = str(info.value)
    assert "12345" in message and "ISS (ZARYA) (25544)" in message and "\n" not in message


def test_select_unknown_name(mixed_sets):
    with pytest.raises(CatalogError, match="no satellite named 'HUBBLE'"):
        select_object(mixed_sets, "HUBBLE")


def test_select_ambiguous_name(mixed_sets):
    with pytest.raises(CatalogError) as info:
        select_object(mixed_sets, "starlink")
    message = str(info.value)
    assert "matches several satellites" in message and "NORAD number" in message
    for listed in ("STARLINK-1 (44235)", "STARLINK-2 (44236)", "STARLINK-10 (44237)"):
        assert listed in message
