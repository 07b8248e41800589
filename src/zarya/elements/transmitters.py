"""Radio channels: the ISS's amateur channels (a built-in table, with sources) and the
transmitters of any satellite from a SatNOGS DB export.

A :class:`Channel` is what a ground station tunes: a downlink (what it listens to) and,
for a repeater or a voice contact, an uplink (what it transmits on), both as the satellite
sends and hears them; the Doppler correction is the domain's (:mod:`zarya.domain.radio`).

The ISS's channels (:data:`ISS_CHANNELS`) are those ARISS publishes for the station's
amateur radio (ariss.org, "Contact the ISS" and the ARISS frequency chart, and AMSAT's
satellite status page for the cross-band repeater): voice downlink 145.800 MHz FM
worldwide, its uplink 145.200 MHz in IARU Region 1 and 144.490 MHz in Regions 2 and 3;
APRS digipeater 145.825 MHz simplex; the FM cross-band repeater, uplink 145.990 MHz
(67 Hz tone), downlink 437.800 MHz; SSTV events on 145.800 MHz.

SatNOGS DB (db.satnogs.org, ``/api/transmitters/?format=json``) lists transmitters as JSON
objects; the documented fields read here: ``uuid``, ``description``, ``norad_cat_id``,
``downlink_low``/``downlink_high`` and ``uplink_low``/``uplink_high`` (Hz, integers or
null), ``mode``, ``uplink_mode``, ``alive``, ``status`` (``active``, ``inactive``,
``invalid``) and ``invert`` (an inverting transponder).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import OptionError, path, shown
from .elset import clean_name

__all__ = [
    "ISS_CHANNELS",
    "MAX_TRANSMITTERS_BYTES",
    "Channel",
    "find_channel",
    "read_satnogs_transmitters",
]

MAX_TRANSMITTERS_BYTES = 50_000_000  # the whole SatNOGS DB export is about 3 MB
_HZ_RANGE = (1e3, 3e12)


@dataclass(frozen=True)
class Channel:
    """A channel: its name, downlink and optional uplink (Hz, as the satellite sends and
    hears them), the mode, whether the transponder inverts, and where it comes from."""

    name: str
    downlink_hz: float
    uplink_hz: float | None = None
    mode: str = "FM"
    source: str = ""
    description: str = ""
    norad_id: int | None = None
    inverting: bool = False


_ARISS = "ARISS (ariss.org, Contact the ISS; ARISS frequency chart)"
_AMSAT = "AMSAT satellite status (amsat.org), ISS cross-band repeater"

ISS_CHANNELS: tuple[Channel, ...] = (
    Channel("voice", 145.800e6, 145.200e6, "FM", _ARISS,
            "Voice downlink (worldwide), Region 1 uplink", 25544),
    Channel("voice-r2", 145.800e6, 144.490e6, "FM", _ARISS,
            "Voice downlink (worldwide), Region 2 and 3 uplink", 25544),
    Channel("aprs", 145.825e6, 145.825e6, "AFSK 1200", _ARISS,
            "APRS digipeater, simplex", 25544),
    Channel("repeater", 437.800e6, 145.990e6, "FM", _AMSAT,
            "FM cross-band repeater (uplink tone 67 Hz)", 25544),
    Channel("sstv", 145.800e6, None, "FM SSTV", _ARISS, "SSTV events, downlink only", 25544),
)


def find_channel(name: str, channels: Sequence[Channel] = ISS_CHANNELS) -> Channel:
    """The channel of this name (case-insensitive), or an :class:`OptionError` listing the
    names there are."""
    key = name.strip().lower()
    for ch in channels:
        if ch.name.lower() == key:
            return ch
    names = ", ".join(ch.name for ch in channels) or "none"
    raise OptionError(
        f"no channel named {shown(name)}: the channels are {names}",
        parameter="channel", value=name,
    )


def _hz(record: dict[str, object], key: str, where: str) -> float | None:
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not (
        math.isfinite(value) and _HZ_RANGE[0] <= value <= _HZ_RANGE[1]
    ):
        raise OptionError(
            f"{where}: {key} {shown(value)} is not a frequency in Hz (expected "
            f"{_HZ_RANGE[0]:g} to {_HZ_RANGE[1]:g}, or null)",
            parameter="transmitters", value=value,
        )
    return float(value)


def read_satnogs_transmitters(
    file: str | Path, *, norad_id: int | None = None, include_inactive: bool = False
) -> list[Channel]:
    """The transmitters of a SatNOGS DB JSON export (a list of objects) as channels, for
    one satellite (``norad_id``) or all; those marked inactive, invalid or not alive are
    left out unless ``include_inactive``. A transmitter without a downlink is left out
    (nothing to listen to). Each channel is named by its SatNOGS description, made
    unique with a number where two share one."""
    where = path(str(file), "the transmitters file")
    try:
        with open(file, "rb") as fh:
            raw = fh.read(MAX_TRANSMITTERS_BYTES + 1)
    except OSError as exc:
        raise OptionError(f"cannot read {where}: {exc.strerror or exc}",
                          parameter="transmitters") from None
    if len(raw) > MAX_TRANSMITTERS_BYTES:
        raise OptionError(f"{where} is over {MAX_TRANSMITTERS_BYTES // 1_000_000} MB: not a "
                          "SatNOGS transmitters export", parameter="transmitters")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise OptionError(f"{where} is not JSON: {shown(str(exc), 80)}",
                          parameter="transmitters") from None
    if isinstance(data, dict):  # one transmitter
        data = [data]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise OptionError(f"{where} is not a SatNOGS transmitters export: expected a list of "
                          "objects", parameter="transmitters")
    out: list[Channel] = []
    used: dict[str, int] = {}
    for n, record in enumerate(data, start=1):
        at = f"{where}, transmitter {n}"
        sat_id = record.get("norad_cat_id")
        if not isinstance(sat_id, int) or isinstance(sat_id, bool):
            if sat_id is not None:
                raise OptionError(f"{at}: norad_cat_id {shown(sat_id)} is not a NORAD number",
                                  parameter="transmitters", value=sat_id)
        if norad_id is not None and sat_id != norad_id:
            continue
        active = record.get("status", "active") == "active" and record.get("alive", True)
        if not (active or include_inactive):
            continue
        down = _hz(record, "downlink_low", at)
        up = _hz(record, "uplink_low", at)
        if down is None:
            continue
        base = clean_name(str(record.get("description") or "transmitter"))[:60] or "transmitter"
        used[base.lower()] = used.get(base.lower(), 0) + 1
        name = base if used[base.lower()] == 1 else f"{base} {used[base.lower()]}"
        out.append(Channel(
            name, down, up, clean_name(str(record.get("mode") or "")),
            f"SatNOGS DB transmitter {clean_name(str(record.get('uuid') or '?'))}",
            base, sat_id if isinstance(sat_id, int) else None, bool(record.get("invert"))))
    return out
