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

__all__ = ["Function", "Sloped", "bracketed_root", "golden_maximum", "golden_minimum",
           "hermite_root", "hermite_turn", "highest_per_key", "newton_root", "runs",
           "sampled_maxima", "weighted_chunks"]

FloatArray = NDArray[np.float64]
Function = Callable[[FloatArray, NDArray[Any]], FloatArray]
Sloped = Callable[[FloatArray, NDArray[Any]], tuple[FloatArray, FloatArray]]  # f and f'
_INV_PHI = (np.sqrt(5.0) - 1.0) / 2.0
_PUSH = 0.4  # of tol: see bracketed_root


def highest_per_key(values: FloatArray, *keys: NDArray[Any]) -> NDArray[np.intp]:
    """Positions of the highest of ``values`` among the rows sharing the same ``keys``
    (integer columns), the first of equals; in the keys' order.

    Rows that already come in the keys' order (the usual case) cost one pass over them,
    and only the keys held by several rows are sorted; others are sorted whole.

    >>> highest_per_key(np.array([1.0, 3.0, 2.0, 5.0]), np.array([0, 0, 0, 1]))
    array([1, 3])
    """
    if len(values) < 2:
        return np.arange(len(values))
    lead = np.ones(len(values) - 1, dtype=bool)  # the earlier keys are equal so far
    after = np.zeros(len(values) - 1, dtype=bool)  # the row comes after the one before
    for k in keys:
        after |= lead & (k[1:] > k[:-1])
        lead &= k[1:] == k[:-1]
    if not np.all(after | lead):
        order = np.lexsort((-values, *reversed(keys)))
        return order[highest_per_key(values[order], *(k[order] for k in keys))]
    if not lead.any():
        return np.arange(len(values))
    new = np.r_[True, ~lead]
    group = np.cumsum(new) - 1
    size = np.bincount(group)
    shared = np.flatnonzero(size[group] > 1)
    best = shared[np.lexsort((-values[shared], group[shared]))]
    first = np.r_[True, group[best][1:] != group[best][:-1]]
    keep = new.copy()
    keep[shared] = False
    keep[best[first]] = True
    return np.flatnonzero(keep)


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
    guess: FloatArray | None = None,
    max_iter: int = 80,
) -> FloatArray:
    """Root of ``f`` in each ``[lo, hi]`` where ``f(lo)`` and ``f(hi)`` differ in sign.

    Each step takes the secant through the last two points evaluated where it falls
    inside the bracket (order 1.6 near a simple root), Illinois (modified regula falsi)
    where it does not, and bisection whenever a bracket has not halved in three steps;
    the point is then pushed 0.4 ``tol`` past the estimate (see below). A root is done
    when its bracket is narrower than ``tol`` (or the function is exactly zero).
    ``guess``, where given and inside the bracket, is the first point evaluated.
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
    first = None if guess is None else np.asarray(guess, dtype=float)[live]
    side = np.zeros(len(live), dtype=np.int8)
    width = b - a
    slow = np.zeros(len(live), dtype=np.int8)
    xp, fp, xl, fl = a.copy(), fa.copy(), b.copy(), fb.copy()  # the last two points
    for _ in range(max_iter):
        if not len(live):
            break
        with np.errstate(divide="ignore", invalid="ignore"):
            secant = xl - fl * (xl - xp) / (fl - fp)
        x = np.where(np.isfinite(secant) & (secant > a) & (secant < b), secant,
                     (a * fb - b * fa) / (fb - fa))
        if first is not None:
            x = np.where(np.isfinite(first) & (first > a) & (first < b), first, x)
            first = None
        bisect = ~np.isfinite(x) | (x <= a) | (x >= b) | (slow >= 3)
        x = np.where(bisect, (a + b) / 2.0, x)
        slow = np.where(bisect, 0, slow)
        # Step a little past the estimate, away from the end that moved last: once the
        # estimate is within 0.4 tol of the root, this lands on the root's other side and
        # the bracket closes to under tol at once, instead of creeping up on one side.
        x = x - side * (_PUSH * tol)  # side: -1 when a moved last, +1 when b did, 0 first
        x = np.minimum(np.maximum(x, a + 0.25 * tol), b - 0.25 * tol)
        fx = f(x, ii)
        xp, fp, xl, fl = xl, fl, x, fx
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
            xp, fp, xl, fl = xp[keep], fp[keep], xl[keep], fl[keep]
    if len(live):  # max_iter reached: the best estimate inside what is left
        out[live] = _final(a, b, fa, fb)
    return out


def newton_root(fd: Sloped, x0: FloatArray, lo: FloatArray, hi: FloatArray,
                idx: NDArray[Any], *, tol: float, max_steps: int = 3
                ) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Newton steps from ``x0`` towards a root of ``f`` in each ``[lo, hi]``: (x, done).

    ``fd(x, idx)`` gives ``f`` and its derivative. A root is done when a step shorter than
    ``tol / 10`` lands inside its bracket: near a simple root Newton's error after a step
    is about ``f''/(2 f') dx^2``, so the answer is then within a small fraction of ``tol``
    of the root (far closer than the bracket search's ``tol``). A step that leaves the
    bracket, a flat or non-finite derivative, or ``max_steps`` used up leave the root not
    done (``x`` is then the last point inside the bracket): hand those to
    :func:`bracketed_root`. Only the unfinished roots are evaluated at each step.

    >>> f = lambda x, i: (x * x - 2.0, 2.0 * x)
    >>> x, done = newton_root(f, np.array([1.5]), np.array([1.0]), np.array([2.0]),
    ...                       np.array([0]), tol=1e-4)
    >>> round(float(x[0]), 9), bool(done[0])
    (1.414213562, True)
    """
    x = np.array(x0, dtype=float)
    done = np.zeros(x.shape, dtype=bool)
    live = np.flatnonzero(np.isfinite(x) & (x >= lo) & (x <= hi))
    for _ in range(max_steps):
        if not len(live):
            break
        xl = x[live]
        f, d = fd(xl, idx[live])
        with np.errstate(divide="ignore", invalid="ignore"):
            step = -f / d
        nxt = xl + step
        inside = np.isfinite(nxt) & (nxt >= lo[live]) & (nxt <= hi[live])
        x[live[inside]] = nxt[inside]
        small = inside & (np.abs(step) <= 0.1 * tol)
        done[live[small]] = True
        live = live[inside & ~small]
    return x, done


def hermite_root(lo: FloatArray, hi: FloatArray, f_lo: FloatArray, f_hi: FloatArray,
                 d_lo: FloatArray, d_hi: FloatArray) -> FloatArray:
    """Where the cubic Hermite interpolant of values ``f`` and derivatives ``d`` at both
    ends of ``[lo, hi]`` crosses zero, for ends of opposite signs: four Newton steps on the
    cubic from the chord's root, kept inside the bracket. A first estimate of a crossing
    from what the ends already tell (NaN where the ends do not differ in sign).

    >>> x = hermite_root(np.array([0.0]), np.array([2.0]), np.array([-1.0]),
    ...                  np.array([3.0]), np.array([0.0]), np.array([4.0]))  # x^2 - 1
    >>> round(float(x[0]), 6)
    1.0
    """
    h = hi - lo
    m0, m1 = h * d_lo, h * d_hi
    c2 = 3.0 * (f_hi - f_lo) - 2.0 * m0 - m1
    c3 = 2.0 * (f_lo - f_hi) + m0 + m1
    with np.errstate(divide="ignore", invalid="ignore"):
        u = np.clip(f_lo / (f_lo - f_hi), 0.0, 1.0)
        for _ in range(4):
            p = ((c3 * u + c2) * u + m0) * u + f_lo
            dp = (3.0 * c3 * u + 2.0 * c2) * u + m0
            u = np.clip(u - p / dp, 0.0, 1.0)
    out: FloatArray = np.where(np.sign(f_lo) * np.sign(f_hi) <= 0, lo + u * h, np.nan)
    return out


def hermite_turn(lo: FloatArray, hi: FloatArray, f_lo: FloatArray, f_hi: FloatArray,
                 d_lo: FloatArray, d_hi: FloatArray) -> FloatArray:
    """Where the cubic Hermite interpolant of values ``f`` and derivatives ``d`` at both
    ends of ``[lo, hi]`` turns (its derivative's root inside), NaN where it has none: a
    first estimate of a maximum or minimum from what the ends already tell.

    >>> float(hermite_turn(np.array([0.0]), np.array([2.0]), np.array([0.0]),
    ...                    np.array([0.0]), np.array([1.0]), np.array([-1.0]))[0])
    1.0
    """
    h = hi - lo
    m0, m1 = h * d_lo, h * d_hi
    # d/du of the interpolant on u in [0, 1]: A u^2 + B u + C
    A = 6.0 * (f_lo - f_hi) + 3.0 * (m0 + m1)
    B = 6.0 * (f_hi - f_lo) - 4.0 * m0 - 2.0 * m1
    C = m0
    with np.errstate(divide="ignore", invalid="ignore"):
        disc = np.sqrt(B * B - 4.0 * A * C)
        q = -0.5 * (B + np.copysign(disc, B))
        u1, u2 = q / A, C / q
    u = np.where((u1 >= 0.0) & (u1 <= 1.0), u1, u2)
    u = np.where((u >= 0.0) & (u <= 1.0), u, np.nan)
    out: FloatArray = lo + u * h
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


def weighted_chunks(weights: NDArray[Any], limit: float) -> list[tuple[int, int]]:
    """Half-open ``(start, stop)`` ranges of consecutive items, each as long as its
    ``weights`` sum to at most ``limit`` (greedily, in order), but never empty: an item
    heavier than ``limit`` is a chunk of its own. Work in bounded pieces.

    >>> weighted_chunks(np.array([3, 3, 5, 1, 1]), 6)
    [(0, 2), (2, 4), (4, 5)]
    """
    cum = np.cumsum(weights)
    out = []
    first = 0
    while first < len(cum):
        before = cum[first - 1] if first else 0
        last = max(int(np.searchsorted(cum, before + limit, side="right")), first + 1)
        out.append((first, last))
        first = last
    return out
