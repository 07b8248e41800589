"""``zarya serve`` started for a test: in its own process, on a free port of loopback, its
clock frozen where asked; its base URL once uvicorn says it runs."""

from __future__ import annotations

import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import httpx

from .clock import frozen_zarya

__all__ = ["served"]


@contextmanager
def served(now: datetime | None, *args: str,
           env: dict[str, str]) -> Iterator[tuple[str, list[str]]]:
    """``zarya serve --port 0 ARGS`` with "now" frozen at ``now`` (None: the real clock;
    worker processes of ``--workers`` always have it): (its URL, the lines it logs so far,
    growing). Stopped (SIGTERM, then killed) on the way out."""
    command = ["serve", "--host", "127.0.0.1", "--port", "0", "--log-level", "info", *args]
    proc = subprocess.Popen(
        frozen_zarya(now, *command) if now is not None
        else [sys.executable, "-m", "zarya", *command],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
    )
    lines: queue.Queue[str] = queue.Queue()
    seen: list[str] = []

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            seen.append(line)
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    url = None
    deadline = time.monotonic() + 60
    while url is None and time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            if proc.poll() is not None:
                break
            continue
        found = re.search(r"running on (http://127\.0\.0\.1:\d+)", line)
        url = found.group(1) if found else None
    try:
        assert url is not None, "zarya serve did not start:\n" + "".join(seen)
        while True:  # workers listen once they have started (after uvicorn names the URL)
            try:
                httpx.get(f"{url}/healthz", timeout=10).raise_for_status()
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, "".join(seen)
                time.sleep(0.1)
        yield url, seen
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()
