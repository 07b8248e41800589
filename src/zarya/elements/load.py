"""Reading element files of any supported format, and the bundled ISS history.

This module (with its siblings in ``elements/``) is the only place that reads element
files; the numerical core only ever sees :class:`ElementSet` objects.
"""

from __future__ import annotations

import gzip
import stat
import zlib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import IO

from ..errors import CatalogError, ElementsError
from .base import ElementSet
from .omm import read_omm_csv, read_omm_json, read_omm_kvn, read_omm_xml
from .tle import read_tle

MAX_FILE_BYTES = 256 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_BLOCK_BYTES = 1024 * 1024  # read (and decompress) this much at a time
DEFAULT_NORAD_ID = 25544


def read_elements_text(text: str, *, source: str = "") -> list[ElementSet]:
    """Sniff the format (OMM JSON, XML, KVN, CSV or TLE) and read every set in ``text``."""
    head = text.lstrip("\ufeff \t\r\n")[:2000]
    if head.startswith(("[", "{")):
        return read_omm_json(text, source=source)
    if head.startswith("<"):
        return read_omm_xml(text, source=source)
    if "CCSDS_OMM_VERS" in head:
        return read_omm_kvn(text, source=source)
    first_line = head.splitlines()[0] if head else ""
    if "EPOCH" in first_line.upper() and "," in first_line:
        return read_omm_csv(text, source=source)
    return read_tle(text, source=source)


def read_elements_file(path: str | Path) -> list[ElementSet]:
    """Every element set in a file (optionally gzipped). Errors name the file.

    At most :data:`MAX_FILE_BYTES` are read (after decompression, which goes block by block
    and stops at the cap, so a gzip bomb costs no more memory than a file of that size);
    devices such as ``/dev/zero`` and directories are refused unread. Pipes are read (a
    shell's ``<(...)``), up to the same cap.
    """
    path = Path(path)
    raw = _read_capped(path, MAX_FILE_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ElementsError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    try:
        sets = read_elements_text(text, source=str(path))
    except ElementsError as exc:
        exc.args = (f"{path}: {exc}",)  # keep the error's line/column attributes
        raise
    if not sets:
        raise ElementsError(f"{path}: no element sets in the file")
    return sets


def _read_capped(path: Path, max_bytes: int) -> bytearray:
    """The bytes of ``path`` (gunzipped if it starts with gzip's magic), read in blocks and
    refused past ``max_bytes``: memory holds at most the cap plus one block."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ElementsError(f"no such elements file: {path}") from None
    except OSError as exc:
        raise ElementsError(f"cannot read the elements file {path}: {exc.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise ElementsError(f"{path} is a directory, not an elements file")
    if not (stat.S_ISREG(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
        raise ElementsError(
            f"{path} is not a regular file (a device or socket): expected an elements file"
        )
    raw = bytearray()
    try:
        with path.open("rb") as handle:
            zipped = handle.peek(2)[:2] == _GZIP_MAGIC
            if not zipped and stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
                raise ElementsError(
                    f"{path}: {info.st_size} bytes is too large for an element file "
                    f"(at most {max_bytes})"
                )
            stream: IO[bytes] = gzip.GzipFile(fileobj=handle, mode="rb") if zipped else handle
            while chunk := stream.read(_BLOCK_BYTES):
                if len(raw) + len(chunk) > max_bytes:
                    unzipped = " once decompressed" if zipped else ""
                    raise ElementsError(
                        f"{path}: more than {max_bytes} bytes{unzipped}: too large for an "
                        "element file"
                    )
                raw += chunk
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise ElementsError(f"{path}: not a valid gzip file ({exc})") from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ElementsError(f"cannot read the elements file {path}: {reason}") from None
    return raw


@lru_cache(maxsize=1)
def bundled_sets() -> tuple[ElementSet, ...]:
    """The ISS element history shipped with zarya (150 sets, 2002-2025)."""
    text = resources.files("zarya").joinpath("data/iss_tle_history.txt").read_text("ascii")
    return tuple(read_tle(text, source="bundled"))


def select_object(sets: list[ElementSet] | tuple[ElementSet, ...], sat: str | int | None):
    """The sets of one object: by NORAD number, or by name (case-insensitive, prefix).

    With ``sat`` None: the ISS if present, else the only object in the sets.
    """
    by_id: dict[int, list[ElementSet]] = {}
    for s in sets:
        by_id.setdefault(s.norad_id, []).append(s)
    if sat is None or str(sat).strip() == "":
        if DEFAULT_NORAD_ID in by_id or len(by_id) != 1:
            sat = DEFAULT_NORAD_ID
        else:
            return next(iter(by_id.values()))
    text = str(sat).strip()
    if text.isdigit():
        found = by_id.get(int(text))
        if found:
            return found
        raise CatalogError(f"no elements for NORAD {int(text)} ({_known(by_id)})")
    names = {n: lst for n, lst in by_id.items()}
    want = text.casefold()
    exact = [n for n, lst in names.items() if any(s.name.casefold() == want for s in lst)]
    prefix = [n for n, lst in names.items() if any(s.name.casefold().startswith(want) for s in lst)]
    hits = exact or prefix
    if len(hits) == 1:
        return by_id[hits[0]]
    if not hits:
        raise CatalogError(f"no satellite named {text!r} in the elements ({_known(by_id)})")
    listed = ", ".join(f"{by_id[n][-1].name} ({n})" for n in hits[:6])
    raise CatalogError(
        f"the name {text!r} matches several satellites: {listed}; give a NORAD number"
    )


def _known(by_id: dict[int, list[ElementSet]]) -> str:
    items = [f"{lst[-1].name or '?'} ({n})" for n, lst in list(by_id.items())[:5]]
    more = "" if len(by_id) <= 5 else f" and {len(by_id) - 5} more"
    return "known: " + ", ".join(items) + more
