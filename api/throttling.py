"""Per-minute request limits: each key its own, a browser session and an anonymous address the configured ones.

Counters are fixed one-minute windows shared by every web process. With Redis
(production) a count is one round trip, `INCRBY` and `EXPIRE` pipelined, on a
client kept per process. Other cache backends (the embedded mode's in-memory
cache) count with the cache's atomic `add`/`incr`. The usage is kept on the
request so every response can say where the client stands (`X-RateLimit-*`),
errors included.

A limit under `LEASE_FROM` a minute is counted exactly, one round trip per
request. A larger one is counted in leases: a process claims the next
`limit // LEASE_SHARE` numbers of the window from the shared counter at once
(one round trip) and hands them to its requests one by one; a request whose
number is past the limit is refused. Claims never overlap, so the processes
together never let more than the limit through; what a process has claimed and
not yet used is lost to the others, so a client may be refused up to one lease
per other process early (1 % of its limit each), and `X-RateLimit-Remaining`
is the number of the request's claim, exact to within those leases.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from .keys import KeyInfo

WINDOW_SECONDS = 60
LEASE_FROM = 1000  # requests a minute; below it every request is counted in the shared counter
LEASE_SHARE = 100  # a lease is this fraction of the limit
_redis: dict[str, Any] = {}
_leases: dict[str, list[int]] = {}  # counter (window included) -> [next number to hand out, last claimed]
_leases_lock = threading.Lock()  # gthread workers serve requests of one process in threads


@dataclass(frozen=True, slots=True)
class RateUsage:
    limit: int
    count: int
    reset_at: int  # Unix time at which the window ends

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit

    @property
    def reset_in(self) -> int:
        return max(1, self.reset_at - int(time.time()))

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(0, self.limit - self.count)),
            "X-RateLimit-Reset": str(self.reset_at),
        }


def _client(request: Request | HttpRequest) -> tuple[str, int]:
    """Who is counted, and their limit per minute."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, KeyInfo):
        return f"key:{auth.id}", auth.rate_limit
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}", int(settings.API["SESSION_RATE"])
    return _anonymous(request)


def _anonymous(request: Request | HttpRequest) -> tuple[str, int]:
    return f"ip:{request.META.get('REMOTE_ADDR', '')}", int(settings.API["ANONYMOUS_RATE"])


def _increment(key: str, amount: int = 1) -> int:
    """Add `amount` to the window `key`'s shared count and return the new count."""
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        client = _redis.get(cache._servers[0])  # type: ignore[attr-defined]
        if client is None:  # Django builds a new client object per call; keep one (it holds the pool)
            client = _redis[cache._servers[0]] = cache._cache.get_client(key, write=True)  # type: ignore[attr-defined]
        pipe = client.pipeline(transaction=False)
        pipe.incrby(key, amount)
        pipe.expire(key, WINDOW_SECONDS + 5)
        count, _ = pipe.execute()
        return int(count)
    if cache.add(key, amount, WINDOW_SECONDS + 5):
        return amount
    try:
        return int(cache.incr(key, amount))
    except ValueError:  # expired between add and incr: this request opens a new count
        cache.set(key, amount, WINDOW_SECONDS + 5)
        return amount


def _number(key: str, limit: int) -> int:
    """This request's number in the window `key`: counted alone, or handed out of this process's lease."""
    if limit < LEASE_FROM:
        return _increment(key)
    with _leases_lock:
        lease = _leases.get(key)
        if lease is None or lease[0] > lease[1]:
            size = limit // LEASE_SHARE
            last = _increment(key, size)
            if lease is None and len(_leases) > 1000:  # past windows' leases: keep the dictionary small
                _leases.clear()
            lease = _leases[key] = [last - size + 1, last]
        number = lease[0]
        lease[0] += 1
        return number


def rate_usage_count(request: Request | HttpRequest, *, anonymous: bool = False) -> RateUsage:
    """Count this request (an API call, or a page that meters itself like one) against its client's window."""
    client, limit = _anonymous(request) if anonymous else _client(request)
    window = int(time.time()) // WINDOW_SECONDS
    count = _number(f"{caches['default'].key_prefix}api:rate:{client}:{window}", limit)
    usage = RateUsage(limit=limit, count=count, reset_at=(window + 1) * WINDOW_SECONDS)
    django_request = request._request if isinstance(request, Request) else request
    django_request.rate_usage = usage  # type: ignore[attr-defined,union-attr]
    return usage


def rate_usage_of(request: Request) -> RateUsage | None:
    return getattr(request._request, "rate_usage", None)


class KeyRateThrottle(BaseThrottle):
    def allow_request(self, request: Request, view: Any) -> bool:
        self.usage = rate_usage_count(request)
        return not self.usage.exceeded

    def wait(self) -> float:
        return float(self.usage.reset_in)
