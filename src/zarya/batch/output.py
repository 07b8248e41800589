"""Writing a batch run: Parquet, Arrow, CSV or JSONL, chunk by chunk, to a temporary file
renamed at the end (never a half-written file), and the counts of the summary.

Parquet and Arrow (IPC file, ``.arrow``) keep the types (:func:`typed_schema`): times as
``timestamp[us, tz=UTC]``, angles, ranges and magnitudes as float64, directions and the
reasons a visible stretch starts and ends dictionary-encoded; CSV and JSONL write ISO 8601
strings (``...Z``, to 0.1 s) and names (:func:`text_schema`). Missing values are nulls.
"""

from __future__ import annotations

import json
import math
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import BatchError, param
from .columns import CATEGORIES, COLUMNS, OBJECT_COLUMNS, Columns, text_column

__all__ = ["OUTPUT_SUFFIXES", "check_not_input", "check_output_path", "text_schema",
           "typed_schema", "write_stream"]

OUTPUT_SUFFIXES = (".parquet", ".arrow", ".csv", ".jsonl")


def write_stream(chunks: Iterable[Columns], path: str | Path, *,
                 objects: bool = False) -> dict[str, Any]:
    """Write chunks of columns as they come, to a temporary file renamed at the end.

    Memory holds one chunk at a time (plus what the format's writer buffers); a failure
    anywhere, or an interrupted run, leaves no file behind. Returns summary counts.
    """
    import pyarrow as pa

    path = Path(path)
    kind = path.suffix.lower()
    check_output_path(path)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part",
                                        dir=path.parent)
    except OSError as exc:
        raise BatchError(f"cannot write {path}: {exc.strerror or exc}") from None
    os.close(fd)
    tmp = Path(tmp_name)
    counts = _new_counts()
    writer = None
    typed = kind in (".parquet", ".arrow")
    schema = typed_schema(objects) if typed else text_schema(objects)
    try:
        fh = None if typed else tmp.open("wb")
        try:
            for cols in chunks:
                table = _arrow_table(cols, schema, typed=typed)
                _count(counts, cols)
                if kind == ".parquet":
                    import pyarrow.parquet as pq

                    writer = writer or pq.ParquetWriter(tmp, schema)
                    writer.write_table(table)
                elif kind == ".arrow":
                    writer = writer or pa.ipc.new_file(str(tmp), schema)
                    writer.write_table(table)
                elif kind == ".csv":
                    import pyarrow.csv as pacsv

                    writer = writer or pacsv.CSVWriter(fh, schema)
                    writer.write_table(table)
                else:
                    assert fh is not None
                    for row in table.to_pylist():
                        fh.write((json.dumps(row, ensure_ascii=False) + "\n").encode())
            if writer is None and kind == ".parquet":
                import pyarrow.parquet as pq

                pq.write_table(schema.empty_table(), tmp)
            elif writer is None and kind == ".arrow":
                with pa.ipc.new_file(str(tmp), schema) as empty:
                    empty.write_table(schema.empty_table())
            elif writer is None and kind == ".csv":
                import pyarrow.csv as pacsv

                pacsv.write_csv(schema.empty_table(), fh)
        finally:
            if writer is not None:
                writer.close()
            if fh is not None:
                fh.close()
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except OSError as exc:
        raise BatchError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if tmp.exists():
            tmp.unlink()
    return _report(counts)


def _mode_for(path: Path) -> int:
    """The permissions of the file written: those of the file it replaces, else what the
    umask leaves of rw-rw-rw- (a temporary file is made rw------- whatever the umask)."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


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
    stretch = cols["stretch"]
    counts["passes"] += int((stretch <= 1).sum())  # a pass's first row
    counts["visible_passes"] += int((stretch == 1).sum())
    counts["places"].update(np.unique(cols["place_index"]).tolist())
    mags = cols["brightest_magnitude"][visible]
    if len(mags) and np.isfinite(mags).any():
        counts["brightest"] = min(counts["brightest"], float(np.nanmin(mags)))


def check_output_path(path: Path) -> None:
    """Refuse an unknown format or a missing directory before any work is done."""
    if path.suffix.lower() not in OUTPUT_SUFFIXES:
        raise BatchError(
            f"unknown output format {path.suffix!r}: use .parquet, .arrow, .csv or .jsonl",
            parameter="out",
            value=str(path),
        )
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
            f"{param('out')} {out} is the places file {places}: writing it would destroy the "
            "input; "
            "choose another output file"
        )


def _types(typed: bool, objects: bool = False) -> dict[str, Any]:
    import pyarrow as pa

    exact = {"place_index": pa.int64(), "name": pa.string(), "visible": pa.bool_(),
             "stretch": pa.int64(), "visible_stretches": pa.int64(),
             "norad_id": pa.int64(), "object": pa.string()}
    out = {}
    for c in (OBJECT_COLUMNS if objects else []) + COLUMNS:
        if c in exact:
            out[c] = exact[c]
        elif c in CATEGORIES:
            out[c] = pa.dictionary(pa.int8(), pa.string()) if typed else pa.string()
        elif c.endswith("_time"):
            out[c] = pa.timestamp("us", tz="UTC") if typed else pa.string()
        else:
            out[c] = pa.float64()
    return out


def typed_schema(objects: bool = False) -> Any:
    """The Arrow schema of Parquet and Arrow outputs (see the module's notes); with
    ``objects``, a batch of many objects, the object's NORAD number and name first."""
    import pyarrow as pa

    return pa.schema([pa.field(c, t) for c, t in _types(True, objects).items()])


def text_schema(objects: bool = False) -> Any:
    """The Arrow schema of CSV and JSONL outputs: times and names as strings."""
    import pyarrow as pa

    return pa.schema([pa.field(c, t) for c, t in _types(False, objects).items()])


def _arrow_table(cols: dict[str, np.ndarray], schema: Any, *, typed: bool) -> Any:
    """Columns -> an Arrow table; NaN floats, NaT times and -1 codes become nulls."""
    import pyarrow as pa

    arrays = []
    for field in schema:
        name, values = field.name, cols[field.name]
        if typed and name in CATEGORIES:
            codes = values.astype(np.int8)
            arrays.append(pa.DictionaryArray.from_arrays(
                pa.array(codes, type=pa.int8(), mask=codes < 0),
                pa.array(CATEGORIES[name], type=pa.string())))
        elif typed and pa.types.is_timestamp(field.type):
            arrays.append(pa.array(values.astype("datetime64[us]").astype(np.int64),
                                   type=field.type, mask=np.isnat(values)))
        elif pa.types.is_floating(field.type):
            values = values.astype(float)
            arrays.append(pa.array(values, type=field.type, mask=np.isnan(values)))
        elif values.dtype.kind in "biu" and name not in CATEGORIES:  # no Python objects
            arrays.append(pa.array(values, type=field.type))
        else:
            arrays.append(pa.array(text_column(name, values), type=field.type))
    return pa.Table.from_arrays(arrays, schema=schema)
