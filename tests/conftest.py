"""Shared fixtures: reference data paths and an offline Skyfield (skyfield-data)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
REFDATA = ROOT / "tests" / "data"


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
