"""zarya: follow the International Space Station (or any satellite) from the ground.

    >>> import zarya
    >>> sat = zarya.load_satellite()            # the bundled ISS element history
    >>> sat.norad_id, sat.name
    (25544, 'ISS (ZARYA)')
"""

from __future__ import annotations

import importlib as _importlib

__version__ = "0.1.0"

# Public names and the module that defines each. Imported on first use (PEP 562), so that
# ``import zarya`` and the command line start fast; ``from zarya import X`` works as usual.
_EXPORTS = {
    "CatalogError": ".errors",
    "ElementSet": ".elements",
    "ElementsError": ".errors",
    "Ephemeris": ".ephemeris",
    "LaunchWindow": ".missions",
    "LookPoint": ".passes",
    "NodeCrossings": ".ground",
    "OMMError": ".errors",
    "Observer": ".look",
    "ObserverError": ".errors",
    "Observers": ".look",
    "OrbitCount": ".ground",
    "Overflight": ".ground",
    "Pass": ".passes",
    "PassOptions": ".passes",
    "PlaceError": ".errors",
    "PropagationError": ".errors",
    "RadioPass": ".missions",
    "Satellite": ".ephemeris",
    "StaleElementsError": ".errors",
    "TLEFormatError": ".errors",
    "TimeRangeError": ".errors",
    "Track": ".ground",
    "VisibleSegment": ".passes",
    "Window": ".timescale",
    "ZaryaError": ".errors",
    "beneath": ".geography",
    "bundled_sets": ".elements.load",
    "compass": ".look",
    "count_orbits": ".ground",
    "country_polygons": ".geography",
    "doppler_shift_hz": ".missions",
    "find_overflights": ".ground",
    "find_passes": ".passes",
    "footprint_radius_km": ".ground",
    "ground_track": ".ground",
    "launch_azimuth_deg": ".missions",
    "launch_windows": ".missions",
    "load_satellite": ".service",
    "node_crossings": ".ground",
    "now_report": ".service",
    "parse_instant": ".timescale",
    "parse_tle": ".elements",
    "passes_report": ".service",
    "radio_passes": ".missions",
    "read_elements_file": ".elements.load",
    "read_elements_text": ".elements.load",
    "read_omm_csv": ".elements.omm",
    "read_omm_json": ".elements.omm",
    "read_omm_kvn": ".elements.omm",
    "read_omm_xml": ".elements.omm",
    "read_tle": ".elements",
    "split_antimeridian": ".ground",
    "subpoints": ".ground",
}

__all__ = [
    "CatalogError",
    "ElementSet",
    "ElementsError",
    "Ephemeris",
    "LaunchWindow",
    "LookPoint",
    "NodeCrossings",
    "OMMError",
    "Observer",
    "ObserverError",
    "Observers",
    "OrbitCount",
    "Overflight",
    "Pass",
    "PassOptions",
    "PlaceError",
    "PropagationError",
    "RadioPass",
    "Satellite",
    "StaleElementsError",
    "TLEFormatError",
    "TimeRangeError",
    "Track",
    "VisibleSegment",
    "Window",
    "ZaryaError",
    "beneath",
    "bundled_sets",
    "compass",
    "count_orbits",
    "country_polygons",
    "doppler_shift_hz",
    "find_overflights",
    "find_passes",
    "footprint_radius_km",
    "ground_track",
    "launch_azimuth_deg",
    "launch_windows",
    "load_satellite",
    "node_crossings",
    "now_report",
    "parse_instant",
    "parse_tle",
    "passes_report",
    "radio_passes",
    "read_elements_file",
    "read_elements_text",
    "read_omm_csv",
    "read_omm_json",
    "read_omm_kvn",
    "read_omm_xml",
    "read_tle",
    "split_antimeridian",
    "subpoints",
]


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'zarya' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
