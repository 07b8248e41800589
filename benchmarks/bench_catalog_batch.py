"""Planet scale both ways: many catalogue objects over many places, on a Dask LocalCluster.

``zarya batch --sat``'s engine (``iter_object_chunks`` + ``write_stream``, Parquet):
``--objects`` random objects of CelesTrak's active catalogue (3 October 2025) over
``--places`` random places (uniform on the sphere) for one day, every pass above 10 degrees
with its light conditions, on a LocalCluster of ``--workers`` processes (tasks of about
25,000 (object, place, day) triples: ``PAIR_DAYS_PER_TASK``); against Skyfield's
``find_events`` on a sample of the same (object, place) pairs, in the same run, rates
compared. Peak memory of this process (the workers' own are theirs) from ``ru_maxrss``.

    python benchmarks/bench_catalog_batch.py --objects 1000 --places 1000 --workers 2
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import machine, random_catalogue_sets, random_observers  # noqa: E402


def main() -> None:
    from skyfield.api import EarthSatellite, load, wgs84

    from zarya import batch as engine
    from zarya.domain.pass_table import PassOptions
    from zarya.engine.timescale import Window, parse_instant

    ap = argparse.ArgumentParser()
    ap.add_argument("--objects", type=int, default=1000)
    ap.add_argument("--places", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--skyfield-pairs", type=int, default=300)
    args = ap.parse_args()
    rng = np.random.default_rng(5)  # the objects, then the pairs Skyfield is timed on
    pick, _ = random_catalogue_sets(args.objects, rng)
    objects = [(es.norad_id, es.name, [es], None) for es in pick]
    lat, lon = random_observers(args.places)
    places = engine.Places([f"p{i}" for i in range(args.places)], lat, lon,
                           np.zeros(args.places))
    window = Window.days(parse_instant("2025-10-03"), 1.0)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        chunks = engine.iter_object_chunks(objects, window, PassOptions(), places,
                                           workers=args.workers)
        counts = engine.write_stream(chunks, Path(tmp) / "out.parquet", objects=True)
        z = time.perf_counter() - t0
        size = (Path(tmp) / "out.parquet").stat().st_size
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    ts = load.timescale(builtin=True)
    a, b = ts.from_datetime(window.start), ts.from_datetime(window.end)
    pairs = [(int(rng.integers(len(pick))), int(rng.integers(args.places)))
             for _ in range(args.skyfield_pairs)]
    t0 = time.perf_counter()
    culminations = 0
    for i, j in pairs:
        es = pick[i]
        top = wgs84.latlon(float(lat[j]), float(lon[j]))
        _, kinds = EarthSatellite(es.line1, es.line2, ts=ts).find_events(
            top, a, b, altitude_degrees=10.0)
        culminations += int(np.sum(kinds == 1))
    s = time.perf_counter() - t0
    n_pairs = args.objects * args.places
    z_rate, s_rate = n_pairs / z, len(pairs) / s
    print(f"Machine: {machine()}\n")
    print(f"{args.objects:,} objects x {args.places:,} places x 1 day, every pass above 10 "
          f"degrees with its light conditions, LocalCluster of {args.workers} processes:\n")
    print("| program | (object, place) pairs timed | seconds | pairs/s | passes |")
    print("|---|---|---|---|---|")
    print(f"| zarya batch (stacked search, Dask, Parquet) | {n_pairs:,} | {z:.1f} | "
          f"{z_rate:,.0f} | {counts['passes']:,} ({counts['visible_passes']:,} visible) |")
    print(f"| Skyfield find_events (no light conditions) | {len(pairs):,} | {s:.1f} | "
          f"{s_rate:,.0f} | {culminations:,} (culminations) |")
    print(f"\nratio: {z_rate / s_rate:,.1f}x Skyfield's rate; output {size / 1e6:.1f} MB; "
          f"peak memory of the driving process {peak:.0f} MB")


if __name__ == "__main__":
    main()
