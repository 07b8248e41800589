"""``zarya track``: the ground track as the contract's JSON, as GeoJSON (RFC 7946) or CSV."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..domain.geodesy import footprint_radius_km
from ..domain.geography import beneath
from ..domain.tracks import Track, ground_track
from ..engine.ephemeris import Ephemeris
from ..engine.satellite import Satellite
from ..engine.timescale import Window, iso_z
from ..errors import PropagationError, TimeRangeError, param
from . import contract
from .satellites import satellite_info

__all__ = [
    "MAX_TRACK_POINTS",
    "check_track",
    "track_csv",
    "track_geojson",
    "track_points",
    "track_report",
]

MAX_TRACK_POINTS = 200_000

JSON = dict[str, Any]


def check_track(
    window: Window,
    step_s: float,
    *,
    min_step_s: float = 0.0,
    max_step_s: float = math.inf,
    max_points: int = MAX_TRACK_POINTS,
) -> int:
    """The number of points of a track over ``window`` every ``step_s``, or a
    :class:`~zarya.errors.TimeRangeError` for a step out of range (above ``min_step_s``, or
    from it when it is positive, up to ``max_step_s``) or a track of more than
    ``max_points`` points."""
    low_ok = step_s >= min_step_s if min_step_s > 0.0 else step_s > 0.0
    if not (math.isfinite(step_s) and low_ok and step_s <= max_step_s):
        expected = (
            f"{min_step_s:g} to {max_step_s:g} s" if min_step_s > 0.0
            else "a positive step"
        )
        raise TimeRangeError(
            f"{param('step_s')} {step_s:g} is impossible: expected {expected}",
            parameter="step_s",
            value=step_s,
        )
    n = math.ceil(window.span_s / step_s) + 1
    if n > max_points:
        raise TimeRangeError(
            f"a track of {n} points is too long: at most {max_points} (use a larger "
            f"{param('step_s')} or fewer {param('hours')})",
            parameter="step_s",
            value=step_s,
            limit=max_points,
        )
    return n


def track_points(
    sat: Satellite, window: Window, step_s: float, *, allow_stale: bool = False
) -> tuple[Track, list[str]]:
    """(Track, warnings) for ``zarya track``: sub-points every ``step_s`` over the window."""
    n = check_track(window, step_s)
    warnings = sat.check_age(window, allow_stale=allow_stale)
    eph = Ephemeris(sat, window)
    eph.require_some_valid()
    t = np.minimum(np.arange(n) * step_s, window.span_s)
    track = ground_track(eph, t)
    warnings += [f.warning("track", digits=1) for f in eph.failed_stretches()]
    return track, warnings


def track_report(sat: Satellite, window: Window, step_s: float, *,
                 allow_stale: bool = False) -> JSON:
    """``zarya track --format json``: sub-points with the country or ocean beneath."""
    track, warnings = track_points(sat, window, step_s, allow_stale=allow_stale)
    ok = np.isfinite(track.lat_deg)
    over = np.full(len(ok), None, dtype=object)
    over[ok] = beneath(track.lat_deg[ok], track.lon_deg[ok])
    foot = footprint_radius_km(track.alt_km)
    points = [
        {
            "time": window.iso(t),
            "lat_deg": round(float(la), 4) if np.isfinite(la) else None,
            "lon_deg": round(float(lo), 4) if np.isfinite(lo) else None,
            "alt_km": round(float(al), 2) if np.isfinite(al) else None,
            "footprint_km": round(float(fp), 1) if np.isfinite(fp) else None,
            "over": ov,
        }
        for t, la, lo, al, fp, ov in zip(
            track.t_s, track.lat_deg, track.lon_deg, track.alt_km, foot, over, strict=True
        )
    ]
    return {
        "satellite": satellite_info(sat, window.start),
        "window": contract.window(window),
        "step_s": step_s,
        "points": points,
        "warnings": warnings,
    }


def track_geojson(sat: Satellite, window: Window, step_s: float, *,
                  allow_stale: bool = False) -> JSON:
    """``zarya track --format geojson``: one Feature, a LineString or (cut at the
    antimeridian) a MultiLineString, RFC 7946."""
    track, warnings = track_points(sat, window, step_s, allow_stale=allow_stale)
    if not track.pieces():
        raise PropagationError("no part of the track could be computed in this window")
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": track.geojson_geometry(),
                "properties": {
                    "satellite": satellite_info(sat, window.start),
                    "start": iso_z(window.start, 0),
                    "end": iso_z(window.end, 0),
                    "step_s": step_s,
                    "warnings": warnings,
                },
            }
        ],
    }


def track_csv(sat: Satellite, window: Window, step_s: float, *,
              allow_stale: bool = False) -> tuple[str, list[str]]:
    """``zarya track --format csv``: time, lat_deg, lon_deg, alt_km, over (and warnings)."""
    report = track_report(sat, window, step_s, allow_stale=allow_stale)
    lines = ["time,lat_deg,lon_deg,alt_km,footprint_km,over"]
    for p in report["points"]:
        cells = [p["time"], p["lat_deg"], p["lon_deg"], p["alt_km"], p["footprint_km"]]
        over = p["over"] or ""
        text = ",".join("" if c is None else str(c) for c in cells)
        lines.append(f'{text},"{over}"' if "," in over else f"{text},{over}")
    return "\n".join(lines) + "\n", report["warnings"]
