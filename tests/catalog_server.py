"""A real HTTP server on loopback for the CelesTrak update tests.

``ElementServer`` runs :class:`http.server.ThreadingHTTPServer` in a thread on 127.0.0.1
(a free port) and answers each path with a :class:`Route`: a body, its validators (ETag,
Last-Modified, honoured with 304), a number of failures before success, a delay (for
timeouts), or a body cut short. It logs every request's path and headers.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    """How one path answers.

    ``fail_first`` requests get ``fail_status`` (with ``Retry-After: 0``); ``delay_s`` waits
    before answering; ``short_by`` sends that many bytes fewer than the Content-Length it
    announces, then closes the connection.
    """

    body: bytes = b""
    content_type: str = "application/json"
    etag: str | None = None
    last_modified: str | None = None
    status: int = 200
    fail_first: int = 0
    fail_status: int = 500
    delay_s: float = 0.0
    short_by: int = 0
    trickle_s: float = 0.0  # send the body a byte at a time, this long apart
    requests: list[dict[str, str]] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        route = self.server.routes.get(self.path)
        if route is None:
            self._send(404, b"not found\n", "text/plain")
            return
        with self.server.lock:
            route.requests.append({k.lower(): v for k, v in self.headers.items()})
            number = len(route.requests)
        if route.delay_s and self.server.stopping.wait(route.delay_s):
            return
        if number <= route.fail_first:
            self._send(route.fail_status, b"try later\n", "text/plain", {"Retry-After": "0"})
            return
        validators = {}
        if route.etag:
            validators["ETag"] = route.etag
        if route.last_modified:
            validators["Last-Modified"] = route.last_modified
        etag_match = route.etag and self.headers.get("If-None-Match") == route.etag
        date_match = (
            route.last_modified
            and not route.etag
            and self.headers.get("If-Modified-Since") == route.last_modified
        )
        if etag_match or date_match:
            self._send(304, b"", None, validators)
            return
        if route.trickle_s:
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            for k in range(len(route.body)):
                if self.server.stopping.wait(route.trickle_s):
                    return
                self.wfile.write(route.body[k : k + 1])
                self.wfile.flush()
            return
        if route.short_by:
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(route.body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(route.body[: len(route.body) - route.short_by])
            self.wfile.flush()
            self.close_connection = True
            return
        self._send(route.status, route.body, route.content_type, validators)

    def _send(
        self, status: int, body: bytes, ctype: str | None, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Route] = {}
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    def handle_error(self, request: object, client_address: object) -> None:
        return None  # a client that gave up (timeout tests) is not an error here


class ElementServer:
    """``with ElementServer() as server: server.routes['/gp.json'] = Route(...)``."""

    def __init__(self) -> None:
        self._server = _Server()
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def routes(self) -> dict[str, Route]:
        return self._server.routes

    def url(self, path: str) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def __enter__(self) -> ElementServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def http_date(unix_s: float) -> str:
    """An HTTP date (RFC 7231), as servers send in Last-Modified."""
    return formatdate(unix_s, usegmt=True)
