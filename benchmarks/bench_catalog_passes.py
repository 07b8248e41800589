"""Every pass of many catalogue objects over one place for one day: zarya's
``many_passes_report`` (the stacked search of every object at once, above 10 degrees, no
light conditions, the JSON report included) and its engine alone
(``find_many_pass_tables``), against Skyfield's ``find_events`` looping over the same
objects, in the same run (CelesTrak's active catalogue of 3 October 2025; the file read is
not timed; Skyfield timed on a sample and its rate compared). The old object-by-object
search (one ``Ephemeris`` and ``find_pass_table`` per object) is timed on the same sample.

    python benchmarks/bench_catalog_passes.py --objects 10000 --skyfield-sample 500
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import machine, random_catalogue_sets  # noqa: E402

PLACE = (51.1694, 71.4491, 347.0)


def main() -> None:
    from skyfield.api import EarthSatellite, load, wgs84

    from zarya.domain.catalogue_passes import find_many_pass_tables
    from zarya.domain.pass_table import PassOptions
    from zarya.domain.passes import find_pass_table
    from zarya.engine.ephemeris import Ephemeris
    from zarya.engine.look import Observer, Observers
    from zarya.engine.satellite import Satellite
    from zarya.engine.timescale import Window, parse_instant
    from zarya.reports.passes import many_passes_report

    ap = argparse.ArgumentParser()
    ap.add_argument("--objects", type=int, default=10_000)
    ap.add_argument("--skyfield-sample", type=int, default=500)
    args = ap.parse_args()
    pick, catalogue_size = random_catalogue_sets(args.objects)
    window = Window.days(parse_instant("2025-10-03"), 1.0)
    options = PassOptions(visibility=False)
    t0 = time.perf_counter()
    report = many_passes_report({es.norad_id: [es] for es in pick}, Observer(*PLACE), window,
                                options=options, allow_stale=True)
    z = time.perf_counter() - t0
    sats = [Satellite.from_elements([es]) for es in pick]
    t0 = time.perf_counter()
    many = find_many_pass_tables(sats, Observers.of(Observer(*PLACE)), window, options)
    engine = time.perf_counter() - t0
    sample = pick[: args.skyfield_sample]
    t0 = time.perf_counter()
    one_by_one = sum(len(find_pass_table(Ephemeris(s, window), Observers.of(Observer(*PLACE)),
                                         options)) for s in sats[: len(sample)])
    o = time.perf_counter() - t0
    ts = load.timescale(builtin=True)
    top = wgs84.latlon(*PLACE[:2], elevation_m=PLACE[2])
    a, b = ts.from_datetime(window.start), ts.from_datetime(window.end)
    t0 = time.perf_counter()
    sky_passes = 0
    for es in sample:
        _, kinds = EarthSatellite(es.line1, es.line2, ts=ts).find_events(
            top, a, b, altitude_degrees=10.0)
        sky_passes += int(np.sum(kinds == 1))
    s = time.perf_counter() - t0
    s_rate = len(sample) / s
    print(f"Machine: {machine()}\n")
    print("| program | objects timed | seconds | objects/s | passes | vs Skyfield |")
    print("|---|---|---|---|---|---|")
    for label, n, sec, passes in (
        ("zarya `passes --sat` (stacked search + JSON report)", len(pick), z,
         f"{len(report['passes']):,}"),
        ("zarya engine alone (`find_many_pass_tables`)", len(pick), engine,
         f"{len(many.table):,}"),
        ("zarya object by object (`Ephemeris` + `find_pass_table`)", len(sample), o,
         f"{one_by_one:,}"),
        ("Skyfield `find_events` loop", len(sample), s, f"{sky_passes:,} (culminations)"),
    ):
        print(f"| {label} | {n:,} | {sec:.2f} | {n / sec:,.0f} | {passes} | "
              f"{n / sec / s_rate:.1f}x |")
    print(f"\nthe whole catalogue ({catalogue_size:,} objects) at the report's rate: "
          f"{catalogue_size * z / len(pick):.1f} s")


if __name__ == "__main__":
    main()
