"""Where SGP4 cannot propagate: sgp4's error codes, failed stretches, and the refusal when
it fails everywhere.

SGP4 fails for a decayed object, or when the eccentricity leaves its range; zarya turns a
failure into NaN states with sgp4's error code per time (never a crash), and reports the
stretches where it happens. Two resolutions serve two needs:

- :func:`grid_stretches`: the runs of failed grid samples of an ephemeris (what a pass
  search met), to the grid's step;
- :func:`propagation_map`: where the nearest set at each instant propagates, over any
  window, each edge bisected to a fraction of a millisecond (what an orbit count needs).

Both give :class:`FailedStretch` values; :func:`nowhere` is the
:class:`~zarya.errors.PropagationError` for a window where nothing propagates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from ..errors import PropagationError
from .satellite import Satellite
from .search import runs
from .timescale import Window, iso_z
from .trajectory import OUTSIDE_CODE

__all__ = [
    "FAILURE_BISECTIONS",
    "SGP4_ERRORS",
    "FailedStretch",
    "grid_stretches",
    "cannot",
    "nowhere",
    "propagation_failures",
    "propagation_map",
    "reason",
    "scan_step_s",
    "sgp4_message",
]

SGP4_ERRORS = {
    1: "mean eccentricity out of range",
    2: "mean motion below zero",
    3: "perturbed eccentricity out of range",
    4: "semi-latus rectum below zero",
    5: "epoch elements are sub-orbital",
    6: "satellite has decayed",
    7: "outside the trajectory's states",
}
FAILURE_BISECTIONS = 20


def sgp4_message(code: int) -> str:
    """sgp4's error code in words: ``'satellite has decayed'``."""
    return SGP4_ERRORS.get(code, "sgp4 error")


def reason(code: int) -> str:
    """Why there is no state, for a sentence: sgp4's words and code, or (a trajectory's
    instant outside its states, not sgp4's doing) the words alone.

    >>> reason(6), reason(7)
    ('satellite has decayed (sgp4 error 6)', "outside the trajectory's states")
    """
    if code == OUTSIDE_CODE:
        return sgp4_message(code)
    return f"{sgp4_message(code)} (sgp4 error {code})"


def cannot(name: str, code: int) -> str:
    """The start of a sentence saying there is no state of ``name``: 'SGP4 cannot
    propagate ISS', or for a trajectory 'The trajectory has no state of ISS'."""
    if code == OUTSIDE_CODE:
        return f"The trajectory has no state of {name}"
    return f"SGP4 cannot propagate {name}"


@dataclass(frozen=True)
class FailedStretch:
    """A stretch where SGP4 cannot propagate: from ``start`` to ``end`` (the first and last
    failing instants), with sgp4's error ``code``."""

    start: datetime
    end: datetime
    code: int

    @property
    def message(self) -> str:
        return sgp4_message(self.code)

    def warning(self, what: str, digits: int = 0) -> str:
        """'SGP4 failed from ... to ... (satellite has decayed, error 6): no {what} there'
        (a trajectory: 'No state from ... to ... (outside the trajectory's states): ...')."""
        span = f"from {iso_z(self.start, digits)} to {iso_z(self.end, digits)}"
        if self.code == OUTSIDE_CODE:
            return f"No state {span} ({self.message}): no {what} there"
        return f"SGP4 failed {span} ({self.message}, error {self.code}): no {what} there"


def nowhere(sat: Satellite, window: Window, codes: list[int]) -> PropagationError:
    """The error for a window in which SGP4 propagates nowhere (its commonest code named)."""
    code = int(np.bincount(codes).argmax()) if codes else 0
    return PropagationError(
        f"{cannot(sat.name, code)} anywhere from {iso_z(window.start, 0)} to "
        f"{iso_z(window.end, 0)}: {reason(code)}",
        name=sat.name,
        code=code,
        start=window.start,
        end=window.end,
    )


def grid_stretches(
    window: Window, t_s: NDArray[np.float64], error: NDArray[np.uint8]
) -> list[FailedStretch]:
    """The runs of grid times ``t_s`` (seconds from the window start) whose sgp4 ``error``
    is not 0, each from its first to its last failed sample, with the code of its first."""
    return [
        FailedStretch(window.instant(t_s[a]), window.instant(t_s[b - 1]), int(error[a]))
        for a, b in runs(error != 0)
    ]


def _errors(sat: Satellite, window: Window, t_s: NDArray[np.float64]) -> NDArray[np.uint8]:
    jd1, jd2 = window.jd(t_s)
    return sat.teme(jd1, jd2)[2]


def scan_step_s(sat: Satellite) -> float:
    """Sampling step of the failure (and node) search: 300 s or a twentieth of the period."""
    return min(300.0, sat.period_s / 20.0)


def propagation_map(
    sat: Satellite, window: Window, *, step_s: float | None = None
) -> tuple[list[tuple[float, float]], list[tuple[float, float, int]]]:
    """Where SGP4 propagates over ``window``, and where it fails.

    Sampled every ``step_s`` (default :func:`scan_step_s`) with the set serving each
    instant (:meth:`Satellite.select`); each change between propagating and failing is
    bisected down to ``step_s / 2**20`` (0.3 ms for the ISS). Returns ``(valid, failed)``:
    ``valid`` a list of ``(start_s, end_s)``, ``failed`` a list of ``(start_s, end_s,
    code)``, seconds from the window start, in time order; each stretch runs from its first
    to its last instant of that kind.
    """
    t = window.grid(step_s or scan_step_s(sat))
    err = _errors(sat, window, t)
    bad = err != 0
    if not bad.any():
        return [(0.0, window.span_s)], []
    j = np.flatnonzero(bad[1:] != bad[:-1])
    a, b = t[j], t[j + 1]
    side_a = bad[j]
    for _ in range(FAILURE_BISECTIONS):
        m = (a + b) / 2.0
        on_a = (_errors(sat, window, m) != 0) == side_a
        a, b = np.where(on_a, m, a), np.where(on_a, b, m)
    last_before = dict(zip(j.tolist(), a.tolist(), strict=True))  # run ending at grid j
    first_after = dict(zip((j + 1).tolist(), b.tolist(), strict=True))  # run from j + 1

    def edges(i0: int, i1: int) -> tuple[float, float]:
        start = float(t[0]) if i0 == 0 else first_after[i0]
        end = float(t[-1]) if i1 == len(t) else last_before[i1 - 1]
        return start, end

    valid = [edges(i0, i1) for i0, i1 in runs(~bad)]
    failed = [
        (*edges(i0, i1), int(np.bincount(err[i0:i1]).argmax())) for i0, i1 in runs(bad)
    ]
    return valid, failed


def propagation_failures(
    sat: Satellite, window: Window, *, step_s: float | None = None
) -> list[FailedStretch]:
    """The stretches of ``window`` where SGP4 fails (see :func:`propagation_map`), in time
    order; empty when it propagates everywhere. Raises
    :class:`~zarya.errors.PropagationError` when it fails over the whole window."""
    valid, failed = propagation_map(sat, window, step_s=step_s)
    if not valid:
        raise nowhere(sat, window, [code for _, _, code in failed])
    return [FailedStretch(window.instant(a), window.instant(b), code) for a, b, code in failed]
