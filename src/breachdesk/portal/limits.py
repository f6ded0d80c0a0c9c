"""Keeping the web app answering in a surge: rate limits per client and per reference
code, load shedding, and the security headers every response carries.

The limits live in the web process's memory: each process enforces them on the requests
it serves, so N processes behind a balancer allow up to N times the configured rates.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


class RateLimiter:
    """A token bucket per key: ``count`` events per ``period`` seconds, in bursts of up to
    ``count``. Thread-safe; forgets idle keys so memory stays bounded under a flood of
    distinct keys."""

    def __init__(self, count: int, period: float, *, max_keys: int = 200_000) -> None:
        self.count, self.period, self.max_keys = count, period, max_keys
        self._rate = count / period
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, updated)
        self._lock = threading.Lock()

    def retry_after(self, key: str, now: float | None = None) -> float:
        """Take one event for ``key``: 0 when allowed, else seconds until it would be."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, updated = self._buckets.get(key, (float(self.count), now))
            tokens = min(float(self.count), tokens + (now - updated) * self._rate)
            if tokens < 1:
                self._buckets[key] = (tokens, now)
                return (1 - tokens) / self._rate
            if len(self._buckets) >= self.max_keys and key not in self._buckets:
                self._forget_full(now)
            self._buckets[key] = (tokens - 1, now)
            return 0.0

    def _forget_full(self, now: float) -> None:
        """Drop keys whose buckets have refilled: they would start full anyway."""
        refill = self.period
        self._buckets = {
            key: value for key, value in self._buckets.items() if now - value[1] < refill
        }
        if len(self._buckets) >= self.max_keys:  # all busy: the oldest half goes
            ordered = sorted(self._buckets.items(), key=lambda item: item[1][1])
            self._buckets = dict(ordered[len(ordered) // 2 :])


SECURITY_HEADERS = [
    # No scripts at all, styles and images only from this origin, forms only to it.
    (
        b"content-security-policy",
        b"default-src 'none'; style-src 'self'; img-src 'self'; media-src 'self'; "
        b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class Guard:
    """ASGI middleware: refuses requests beyond ``max_in_flight`` at once with 503 and
    Retry-After (answering at once, never queueing until the client times out), and adds
    the security headers to every response."""

    def __init__(self, app: App, *, max_in_flight: int, retry_after: int = 2) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.retry_after = str(retry_after).encode()
        self.in_flight = 0
        self.shed = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.max_in_flight and scope["path"] != "/healthz":
            self.shed += 1
            await self._busy(send)
            return
        self.in_flight += 1

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in SECURITY_HEADERS if n not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            self.in_flight -= 1

    async def _busy(self, send: Send) -> None:
        body = b'{"detail":"busy: too many requests at once; try again shortly"}'
        await send(
            {
                "type": "http.response.start",
                "status": 503,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", self.retry_after),
                    (b"cache-control", b"no-store"),
                    *SECURITY_HEADERS,
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
