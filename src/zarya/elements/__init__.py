"""Orbital elements: the element set, its formats, the element store and fetching.

The I/O layer: nothing outside this package reads element files or the network.

- :mod:`.elset`: :class:`ElementSet`, one set of SGP4 mean elements, and its epochs;
- :mod:`.tle`, :mod:`.omm`, :mod:`.omm_xml`: one streaming reader per format (TLE and 3LE;
  OMM JSON, CSV, KVN; OMM XML), with :mod:`.records` (what readers yield, the limits) and
  :mod:`.readers` (sniffing a source and routing it to its reader);
- :mod:`.files`: element files and streams (gzip, size caps) and the bundled ISS history;
- :mod:`.store` and :mod:`.schema`: the SQLite element store;
- :mod:`.fetch`: fresh elements from CelesTrak over HTTP.

The engine uses :mod:`.elset` and :mod:`.tle` (pure: no file, no network); the other
modules are for the faces and the reports.
"""

from __future__ import annotations

from .elset import ElementSet
from .tle import parse_tle, read_tle

__all__ = ["ElementSet", "parse_tle", "read_tle"]
