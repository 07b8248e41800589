"""A server that stays current (issue 13): ``zarya serve`` refreshing its own elements from a
CelesTrak played by a real HTTP server on loopback, its health and its metrics.

The server runs in its own process with its clock frozen past the bundled history
(tests/clock.py), so that its elements are stale, whatever day the tests run on; the
"CelesTrak" serves an ISS set whose epoch is a day before that "now".
"""

from __future__ import annotations

import os
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from .catalog_server import ElementServer, Route
from .clock import STALE_NOW
from .serve_harness import served

ISS = (Path(__file__).parent / "data" / "iss" / "iss_tle_history.txt").read_text().splitlines()
ASTANA = "/api/passes?place=Astana&days=2"


def _checksum(line: str) -> str:
    return line[:68] + str(sum(int(c) if c.isdigit() else c == "-" for c in line[:68]) % 10)


def fresh_set(days_before_now: float, now: datetime = STALE_NOW) -> bytes:
    """The newest bundled ISS set with its epoch moved to ``days_before_now`` before
    ``now`` (the frozen "now" by default; checksum redone): elements a server can predict
    with."""
    name, one, two = ISS[-3:]
    when = now - timedelta(days=days_before_now)
    day = (when - when.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0))
    epoch = f"{when:%y}{day.total_seconds() / 86400.0 + 1.0:012.8f}"
    return f"{name}\n{_checksum(one[:18] + epoch + one[32:])}\n{two}\n".encode()


@pytest.fixture
def home(tmp_path: Path, seeded_store_file: Path) -> dict[str, str]:
    """The environment of a server with its own copy of the seeded store (the bundled
    history: stale at the frozen "now")."""
    shutil.copyfile(seeded_store_file, tmp_path / "elements.sqlite")
    return dict(os.environ, ZARYA_HOME=str(tmp_path))


def wait_for(check, seconds: float = 60.0):
    """Poll ``check()`` until it returns something true; that value."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"not within {seconds} s")


def metrics(url: str) -> dict[str, list]:
    """The server's /metrics parsed by prometheus-client's own parser: samples by name."""
    text = httpx.get(f"{url}/metrics").text
    out: dict[str, list] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out.setdefault(sample.name, []).append(sample)
    return out


def test_the_server_refreshes_by_itself(home: dict[str, str]) -> None:
    """Stale elements: /api/passes for "today" answers 422. Without any request of the
    test, the server fetches from its "CelesTrak" (answering in 3 s), and the same request
    answers 200; /healthz turns ok, with the refresh and the elements' age; /metrics,
    parsed by prometheus-client, counts the refresh and the requests."""
    with ElementServer() as celestrak:
        route = celestrak.routes["/gp"] = Route(body=fresh_set(1.0), delay_s=3.0,
                                                content_type="text/plain")
        with served(STALE_NOW, "--elements-url", celestrak.url("/gp"), "--refresh-interval",
                    "1", env=home) as (url, _):
            wait_for(lambda: route.requests)  # the refresher asked, by itself
            stale = httpx.get(url + ASTANA)
            assert stale.status_code == 422 and "days" in stale.json()["detail"], stale.text
            assert httpx.get(f"{url}/healthz").json()["status"] == "degraded"
            fresh = wait_for(lambda: (r := httpx.get(url + ASTANA)).status_code == 200 and r)
            assert fresh.json()["satellite"]["elements_age_days"] == pytest.approx(1.0, abs=0.6)
            health = httpx.get(f"{url}/healthz").json()
            assert health["status"] == "ok", health
            assert health["refresh"]["last"]["outcome"] == "imported"
            assert health["elements"]["iss"]["age_days"] == pytest.approx(1.0, abs=0.01)
            seen = metrics(url)
            refreshes = {s.labels["outcome"]: s.value for s in seen["zarya_refreshes_total"]}
            assert refreshes.get("imported") == 1.0
            routes = {s.labels["route"] for s in seen["zarya_requests_total"]}
            assert {"/api/passes", "/healthz"} <= routes
            assert seen["zarya_cache_misses_total"][0].value >= 1


@pytest.mark.parametrize("failing", ["500", "timeout"])
def test_a_failed_refresh_leaves_the_old_elements_serving(home: dict[str, str],
                                                          failing: str) -> None:
    """Elements of 5 days ago in the store; "CelesTrak" answers 500 every time, or not
    before the refresh's timeout: the server goes on answering from what it has, and
    /healthz says degraded, naming the failure."""
    from zarya.cli import main

    old = Path(home["ZARYA_HOME"]) / "five-days.tle"
    old.write_bytes(fresh_set(5.0))
    saved = os.environ.get("ZARYA_HOME")
    os.environ["ZARYA_HOME"] = home["ZARYA_HOME"]
    try:
        assert main(["elements", "import", str(old)]) == 0
    finally:
        if saved is not None:
            os.environ["ZARYA_HOME"] = saved
    with ElementServer() as celestrak:
        route = celestrak.routes["/gp"] = (
            Route(fail_first=1000, fail_status=500) if failing == "500"
            else Route(body=fresh_set(1.0), delay_s=20.0))
        with served(STALE_NOW, "--elements-url", celestrak.url("/gp"), "--refresh-interval",
                    "1", "--refresh-timeout", "1", env=home) as (url, _):
            health = wait_for(lambda: (h := httpx.get(f"{url}/healthz").json())["refresh"][
                "last"] and h)
            assert route.requests
            assert health["status"] == "degraded"
            assert any("the last refresh failed" in r for r in health["reasons"])
            assert health["refresh"]["last"]["outcome"] == "failed"
            word = "HTTP 500" if failing == "500" else "did not answer within 1 s"
            assert word in health["refresh"]["last"]["message"]
            answer = httpx.get(url + ASTANA)
            assert answer.status_code == 200, answer.text
            assert answer.json()["satellite"]["elements_age_days"] == pytest.approx(5.0, abs=0.6)


def _many_sets(n: int, days_before_now: float, now: datetime) -> bytes:
    """``n`` ISS-like sets numbered 50000 on (clear of the ISS's 25544), of one epoch: a
    big import."""
    name, one, two = fresh_set(days_before_now, now).decode().splitlines()
    out = []
    for k in range(n):
        number = f"{50000 + k:05d}"
        out += [f"SAT {k}", _checksum(one[:2] + number + one[7:]),
                _checksum(two[:2] + number + two[7:])]
    return ("\n".join(out) + "\n").encode()


def test_two_workers_a_refresher_twenty_clients_and_a_killed_import(
    home: dict[str, str]
) -> None:
    """Two worker processes and their refreshers (on the real clock) serve 20 concurrent
    clients for 60 s: no 5xx, no "database is locked", every answer from a whole element
    version (the epoch of the set before or after the import, never a mixture); the only
    requests left unanswered are those in flight on the worker killed. Meanwhile the worker
    that imports 40,000 sets is killed (SIGKILL) in the middle of it: the store stays
    intact (integrity check, nothing of that import in it), its lease lapses (10 s here;
    longer than an import: a lease is not renewed while its holder writes), and a
    refresher of another worker imports the whole body."""
    import signal
    import sqlite3
    import subprocess
    import sys
    import threading

    # worker processes read the real clock: elements relative to it, 40 days old (stale)
    # in the store and a day old from "CelesTrak"
    now = datetime.now(UTC)
    store_path = Path(home["ZARYA_HOME"]) / "elements.sqlite"
    stale = Path(home["ZARYA_HOME"]) / "stale.tle"
    stale.write_bytes(fresh_set(40.0, now))
    assert subprocess.run([sys.executable, "-m", "zarya", "elements", "import", str(stale)],
                          env=home, capture_output=True).returncode == 0
    body = fresh_set(1.0, now) + _many_sets(40_000, 1.0, now)
    with ElementServer() as celestrak:
        celestrak.routes["/gp"] = Route(body=body, content_type="text/plain")
        with served(None, "--workers", "2", "--elements-url", celestrak.url("/gp"),
                    "--refresh-interval", "1", "--refresh-lease", "10", env=home) as (url, log):
            statuses: list[int] = []
            bodies: list[str] = []
            epochs: set[str] = set()
            refusals: list[str] = []
            dropped: list[float] = []
            stop = threading.Event()

            def client(k: int) -> None:
                paths = [ASTANA, "/api/now?place=Astana", "/healthz",
                         f"/api/passes?lat={k}&lon={2 * k}&days=1", "/?place=Astana"]
                with httpx.Client(timeout=60) as http:
                    while not stop.is_set():
                        for path in paths:
                            try:
                                r = http.get(url + path)
                            except httpx.TransportError:  # on the worker we kill
                                dropped.append(time.monotonic())
                                continue
                            statuses.append(r.status_code)
                            if r.status_code >= 500 or "locked" in r.text:
                                bodies.append(r.text[:300])
                            if path == ASTANA and r.status_code == 200:
                                epochs.add(r.json()["satellite"]["elements_epoch"])
                            elif path == ASTANA:
                                refusals.append(r.text[:200])

            threads = [threading.Thread(target=client, args=(k,)) for k in range(20)]
            started = time.monotonic()
            for t in threads:
                t.start()
            note = Path(f"{store_path}.writer")

            def importing() -> int | None:  # the pid writing for half a second or more
                try:
                    first = note.read_text()
                    time.sleep(0.5)
                    return int(first.split(",")[0].split()[1]) if note.read_text() == first \
                        else None
                except (OSError, ValueError, IndexError):
                    return None

            victim = wait_for(importing, 60.0)
            os.kill(victim, signal.SIGKILL)
            killed_at = time.monotonic()
            with sqlite3.connect(store_path) as conn:
                assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            def imported() -> bool:
                with sqlite3.connect(store_path) as conn:
                    rows = conn.execute("SELECT outcome, message FROM refreshes").fetchall()
                return any(o == "imported" and m.endswith("new sets") for o, m in rows)

            wait_for(imported, 90.0)
            while time.monotonic() - started < 60.0:
                time.sleep(1.0)
            stop.set()
            for t in threads:
                t.join(60)
    with sqlite3.connect(store_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        objects = conn.execute("SELECT count(DISTINCT norad_id) FROM element_sets").fetchone()[0]
    assert objects >= 40_001  # the ISS and the 40,000: the whole body, once
    assert len(statuses) > 500 and not bodies, bodies[:3]
    # the only requests without an answer were in flight on the killed worker
    assert len(dropped) <= 20 and all(0 <= t - killed_at < 5 for t in dropped), dropped
    assert max(statuses) < 500 and set(statuses) <= {200, 422}
    assert 1 <= len(epochs) <= 2, refusals[-3:]  # whole versions only
