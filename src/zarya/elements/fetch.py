"""Fresh elements from CelesTrak's GP service, over HTTP (httpx), into the element store.

CelesTrak publishes current elements per group (``stations``, ``visual``, ``active``, ...)
as OMM JSON at ``gp.php?GROUP=...&FORMAT=json`` and asks clients to be polite: download a
group at most once per update cycle (about two hours) and stop when told to. So
:func:`update`

- fetches a group (or any URL serving a supported element format) at most once per
  :data:`MIN_INTERVAL_S` (2 hours) unless forced, and says when the next fetch is allowed;
- makes conditional requests (``If-None-Match`` / ``If-Modified-Since``, from the ``ETag``
  and ``Last-Modified`` of the last fetch, kept per URL in the store): a 304 imports nothing;
- retries timeouts, connection failures, broken transfers, HTTP 5xx and 429 with exponential
  back-off (honouring a short ``Retry-After``), and then says plainly what went wrong;
- rejects a body that is cut short (fewer bytes than ``Content-Length``, or an element file
  ending mid-record) and imports all of a good body or nothing, in one transaction that also
  saves the validators.

httpx is imported inside :func:`update`, so that importing zarya never pays for it.
"""

from __future__ import annotations

import math
import re
import tempfile
import time
from dataclasses import asdict, dataclass
from typing import IO
from urllib.parse import urlsplit

from ..errors import CatalogError, ElementsError, param
from .records import MAX_FILE_BYTES
from .schema import iso_from_jd
from .store import HttpState, Store

__all__ = [
    "DEFAULT_GROUP",
    "DEFAULT_URL",
    "MIN_INTERVAL_S",
    "NASA_ISS_OEM_URL",
    "SOURCES",
    "UpdateResult",
    "check_options",
    "check_request",
    "group_url",
    "iso_unix",
    "update",
]

DEFAULT_URL = "https://celestrak.org/NORAD/elements/gp.php?GROUP={group}&FORMAT=json"
DEFAULT_GROUP = "stations"
# NASA's ISS trajectory, as its sighting service uses it (KVN; an XML twin sits beside it)
NASA_ISS_OEM_URL = (
    "https://nasa-public-data.s3.amazonaws.com/iss-coords/current/ISS_OEM/ISS.OEM_J2K_EPH.txt"
)
ISS_NORAD_ID = 25544
SOURCES = ("celestrak", "nasa-iss")
MIN_INTERVAL_S = 2 * 3600.0  # at most one fetch per URL in this time, s
DEFAULT_TIMEOUT_S = 30.0  # connect, read, write and pool timeouts, s
DEFAULT_RETRIES = 3  # further tries after a failed one
DEFAULT_BACKOFF_S = 1.0  # the first wait; then 2, 4, ... times this, s
MAX_WAIT_S = 60.0  # the longest wait between tries, s (also caps Retry-After)
MAX_TIMEOUT_S = 300.0  # the longest timeout, s
MAX_RETRIES = 10  # the most retries (with back-off capped at MAX_WAIT_S: minutes, not days)
FETCH_DEADLINE_S = 900.0  # a whole fetch, every try and wait included, s
_GROUP = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_SPOOL_BYTES = 32 * 1024 * 1024  # bodies above this go to a temporary file
_UNIX_EPOCH_JD = 2440587.5


@dataclass(frozen=True)
class UpdateResult:
    """What :func:`update` did. Times are Unix seconds.

    ``status`` is ``imported`` (a body was read and its sets added), ``not-modified`` (the
    server answered 304) or ``too-soon`` (nothing asked: the last fetch was under 2 hours ago).
    """

    url: str
    status: str
    read: int = 0  # element sets in the body
    added: int = 0  # sets new to the store
    objects: int = 0  # objects in the body
    bad: int = 0  # records skipped (with skip_bad)
    trajectories: int = 0  # trajectories (OEM) in the body, and how many were new
    new_trajectories: int = 0
    fetched_at: float | None = None  # the last successful fetch
    next_allowed_at: float | None = None  # when the next fetch is allowed without force
    attempts: int = 0  # HTTP requests made

    def as_dict(self) -> dict:
        """A JSON-ready dict (times as ISO 8601 UTC with ``Z``)."""
        out = asdict(self)
        for key in ("fetched_at", "next_allowed_at"):
            out[key] = None if out[key] is None else iso_unix(out[key])
        return out


def group_url(group: str) -> str:
    """CelesTrak's GP URL of a group, as OMM JSON."""
    if not _GROUP.fullmatch(group):
        raise CatalogError(
            f"{param('group')} {group!r} is not a CelesTrak group name: expected letters, "
            "digits, '-' or '_', such as stations, visual or active",
            parameter="group",
            value=group,
        )
    return DEFAULT_URL.format(group=group)


def iso_unix(seconds: float) -> str:
    """Unix time (s) as ISO 8601 UTC to the second, with ``Z``."""
    return iso_from_jd(_UNIX_EPOCH_JD, seconds / 86400.0, digits=0)


class _Retry(Exception):
    """One failed try that may succeed later; ``wait_s`` is a server-requested wait."""

    def __init__(self, problem: str, *, offline: bool = False, wait_s: float | None = None):
        super().__init__(problem)
        self.offline = offline
        self.wait_s = wait_s


def update(
    store: Store,
    *,
    group: str = DEFAULT_GROUP,
    url: str | None = None,
    force: bool = False,
    skip_bad: bool = False,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    retries: int = DEFAULT_RETRIES,
    backoff_s: float = DEFAULT_BACKOFF_S,
    max_bytes: int = MAX_FILE_BYTES,
    source: str = "celestrak",
    deadline_s: float = FETCH_DEADLINE_S,
    record_group: str | None = None,
) -> UpdateResult:
    """Fetch a CelesTrak group (or ``url``) and add its element sets to ``store``; with
    ``source="nasa-iss"``, NASA's current ISS trajectory (an OEM; ``url`` a mirror of it),
    kept beside the element sets.

    Raises :class:`~zarya.errors.CatalogError` when the server cannot be reached or keeps
    failing, and :class:`~zarya.errors.ElementsError` when the body is not a complete
    element file; the store is unchanged in both cases. The whole fetch (tries, waits and
    transfers) takes at most ``deadline_s``: a server that trickles is given up then.
    The objects of the body become the members of ``record_group`` (default: ``group``
    when CelesTrak's own group URL is fetched, none for another URL).
    """
    import httpx

    if source not in SOURCES:
        raise CatalogError(
            f"{param('source')} {source!r} is not a source zarya knows: expected "
            f"{' or '.join(SOURCES)}",
            parameter="source",
            value=source,
        )
    nasa = source == "nasa-iss"
    url = url or (NASA_ISS_OEM_URL if nasa else group_url(group))
    host = check_request(url, timeout_s=timeout_s, retries=retries, backoff_s=backoff_s)
    state = store.http_state(url)
    now = time.time()
    if state is not None and not force and now - state.fetched_at < MIN_INTERVAL_S:
        return UpdateResult(
            url,
            "too-soon",
            fetched_at=state.fetched_at,
            next_allowed_at=state.fetched_at + MIN_INTERVAL_S,
        )
    conditional = {}
    if state is not None and state.etag:
        conditional["If-None-Match"] = state.etag
    if state is not None and state.last_modified:
        conditional["If-Modified-Since"] = state.last_modified

    attempts = 0
    failure: _Retry | None = None
    deadline = time.monotonic() + deadline_s
    with httpx.Client(
        timeout=httpx.Timeout(timeout_s),
        follow_redirects=True,
        headers={"User-Agent": _user_agent()},
    ) as client:
        for attempt in range(retries + 1):
            if failure is not None:
                wait = backoff_s * 2 ** (attempt - 1)
                wait = min(MAX_WAIT_S, failure.wait_s if failure.wait_s else wait)
                if time.monotonic() + wait > deadline:
                    raise CatalogError(
                        f"{failure} after {attempts} tries, and the fetch's deadline "
                        f"({deadline_s:g} s) leaves no time for another; the element store is "
                        "unchanged"
                    )
                time.sleep(wait)
            attempts += 1
            try:
                with client.stream("GET", url, headers=conditional) as response:
                    code = response.status_code
                    if code == 304:
                        fetched = time.time()
                        store.record_fetch(
                            HttpState(
                                url,
                                state.etag if state else None,
                                state.last_modified if state else None,
                                fetched,
                                304,
                            )
                        )
                        return UpdateResult(
                            url,
                            "not-modified",
                            fetched_at=fetched,
                            next_allowed_at=fetched + MIN_INTERVAL_S,
                            attempts=attempts,
                        )
                    if code >= 500 or code == 429:
                        raise _Retry(
                            f"{host} answered HTTP {code} {response.reason_phrase}",
                            wait_s=_retry_after(response.headers.get("retry-after")),
                        )
                    if code != 200:
                        raise CatalogError(
                            f"{host} answered HTTP {code} {response.reason_phrase} for {url}; "
                            "nothing imported"
                        )
                    body = _read_body(response, max_bytes, host, deadline)
                    validators = (
                        response.headers.get("etag"),
                        response.headers.get("last-modified"),
                    )
            except _Retry as exc:
                failure = exc
                continue
            except httpx.TooManyRedirects:
                raise CatalogError(
                    f"{host} redirected too many times (a redirect loop?) for {url}; "
                    "nothing imported"
                ) from None
            except httpx.UnsupportedProtocol as exc:
                raise CatalogError(
                    f"{host} redirected to a URL that is not http:// or https:// "
                    f"({_reason(exc)}); nothing imported"
                ) from None
            except httpx.TimeoutException:
                failure = _Retry(f"{host} did not answer within {timeout_s:g} s")
                continue
            except httpx.ConnectError as exc:
                failure = _Retry(f"cannot reach {host} ({_reason(exc)})", offline=True)
                continue
            except httpx.TransportError as exc:
                failure = _Retry(f"the transfer from {host} broke off ({_reason(exc)})")
                continue
            except httpx.DecodingError as exc:
                raise CatalogError(
                    f"the answer from {host} could not be decoded ({_reason(exc)}); "
                    "nothing imported"
                ) from None
            except (httpx.HTTPError, httpx.InvalidURL) as exc:  # anything else httpx refuses
                raise CatalogError(
                    f"cannot fetch {url} ({_reason(exc)}); nothing imported"
                ) from None
            break
        else:
            assert failure is not None
            hint = " (are you offline?)" if failure.offline else ""
            tries = f"{attempts} tries" if attempts > 1 else "1 try"
            raise CatalogError(f"{failure} after {tries}{hint}; the element store is unchanged")

    fetched = time.time()
    with body:
        try:
            summary = store.import_stream(
                body,
                source=url,
                skip_bad=skip_bad,
                http=HttpState(url, validators[0], validators[1], fetched, 200),
                norad_id=ISS_NORAD_ID if nasa else None,
                group=None if nasa else (record_group or (group if url == group_url(group)
                                                          else None)),
            )
        except ElementsError as exc:
            raise _unchanged(exc) from None
    return UpdateResult(
        url,
        "imported",
        read=summary.read,
        added=summary.added,
        objects=summary.objects,
        trajectories=summary.trajectories,
        new_trajectories=summary.new_trajectories,
        bad=len(summary.bad),
        fetched_at=fetched,
        next_allowed_at=fetched + MIN_INTERVAL_S,
        attempts=attempts,
    )


def _unchanged(exc: ElementsError) -> ElementsError:
    exc.args = (f"{exc.message}; nothing imported, the element store is unchanged",)
    return exc


def check_request(
    url: str,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    retries: int = DEFAULT_RETRIES,
    backoff_s: float = DEFAULT_BACKOFF_S,
) -> str:
    """Refuse a URL httpx cannot fetch, or options that would fail or run for hours.

    Returns the URL's host (for messages). Raises :class:`~zarya.errors.CatalogError` naming
    the input at fault; nothing is asked of the network.
    """
    check_options(timeout_s=timeout_s, retries=retries, backoff_s=backoff_s)
    import httpx

    expected = "expected an http:// or https:// URL such as https://celestrak.org/..."
    try:
        parts = urlsplit(url)
        parsed = httpx.URL(url)
        port = parsed.port
    except (ValueError, httpx.InvalidURL) as exc:
        raise CatalogError(
            f"{param('url')} {url!r} is not a valid URL ({_reason(exc)}): {expected}",
            parameter="url",
            value=url,
        ) from None
    if parts.scheme.lower() not in ("http", "https"):
        raise CatalogError(f"{param('url')} {url!r}: {expected}", parameter="url", value=url)
    if not parsed.host:
        raise CatalogError(
            f"{param('url')} {url!r} names no host: {expected}", parameter="url", value=url
        )
    if port is not None and not 0 < port < 65536:
        raise CatalogError(
            f"{param('url')} {url!r}: the port {port} is not between 1 and 65535",
            parameter="url",
            value=url,
        )
    return parsed.host


def check_options(
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    retries: int = DEFAULT_RETRIES,
    backoff_s: float = DEFAULT_BACKOFF_S,
) -> None:
    """Refuse a timeout that is not a positive number of seconds (at most
    :data:`MAX_TIMEOUT_S`), retries outside 0 to :data:`MAX_RETRIES`, a negative back-off."""
    if not (math.isfinite(timeout_s) and 0.0 < timeout_s <= MAX_TIMEOUT_S):
        raise CatalogError(
            f"{param('timeout')} {timeout_s:g} is impossible: expected seconds above 0 and at "
            f"most {MAX_TIMEOUT_S:g}",
            parameter="timeout",
            value=timeout_s,
        )
    if not 0 <= retries <= MAX_RETRIES:
        raise CatalogError(
            f"{param('retries')} {retries} is impossible: expected 0 to {MAX_RETRIES} further "
            "tries",
            parameter="retries",
            value=retries,
        )
    if not (math.isfinite(backoff_s) and 0.0 <= backoff_s <= MAX_WAIT_S):
        raise CatalogError(
            f"a back-off of {backoff_s:g} s is impossible: expected 0 to {MAX_WAIT_S:g} s"
        )


def _read_body(response, max_bytes: int, host: str, deadline: float) -> IO[bytes]:
    """The (decoded) body in a spooled temporary file, checked against Content-Length and
    read before the ``deadline`` (``time.monotonic()``)."""
    body = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)
    try:
        size = 0
        for chunk in response.iter_bytes():
            if time.monotonic() > deadline:
                raise CatalogError(
                    f"the answer from {host} was still coming after the fetch's deadline "
                    f"({size} bytes in): too slow; nothing imported"
                )
            size += len(chunk)
            if size > max_bytes:
                raise CatalogError(
                    f"the answer from {host} is over {max_bytes} bytes: too large for an "
                    "element file; nothing imported"
                )
            body.write(chunk)
        expected = response.headers.get("content-length")
        encoded = response.headers.get("content-encoding", "identity").lower() != "identity"
        if expected is not None and expected.isdigit() and not encoded:
            if response.num_bytes_downloaded != int(expected):
                raise _Retry(
                    f"the answer from {host} was cut short: {response.num_bytes_downloaded} "
                    f"of {expected} bytes"
                )
        body.seek(0)
    except BaseException:
        body.close()
        raise
    return body


def _retry_after(value: str | None) -> float | None:
    """A ``Retry-After`` in seconds (dates are ignored), capped at MAX_WAIT_S."""
    if value is None or not value.strip().isdigit():
        return None
    return min(MAX_WAIT_S, float(value.strip()))


def _reason(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]


def _user_agent() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"zarya/{version('zarya')} (python-httpx)"
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "zarya (python-httpx)"
