"""Vallado's SGP4 verification set, through zarya's own reader and propagation path.

Each of the 33 entries of ``SGP4-VER.TLE`` is read by :func:`zarya.elements.tle.parse_tle`
(first 69 columns) and propagated by :meth:`zarya.engine.satellite.Satellite.teme` at the times
python-sgp4's ``sgp4/tests.py`` (``generate_satellite_output``) builds from the start, stop
and step minutes after column 69; every state is compared with Vallado's C++ output
``tcppver.out``. The deliberately broken entries must be refused by the strict reader with
a precise error, and read (and verified) with ``lenient=True``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from sgp4.api import WGS72, Satrec

from zarya.elements.tle import checksum, parse_tle, read_tle
from zarya.engine.satellite import Satellite
from zarya.errors import ElementsError, TLEFormatError

from .conftest import shared_or_local

# python-sgp4's tolerance (``error = 2e-7`` in sgp4/tests.py) on the seven printed numbers:
# tsince (min), x, y, z (km), xdot, ydot, zdot (km/s). tcppver.out rounds them to 8 and 9
# decimals, i.e. by at most 5e-9, so comparing unrounded values keeps the same margin.
ERROR = 2e-7

# The entries the strict reader must refuse: satnum -> [(TLE line, column, expected, found)].
# Vallado broke these on purpose (README of tests/data/vallado): wrong checksums on 33333,
# 33334 and 33335 (digits counted by hand from the lines), no ephemeris type on 11801.
BROKEN = {
    11801: [(1, 63, "a digit (0 for SGP4)", " ")],
    33333: [(1, 69, "2", "4"), (2, 69, "0", "8")],
    33334: [(1, 69, "6", "9")],
    33335: [(1, 69, "3", "0"), (2, 69, "7", "1")],
}

# python-sgp4's expected error list ([1,1,6,6,4,3,6] in tests.py), with the satellite and
# the time (minutes since epoch) where each occurs: the next time in the list after the
# last line tcppver.out prints for that satellite (0.0: it fails at epoch, and the C++
# program repeats the previous data line with tsince 0).
EXPECTED_ERRORS = [
    (22312, 494.2028672, 1),  # mean eccentricity -0.001329
    (28350, 1560.0, 1),  # mean eccentricity -0.001208
    (28872, 55.0, 6),  # mrt 0.996159: decayed
    (29141, 440.0, 6),  # mrt 0.996252: decayed
    (33333, 25.0, 4),  # semilatus rectum -0.103223 < 0
    (33334, 0.0, 3),  # perturbed eccentricity -122.217193
    (20413, 1844345.0, 6),  # mrt 0.830534: decayed
]

# Known departures from the reference: none. (Two were found and fixed in src: a set that
# fails at its epoch now reports sgp4's code per time, and the decay latch applies only to
# near-Earth sets, so deep-space 20413 keeps sgp4's time-by-time verdict.)
KNOWN_DEVIATIONS: dict[tuple[int, float], str] = {}

# tcppver.out prints the calendar instant of each long line to the microsecond; the C++
# program computed it from one double Julian date (2.45e6 days: 2**-52 * 2.45e6 days is
# about 50 microseconds), so the epoch zarya reads must agree to 0.2 ms. A wrong epoch
# (day-of-year off by one, 1e-8 day digits misread) is off by 0.86 ms or more.
DATE_TOLERANCE_S = 2e-4

_DATE = re.compile(r"(\d{4})\s+(\d+)\s+(\d+)\s+(\d+):\s*(\d+):\s*([\d.]+)\s*$")


@dataclass(frozen=True)
class Entry:
    """One element set of SGP4-VER.TLE: the two 69-column lines and the time span."""

    satnum: int
    line1: str
    line2: str
    tstart: float
    tstop: float
    tstep: float
    file_line: int  # 1-based line number of line 1 in SGP4-VER.TLE


@dataclass(frozen=True)
class Block:
    """One satellite's output in tcppver.out: its header satnum and raw data lines."""

    satnum: int
    lines: list[str]


def _entries() -> list[Entry]:
    text = shared_or_local("vallado/SGP4-VER.TLE").read_text("ascii")
    lines = text.splitlines()
    out = []
    for i, line in enumerate(lines):
        if not line.startswith("1"):  # python-sgp4 skips everything else (comments)
            continue
        line2 = lines[i + 1]
        tstart, tstop, tstep = (float(f) for f in line2[69:].split())
        out.append(Entry(int(line[2:7]), line[:69], line2[:69], tstart, tstop, tstep, i + 1))
    return out


def _blocks() -> list[Block]:
    text = shared_or_local("vallado/tcppver.out").read_text("ascii").replace("\r", "")
    blocks: list[Block] = []
    for line in text.splitlines():
        if "xx" in line:
            blocks.append(Block(int(line.split()[0]), []))
        elif line.strip():
            blocks[-1].lines.append(line)
    return blocks


def _times(entry: Entry) -> list[float]:
    """Minutes since epoch, exactly as python-sgp4's ``generate_satellite_output``.

    First t = 0 (the short line), then tstart, tstart + tstep, ... (accumulated in floating
    point, the same way) while <= tstop, skipping a tstart of 0 already printed, then tstop
    itself unless the last step landed on it. The caller stops at the first failure.
    """
    times = [0.0]
    tsince = entry.tstart
    while tsince <= entry.tstop:
        if tsince == entry.tstart == 0.0:
            tsince += entry.tstep
            continue
        times.append(tsince)
        tsince += entry.tstep
    if tsince - entry.tstop < entry.tstep - 1e-6:  # "do not miss last line!"
        times.append(entry.tstop)
    return times


def _read(entry: Entry):
    """The strict reader, falling back to ``lenient=True`` for the known broken entries."""
    try:
        return parse_tle(entry.line1, entry.line2)
    except TLEFormatError:
        assert entry.satnum in BROKEN, f"the strict reader refused {entry.satnum}"
        return parse_tle(entry.line1, entry.line2, lenient=True)


def _tle_epoch_jd(line1: str) -> tuple[float, float]:
    """The epoch as printed (columns 19-32), as a (whole, fraction) Julian date pair.

    The fraction is the nearest double to the printed 8 decimals, as sgp4's own
    ``Satrec.jdsatepochF`` (python-sgp4 rounds it to 8 digits, "exact number of digits in
    TLE"); the C++ program that wrote tcppver.out propagated by minutes since that epoch.
    """
    year2 = int(line1[18:20])
    year = year2 + (1900 if year2 >= 57 else 2000)
    day, digits = line1[20:32].strip().split(".")
    jan0 = 2440587.5 + (date(year, 1, 1) - date(1970, 1, 1)).days - 1.0
    return jan0 + int(day), float("0." + digits)


def _propagate(elements, epoch_jd: tuple[float, float], times_min: list[float]):
    """Satellite.teme at epoch + t, the Julian dates split as python-sgp4's test splits them
    (``divmod(tsince / 1440, 1)`` added to the epoch's whole and fraction)."""
    whole, fraction = np.divmod(np.array(times_min) / 1440.0, 1.0)
    return Satellite([elements]).teme(epoch_jd[0] + whole, epoch_jd[1] + fraction)


def _numbers(line: str) -> list[float]:
    return [float(f) for f in line.split()[:7]]


def _printed_instant(line: str) -> datetime:
    y, mo, d, h, mi, s = _DATE.search(line).groups()
    return datetime(int(y), int(mo), int(d), int(h), int(mi), tzinfo=UTC) + timedelta(
        seconds=float(s)
    )


def test_entries_and_output_blocks_line_up():
    entries, blocks = _entries(), _blocks()
    assert len(entries) == 33
    assert [e.satnum for e in entries] == [b.satnum for b in blocks]


def test_vallado_verification_set():
    entries, blocks = _entries(), _blocks()
    data_lines = sum(len(b.lines) for b in blocks)
    assert data_lines == 700 - 33  # the file: 700 lines, one header per satellite

    compared = 0  # reference lines checked against zarya's state for that time
    uncompared = 0  # reference lines left out by a known deviation (see the end)
    errors: list[tuple[int, float, int]] = []
    deviations: dict[tuple[int, float], str] = {}
    worst = worst_date_s = 0.0
    previous = ""  # the previous data line of tcppver.out

    for entry, block in zip(entries, blocks, strict=True):
        elements = _read(entry)
        assert elements.norad_id == entry.satnum
        times = _times(entry)
        try:
            r, v, err = _propagate(elements, _tle_epoch_jd(entry.line1), times)
        except ElementsError as exc:
            assert "sgp4 error 3" in str(exc), exc  # 33334, see KNOWN_DEVIATIONS
            deviations[(entry.satnum, 0.0)] = str(exc)
            uncompared += len(block.lines)
            previous = block.lines[-1]
            continue

        failed = np.flatnonzero(err != 0)
        n_ok = int(failed[0]) if len(failed) else len(times)
        assert np.isfinite(r[:n_ok]).all() and np.isfinite(v[:n_ok]).all()
        if len(failed):
            k = int(failed[0])
            # a failure is NaN with sgp4's code, never a number
            assert np.isnan(r[k]).all() and np.isnan(v[k]).all()
            assert err[k] in (1, 2, 3, 4, 5, 6)
        # tcppver.out prints exactly the states before the first failure (python-sgp4
        # stops there too) ...
        if n_ok == 0:
            # ... except at epoch, where the C++ program repeats the previous data line
            # with tsince 0 ("Use previous data line" in python-sgp4): not a state, and
            # zarya's NaN with the code is the right answer for it.
            assert len(block.lines) == 1
            assert block.lines[0] == "       0.00000000" + previous[17:107]
            compared += 1
        deviates = 0 < n_ok < len(block.lines)
        if deviates:
            deviations[(entry.satnum, times[n_ok])] = (
                f"code {err[n_ok]} where tcppver.out has a state"
            )
            uncompared += len(block.lines) - n_ok
        elif n_ok > 0:
            assert len(block.lines) == n_ok, (entry.satnum, "zarya propagates past a failure")
        if len(failed) and not deviates:
            errors.append((entry.satnum, times[n_ok], int(err[n_ok])))

        for k in range(min(n_ok, len(block.lines))):
            expected = _numbers(block.lines[k])
            actual = [times[k], *r[k], *v[k]]
            diff = np.abs(np.subtract(actual, expected))
            assert (diff < ERROR).all(), (entry.satnum, times[k], actual, expected)
            worst = max(worst, float(diff.max()))
            compared += 1
            if k > 0:  # long lines carry the calendar instant epoch + tsince
                when = elements.epoch + timedelta(minutes=times[k])
                off = abs((when - _printed_instant(block.lines[k])).total_seconds())
                assert off < DATE_TOLERANCE_S, (entry.satnum, times[k], when)
                worst_date_s = max(worst_date_s, off)
        previous = block.lines[-1]

    assert worst < ERROR and worst_date_s < DATE_TOLERANCE_S
    assert compared + uncompared == data_lines
    if deviations:
        # Only the departures already reported may remain; everything else was checked.
        assert set(deviations) <= set(KNOWN_DEVIATIONS), deviations
        deviating = {satnum for satnum, _ in deviations}
        assert errors == [e for e in EXPECTED_ERRORS if e[0] not in deviating]
        pytest.xfail(
            f"{compared} of {data_lines} states match; src departs from the reference: "
            + "; ".join(f"{s} at t={t} min: {KNOWN_DEVIATIONS[(s, t)]}" for s, t in deviations)
        )
    assert errors == EXPECTED_ERRORS
    assert [code for _, _, code in errors] == [1, 1, 6, 6, 4, 3, 6]  # python-sgp4's list
    assert compared == data_lines


@pytest.mark.parametrize("satnum", sorted(BROKEN))
def test_strict_reader_refuses_the_broken_entries(satnum):
    entry = next(e for e in _entries() if e.satnum == satnum)
    lines = {1: entry.line1, 2: entry.line2}
    for which, column, expected, found in BROKEN[satnum]:
        # give the reader the other line in good shape, so it reaches this one
        given = dict(lines)
        for other in (1, 2):
            if other != which:
                given[other] = lines[other][:68] + str(checksum(lines[other]))
        with pytest.raises(TLEFormatError) as info:
            parse_tle(given[1], given[2])
        exc = info.value
        message = str(exc)
        assert (exc.line, exc.column, exc.expected, exc.found) == (which, column, expected, found)
        assert "\n" not in message
        assert f"TLE line {which}, column {column}" in message
        if column == 69:
            assert "checksum" in message
            assert f"expected {expected}, found {found}" in message
            assert int(expected) == checksum(lines[which])  # the reader counts right
        else:
            assert "ephemeris type" in message and "found ' '" in message
    # lenient=True takes the entry as it is
    elements = parse_tle(entry.line1, entry.line2, lenient=True)
    assert elements.norad_id == satnum
    assert elements.line1 == entry.line1 and elements.line2 == entry.line2


def test_strict_reader_accepts_every_other_entry():
    good = [e for e in _entries() if e.satnum not in BROKEN]
    assert len(good) == 29  # 33 less the 4 broken ones (20413 appears twice, both sound)
    for entry in good:
        assert parse_tle(entry.line1, entry.line2).norad_id == entry.satnum


def test_read_tle_on_the_whole_set():
    entries = _entries()
    text = "\n".join(f"{e.line1}\n{e.line2}" for e in entries)
    # strict: the first broken entry (11801, the 7th pair) stops the reading, and the
    # error names its line in the text
    first = next(i for i, e in enumerate(entries) if e.satnum in BROKEN)
    with pytest.raises(TLEFormatError) as info:
        read_tle(text)
    assert entries[first].satnum == 11801
    assert str(info.value).startswith(
        f"record {first + 1}, line {2 * first + 1} of the file: TLE line 1, column 63"
    )
    # lenient: all 33, the same sets as one by one
    sets = read_tle(text, lenient=True)
    assert [s.norad_id for s in sets] == [e.satnum for e in entries]
    assert sets == [parse_tle(e.line1, e.line2, lenient=True) for e in entries]


def test_epochs():
    """zarya's epoch is the printed one (two-digit years 57-99 are 19xx, 00-56 are 20xx).

    sgp4 itself keeps the fraction to the printed 8 decimals; zarya's ``epoch_jd`` may
    differ from it by float rounding only, far below the 1e-8 day of the last digit.
    """
    for entry in _entries():
        elements = _read(entry)
        whole, fraction = _tle_epoch_jd(entry.line1)
        sat = Satrec.twoline2rv(entry.line1, entry.line2, WGS72)
        assert (sat.jdsatepoch, sat.jdsatepochF) == (whole, fraction)  # the helper is right
        assert elements.epoch_jd[0] == whole
        assert abs(elements.epoch_jd[1] - fraction) < 1e-13  # 1e-13 day = 9 ns
