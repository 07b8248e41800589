"""Radio contacts: passes above the radio horizon and the Doppler shift along them.

Passes above the horizon (or ``min_elevation_deg``) give acquisition (AOS) and loss (LOS)
of signal; along each pass the downlink Doppler shift heard on the ground is
``f * (-range_rate / c)`` (first order; the relativistic term is below 0.1 Hz at 145.8 MHz).
An uplink must be sent shifted the opposite way. The shift is zero where the range is
shortest (the range rate changes sign), refined to 0.01 s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..engine import search
from ..engine.ephemeris import Ephemeris
from ..engine.look import Observer, Observers
from ..engine.timescale import Window
from ..errors import ObserverError, param, shown
from .pass_table import LookPoint, PassOptions
from .passes import find_pass_table

__all__ = [
    "RADIO_TOL_S",
    "SPEED_OF_LIGHT_KM_S",
    "RadioPass",
    "check_frequency",
    "doppler_shift_hz",
    "downlink_hz",
    "radio_passes",
    "uplink_hz",
]

FloatArray = NDArray[np.float64]

SPEED_OF_LIGHT_KM_S = 299_792.458
RADIO_TOL_S = 0.01


def doppler_shift_hz(range_rate_km_s, freq_hz) -> np.ndarray:
    """Downlink Doppler shift heard on the ground (Hz): ``f * (-range_rate / c)``.

    ``range_rate_km_s`` > 0 when the satellite moves away (the shift is then negative).
    """
    return -np.asarray(freq_hz, dtype=float) * np.asarray(range_rate_km_s, dtype=float) / (
        SPEED_OF_LIGHT_KM_S
    )


def downlink_hz(freq_hz: float, range_rate_km_s: ArrayLike) -> FloatArray:
    """The frequency heard on the ground of a downlink sent on ``freq_hz``:
    ``f (1 - range_rate / c)`` (the same first-order shift as :func:`doppler_shift_hz`)."""
    rr = np.asarray(range_rate_km_s, dtype=float)
    out: FloatArray = freq_hz * (1.0 - rr / SPEED_OF_LIGHT_KM_S)
    return out


def uplink_hz(freq_hz: float, range_rate_km_s: ArrayLike) -> FloatArray:
    """The frequency to transmit on the ground so that the satellite hears ``freq_hz``:
    ``f / (1 - range_rate / c)`` (lower while it approaches: the satellite hears it raised)."""
    rr = np.asarray(range_rate_km_s, dtype=float)
    out: FloatArray = freq_hz / (1.0 - rr / SPEED_OF_LIGHT_KM_S)
    return out


MAX_FREQ_MHZ = 3e6  # 3 THz: far above any radio


def check_frequency(freq_mhz: float) -> float:
    """Refuse a frequency that is not a number of MHz above 0 and at most 3,000,000
    (named as ``freq_mhz``); returns it in Hz."""
    if not (math.isfinite(freq_mhz) and 0.0 < freq_mhz <= MAX_FREQ_MHZ):
        raise ObserverError(
            f"{param('freq_mhz')} {shown(freq_mhz)} is impossible: expected a frequency above "
            f"0 and at most {MAX_FREQ_MHZ:g} MHz (145.800 is the ISS's amateur radio "
            "downlink)",
            parameter="freq_mhz",
            value=freq_mhz,
            low=0.0,
            high=MAX_FREQ_MHZ,
        )
    return freq_mhz * 1e6


@dataclass(frozen=True)
class RadioPass:
    """One pass above the radio horizon and the Doppler shift along it.

    ``aos``/``los``: acquisition and loss of signal (None where the window cuts the pass);
    ``zero_shift_time``: when the shift is zero (the range is shortest; None if outside the
    window); ``shift_aos_hz``/``shift_los_hz``: the shift at the ends, ``max_shift_hz`` the
    largest in size (signed), ``max_rate_hz_s`` the fastest change (Hz/s, negative: the
    pitch falls); ``t_s`` (S,) sample times (seconds from the window start) with
    ``shift_hz``, ``elevation_deg`` and ``range_rate_km_s`` (S,).
    """

    aos: LookPoint | None
    culmination: LookPoint
    los: LookPoint | None
    duration_s: float
    zero_shift_time: datetime | None
    shift_aos_hz: float
    shift_los_hz: float
    max_shift_hz: float
    max_rate_hz_s: float
    window: Window
    t_s: np.ndarray
    shift_hz: np.ndarray
    elevation_deg: np.ndarray
    range_rate_km_s: np.ndarray
    observer_index: int = 0


def radio_passes(
    eph: Ephemeris,
    observers: Observer | list[Observer] | Observers,
    freq_hz: float,
    *,
    min_elevation_deg: float = 0.0,
    step_s: float = 30.0,
) -> list[list[RadioPass]]:
    """Passes above ``min_elevation_deg`` (geometric) for each observer, with the Doppler
    shift of ``freq_hz`` sampled every ``step_s`` from AOS to LOS (both ends included).

    The first radio pass of the day over Astana on the ISS's voice downlink, 145.800 MHz:
    heard 2.7 kHz high at AOS, 2.8 kHz low at LOS.

    >>> from zarya import Ephemeris, Observer, Window, load_satellite, parse_instant
    >>> eph = Ephemeris(load_satellite(), Window.days(parse_instant("2016-04-04"), 1))
    >>> p = radio_passes(eph, Observer(51.1694, 71.4491, 347.0), 145.8e6)[0][0]
    >>> f"{p.aos.time:%H:%M}", round(p.shift_aos_hz), round(p.shift_los_hz)
    ('12:56', 2736, -2751)
    """
    check_frequency(freq_hz / 1e6)
    obs = Observers.of(observers)
    table = find_pass_table(
        eph, obs, PassOptions(min_elevation_deg=min_elevation_deg, visibility=False)
    )
    passes = table.passes(len(obs))
    out: list[list[RadioPass]] = [[] for _ in range(len(obs))]
    P = len(table)
    if not P:
        return out
    # a pass cut by the window or by an sgp4 failure runs to the edge of the stretch of
    # valid grid samples around its culmination (as in zarya.domain.passes)
    run_lo, run_hi = eph.valid_span(table.t[:, 1])
    start = np.where(np.isnan(table.t[:, 0]), run_lo, table.t[:, 0])
    end = np.where(np.isnan(table.t[:, 2]), run_hi, table.t[:, 2])
    counts = np.maximum(np.ceil((end - start) / step_s).astype(np.int64), 1) + 1
    owner = np.repeat(np.arange(P), counts)
    offsets = np.r_[0, np.cumsum(counts)]
    local = np.arange(offsets[-1]) - offsets[owner]
    ts = np.minimum(start[owner] + local * step_s, end[owner])
    ts[offsets[1:] - 1] = end  # the last sample of each pass is LOS
    idx = table.observer[owner]

    def rate(t: FloatArray, ii: NDArray[np.int64]) -> FloatArray:
        r, v = eph.state(t)
        _, _, _, rr = obs.look(r, ii, v)
        assert rr is not None
        return rr

    _, el, _, rr_or_none = obs.look(eph.position(ts), idx, eph.velocity(ts))
    assert rr_or_none is not None
    rr = rr_or_none
    shift = doppler_shift_hz(rr, freq_hz)
    # zero shift: where the range rate turns from negative to positive
    same = owner[1:] == owner[:-1]
    turn = np.flatnonzero(same & (rr[:-1] < 0.0) & (rr[1:] >= 0.0))
    t_zero = np.full(P, np.nan)
    if len(turn):
        roots = search.bracketed_root(
            rate, ts[turn], ts[turn + 1], idx[turn], tol=RADIO_TOL_S,
            f_lo=rr[turn], f_hi=rr[turn + 1],
        )
        t_zero[owner[turn]] = roots
    seen = [0] * len(obs)
    for p in range(P):
        a, b = offsets[p], offsets[p + 1]
        s = shift[a:b]
        k = int(np.argmax(np.abs(s)))
        dt = np.diff(ts[a:b])
        rates = np.diff(s)[dt > 0] / dt[dt > 0]
        n = int(table.observer[p])
        base = passes[n][seen[n]]
        seen[n] += 1
        out[n].append(
            RadioPass(
                base.rise, base.culmination, base.set, float(end[p] - start[p]),
                eph.window.instant(t_zero[p]) if np.isfinite(t_zero[p]) else None,
                float(s[0]), float(s[-1]), float(s[k]),
                float(rates[np.argmax(np.abs(rates))]) if len(rates) else 0.0,
                eph.window, ts[a:b].copy(), s.copy(), el[a:b].copy(), rr[a:b].copy(), n,
            )
        )
    return out
