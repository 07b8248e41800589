"""Pass prediction speed: zarya against Skyfield, in the same run, on the same observers.

Both programs do the same job: every pass above 10 degrees (rise, culmination, set) and,
for each pass, its naked-eye visibility (satellite sunlit, observer's Sun at or below -6
degrees). Skyfield does it the way its documentation shows: ``find_events`` per observer,
then ``is_sunlit`` and the Sun's apparent altitude sampled every 10 s across each pass (zarya
samples visibility every 10 s too, then refines the edges).

Throughput is observer-days per second. For the 1,000-observer case Skyfield is timed on a
sample of the same observers (``--skyfield-sample``, default 50) and its rate extrapolated:
its cost is linear in observers (one independent search each).

    python benchmarks/bench_passes.py            # prints a Markdown table
    python benchmarks/bench_passes.py --quick    # smaller sizes, for a smoke run
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import zarya
from zarya.engine.look import Observers

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import random_observers, skyfield_visible_passes  # noqa: E402

START = "2016-03-01"


def zarya_run(lat, lon, days: float) -> tuple[float, int]:
    t0 = time.perf_counter()
    sat = zarya.load_satellite()
    window = zarya.Window.days(zarya.parse_instant(START), days)
    eph = zarya.Ephemeris(sat, window)
    res = zarya.find_passes(eph, Observers(lat, lon, 0.0))
    return time.perf_counter() - t0, sum(len(r) for r in res)


def skyfield_run(lat, lon, days: float) -> tuple[float, int]:
    seconds, passes, _ = skyfield_visible_passes(lat, lon, START, days)
    return seconds, passes


def cold_start_s(repeats: int = 5) -> float:
    cmd = [
        str(Path(sys.executable).with_name("zarya")),
        "passes", "--place", "Astana", "--from", "2016-03-28", "--days", "3",
    ]
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def case(label: str, n: int, days: float, sky_n: int) -> dict:
    lat, lon = random_observers(n)
    z_s, z_passes = zarya_run(lat, lon, days)
    z_s2, _ = zarya_run(lat, lon, days)  # second run: warm caches, best of two
    z_s = min(z_s, z_s2)
    k = min(n, sky_n)
    s_s, s_passes = skyfield_run(lat[:k], lon[:k], days)
    z_rate = n * days / z_s
    s_rate = k * days / s_s
    return {
        "case": label,
        "observers": n,
        "days": days,
        "zarya_s": round(z_s, 3),
        "zarya_passes": z_passes,
        "skyfield_observers_timed": k,
        "skyfield_s": round(s_s, 3),
        "skyfield_passes": s_passes,
        "zarya_obs_days_per_s": round(z_rate, 1),
        "skyfield_obs_days_per_s": round(s_rate, 2),
        "ratio": round(z_rate / s_rate, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--skyfield-sample", type=int, default=50)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    sizes = [("1 observer x 30 days", 1, 30.0), ("1,000 observers x 7 days", 1000, 7.0)]
    if args.quick:
        sizes = [("1 observer x 3 days", 1, 3.0), ("100 observers x 2 days", 100, 2.0)]
    rows = [case(label, n, d, args.skyfield_sample) for label, n, d in sizes]
    cold = cold_start_s()
    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, "
          f"Python {platform.python_version()}, numpy {np.__version__}")
    print()
    print("| case | zarya s | Skyfield s (observers timed) | zarya obs-days/s | "
          "Skyfield obs-days/s | ratio |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        sky = f"{r['skyfield_s']} ({r['skyfield_observers_timed']})"
        print(f"| {r['case']} | {r['zarya_s']} | {sky} "
              f"| {r['zarya_obs_days_per_s']} | {r['skyfield_obs_days_per_s']} | {r['ratio']}x |")
    print()
    print(f"cold start, `zarya passes --place Astana --from 2016-03-28 --days 3`: "
          f"{cold:.2f} s (median of 5)")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "cold_start_s": cold}, indent=1))


if __name__ == "__main__":
    main()
