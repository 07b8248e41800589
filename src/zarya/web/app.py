"""The FastAPI application: routes, error answers, security headers, static files.

``create_app()`` builds a fresh application (each with its own cache); ``zarya serve`` runs
one under uvicorn. Every deliberate error of the library (:class:`~zarya.errors.ZaryaError`)
and every malformed request is answered ``422 {"detail": "<one sentence>"}``; the sentence
for a library error is the library's, worded for the web (query parameters, the web's
advice) with no file-system path (:func:`~.queries.public_sentence`). Over-long URLs are
refused (414) before any work.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from ..errors import ZaryaError
from .answers import WebService
from .queries import MAX_QUERY_BYTES, public_sentence
from .refresher import SERVE_REFRESH_ENV, RefreshConfig, Refresher

__all__ = ["Guard", "app_from_environment", "create_app", "settle_heap", "validation_sentence"]

MAX_PATH_BYTES = 512

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# Pictures: matplotlib's SVG carries an inline <style>; nothing in them may run or load.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
# FastAPI's /docs page loads Swagger UI from a CDN and starts it with an inline script.
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data: https://fastapi.tiangolo.com; "
    "style-src 'self' https://cdn.jsdelivr.net; "
    "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "geolocation=(self), camera=(), microphone=()",
}
STATIC_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}

DESCRIPTION = """\
When the International Space Station (or any satellite in the element store) passes over a
place, when it can be seen with the naked eye, where it is now, its ground track, its orbit
count and its overflights: the same JSON objects as the `zarya` commands' `--json`, times in
UTC with a `Z`. Places are rounded to 0.01 degree; a request covers at most 30 days. Bad
input is answered 422 with `{"detail": "<one sentence>"}`: the command line's sentence, with
its inputs named by their query parameters and its advice in the web's terms
(`allow_stale=1` to compute with old elements).

Where an instant is asked for (`from`, `to`, `at`), leaving it out, leaving it empty
(`from=`, as the page's form sends a blank field) and `now` all mean now; the command line
refuses an empty `--from`. A place is `place=` (a city or a site, as `/api/places` suggests
it: each suggestion's `label` names that place and no other) or `lat=` and `lon=`.
"""


class Guard:
    """ASGI middleware: security headers on every answer; URLs too long refused with 414."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"")
        path = scope.get("raw_path") or scope["path"].encode("utf-8", "replace")
        if len(query) > MAX_QUERY_BYTES or len(path) > MAX_PATH_BYTES:
            what, size, limit = (
                ("query", len(query), MAX_QUERY_BYTES)
                if len(query) > MAX_QUERY_BYTES
                else ("path", len(path), MAX_PATH_BYTES)
            )
            response = JSONResponse(
                {"detail": f"the {what} is {size} bytes long: at most {limit} allowed"}, 414
            )
            await response(scope, receive, self._secured(scope, send))
            return
        await self.app(scope, receive, self._secured(scope, send))

    @staticmethod
    def _secured(scope: Scope, send: Send) -> Send:
        csp = DOCS_CSP if scope["path"].startswith("/docs") else CSP

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                svg = headers.get("content-type", "").startswith("image/svg+xml")
                headers["content-security-policy"] = SVG_CSP if svg else csp
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
            await send(message)

        return send_secured


def validation_sentence(errors: list[dict[str, Any]]) -> str:
    """One sentence for FastAPI's request validation errors (the first one, named)."""
    if not errors:
        return "the request is malformed"
    err = errors[0]
    loc = [str(x) for x in err.get("loc", ()) if x not in ("query", "path", "header")]
    name = ".".join(loc) or "the request"
    kind = err.get("type", "")
    value = err.get("input")
    ctx = err.get("ctx") or {}
    shown = repr(value if not isinstance(value, str) or len(value) <= 40 else value[:40] + "...")
    if kind == "missing":
        return f"missing parameter {name}"
    if kind in ("float_parsing", "float_type", "finite_number"):
        return f"{name} {shown} is not a number"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{name} {shown} is not a whole number"
    if kind in ("bool_parsing", "bool_type"):
        return f"{name} {shown} is not a yes or no: expected 1, 0, true or false"
    if kind == "string_too_long":
        limit = ctx.get("max_length")
        size = len(value) if isinstance(value, str) else "too many"
        return f"{name} is {size} characters long: at most {limit} allowed"
    if kind == "enum":
        return f"{name} {shown} is not one of: {ctx.get('expected', '')}"
    return f"{name} {shown}: {err.get('msg', 'is not valid')}"


def _counted(app: FastAPI) -> Callable[[str], None]:
    """A refresh's outcome counted in the app's metrics (once they are installed)."""
    return lambda outcome: app.state.count_refresh(outcome)


def app_from_environment() -> FastAPI:
    """The application ``zarya serve --workers N`` starts in each worker process: its
    refresh settings come from ``ZARYA_SERVE_REFRESH`` (JSON, set by ``zarya serve``)."""
    text = os.environ.get(SERVE_REFRESH_ENV)
    return create_app(refresh=RefreshConfig.from_json(text) if text else None, settle=True)


def _static_files() -> dict[str, tuple[bytes, str, str]]:
    """Every file of ``static/`` by name: (bytes, media type, ETag). Only these are served:
    no path from a request ever reaches the file system."""
    out = {}
    for entry in resources.files("zarya.web").joinpath("static").iterdir():
        suffix = "." + entry.name.rsplit(".", 1)[-1] if "." in entry.name else ""
        if entry.is_file() and suffix in STATIC_TYPES:
            body = entry.read_bytes()
            etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
            out[entry.name] = (body, STATIC_TYPES[suffix], etag)
    return out


def settle_heap() -> None:
    """Load what every request may need (the gazetteer, the country outlines, the page's
    template) and move the whole heap out of the garbage collector's sight (``gc.freeze``).

    A full collection walks every tracked object: with the gazetteer's 34,000 cities in
    memory that takes some 50 ms, and it came every few hundred requests, the slowest 1 %
    of answers under load (the 10-day answer's p99 65 ms against a p50 of 11; 16 ms with the
    collector off). Frozen, those tables are never walked again; what requests create is
    collected as before."""
    import gc

    from ..domain.geography import country_polygons
    from ..domain.places import resolve_place
    from .pages import templates

    resolve_place("Astana")
    country_polygons()
    templates().get_template("index.html")
    gc.collect()
    gc.freeze()


def create_app(*, service: WebService | None = None,
               refresh: RefreshConfig | None = None, settle: bool = False) -> FastAPI:
    """A new application: the page ``/``, the API under ``/api``, ``/feeds/passes.ics``,
    the pictures under ``/charts``, ``/static``, OpenAPI at ``/docs``, ``/healthz`` and
    ``/metrics``; with ``refresh``, a background refresher of the element store (see
    :mod:`.refresher`) for as long as the application runs. With ``settle`` (the server
    process, not the tests), the long-lived tables are loaded at start-up and set aside from
    the garbage collector (:func:`settle_heap`)."""
    from . import health, pages
    from .api import router

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settle:
            settle_heap()
        refresher = getattr(app.state, "refresher", None)
        if refresher is not None:
            refresher.start()
        try:
            yield
        finally:
            if refresher is not None:
                refresher.stop()

    app = FastAPI(
        title="zarya",
        version=__version__,
        description=DESCRIPTION,
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.service = service or WebService()
    if refresh is not None:
        app.state.refresher = Refresher(refresh, on_refresh=_counted(app))

    async def zarya_error(request: Request, exc: Exception) -> Response:
        return JSONResponse({"detail": public_sentence(exc)}, status_code=422)

    async def bad_request(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return JSONResponse({"detail": validation_sentence(list(exc.errors()))}, 422)

    app.add_exception_handler(ZaryaError, zarya_error)
    app.add_exception_handler(RequestValidationError, bad_request)
    app.add_middleware(Guard)
    app.include_router(router)
    app.include_router(pages.router)

    files = _static_files()

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str, request: Request) -> Response:
        found = files.get(name)
        if found is None:
            return JSONResponse({"detail": "Not Found"}, status_code=404)
        body, media_type, etag = found
        headers = {"ETag": etag, "Cache-Control": "public, max-age=3600"}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(body, media_type=media_type, headers=headers)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        body, media_type, _ = files["favicon.svg"]
        return Response(body, media_type=media_type, headers={"Cache-Control": "max-age=86400"})

    health.install(app)
    return app
