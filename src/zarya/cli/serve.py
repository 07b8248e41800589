"""``zarya serve``: the web service (page, JSON API, calendar feeds) under uvicorn.

Registered on the application when :mod:`zarya.cli` is imported; FastAPI and uvicorn
are imported only when the command runs, so the other commands start as fast as before.
"""

from __future__ import annotations

import errno
import socket
from enum import StrEnum
from typing import Annotated

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
) -> None:
    """Serve the sightings page, the JSON API (/docs) and calendar feeds over HTTP."""
    check_listen(host, port)
    import uvicorn

    from ..web import create_app

    uvicorn.run(
        create_app(), host=host, port=port, log_level=log_level.value, access_log=False,
        server_header=False, proxy_headers=False,
    )


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
