"""History-aware element selection: nearest epoch, ties and manoeuvres, age limits."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from zarya import Satellite, StaleElementsError, Window, bundled_sets, parse_instant
from zarya.cli.app import sentence
from zarya.engine.satellite import MANOEUVRE_DROP_REV_PER_DAY


@pytest.fixture(scope="module")
def iss():
    return Satellite(list(bundled_sets()))


def _index(sat: Satellite, epoch_text: str) -> int:
    return next(i for i, e in enumerate(sat.elements) if e.line1[18:32] == epoch_text)


def test_nearest_epoch_wins(iss):
    i = _index(iss, "16086.49419020")
    a, b = iss.elements[i].epoch_jd_total, iss.elements[i + 1].epoch_jd_total
    assert not iss.manoeuvres()[i - 1 : i + 2].any()
    mid = (a + b) / 2
    picked = iss.select(np.array([a, mid - 1e-6, mid, mid + 1e-6, b]))
    assert list(picked) == [i, i, i + 1, i + 1, i + 1]  # a tie goes to the later set


def test_later_set_wins_across_a_reboost(iss):
    """Between 16103.906 and 16108.519 the mean motion drops by 1.8e-3 rev/day: drag only
    raises it, so the orbit was raised in between and the post-manoeuvre set is used from
    the earlier set's epoch on."""
    i = _index(iss, "16103.90629446")
    before, after = iss.elements[i], iss.elements[i + 1]
    drop = before.mean_motion_rev_per_day - after.mean_motion_rev_per_day
    assert drop > MANOEUVRE_DROP_REV_PER_DAY
    assert iss.manoeuvres()[i]
    a = before.epoch_jd_total
    picked = iss.select(np.array([a - 0.01, a + 0.01, a + 1.0]))
    assert list(picked) == [i, i + 1, i + 1]


def test_same_epoch_from_two_sources_is_no_manoeuvre(iss):
    """17108.67996273 and 17108.67996431 are one epoch from two sources whose mean motions
    differ by 4.4e-4 rev/day: below the manoeuvre threshold."""
    i = _index(iss, "17108.67996273")
    assert not iss.manoeuvres()[i]


def test_age_warning_and_refusal():
    one = next(s for s in bundled_sets() if s.line1[18:32] == "16092.70325827")
    sat = Satellite([one])
    epoch = one.epoch
    assert sat.check_age(Window(epoch + timedelta(days=3), 86400)) == []
    warnings = sat.check_age(Window(epoch + timedelta(days=15), 86400))
    assert warnings and "16.0 days" in warnings[0]  # the far end of the window
    with pytest.raises(StaleElementsError, match="are 41 days from") as info:
        sat.check_age(Window(epoch + timedelta(days=40), 86400))
    stale = info.value  # the facts, for the faces to word (the command line's advice)
    assert (stale.epoch, stale.limit_days, round(stale.age_days)) == (epoch, 30.0, 41)
    assert abs(stale.instant - (epoch + timedelta(days=41))) < timedelta(milliseconds=1)
    assert "--allow-stale" in sentence(stale) and "--" not in str(stale)
    assert sat.check_age(Window(epoch + timedelta(days=40), 86400), allow_stale=True)
    # before the epoch counts too
    with pytest.raises(StaleElementsError):
        sat.check_age(Window(epoch - timedelta(days=45), 86400))


def test_years_away_is_refused(iss):
    with pytest.raises(StaleElementsError, match="days from"):
        iss.check_age(Window.days(parse_instant("2031-01-01"), 1))
