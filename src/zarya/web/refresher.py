"""A server that stays current: its element store refreshed in the background.

:class:`Refresher` runs in a thread of each server process. Every ``interval_s`` (10
minutes) it asks the store for the refresh lease (:mod:`zarya.elements.leases`): one
process at a time fetches, however many serve, and a process killed while fetching lets
the lease lapse (after ``lease_s``) for another to take. The holder fetches each source
(:class:`Source`: a CelesTrak group, the ISS by default, or a mirror of it given by URL;
NASA's ISS trajectory if asked) with the same rules as ``zarya elements update``: at most
once per 2 hours per URL, conditional requests, retries. A failure never stops the server:
it is logged (in the store, for ``/healthz`` of every process) and the next try comes
sooner, backing off from a minute to the interval. Answers move to new elements by
themselves: the answer cache is keyed by the element version.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from ..elements.fetch import DEFAULT_GROUP, update
from ..elements.leases import Refresh
from ..elements.store import open_store
from ..errors import ZaryaError

__all__ = ["LEASE", "SERVE_REFRESH_ENV", "RefreshConfig", "Refresher", "Source"]

LEASE = "refresh"
SERVE_REFRESH_ENV = "ZARYA_SERVE_REFRESH"  # the settings, for worker processes
log = logging.getLogger("zarya.refresh")


@dataclass(frozen=True)
class Source:
    """What to fetch: a CelesTrak ``group`` (or the mirror ``url`` of one), or with
    ``kind="nasa-iss"`` NASA's ISS trajectory (``url`` a mirror of it)."""

    kind: str = "celestrak"
    group: str = DEFAULT_GROUP
    url: str | None = None

    def describe(self) -> str:
        return self.url or (f"CelesTrak group {self.group}" if self.kind == "celestrak"
                            else "NASA's ISS trajectory")


@dataclass(frozen=True)
class RefreshConfig:
    """How a server refreshes: its sources, how often it looks (``interval_s``), how long
    its lease holds (``lease_s``), the delay before the first look, the fetches' timeout."""

    sources: tuple[Source, ...] = (Source(),)
    interval_s: float = 600.0
    lease_s: float = 600.0
    first_delay_s: float = 1.0
    timeout_s: float = 30.0
    retries: int = 2

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "sources": [asdict(x) for x in self.sources]})

    @classmethod
    def from_json(cls, text: str) -> RefreshConfig:
        data = json.loads(text)
        data["sources"] = tuple(Source(**x) for x in data["sources"])
        return cls(**data)


@dataclass
class Refresher:
    """The background refresher of one server process (see the module docstring)."""

    config: RefreshConfig = field(default_factory=RefreshConfig)
    on_refresh: Callable[[str], None] | None = None  # each outcome, for the metrics
    failures: int = 0  # in a row, in this process
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    @property
    def holder(self) -> str:
        return f"{socket.gethostname()}:{os.getpid()}"

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="zarya-refresh",
                                            daemon=True)
            self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def _loop(self) -> None:
        wait = self.config.first_delay_s
        while not self._stop.wait(wait):
            try:
                self.run_once()
            except Exception:  # never let the thread die: log it, try again later
                log.exception("refresh failed unexpectedly")
                self.failures += 1
            wait = self.next_wait()

    def next_wait(self) -> float:
        """The interval, or after failures a back-off from one minute up to it."""
        if not self.failures:
            return self.config.interval_s
        return min(self.config.interval_s, 60.0 * 2 ** (self.failures - 1))

    def run_once(self) -> list[Refresh]:
        """Take the lease and fetch every source (nothing if another process holds it);
        returns what was done, as logged."""
        done: list[Refresh] = []
        with open_store() as store:
            if not store.lease(LEASE, self.holder, self.config.lease_s):
                return done
            try:
                for source in self.config.sources:
                    started = time.time()
                    try:
                        result = update(
                            store, group=source.group, url=source.url, source=source.kind,
                            timeout_s=self.config.timeout_s, retries=self.config.retries,
                            record_group=source.group if source.kind == "celestrak" else None,
                        )
                        outcome = result.status
                        message = (f"{result.added} new sets" if outcome == "imported"
                                   else outcome)
                    except ZaryaError as exc:
                        outcome, message = "failed", str(exc)
                    refresh = Refresh(started, time.time(), source.describe(), outcome,
                                      message)
                    if outcome != "too-soon":  # (every look is not news)
                        store.log_refresh(refresh)
                        log.log(logging.WARNING if outcome == "failed" else logging.INFO,
                                "refresh of %s: %s", refresh.source, message)
                    done.append(refresh)
                    if self.on_refresh is not None:
                        self.on_refresh(outcome)
                    store.lease(LEASE, self.holder, self.config.lease_s)  # renew
            finally:
                store.release(LEASE, self.holder)
        self.failures = self.failures + 1 if any(not r.ok for r in done) else 0
        return done
