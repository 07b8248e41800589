"""What lies beneath a point: a country, a named sea or an ocean.

Countries come from Natural Earth's 1:110m "Admin 0 - Countries" (public domain, 177
countries, bundled as ``data/ne_110m_countries.geojson``; see ``tools/build_shapes.py``). At
that scale a coastline is generalised by a few km to tens of km, so a point near a coast can
fall on either side of it, and small islands are missing.

Natural Earth's marine polygons are not available to this project, so water is named by a
documented simple partition instead (:func:`water_at`):

1. ten named seas, each a coarse hand-drawn lon/lat polygon that is only consulted for points
   that are on no country (so its edges may cross land freely): the Mediterranean, Black,
   Caspian, Red, Baltic and North Seas, the Persian Gulf, the Gulf of Mexico, the Caribbean
   Sea and Hudson Bay (the Caspian is no country's either, and the ISS crosses it near
   Baikonur);
2. otherwise the Arctic Ocean north of the Arctic Circle (66.56 N), the Southern Ocean south
   of 60 S (the limit of the Antarctic Treaty and of the IHO's 2000 draft);
3. between them, three oceans split along lines that run over land (:data:`ATLANTIC_WEST`,
   :data:`ATLANTIC_EAST`, :data:`INDIAN_EAST`, linear in latitude between the knots) and in
   the open south along the meridians of Cape Horn (67.27 W), Cape Agulhas (20 E) and the
   South East Cape of Tasmania (146.9 E), as the IHO's limits do; the Atlantic and the
   Pacific are split at the equator into North and South.

Water between the Atlantic's and the Pacific's limits north of 31 N is the Arctic Ocean
north of 63.5 N (the White Sea, part of the Arctic Ocean for the IHO) and otherwise
``"inland water"`` (the few lakes that are no country's at 1:110m, such as Lake Onega).
Points at a coast or in a strait may take a neighbour's name: this is for telling people
where the station is, not for navigation.

Nothing is read at import: the shapes are read and indexed on first use (about 20 ms).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

__all__ = [
    "Country",
    "country_polygons",
    "country_at",
    "water_at",
    "beneath",
    "SEAS",
]


@dataclass(frozen=True)
class Country:
    """One country of Natural Earth 1:110m: its polygons as lon/lat rings.

    ``polygons`` is a tuple of polygons, each a tuple of rings (the exterior first, then any
    holes); a ring is a ``(K, 2)`` array of (lon_deg, lat_deg), closed (first = last point),
    exterior counter-clockwise. Polygons never cross the antimeridian (Natural Earth cuts
    them at +/-180).
    """

    name: str
    iso_a3: str
    continent: str
    polygons: tuple[tuple[np.ndarray, ...], ...]

    @property
    def rings(self) -> list[np.ndarray]:
        """Every ring of every polygon (exteriors and holes), for drawing borders."""
        return [ring for polygon in self.polygons for ring in polygon]


@lru_cache(maxsize=1)
def country_polygons() -> tuple[Country, ...]:
    """The 177 countries of Natural Earth 1:110m, sorted by name (read once, cached)."""
    text = resources.files("zarya").joinpath("data/ne_110m_countries.geojson").read_text("utf-8")
    out = []
    for feature in json.loads(text)["features"]:
        geometry = feature["geometry"]
        polys = (
            [geometry["coordinates"]]
            if geometry["type"] == "Polygon"
            else geometry["coordinates"]
        )
        props = feature["properties"]
        out.append(
            Country(
                props["name"],
                props["iso_a3"],
                props["continent"],
                tuple(tuple(np.asarray(ring, dtype=float) for ring in poly) for poly in polys),
            )
        )
    return tuple(out)


class _RingIndex:
    """Edges of many polygons, grouped by owner, with bounding boxes: an even-odd test."""

    def __init__(self, owners: list[list[np.ndarray]]) -> None:
        self.bbox = np.array(
            [
                [
                    min(r[:, 0].min() for r in rings),
                    max(r[:, 0].max() for r in rings),
                    min(r[:, 1].min() for r in rings),
                    max(r[:, 1].max() for r in rings),
                ]
                for rings in owners
            ]
        )
        self.edges = []
        for rings in owners:
            segs = [np.concatenate((r[:-1], r[1:]), axis=1) for r in rings]
            self.edges.append(np.concatenate(segs, axis=0))  # (E, 4): x0, y0, x1, y1

    def locate(self, lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
        """Index of the owner containing each point, -1 where none: ``(N,)`` int."""
        lat = np.asarray(lat_deg, dtype=float).ravel()
        lon = np.asarray(lon_deg, dtype=float).ravel()
        found = np.full(lat.shape, -1, dtype=np.int64)
        b = self.bbox
        candidates = (
            (lon[:, None] >= b[None, :, 0])
            & (lon[:, None] <= b[None, :, 1])
            & (lat[:, None] >= b[None, :, 2])
            & (lat[:, None] <= b[None, :, 3])
        )
        for k in np.flatnonzero(candidates.any(axis=0)):
            pts = np.flatnonzero(candidates[:, k] & (found < 0))
            if not len(pts):
                continue
            x, y = lon[pts, None], lat[pts, None]
            x0, y0, x1, y1 = (self.edges[k][:, j][None, :] for j in range(4))
            straddle = (y0 > y) != (y1 > y)
            with np.errstate(divide="ignore", invalid="ignore"):
                x_cross = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
            inside = (np.count_nonzero(straddle & (x < x_cross), axis=1) % 2) == 1
            found[pts[inside]] = k
        return found


@lru_cache(maxsize=1)
def _country_index() -> _RingIndex:
    return _RingIndex([c.rings for c in country_polygons()])


def country_at(lat_deg, lon_deg) -> np.ndarray:
    """The country beneath each point (Natural Earth's short name), or ``""`` on water.

    ``lat_deg``, ``lon_deg``: arrays of the same shape (degrees, longitude -180..180);
    returns an array of str of that shape.
    """
    lat = np.asarray(lat_deg, dtype=float)
    k = _country_index().locate(lat, np.asarray(lon_deg, dtype=float))
    names = np.array([c.name for c in country_polygons()] + [""], dtype=object)
    return names[np.where(k >= 0, k, -1)].reshape(lat.shape)


# ------------------------------------------------------------------------------ water
def _ring(*points: tuple[float, float]) -> np.ndarray:
    pts = np.array(points + (points[0],), dtype=float)
    return pts


# Coarse polygons (lon, lat), consulted only for points on no country: their edges run over
# land. Order matters only where two overlap (none do).
SEAS: tuple[tuple[str, np.ndarray], ...] = (
    ("Black Sea", _ring((27.0, 40.5), (42.0, 40.5), (42.0, 47.5), (27.0, 47.5))),
    ("Caspian Sea", _ring((46.0, 36.0), (56.0, 36.0), (56.0, 48.0), (46.0, 48.0))),
    ("Mediterranean Sea", _ring(
        (-5.6, 30.0), (37.0, 30.0), (37.0, 37.5), (26.5, 40.5), (26.5, 41.0), (20.0, 46.0),
        (12.0, 46.0), (9.0, 44.6), (3.0, 43.6), (0.0, 40.0), (-5.6, 36.5))),
    ("Red Sea", _ring((32.0, 12.5), (43.5, 12.5), (43.5, 30.0), (32.0, 30.0))),
    ("Persian Gulf", _ring((47.5, 23.5), (56.5, 23.5), (56.5, 30.5), (47.5, 30.5))),
    ("Baltic Sea", _ring(
        (9.5, 53.5), (30.5, 53.5), (30.5, 66.0), (20.0, 66.0), (12.0, 58.0), (9.5, 57.7))),
    ("North Sea", _ring(
        (1.0, 51.0), (9.5, 51.0), (9.5, 57.7), (8.0, 58.5), (5.0, 62.0), (-4.0, 62.0),
        (-3.5, 58.7), (-3.0, 56.0), (-1.5, 53.5))),
    ("Gulf of Mexico", _ring(
        (-98.0, 17.5), (-91.0, 17.5), (-87.0, 21.6), (-84.9, 21.9), (-83.0, 23.0),
        (-81.0, 23.1), (-80.5, 25.5), (-80.5, 31.0), (-98.0, 31.0))),
    ("Caribbean Sea", _ring(
        (-89.0, 14.0), (-87.0, 21.6), (-84.9, 21.9), (-74.0, 20.2), (-68.0, 18.5),
        (-65.0, 18.3), (-61.5, 16.5), (-61.0, 13.0), (-61.5, 10.5), (-62.0, 9.0),
        (-77.0, 7.0), (-83.0, 8.5))),
    ("Hudson Bay", _ring((-95.5, 51.0), (-76.5, 51.0), (-76.5, 64.5), (-95.5, 64.5))),
)  # fmt: skip

ARCTIC_CIRCLE_DEG = 66.56
SOUTHERN_OCEAN_DEG = -60.0
# (lat_deg, lon_deg) knots of the ocean limits, interpolated linearly in latitude; between
# the southern tips of the continents and 60 S they follow the IHO meridians.
ATLANTIC_WEST = np.array([  # Cape Horn, then over South and Central America, North America
    (-60.0, -67.27), (-56.0, -67.27), (-52.0, -71.0), (-40.0, -70.0), (-20.0, -68.0),
    (0.0, -75.0), (7.0, -77.5), (9.0, -79.6), (11.0, -85.0), (14.0, -88.0), (16.0, -92.0),
    (18.0, -95.0), (25.0, -100.0), (90.0, -100.0),
])  # fmt: skip
ATLANTIC_EAST = np.array([  # Cape Agulhas, then over Africa and Europe
    (-60.0, 20.0), (-34.8, 20.0), (0.0, 25.0), (90.0, 25.0),
])  # fmt: skip
INDIAN_EAST = np.array([  # South East Cape (Tasmania), over Australia, Indonesia, Malaya
    (-60.0, 146.9), (-43.6, 146.9), (-38.0, 146.0), (-30.0, 140.0), (-16.0, 133.0),
    (-11.0, 130.0), (-9.0, 125.0), (-7.5, 110.0), (-5.0, 104.0), (0.0, 101.5),
    (5.0, 100.5), (10.0, 99.2), (15.0, 99.0), (20.0, 100.0), (90.0, 100.0),
])  # fmt: skip
INDIAN_NORTH_DEG = 31.0  # no Indian Ocean water north of the Persian Gulf's head
WHITE_SEA_DEG = 63.5  # north of here, water between Europe's and Asia's limits is the White Sea


def _limit(knots: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return np.interp(lat, knots[:, 0], knots[:, 1])


@lru_cache(maxsize=1)
def _sea_index() -> _RingIndex:
    return _RingIndex([[ring] for _, ring in SEAS])


def water_at(lat_deg, lon_deg) -> np.ndarray:
    """The sea or ocean at each point, by the partition described in the module docstring.

    Says nothing about land: call it for points :func:`country_at` finds on no country.
    ``lat_deg``, ``lon_deg``: arrays of one shape (degrees); returns str of that shape.
    """
    lat = np.asarray(lat_deg, dtype=float)
    lon = np.asarray(lon_deg, dtype=float)
    shape = lat.shape
    lat, lon = lat.ravel(), lon.ravel()
    west = _limit(ATLANTIC_WEST, lat)
    east = _limit(ATLANTIC_EAST, lat)
    indian_east = _limit(INDIAN_EAST, lat)
    north = lat >= 0.0
    out = np.where(north, "North Pacific Ocean", "South Pacific Ocean").astype(object)
    atlantic = (lon >= west) & (lon <= east)
    out[atlantic] = np.where(north[atlantic], "North Atlantic Ocean", "South Atlantic Ocean")
    between = (lon > east) & (lon < indian_east)
    out[between & (lat < INDIAN_NORTH_DEG)] = "Indian Ocean"
    inland = between & (lat >= INDIAN_NORTH_DEG)
    out[inland] = np.where(lat[inland] >= WHITE_SEA_DEG, "Arctic Ocean", "inland water")
    out[lat >= ARCTIC_CIRCLE_DEG] = "Arctic Ocean"
    out[lat <= SOUTHERN_OCEAN_DEG] = "Southern Ocean"
    k = _sea_index().locate(lat, lon)
    named = k >= 0
    out[named] = np.array([name for name, _ in SEAS], dtype=object)[k[named]]
    return out.reshape(shape)


def beneath(lat_deg, lon_deg) -> np.ndarray:
    """The country beneath each point, else its sea or ocean: str array of the input shape.

    >>> beneath([51.17, 0.0, 42.0], [71.45, -30.0, 50.5]).tolist()
    ['Kazakhstan', 'North Atlantic Ocean', 'Caspian Sea']
    """
    lat = np.asarray(lat_deg, dtype=float)
    lon = np.asarray(lon_deg, dtype=float)
    names = country_at(lat, lon)
    water = names == ""
    if water.any():
        names = names.copy()
        names[water] = water_at(lat[water], lon[water])
    return names
