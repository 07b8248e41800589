"""Shared fixtures: reference data paths and an offline Skyfield (skyfield-data)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import warnings
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
REFDATA = ROOT / "tests" / "data"


def pytest_configure(config: pytest.Config) -> None:
    """No test run touches the user's own element store: ZARYA_HOME points at a temporary
    directory for the whole session (this also covers the doctests of README.md and
    src/zarya, which the per-test fixture below does not reach)."""
    home = tempfile.mkdtemp(prefix="zarya-home-session-")
    before = os.environ.get("ZARYA_HOME")
    os.environ["ZARYA_HOME"] = home

    def restore() -> None:
        if before is None:
            os.environ.pop("ZARYA_HOME", None)
        else:
            os.environ["ZARYA_HOME"] = before
        shutil.rmtree(home, ignore_errors=True)

    config.add_cleanup(restore)


@pytest.fixture(scope="session")
def seeded_store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An element store seeded with the bundled history, made once per session."""
    from zarya.elements.store import open_store

    path = tmp_path_factory.mktemp("zarya-seed") / "elements.sqlite"
    open_store(path).close()  # closing checkpoints the WAL: the file alone is complete
    return path


@pytest.fixture
def freeze_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], datetime]:
    """``freeze_clock(when)``: zarya's "now" is ``when`` for the rest of the test, everywhere
    in this process (see tests/clock.py); returns ``when``."""
    from zarya.engine import timescale

    def freeze(when: datetime) -> datetime:
        assert when.tzinfo is not None, "an aware instant, as utc_now returns"
        monkeypatch.setattr(timescale, "utc_now", lambda: when)
        return when

    return freeze


@pytest.fixture(autouse=True)
def zarya_home(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    seeded_store_file: Path,
) -> Path:
    """A fresh ZARYA_HOME per test, holding a copy of the seeded store."""
    home = tmp_path_factory.mktemp("zarya-home")
    shutil.copyfile(seeded_store_file, home / "elements.sqlite")
    monkeypatch.setenv("ZARYA_HOME", str(home))
    return home


def shared_or_local(relative: str) -> Path:
    """A reference file: the project's copy under tests/data (kept in the repository)."""
    path = REFDATA / relative
    if not path.exists():  # pragma: no cover - the copies are committed
        path = SHARED / relative
    return path


@pytest.fixture(scope="session")
def pass_cases() -> list[dict]:
    return json.loads(shared_or_local("pass_cases.json").read_text())


@pytest.fixture(scope="session")
def skyfield_ts():
    from skyfield.api import load

    return load.timescale(builtin=True)


@pytest.fixture(scope="session")
def skyfield_eph():
    """DE421 from skyfield-data: nothing is downloaded."""
    from skyfield.api import Loader
    from skyfield_data import get_skyfield_data_path

    with warnings.catch_warnings():
        # skyfield-data warns that its bundled IERS file is past its expiry date; DE421
        # itself does not expire, and we use Skyfield's built-in UT1 table.
        warnings.simplefilter("ignore", RuntimeWarning)
        eph = Loader(get_skyfield_data_path(), verbose=False)("de421.bsp")
    yield eph
    eph.close()
