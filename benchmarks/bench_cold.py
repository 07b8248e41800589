"""Cold start: ``zarya passes --place Astana --from 2016-03-28 --days 3`` as a whole new
process, against a bare Skyfield script doing the same job (the nearest element set of the
bundled ISS history, ``find_events`` above 10 degrees, the look angles of each event,
printed), also as a whole new process; alternated, median of ``--repeats`` each. Then
where zarya's time goes: ``python -X importtime`` of the same command, the largest
top-level imports.

    python benchmarks/bench_cold.py --repeats 10
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import machine  # noqa: E402

HISTORY = HERE.parent / "src" / "zarya" / "data" / "iss_tle_history.txt"
ZARYA = ["passes", "--place", "Astana", "--from", "2016-03-28", "--days", "3"]
SKYFIELD = f'''
from skyfield.api import EarthSatellite, load, wgs84
lines = open({str(HISTORY)!r}).read().splitlines()
ts = load.timescale(builtin=True)
t0, t1 = ts.utc(2016, 3, 28), ts.utc(2016, 3, 31)
pairs = [(a, b) for a, b in zip(lines, lines[1:]) if a.startswith("1 ") and b.startswith("2 ")]
best = min(pairs, key=lambda p: abs(EarthSatellite(p[0], p[1], ts=ts).epoch.tt - t0.tt))
sat = EarthSatellite(best[0], best[1], "ISS (ZARYA)", ts=ts)
astana = wgs84.latlon(51.1694, 71.4491, elevation_m=347)
t, kinds = sat.find_events(astana, t0, t1, altitude_degrees=10.0)
for ti, k in zip(t, kinds):
    alt, az, d = (sat - astana).at(ti).altaz()
    print(ti.utc_strftime("%Y-%m-%d %H:%M:%S"), ("rise", "culminate", "set")[k],
          f"{{alt.degrees:.1f}} {{az.degrees:.1f}}")
'''


# Both programs run with their bytecode cached, as an installed package's is (pip compiles
# a wheel's modules at install; an editable install's are compiled on first import unless
# PYTHONDONTWRITEBYTECODE is set, when every run would compile them again: 50 ms here).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=ENV)
    return time.perf_counter() - t0


def top_imports(zarya: str, n: int = 12) -> list[tuple[str, float]]:
    """The largest top-level imports of the command (cumulative ms)."""
    done = subprocess.run([sys.executable, "-X", "importtime", zarya,
                           *ZARYA], capture_output=True, text=True, env=ENV)
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|")
        if name.startswith(" ") and not name.startswith("  ") and cumulative.strip().isdigit():
            rows.append((name.strip(), int(cumulative) / 1000.0))
    return sorted(rows, key=lambda r: -r[1])[:n]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=10)
    args = ap.parse_args()
    zarya = str(Path(sys.executable).with_name("zarya"))
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "skyfield_passes.py"
        script.write_text(SKYFIELD)
        subprocess.run([sys.executable, "-m", "compileall", "-q",
                        str(HERE.parent / "src" / "zarya")], check=True)
        timed([zarya, *ZARYA])  # warm the disk cache, not counted
        timed([sys.executable, str(script)])
        z, s = [], []
        for _ in range(args.repeats):
            z.append(timed([zarya, *ZARYA]))
            s.append(timed([sys.executable, str(script)]))
    print(f"Machine: {machine()}\n")
    print("| program | median s | min s | max s |\n|---|---|---|---|")
    print(f"| `zarya {' '.join(ZARYA)}` | {statistics.median(z):.3f} | {min(z):.3f} | "
          f"{max(z):.3f} |")
    print(f"| bare Skyfield script, same job | {statistics.median(s):.3f} | {min(s):.3f} | "
          f"{max(s):.3f} |")
    print(f"\nratio zarya / Skyfield: {statistics.median(z) / statistics.median(s):.2f}\n")
    print("| top-level import of the zarya process | cumulative ms |\n|---|---|")
    for name, ms in top_imports(zarya):
        print(f"| {name} | {ms:.1f} |")


if __name__ == "__main__":
    main()
