"""Finding the API key a request presents, without a database query per request.

A key's row is read once and kept in the default cache (Redis in production)
under its prefix; saving or deleting the key (a revocation in the admin) drops
that entry at once, so a revoked key stops working on every web process.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.utils import timezone
from rest_framework_api_key.crypto import KeyGenerator

from .models import ApiKey

CACHE_SECONDS = 300
# Each process also keeps a key it has just read for this long, saving a round trip to
# the cache per request; a revocation reaches the other processes within this time.
LOCAL_SECONDS = 2.0
_MISSING = "missing"
_generator = KeyGenerator()
_local: dict[str, tuple[float, object]] = {}


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """What a request needs to know of its key: who, what it may do, how often."""

    id: str
    prefix: str
    name: str
    hashed_key: str
    scopes: frozenset[str]
    rate_limit: int
    revoked: bool
    expiry_date: datetime | None

    @classmethod
    def of(cls, row: ApiKey) -> KeyInfo:
        return cls(
            id=row.pk, prefix=row.prefix, name=row.name, hashed_key=row.hashed_key, scopes=frozenset(row.scopes),
            rate_limit=row.rate_limit, revoked=row.revoked, expiry_date=row.expiry_date,
        )

    @property
    def usable(self) -> bool:
        return not self.revoked and (self.expiry_date is None or self.expiry_date > timezone.now())


def _cache_key(prefix: str) -> str:
    return f"api:key:{prefix}"


def api_key_find(*, key: str) -> KeyInfo | None:
    """The usable key matching `key` ("prefix.secret"), or None."""
    prefix, _, secret = key.partition(".")
    if not prefix or not secret or len(prefix) > 8:
        return None
    now = time.monotonic()
    read_at, info = _local.get(prefix, (0.0, None))
    if info is None or now - read_at > LOCAL_SECONDS:
        info = cache.get(_cache_key(prefix))
        if info is None:
            row = ApiKey.objects.filter(prefix=prefix).first()
            info = KeyInfo.of(row) if row is not None else _MISSING
            cache.set(_cache_key(prefix), info, CACHE_SECONDS)
        if len(_local) > 10_000:  # bounded: random prefixes must not grow it forever
            _local.clear()
        _local[prefix] = (now, info)
    if not isinstance(info, KeyInfo) or not info.usable or not _generator.verify(key, info.hashed_key):
        return None
    return info


def api_key_forget(*, prefix: str) -> None:
    """Drop the cached copies of a key (after it changed)."""
    _local.pop(prefix, None)
    cache.delete(_cache_key(prefix))


def api_key_create(*, name: str, scopes: set[str], rate_limit: int | None = None, **fields: object) -> tuple[ApiKey, str]:
    """A new key and its secret value, which is not stored and cannot be shown again."""
    if rate_limit is not None:
        fields["rate_limit"] = rate_limit
    row, key = ApiKey.objects.create_key(
        name=name, scope_classify="classify" in scopes, scope_read="read" in scopes, scope_store="store" in scopes,
        **fields,
    )
    return row, key  # type: ignore[return-value]  # the manager is typed with the abstract model


def api_key_revoke(*, row: ApiKey) -> None:
    row.revoked = True
    row.save(update_fields=["revoked"])
