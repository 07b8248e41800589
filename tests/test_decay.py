"""The bound that spares sgp4's decay scans (zarya/engine/decay.py), on CelesTrak's active
catalogue (3 October 2025: 12,005 near-Earth sets).

- Its drag terms are sgp4init's: compared with python-sgp4's pure-Python port of Vallado's
  code (``sgp4.model.Satrec``, an implementation the bound does not use). Measured over all
  12,005 sets: 1.1e-13 relative at most (cc4), so the test holds 1e-11.
- It is sound: no set it clears reports decay (error 6) at any instant of a scan every 10
  minutes from the epoch. Measured over all 12,005 sets for 1, 3, 10 and 30 days: cleared
  12,005 / 12,002 / 11,923 / 11,746, scans finding decay in 0 / 0 / 16 / 135 sets, none
  cleared; the cleared set closest to the ground stays 1.2 km over the bound at 30 days.
  The test scans the 250 cleared sets of least slack and every set not cleared.
- It leaves the answer alone: :meth:`Satellite.decay_jd` finds the same first decay with
  the bound as a scan of every set does.
"""

from __future__ import annotations

import numpy as np
import pytest

from zarya.elements.files import read_elements_file
from zarya.engine.decay import MARGIN_EARTH_RADII, drag_terms, lowest_radius, surely_up
from zarya.engine.satellite import Satellite

from .conftest import shared_or_local

DAYS = 30.0
SCAN_MIN = 10.0  # Satellite.decay_jd's scan step


@pytest.fixture(scope="module")
def near_earth():
    sets = read_elements_file(shared_or_local("catalog/active_2025-10-03.tle.gz"))
    return [es for es in sets if es.satrec().method == "n"]


def _first_decay_scan(es, until_jd: float) -> float | None:
    """The first instant (JD) of a scan every 10 minutes from the epoch to ``until_jd`` at
    which sgp4 reports decay, the plain way."""
    epoch = es.epoch_jd_total
    grid = np.append(np.arange(epoch, until_jd, SCAN_MIN / 1440.0), until_jd)
    err, _, _ = es.satrec().sgp4_array(grid, np.zeros_like(grid))
    hits = np.flatnonzero(err == 6)
    return float(grid[hits[0]]) if len(hits) else None


def test_drag_terms_are_sgp4inits(near_earth):
    from sgp4.model import Satrec as PythonSatrec

    pick = np.random.default_rng(14).choice(len(near_earth), 1500, replace=False)
    sets = [near_earth[i] for i in pick]
    mine = drag_terms([es.satrec() for es in sets])
    for j, es in enumerate(sets):
        ref = PythonSatrec.twoline2rv(es.line1, es.line2)
        want = {"cc1": ref.cc1, "cc4": ref.cc4, "cc5": ref.cc5, "aycof": ref.aycof,
                "con41": ref.con41, "x1mth2": ref.x1mth2, "isimp": ref.isimp,
                "a0": (ref.xke / ref.no_unkozai) ** (2.0 / 3.0)}
        if not ref.isimp:  # sgp4init leaves them at 0 for perigees under 220 km
            want |= {"d2": ref.d2, "d3": ref.d3, "d4": ref.d4}
        for name, value in want.items():
            assert mine[name][j] == pytest.approx(value, rel=1e-11, abs=1e-300), (
                es.norad_id, name)


def test_the_bound_is_sound_where_it_is_tight(near_earth):
    recs = [es.satrec() for es in near_earth]
    low = lowest_radius(recs, np.full(len(recs), DAYS * 1440.0))
    clear = surely_up(recs, np.full(len(recs), DAYS * 1440.0))
    assert np.array_equal(clear, low >= 1.0 + MARGIN_EARTH_RADII)
    # most of the catalogue is cleared: 11,746 of 12,005 for 30 days (measured)
    assert clear.sum() > 0.95 * len(recs)
    closest = np.flatnonzero(clear)[np.argsort(low[clear])[:250]]
    for i in closest:
        es = near_earth[i]
        assert _first_decay_scan(es, es.epoch_jd_total + DAYS) is None, es.norad_id
    decaying = [i for i in np.flatnonzero(~clear)
                if _first_decay_scan(near_earth[i], near_earth[i].epoch_jd_total + DAYS)]
    # the catalogue holds sets sgp4 decays within the 30 days (135, measured), all uncleared
    assert len(decaying) > 50


def test_decay_jd_unchanged_by_the_bound(near_earth):
    recs = [es.satrec() for es in near_earth]
    unclear = np.flatnonzero(~surely_up(recs, np.full(len(recs), DAYS * 1440.0)))
    pick = np.r_[unclear, np.random.default_rng(3).choice(len(near_earth), 200, replace=False)]
    until = max(near_earth[i].epoch_jd_total for i in pick) + DAYS
    sats = [Satellite.from_elements([near_earth[i]]) for i in pick]
    many, alone = sats[::2], sats[1::2]
    Satellite.rule_out_decay(many, until)  # one bound for many; the others each their own
    found = [sat.decay_jd(0, until) for sat in many + alone]
    want = [_first_decay_scan(sat.elements[0], until) for sat in many + alone]
    assert sum(w is not None for w in want) > 50
    assert found == want


def test_a_stack_of_a_decaying_object_in_any_blocks(near_earth):
    """A stacked ephemeris (the catalogue search's) of an object sgp4 decays inside the
    window, its blocks given out of order and overlapping: every point has the state and
    the error code the object's own ephemeris has at that time (past the decay: 6, though
    sgp4 returns states again there), so no spurious state survives the decay."""
    from datetime import timedelta

    from zarya.engine.ephemeris import Ephemeris
    from zarya.engine.stacked import SEPARATOR, StackedEphemeris
    from zarya.engine.timescale import Window

    recs = [es.satrec() for es in near_earth]
    unclear = np.flatnonzero(~surely_up(recs, np.full(len(recs), 10 * 1440.0)))
    es, decay = next((near_earth[i], d) for i in unclear
                     if (d := _first_decay_scan(near_earth[i], near_earth[i].epoch_jd_total
                                                + 10)) is not None)
    start = es.epoch + timedelta(days=decay - es.epoch_jd_total - 0.5)
    window = Window(start, 2 * 86400.0)
    alone = Ephemeris(Satellite.from_elements([es]), window, step_s=60.0)
    T = len(alone.t_s)
    blocks = [(0, 100, 50), (0, 0, T), (0, 5, 3)]  # the last in time order: before the decay
    stack = StackedEphemeris([Satellite.from_elements([es])], window, 60.0, blocks)
    assert (alone.error == 6).sum() > T / 2 and (alone.error[alone.t_s > 0.6 * 86400] == 6).all()
    inside = stack.error != SEPARATOR
    _, real_t = stack.real(stack.t_s[inside])
    k = np.rint(real_t / 60.0).astype(int)
    np.testing.assert_array_equal(stack.error[inside], alone.error[k])
    np.testing.assert_allclose(stack.r_km[inside], alone.r_km[k], atol=1e-6, equal_nan=True)


def test_no_bound_for_a_set_sgp4_takes_as_deep_space():
    """sgp4 picks deep space by its un-Kozai'd period; a low prograde orbit 224.99 minutes
    long by the set's own (Kozai) mean motion is deep space to sgp4 (a SYNTHETIC set: the
    ISS's first line, a 10-degree orbit at 6.4003 rev/day): the near-Earth bound proves
    nothing there."""
    from zarya.elements.tle import parse_tle

    l1 = "1 25544U 98067A   25276.50000000  .00010000  00000-0  18000-3 0  9990"
    l2 = "2 25544  10.0000 100.0000 0005000  90.0000 270.0000  6.40030000    11"
    es = parse_tle(l1, l2)
    assert es.period_minutes < 225.0 and es.satrec().method == "d"
    assert lowest_radius([es.satrec()], np.array([1440.0]))[0] == 0.0
    assert not surely_up([es.satrec()], np.array([1440.0]))[0]
