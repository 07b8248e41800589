"""A fixed clock for the tests where "now" matters.

zarya reads the clock in one place, :func:`zarya.engine.timescale.utc_now`, and its callers
look it up through that module, so replacing the function there freezes "now" for the
command line, the library and the web alike (the ``freeze_clock`` fixture of conftest.py);
:func:`frozen_zarya` does the same for a ``zarya`` started as a subprocess.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

__all__ = ["STALE_NOW", "frozen_zarya"]

# 146.6 days after the newest ISS set of the bundled history (2025-11-09T23:14:21Z): at this
# "now" predictions are refused as stale, whatever day the tests run on
STALE_NOW = datetime(2026, 4, 5, 12, 34, 56, 789000, tzinfo=UTC)

_FROZEN = (
    "import sys; from datetime import datetime; from zarya.engine import timescale; "
    "when = datetime.fromisoformat(sys.argv.pop(1)); timescale.utc_now = lambda: when; "
    "from zarya.cli import main; sys.exit(main(sys.argv[1:]))"
)


def frozen_zarya(when: datetime, *args: str) -> list[str]:
    """The command line of ``python -m zarya ARGS`` with its clock frozen at ``when``."""
    return [sys.executable, "-c", _FROZEN, when.isoformat(), *args]
