"""Vectorised refinement of crossings and maxima of sampled functions.

Knows nothing of satellites: a function is ``f(t, idx) -> values`` evaluated for many
independent series at once (``idx`` says which series each time belongs to). Every
search below works on M brackets together, so one numpy call advances all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["Function", "bracketed_root", "golden_maximum", "golden_minimum", "runs",
           "sampled_maxima"]

FloatArray = NDArray[np.float64]
Function = Callable[[FloatArray, NDArray[Any]], FloatArray]
_INV_PHI = (np.sqrt(5.0) - 1.0) / 2.0


def sampled_maxima(values: FloatArray) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """(series, sample) indices of the local maxima of ``values`` ``(N, T)``, edges included.

    An interior sample is a maximum when it is above its left neighbour and not below its
    right one; the first sample when it is above the second (the maximum lies at or just
    after the start), the last when it is above the one before it. NaN is never a maximum.
    """
    v = values
    interior = np.zeros(v.shape, dtype=bool)
    interior[:, 1:-1] = (v[:, 1:-1] > v[:, :-2]) & (v[:, 1:-1] >= v[:, 2:])
    interior[:, 0] = v[:, 0] > v[:, 1]
    interior[:, -1] = v[:, -1] > v[:, -2]
    series, sample = np.nonzero(interior)
    return series, sample


def golden_maximum(
    f: Function, lo: FloatArray, hi: FloatArray, idx: NDArray[Any], *, tol: float
) -> tuple[FloatArray, FloatArray]:
    """Maximise unimodal ``f`` on each bracket ``[lo, hi]`` to ``tol``: (argmax, max).

    The end points are candidates too, so a function still rising at the bracket's end
    returns that end.
    """
    a, b = np.array(lo, dtype=float), np.array(hi, dtype=float)
    c = b - _INV_PHI * (b - a)
    d = a + _INV_PHI * (b - a)
    fc, fd = f(c, idx), f(d, idx)
    widest = max(float(np.max(b - a, initial=0.0)), tol)
    iterations = int(np.ceil(np.log(widest / tol) / -np.log(_INV_PHI)))
    for _ in range(iterations):
        left = fc >= fd  # maximum in [a, d]
        b = np.where(left, d, b)
        a = np.where(left, a, c)
        d_new = np.where(left, c, a + _INV_PHI * (b - a))
        c_new = np.where(left, b - _INV_PHI * (b - a), d)
        fd_new = np.where(left, fc, np.nan)
        fc_new = np.where(left, np.nan, fd)
        need_c = left
        need_d = ~left
        if need_c.any():
            fc_new[need_c] = f(c_new[need_c], idx[need_c])
        if need_d.any():
            fd_new[need_d] = f(d_new[need_d], idx[need_d])
        c, d, fc, fd = c_new, d_new, fc_new, fd_new
    t = (a + b) / 2.0
    ft = f(t, idx)
    # compare with the original end points
    f_lo, f_hi = f(np.asarray(lo, float), idx), f(np.asarray(hi, float), idx)
    best_t = np.where(f_lo > ft, lo, t)
    best_f = np.fmax(f_lo, ft)
    best_t = np.where(f_hi > best_f, hi, best_t)
    best_f = np.fmax(f_hi, best_f)
    return best_t, best_f


def golden_minimum(
    f: Function, lo: FloatArray, hi: FloatArray, idx: NDArray[Any], *, tol: float
) -> tuple[FloatArray, FloatArray]:
    """Minimise unimodal ``f`` on each bracket: (argmin, min); see :func:`golden_maximum`."""
    t, neg = golden_maximum(lambda x, i: -f(x, i), lo, hi, idx, tol=tol)
    return t, -neg


def bracketed_root(
    f: Function,
    lo: FloatArray,
    hi: FloatArray,
    idx: NDArray[Any],
    *,
    tol: float,
    f_lo: FloatArray | None = None,
    f_hi: FloatArray | None = None,
    max_iter: int = 80,
) -> FloatArray:
    """Root of ``f`` in each ``[lo, hi]`` where ``f(lo)`` and ``f(hi)`` differ in sign.

    Illinois (modified regula falsi: superlinear, never leaves the bracket), with a
    bisection step whenever a bracket has not halved in three steps. A root is done when
    its bracket is narrower than ``tol`` (or the function is exactly zero).
    Only the unfinished brackets are evaluated at each step. Brackets without a sign
    change return NaN.
    """
    a = np.array(lo, dtype=float)
    b = np.array(hi, dtype=float)
    fa = f(a, idx) if f_lo is None else np.array(f_lo, dtype=float)
    fb = f(b, idx) if f_hi is None else np.array(f_hi, dtype=float)
    out = np.full(a.shape, np.nan)
    good = np.sign(fa) * np.sign(fb) <= 0  # NaN compares False: no root
    out[good & (fa == 0)] = a[good & (fa == 0)]
    out[good & (fb == 0) & (fa != 0)] = b[good & (fb == 0) & (fa != 0)]
    live = np.flatnonzero(good & (fa != 0) & (fb != 0))
    a, b, fa, fb, ii = a[live], b[live], fa[live], fb[live], idx[live]
    side = np.zeros(len(live), dtype=np.int8)
    width = b - a
    slow = np.zeros(len(live), dtype=np.int8)
    for _ in range(max_iter):
        if not len(live):
            break
        x = (a * fb - b * fa) / (fb - fa)
        bisect = ~np.isfinite(x) | (x <= a) | (x >= b) | (slow >= 3)
        x = np.where(bisect, (a + b) / 2.0, x)
        slow = np.where(bisect, 0, slow)
        fx = f(x, ii)
        same_as_a = np.sign(fx) == np.sign(fa)
        move_a = same_as_a
        move_b = ~same_as_a
        # Illinois: halve the retained end's value when the same end is kept twice
        fb = np.where(move_a & (side == -1), fb / 2.0, fb)
        fa = np.where(move_b & (side == 1), fa / 2.0, fa)
        a = np.where(move_a, x, a)
        fa = np.where(move_a, fx, fa)
        b = np.where(move_b, x, b)
        fb = np.where(move_b, fx, fb)
        side = np.where(move_a, -1, 1).astype(np.int8)
        new_width = b - a
        slow = np.where(new_width > 0.5 * width, slow + 1, 0).astype(np.int8)
        width = new_width
        # only a bracket narrower than tol proves the root (a small step does not: the
        # steps can creep along while the far end of the bracket stays put)
        done = (fx == 0) | (new_width <= tol)
        if done.any():
            out[live[done]] = np.where(fx[done] == 0, x[done], _final(a, b, fa, fb)[done])
            keep = ~done
            live, a, b, fa, fb, ii = live[keep], a[keep], b[keep], fa[keep], fb[keep], ii[keep]
            side, width, slow = side[keep], width[keep], slow[keep]
    if len(live):  # max_iter reached: the best estimate inside what is left
        out[live] = _final(a, b, fa, fb)
    return out


def _final(a: FloatArray, b: FloatArray, fa: FloatArray, fb: FloatArray) -> FloatArray:
    """The answer inside a bracket narrower than tol: the secant point (for a smooth
    function far closer to the root than the middle), the middle if that fails."""
    with np.errstate(divide="ignore", invalid="ignore"):
        x = (a * fb - b * fa) / (fb - fa)
    ok = np.isfinite(x) & (x >= a) & (x <= b)
    mid: FloatArray = np.where(ok, x, (a + b) / 2.0)
    return mid


def runs(mask: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """Half-open ``(start, stop)`` index ranges where a 1-d boolean mask is True."""
    edges = np.flatnonzero(np.diff(np.r_[0, mask.astype(np.int8), 0]))
    return list(zip(edges[0::2].tolist(), edges[1::2].tolist(), strict=True))
