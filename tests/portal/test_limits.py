"""Rate limits and load shedding keep the web app answering in a surge."""

from __future__ import annotations

import asyncio

from breachdesk.portal.limits import Guard, RateLimiter


def test_a_bucket_allows_its_burst_then_says_how_long_to_wait():
    limiter = RateLimiter(3, 60)
    assert [limiter.retry_after("a", now=0) for _ in range(3)] == [0, 0, 0]
    assert limiter.retry_after("a", now=0) == 20  # one event comes back every 20 s
    assert limiter.retry_after("b", now=0) == 0  # another client is not held up
    assert limiter.retry_after("a", now=20.5) == 0


def test_a_flood_of_distinct_keys_does_not_grow_memory_without_bound():
    limiter = RateLimiter(5, 60, max_keys=1000)
    for n in range(10_000):
        limiter.retry_after(f"client-{n}", now=n * 0.01)
    assert len(limiter._buckets) <= 1000


def test_beyond_its_capacity_the_server_answers_503_at_once():
    release = asyncio.Event()

    async def slow_app(scope, receive, send):
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    guard = Guard(slow_app, max_in_flight=2)
    answers: list[dict] = []

    async def request():
        sent = []

        async def send(message):
            sent.append(message)

        await guard({"type": "http", "path": "/lookup"}, None, send)
        answers.append(sent[0])

    async def surge():
        waiting = [asyncio.create_task(request()) for _ in range(2)]
        await asyncio.sleep(0.01)
        await request()  # the third, while two are in flight
        release.set()
        await asyncio.gather(*waiting)

    asyncio.run(surge())
    statuses = sorted(answer["status"] for answer in answers)
    assert statuses == [200, 200, 503]
    busy = next(answer for answer in answers if answer["status"] == 503)
    assert dict(busy["headers"])[b"retry-after"] == b"2"
    ok = next(answer for answer in answers if answer["status"] == 200)
    assert b"content-security-policy" in dict(ok["headers"])
    assert guard.in_flight == 0 and guard.shed == 1
