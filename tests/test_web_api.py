"""The web service through FastAPI's TestClient: the same JSON objects as the commands'
``--json``, the command line's sentences as 422 answers, limits, cache, security headers,
static files without traversal, and the page rendered without JavaScript."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from zarya.cli import main
from zarya.cli.app import sentence
from zarya.errors import (
    CatalogError,
    ElementsError,
    PlaceError,
    StaleElementsError,
    TimeRangeError,
    UnknownSatelliteError,
    param,
    path,
)
from zarya.web import create_app
from zarya.web.answers import WebService
from zarya.web.charts import parse_z
from zarya.web.queries import public_sentence

from .clock import STALE_NOW

ASTANA = "lat=51.17&lon=71.45"
FROM = "from=2016-04-04"
SECURITY = {
    "content-security-policy",
    "x-content-type-options",
    "referrer-policy",
    "x-frame-options",
}


@pytest.fixture
def client() -> TestClient:
    return TestClient(create_app())


def cli_json(capsys: pytest.CaptureFixture, *args: str) -> dict:
    capsys.readouterr()
    assert main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


# The command line's flags and the web's query parameters for the inputs the sentences name.
WEB_NAMES = {"--lat": "lat", "--lon": "lon", "--min-elevation": "min_elevation",
             "--days": "days", "--alt-m": "alt_m", "--step-s": "step_s", "--hours": "hours",
             "--radius-km": "radius_km"}


def web_words(cli_sentence: str) -> str:
    """A command-line sentence with its flags put as the web names them (an independent
    word-for-word map: the flags in the sentences these tests provoke)."""
    for flag, name in WEB_NAMES.items():
        cli_sentence = cli_sentence.replace(flag, name)
    return cli_sentence


def cli_error(capsys: pytest.CaptureFixture, *args: str) -> str:
    capsys.readouterr()
    assert main(list(args)) == 2
    line = capsys.readouterr().err.strip()
    assert line.startswith("zarya: error: ")
    return line.removeprefix("zarya: error: ")


# ------------------------------------------------------------- the commands' objects
@pytest.mark.parametrize(
    ("url", "command"),
    [
        (
            f"/api/passes?{ASTANA}&alt_m=347&{FROM}&days=10&visible=1",
            ["passes", "--lat", "51.17", "--lon", "71.45", "--alt-m", "347",
             "--from", "2016-04-04", "--days", "10", "--visible"],
        ),
        (
            f"/api/passes?{ASTANA}&{FROM}&days=2&min_elevation=30",
            ["passes", "--lat", "51.17", "--lon", "71.45", "--from", "2016-04-04",
             "--days", "2", "--min-elevation", "30"],
        ),
        (
            "/api/now?at=2016-04-04T21:30:00Z&lat=51.17&lon=71.45",
            ["now", "--at", "2016-04-04T21:30:00Z", "--lat", "51.17", "--lon", "71.45"],
        ),
        (
            f"/api/track?{FROM}&hours=1.5&step_s=60",
            ["track", "--from", "2016-04-04", "--hours", "1.5", "--step-s", "60"],
        ),
        (
            "/api/orbits?from=2016-03-20&to=2016-04-10",
            ["orbits", "--from", "2016-03-20", "--to", "2016-04-10"],
        ),
        (
            f"/api/overflights?lat=47.4&lon=69.7&radius_km=150&{FROM}&days=3",
            ["overflights", "--lat", "47.4", "--lon", "69.7", "--radius-km", "150",
             "--from", "2016-04-04", "--days", "3"],
        ),
    ],
)
def test_api_serves_the_commands_json(client, capsys, url, command):
    r = client.get(url)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    assert r.json() == cli_json(capsys, *command)


def test_track_geojson_and_place_names(client):
    r = client.get(f"/api/track?{FROM}&hours=2&format=geojson")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/geo+json")
    feature = r.json()["features"][0]
    assert feature["geometry"]["type"] in ("LineString", "MultiLineString")
    by_name = client.get(f"/api/passes?place=Astana&{FROM}&days=1").json()
    assert by_name["observer"]["lat_deg"] == pytest.approx(51.18)  # rounded to 0.01


def test_passes_of_astana_are_plausible(client):
    report = client.get(f"/api/passes?{ASTANA}&{FROM}&days=10&visible=true").json()
    assert report["window"] == {"start": "2016-04-04T00:00:00Z", "end": "2016-04-14T00:00:00Z"}
    assert len(report["passes"]) >= 10
    for p in report["passes"]:
        assert p["visible"] is not None
        assert p["rise"]["time"] < p["culmination"]["time"] < p["set"]["time"]


# ------------------------------------------------------------------ bad input: 422
@pytest.mark.parametrize(
    ("query", "args"),
    [
        ("lat=95&lon=71.45", ["--lat", "95", "--lon", "71.45"]),
        ("lat=51&lon=-200", ["--lat", "51", "--lon", "-200"]),
        ("lat=51&lon=71&alt_m=200000", ["--lat", "51", "--lon", "71", "--alt-m", "200000"]),
        ("place=Xyzzyville", ["--place", "Xyzzyville"]),
        ("place=Springfield", ["--place", "Springfield"]),
        ("lat=51&lon=71&min_elevation=95", ["--lat", "51", "--lon", "71",
                                            "--min-elevation", "95"]),
        ("lat=51&lon=71&days=0", ["--lat", "51", "--lon", "71", "--days", "0"]),
        ("lat=51&lon=71&days=nan", ["--lat", "51", "--lon", "71", "--days", "nan"]),
        ("lat=51&lon=71&days=inf", ["--lat", "51", "--lon", "71", "--days", "inf"]),
        ("lat=51&lon=71&days=-inf", ["--lat", "51", "--lon", "71", "--days", "-inf"]),
        ("lat=51&lon=71&days=1e400", ["--lat", "51", "--lon", "71", "--days", "1e400"]),
    ],
)
def test_bad_input_is_422_with_the_command_lines_sentence(client, capsys, query, args):
    """The command line's sentence with the web's names for its inputs ('--lat/--lon' is
    'lat/lon' here, '--days' is 'days'); the page says the same."""
    r = client.get(f"/api/passes?{query}&{FROM}")
    assert r.status_code == 422
    said = cli_error(capsys, "passes", *args, "--from", "2016-04-04")
    assert r.json() == {"detail": web_words(said)}
    assert "--" not in r.json()["detail"]
    if "alt_m" not in query and "min_elevation" not in query:  # what the page's form asks
        page = client.get(f"/?{query}&{FROM}")
        assert page.status_code == 422
        assert str(escape(web_words(said))) in page.text


@pytest.mark.parametrize("days", ["nan", "inf", "-inf", "1e400", "-1", "0", "31"])
@pytest.mark.parametrize("where", ["lat=51&lon=71&", "place=Astana&", ""])
def test_page_refuses_impossible_days_with_the_sentence(client, days, where):
    """days=nan on the page was a 500 (int(nan)); it is the API's 422 and sentence, with or
    without a place."""
    r = client.get(f"/?{where}{FROM}&days={days}")
    assert r.status_code == 422, r.text[:200]
    detail = client.get(f"/api/passes?lat=51&lon=71&{FROM}&days={days}").json()["detail"]
    assert detail.startswith("days ")
    assert str(escape(detail)) in r.text
    assert 'role="alert"' in r.text


def test_page_keeps_an_unlisted_number_of_days(client):
    r = client.get(f"/?{ASTANA}&{FROM}&days=4")
    assert r.status_code == 200
    assert '<option value="4" selected>' in r.text


def test_bad_time_and_stale_elements_are_422(client, capsys, freeze_clock):
    freeze_clock(STALE_NOW)
    r = client.get(f"/api/passes?{ASTANA}&from=yesterday")
    assert r.status_code == 422
    assert r.json()["detail"] == cli_error(
        capsys, "passes", "--lat", "51.17", "--lon", "71.45", "--from", "yesterday"
    )
    # the bundled history ends in 2025: a later date is refused, with what to do about it,
    # and so is "now" (frozen 146 days after the history ends)
    stale = client.get(f"/api/passes?{ASTANA}&from=2026-11-26")
    assert stale.status_code == 422
    detail = stale.json()["detail"]
    assert detail.endswith("predictions past 30 days are unreliable (add allow_stale=1 to "
                           "compute anyway)")
    assert "--" not in detail
    assert client.get("/api/now").status_code == 422
    ok = client.get(f"/api/passes?{ASTANA}&from=2026-11-26&days=1&allow_stale=1")
    assert ok.status_code == 200
    assert ok.json()["warnings"]


# ----------------------------------------------- the web's words: no paths, no CLI advice
def _stale() -> StaleElementsError:
    return StaleElementsError(
        "the nearest elements of ISS (ZARYA) (epoch 2025-11-09T23:14:22Z) are 146 days from "
        "2026-04-05T00:00:00Z: predictions past 30 days are unreliable"
    )


STORE = "the element store"
WINDOWS_STORE = "C:\\Users\\ops\\zarya\\elements.sqlite"


@pytest.mark.parametrize(
    ("error", "cli", "api", "page"),
    [
        (
            _stale(),
            "the nearest elements of ISS (ZARYA) (epoch 2025-11-09T23:14:22Z) are 146 days from "
            "2026-04-05T00:00:00Z: predictions past 30 days are unreliable (use --allow-stale "
            "to compute anyway, or import fresher elements)",
            "the nearest elements of ISS (ZARYA) (epoch 2025-11-09T23:14:22Z) are 146 days from "
            "2026-04-05T00:00:00Z: predictions past 30 days are unreliable (add allow_stale=1 "
            "to compute anyway)",
            "the nearest elements of ISS (ZARYA) (epoch 2025-11-09T23:14:22Z) are 146 days from "
            "2026-04-05T00:00:00Z: predictions past 30 days are unreliable",
        ),
        (
            UnknownSatelliteError(
                "no elements for NORAD 99999 in "
                f"{path('/home/ops/.local/share/zarya/elements.sqlite', STORE)} "
                "(known: ISS (ZARYA) (25544))", remedy="import",
            ),
            "no elements for NORAD 99999 in the element store /home/ops/.local/share/zarya/"
            "elements.sqlite (known: ISS (ZARYA) (25544)); add some with `zarya elements "
            "import FILE` or `zarya elements update`",
            "no elements for NORAD 99999 in the element store (known: ISS (ZARYA) (25544))",
            None,
        ),
        (
            CatalogError(
                f"cannot open {path('/srv/z/elements.sqlite', STORE)}: [Errno 13] Permission "
                "denied"
            ),
            "cannot open the element store /srv/z/elements.sqlite: [Errno 13] Permission denied",
            "cannot open the element store: [Errno 13] Permission denied",
            None,
        ),
        (
            CatalogError(
                f"{path('/srv/z/elements.sqlite', STORE)} is an SQLite file but not a zarya "
                "element store"
            ),
            "the element store /srv/z/elements.sqlite is an SQLite file but not a zarya "
            "element store",
            "the element store is an SQLite file but not a zarya element store",
            None,
        ),
        (
            CatalogError(path(WINDOWS_STORE, STORE) + ": disk I/O error"),
            "the element store C:\\Users\\ops\\zarya\\elements.sqlite: disk I/O error",
            "the element store: disk I/O error",
            None,
        ),
        (
            ElementsError(f"{path('/srv/data/iss.tle')}: record 2 (line 4): not a TLE"),
            "/srv/data/iss.tle: record 2 (line 4): not a TLE",
            "a file on the server: record 2 (line 4): not a TLE",
            None,
        ),
        (
            PlaceError(
                "ambiguous place 'Paris': 2 cities match: ...; add the country code as shown "
                f"(e.g. 'Paris, TX, US') or give {param('lat')}/{param('lon')}"
            ),
            "ambiguous place 'Paris': 2 cities match: ...; add the country code as shown (e.g. "
            "'Paris, TX, US') or give --lat/--lon",
            "ambiguous place 'Paris': 2 cities match: ...; add the country code as shown (e.g. "
            "'Paris, TX, US') or give lat/lon",
            None,
        ),
        # what users type stays as they typed it: slashes, dashes, units
        (
            PlaceError("unknown place 'baikonur-1/6': ..."),
            "unknown place 'baikonur-1/6': ...",
            "unknown place 'baikonur-1/6': ...",
            None,
        ),
        (
            PlaceError("unknown place '/etc/passwd --days': ..."),
            "unknown place '/etc/passwd --days': ...",
            "unknown place '/etc/passwd --days': ...",
            None,
        ),
        (
            TimeRangeError(f"{param('days')} 31 is too long: at most 30 days", parameter="days"),
            "--days 31 is too long: at most 30 days",
            "days 31 is too long: at most 30 days",
            None,
        ),
    ],
)
def test_each_face_words_the_error(error, cli, api, page):
    """One error, three wordings: the command line's (flags, its advice), the API's (query
    parameters, allow_stale=1, no server path) and the page's (no advice it cannot take)."""
    assert sentence(error) == cli
    assert public_sentence(error) == api
    assert public_sentence(error, allow_stale=False) == (api if page is None else page)


def _refusals(client: TestClient) -> list[str]:
    """What the API and the page say when the element store cannot answer."""
    r = client.get(f"/api/passes?{ASTANA}&{FROM}")
    page = client.get(f"/?{ASTANA}&{FROM}")
    assert r.status_code == page.status_code == 422
    return [r.json()["detail"], page.text]


def test_refusals_name_no_server_path_nor_command(zarya_home, tmp_path):
    """The element store's path and the commands to fill it stay on the server."""
    said = []
    # an unknown satellite: the command line names the store and `zarya elements import`
    client = TestClient(create_app())
    r = client.get(f"/api/now?at=2016-04-04&{ASTANA}&sat=99999")
    assert r.status_code == 422
    assert r.json()["detail"].startswith("no elements for NORAD 99999 in the element store (")
    said.append(r.json()["detail"])
    # a store that is not one, one that is not zarya's, and one that cannot be opened
    (zarya_home / "elements.sqlite").write_bytes(b"not a database, only text " * 100)
    said += _refusals(TestClient(create_app()))
    import sqlite3

    (zarya_home / "elements.sqlite").unlink()
    with sqlite3.connect(zarya_home / "elements.sqlite") as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    said += _refusals(TestClient(create_app()))
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ZARYA_HOME", str(blocker / "sub"))
        said += _refusals(TestClient(create_app()))
    assert "the element store is an SQLite file but not a zarya element store" in said[3]
    assert "cannot open the element store: " in said[5]
    for text in said:
        for leak in (str(zarya_home), str(tmp_path), "elements.sqlite", "zarya elements",
                     "FILE", "--allow-stale"):
            assert leak not in text, (leak, text[:300])


@pytest.mark.parametrize(
    ("url", "detail"),
    [
        ("/api/passes?lat=abc&lon=71", "lat 'abc' is not a number"),
        ("/api/passes?lat=51&lon=71&visible=maybe",
         "visible 'maybe' is not a yes or no: expected 1, 0, true or false"),
        ("/api/passes?place=" + "x" * 101, "place is 101 characters long: at most 100 allowed"),
        ("/api/places?q=ast&limit=many", "limit 'many' is not a whole number"),
        (f"/api/track?{FROM}&format=kml", "format 'kml' is not one of: 'json' or 'geojson'"),
        ("/api/passes?lon=71", "give both lat and lon (degrees), or a place name"),
        ("/api/passes", "say where you are: place=NAME (a city such as Astana), or lat=DEG "
                        "and lon=DEG"),
        ("/api/orbits?from=2016-04-01", "give both from and to (ISO 8601 instants)"),
        ("/charts/sky.svg?lat=51&lon=71", "give at=, an instant of the pass (ISO 8601)"),
    ],
)
def test_request_errors_are_one_sentence(client, url, detail):
    r = client.get(url)
    assert r.status_code == 422
    assert r.json() == {"detail": detail}


@pytest.mark.parametrize(
    "url",
    [
        f"/api/passes?{ASTANA}&{FROM}&days=31",
        f"/api/overflights?{ASTANA}&{FROM}&days=30.5",
        "/api/orbits?from=2016-01-01&to=2016-03-01",
        f"/api/track?{FROM}&hours=721",
        f"/api/track?{FROM}&hours=720&step_s=1",
        f"/api/now?at=2016-04-04&{ASTANA}&sat=99999",
        f"/charts/sky.svg?{ASTANA}&at=2016-04-04T12:00:00Z",
        f"/charts/sky.svg?{ASTANA}&at=2016-04-05T15:21:01Z&tz=America",
    ],
)
def test_limits(client, url):
    r = client.get(url)
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail and len(detail) < 300


def test_days_limit_names_30(client):
    r = client.get(f"/api/passes?{ASTANA}&{FROM}&days=31")
    assert r.json() == {"detail": "days 31 is too long: at most 30 days"}


def test_long_urls_are_refused_early(client):
    r = client.get(f"/api/passes?{ASTANA}&{FROM}&pad=" + "x" * 3000)
    assert r.status_code == 414
    assert "at most 2048" in r.json()["detail"]
    assert SECURITY <= set(r.headers)


# ------------------------------------------------------------------- cache, headers
def test_cache_by_rounded_place_and_validators(client):
    app_service: WebService = client.app.state.service
    a = client.get(f"/api/passes?lat=51.171&lon=71.449&{FROM}&days=5")
    misses = app_service.cache.misses
    b = client.get(f"/api/passes?lat=51.168&lon=71.4521&{FROM}&days=5")
    assert app_service.cache.misses == misses  # the same rounded place: a hit
    assert a.content == b.content
    assert a.json()["observer"] == {"lat_deg": 51.17, "lon_deg": 71.45, "alt_m": 0.0}
    assert a.headers["etag"] == b.headers["etag"]
    assert "max-age" in a.headers["cache-control"]
    assert a.headers["last-modified"].endswith("GMT")
    again = client.get(
        f"/api/passes?lat=51.17&lon=71.45&{FROM}&days=5",
        headers={"If-None-Match": a.headers["etag"]},
    )
    assert again.status_code == 304 and again.content == b""


def test_new_elements_change_the_answer(zarya_home, tmp_path, capsys):
    """An import changes the element version, so the cache cannot serve the old answer."""
    client = TestClient(create_app(service=WebService(sat_recheck_s=0.0)))
    url = f"/api/passes?{ASTANA}&{FROM}&days=3"
    before = client.get(url)
    text = (Path(__file__).parent / "data/iss/iss_tle_history.txt").read_text("ascii")
    lines = text.splitlines()
    # a set one day after the one nearest the date, a little further along its orbit
    k = next(i for i in range(1, len(lines), 3) if lines[i][18:23] == "16092")
    from zarya.elements.tle import checksum

    l1 = lines[k][:18] + "16095" + lines[k][23:68]
    l1 += str(checksum(l1))
    l2 = lines[k + 1][:43] + "100.0000" + lines[k + 1][51:68]
    l2 += str(checksum(l2))
    path = tmp_path / "new.tle"
    path.write_text(f"ISS (ZARYA)\n{l1}\n{l2}\n", "ascii")
    assert main(["elements", "import", str(path)]) == 0
    after = client.get(url)
    assert after.status_code == 200
    assert after.json()["satellite"]["elements_epoch"] != before.json()["satellite"][
        "elements_epoch"]
    assert after.headers["etag"] != before.headers["etag"]


@pytest.mark.parametrize(
    "url",
    ["/", f"/?place=Astana&{FROM}", f"/api/passes?{ASTANA}&{FROM}&days=1", "/api/passes",
     "/static/style.css", "/static/nothing.css", "/feeds/passes.ics?place=Astana&from=2016-04-04",
     "/openapi.json"],
)
def test_security_headers_everywhere(client, url):
    r = client.get(url)
    assert SECURITY <= set(r.headers), url
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert "script-src 'self'" in r.headers["content-security-policy"]


# ------------------------------------------------------------------------ static files
def raw_get(app, path: bytes) -> tuple[int, bytes]:
    """GET with the path exactly as given (no client normalises the dots away)."""
    from urllib.parse import unquote

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": unquote(path.decode("latin-1")), "raw_path": path,
        "query_string": b"", "root_path": "", "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 1234), "server": ("testserver", 80),
    }
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    async def run() -> None:
        async with app.router.lifespan_context(app):
            await app(scope, receive, send)

    asyncio.run(run())
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, body


@pytest.mark.parametrize(
    "path",
    [
        b"/static/../pyproject.toml",
        b"/static/..%2fpyproject.toml",
        b"/static/%2e%2e/pyproject.toml",
        b"/static/%2e%2e%2fpyproject.toml",
        b"/static/%2E%2E%2F%2E%2E%2Fpyproject.toml",
        b"/static/..%5cpyproject.toml",
        b"/static/....//pyproject.toml",
        b"/static/%252e%252e%252fpyproject.toml",
        b"/static/../../../../etc/passwd",
        b"/static/",
        b"/static/.",
        b"/static",
        b"/pyproject.toml",
        b"/static/app.js%00.css",
    ],
)
def test_no_directory_traversal(path):
    status, body = raw_get(create_app(), path)
    assert status == 404, path
    assert b"[project]" not in body and b"root:" not in body


def test_static_files_are_served(client):
    r = client.get("/static/app.js")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/javascript")
    assert "combobox" in client.get("/").text
    again = client.get("/static/app.js", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304


# ----------------------------------------------------------------------------- page
def test_page_lists_passes_in_local_time_without_javascript(client):
    r = client.get(f"/?place=Astana&{FROM}&days=10")
    assert r.status_code == 200
    html = r.text
    assert "Visible passes over Astana, KZ" in html
    assert "Asia/Almaty" in html
    assert '<th scope="col">Appears</th>' in html
    assert html.count('<tr class="pass">') >= 10
    # the first visible pass of the API, in local time (UTC+6) in the page
    first = client.get(f"/api/passes?lat=51.18&lon=71.45&{FROM}&days=10&visible=1").json()
    start = first["passes"][0]["visible"]["start"]["time"]  # e.g. 2016-04-04T14:33:59.6Z
    hh = (int(start[11:13]) + 6) % 24
    assert f">{hh:02d}:{start[14:16]}:" in html
    assert "/charts/sky.svg?" in html
    assert "/feeds/passes.ics?" in html
    assert 'id="sat-marker"' in html  # the map, rendered on the server
    assert "epoch 01 Apr 2016" in html  # the age of the elements


def test_page_says_why_when_elements_are_stale(client, freeze_clock):
    freeze_clock(STALE_NOW)  # "now" is past the stored history
    r = client.get("/?place=Astana")
    assert r.status_code == 422
    assert 'role="alert"' in r.text
    assert "No predictions for these dates" in r.text
    assert "until fresher ones are imported" in r.text
    # no command-line advice on the page, and no allow_stale=1 (the page has none)
    for cli_words in ("zarya elements", "--allow-stale", "allow_stale", "FILE"):
        assert cli_words not in r.text
    assert "from=2016-04-04" in r.text  # a link to a date the history covers
    home = client.get("/")
    assert home.status_code == 200
    assert "No map:" in home.text


def test_page_bad_place_and_escaping(client):
    r = client.get("/?place=%3Cscript%3Ealert(1)%3C/script%3E&from=2016-04-04")
    assert r.status_code == 422
    assert "<script>alert" not in r.text
    assert "&lt;script&gt;" in r.text
    assert "unknown place" in r.text
    bad = client.get("/?place=Astana&from=2016-04-04&days=99")
    assert bad.status_code == 422 and "at most 30 days" in bad.text
    lat = client.get("/?lat=north&lon=71")
    assert lat.status_code == 422 and "lat &#39;north&#39; is not a number" in lat.text


def test_place_suggestions(client):
    found = client.get("/api/places?q=astan").json()["places"]
    assert found[0]["label"] == "Astana, KZ"
    assert found[0]["timezone"] == "Asia/Almaty"
    assert len(client.get("/api/places?q=a&limit=50").json()["places"]) == 10
    assert client.get("/api/places?q=").json()["places"] == []
    sites = client.get("/api/places?q=baik").json()["places"]
    assert sites[0]["kind"] == "site"
    assert sites[0]["label"] == "baikonur-1/5"  # what place= takes
    assert sites[0]["description"] == "Baikonur Site 1/5 (Gagarin's Start)"


@pytest.mark.parametrize("q", ["Springfield", "baik", "Paris", "London", "Hale", "Astana"])
def test_place_suggestions_name_their_place(client, q):
    """Each suggestion's label, passed back as place=, is that very place: 'Springfield, US'
    eight times over was ambiguous; now the region tells them apart ('Springfield, MO, US')."""
    found = client.get(f"/api/places?q={q}").json()["places"]
    labels = [p["label"] for p in found]
    assert len(set(labels)) == len(labels), labels
    for p in found:
        r = client.get("/api/passes", params={"place": p["label"], "from": "2016-04-04",
                                              "days": 0.01})
        if r.status_code == 422:  # a city that shares name, country and region: refused,
            assert p["label"].endswith(f"({p['lat_deg']:.2f}, {p['lon_deg']:.2f})")  # never
            assert "unknown place" in r.json()["detail"]  # another place
            continue
        assert r.status_code == 200, r.text
        obs = r.json()["observer"]
        assert (obs["lat_deg"], obs["lon_deg"]) == (round(p["lat_deg"], 2),
                                                    round(p["lon_deg"], 2)), p["label"]
    if q == "Springfield":
        assert labels[:3] == ["Springfield, MO, US", "Springfield, MA, US",
                              "Springfield, IL, US"]
        assert found[0]["region"] == "MO"
        # the page says which Springfield it is
        page = client.get("/?place=Springfield, MO, US&from=2016-04-04&days=1")
        assert "Visible passes over Springfield, MO, US" in page.text


def test_coordinates_round_to_zero_not_minus_zero(client):
    r = client.get(f"/api/passes?lat=-0.004&lon=-0.001&{FROM}&days=0.1")
    assert r.status_code == 200
    assert '"observer":{"lat_deg":0.0,"lon_deg":0.0,' in r.text


def test_sky_chart_takes_tz_auto(client):
    url = f"/charts/sky.svg?{ASTANA}&at=2016-04-05T15:21:01Z"
    default = client.get(url)
    assert default.status_code == 200
    for tz in ("auto", "AUTO"):
        auto = client.get(f"{url}&tz={tz}")
        assert auto.status_code == 200
        assert auto.content == default.content
    bad = client.get(f"{url}&tz=Mars/Olympus")
    assert bad.json() == {"detail": "unknown time zone 'Mars/Olympus': expected auto, UTC or "
                                    "an IANA name like Asia/Almaty"}


def test_empty_from_means_now_as_on_the_page(client, freeze_clock):
    """The page's form sends from= when its field is left blank ('Empty for now'): the API
    reads it the same way, and says so in its description."""
    now = freeze_clock(STALE_NOW)
    base = f"/api/passes?{ASTANA}&days=0.1&allow_stale=1"
    empty = client.get(base + "&from=").json()["window"]["start"]
    blank = client.get(base + "&from=%20").json()["window"]["start"]
    absent = client.get(base).json()["window"]["start"]
    at_the_minute = now.replace(second=0, microsecond=0)
    assert parse_z(empty) == parse_z(blank) == parse_z(absent) == at_the_minute
    # the page: refused for the same reason as without from (the stored history ends)
    page, none = client.get(f"/?{ASTANA}&from="), client.get(f"/?{ASTANA}")
    assert page.status_code == none.status_code == 422
    assert "No predictions for these dates" in page.text
    spec = client.get("/openapi.json").json()
    described = {p["name"]: p.get("description", "")
                 for p in spec["paths"]["/api/passes"]["get"]["parameters"]}
    assert "empty" in described["from"]
    assert "empty" in spec["info"]["description"]


# --------------------------------------------------------------------------- pictures
def test_sky_chart_svg_is_the_render_modules(client):
    """The page's sky chart is zarya.render.skychart's picture of the pass under way."""
    from zoneinfo import ZoneInfo

    from zarya.domain.passes import find_passes
    from zarya.engine.ephemeris import Ephemeris
    from zarya.engine.look import Observer
    from zarya.engine.timescale import Window, parse_instant
    from zarya.render.skychart import sky_chart_svg, sky_pass
    from zarya.reports.satellites import load_satellite

    report = client.get(f"/api/passes?{ASTANA}&{FROM}&days=2&visible=1").json()
    peak = report["passes"][0]["visible"]["peak"]["time"]
    r = client.get(f"/charts/sky.svg?{ASTANA}&at={peak}&tz=Asia/Almaty&place=Astana")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("image/svg+xml")
    assert "script-src" not in r.headers["content-security-policy"]
    assert r.headers["content-security-policy"].startswith("default-src 'none'")
    root = ET.fromstring(r.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    # the same picture, drawn directly
    at = parse_instant(peak)
    eph = Ephemeris(load_satellite(), Window(parse_instant(peak) - timedelta(minutes=20), 2400))
    obs = Observer(51.17, 71.45, 0.0)
    p = min(find_passes(eph, obs)[0], key=lambda p: abs((p.culmination.time - at).total_seconds()))
    direct = sky_chart_svg(sky_pass(eph, obs, p), place="Astana", zone=ZoneInfo("Asia/Almaty"))
    assert r.content.decode() == direct


@pytest.mark.parametrize("label", ["$x^$", "$\\frac{", "a\x00b", "<b>&amp;</b>"])
def test_labels_are_plain_text(client, label):
    """A label typed by the user is text (matplotlib would read $...$ as TeX)."""
    r = client.get("/charts/sky.svg", params={"lat": 51.17, "lon": 71.45, "place": label,
                                              "at": "2016-04-05T15:21:01Z"})
    assert r.status_code == 200
    m = client.get("/charts/map.svg", params={"lat": 51.17, "lon": 71.45, "place": label,
                                             "at": "2016-04-05T15:21:01Z"})
    assert m.status_code == 200
    ET.fromstring(m.content)  # still well-formed XML


def test_world_map_svg(client):
    r = client.get(f"/charts/map.svg?at=2016-04-04T12:00:00Z&{ASTANA}&place=Astana")
    assert r.status_code == 200
    root = ET.fromstring(r.content)
    ns = "{http://www.w3.org/2000/svg}"
    marker = root.find(f".//{ns}circle[@id='sat-marker']")
    now = client.get("/api/now?at=2016-04-04T12:00:00Z").json()
    assert float(marker.get("cx")) == pytest.approx(now["lon_deg"], abs=0.01)
    assert float(marker.get("cy")) == pytest.approx(-now["lat_deg"], abs=0.01)
    assert root.find(f".//{ns}path[@id='footprint']") is not None
    assert len(root.findall(f".//{ns}path[@class='night']")) == 4
    assert root.findall(f".//{ns}path[@class='track']")


def test_openapi_and_docs(client):
    spec = client.get("/openapi.json").json()
    for route in ("/api/passes", "/api/now", "/api/track", "/api/orbits", "/api/overflights",
                  "/api/places", "/feeds/passes.ics"):
        assert route in spec["paths"], route
    params = {p["name"] for p in spec["paths"]["/api/passes"]["get"]["parameters"]}
    assert {"lat", "lon", "alt_m", "from", "days", "min_elevation", "visible"} <= params
    assert client.get("/docs").status_code == 200


def test_the_command_line_does_not_import_the_web_stack():
    code = (
        "import sys; from zarya.cli import main; "
        "main(['passes', '--place', 'Astana', '--from', '2016-04-04', '--days', '1', '--json']);"
        "bad = [m for m in ('fastapi', 'uvicorn', 'starlette', 'jinja2') if m in sys.modules];"
        "sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    usage = subprocess.run(
        [sys.executable, "-m", "zarya", "serve", "--help"], capture_output=True, text=True,
        timeout=60,
    )
    assert usage.returncode == 0 and "--port" in usage.stdout


@pytest.mark.parametrize("path", ["/?place=Astana&from=2016-04-04&days=10",
                                  "/api/passes?place=Astana&from=2016-04-04&days=10"])
def test_gzip_when_accepted(client: TestClient, path: str) -> None:
    """A client that accepts gzip gets the very bytes compressed (Content-Encoding, Vary,
    its own strong ETag, 304 on it); one that does not gets them plain."""
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    packed = client.get(path, headers={"Accept-Encoding": "gzip, br"})
    assert plain.status_code == packed.status_code == 200
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert plain.headers["vary"] == packed.headers["vary"] == "Accept-Encoding"
    assert packed.content == plain.content  # httpx decodes; the wire was smaller:
    assert int(packed.headers["content-length"]) < len(plain.content) / 2
    assert packed.headers["etag"] != plain.headers["etag"]
    again = client.get(path, headers={"Accept-Encoding": "gzip",
                                      "If-None-Match": packed.headers["etag"]})
    assert again.status_code == 304


def test_the_page_is_rendered_once_per_question(client: TestClient) -> None:
    """Asked twice, the page comes from the cache (the same ETag, one more hit); another
    question is another page."""
    svc = client.app.state.service
    first = client.get("/?place=Astana&from=2016-04-04&days=10")
    hits = svc.cache.hits
    second = client.get("/?place=Astana&from=2016-04-04&days=10")
    assert second.content == first.content and second.headers["etag"] == first.headers["etag"]
    assert svc.cache.hits > hits
    other = client.get("/?place=Astana&from=2016-04-05&days=10")
    assert other.headers["etag"] != first.headers["etag"]
    assert first.headers["cache-control"] == "no-cache"


def test_the_answer_cache_is_bounded_in_bytes_too() -> None:
    """Big answers (pages of 280 kB) push the oldest out once the byte budget is spent,
    whatever the count; the newest answer always stays."""
    from zarya.web.queries import Answer, AnswerCache

    cache = AnswerCache(entries=100, max_bytes=1000)
    for k in range(10):
        cache.put(k, Answer.of(bytes(300), "text/plain", 60), 60.0)
    assert cache.bytes <= 1000 and cache.get(9) is not None and cache.get(0) is None
    cache.put("huge", Answer.of(bytes(5000), "text/plain", 60), 60.0)
    assert cache.get("huge") is not None and cache.bytes == 5000
    cache.clear()
    assert cache.bytes == 0
