"""Trajectories (CCSDS OEM): reading, interpolation, frames, passes, the selection rule.

The data is real: NASA's ISS trajectory of 2025-02-26 as published (OEM 2.0 XML, EME2000,
UTC, 5413 states, ``tests/data/iss/ISS.OEM_J2K_EPH_2025-02-26.xml.gz``) and two ISS element
sets of March 2025 (``tests/data/iss/iss_2025-03_sets.tle``); see tests/data/README.md.

- Reader: this file carries its own KVN and XML writers (zarya has none), written from the
  CCSDS 502.0 layout with every float as ``repr``: what they write must read back
  identical (epochs, states, frame, time system, comments, events), in both encodings, in
  TAI, TT and GPS as in UTC; the published XML and the KVN written from it give the same
  trajectory. Bad input: one line naming the line (KVN) or the element (XML), exit 2, and
  nothing stored.
- Interpolation: leave-one-out against the file's own states; EME2000 -> Earth-fixed against
  Skyfield (IAU 2006/2000A); passes against Skyfield's searches on the same states.
- Selection: what the rule picks and where it switches, computed here from the rule's
  definition; a switch inside a pass; a planned burn; the age check at a switch.
- ``zarya elements update --source nasa-iss`` against a real HTTP server on loopback.

Every tolerance is 2-3 times the error measured here, and the measurement is cited.

Five deviations found here were fixed in src: a segment's first or last state was outside
it (a Julian date summed into one float); two KVN errors named no line; EME2000 ->
Earth-fixed was 1.06 m from Skyfield's (the IAU 1976/1980 chain, now IAU 2006/2000A); an
exact tie between a trajectory and a later set went to the set.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

import erfa
import numpy as np
import pytest

from zarya import Ephemeris, Observer, PassOptions, Satellite, Window, find_passes
from zarya.elements.oem import OEMSegment, Trajectory
from zarya.elements.readers import read_oem
from zarya.elements.store import open_store
from zarya.elements.tle import parse_tle, read_tle
from zarya.engine.timescale import datetime_of
from zarya.engine.trajectory import OUTSIDE_CODE, TrajectoryStates
from zarya.errors import OEMError, StaleElementsError

from .catalog_server import ElementServer, Route
from .cli_harness import run, run_json

DATA = Path(__file__).parent / "data" / "iss"
OEM_XML_GZ = DATA / "ISS.OEM_J2K_EPH_2025-02-26.xml.gz"
SETS_TLE = DATA / "iss_2025-03_sets.tle"
ISS = 25544
UNIX_JD = 2440587.5
UNIX = datetime(1970, 1, 1, tzinfo=UTC)
# Seconds to add to UTC in 2025 (TAI - UTC = 37 s since 2017-01-01; TT = TAI + 32.184 s;
# GPS = TAI - 19 s).
OFFSET_S = {"UTC": 0.0, "TAI": 37.0, "TT": 37.0 + 32.184, "GPS": 37.0 - 19.0}
GM_KM3_S2 = 398600.4418

# The published file's facts (read off the file itself, not through zarya).
CREATED = datetime(2025, 2, 26, 18, 18, 7, 830000, tzinfo=UTC)
FIRST = datetime(2025, 2, 26, 12, 0, tzinfo=UTC)
LAST = datetime(2025, 3, 13, 12, 0, tzinfo=UTC)
N_STATES = 5413
EVENTS = [  # name, time of ignition (day of year 2025), delta-v m/s
    ("91P Launch", datetime(2025, 2, 27, 21, 24, 27, tzinfo=UTC), 0.0),
    ("91P Dock", datetime(2025, 3, 1, 23, 3, 50, tzinfo=UTC), 0.0),
    ("Crew10 Launch", datetime(2025, 3, 12, 23, 48, 54, tzinfo=UTC), 0.0),
    ("Crew10 Dock", datetime(2025, 3, 13, 11, 54, 54, tzinfo=UTC), 0.0),
]


# --------------------------------------------------------------------------- helpers
def jd(when: datetime) -> float:
    return UNIX_JD + (when - UNIX) / timedelta(days=1)


def utc_of(whole: float, fraction: float) -> datetime:
    """A two-part UTC Julian date as a datetime, to the microsecond."""
    micro = round((whole - UNIX_JD) * 86400e6) + round(fraction * 86400e6)
    return UNIX + timedelta(microseconds=micro)


def epochs(seg: OEMSegment) -> list[datetime]:
    return [utc_of(w, f) for w, f in zip(seg.jd_whole, seg.jd_fraction, strict=True)]


def to_second(when: datetime) -> str:
    """ISO 8601 UTC rounded to the second, with Z."""
    return f"{when + timedelta(microseconds=500_000):%Y-%m-%dT%H:%M:%S}Z"


def ccsds(when: datetime, digits: int = 3, doy: bool = False) -> str:
    """A CCSDS epoch, calendar (2025-02-26T12:00:00.000) or day of year (2025-057T...)."""
    day = f"{when:%Y-%j}" if doy else f"{when:%Y-%m-%d}"
    text = f"{day}T{when:%H:%M:%S}"
    if digits:
        text += f".{when.microsecond:06d}"[: digits + 1]
    return text


def digits_of(seg: OEMSegment) -> int:
    return round(-np.log10(seg.epoch_resolution_s))


def in_system(when: datetime, system: str) -> datetime:
    assert when.year >= 2017, "OFFSET_S holds from 2017 on"
    return when + timedelta(seconds=OFFSET_S[system])


def seg_epoch_texts(seg: OEMSegment, system: str, doy: bool) -> list[str]:
    return [ccsds(in_system(e, system), digits_of(seg), doy) for e in epochs(seg)]


def numbers(seg: OEMSegment, i: int) -> list[str]:
    row = [*seg.r_km[i], *seg.v_km_s[i]]
    if seg.a_km_s2 is not None:
        row += list(seg.a_km_s2[i])
    return [repr(float(x)) for x in row]


def _meta(seg: OEMSegment, system: str, frame: str | None, doy: bool) -> list[tuple[str, str]]:
    first, last = epochs(seg)[0], epochs(seg)[-1]
    meta = [
        ("OBJECT_NAME", seg.object_name), ("OBJECT_ID", seg.object_id),
        ("CENTER_NAME", "EARTH"), ("REF_FRAME", frame or seg.frame_as_given),
        ("TIME_SYSTEM", system),
        ("START_TIME", ccsds(in_system(first, system), digits_of(seg), doy)),
    ]
    for key, value in (("USEABLE_START_TIME", seg.useable_start_jd),
                       ("USEABLE_STOP_TIME", seg.useable_stop_jd)):
        if value is not None:
            when = utc_of(value, 0.0)
            meta.append((key, ccsds(in_system(when, system), 6, doy)))
    meta.append(("STOP_TIME", ccsds(in_system(last, system), digits_of(seg), doy)))
    if seg.interpolation is not None:
        meta.append(("INTERPOLATION", seg.interpolation))
    if seg.degree is not None:
        meta.append(("INTERPOLATION_DEGREE", str(seg.degree)))
    return meta


COVARIANCE = [  # a 6x6 lower triangle, km**2, km**2/s, km**2/s**2 (values of no consequence)
    [3.3e-4], [4.6e-4, 6.2e-4], [-3.0e-4, -3.4e-4, 6.2e-4],
    [-3.3e-7, -4.7e-7, 2.5e-7, 3.5e-10], [-2.2e-7, -2.7e-7, 2.2e-7, 1.8e-10, 1.6e-10],
    [-3.0e-7, -4.9e-7, 3.3e-7, 3.3e-10, 3.5e-10, 8.4e-10],
]


def kvn(t: Trajectory, *, system: str | None = None, frame: str | None = None,
        doy: bool = True, covariance: bool = False) -> str:
    """The trajectory as OEM KVN (CCSDS 502.0-B-2 section 5), NASA's layout: day-of-year
    epochs by default, every segment comment at the start of its data."""
    out = [f"CCSDS_OEM_VERS = {t.version}"]
    out += [f"COMMENT {c}" for c in t.comments]
    out += [f"CREATION_DATE = {ccsds(t.creation, 3, doy)}", f"ORIGINATOR = {t.originator}", ""]
    for seg in t.segments:
        sys_ = system or seg.time_system
        out.append("META_START")
        out += [f"{k:<20} = {v}" for k, v in _meta(seg, sys_, frame, doy)]
        out += ["META_STOP", ""]
        out += [f"COMMENT {c}" for c in seg.comments]
        for i, epoch in enumerate(seg_epoch_texts(seg, sys_, doy)):
            out.append(" ".join([epoch, *numbers(seg, i)]))
        if covariance:
            out += ["", "COVARIANCE_START", f"EPOCH = {seg_epoch_texts(seg, sys_, doy)[0]}",
                    "COV_REF_FRAME = RSW"]
            out += [" ".join(repr(x) for x in row) for row in COVARIANCE]
            out += ["COVARIANCE_STOP"]
        out.append("")
    return "\n".join(out) + "\n"


def xml(t: Trajectory, *, system: str | None = None, frame: str | None = None,
        doy: bool = False, covariance: bool = False) -> str:
    """The trajectory as OEM in NDM/XML (CCSDS 505.0-B-1), calendar epochs by default."""
    def el(tag: str, value: str, units: str = "") -> str:
        unit = f' units="{units}"' if units else ""
        return f"<{tag}{unit}>{escape(value)}</{tag}>"

    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<oem id="CCSDS_OEM_VERS" version="{t.version}">', "<header>"]
    out += [el("COMMENT", c) for c in t.comments]
    out += [el("CREATION_DATE", ccsds(t.creation, 3, doy)), el("ORIGINATOR", t.originator),
            "</header>", "<body>"]
    for seg in t.segments:
        sys_ = system or seg.time_system
        out += ["<segment>", "<metadata>"]
        out += [el(k, v) for k, v in _meta(seg, sys_, frame, doy)]
        out += ["</metadata>", "<data>"]
        out += [el("COMMENT", c) for c in seg.comments]
        keys = ["X", "Y", "Z", "X_DOT", "Y_DOT", "Z_DOT", "X_DDOT", "Y_DDOT", "Z_DDOT"]
        units = ["km"] * 3 + ["km/s"] * 3 + ["km/s**2"] * 3
        for i, epoch in enumerate(seg_epoch_texts(seg, sys_, doy)):
            row = [el("EPOCH", epoch)]
            row += [el(k, x, u) for k, x, u in zip(keys, numbers(seg, i), units, strict=False)]
            out.append("<stateVector>" + "".join(row) + "</stateVector>")
        if covariance:
            names = "XYZ"
            cov = [el("EPOCH", seg_epoch_texts(seg, sys_, doy)[0]), el("COV_REF_FRAME", "RSW")]
            labels = [f"C{a}" for a in names] + [f"C{a}_DOT" for a in names]
            for i, row in enumerate(COVARIANCE):
                for j, value in enumerate(row):
                    cov.append(el(f"{labels[i]}_{labels[j][1:]}", repr(value)))
            out.append("<covarianceMatrix>" + "".join(cov) + "</covarianceMatrix>")
        out += ["</data>", "</segment>"]
    out += ["</body>", "</oem>"]
    return "\n".join(out) + "\n"


WRITERS = {"kvn": kvn, "xml": xml}
SEGMENT_FIELDS = {f.name for f in dataclasses.fields(OEMSegment)}


def excerpt(t: Trajectory, first: int, count: int, **changes: object) -> Trajectory:
    """A trajectory of ``count`` states of the first segment from index ``first``."""
    seg = t.segments[0]
    cut = slice(first, first + count)
    sub = dataclasses.replace(
        seg, jd_whole=seg.jd_whole[cut], jd_fraction=seg.jd_fraction[cut],
        r_km=seg.r_km[cut], v_km_s=seg.v_km_s[cut],
        a_km_s2=None if seg.a_km_s2 is None else seg.a_km_s2[cut],
    )
    seg_changes = {k: changes.pop(k) for k in list(changes) if k in SEGMENT_FIELDS}
    return dataclasses.replace(t, segments=(dataclasses.replace(sub, **seg_changes),), **changes)


def index_at(seg: OEMSegment, when: datetime) -> int:
    return int(np.argmin(np.abs(seg.jd_whole + seg.jd_fraction - jd(when))))


def assert_same_trajectory(got: Trajectory, want: Trajectory) -> None:
    """Equal in everything an OEM says: header, comments, events, and per segment the
    metadata, the epochs and states (bit for bit)."""
    assert (got.creation, got.originator, got.version) == (
        want.creation, want.originator, want.version)
    assert got.comments == want.comments
    assert got.events == want.events
    assert len(got.segments) == len(want.segments)
    for a, b in zip(got.segments, want.segments, strict=True):
        for name in ("object_name", "object_id", "frame", "frame_as_given", "time_system",
                     "interpolation", "degree", "comments", "epoch_resolution_s"):
            assert getattr(a, name) == getattr(b, name), name
        for name in ("useable_start_jd", "useable_stop_jd"):
            x, y = getattr(a, name), getattr(b, name)
            assert (x is None) == (y is None), name
            if x is not None:
                assert abs(x - y) * 86400.0 < 1e-6, name
        assert np.array_equal(a.jd_whole, b.jd_whole)
        assert np.array_equal(a.jd_fraction, b.jd_fraction)
        assert np.array_equal(a.r_km, b.r_km)
        assert np.array_equal(a.v_km_s, b.v_km_s)
        assert (a.a_km_s2 is None) == (b.a_km_s2 is None)
        if a.a_km_s2 is not None:
            assert np.array_equal(a.a_km_s2, b.a_km_s2)


def store_state() -> tuple[int, int]:
    """(element sets, ISS trajectories) in the store of this test's ZARYA_HOME."""
    with open_store() as store:
        return store.count(), len(store.trajectory_rows(ISS))


# -------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def oem_text() -> str:
    return gzip.decompress(OEM_XML_GZ.read_bytes()).decode("utf-8")


@pytest.fixture(scope="module")
def iss_oem(oem_text: str) -> Trajectory:
    return read_oem(oem_text)


@pytest.fixture(scope="module")
def march_sets():
    return read_tle(SETS_TLE.read_text(), source="march")


def gravity(r: np.ndarray) -> np.ndarray:
    """Two-body accelerations (km/s**2): plausible X_DDOT, Y_DDOT, Z_DDOT columns."""
    return -GM_KM3_S2 * r / np.linalg.norm(r, axis=1, keepdims=True) ** 3


@pytest.fixture(scope="module")
def rich(iss_oem: Trajectory) -> Trajectory:
    """Two segments of the 2025 states with a 76-minute gap between them: header comments,
    NASA's event summary in the first segment's comments, accelerations in the first,
    the second with its frame given as J2000, a recommended interpolation and a useable
    span narrower than its states."""
    a = excerpt(iss_oem, 10, 40).segments[0]
    b = excerpt(iss_oem, 70, 30).segments[0]
    b_epochs = epochs(b)
    a = dataclasses.replace(a, a_km_s2=gravity(a.r_km))
    b = dataclasses.replace(
        b, frame_as_given="J2000", interpolation="LAGRANGE", degree=5,
        useable_start_jd=jd(b_epochs[1] + timedelta(seconds=30)),
        useable_stop_jd=jd(b_epochs[-2] - timedelta(seconds=30)),
        comments=("Second segment: after a gap", "MASS=454339.00"),
    )
    return dataclasses.replace(
        iss_oem, segments=(a, b),
        comments=("Written by tests/test_trajectories.py", "from NASA's ISS OEM of 2025-02-26"),
    )


# ============================================================================ reader
@pytest.mark.parametrize("encoding", ["kvn", "xml"])
def test_round_trip(encoding: str, rich: Trajectory) -> None:
    text = WRITERS[encoding](rich)
    back = read_oem(text)
    assert_same_trajectory(back, rich)
    assert [(e.name, e.time, e.delta_v_m_s) for e in back.events] == EVENTS
    first, second = back.segments
    assert (first.frame, first.frame_as_given, first.time_system) == ("EME2000", "EME2000", "UTC")
    assert (second.frame, second.frame_as_given) == ("EME2000", "J2000")
    assert first.a_km_s2 is not None and second.a_km_s2 is None
    assert back.comments[0] == "Written by tests/test_trajectories.py"


def test_the_published_xml_and_the_kvn_written_from_it_agree(iss_oem: Trajectory) -> None:
    seg = iss_oem.segments[0]
    assert (len(iss_oem.segments), len(seg), seg.frame, seg.time_system) == (
        1, N_STATES, "EME2000", "UTC")
    assert (iss_oem.creation, iss_oem.originator, iss_oem.object_id) == (
        CREATED, "JSC", "1998-067-A")
    assert (epochs(seg)[0], epochs(seg)[-1]) == (FIRST, LAST)
    assert [(e.name, e.time, e.delta_v_m_s) for e in iss_oem.events] == EVENTS
    assert not iss_oem.burns()
    assert_same_trajectory(read_oem(kvn(iss_oem)), iss_oem)
    assert_same_trajectory(read_oem(kvn(iss_oem, doy=False)), iss_oem)


def test_a_gzipped_oem_is_imported(capsys, iss_oem: Trajectory) -> None:
    sets_before = store_state()[0]
    report = run_json(capsys, "elements", "import", str(OEM_XML_GZ))
    (entry,) = report["files"]
    assert (entry["format"], entry["trajectories"], entry["new_trajectories"]) == ("oem", 1, 1)
    assert report["added"] == 0 and report["sets_in_store"] == sets_before
    with open_store() as store:
        (row,) = store.trajectory_rows(ISS)  # the store knew 1998-067A as NORAD 25544
        (stored,) = store.trajectories(ISS)
    assert (row.object_id, row.object_name, row.originator, row.states, row.format) == (
        "1998-067-A", "ISS", "JSC", N_STATES, "oem-xml")
    assert (row.creation, row.start, row.stop) == (
        "2025-02-26T18:18:07.830Z", "2025-02-26T12:00:00Z", "2025-03-13T12:00:00Z")
    assert [e["name"] for e in row.events] == [name for name, _, _ in EVENTS]
    assert_same_trajectory(stored, iss_oem)
    again = run_json(capsys, "elements", "import", str(OEM_XML_GZ))
    assert again["files"][0]["new_trajectories"] == 0
    assert store_state() == (sets_before, 1)


@pytest.mark.parametrize("encoding", ["kvn", "xml"])
@pytest.mark.parametrize("system", ["TAI", "TT", "GPS"])
def test_time_systems(system: str, encoding: str, iss_oem: Trajectory) -> None:
    """The same states with their epochs in TAI, TT or GPS read back to the same UTC
    epochs. One state is 10 s before midnight UTC, already the next day in TAI, TT and GPS."""
    seg = iss_oem.segments[0]
    one = datetime(2025, 3, 1, 23, 59, 50, tzinfo=UTC)
    i = index_at(seg, one)
    assert epochs(seg)[i] == one
    t = excerpt(iss_oem, i - 6, 12)
    text = WRITERS[encoding](t, system=system)
    written = ccsds(in_system(one, system), 3, doy=encoding == "kvn")
    assert written in text and ccsds(one, 3, doy=encoding == "kvn") not in text
    assert written.startswith("2025-03-02T" if encoding == "xml" else "2025-061T")
    back = read_oem(text).segments[0]
    assert back.time_system == system
    want = t.segments[0]
    dt_s = ((back.jd_whole - want.jd_whole) + (back.jd_fraction - want.jd_fraction)) * 86400.0
    assert np.abs(dt_s).max() < 1e-6, dt_s
    assert np.array_equal(back.r_km, want.r_km) and np.array_equal(back.v_km_s, want.v_km_s)


@pytest.mark.parametrize("encoding", ["kvn", "xml"])
@pytest.mark.parametrize(
    ("given", "frame"),
    [("ITRF2014", "ITRF"), ("ITRF-93", "ITRF"), ("GCRF", "GCRF"), ("ICRF", "ICRF"),
     ("TEME", "TEME"), ("J2000", "EME2000"), ("EME2000", "EME2000")],
)
def test_reference_frames(given: str, frame: str, encoding: str, iss_oem: Trajectory) -> None:
    back = read_oem(WRITERS[encoding](excerpt(iss_oem, 0, 8), frame=given)).segments[0]
    assert (back.frame, back.frame_as_given) == (frame, given)


@pytest.mark.parametrize("encoding", ["kvn", "xml"])
def test_covariance_blocks_are_skipped(encoding: str, rich: Trajectory) -> None:
    write = WRITERS[encoding]
    text = write(rich, covariance=True)
    assert text.count("COVARIANCE_START" if encoding == "kvn" else "<covarianceMatrix>") == 2
    assert_same_trajectory(read_oem(text), read_oem(write(rich)))


def test_lagrange_of_degree_7_is_honoured(iss_oem: Trajectory) -> None:
    """INTERPOLATION = LAGRANGE, INTERPOLATION_DEGREE = 7: positions and velocities each the
    Lagrange polynomial through 8 states, the interval's 4 neighbours on each side (computed
    here from the textbook product formula). The frame is relabelled TEME so that the states
    come out as interpolated, unrotated."""
    text = kvn(excerpt(iss_oem, 200, 30, interpolation="LAGRANGE", degree=7))
    assert "INTERPOLATION        = LAGRANGE\nINTERPOLATION_DEGREE = 7" in text
    back = read_oem(text)
    seg = back.segments[0]
    assert (seg.interpolation, seg.degree) == ("LAGRANGE", 7)

    def states(interpolation: str | None, degree: int | None) -> tuple[np.ndarray, np.ndarray]:
        relabelled = dataclasses.replace(seg, frame="TEME", interpolation=interpolation,
                                         degree=degree)
        s = TrajectoryStates(dataclasses.replace(back, segments=(relabelled,)))
        r, v, err = s.teme(np.full(len(mid), seg.jd_whole[0]), mid / 86400.0)
        assert not err.any()
        return r, v

    t_s = (seg.jd_whole - seg.jd_whole[0]) * 86400.0 + seg.jd_fraction * 86400.0
    intervals = np.arange(3, 26)
    mid = (t_s[intervals] + t_s[intervals + 1]) / 2.0
    r, v = states("LAGRANGE", 7)
    want_r, want_v = [], []
    for i, x in zip(intervals, mid, strict=True):
        nodes = t_s[i - 3: i + 5]
        weights = np.array([np.prod([(x - nodes[m]) / (nodes[j] - nodes[m])
                                     for m in range(8) if m != j]) for j in range(8)])
        want_r.append(weights @ seg.r_km[i - 3: i + 5])
        want_v.append(weights @ seg.v_km_s[i - 3: i + 5])
    # measured: 5.7e-9 m and 6.2e-12 m/s, rounding (an ulp of 7000 km is 1e-9 m)
    assert np.abs(r - np.array(want_r)).max() < 2e-11
    assert np.abs(v - np.array(want_v)).max() < 2e-14
    # and it is not the default (Hermite on 4 states): measured 0.075 to 0.66 m apart
    rh, _ = states(None, None)
    assert np.linalg.norm(r - rh, axis=1).min() > 0.025e-3


def test_segments_are_never_interpolated_across(rich: Trajectory) -> None:
    """Between two segments there is no state (NaN, code 7); the states near the end of the
    first come from the first alone; the second serves only inside its useable span."""
    a, b = rich.segments
    both = TrajectoryStates(rich)
    alone = TrajectoryStates(dataclasses.replace(rich, segments=(a,)))
    gap = jd(epochs(a)[-1] + timedelta(minutes=30))
    near_end = [jd(epochs(a)[-1] - timedelta(seconds=s)) for s in (100.0, 10.0, 0.0)]
    before_useable = jd(epochs(b)[1] + timedelta(seconds=10))
    inside_b = jd(epochs(b)[5] + timedelta(seconds=60))
    when = np.array([gap, *near_end, before_useable, inside_b])
    r, v, err = both.teme(when, np.zeros_like(when))
    assert list(err) == [OUTSIDE_CODE, 0, 0, 0, OUTSIDE_CODE, 0]
    assert np.isnan(r[[0, 4]]).all() and np.isnan(v[[0, 4]]).all()
    assert list(both.covers(when)) == [False, True, True, True, False, True]
    r_alone, v_alone, _ = alone.teme(when[1:4], np.zeros(3))
    assert np.array_equal(r[1:4], r_alone) and np.array_equal(v[1:4], v_alone)
    sat = Satellite([], trajectories=[rich])
    assert list(sat.teme(when, np.zeros_like(when))[2]) == list(err)


def test_gcrf_and_itrf_states_mean_what_they_say(iss_oem: Trajectory) -> None:
    """The same motion given in GCRF (the EME2000 states turned by the frame bias, erfa
    bp00: r_gcrs = rb.T r_eme2000) gives the same TEME states as in EME2000; given in ITRF
    (the Earth-fixed states zarya computes) it gives back those Earth-fixed states."""
    t = excerpt(iss_oem, 300, 40)
    seg = t.segments[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", erfa.ErfaWarning)
        tai = erfa.utctai(seg.jd_whole, seg.jd_fraction)
        rb, _, _ = erfa.bp00(*erfa.taitt(*tai))
    gcrf = dataclasses.replace(seg, frame="GCRF", frame_as_given="GCRF",
                               r_km=np.einsum("tji,tj->ti", rb, seg.r_km),
                               v_km_s=np.einsum("tji,tj->ti", rb, seg.v_km_s))
    back = read_oem(kvn(dataclasses.replace(t, segments=(gcrf,))))
    assert back.segments[0].frame == "GCRF"
    when = seg.jd_whole[:-1], seg.jd_fraction[:-1] + 90.0 / 86400.0
    r_e, v_e, _ = TrajectoryStates(t).teme(*when)
    r_g, v_g, _ = TrajectoryStates(back).teme(*when)
    # measured: 2.7e-12 km and 9.3e-15 km/s, rounding (the bias is applied here and undone)
    assert np.abs(r_g - r_e).max() < 8e-12 and np.abs(v_g - v_e).max() < 3e-14

    # Earth-fixed states at the first 39 epochs (the window stops short of the last: see
    # test_the_last_state_of_a_segment_is_inside_it), written as an ITRF trajectory
    window = Window(epochs(seg)[0], (len(seg) - 2) * 240.0)
    eph = Ephemeris(Satellite([], trajectories=[t]), window, step_s=240.0)
    assert eph.ok.all()
    first = excerpt(t, 0, len(seg) - 1).segments[0]
    itrf = dataclasses.replace(first, frame="ITRF", frame_as_given="ITRF2014", r_km=eph.r_km,
                               v_km_s=eph.v_km_s)
    back = read_oem(kvn(dataclasses.replace(t, segments=(itrf,))))
    assert back.segments[0].frame == "ITRF"
    short = Window(window.start, window.span_s - 240.0)
    again = Ephemeris(Satellite([], trajectories=[back]), short, step_s=240.0)
    assert again.ok.all()
    # measured: 4.5e-11 km and 5.7e-14 km/s, rounding (GMST rotations there and back)
    assert np.abs(again.r_km - eph.r_km[:-1]).max() < 1.2e-10
    assert np.abs(again.v_km_s - eph.v_km_s[:-1]).max() < 1.5e-13


def test_the_last_state_of_a_segment_is_inside_it(iss_oem: Trajectory) -> None:
    """An instant given exactly as a segment's first or last epoch is inside the segment, and
    its state is the one the file gives there. Here the excerpt 2025-02-27T07:57 to 10:33
    (states 300 to 339): its stop_jd rounds 10.7 us below 10:33:00, and ``zarya now
    --elements EXCERPT --at 2025-02-27T10:33:00Z`` used to fail ("outside the trajectory's
    states") while the selection rule said the trajectory serves there."""
    t = excerpt(iss_oem, 300, 40)
    seg = dataclasses.replace(t.segments[0], frame="TEME")  # states as given, unrotated
    ends = [0, len(seg) - 1]
    r, v, err = TrajectoryStates(dataclasses.replace(t, segments=(seg,))).teme(
        seg.jd_whole[ends], seg.jd_fraction[ends])
    assert list(err) == [0, 0]
    assert np.abs(r - seg.r_km[ends]).max() < 1e-9


def test_now_at_the_last_state_and_after_it(capsys, tmp_path: Path, iss_oem: Trajectory
                                            ) -> None:
    """From the command line, with only the excerpt: its last state answers; a minute later
    there is no state, and the one-line error says so in the trajectory's words (no sgp4
    error code: sgp4 has nothing to do with it)."""
    path = tmp_path / "excerpt.oem"
    path.write_text(kvn(excerpt(iss_oem, 300, 40)))
    code, out, err = run(capsys, "now", "--elements", str(path), "--at",
                         "2025-02-27T10:33:00Z", "--json")
    assert code == 0 and json.loads(out)["time"].startswith("2025-02-27T10:33:00"), err
    code, out, err = run(capsys, "now", "--elements", str(path), "--at",
                         "2025-02-27T10:34:00Z")
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert "The trajectory has no state of ISS at 2025-02-27T10:34:00Z: outside the " \
           "trajectory's states" in err, err
    assert "sgp4" not in err.lower(), err


def _kvn_line(text: str, starts: str) -> int:
    """The number (from 1) of the first line of ``text`` that starts with ``starts``."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(starts))


def _swap_lines(text: str, a: int, b: int) -> str:
    lines = text.splitlines()
    lines[a - 1], lines[b - 1] = lines[b - 1], lines[a - 1]
    return "\n".join(lines) + "\n"


def bad_oem(case: str, encoding: str, iss_oem: Trajectory) -> tuple[str, str, str]:
    """A bad OEM: (text, what the error says, where it says it is: 'line N' for KVN, the
    element for XML)."""
    six = excerpt(iss_oem, 0, 6)
    text = WRITERS[encoding](six)
    first_row = ccsds(FIRST, 3, doy=encoding == "kvn")
    if case == "truncated":
        if encoding == "kvn":
            return "\n".join(text.splitlines()[: _kvn_line(text, "REF_FRAME")]) + "\n", (
                "the OEM ends inside it (truncated file?)"), (
                f"line {_kvn_line(text, 'META_START')}")
        return text[: len(text) // 2], "not XML, or cut short", "line "
    if case == "out of order":  # the 3rd and 4th states swapped
        if encoding == "kvn":
            n = _kvn_line(text, first_row) + 2
            return _swap_lines(text, n, n + 1), "is not after the one before", f"line {n + 1}"
        n = _kvn_line(text, "<stateVector>") + 2
        return _swap_lines(text, n, n + 1), "is not after the one before", (
            "segment 1, stateVector 4")
    if case == "reference frame":
        text = WRITERS[encoding](six, frame="EME1950")
        where = (f"line {_kvn_line(text, 'REF_FRAME')}" if encoding == "kvn"
                 else "segment 1, metadata REF_FRAME")
        return text, "REF_FRAME 'EME1950' is not one zarya can use", where
    if case == "time system":
        if encoding == "kvn":
            text = text.replace("TIME_SYSTEM          = UTC", "TIME_SYSTEM          = TDB")
            where = f"line {_kvn_line(text, 'TIME_SYSTEM')}"
        else:
            text = text.replace("<TIME_SYSTEM>UTC<", "<TIME_SYSTEM>TDB<")
            where = "segment 1, metadata TIME_SYSTEM"
        return text, "TIME_SYSTEM 'TDB' is not one zarya can use", where
    if case == "too few states":  # 3 states; Hermite of degree 7 (the default) needs 4
        text = WRITERS[encoding](excerpt(iss_oem, 0, 3))
        where = (f"line {_kvn_line(text, first_row) + 2}" if encoding == "kvn"
                 else "segment 1, stateVector 3")
        return text, "3 states are too few for hermite interpolation of degree 7", where
    assert case == "another object"
    other = dataclasses.replace(excerpt(iss_oem, 20, 6).segments[0], object_id="2000-001A",
                                object_name="OTHER")
    text = WRITERS[encoding](dataclasses.replace(six, segments=(six.segments[0], other)))
    second = [n for n, line in enumerate(text.splitlines(), 1) if line.startswith("OBJECT_ID")]
    return text, "OBJECT_ID '2000-001A' (OTHER) is another object than '1998-067-A'", (
        f"line {second[-1]}" if encoding == "kvn" else "segment 2")


BAD_CASES = ["truncated", "out of order", "reference frame", "time system", "too few states",
             "another object"]


@pytest.mark.parametrize("encoding", ["kvn", "xml"])
@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_oem_is_refused_in_one_line_and_nothing_stored(
    capsys, tmp_path: Path, case: str, encoding: str, iss_oem: Trajectory
) -> None:
    text, says, where = bad_oem(case, encoding, iss_oem)
    with pytest.raises(OEMError):
        read_oem(text)
    path = tmp_path / f"bad.{encoding}"
    path.write_text(text)
    before = store_state()
    for args in (["elements", "import", str(path)],
                 ["passes", "--elements", str(path), "--lat", "45", "--lon", "10",
                  "--from", "2025-02-26T12:00:00Z", "--days", "1", "--json"]):
        code, out, err = run(capsys, *args)
        assert code == 2 and out == "", (args, out)
        assert err.startswith("zarya: error: ") and err.count("\n") == 1, err
        assert str(path) in err and says in err, err
        assert where in err, err
        assert store_state() == before
    assert before[1] == 0


@pytest.mark.parametrize("case", ["truncated", "another object"])
def test_kvn_errors_name_the_line(case: str, iss_oem: Trajectory) -> None:
    text, _, _ = bad_oem(case, "kvn", iss_oem)
    with pytest.raises(OEMError, match=r"line \d+"):
        read_oem(text)


# ===================================================================== interpolation
def test_leave_one_out_against_the_files_own_states(iss_oem: Trajectory) -> None:
    """Every other state dropped, and interpolated back from the ones kept (8-minute steps
    where the file has 4): TrajectoryStates on the kept states, relabelled TEME so that they
    come out unrotated.

    The ISS's regular 4-minute part: measured max 1.99 m, p99 1.41 m, median 0.52 m (velocity
    6.9 mm/s at most) over the 2693 dropped states whose neighbours are 240 s away; bound 5 m
    (and 3.5 m for the p99), where the issue asks under 10 m. The 13 others are left out of
    that bound and checked on their own: near the events the steps are 60 to 234 s (measured
    1.02 m at most); at the end of the file the states around the Crew-10 docking come every
    30.6 s, with epochs printed to the millisecond and cut, not rounded (11:55:24.599 for
    11:55:24.600: 1 ms early, which moves a position by 7.7 m at 7.66 km/s), so that
    interpolated from 8-minute and 61-second neighbours they are off by 0.4 to 50 m. Put back
    on the exact 30.6 s grid those epochs give 0.02 m at most: the file's printing, not the
    interpolation, makes those errors."""
    full = iss_oem.segments[0]
    n = len(full)
    keep = np.arange(0, n, 2)
    drop = np.arange(1, n - 1, 2)
    assert keep[-1] == n - 1  # 5413 states: both ends kept

    def leave_one_out(seg: OEMSegment, resolution: float) -> tuple[np.ndarray, np.ndarray]:
        kept = dataclasses.replace(
            seg, frame="TEME", jd_whole=seg.jd_whole[keep], jd_fraction=seg.jd_fraction[keep],
            r_km=seg.r_km[keep], v_km_s=seg.v_km_s[keep], epoch_resolution_s=resolution)
        states = TrajectoryStates(dataclasses.replace(iss_oem, segments=(kept,)))
        r, v, err = states.teme(seg.jd_whole[drop], seg.jd_fraction[drop])
        assert not err.any()
        return (np.linalg.norm(r - seg.r_km[drop], axis=1) * 1e3,
                np.linalg.norm(v - seg.v_km_s[drop], axis=1) * 1e3)

    t_s = (full.jd_whole - full.jd_whole[0]) * 86400.0 + full.jd_fraction * 86400.0
    step = np.diff(t_s)
    regular = (np.abs(step[drop - 1] - 240.0) < 1e-3) & (np.abs(step[drop] - 240.0) < 1e-3)
    dense = t_s[drop] >= t_s[-1] - 8 * 60.0  # the docking's 30.6 s states, the one before
    assert (regular.sum(), (~regular & ~dense).sum(), dense.sum()) == (2693, 7, 6)
    error_m, error_m_s = leave_one_out(full, full.epoch_resolution_s)
    print(f"\nleave-one-out, 4-minute part: max {error_m[regular].max():.2f} m, p99 "
          f"{np.percentile(error_m[regular], 99):.2f} m, median "
          f"{np.median(error_m[regular]):.2f} m, velocity {error_m_s[regular].max():.4f} m/s; "
          f"near events {error_m[~regular & ~dense].max():.2f} m; docking "
          f"{np.round(error_m[dense], 2)} m")
    assert error_m[regular].max() < 5.0
    assert np.percentile(error_m[regular], 99) < 3.5
    assert error_m_s[regular].max() < 0.02
    assert error_m[~regular & ~dense].max() < 3.0

    # the dense epochs: cut to the millisecond, 1 ms early on six of the eleven
    first_dense = int(np.flatnonzero(np.abs(step - 30.6) < 0.01)[0])
    printed = t_s[first_dense:]
    exact = printed[0] + 30.6 * np.arange(len(printed))
    assert np.allclose(exact - printed, np.round(exact - printed, 3), atol=1e-6)
    assert set(np.round((exact - printed) * 1e3).astype(int)) == {0, 1}
    fixed = full.jd_fraction.copy()
    fixed[first_dense:] = (exact / 86400.0
                           - (full.jd_whole[first_dense:] - full.jd_whole[0]))
    error_fixed, _ = leave_one_out(dataclasses.replace(full, jd_fraction=fixed), 1e-6)
    print(f"docking, epochs on the 30.6 s grid: {np.round(error_fixed[dense], 3)} m")
    assert error_m[dense].max() > 10.0  # measured 50.0 m (11:52:54, from 61 s neighbours)
    assert error_fixed[dense].max() < 0.06  # measured 0.02 m
    assert np.array_equal(error_fixed[regular], error_m[regular])


FRAME_WINDOWS = (150, 1500, 3000, 4500)  # 3-hour windows from these states of the 2025 file


def _frames_vs_skyfield(iss_oem: Trajectory, ts) -> dict[str, np.ndarray]:
    """zarya's Earth-fixed states of the 2025 trajectory (an Ephemeris of a satellite with
    only that trajectory, on a 60 s grid from one of the file's epochs: every 4th point is
    an epoch of the file, every 4th from the 2nd a mid-point, no grid interpolation
    involved), against Skyfield's ITRS from the same EME2000 states (those of the file at its
    epochs, zarya's interpolation elsewhere): r_gcrs = rb.T r_eme2000 (erfa bp00), then
    build_position(...).frame_xyz_and_velocity(itrs). Skyfield's built-in timescale has
    UT1 (zarya is given Skyfield's UT1 - UTC at each window's middle) and no polar motion.
    Also the IAU 2006/2000A chain zarya documents (erfa c2i06a, then the Earth rotation
    angle era00 on UT1), computed here at each instant."""
    from skyfield.constants import AU_KM, DAY_S
    from skyfield.framelib import itrs
    from skyfield.positionlib import build_position

    seg = iss_oem.segments[0]
    sat = Satellite([], trajectories=[iss_oem])
    as_given = TrajectoryStates(dataclasses.replace(
        iss_oem, segments=(dataclasses.replace(seg, frame="TEME"),)))  # EME2000, unrotated
    out: dict[str, list[np.ndarray]] = {k: [] for k in ("node", "dr_sky", "dv_sky", "dr_cio",
                                                        "dv_cio")}
    for i0 in FRAME_WINDOWS:
        start = epochs(seg)[i0]
        dut1 = float(ts.from_datetime(start + timedelta(hours=1.5)).dut1)
        eph = Ephemeris(sat, Window(start, 3 * 3600.0), step_s=60.0, dut1_s=dut1)
        assert eph.ok.all() and eph.step_s == 60.0
        jd1, jd2 = eph.window.jd(eph.t_s)
        r_eme, v_eme, err = as_given.teme(jd1, jd2)
        assert not err.any()
        t = ts.from_datetimes([eph.window.instant(x) for x in eph.t_s])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", erfa.ErfaWarning)
            tt = erfa.taitt(*erfa.utctai(jd1, jd2))
            rb, _, _ = erfa.bp00(*tt)
            cio = erfa.rz(erfa.era00(jd1, jd2 + dut1 / 86400.0), erfa.c2i06a(*tt))
        r_gcrs = np.einsum("tji,tj->ti", rb, r_eme)
        v_gcrs = np.einsum("tji,tj->ti", rb, v_eme)
        position = build_position(r_gcrs.T / AU_KM, v_gcrs.T / AU_KM * DAY_S, t, center=399)
        r_sky, v_sky = position.frame_xyz_and_velocity(itrs)
        r_cio = np.einsum("tij,tj->ti", cio, r_gcrs)
        v_cio = np.einsum("tij,tj->ti", cio, v_gcrs) - np.cross([0, 0, 7.292115146706979e-5],
                                                                r_cio)
        out["node"].append(np.arange(len(eph.t_s)) % 4 == 0)
        out["dr_sky"].append(np.linalg.norm(eph.r_km - r_sky.km.T, axis=1) * 1e3)
        out["dv_sky"].append(np.linalg.norm(eph.v_km_s - v_sky.km_per_s.T, axis=1) * 1e3)
        out["dr_cio"].append(np.linalg.norm(eph.r_km - r_cio, axis=1) * 1e3)
        out["dv_cio"].append(np.linalg.norm(eph.v_km_s - v_cio, axis=1) * 1e3)
    return {k: np.concatenate(v) for k, v in out.items()}


@pytest.fixture(scope="module")
def frame_differences(iss_oem: Trajectory, skyfield_ts) -> dict[str, np.ndarray]:
    return _frames_vs_skyfield(iss_oem, skyfield_ts)


def test_eme2000_to_earth_fixed_against_skyfield(frame_differences) -> None:
    """At the file's epochs and between them (mid-points, quarter points), over four 3-hour
    windows from 2025-02-26 to 03-11, against Skyfield (IAU 2006/2000A). Before zarya took
    the same chain it used IAU 1976/1980 and GMST 1982 and was 1.06 m off (the IERS pole
    offsets it lacks); now measured 0.024 m and 0.029 mm/s. Bound 0.06 m and 0.08 mm/s
    (the issue asks 1 m). Against the same chain computed here with erfa at each instant,
    zarya agrees to its own interpolation of the rotation between 6-hourly nodes: measured
    7.3 mm and 8e-6 m/s; bound 0.02 m and 2e-5 m/s."""
    d = frame_differences
    node = d["node"]
    print(f"\nEME2000 -> Earth-fixed against Skyfield: epochs {d['dr_sky'][node].min():.3f} to "
          f"{d['dr_sky'][node].max():.3f} m, between {d['dr_sky'][~node].max():.3f} m, "
          f"velocity {d['dv_sky'].max() * 1e3:.3f} mm/s; against erfa's IAU 2006/2000A chain "
          f"{d['dr_cio'].max():.2e} m, {d['dv_cio'].max():.2e} m/s")
    assert d["dr_sky"].max() < 0.06
    assert d["dv_sky"].max() < 8e-5
    assert d["dr_cio"].max() < 0.02
    assert d["dv_cio"].max() < 2e-5


# ========================================================================= selection
def tle_epoch_jd(line1: str) -> float:
    """A TLE's epoch (columns 19-32: two-digit year, day of year) as a UTC Julian date."""
    year = 2000 + int(line1[18:20])
    return jd(datetime(year, 1, 1, tzinfo=UTC)) + float(line1[20:32]) - 1.0


def with_epoch(line1: str, epoch: str) -> str:
    """Line 1 of a TLE with another epoch (columns 19-32) and its checksum redone."""
    body = line1[:18] + epoch + line1[32:68]
    total = sum(int(c) if c.isdigit() else c == "-" for c in body)
    return body + str(total % 10)


def test_the_rule_on_the_2025_oem_and_the_march_sets(iss_oem: Trajectory, march_sets) -> None:
    """The 2025 OEM (created 2025-02-26T18:18:07.83, states 02-26T12:00 to 03-13T12:00, no
    burn) and the sets of 03-06 19:01 (E1) and 03-10 11:45 (E2), no manoeuvre between them
    (the mean motion rises). From the rule's definition: before the OEM's first state only
    sets are valid (E1 is nearest); from its first state the trajectory is the freshest (age
    0 up to its creation) until it is as old as E1 is far, halfway between its creation and
    E1; then the nearer set, switching halfway between E1 and E2; after the OEM's end E2
    still. The switches are exactly there (measured 0 s apart; bound 0.1 ms, the resolution
    of a Julian date in one float)."""
    e1, e2 = (tle_epoch_jd(s.line1) for s in march_sets)
    assert e1 < e2 and march_sets[0].mean_motion_rev_per_day < march_sets[1].mean_motion_rev_per_day
    created, first, last = jd(CREATED), jd(FIRST), jd(LAST)
    sat = Satellite(list(march_sets), trajectories=[iss_oem])
    set1, set2, oem = 0, 1, 2
    assert sat.is_trajectory(oem) and not sat.is_trajectory(set2)
    switches = [first, (created + e1) / 2.0, (e1 + e2) / 2.0]
    assert np.abs(sat.boundaries_jd() - switches).max() * 86400.0 < 1e-4
    s = 1.0 / 86400.0
    probes = {first - 1.0: set1, first + s: oem, created: oem, switches[1] - s: oem,
              switches[1] + s: set1, e1: set1, switches[2] - s: set1, switches[2] + s: set2,
              e2: set2, last - s: set2, last + s: set2, last + 10.0: set2}
    assert list(sat.select(np.array(list(probes)))) == list(probes.values())
    # the ages the rule compares, at a few of them
    ages = sat.age_days(np.array([first + s, created + 1.0, switches[1] + s, last + 1.0]))
    want = [0.0, 1.0, e1 - switches[1] - s, last + 1.0 - e2]
    assert np.abs(ages - want).max() * 86400.0 < 1e-3


def test_a_tie_between_a_trajectory_and_a_later_set_goes_to_the_trajectory(
    iss_oem: Trajectory, march_sets
) -> None:
    created, e1 = jd(CREATED), tle_epoch_jd(march_sets[0].line1)
    tie = (created + e1) / 2.0
    assert tie - created == e1 - tie  # equal ages, in floating point too
    sat = Satellite(list(march_sets), trajectories=[iss_oem])
    assert sat.select(np.array([tie]))[0] == 2


def _independent_states(iss_oem: Trajectory, line1: str, line2: str, when: float, ts):
    """Where the 2025 OEM and a set put the ISS at ``when`` (UTC JD), in TEME, without
    zarya: the OEM's EME2000 states interpolated by scipy's Krogh interpolator (Hermite on
    the four states around ``when``), to GCRS by erfa's frame bias, to TEME by Skyfield;
    the set by sgp4. Returns (r_oem, v_oem, r_set, Skyfield's position of the OEM)."""
    from scipy.interpolate import KroghInterpolator
    from sgp4.api import WGS72, Satrec
    from skyfield.constants import AU_KM, DAY_S
    from skyfield.positionlib import build_position
    from skyfield.sgp4lib import TEME

    seg = iss_oem.segments[0]
    day = np.floor(when - 0.5) + 0.5
    t_s = (seg.jd_whole - day) * 86400.0 + seg.jd_fraction * 86400.0
    x = (when - day) * 86400.0
    i = int(np.searchsorted(t_s, x)) - 1
    nodes = np.arange(i - 1, i + 3)
    hermite = KroghInterpolator(
        np.repeat(t_s[nodes], 2),
        np.stack([row for n in nodes for row in (seg.r_km[n], seg.v_km_s[n])]))
    r_eme, v_eme = hermite(x), hermite.derivative(x)
    t = ts.from_datetime(UNIX + timedelta(days=when - UNIX_JD))
    rb, _, _ = erfa.bp00(t.whole, t.tt_fraction)
    position = build_position(rb.T @ r_eme / AU_KM, rb.T @ v_eme / AU_KM * DAY_S, t, center=399)
    r_oem, v_oem = position.frame_xyz_and_velocity(TEME)
    err, r_set, _ = Satrec.twoline2rv(line1, line2, WGS72).sgp4(day, when - day)
    assert err == 0
    return r_oem.km, v_oem.km_per_s, np.array(r_set), position


def test_a_switch_inside_a_pass(capsys, iss_oem: Trajectory, march_sets, skyfield_ts) -> None:
    """An observer beneath the station when the OEM hands over to the set of 03-06 (halfway
    between the OEM's creation and that set's epoch, 2025-03-02T18:39:45.4): the pass
    over them says so in ``passes --json``, with the two sources' disagreement there
    computed here without zarya (18.787 km apart, the set 2.455 s ahead along the track).
    Measured against zarya's own (unrounded) switch: 0.023 m and 3.3e-6 s (the frame
    chains differ by a metre, mostly across the difference); bounds 0.07 m and 1e-5 s; the
    JSON rounds to 0.01."""
    from skyfield.api import wgs84

    set1 = march_sets[0]
    switch = (jd(CREATED) + tle_epoch_jd(set1.line1)) / 2.0
    when = UNIX + timedelta(days=switch - UNIX_JD)
    r_oem, v_oem, r_set, position = _independent_states(iss_oem, set1.line1, set1.line2,
                                                        switch, skyfield_ts)
    d = r_set - r_oem
    distance_km, along_s = float(np.linalg.norm(d)), float(d @ v_oem / (v_oem @ v_oem))
    sat = Satellite(list(march_sets), trajectories=[iss_oem])
    (got,) = sat.switches(switch - 0.01, switch + 0.01)
    print(f"\nswitch at {when:%H:%M:%S.%f}: {distance_km:.4f} km, {along_s:.4f} s; zarya "
          f"{(got.distance_km - distance_km) * 1e3:.4f} m, "
          f"{got.along_track_s - along_s:.2e} s off")
    assert (got.before, got.after) == (2, 0)
    assert abs(got.distance_km - distance_km) < 0.07e-3
    assert abs(got.along_track_s - along_s) < 1e-5

    sub = wgs84.subpoint_of(position)
    run(capsys, "elements", "import", str(OEM_XML_GZ), str(SETS_TLE))
    report = run_json(capsys, "passes", "--lat", f"{sub.latitude.degrees:.4f}", "--lon",
                      f"{sub.longitude.degrees:.4f}", "--from",
                      f"{when - timedelta(minutes=30):%Y-%m-%dT%H:%M:%SZ}", "--days", "0.05")
    (p,) = [p for p in report["passes"] if "source_switches" in p]
    rise = datetime.fromisoformat(p["rise"]["time"].replace("Z", "+00:00"))
    end = datetime.fromisoformat(p["set"]["time"].replace("Z", "+00:00"))
    assert rise < when < end and p["culmination"]["elevation_deg"] > 85.0
    (entry,) = p["source_switches"]
    epoch = UNIX + timedelta(days=tle_epoch_jd(set1.line1) - UNIX_JD)
    assert entry["time"] == f"{when:%Y-%m-%dT%H:%M:%S}.{round(when.microsecond / 1e5)}Z"
    assert entry["from"] == f"the JSC trajectory of {to_second(CREATED)}"
    assert entry["to"] == f"the elements of {to_second(epoch)}"
    assert abs(entry["distance_km"] - distance_km) <= 0.005 + 0.07e-3
    assert abs(entry["along_track_s"] - along_s) <= 0.005 + 1e-5
    assert sum("source_switches" in q for q in report["passes"]) == 1


SUMMARY = [  # NASA's TRAJECTORY EVENT SUMMARY layout (as in the 2025 file), with a reboost
    "Begin sequence of events",
    "TRAJECTORY EVENT SUMMARY:",
    "",
    "|       EVENT        |       TIG        | ORB |   DV    |   HA    |   HP    |",
    "|                    |       GMT        |     |   M/S   |   KM    |   KM    |",
    "|                    |                  |     |  (F/S)  |  (NM)   |  (NM)   |",
    "=============================================================================",
    "Reboost               066:03:12:00.000             1.5     424.0     410.1",
    "                                                  (4.9)   (228.9)   (221.4)",
    "",
    "Progress Dock         066:08:00:00.000             0.0     424.0     410.1",
    "                                                  (0.0)   (228.9)   (221.4)",
    "",
    "=============================================================================",
    "End sequence of events",
]
BURN = datetime(2025, 3, 7, 3, 12, tzinfo=UTC)  # day 066 of 2025


@pytest.fixture(scope="module")
def with_burn(iss_oem: Trajectory) -> Trajectory:
    """2025-03-05T00:00 to 03-07T12:00 of the 2025 states, created at its first state, with
    an event summary planning a 1.5 m/s reboost at 03-07T03:12 (the states themselves are
    the unburnt ones: the rule and the warnings go by the plan)."""
    seg = iss_oem.segments[0]
    first = index_at(seg, datetime(2025, 3, 5, tzinfo=UTC))
    last = index_at(seg, datetime(2025, 3, 7, 12, tzinfo=UTC))
    t = excerpt(iss_oem, first, last - first + 1, comments=tuple(SUMMARY),  # the segment's
                creation=epochs(seg)[first])
    return read_oem(kvn(t))


def test_a_planned_burn(capsys, tmp_path: Path, with_burn: Trajectory, march_sets) -> None:
    assert [(e.name, e.time, e.delta_v_m_s) for e in with_burn.burns()] == [
        ("Reboost", BURN, 1.5)]
    e1, e2 = (tle_epoch_jd(s.line1) for s in march_sets)
    created, end, burn = with_burn.creation_jd, with_burn.stop_jd, jd(BURN)
    assert created < e1 < burn < end < (e1 + e2) / 2.0
    sat = Satellite(list(march_sets), trajectories=[with_burn])
    set1, set2, oem = 0, 1, 2
    # The rule: set 1 (epoch 03-06 19:01) is fresher than the OEM (created 03-05 00:00) from
    # halfway between them, but it does not know the burn: from the burn on, while the OEM
    # covers, the OEM serves; after the OEM's end set 2, on the burn's side, serves.
    switches = [created, (created + e1) / 2.0, burn, end]
    assert np.abs(sat.boundaries_jd() - switches).max() * 86400.0 < 1e-4
    s = 1.0 / 86400.0
    probes = {(created + e1) / 2.0 + s: set1, burn - s: set1, burn + s: oem, end - s: oem,
              end + s: set2, (e1 + e2) / 2.0 + s: set2}
    assert list(sat.select(np.array(list(probes)))) == list(probes.values())
    # without the burn (the same summary, delta-v 0) set 1 serves on to halfway to set 2
    unburnt = dataclasses.replace(with_burn, events=tuple(
        dataclasses.replace(e, delta_v_m_s=0.0) for e in with_burn.events))
    plain = Satellite(list(march_sets), trajectories=[unburnt])
    assert list(plain.select(np.array([burn + s, end - s, end + s]))) == [set1] * 3

    path = tmp_path / "iss_with_reboost.oem"
    path.write_text(kvn(with_burn))
    run(capsys, "elements", "import", str(path), str(SETS_TLE))
    report = run_json(capsys, "passes", "--lat", "45", "--lon", "10", "--from", "2025-03-07",
                      "--days", "1")
    assert report["planned_events"] == [
        {"name": "Reboost", "time": "2025-03-07T03:12:00Z", "delta_v_m_s": 1.5, "burn": True},
        {"name": "Progress Dock", "time": "2025-03-07T08:00:00Z", "delta_v_m_s": 0.0,
         "burn": False},
    ]
    assert report["warnings"] == [
        "Reboost (1.5 m/s) is planned at 03:12 UTC on 7 Mar: predictions after it assume it "
        "happens"]
    assert report["satellite"]["elements_epoch"] == "2025-03-06T19:01:23Z"  # set 1 at 00:00


@pytest.mark.parametrize(("apart_days", "refused"), [(62.0, True), (59.8, False)])
def test_the_age_check_is_exact_at_a_switch(
    capsys, tmp_path: Path, march_sets, apart_days: float, refused: bool
) -> None:
    """Two sets ``apart_days`` apart (set 1 of March 2025 and its copy with a later epoch),
    a window of 3 days around the midpoint: at the window's ends the nearer set is 29.5 or
    28.4 days away, at the switch (the midpoint) 31 or 29.9. Over 30 days is refused; the
    worst age is found at the switch."""
    one = march_sets[0]
    epoch = tle_epoch_jd(one.line1)
    later = with_epoch(one.line1, f"{float(one.line1[18:32]) + apart_days:014.8f}")
    sat = Satellite([one, parse_tle(later, one.line2, one.name)])
    assert tle_epoch_jd(later) - epoch == pytest.approx(apart_days, abs=1e-8)
    half = apart_days / 2.0
    start = UNIX + timedelta(days=epoch + half - 1.5 - UNIX_JD)
    window = Window(start, 3 * 86400.0)
    assert max(half - 1.5, apart_days - half - 1.5) < 30.0  # the ends alone would pass
    path = tmp_path / "two_sets.tle"
    path.write_text(f"{one.name}\n{one.line1}\n{one.line2}\n{one.name}\n{later}\n{one.line2}\n")
    args = ["passes", "--elements", str(path), "--lat", "45", "--lon", "10", "--from",
            f"{start:%Y-%m-%dT%H:%M:%S.%fZ}", "--days", "3", "--json"]
    if refused:
        with pytest.raises(StaleElementsError) as info:
            sat.check_age(window)
        assert info.value.age_days == pytest.approx(31.0, abs=1e-6)
        midpoint = UNIX + timedelta(days=epoch + half - UNIX_JD)
        assert abs(info.value.instant - midpoint) < timedelta(milliseconds=1)
        code, out, err = run(capsys, *args)
        assert code == 2 and err.startswith("zarya: error: ") and err.count("\n") == 1, err
        assert "31 days from" in err
    else:
        assert sat.check_age(window) == [
            "elements are up to 29.9 days from the instants predicted: expect errors of tens "
            "of km or more"]
        report = run_json(capsys, *args[:-1])
        assert report["warnings"][0].startswith("elements are up to 29.9 days")


# ============================================================================ update
def test_update_from_nasa(capsys, tmp_path: Path, zarya_home: Path,
                          iss_oem: Trajectory) -> None:
    """``zarya elements update --source nasa-iss`` against a real HTTP server on loopback
    serving the 2025 trajectory as NASA's KVN: imported as a trajectory of NORAD 25544 into
    an empty store (which could not tell the number from the designator: the source says
    which object), asked again within 2 hours it is not fetched, and ``elements show``
    lists it with its span and planned events."""
    (zarya_home / "elements.sqlite").unlink()
    open_store(seed=False).close()
    path = tmp_path / "ISS.OEM_J2K_EPH.txt"
    path.write_text(kvn(iss_oem))
    code, _, err = run(capsys, "elements", "import", str(path))  # no set tells the number
    assert code == 2 and "1998-067-A" in err and "--norad-id" in err, err
    body = kvn(iss_oem).encode()
    with ElementServer() as server:
        route = server.routes["/ISS.OEM_J2K_EPH.txt"] = Route(body, "text/plain", etag='"1"')
        url = server.url("/ISS.OEM_J2K_EPH.txt")
        sets_before = store_state()[0]
        first = run_json(capsys, "elements", "update", "--source", "nasa-iss", "--url", url)
        assert (first["status"], first["trajectories"], first["new_trajectories"],
                first["read"], first["added"]) == ("imported", 1, 1, 0, 0)
        again = run_json(capsys, "elements", "update", "--source", "nasa-iss", "--url", url)
        assert again["status"] == "too-soon" and len(route.requests) == 1
        assert again["next_allowed_at"] == first["next_allowed_at"]
    assert store_state() == (sets_before, 1)
    shown = run_json(capsys, "elements", "show", "25544")
    (track,) = shown["trajectories"]
    assert (track["creation"], track["start"], track["end"], track["states"]) == (
        "2025-02-26T18:18:07.830Z", "2025-02-26T12:00:00Z", "2025-03-13T12:00:00Z", N_STATES)
    assert (track["originator"], track["object_id"], track["format"], track["source"]) == (
        "JSC", "1998-067-A", "oem-kvn", url)
    assert [(e["name"], e["time"], e["delta_v_m_s"]) for e in track["planned_events"]] == [
        (name, f"{when:%Y-%m-%dT%H:%M:%S}.000Z", dv) for name, when, dv in EVENTS]
    with open_store() as store:
        (stored,) = store.trajectories(ISS)
    assert stored.norad_id == ISS
    assert_same_trajectory(stored, iss_oem)


# ===================================================================== passes agreement
PASS_SEED = 2025  # the observers: 4, uniform on the sphere between 55 S and 55 N
PASS_START = datetime(2025, 3, 3, tzinfo=UTC)
PASS_DAYS = 3.0
THRESHOLD_DEG = 10.0
# Tolerances from 20 draws of 3 observers over 2 days (and this draw over 3 days): with
# zarya given Skyfield's UT1 ("iers"): rise and set within 1.6 ms, culmination 2.7 ms (ill-
# conditioned: the altitude is flat there), elevation 4e-5 deg; with UT1 = UTC, zarya's
# default (UT1 - UTC = +0.044 s then): 26 ms, 3.3 ms, 0.0024 deg. The issue asks for 1 s.
PASS_TOL = {"iers": (0.005, 0.008, 1e-4), "default": (0.06, 0.01, 0.006)}


def _skyfield_passes(states: TrajectoryStates, observer: Observer, t0, t1) -> list[tuple]:
    """(rise, culmination, peak elevation, set) of each pass (UTC datetimes; None where the
    window cuts the pass), found by Skyfield's searches (find_discrete on "above 10
    degrees", find_maxima on the altitude, to 0.1 ms) on the altitude Skyfield computes
    from the trajectory's TEME states (zarya's interpolation, nothing else of zarya's) with
    its own TEME frame, WGS84 observer and alt-az. The nutation is IAU 2000B (Skyfield's
    documented shortcut; within a milliarcsecond of 2000A: 3 cm at the station)."""
    from skyfield.api import wgs84
    from skyfield.nutationlib import iau2000b_radians
    from skyfield.positionlib import ICRF
    from skyfield.searchlib import find_discrete, find_maxima
    from skyfield.sgp4lib import TEME
    from skyfield.units import Distance, Velocity

    topos = wgs84.latlon(observer.lat_deg, observer.lon_deg, elevation_m=observer.alt_m)

    def altitude(t):
        t._nutation_angles_radians = iau2000b_radians(t)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", erfa.ErfaWarning)
            u1, u2 = erfa.taiutc(t.whole, t.tai_fraction)
        r, v, err = states.teme(u1, u2)
        assert not err.any()
        sat = ICRF.from_time_and_frame_vectors(t, TEME, Distance(km=r.T),
                                               Velocity(km_per_s=v.T))
        sat.center = 399
        return (sat - topos.at(t)).altaz()[0].degrees

    def above(t):
        return altitude(t) > THRESHOLD_DEG

    above.step_days = altitude.step_days = 30.0 / 86400.0
    times, rising = find_discrete(t0, t1, above, epsilon=1e-4 / 86400.0)
    peaks, peak_deg = find_maxima(t0, t1, altitude, epsilon=1e-4 / 86400.0)
    edges: list[tuple[datetime | None, bool]] = []
    for when, up in zip(times.utc_datetime(), rising, strict=True):
        # At 0.1 ms find_discrete works at the resolution of a Julian date in one float
        # (40 us) and now and then reports one crossing as rise, set, rise within 0.1 ms
        # (seen once here, 2025-03-05T20:29:11.5753): a pair that cancels is dropped.
        last = edges[-1] if edges else None
        if last and last[1] != bool(up) and abs((when - last[0]).total_seconds()) < 1e-3:
            edges.pop()
            continue
        edges.append((when, bool(up)))
    maxima = [(when, deg) for when, deg in zip(peaks.utc_datetime(), peak_deg, strict=True)
              if deg > THRESHOLD_DEG]
    if edges and not edges[0][1]:
        edges.insert(0, (None, True))  # the window starts inside a pass
    if edges and edges[-1][1]:
        edges.append((None, False))
    out = []
    for (rise, _), (end, _) in zip(edges[::2], edges[1::2], strict=True):
        inside = [m for m in maxima
                  if (rise is None or m[0] > rise) and (end is None or m[0] < end)]
        peak = max(inside, key=lambda m: m[1]) if inside and rise and end else (None, None)
        out.append((rise, *peak, end))
    return out


def test_passes_agree_with_skyfield_on_the_same_states(iss_oem: Trajectory, skyfield_ts) -> None:
    """Passes of the 2025 OEM over random observers for 3 days: zarya.find_passes on a
    satellite with only the trajectory, against Skyfield's searches fed the same states
    (``_skyfield_passes``): the same passes, rise, culmination and set times and the peak
    elevation within the tolerances of PASS_TOL (far inside the 1 s the issue asks)."""
    rng = np.random.default_rng(PASS_SEED)
    lat = np.degrees(np.arcsin(rng.uniform(-np.sin(np.radians(55)), np.sin(np.radians(55)), 4)))
    observers = [Observer(float(a), float(b), float(c))
                 for a, b, c in zip(lat, rng.uniform(-180, 180, 4), rng.uniform(0, 2000, 4),
                                    strict=True)]
    window = Window.days(PASS_START, PASS_DAYS)
    t0 = skyfield_ts.from_datetime(window.start)
    t1 = skyfield_ts.from_datetime(window.end)
    dut1 = float(skyfield_ts.from_datetime(PASS_START + timedelta(days=PASS_DAYS / 2)).dut1)
    sat = Satellite([], trajectories=[iss_oem])
    states = TrajectoryStates(iss_oem)
    truth = [_skyfield_passes(states, o, t0, t1) for o in observers]
    worst: dict[str, list[float]] = {}
    for mode, ut1 in (("iers", dut1), ("default", 0.0)):
        found = find_passes(Ephemeris(sat, window, dut1_s=ut1), observers,
                            PassOptions(min_elevation_deg=THRESHOLD_DEG, visibility=False))
        events, peaks, elevations = [], [], []
        for ours, theirs in zip(found, truth, strict=True):
            assert len(ours) == len(theirs), (mode, ours, theirs)
            for p, (rise, peak, peak_deg, end) in zip(ours, theirs, strict=True):
                assert (p.rise is None, p.set is None) == (rise is None, end is None)
                events += [(p.rise.time - rise).total_seconds()] if rise else []
                events += [(p.set.time - end).total_seconds()] if end else []
                if peak is not None:
                    peaks.append((p.culmination.time - peak).total_seconds())
                    elevations.append(p.culmination.elevation_deg - peak_deg)
        worst[mode] = [np.abs(events).max(), np.abs(peaks).max(), np.abs(elevations).max()]
        print(f"\n{mode}: {sum(map(len, found))} passes, rise/set within {worst[mode][0]:.4f} s,"
              f" culmination {worst[mode][1]:.4f} s, elevation {worst[mode][2]:.5f} deg")
        assert all(w < tol for w, tol in zip(worst[mode], PASS_TOL[mode], strict=True)), mode
    assert sum(map(len, truth)) > 30


def test_no_instant_is_a_blend_of_two_sources() -> None:
    """Inside the grid step that holds a switch, the ephemeris follows the source serving
    each instant (found by a helper's review: it used to interpolate across the switch,
    223 km off one set or the other inside that step, 17 s on event times). The bundled
    sets of 2016-06-08 20:46 and 06-13 12:57 are 224 km apart at their switch
    (2016-06-11 04:52:02.1). Against sgp4 itself (the serving set at that instant, turned
    Earth-fixed by GMST-82 as the ephemeris does): measured 0.27 m and 0.028 m/s, the cubic
    Hermite's own error over a piece of the step (under 1 m at 60 s, see Ephemeris); bound
    0.7 m and 0.07 m/s; and 224 km from the other set."""
    from zarya import bundled_sets
    from zarya.engine.frames import gmst82_rad, teme_to_itrs

    a, b = [e for e in bundled_sets()
            if e.epoch.strftime("%Y-%m-%d %H:%M") in ("2016-06-08 20:46", "2016-06-13 12:57")]
    both = Satellite([a, b])
    (switch_jd,) = both.boundaries_jd()[(both.boundaries_jd() > a.epoch_jd_total)
                                        & (both.boundaries_jd() < b.epoch_jd_total)]
    switch = datetime_of(float(switch_jd), 0.0)
    window = Window((switch - timedelta(hours=1)).replace(second=0, microsecond=0), 7200.0)
    at = (switch - window.start).total_seconds()
    eph = Ephemeris(both, window)
    t = at + np.array([-30.0, -1.0, -0.01, 0.01, 1.0, 30.0])
    t = t[(t > np.floor(at / 60.0) * 60.0) & (t < np.ceil(at / 60.0) * 60.0)]  # that step
    jd1, jd2 = window.jd(t)
    dr, dv, apart = [], [], []
    for serving, other in ((a, b), (b, a)):
        side = (t < at) if serving is a else (t >= at)
        gmst = gmst82_rad(jd1[side], jd2[side], 0.0)
        truth = teme_to_itrs(*Satellite([serving]).teme(jd1[side], jd2[side])[:2], gmst)
        wrong = teme_to_itrs(*Satellite([other]).teme(jd1[side], jd2[side])[:2], gmst)[0]
        r, v = eph.state(t[side])
        dr += list(np.linalg.norm(r - truth[0], axis=1) * 1e3)
        dv += list(np.linalg.norm(v - truth[1], axis=1) * 1e3)
        apart += list(np.linalg.norm(r - wrong, axis=1))
    print(f"\nat a switch: {max(dr):.3f} m and {max(dv):.4f} m/s from the serving set, "
          f"{min(apart):.0f} km from the other")
    assert len(dr) == len(t) >= 4
    assert max(dr) < 0.7 and max(dv) < 0.07 and min(apart) > 200.0
