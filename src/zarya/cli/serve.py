"""``zarya serve``: the web service (page, JSON API, calendar feeds) under uvicorn.

Registered on the application when :mod:`zarya.cli` is imported; FastAPI and uvicorn
are imported only when the command runs, so the other commands start as fast as before.
"""

from __future__ import annotations

import errno
import os
import socket
from enum import StrEnum
from typing import Annotated, Any

import typer

from ..errors import ServeError
from .app import app

__all__ = ["LogLevel", "check_listen", "serve"]


class LogLevel(StrEnum):
    critical = "critical"
    error = "error"
    warning = "warning"
    info = "info"
    debug = "debug"


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="TCP port (0: any free port).")
    ] = 8000,
    log_level: Annotated[
        LogLevel, typer.Option("--log-level", help="How much uvicorn logs.")
    ] = LogLevel.info,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="Worker processes (one store).")
    ] = 1,
    refresh: Annotated[
        bool, typer.Option("--refresh/--no-refresh",
                           help="Keep the element store current in the background.")
    ] = True,
    groups: Annotated[
        list[str] | None,
        typer.Option("--refresh-group", help="A CelesTrak group to refresh (default: "
                     "stations, the ISS's); may be given again."),
    ] = None,
    elements_url: Annotated[
        str | None,
        typer.Option("--elements-url", help="Refresh from this URL (a CelesTrak mirror) "
                     "instead of CelesTrak."),
    ] = None,
    refresh_nasa: Annotated[
        bool, typer.Option("--refresh-nasa", help="Refresh NASA's ISS trajectory too.")
    ] = False,
    refresh_interval: Annotated[
        float, typer.Option("--refresh-interval", min=1.0, max=86400.0,
                            help="Seconds between looks (a URL is fetched at most every "
                            "2 hours).")
    ] = 600.0,
    refresh_timeout: Annotated[
        float, typer.Option("--refresh-timeout", min=0.1, max=300.0,
                            help="Seconds a refresh waits for each answer.")
    ] = 30.0,
    refresh_lease: Annotated[
        float, typer.Option("--refresh-lease", min=1.0, max=86400.0,
                            help="Seconds a refresher's lease holds (a killed one's lapses).")
    ] = 600.0,
) -> None:
    """Serve the sightings page, the JSON API (/docs) and calendar feeds over HTTP, keeping
    the element store current (CelesTrak, NASA) in the background."""
    check_listen(host, port)
    config = None
    if refresh:
        from ..elements.fetch import check_request, group_url
        from ..web.refresher import RefreshConfig, Source

        sources = [Source(url=elements_url)] if elements_url else [
            Source(group=g) for g in (groups or ["stations"])]
        for source in sources:
            check_request(source.url or group_url(source.group))
        if refresh_nasa:
            sources.append(Source(kind="nasa-iss"))
        config = RefreshConfig(sources=tuple(sources), interval_s=refresh_interval,
                               timeout_s=refresh_timeout, lease_s=refresh_lease)
    import uvicorn

    common: dict[str, Any] = dict(
        host=host, port=port, log_level=log_level.value, access_log=False,
        server_header=False, proxy_headers=False, timeout_graceful_shutdown=30,
    )
    if workers == 1:
        from ..web import create_app

        uvicorn.run(create_app(refresh=config, settle=True), **common)
        return
    from ..web.refresher import SERVE_REFRESH_ENV

    os.environ[SERVE_REFRESH_ENV] = config.to_json() if config is not None else ""
    uvicorn.run("zarya.web.app:app_from_environment", factory=True, workers=workers,
                **common)


def check_listen(host: str, port: int) -> None:
    """Bind (and release) every address uvicorn will listen on, as asyncio's
    ``create_server`` does, so that an unknown host, a port in use or a port that needs
    privileges fails with one line before uvicorn starts (and logs a page about it)."""
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    try:
        infos = socket.getaddrinfo(
            host or None, port, socket.AF_UNSPEC, socket.SOCK_STREAM, 0, socket.AI_PASSIVE
        )
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ServeError(
            f"cannot listen on {where}: unknown host {host!r} ({reason}); expected an address "
            "of this machine such as 127.0.0.1, 0.0.0.0 or localhost"
        ) from None
    for family, kind, proto, _, address in dict.fromkeys(infos):
        try:
            sock = socket.socket(family, kind, proto)
        except OSError:  # an address family this machine lacks (IPv6 off): asyncio skips it
            continue
        with sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6 and hasattr(socket, "IPPROTO_IPV6"):
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                sock.bind(address)
            except OSError as exc:
                raise ServeError(f"cannot listen on {where}: {_bind_reason(exc)}") from None


def _bind_reason(exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return "address already in use (is another server running there? try another --port)"
    if exc.errno == errno.EACCES:
        return "permission denied (ports below 1024 need privileges; try --port 8000)"
    if exc.errno == errno.EADDRNOTAVAIL:
        return "no such address on this machine (try --host 127.0.0.1 or 0.0.0.0)"
    return (exc.strerror or str(exc)).lower()
