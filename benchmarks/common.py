"""Shared pieces of the benchmarks: random observers and the Skyfield baseline."""

from __future__ import annotations

import os
import platform
import time
import warnings
from pathlib import Path

import numpy as np

import zarya


def machine(*extras: str) -> str:
    """The CPU model and core count, the system and Python, then any ``extras``."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    parts = [f"{cpu} ({os.cpu_count()} cores)", f"{platform.system()} {platform.release()}",
             f"Python {platform.python_version()}", *extras]
    return "; ".join(parts)


# CelesTrak's active catalogue of 3 October 2025 (shared/data/README.md)
CATALOGUE = Path(__file__).resolve().parents[2] / "shared" / "data" / "catalog" / \
    "active_2025-10-03.tle.gz"


def random_catalogue_sets(n: int, rng: np.random.Generator | None = None
                          ) -> tuple[list, int]:
    """``n`` element sets of :data:`CATALOGUE` drawn at random without repeats (by ``rng``,
    else a generator seeded 5), and how many sets the catalogue holds."""
    from zarya.elements.files import read_elements_file

    sets = list(read_elements_file(CATALOGUE))
    rng = np.random.default_rng(5) if rng is None else rng
    return [sets[i] for i in rng.choice(len(sets), n, replace=False)], len(sets)


def random_observers(n: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Observers uniform on the sphere (latitude from arcsin of a uniform sine)."""
    rng = np.random.default_rng(seed)
    lat = np.degrees(np.arcsin(rng.uniform(-1, 1, n)))
    lon = rng.uniform(-180, 180, n)
    return lat, lon


def skyfield_visible_passes(lat, lon, start: str, days: float) -> tuple[float, int, int]:
    """Skyfield doing the job the documented way: (seconds, passes, visible passes).

    ``find_events`` per observer (10 degrees), then for each pass ``is_sunlit`` and the
    Sun's apparent altitude sampled every 10 s from rise to set. The element set is the
    bundled one nearest the window's middle (one set: simpler for Skyfield, and faster).
    """
    from skyfield.api import EarthSatellite, Loader, load, wgs84
    from skyfield_data import get_skyfield_data_path

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        eph = Loader(get_skyfield_data_path(), verbose=False)("de421.bsp")
    ts = load.timescale(builtin=True)
    t_start = zarya.parse_instant(start)
    mid = t_start.timestamp() + days * 43200
    best = min(zarya.bundled_sets(), key=lambda s: abs(s.epoch.timestamp() - mid))
    sat = EarthSatellite(best.line1, best.line2, ts=ts)
    sun, earth = eph["sun"], eph["earth"]
    t0 = ts.from_datetime(t_start)
    t1 = ts.tt_jd(t0.tt + days)
    passes = visible = 0
    clock = time.perf_counter()
    for la, lo in zip(lat, lon, strict=True):
        topos = wgs84.latlon(la, lo)
        times, kinds = sat.find_events(topos, t0, t1, altitude_degrees=10.0)
        rises = [t for t, k in zip(times, kinds, strict=True) if k == 0]
        sets_ = [t for t, k in zip(times, kinds, strict=True) if k == 2]
        for r, s in zip(rises, sets_, strict=False):
            span = (s.tt - r.tt) * 86400.0
            tt = ts.tt_jd(r.tt + np.arange(0.0, span + 10.0, 10.0) / 86400.0)
            lit = sat.at(tt).is_sunlit(eph)
            alt = (earth + topos).at(tt).observe(sun).apparent().altaz()[0].degrees
            passes += 1
            visible += bool(np.any(lit & (alt <= -6.0)))
    elapsed = time.perf_counter() - clock
    eph.close()
    return elapsed, passes, visible


def skyfield_passes(lat, lon, start: str, days: float) -> tuple[float, int]:
    """Skyfield finding every pass above 10 degrees (``find_events`` per observer, rise,
    culmination and set, no visibility): (seconds, passes)."""
    from skyfield.api import EarthSatellite, load, wgs84

    ts = load.timescale(builtin=True)
    t_start = zarya.parse_instant(start)
    mid = t_start.timestamp() + days * 43200
    best = min(zarya.bundled_sets(), key=lambda s: abs(s.epoch.timestamp() - mid))
    sat = EarthSatellite(best.line1, best.line2, ts=ts)
    t0 = ts.from_datetime(t_start)
    t1 = ts.tt_jd(t0.tt + days)
    passes = 0
    clock = time.perf_counter()
    for la, lo in zip(lat, lon, strict=True):
        _, kinds = sat.find_events(wgs84.latlon(la, lo), t0, t1, altitude_degrees=10.0)
        passes += int(np.sum(kinds == 1))
    return time.perf_counter() - clock, passes
