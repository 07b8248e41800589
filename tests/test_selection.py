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


def _distance_km(sat: Satellite, k0: int, k1: int, jd: np.ndarray) -> np.ndarray:
    """How far apart sets k0 and k1 put the station at ``jd``: sgp4 itself, nothing of
    zarya's selection."""
    from sgp4.api import WGS72, Satrec

    out = []
    for k in (k0, k1):
        rec = Satrec.twoline2rv(sat.elements[k].line1, sat.elements[k].line2, WGS72)
        _, r, _ = rec.sgp4_array(jd, np.zeros_like(jd))
        out.append(r)
    return np.linalg.norm(out[0] - out[1], axis=1)


@pytest.mark.parametrize(
    ("earlier", "later", "old_km"),
    # measured with the switch at the earlier set's epoch (the rule before): 71.0 and 131.5 km
    [("16063.85205029", "16065.25775256", 71.0), ("17116.46040348", "17117.23200830", 131.5)],
)
def test_a_reboost_switches_where_the_two_orbits_meet(iss, earlier, later, old_km):
    """Across a reboost the earlier set serves up to the burn and the later one after it.
    The burn is where the two orbits meet (a burn changes the velocity, not the position):
    the switch is the closest approach of the two sets between their epochs, found here by
    brute force every 10 s with sgp4 alone. There the two disagree by a km or two (measured
    0.29 and 1.62 km: the sets' own fit errors), where switching at the earlier set's epoch
    (the rule before) jumped by tens of km."""
    i, j = _index(iss, earlier), _index(iss, later)
    assert j == i + 1 and iss.manoeuvres()[i]
    a, b = iss.elements[i].epoch_jd_total, iss.elements[j].epoch_jd_total
    (switch,) = [m for m in iss.schedule().manoeuvres_jd if a < m < b]
    scan = np.arange(a, b, 10.0 / 86400.0)
    truth = scan[np.argmin(_distance_km(iss, i, j, scan))]
    assert abs(switch - truth) * 86400.0 < 10.0  # the scan's own step
    assert _distance_km(iss, i, j, np.array([switch]))[0] < 2.0 * 1.62
    assert _distance_km(iss, i, j, np.array([a]))[0] == pytest.approx(old_km, abs=0.1)
    picked = iss.select(np.array([a, switch - 1e-6, switch, b]))
    assert list(picked) == [i, i, j, j]


def test_a_reboost_is_detected_and_both_sides_served(iss):
    """Between 16103.906 and 16108.519 the mean motion drops by 1.8e-3 rev/day: drag only
    raises it, so the orbit was raised in between: each set serves its own side of the
    burn, and neither serves across it."""
    i = _index(iss, "16103.90629446")
    before, after = iss.elements[i], iss.elements[i + 1]
    drop = before.mean_motion_rev_per_day - after.mean_motion_rev_per_day
    assert drop > MANOEUVRE_DROP_REV_PER_DAY
    assert iss.manoeuvres()[i]
    a, b = before.epoch_jd_total, after.epoch_jd_total
    (switch,) = [m for m in iss.schedule().manoeuvres_jd if a < m < b]
    picked = iss.select(np.array([a - 0.01, a + 0.01, switch + 1e-6, b - 0.01]))
    assert list(picked) == [i, i, i + 1, i + 1]


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
