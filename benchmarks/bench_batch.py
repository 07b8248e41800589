"""Planet scale: visible passes for many observers, against Skyfield on a sample of them.

    python benchmarks/bench_batch.py                 # 10,000 x 30 days, and the scaling table
    python benchmarks/bench_batch.py --sizes 100 1000 --days 7     # smaller

zarya runs the whole `zarya batch` job in one process (engine plus Parquet output);
Skyfield (events plus visibility, see common.py) is timed on the first 50 of the same
observers in the same run, and throughput compared in observer-days per second. Both clocks
start after the imports and the elements are loaded (Skyfield's after its satellite is
built); zarya's stops when the output file is closed. Each size
of the scaling table runs in a fresh process, so its peak memory (ru_maxrss) is its own.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

START = "2016-03-01"


def zarya_job(n: int, days: float, out: Path, every: bool = False,
              threads: int | None = None) -> dict:
    """The batch job in this process: visible passes, or (``every``) all passes above 10
    degrees without the light conditions; Parquet output; on ``threads`` threads (the
    batch's default: the CPUs, at most 4)."""
    import resource

    import pyarrow.parquet  # noqa: F401 - imports outside the clock, as Skyfield's are
    import scipy.spatial  # noqa: F401 - (0.24 s here; the k-d tree of the places in reach)

    import zarya
    from common import random_observers
    from zarya import batch as engine
    from zarya.domain.pass_table import PassOptions

    lat, lon = random_observers(n)
    places = engine.Places([f"p{i}" for i in range(n)], lat, lon, np.zeros(n))
    sat = zarya.load_satellite()
    window = zarya.Window.days(zarya.parse_instant(START), days)
    clock = time.perf_counter()
    options = PassOptions(visibility=False) if every else PassOptions()
    chunks = engine.iter_chunks(sat.elements, sat.std_magnitude, window, options,
                                places, visible_only=not every, threads=threads)
    counts = engine.write_stream(chunks, out)
    elapsed = time.perf_counter() - clock
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return {"observers": n, "days": days, "seconds": elapsed, "peak_mb": peak, **counts}


def in_subprocess(n: int, days: float, every: bool = False, threads: int | None = None
                  ) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        code = (
            f"import sys, json; sys.path.insert(0, {str(HERE)!r}); "
            f"from bench_batch import zarya_job; from pathlib import Path; "
            f"print(json.dumps(zarya_job({n}, {days}, Path({tmp!r}) / 'out.parquet', {every}, "
            f"{threads})))"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--observers", type=int, default=10_000)
    ap.add_argument("--days", type=float, default=30.0)
    ap.add_argument("--skyfield-sample", type=int, default=50)
    ap.add_argument("--sizes", type=int, nargs="*", default=[100, 1_000, 10_000, 100_000])
    ap.add_argument("--all", action="store_true",
                    help="every pass above 10 degrees (no light conditions), against "
                    "Skyfield's find_events alone")
    args = ap.parse_args()
    if args.all:
        every_pass(args)
        return

    from common import random_observers, skyfield_visible_passes

    # best of 2 fresh processes, as the every-pass run (the first of a machine's runs pays
    # more for the disk cache and memory)
    main_run = min((in_subprocess(args.observers, args.days) for _ in range(2)),
                   key=lambda r: r["seconds"])
    lat, lon = random_observers(args.observers)
    k = args.skyfield_sample
    sky_s, sky_passes, sky_visible = skyfield_visible_passes(lat[:k], lon[:k], START, args.days)
    z_rate = args.observers * args.days / main_run["seconds"]
    s_rate = k * args.days / sky_s
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, "
          f"numpy {np.__version__}")
    print()
    print(f"{args.observers:,} observers x {args.days:g} days of visible passes:")
    print()
    print("| program | observers timed | seconds | observer-days/s | passes found |")
    print("|---|---|---|---|---|")
    print(f"| zarya (engine + Parquet), best of 2 | {args.observers:,} | "
          f"{main_run['seconds']:.1f} | "
          f"{z_rate:,.0f} | {main_run['visible_passes']:,} visible |")
    print(f"| Skyfield (find_events + is_sunlit) | {k} | {sky_s:.1f} | {s_rate:,.1f} | "
          f"{sky_passes:,} ({sky_visible:,} visible) |")
    print()
    print(f"ratio: {z_rate / s_rate:,.0f}x Skyfield's throughput")
    print()
    print("| observers | days | seconds | peak memory (MB) | visible passes | "
          "observer-days/s |")
    print("|---|---|---|---|---|---|")
    for n in args.sizes:
        r = main_run if n == args.observers else in_subprocess(n, args.days)
        print(f"| {n:,} | {args.days:g} | {r['seconds']:.1f} | {r['peak_mb']:.0f} | "
              f"{r['visible_passes']:,} | {n * args.days / r['seconds']:,.0f} |")


def every_pass(args: argparse.Namespace) -> None:
    from common import machine, random_observers, skyfield_passes

    runs = [in_subprocess(args.observers, args.days, True) for _ in range(2)]
    run = min(runs, key=lambda r: r["seconds"])
    one = min((in_subprocess(args.observers, args.days, True, 1) for _ in range(2)),
              key=lambda r: r["seconds"])
    lat, lon = random_observers(args.observers)
    k = args.skyfield_sample
    sky_s, sky_passes = skyfield_passes(lat[:k], lon[:k], START, args.days)
    z_rate = args.observers * args.days / run["seconds"]
    s_rate = k * args.days / sky_s
    print(f"Machine: {machine()}\n")
    print(f"{args.observers:,} observers x {args.days:g} days, every pass above 10 degrees:\n")
    print("| program | observers timed | seconds | observer-days/s | passes |")
    print("|---|---|---|---|---|")
    print(f"| zarya (engine + Parquet), best of 2 | {args.observers:,} | {run['seconds']:.1f} | "
          f"{z_rate:,.0f} | {run['passes']:,} |")
    one_rate = args.observers * args.days / one["seconds"]
    print(f"| zarya on one thread, best of 2 | {args.observers:,} | {one['seconds']:.1f} | "
          f"{one_rate:,.0f} | {one['passes']:,} |")
    print(f"| Skyfield (find_events) | {k} | {sky_s:.1f} | {s_rate:,.1f} | {sky_passes:,} |")
    print(f"\nratio: {z_rate / s_rate:,.0f}x Skyfield's throughput ({one_rate / s_rate:,.0f}x "
          f"on one thread); peak memory {run['peak_mb']:.0f} MB")


if __name__ == "__main__":
    main()
