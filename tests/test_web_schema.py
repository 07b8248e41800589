"""A property-based run against the OpenAPI schema (schemathesis, in process over ASGI):
whatever the query, valid by the schema or not, the service never answers 5xx, and every
refusal is a JSON object with one sentence."""

from __future__ import annotations

from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from zarya.web import create_app

APP = create_app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


def one_sentence(ctx, response, case) -> None:
    """A 4xx answer of ours is ``{"detail": "<one line>"}``."""
    if 400 <= response.status_code < 500 and response.status_code not in (404, 405):
        detail = response.json()["detail"]
        assert isinstance(detail, str) and detail and "\n" not in detail, detail


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_no_server_errors(case) -> None:
    response = case.call_and_validate(checks=[not_a_server_error])
    assert response.status_code < 500, (case.as_curl_command(), response.text)
    one_sentence(None, response, case)


# Plausible questions, which the schema alone rarely produces (its strings are seldom
# dates): places anywhere, including the poles and the antimeridian, dates in the bundled
# history, short windows. Every answer is 200, or 422 with a sentence; never 5xx.
question = st.fixed_dictionaries(
    {
        "lat": st.one_of(st.floats(-90, 90), st.sampled_from([-90.0, 90.0, 0.0, 51.6])),
        "lon": st.one_of(st.floats(-180, 180), st.sampled_from([-180.0, 180.0])),
        "from": st.dates(date(2015, 12, 1), date(2016, 6, 30)).map(str),
        "days": st.sampled_from([0.25, 1, 2]),
        "min_elevation": st.sampled_from([0, 10, 45, 80]),
        "visible": st.booleans().map(lambda b: "1" if b else "0"),
    }
)
ENDPOINTS = ["/api/passes", "/api/overflights", "/feeds/passes.ics", "/api/now",
             "/charts/map.svg", "/charts/sky.svg"]


@given(question, st.sampled_from(ENDPOINTS))
@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_plausible_questions(client, query, endpoint) -> None:
    if endpoint in ("/api/now", "/charts/map.svg", "/charts/sky.svg"):
        query = {"at": query["from"] + "T21:00:00Z", "lat": query["lat"], "lon": query["lon"],
                 "place": "a $place$"}
    r = client.get(endpoint, params=query)
    assert r.status_code in (200, 422), (endpoint, query, r.text)
    if r.status_code == 422:
        assert "\n" not in r.json()["detail"]


# The page '/' is not in the schema (it is HTML): its form's fields, fuzzed. Any text in any
# field, tricky numbers (nan, inf, 1e400 once made int() fail), and now and then a
# plausible value, so that some questions get as far as the passes and the map.
TRICKY = ["", " ", "nan", "NaN", "inf", "-inf", "+inf", "1e400", "-1e400", "0", "-0", "-1",
          "1e-300", "5e-324", "31", "30", "0.5", "10", "1_0", "0x10", "٣", "\x00", "now",
          "2016-04-04", "2016-04-04T21:00:00Z", "9999-12-31", "0001-01-01", "Astana",
          "Springfield", "Springfield, MO, US", "baikonur-1/5", "51.17", "71.45", "-90", "180",
          "<script>", "%s", "{{ 7*7 }}"]
field = st.one_of(
    st.none(),
    st.sampled_from(TRICKY),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=45),
)
form = st.fixed_dictionaries(
    {name: field for name in ("place", "lat", "lon", "from", "days")}
).map(lambda d: {k: v for k, v in d.items() if v is not None})


@given(form)
@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_page_form_never_fails(client, query) -> None:
    r = client.get("/", params=query)
    assert r.status_code in (200, 422), (query, r.status_code, r.text[-500:])
    if r.headers["content-type"].startswith("application/json"):  # over-long: refused early
        detail = r.json()["detail"]
        assert r.status_code == 422 and "characters long" in detail and "\n" not in detail
    elif r.status_code == 422:
        assert 'role="alert"' in r.text


@pytest.fixture(scope="module")
def client():
    from fastapi.testclient import TestClient

    return TestClient(APP)
