"""Many places at once: places files, chunks run locally or on Dask, flat outputs.

One satellite ephemeris serves every observer of a chunk; chunks of places are the units of
work (:mod:`.columns`), run on threads of this process, in a Dask ``LocalCluster`` or on
an existing scheduler (:mod:`.run`), and written as they come (:mod:`.output`).
:mod:`.places` reads the places.

Memory: a chunk holds at most ``chunk_size`` observers; the pass engine bounds its working
arrays itself (see :mod:`zarya.domain.passes`), so a run needs roughly
``workers x (ephemeris + 64 MB)`` (threads share one ephemeris) plus a chunk of rows per
thread and one more.
"""

from __future__ import annotations

from .columns import COLUMNS, compute_chunk
from .output import check_not_input, check_output_path, write_stream
from .places import Places, city_places, read_places
from .run import (
    DEFAULT_CHUNK,
    MAX_THREADS,
    PAIR_DAYS_PER_TASK,
    check_scheduler_address,
    iter_chunks,
    iter_object_chunks,
    run,
)

__all__ = [
    "COLUMNS",
    "DEFAULT_CHUNK",
    "MAX_THREADS",
    "Places",
    "check_not_input",
    "check_output_path",
    "check_scheduler_address",
    "city_places",
    "compute_chunk",
    "iter_chunks",
    "iter_object_chunks",
    "PAIR_DAYS_PER_TASK",
    "read_places",
    "run",
    "write_stream",
]
