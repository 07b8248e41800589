"""Element store speed: importing a catalogue-sized file, and the nearest-epoch lookup.

The catalogue is 12,000 objects (about the size of CelesTrak's ``active`` group), built
from the bundled ISS history: each object is a real published set under a new catalogue
number (90001-102000, Alpha-5 past 99999) with its checksums redone. It is written as a
3-line TLE file and as CelesTrak's OMM JSON, and each is imported into a fresh store:

- *library*: :meth:`Store.import_files` (read and written in batches, one transaction),
  best of N;
- *command*: ``python -m zarya elements import FILE --db NEW`` end to end, interpreter
  start-up included, best of N.

The lookup is :meth:`Store.nearest` for random (object, instant) pairs in a store holding
the catalogue and the 150-set ISS history: mean, median and 99th percentile per lookup.
Targets: import under 5 s, lookup under 1 ms.

    python benchmarks/bench_catalog.py             # prints a Markdown report
    python benchmarks/bench_catalog.py --quick     # fewer repeats
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine  # noqa: E402
from zarya.elements.files import bundled_sets, read_records
from zarya.elements.store import open_store
from zarya.elements.tle import checksum, int_to_alpha5

OBJECTS = 12_000
IMPORT_TARGET_S = 5.0
LOOKUP_TARGET_S = 1e-3


def renumber(line: str, number: int) -> str:
    text = line[:2] + int_to_alpha5(number) + line[7:68]
    return text + str(checksum(text))


def catalogue_tle(count: int = OBJECTS) -> str:
    sets = bundled_sets()
    out = []
    for i in range(count):
        es, number = sets[i % len(sets)], 90_001 + i
        out += [f"OBJECT {number}", renumber(es.line1, number), renumber(es.line2, number)]
    return "\n".join(out) + "\n"


def catalogue_json(tle_path: Path) -> str:
    """The same objects as CelesTrak's FORMAT=json (one line)."""
    records = []
    for r in read_records(tle_path).records:
        e = r.elements
        records.append(
            {
                "OBJECT_NAME": e.name,
                "OBJECT_ID": e.intl_designator,
                "EPOCH": e.epoch.strftime("%Y-%m-%dT%H:%M:%S.%f"),
                "MEAN_MOTION": e.mean_motion_rev_per_day,
                "ECCENTRICITY": e.eccentricity,
                "INCLINATION": e.inclination_deg,
                "RA_OF_ASC_NODE": e.raan_deg,
                "ARG_OF_PERICENTER": e.arg_perigee_deg,
                "MEAN_ANOMALY": e.mean_anomaly_deg,
                "EPHEMERIS_TYPE": 0,
                "CLASSIFICATION_TYPE": "U",
                "NORAD_CAT_ID": e.norad_id,
                "ELEMENT_SET_NO": e.element_set_no,
                "REV_AT_EPOCH": e.rev_number,
                "BSTAR": e.bstar,
                "MEAN_MOTION_DOT": e.ndot,
                "MEAN_MOTION_DDOT": e.nddot,
            }
        )
    return json.dumps(records, separators=(",", ":"))


def time_library_import(path: Path, work: Path, repeats: int) -> tuple[float, int]:
    best, added = float("inf"), 0
    for k in range(repeats):
        db = work / f"lib-{path.suffix[1:]}-{k}.sqlite"
        with open_store(db, seed=False) as store:
            t0 = time.perf_counter()
            added = store.import_files([path])[0].added
            best = min(best, time.perf_counter() - t0)
    return best, added


def time_command_import(path: Path, work: Path, repeats: int) -> float:
    best = float("inf")
    for k in range(repeats):
        db = work / f"cmd-{path.suffix[1:]}-{k}.sqlite"
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "zarya", "elements", "import", str(path), "--db", str(db)],
            check=True,
            capture_output=True,
        )
        best = min(best, time.perf_counter() - t0)
    return best


def time_lookups(db: Path, count: int) -> np.ndarray:
    rng = np.random.default_rng(7)
    ids = np.where(rng.random(count) < 0.1, 25544, rng.integers(90_001, 90_001 + OBJECTS, count))
    jds = rng.uniform(2452500.0, 2461000.0, count)  # 2002 to 2025
    out = np.empty(count)
    with open_store(db) as store:
        for i in range(count):
            t0 = time.perf_counter()
            store.nearest(int(ids[i]), float(jds[i]))
            out[i] = time.perf_counter() - t0
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one repeat, fewer lookups")
    args = parser.parse_args()
    repeats = 1 if args.quick else 3
    lookups = 2_000 if args.quick else 20_000

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        tle = work / "catalogue.tle"
        tle.write_text(catalogue_tle(), encoding="ascii")
        omm = work / "catalogue.json"
        omm.write_text(catalogue_json(tle), encoding="ascii")
        rows = []
        for path, label in ((tle, "3-line TLE"), (omm, "OMM JSON")):
            lib_s, added = time_library_import(path, work, repeats)
            cmd_s = time_command_import(path, work, repeats)
            size = path.stat().st_size / 1e6
            rows.append((label, size, added, lib_s, cmd_s))
        lookup_db = work / "lookup.sqlite"
        with open_store(lookup_db) as store:  # seeded: 150 ISS sets, plus the catalogue
            store.import_files([tle])
        per = time_lookups(lookup_db, lookups)

    print(f"Machine: {machine(f'SQLite {sqlite3.sqlite_version}')}\n")
    print(f"Command: `python benchmarks/bench_catalog.py{' --quick' if args.quick else ''}`\n")
    print(
        "| file (12,000 objects) | size | sets added | library import | `zarya elements "
        "import` | target |"
    )
    print("|---|---|---|---|---|---|")
    for label, size, added, lib_s, cmd_s in rows:
        verdict = "met" if cmd_s < IMPORT_TARGET_S else "MISSED"
        print(
            f"| {label} | {size:.1f} MB | {added} | {lib_s:.2f} s | {cmd_s:.2f} s | "
            f"< {IMPORT_TARGET_S:g} s: {verdict} |"
        )
    us = per * 1e6
    verdict = "met" if np.percentile(per, 99) < LOOKUP_TARGET_S else "MISSED"
    print(
        f"\nNearest-epoch lookup ({lookups} random object/instant pairs, store of "
        f"{OBJECTS + 1} objects, 12,150 sets): mean {us.mean():.0f} us, median "
        f"{statistics.median(us):.0f} us, 99th percentile {np.percentile(us, 99):.0f} us "
        f"(target < 1 ms: {verdict})"
    )


if __name__ == "__main__":
    main()
