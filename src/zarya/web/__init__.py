"""The web service: a sightings page, a JSON API and calendar feeds (FastAPI).

``create_app()`` builds the application; ``zarya serve`` runs it under uvicorn. Importing
this package imports FastAPI, so nothing else in zarya imports it: the command line loads it
only for ``serve``.
"""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
