"""The queries behind the commands and the web API, answered as the contract's JSON objects.

Each function takes already-parsed values (a Satellite, an Observer, a Window), runs the
library and returns plain dicts shaped exactly as DESIGN's interface contract says, so the
command line (``--json``) and the web service serve the same objects.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

from .elements.load import read_elements_file, select_object
from .ephemeris import Ephemeris, Satellite
from .errors import CatalogError, PropagationError
from .frames import EARTH_ROTATION_RAD_S
from .look import Observer
from .passes import Pass, PassOptions, find_passes
from .timescale import Window, iso_z, jd_of

MAX_PASS_DAYS = 366.0
_OMEGA = np.array([0.0, 0.0, EARTH_ROTATION_RAD_S])


def load_satellite(
    sat: str | int | None = None,
    *,
    elements_file: str | None = None,
    std_magnitude: float | None = None,
) -> Satellite:
    """The satellite's element history: from ``elements_file``, else from the element store.

    The store is ``$ZARYA_HOME/elements.sqlite`` or the one in the user data directory,
    seeded with the bundled ISS history when it is first created.
    """
    if sat is not None and not str(sat).strip():
        raise CatalogError("--sat is empty: give a NORAD number or a name (default: 25544)")
    if elements_file:
        chosen = select_object(read_elements_file(elements_file), sat)
    else:
        from .elements.catalog import open_store

        with open_store() as store:
            chosen = store.sets(store.resolve(sat))
    kw = {} if std_magnitude is None else {"std_magnitude": std_magnitude}
    return Satellite.from_elements(chosen, **kw)


def satellite_info(sat: Satellite, when: datetime) -> dict:
    jd = sum(jd_of(when))
    k = int(sat.select(np.array([jd]))[0])
    chosen = sat.elements[k]
    return {
        "norad_id": sat.norad_id,
        "name": sat.name,
        "elements_epoch": iso_z(chosen.epoch, 0),
        "elements_age_days": round(float(jd - chosen.epoch_jd_total), 2),
    }


def pass_window(start: datetime, days: float) -> Window:
    return Window.days(start, days, max_days=MAX_PASS_DAYS)


def passes_report(
    sat: Satellite,
    observer: Observer,
    window: Window,
    *,
    options: PassOptions | None = None,
    visible_only: bool = False,
    allow_stale: bool = False,
) -> dict:
    """``zarya passes --json``: satellite, observer, threshold, passes (and warnings)."""
    options = options or PassOptions()
    warnings = sat.check_age(window, allow_stale=allow_stale)
    eph = Ephemeris(sat, window)
    eph.require_some_valid()
    passes: list[Pass] = find_passes(eph, observer, options)[0]
    if visible_only:
        passes = [p for p in passes if p.visible is not None]
    for stretch in eph.failed_stretches():
        warnings.append(
            f"SGP4 failed from {stretch['start']} to {stretch['end']} "
            f"({stretch['message']}, error {stretch['code']}): no passes there"
        )
    return {
        "satellite": satellite_info(sat, window.start),
        "observer": observer.as_dict(),
        "min_elevation_deg": options.min_elevation_deg,
        "window": {"start": iso_z(window.start, 0), "end": iso_z(window.end, 0)},
        "passes": [p.as_dict() for p in passes],
        "warnings": warnings,
    }


def now_report(
    sat: Satellite, when: datetime, *, observer: Observer | None = None, allow_stale: bool = False
) -> dict:
    """``zarya now --json``: the sub-satellite point, height, speed and sunlight at an instant."""
    from .frames import itrs_to_geodetic
    from .light import shadow, sun_elevation_deg
    from .look import Observers

    window = Window(when, 60.0)
    warnings = sat.check_age(Window(when, 1e-3), allow_stale=allow_stale)  # at that instant
    eph = Ephemeris(sat, window, step_s=60.0)
    if not eph.ok[0]:
        raise PropagationError(
            f"SGP4 cannot propagate {sat.name} at {iso_z(when, 0)}: "
            f"{_sgp4_message(int(eph.error[0]))}"
        )
    r = eph.r_km[:1]
    v = eph.v_km_s[:1]
    lat, lon, height = itrs_to_geodetic(r)
    out = {
        "satellite": satellite_info(sat, when),
        "time": iso_z(when),
        "lat_deg": round(float(lat[0]), 4),
        "lon_deg": round(float(lon[0]), 4),
        "alt_km": round(float(height[0]), 2),
        "speed_km_s": round(float(np.linalg.norm(v[0] + np.cross(_OMEGA, r[0]))), 3),
        "sunlight": str(shadow(r, eph.sun_km[:1])[0]),
        "over": _over(float(lat[0]), float(lon[0])),
        "warnings": warnings,
    }
    if observer is not None:
        obs = Observers.of(observer)
        az, el, rng, rate = obs.look(r, np.array([0]), v)
        sun_el = sun_elevation_deg(eph.sun_km[:1], obs.r_km, obs.up)
        from .look import compass

        out["observer"] = observer.as_dict()
        out["look"] = {
            "azimuth_deg": round(float(az[0]), 2),
            "elevation_deg": round(float(el[0]), 2),
            "range_km": round(float(rng[0]), 1),
            "range_rate_km_s": round(float(rate[0]), 3),
            "direction": compass(float(az[0])),
            "sun_elevation_deg": round(float(sun_el[0]), 2),
        }
    return out


def _over(lat_deg: float, lon_deg: float) -> str:
    """The country, sea or ocean beneath a point (Natural Earth 1:110m, read lazily)."""
    from .geography import beneath

    return str(beneath([lat_deg], [lon_deg])[0])


def _sgp4_message(code: int) -> str:
    from .ephemeris import SGP4_ERRORS

    return f"{SGP4_ERRORS.get(code, 'sgp4 error')} (sgp4 error {code})"
