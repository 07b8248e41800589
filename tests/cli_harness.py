"""Running the command line in-process, for the tests: its exit status and what it printed,
its JSON, and the check of a one-line refusal."""

from __future__ import annotations

import json
import signal

import pytest

from zarya.cli import main

__all__ = ["assert_one_line_error", "hear_ctrl_c", "run", "run_json"]


def hear_ctrl_c() -> None:
    """``preexec_fn`` for a child that a test will press Ctrl-C on: SIGINT back to its
    default, whatever this process inherited or a library here set (a test run in the
    background starts with SIGINT ignored; Dask's cluster code may set it so), as a
    terminal would give it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``zarya ARGS`` in this process: (exit status, stdout, stderr) of that run alone."""
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    """``zarya ARGS --json``, which must succeed, parsed."""
    code, out, err = run(capsys, *args, "--json")
    assert code == 0, err
    return json.loads(out)


def assert_one_line_error(code: int, out: str, err: str, *fragments: str) -> None:
    """A refusal as the command line must give it: status 2, one line on stderr starting
    ``zarya: error:``, no traceback, each fragment in it."""
    assert code == 2, (code, out, err)
    assert err.startswith("zarya: error: ")
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert "Traceback" not in err + out
    for fragment in fragments:
        assert fragment in err, (fragment, err)
