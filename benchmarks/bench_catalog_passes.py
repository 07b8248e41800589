"""Every pass of many catalogue objects over one place for one day: zarya's
``many_passes_report`` (object by object, above 10 degrees, no light conditions) against
Skyfield's ``find_events`` looping over the same objects, in the same run (CelesTrak's
active catalogue of 3 October 2025; the file read is not timed; Skyfield timed on a sample
and its rate compared).

    python benchmarks/bench_catalog_passes.py --objects 2000 --skyfield-sample 300
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import machine  # noqa: E402

CATALOGUE = HERE.parents[1] / "shared" / "data" / "catalog" / "active_2025-10-03.tle.gz"
PLACE = (51.1694, 71.4491, 347.0)


def main() -> None:
    from skyfield.api import EarthSatellite, load, wgs84

    from zarya.domain.pass_table import PassOptions
    from zarya.elements.files import read_elements_file
    from zarya.engine.look import Observer
    from zarya.engine.timescale import Window, parse_instant
    from zarya.reports.passes import many_passes_report

    ap = argparse.ArgumentParser()
    ap.add_argument("--objects", type=int, default=2000)
    ap.add_argument("--skyfield-sample", type=int, default=300)
    args = ap.parse_args()
    sets = list(read_elements_file(CATALOGUE))
    rng = np.random.default_rng(5)
    pick = [sets[i] for i in rng.choice(len(sets), args.objects, replace=False)]
    window = Window.days(parse_instant("2025-10-03"), 1.0)
    t0 = time.perf_counter()
    report = many_passes_report({es.norad_id: [es] for es in pick}, Observer(*PLACE), window,
                                options=PassOptions(visibility=False), allow_stale=True)
    z = time.perf_counter() - t0
    ts = load.timescale(builtin=True)
    top = wgs84.latlon(*PLACE[:2], elevation_m=PLACE[2])
    a, b = ts.from_datetime(window.start), ts.from_datetime(window.end)
    sample = pick[: args.skyfield_sample]
    t0 = time.perf_counter()
    sky_passes = 0
    for es in sample:
        _, kinds = EarthSatellite(es.line1, es.line2, ts=ts).find_events(
            top, a, b, altitude_degrees=10.0)
        sky_passes += int(np.sum(kinds == 1))
    s = time.perf_counter() - t0
    z_rate, s_rate = len(pick) / z, len(sample) / s
    print(f"Machine: {machine()}\n")
    print("| program | objects timed | seconds | objects/s | passes |")
    print("|---|---|---|---|---|")
    print(f"| zarya `passes --sat` (object by object) | {len(pick):,} | {z:.1f} | "
          f"{z_rate:,.0f} | {len(report['passes']):,} |")
    print(f"| Skyfield `find_events` loop | {len(sample):,} | {s:.1f} | {s_rate:,.0f} | "
          f"{sky_passes:,} (culminations) |")
    print(f"\n{z_rate / s_rate:.1f}x Skyfield's rate; the whole catalogue "
          f"({len(sets):,} objects) would take {len(sets) / z_rate:.0f} s")


if __name__ == "__main__":
    main()
