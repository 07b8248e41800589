"""``zarya passes`` and ``zarya now`` as the contract's JSON objects.

Each function takes already-parsed values (a Satellite, an Observer, a Window), runs the
library and returns plain dicts shaped exactly as DESIGN's interface contract says, so the
command line (``--json``) and the web service serve the same objects.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np

from ..domain.geography import beneath
from ..domain.light import SHADOW_HEIGHT_KM, shadow, sun_elevation_deg
from ..domain.pass_table import Pass, PassOptions
from ..domain.passes import find_passes
from ..elements.elset import ElementSet
from ..engine.ephemeris import Ephemeris
from ..engine.failures import cannot, reason
from ..engine.frames import EARTH_ROTATION_RAD_S, itrs_to_geodetic
from ..engine.look import Observer, Observers, compass
from ..engine.satellite import Satellite
from ..engine.timescale import Window, iso_z, micros_column
from ..errors import PropagationError
from . import contract
from .satellites import ManyObjects, planned, satellite_info, source_switches

__all__ = ["brightness_warnings", "many_passes_report", "now_report", "passes_report",
           "rules_info"]

_OMEGA = np.array([0.0, 0.0, EARTH_ROTATION_RAD_S])


def passes_report(
    sat: Satellite,
    observer: Observer,
    window: Window,
    *,
    options: PassOptions | None = None,
    visible_only: bool = False,
    allow_stale: bool = False,
) -> dict[str, Any]:
    """``zarya passes --json``: satellite, observer, threshold, passes (and warnings).

    >>> from zarya.engine.timescale import parse_instant
    >>> from zarya.reports.satellites import load_satellite
    >>> report = passes_report(load_satellite(), Observer(51.18, 71.45),
    ...                        Window.days(parse_instant("2016-04-04"), 1), visible_only=True)
    >>> [(p["visible"]["start"]["direction"], p["visible"]["brightest_magnitude"])
    ...  for p in report["passes"]]
    [('SW', -3.5), ('W', -3.1)]
    """
    options = options or PassOptions()
    warnings = sat.check_age(window, allow_stale=allow_stale)
    eph = Ephemeris(sat, window)
    eph.require_some_valid()
    passes: list[Pass] = find_passes(eph, observer, options, visible_only=visible_only)[0]
    if visible_only:
        passes = [p for p in passes if p.visible is not None]
    warnings += [f.warning("passes", digits=1) for f in eph.failed_stretches()]
    warnings += brightness_warnings(sat, options)
    events, event_warnings = planned(sat, window)
    report: dict[str, Any] = {
        "satellite": satellite_info(sat, window.start),
        "observer": contract.observer(observer),
        "min_elevation_deg": options.min_elevation_deg,
        "rules": rules_info(options),
        "window": contract.window(window),
        "passes": [_with_switches(sat, window, p, options) for p in passes],
        "warnings": warnings + event_warnings,
    }
    if events:
        report["planned_events"] = events
    return report


def rules_info(options: PassOptions) -> dict[str, Any]:
    """What "visible" meant for an answer: the rule set and its settings."""
    return {
        "name": options.rules,
        "sun_limit_deg": options.sun_limit_deg,
        "shadow_height_km": options.shadow_height_km,
        "refraction": options.refraction,
        "extinction": options.extinction,
        "against_sky": options.sky,
        "dark_sky_limit": options.dark_limit if options.sky else None,
        "twilight": "drops" if options.dark_throughout else "shortens",
        "brighter_than": options.brighter_than,
    }


def brightness_warnings(sat: Satellite, options: PassOptions) -> list[str]:
    """What the answer cannot say for want of the object's standard magnitude."""
    if sat.std_magnitude is not None or not options.visibility:
        return []
    out = [f"the standard magnitude of {sat.name} is unknown: no magnitude is given"]
    if options.sky:
        out.append("judging against the sky needs a magnitude: the Sun's limit "
                   f"({options.sun_limit_deg:g} degrees) is used instead")
    if options.brighter_than is not None:
        out.append(f"no stretch of unknown brightness is brighter than {options.brighter_than:g}")
    return out


def _with_switches(sat: Satellite, window: Window, p: Pass,
                   options: PassOptions) -> dict[str, Any]:
    """A pass as the contract writes it, with the changes of source inside it, if any."""
    out = contract.pass_(p, minute_truncated=options.minute_truncated)
    if sat.n_sources == 1:
        return out
    start = p.rise.time if p.rise else window.start
    end = p.set.time if p.set else window.end
    switches = source_switches(sat, start, end)
    if switches:
        out["source_switches"] = switches
    return out


def now_report(
    sat: Satellite, when: datetime, *, observer: Observer | None = None,
    allow_stale: bool = False, shadow_height_km: float = SHADOW_HEIGHT_KM,
) -> dict[str, Any]:
    """``zarya now --json``: the sub-satellite point, height, speed and sunlight at an
    instant (sunlit, penumbra or umbra of the Earth's shadow raised ``shadow_height_km``),
    and where to look from ``observer`` if one is given.

    >>> from zarya.engine.timescale import parse_instant
    >>> from zarya.reports.satellites import load_satellite
    >>> now = now_report(load_satellite(), parse_instant("2016-04-04T12:00:00Z"))
    >>> now["over"], now["alt_km"], now["sunlight"]
    ('South Pacific Ocean', 406.34, 'umbra')
    """
    window = Window(when, 60.0)
    warnings = sat.check_age(Window(when, 1e-3), allow_stale=allow_stale)  # at that instant
    eph = Ephemeris(sat, window, step_s=60.0)
    if not eph.ok[0]:
        raise PropagationError(
            f"{cannot(sat.name, int(eph.error[0]))} at {iso_z(when, 0)}: "
            f"{reason(int(eph.error[0]))}",
            name=sat.name,
            code=int(eph.error[0]),
            start=when,
            end=when,
        )
    r = eph.r_km[:1]
    v = eph.v_km_s[:1]
    lat, lon, height = itrs_to_geodetic(r)
    out: dict[str, Any] = {
        "satellite": satellite_info(sat, when),
        "time": iso_z(when),
        "lat_deg": round(float(lat[0]), 4),
        "lon_deg": round(float(lon[0]), 4),
        "alt_km": round(float(height[0]), 2),
        "speed_km_s": round(float(np.linalg.norm(v[0] + np.cross(_OMEGA, r[0]))), 3),
        "sunlight": str(shadow(r, eph.sun_km[:1], shadow_height_km)[0]),
        "over": str(beneath([float(lat[0])], [float(lon[0])])[0]),
        "warnings": warnings,
    }
    if observer is not None:
        obs = Observers.of(observer)
        az, el, rng, rate = obs.look(r, np.array([0]), v)
        assert rate is not None
        sun_el = sun_elevation_deg(eph.sun_km[:1], obs.r_km, obs.up)
        out["observer"] = contract.observer(observer)
        out["look"] = {
            "azimuth_deg": round(float(az[0]), 2),
            "elevation_deg": round(float(el[0]), 2),
            "range_km": round(float(rng[0]), 1),
            "range_rate_km_s": round(float(rate[0]), 3),
            "direction": compass(float(az[0])),
            "sun_elevation_deg": round(float(sun_el[0]), 2),
        }
    return out


def many_passes_report(
    sources: Mapping[int, Sequence[ElementSet]], observer: Observer, window: Window, *,
    options: PassOptions | None = None, visible_only: bool = False, allow_stale: bool = False,
    std_magnitudes: Mapping[int, float] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """``zarya passes --sat all --json`` (or a list): the passes of many objects over one
    place, in time order, each naming its object (``norad_id``, ``name``).

    ``sources``: each object's element sets, searched together
    (:mod:`zarya.domain.catalogue_passes`). An object whose elements are over 30 days
    from the window (unless ``allow_stale``) or that sgp4 propagates nowhere in it is left out and
    counted; one that sgp4 stops propagating inside it (a decaying object) keeps its passes
    up to the failure and is named in ``failures``. Magnitudes only for objects whose
    standard magnitude is known (``std_magnitudes``, and the ISS's built-in one).
    ``progress(done, total)`` is called as objects are done.
    """
    options = options or PassOptions()
    objects = ManyObjects(sources, window, allow_stale=allow_stale,
                          std_magnitudes=std_magnitudes)
    sats = list(objects.satellites())
    total = len(objects)
    done_before = total - len(sats)  # left out already
    failures: list[dict[str, Any]] = []
    from ..domain.catalogue_passes import find_many_pass_tables  # the catalogue's search

    many = find_many_pass_tables(
        sats, Observers.of(observer), window, options, visible_only=visible_only,
        progress=None if progress is None else
        (lambda d, _n: progress(done_before + d, total)))
    table, owner = many.table, many.owner
    kept = np.zeros(len(sats), dtype=bool)
    for i, (sat, codes, ok) in enumerate(zip(sats, many.codes, many.propagated, strict=True)):
        if not ok:
            objects.failed += 1
            continue
        kept[i] = True
        if len(codes):
            failures.append({"norad_id": sat.norad_id, "name": sat.name,
                             "reason": reason(int(codes[0]))})
    chosen = kept[owner] & (table.visible if visible_only else True)
    rows = np.flatnonzero(chosen)
    with_passes = len(np.unique(owner[rows]))
    items = contract.pass_rows(table, rows, minute_truncated=options.minute_truncated)
    ids = np.array([s.norad_id for s in sats], dtype=np.int64)
    names = [s.name for s in sats]
    found = []
    for row, item in zip(rows.tolist(), items, strict=True):
        sat = sats[owner[row]]
        if sat.n_sources > 1:
            t_rise, t_set = table.t[row, 0], table.t[row, 2]
            switches = source_switches(
                sat, window.start if np.isnan(t_rise) else window.instant(t_rise),
                window.end if np.isnan(t_set) else window.instant(t_set))
            if switches:
                item["source_switches"] = switches
        found.append({"norad_id": int(ids[owner[row]]), "name": names[owner[row]], **item})
    # in time order (the rise, or the culmination of a pass the window cuts), then by
    # object: a stable sort of the rows, which come by object and time
    first = np.where(np.isnan(table.t[rows, 0]), table.t[rows, 1], table.t[rows, 0])
    order = np.lexsort((ids[owner[rows]], micros_column(window, first)))
    found = [found[k] for k in order.tolist()]
    warnings = objects.warnings()
    if failures:
        named = "; ".join(f"{f['name']} ({f['norad_id']}): {f['reason']}" for f in failures[:5])
        more = f"; and {len(failures) - 5} more" if len(failures) > 5 else ""
        warnings.append(f"{len(failures)} object(s) stop propagating inside the window, their "
                        f"passes kept up to there: {named}{more}")
    return {
        "observer": contract.observer(observer),
        "min_elevation_deg": options.min_elevation_deg,
        "rules": rules_info(options),
        "window": contract.window(window),
        "objects_looked_at": total,
        "objects_with_passes": with_passes,
        "stale": objects.stale,
        "failed": objects.failed,
        "failures": failures,
        "passes": found,
        "warnings": warnings,
    }
