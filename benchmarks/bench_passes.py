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
import warnings
from pathlib import Path

import numpy as np

import zarya
from zarya.look import Observers

START = "2016-03-01"


def random_observers(n: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    lat = np.degrees(np.arcsin(rng.uniform(-1, 1, n)))  # uniform on the sphere
    lon = rng.uniform(-180, 180, n)
    return lat, lon


def zarya_run(lat, lon, days: float) -> tuple[float, int]:
    t0 = time.perf_counter()
    sat = zarya.load_satellite()
    window = zarya.Window.days(zarya.parse_instant(START), days)
    eph = zarya.Ephemeris(sat, window)
    res = zarya.find_passes(eph, Observers(lat, lon, 0.0))
    return time.perf_counter() - t0, sum(len(r) for r in res)


def skyfield_run(lat, lon, days: float) -> tuple[float, int]:
    from skyfield.api import EarthSatellite, Loader, load, wgs84
    from skyfield_data import get_skyfield_data_path

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        eph = Loader(get_skyfield_data_path(), verbose=False)("de421.bsp")
    ts = load.timescale(builtin=True)
    # the same element-set choice as zarya: nearest epoch to each instant; one set per
    # window keeps Skyfield simple, and favours it (no set switching).
    mid = zarya.parse_instant(START).timestamp() + days * 43200
    sets = zarya.bundled_sets()
    best = min(sets, key=lambda s: abs(s.epoch.timestamp() - mid))
    sat = EarthSatellite(best.line1, best.line2, ts=ts)
    sun, earth = eph["sun"], eph["earth"]
    y, m, d = (int(x) for x in START.split("-"))
    t0_, t1_ = ts.utc(y, m, d), ts.utc(y, m, d + days)
    count = 0
    t0 = time.perf_counter()
    for la, lo in zip(lat, lon, strict=True):
        topos = wgs84.latlon(la, lo)
        times, kinds = sat.find_events(topos, t0_, t1_, altitude_degrees=10.0)
        rises = [t for t, k in zip(times, kinds, strict=True) if k == 0]
        sets_ = [t for t, k in zip(times, kinds, strict=True) if k == 2]
        for r, s in zip(rises, sets_, strict=False):
            span = (s.tt - r.tt) * 86400.0
            tt = ts.tt_jd(r.tt + np.arange(0.0, span + 10.0, 10.0) / 86400.0)
            lit = sat.at(tt).is_sunlit(eph)
            alt = (earth + topos).at(tt).observe(sun).apparent().altaz()[0].degrees
            _ = np.any(lit & (alt <= -6.0))
            count += 1
    elapsed = time.perf_counter() - t0
    eph.close()
    return elapsed, count


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
