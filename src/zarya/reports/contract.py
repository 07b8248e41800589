"""How the domain's value objects are written in the JSON contract (DESIGN's interface).

Times are ISO 8601 UTC with a ``Z`` (to 0.1 s); angles are rounded to 0.01 degree, ranges to
0.1 km; a number that is not finite is ``null`` (JSON has no NaN). Every answer of the
command line's ``--json``, the web API and the batch is made of these pieces.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..domain.launch import LaunchWindow
from ..domain.overflights import Overflight
from ..domain.pass_table import LookPoint, Pass, PassTable, VisibleSegment
from ..domain.radio import RadioPass
from ..engine.failures import FailedStretch
from ..engine.look import Observer, compass_points
from ..engine.timescale import Window, iso_column, iso_z, tenths_column

__all__ = [
    "failed_stretch",
    "launch_window",
    "number",
    "observer",
    "overflight",
    "pass_",
    "pass_rows",
    "point",
    "radio_pass",
    "rounded_column",
    "visible_segment",
    "window",
]

JSON = dict[str, Any]


def number(value: float, digits: int) -> float | None:
    """``value`` rounded, or None where it is not a finite number (JSON has no NaN).

    >>> number(1.23456, 2), number(float("nan"), 2)
    (1.23, None)
    """
    value = float(value)
    return round(value, digits) + 0.0 if math.isfinite(value) else None  # never -0.0


def rounded_column(values: NDArray[np.float64], digits: int) -> list[float]:
    """``[round(v, digits) for v in values]``, the same floats, a column at a time: numpy's
    ``rint(v * 10**digits) / 10**digits`` is Python's correctly rounded answer except where
    ``v * 10**digits`` lies within a hair of a half (its own rounding may cross the half):
    those few are left to ``round``. Finite values only.

    >>> rounded_column(np.array([2.675, 1.005, -0.004, 1234.5678]), 2)
    [2.67, 1.0, -0.0, 1234.57]
    """
    scale = 10.0**digits
    scaled = values * scale
    out = np.rint(scaled) / scale
    # v * 10**digits is off by half an ulp at most (1e-16 of it): a margin of 1e-9 of it
    near_half = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-9 * np.maximum(1.0, np.abs(scaled))
    result: list[float] = out.tolist()
    for i in np.flatnonzero(near_half | (np.abs(scaled) > 2.0**50)).tolist():
        result[i] = round(float(values[i]), digits)
    return result


def window(w: Window) -> JSON:
    return {"start": iso_z(w.start, 0), "end": iso_z(w.end, 0)}


def observer(o: Observer) -> JSON:
    return {"lat_deg": o.lat_deg, "lon_deg": o.lon_deg, "alt_m": o.alt_m}


def point(p: LookPoint, *, magnitude: bool = False) -> JSON:
    """Time, azimuth, elevation, range, 16-point direction, and with ``magnitude`` (the
    points of a visible stretch) the magnitude, ``null`` where the object's brightness is
    unknown."""
    out: JSON = {
        "time": iso_z(p.time),
        "azimuth_deg": round(p.azimuth_deg, 2),
        "elevation_deg": round(p.elevation_deg, 2) + 0.0,  # a rise at 0 degrees: never -0.0
        "range_km": round(p.range_km, 1),
        "direction": p.direction,
    }
    if magnitude or p.magnitude is not None:
        out["magnitude"] = None if p.magnitude is None else round(p.magnitude, 1)
    return out


def _crossing(c: tuple[datetime | None, datetime | None]) -> JSON:
    return {"from": iso_z(c[0]) if c[0] else None, "to": iso_z(c[1]) if c[1] else None}


def visible_segment(v: VisibleSegment, *, minute_truncated: bool = False) -> JSON:
    """One visible stretch: where it appears, its highest point, where it disappears (with
    magnitudes), the brightest magnitude (``null``: unknown), why it starts and ends, the
    crossing of the penumbra where it meets the shadow (``brightens``, ``fades``: from,
    to), and with ``minute_truncated`` the ``listed`` line as NASA's sighting lists show
    it (appear time to the minute, truncated; whole degrees; whole minutes, truncated)."""
    out: JSON = {
        "start": point(v.start, magnitude=True),
        "peak": point(v.peak, magnitude=True),
        "end": point(v.end, magnitude=True),
        "brightest_magnitude": (None if v.brightest_magnitude is None
                                else round(v.brightest_magnitude, 1)),
        "duration_s": round(v.duration_s, 1),
        "starts": v.starts,
        "ends": v.ends,
    }
    if v.brightens is not None:
        out["brightens"] = _crossing(v.brightens)
    if v.fades is not None:
        out["fades"] = _crossing(v.fades)
    if minute_truncated:
        out["listed"] = {
            "appears": v.start.time.strftime("%Y-%m-%dT%H:%MZ"),
            "visible_min": int(v.duration_s // 60),
            "max_elevation_deg": round(v.peak.elevation_deg),
            "appears_elevation_deg": round(v.start.elevation_deg),
            "appears_direction": v.start.direction,
            "disappears_elevation_deg": round(v.end.elevation_deg),
            "disappears_direction": v.end.direction,
        }
    return out


def pass_(p: Pass, *, minute_truncated: bool = False) -> JSON:
    """One pass: rise, culmination and set (``null`` where the window cuts it), duration,
    every visible stretch (``visible_stretches``, in time order) and the first of them as
    ``visible`` (``null`` when there is none)."""
    stretches = [visible_segment(v, minute_truncated=minute_truncated)
                 for v in (p.stretches or ((p.visible,) if p.visible else ()))]
    return {
        "rise": point(p.rise) if p.rise else None,
        "culmination": point(p.culmination),
        "set": point(p.set) if p.set else None,
        "duration_s": round(p.duration_s, 1),
        "visible": stretches[0] if stretches else None,
        "visible_stretches": stretches,
    }


def pass_rows(table: PassTable, rows: NDArray[np.int64], *, minute_truncated: bool = False
              ) -> list[JSON]:
    """:func:`pass_` of the passes ``rows`` of ``table``, the same JSON, their rise,
    culmination and set written a column at a time (times by numpy, numbers by
    :func:`rounded_column`, the floats :func:`point`'s ``round`` gives): a report of
    40,000 passes in a fifth of the time."""
    columns = []
    for j in range(3):
        t = table.t[rows, j]
        az, el = (rounded_column(x[rows, j], 2) for x in (table.az, table.el))
        rng = rounded_column(table.range_km[rows, j], 1)
        times = iso_column(tenths_column(table.window, t)).tolist()
        points = compass_points(np.nan_to_num(table.az[rows, j])).tolist()
        columns.append([
            None if missing else {"time": times[i], "azimuth_deg": az[i],
                                  "elevation_deg": el[i] + 0.0,
                                  "range_km": rng[i], "direction": points[i]}
            for i, missing in enumerate(np.isnan(t).tolist())])
    duration = rounded_column(table.duration_s[rows], 1)
    first = np.searchsorted(table.stretches.row, np.arange(len(table) + 1)).tolist()
    out = []
    for i, row in enumerate(rows.tolist()):
        stretches = [visible_segment(table.segment(k), minute_truncated=minute_truncated)
                     for k in range(first[row], first[row + 1])]
        out.append({"rise": columns[0][i], "culmination": columns[1][i],
                    "set": columns[2][i], "duration_s": duration[i],
                    "visible": stretches[0] if stretches else None,
                    "visible_stretches": stretches})
    return out


def overflight(o: Overflight) -> JSON:
    return {
        "time": iso_z(o.time),
        "distance_km": round(o.distance_km, 2),
        "side": o.side,
        "direction": o.direction,
        "heading_deg": round(o.heading_deg, 2),
        "subpoint": {
            "lat_deg": round(o.lat_deg, 4),
            "lon_deg": round(o.lon_deg, 4),
            "alt_km": round(o.alt_km, 2),
        },
        "elevation_deg": round(o.elevation_deg, 2),
    }


def launch_window(w: LaunchWindow) -> JSON:
    return {
        "time": iso_z(w.time),
        "direction": w.direction,
        "northbound": w.northbound,
        "azimuth_deg": number(w.azimuth_deg, 2),
        "azimuth_inertial_deg": number(w.azimuth_inertial_deg, 2),
        "phase_angle_deg": number(w.phase_angle_deg, 2),
        "inclination_deg": number(w.inclination_deg, 4),
    }


def radio_pass(p: RadioPass, *, samples: bool = True) -> JSON:
    """AOS, culmination, LOS and the Doppler shift (with its samples, unless asked not to)."""
    doppler: JSON = {
        "at_aos_hz": number(p.shift_aos_hz, 1),
        "at_los_hz": number(p.shift_los_hz, 1),
        "max_hz": number(p.max_shift_hz, 1),
        "max_rate_hz_s": number(p.max_rate_hz_s, 2),
        "zero_time": iso_z(p.zero_shift_time) if p.zero_shift_time else None,
    }
    if samples:
        doppler["samples"] = [
            {
                "time": p.window.iso(t),
                "shift_hz": number(s, 1),
                "elevation_deg": number(e, 2),
                "range_rate_km_s": number(rr, 4),
            }
            for t, s, e, rr in zip(
                p.t_s, p.shift_hz, p.elevation_deg, p.range_rate_km_s, strict=True
            )
        ]
    return {
        "aos": point(p.aos) if p.aos else None,
        "culmination": point(p.culmination),
        "los": point(p.los) if p.los else None,
        "duration_s": number(p.duration_s, 1),
        "doppler": doppler,
    }


def failed_stretch(f: FailedStretch) -> JSON:
    return {
        "start": iso_z(f.start, 0),
        "end": iso_z(f.end, 0),
        "code": f.code,
        "message": f.message,
    }
