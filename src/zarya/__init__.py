"""zarya: follow the International Space Station (or any satellite) from the ground.

    >>> import zarya
    >>> sat = zarya.load_satellite()            # the bundled ISS element history
    >>> sat.norad_id, sat.name
    (25544, 'ISS (ZARYA)')
"""

from __future__ import annotations

import importlib as _importlib
from typing import Any as _Any

__version__ = "0.1.0"

# The public API: each name and the module that defines it, written once. Imported on first
# use (PEP 562), so that ``import zarya`` and the command line start fast; ``from zarya
# import X`` works as usual.
_EXPORTS = {
    # errors
    "ZaryaError": ".errors",
    "ElementsError": ".errors",
    "TLEFormatError": ".errors",
    "OMMError": ".errors",
    "StaleElementsError": ".errors",
    "PropagationError": ".errors",
    "ObserverError": ".errors",
    "OptionError": ".errors",
    "TimeRangeError": ".errors",
    "PlaceError": ".errors",
    "CatalogError": ".errors",
    "UnknownSatelliteError": ".errors",
    # elements
    "ElementSet": ".elements.elset",
    "parse_tle": ".elements.tle",
    "read_tle": ".elements.tle",
    "read_omm_csv": ".elements.readers",
    "read_omm_json": ".elements.readers",
    "read_omm_kvn": ".elements.readers",
    "read_omm_xml": ".elements.readers",
    "read_elements_text": ".elements.readers",
    "read_elements_file": ".elements.files",
    "bundled_sets": ".elements.files",
    # engine
    "Window": ".engine.timescale",
    "parse_instant": ".engine.timescale",
    "Observer": ".engine.look",
    "Observers": ".engine.look",
    "compass": ".engine.look",
    "Satellite": ".engine.satellite",
    "Ephemeris": ".engine.ephemeris",
    # domain
    "LookPoint": ".domain.pass_table",
    "Pass": ".domain.pass_table",
    "PassOptions": ".domain.pass_table",
    "VisibleSegment": ".domain.pass_table",
    "find_passes": ".domain.passes",
    "subpoints": ".domain.geodesy",
    "footprint_radius_km": ".domain.geodesy",
    "Track": ".domain.tracks",
    "ground_track": ".domain.tracks",
    "split_antimeridian": ".domain.tracks",
    "NodeCrossings": ".domain.nodes",
    "node_crossings": ".domain.nodes",
    "OrbitCount": ".domain.revolutions",
    "count_orbits": ".domain.revolutions",
    "Overflight": ".domain.overflights",
    "find_overflights": ".domain.overflights",
    "LaunchWindow": ".domain.launch",
    "launch_azimuth_deg": ".domain.launch",
    "launch_windows": ".domain.launch",
    "RadioPass": ".domain.radio",
    "doppler_shift_hz": ".domain.radio",
    "radio_passes": ".domain.radio",
    "beneath": ".domain.geography",
    "country_polygons": ".domain.geography",
    # reports
    "load_satellite": ".reports.satellites",
    "passes_report": ".reports.passes",
    "now_report": ".reports.passes",
}

__all__ = sorted(_EXPORTS, key=str.lower)


def __getattr__(name: str) -> _Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'zarya' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
