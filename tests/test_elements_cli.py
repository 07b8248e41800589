"""``zarya elements import | update | list | show``, and predictions reading the store."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from importlib import resources
from pathlib import Path

import pytest

from .catalog_data import iss_sets, iss_text, synthetic_catalogue, to_json
from .catalog_server import ElementServer, Route
from .cli_harness import run, run_json
from .clock import STALE_NOW

ASTANA = ["--lat", "51.1694", "--lon", "71.4491", "--alt-m", "347"]


def one_line_error(code: int, err: str, *fragments: str) -> None:
    assert code == 2
    assert err.startswith("zarya: error: ") and err.count("\n") == 1, err
    for fragment in fragments:
        assert fragment in err, (fragment, err)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    made = {
        "iss": tmp_path / "iss.txt",
        "json": tmp_path / "iss.json",
        "synth": tmp_path / "synth.tle",
    }
    made["iss"].write_text(iss_text())
    made["json"].write_text(to_json(iss_sets()[:40]))
    made["synth"].write_text(synthetic_catalogue(30))
    return made


def _days(now: datetime, epoch: str) -> float:
    return (now - datetime.fromisoformat(epoch.replace("Z", "+00:00"))).total_seconds() / 86400


def test_import_list_show(capsys, tmp_path: Path, files: dict[str, Path], freeze_clock) -> None:
    now = freeze_clock(STALE_NOW)  # ages are counted to "now"
    db = ["--db", str(tmp_path / "s.sqlite")]
    report = run_json(capsys, "elements", "import", str(files["synth"]), str(files["iss"]), *db)
    assert [(f["format"], f["read"], f["added"]) for f in report["files"]] == [
        ("tle", 30, 30),
        ("tle", 150, 0),  # the bundled history seeded the new store already
    ]
    assert report["sets_in_store"] == 180
    again = run_json(capsys, "elements", "import", str(files["synth"]), *db)
    assert again["added"] == 0 and again["files"][0]["duplicates"] == 30

    listing = run_json(capsys, "elements", "list", *db)
    assert len(listing["objects"]) == 31
    iss = next(o for o in listing["objects"] if o["norad_id"] == 25544)
    assert (iss["name"], iss["sets"]) == ("ISS (ZARYA)", 150)
    assert iss["newest_epoch"].startswith("2025-")
    assert iss["age_days"] == pytest.approx(_days(now, iss["newest_epoch"]), abs=0.005)

    shown = run_json(capsys, "elements", "show", "iss", *db)
    assert (shown["norad_id"], shown["name"], len(shown["sets"])) == (25544, "ISS (ZARYA)", 150)
    first = shown["sets"][0]
    assert first["epoch"] == "2002-09-13T16:48:28.677888Z"
    assert first["rev_number"] == 21783
    assert first["age_days"] == pytest.approx(_days(now, first["epoch"]), abs=0.005)
    assert first["original"].splitlines()[1].startswith("1 25544U 98067A   02256.70033192")

    code, out, err = run(capsys, "elements", "show", "synth 90002", *db)
    assert code == 0 and "SYNTH 90002 (NORAD 90002): 1 sets" in out
    code, out, err = run(capsys, "elements", "list", *db)
    assert code == 0, err
    lines = out.splitlines()
    # the store's path whole on its own line, however long (rich wrapped it as a title)
    assert f"{tmp_path / 's.sqlite'}: 31 objects" in lines
    assert any("SYNTH 90030" in line for line in lines)
    (row,) = [line for line in lines if line.split()[:1] == ["25544"]]
    assert "ISS (ZARYA)" in row and f"{iss['age_days']:.1f} d" in row


def test_import_reads_omm_and_gzip(capsys, tmp_path: Path, files: dict[str, Path]) -> None:
    import gzip

    packed = tmp_path / "iss.json.gz"
    packed.write_bytes(gzip.compress(files["json"].read_bytes()))
    db = ["--db", str(tmp_path / "s.sqlite")]
    report = run_json(capsys, "elements", "import", str(packed), *db)
    assert report["files"][0]["format"] == "omm-json"
    assert report["files"][0]["read"] == 40 and report["files"][0]["added"] == 0  # seeded


def test_a_bad_file_is_one_line_and_nothing_is_written(
    capsys, tmp_path: Path, files: dict[str, Path]
) -> None:
    lines = synthetic_catalogue(5).splitlines()
    lines[7] = lines[7][:68] + str((int(lines[7][68]) + 1) % 10)  # record 3, line 1
    bad = tmp_path / "bad.tle"
    bad.write_text("\n".join(lines) + "\n")
    db = ["--db", str(tmp_path / "s.sqlite")]
    code, out, err = run(capsys, "elements", "import", str(files["synth"]), str(bad), *db)
    one_line_error(code, err, str(bad), "record 3", "line 8 of the file", "checksum")
    assert run_json(capsys, "elements", "list", *db)["objects"][0]["norad_id"] == 25544
    assert len(run_json(capsys, "elements", "list", *db)["objects"]) == 1  # not even synth

    code, out, err = run(capsys, "elements", "import", "--skip-bad", str(bad), *db)
    assert code == 0
    assert err.count("\n") == 1 and "skipped" in err and "record 3" in err
    assert "4 sets (tle), 4 new" in out and "1 bad records skipped" in out


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["elements", "import", "/nonexistent.tle"], ["no such elements file"]),
        (["elements", "show", "synth"], ["matches several satellites", "SYNTH 90001 (90001)"]),
        (["elements", "show", "hubble"], ["no satellite named 'hubble'"]),
        (["elements", "show", "99999"], ["no elements for NORAD 99999"]),
        (["elements", "update", "--group", "a b"], ["not a CelesTrak group name"]),
        (["elements", "import"], ["Missing argument"]),
    ],
)
def test_bad_input(capsys, tmp_path: Path, files, args: list[str], fragments: list[str]) -> None:
    db = ["--db", str(tmp_path / "s.sqlite")]
    assert run(capsys, "elements", "import", str(files["synth"]), *db)[0] == 0
    code, out, err = run(capsys, *args, *db)
    one_line_error(code, err, *fragments)


def test_a_store_file_that_is_not_a_store(capsys, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("my notes, not a database\n" * 200)
    code, out, err = run(capsys, "elements", "list", "--db", str(path))
    one_line_error(code, err, str(path))


def test_update(capsys, tmp_path: Path) -> None:
    db = ["--db", str(tmp_path / "s.sqlite")]
    with ElementServer() as server:
        server.routes["/gp"] = Route(synthetic_catalogue(25).encode(), "text/plain", etag='"x"')
        url = server.url("/gp")
        result = run_json(capsys, "elements", "update", "--url", url, *db)
        assert (result["status"], result["added"], result["objects"]) == ("imported", 25, 25)
        assert result["next_allowed_at"].endswith("Z")
        code, out, err = run(capsys, "elements", "update", "--url", url, *db)
        assert code == 0 and "nothing fetched" in out and "next is allowed at" in out
        code, out, err = run(capsys, "elements", "update", "--url", url, "--force", *db)
        assert code == 0 and "not modified" in out
        server.routes["/down"] = Route(b"", fail_first=99, fail_status=502)
        code, out, err = run(
            capsys, "elements", "update", "--url", server.url("/down"), "--retries", "0", *db
        )
        one_line_error(code, err, "HTTP 502", "unchanged")
    assert len(run_json(capsys, "elements", "list", *db)["objects"]) == 26


def test_update_offline(capsys, tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/gp.php?GROUP=stations&FORMAT=json"
    code, out, err = run(
        capsys, "elements", "update", "--url", url, "--retries", "0", "--db", str(tmp_path / "s")
    )
    one_line_error(code, err, "cannot reach 127.0.0.1", "are you offline?")


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--url", "http://[::1", "--retries", "0"], ["--url 'http://[::1'", "not a valid URL"]),
        (["--url", "http://x:abc/", "--retries", "0"], ["--url 'http://x:abc/'", "not a valid"]),
        (["--url", "http://x:99999/"], ["port 99999"]),
        (["--url", "http://"], ["names no host"]),
        (["--url", "ftp://example.org/gp.json"], ["expected an http:// or https:// URL"]),
        (["--timeout", "nan"], ["--timeout nan is impossible", "at most 300"]),
        (["--timeout", "inf"], ["--timeout inf is impossible"]),
        (["--timeout", "0"], ["--timeout 0 is impossible"]),
        (["--timeout", "301"], ["--timeout 301 is impossible"]),
        (["--retries", "-1"], ["--retries -1 is impossible", "0 to 10"]),
        (["--retries", "1000000", "--timeout", "0.001"], ["--retries 1000000 is impossible"]),
    ],
)
def test_update_refuses_bad_urls_and_options_at_once(
    capsys, tmp_path: Path, args: list[str], fragments: list[str]
) -> None:
    """Bad URLs and options: one line, exit 2, before any request and before the store is
    even created (these were tracebacks, or retried for minutes)."""
    import time

    db = tmp_path / "s.sqlite"
    started = time.monotonic()
    code, out, err = run(capsys, "elements", "update", *args, "--db", str(db))
    one_line_error(code, err, *fragments)
    assert time.monotonic() - started < 5
    assert not db.exists()


# -------------------------------------------------------- serve: where it cannot listen
def _serve(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zarya", "serve", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_serve_on_a_busy_port_is_one_line() -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = _serve("--host", "127.0.0.1", "--port", str(port))
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        f"zarya: error: cannot listen on 127.0.0.1:{port}: address already in use "
        "(is another server running there? try another --port)\n"
    )


@pytest.mark.parametrize("host", ["999.1.1.1", "no-such-host.invalid"])
def test_serve_on_an_unknown_host_is_one_line(host: str) -> None:
    done = _serve("--host", host, "--port", "0")
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"zarya: error: cannot listen on {host}:0: unknown host")
    assert done.stderr.count("\n") == 1, done.stderr


def test_serve_checks_the_address_as_the_server_binds_it() -> None:
    """The check binds what uvicorn will bind and lets go: a free port passes, twice."""
    from zarya.cli.serve import check_listen
    from zarya.errors import ServeError

    check_listen("127.0.0.1", 0)
    check_listen("localhost", 0)
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(ServeError, match="address already in use"):
            check_listen("127.0.0.1", port)
    check_listen("127.0.0.1", port)  # free again once the other server is gone


# ------------------------------------------------------------- predictions use the store
def test_passes_read_the_default_store(capsys, zarya_home: Path, files) -> None:
    """Without --elements, predictions select from $ZARYA_HOME's store: the bundled history
    gives exactly what the bundled file gives, and imported objects can be predicted."""
    window = ["--from", "2016-03-31", "--days", "2"]
    from_store = run_json(capsys, "passes", *ASTANA, *window)
    bundled = resources.files("zarya").joinpath("data/iss_tle_history.txt")
    with resources.as_file(bundled) as path:
        from_file = run_json(capsys, "passes", *ASTANA, *window, "--elements", str(path))
    assert from_store == from_file and from_store["passes"]

    assert run(capsys, "elements", "import", str(files["synth"]))[0] == 0  # default store
    assert (zarya_home / "elements.sqlite").exists()
    synth = run_json(
        capsys, "passes", *ASTANA, "--sat", "SYNTH 90002", "--from", "2003-04-08", "--days", "1"
    )
    assert synth["satellite"]["norad_id"] == 90002
    assert synth["satellite"]["elements_epoch"].startswith("2003-04-07")


def test_the_command_starts_without_the_store_or_httpx() -> None:
    """`zarya passes` stays quick to start: the store, its readers and httpx load on use."""
    code = (
        "import sys, zarya.cli\n"
        "heavy = [m for m in ('httpx', 'sqlite3', 'zarya.elements.catalog',\n"
        "         'zarya.elements.fetch', 'defusedxml') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
