"""``zarya orbits``, ``launch-windows``, ``overflights`` and ``radio`` as the contract's JSON.

Each function takes already-parsed values (a Satellite, a place, a Window) and returns the
plain dict that the command prints with ``--json`` and the web API serves.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..domain.launch import check_launch_reach, launch_windows
from ..domain.overflights import check_radius, find_overflights
from ..domain.radio import check_frequency, radio_passes
from ..domain.revolutions import NORAD_REV_MODULUS, count_orbits
from ..elements.elset import ElementSet
from ..elements.transmitters import Channel
from ..engine.ephemeris import Ephemeris
from ..engine.failures import propagation_failures
from ..engine.look import Observer
from ..engine.satellite import Satellite
from ..engine.timescale import Window, iso_z
from ..errors import TimeRangeError, param
from . import contract
from .satellites import ManyObjects, satellite_info

__all__ = ["launch_windows_report", "many_radio_report", "orbits_report", "overflights_report",
           "radio_report"]

JSON = dict[str, Any]


def _warn_failures(eph: Ephemeris, warnings: list[str], what: str) -> None:
    warnings += [f.warning(what, digits=1) for f in eph.failed_stretches()]


def orbits_report(sat: Satellite, window: Window, *, allow_stale: bool = False) -> JSON:
    """``zarya orbits --json``: the count, the crossings, the sets used and the cross-check.

    Where SGP4 fails for part of the window, ``complete`` is false, ``counted`` lists the
    stretches counted and ``propagation_failures`` the others (each with a warning); where it
    fails over the whole window, :class:`~zarya.errors.PropagationError`. ``rev_at_start``
    and ``rev_at_end`` are NORAD's absolute revolution numbers, or null when they cannot be
    known (only NASA-format sets, numbered modulo 4000, within reach: ``rev_numbering`` then
    gives the numbers modulo 4000; or SGP4 fails between the anchor set and the window).
    """
    warnings = sat.check_age(window, allow_stale=allow_stale)
    oc = count_orbits(sat, window)
    warnings += oc.warnings
    anchor = sat.elements[oc.anchor] if oc.anchor is not None else None
    checked = [c for c in oc.checks if c.checked]
    diffs = [c.difference for c in checked]
    sets = []
    for c in oc.checks:
        sets.append(
            {
                "epoch": iso_z(c.epoch, 0),
                "rev_number": c.carried,
                "rev_modulus": c.modulus,
                "counted_rev": c.predicted,
                "difference": c.difference,
                "anchor": c.is_anchor,
                "note": c.note,
                "epoch_to_node_s": round(c.node_s, 1) if math.isfinite(c.node_s) else None,
                "nearest_from": iso_z(c.serves_from, 0) if c.serves_from else None,
                "nearest_to": iso_z(c.serves_to, 0) if c.serves_to else None,
                "farthest_days": (
                    round(c.farthest_days, 2) if c.farthest_days is not None else None
                ),
            }
        )
    known = oc.rev_at_start is not None and oc.rev_at_end is not None
    absolute = known and oc.absolute
    in_window = anchor is not None and window.start <= anchor.epoch <= window.end
    if anchor is None:
        note = "unknown: no element set carries a revolution number for this object"
    elif not known:
        note = (
            "unknown: SGP4 fails between the epoch of the set of "
            f"{iso_z(anchor.epoch, 0)} and the start or end of the count, so the nodes in "
            "between cannot be counted"
        )
    elif absolute:
        where = "" if in_window else ", outside the window"
        note = (
            f"NORAD's, numbered from the standard set of {iso_z(anchor.epoch, 0)} "
            f"(rev {anchor.rev_number}{where})"
        )
    else:
        note = (
            f"no standard set within reach: numbered from the NASA-format set of "
            f"{iso_z(anchor.epoch, 0)} (rev {anchor.rev_number}), whose numbers are modulo "
            f"{oc.rev_modulus}; the absolute revolution number is unknown"
        )
    numbering = {
        "absolute": absolute,
        "modulus": oc.rev_modulus,
        "anchor_epoch": iso_z(anchor.epoch, 0) if anchor else None,
        "anchor_rev_number": anchor.rev_number if anchor else None,
        "anchor_in_window": in_window,
        "note": note,
    }
    if oc.rev_at_start is not None and oc.rev_at_end is not None and not absolute:
        numbering["rev_at_start"] = oc.rev_at_start % oc.rev_modulus
        numbering["rev_at_end"] = oc.rev_at_end % oc.rev_modulus
    return {
        "satellite": satellite_info(sat, window.start),
        "window": contract.window(window),
        "orbits": oc.count,
        "revolutions": round(oc.revolutions, 3),
        "complete": oc.complete,
        "counted": [{"start": iso_z(a, 0), "end": iso_z(b, 0)} for a, b in oc.counted],
        "propagation_failures": [contract.failed_stretch(f) for f in oc.failures],
        "first_node": iso_z(oc.first) if oc.first else None,
        "last_node": iso_z(oc.last) if oc.last else None,
        "rev_at_start": oc.rev_at_start if absolute else None,
        "rev_at_end": oc.rev_at_end if absolute else None,
        "rev_at_end_as_printed": (
            oc.rev_at_end % NORAD_REV_MODULUS if absolute and oc.rev_at_end is not None
            else None
        ),
        "rev_numbering": numbering,
        "cross_check": {
            "anchor_epoch": iso_z(anchor.epoch, 0) if anchor else None,
            "anchor_rev_number": anchor.rev_number if anchor else None,
            "anchor_modulus": oc.rev_modulus,
            "checked": len(checked),
            "agree": diffs.count(0),
            "off_by_one": sum(1 for d in diffs if d is not None and abs(d) == 1),
            "other": sum(1 for d in diffs if d is not None and abs(d) > 1),
            "not_checked": sum(
                1 for c in oc.checks if not c.is_anchor and c.difference is None
            ),
        },
        "element_sets": sets,
        "warnings": warnings,
    }


def launch_windows_report(
    sat: Satellite, site: Observer, window: Window, *, label: str | None = None,
    allow_stale: bool = False,
) -> JSON:
    """``zarya launch-windows --json``: every plane crossing of the site, with azimuths."""
    warnings = sat.check_age(window, allow_stale=allow_stale)
    failures = propagation_failures(sat, window)  # PropagationError if nowhere
    check_launch_reach(sat, window, site, [label] if label else None)
    found = launch_windows(sat, window, site)[0]
    warnings += [f.warning("plane crossings") for f in failures]
    if not found and failures:
        warnings.append(
            "no plane crossing in the part of the window where SGP4 propagates (it fails "
            "for the rest: see above)"
        )
    elif not found:
        warnings.append(
            "no plane crossing in the window: the site passes through the plane about twice "
            "a day (fewer near the orbit's reach); try a longer window"
        )
    return {
        "satellite": satellite_info(sat, window.start),
        "site": contract.observer(site),
        "window": contract.window(window),
        "windows": [contract.launch_window(w) for w in found],
        "warnings": warnings,
    }


def overflights_report(
    sat: Satellite, place: Observer, window: Window, radius_km: float, *,
    allow_stale: bool = False,
) -> JSON:
    """``zarya overflights --json``: closest approaches of the track within the radius."""
    check_radius(radius_km)
    warnings = sat.check_age(window, allow_stale=allow_stale)
    eph = Ephemeris(sat, window)
    eph.require_some_valid()
    found = find_overflights(eph, place, radius_km)[0]
    _warn_failures(eph, warnings, "overflights")
    return {
        "satellite": satellite_info(sat, window.start),
        "place": contract.observer(place),
        "radius_km": radius_km,
        "window": contract.window(window),
        "overflights": [contract.overflight(o) for o in found],
        "warnings": warnings,
    }


def radio_report(
    sat: Satellite, observer: Observer, window: Window, *, freq_mhz: float = 145.8,
    min_elevation_deg: float = 0.0, step_s: float = 30.0, allow_stale: bool = False,
) -> JSON:
    """``zarya radio --json``: AOS, LOS and the Doppler shift along each pass."""
    check_frequency(freq_mhz)
    _check_step(step_s)
    warnings = sat.check_age(window, allow_stale=allow_stale)
    eph = Ephemeris(sat, window)
    eph.require_some_valid()
    found = radio_passes(
        eph, observer, freq_mhz * 1e6, min_elevation_deg=min_elevation_deg, step_s=step_s
    )[0]
    _warn_failures(eph, warnings, "passes")
    return {
        "satellite": satellite_info(sat, window.start),
        "observer": contract.observer(observer),
        "frequency_mhz": freq_mhz,
        "min_elevation_deg": min_elevation_deg,
        "window": contract.window(window),
        "passes": [contract.radio_pass(p) for p in found],
        "warnings": warnings,
    }


def _check_step(step_s: float) -> None:
    if not (math.isfinite(step_s) and 0.1 <= step_s <= 3600.0):
        raise TimeRangeError(
            f"{param('step_s')} {step_s:g} is impossible: expected 0.1 to 3600 s",
            parameter="step_s",
            value=step_s,
        )


def many_radio_report(
    sources: Mapping[int, Sequence[ElementSet]], observer: Observer, window: Window, *,
    freq_mhz: float = 145.8, downlinks: Mapping[int, Sequence[Channel]] | None = None,
    min_elevation_deg: float = 0.0, step_s: float = 30.0, allow_stale: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> JSON:
    """``zarya radio --sat GROUP|all|LIST --json``: every object's passes above the radio
    horizon, in AOS order, each naming its object, with the Doppler shift at AOS, LOS and
    its largest, on the object's downlink: its first in ``downlinks`` (a SatNOGS
    export, by NORAD number) when given, objects it has none for left out and counted
    (``without_downlink``); else ``freq_mhz`` for every object. Object by object
    (:func:`radio_passes`); objects whose elements are too old or that sgp4 propagates
    nowhere in the window are left out and counted, as for passes."""
    check_frequency(freq_mhz)
    _check_step(step_s)
    silent = 0
    if downlinks is not None:  # only what can be heard
        silent = sum(1 for k in sources if not downlinks.get(k))
        sources = {k: v for k, v in sources.items() if downlinks.get(k)}
    objects = ManyObjects(sources, window, allow_stale=allow_stale)
    found: list[tuple[float, int, JSON]] = []
    for eph in objects.ephemerides(progress):
        sat = eph.satellite
        channel = downlinks[sat.norad_id][0] if downlinks is not None else None
        hz = channel.downlink_hz if channel is not None else freq_mhz * 1e6
        for p in radio_passes(eph, observer, hz, min_elevation_deg=min_elevation_deg,
                              step_s=step_s)[0]:
            item: JSON = {"norad_id": sat.norad_id, "name": sat.name,
                          "downlink_mhz": round(hz / 1e6, 6),
                          "channel": channel.name if channel is not None else None,
                          **contract.radio_pass(p, samples=False)}
            first = p.aos or p.culmination
            found.append((first.time.timestamp(), sat.norad_id, item))
    found.sort(key=lambda x: (x[0], x[1]))
    return {
        "observer": contract.observer(observer),
        "min_elevation_deg": min_elevation_deg,
        "window": contract.window(window),
        "objects_looked_at": len(objects),
        "objects_with_passes": len({x[1] for x in found}),
        "without_downlink": silent,
        "stale": objects.stale,
        "failed": objects.failed,
        "passes": [x[2] for x in found],
        "warnings": objects.warnings() + ([
            f"{silent} object(s) left out: no active downlink in the transmitters list"]
            if silent else []),
    }
