"""``zarya serve``: the web service (page, JSON API, calendar feeds) under uvicorn.

Registered on :data:`zarya.cli.app` when :mod:`zarya.cli` is imported; FastAPI and uvicorn
are imported only when the command runs, so the other commands start as fast as before.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from .cli import app


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
    import uvicorn

    from .web import create_app

    uvicorn.run(
        create_app(), host=host, port=port, log_level=log_level.value, access_log=False,
        server_header=False, proxy_headers=False,
    )
