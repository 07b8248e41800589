"""How the server is doing: ``/healthz`` for people and load balancers, ``/metrics`` for
Prometheus.

``/healthz`` answers ``ok`` or ``degraded`` (always HTTP 200: a degraded server still
answers, from older elements), with the reasons: the ISS's newest elements older than the
14 days past which predictions warn, or the last refresh failed. It shows the age of the
newest elements, the number of objects, the last refresh and its outcome (from the store's
log: the same in every process), and the answer cache.

``/metrics`` is Prometheus' text format (prometheus-client), per process: request counts
and latencies by route, answer-cache hits and misses (a miss is a computation), refreshes
by outcome, the age of the ISS's newest elements.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from fastapi import FastAPI, Request, Response
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from ..elements.store import age_days, iso_from_jd, open_store
from ..engine import timescale
from ..engine.satellite import STALE_WARN_DAYS

__all__ = ["HEALTH_NORAD_ID", "health", "install"]

HEALTH_NORAD_ID = 25544


def _refresh_json(r: Any) -> dict[str, Any] | None:
    if r is None:
        return None
    return {"source": r.source, "outcome": r.outcome, "message": r.message,
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(r.started)),
            "seconds": round(r.finished - r.started, 2)}


def health(app: FastAPI) -> dict[str, Any]:
    """The ``/healthz`` object (see the module docstring)."""
    svc = app.state.service
    refresher = getattr(app.state, "refresher", None)
    with open_store() as store:
        objects = store.objects()
        refreshes = store.refreshes(20)
    now = timescale.utc_now()
    reasons = []
    iss = next((o for o in objects if o.norad_id == HEALTH_NORAD_ID), None)
    elements: dict[str, Any] = {"objects": len(objects)}
    if iss is not None:
        age = age_days(iss.newest_epoch_jd, now)
        elements["iss"] = {"norad_id": iss.norad_id, "name": iss.name,
                           "newest_epoch": iso_from_jd(iss.newest_epoch_jd, 0.0, 0),
                           "age_days": round(age, 2)}
        if age > STALE_WARN_DAYS:
            reasons.append(f"the newest elements of {iss.name} are {age:.1f} days old")
    else:
        reasons.append(f"no elements of NORAD {HEALTH_NORAD_ID} in the store")
    last = refreshes[0] if refreshes else None
    if last is not None and not last.ok:
        reasons.append(f"the last refresh failed: {last.message}")
    return {
        "status": "degraded" if reasons else "ok",
        "reasons": reasons,
        "elements": elements,
        "refresh": {
            "enabled": refresher is not None,
            "last": _refresh_json(last),
            "last_success": _refresh_json(next((r for r in refreshes if r.ok), None)),
        },
        "cache": {"entries": len(svc.cache), "hits": svc.cache.hits,
                  "misses": svc.cache.misses},
    }


class _Live:
    """Metrics read when scraped: the answer cache, the elements' age."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def collect(self) -> Iterator[Any]:
        cache = self.app.state.service.cache
        hits = CounterMetricFamily("zarya_cache_hits", "Answers served from the cache")
        hits.add_metric([], cache.hits)
        misses = CounterMetricFamily("zarya_cache_misses",
                                     "Answers computed (not in the cache)")
        misses.add_metric([], cache.misses)
        entries = GaugeMetricFamily("zarya_cache_entries", "Answers held in the cache")
        entries.add_metric([], len(cache))
        yield from (hits, misses, entries)
        try:
            with open_store() as store:
                found = [o for o in store.objects() if o.norad_id == HEALTH_NORAD_ID]
        except Exception:  # a scrape never fails for want of the store
            found = []
        if found:
            age = GaugeMetricFamily("zarya_elements_age_days",
                                    "Age of the ISS's newest elements, days")
            age.add_metric([], age_days(found[0].newest_epoch_jd, timescale.utc_now()))
            yield age


def install(app: FastAPI) -> None:
    """``/healthz``, ``/metrics`` and the request timing, on ``app``."""
    registry = CollectorRegistry()
    latency = Histogram("zarya_request_duration_seconds", "Request latency by route",
                        ["route"], registry=registry,
                        buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
    requests = Counter("zarya_requests", "Requests by route and status",
                       ["route", "status"], registry=registry)
    refreshes = Counter("zarya_refreshes", "Refreshes of the elements by outcome",
                        ["outcome"], registry=registry)
    registry.register(_Live(app))
    app.state.metrics = registry
    app.state.count_refresh = lambda outcome: refreshes.labels(outcome).inc()

    @app.middleware("http")
    async def timed(request: Request,
                    call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        start = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        name = getattr(route, "path", "(unmatched)")
        latency.labels(name).observe(time.perf_counter() - start)
        requests.labels(name, str(response.status_code)).inc()
        return response

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, Any]:
        return health(app)

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
