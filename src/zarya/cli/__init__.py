"""The command line: ``zarya`` and its commands, one module per command group.

:mod:`.app` holds the Typer application, the entry point :func:`main` and how errors are
worded; :mod:`.options` the options and helpers every command shares. Each other module
registers its commands on the application when imported here, in the order ``--help``
lists them. Nothing else in zarya imports this package.
"""

from __future__ import annotations

from . import batch, crossings, follow, missions, passes, plot, serve, transits  # noqa: F401  (registers the commands)

# isort: off  (the order of --help)
from .app import app, main
from .elements import elements_app

# isort: on

app.add_typer(elements_app, name="elements")

__all__ = ["app", "main"]
