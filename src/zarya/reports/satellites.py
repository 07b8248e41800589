"""Which satellite a question is about, and how old its elements are.

:func:`load_satellite` brings an object's element history from a file (``--elements``) or
from the element store; :func:`satellite_info` is the ``satellite`` object that heads every
answer: NORAD number, name, and the epoch and age of the set serving the window's start.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np

from ..elements.elset import ElementSet
from ..elements.files import read_sources_file
from ..elements.oem import Trajectory, designator
from ..elements.records import select_object
from ..elements.store import open_store
from ..engine.ephemeris import Ephemeris
from ..engine.satellite import BUILTIN_STD_MAGNITUDES, STALE_REFUSE_DAYS, Satellite
from ..engine.timescale import Window, datetime_of, iso_z, jd_of
from ..errors import CatalogError, OptionError, StaleElementsError, ZaryaError, param

__all__ = [
    "ManyObjects",
    "many_objects",
    "object_sets",
    "MAX_PASS_DAYS",
    "load_satellite",
    "pass_window",
    "planned",
    "satellite_info",
    "source_switches",
]

MAX_PASS_DAYS = 366.0


def load_satellite(
    sat: str | int | None = None,
    *,
    elements_file: str | None = None,
    std_magnitude: float | None = None,
) -> Satellite:
    """The satellite's sources of motion, element sets and trajectories (OEM): from
    ``elements_file``, else from the element store.

    The store is ``$ZARYA_HOME/elements.sqlite`` or the one in the user data directory,
    seeded with the bundled ISS history when it is first created. A trajectory read from a
    file is given the NORAD number the store knows for its international designator. The
    standard magnitude is ``std_magnitude``, else the store's (``zarya elements
    magnitudes``), else the built-in one (the ISS's -1.8), else unknown (None).

    >>> load_satellite().name
    'ISS (ZARYA)'
    """
    if sat is not None and not str(sat).strip():
        raise CatalogError(
            f"{param('sat')} is empty: give a NORAD number or a name (default: 25544)",
            parameter="sat",
            value=sat,
        )
    trajectories: list[Trajectory] = []
    if elements_file:
        sets, trajectories = read_sources_file(elements_file)
        chosen = select_object(sets, sat) if sets else []
        trajectories = [_numbered(t) for t in trajectories]
    else:
        with open_store() as store:
            chosen, trajectories = store.sources(store.resolve(sat))
    satellite = Satellite(list(chosen), trajectories=trajectories,
                          std_magnitude=std_magnitude)
    if std_magnitude is None:
        with open_store() as store:
            known = store.std_magnitude(satellite.norad_id)
        if known is not None:  # the store's list, over the built-in value
            satellite.std_magnitude = known[0]
    return satellite


def _numbered(t: Trajectory) -> Trajectory:
    """A trajectory read from a file, with the NORAD number the store knows for its
    international designator (if it knows one)."""
    if t.norad_id is not None:
        return t
    wanted = designator(t.object_id)
    with open_store() as store:
        for norad_id, _name, *_ in ((o.norad_id, o.name) for o in store.objects()):
            sets = store.sets(norad_id, required=False)
            if sets and designator(sets[-1].intl_designator) == wanted:
                return dataclasses.replace(t, norad_id=norad_id)
    return t


def satellite_info(sat: Satellite, when: datetime) -> dict[str, Any]:
    """NORAD number, name, the epoch and age (days, signed) of the source serving
    ``when`` (a set's epoch, or a trajectory's creation: then ``source`` says which), and
    the standard magnitude (``null``: unknown)."""
    jd = sum(jd_of(when))
    k = int(sat.select(np.array([jd]))[0])
    out: dict[str, Any] = {
        "norad_id": sat.norad_id,
        "name": sat.name,
        "elements_epoch": iso_z(sat.reference_time(k), 0),
        "elements_age_days": round(float(jd - sat.reference_jd(k)), 2),
        "std_magnitude": sat.std_magnitude,
    }
    if sat.is_trajectory(k):
        t = sat.trajectory(k)
        out["source"] = {
            "kind": "trajectory",
            "originator": t.originator,
            "created": iso_z(t.creation, 0),
            "start": iso_z(datetime_of(t.start_jd, 0.0), 0),
            "end": iso_z(datetime_of(t.stop_jd, 0.0), 0),
        }
    return out


def source_switches(sat: Satellite, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """The changes of source between two instants, with the two sources' disagreement
    there (km, and seconds along the track), as the contract writes them."""
    lo, hi = sum(jd_of(start)), sum(jd_of(end))
    return [
        {
            "time": iso_z(s.time),
            "from": sat.describe(s.before),
            "to": sat.describe(s.after),
            "distance_km": round(s.distance_km, 2),
            "along_track_s": round(s.along_track_s, 2) if np.isfinite(s.along_track_s)
            else None,
        }
        for s in sat.switches(lo, hi)
    ]


def planned(sat: Satellite, window: Window) -> tuple[list[dict[str, Any]], list[str]]:
    """The planned events of the trajectories that serve inside the window (reboosts,
    launches, dockings) as the contract writes them, and a warning for each burn: the
    predictions after it assume it happens."""
    lo, hi = sum(window.base_jd), sum(window.base_jd) + window.span_s / 86400.0
    serving = {k for _, _, k in sat.schedule().pieces(lo, hi) if sat.is_trajectory(k)}
    events, warnings = [], []
    for k in sorted(serving):
        for e in sat.trajectory(k).events:
            if window.start <= e.time <= window.end:
                events.append({"name": e.name, "time": iso_z(e.time, 0),
                               "delta_v_m_s": e.delta_v_m_s, "burn": e.is_burn})
                if e.is_burn:
                    warnings.append(
                        f"{e.name} ({e.delta_v_m_s:g} m/s) is planned at "
                        f"{e.time:%H:%M} UTC on {e.time.day} {e.time:%b}: predictions after "
                        "it assume it happens"
                    )
    return events, warnings


def pass_window(start: datetime, days: float) -> Window:
    """A window of ``days`` days (at most :data:`MAX_PASS_DAYS`) from ``start``."""
    return Window.days(start, days, max_days=MAX_PASS_DAYS)


class ManyObjects:
    """Many objects over one window, one ephemeris at a time (a whole catalogue is never
    held at once): those whose elements are too old for the window (unless allowed) or that
    sgp4 cannot propagate over it are left out and counted (``stale``, ``failed``), and
    said in :meth:`warnings`. Standard magnitudes from ``std_magnitudes`` over the built-in
    ones; an object without one has none."""

    def __init__(self, sources: Mapping[int, Sequence[ElementSet]], window: Window, *,
                 allow_stale: bool = False,
                 std_magnitudes: Mapping[int, float] | None = None) -> None:
        self.sources = sources
        self.window = window
        self.allow_stale = allow_stale
        self.mags = {**BUILTIN_STD_MAGNITUDES, **(std_magnitudes or {})}
        self.stale = 0
        self.failed = 0

    def __len__(self) -> int:
        return len(self.sources)

    def ephemerides(self, progress: Callable[[int, int], None] | None = None
                    ) -> Iterator[Ephemeris]:
        """Each usable object's ephemeris over the window, by NORAD number;
        ``progress(done, total)`` after each object."""
        total = len(self.sources)
        for done, sat in enumerate(self.satellites(), start=1):
            eph: Ephemeris | None = None
            try:
                eph = Ephemeris(sat, self.window)
                eph.require_some_valid()
            except ZaryaError:  # propagated nowhere in the window
                self.failed += 1
                eph = None
            if progress is not None:
                progress(done, total)
            if eph is not None:
                yield eph

    def satellites(self) -> Iterator[Satellite]:
        """Each object whose elements are recent enough for the window, by NORAD number
        (the others counted in ``stale``, or ``failed`` when their elements cannot be
        used at all)."""
        for norad_id, sets in sorted(self.sources.items()):
            try:
                sat = Satellite.from_elements(list(sets),
                                              std_magnitude=self.mags.get(norad_id))
                sat.check_age(self.window, allow_stale=self.allow_stale)
            except StaleElementsError:
                self.stale += 1
                continue
            except ZaryaError:
                self.failed += 1
                continue
            yield sat

    def warnings(self) -> list[str]:
        out = []
        if self.stale:
            out.append(f"{self.stale} object(s) left out: their elements are over "
                       f"{STALE_REFUSE_DAYS:g} days from the window")
        if self.failed:
            out.append(f"{self.failed} object(s) left out: sgp4 cannot propagate them over "
                       "the window (decayed, or elements out of range)")
        return out


def many_objects(sat: str, elements: str | None) -> bool:
    """Whether ``--sat`` asks for many objects: ``all``, a comma-separated list, or the name
    of a group the element store knows (``visual``, after ``elements update --group
    visual``)."""
    if not sat.strip():
        return False
    if sat.strip().lower() == "all" or "," in sat:
        return True
    if elements is not None:
        return False
    from ..elements.store import open_store

    with open_store() as store:
        return store.group_members(sat) is not None


def object_sets(sat: str, elements: str | None) -> tuple[dict[int, list[Any]],
                                                          dict[int, float]]:
    """The element sets of ``all``, or of a comma-separated list of numbers, names and
    group names, by object, from the file or the store; and the standard magnitudes the
    store knows."""
    from ..elements.files import read_elements_file
    from ..elements.records import select_object
    from ..elements.store import open_store

    wanted = [x.strip() for x in sat.split(",") if x.strip()]
    everything = sat.strip().lower() == "all"
    by_object: dict[int, list[Any]] = {}
    with open_store() as store:
        mags = store.std_magnitudes()
        if elements is not None:
            sets = list(read_elements_file(elements))
            if not everything:
                sets = [es for w in wanted for es in select_object(sets, w)]
            for es in sets:
                by_object.setdefault(es.norad_id, []).append(es)
        elif everything:
            by_object = store.sets_by_object()
        else:
            ids: set[int] = set()
            for w in wanted:
                members = store.group_members(w)
                ids.update(members if members is not None else [store.resolve(w)])
            by_object = store.sets_by_object(sorted(ids))
    if not by_object:
        raise OptionError(f"{param('sat')} {sat!r} names no object: give all, a group, or "
                          "NORAD numbers and names separated by commas",
                          parameter="sat", value=sat)
    return by_object, mags
