"""Memory of the whole catalogue over 30 days: ``zarya batch --sat all`` with CelesTrak's
active catalogue (12,801 objects, 3 October 2025) over one place for 30 days, every pass
above 10 degrees with its light conditions, streamed to Parquet; run as a whole command in
a child process, its peak resident memory read from ``ru_maxrss`` (RUSAGE_CHILDREN), and the
same for 3 days to show that the peak does not grow with the window.

    python benchmarks/bench_catalog_memory.py --days 30 3
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import CATALOGUE, machine  # noqa: E402


def run(days: float, tmp: Path) -> dict:
    """One run in a fresh child (so that each child's peak is its own)."""
    code = (
        "import json, resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        f"out = subprocess.run({[str(Path(sys.executable).with_name('zarya')), 'batch', '--sat', 'all', '--elements', str(CATALOGUE), '--places', str(tmp / 'astana.csv'), '--from', '2025-10-03', '--days', str(days), '--allow-stale', '--out', str(tmp / f'all_{days:g}.parquet'), '--json']!r}, capture_output=True, text=True, check=True)\n"  # noqa: E501
        "seconds = time.perf_counter() - t\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0\n"
        "print(json.dumps({'seconds': seconds, 'peak_mb': peak, **json.loads(out.stdout)}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    result: dict = json.loads(done.stdout.strip().splitlines()[-1])
    result["size_mb"] = (tmp / f"all_{days:g}.parquet").stat().st_size / 1e6
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=float, nargs="*", default=[30.0, 3.0])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        (tmp / "astana.csv").write_text("name,lat,lon,alt_m\nAstana,51.1694,71.4491,347\n")
        rows = []
        for days in args.days:
            t0 = time.perf_counter()
            rows.append((days, run(days, tmp), time.perf_counter() - t0))
    print(f"Machine: {machine()}\n")
    print("| days | objects | seconds | peak memory (MB) | passes | visible | Parquet (MB) |")
    print("|---|---|---|---|---|---|---|")
    for days, r, _ in rows:
        print(f"| {days:g} | {r['objects']:,} | {r['seconds']:.0f} | {r['peak_mb']:.0f} | "
              f"{r['passes']:,} | {r['visible_passes']:,} | {r['size_mb']:.1f} |")


if __name__ == "__main__":
    main()
