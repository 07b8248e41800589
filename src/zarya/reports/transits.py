"""``zarya transits --json`` and the web's ``/api/transits``: the satellite across the Sun
and the Moon, and the centre lines of the whole globe as GeoJSON.

Each transit (see :class:`~zarya.domain.transits.Transit`) is an object with at least
``body``, ``time`` (the central transit at the centre line's point nearest the observer,
UTC), ``centre_lat_deg``, ``centre_lon_deg``, ``distance_km`` (observer to that point),
``separation_deg`` (the closest separation seen from the observer: 0 on the centre line),
``duration_s`` (on the disc, on the centre line), ``on_disc`` (seen from the observer) and
``body_radius_deg``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..domain.transits import (
    BODIES,
    MAX_TRANSIT_DAYS,
    Transit,
    TransitOptions,
    body_ever_up,
    centre_lines,
    check_reach,
    find_transits,
)
from ..engine.ephemeris import Ephemeris
from ..engine.look import Observer, compass
from ..engine.satellite import Satellite
from ..engine.timescale import Window, iso_z
from ..errors import OptionError, TimeRangeError, param, shown
from . import contract
from .satellites import satellite_info

__all__ = ["TRANSIT_STEP_S", "check_bodies", "transit", "transits_geojson", "transits_report"]

JSON = dict[str, Any]
TRANSIT_STEP_S = 10.0  # the satellite's grid: Hermite error far below a millimetre


def check_bodies(body: str) -> tuple[str, ...]:
    """``sun``, ``moon`` or ``both`` as the bodies to search."""
    key = str(body).strip().lower()
    if key == "both":
        return BODIES
    if key in BODIES:
        return (key,)
    raise OptionError(f"{param('body')} {shown(body)} is not a body: expected sun, moon or both",
                      parameter="body", value=body, choices=(*BODIES, "both"))


def _n(value: float | None, digits: int) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def transit(t: Transit) -> JSON:
    """One transit as JSON (UTC times with Z; angles in degrees)."""
    return {
        "body": t.body,
        "kind": t.kind,
        "time": iso_z(t.time, 2),
        "centre_lat_deg": _n(t.centre_lat_deg, 5),
        "centre_lon_deg": _n(t.centre_lon_deg, 5),
        "distance_km": _n(t.distance_km, 2),
        "bearing_deg": _n(t.bearing_deg, 1),
        "direction": compass(t.bearing_deg),
        "duration_s": _n(t.duration_s, 2),
        "strip_width_km": _n(t.strip_width_km, 2),
        "separation_deg": _n(t.separation_deg, 4),
        "on_disc": t.on_disc,
        "observer_time": iso_z(t.observer_time, 2),
        "observer_duration_s": _n(t.observer_duration_s, 2),
        "body_radius_deg": _n(t.body_radius_deg, 4),
        "body_altitude_deg": _n(t.body_alt_deg, 2),
        "body_azimuth_deg": _n(t.body_az_deg, 2),
        "sat_altitude_deg": _n(t.sat_alt_deg, 2),
        "sat_azimuth_deg": _n(t.sat_az_deg, 2),
        "range_km": _n(t.range_km, 1),
        "sat_size_arcsec": _n(t.sat_size_arcsec, 1),
        "moon_illumination": _n(t.moon_illumination, 3),
    }


def check_window(window: Window) -> None:
    """Refuse a window over :data:`MAX_TRANSIT_DAYS` days."""
    days = window.span_s / 86400.0
    if days > MAX_TRANSIT_DAYS:
        raise TimeRangeError(
            f"{param('days')} {days:g} is too long for transits: at most "
            f"{MAX_TRANSIT_DAYS:g} days (ask again for the months after)", parameter="days",
            value=days)


def transits_report(
    sat: Satellite, observer: Observer, window: Window, *, bodies: tuple[str, ...] = BODIES,
    radius_km: float = 0.0, margin_deg: float = 0.5, allow_stale: bool = False,
    with_found: list[Transit] | None = None,
) -> JSON:
    """Transits (and near misses, and centre lines within ``radius_km``) of the bodies seen
    from the observer, in time order. ``with_found``, when given, receives the
    :class:`Transit` objects (for pictures)."""
    opts = [TransitOptions(body=b, radius_km=radius_km, margin_deg=margin_deg) for b in bodies]
    check_window(window)
    warnings = sat.check_age(window, allow_stale=allow_stale)
    eph = Ephemeris(sat, window, step_s=TRANSIT_STEP_S)
    eph.require_some_valid()
    ok = eph.ok
    height = np.linalg.norm(eph.r_km[ok], axis=-1) - 6371.0 if ok.any() else np.zeros(1)
    check_reach(radius_km, float(np.max(height)))
    up = [b for b in bodies if body_ever_up(window, observer, b)]
    if not up:
        names = " nor the ".join("Sun" if b == "sun" else "Moon" for b in bodies)
        raise TimeRangeError(
            f"neither the {names} rises at this place in the window: no transit can be "
            "seen from here (the polar night, or a window too short)" if len(bodies) > 1 else
            f"the {names} stays below the horizon at this place for the whole window: no "
            "transit can be seen from here (the polar night, or a window too short)",
            parameter="days")
    for b in bodies:
        if b not in up:
            body_name = "Sun" if b == "sun" else "Moon"
            warnings.append(f"the {body_name} stays below the horizon here all the window")
    opts = [o for o in opts if o.body in up]
    found = sorted((t for o in opts for t in find_transits(eph, observer, o)),
                   key=lambda t: t.t_s)
    if with_found is not None:
        with_found.extend(found)
    return {
        "satellite": satellite_info(sat, window.start),
        "observer": contract.observer(observer),
        "window": contract.window(window),
        "bodies": list(bodies),
        "radius_km": radius_km,
        "margin_deg": margin_deg,
        "transits": [transit(t) for t in found],
        "warnings": warnings,
    }


def transits_geojson(sat: Satellite, window: Window, *, bodies: tuple[str, ...] = BODIES,
                     allow_stale: bool = False, step_s: float = 2.0) -> JSON:
    """Every centre line on the globe over the window as a GeoJSON FeatureCollection: one
    LineString per stretch (cut at the antimeridian), with its body and start and end
    times; ``[lon, lat]`` as GeoJSON has it."""
    check_window(window)
    sat.check_age(window, allow_stale=allow_stale)
    eph = Ephemeris(sat, window, step_s=TRANSIT_STEP_S)
    eph.require_some_valid()
    features: list[JSON] = []
    for body in bodies:
        for piece in centre_lines(eph, body, step_s=step_s):
            lon = piece[:, 2]
            cuts = np.flatnonzero(np.abs(np.diff(lon)) > 180.0) + 1
            for part in np.split(piece, cuts):
                if len(part) < 2:
                    continue
                features.append({
                    "type": "Feature",
                    "properties": {
                        "body": body,
                        "start": window.iso(part[0, 0]),
                        "end": window.iso(part[-1, 0]),
                    },
                    "geometry": {
                        "type": "LineString",
                        "coordinates": [[round(float(x), 5), round(float(y), 5)]
                                        for _, y, x in part],
                    },
                })
    features.sort(key=lambda f: f["properties"]["start"])
    return {"type": "FeatureCollection", "features": features,
            "satellite": satellite_info(sat, window.start), "window": contract.window(window)}
