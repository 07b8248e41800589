"""Orbital elements: readers (TLE, OMM), the bundled history and selection by epoch.

Nothing outside this package reads element files or the network.
"""

from __future__ import annotations

from .base import ElementSet
from .tle import parse_tle, read_tle

__all__ = ["ElementSet", "parse_tle", "read_tle"]
