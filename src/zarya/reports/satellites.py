"""Which satellite a question is about, and how old its elements are.

:func:`load_satellite` brings an object's element history from a file (``--elements``) or
from the element store; :func:`satellite_info` is the ``satellite`` object that heads every
answer: NORAD number, name, and the epoch and age of the set serving the window's start.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np

from ..elements.files import read_elements_file
from ..elements.records import select_object
from ..elements.store import open_store
from ..engine.satellite import Satellite
from ..engine.timescale import Window, iso_z, jd_of
from ..errors import CatalogError, param

__all__ = ["MAX_PASS_DAYS", "load_satellite", "pass_window", "satellite_info"]

MAX_PASS_DAYS = 366.0


def load_satellite(
    sat: str | int | None = None,
    *,
    elements_file: str | None = None,
    std_magnitude: float | None = None,
) -> Satellite:
    """The satellite's element history: from ``elements_file``, else from the element store.

    The store is ``$ZARYA_HOME/elements.sqlite`` or the one in the user data directory,
    seeded with the bundled ISS history when it is first created.

    >>> load_satellite().name
    'ISS (ZARYA)'
    """
    if sat is not None and not str(sat).strip():
        raise CatalogError(
            f"{param('sat')} is empty: give a NORAD number or a name (default: 25544)",
            parameter="sat",
            value=sat,
        )
    if elements_file:
        chosen = select_object(read_elements_file(elements_file), sat)
    else:
        with open_store() as store:
            chosen = store.sets(store.resolve(sat))
    kw: dict[str, Any] = {} if std_magnitude is None else {"std_magnitude": std_magnitude}
    return Satellite.from_elements(chosen, **kw)


def satellite_info(sat: Satellite, when: datetime) -> dict[str, Any]:
    """NORAD number, name, and epoch and age (days, signed) of the set serving ``when``."""
    jd = sum(jd_of(when))
    k = int(sat.select(np.array([jd]))[0])
    chosen = sat.elements[k]
    return {
        "norad_id": sat.norad_id,
        "name": sat.name,
        "elements_epoch": iso_z(chosen.epoch, 0),
        "elements_age_days": round(float(jd - chosen.epoch_jd_total), 2),
    }


def pass_window(start: datetime, days: float) -> Window:
    """A window of ``days`` days (at most :data:`MAX_PASS_DAYS`) from ``start``."""
    return Window.days(start, days, max_days=MAX_PASS_DAYS)
