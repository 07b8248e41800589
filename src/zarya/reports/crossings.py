"""``zarya crossings --json``: the satellites that cross a patch of sky, for an astronomer
planning a long exposure: ``{"field": ..., "crossings": [...]}``, each crossing with its
object (``norad_id``, ``name``), ``entry`` and ``exit`` (UTC, null where the horizon or the
window cuts it), the ``closest`` time and ``separation_deg`` from the field's centre,
``rate_deg_s``, ``range_km``, ``sunlight`` and ``magnitude`` (null where unknown).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..domain.crossings import Crossing, Field, find_crossings
from ..elements.elset import ElementSet
from ..engine.look import Observer
from ..engine.timescale import Window, iso_z
from ..errors import TimeRangeError, param
from . import contract
from .satellites import ManyObjects

__all__ = ["MAX_CROSSING_DAYS", "crossings_report"]

JSON = dict[str, Any]
MAX_CROSSING_DAYS = 3.0  # a night or a few: every pass is scanned second by second


def _crossing(c: Crossing) -> JSON:
    return {
        "norad_id": c.norad_id, "name": c.name,
        "entry": iso_z(c.entry, 2) if c.entry else None,
        "exit": iso_z(c.exit, 2) if c.exit else None,
        "closest": iso_z(c.closest, 2),
        "separation_deg": round(c.separation_deg, 4),
        "rate_deg_s": round(c.rate_deg_s, 4),
        "range_km": round(c.range_km, 1),
        "sunlight": c.sunlight,
        "magnitude": c.magnitude,
    }


def crossings_report(
    sources: Mapping[int, Sequence[ElementSet]], observer: Observer, window: Window,
    field: Field, *, allow_stale: bool = False,
    std_magnitudes: Mapping[int, float] | None = None,
) -> JSON:
    """The crossings of ``field`` by every object of ``sources`` over the window."""
    days = window.span_s / 86400.0
    if days > MAX_CROSSING_DAYS:
        raise TimeRangeError(f"{param('days')} {days:g} is too long for crossings: at most "
                             f"{MAX_CROSSING_DAYS:g} days", parameter="days", value=days)
    objects = ManyObjects(sources, window, allow_stale=allow_stale,
                          std_magnitudes=std_magnitudes)
    found: list[Crossing] = []
    for eph in objects.ephemerides():
        found += find_crossings(eph, observer, field)
    found.sort(key=lambda c: (c.closest, c.norad_id))
    stale, failed, warnings = objects.stale, objects.failed, objects.warnings()
    centre = ({"ra_deg": field.ra_deg, "dec_deg": field.dec_deg} if field.ra_deg is not None
              else {"az_deg": field.az_deg, "alt_deg": field.alt_deg})
    return {
        "field": {**centre, "radius_deg": field.radius_deg},
        "observer": contract.observer(observer),
        "window": contract.window(window),
        "objects_looked_at": len(sources),
        "stale": stale,
        "failed": failed,
        "crossings": [_crossing(c) for c in found],
        "warnings": warnings,
    }
