"""The calendar feed, parsed back with the ``icalendar`` package: one event per pass with
UTC start and end, a stable UID, words for brightness, elevation and directions, and the
headers a calendar application needs to subscribe."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from fastapi.testclient import TestClient

from zarya.web import create_app

from .clock import STALE_NOW

FEED = "/feeds/passes.ics?lat=51.17&lon=71.45&visible=1&from=2016-04-04&days=10&place=Astana"


@pytest.fixture
def client() -> TestClient:
    return TestClient(create_app())


def z(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def events(body: bytes) -> list[icalendar.Event]:
    cal = icalendar.Calendar.from_ical(body)
    assert cal["VERSION"] == "2.0"
    assert "zarya" in str(cal["PRODID"])
    return list(cal.walk("VEVENT"))


def test_feed_has_one_event_per_visible_pass(client):
    r = client.get(FEED)
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/calendar; charset=utf-8"
    report = client.get(
        "/api/passes?lat=51.17&lon=71.45&from=2016-04-04&days=10&visible=1"
    ).json()
    found = events(r.content)
    assert len(found) == len(report["passes"]) >= 10
    for ev, p in zip(found, report["passes"], strict=True):
        vis = p["visible"]
        start, end = ev.decoded("DTSTART"), ev.decoded("DTEND")
        assert start.tzinfo is not None and start.utcoffset().total_seconds() == 0
        assert abs((start - z(vis["start"]["time"])).total_seconds()) < 1
        assert abs((end - z(vis["end"]["time"])).total_seconds()) < 1
        summary = str(ev["SUMMARY"])
        assert summary.startswith("ISS (ZARYA) visible")
        assert f"magnitude {vis['brightest_magnitude']:.1f}" in summary
        assert f"up to {vis['peak']['elevation_deg']:.0f}°" in summary
        text = str(ev["DESCRIPTION"])
        for point in ("start", "peak", "end"):
            assert f"in the {vis[point]['direction']} " in text
        assert "Asia/Almaty" in text
        assert str(ev["LOCATION"]) == "Astana"
        geo = ev["GEO"]
        assert (geo.latitude, geo.longitude) == (51.17, 71.45)
    uids = [str(ev["UID"]) for ev in found]
    assert len(set(uids)) == len(uids)


def test_uids_are_stable_across_refreshes_and_nearby_points(client):
    a = {str(e["UID"]): e for e in events(client.get(FEED).content)}
    # a later window, a point 300 m away: the same passes keep their UIDs
    later = client.get(
        "/feeds/passes.ics?lat=51.172&lon=71.448&visible=1&from=2016-04-06&days=10"
    )
    b = {str(e["UID"]): e for e in events(later.content)}
    shared = set(a) & set(b)
    assert len(shared) >= 5
    for uid in shared:
        assert a[uid].decoded("DTSTART") == b[uid].decoded("DTSTART")
    assert all(uid.startswith("25544-2016") and uid.endswith("@zarya") for uid in a)


def test_all_passes_run_from_rise_to_set(client):
    r = client.get("/feeds/passes.ics?lat=51.17&lon=71.45&visible=0&from=2016-04-04&days=2")
    report = client.get("/api/passes?lat=51.17&lon=71.45&from=2016-04-04&days=2").json()
    found = events(r.content)
    assert len(found) == len(report["passes"])
    for ev, p in zip(found, report["passes"], strict=True):
        assert abs((ev.decoded("DTSTART") - z(p["rise"]["time"])).total_seconds()) < 1
        assert abs((ev.decoded("DTEND") - z(p["set"]["time"])).total_seconds()) < 1
        assert "Rises " in str(ev["DESCRIPTION"])


@pytest.mark.parametrize("visible", [0, 1])
def test_passes_cut_by_the_window_are_in_the_feed(client, visible):
    """A pass already up when the window opens (or still up when it closes) was left out
    of the feed while /api/passes showed it: it is an event from the window's edge, and
    keeps its UID when the window moves."""
    ask = "lat=51.17&lon=71.45&days=1"
    first = client.get(f"/api/passes?{ask}&from=2016-04-04&visible=1").json()["passes"][0]
    mid = first["culmination"]["time"]  # a visible pass, cut in two by a window from here
    later = (z(mid) + timedelta(seconds=30)).isoformat().replace("+00:00", "Z")
    feeds = []
    for start in (mid, later):
        query = f"{ask}&from={start}&visible={visible}"
        report = client.get(f"/api/passes?{query}").json()
        cut = report["passes"][0]
        assert cut["rise"] is None and cut["set"] is not None
        found = events(client.get(f"/feeds/passes.ics?{query}").content)
        assert len(found) == len(report["passes"])
        ev = found[0]
        begin = cut["visible"]["start"]["time"] if visible else report["window"]["start"]
        end = cut["visible"]["end"]["time"] if visible else cut["set"]["time"]
        assert abs((ev.decoded("DTSTART") - z(begin)).total_seconds()) < 1
        assert abs((ev.decoded("DTEND") - z(end)).total_seconds()) < 1
        if not visible:
            assert str(ev["DESCRIPTION"]).startswith("Already up at ")
        feeds.append(ev)
    uid = str(feeds[0]["UID"])
    assert uid == str(feeds[1]["UID"])
    minute = z(first["set"]["time"]).strftime("%Y%m%dT%H%MZ")
    assert uid == f"25544-set{minute}-51.17N071.45E@zarya"
    # the same pass still up when a window closes: from its rise, with its UID of when whole
    whole = {str(e["UID"]): e for e in events(
        client.get(f"/feeds/passes.ics?{ask}&from=2016-04-04&visible={visible}").content)}
    days = (z(mid) - z("2016-04-04T00:00:00Z")).total_seconds() / 86400
    r = client.get(f"/feeds/passes.ics?lat=51.17&lon=71.45&from=2016-04-04&days={days:.7f}"
                   f"&visible={visible}")
    last = events(r.content)[-1]
    assert str(last["UID"]) in whole
    assert last.decoded("DTSTART") == whole[str(last["UID"])].decoded("DTSTART")
    assert abs((last.decoded("DTEND") - z(mid)).total_seconds()) < 1
    if not visible:
        assert "still up at " in str(last["DESCRIPTION"])


def test_a_satellite_that_never_sets_has_its_events(client, zarya_home, tmp_path):
    """A geostationary satellite is up all the window: /api/passes shows one pass with no
    rise nor set, and its visible stretches, one a night (XM-3 from 30 N on 26 and 27 June
    2006: its stretches run from dusk to dawn); the feed has an event per night, with UIDs
    that do not move with the window."""
    from zarya.cli import main

    lines = (Path(__file__).parent / "data/vallado/SGP4-VER.TLE").read_text().splitlines()
    k = next(i for i, line in enumerate(lines) if line.startswith("1 28626"))  # XM-3, GEO
    path = tmp_path / "geo.tle"
    path.write_text(f"XM-3\n{lines[k][:69]}\n{lines[k + 1][:69]}\n", "ascii")
    assert main(["elements", "import", str(path)]) == 0
    ask = "sat=28626&lat=30&lon=-85.12&days=2"
    report = client.get(f"/api/passes?{ask}&from=2006-06-26").json()
    (geo,) = report["passes"]
    assert geo["rise"] is None and geo["set"] is None and geo["visible"]
    nights = geo["visible_stretches"]
    assert [z(v["start"]["time"]).day for v in nights] == [26, 27]
    assert geo["visible"] == nights[0]
    assert all(v["brightest_magnitude"] is None for v in nights)  # no magnitude known
    vis = events(client.get(f"/feeds/passes.ics?{ask}&from=2006-06-26").content)
    assert len(vis) == 2
    for ev, night in zip(vis, nights, strict=True):
        assert abs((ev.decoded("DTSTART") - z(night["start"]["time"])).total_seconds()) < 1
        assert abs((ev.decoded("DTEND") - z(night["end"]["time"])).total_seconds()) < 1
        assert str(ev["SUMMARY"]).startswith("XM-3 visible, up to 55")
        assert "magnitude" not in str(ev["SUMMARY"])
        assert "Brightest magnitude unknown" in str(ev["DESCRIPTION"])
        start = z(night["start"]["time"]).strftime("%Y%m%dT%H%MZ")
        assert str(ev["UID"]) == f"28626-vis{start}-30.00N085.12W@zarya"
    # a window opening a day later keeps the second night's event as it was
    later = events(client.get(f"/feeds/passes.ics?{ask}&from=2006-06-27").content)
    assert str(vis[1]["UID"]) in {str(e["UID"]) for e in later}
    every = [events(client.get(f"/feeds/passes.ics?{ask}&from={day}&visible=0").content)
             for day in ("2006-06-26", "2006-06-26T06:00:00Z")]
    for found, day in zip(every, ("2006-06-26", "2006-06-26T06:00:00Z"), strict=True):
        (ev,) = found
        window = client.get(f"/api/passes?{ask}&from={day}").json()["window"]
        assert ev.decoded("DTSTART") == z(window["start"])
        assert ev.decoded("DTEND") == z(window["end"])
        assert "Already up at " in str(ev["DESCRIPTION"])
        assert "still up at " in str(ev["DESCRIPTION"])
    assert str(every[0][0]["UID"]) == str(every[1][0]["UID"]) == "28626-up-30.00N085.12W@zarya"


def test_caching_headers_and_conditional_get(client):
    r = client.get(FEED)
    assert "max-age=" in r.headers["cache-control"]
    assert r.headers["etag"].startswith('"')
    last = datetime.strptime(r.headers["last-modified"], "%a, %d %b %Y %H:%M:%S GMT")
    assert abs((last.replace(tzinfo=UTC) - datetime.now(UTC)).total_seconds()) < 120
    again = client.get(FEED, headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304
    assert again.headers["etag"] == r.headers["etag"]
    assert client.get(FEED).content == r.content  # the same text: DTSTAMP is no clock


def test_rfc5545_lines(client):
    body = client.get(FEED.replace("place=Astana", "place=Astana%2C%20KZ%3B%20home")).content
    assert body.endswith(b"\r\n")
    lines = body.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in lines)
    assert all(b"\n" not in line for line in lines)
    assert any(line.startswith(b" ") for line in lines)  # long descriptions are folded
    ev = events(body)[0]
    assert str(ev["LOCATION"]) == "Astana, KZ; home"  # escaped, then read back


def test_feed_errors_are_422(client, freeze_clock):
    freeze_clock(STALE_NOW)  # a feed with no from starts now, past the stored history
    r = client.get("/feeds/passes.ics?lat=91&lon=0&from=2016-04-04")
    assert r.status_code == 422
    assert r.json()["detail"].startswith("latitude 91 degrees is impossible")
    stale = client.get("/feeds/passes.ics?lat=51&lon=71")
    assert stale.status_code == 422 and "allow_stale=1" in stale.json()["detail"]


def test_reminders_and_the_high_passes_filter(client):
    """Each event carries a VALARM with the trigger asked (15 minutes by default, none for
    alarm=0); min_peak keeps the events whose highest point reaches it (the stretch's for
    visible events, the culmination's for whole passes), against the JSON of the passes."""
    ask = "place=Astana&from=2016-04-04&days=3"
    report = client.get(f"/api/passes?{ask}").json()
    for alarm, trigger in ((None, timedelta(minutes=-15)), (30, timedelta(minutes=-30))):
        extra = "" if alarm is None else f"&alarm={alarm}"
        evs = events(client.get(f"/feeds/passes.ics?{ask}&visible=0{extra}").content)
        assert len(evs) == len(report["passes"])
        for ev in evs:
            (alarm_,) = ev.walk("VALARM")
            assert alarm_["ACTION"] == "DISPLAY"
            assert alarm_.decoded("TRIGGER") == trigger
    none = events(client.get(f"/feeds/passes.ics?{ask}&visible=0&alarm=0").content)
    assert none and not any(ev.walk("VALARM") for ev in none)
    high = events(client.get(f"/feeds/passes.ics?{ask}&visible=0&min_peak=40").content)
    expected = [p for p in report["passes"] if p["culmination"]["elevation_deg"] >= 40]
    assert 0 < len(high) == len(expected) < len(report["passes"])
    stretches = [v for p in report["passes"] for v in p["visible_stretches"]]
    high_vis = events(client.get(f"/feeds/passes.ics?{ask}&min_peak=40").content)
    assert len(high_vis) == sum(v["peak"]["elevation_deg"] >= 40 for v in stretches)
    for bad in ("alarm=-5", "alarm=100000", "min_peak=95", "min_peak=nan"):
        r = client.get(f"/feeds/passes.ics?{ask}&{bad}")
        assert r.status_code == 422 and r.json()["detail"].startswith(bad.split("=")[0]), r.text
