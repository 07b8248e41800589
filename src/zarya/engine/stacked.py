"""Many satellites as one ephemeris: the pass search over a catalogue in one run.

:class:`StackedEphemeris` lays stretches of many satellites' grids end to end on one
virtual timeline with a common step: block ``b`` holds satellite ``sat[b]`` from real grid
index ``k0[b]`` for ``count[b]`` grid points, at virtual grid indices ``g0[b]`` onwards, and
one grid point marked failed (error :data:`SEPARATOR`, NaN states) follows each block, so
no interpolation, root search or pass reaches from one block into the next: to the
search a block's ends are a window's edges. Everything the single-satellite
:class:`~zarya.engine.ephemeris.Ephemeris` offers (Hermite states, the Sun, validity)
works on the virtual timeline unchanged; :meth:`StackedEphemeris.real` maps virtual times
back to (satellite, seconds from the real window's start).

Each satellite must be served by one source over its blocks (no switch of element set
inside them, so no Hermite piece is cut); :func:`single_source` says which are.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from .ephemeris import Ephemeris
from .frames import gmst82_rad, rotate_z, teme_to_itrs
from .satellite import Satellite
from .sun import sun_teme_interpolated
from .timescale import Window

__all__ = ["SEPARATOR", "StackedEphemeris", "single_source"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

SEPARATOR = 99  # the error code of the grid point that closes each block


def single_source(sat: Satellite, window: Window) -> bool:
    """Whether one source serves ``sat`` over the whole window (no switch inside)."""
    if sat.n_sources == 1:
        return True
    jd = window.jd(np.array([0.0, window.span_s]))
    return not len(sat.switches(float(sum(j[0] for j in jd)), float(sum(j[1] for j in jd))))


class StackedEphemeris(Ephemeris):
    """Blocks of many satellites' grids on one virtual timeline (see the module docstring).

    Attributes beyond :class:`Ephemeris`'s: ``sats`` (the satellites), ``block_sat``,
    ``block_k0``, ``block_g0``, ``block_count`` (per block), ``point_sat`` (the satellite
    of each virtual grid point), ``real_window`` (the window the blocks' real times belong
    to). ``window`` is the virtual one.
    """

    sats: list[Satellite]
    block_sat: IntArray
    block_k0: IntArray
    block_g0: IntArray
    block_count: IntArray
    point_sat: IntArray
    real_window: Window
    _std: FloatArray

    coefficients_ahead = False  # a search looks at a few of a stack's many intervals

    def __init__(self, sats: Sequence[Satellite], window: Window, step_s: float,
                 blocks: Sequence[tuple[int, int, int]] | NDArray[np.int64] | None = None, *,
                 dut1_s: float = 0.0) -> None:
        """``blocks``: (satellite index, first real grid index, number of grid points) in
        any order (tuples or the rows of an array); None for one block per satellite over
        the whole window. The real grid is ``window.grid(step_s)``."""
        real_t = window.grid(step_s)
        T = len(real_t)
        if blocks is None:
            blocks = [(s, 0, T) for s in range(len(sats))]
        b = np.asarray(blocks, dtype=np.int64).reshape(-1, 3)
        b = b[np.lexsort((b[:, 2], b[:, 1], b[:, 0]))]  # by satellite, then time
        self.sats = list(sats)
        self.real_window = window
        self.block_sat, self.block_k0, self.block_count = b[:, 0], b[:, 1], b[:, 2]
        self.block_g0 = np.concatenate(([0], np.cumsum(self.block_count + 1)[:-1]))
        G = int(np.sum(self.block_count + 1))
        step = float(real_t[1] - real_t[0]) if T > 1 else float(step_s)
        self.satellite = self.sats[0] if self.sats else None  # type: ignore[assignment]
        self.window = Window(window.start, max(G - 1, 1) * step)
        self.dut1_s = dut1_s
        self.t_s = np.arange(G, dtype=float) * step
        self.step_s = step
        # the real grid point of every virtual one (a separator takes its block's last)
        which = np.repeat(np.arange(len(b)), self.block_count + 1)
        k = np.minimum(np.arange(G) - self.block_g0[which], self.block_count[which] - 1)
        real_k = np.clip(self.block_k0[which] + k, 0, T - 1)
        t_real = real_t[real_k]
        jd1, jd2 = window.jd(t_real)
        self.r_km = np.full((G, 3), np.nan)
        self.v_km_s = np.full((G, 3), np.nan)
        self.error = np.full(G, SEPARATOR, dtype=np.uint8)
        self.point_sat = self.block_sat[which]
        self._propagate(jd1, jd2, which)
        # the Earth's turn and the Sun on the real grid, each point taking its own
        real_jd1, real_jd2 = window.jd(real_t)
        gmst = gmst82_rad(real_jd1, real_jd2, dut1_s)
        cos_g, sin_g = np.cos(gmst), np.sin(gmst)
        self.gmst_rad = gmst[real_k]
        self.r_km, self.v_km_s = teme_to_itrs(self.r_km, self.v_km_s, self.gmst_rad,
                                              cos_sin=(cos_g[real_k], sin_g[real_k]))
        sun = sun_teme_interpolated(real_t, window.base_jd)
        self._sun_teme = sun[real_k]
        self.sun_km = rotate_z(sun, gmst, cos_sin=(cos_g, sin_g))[real_k]
        self.ok = self.error == 0
        self._all_ok = bool(self.ok.all())
        self._coef = None
        self._sun_columns = None
        self._grid_columns = None
        self._max_ground_speed = None
        self._pieces = None
        std = [s.std_magnitude for s in self.sats]
        self._std = np.array([np.nan if m is None else m for m in std], dtype=float)

    def _propagate(self, jd1: FloatArray, jd2: FloatArray, which: IntArray) -> None:
        """sgp4 for every block: a one-set satellite's blocks (consecutive, with their
        separators) in one call writing into the stack's arrays, the others through
        :meth:`Satellite.teme`; separators and failures then NaN."""
        G = len(jd1)
        first = np.flatnonzero(np.r_[True, np.diff(self.block_sat) != 0])
        last = np.r_[first[1:], len(self.block_sat)] - 1
        ends = (self.block_g0[last] + self.block_count[last]).tolist()  # the last separator
        for b0, end in zip(first.tolist(), ends, strict=True):
            sat = self.sats[int(self.block_sat[b0])]
            g0 = int(self.block_g0[b0])
            if len(sat.elements) == 1 and not sat.trajectories:
                sat.propagate_into(jd1[g0:end], jd2[g0:end], self.error[g0:end],
                                   self.r_km[g0:end], self.v_km_s[g0:end])
                continue
            at = np.flatnonzero(np.arange(g0, end) - self.block_g0[which[g0:end]]
                                < self.block_count[which[g0:end]]) + g0
            self.r_km[at], self.v_km_s[at], self.error[at] = sat.teme(jd1[at], jd2[at])
        separators = self.block_g0 + self.block_count
        self.error[separators[separators < G]] = SEPARATOR
        bad = self.error != 0
        self.r_km[bad] = np.nan
        self.v_km_s[bad] = np.nan

    # ---------------------------------------------------------------- mapping
    def block_of(self, t_s: FloatArray) -> IntArray:
        """The block each virtual time falls in."""
        g0_t = self.block_g0 * self.step_s
        out: IntArray = np.clip(np.searchsorted(g0_t, np.asarray(t_s, dtype=float),
                                                side="right") - 1, 0, len(g0_t) - 1)
        return out

    def offset_s(self, block: IntArray) -> FloatArray:
        """Real minus virtual time in each block (seconds)."""
        steps = (self.block_k0[block] - self.block_g0[block]).astype(np.float64)
        out: FloatArray = steps * self.step_s
        return out

    def real(self, t_s: FloatArray) -> tuple[IntArray, FloatArray]:
        """(satellite index, seconds from the real window's start) of virtual times."""
        block = self.block_of(t_s)
        return self.block_sat[block], np.asarray(t_s, dtype=float) + self.offset_s(block)

    # ------------------------------------------------------------- brightness
    @property
    def has_std_magnitude(self) -> bool:
        """Whether every satellite's standard magnitude is known."""
        return bool(len(self._std)) and bool(np.isfinite(self._std).all())

    def std_magnitude_at(self, t_s: FloatArray) -> FloatArray | float | None:
        """The standard magnitude of the satellite each virtual time belongs to (NaN for
        one without)."""
        out: FloatArray = self._std[self.block_sat[self.block_of(t_s)]]
        return out
