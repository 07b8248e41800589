"""The element store: a real SQLite file, real element files, real processes.

History and selection, idempotent and atomic imports, every supported format, bad files
(nothing written, memory bounded), migrations, a process killed with SIGKILL in the middle
of an import, and a reader working while an importer writes.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from zarya.elements.files import bundled_sets, read_records
from zarya.elements.schema import MIGRATIONS
from zarya.elements.store import SCHEMA_VERSION, Store, open_store
from zarya.errors import CatalogError, ElementsError, OMMError, TLEFormatError
from zarya.reports.satellites import load_satellite

from .catalog_data import (
    iss_sets,
    iss_text,
    snapshot,
    synthetic_catalogue,
    to_csv,
    to_json,
    to_kvn,
    to_xml,
    with_catalogue_number,
)

ROOT = Path(__file__).resolve().parents[1]
CHILD = Path(__file__).with_name("catalog_child.py")
MB = 1024 * 1024


@pytest.fixture(scope="module")
def catalogue_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """12,000 objects: real ISS sets under new catalogue numbers (90001-102000)."""
    path = tmp_path_factory.mktemp("catalogue") / "catalogue.tle"
    path.write_text(synthetic_catalogue(), encoding="ascii")
    return path


# --------------------------------------------------------------- history, seeding
def test_new_store_is_seeded_with_the_bundled_history(tmp_path: Path) -> None:
    with open_store(tmp_path / "new" / "elements.sqlite") as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.sets(25544) == list(bundled_sets())  # every field, bit for bit
        [iss] = store.objects()
        assert (iss.norad_id, iss.name, iss.sets) == (25544, "ISS (ZARYA)", 150)
        history = store.history(25544)
    assert history[0].format == "tle" and history[0].elements.source == "bundled"
    assert history[0].original.splitlines()[1] == bundled_sets()[0].line1
    mode = sqlite3.connect(tmp_path / "new" / "elements.sqlite")
    assert mode.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    mode.close()


def test_load_satellite_selects_from_the_store(zarya_home: Path) -> None:
    """Predictions read the default store (ZARYA_HOME): the same sets as the bundled file."""
    sat = load_satellite()
    assert sat.elements == list(bundled_sets())
    assert (zarya_home / "elements.sqlite").exists()
    assert load_satellite("iss (zarya)").elements == sat.elements


def test_nearest_epoch(tmp_path: Path) -> None:
    """Store.nearest: the nearest epoch, the later set at an exact midpoint."""
    with open_store(tmp_path / "s.sqlite") as store:
        sets = store.sets(25544)
        epochs = np.array([s.epoch_jd_total for s in sets])
        rng = np.random.default_rng(7)
        instants = np.concatenate(
            [
                rng.uniform(epochs[0] - 30, epochs[-1] + 30, 300),
                (epochs[1:] + epochs[:-1]) / 2.0,  # exact midpoints: the later set wins
                epochs,
            ]
        )
        expected = np.searchsorted((epochs[1:] + epochs[:-1]) / 2.0, instants, side="right")
        for jd, k in zip(instants, expected, strict=True):
            assert store.nearest(25544, float(jd)) == sets[k]


def test_importing_the_same_file_twice_adds_nothing(tmp_path: Path) -> None:
    path = tmp_path / "iss.txt"
    path.write_text(iss_text())
    with open_store(tmp_path / "s.sqlite", seed=False) as store:
        [first] = store.add([read_records(path)])
        before = snapshot(store.path)
        [second] = store.add([read_records(path)])
        assert (first.read, first.added) == (150, 150)
        assert (second.read, second.added, second.duplicates) == (150, 0, 150)
        assert snapshot(store.path) == before  # not even an import log entry


@pytest.mark.parametrize(
    ("suffix", "convert", "fmt"),
    [
        (".json", to_json, "omm-json"),
        (".csv", to_csv, "omm-csv"),
        (".xml", to_xml, "omm-xml"),
        (".kvn", to_kvn, "omm-kvn"),
        (".tle", None, "tle"),
    ],
)
@pytest.mark.parametrize("compressed", [False, True])
def test_every_format_imports_the_real_sets(
    tmp_path: Path, suffix: str, convert, fmt: str, compressed: bool
) -> None:
    sets = iss_sets()
    text = iss_text() if convert is None else convert(sets)
    path = tmp_path / f"iss{suffix}{'.gz' if compressed else ''}"
    path.write_bytes(gzip.compress(text.encode()) if compressed else text.encode())
    with open_store(tmp_path / "s.sqlite", seed=False) as store:
        [summary] = store.add([read_records(path)])
        assert (summary.format, summary.read, summary.added) == (fmt, 150, 150)
        stored = store.sets(25544)
        history = store.history(25544)
        # the same set as a TLE is recognised: nothing more to add
        tle = tmp_path / "iss.tle.txt"
        tle.write_text(iss_text())
        assert store.add([read_records(tle)])[0].added == 0
    for got, want in zip(stored, sets, strict=True):
        assert got.epoch_jd_total == pytest.approx(want.epoch_jd_total, abs=1e-11)
        assert (got.mean_motion_rev_per_day, got.eccentricity, got.bstar) == (
            want.mean_motion_rev_per_day,
            want.eccentricity,
            want.bstar,
        )
        assert got.rev_number == want.rev_number
    assert all(h.format == fmt for h in history)
    if fmt == "omm-json":
        assert json.loads(history[0].original)["NORAD_CAT_ID"] == 25544
    if fmt == "omm-xml":
        assert history[0].original.startswith("<omm") and history[0].original.endswith("</omm>")


def test_alpha5_and_nine_digit_numbers(tmp_path: Path) -> None:
    es = iss_sets()[0]
    assert es.line1 is not None and es.line2 is not None
    alpha = tmp_path / "alpha5.tle"
    alpha.write_text(
        f"ALPHA FIVE\n{with_catalogue_number(es.line1, 100001)}\n"
        f"{with_catalogue_number(es.line2, 100001)}\n"
    )
    record = json.loads(to_json([es]))[0] | {"NORAD_CAT_ID": 270000001, "OBJECT_NAME": "NINE"}
    nine = tmp_path / "nine.json"
    nine.write_text(json.dumps([record]))
    with open_store(tmp_path / "s.sqlite") as store:
        store.add([read_records(alpha), read_records(nine)])
        assert store.resolve("A0001") == store.resolve("alpha") == 100001
        assert store.resolve("270000001") == store.resolve("Nine") == 270000001
        assert store.sets(270000001)[0].satrec().satnum == 0  # sgp4 cannot hold 9 digits
        assert store.nearest(100001, 2452530.0).line1.startswith("1 A0001")


def test_lookup_by_name(tmp_path: Path, catalogue_file: Path) -> None:
    with open_store(tmp_path / "s.sqlite") as store:
        store.add([read_records(catalogue_file)])
        assert store.resolve(None) == store.resolve("") == 25544
        assert store.resolve("ISS") == store.resolve("iss (zarya)") == 25544
        assert store.resolve("synth 90001") == 90001  # exact beats prefix (SYNTH 900010...)
        with pytest.raises(CatalogError, match="matches several satellites: SYNTH 9000"):
            store.resolve("synth 9000")
        with pytest.raises(CatalogError, match="no satellite named 'HUBBLE'"):
            store.resolve("HUBBLE")
        with pytest.raises(CatalogError, match="no elements for NORAD 20580"):
            store.resolve("20580")
        with pytest.raises(CatalogError, match="no satellite named 'synth 10000_'"):
            store.resolve("synth 10000_")  # '_' is no wildcard


# ---------------------------------------------------------------- atomic, bad files
def _bad_checksum() -> str:
    lines = iss_text().splitlines()
    lines[7] = lines[7][:68] + str((int(lines[7][68]) + 1) % 10)  # record 3, line 1
    return "\n".join(lines) + "\n"


def _truncated_line() -> str:
    lines = iss_text().splitlines()
    lines[11] = lines[11][:50]  # record 4, line 2
    return "\n".join(lines) + "\n"


def _truncated_file() -> str:
    return "\n".join(iss_text().splitlines()[:-1]) + "\n"  # the last set lost its line 2


@pytest.mark.parametrize(
    ("content", "error", "fragments"),
    [
        (_bad_checksum(), TLEFormatError, ["record 3", "line 8 of the file", "checksum"]),
        (_truncated_line(), TLEFormatError, ["record 4", "line 12", "expected 69"]),
        (_truncated_file(), TLEFormatError, ["record 150", "not followed by a line 2"]),
        ('{"hello": "world"}', OMMError, ["record 1 (line 1)", "not an OMM record"]),
        ('[{"EPOCH": 1}, 2]', OMMError, ["not an OMM record"]),
        ("[" + to_json(iss_sets())[1:3000], OMMError, ["truncated"]),
        ("", ElementsError, ["no element sets"]),
    ],
    ids=[
        "checksum",
        "short-line",
        "truncated-tle",
        "json-not-omm",
        "json-list",
        "cut-json",
        "empty",
    ],
)
def test_a_bad_file_imports_nothing(
    tmp_path: Path, content: str, error: type, fragments: list[str]
) -> None:
    good = tmp_path / "good.tle"
    good.write_text(synthetic_catalogue(20))
    bad = tmp_path / "bad.txt"
    bad.write_text(content)
    with open_store(tmp_path / "s.sqlite") as store:
        before = snapshot(store.path)
        with pytest.raises(error) as caught:
            store.import_files([good, bad])
        assert snapshot(store.path) == before
    message = str(caught.value)
    assert message.startswith(str(bad)) and "\n" not in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_skip_bad_imports_the_good_records_and_lists_the_bad(tmp_path: Path) -> None:
    lines = iss_text().splitlines()
    lines[7] = lines[7][:68] + str((int(lines[7][68]) + 1) % 10)  # record 3: checksum
    lines[14] = lines[14][:20]  # record 5: line 1 cut short
    path = tmp_path / "two-bad.txt"
    path.write_text("\n".join(lines) + "\n")
    result = read_records(path, skip_bad=True)
    assert [(b.number, b.line) for b in result.bad] == [(3, 7), (5, 13)]
    assert "checksum" in result.bad[0].message and "expected 69" in result.bad[1].message
    with open_store(tmp_path / "s.sqlite", seed=False) as store:
        [summary] = store.add([result])
    assert (summary.read, summary.added, len(summary.bad)) == (148, 148, 2)


def _billion_laughs() -> bytes:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE ndm [\n' + "\n".join(entities) + "\n]>\n"
        "<ndm><omm><OBJECT_NAME>&lol9;</OBJECT_NAME></omm></ndm>\n"
    ).encode()


def _write_huge(path: Path, head: bytes, filler: bytes, size: int, tail: bytes = b"") -> None:
    """A file of about ``size`` bytes written in pieces (never held in memory)."""
    block = filler * (MB // len(filler))
    with path.open("wb") as f:
        f.write(head)
        for _ in range(size // len(block)):
            f.write(block)
        f.write(tail)


@pytest.mark.parametrize(
    ("kind", "fragment"),
    [
        ("tle-line", "line 1 is longer than 65536 characters"),
        ("json-string", "record 1 (line 1) is longer than 1048576 characters"),
        ("xml-text", "an XML value longer than 65536 characters"),
        ("xml-bomb", "XML bomb"),
        ("gzip-line", "longer than 65536 characters"),
    ],
)
def test_hostile_files_fail_fast_in_bounded_memory(
    tmp_path: Path, kind: str, fragment: str
) -> None:
    """A 100 MB line, a 100 MB JSON string or XML value, a billion-laughs bomb, a gzip
    bomb (100 MB of zeros in 100 kB): one clear error, little memory, nothing written."""
    path = tmp_path / kind
    if kind == "tle-line":
        _write_huge(path, b"", b"1 25544U ", 100 * MB)
    elif kind == "json-string":
        _write_huge(path, b'[{"OBJECT_NAME": "', b"x", 100 * MB, b'"}]')
    elif kind == "xml-text":
        _write_huge(path, b"<ndm><omm><OBJECT_NAME>", b"x", 100 * MB, b"</OBJECT_NAME></omm></ndm>")
    elif kind == "xml-bomb":
        path.write_bytes(_billion_laughs())
    else:
        with gzip.open(path, "wb", compresslevel=1) as f:
            block = b"0" * MB
            for _ in range(100):
                f.write(block)
    with open_store(tmp_path / "s.sqlite") as store:
        before = snapshot(store.path)
        tracemalloc.start()
        try:
            with pytest.raises(ElementsError) as caught:
                store.import_files([path])
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert snapshot(store.path) == before
    assert fragment in str(caught.value)
    assert peak < 16 * MB, f"peak Python memory {peak / MB:.1f} MB"


def test_a_large_import_is_written_in_batches(tmp_path: Path) -> None:
    """Memory holds a batch of records, not the file: 8,000 objects (about 12 MB of Python
    objects if held all at once) import with a peak of a few MB."""
    path = tmp_path / "big.tle"
    path.write_text(synthetic_catalogue(8_000))
    with open_store(tmp_path / "s.sqlite") as store:
        tracemalloc.start()
        try:
            [summary] = store.import_files([path])
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert (summary.read, summary.added, summary.objects) == (8_000, 8_000, 8_000)
    assert peak < 6 * MB, f"peak Python memory {peak / MB:.1f} MB"


def test_a_100_mb_line_keeps_the_process_small(tmp_path: Path) -> None:
    """The whole command, in its own process: its peak RSS grows by far less than 100 MB."""
    path = tmp_path / "line.tle"
    _write_huge(path, b"", b"2 25544 ", 100 * MB)
    small = tmp_path / "small.tle"
    small.write_text(synthetic_catalogue(10))
    script = (
        "import resource, sys\n"
        "from zarya.cli import main\n"
        "assert main(['elements', 'import', sys.argv[1], '--db', sys.argv[3]]) == 0\n"
        "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "code = main(['elements', 'import', sys.argv[2], '--db', sys.argv[3]])\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print('RSS', code, base, peak)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(small), str(path), str(tmp_path / "s.sqlite")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    [numbers] = [ln.split()[1:] for ln in done.stdout.splitlines() if ln.startswith("RSS")]
    code, base_kb, peak_kb = map(int, numbers)
    assert code == 2
    assert "line 1 is longer than 65536 characters" in done.stderr
    assert peak_kb - base_kb < 20 * 1024, (base_kb, peak_kb)


# ------------------------------------------------------------------------- migrations
def test_an_older_store_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "v1.sqlite"
    conn = sqlite3.connect(path)
    for statement in MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with open_store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.count() == 0  # an existing store is not seeded again
        assert store.http_state("http://example.invalid/") is None  # the v2 table exists


def test_stores_that_are_not_ours(tmp_path: Path) -> None:
    future = tmp_path / "future.sqlite"
    with open_store(future):
        pass
    conn = sqlite3.connect(future)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(CatalogError, match="schema version 99, newer than this zarya"):
        Store(future)
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(CatalogError, match="not a zarya element store"):
        Store(other)
    text = tmp_path / "text.sqlite"
    text.write_text("this is not a database, " * 100)
    with pytest.raises(CatalogError, match="text.sqlite"):
        Store(text)


# ------------------------------------------------------------ crashes, concurrency
def _start_importer(db: Path, source: Path) -> subprocess.Popen:
    """A process importing ``source``; it stops inside the transaction after 1,000 rows
    and waits for a line on stdin."""
    return subprocess.Popen(
        [sys.executable, str(CHILD), str(db), str(source)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def _wait_for(child: subprocess.Popen, prefix: str) -> str:
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line.startswith(prefix), (line, child.stderr.read() if child.stderr else "")
    return line


def test_sigkill_in_the_middle_of_an_import_leaves_the_store_whole(
    tmp_path: Path, catalogue_file: Path
) -> None:
    db = tmp_path / "s.sqlite"
    open_store(db).close()
    before = snapshot(db)
    child = _start_importer(db, catalogue_file)
    try:
        _wait_for(child, "progress 1000")  # rows written, transaction open
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        child.kill()
        child.communicate()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()
    assert snapshot(db) == before  # none of it
    with open_store(db) as store:  # and it still works: the same import, whole this time
        assert store.add([read_records(catalogue_file)])[0].added == 12_000
        assert store.count() == 12_150


def test_a_reader_works_while_an_import_writes(tmp_path: Path, catalogue_file: Path) -> None:
    db = tmp_path / "s.sqlite"
    open_store(db).close()
    child = _start_importer(db, catalogue_file)
    try:
        _wait_for(child, "progress 1000")
        # another process reads while the import holds its write transaction open
        reader = subprocess.run(
            [sys.executable, "-m", "zarya", "elements", "list", "--db", str(db), "--json"],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
        )
        assert reader.returncode == 0, reader.stderr
        assert [o["norad_id"] for o in json.loads(reader.stdout)["objects"]] == [25544]
        out, err = child.communicate("go on\n", timeout=60)
    finally:
        child.kill()
        child.communicate()
    assert child.returncode == 0, err
    assert "committed 12000" in out
    with open_store(db) as store:
        assert store.count() == 12_150
        assert store.resolve("SYNTH 102000") == 102000
        assert store.nearest(102000, 2457480.0).line1.startswith("1 A2000")

