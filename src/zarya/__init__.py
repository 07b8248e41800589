"""zarya: follow the International Space Station (or any satellite) from the ground.

    >>> import zarya
    >>> sat = zarya.load_satellite()            # the bundled ISS element history
    >>> sat.norad_id, sat.name
    (25544, 'ISS (ZARYA)')
"""

from __future__ import annotations

from .elements import ElementSet, parse_tle, read_tle
from .elements.load import bundled_sets, read_elements_file, read_elements_text
from .elements.omm import read_omm_csv, read_omm_json, read_omm_kvn, read_omm_xml
from .ephemeris import Ephemeris, Satellite
from .errors import (
    CatalogError,
    ElementsError,
    ObserverError,
    OMMError,
    PlaceError,
    PropagationError,
    StaleElementsError,
    TimeRangeError,
    TLEFormatError,
    ZaryaError,
)
from .look import Observer, Observers, compass
from .passes import LookPoint, Pass, PassOptions, VisibleSegment, find_passes
from .service import load_satellite, now_report, passes_report
from .timescale import Window, parse_instant

__version__ = "0.1.0"

__all__ = [
    "CatalogError",
    "ElementSet",
    "ElementsError",
    "Ephemeris",
    "LookPoint",
    "OMMError",
    "Observer",
    "ObserverError",
    "Observers",
    "Pass",
    "PassOptions",
    "PlaceError",
    "PropagationError",
    "Satellite",
    "StaleElementsError",
    "TLEFormatError",
    "TimeRangeError",
    "VisibleSegment",
    "Window",
    "ZaryaError",
    "bundled_sets",
    "compass",
    "find_passes",
    "load_satellite",
    "now_report",
    "parse_instant",
    "parse_tle",
    "passes_report",
    "read_elements_file",
    "read_elements_text",
    "read_omm_csv",
    "read_omm_json",
    "read_omm_kvn",
    "read_omm_xml",
    "read_tle",
]
