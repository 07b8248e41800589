"""Build zarya's bundled country shapes: src/zarya/data/ne_110m_countries.geojson.

Source: Natural Earth 1:110m Admin 0 - Countries (public domain,
https://www.naturalearthdata.com/), as shipped by geopandas 0.14.4 in
``geopandas/datasets/naturalearth_lowres`` (the shapefile geopandas built with its
``naturalearth_creation.py`` from the Natural Earth release of the day, 5.0 or later by its
columns: 177 countries, attributes ``pop_est``,
``continent``, ``name``, ``iso_a3``, ``gdp_md_est``). geopandas is needed only here, and not
even installed: the wheel is downloaded and read as a zip file, and the shapefile is parsed by
the small reader below (ESRI shapefile: polygons, shape type 5; dBASE III attributes).

    .venv/bin/pip download --no-deps geopandas==0.14.4 -d /tmp/ne
    .venv/bin/python tools/build_shapes.py /tmp/ne/geopandas-0.14.4-py3-none-any.whl

The output is RFC 7946 GeoJSON (a FeatureCollection, one Feature per country with
``name``, ``iso_a3`` and ``continent``; Polygon or MultiPolygon, exterior rings
counter-clockwise and holes clockwise as RFC 7946 asks), coordinates rounded to 4 decimals
(11 m: the 1:110m shapes are generalised to kilometres anyway), no whitespace. The same input
gives byte-identical output.
"""

from __future__ import annotations

import io
import json
import struct
import sys
import zipfile
from pathlib import Path

MEMBER = "geopandas/datasets/naturalearth_lowres/naturalearth_lowres"
OUT = Path(__file__).resolve().parents[1] / "src" / "zarya" / "data" / "ne_110m_countries.geojson"
DIGITS = 4


def read_dbf(raw: bytes, encoding: str) -> list[dict[str, str]]:
    """dBASE III records as dicts of stripped strings (``encoding``: the .cpg file's)."""
    n_records, header_len, record_len = struct.unpack("<IHH", raw[4:12])
    fields = []
    pos = 32
    while raw[pos] != 0x0D:
        name = raw[pos : pos + 11].split(b"\0")[0].decode("ascii")
        length = raw[pos + 16]
        fields.append((name, length))
        pos += 32
    records = []
    for k in range(n_records):
        start = header_len + k * record_len + 1  # first byte: deletion flag
        rec = {}
        for name, length in fields:
            rec[name] = raw[start : start + length].decode(encoding).strip()
            start += length
        records.append(rec)
    return records


def read_shp_polygons(raw: bytes) -> list[list[list[tuple[float, float]]]]:
    """Each record's rings (lists of (lon, lat)) from an ESRI polygon shapefile."""
    shapes = []
    pos = 100
    while pos < len(raw):
        _, words = struct.unpack(">ii", raw[pos : pos + 8])
        content = raw[pos + 8 : pos + 8 + 2 * words]
        pos += 8 + 2 * words
        (shape_type,) = struct.unpack("<i", content[:4])
        if shape_type == 0:
            shapes.append([])
            continue
        if shape_type != 5:
            raise ValueError(f"expected polygons (shape type 5), found type {shape_type}")
        n_parts, n_points = struct.unpack("<ii", content[36:44])
        parts = list(struct.unpack(f"<{n_parts}i", content[44 : 44 + 4 * n_parts]))
        xy = struct.unpack(f"<{2 * n_points}d", content[44 + 4 * n_parts :][: 16 * n_points])
        points = list(zip(xy[0::2], xy[1::2], strict=True))
        bounds = parts + [n_points]
        shapes.append([points[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)])
    return shapes


def signed_area(ring: list[tuple[float, float]]) -> float:
    """Shoelace area in square degrees: positive counter-clockwise."""
    return 0.5 * sum(
        x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring[:-1], ring[1:], strict=True)
    )


def to_geojson_polygons(rings: list[list[tuple[float, float]]]) -> list[list[list[list[float]]]]:
    """Shapefile rings (outer clockwise, holes counter-clockwise) -> GeoJSON polygons.

    A shapefile lists each outer ring followed by its holes; RFC 7946 wants outer rings
    counter-clockwise and holes clockwise, so every ring is reversed. Rings without area
    are dropped.
    """
    polygons: list[list[list[list[float]]]] = []
    for ring in rings:
        coords = [[round(x, DIGITS), round(y, DIGITS)] for x, y in reversed(ring)]
        if signed_area([(x, y) for x, y in coords]) == 0.0:
            continue  # a degenerate sliver (North Korea has one): no area, nothing to draw
        if signed_area(ring) < 0 or not polygons:  # clockwise in the shapefile: an outer ring
            polygons.append([coords])
        else:
            polygons[-1].append(coords)
    return polygons


def build(wheel: Path) -> dict:
    with zipfile.ZipFile(wheel) as zf:
        shp = zf.read(MEMBER + ".shp")
        dbf = zf.read(MEMBER + ".dbf")
        encoding = zf.read(MEMBER + ".cpg").decode("ascii").strip()  # ISO-8859-1
    records = read_dbf(dbf, encoding)
    shapes = read_shp_polygons(shp)
    if len(records) != len(shapes):
        raise ValueError(f"{len(records)} attribute records but {len(shapes)} shapes")
    features = []
    for rec, rings in zip(records, shapes, strict=True):
        polygons = to_geojson_polygons(rings)
        geometry = (
            {"type": "Polygon", "coordinates": polygons[0]}
            if len(polygons) == 1
            else {"type": "MultiPolygon", "coordinates": polygons}
        )
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "name": rec["name"],
                    "iso_a3": rec["iso_a3"],
                    "continent": rec["continent"],
                },
                "geometry": geometry,
            }
        )
    features.sort(key=lambda f: f["properties"]["name"])
    return {
        "type": "FeatureCollection",
        "source": "Natural Earth 1:110m Admin 0 - Countries (public domain), via geopandas "
        "0.14.4 datasets/naturalearth_lowres; built by tools/build_shapes.py",
        "features": features,
    }


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write(__doc__ or "")
        return 2
    collection = build(Path(argv[0]))
    text = json.dumps(collection, separators=(",", ":"), ensure_ascii=False)
    OUT.write_text(text + "\n", encoding="utf-8")
    buf = io.StringIO()
    buf.write(f"{OUT}: {len(collection['features'])} countries, {len(text)} bytes\n")
    sys.stdout.write(buf.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
