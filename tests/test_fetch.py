"""CelesTrak updates against a real HTTP server on loopback serving real element files.

First fetch, 304 on the next, the 2-hour politeness rule, server errors and timeouts
retried then reported, a body cut short rejected with the store unchanged, offline.
"""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from zarya.cli import main
from zarya.cli.app import flag
from zarya.elements import fetch
from zarya.elements.store import Store, open_store
from zarya.errors import CatalogError, ElementsError

from .catalog_data import iss_sets, snapshot, to_csv, to_json, to_xml
from .catalog_server import ElementServer, Route, http_date

FAST = {"backoff_s": 0.01, "timeout_s": 5.0}


@pytest.fixture
def server() -> Iterator[ElementServer]:
    with ElementServer() as srv:
        yield srv


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path / "s.sqlite", seed=False) as s:
        yield s


@pytest.fixture(scope="module")
def gp_json() -> bytes:
    """What CelesTrak's gp.php?FORMAT=json serves, from the real ISS sets (150 epochs)."""
    return to_json(iss_sets()).encode()


def age_last_fetch(store: Store, url: str, seconds: float) -> None:
    """Move the last fetch of ``url`` back in time (as if ``seconds`` had passed)."""
    conn = sqlite3.connect(store.path)
    with conn:
        conn.execute(
            "UPDATE http_cache SET fetched_at = fetched_at - ? WHERE url = ?", (seconds, url)
        )
    conn.close()


def test_first_fetch_then_too_soon_then_304(
    server: ElementServer, store: Store, gp_json: bytes
) -> None:
    route = server.routes["/gp.json"] = Route(gp_json, etag='"v1"')
    url = server.url("/gp.json")

    first = fetch.update(store, url=url, **FAST)
    assert (first.status, first.read, first.added, first.objects) == ("imported", 150, 150, 1)
    assert store.http_state(url).etag == '"v1"'
    assert "if-none-match" not in route.requests[0]
    assert route.requests[0]["user-agent"].startswith("zarya/")

    soon = fetch.update(store, url=url, **FAST)  # under 2 hours: the server is not asked
    assert soon.status == "too-soon" and len(route.requests) == 1
    assert soon.next_allowed_at == pytest.approx(first.fetched_at + 7200.0)

    age_last_fetch(store, url, 7201.0)
    before = snapshot(store.path)
    again = fetch.update(store, url=url, **FAST)
    assert again.status == "not-modified"
    assert route.requests[1]["if-none-match"] == '"v1"'
    after = snapshot(store.path)
    assert after["element_sets"] == before["element_sets"]  # only the fetch time moved
    assert after["http_cache"][0][3] > before["http_cache"][0][3]

    forced = fetch.update(store, url=url, force=True, **FAST)  # --force: asks at once
    assert forced.status == "not-modified" and len(route.requests) == 3


def test_last_modified_is_sent_back(server: ElementServer, store: Store) -> None:
    stamp = http_date(time.time() - 3600)
    route = server.routes["/gp.csv"] = Route(
        to_csv(iss_sets()).encode(), content_type="text/csv", last_modified=stamp
    )
    url = server.url("/gp.csv")
    assert fetch.update(store, url=url, **FAST).added == 150
    assert fetch.update(store, url=url, force=True, **FAST).status == "not-modified"
    assert route.requests[1]["if-modified-since"] == stamp


def test_a_changed_body_is_fetched_and_only_new_sets_added(
    server: ElementServer, store: Store
) -> None:
    sets = iss_sets()
    server.routes["/gp.xml"] = Route(to_xml(sets[:100]).encode(), "application/xml", etag='"a"')
    url = server.url("/gp.xml")
    assert fetch.update(store, url=url, **FAST).added == 100
    server.routes["/gp.xml"] = Route(to_xml(sets).encode(), "application/xml", etag='"b"')
    result = fetch.update(store, url=url, force=True, **FAST)
    assert (result.status, result.read, result.added) == ("imported", 150, 50)
    assert store.http_state(url).etag == '"b"'


def test_server_errors_are_retried(server: ElementServer, store: Store, gp_json: bytes) -> None:
    route = server.routes["/gp.json"] = Route(gp_json, fail_first=2, fail_status=503)
    result = fetch.update(store, url=server.url("/gp.json"), retries=3, **FAST)
    assert (result.status, result.added, result.attempts) == ("imported", 150, 3)
    assert len(route.requests) == 3


def test_server_errors_that_persist_are_reported(
    server: ElementServer, store: Store, gp_json: bytes
) -> None:
    route = server.routes["/gp.json"] = Route(gp_json, fail_first=99, fail_status=500)
    before = snapshot(store.path)
    with pytest.raises(CatalogError) as caught:
        fetch.update(store, url=server.url("/gp.json"), retries=2, **FAST)
    message = str(caught.value)
    assert "HTTP 500" in message and "after 3 tries" in message and "unchanged" in message
    assert len(route.requests) == 3
    assert snapshot(store.path) == before


def test_timeouts_are_retried_then_reported(
    server: ElementServer, store: Store, gp_json: bytes
) -> None:
    route = server.routes["/slow"] = Route(gp_json, delay_s=5.0)
    before = snapshot(store.path)
    with pytest.raises(CatalogError, match=r"did not answer within 0.2 s after 2 tries"):
        fetch.update(store, url=server.url("/slow"), timeout_s=0.2, retries=1, backoff_s=0.01)
    assert len(route.requests) == 2
    assert snapshot(store.path) == before


def test_a_body_shorter_than_its_content_length_is_rejected(
    server: ElementServer, store: Store, gp_json: bytes
) -> None:
    route = server.routes["/short"] = Route(gp_json, short_by=len(gp_json) // 2)
    before = snapshot(store.path)
    with pytest.raises(CatalogError, match="broke off|cut short") as caught:
        fetch.update(store, url=server.url("/short"), retries=1, **FAST)
    assert "unchanged" in str(caught.value)
    assert len(route.requests) == 2
    assert snapshot(store.path) == before
    assert store.http_state(server.url("/short")) is None  # no validators kept either


def test_json_cut_mid_way_is_rejected(server: ElementServer, store: Store, gp_json: bytes) -> None:
    server.routes["/cut"] = Route(gp_json[: len(gp_json) * 2 // 3], etag='"cut"')
    before = snapshot(store.path)
    with pytest.raises(ElementsError, match="truncated file") as caught:
        fetch.update(store, url=server.url("/cut"), **FAST)
    assert "nothing imported" in str(caught.value)
    assert snapshot(store.path) == before


def test_json_that_is_not_omm_is_rejected(server: ElementServer, store: Store) -> None:
    server.routes["/notomm"] = Route(b'[{"name": "ISS", "tle": "1 25544U"}]')
    before = snapshot(store.path)
    with pytest.raises(ElementsError, match="not an OMM record"):
        fetch.update(store, url=server.url("/notomm"), **FAST)
    assert snapshot(store.path) == before


def test_client_errors_are_not_retried(server: ElementServer, store: Store) -> None:
    with pytest.raises(CatalogError, match="HTTP 404 Not Found"):
        fetch.update(store, url=server.url("/no-such-group"), **FAST)


def test_offline(store: Store) -> None:
    with socket.socket() as s:  # a loopback port with nobody listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(CatalogError) as caught:
        fetch.update(store, url=f"http://127.0.0.1:{port}/gp.json", retries=1, **FAST)
    message = str(caught.value)
    assert "cannot reach 127.0.0.1" in message and "are you offline?" in message
    assert "after 2 tries" in message


def test_group_names_and_urls() -> None:
    assert fetch.group_url("stations") == (
        "https://celestrak.org/NORAD/elements/gp.php?GROUP=stations&FORMAT=json"
    )
    with pytest.raises(CatalogError, match="not a CelesTrak group name"):
        fetch.group_url("stations&FORMAT=tle")
    with pytest.raises(CatalogError, match="expected an http"):
        fetch.update(None, url="file:///etc/passwd")  # type: ignore[arg-type]


# --------------------------------------------------------------- redirects that go nowhere
class _Redirects(BaseHTTPRequestHandler):
    """/loop/a -> /loop/b -> /loop/a ...; /away -> a file:// URL; counts the requests."""

    protocol_version = "HTTP/1.1"
    server: ThreadingHTTPServer

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.server.hits += 1  # type: ignore[attr-defined]
        if self.path == "/away":
            target = "file:///etc/passwd"
        else:
            target = "/loop/b" if self.path == "/loop/a" else "/loop/a"
        self.send_response(302)
        self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return None


@pytest.fixture
def redirects() -> Iterator[tuple[str, ThreadingHTTPServer]]:
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Redirects)
    srv.daemon_threads = True
    srv.hits = 0  # type: ignore[attr-defined]
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.02})
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}", srv
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(timeout=5)


def test_a_redirect_loop_is_reported_not_retried(
    redirects: tuple[str, ThreadingHTTPServer], store: Store
) -> None:
    base, srv = redirects
    before = snapshot(store.path)
    with pytest.raises(CatalogError, match="redirected too many times") as caught:
        fetch.update(store, url=f"{base}/loop/a", retries=3, **FAST)
    assert "nothing imported" in str(caught.value)
    assert srv.hits == 21  # type: ignore[attr-defined]  # httpx follows 20, then gives up
    assert snapshot(store.path) == before
    with pytest.raises(CatalogError, match="not http:// or https://"):
        fetch.update(store, url=f"{base}/away", **FAST)
    assert snapshot(store.path) == before


def test_a_redirect_loop_on_the_command_line_is_one_line(
    redirects: tuple[str, ThreadingHTTPServer], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, _ = redirects
    code = main(
        [
            "elements",
            "update",
            "--url",
            f"{base}/loop/a",
            "--retries",
            "0",
            "--db",
            str(tmp_path / "s.sqlite"),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 2, err
    assert err.startswith("zarya: error: 127.0.0.1 redirected too many times")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"timeout_s": float("nan")}, "--timeout nan"),
        ({"timeout_s": 0.0}, "--timeout 0"),
        ({"timeout_s": 1e9}, "at most 300"),
        ({"retries": -1}, "--retries -1"),
        ({"retries": 1_000_000}, "0 to 10"),
        ({"backoff_s": float("inf")}, "back-off"),
    ],
)
def test_options_that_would_fail_or_never_end_are_refused(
    options: dict, fragment: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refused before any request, naming the input (as the command line words it)."""
    import httpx

    def no_request(*args, **kwargs):  # nothing may even be tried (no store to write to, either)
        raise AssertionError("a request was started")

    monkeypatch.setattr(httpx, "Client", no_request)
    with pytest.raises(CatalogError) as info:
        fetch.update(None, url="http://127.0.0.1:9/", **options)  # type: ignore[arg-type]
    assert fragment in info.value.worded(flag)


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("http://[::1", "not a valid URL"),
        ("http://x:abc/", "not a valid URL"),
        ("http://x:99999/", "port 99999"),
        ("https://", "names no host"),
    ],
)
def test_urls_httpx_cannot_fetch_are_refused(url: str, fragment: str) -> None:
    with pytest.raises(CatalogError, match=fragment):
        fetch.update(None, url=url)  # type: ignore[arg-type]
