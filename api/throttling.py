"""Per-minute request limits: each key its own, a browser session and an anonymous address the configured ones.

Counters are fixed one-minute windows. With Redis (production) a request costs
one round trip, `INCR` and `EXPIRE` pipelined, on a client kept per process, and
every web process shares the counters. Other cache backends (the embedded
mode's in-memory cache) count with the cache's atomic `add`/`incr`. The usage
is kept on the request so every response can say where the client stands
(`X-RateLimit-*`), errors included.
"""
from __future__ import annotations

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
_redis: dict[str, Any] = {}


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


def _increment(key: str) -> int:
    """Count one request in the window `key` and return the window's count."""
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        client = _redis.get(cache._servers[0])  # type: ignore[attr-defined]
        if client is None:  # Django builds a new client object per call; keep one (it holds the pool)
            client = _redis[cache._servers[0]] = cache._cache.get_client(key, write=True)  # type: ignore[attr-defined]
        pipe = client.pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, WINDOW_SECONDS + 5)
        count, _ = pipe.execute()
        return int(count)
    if cache.add(key, 1, WINDOW_SECONDS + 5):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr: this request opens a new count
        cache.set(key, 1, WINDOW_SECONDS + 5)
        return 1


def rate_usage_count(request: Request | HttpRequest, *, anonymous: bool = False) -> RateUsage:
    """Count this request (an API call, or a page that meters itself like one) against its client's window."""
    client, limit = _anonymous(request) if anonymous else _client(request)
    window = int(time.time()) // WINDOW_SECONDS
    count = _increment(f"{caches['default'].key_prefix}api:rate:{client}:{window}")
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
