"""One chunk of a batch run: the passes of its places as the flat columns of the output.

:func:`compute_chunk` is a pure function of (element sets, window, options, places): safe to
run on any worker and to retry. Its columns are the fields of the ``passes --json`` object,
flattened (``rise_time``, ``culmination_elevation_deg``, ``visible_peak_magnitude``, ...):
:data:`COLUMNS` in that order. One row per visible stretch (``stretch`` 1 to
``visible_stretches``; a pass seen twice, out of the shadow or the twilight and back, has
two rows, its pass columns repeated), one row for a pass with none (``stretch`` 0).

The columns keep their types until a writer needs text: times are ``datetime64[us]`` UTC,
rounded to 0.1 s (NaT where missing); directions and the reasons a visible stretch starts
and ends are small integer codes into :data:`CATEGORIES` (-1 where missing). Parquet and
Arrow store them as timestamps and dictionary-encoded strings; CSV and JSONL as text
(:func:`text_column`: ISO 8601 ``...Z`` to 0.1 s, the names).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from ..domain.pass_table import END_REASONS, START_REASONS
from ..domain.passes import find_pass_table
from ..elements.elset import ElementSet
from ..elements.oem import Trajectory
from ..engine.ephemeris import Ephemeris
from ..engine.look import COMPASS_POINTS, Observers
from ..engine.satellite import Satellite
from ..engine.timescale import Window, iso_column, parse_instant, tenths_column
from .places import Places

__all__ = ["CATEGORIES", "COLUMNS", "OBJECT_COLUMNS", "Columns", "columns", "compute_chunk",
           "compute_objects_chunk", "text_column", "time_columns"]

Columns = dict[str, NDArray]


def compute_chunk(
    sources: Sequence[ElementSet | Trajectory],
    std_magnitude: float | None,
    window_start_iso: str,
    span_s: float,
    options,
    places: Places,
    first_index: int,
    visible_only: bool,
) -> dict[str, np.ndarray]:
    """Columns for one chunk of places: a pure function (safe to retry on another worker).
    ``sources``: the satellite's element sets and trajectories."""
    window, obs = _frame(window_start_iso, span_s, places)
    table = find_pass_table(_ephemeris(sources, std_magnitude, window), obs, options,
                            visible_only=visible_only)
    if visible_only:
        table = table.take(np.flatnonzero(table.visible))
    return columns(table, places, first_index)


def compute_objects_chunk(
    objects: Sequence[tuple[int, str, Sequence[ElementSet | Trajectory], float | None]],
    window_start_iso: str,
    span_s: float,
    options,
    places: Places,
    first_index: int,
    visible_only: bool,
) -> dict[str, np.ndarray]:
    """Columns for many objects over one chunk of places, with ``norad_id`` and ``object``
    first (see :data:`OBJECT_COLUMNS`): a pure function, safe to retry. ``objects``:
    (NORAD number, name, sources, standard magnitude), searched together
    (:func:`~zarya.domain.catalogue_passes.find_many_pass_tables`); rows come by object (in
    the order given), then place, then time."""
    from ..domain.catalogue_passes import find_many_pass_tables

    window, obs = _frame(window_start_iso, span_s, places)
    sats = [_satellite(src, mag) for _, _, src, mag in objects]
    many = find_many_pass_tables(sats, obs, window, options, visible_only=visible_only)
    table, owner = many.table, many.owner
    if visible_only:
        keep = np.flatnonzero(table.visible)
        table, owner = table.take(keep), owner[keep]
    return columns(table, places, first_index,
                   objects=(np.array([o[0] for o in objects], dtype=np.int64),
                            np.array([o[1] for o in objects], dtype=object)),
                   owner=owner)


_last: list[tuple[object, float | None, Window, Ephemeris]] = []  # one, see _ephemeris
_last_lock = threading.Lock()  # the chunks of a run on threads build it once


def _ephemeris(sources: Sequence[ElementSet | Trajectory], std_magnitude: float | None,
               window: Window) -> Ephemeris:
    """The satellite's ephemeris over the window, kept for the next chunk of the same run:
    the chunks of a run share one ``sources`` object (in this process, or on a worker that
    gets several of them), and building the ephemeris (a month of 60 s states) costs as
    much as a chunk's search. The answer is the same either way."""
    with _last_lock:
        return _cached_ephemeris(sources, std_magnitude, window)


def _cached_ephemeris(sources: Sequence[ElementSet | Trajectory],
                      std_magnitude: float | None, window: Window) -> Ephemeris:
    if _last and _last[0][0] is sources and _last[0][1] == std_magnitude \
            and _last[0][2] == window:
        return _last[0][3]
    eph = Ephemeris(_satellite(sources, std_magnitude), window)
    _last[:] = [(sources, std_magnitude, window, eph)]
    return eph


def _satellite(sources: Sequence[ElementSet | Trajectory],
               std_magnitude: float | None) -> Satellite:
    return Satellite([s for s in sources if isinstance(s, ElementSet)],
                     std_magnitude=std_magnitude,
                     trajectories=[s for s in sources if isinstance(s, Trajectory)])


def _frame(window_start_iso: str, span_s: float, places: Places) -> tuple[Window, Observers]:
    """The window and the observers of a task, from what travels to a worker."""
    return (Window(parse_instant(window_start_iso), span_s),
            Observers(places.lat_deg, places.lon_deg, places.alt_m))


def text_column(name: str, values: np.ndarray) -> np.ndarray:
    """A column as CSV and JSONL write it: times as ISO strings, codes as their names
    (None where missing); other columns as they are."""
    if name in CATEGORIES:
        names = np.array(CATEGORIES[name] + (None,), dtype=object)
        return names[values.astype(np.int64)]
    if values.dtype.kind == "M":
        return iso_column(values)
    return values


def _round(values: np.ndarray, digits: int) -> np.ndarray:
    """Rounded floats; NaN stands for a missing value (written as null / empty)."""
    return np.round(values.astype(float), digits)


def _directions(az: np.ndarray) -> np.ndarray:
    """Codes into :data:`COMPASS_POINTS` (16 points), -1 where the azimuth is missing."""
    ok = ~np.isnan(az)
    k = np.floor((np.nan_to_num(az) % 360.0) / 22.5 + 0.5).astype(np.int8) % 16
    return np.where(ok, k, -1).astype(np.int8)


def columns(table, places: Places, first_index: int, *,
            objects: tuple[np.ndarray, np.ndarray] | None = None,
            owner: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """A PassTable as the flat columns of :data:`COLUMNS` (the passes JSON, flattened; a
    row per visible stretch, see the module docstring); with ``objects`` (NORAD numbers
    and names) and ``owner`` (the object of each pass), :data:`OBJECT_COLUMNS` first."""
    st = table.stretches
    per_pass = np.bincount(st.row, minlength=len(table)) if len(table) else np.zeros(0, int)
    reps = np.maximum(per_pass, 1)
    row = np.repeat(np.arange(len(table)), reps)  # the pass of each output row
    first = np.r_[0, np.cumsum(reps)[:-1]] if len(table) else np.zeros(0, int)
    k = np.arange(len(row)) - np.repeat(first, reps)  # the stretch within its pass
    has = per_pass[row] > 0
    offset = np.r_[0, np.cumsum(per_pass)[:-1]] if len(table) else np.zeros(0, int)
    sk = np.where(has, offset[row] + k, 0)  # the stretch of each row (where it has one)
    n = table.observer[row]
    cols: dict[str, np.ndarray] = {}
    if objects is not None and owner is not None:
        cols["norad_id"] = objects[0][owner[row]]
        cols["object"] = objects[1][owner[row]] if len(row) else np.zeros(0, object)
    cols |= {
        "place_index": (first_index + n).astype(np.int64),
        "name": np.array(places.names, dtype=object)[n] if len(n) else np.zeros(0, object),
        "lat_deg": places.lat_deg[n],
        "lon_deg": places.lon_deg[n],
        "alt_m": places.alt_m[n],
    }

    def points(prefix, t, az, el, rng, mag=None):
        cols[f"{prefix}_time"] = tenths_column(table.window, t)
        cols[f"{prefix}_azimuth_deg"] = _round(az, 2)
        cols[f"{prefix}_elevation_deg"] = _round(el, 2)
        cols[f"{prefix}_range_km"] = _round(rng, 1)
        cols[f"{prefix}_direction"] = _directions(az)
        if mag is not None:
            cols[f"{prefix}_magnitude"] = _round(mag, 1)

    def seen(values: np.ndarray, fill: float = np.nan) -> np.ndarray:
        """A stretch column on the output rows (``fill`` where the pass has none)."""
        if not len(values):
            return np.full((len(row),) + values.shape[1:], fill)
        taken = values[sk].astype(float)
        taken[~has] = fill
        return taken

    for j, key in enumerate(("rise", "culmination", "set")):
        points(key, table.t[row, j], table.az[row, j], table.el[row, j],
               table.range_km[row, j])
    cols["duration_s"] = _round(table.duration_s[row], 1)
    cols["visible"] = has.copy()
    cols["stretch"] = np.where(has, k + 1, 0).astype(np.int64)
    cols["visible_stretches"] = per_pass[row].astype(np.int64)
    for j, key in enumerate(("start", "peak", "end")):
        points(f"visible_{key}", seen(st.t[:, j]), seen(st.az[:, j]), seen(st.el[:, j]),
               seen(st.range_km[:, j]), seen(st.mag[:, j]))
    cols["brightest_magnitude"] = _round(seen(st.brightest), 1)
    cols["visible_starts"] = seen(st.starts, -1).astype(np.int8)
    cols["visible_ends"] = seen(st.ends, -1).astype(np.int8)
    return cols


_POINT_FIELDS = ("time", "azimuth_deg", "elevation_deg", "range_km", "direction")
COLUMNS = (
    ["place_index", "name", "lat_deg", "lon_deg", "alt_m"]
    + [f"{k}_{f}" for k in ("rise", "culmination", "set") for f in _POINT_FIELDS]
    + ["duration_s", "visible", "stretch", "visible_stretches"]
    + [
        f"visible_{k}_{f}"
        for k in ("start", "peak", "end")
        for f in _POINT_FIELDS + ("magnitude",)
    ]
    + ["brightest_magnitude", "visible_starts", "visible_ends"]
)
OBJECT_COLUMNS = ["norad_id", "object"]  # first, when a batch covers many objects
time_columns = tuple(c for c in COLUMNS if c.endswith("_time"))
CATEGORIES: dict[str, tuple[str, ...]] = {
    **{c: COMPASS_POINTS for c in COLUMNS if c.endswith("_direction")},
    "visible_starts": tuple(START_REASONS),
    "visible_ends": tuple(END_REASONS),
}
