"""Every pass of many satellites over a few places, in one search.

Object by object, the pass search pays its set-up (a 60 s ephemeris of the whole window,
its Sun, its tables) for every satellite, and most of a low satellite's day is spent far
from any one place. Here:

1. a coarse screen (:mod:`.screen`): for each coarse step, whether the satellite can come
   within reach of any of the places during it;
2. only those stretches, widened by a grid step on each side, are propagated on the fine grid (the
   single-satellite step rule for low orbits: 60 s, or 1/90 of the shortest period; for
   high ones the longer step of :func:`grid_step_s`) and laid end to end
   in a :class:`~zarya.engine.stacked.StackedEphemeris`, a few hundred thousand grid
   points at a time, satellites sorted by altitude so that each stack's footprints are
   alike;
3. the single-satellite pass search runs once per stack (:func:`find_pass_table`: the
   same maxima, roots, light conditions and tolerances), and its passes are mapped back
   to their satellites and real times.

A stretch left out by the screen holds no time above the threshold, so the passes are the
ones the object-by-object search finds (tests/test_overhead.py checks them against
Skyfield); an sgp4 failure flags its coarse steps, so a decaying object's passes run up
to the failure, as alone. With more than :data:`SCREEN_MAX_PLACES` places the screen is
skipped (every step is near one of them) and whole windows are stacked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..engine import search
from ..engine.ephemeris import Ephemeris, default_step_s
from ..engine.look import Observers
from ..engine.satellite import Satellite
from ..engine.stacked import SEPARATOR, StackedEphemeris, single_source
from ..engine.timescale import Window
from .pass_table import PassOptions, PassTable
from .passes import find_pass_table
from .screen import EARTH_RATE_RAD_S, HIGH_PERIOD_S, screen_blocks

__all__ = ["HIGH_STEP_MAX_S", "SCREEN_MAX_PLACES", "STACK_POINTS", "ManyPasses",
           "find_many_pass_tables", "grid_step_s"]

SCREEN_MAX_PLACES = 16
STACK_POINTS = 400_000  # virtual grid points per stack (about 80 MB of states and tables)
# a low orbit's fastest Earth-fixed angular rate (rad/s): 7.9 km/s at 6,560 km, plus the
# Earth's; 60 s of it is the angle a grid step spans at most (0.075 rad)
_LOW_RATE_RAD_S = 7.9 / 6560.0 + EARTH_RATE_RAD_S
HIGH_STEP_MAX_S = 240.0  # the Sun, interpolated linearly, is then within 8 arcseconds


@dataclass
class ManyPasses:
    """The passes of many satellites: ``table`` (times in the real window, sorted by
    satellite, observer and time), ``owner`` (the satellite, an index into the list given,
    of each pass), and per satellite ``codes`` (the sgp4 error codes met, empty when it
    never failed) and ``propagated`` (False when it failed everywhere it was looked at)."""

    table: PassTable
    owner: NDArray[np.int64]
    codes: list[NDArray[np.uint8]]
    propagated: NDArray[np.bool_]


def find_many_pass_tables(
    sats: Sequence[Satellite], observers: Observers, window: Window,
    options: PassOptions | None = None, *, screen: bool = True,
    progress: Callable[[int, int], None] | None = None, visible_only: bool = False,
) -> ManyPasses:
    """Passes of every satellite over ``observers``. Those served by one source over the
    window (:func:`~zarya.engine.stacked.single_source`: a catalogue's, always) are
    screened and stacked; the others (a switch of element set inside the window needs the
    cut Hermite pieces of a single ephemeris) are searched one by one.
    ``progress(done, total)`` in satellites, after each stack. ``visible_only``: passes
    in daylight throughout are dropped early (see
    :func:`~zarya.domain.passes.find_pass_table`)."""
    options = options or PassOptions()
    if not sats:
        return ManyPasses(PassTable.empty(window, 0), np.zeros(0, dtype=np.int64), [],
                          np.zeros(0, dtype=bool))
    # sgp4's decay scans only where its drag model allows a decay (most sets: none)
    Satellite.rule_out_decay(sats, float(sum(window.base_jd)) + window.span_s / 86400.0)
    tables: list[PassTable] = []
    owners: list[NDArray[np.int64]] = []
    codes: list[list[NDArray[np.uint8]]] = [[] for _ in sats]
    looked = np.zeros(len(sats), dtype=bool)
    propagated = np.zeros(len(sats), dtype=bool)
    together = [i for i, s in enumerate(sats) if single_source(s, window)]
    for i in sorted(set(range(len(sats))) - set(together)):
        eph = Ephemeris(sats[i], window)
        looked[i], propagated[i] = True, bool(eph.ok.any())
        if (eph.error != 0).any():
            codes[i].append(eph.error[eph.error != 0])
        if propagated[i]:
            tables.append(find_pass_table(eph, observers, options,
                                          visible_only=visible_only))
            owners.append(np.full(len(tables[-1]), i, dtype=np.int64))
    stacks: list[tuple[float, NDArray[np.int64]]] = []
    for step, group in _by_step(sats, together):
        T = len(window.grid(step))
        if screen and len(observers) <= SCREEN_MAX_PLACES:
            # refraction lifts what is seen by under 0.6 degree at the horizon: screen lower
            lowest = options.min_elevation_deg - (1.0 if options.refraction else 0.0)
            blocks = screen_blocks([sats[i] for i in group], observers, window, step, lowest)
            blocks[:, 0] = np.asarray(group, dtype=np.int64)[blocks[:, 0]]
        else:
            blocks = np.array([(s, 0, T) for s in group], dtype=np.int64).reshape(-1, 3)
        stacks += [(step, stack) for stack in _stacks(sats, blocks)]
    total = sum(int(stack[:, 2].sum()) for _, stack in stacks)
    done = 0
    for step, stack in stacks:
        eph = StackedEphemeris(sats, window, step, stack)
        sat_of = eph.point_sat
        looked[sat_of] = True
        propagated[sat_of[eph.ok]] = True
        failed = (eph.error != 0) & (eph.error != SEPARATOR)
        for s in np.unique(sat_of[failed]):
            codes[int(s)].append(eph.error[failed & (sat_of == s)])
        if eph.ok.any():
            found = find_pass_table(eph, observers, options, visible_only=visible_only)
            table, owner = _to_real(eph, found, window)
            tables.append(table)
            owners.append(owner)
        done += int(stack[:, 2].sum())
        if progress is not None:
            progress(round(len(sats) * done / max(total, 1)), len(sats))
    table = PassTable.concat(window, tables)
    owner = np.concatenate(owners) if owners else np.zeros(0, dtype=np.int64)
    order = np.lexsort((table.t[:, 1], table.observer, owner))
    return ManyPasses(
        table.take(order), owner[order],
        [np.unique(np.concatenate(c)) if c else np.zeros(0, np.uint8) for c in codes],
        propagated | ~looked,  # one the screen never looked closer at did propagate
    )


def grid_step_s(sat: Satellite) -> float:
    """The catalogue search's grid step for ``sat``: the single-satellite rule
    (:func:`~zarya.engine.ephemeris.default_step_s`) for low orbits; for high ones (periods
    over :data:`HIGH_PERIOD_S`) a step through the same Earth-fixed angle as a low orbit's
    60 s (:data:`_LOW_RATE_RAD_S`), at the orbit's fastest (its perigee's angular rate
    plus the Earth's), as 60 x 2^j s up to :data:`HIGH_STEP_MAX_S`: the Hermite
    interpolant's error, which goes as the fourth power of that angle, stays a low orbit's
    (under a metre at 60 s; a few metres at geostationary distance and 240 s), and the
    Sun, interpolated linearly, stays within 8 arcseconds (half a second of twilight).

    >>> from zarya import load_satellite
    >>> grid_step_s(load_satellite())  # the ISS
    60.0
    """
    if sat.period_s <= HIGH_PERIOD_S or sat.trajectories or len(sat.elements) != 1:
        return default_step_s(sat)
    e = min(max(sat.elements[0].eccentricity, 0.0), 0.99)
    n = 2.0 * np.pi / sat.period_s
    fastest = n * np.sqrt((1.0 + e) / (1.0 - e) ** 3) + EARTH_RATE_RAD_S
    ratio = _LOW_RATE_RAD_S / fastest  # how many low-orbit steps one step may be
    j = int(np.clip(np.floor(np.log2(max(ratio, 1.0))), 0, np.log2(HIGH_STEP_MAX_S / 60.0)))
    return 60.0 * 2.0**j


def _by_step(sats: Sequence[Satellite], chosen: list[int]) -> list[tuple[float, list[int]]]:
    """The satellites ``chosen`` grouped by :func:`grid_step_s`, the shortest step first;
    the low orbits all in one group, at the shortest of their steps (a period under 90
    minutes asks for less than 60 s)."""
    groups: dict[float, list[int]] = {}
    low_steps = []
    for i in chosen:
        step = grid_step_s(sats[i])
        if sats[i].period_s <= HIGH_PERIOD_S:
            low_steps.append(step)
            step = -1.0
        groups.setdefault(step, []).append(i)
    low = groups.pop(-1.0, [])
    out = sorted(groups.items())
    if low:
        out.insert(0, (min(low_steps), low))
    return out


def _stacks(sats: Sequence[Satellite], blocks: NDArray[np.int64]
            ) -> Iterator[NDArray[np.int64]]:
    """The blocks (rows: satellite, k0, count) in stacks of about :data:`STACK_POINTS`
    grid points, satellites sorted by orbit size (alike footprints share a stack), those
    of known and of unknown brightness apart (the light rules differ), low and high orbits
    apart (a stack's footprint index is as wide as its highest object's: a high one would
    make a low stack dense)."""
    if not len(blocks):
        return
    met = np.flatnonzero(np.bincount(blocks[:, 0]))
    period = np.zeros(int(met[-1]) + 1)
    known = np.zeros(int(met[-1]) + 1, dtype=bool)
    period[met] = [sats[i].period_s for i in met.tolist()]
    known[met] = [sats[i].std_magnitude is not None for i in met.tolist()]
    size = period[blocks[:, 0]]
    kind = 2 * known[blocks[:, 0]] + (size > HIGH_PERIOD_S)
    order = np.lexsort((blocks[:, 2], blocks[:, 1], blocks[:, 0], size, kind))
    blocks, kind = blocks[order], kind[order]
    cuts = np.r_[0, np.flatnonzero(np.diff(kind)) + 1, len(blocks)]  # runs of one kind
    for a, b in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True):
        # grid points, separators included
        for c, d in search.weighted_chunks(blocks[a:b, 2] + 1, STACK_POINTS):
            yield blocks[a + c:a + d]


def _to_real(eph: StackedEphemeris, table: PassTable, window: Window
             ) -> tuple[PassTable, NDArray[np.int64]]:
    """The stack's passes in ``window``'s real times, and the satellite of each."""
    block = eph.block_of(table.t[:, 1])  # a culmination is never cut: always a time
    shift = eph.offset_s(block)
    table.t += shift[:, None]
    table.vis_t += shift[:, None]
    st = table.stretches
    if len(st):
        st.t += shift[st.row][:, None]
        st.brighten_t += shift[st.row][:, None]
        st.fade_t += shift[st.row][:, None]
    table.window = window
    return table, eph.block_sat[block]
