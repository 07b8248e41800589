"""A soak of the web service: mixed requests from 20 clients for minutes, 1 worker then 2.

Starts ``zarya serve --workers W`` on loopback with its own element store, holding the
bundled history and one ISS set of yesterday (so that "today" is answered), and plays 20
concurrent clients (httpx, kept-alive connections), each cycling through: the 10-day passes
of Astana (cached after the first), those of a new place each time (computed), the page,
the calendar feed, ``now``, and ``/healthz``. It samples the server's resident memory
(every process's VmRSS, from /proc) every 10 s and reports, per route, the count, errors,
p50 and p99, and the memory at the start and the end.

    python benchmarks/soak_serve.py --seconds 600 --workers 1 2     # a Markdown report
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_web import server  # noqa: E402
from common import machine  # noqa: E402

CLIENTS = 20
ISS = (HERE.parent / "tests" / "data" / "iss" / "iss_tle_history.txt").read_text().splitlines()


def _checksum(line: str) -> str:
    return line[:68] + str(sum(int(c) if c.isdigit() else c == "-" for c in line[:68]) % 10)


def store_with_todays_elements() -> str:
    """A ZARYA_HOME whose store holds the bundled history and the newest ISS set moved to
    yesterday."""
    home = tempfile.mkdtemp(prefix="zarya-soak-")
    name, one, two = ISS[-3:]
    when = datetime.now(UTC) - timedelta(days=1)
    start = when.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    epoch = f"{when:%y}{(when - start).total_seconds() / 86400.0 + 1.0:012.8f}"
    tle = Path(home) / "yesterday.tle"
    tle.write_text(f"{name}\n{_checksum(one[:18] + epoch + one[32:])}\n{two}\n")
    subprocess.run([sys.executable, "-m", "zarya", "elements", "import", str(tle)],
                   env=dict(os.environ, ZARYA_HOME=home), check=True, capture_output=True)
    return home


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, MB (from /proc)."""
    total = 0.0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024.0
        except OSError:
            continue
    return total


def soak(workers: int, seconds: float) -> dict:
    home = store_with_todays_elements()
    procs: list[subprocess.Popen] = []
    times: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    memory: list[tuple[float, float]] = []
    with server("--workers", str(workers), home=home, procs=procs) as url:
        stop = time.monotonic() + seconds
        lock = threading.Lock()

        def client(k: int) -> None:
            rng = random.Random(k)
            with httpx.Client(base_url=url, timeout=120) as http:
                while time.monotonic() < stop:
                    lat, lon = rng.uniform(-60, 60), rng.uniform(-180, 180)
                    for route, path in (
                        ("passes, cached", "/api/passes?place=Astana&days=10"),
                        ("passes, new place", f"/api/passes?lat={lat:.2f}&lon={lon:.2f}"),
                        ("page", "/?place=Astana"),
                        ("feed", "/feeds/passes.ics?place=Astana"),
                        ("now", "/api/now?place=Astana"),
                        ("health", "/healthz"),
                    ):
                        start = time.perf_counter()
                        try:
                            ok = http.get(path).status_code == 200
                        except httpx.HTTPError:
                            ok = False
                        spent = time.perf_counter() - start
                        with lock:
                            times.setdefault(route, []).append(spent)
                            errors[route] = errors.get(route, 0) + (not ok)

        threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
        begin = time.monotonic()
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            memory.append((time.monotonic() - begin, rss_mb(procs[0].pid)))
            time.sleep(10.0)
        for t in threads:
            t.join()
    return {"workers": workers, "seconds": seconds, "times": times, "errors": errors,
            "memory": memory}


def report(r: dict) -> list[str]:
    lines = [f"### {r['workers']} worker(s), {r['seconds']:.0f} s, {CLIENTS} clients", "",
             "| route | requests | errors | p50 ms | p99 ms |", "|---|---|---|---|---|"]
    for route, spent in r["times"].items():
        q = statistics.quantiles(spent, n=100) if len(spent) > 1 else spent * 99
        lines.append(f"| {route} | {len(spent):,} | {r['errors'][route]} | "
                     f"{q[49] * 1e3:.1f} | {q[98] * 1e3:.1f} |")
    mem = r["memory"]
    if mem:
        first = mem[min(3, len(mem) - 1)][1]  # after a half-minute of warm-up
        lines += ["", f"Resident memory (all processes): {mem[0][1]:.0f} MB at the start, "
                  f"{first:.0f} MB after 30 s, {mem[-1][1]:.0f} MB at the end "
                  f"({mem[-1][1] - first:+.0f} MB over the last {mem[-1][0] - 30:.0f} s)."]
    return lines


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=600.0)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args()
    print(f"Machine: {machine()}\n")
    for w in args.workers:
        print("\n".join(report(soak(w, args.seconds))) + "\n", flush=True)


if __name__ == "__main__":
    main()
