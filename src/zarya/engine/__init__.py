"""The engine: time, frames, the Sun, a satellite's states and the search for events.

Knows nothing of passes, pictures, files or the command line. Modules, bottom up:

- :mod:`.timescale`: instants, windows, Julian dates (UTC in, ISO 8601 out);
- :mod:`.frames`: TEME to Earth-fixed (GMST-82), WGS84 geodetic coordinates;
- :mod:`.sun`: the apparent Sun (pyerfa's ``epv00``);
- :mod:`.look`: observers and topocentric look angles, refraction;
- :mod:`.search`: vectorised roots and maxima of sampled functions;
- :mod:`.decay`: where sgp4's drag model cannot decay an orbit (its scans spared);
- :mod:`.satellite`: one object's element sets and which set serves each instant;
- :mod:`.failures`: where SGP4 fails (decay), and sgp4's error codes in words;
- :mod:`.ephemeris`: states on a grid shared by every observer, interpolated in between.
"""

__all__: list[str] = []
