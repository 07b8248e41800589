"""Transits: one place over 30 days, and every centre line on Earth over 30 days, against a
Skyfield-based brute-force scan of the same jobs.

zarya: ``transits_report`` (Sun and Moon, centre lines within 20 km, near misses within 0.5
degree) and ``transits_geojson`` (every centre line, a point every 2 s), on the bundled ISS
history. Skyfield (DE421 from skyfield-data): the brute force a user would write, the
separation between the ISS and the body's apparent centre every second of the window, its
minima refined by a 0.01 s scan, for the one place; and for the globe, the ISS and the
body every 2 s, the line from the body through the ISS met with the ellipsoid (numpy). Skyfield
is timed on the first ``--skyfield-days`` days and its time scaled to 30 (the work is the
same every day).

    python benchmarks/bench_transits.py
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from datetime import timedelta
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import machine  # noqa: E402

START = "2016-04-01"
PLACE = (51.1694, 71.4491, 347.0)  # Astana


def zarya_runs(days: float) -> tuple[float, int, float, int]:
    import zarya
    from zarya.engine.look import Observer
    from zarya.reports.transits import transits_geojson, transits_report

    sat = zarya.load_satellite()
    window = zarya.Window.days(zarya.parse_instant(START), days)
    t0 = time.perf_counter()
    report = transits_report(sat, Observer(*PLACE), window, radius_km=20.0)
    one = time.perf_counter() - t0
    t0 = time.perf_counter()
    gj = transits_geojson(sat, window)
    globe = time.perf_counter() - t0
    return one, len(report["transits"]), globe, sum(len(f["geometry"]["coordinates"])
                                                    for f in gj["features"])


def skyfield_runs(days: float) -> tuple[float, float]:
    import erfa
    from skyfield.api import EarthSatellite, Loader, load, wgs84
    from skyfield_data import get_skyfield_data_path

    import zarya

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        eph = Loader(get_skyfield_data_path(), verbose=False)("de421.bsp")
    ts = load.timescale(builtin=True)
    start = zarya.parse_instant(START)
    best = min(zarya.bundled_sets(), key=lambda s: abs((s.epoch - start).total_seconds()))
    sat = EarthSatellite(best.line1, best.line2, ts=ts)
    top = wgs84.latlon(*PLACE[:2], elevation_m=PLACE[2])
    earth = eph["earth"]
    # one place: the separation every second, minima refined every 0.01 s
    t0 = time.perf_counter()
    for body in ("sun", "moon"):
        for day in range(int(days)):
            base = start + timedelta(days=day)
            t = ts.from_datetimes([base + timedelta(seconds=float(s)) for s in range(86400)])
            iss = (sat - top).at(t)
            target = (earth + top).at(t).observe(eph[body]).apparent()
            sep = iss.separation_from(target).degrees
            alt = iss.altaz()[0].degrees
            k = np.flatnonzero((sep[1:-1] < sep[:-2]) & (sep[1:-1] <= sep[2:])
                               & (alt[1:-1] > 0)) + 1
            for i in k[sep[k] < 1.0]:
                fine = ts.tt_jd(t[i].tt + np.arange(-1.0, 1.0, 0.01) / 86400.0)
                (sat - top).at(fine).separation_from(
                    (earth + top).at(fine).observe(eph[body]).apparent())
    one = (time.perf_counter() - t0) / days * 30.0
    # the globe: the line from the body through the ISS to the ground, every 2 s
    t0 = time.perf_counter()
    a, b = 6378.137, 6356.752314245
    for body in ("sun", "moon"):
        for day in range(int(days)):
            base = start + timedelta(days=day)
            t = ts.from_datetimes([base + timedelta(seconds=float(s))
                                   for s in range(0, 86400, 2)])
            s_pos = sat.at(t).frame_xyz(_itrs()).km.T
            g_pos = earth.at(t).observe(eph[body]).apparent().frame_xyz(_itrs()).km.T
            d = s_pos - g_pos
            d /= np.linalg.norm(d, axis=1, keepdims=True)
            k = np.array([1.0, 1.0, a / b])
            sp, up = s_pos * k, d * k
            qa = np.einsum("ij,ij->i", up, up)
            qb = 2 * np.einsum("ij,ij->i", sp, up)
            qc = np.einsum("ij,ij->i", sp, sp) - a * a
            disc = qb * qb - 4 * qa * qc
            with np.errstate(invalid="ignore"):
                root = (-qb - np.sqrt(disc)) / (2 * qa)
            hit = s_pos + root[:, None] * d
            erfa.gc2gd(1, hit[np.isfinite(root)] * 1000.0)  # latitude, longitude
    globe = (time.perf_counter() - t0) / days * 30.0
    eph.close()
    return one, globe


def _itrs():
    from skyfield.framelib import itrs

    return itrs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=float, default=30.0)
    ap.add_argument("--skyfield-days", type=float, default=1.0)
    args = ap.parse_args()
    one, n_transits, globe, n_points = zarya_runs(args.days)
    sky_one, sky_globe = skyfield_runs(args.skyfield_days)
    scale = 30.0 / args.days
    print(f"Machine: {machine()}\n")
    print("| job | zarya s | Skyfield brute force s (timed on "
          f"{args.skyfield_days:g} day, scaled to 30) | ratio |")
    print("|---|---|---|---|")
    print(f"| transits over Astana, 30 days, Sun and Moon ({n_transits} listed) | "
          f"{one * scale:.2f} | {sky_one:.1f} | {sky_one / (one * scale):,.0f}x |")
    print(f"| every centre line on Earth, 30 days, Sun and Moon ({n_points:,} points) | "
          f"{globe * scale:.2f} | {sky_globe:.1f} | {sky_globe / (globe * scale):,.0f}x |")


if __name__ == "__main__":
    main()
