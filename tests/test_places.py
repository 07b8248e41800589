"""Tests of zarya.places: the gazetteer, the named sites and time zones.

Reference coordinates are GeoNames' (the source of the bundled data), e.g. Astana (geonameid
1526273) 51.1801 N 71.44598 E; the named sites are the published coordinates listed in the
project's shared data README (Baikonur Site 1/5 45.920278 N 63.342222 E, ...).
"""

from __future__ import annotations

import dataclasses
import math
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import zarya.domain.places as places
from zarya.cli.app import flag
from zarya.domain.places import (
    NAMED_SITES,
    Place,
    most_populous,
    resolve_place,
    search_label,
    search_places,
    timezone_at,
)
from zarya.errors import ObserverError, PlaceError, ZaryaError

SRC = Path(places.__file__).resolve().parents[2]


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.atan2(y, x)) % 360


def _error(query: str) -> str:
    with pytest.raises(PlaceError) as info:
        resolve_place(query)
    message = info.value.worded(flag)  # as the command line says it
    assert "\n" not in message and "\r" not in message, message
    assert info.value.query == " ".join(query.split())
    return message


# --- cities -----------------------------------------------------------------------------


def test_astana_has_geonames_coordinates() -> None:
    astana = resolve_place("Astana")
    assert astana.kind == "city"
    assert astana.country_code == "KZ"
    assert astana.lat_deg == pytest.approx(51.18, abs=0.05)  # GeoNames 51.1801 N
    assert astana.lon_deg == pytest.approx(71.45, abs=0.05)  # GeoNames 71.44598 E
    assert astana.alt_m == 0.0  # no elevations in the source
    assert astana.population > 1_000_000
    assert astana.timezone.startswith("Asia/")
    assert astana.label == "Astana, KZ"


@pytest.mark.parametrize(
    ("query", "cc", "lat", "lon"),
    [
        ("Paris", "FR", 48.853, 2.349),  # GeoNames 2988507
        ("Paris, FR", "FR", 48.853, 2.349),
        ("Paris, France", "FR", 48.853, 2.349),
        ("paris,fr", "FR", 48.853, 2.349),
        ("London", "GB", 51.509, -0.126),  # over London, Ontario (pop. 0.42 M vs 9.0 M)
        ("London, CA", "CA", 42.984, -81.233),
        ("Moscow", "RU", 55.752, 37.618),  # over Moscow, Idaho
        ("Tokyo", "JP", 35.690, 139.692),
        ("Athens", "GR", 37.984, 23.728),  # a capital, over Athens, Georgia (pop. 1/5.2)
        ("São Paulo", "BR", -23.548, -46.636),
        ("Sao Paulo", "BR", -23.548, -46.636),
        ("SAO PAULO", "BR", -23.548, -46.636),
        ("  são   paulo ", "BR", -23.548, -46.636),
        ("Springfield, IL, US", "US", 39.802, -89.644),  # Illinois, by its region code
        ("Springfield, MO", "US", 37.215, -93.298),  # MO: region code, not Macao
        ("Paris, TX", "US", 33.661, -95.556),
        ("Nur-Sultan", "KZ", 51.180, 71.446),  # an alternate name of Astana
        ("Bombay", "IN", 19.073, 72.883),  # Mumbai
        ("Zurich", "CH", 47.367, 8.550),  # Zürich
        ("Lodz", "PL", 51.771, 19.474),  # Łódź: the ł does not decompose; an alternate name
        ("Baikonur, KZ", "KZ", 45.617, 63.317),  # the town, not the site "baikonur"
    ],
)
def test_cities_resolve(query: str, cc: str, lat: float, lon: float) -> None:
    place = resolve_place(query)
    assert place.kind == "city"
    assert place.country_code == cc
    assert place.lat_deg == pytest.approx(lat, abs=0.01)
    assert place.lon_deg == pytest.approx(lon, abs=0.01)


def test_paris_us_is_an_american_paris() -> None:
    paris = resolve_place("Paris, US")
    assert paris.country_code == "US"
    assert 25 < paris.lat_deg < 50 and -125 < paris.lon_deg < -65
    assert paris.timezone.startswith("America/")
    assert resolve_place("Paris, USA") == paris


def test_one_name_found_without_the_index_is_the_indexed_answer() -> None:
    """Resolving one place searches the text instead of indexing 34,000 names (cold start,
    issue 17): the same cities in the same order as the index, for every name held by
    several cities (where a line count off by one would show) and a sample of the rest."""
    fresh = places._Gazetteer(places._read_data("cities.tsv.gz"),
                              places._read_data("countries.tsv"))
    index = places._Gazetteer(places._read_data("cities.tsv.gz"),
                              places._read_data("countries.tsv")).by_key
    shared = [k for k, rows in index.items() if len(rows) > 1]
    assert len(shared) > 1000
    names = shared[:1500] + list(index)[::97] + ["no such city", "paris"]
    assert [fresh.named(k) for k in names] == [index.get(k, []) for k in names]


def test_springfield_is_ambiguous_and_lists_candidates() -> None:
    message = _error("Springfield")
    assert message.startswith("ambiguous place 'Springfield'")
    # Missouri (pop. 170 k), Massachusetts (154 k), Illinois (114 k): none dominates.
    for candidate in ("Springfield, MO, US", "Springfield, MA, US", "Springfield, IL, US"):
        assert candidate in message
    assert "country code" in message and "--lat/--lon" in message
    assert "8 cities match" in message and "and 3 more" in message  # 8 in cities15000
    # A country code alone cannot tell them apart: the region code can.
    assert "Springfield, IL, US" in _error("Springfield, US")
    assert "US has one in region IL, MA, MO" in _error("Springfield, ZZ, US")


@pytest.mark.parametrize("query", ["Valencia", "Newcastle", "San Jose", "Hamilton"])
def test_namesakes_of_similar_size_are_ambiguous(query: str) -> None:
    assert _error(query).startswith(f"ambiguous place {query!r}")


def test_candidates_named_in_the_error_resolve() -> None:
    message = _error("Victoria")
    assert "Victoria, CA (" in message  # Victoria, British Columbia
    assert resolve_place("Victoria, CA").lat_deg == pytest.approx(48.43, abs=0.02)


# --- errors -----------------------------------------------------------------------------


def test_unknown_place_is_one_line_naming_the_sites() -> None:
    message = _error("Xyzzyville")
    assert message.startswith("unknown place 'Xyzzyville':")
    assert "--lat/--lon" in message
    assert all(key in message for key in NAMED_SITES)


def test_unknown_place_suggests_close_matches() -> None:
    message = _error("Pariss")
    assert "did you mean" in message and "'Paris, FR'" in message


def test_unknown_in_country_says_where_the_name_exists() -> None:
    message = _error("Paris, DE")
    assert "DE (Germany)" in message and "FR" in message and "US" in message


@pytest.mark.parametrize("query", ["", "   ", "\t\n"])
def test_empty_query(query: str) -> None:
    assert _error(query).startswith("empty place name")


def test_place_error_is_a_zarya_error() -> None:
    with pytest.raises(ZaryaError):
        resolve_place("Xyzzyville")


# --- named sites ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "lat", "lon", "alt_m"),
    [
        ("baikonur-1/5", 45.920278, 63.342222, 0.0),  # Gagarin's Start
        ("baikonur-31", 45.996034, 63.564003, 0.0),  # Site 31/6
        ("baikonur", 45.965, 63.305, 90.0),  # cosmodrome reference point, 90 m
        ("soyuz-landing-zone", 47.4, 69.7, 0.0),  # "about 47.4 N, 69.7 E"
        ("kennedy-39a", 28.608389, -80.604333, 0.0),
    ],
)
def test_named_sites_have_published_coordinates(
    key: str, lat: float, lon: float, alt_m: float
) -> None:
    site = resolve_place(key)
    assert site is NAMED_SITES[key]
    assert (site.lat_deg, site.lon_deg, site.alt_m) == (lat, lon, alt_m)
    assert site.kind == "site" and site.population == 0 and site.name == key
    assert site.label == site.description != ""
    assert resolve_place(key.upper()) is site


def test_site_names_are_forgiving() -> None:
    assert resolve_place("Baikonur 1/5") is NAMED_SITES["baikonur-1/5"]
    assert resolve_place("Soyuz landing zone") is NAMED_SITES["soyuz-landing-zone"]


def test_baikonur_sites_are_in_kazakhstan() -> None:
    for key in ("baikonur-1/5", "baikonur-31", "baikonur", "soyuz-landing-zone"):
        assert NAMED_SITES[key].country_code == "KZ"
    assert resolve_place("baikonur") is NAMED_SITES["baikonur"]  # sites before the town


def test_landing_zone_lies_east_south_east_of_zhezkazgan() -> None:
    # Published: about 146-148 km SE of Zhezkazgan; the zone is tens of km wide.
    town = resolve_place("Zhezkazgan")  # GeoNames "Zhezqazghan", 47.79411 N 67.70628 E
    zone = NAMED_SITES["soyuz-landing-zone"]
    assert town.country_code == "KZ"
    assert 135 < _distance_km(town.lat_deg, town.lon_deg, zone.lat_deg, zone.lon_deg) < 170
    assert 90 < _bearing_deg(town.lat_deg, town.lon_deg, zone.lat_deg, zone.lon_deg) < 180


def test_site_time_zones_agree_with_timezone_at() -> None:
    for site in NAMED_SITES.values():
        assert site.timezone == timezone_at(site.lat_deg, site.lon_deg), site.name


# --- suggestions and batches ------------------------------------------------------------


def test_search_places_prefix() -> None:
    found = search_places("ast")
    assert "Astana, KZ" in [p.label for p in found]
    assert len(found) <= 10
    assert [p.label for p in search_places("AST")] == [p.label for p in found]
    cities = [p for p in found if p.kind == "city"]
    by_name = [p for p in cities if p.name.lower().startswith("ast")]
    assert [p.population for p in by_name] == sorted((p.population for p in by_name), reverse=True)


def test_search_places_accents_sites_alternates_and_limits() -> None:
    assert search_places("sao pa", limit=3)[0].name == "São Paulo"
    assert len(search_places("sao pa", limit=3)) == 3
    assert [p.name for p in search_places("baik", limit=3)] == [
        "baikonur-1/5",
        "baikonur-31",
        "baikonur",
    ]
    assert "Astana" in [p.name for p in search_places("nur-s")]
    assert search_places("") == [] and search_places("  ") == []
    assert search_places("xqzzq") == []
    assert search_places("a", limit=0) == []


def test_search_labels_tell_namesakes_apart() -> None:
    """Suggestions were 'Springfield, US' eight times over, each one refused as ambiguous:
    the label adds the region code where name and country repeat, as the ambiguity
    message does, and resolves back to the very place."""
    springs = [p for p in search_places("Springfield") if p.name == "Springfield"]
    labels = [search_label(p) for p in springs]
    assert labels[:3] == ["Springfield, MO, US", "Springfield, MA, US", "Springfield, IL, US"]
    assert len(set(labels)) == len(labels) == 8
    assert [resolve_place(label) for label in labels] == springs
    assert resolve_place("Springfield, MO, US").region == "MO"
    assert search_label(resolve_place("Astana")) == "Astana, KZ"  # no namesake in KZ
    assert search_label(resolve_place("Paris, FR")) == "Paris, FR"
    for key, site in NAMED_SITES.items():
        assert search_label(site) == key and resolve_place(key) == site
    # two Hales in England: no name tells them apart; the label is refused, never the other
    hales = [p for p in search_places("Hale") if p.name == "Hale" and p.country_code == "GB"]
    assert len(hales) == 2
    for hale in hales:
        label = search_label(hale)
        assert label == f"Hale, ENG, GB ({hale.lat_deg:.2f}, {hale.lon_deg:.2f})"
        with pytest.raises(PlaceError, match="unknown place"):
            resolve_place(label)


def test_search_labels_resolve_to_their_place_across_the_gazetteer() -> None:
    """Every city with a namesake in its country, and every 25th city: its label is unique
    and gives back that city, or (name, country and region shared) is refused."""
    gaz = places._gazetteer()
    seen: dict[tuple[str, str], int] = {}
    for line in gaz.lines:
        key, _, cc, *_ = line.split("\t")
        seen[key, cc] = seen.get((key, cc), 0) + 1
    sample = [i for i, line in enumerate(gaz.lines)
              if i % 25 == 0 or seen[tuple(line.split("\t")[0:3:2])] > 1]  # fmt: skip
    assert len(sample) > 2000
    labels, shared = set(), 0
    for i in sample:
        city = gaz.place(i)
        label = search_label(city)
        labels.add(label)
        if label.endswith(f"({city.lat_deg:.2f}, {city.lon_deg:.2f})"):
            # refused by resolve_place (as the Hales above): the region does not tell
            shared += 1
            twins = gaz.matches(places._fold(city.name), city.country_code,
                                places._fold(city.region))
            assert len(twins) > 1 or not city.region, label
        else:
            assert resolve_place(label) == city, label
    assert len(labels) == len(sample)
    assert shared < 300  # the cities that share name, country and region with another


def test_most_populous() -> None:
    top = most_populous(10)
    assert len(top) == 10
    populations = [p.population for p in top]
    assert populations == sorted(populations, reverse=True)
    assert populations[0] > 10_000_000
    assert {"Shanghai", "Beijing"} <= {p.name for p in top}  # GeoNames' two largest
    assert "Tokyo" in {p.name for p in most_populous(50)}
    assert all(p.kind == "city" and p.country_code for p in top)
    assert most_populous(0) == []
    assert len(most_populous(10**6)) > 30_000  # all of cities15000


def test_city_time_zones_are_valid_iana_zones() -> None:
    for place in most_populous(200):
        ZoneInfo(place.timezone)


# --- time zones -------------------------------------------------------------------------


def test_timezone_at_astana() -> None:
    assert timezone_at(51.18, 71.45).startswith("Asia/")
    assert timezone_at(48.853, 2.349) == "Europe/Paris"


@pytest.mark.parametrize(("lat", "lon"), [(0.0, -140.0), (-60.0, 0.0), (0.0, 180.0), (90, -180)])
def test_timezone_over_the_ocean(lat: float, lon: float) -> None:
    zone = timezone_at(lat, lon)
    assert zone == "UTC" or zone.startswith("Etc/")
    ZoneInfo(zone)


@pytest.mark.parametrize(("lat", "lon"), [(91.0, 0.0), (0.0, 181.0), (math.nan, 0.0)])
def test_timezone_at_rejects_impossible_coordinates(lat: float, lon: float) -> None:
    with pytest.raises(ObserverError):
        timezone_at(lat, lon)


# --- the value object -------------------------------------------------------------------


def test_place_is_frozen_and_checked() -> None:
    place = resolve_place("Astana")
    with pytest.raises(dataclasses.FrozenInstanceError):
        place.lat_deg = 0.0  # type: ignore[misc]
    with pytest.raises(ObserverError):
        Place("nowhere", "", 95.0, 0.0, 0.0, 0, "UTC", "site")
    assert Place("x", "", 1.0, 2.0, 0.0, 0, "UTC", "site").label == "x"


# --- purity and speed -------------------------------------------------------------------


def _fresh_python(code: str) -> str:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
    }
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=60,
    )
    return result.stdout.strip()


def test_import_reads_nothing_and_lookup_reads_only_main_names() -> None:
    """Purity: importing reads no data; the first lookup reads only the main names (the
    speed of the cold start is a benchmark, benchmarks/bench_passes.py, not a test)."""
    out = _fresh_python(
        "import sys\n"
        "import zarya.domain.places as p\n"
        "print(p._gazetteer_cache is None, 'timezonefinder' in sys.modules)\n"
        "p.resolve_place('Astana')\n"
        "print(p._gazetteer_cache._alternates is None, 'timezonefinder' in sys.modules)\n"
    )
    first, second = out.splitlines()
    assert first == "True False"  # no data, no timezonefinder at import
    assert second == "True False"  # only the main names read, no timezonefinder


def test_bundled_data_names_its_source() -> None:
    import gzip

    data = SRC / "zarya" / "data"
    with gzip.open(data / "cities.tsv.gz", "rt", encoding="utf-8") as f:
        header = f.readline()
    assert "GeoNames" in header and "CC-BY 4.0" in header
    assert "GeoNames" in (data / "countries.tsv").read_text(encoding="utf-8").splitlines()[0]
    assert (data / "cities.tsv.gz").stat().st_size + (
        data / "alternates.txt.gz"
    ).stat().st_size < 2e6
