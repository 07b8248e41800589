"""``zarya now --sat all`` (or a list): every object above the horizon at an instant.

The JSON: the instant, the observer, how many objects were looked at, how many could not
be propagated or had elements too old to trust, and ``above``, highest first: each object's
``norad_id``, ``name``, ``azimuth_deg``, ``direction``, ``elevation_deg``, ``range_km``,
``range_rate_km_s``, ``height_km``, ``sunlight`` (sunlit, penumbra, umbra), ``magnitude``
(null where its standard magnitude is unknown, or in the umbra) and its elements' epoch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from ..domain.light import SHADOW_HEIGHT_KM
from ..domain.overhead import above_horizon
from ..elements.elset import ElementSet
from ..engine.look import Observer, compass
from ..engine.satellite import BUILTIN_STD_MAGNITUDES, STALE_REFUSE_DAYS
from ..engine.timescale import iso_z
from . import contract

__all__ = ["nearest_per_object", "overhead_report"]

JSON = dict[str, Any]


def nearest_per_object(sets: Sequence[ElementSet], when: datetime) -> list[ElementSet]:
    """One set per object: the one whose epoch is nearest ``when`` (a later one on a tie)."""
    best: dict[int, ElementSet] = {}
    for es in sets:
        old = best.get(es.norad_id)
        gap = abs((es.epoch - when).total_seconds())
        if old is None or gap < abs((old.epoch - when).total_seconds()) or (
                gap == abs((old.epoch - when).total_seconds()) and es.epoch > old.epoch):
            best[es.norad_id] = es
    return [best[k] for k in sorted(best)]


def overhead_report(
    sets: Sequence[ElementSet], when: datetime, observer: Observer, *,
    std_magnitudes: Mapping[int, float] | None = None, min_elevation_deg: float = 0.0,
    shadow_height_km: float = SHADOW_HEIGHT_KM, allow_stale: bool = False,
) -> JSON:
    """Every object of ``sets`` (the nearest set of each is used) above the horizon at
    ``when``; objects whose nearest elements are over 30 days from it are left out unless
    ``allow_stale`` (and counted)."""
    chosen = nearest_per_object(sets, when)
    fresh = [es for es in chosen
             if allow_stale or abs((es.epoch - when).total_seconds()) <= STALE_REFUSE_DAYS * 86400]
    stale = len(chosen) - len(fresh)
    mags = {**BUILTIN_STD_MAGNITUDES, **(std_magnitudes or {})}
    sky = above_horizon(fresh, when, observer, std_magnitudes=mags,
                        min_elevation_deg=min_elevation_deg, shadow_height_km=shadow_height_km)
    warnings = []
    if stale:
        warnings.append(f"{stale} object(s) left out: their nearest elements are over "
                        f"{STALE_REFUSE_DAYS:g} days from {iso_z(when, 0)}")
    if sky.failed:
        warnings.append(f"{sky.failed} object(s) could not be propagated to this instant "
                        "(decayed, or elements out of range)")
    return {
        "time": iso_z(when),
        "observer": contract.observer(observer),
        "min_elevation_deg": min_elevation_deg,
        "objects_looked_at": sky.looked_at,
        "failed": sky.failed,
        "stale": stale,
        "above": [{
            "norad_id": o.norad_id,
            "name": o.name,
            "azimuth_deg": round(o.azimuth_deg, 2),
            "direction": compass(o.azimuth_deg),
            "elevation_deg": round(o.elevation_deg, 2),
            "range_km": round(o.range_km, 1),
            "range_rate_km_s": round(o.range_rate_km_s, 4),
            "height_km": round(o.height_km, 1),
            "sunlight": o.sunlight,
            "magnitude": o.magnitude,
            "elements_epoch": iso_z(o.epoch, 0),
        } for o in sky.objects],
        "warnings": warnings,
    }
