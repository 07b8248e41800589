"""The calendar feed, parsed back with the ``icalendar`` package: one event per pass with
UTC start and end, a stable UID, words for brightness, elevation and directions, and the
headers a calendar application needs to subscribe."""

from __future__ import annotations

from datetime import UTC, datetime

import icalendar
import pytest
from fastapi.testclient import TestClient

from zarya.web import create_app

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
    whole = [p for p in report["passes"] if p["rise"] and p["set"]]
    found = events(r.content)
    assert len(found) == len(whole) >= 10
    for ev, p in zip(found, whole, strict=True):
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
    whole = [p for p in report["passes"] if p["rise"] and p["set"]]
    assert len(found) == len(whole)
    for ev, p in zip(found, whole, strict=True):
        assert abs((ev.decoded("DTSTART") - z(p["rise"]["time"])).total_seconds()) < 1
        assert abs((ev.decoded("DTEND") - z(p["set"]["time"])).total_seconds()) < 1
        assert "Rises " in str(ev["DESCRIPTION"])


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


def test_feed_errors_are_422(client):
    r = client.get("/feeds/passes.ics?lat=91&lon=0&from=2016-04-04")
    assert r.status_code == 422
    assert r.json()["detail"].startswith("latitude 91 degrees is impossible")
    stale = client.get("/feeds/passes.ics?lat=51&lon=71")
    assert stale.status_code == 422 and "--allow-stale" in stale.json()["detail"]
