"""Hostile input and signals (issue 18): each defect found by trying zarya as a hostile user
would, its reproduction kept here as a test of the fix.

Every refusal is one line on stderr and exit status 2 (the web: 422), never a traceback,
never a half-written store or output file. D-numbers are the issue's.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from xml.etree import ElementTree

import pytest

from zarya.elements import files as element_files
from zarya.elements import store as store_module
from zarya.elements.fetch import update
from zarya.elements.store import open_store
from zarya.errors import CatalogError

from .catalog_server import ElementServer, Route
from .cli_harness import assert_one_line_error, hear_ctrl_c, run, run_json

DATA = Path(__file__).parent / "data"
ISS = (DATA / "iss" / "iss_tle_history.txt").read_text().splitlines()
ISS_SET = "\n".join(ISS[-3:]) + "\n"  # the newest bundled ISS set, 3 lines
SPOT = ["--lat", "51.17", "--lon", "71.45", "--from", "2016-04-04", "--days", "1"]


def omm(**fields: object) -> dict:
    """A valid OMM record (an ISS set of April 2016), with ``fields`` changed."""
    record = {
        "OBJECT_NAME": "ISS (ZARYA)", "OBJECT_ID": "1998-067A",
        "EPOCH": "2016-04-04T00:00:00", "MEAN_MOTION": 15.5444, "ECCENTRICITY": 0.0002,
        "INCLINATION": 51.64, "RA_OF_ASC_NODE": 10.0, "ARG_OF_PERICENTER": 60.0,
        "MEAN_ANOMALY": 30.0, "NORAD_CAT_ID": 25544, "BSTAR": 9.8e-5,
        "MEAN_MOTION_DOT": 6e-5, "MEAN_MOTION_DDOT": 0.0, "REV_AT_EPOCH": 99482,
        "ELEMENT_SET_NO": 999,
    }
    record.update(fields)
    return record


def store_rows() -> tuple[int, int]:
    """(element sets, imports) in the store: to show a refusal changed nothing."""
    with open_store() as store:
        conn = sqlite3.connect(store.path)
    try:
        return (conn.execute("SELECT count(*) FROM element_sets").fetchone()[0],
                conn.execute("SELECT count(*) FROM imports").fetchone()[0])
    finally:
        conn.close()


def refused_everywhere(capsys, path: Path, *fragments: str) -> None:
    """``elements import`` and ``passes --elements`` both refuse ``path`` in one line,
    and the store is unchanged."""
    before = store_rows()
    for args in (["elements", "import", str(path)],
                 ["passes", "--elements", str(path), *SPOT, "--allow-stale"]):
        code, out, err = run(capsys, *args)
        assert_one_line_error(code, out, err, *fragments)
    assert store_rows() == before


# ------------------------------------------------------------------------ readers
def test_d1_deeply_nested_json(capsys, tmp_path: Path) -> None:
    bare = tmp_path / "d.json"
    bare.write_text("[" * 100_000 + "]" * 100_000)
    refused_everywhere(capsys, bare, "is a JSON array, not an object with OMM keys")
    inside = tmp_path / "e.json"
    inside.write_text('[{"OBJECT_NAME": ' + "[" * 100_000 + "]" * 100_000 + "}]")
    refused_everywhere(capsys, inside, "nested too deeply")
    null = tmp_path / "n.json"
    null.write_text("[null]")
    refused_everywhere(capsys, null, "is a JSON null")  # not "a JSON NoneType"


@pytest.mark.parametrize("field", ["REV_AT_EPOCH", "ELEMENT_SET_NO"])
def test_d2_huge_omm_integers(capsys, tmp_path: Path, field: str) -> None:
    path = tmp_path / "big.json"
    path.write_text(json.dumps([omm(**{field: 1e19})]))
    refused_everywhere(capsys, path, f"{field} = 1e+19 is outside 0 to")
    before = store_rows()
    code, out, err = run(capsys, "elements", "import", "--skip-bad", str(path))
    assert_one_line_error(code, out, err, "no element sets in the file (1 bad records skipped)")
    assert store_rows() == before


def test_d3_an_epoch_beyond_the_century(capsys, tmp_path: Path) -> None:
    path = tmp_path / "late.json"
    path.write_text(json.dumps([omm(EPOCH="9999-12-31T23:59:59.999999999")]))
    refused_everywhere(capsys, path, "EPOCH year 9999 is outside 1957 to 2100")


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_omm_numbers_are_said_so(capsys, tmp_path: Path, value: str) -> None:
    path = tmp_path / "nan.json"
    path.write_text(json.dumps([omm()]).replace('"BSTAR": 9.8e-05', f'"BSTAR": {value}'))
    refused_everywhere(capsys, path, "BSTAR should be a finite number")


def test_d4_a_csv_field_over_the_csv_module_s_limit(capsys, tmp_path: Path) -> None:
    """A quoted field of 240 KB over four lines (each under the 64 KB line limit)."""
    head = "OBJECT_NAME,NORAD_CAT_ID,EPOCH,MEAN_MOTION,ECCENTRICITY,INCLINATION,RA_OF_ASC_NODE,"
    head += "ARG_OF_PERICENTER,MEAN_ANOMALY,BSTAR\n"
    name = "\n".join(["A" * 60_000] * 4)
    path = tmp_path / "big.csv"
    path.write_text(head + f'"{name}",25544,2016-04-04T00:00:00,15.5,0.0001,51.6,1,1,1,1e-4\n')
    refused_everywhere(capsys, path, "not CSV (field larger than field limit")


def test_d13_control_characters_in_names(capsys, tmp_path: Path) -> None:
    """CR, NUL and ESC in an OMM name are taken out where it is read: the store, the
    terminal, the map's SVG (valid XML) and the calendar never see them."""
    path = tmp_path / "ctl.json"
    path.write_text(json.dumps([omm(OBJECT_NAME="EVIL\r\x00\x1b[2J SAT", NORAD_CAT_ID=99001)]))
    code, out, err = run(capsys, "elements", "import", str(path))
    assert code == 0, err
    shown = run_json(capsys, "elements", "show", "99001")
    assert shown["name"] == "EVIL [2J SAT"  # CR a space, NUL and ESC gone
    code, out, err = run(capsys, "elements", "list")
    assert code == 0 and "EVIL [2J SAT" in out
    assert not any(c in out for c in "\r\x00\x1b")
    svg = tmp_path / "map.svg"
    code, out, err = run(capsys, "plot", "map", "--sat", "99001", "--from",
                         "2016-04-04T12:00:00Z", "--out", str(svg))
    assert code == 0, err
    ElementTree.parse(svg)  # valid XML
    long_name = tmp_path / "long.json"
    long_name.write_text(json.dumps([omm(OBJECT_NAME="X" * 500_000, NORAD_CAT_ID=99002)]))
    refused_everywhere(capsys, long_name, "OBJECT_NAME of 500000 characters (at most 60)")


def test_d14_cr_only_line_endings_read_alike(capsys, tmp_path: Path) -> None:
    path = tmp_path / "cr.tle"
    path.write_bytes(ISS_SET.replace("\n", "\r").encode())
    code, out, err = run(capsys, "elements", "import", str(path))
    assert code == 0 and "1 sets (tle)" in out, err
    report = run_json(capsys, "passes", "--elements", str(path), *SPOT, "--allow-stale")
    assert report["satellite"]["norad_id"] == 25544


def test_d8_a_newline_bomb_is_refused_at_once(capsys, tmp_path: Path) -> None:
    """1 GB of newlines gzipped to 1 MB: refused after 10,000 empty lines, not read whole
    (it took 110 s, holding the store's lock). Measured 0.3 s; bound 10 s."""
    path = tmp_path / "nl.gz"
    with gzip.open(path, "wb", compresslevel=9) as f:
        for _ in range(1024):
            f.write(b"\n" * (1 << 20))
    start = time.monotonic()
    refused_everywhere(capsys, path, "more than 10000 empty lines in a row")
    assert time.monotonic() - start < 10.0


def test_d16_a_named_pipe_without_a_writer(capsys, tmp_path: Path, monkeypatch) -> None:
    """Refused after the pipe's wait (30 s; 0.5 s here) instead of blocking forever with the
    store locked; a pipe with a writer is read (test_elements.test_a_pipe_is_read)."""
    monkeypatch.setattr(element_files, "PIPE_WAIT_S", 0.5)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    refused_everywhere(capsys, fifo, "a named pipe nobody wrote to within 0.5 s")
    code, out, err = run(capsys, "elements", "import", "/dev/zero")
    assert_one_line_error(code, out, err, "/dev/zero is not a regular file")


def test_the_lock_is_taken_after_reading_and_a_waiting_writer_says_who(
    capsys, tmp_path: Path, monkeypatch
) -> None:
    """While another process writes: a bad file is refused for what it is (read before the
    lock is asked for), a good one waits its turn and, past the busy timeout, says which
    process holds the store."""
    with open_store() as store:  # created and seeded
        store_path = store.path
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1]); "
         "c.execute('BEGIN IMMEDIATE'); print('held', flush=True); time.sleep(30)",
         str(store_path)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        Path(f"{store_path}.writer").write_text(
            f"pid {holder.pid}, 'zarya elements import', since 2026-01-01T00:00:00Z\n")
        monkeypatch.setattr(store_module, "BUSY_TIMEOUT_S", 0.5)
        bad = tmp_path / "bad.json"
        bad.write_text("[" * 10 + "]" * 10)
        code, out, err = run(capsys, "elements", "import", str(bad))
        assert_one_line_error(code, out, err, "is a JSON array")
        good = tmp_path / "good.tle"
        good.write_text(ISS_SET)
        code, out, err = run(capsys, "elements", "import", str(good))
        assert_one_line_error(code, out, err, "is busy: another zarya is writing to it",
                              f"pid {holder.pid}")
    finally:
        holder.kill()
        holder.wait()
        assert holder.stdout is not None
        holder.stdout.close()


# ------------------------------------------------------------------- the command line
@pytest.mark.parametrize("sat,says", [
    ("99999999999999999999999", "is not a NORAD number: expected 1 to 999999999"),
    ("\u00b2", "is not a NORAD number"),
    ("x" * 1000, "is 1000 characters long"),
])
def test_d6_satellites_that_cannot_be(capsys, sat: str, says: str) -> None:
    code, out, err = run(capsys, "passes", "--sat", sat, *SPOT)
    assert_one_line_error(code, out, err, "--sat", says)
    code, out, err = run(capsys, "elements", "show", sat)
    assert_one_line_error(code, out, err, says)


@pytest.mark.parametrize("query", ["sat=%C2%B2", "sat=99999999999999999999999"])
@pytest.mark.parametrize("route", ["/api/passes?lat=1&lon=1&", "/api/now?",
                                   "/api/track?", "/feeds/passes.ics?lat=1&lon=1&",
                                   "/charts/map.svg?",
                                   "/api/orbits?from=2016-04-01&to=2016-04-02&"])
def test_d6_the_web_answers_422_to_them(route: str, query: str) -> None:
    from fastapi.testclient import TestClient

    from zarya.web import create_app

    with TestClient(create_app()) as client:
        r = client.get(route + query)
    assert r.status_code == 422, r.text
    assert "is not a NORAD number" in r.json()["detail"]


def test_numbers_are_quoted_as_given(capsys) -> None:
    code, out, err = run(capsys, "passes", "--lat", "90.0000001", "--lon", "1")
    assert_one_line_error(code, out, err, "latitude 90.0000001 degrees is impossible")
    code, out, err = run(capsys, "radio", "--place", "Astana", "--freq-mhz", "1e308",
                         "--from", "2016-04-04", "--days", "1")
    assert_one_line_error(code, out, err, "--freq-mhz 1e+308 is impossible")
    code, out, err = run(capsys, "passes", "--place", "x" * 100_000)
    assert_one_line_error(code, out, err, "a place name of 100000 characters (at most 200)")
    assert len(err) < 300


# ------------------------------------------------------------------------ batch
def test_d5_a_huge_name_in_a_places_file(capsys, tmp_path: Path) -> None:
    places = tmp_path / "p.csv"
    places.write_text('name,lat,lon\n"' + "A" * 200_000 + '",1,1\n')
    out = tmp_path / "o.csv"
    code, stdout, err = run(capsys, "batch", "--places", str(places), "--from", "2016-04-04",
                            "--days", "1", "--out", str(out))
    assert_one_line_error(code, stdout, err, "not CSV (field larger than field limit")
    assert sorted(os.listdir(tmp_path)) == ["p.csv"]


@pytest.mark.parametrize("text,says", [
    ("name,lat,lon,population\nA,1,1,5\n", "unknown column 'population'"),
    ("name,lat,lon\nA,1,1,5\n", "expected 3 fields, found 4"),
])
def test_places_files_say_what_they_do_not_use(capsys, tmp_path: Path, text: str,
                                                says: str) -> None:
    places = tmp_path / "p.csv"
    places.write_text(text)
    code, out, err = run(capsys, "batch", "--places", str(places), "--from", "2016-04-04",
                         "--days", "1", "--out", str(tmp_path / "o.csv"))
    assert_one_line_error(code, out, err, says)


def test_cities_beyond_the_gazetteer(capsys, tmp_path: Path) -> None:
    code, out, err = run(capsys, "batch", "--cities", str(10**9), "--from", "2016-04-04",
                         "--days", "1", "--out", str(tmp_path / "o.csv"))
    assert_one_line_error(code, out, err, "is more than the", "cities of the gazetteer")


def test_d11_output_files_keep_the_umask_or_the_mode_they_had(capsys, tmp_path: Path) -> None:
    out = tmp_path / "o.csv"
    old = os.umask(0o022)
    try:
        code, _, err = run(capsys, "batch", "--cities", "3", "--from", "2016-04-04", "--days",
                           "1", "--out", str(out))
        assert code == 0, err
        assert stat.S_IMODE(out.stat().st_mode) == 0o644  # rw-rw-rw- less the umask
        out.chmod(0o640)
        code, _, err = run(capsys, "batch", "--cities", "3", "--from", "2016-04-04", "--days",
                           "1", "--out", str(out))
        assert code == 0, err
        assert stat.S_IMODE(out.stat().st_mode) == 0o640  # the replaced file's
    finally:
        os.umask(old)


def test_d12_an_output_where_no_file_can_be_made(capsys) -> None:
    code, out, err = run(capsys, "batch", "--cities", "3", "--from", "2016-04-04", "--days",
                         "1", "--out", "/proc/x.csv")
    assert_one_line_error(code, out, err, "cannot write /proc/x.csv")


def test_d15_a_local_cluster_is_capped() -> None:
    from zarya.batch.run import local_workers

    cpus = os.cpu_count() or 1
    assert local_workers(1000, 5) == min(5, 2 * cpus)
    assert local_workers(1000, 10_000) == 2 * cpus
    assert local_workers(None, 1) == 1


# ------------------------------------------------------------------------ signals
def _signalled(out: Path, sig: int, *args: str) -> tuple[int, str]:
    """Run ``zarya ARGS`` in its own process, send ``sig`` once it is writing (its
    temporary file has appeared in ``out``), and return its exit status and stderr."""
    proc = subprocess.Popen([sys.executable, "-m", "zarya", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=hear_ctrl_c)
    deadline = time.monotonic() + 120.0
    while not any(name.endswith(".part") for name in os.listdir(out)):
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    return proc.returncode, err


@pytest.mark.parametrize("sig,code,word", [(signal.SIGINT, 130, "interrupted"),
                                           (signal.SIGTERM, 143, "terminated")])
def test_d7_d10_signals_during_a_batch(tmp_path: Path, sig: int, code: int, word: str) -> None:
    """Ctrl-C exits 130 (it exited 0 and printed nothing) and SIGTERM 143 (it left a
    temporary .part file): the run stops, says so in one line, and leaves nothing."""
    out = tmp_path / "out"
    out.mkdir()
    rc, err = _signalled(out, sig, "batch", "--cities", "20000", "--from",
                         "2016-04-04", "--days", "20", "--out", str(out / "o.parquet"))
    assert rc == code, err
    assert err == f"zarya: {word}\n"
    assert os.listdir(out) == []


def test_d9_a_trickling_server_is_given_up(zarya_home: Path) -> None:
    """A server sending one byte a second: --timeout bounds each read, and now the whole
    fetch has a deadline (900 s; 2 s here): nothing imported, the store unchanged."""
    with ElementServer() as server:
        server.routes["/slow"] = Route(body=ISS_SET.encode(), content_type="text/plain",
                                       trickle_s=1.0)
        before = store_rows()
        start = time.monotonic()
        with open_store() as store, pytest.raises(CatalogError, match="deadline"):
            update(store, url=server.url("/slow"), deadline_s=2.0, retries=0)
        assert time.monotonic() - start < 6.0
        assert store_rows() == before


def test_signal_handlers_are_given_back() -> None:
    """main() installs its SIGTERM handler only while it runs."""
    from zarya.cli import main

    before = signal.getsignal(signal.SIGTERM)
    assert main(["--version"]) == 0
    assert signal.getsignal(signal.SIGTERM) is before
    assert threading.current_thread() is threading.main_thread()


def _checksum(line: str) -> str:
    return line[:68] + str(sum(int(c) if c.isdigit() else c == "-" for c in line[:68]) % 10)


def _many_sets(path: Path, n: int) -> None:
    """``n`` copies of the newest bundled ISS set, numbered 10000 on (checksums redone)."""
    name, one, two = ISS_SET.splitlines()
    with path.open("w") as f:
        for k in range(n):
            number = f"{10000 + k:05d}"
            f.write(f"SAT {k}\n{_checksum(one[:2] + number + one[7:])}\n"
                    f"{_checksum(two[:2] + number + two[7:])}\n")


@pytest.mark.parametrize("sig,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signals_during_an_import_and_a_search(tmp_path: Path, zarya_home: Path, sig: int,
                                               code: int) -> None:
    """An import of 60,000 sets stopped by a signal: the exit status of the signal, one
    line, the store as it was and not locked (a second import goes through at once); a
    long pass search too exits with the signal's status."""
    big = tmp_path / "big.tle"
    _many_sets(big, 60_000)
    before = store_rows()
    proc = subprocess.Popen([sys.executable, "-m", "zarya", "elements", "import", str(big)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=hear_ctrl_c)
    time.sleep(2.0)  # past start-up (the handlers are in place), inside the reading
    assert proc.poll() is None, proc.communicate()
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert err.endswith(("interrupted\n", "terminated\n")) and err.count("\n") == 1, err
    assert store_rows() == before
    with open_store() as store:
        assert not Path(f"{store.path}.writer").exists()
    small = tmp_path / "one.tle"
    small.write_text(ISS_SET.replace("ISS (ZARYA)", "ISS AGAIN"))
    done = subprocess.run([sys.executable, "-m", "zarya", "elements", "import", str(small)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    proc = subprocess.Popen([sys.executable, "-m", "zarya", "passes", "--place", "Astana",
                             "--from", "2016-01-01", "--days", "366", "--allow-stale"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=hear_ctrl_c)
    time.sleep(2.0)
    if proc.poll() is None:  # (a fast machine may have finished: nothing to stop then)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == code, err  # (the table may be half printed: no file)
        assert err.endswith(("zarya: interrupted\n", "zarya: terminated\n")), err
    else:
        proc.communicate()
