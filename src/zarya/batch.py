"""Many observers at once: places files, chunking, local or Dask execution, flat outputs.

One satellite ephemeris serves every observer of a chunk; chunks of observers are the
units of work, computed in this process, in a Dask ``LocalCluster`` (``workers=N``) or on an
existing Dask scheduler. A task is a pure function of (element sets, window, options,
observers), so a worker that dies mid-run has its chunks recomputed elsewhere and the
result is identical: rows are keyed by chunk and place index, never appended blindly.

Memory: a chunk holds at most ``chunk_size`` observers; the pass engine itself bounds
its working arrays (see :mod:`zarya.passes`), so a run needs roughly
``workers x (ephemeris + 64 MB)`` plus the rows of the result.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .elements.base import ElementSet
from .errors import ObserverError, ZaryaError
from .look import check_coordinates

DEFAULT_CHUNK = 2000
MAX_PLACES = 2_000_000


class BatchError(ZaryaError):
    """A batch run that cannot start or finish (bad places file, unreachable scheduler)."""


@dataclass(frozen=True)
class Places:
    """Observers of a batch run, as parallel arrays (names unique)."""

    names: list[str]
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_m: np.ndarray

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
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise BatchError(f"no such places file: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BatchError(f"cannot read the places file {path}: {exc}") from None
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise BatchError(f"{path}: the places file is empty") from None
    aliases = {"latitude": "lat", "lat_deg": "lat", "longitude": "lon", "lon_deg": "lon",
               "lng": "lon", "alt": "alt_m", "elevation_m": "alt_m"}
    header = [aliases.get(h, h) for h in header]
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
        if len(row) < len(header):
            raise BatchError(
                f"{path}, line {line}: expected {len(header)} fields, found {len(row)}"
            )
        name = row[col["name"]].strip()
        if not name:
            raise BatchError(f"{path}, line {line}: the name is empty")
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
    from .places import most_populous

    if n < 1:
        raise BatchError(f"--cities must be at least 1, got {n}")
    cities = most_populous(n)
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


# ------------------------------------------------------------------- computation
def compute_chunk(
    elements: Sequence[ElementSet],
    std_magnitude: float,
    window_start_iso: str,
    span_s: float,
    options,
    places: Places,
    first_index: int,
    visible_only: bool,
) -> dict[str, np.ndarray]:
    """Columns for one chunk of places: a pure function (safe to retry on another worker)."""
    from .ephemeris import Ephemeris, Satellite
    from .look import Observers
    from .passes import find_pass_table
    from .timescale import Window, parse_instant

    sat = Satellite(list(elements), std_magnitude=std_magnitude)
    window = Window(parse_instant(window_start_iso), span_s)
    eph = Ephemeris(sat, window)
    obs = Observers(places.lat_deg, places.lon_deg, places.alt_m)
    table = find_pass_table(eph, obs, options)
    if visible_only:
        table = table.take(np.flatnonzero(table.visible))
    return columns(table, places, first_index)


def _iso_column(window, t_s: np.ndarray) -> np.ndarray:
    """Seconds from the window start -> ISO 8601 UTC strings to 0.1 s ('...Z'), None for NaN."""
    base = np.datetime64(window.start.replace(tzinfo=None), "us").astype(np.int64)
    ok = ~np.isnan(t_s)
    micro = base + np.round(np.where(ok, t_s, 0.0) * 1e6).astype(np.int64)
    micro = (np.round(micro / 1e5) * 1e5).astype(np.int64)
    text = np.datetime_as_string(micro.astype("datetime64[us]"), unit="ms")
    out = np.array([x[:-2] + "Z" for x in text.tolist()], dtype=object)
    out[~ok] = None
    return out


def _round(values: np.ndarray, digits: int) -> np.ndarray:
    """Rounded floats; NaN stands for a missing value (written as null / empty)."""
    return np.round(values.astype(float), digits)


def _directions(az: np.ndarray) -> np.ndarray:
    from .look import compass_points

    out = compass_points(np.nan_to_num(az)).astype(object)
    out[np.isnan(az)] = None
    return out


def columns(table, places: Places, first_index: int) -> dict[str, np.ndarray]:
    """A PassTable as the flat columns of :data:`COLUMNS` (the passes JSON, flattened)."""
    from .visibility import END_REASONS, START_REASONS

    n = table.observer
    cols: dict[str, np.ndarray] = {
        "place_index": (first_index + n).astype(np.int64),
        "name": np.array(places.names, dtype=object)[n] if len(n) else np.zeros(0, object),
        "lat_deg": places.lat_deg[n],
        "lon_deg": places.lon_deg[n],
        "alt_m": places.alt_m[n],
    }

    def points(prefix, t, az, el, rng, mag=None):
        cols[f"{prefix}_time"] = _iso_column(table.window, t)
        cols[f"{prefix}_azimuth_deg"] = _round(az, 2)
        cols[f"{prefix}_elevation_deg"] = _round(el, 2)
        cols[f"{prefix}_range_km"] = _round(rng, 1)
        cols[f"{prefix}_direction"] = _directions(az)
        if mag is not None:
            cols[f"{prefix}_magnitude"] = _round(mag, 1)

    for j, key in enumerate(("rise", "culmination", "set")):
        points(key, table.t[:, j], table.az[:, j], table.el[:, j], table.range_km[:, j])
    cols["duration_s"] = _round(table.duration_s, 1)
    cols["visible"] = table.visible.copy()
    for j, key in enumerate(("start", "peak", "end")):
        points(f"visible_{key}", table.vis_t[:, j], table.vis_az[:, j], table.vis_el[:, j],
               table.vis_range_km[:, j], table.vis_mag[:, j])
    cols["brightest_magnitude"] = _round(table.brightest, 1)
    starts = np.array(START_REASONS + (None,), dtype=object)
    ends = np.array(END_REASONS + (None,), dtype=object)
    cols["visible_starts"] = starts[np.where(table.starts < 0, -1, table.starts)]
    cols["visible_ends"] = ends[np.where(table.ends < 0, -1, table.ends)]
    return cols


_POINT_FIELDS = ("time", "azimuth_deg", "elevation_deg", "range_km", "direction")
COLUMNS = (
    ["place_index", "name", "lat_deg", "lon_deg", "alt_m"]
    + [f"{k}_{f}" for k in ("rise", "culmination", "set") for f in _POINT_FIELDS]
    + ["duration_s", "visible"]
    + [
        f"visible_{k}_{f}"
        for k in ("start", "peak", "end")
        for f in _POINT_FIELDS + ("magnitude",)
    ]
    + ["brightest_magnitude", "visible_starts", "visible_ends"]
)


def chunk_bounds(n: int, chunk_size: int) -> list[tuple[int, int]]:
    size = max(1, int(chunk_size))
    return [(a, min(a + size, n)) for a in range(0, n, size)]


def iter_chunks(
    elements: Sequence[ElementSet],
    std_magnitude: float,
    window,
    options,
    places: Places,
    *,
    visible_only: bool = False,
    chunk_size: int = DEFAULT_CHUNK,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[dict[str, np.ndarray]]:
    """Columns chunk by chunk, in place order; locally, on a LocalCluster or a scheduler.

    Chunks that finish out of order (on a cluster) wait in a buffer until their turn, so
    the output is the same whatever ran it; each chunk is yielded exactly once.
    """
    from .timescale import iso_z

    bounds = chunk_bounds(len(places), chunk_size)
    args = (list(elements), std_magnitude, iso_z(window.start, 6), window.span_s, options)
    done = 0
    if workers is None and scheduler is None:
        for a, b in bounds:
            cols = compute_chunk(*args, places.chunk(a, b), a, visible_only)
            done += b - a
            if progress:
                progress(done, len(places))
            yield cols
        return
    waiting: dict[int, dict[str, np.ndarray]] = {}
    turn = 0
    for k, cols, size in _run_dask(args, places, bounds, visible_only, workers, scheduler):
        if k < turn or k in waiting:  # a retried task that also finished: keep one copy
            continue
        waiting[k] = cols
        done += size
        if progress:
            progress(done, len(places))
        while turn in waiting:
            yield waiting.pop(turn)
            turn += 1


def run(*args, **kw) -> dict[str, np.ndarray]:
    """All columns at once (see :func:`iter_chunks` for the arguments): for small runs."""
    parts = list(iter_chunks(*args, **kw))
    return {c: np.concatenate([p[c] for p in parts]) for c in COLUMNS}


def _run_dask(args, places: Places, bounds, visible_only, workers, scheduler) -> Iterable:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:  # pragma: no cover - distributed is a dependency
        raise BatchError("Dask is not installed: pip install 'dask[distributed]'") from None
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="10s")
        else:
            if workers is not None and workers < 1:
                raise BatchError(f"--workers must be at least 1, got {workers}")
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True,
                dashboard_address=None, silence_logs=40,
            )
            client = Client(cluster)
    except (OSError, TimeoutError) as exc:
        where = scheduler or "a local cluster"
        raise BatchError(f"cannot reach the Dask scheduler at {where}: {exc}") from None
    except ValueError as exc:  # an address distributed cannot parse
        raise BatchError(_bad_scheduler(scheduler, exc)) from None
    try:
        futures = {}
        for k, (a, b) in enumerate(bounds):
            fut = client.submit(
                compute_chunk, *args, places.chunk(a, b), a, visible_only,
                key=f"zarya-chunk-{k}-{a}-{b}-{os.getpid()}", retries=2, pure=False,
            )
            futures[fut] = (k, b - a)
        for fut in as_completed(list(futures)):
            k, size = futures[fut]
            yield k, fut.result(), size
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# ------------------------------------------------------------------------ output
def write_columns(cols: dict[str, np.ndarray], path: str | Path) -> dict:
    """Write columns as .parquet, .csv or .jsonl, atomically; returns the summary counts."""
    return write_stream([cols], path)


def write_stream(chunks: Iterable[dict[str, np.ndarray]], path: str | Path) -> dict:
    """Write chunks of columns as they come, to a temporary file renamed at the end.

    Memory holds one chunk at a time (plus what the format's writer buffers); a failure
    anywhere, or an interrupted run, leaves no file behind. Returns summary counts.
    """
    import pyarrow as pa

    path = Path(path)
    kind = path.suffix.lower()
    check_output_path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    counts = _new_counts()
    writer = None
    schema = _schema(pa)
    try:
        fh = None if kind == ".parquet" else tmp.open("wb")
        try:
            for cols in chunks:
                table = _arrow_table(cols, schema)
                _count(counts, cols)
                if kind == ".parquet":
                    import pyarrow.parquet as pq

                    writer = writer or pq.ParquetWriter(tmp, schema)
                    writer.write_table(table)
                elif kind == ".csv":
                    import pyarrow.csv as pacsv

                    writer = writer or pacsv.CSVWriter(fh, schema)
                    writer.write_table(table)
                else:
                    for row in table.to_pylist():
                        fh.write((json.dumps(row, ensure_ascii=False) + "\n").encode())
            if writer is None and kind == ".parquet":
                import pyarrow.parquet as pq

                pq.write_table(schema.empty_table(), tmp)
            elif writer is None and kind == ".csv":
                import pyarrow.csv as pacsv

                pacsv.write_csv(schema.empty_table(), fh)
        finally:
            if writer is not None:
                writer.close()
            if fh is not None:
                fh.close()
        os.replace(tmp, path)
    except OSError as exc:
        raise BatchError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if tmp.exists():
            tmp.unlink()
    return _report(counts)


def _new_counts() -> dict:
    return {"passes": 0, "visible_passes": 0, "places": set(), "brightest": math.inf}


def _report(counts: dict) -> dict:
    return {
        "passes": counts["passes"],
        "visible_passes": counts["visible_passes"],
        "places_with_passes": len(counts["places"]),
        "brightest_magnitude": None if math.isinf(counts["brightest"]) else counts["brightest"],
    }


def _count(counts: dict, cols: dict[str, np.ndarray]) -> None:
    visible = cols["visible"].astype(bool)
    counts["passes"] += len(visible)
    counts["visible_passes"] += int(visible.sum())
    counts["places"].update(np.unique(cols["place_index"]).tolist())
    mags = cols["brightest_magnitude"][visible]
    if len(mags) and np.isfinite(mags).any():
        counts["brightest"] = min(counts["brightest"], float(np.nanmin(mags)))


def check_output_path(path: Path) -> None:
    """Refuse an unknown format or a missing directory before any work is done."""
    if path.suffix.lower() not in {".parquet", ".csv", ".jsonl"}:
        raise BatchError(f"unknown output format {path.suffix!r}: use .parquet, .csv or .jsonl")
    if not path.parent.is_dir():
        raise BatchError(f"cannot write {path}: no such directory {path.parent}")
    if not os.access(path.parent, os.W_OK):
        raise BatchError(f"cannot write {path}: the directory is not writable")


def check_not_input(out: Path, places: Path) -> None:
    """Refuse an output path that is the places file itself (a link to it included)."""
    try:
        same = out.exists() and places.exists() and os.path.samefile(out, places)
    except OSError:
        same = False
    if same or out.resolve() == places.resolve():
        raise BatchError(
            f"--out {out} is the places file {places}: writing it would destroy the input; "
            "choose another output file"
        )


def check_scheduler_address(address: str) -> None:
    """Refuse a ``--scheduler`` that is not a Dask address (``HOST:PORT``, ``tcp://HOST:PORT``)
    before any work is done; whether a scheduler answers there is found out later."""
    try:
        from distributed.comm import get_address_host_port
    except ImportError:  # pragma: no cover - distributed is a dependency
        raise BatchError("Dask is not installed: pip install 'dask[distributed]'") from None
    try:
        get_address_host_port(address)
    except ValueError as exc:
        raise BatchError(_bad_scheduler(address, exc)) from None


def _bad_scheduler(address: str | None, exc: Exception) -> str:
    reason = " ".join(str(exc).split())[:200]
    return (
        f"--scheduler {address!r} is not a Dask scheduler address ({reason}): expected "
        "HOST:PORT or tcp://HOST:PORT, such as tcp://10.0.0.5:8786"
    )


def _schema(pa):
    types = {"place_index": pa.int64(), "name": pa.string(), "visible": pa.bool_(),
             "visible_starts": pa.string(), "visible_ends": pa.string()}
    fields = []
    for c in COLUMNS:
        if c in types:
            t = types[c]
        elif c.endswith(("_time", "_direction")):
            t = pa.string()
        else:
            t = pa.float64()
        fields.append(pa.field(c, t))
    return pa.schema(fields)


def _arrow_table(cols: dict[str, np.ndarray], schema):
    """Columns -> an Arrow table; NaN floats and None strings become nulls."""
    import pyarrow as pa

    arrays = []
    for field in schema:
        values = cols[field.name]
        if pa.types.is_floating(field.type):
            values = values.astype(float)
            arrays.append(pa.array(values, type=field.type, mask=np.isnan(values)))
        else:
            arrays.append(pa.array(values.tolist(), type=field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def summary(cols: dict[str, np.ndarray], n_places: int, days: float) -> dict:
    """Counts for the end-of-run summary of columns held in memory."""
    counts = _new_counts()
    _count(counts, cols)
    return {"places": n_places, "days": days, **_report(counts)}
