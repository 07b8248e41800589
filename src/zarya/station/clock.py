"""Clocks for following a pass: the real one, and a rehearsal clock that plays a pass
faster (``--at T --speed 60``) so that a station can be tested in daylight.

Both keep time from the monotonic clock (a wall-clock step does not make a pass jump);
``sleep_until`` returns at once when the moment is past.
"""

from __future__ import annotations

import math
import time
from datetime import datetime, timedelta

from ..engine import timescale
from ..errors import OptionError, param, shown

__all__ = ["MAX_SPEED", "Clock"]

MAX_SPEED = 1000.0


class Clock:
    """Simulated UTC that starts at ``start`` (default: now) and runs ``speed`` times
    faster than real time (1: the real clock)."""

    def __init__(self, start: datetime | None = None, speed: float = 1.0) -> None:
        if not (math.isfinite(speed) and 0.0 < speed <= MAX_SPEED):
            raise OptionError(
                f"{param('speed')} {shown(speed)} is impossible: expected above 0 and at most "
                f"{MAX_SPEED:g} (60 plays a ten-minute pass in ten seconds)",
                parameter="speed", value=speed, low=0.0, high=MAX_SPEED,
            )
        self.start = start if start is not None else timescale.utc_now()
        self.speed = float(speed)
        self._t0 = time.monotonic()

    @property
    def rehearsal(self) -> bool:
        return self.speed != 1.0

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.monotonic() - self._t0) * self.speed)

    def real_seconds(self, simulated_s: float) -> float:
        """How long ``simulated_s`` seconds of the clock last in real time."""
        return simulated_s / self.speed

    def sleep_until(self, when: datetime) -> None:
        """Wait (really) until the clock shows ``when``."""
        while True:
            left = (when - self.now()).total_seconds()
            if left <= 0.0:
                return
            time.sleep(min(self.real_seconds(left), 1.0))
