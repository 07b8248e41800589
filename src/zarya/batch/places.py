"""The places of a batch run: a CSV file of them, or the largest cities of the gazetteer.

:func:`read_places` reads a CSV file whose header names ``name``, ``lat`` and ``lon``
(``alt_m`` optional); every error names the line. :func:`city_places` takes the ``n`` most
populous cities of the bundled gazetteer.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..domain.places import most_populous
from ..elements.elset import clean_name
from ..engine.look import check_coordinates
from ..errors import BatchError, ObserverError, param

__all__ = ["MAX_PLACES", "MAX_PLACES_FILE_BYTES", "MAX_PLACE_NAME_CHARS", "Places",
           "city_places", "read_places"]

MAX_PLACES = 2_000_000
MAX_PLACES_FILE_BYTES = 512 * 1024 * 1024
MAX_PLACE_NAME_CHARS = 200  # after control characters are taken out


@dataclass(frozen=True)
class Places:
    """Observers of a batch run, as parallel arrays (names unique)."""

    names: list[str]
    lat_deg: NDArray[np.float64]
    lon_deg: NDArray[np.float64]
    alt_m: NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.names)

    def chunk(self, start: int, stop: int) -> Places:
        return Places(
            self.names[start:stop],
            self.lat_deg[start:stop],
            self.lon_deg[start:stop],
            self.alt_m[start:stop],
        )


def read_places(path: str | Path) -> Places:
    """A CSV with a header naming ``name``, ``lat`` and ``lon`` columns (``alt_m`` optional).

    Every error names the line: a missing or non-numeric value, impossible coordinates, a
    duplicate name (with the line of its first use).
    """
    path = Path(path)
    if path.exists() and not path.is_file():  # a folder, a FIFO, a device: never read
        raise BatchError(f"{path} is not a regular file: give a places file (CSV)")
    try:
        size = path.stat().st_size
        if size > MAX_PLACES_FILE_BYTES:
            raise BatchError(f"{path}: {size} bytes, more than a places file holds "
                             f"({MAX_PLACES_FILE_BYTES} at most)")
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise BatchError(f"no such places file: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BatchError(f"cannot read the places file {path}: {exc}") from None
    reader = csv.reader(io.StringIO(text))
    try:
        return _read_rows(path, reader)
    except csv.Error as exc:
        raise BatchError(f"{path}, line {reader.line_num}: not CSV ({exc})") from None


def _read_rows(path: Path, reader: Any) -> Places:
    """The places of a CSV reader (see :func:`read_places`)."""
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise BatchError(f"{path}: the places file is empty") from None
    aliases = {"latitude": "lat", "lat_deg": "lat", "longitude": "lon", "lon_deg": "lon",
               "lng": "lon", "alt": "alt_m", "elevation_m": "alt_m"}
    header = [aliases.get(h, h) for h in header]
    unknown = [h for h in header if h not in ("name", "lat", "lon", "alt_m")]
    if unknown:
        shown = ", ".join(repr(clean_name(h)[:40]) for h in unknown[:3])
        raise BatchError(
            f"{path}, line 1: unknown column {shown}: a places file has the columns name, "
            "lat, lon and optionally alt_m"
        )
    missing = [c for c in ("name", "lat", "lon") if c not in header]
    if missing:
        raise BatchError(
            f"{path}, line 1: the header needs columns name, lat, lon (and optionally alt_m); "
            f"missing {', '.join(missing)}"
        )
    col = {c: header.index(c) for c in ("name", "lat", "lon", "alt_m") if c in header}
    names: list[str] = []
    lat: list[float] = []
    lon: list[float] = []
    alt: list[float] = []
    first_line: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != len(header):
            raise BatchError(
                f"{path}, line {line}: expected {len(header)} fields, found {len(row)}"
            )
        name = clean_name(row[col["name"]])
        if not name:
            raise BatchError(f"{path}, line {line}: the name is empty")
        if len(name) > MAX_PLACE_NAME_CHARS:
            raise BatchError(f"{path}, line {line}: a name of {len(name)} characters (at "
                             f"most {MAX_PLACE_NAME_CHARS})")
        if name in first_line:
            raise BatchError(
                f"{path}, line {line}: duplicate name {name!r} (first on line {first_line[name]})"
            )
        values = []
        for key in ("lat", "lon", "alt_m"):
            raw = row[col[key]].strip() if key in col else ""
            if key == "alt_m" and raw == "":
                values.append(0.0)
                continue
            try:
                values.append(float(raw))
            except ValueError:
                raise BatchError(
                    f"{path}, line {line}: {key} should be a number, found {raw!r}"
                ) from None
        try:
            check_coordinates(*values)
        except ObserverError as exc:
            raise BatchError(f"{path}, line {line}: {exc}") from None
        first_line[name] = line
        names.append(name)
        lat.append(values[0])
        lon.append(values[1])
        alt.append(values[2])
        if len(names) > MAX_PLACES:
            raise BatchError(f"{path}: more than {MAX_PLACES} places")
    if not names:
        raise BatchError(f"{path}: no places after the header")
    return Places(names, np.array(lat), np.array(lon), np.array(alt))


def city_places(n: int) -> Places:
    """The ``n`` most populous cities of the bundled gazetteer ('Tokyo, JP', ...)."""
    if n < 1:
        raise BatchError(
            f"{param('cities')} must be at least 1, got {n}", parameter="cities", value=n
        )
    cities = most_populous(n)
    if len(cities) < n:
        raise BatchError(
            f"{param('cities')} {n} is more than the {len(cities)} cities of the gazetteer: "
            f"expected 1 to {len(cities)}", parameter="cities", value=n,
        )
    labels = [c.label for c in cities]
    seen: dict[str, int] = {}
    for i, label in enumerate(labels):  # same name and country twice: add the position
        if label in seen:
            labels[i] = f"{label} ({cities[i].lat_deg:.2f}, {cities[i].lon_deg:.2f})"
        seen.setdefault(label, i)
    return Places(
        labels,
        np.array([c.lat_deg for c in cities]),
        np.array([c.lon_deg for c in cities]),
        np.array([c.alt_m for c in cities]),
    )
