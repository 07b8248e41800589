"""NASA's ISS trajectory (OEM) against element sets: how far apart, and how fast.

1. Agreement: the OEM of 2025-02-26 (NASA JSC, as its sighting service uses it) against the
   two ISS element sets of March 2025 that fall inside its span: the distance between the
   two predictions and the along-track time difference, day by day, against the OEM's
   forecast age (days past its creation) and the set's age (days from its epoch).
2. Speed: every pass above 10 degrees for 1,000 observers over 7 days, from the OEM alone
   and from the element sets alone (same window, same observers), and Skyfield's
   ``find_events`` on the sets for 50 of the observers, in the same run.

    python benchmarks/bench_trajectory.py          # prints Markdown tables
"""

from __future__ import annotations

import gzip
import statistics
import sys
import time
from pathlib import Path

import numpy as np

import zarya
from zarya.elements.readers import read_oem
from zarya.engine.look import Observers
from zarya.engine.satellite import Satellite

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine, random_observers  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "iss"
SHARED = ROOT.parent / "shared" / "data" / "iss"


def _path(name: str) -> Path:
    return DATA / name if (DATA / name).exists() else SHARED / name


def load() -> tuple[Satellite, Satellite, list]:
    text = gzip.open(_path("ISS.OEM_J2K_EPH_2025-02-26.xml.gz"), "rt").read()
    oem = Satellite([], trajectories=[read_oem(text, norad_id=25544)])
    sets = zarya.read_tle(_path("iss_2025-03_sets.tle").read_text())
    return oem, Satellite(sets), sets


def agreement(oem: Satellite, sets: list) -> list[str]:
    t = oem.trajectories[0]
    rows = ["| set epoch | instant (UTC) | OEM forecast age (d) | set age (d) | distance (km) "
            "| along track (s) |", "|---|---|---|---|---|---|"]
    for es in sets:
        one = Satellite([es])
        e = es.epoch_jd_total
        for jd in sorted({*np.arange(np.ceil(t.start_jd) + 0.5, t.stop_jd, 1.0), e}):
            r0, v0, _ = oem.teme_of_sources(np.array([jd]), np.zeros(1), np.array([0]))
            r1, _, _ = one.teme(np.array([jd]), np.zeros(1))
            d = r1[0] - r0[0]
            along = float(d @ v0[0]) / float(v0[0] @ v0[0])
            when = zarya.engine.timescale.datetime_of(float(jd), 0.0)
            mark = " (epoch)" if jd == e else ""
            rows.append(
                f"| {es.epoch:%Y-%m-%d %H:%M} | {when:%Y-%m-%d %H:%M}{mark} | "
                f"{jd - t.creation_jd:.1f} | {jd - e:+.1f} | {np.linalg.norm(d):.1f} | "
                f"{along:+.1f} |"
            )
    return rows


def passes_s(sat: Satellite, window, lat, lon, repeats: int = 3) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(repeats):
        s = Satellite(list(sat.elements), trajectories=list(sat.trajectories))  # no caches
        t0 = time.perf_counter()
        eph = zarya.Ephemeris(s, window)
        found = zarya.find_passes(eph, Observers(lat, lon, 0.0))
        times.append(time.perf_counter() - t0)
        count = sum(len(f) for f in found)
    return statistics.median(times), count


def skyfield_s(sets: list, window, lat, lon) -> tuple[float, int]:
    from skyfield.api import EarthSatellite, load, wgs84

    ts = load.timescale(builtin=True)
    t0, t1 = ts.from_datetime(window.start), ts.from_datetime(window.end)
    es = sets[0]
    sat = EarthSatellite(es.line1, es.line2, ts=ts)
    start = time.perf_counter()
    count = 0
    for la, lo in zip(lat, lon, strict=True):
        _, events = sat.find_events(wgs84.latlon(la, lo), t0, t1, altitude_degrees=10.0)
        count += int(np.sum(events == 1))
    return time.perf_counter() - start, count


def main() -> None:
    oem, elements, sets = load()
    print(f"Machine: {machine()}\n")
    print("### The OEM of 2025-02-26 against the two March 2025 sets\n")
    print("\n".join(agreement(oem, sets)) + "\n")
    window = zarya.Window.days(zarya.parse_instant("2025-03-06"), 7.0)
    lat, lon = random_observers(1000)
    t_oem, n_oem = passes_s(oem, window, lat, lon)
    t_set, n_set = passes_s(elements, window, lat, lon)
    t_sky, n_sky = skyfield_s(sets, window, lat[:50], lon[:50])
    rate_sky = 50 * 7 / t_sky
    print("### 1,000 observers x 7 days (2025-03-06 to 03-13), every pass above 10 degrees\n")
    print("| source | seconds (median of 3) | passes | observer-days/s | vs Skyfield |")
    print("|---|---|---|---|---|")
    for name, t, n in (("zarya, NASA's OEM", t_oem, n_oem), ("zarya, element sets", t_set,
                                                                n_set)):
        print(f"| {name} | {t:.3f} | {n} | {7000 / t:,.0f} | {7000 / t / rate_sky:.0f}x |")
    print(f"| Skyfield find_events, sets (50 observers) | {t_sky:.2f} | {n_sky} | "
          f"{rate_sky:.1f} | 1x |")


if __name__ == "__main__":
    main()
