"""Running a batch: chunks of places, computed here (on a few threads), on a Dask
LocalCluster or on a scheduler, and collected in place order.

Here, the chunks run on ``threads`` threads of this process (the machine's CPUs, at most
:data:`MAX_THREADS`, by default): the engine's work is numpy and sgp4 on whole arrays, and
numpy lets go of the interpreter lock inside its loops, so two threads on two cores finish a
run about 1.6 times sooner; sgp4 keeps the lock, so the element sets a run shares are never
propagated at once. A few chunks at most are ahead of the writer, and they are handed on in
place order, so the output is the same, byte for byte, whatever the number of threads.

On a LocalCluster, the worker processes get :data:`WORKER_ENVIRON`: Dask starts its workers
with glibc's ``MALLOC_TRIM_THRESHOLD_`` set (to hand freed memory back to the system), which
also turns off glibc's sliding threshold for ``mmap``, so every array of over 128 kB is
mapped afresh and its pages faulted in: the engine's tasks, which make many arrays of a few
MB, ran three times slower on a worker than here (3.4 s against 1.1 s, measured on a task of
25 objects x 1,000 places). Arrays under 32 MB (the most glibc takes) now come from the
heap again. Workers of a
scheduler given with its address are started by whoever runs them: set it there.

A task is a pure function of (element sets, window, options, places), so a worker that dies
mid-run has its chunks recomputed elsewhere and the result is identical: rows are keyed by
chunk and place index, never appended blindly.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

from ..elements.elset import ElementSet
from ..elements.oem import Trajectory
from ..engine.timescale import iso_z
from ..errors import BatchError, param
from .columns import COLUMNS, compute_chunk, compute_objects_chunk
from .places import Places

__all__ = [
    "DEFAULT_CHUNK",
    "MAX_THREADS",
    "PAIR_DAYS_PER_TASK",
    "SCHEDULER_TIMEOUT_S",
    "WORKER_ENVIRON",
    "chunk_bounds",
    "check_scheduler_address",
    "iter_chunks",
    "iter_object_chunks",
    "local_threads",
    "local_workers",
    "run",
]

DEFAULT_CHUNK = 1000  # places per task: 10 tasks for 10,000 places, enough for 2-4 threads
MAX_THREADS = 4  # by default: more would hold more chunks for little gain (numpy's own share)
PAIR_DAYS_PER_TASK = 25_000  # (object, place, day) triples per task of a many-object batch
# how long to keep trying a scheduler: Dask retries even a refused connection until then
SCHEDULER_TIMEOUT_S = 10.0
# a local cluster's workers: arrays under 32 MB from the heap (see the module docstring)
WORKER_ENVIRON = {"MALLOC_MMAP_THRESHOLD_": str(32 * 2**20)}  # glibc's largest on 64 bits


def chunk_bounds(n: int, chunk_size: int) -> list[tuple[int, int]]:
    size = max(1, int(chunk_size))
    return [(a, min(a + size, n)) for a in range(0, n, size)]


def iter_chunks(
    elements: Sequence[ElementSet | Trajectory],
    std_magnitude: float | None,
    window,
    options,
    places: Places,
    *,
    visible_only: bool = False,
    chunk_size: int = DEFAULT_CHUNK,
    workers: int | None = None,
    scheduler: str | None = None,
    threads: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[dict[str, np.ndarray]]:
    """Columns chunk by chunk, in place order; here (on ``threads`` threads, see
    :func:`local_threads`), on a LocalCluster (``workers``) or a scheduler.

    Chunks that finish out of order (on a cluster) wait in a buffer until their turn, so
    the output is the same whatever ran it; each chunk is yielded exactly once.
    ``progress(done, total)`` counts places.
    """
    head = (list(elements), std_magnitude, iso_z(window.start, 6), window.span_s, options)
    tasks = [(compute_chunk, (*head, places.chunk(a, b), a, visible_only), b - a)
             for a, b in chunk_bounds(len(places), chunk_size)]
    yield from _iterate(tasks, len(places), workers, scheduler, threads, progress)


def iter_object_chunks(
    objects: Sequence[tuple[int, str, Sequence[ElementSet | Trajectory], float | None]],
    window,
    options,
    places: Places,
    *,
    visible_only: bool = False,
    chunk_size: int = DEFAULT_CHUNK,
    objects_per_task: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    threads: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[dict[str, np.ndarray]]:
    """Columns of many objects over many places (:func:`compute_objects_chunk`), a task
    per chunk of places and group of objects, in (places, objects) order; as
    :func:`iter_chunks` otherwise. ``progress(done, total)`` counts (object, place)
    pairs. Without ``objects_per_task``, a task holds about :data:`PAIR_DAYS_PER_TASK`
    (object, place, day) triples, so that what a task returns (some 4 rows a triple) stays
    bounded whatever the shape of the run."""
    head = (iso_z(window.start, 6), window.span_s, options)
    if objects_per_task is None:
        pair_days = max(1, min(chunk_size, len(places))) * window.span_s / 86400.0
        objects_per_task = max(1, int(PAIR_DAYS_PER_TASK / pair_days))
    tasks = [
        (compute_objects_chunk, (list(objects[c:d]), *head, places.chunk(a, b), a,
                                 visible_only), (b - a) * (d - c))
        for a, b in chunk_bounds(len(places), chunk_size)
        for c, d in chunk_bounds(len(objects), objects_per_task)
    ]
    yield from _iterate(tasks, len(places) * len(objects), workers, scheduler, threads,
                        progress)


Task = tuple[Callable[..., dict[str, np.ndarray]], tuple, int]  # function, arguments, weight


def _iterate(tasks: list[Task], total: int, workers: int | None, scheduler: str | None,
             threads: int | None, progress: Callable[[int, int], None] | None
             ) -> Iterator[dict[str, np.ndarray]]:
    done = 0
    if workers is None and scheduler is None:
        for cols, weight in _run_here(tasks, local_threads(threads, len(tasks))):
            done += weight
            if progress:
                progress(done, total)
            yield cols
        return
    waiting: dict[int, dict[str, np.ndarray]] = {}
    turn = 0
    for k, cols, weight in _run_dask(tasks, workers, scheduler):
        if k < turn or k in waiting:  # a retried task that also finished: keep one copy
            continue
        waiting[k] = cols
        done += weight
        if progress:
            progress(done, total)
        while turn in waiting:
            yield waiting.pop(turn)
            turn += 1


def run(*args, **kw) -> dict[str, np.ndarray]:
    """All columns at once (see :func:`iter_chunks` for the arguments): for small runs."""
    parts = list(iter_chunks(*args, **kw))
    return {c: np.concatenate([p[c] for p in parts]) for c in COLUMNS}


def local_threads(asked: int | None, chunks: int) -> int:
    """The threads a run here uses: as many as asked, else the machine's CPUs up to
    :data:`MAX_THREADS`; never more than there are chunks.

    >>> local_threads(8, 3), local_threads(1, 10)
    (3, 1)
    """
    if asked is not None and asked < 1:
        raise BatchError(f"{param('threads')} must be at least 1, got {asked}",
                         parameter="threads", value=asked)
    return max(1, min(asked or min(os.cpu_count() or 1, MAX_THREADS), chunks))


def _run_here(tasks: list[Task], threads: int) -> Iterator[tuple[dict[str, np.ndarray], int]]:
    """Each task's result and weight, in task order, computed on ``threads`` threads with
    at most ``threads + 1`` results waiting (the memory of a run stays a few chunks)."""
    if threads <= 1:
        for fn, args, weight in tasks:
            yield fn(*args), weight
        return
    pool = ThreadPoolExecutor(threads, thread_name_prefix="zarya-batch")
    ahead: list[tuple[Future, int]] = []
    try:
        for fn, args, weight in tasks:
            ahead.append((pool.submit(fn, *args), weight))
            if len(ahead) > threads:
                fut, w = ahead.pop(0)
                yield fut.result(), w
        for fut, w in ahead:
            yield fut.result(), w
    finally:  # an error, or a reader that stopped early: start nothing more
        pool.shutdown(wait=True, cancel_futures=True)


def local_workers(asked: int | None, chunks: int) -> int:
    """The processes a local cluster starts: as many as asked, but no more than there are
    chunks to compute, nor than twice the machine's CPUs (a thousand processes on two cores
    would only fight for them).

    >>> local_workers(1000, 3)
    3
    """
    cpus = os.cpu_count() or 1
    return max(1, min(asked or cpus, chunks, 2 * cpus))


def _run_dask(tasks: list[Task], workers, scheduler) -> Iterable:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:  # pragma: no cover - distributed is a dependency
        raise BatchError("Dask is not installed: pip install 'dask[distributed]'") from None
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout=SCHEDULER_TIMEOUT_S)
        else:
            if workers is not None and workers < 1:
                raise BatchError(
                    f"{param('workers')} must be at least 1, got {workers}",
                    parameter="workers",
                    value=workers,
                )
            import dask

            environ = {f"distributed.nanny.pre-spawn-environ.{k}": v
                       for k, v in WORKER_ENVIRON.items()}
            with dask.config.set(environ):
                cluster = LocalCluster(
                    n_workers=local_workers(workers, len(tasks)), threads_per_worker=1,
                    processes=True,
                    dashboard_address=None, silence_logs=40,
                    # no dashboard, but the scheduler's own HTTP server (health, metrics)
                    # would take port 8787, and warn and move where another cluster holds it
                    scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                )
            client = Client(cluster)
    except (OSError, TimeoutError) as exc:
        where = scheduler or "a local cluster"
        raise BatchError(f"cannot reach the Dask scheduler at {where}: {exc}") from None
    except ValueError as exc:  # an address distributed cannot parse
        raise _bad_scheduler(scheduler, exc) from None
    try:
        futures = {}
        for k, (fn, args, weight) in enumerate(tasks):
            fut = client.submit(fn, *args, key=f"zarya-task-{k}-{os.getpid()}", retries=2,
                                pure=False)
            futures[fut] = (k, weight)
        for fut in as_completed(list(futures)):
            k, weight = futures[fut]
            yield k, fut.result(), weight
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def check_scheduler_address(address: str) -> None:
    """Refuse a scheduler that is not a Dask address (``HOST:PORT``, ``tcp://HOST:PORT``)
    before any work is done; whether a scheduler answers there is found out later."""
    try:
        from distributed.comm import get_address_host_port
    except ImportError:  # pragma: no cover - distributed is a dependency
        raise BatchError("Dask is not installed: pip install 'dask[distributed]'") from None
    try:
        get_address_host_port(address)
    except ValueError as exc:
        raise _bad_scheduler(address, exc) from None


def _bad_scheduler(address: str | None, exc: Exception) -> BatchError:
    reason = " ".join(str(exc).split())[:200]
    return BatchError(
        f"{param('scheduler')} {address!r} is not a Dask scheduler address ({reason}): "
        "expected HOST:PORT or tcp://HOST:PORT, such as tcp://10.0.0.5:8786",
        parameter="scheduler",
        value=address,
    )
