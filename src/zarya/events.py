"""Vectorised refinement of crossings and maxima of sampled functions.

Knows nothing of satellites: a function is ``f(t, idx) -> values`` evaluated for many
independent series at once (``idx`` says which series each time belongs to). Every
search below works on M brackets together, so one numpy call advances all of them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Function = Callable[[np.ndarray, np.ndarray], np.ndarray]
_INV_PHI = (np.sqrt(5.0) - 1.0) / 2.0


def sampled_maxima(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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
    return np.nonzero(interior)


def golden_maximum(
    f: Function, lo: np.ndarray, hi: np.ndarray, idx: np.ndarray, *, tol: float
) -> tuple[np.ndarray, np.ndarray]:
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


def bracketed_root(
    f: Function,
    lo: np.ndarray,
    hi: np.ndarray,
    idx: np.ndarray,
    *,
    tol: float,
    f_lo: np.ndarray | None = None,
    f_hi: np.ndarray | None = None,
    max_iter: int = 60,
) -> np.ndarray:
    """Root of ``f`` in each ``[lo, hi]`` where ``f(lo)`` and ``f(hi)`` differ in sign.

    Illinois (modified regula falsi), with a bisection step whenever a bracket fails to
    halve; stops when every bracket is narrower than ``tol``. Brackets without a sign
    change return NaN.
    """
    a, b = np.array(lo, dtype=float), np.array(hi, dtype=float)
    fa = f(a, idx) if f_lo is None else np.array(f_lo, dtype=float)
    fb = f(b, idx) if f_hi is None else np.array(f_hi, dtype=float)
    good = np.sign(fa) * np.sign(fb) <= 0
    exact_a = fa == 0
    exact_b = fb == 0
    side = np.zeros(a.shape, dtype=np.int8)
    width = b - a
    for _ in range(max_iter):
        active = good & ((b - a) > tol) & ~exact_a & ~exact_b
        if not active.any():
            break
        x = np.where(active, (a * fb - b * fa) / np.where(fb != fa, fb - fa, 1.0), a)
        # fall back to bisection when the secant stalls or leaves the bracket
        stalled = ~np.isfinite(x) | (x <= a) | (x >= b) | ((b - a) > 0.5 * width)
        x = np.where(stalled, (a + b) / 2.0, x)
        width = np.where(active, b - a, width)
        fx = np.zeros_like(x)
        fx[active] = f(x[active], idx[active])
        same_as_a = np.sign(fx) == np.sign(fa)
        # Illinois: halve the retained end's value when the same end is kept twice
        move_a = active & same_as_a
        move_b = active & ~same_as_a
        fb = np.where(move_a & (side == -1), fb / 2.0, fb)
        fa = np.where(move_b & (side == 1), fa / 2.0, fa)
        a = np.where(move_a, x, a)
        fa = np.where(move_a, fx, fa)
        b = np.where(move_b, x, b)
        fb = np.where(move_b, fx, fb)
        side = np.where(move_a, -1, np.where(move_b, 1, side)).astype(np.int8)
        exact_a |= active & (fx == 0)
    root = np.where(exact_a, a, np.where(exact_b, b, (a + b) / 2.0))
    return np.where(good, root, np.nan)


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Half-open ``(start, stop)`` index ranges where a 1-d boolean mask is True."""
    edges = np.flatnonzero(np.diff(np.r_[0, mask.astype(np.int8), 0]))
    return list(zip(edges[0::2].tolist(), edges[1::2].tolist(), strict=True))
