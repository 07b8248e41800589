"""Named rule sets: what "visible" means, as zarya and as NASA's Spot the Station say it.

A rule set fixes the thresholds of a visible-pass search (:class:`~.pass_table.PassOptions`):
the elevation a pass must reach, the Sun's limit, the shadow's height, whether refraction
and extinction are applied, whether the sky's own brightness decides, and how twilight is
treated. :func:`pass_options` builds the options of a rule set, with any threshold given
explicitly taking precedence. The README's table is :func:`rules_table`.

- ``zarya`` (the default): passes above 10 degrees (geometric), the Sun at or below -6
  degrees, the shadow raised 18 km for the atmosphere, magnitudes with extinction; a
  stretch of a pass is visible while the satellite is sunlit and the Sun low enough
  (twilight shortens it).
- ``spot-the-station``: NASA's sighting lists, as far as they are published: passes at
  least 10 degrees high (geometric), the shadow raised for the atmosphere, and a pass
  listed only if the observer's Sun is at or below -6 degrees for all of its visible part
  (twilight drops such a pass, it does not shorten it); its appear time is where the
  visible part starts, shown to the minute, truncated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Any

from ..errors import OptionError, param
from .light import DARK_SKY_LIMIT, SHADOW_HEIGHT_KM
from .pass_table import PassOptions

__all__ = [
    "RULES",
    "Rules",
    "check_magnitude",
    "check_rules",
    "check_shadow_height",
    "pass_options",
    "rules_table",
]

MAX_SHADOW_HEIGHT_KM = 100.0  # the atmosphere stops absorbing well below this


@dataclass(frozen=True)
class Rules:
    """One rule set (see the module docstring)."""

    name: str
    summary: str
    min_elevation_deg: float = 10.0
    sun_limit_deg: float = -6.0
    shadow_height_km: float = SHADOW_HEIGHT_KM
    refraction: bool = False
    extinction: bool = True
    sky: bool = False
    dark_throughout: bool = False
    minute_truncated: bool = False


RULES = {
    "zarya": Rules(
        "zarya",
        "zarya's default: visible while sunlit and the Sun at or below the limit; twilight "
        "shortens a pass",
    ),
    "spot-the-station": Rules(
        "spot-the-station",
        "NASA's sighting lists: a pass is listed only if the Sun is at or below -6 degrees "
        "for all of its visible part; appear times to the minute, truncated",
        extinction=False,
        dark_throughout=True,
        minute_truncated=True,
    ),
}


def check_rules(name: str) -> Rules:
    """The rule set called ``name``, or an :class:`~zarya.errors.OptionError` naming the
    ones there are."""
    found = RULES.get(str(name).strip().lower())
    if found is None:
        raise OptionError(
            f"{param('rules')} {name!r} is not a rule set: expected one of "
            f"{', '.join(RULES)}",
            parameter="rules",
            value=name,
            choices=tuple(RULES),
        )
    return found


def check_shadow_height(value: float) -> float:
    """A shadow height (km) from 0 to 100, or an :class:`~zarya.errors.OptionError`."""
    if not (math.isfinite(value) and 0.0 <= value <= MAX_SHADOW_HEIGHT_KM):
        raise OptionError(
            f"{param('shadow_height_km')} {value:g} km is impossible: expected 0 to "
            f"{MAX_SHADOW_HEIGHT_KM:g} km above the Earth's surface",
            parameter="shadow_height_km", value=value, low=0.0, high=MAX_SHADOW_HEIGHT_KM,
        )
    return value


def check_magnitude(name: str, value: float) -> float:
    """A magnitude limit from -30 to 30, or an :class:`~zarya.errors.OptionError`."""
    if not (math.isfinite(value) and -30.0 <= value <= 30.0):
        raise OptionError(
            f"{param(name)} {value:g} is not a magnitude: expected -30 to 30",
            parameter=name, value=value, low=-30.0, high=30.0,
        )
    return value


def pass_options(rules: str = "zarya", **given: Any) -> PassOptions:
    """The :class:`PassOptions` of a rule set, with the thresholds ``given`` (any field of
    PassOptions; ``None`` means "the rule set's") taking precedence.

    >>> o = pass_options("spot-the-station", min_elevation_deg=None)
    >>> o.rules, o.min_elevation_deg, o.dark_throughout, o.shadow_height_km
    ('spot-the-station', 10.0, True, 18.0)
    >>> pass_options(shadow_height_km=0.0).shadow_height_km
    0.0
    """
    chosen = check_rules(rules)
    names = {f.name for f in fields(PassOptions)}
    unknown = set(given) - names
    if unknown:
        raise TypeError(f"not a pass option: {sorted(unknown)}")
    base = PassOptions(
        min_elevation_deg=chosen.min_elevation_deg, sun_limit_deg=chosen.sun_limit_deg,
        refraction=chosen.refraction, shadow_height_km=chosen.shadow_height_km,
        extinction=chosen.extinction, sky=chosen.sky,
        dark_throughout=chosen.dark_throughout, minute_truncated=chosen.minute_truncated,
        rules=chosen.name, dark_limit=DARK_SKY_LIMIT,
    )
    options = replace(base, **{k: v for k, v in given.items() if v is not None})
    check_shadow_height(options.shadow_height_km)
    if options.brighter_than is not None:
        check_magnitude("brighter_than", options.brighter_than)
    check_magnitude("limiting_magnitude", options.dark_limit)
    return options


def rules_table() -> list[list[str]]:
    """The rule sets side by side, a header row then one row per setting (for the
    README)."""
    rows = [["", *RULES]]

    def row(label: str, show: Any) -> None:
        rows.append([label, *(show(r) for r in RULES.values())])

    row("visible part above", lambda r: f"{r.min_elevation_deg:g} deg")
    row("elevations", lambda r: "apparent" if r.refraction else "geometric")
    row("Sun at or below", lambda r: f"{r.sun_limit_deg:g} deg")
    row("twilight", lambda r: "drops the pass" if r.dark_throughout else "shortens it")
    row("shadow height", lambda r: f"{r.shadow_height_km:g} km")
    row("extinction", lambda r: "yes" if r.extinction else "no")
    row("appear time", lambda r: "to the minute, truncated" if r.minute_truncated
        else "to 0.1 s")
    return rows
