"""Per-minute request limits: each key its own, a browser session and an anonymous IP the configured ones.

Counters are fixed one-minute windows in the default cache (django-ratelimit:
an atomic add/incr, Redis in production, so every web process shares them).
The usage is kept on the request so every response can say where the client
stands (`X-RateLimit-*`), errors included.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from .keys import KeyInfo

GROUP = "api"


@dataclass(frozen=True, slots=True)
class RateUsage:
    limit: int
    count: int
    reset_in: int  # seconds until the window ends

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(0, self.limit - self.count)),
            "X-RateLimit-Reset": str(int(time.time()) + self.reset_in),
        }


def _client(request: Request | HttpRequest) -> tuple[str, int]:
    """Who is counted, and their limit per minute."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, KeyInfo):
        return f"key:{auth.id}", auth.rate_limit
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}", int(settings.API["SESSION_RATE"])
    return f"ip:{request.META.get('REMOTE_ADDR', '')}", int(settings.API["ANONYMOUS_RATE"])


def rate_usage_count(request: Request, *, anonymous: bool = False) -> RateUsage:
    """Count this request against its client's window and return the usage."""
    django_request = request._request if isinstance(request, Request) else request
    client, limit = (f"ip:{request.META.get('REMOTE_ADDR', '')}", int(settings.API["ANONYMOUS_RATE"])) if anonymous else _client(request)
    usage = get_usage(django_request, group=GROUP, key=lambda _group, _request: client, rate=f"{limit}/m", increment=True)
    if usage is None:  # rate limiting switched off (RATELIMIT_ENABLE = False)
        return RateUsage(limit=limit, count=0, reset_in=60)
    result = RateUsage(limit=limit, count=usage["count"], reset_in=max(1, usage["time_left"]))
    django_request.rate_usage = result  # type: ignore[attr-defined]
    return result


def rate_usage_of(request: Request) -> RateUsage | None:
    return getattr(request._request, "rate_usage", None)


class KeyRateThrottle(BaseThrottle):
    def allow_request(self, request: Request, view: Any) -> bool:
        self.usage = rate_usage_count(request)
        return not self.usage.exceeded

    def wait(self) -> float:
        return float(self.usage.reset_in)
