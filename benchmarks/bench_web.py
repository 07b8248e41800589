"""Web service latency under load, from a second process on loopback.

Starts ``zarya serve`` (one uvicorn process, a fresh element store in a temporary
ZARYA_HOME) on a free port of 127.0.0.1, then this process plays 20 concurrent clients
(kept-alive HTTP/1.1 connections on asyncio streams; httpx's AsyncClient for comparison)
and measures each request's latency:

- *10-day passes, warm*: ``/api/passes`` for Astana, 10 days from 2016-04-04, the same
  question again and again: after the first, answered from the cache. Target: p99 under
  100 ms. Bounded: at most ``--requests`` requests or ``--seconds`` seconds, whichever
  comes first.
- *10-day passes, every request new*: the same at a different city for each request
  (the most populous cities of the gazetteer), so that each one is computed.
- *the page*: ``/?place=Astana&from=2016-04-04`` warm (passes, map and caption cached).

Every loop is bounded in count and time, every request goes to 127.0.0.1, and the server
is stopped at the end.

    python benchmarks/bench_web.py              # prints a Markdown report
    python benchmarks/bench_web.py --quick      # fewer requests
"""

from __future__ import annotations

import argparse
import asyncio
import os
import queue
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine  # noqa: E402

CLIENTS = 20
TARGET_P99_S = 0.100
PASSES = "/api/passes?lat=51.17&lon=71.45&from=2016-04-04&days=10"
PAGE = "/?place=Astana&from=2016-04-04&days=10"


@contextmanager
def server(*args: str, home: str | None = None,
           procs: list[subprocess.Popen] | None = None) -> Iterator[str]:
    """``zarya serve --port 0 --no-refresh ARGS`` in a child process (its element store in
    ``home``, a fresh one by default); yields its base URL, stops it after. ``procs``
    receives the process."""
    home = home or tempfile.mkdtemp(prefix="zarya-bench-web-")
    env = dict(os.environ, ZARYA_HOME=home)
    proc = subprocess.Popen(
        [sys.executable, "-m", "zarya", "serve", "--host", "127.0.0.1", "--port", "0",
         "--log-level", "info", "--no-refresh", *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
    )
    if procs is not None:
        procs.append(proc)
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(x) for x in proc.stderr], daemon=True)
    reader.start()
    url = None
    deadline = time.monotonic() + 60
    while url is None and time.monotonic() < deadline and proc.poll() is None:
        try:
            found = re.search(r"running on (http://127\.0\.0\.1:\d+)", lines.get(timeout=0.5))
        except queue.Empty:
            continue
        url = found.group(1) if found else None
    try:
        if url is None:
            raise SystemExit("zarya serve did not start")
        while True:  # workers listen once started
            try:
                httpx.get(f"{url}/healthz", timeout=10)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("zarya serve did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        reader.join(timeout=5)
        proc.stderr.close()


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str,
               path: str, gzip: bool = False) -> int:
    """One GET on a kept-alive connection; the body is read whole (Content-Length). With
    ``gzip``, the request accepts it as a browser does (the body is read, not inflated)."""
    accept = "Accept-Encoding: gzip, deflate, br\r\n" if gzip else ""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{accept}\r\n".encode("ascii"))
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return int(head.split(b" ", 2)[1])


async def load(
    base: str, paths: list[str], *, clients: int, requests: int, seconds: float,
    client: str = "raw", gzip: bool = False,
) -> tuple[list[float], int, float]:
    """``clients`` concurrent loops over ``paths`` (in turn), at most ``requests`` requests
    in all and ``seconds`` of wall time. Returns (latencies in s, errors, wall time).

    ``client="raw"``: one kept-alive HTTP/1.1 connection per client on asyncio streams, a
    load generator that costs little CPU (this machine has 2 cores for server and client
    both); ``client="httpx"``: an httpx AsyncClient with a pool of ``clients`` connections.
    """
    latencies: list[float] = []
    errors = 0
    issued = 0
    stop = time.monotonic() + seconds
    host, port = base.removeprefix("http://").split(":")

    async def raw_loop() -> None:
        nonlocal issued, errors
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while issued < requests and time.monotonic() < stop:
                path = paths[issued % len(paths)]
                issued += 1
                t0 = time.perf_counter()
                status = await _get(reader, writer, host, path, gzip)
                latencies.append(time.perf_counter() - t0)
                errors += status != 200
        finally:
            writer.close()
            await writer.wait_closed()

    async def httpx_loop(pool: httpx.AsyncClient) -> None:
        nonlocal issued, errors
        while issued < requests and time.monotonic() < stop:
            path = paths[issued % len(paths)]
            issued += 1
            t0 = time.perf_counter()
            r = await pool.get(path)
            latencies.append(time.perf_counter() - t0)
            errors += r.status_code != 200

    start = time.perf_counter()
    if client == "raw":
        await asyncio.gather(*(raw_loop() for _ in range(clients)))
    else:
        limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30.0) as pool:
            await asyncio.gather(*(httpx_loop(pool) for _ in range(clients)))
    return latencies, errors, time.perf_counter() - start


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def row(name: str, lat: list[float], errors: int, wall: float) -> str:
    ms = [x * 1000.0 for x in lat]
    return (
        f"| {name} | {len(ms)} | {statistics.median(ms):.1f} | {quantile(ms, 0.9):.1f} | "
        f"{quantile(ms, 0.99):.1f} | {max(ms):.1f} | {len(ms) / wall:.0f} | {errors} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests")
    parser.add_argument("--requests", type=int, default=4000, help="warm requests, at most")
    parser.add_argument("--seconds", type=float, default=30.0, help="per phase, at most")
    args = parser.parse_args()
    warm_n = 600 if args.quick else args.requests
    new_n = 60 if args.quick else 200

    from zarya.domain.places import most_populous

    cities = [
        f"/api/passes?lat={p.lat_deg:.2f}&lon={p.lon_deg:.2f}&from=2016-04-04&days=10"
        for p in most_populous(new_n * 2)
    ]
    cities = list(dict.fromkeys(cities))[:new_n]  # distinct rounded places

    with server() as base:
        with httpx.Client(base_url=base, timeout=60.0) as c:
            t0 = time.perf_counter()
            first_any = c.get("/api/now?at=2016-04-04T00:00:00Z")  # seeds the store
            cold_start = time.perf_counter() - t0
            t0 = time.perf_counter()
            first = c.get(PASSES)
            first_passes = time.perf_counter() - t0
            assert first_any.status_code == first.status_code == 200, first.text
            passes = len(first.json()["passes"])
            c.get(PAGE)  # warms the page's map and caption
        # once warm: a first round, not counted
        asyncio.run(load(base, [PASSES], clients=CLIENTS, requests=200, seconds=10.0))
        warm = asyncio.run(
            load(base, [PASSES], clients=CLIENTS, requests=warm_n, seconds=args.seconds)
        )
        warm_httpx = asyncio.run(
            load(base, [PASSES], clients=CLIENTS, requests=warm_n // 4, seconds=args.seconds,
                 client="httpx")
        )
        new = asyncio.run(
            load(base, cities, clients=CLIENTS, requests=len(cities), seconds=args.seconds)
        )
        page = asyncio.run(
            load(base, [PAGE], clients=CLIENTS, requests=warm_n // 4, seconds=args.seconds)
        )
        page_gz = asyncio.run(
            load(base, [PAGE], clients=CLIENTS, requests=warm_n // 4, seconds=args.seconds,
                 gzip=True)
        )

    p99 = quantile(warm[0], 0.99)
    print(f"Machine: {machine()}\n")
    print(f"Command: `.venv/bin/python benchmarks/bench_web.py{' --quick' if args.quick else ''}`"
          "\n")
    print(
        f"First request to a new server (element store seeded): {cold_start * 1000:.0f} ms; "
        f"first 10-day passes request (computed, {passes} passes): "
        f"{first_passes * 1000:.0f} ms.\n"
    )
    print(f"{CLIENTS} concurrent clients (latencies in ms):\n")
    print("| request | requests | p50 | p90 | p99 | max | per second | errors |")
    print("|---|---|---|---|---|---|---|---|")
    print(row("10-day passes, warm (cached)", *warm))
    print(row("10-day passes, warm, httpx AsyncClient as the client", *warm_httpx))
    print(row("10-day passes, a new city each (computed)", *new))
    print(row("the page, warm", *page))
    print(row("the page, warm, accepting gzip (as browsers do)", *page_gz))
    page_p99 = quantile(page_gz[0], 0.99)
    print(f"\nTarget: p99 of the warm page under 100 ms (gzip accepted): "
          f"{'met' if page_p99 < TARGET_P99_S else 'NOT met'} ({page_p99 * 1000:.1f} ms).")
    verdict = "met" if p99 < TARGET_P99_S else "NOT met"
    print(f"\nTarget: p99 of the warm 10-day passes request under 100 ms: {verdict} "
          f"({p99 * 1000:.1f} ms).")


if __name__ == "__main__":
    main()
