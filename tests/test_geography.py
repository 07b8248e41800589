"""What lies beneath: Natural Earth countries, named seas, the ocean partition."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest

from zarya.domain.geography import SEAS, beneath, country_at, country_polygons, water_at


def signed_area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.sum(x[:-1] * y[1:] - x[1:] * y[:-1]))


def test_bundled_shapes_are_small_and_well_formed():
    size = resources.files("zarya").joinpath("data/ne_110m_countries.geojson").read_bytes()
    assert len(size) < 1_000_000
    countries = country_polygons()
    assert len(countries) == 177
    assert len({c.name for c in countries}) == 177
    for c in countries:
        assert c.polygons
        for polygon in c.polygons:
            for k, ring in enumerate(polygon):
                assert ring.shape[1] == 2 and len(ring) >= 4
                assert np.array_equal(ring[0], ring[-1])  # closed
                assert np.all(np.abs(ring[:, 0]) <= 180.0) and np.all(np.abs(ring[:, 1]) <= 90.0)
                # RFC 7946: exteriors counter-clockwise, holes clockwise
                assert (signed_area(ring) > 0) == (k == 0), (c.name, k)
    assert sum(len(c.rings) for c in countries) >= 280


@pytest.mark.parametrize(
    "lat, lon, name",
    [
        (51.17, 71.45, "Kazakhstan"),  # Astana
        (45.920278, 63.342222, "Kazakhstan"),  # Baikonur Site 1/5
        (47.4, 69.7, "Kazakhstan"),  # Soyuz landing zone
        (48.86, 2.35, "France"),
        (-33.87, 151.0, "Australia"),
        (40.0, -100.0, "United States of America"),
        (-10.0, -55.0, "Brazil"),
        (64.0, 100.0, "Russia"),
        (64.0, 178.0, "Russia"),  # east of the antimeridian cut
        (-80.0, 0.0, "Antarctica"),
        (-89.9, 123.0, "Antarctica"),
        (30.0, -40.0, "North Atlantic Ocean"),
        (-30.0, -15.0, "South Atlantic Ocean"),
        (20.0, -150.0, "North Pacific Ocean"),
        (20.0, 170.0, "North Pacific Ocean"),
        (-20.0, -120.0, "South Pacific Ocean"),
        (-20.0, 80.0, "Indian Ocean"),
        (10.0, 65.0, "Indian Ocean"),
        (-45.0, 120.0, "Indian Ocean"),
        (-45.0, 150.0, "South Pacific Ocean"),  # east of Tasmania's meridian
        (80.0, 0.0, "Arctic Ocean"),
        (-65.0, -100.0, "Southern Ocean"),
        (42.0, 50.5, "Caspian Sea"),
        (35.0, 18.0, "Mediterranean Sea"),
        (43.0, 34.0, "Black Sea"),
        (25.0, -90.0, "Gulf of Mexico"),
        (15.0, -75.0, "Caribbean Sea"),
        (20.0, 38.5, "Red Sea"),
        (27.0, 51.0, "Persian Gulf"),
        (58.0, 20.0, "Baltic Sea"),
        (56.0, 3.0, "North Sea"),
        (60.0, -85.0, "Hudson Bay"),
        (46.0, -5.0, "North Atlantic Ocean"),  # Bay of Biscay, not the Mediterranean
        (-57.0, -70.0, "South Pacific Ocean"),  # Drake Passage, west of Cape Horn
        (-57.0, -64.0, "South Atlantic Ocean"),  # east of it
    ],
)
def test_beneath_known_points(lat, lon, name):
    assert beneath([lat], [lon])[0] == name


def test_arrays_keep_their_shape():
    lat, lon = np.meshgrid(np.linspace(-80, 80, 9), np.linspace(-170, 170, 7), indexing="ij")
    names = beneath(lat, lon)
    assert names.shape == (9, 7)
    assert all(isinstance(n, str) and n for n in names.ravel())
    assert country_at(lat, lon).shape == (9, 7)


def test_every_water_point_has_a_name():
    lat, lon = np.meshgrid(np.arange(-89, 90, 3.0), np.arange(-179, 180, 3.0), indexing="ij")
    land = country_at(lat, lon) != ""
    water = water_at(lat[~land], lon[~land])
    allowed = {name for name, _ in SEAS} | {
        "Arctic Ocean", "Southern Ocean", "North Atlantic Ocean", "South Atlantic Ocean",
        "North Pacific Ocean", "South Pacific Ocean", "Indian Ocean", "inland water",
    }
    assert set(water) <= allowed
    assert 0.25 < land.mean() < 0.40  # land, Antarctica included, on a uniform lat/lon grid
    assert np.count_nonzero(water == "inland water") <= 5
    # the named seas' polygons are only used for water: none of them overrides a country
    inside_sea = beneath(lat, lon)
    assert np.all(inside_sea[land] == country_at(lat, lon)[land])
