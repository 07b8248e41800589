"""Fuzzing every way in: whatever the input, zarya answers or refuses in its own words.

The rule (README, errors.py): every entry point answers malformed input with one of its own
errors. A reader returns element sets (or a trajectory, or places) or raises a
:class:`~zarya.errors.ZaryaError`; never a RecursionError, OverflowError, ValueError,
csv.Error, UnicodeDecodeError, KeyError or any other exception. The command line exits 0,
or 2 with exactly one line ``zarya: error: ...`` on stderr and no traceback. The web answers
anything but 5xx (a refusal is 422 with one sentence).

The inputs (tests/fuzz_strategies.py) are mostly nearly right: real element sets, OMM
records, OEM excerpts and places files with one column, field, key or tag wrong, so that
they get past the first checks, and some plain noise. The example counts are small, for a
run on every commit; benchmarks/fuzz_long.py runs a million inputs through the readers.

Bugs found are pinned as regression tests (``test_regression_*``, D: the issue's numbers,
N: new here), each fixed; the properties excuse nothing.

A failing property prints the input (a note of the call or the command line) and a blob
for ``@reproduce_failure``. ``ZARYA_FUZZ_SCALE=20`` runs twenty times the examples.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import os
import random
import re
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import note as hypothesis_note
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from zarya.batch.places import read_places
from zarya.cli import main
from zarya.elements.files import read_elements_file, read_records, read_sources_file
from zarya.elements.readers import (
    read_chunks,
    read_elements_text,
    read_oem,
    read_omm_csv,
    read_omm_json,
    read_omm_kvn,
    read_omm_xml,
)
from zarya.elements.records import FORMATS
from zarya.elements.store import open_store
from zarya.elements.tle import parse_tle, read_tle
from zarya.errors import ZaryaError
from zarya.web import create_app

from . import fuzz_strategies as fs
from .catalog_data import iss_sets, omm_record, to_csv

# ------------------------------------------------------------------------- settings
# Random each run (a failure prints the input, and a blob for @reproduce_failure); nothing
# is written into the repository (no example database). ZARYA_FUZZ_SCALE=N runs N times as
# many examples (for a longer look by hand).
SCALE = max(1, int(os.environ.get("ZARYA_FUZZ_SCALE", "1")))
FUZZ = dict(deadline=None, database=None, derandomize=False, print_blob=True,
            suppress_health_check=list(HealthCheck))
READER = settings(max_examples=120 * SCALE, **FUZZ)
SLOW_READER = settings(max_examples=40 * SCALE, **FUZZ)
CLI = settings(max_examples=25 * SCALE, **FUZZ)
WEB = settings(max_examples=12 * SCALE, **FUZZ)


# ------------------------------------------------------------------- reproductions
def _oem_twice() -> object:
    """The ISS excerpt with its segment given twice."""
    text = fs.oem_seed_kvn()
    body = text[text.index("META_START") : text.index("COVARIANCE_START")]
    return read_oem(text.replace("META_START", body + "META_START", 1))


def _oem_with(old: str, new: str) -> object:
    """The ISS excerpt (KVN) with one piece of text replaced."""
    text = fs.oem_seed_kvn()
    assert old in text
    return read_oem(text.replace(old, new, 1))


CREATED = "CREATION_DATE = 2025-057T18:18:07.830Z"
FIRST_STATE = "2025-057T12:00:00.000Z 236.607189722756"


def note(text: str) -> None:
    """A hypothesis event (shown with --hypothesis-show-statistics), outside a property a
    no-op."""
    if currently_in_test_context():
        event(text)


def answers_or_refuses(call: Callable[..., object], *args: object, **kwargs: object) -> object:
    """``call(*args, **kwargs)``'s result, or None where it raised a ZaryaError; any other
    exception fails the test."""
    try:
        return call(*args, **kwargs)
    except ZaryaError as exc:
        note(f"refused: {type(exc).__name__}")
        assert str(exc), "a refusal says why"
        return None
    except Exception:
        shown = ", ".join([*(repr(a) for a in args), *(f"{k}={v!r}" for k, v in
                                                       kwargs.items())])
        if currently_in_test_context():
            hypothesis_note(f"{getattr(call, '__name__', call)}({shown[:1500]})")
        raise


def used(sets: object) -> None:
    """What every command does with element sets read: their epoch, period and Satrec."""
    for es in sets or []:  # type: ignore[attr-defined]
        assert es.epoch.tzinfo is not None
        assert es.period_minutes > 0
        es.satrec()


def chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    """The bytes cut at the given offsets (streaming readers see chunk boundaries anywhere:
    inside a UTF-8 character, an XML tag, a JSON number)."""
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in zip(points, points[1:], strict=False)]


# --------------------------------------------------------------------------- readers
@given(fs.tle_pairs())
@READER
def test_parse_tle_answers_or_refuses(pair: tuple[str, str, str, bool]) -> None:
    line1, line2, name, lenient = pair
    es = answers_or_refuses(parse_tle, line1, line2, name, lenient=lenient)
    used([es] if es else [])


@given(fs.tle_texts())
@READER
def test_tle_files_answer_or_refuse(text: str) -> None:
    used(answers_or_refuses(read_tle, text))
    answers_or_refuses(read_tle, text, lenient=True)
    answers_or_refuses(read_chunks, [text.encode("utf-8")], fmt="tle", skip_bad=True)
    answers_or_refuses(read_elements_text, text)


@given(fs.omm_json_texts(), st.lists(st.integers(0, 1 << 20), max_size=3))
@READER
@example('[{"NORAD_CAT_ID": ' + "9" * 5000 + "}]", [])  # N1
@example("[" * 100_000, [])  # D1
def test_omm_json_answers_or_refuses(text: str, cuts: list[int]) -> None:
    used(answers_or_refuses(read_omm_json, text))
    data = text.encode("utf-8")
    answers_or_refuses(read_chunks, chunked(data, cuts), fmt="omm-json", skip_bad=True)


@given(fs.omm_csv_texts(), st.lists(st.integers(0, 1 << 20), max_size=3))
@READER
def test_omm_csv_answers_or_refuses(text: str, cuts: list[int]) -> None:
    used(answers_or_refuses(read_omm_csv, text))
    data = text.encode("utf-8")
    answers_or_refuses(read_chunks, chunked(data, cuts), fmt="omm-csv", skip_bad=True)


@given(fs.omm_xml_texts(), st.lists(st.integers(0, 1 << 20), max_size=3))
@READER
def test_omm_xml_answers_or_refuses(text: str, cuts: list[int]) -> None:
    used(answers_or_refuses(read_omm_xml, text))
    data = text.encode("utf-8")
    answers_or_refuses(read_chunks, chunked(data, cuts), fmt="omm-xml", skip_bad=True)


@given(fs.omm_kvn_texts())
@READER
def test_omm_kvn_answers_or_refuses(text: str) -> None:
    used(answers_or_refuses(read_omm_kvn, text))
    answers_or_refuses(read_chunks, [text.encode("utf-8")], fmt="omm-kvn", skip_bad=True)


@given(st.one_of(fs.oem_kvn_texts(), fs.oem_xml_texts()))
@READER
def test_oem_answers_or_refuses(text: str) -> None:
    trajectory = answers_or_refuses(read_oem, text)
    if trajectory is not None:
        assert trajectory.states > 0
        trajectory.burns()
    answers_or_refuses(read_chunks, [text.encode("utf-8")])


@given(fs.element_bytes(), st.sampled_from([None, *FORMATS]), st.booleans(),
       st.lists(st.integers(0, 1 << 20), max_size=4))
@READER
def test_any_bytes_in_any_format(data: bytes, fmt: str | None, skip_bad: bool,
                                 cuts: list[int]) -> None:
    """Bytes of any kind (other encodings, cut characters, gzip, noise) through the one
    way in of every source, sniffed or in a format given (as fetch and --format do)."""
    result = answers_or_refuses(read_chunks, chunked(data, cuts), fmt=fmt, skip_bad=skip_bad)
    if result is not None:
        used([r.elements for r in result.records])  # type: ignore[attr-defined]


@given(fs.element_bytes())
@SLOW_READER
def test_element_files_answer_or_refuse(tmp_path_factory: pytest.TempPathFactory,
                                        data: bytes) -> None:
    """Files as --elements and `elements import` open them (gzip sniffed, size capped)."""
    path = tmp_path_factory.mktemp("elements") / "file"
    path.write_bytes(data)
    used(answers_or_refuses(read_elements_file, path))
    answers_or_refuses(read_sources_file, path)
    answers_or_refuses(read_records, path, skip_bad=True)


@given(fs.element_texts(), st.booleans())
@SLOW_READER
def test_import_answers_or_refuses(tmp_path_factory: pytest.TempPathFactory, text: str,
                                   skip_bad: bool) -> None:
    """`elements import`: read and written to SQLite (64-bit integers, text) in one go."""
    folder = tmp_path_factory.mktemp("import")
    path = folder / "file"
    path.write_text(text, encoding="utf-8")
    with open_store(folder / "elements.sqlite", seed=False) as store:
        answers_or_refuses(store.import_files, [path], skip_bad=skip_bad)
        for summary in store.objects():
            answers_or_refuses(store.history, summary.norad_id)


@given(fs.places_texts(), st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"]))
@READER
def test_places_files_answer_or_refuse(tmp_path_factory: pytest.TempPathFactory, text: str,
                                       encoding: str) -> None:
    path = tmp_path_factory.mktemp("places") / "places.csv"
    path.write_bytes(text.encode(encoding, "replace"))
    places = answers_or_refuses(read_places, path)
    if places is not None:
        assert len(places) == len(set(places.names)) > 0  # type: ignore[attr-defined]


# ---------------------------------------------------------------------- command line
def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """``zarya ARGV`` in this process: (status, stdout, stderr). An exception out of
    ``main`` is a crash (a traceback for the user)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except Exception:
            if currently_in_test_context():
                hypothesis_note(f"zarya {argv!r}"[:3000])
            raise
    return code, out.getvalue(), err.getvalue()


def run_strict(argv: list[str]) -> tuple[int, str, str]:
    """``zarya ARGV`` in this process, no bug excused: any exception out of main is raised."""
    return run_cli(argv)


def check_cli(argv: list[str]) -> None:
    """Status 0, or 2 with one line ``zarya: error: ...`` and no traceback."""
    code, out, err = run_cli(argv)
    if code == -1:  # an open known bug
        return
    hypothesis_note(f"zarya {argv!r}"[:3000])
    assert code in (0, 2), (argv, code, err[-2000:])
    assert "Traceback" not in out + err, (argv, err[-2000:])
    if code == 2:
        assert err.startswith("zarya: error: "), (argv, err[:500])
        assert err.count("\n") == 1 and err.endswith("\n"), (argv, err[:2000])
        note("refused")
    else:
        note("answered")


HOSTILE_SAT = ["²", "99999999999999999999999", "-1", "", " ", "0", "9" * 5000, "25544²",
               "٢٥٥٤٤", "𝟚𝟝𝟝𝟜𝟜", "+25544", "25544.0", "1e5", "A0001", "z9999", "%", "_",
               "\\", "'", "ISS\x00", "\x1b[2J", "x" * 10_000, "iss (zarya)", "25544", "ISS"]
HOSTILE_PLACE = ["Springfield", "²", "x" * 100_000, ",", ", , ,", "\x00", "Astana\x00",
                 "Astana\r\n", " ", "", "%", "_%", "Springfield, , US", "Springfield, MO, US, X",
                 "İstanbul", "\x1b[2J"]
HOSTILE_TIME = ["now", "", "²", "99999999999999999999999", "9999-12-31",
                "9999-12-31T23:59:59.999999", "0001-01-01", "2016-02-30", "2016-04-04T24:00:00",
                "2016-04-04T21:00:00+99:00", "2016-04-04T21:00:00+14:00", "1e400", "-1",
                "2016-W14", "2016-095", "２０１６-04-04", "2016-04-04\x00", "x" * 10_000,
                "2016-04-04T21:00:00.9999999999Z", "1957-10-04", "2099-12-31T23:59:59Z"]
HOSTILE_TZ = ["Mars/Olympus", "../../etc/passwd", "/etc/localtime", "America", "", "\x00",
              "UTC\x00", "Etc/GMT+14", "x" * 5000, "²"]
HOSTILE_RULES = ["ZARYA", "Spot-The-Station", "", "\x00", "²", "x" * 5000, "zarya "]


def floats(low: float, high: float) -> st.SearchStrategy[str]:
    """Values from ``low`` to ``high`` as command-line text."""
    return st.floats(low, high).map(repr)


def odd_numbers() -> st.SearchStrategy[str]:
    return fs.odd_number_text()


def short_window(limit: float, refused_above: float) -> st.SearchStrategy[str]:
    """An odd window length: refused for sure (zero, negative, past the maximum, odd
    spellings) or tiny; never a long valid one (the engine would take its time)."""
    return st.one_of(st.floats(max_value=0).map(repr), st.floats(min_value=refused_above).map(repr),
                     st.sampled_from(fs.ODD_NUMBERS), st.floats(1e-9, limit / 10).map(repr))


def in_history() -> st.SearchStrategy[str]:
    """Instants inside the dense part of the bundled ISS history (2016-01 to 2016-05)."""
    return st.builds(lambda m, d, h: f"2016-{m:02d}-{d:02d}T{h:02d}:00:00Z",
                     st.integers(1, 5), st.integers(1, 28), st.integers(0, 23))


def odd_times() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(HOSTILE_TIME), fs.odd_text(30))


def sat_values() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(HOSTILE_SAT), fs.odd_text(30), fs.odd_number_text())


# (flag, plausible values, hostile values) of the options the commands share
LAT = ("--lat", floats(-90, 90), odd_numbers())
LON = ("--lon", floats(-180, 180), odd_numbers())
ALT = ("--alt-m", floats(-500, 100_000), odd_numbers())
SAT = ("--sat", st.sampled_from(["25544", "ISS", "iss (zarya)", " 25544 "]), sat_values())
TZ = ("--tz", st.sampled_from(["auto", "UTC", "Asia/Almaty", "utc", "AUTO"]),
      st.one_of(st.sampled_from(HOSTILE_TZ), fs.odd_text(20)))
PLACE = ("--place", st.sampled_from(["Astana", "Paris, FR", "baikonur-1/5", "São Paulo",
                                     "Springfield, MO, US", "nur-sultan", "TOKYO"]),
         st.one_of(st.sampled_from(HOSTILE_PLACE), fs.odd_text(30)))
Spec = tuple[str, st.SearchStrategy[str], st.SearchStrategy[str]]


@st.composite
def argv(draw: st.DrawFn, required: list[Spec], optional: list[Spec],
         flags: tuple[str, ...] = ("--json",), observer: bool = True) -> list[str]:
    """Command-line arguments: the ``required`` options always, each ``optional`` one or
    not, the observer (--lat/--lon, --place, both or neither) and some of the ``flags``.
    Each value is plausible or hostile; how often hostile is drawn per example (never,
    rarely, often), so that some runs answer and the rest refuse for many reasons."""
    level = draw(st.sampled_from([0, 0, 10, 25, 50]))

    def value(spec: Spec) -> list[str]:
        flag, plausible, hostile = spec
        hostile_now = draw(st.integers(0, 99)) < level
        return [flag, draw(hostile if hostile_now else plausible)]

    args: list[str] = []
    for spec in required:
        args += value(spec)
    if observer:
        kind = draw(st.sampled_from(["latlon", "latlon", "latlon", "place", "place", "both",
                                     "none"]))
        if kind in ("latlon", "both"):
            args += value(LAT) + value(LON)
        if kind in ("place", "both"):
            args += value(PLACE)
        if draw(st.booleans()):
            args += value(ALT)
    for spec in optional:
        if draw(st.booleans()):
            args += value(spec)
    args += sorted(draw(st.sets(st.sampled_from(flags))))
    return args


START = ("--from", in_history(), odd_times())
DAYS = ("--days", floats(0.05, 1.5), short_window(1, 367))


@given(argv([START, DAYS],
            [("--min-elevation", floats(-5, 85), odd_numbers()),
             ("--shadow-height-km", floats(0, 100), odd_numbers()),
             ("--brighter-than", floats(-5, 5), odd_numbers()),
             ("--rules", st.sampled_from(["zarya", "spot-the-station"]),
              st.one_of(st.sampled_from(HOSTILE_RULES), fs.odd_text(20))),
             ("--sun-limit", floats(-18, 0), odd_numbers()),
             ("--limiting-magnitude", floats(1, 7), odd_numbers()), SAT, TZ],
            flags=("--visible", "--against-sky", "--json", "--refraction", "--allow-stale",
                   "--no-extinction")))
@CLI
@example(["--from", "2016-04-04", "--lat", "51.17", "--lon", "71.45", "--sat", "²"])  # D6
@example(["--from", "2016-04-04", "--place", "Astana", "--sat", "99999999999999999999999"])
def test_cli_passes(args: list[str]) -> None:
    check_cli(["passes", "--days", "1", *args])


@given(argv([("--at", in_history(), odd_times())], [SAT]))
@CLI
def test_cli_now(args: list[str]) -> None:
    check_cli(["now", *args])


@given(argv([START, DAYS],
            [("--freq-mhz", floats(1, 1e4), odd_numbers()),
             ("--min-elevation", floats(-5, 85), odd_numbers()),
             ("--step-s", floats(1, 3600), odd_numbers()), SAT, TZ]))
@CLI
def test_cli_radio(args: list[str]) -> None:
    check_cli(["radio", "--days", "1", *args])


@given(argv([START, DAYS], [("--radius-km", floats(1, 20_000), odd_numbers()), SAT, TZ]))
@CLI
def test_cli_overflights(args: list[str]) -> None:
    check_cli(["overflights", "--days", "1", *args])


@given(argv([START],
            [("--hours", floats(0.1, 3), short_window(3, 721)),
             ("--step-s", floats(10, 3600), odd_numbers()),
             ("--format", st.sampled_from(["geojson", "csv", "json"]),
              st.sampled_from(["", "xml", "²", "GEOJSON", "\x00"])), SAT],
            observer=False))
@CLI
def test_cli_track(args: list[str]) -> None:
    check_cli(["track", *args])


@st.composite
def orbit_window(draw: st.DrawFn) -> list[str]:
    """--from and --to: a start in the history and an end up to 3 days either side of it,
    now and then either of them odd."""
    start = datetime(2016, draw(st.integers(1, 5)), draw(st.integers(1, 28)),
                     draw(st.integers(0, 23)), tzinfo=UTC)
    end = start + timedelta(days=draw(st.floats(-3, 3)))
    texts = [start.strftime("%Y-%m-%dT%H:%M:%SZ"), end.strftime("%Y-%m-%dT%H:%M:%S.%fZ")]
    if draw(st.integers(0, 2)) == 0:
        texts[draw(st.integers(0, 1))] = draw(odd_times())
    return ["--from", texts[0], "--to", texts[1]]


@given(orbit_window(), argv([], [SAT], observer=False))
@CLI
def test_cli_orbits(window: list[str], args: list[str]) -> None:
    check_cli(["orbits", *window, *args])


@given(st.one_of(st.sampled_from(["25544", "ISS", "iss", "A0001"]), sat_values()),
       st.booleans())
@CLI
@example("²", False)  # D6
@example("99999999999999999999999", True)  # D6
def test_cli_elements_show(sat: str, as_json: bool) -> None:
    check_cli(["elements", "show", sat, *(["--json"] if as_json else [])])


@given(fs.element_bytes())
@settings(max_examples=20, **FUZZ)
def test_cli_element_files(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    """Element files on the command line: --elements (read, then used) and `elements
    import` (read, then written to a store of its own)."""
    folder = tmp_path_factory.mktemp("cli-files")
    path = folder / "elements.txt"
    path.write_bytes(data)
    check_cli(["now", "--elements", str(path), "--at", "2016-04-04T21:00:00Z",
               "--lat", "51.17", "--lon", "71.45", "--allow-stale"])
    check_cli(["elements", "import", str(path), "--db", str(folder / "e.sqlite")])


@given(fs.places_texts(), st.sampled_from(["csv", "jsonl", "parquet"]))
@settings(max_examples=15 * SCALE, **FUZZ)
def test_cli_batch_places(tmp_path_factory: pytest.TempPathFactory, text: str,
                          suffix: str) -> None:
    """`zarya batch --places FILE` with odd places files (a short window)."""
    folder = tmp_path_factory.mktemp("batch")
    path = folder / "places.csv"
    path.write_text(text, encoding="utf-8")
    check_cli(["batch", "--places", str(path), "--from", "2016-04-04", "--days", "0.2",
               "--out", str(folder / f"out.{suffix}")])


# ------------------------------------------------------------------------------ web
APP = create_app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
QUIET = TestClient(APP, raise_server_exceptions=False)
GET_ROUTES = ["/api/passes", "/api/now", "/api/track", "/api/orbits", "/api/overflights",
              "/api/places", "/feeds/passes.ics", "/charts/sky.svg", "/charts/map.svg", "/"]


@pytest.fixture(scope="module")
def raising_client() -> TestClient:
    """A client that lets the app's exceptions through (to tell a known bug by its
    traceback)."""
    return TestClient(APP, raise_server_exceptions=True)


def check_web(client: TestClient, route: str, params: dict[str, str]) -> None:
    """Anything but 5xx; a refusal of ours is one sentence. A 5xx is replayed with the
    app's exception let through, so that the failure shows its traceback."""
    r = QUIET.get(route, params=params)
    note(f"HTTP {r.status_code}")
    if r.status_code >= 500:
        client.get(route, params=params)
        pytest.fail(f"{route} {params!r}: {r.status_code} {r.text[:300]}")
    if r.status_code == 422 and r.headers["content-type"].startswith("application/json"):
        detail = r.json()["detail"]
        assert isinstance(detail, str) and detail and "\n" not in detail, detail


@schema.parametrize()
@WEB
def test_web_schema_no_server_errors(case, raising_client: TestClient) -> None:
    """Every GET route of the OpenAPI schema, with what schemathesis makes of it (valid by
    the schema or not): never 5xx ("not a server error")."""
    response = case.call()
    if response.status_code >= 500:
        check_web(raising_client, case.formatted_path, case.query or {})
    else:
        from schemathesis.checks import not_a_server_error

        case.validate_response(response, checks=[not_a_server_error])


@st.composite
def web_questions(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    """A route and its query: plausible values (a place, a start in the history, short
    windows) with some of them hostile, how many drawn per example."""
    level = draw(st.sampled_from([0, 10, 30, 60]))

    def value(plausible: st.SearchStrategy[str], hostile: st.SearchStrategy[str]) -> str:
        return draw(hostile if draw(st.integers(0, 99)) < level else plausible)

    params = {
        "lat": value(floats(-90, 90), odd_numbers()),
        "lon": value(floats(-180, 180), odd_numbers()),
        "from": value(in_history(), odd_times()),
        "at": value(in_history(), odd_times()),
        "to": value(in_history(), odd_times()),
        "days": value(floats(0.05, 1), odd_numbers()),
        "hours": value(floats(0.1, 3), odd_numbers()),
        "alt_m": value(floats(-500, 100_000), odd_numbers()),
        "min_elevation": value(floats(-5, 85), odd_numbers()),
        "radius_km": value(floats(1, 20_000), odd_numbers()),
        "step_s": value(floats(10, 3600), odd_numbers()),
        "shadow_height_km": value(floats(0, 100), odd_numbers()),
        "brighter_than": value(floats(-5, 5), odd_numbers()),
        "sat": value(st.sampled_from(["25544", "ISS", "iss (zarya)"]), sat_values()),
        "place": value(PLACE[1], PLACE[2]),
        "rules": value(st.sampled_from(["zarya", "spot-the-station"]),
                       st.sampled_from(HOSTILE_RULES)),
        "tz": value(TZ[1], TZ[2]),
        "q": value(st.sampled_from(["Ast", "Par", "spring"]), fs.odd_text(20)),
        "limit": value(st.integers(1, 20).map(str), odd_numbers()),
        "visible": value(st.sampled_from(["0", "1"]), fs.odd_text(5)),
    }
    keep = draw(st.sets(st.sampled_from(sorted(params))))
    # at most 2,000 characters a value: longer URLs are refused by the HTTP client itself
    return draw(st.sampled_from(GET_ROUTES)), {k: params[k][:2000] for k in sorted(keep)}


@given(web_questions())
@settings(max_examples=30 * SCALE, **FUZZ)
def test_web_questions(raising_client: TestClient, question: tuple[str, dict[str, str]]) -> None:
    """Any route, any mix of plausible and hostile values: never 5xx."""
    route, params = question
    hypothesis_note(f"GET {route} {params!r}"[:3000])
    check_web(raising_client, route, params)


HOSTILE_QUERY = (
    [("sat", v) for v in ["²", "99999999999999999999999", "-1", "", "9" * 39, "٢٥٥٤٤"]]
    + [(k, v) for k in ("lat", "lon") for v in ["nan", "NaN", "inf", "-inf", "Infinity",
                                                  "1e400", "-1e400", "²", ""]]
    + [("alt_m", "nan"), ("alt_m", "1e400"), ("days", "nan"), ("days", "inf"),
       ("days", "1e400"), ("min_elevation", "nan"), ("radius_km", "inf"),
       ("shadow_height_km", "nan"), ("brighter_than", "-inf"), ("hours", "nan"),
       ("step_s", "1e-300"), ("limit", "99999999999999999999999"), ("from", "9999-12-31"),
       ("at", "0001-01-01T00:00:00Z"), ("tz", "../../etc/passwd"), ("q", "\x00"),
       ("place", "\x1b[2J"), ("rules", "²")]
)


@pytest.mark.parametrize("route", GET_ROUTES)
@pytest.mark.parametrize(("key", "value"), HOSTILE_QUERY)
def test_web_hostile_values(raising_client: TestClient, route: str, key: str,
                            value: str) -> None:
    """Each route with one hostile value in an otherwise plausible question."""
    params = {"lat": "51.17", "lon": "71.45", "from": "2016-04-04", "days": "1",
              "at": "2016-04-04T21:00:00Z", "to": "2016-04-05", "hours": "1", "q": "Ast"}
    params[key] = value
    check_web(raising_client, route, params)


# -------------------------------------------------------------- regression tests
# One per bug found (D: the numbers; N: new here), each fixed.
ISS = iss_sets()[-1]
RECORD = omm_record(ISS)


def _refused(call: Callable[..., object], *args: object, **kwargs: object) -> None:
    """The call raises a ZaryaError (and nothing else)."""
    with pytest.raises(ZaryaError):
        call(*args, **kwargs)


def _import(tmp_path: Path, text: str, name: str = "file") -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    with open_store(tmp_path / "elements.sqlite", seed=False) as store:
        store.import_files([path])


def test_regression_d1_deep_json(tmp_path: Path) -> None:
    """D1: '[' * 100000 raised RecursionError (elements import, --elements)."""
    _refused(read_elements_text, "[" * 100_000)
    _refused(_import, tmp_path, "[" * 100_000)
    _refused(_import, tmp_path, '[{"EPOCH": ' + "[" * 100_000 + "]}]")
    code, _, err = run_strict(["now", "--elements", str(tmp_path / "file"), "--lat", "1",
                            "--lon", "1"])
    assert code == 2 and err.count("\n") == 1


@pytest.mark.parametrize("field", ["REV_AT_EPOCH", "ELEMENT_SET_NO"])
@pytest.mark.parametrize("value", [1e19, 10**19, 2**63, 1e300])
def test_regression_d2_huge_integers(tmp_path: Path, field: str, value: float) -> None:
    """D2: REV_AT_EPOCH or ELEMENT_SET_NO >= 1e19 raised OverflowError from SQLite."""
    _refused(_import, tmp_path, json.dumps([dict(RECORD, **{field: value})]))


@pytest.mark.parametrize("epoch", ["9999-12-31T23:59:59.999999999", "9999-12-31T23:59:59",
                                   "0001-01-01T00:00:00"])
def test_regression_d3_epoch_at_the_end_of_time(tmp_path: Path, epoch: str) -> None:
    """D3: EPOCH 9999-12-31T23:59:59.999999999 raised OverflowError."""
    text = json.dumps([dict(RECORD, EPOCH=epoch)])
    result = answers_or_refuses(read_elements_text, text)
    used(result)
    _refused(_import, tmp_path, text)


def test_regression_d4_huge_csv_field(tmp_path: Path) -> None:
    """D4: an OMM CSV field over 128 KB raised _csv.Error from passes --elements."""
    text = to_csv([ISS]).replace(ISS.name, '"' + "x\n" * 70_000 + '"')
    path = tmp_path / "big.csv"
    path.write_text(text)
    _refused(read_elements_file, path)
    code, _, err = run_strict(["passes", "--elements", str(path), "--lat", "1", "--lon", "1",
                            "--from", "2016-04-04", "--days", "1"])
    assert code == 2 and err.startswith("zarya: error:") and err.count("\n") == 1


@pytest.mark.parametrize("name", ["x" * 200_000, '"' + "x\n" * 100_000 + '"'])
def test_regression_d5_places_huge_name(tmp_path: Path, name: str) -> None:
    """D5: a places file with a 200,000-character name raised _csv.Error from batch."""
    path = tmp_path / "places.csv"
    path.write_text(f"name,lat,lon\n{name},1,2\n")
    _refused(read_places, path)
    code, _, err = run_strict(["batch", "--places", str(path), "--from", "2016-04-04",
                            "--days", "0.1", "--out", str(tmp_path / "out.csv")])
    assert code == 2 and err.count("\n") == 1


D6_SATS = ["²", "99999999999999999999999", "٢٥٥٤٤", "9" * 40]


@pytest.mark.parametrize("sat", D6_SATS)
@pytest.mark.parametrize("command", [
    ["now", "--at", "2016-04-04T21:00:00Z"], ["elements", "show"],
    ["passes", "--lat", "1", "--lon", "1", "--from", "2016-04-04", "--days", "1"],
])
def test_regression_d6_sat_cli(command: list[str], sat: str) -> None:
    """D6: --sat 99999999999999999999999, --sat ², elements show ² crashed."""
    argv = [*command, sat] if command[0] == "elements" else [*command, "--sat", sat]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    assert code == 2 and err.getvalue().startswith("zarya: error:"), err.getvalue()
    assert err.getvalue().count("\n") == 1


@pytest.mark.parametrize("sat", D6_SATS)
@pytest.mark.parametrize("route", ["/api/now", "/api/passes", "/charts/map.svg"])
def test_regression_d6_sat_web(route: str, sat: str) -> None:
    """D6: the web answered 500 to sat=²."""
    r = QUIET.get(route, params={"sat": sat, "lat": "1", "lon": "1", "from": "2016-04-04",
                                  "days": "1", "at": "2016-04-04T21:00:00Z"})
    assert r.status_code == 422, (r.status_code, r.text[:300])


NUMBERS = itertools.count(99_001)  # a new object for each example (the store is the test's)
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


@given(st.lists(st.sampled_from(["\r", "\x00", "\x1b", "\x07", "\x85", "\u2028", "\u202e",
                                 "\t", "<", "&", "ä", "x", " ", "]]>", "\\n", "\r\n"]),
                min_size=1, max_size=12).map("".join)
       | st.sampled_from(["ISS\r\nX-EVIL: 1", "x" * 10_000, "\x1b[2J\x1b[H", "A\x00B"]))
@settings(max_examples=8, **FUZZ)
def test_regression_d13_names_shown_safely(tmp_path_factory: pytest.TempPathFactory,
                                           name: str) -> None:
    """D13: an OMM OBJECT_NAME with CR, NUL or ESC was printed raw (the terminal, the ICS),
    made the SVG invalid; names had no length limit. An object of that name imported into
    the store: the table on the terminal holds no control character, the map is XML, the
    calendar has no line but CRLF-ended ones and no control character."""
    folder = tmp_path_factory.mktemp("names")
    path = folder / "odd.json"
    norad = str(next(NUMBERS))
    iss_2016 = next(es for es in iss_sets() if es.epoch.year == 2016 and es.epoch.month == 4)
    path.write_text(json.dumps([dict(omm_record(iss_2016), OBJECT_NAME=name,
                                     NORAD_CAT_ID=int(norad))]))
    code, out, err = run_strict(["elements", "import", str(path)])
    if code != 0:  # refusing such a name is a fix too
        assert code == 2 and err.count("\n") == 1
        return
    code, out, err = run_strict(["now", "--sat", norad, "--at", "2016-04-04T21:00:00Z",
                              "--lat", "51.17", "--lon", "71.45"])
    assert code == 0, err
    assert not CONTROL.search(out), repr(out)
    assert all(len(line) < 1_000 for line in out.splitlines())
    client = TestClient(create_app())
    svg = client.get("/charts/map.svg", params={"sat": norad, "at": "2016-04-04T21:00:00Z"})
    assert svg.status_code == 200, svg.text[:300]
    ET.fromstring(svg.content)
    ics = client.get("/feeds/passes.ics", params={"sat": norad, "lat": "51.17",
                                                  "lon": "71.45", "from": "2016-04-04",
                                                  "days": "2", "visible": "0"})
    assert ics.status_code == 200, ics.text[:300]
    body = ics.text
    assert body.endswith("\r\n") and "\n" not in body.replace("\r\n", "")
    assert "\r" not in body.replace("\r\n", "")
    assert not CONTROL.search(body.replace("\r\n", "")), repr(body[:500])


def test_regression_d14_cr_only_tle(tmp_path: Path) -> None:
    """D14: a TLE file with CR-only line endings was read by --elements but refused by
    `elements import` with a misleading message: both read it alike."""
    text = "\r".join([ISS.name, ISS.line1 or "", ISS.line2 or ""]) + "\r"
    path = tmp_path / "cr.tle"
    path.write_bytes(text.encode("ascii"))
    assert [es.epoch for es in read_elements_file(path)] == [ISS.epoch]
    code, _, err = run_strict(["elements", "import", str(path), "--db", str(tmp_path / "e.sqlite")])
    assert code == 0, err


@pytest.mark.parametrize("literal", ["9" * 5000, "-" + "1" * 4301, "1" + "0" * 4400])
def test_regression_n1_json_number_of_5000_digits(tmp_path: Path, literal: str) -> None:
    """N1: a JSON integer of more than 4,300 digits (any value of an OMM record) raised
    ValueError ('Exceeds the limit (4300 digits) for integer string conversion') from
    json's decoder, not an OMMError; --elements and `elements import` printed a traceback."""
    text = '[{"NORAD_CAT_ID": ' + literal + "}]"
    _refused(read_omm_json, text)
    path = tmp_path / "digits.json"
    path.write_text(text)
    for argv in (["now", "--elements", str(path), "--lat", "1", "--lon", "1"],
                 ["elements", "import", str(path), "--db", str(tmp_path / "e.sqlite")]):
        code, _, err = run_strict(argv)
        assert code == 2 and err.startswith("zarya: error:") and err.count("\n") == 1


@pytest.mark.parametrize("command", [["now"], ["elements", "show"]])
def test_regression_n2_sat_of_5000_digits(command: list[str]) -> None:
    """N2: --sat (or `elements show`) with more than 4,300 ASCII digits: ValueError from
    int() in the check of the query, before the refusal of a number too large (D6)."""
    sat = "9" * 5000
    argv = [*command, sat] if command[0] == "elements" else [*command, "--sat", sat]
    code, _, err = run_strict(argv)
    assert code == 2 and err.startswith("zarya: error:") and err.count("\n") == 1


@pytest.mark.parametrize("encoding", ["x-unknown", "ebcdic", ""])
def test_regression_n3_xml_unknown_encoding(tmp_path: Path, encoding: str) -> None:
    """N3: an OMM XML file declaring an encoding Python does not know raised LookupError."""
    text = fs.seed_corpus()["omm-xml"][0].replace('encoding="UTF-8"', f'encoding="{encoding}"')
    _refused(read_omm_xml, text)
    path = tmp_path / "odd.xml"
    path.write_text(text)
    code, _, err = run_strict(["elements", "import", str(path), "--db", str(tmp_path / "e.sqlite")])
    assert code == 2 and err.count("\n") == 1


@pytest.mark.parametrize("encoding", ["kvn", "xml"])
def test_regression_n4_oem_segment_twice(tmp_path: Path, encoding: str) -> None:
    """N4: an OEM giving the same segment twice (overlapping segments): ValueError 'The
    truth value of an array ... is ambiguous' (list.index compares the segments' numpy
    arrays with ==) instead of the refusal of overlapping segments."""
    if encoding == "kvn":
        _refused(_oem_twice)
        return
    text = fs.oem_seed_xml()
    segment = text[text.index("<segment>") : text.index("</segment>") + len("</segment>")]
    _refused(read_oem, text.replace("</body>", segment + "</body>"))


@pytest.mark.parametrize(("old", "new"), [
    (FIRST_STATE, "9999-366T00:00:00.000Z 236.607189722756"),
    (CREATED, "CREATION_DATE = 9999-366T00:00:00"),
    ("META_STOP", "USEABLE_START_TIME = 9999-366T00:00:00\nMETA_STOP"),
])
def test_regression_n5_oem_day_366_of_9999(old: str, new: str) -> None:
    """N5: an OEM epoch on day 366 of 9999 (state, CREATION_DATE, USEABLE_START_TIME):
    OverflowError 'date value out of range' from the day-of-year arithmetic."""
    _refused(_oem_with, old, new)


@pytest.mark.parametrize(("old", "new"), [
    (CREATED, "CREATION_DATE = 9999-365T23:59:60.999"),
    (CREATED, "CREATION_DATE = 9999-12-31T23:59:60.5"),
])
def test_regression_n6_oem_leap_second_ending_9999(old: str, new: str) -> None:
    """N6: an OEM instant in a leap second ending the year 9999: OverflowError from the
    conversion to datetime (CREATION_DATE; a state there overflows the same way)."""
    _refused(_oem_with, old, new)


def test_regression_n7_oem_position_1e300(tmp_path: Path) -> None:
    """N7: an OEM state at 1e300 km: numpy's overflow RuntimeWarnings (4 more lines on
    stderr before the one-line refusal, which then says 'inf km')."""
    text = fs.oem_seed_kvn().replace(FIRST_STATE, "2025-057T12:00:00.000Z 1e300")
    path = tmp_path / "far.oem"
    path.write_text(text)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # a user's interpreter prints them on stderr
        code, _, err = run_strict(["now", "--elements", str(path), "--at",
                                   "2025-02-27T00:00:00Z"])
        _refused(read_oem, text)
    assert code == 2 and err.count("\n") == 1, err
    assert [str(w.message) for w in caught] == []


@pytest.mark.parametrize("alt_m", ["44331", "50000", "100000"])
def test_regression_n8_refraction_high_up(alt_m: str) -> None:
    """N8: passes --refraction with --alt-m above 44,330.8 m (allowed up to 100,000): the
    standard atmosphere's pressure is NaN past its top, a RuntimeWarning goes to stderr
    and every pass disappears (4 passes at 44,330 m, none at 44,331 m)."""
    common = ["passes", "--from", "2016-04-04", "--days", "1", "--lat", "51", "--lon", "71",
              "--refraction", "--json"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        below = run_strict([*common, "--alt-m", "44330"])
        above = run_strict([*common, "--alt-m", alt_m])
    assert below[0] == 0 and len(json.loads(below[1])["passes"]) > 0
    assert above[0] == 0 and len(json.loads(above[1])["passes"]) > 0
    assert [str(w.message) for w in caught] == []


# ------------------------------------------------------------------ the fuzz harness
def test_mutations_reach_the_checks_behind_the_first() -> None:
    """The nearly-right inputs get past the format checks: among mutated TLE pairs some
    are accepted and the refusals name many different columns."""
    rng = random.Random(1)
    accepted, columns = 0, set()
    for _ in range(400):
        name, l1, l2 = rng.choice(fs.tle_seeds())
        col = rng.randrange(1, 69)
        line = [l1, l2][rng.randrange(2)]
        mutated = fs.with_checksum(line[: col - 1] + rng.choice("0123456789 .-+") + line[col:])
        try:
            parse_tle(*(mutated, l2) if line is l1 else (l1, mutated), name, lenient=True)
            accepted += 1
        except ZaryaError as exc:
            columns.add(getattr(exc, "column", None))
    assert accepted > 50 and len(columns) > 10
