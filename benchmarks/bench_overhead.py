"""Above me now: every object of CelesTrak's active catalogue above a place at an instant,
zarya's ``above_horizon`` against Skyfield looping over the objects, the same sets, in the
same run (the file is read once, untimed).

    python benchmarks/bench_overhead.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import CATALOGUE, machine  # noqa: E402

WHEN = "2025-10-03T18:00:00Z"
PLACE = (51.1694, 71.4491, 347.0)


def main() -> None:
    from skyfield.api import EarthSatellite, load, wgs84

    from zarya.domain.overhead import above_horizon
    from zarya.elements.files import read_elements_file
    from zarya.engine.look import Observer
    from zarya.engine.timescale import parse_instant

    sets = list(read_elements_file(CATALOGUE))
    when = parse_instant(WHEN)
    runs = []
    for _ in range(5):
        t0 = time.perf_counter()
        sky = above_horizon(sets, when, Observer(*PLACE))
        runs.append(time.perf_counter() - t0)
    ts = load.timescale(builtin=True)
    t = ts.from_datetime(when)
    top = wgs84.latlon(*PLACE[:2], elevation_m=PLACE[2])
    t0 = time.perf_counter()
    up = sum(bool((EarthSatellite(es.line1, es.line2, ts=ts) - top).at(t).altaz()[0].degrees
                  > 0) for es in sets)
    sky_s = time.perf_counter() - t0
    z = float(np.median(runs))
    print(f"Machine: {machine()}\n")
    print("| program | seconds | objects above the horizon |")
    print("|---|---|---|")
    print(f"| zarya `above_horizon` (median of 5) | {z:.3f} | {len(sky.objects):,} |")
    print(f"| Skyfield, a loop over the objects | {sky_s:.2f} | {up:,} |")
    print(f"\n{sky_s / z:.0f}x, {len(sets):,} objects")


if __name__ == "__main__":
    main()
