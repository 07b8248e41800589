"""Orbit Ephemeris Messages (CCSDS 502.0 OEM 2.0 and 3.0): trajectories as state vectors.

An OEM is an operator's trajectory: position and velocity (and optionally acceleration) at
listed epochs, in segments, each with its metadata (object, centre, reference frame, time
system, span, the interpolation its producer recommends), optionally with covariance
blocks. NASA publishes the ISS trajectory its sighting service uses as an OEM
(``ISS.OEM_J2K_EPH.txt`` in KVN, ``.xml`` in XML): 15 days of EME2000 states every 4
minutes, with the planned reboosts, launches and dockings in a TRAJECTORY EVENT SUMMARY in
its comments (:func:`planned_events`).

This module reads both encodings (KVN text, XML through defusedxml) into a
:class:`Trajectory`: segments of UTC epochs and states in their own frame, the header and
segment comments, and the planned events. It accepts REF_FRAME EME2000 (J2000), GCRF, ICRF,
ITRF (any realisation: ITRF93, ITRF2014, ...) and TEME; TIME_SYSTEM UTC, TAI, TT and GPS
(converted to UTC with erfa's leap-second table); INTERPOLATION LAGRANGE or HERMITE with
INTERPOLATION_DEGREE when given. Covariance blocks are skipped, accelerations kept. Bad
input raises :class:`~zarya.errors.OEMError` naming the line (KVN) or the element (XML).
Interpolation is the engine's (:mod:`zarya.engine.trajectory`).

Why not the ``oem`` package from PyPI: it pulls in astropy (hundreds of milliseconds and
tens of MB at import), and zarya's commands that read no OEM must not start slower; what
zarya needs from an OEM is small enough to read here, with its own errors and limits.
:func:`zarya.elements.readers.read_oem` reads either encoding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from ..errors import OEMError
from .elset import MAX_NAME_CHARS, clean_name

__all__ = [
    "FRAMES",
    "MAX_STATES",
    "TIME_SYSTEMS",
    "OEMSegment",
    "PlannedEvent",
    "Trajectory",
    "parse_epoch",
    "designator",
    "planned_events",
    "points_needed",
    "read_oem_kvn",
]

FloatArray = NDArray[np.float64]

FRAMES = ("EME2000", "GCRF", "ICRF", "ITRF", "TEME")
TIME_SYSTEMS = ("UTC", "TAI", "TT", "GPS")
INTERPOLATIONS = ("HERMITE", "LAGRANGE")
MAX_STATES = 5_000_000  # about a month at 1 s; 120 bytes each once read
_TT_MINUS_TAI_S = 32.184
_TAI_MINUS_GPS_S = 19.0
_UNIX_EPOCH_JD = 2440587.5


@dataclass(frozen=True)
class PlannedEvent:
    """One row of an operator's event summary: a reboost, a launch, a docking.

    ``time`` is the time of ignition (TIG) or of the event, UTC; ``delta_v_m_s`` the burn's
    size (0 for events that are not burns); ``apogee_km``/``perigee_km`` the heights after.
    """

    name: str
    time: datetime
    delta_v_m_s: float
    apogee_km: float | None = None
    perigee_km: float | None = None

    @property
    def is_burn(self) -> bool:
        return self.delta_v_m_s > 0.0


@dataclass(frozen=True)
class OEMSegment:
    """One segment: metadata, and the states at UTC epochs (``jd_whole`` + ``jd_fraction``,
    sorted, strictly increasing), in km and km/s in ``frame``."""

    object_name: str
    object_id: str
    frame: str  # one of FRAMES
    frame_as_given: str
    time_system: str  # as given; the epochs here are UTC
    jd_whole: FloatArray
    jd_fraction: FloatArray
    r_km: FloatArray  # (N, 3)
    v_km_s: FloatArray  # (N, 3)
    a_km_s2: FloatArray | None = None  # (N, 3) when given
    interpolation: str | None = None  # as recommended, one of INTERPOLATIONS
    degree: int | None = None
    useable_start_jd: float | None = None
    useable_stop_jd: float | None = None
    comments: tuple[str, ...] = ()
    epoch_resolution_s: float = 1e-3  # the last digit printed in the epochs
    object_where: str = ""  # where the file gives OBJECT_ID ("line 12", XML's path)

    def __len__(self) -> int:
        return len(self.jd_whole)

    @property
    def start_jd(self) -> float:
        return float(self.jd_whole[0] + self.jd_fraction[0])

    @property
    def stop_jd(self) -> float:
        return float(self.jd_whole[-1] + self.jd_fraction[-1])


@dataclass(frozen=True)
class Trajectory:
    """An OEM as read: its segments, its creation date and originator, its comments and the
    planned events of its summary. ``norad_id`` is known when the reader is told it (an OEM
    names the object by its international designator, ``OBJECT_ID``)."""

    segments: tuple[OEMSegment, ...]
    creation: datetime
    originator: str
    version: str
    comments: tuple[str, ...] = ()
    events: tuple[PlannedEvent, ...] = ()
    norad_id: int | None = None
    source: str = ""
    extra: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def name(self) -> str:
        return self.segments[0].object_name

    @property
    def object_id(self) -> str:
        return self.segments[0].object_id

    @property
    def start_jd(self) -> float:
        return min(s.start_jd for s in self.segments)

    @property
    def stop_jd(self) -> float:
        return max(s.stop_jd for s in self.segments)

    @property
    def creation_jd(self) -> float:
        return _jd(self.creation)

    @property
    def states(self) -> int:
        return sum(len(s) for s in self.segments)

    def burns(self) -> tuple[PlannedEvent, ...]:
        return tuple(e for e in self.events if e.is_burn)


# ------------------------------------------------------------------------------ time
_EPOCH = re.compile(
    r"^\s*(\d{4})-(?:(\d{2})-(\d{2})|(\d{3}))T(\d{2}):(\d{2}):(\d{2}(?:\.\d*)?)\s*Z?\s*$"
)


EPOCH_YEARS = (1957, 2100)  # the states of an Earth satellite: Sputnik to the century's end


def parse_epoch(text: str) -> tuple[float, float]:
    """A CCSDS epoch (``2025-02-26T12:00:00.000`` or day of year ``2025-057T12:00:00Z``) as
    (Julian date of 00:00 that day, seconds of the day), in the epoch's own time system.

    >>> parse_epoch("2025-057T12:00:00.000Z") == parse_epoch("2025-02-26T12:00:00")
    True
    """
    m = _EPOCH.match(text)
    if not m:
        raise ValueError(
            f"expected an epoch like 2025-02-26T12:00:00.000 or 2025-057T12:00:00.000, "
            f"found {text.strip()[:40]!r}"
        )
    y, mo, d, doy, hh, mm, ss = m.groups()
    year = int(y)
    if not EPOCH_YEARS[0] <= year <= EPOCH_YEARS[1]:
        raise ValueError(f"year {year} is outside {EPOCH_YEARS[0]} to {EPOCH_YEARS[1]}")
    if doy is not None:
        day = datetime(year, 1, 1) + timedelta(days=int(doy) - 1)
        if day.year != year or int(doy) < 1:
            raise ValueError(f"day of year {doy} does not exist in {year}")
    else:
        day = datetime(year, int(mo), int(d))
    seconds = int(hh) * 3600.0 + int(mm) * 60.0 + float(ss)
    if not (int(hh) < 24 and int(mm) < 60 and float(ss) < 61.0):
        raise ValueError(f"no such time of day in {text.strip()[:40]!r}")
    whole = _UNIX_EPOCH_JD + (day - datetime(1970, 1, 1)).days
    return whole, seconds


def _to_utc(whole: FloatArray, seconds: FloatArray, system: str) -> tuple[FloatArray, FloatArray]:
    """Epochs of a time system as UTC Julian dates (whole, fraction)."""
    if system == "UTC":
        return whole, seconds / 86400.0
    import warnings

    import erfa

    shift = {"TAI": 0.0, "TT": -_TT_MINUS_TAI_S, "GPS": _TAI_MINUS_GPS_S}[system]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", erfa.ErfaWarning)  # a dubious year: still usable
        u1, u2 = erfa.taiutc(whole, (seconds + shift) / 86400.0)
    frac = (u1 - whole) + u2
    return whole, frac


def _jd(when: datetime) -> float:
    return _UNIX_EPOCH_JD + (when - datetime(1970, 1, 1, tzinfo=UTC)) / timedelta(days=1)


def _datetime(whole: float, fraction: float) -> datetime:
    days = (whole - _UNIX_EPOCH_JD) + fraction
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(days=days)


# ------------------------------------------------------------------------ metadata
def _frame(value: str, where: str) -> tuple[str, str]:
    text = value.strip().upper()
    if text in ("EME2000", "J2000"):
        return "EME2000", value.strip()
    if text in ("GCRF", "ICRF", "TEME"):
        return text, value.strip()
    if re.fullmatch(r"ITRF[-_]?\d*", text):
        return "ITRF", value.strip()
    raise OEMError(
        f"{where}: REF_FRAME {value.strip()!r} is not one zarya can use: expected EME2000, "
        "GCRF, ICRF, ITRF (any realisation) or TEME"
    )


def _time_system(value: str, where: str) -> str:
    text = value.strip().upper()
    if text not in TIME_SYSTEMS:
        raise OEMError(
            f"{where}: TIME_SYSTEM {value.strip()!r} is not one zarya can use: expected "
            "UTC, TAI, TT or GPS"
        )
    return text


# Hermite over n points of position and velocity has degree 2n - 1; Lagrange over n points,
# n - 1. The producer's recommendation, else zarya's: Hermite of degree 7 (4 points).
DEFAULT_INTERPOLATION = "HERMITE"
DEFAULT_DEGREE = 7


def points_needed(interpolation: str | None, degree: int | None) -> int:
    """States an interpolation of that kind and degree needs at least."""
    kind = interpolation or DEFAULT_INTERPOLATION
    deg = degree if degree is not None else DEFAULT_DEGREE
    return (deg + 2) // 2 if kind == "HERMITE" else deg + 1


def _segment(meta: dict[str, tuple[str, str]], rows: list[tuple[str, str, list[str]]],
             comments: list[str]) -> OEMSegment:
    """A segment from its metadata (key -> (value, where)) and its data rows (where, epoch,
    numbers), validated."""
    def get(key: str, required: bool = True) -> tuple[str, str] | None:
        found = meta.get(key)
        if found is None and required:
            where = next(iter(meta.values()))[1] if meta else "the segment"
            raise OEMError(f"{where}: the segment's metadata has no {key}")
        return found

    name = get("OBJECT_NAME")
    oid = get("OBJECT_ID")
    centre = get("CENTER_NAME")
    frame_v = get("REF_FRAME")
    system_v = get("TIME_SYSTEM")
    assert name and oid and centre and frame_v and system_v
    if centre[0].strip().upper() != "EARTH":
        raise OEMError(f"{centre[1]}: CENTER_NAME {centre[0].strip()!r}: zarya follows "
                       "Earth satellites (expected EARTH)")
    frame, frame_as_given = _frame(*frame_v)
    system = _time_system(*system_v)
    interp = get("INTERPOLATION", required=False)
    kind = None
    if interp is not None:
        kind = interp[0].strip().upper()
        if kind not in INTERPOLATIONS:
            raise OEMError(f"{interp[1]}: INTERPOLATION {interp[0].strip()!r}: expected "
                           "HERMITE or LAGRANGE")
    deg_v = get("INTERPOLATION_DEGREE", required=False)
    degree = None
    if deg_v is not None:
        if not re.fullmatch(r"\s*\d{1,2}\s*", deg_v[0]) or not 1 <= int(deg_v[0]) <= 31:
            raise OEMError(f"{deg_v[1]}: INTERPOLATION_DEGREE {deg_v[0].strip()!r}: expected "
                           "a whole number from 1 to 31")
        degree = int(deg_v[0])
    if not rows:
        where = system_v[1]
        raise OEMError(f"{where}: the segment has no state vectors (truncated file?)")
    if len(rows) > MAX_STATES:
        raise OEMError(f"{rows[MAX_STATES][0]}: more than {MAX_STATES} states: too large")
    whole = np.empty(len(rows))
    secs = np.empty(len(rows))
    values = np.empty((len(rows), 9))
    width = None
    digits = 0
    for i, (where, epoch, numbers) in enumerate(rows):
        frac = epoch.rstrip(" Zz").rpartition(".")
        if frac[1]:
            digits = max(digits, len(frac[2]))
        try:
            whole[i], secs[i] = parse_epoch(epoch)
        except ValueError as exc:
            raise OEMError(f"{where}: {exc}") from None
        if len(numbers) not in (6, 9):
            raise OEMError(f"{where}: expected 6 numbers (x y z, vx vy vz) or 9 (and "
                           f"ax ay az) after the epoch, found {len(numbers)}")
        if width is not None and len(numbers) != width:
            raise OEMError(f"{where}: {len(numbers)} numbers where the rows before have "
                           f"{width}")
        width = len(numbers)
        try:
            row = [float(x) for x in numbers]
        except ValueError:
            bad = next(x for x in numbers if not _is_number(x))
            raise OEMError(f"{where}: {bad[:30]!r} is not a number") from None
        if not all(np.isfinite(row)):
            raise OEMError(f"{where}: a state holds a value that is not finite")
        values[i, : len(row)] = row
    jd_whole, jd_frac = _to_utc(whole, secs, system)
    t = (jd_whole - jd_whole[0]) * 86400.0 + jd_frac * 86400.0
    steps = np.diff(t)
    if len(steps) and not (steps > 0).all():
        k = int(np.flatnonzero(~(steps > 0))[0]) + 1
        raise OEMError(f"{rows[k][0]}: epoch {rows[k][1].strip()} is not after the one before "
                       f"({rows[k - 1][1].strip()}): epochs must increase")
    r = values[:, 0:3] * 1.0
    with np.errstate(over="ignore"):
        dist = np.linalg.norm(r, axis=1)
        far = np.linalg.norm(values[:, 3:6], axis=1) > 1e3  # km/s: not an orbit's
    wrong = ~((dist >= 6000.0) & (dist <= 1e7)) | far
    if wrong.any():
        k = int(np.flatnonzero(wrong)[0])
        raise OEMError(f"{rows[k][0]}: a state {dist[k]:.1f} km from the Earth's centre, "
                       "or moving over 1,000 km/s: not an Earth orbit in km and km/s")
    need = points_needed(kind, degree)
    if len(rows) < need:
        raise OEMError(
            f"{rows[-1][0]}: {len(rows)} states are too few for "
            f"{(kind or DEFAULT_INTERPOLATION).lower()} interpolation of degree "
            f"{degree if degree is not None else DEFAULT_DEGREE} ({need} at least)"
        )

    def useable(key: str) -> float | None:
        found = get(key, required=False)
        if found is None:
            return None
        try:
            w, s = parse_epoch(found[0])
        except ValueError as exc:
            raise OEMError(f"{found[1]}: {key}: {exc}") from None
        uw, uf = _to_utc(np.array([w]), np.array([s]), system)
        return float(uw[0] + uf[0])

    return OEMSegment(
        object_name=clean_name(name[0])[:MAX_NAME_CHARS],
        object_id=oid[0].strip(),
        frame=frame,
        frame_as_given=frame_as_given,
        time_system=system,
        jd_whole=jd_whole,
        jd_fraction=jd_frac,
        r_km=r,
        v_km_s=values[:, 3:6].copy(),
        a_km_s2=values[:, 6:9].copy() if width == 9 else None,
        interpolation=kind,
        degree=degree,
        useable_start_jd=useable("USEABLE_START_TIME"),
        useable_stop_jd=useable("USEABLE_STOP_TIME"),
        comments=tuple(comments),
        epoch_resolution_s=10.0**-digits,
        object_where=oid[1],
    )


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _trajectory(header: dict[str, tuple[str, str]], segments: list[OEMSegment],
                comments: list[str], version: str, source: str,
                norad_id: int | None, expect_object: str | None) -> Trajectory:
    created = header.get("CREATION_DATE")
    if created is None:
        raise OEMError("the OEM's header has no CREATION_DATE")
    try:
        w, s = parse_epoch(created[0])
    except ValueError as exc:
        raise OEMError(f"{created[1]}: CREATION_DATE: {exc}") from None
    if not segments:
        raise OEMError("no segment in the OEM (truncated file?)")
    first = segments[0]
    for k, seg in enumerate(segments):
        ask = expect_object or first.object_id
        if designator(seg.object_id) != designator(ask) and seg.object_name != ask:
            raise OEMError(
                f"{seg.object_where or f'segment {k + 1}'}: OBJECT_ID {seg.object_id!r} "
                f"({seg.object_name}) is another object than {ask!r}"
            )
    ordered = sorted(segments, key=lambda g: g.start_jd)
    for a, b in zip(ordered[:-1], ordered[1:], strict=True):
        if b.start_jd < a.stop_jd - 1e-9:
            number = {id(g): k + 1 for k, g in enumerate(segments)}
            raise OEMError(
                f"segment {number[id(b)]} starts before segment {number[id(a)]} ends: "
                "segments must not overlap"
            )
    all_comments = tuple(comments) + tuple(c for g in ordered for c in g.comments)
    year = _datetime(ordered[0].start_jd, 0.0).year
    return Trajectory(
        segments=tuple(ordered),
        creation=_datetime(w, s / 86400.0),
        originator=header.get("ORIGINATOR", ("", ""))[0].strip(),
        version=version,
        comments=tuple(comments),
        events=planned_events(all_comments, year=year),
        norad_id=norad_id,
        source=source,
    )


def designator(text: str) -> str:
    """'1998-067-A', '1998-067A' and '98067A' alike: the international designator."""
    t = text.strip().upper().replace("-", "").replace(" ", "")
    return t[2:] if len(t) >= 7 and t[:4].isdigit() else t


# -------------------------------------------------------------------------- events
_EVENT = re.compile(
    r"^\s*(?P<name>\S.*?)\s+(?P<tig>\d{3}:\d{2}:\d{2}:\d{2}(?:\.\d+)?)\s+"
    r"(?:(?P<orb>\d+)\s+)?(?P<dv>-?\d+(?:\.\d*)?)\s+(?P<ha>-?\d+(?:\.\d*)?)\s+"
    r"(?P<hp>-?\d+(?:\.\d*)?)\s*$"
)


def planned_events(comments: tuple[str, ...] | list[str], *, year: int) -> tuple[PlannedEvent, ...]:
    """The rows of a TRAJECTORY EVENT SUMMARY (NASA's ISS OEM) among ``comments``: event
    name, time of ignition (``DDD:HH:MM:SS.sss`` in ``year``, the next year for a day
    before the first one seen), delta-v (m/s), apogee and perigee heights (km).

    >>> e, = planned_events([" Reboost  072:03:12:00.000  1.2  424.0  410.1"], year=2025)
    >>> e.name, e.time.isoformat(), e.is_burn
    ('Reboost', '2025-03-13T03:12:00+00:00', True)
    """
    out: list[PlannedEvent] = []
    inside = not any("TRAJECTORY EVENT SUMMARY" in c for c in comments)
    last_day = 0
    for line in comments:
        if "TRAJECTORY EVENT SUMMARY" in line:
            inside = True
            continue
        if "End sequence of events" in line:
            inside = False
        if not inside:
            continue
        m = _EVENT.match(line)
        if not m:
            continue
        d, h, mi, s = m["tig"].split(":")
        day = int(d)
        y = year + (1 if day < last_day - 300 else 0)
        last_day = max(last_day, day)
        when = datetime(y, 1, 1, tzinfo=UTC) + timedelta(
            days=day - 1, hours=int(h), minutes=int(mi), seconds=float(s)
        )
        out.append(PlannedEvent(m["name"].strip(), when, float(m["dv"]), float(m["ha"]),
                                float(m["hp"])))
    return tuple(out)


# ------------------------------------------------------------------------ the reader
def read_oem_kvn(
    text: str, *, source: str = "", norad_id: int | None = None,
    expect_object: str | None = None,
) -> Trajectory:
    """An OEM in KVN text as a :class:`Trajectory` (XML: :mod:`.oem_xml`; either:
    :func:`zarya.elements.readers.read_oem`).

    ``expect_object``: the international designator (or name) the OEM must be about;
    ``norad_id``: the catalogue number to give it.
    """
    header: dict[str, tuple[str, str]] = {}
    header_comments: list[str] = []
    segments: list[OEMSegment] = []
    version = ""
    meta: dict[str, tuple[str, str]] | None = None
    seg_comments: list[str] = []
    rows: list[tuple[str, str, list[str]]] = []
    state = "header"  # header, meta, data, covariance
    opened = ""  # where the block now open (metadata, covariance) starts
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        where = f"line {number}"
        if not line:
            continue
        if line.startswith("COMMENT"):
            comment = line[7:].strip()
            if state == "header":
                header_comments.append(comment)
            elif state != "covariance":
                seg_comments.append(comment)
            continue
        if state == "covariance":
            if line == "COVARIANCE_STOP":
                state = "data"
            continue
        if line == "META_START":
            if state == "meta":
                raise OEMError(f"{where}: META_START inside metadata (a META_STOP is missing)")
            if meta is not None:
                segments.append(_segment(meta, rows, seg_comments))
            meta, rows, seg_comments, state, opened = {}, [], [], "meta", where
            continue
        if line == "META_STOP":
            if state != "meta":
                raise OEMError(f"{where}: META_STOP without META_START")
            state = "data"
            continue
        if line == "COVARIANCE_START":
            if state != "data":
                raise OEMError(f"{where}: COVARIANCE_START outside a segment's data")
            state, opened = "covariance", where
            continue
        if state in ("header", "meta"):
            key, eq, value = line.partition("=")
            if not eq:
                raise OEMError(f"{where}: expected 'KEY = value', found {line[:40]!r}")
            key = key.strip().upper()
            if state == "header":
                if key == "CCSDS_OEM_VERS":
                    version = value.strip()
                header[key] = (value, where)
            else:
                assert meta is not None
                meta[key] = (value, where)
            continue
        parts = line.split()
        rows.append((where, parts[0], parts[1:]))
    if state == "meta":
        raise OEMError(f"{opened}: the segment's metadata starting here has no META_STOP: "
                       "the OEM ends inside it (truncated file?)")
    if state == "covariance":
        raise OEMError(f"{opened}: the covariance block starting here has no COVARIANCE_STOP: "
                       "the OEM ends inside it (truncated file?)")
    if not version:
        raise OEMError("line 1: not an OEM: no CCSDS_OEM_VERS")
    if version.split(".")[0] not in ("1", "2", "3"):
        raise OEMError(f"{header['CCSDS_OEM_VERS'][1]}: CCSDS_OEM_VERS {version!r}: expected "
                       "1.0, 2.0 or 3.0")
    if meta is not None:
        segments.append(_segment(meta, rows, seg_comments))
    return _trajectory(header, segments, header_comments, version, source, norad_id,
                       expect_object)
