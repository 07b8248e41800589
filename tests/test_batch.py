"""Planet scale: many observers at once, locally and on a real Dask LocalCluster."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sys
import threading
import time

import numpy as np
import pyarrow.parquet as pq
import pytest

from zarya import Ephemeris, Observer, PassOptions, Window, find_passes, parse_instant
from zarya import batch as engine
from zarya.cli import main
from zarya.errors import BatchError
from zarya.reports.satellites import load_satellite

from .conftest import shared_or_local

START = "2016-03-31"


@pytest.fixture(scope="module")
def sat():
    return load_satellite()


@pytest.fixture(scope="module")
def places():
    rng = np.random.default_rng(11)
    n = 300
    lat = np.degrees(np.arcsin(rng.uniform(-0.9, 0.9, n)))
    lon = rng.uniform(-180, 180, n)
    alt = rng.uniform(0, 2500, n)
    return engine.Places([f"p{i}" for i in range(n)], lat, lon, alt)


def _window(days=2.0):
    return Window.days(parse_instant(START), days)


def _run(sat, places, **kw):
    return engine.run(sat.elements, sat.std_magnitude, _window(), PassOptions(), places, **kw)


def _seconds(value):
    """A time column's value (``datetime64[us]``, NaT when missing) as POSIX seconds."""
    if np.isnat(value):
        return None
    return float(value.astype("datetime64[us]").astype(np.int64)) / 1e6


def test_batch_equals_single_observer_path(sat, places):
    """The many-observer engine (k-d tree footprints) and the one-observer path agree."""
    cols = _run(sat, places, chunk_size=120)
    rng = np.random.default_rng(5)
    window = _window()
    eph = Ephemeris(sat, window)
    for i in rng.choice(len(places), 25, replace=False):
        single = find_passes(eph, Observer(places.lat_deg[i], places.lon_deg[i],
                                           places.alt_m[i]))[0]
        rows = np.flatnonzero(cols["place_index"] == i)
        assert len(rows) == len(single)
        for r, p in zip(rows, single, strict=True):
            for key, point in (("rise", p.rise), ("culmination", p.culmination),
                               ("set", p.set)):
                mine = _seconds(cols[f"{key}_time"][r])  # None when cut by the window
                if point is None:
                    assert mine is None
                else:
                    # both round to 0.1 s for output
                    assert abs(mine - point.time.timestamp()) <= 0.1
            assert bool(cols["visible"][r]) == (p.visible is not None)


def test_visible_only_drops_only_daylight(sat, places):
    """A visible-only batch drops the passes in daylight before refining them: its rows
    are exactly the visible rows of the batch of every pass, every column, bit for bit
    (300 places x 2 days)."""
    every = _run(sat, places)
    seen = _run(sat, places, visible_only=True)
    keep = np.flatnonzero(every["visible"])
    assert 0 < len(keep) == len(seen["visible"]) < len(every["visible"]) / 2
    for name, column in every.items():  # NaN and NaT where the other has them
        np.testing.assert_array_equal(column[keep], seen[name], err_msg=name)
    # and the search did drop passes before refining them
    from zarya.domain.passes import find_pass_table
    from zarya.engine.look import Observers

    eph = Ephemeris(sat, _window())
    obs = Observers(places.lat_deg, places.lon_deg, places.alt_m)
    full = find_pass_table(eph, obs, PassOptions())
    early = find_pass_table(eph, obs, PassOptions(), visible_only=True)
    assert early.visible.sum() == full.visible.sum() and len(early) < 0.7 * len(full)


def test_batch_sample_agrees_with_skyfield(sat, places, skyfield_ts, skyfield_eph):
    """A random sample of the batch against Skyfield's find_events (1 s, as the core)."""
    from skyfield.api import EarthSatellite, wgs84

    window = _window()
    cols = _run(sat, places)
    mid = window.start.timestamp() + window.span_s / 2
    best = min(sat.elements, key=lambda e: abs(e.epoch.timestamp() - mid))
    # the batch switches element sets at midpoints; compare on one set for both
    one = engine.run([best], sat.std_magnitude, window, PassOptions(), places)
    sf = EarthSatellite(best.line1, best.line2, ts=skyfield_ts)
    t0 = skyfield_ts.from_datetime(window.start)
    t1 = skyfield_ts.from_datetime(window.end)
    checked = 0
    for i in np.random.default_rng(9).choice(len(places), 12, replace=False):
        topos = wgs84.latlon(places.lat_deg[i], places.lon_deg[i], places.alt_m[i])
        times, kinds = sf.find_events(topos, t0, t1, altitude_degrees=10.0)
        rows = np.flatnonzero(one["place_index"] == i)
        ours = []
        for r in rows:
            for k, key in enumerate(("rise", "culmination", "set")):
                if not np.isnat(one[f"{key}_time"][r]):
                    ours.append((_seconds(one[f"{key}_time"][r]), k))
        theirs = [(t.utc_datetime().timestamp(), int(k)) for t, k in zip(times, kinds,
                                                                         strict=True)]
        assert [k for _, k in ours] == [k for _, k in theirs]
        for (a, _), (b, _) in zip(ours, theirs, strict=True):
            assert abs(a - b) < 1.0  # the core's tolerance against Skyfield
            checked += 1
    assert checked > 50
    assert len(cols["place_index"]) > 0


def test_local_cluster_matches_local_run_even_when_a_worker_dies(sat, places):
    """Two worker processes; one is killed with SIGKILL after the first chunk completes.

    The batch engine is the only Dask client; the worker's process id comes from its nanny.
    """
    from distributed import LocalCluster

    local = _run(sat, places, chunk_size=25)
    # the scheduler's HTTP server on a free port: 8787 may be another cluster's
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=40,
                      scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}) as cluster:
        pids = sorted(n.process.process.pid for n in cluster.workers.values())
        killed: list[int] = []
        lock = threading.Lock()

        def progress(done, total):
            with lock:
                if not killed:
                    os.kill(pids[0], signal.SIGKILL)
                    killed.append(pids[0])

        remote = _run(sat, places, chunk_size=25, scheduler=cluster.scheduler_address,
                      progress=progress)
    assert killed, "a worker was killed mid-run"
    assert set(remote) == set(local)
    for c in local:  # nothing lost, nothing duplicated (NaN marks a missing value)
        np.testing.assert_array_equal(remote[c], local[c], err_msg=c)


def test_workers_option_starts_a_local_cluster(tmp_path, capsys, places):
    path = tmp_path / "places.csv"
    path.write_text("name,lat,lon\n" + "".join(
        f"{n},{a:.4f},{o:.4f}\n" for n, a, o in zip(places.names[:40], places.lat_deg[:40],
                                                     places.lon_deg[:40], strict=True)))
    out_local = tmp_path / "local.jsonl"
    out_dask = tmp_path / "dask.jsonl"
    assert main(["batch", "--places", str(path), "--from", START, "--days", "1",
                 "--out", str(out_local)]) == 0
    with contextlib.ExitStack() as stack:
        # Dask's usual port 8787 taken (by another cluster, say): no warning, no failure
        busy = stack.enter_context(socket.socket())
        with contextlib.suppress(OSError):  # taken already: just as good
            busy.bind(("127.0.0.1", 8787))
            busy.listen()
        assert main(["batch", "--places", str(path), "--from", START, "--days", "1",
                     "--out", str(out_dask), "--workers", "2", "--chunk-size", "10"]) == 0
    assert out_local.read_text() == out_dask.read_text()
    assert "8787" not in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_threads_change_nothing_but_the_time(tmp_path, capsys, places, fmt):
    """A run on one thread and on three (chunks of 7 places, so that the threads finish out
    of order and the writer waits for its turn): the same file, byte for byte."""
    path = tmp_path / "places.csv"
    path.write_text("name,lat,lon,alt_m\n" + "".join(
        f"{n},{a:.4f},{o:.4f},{h:.0f}\n" for n, a, o, h in zip(
            places.names[:60], places.lat_deg[:60], places.lon_deg[:60], places.alt_m[:60],
            strict=True)))
    outs = []
    for threads in ("1", "3"):
        out = tmp_path / f"t{threads}.{fmt}"
        assert main(["batch", "--places", str(path), "--from", START, "--days", "2",
                     "--visible", "--out", str(out), "--chunk-size", "7",
                     "--threads", threads]) == 0
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    assert len(outs[0]) > 1000  # passes were written, not two empty files
    capsys.readouterr()


def test_a_failing_chunk_on_a_thread_stops_the_run(sat, places):
    """A chunk whose task raises on a thread: the error reaches the reader, and nothing
    queued behind it is started."""
    import importlib

    batch_run = importlib.import_module("zarya.batch.run")  # the package's run() hides it

    started = []

    def task(k):
        started.append(k)
        if k == 2:
            raise BatchError("chunk 2 failed")
        time.sleep(0.05)
        return {"k": np.array([k])}

    tasks = [(task, (k,), 1) for k in range(40)]
    seen = []
    with pytest.raises(BatchError, match="chunk 2 failed"):
        for cols, _ in batch_run._run_here(tasks, 2):
            seen.append(int(cols["k"][0]))
    assert seen == [0, 1]
    assert len(started) <= 6  # the few ahead of the reader, not all 40


def test_many_objects_rows_are_each_objects_own(tmp_path, capsys):
    """``batch --sat all`` over CelesTrak's visual group (151 objects) and 30 cities: every
    row names its object, and each object's rows are, field for field, those of a batch of
    that object alone (the one-satellite engine; a sample of 12 objects): the stacked
    search of many objects changes nothing but the speed."""
    visual = str(shared_or_local("catalog/visual_2025-07-19.tle"))
    out = tmp_path / "all.jsonl"
    args = ["--cities", "30", "--from", "2025-07-19", "--days", "1", "--elements", visual]
    assert main(["batch", "--sat", "all", *args, "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len({r["norad_id"] for r in rows}) > 100
    assert all(list(r)[:3] == ["norad_id", "object", "place_index"] for r in rows)
    rng = np.random.default_rng(3)
    for norad in rng.choice(sorted({r["norad_id"] for r in rows}), 12, replace=False):
        alone = tmp_path / f"{norad}.jsonl"
        assert main(["batch", "--sat", str(norad), *args, "--out", str(alone)]) == 0
        theirs = [json.loads(line) for line in alone.read_text().splitlines()]
        ours = [{k: v for k, v in r.items() if k not in ("norad_id", "object")}
                for r in rows if r["norad_id"] == norad]
        ours.sort(key=lambda r: (r["place_index"], r["culmination_time"], r["stretch"]))
        theirs.sort(key=lambda r: (r["place_index"], r["culmination_time"], r["stretch"]))
        assert [_rounded(r) for r in ours] == [_rounded(r) for r in theirs], norad
    capsys.readouterr()


def _rounded(row: dict) -> dict:
    """A row with its times to the second and angles to 0.1 degree: the two searches
    refine each event to 0.01 s on grids of different steps, so the last printed digit
    may differ (event times agree within 0.004 s, see test_overhead.py)."""
    out = {}
    for k, v in row.items():
        if isinstance(v, str) and k.endswith("_time"):
            out[k] = v[:19]
        elif isinstance(v, float) and k.endswith(("_deg", "_km", "_s")):
            out[k] = round(v, 1 if not k.endswith("_km") else 0)
        else:
            out[k] = v
    return out


def test_many_objects_on_a_local_cluster(tmp_path, capsys):
    """The same many-object batch computed here and on a Dask LocalCluster of two
    processes, tasks split by places and by objects: the same Parquet table."""
    visual = str(shared_or_local("catalog/visual_2025-07-19.tle"))
    args = ["batch", "--sat", "all", "--elements", visual, "--cities", "40", "--from",
            "2025-07-19", "--days", "1", "--chunk-size", "15"]
    here, there = tmp_path / "here.parquet", tmp_path / "there.parquet"
    assert main([*args, "--out", str(here)]) == 0
    assert main([*args, "--out", str(there), "--workers", "2"]) == 0
    assert pq.read_table(here).equals(pq.read_table(there))
    assert pq.read_table(here).schema.field("norad_id").type == "int64"
    capsys.readouterr()


def test_local_cluster_workers_keep_glibc_heap():
    """The workers of the LocalCluster a batch starts get zarya's malloc setting
    (``WORKER_ENVIRON``): Dask sets ``MALLOC_TRIM_THRESHOLD_``, which sends every array
    over 128 kB to ``mmap`` and made the engine's tasks three times slower on a worker than
    in this process (3.4 s against 1.1 s, zarya/batch/run.py). Asked of a real worker."""
    import os

    from zarya.batch.run import WORKER_ENVIRON, _run_dask

    asked = [(os.environ.get, ("MALLOC_MMAP_THRESHOLD_",), 1)]
    got = [value for _, value, _ in _run_dask(asked, 1, None)]
    assert got == [WORKER_ENVIRON["MALLOC_MMAP_THRESHOLD_"]] == [str(32 * 2**20)]


def test_many_objects_that_leave_nothing_to_compute(tmp_path, capsys):
    """Every object's elements months from the window: one line saying so, no file."""
    vallado = shared_or_local("vallado/SGP4-VER.TLE").read_text().splitlines()
    k = next(i for i, line in enumerate(vallado) if line.startswith("1 28626"))
    old = tmp_path / "old.tle"
    old.write_text(f"{vallado[k][:69]}\n{vallado[k + 1][:69]}\n")
    out = tmp_path / "o.csv"
    _fails(capsys, ["--sat", "all", "--elements", str(old), "--cities", "3", "--from",
                    "2025-07-19", "--out", str(out)], "--sat 'all' leaves no object",
           "over 30 days")
    assert not out.exists()


def test_outputs_parquet_arrow_csv_jsonl(tmp_path, capsys):
    """One run in each format: Parquet and Arrow keep the types (timestamps in UTC, floats,
    dictionary-encoded directions and reasons) and hold the same values as the JSONL and
    the CSV of the same run, read back and compared row by row."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    outs = {}
    for ext in ("parquet", "arrow", "csv", "jsonl"):
        out = tmp_path / f"b.{ext}"
        code = main(["batch", "--cities", "50", "--from", START, "--days", "1", "--visible",
                     "--out", str(out), "--json"])
        assert code == 0
        outs[ext] = out
        summary = json.loads(capsys.readouterr().out)
    table = pq.read_table(outs["parquet"])
    assert table.column_names == engine.COLUMNS
    assert table.num_rows == summary["passes"] == summary["visible_passes"] > 0
    assert all(table.column("visible").to_pylist())
    schema = table.schema
    for name in engine.COLUMNS:
        t = schema.field(name).type
        if name.endswith("_time"):
            assert t == pa.timestamp("us", tz="UTC"), name
        elif name.endswith("_direction") or name in ("visible_starts", "visible_ends"):
            assert pa.types.is_dictionary(t), name
        elif name.endswith(("_deg", "_km", "_magnitude", "_m", "_s")):
            assert t == pa.float64(), name
    with pa.ipc.open_file(outs["arrow"]) as f:
        assert f.read_all().equals(table)
    rows = [json.loads(line) for line in outs["jsonl"].read_text().splitlines()]
    assert len(rows) == table.num_rows
    csv = pacsv.read_csv(outs["csv"], convert_options=pacsv.ConvertOptions(
        column_types={c: pa.string() for c in engine.COLUMNS if c.endswith("_time")}))
    assert csv.column_names == engine.COLUMNS and csv.num_rows == table.num_rows
    typed = table.to_pylist()
    for mine, text, k in zip(typed, rows, range(len(rows)), strict=True):
        for name in engine.COLUMNS:
            value = mine[name]
            if name.endswith("_time"):
                shown = None if value is None else (
                    value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 100000}Z")
                assert shown == text[name] == csv.column(name)[k].as_py(), name
            else:
                assert value == text[name], name
# ----------------------------------------------------------------------- bad input
def _fails(capsys, args, *fragments):
    code = main(["batch", *args])
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert err.count("\n") == 1 and err.startswith("zarya: error: ")
    for f in fragments:
        assert f in err, (f, err)


@pytest.mark.parametrize(
    ("content", "fragments"),
    [
        ("name,lat,lon\nA,10,20\nB,95,20\n", ["line 3", "latitude 95"]),
        ("name,lat,lon\nA,10,20\nB,ten,20\n", ["line 3", "lat should be a number"]),
        ("name,lat,lon\nA,10,20\nB,11,21\nA,12,22\n", ["line 4", "duplicate name 'A'",
                                                        "first on line 2"]),
        ("name,lat\nA,10\n", ["line 1", "missing lon"]),
        ("name,lat,lon\nA,10\n", ["line 2", "expected 3 fields"]),
        ("name,lat,lon\n", ["no places"]),
        ("", ["empty"]),
    ],
)
def test_bad_places_file(tmp_path, capsys, content, fragments):
    path = tmp_path / "places.csv"
    path.write_text(content)
    out = tmp_path / "out.parquet"
    _fails(capsys, ["--places", str(path), "--from", START, "--out", str(out)], *fragments)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [path]  # no partial file either


@pytest.fixture
def refused_port():
    """A loopback port that refuses connections for the whole test: bound here (nobody else
    can listen on it) but not listening."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield s.getsockname()[1]


def test_unreachable_scheduler_writes_nothing(tmp_path, capsys, monkeypatch, refused_port):
    # Dask retries even a refused connection until its timeout (10 s): half a second will do
    monkeypatch.setattr(sys.modules["zarya.batch.run"], "SCHEDULER_TIMEOUT_S", 0.5)
    address = f"tcp://127.0.0.1:{refused_port}"
    out = tmp_path / "out.csv"
    started = time.monotonic()
    _fails(capsys, ["--cities", "5", "--from", START, "--out", str(out),
                    "--scheduler", address], f"cannot reach the Dask scheduler at {address}")
    assert time.monotonic() - started < 9  # not Dask's 10 s
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--cities", "5", "--out", "x.txt"], "unknown output format"),
        (["--cities", "5", "--out", "/nonexistent/dir/x.csv"], "no such directory"),
        (["--cities", "5", "--places", "p.csv", "--out", "x.csv"], "exactly one"),
        (["--out", "x.csv"], "exactly one"),
        (["--cities", "0", "--out", "x.csv"], "--cities"),
        (["--cities", "5", "--days", "40", "--out", "x.csv"], "at most 31 days"),
        (["--cities", "5", "--workers", "0", "--out", "x.csv"], "--workers"),
        (["--cities", "5", "--threads", "0", "--out", "x.csv"], "--threads must be at least 1"),
        (["--cities", "5", "--threads", "2", "--workers", "2", "--out", "x.csv"],
         "--threads is for a run in this process"),
        (["--cities", "5", "--workers", "2", "--scheduler", "tcp://x:1", "--out", "x.csv"],
         "not both"),
        (["--cities", "5"], "--out"),
        (["--cities", "5", "--out", "x.csv", "--sun-limit", "nan"],
         "--sun-limit nan is impossible: expected -90 to 90"),
        (["--cities", "5", "--out", "x.csv", "--sun-limit", "1e9"],
         "--sun-limit 1000000000 is impossible: expected -90 to 90"),
        (["--cities", "5", "--out", "x.csv", "--sun-limit", "-91"], "--sun-limit -91"),
        (["--cities", "5", "--out", "x.csv", "--scheduler", "garbage"],
         "--scheduler 'garbage' is not a Dask scheduler address"),
        (["--cities", "5", "--out", "x.csv", "--scheduler", "tcp://host:port"],
         "--scheduler 'tcp://host:port' is not a Dask scheduler address"),
        (["--cities", "5", "--out", "x.csv", "--scheduler", "foo://h:1"], "unknown address"),
    ],
)
def test_bad_batch_arguments(tmp_path, capsys, monkeypatch, args, fragment):
    monkeypatch.chdir(tmp_path)
    _fails(capsys, ["--from", START, *args], fragment)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("how", ["same", "relative", "symlink", "hardlink"])
def test_out_that_is_the_places_file_is_refused(tmp_path, capsys, monkeypatch, how):
    """`--out pl.csv --places pl.csv` would replace the input with the output: refused,
    also through another spelling, a symbolic or a hard link; the input is untouched."""
    monkeypatch.chdir(tmp_path)
    places = tmp_path / "pl.csv"
    text = "name,lat,lon\nA,10,20\nB,11,21\n"
    places.write_text(text)
    out = {"same": "pl.csv", "relative": "./sub/../pl.csv"}.get(how, "other.csv")
    (tmp_path / "sub").mkdir()
    if how == "symlink":
        (tmp_path / out).symlink_to(places)
    elif how == "hardlink":
        os.link(places, tmp_path / out)
    before = sorted(p.name for p in tmp_path.iterdir())
    _fails(capsys, ["--places", "pl.csv", "--from", START, "--days", "1", "--out", out],
           "is the places file", "would destroy the input")
    assert places.read_text() == text
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_bad_scheduler_address_fails_before_any_work(tmp_path, capsys, monkeypatch):
    """An address distributed cannot parse was a ValueError traceback from Client()."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(BatchError, match="not a Dask scheduler address"):
        engine.check_scheduler_address("garbage")
    engine.check_scheduler_address("tcp://127.0.0.1:8786")
    engine.check_scheduler_address("10.0.0.5:8786")
    # the engine itself also turns a bad address into a BatchError, not a ValueError
    gen = engine.iter_chunks([], -1.8, _window(1.0), PassOptions(),
                             engine.Places(["a"], np.zeros(1), np.zeros(1), np.zeros(1)),
                             scheduler="garbage")
    with pytest.raises(BatchError, match="not a Dask scheduler address"):
        next(gen)
    assert list(tmp_path.iterdir()) == []
