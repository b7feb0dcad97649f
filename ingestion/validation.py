"""The one check of a parsed record, for posts from every source, before anything is stored.

Parsers turn what a source delivers into a `TweetRecord`; `record_validate` then
makes sure the database will take it: every string is text without a NUL
(PostgreSQL refuses one) or a lone surrogate (not encodable as UTF-8) and fits
its column, lists hold strings, metrics are 64-bit integers, coordinates are
finite and on the globe, and the date is timezone-aware and plausible for a post
(a year-9999 date imports, then breaks every page that converts it). A record
that fails raises `RecordInvalid` with the reason, so only that record is lost.
"""
from __future__ import annotations

import math
import operator
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from .records import RecordInvalid, TweetRecord

# No platform of interest published before this date; later than tomorrow is a clock or a forgery.
EARLIEST_POST = datetime(2006, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)
MAX_LIST_ITEMS = 1000
MAX_LIST_ITEM_CHARS = 2048
MAX_METRICS = 50
_INT64 = 2**63
_BAD_CHARS_RE = re.compile("[\x00\ud800-\udfff]")
_STRING_FIELDS = (
    "platform_id", "text", "lang", "author_id", "author_handle", "author_name",
    "author_location", "place_name", "place_country_code",
)
_LIST_FIELDS = ("hashtags", "mentions", "urls")
_BOOL_FIELDS = ("is_retweet", "is_quote", "is_reply")
_strings_of = operator.attrgetter(*_STRING_FIELDS)
_lists_of = operator.attrgetter(*_LIST_FIELDS)


@lru_cache(maxsize=1)
def column_limits() -> dict[str, int]:
    """`max_length` of each string column of the post table (0: unbounded)."""
    from .models import Tweet

    return {name: getattr(Tweet._meta.get_field(name), "max_length", None) or 0 for name in _STRING_FIELDS}


def string_check(value: Any, *, field: str, limit: int = 0) -> str:
    """A string the database takes: text, no NUL, no lone surrogate, at most `limit` characters."""
    if not isinstance(value, str):
        raise RecordInvalid(f"el campo '{field}' no es texto: {type(value).__name__}")
    if limit and len(value) > limit:
        raise RecordInvalid(f"el campo '{field}' tiene {len(value)} caracteres, más que el límite de {limit}")
    found = _BAD_CHARS_RE.search(value)
    if found:
        what = "un carácter nulo" if found.group() == "\x00" else "un sustituto UTF-16 suelto (texto mal codificado)"
        raise RecordInvalid(f"el campo '{field}' contiene {what}")
    return value


def json_check(value: Any, *, field: str, depth: int = 0) -> Any:
    """A JSON value PostgreSQL's jsonb and orjson both take: clean strings, 64-bit integers, finite numbers."""
    if depth > 8:
        raise RecordInvalid(f"el campo '{field}' está anidado demasiado hondo")
    if isinstance(value, str):
        return string_check(value, field=field)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        if not -_INT64 <= value < _INT64:
            raise RecordInvalid(f"el campo '{field}' tiene un entero fuera de rango")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise RecordInvalid(f"el campo '{field}' tiene un número no finito")
        return value
    if isinstance(value, list):
        return [json_check(item, field=field, depth=depth + 1) for item in value]
    if isinstance(value, Mapping):
        for key, item in value.items():
            string_check(key, field=field)
            json_check(item, field=field, depth=depth + 1)
        return value
    raise RecordInvalid(f"el campo '{field}' tiene un valor no JSON: {type(value).__name__}")


def date_check(value: Any, *, field: str = "created_at", now: datetime | None = None) -> datetime | None:
    """A timezone-aware date between 2006-01-01 and tomorrow (None: the source does not say)."""
    if value is None:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise RecordInvalid(f"la fecha en '{field}' no tiene zona horaria")
    latest = (now or datetime.now(UTC)) + FUTURE_SLACK
    # Aware datetimes compare without converting to UTC, so year 1 or 9999 cannot overflow here.
    if not EARLIEST_POST <= value <= latest:
        raise RecordInvalid(
            f"la fecha en '{field}' está fuera del rango aceptado ({EARLIEST_POST.date()} a mañana): {value.isoformat()}"
        )
    return value


def coordinate_check(value: Any, *, field: str, bound: float) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RecordInvalid(f"coordenada no numérica en '{field}': {value!r}")
    if not math.isfinite(value) or abs(value) > bound:
        raise RecordInvalid(f"coordenada fuera de rango en '{field}': {value!r}")
    return float(value)


def _list_check(value: Any, *, field: str) -> None:
    """Type and length of a list of strings and of its items; their characters are checked with the rest."""
    if not isinstance(value, list):
        raise RecordInvalid(f"el campo '{field}' no es una lista")
    if len(value) > MAX_LIST_ITEMS:
        raise RecordInvalid(f"el campo '{field}' tiene {len(value)} elementos, más que el límite de {MAX_LIST_ITEMS}")
    for item in value:
        if not isinstance(item, str) or len(item) > MAX_LIST_ITEM_CHARS:
            string_check(item, field=field, limit=MAX_LIST_ITEM_CHARS)


def _metrics_check(value: Any) -> None:
    if not isinstance(value, dict) or len(value) > MAX_METRICS:
        raise RecordInvalid("el campo 'metrics' no es un objeto de a lo sumo 50 contadores")
    counts = value.values()
    if not counts or (
        all(type(count) is int for count in counts) and min(counts) >= -_INT64 and max(counts) < _INT64
        and all(type(key) is str and len(key) <= 64 for key in value)
    ):
        return  # the common case, checked in bulk
    for key, count in value.items():
        if not isinstance(key, str) or len(key) > 64:
            string_check(key, field="metrics", limit=64)
        if isinstance(count, bool) or not isinstance(count, int) or not -_INT64 <= count < _INT64:
            raise RecordInvalid(f"la métrica '{key}' no es un entero de 64 bits")


def _bad_field_find(record: TweetRecord) -> None:
    for name in _STRING_FIELDS:
        string_check(getattr(record, name), field=name)
    for name in _LIST_FIELDS:
        for item in getattr(record, name):
            string_check(item, field=name)
    for key in record.metrics:
        string_check(key, field="metrics")


def record_validate(record: TweetRecord, *, now: datetime | None = None) -> TweetRecord:
    """The record unchanged if every field fits its column; otherwise `RecordInvalid` naming the field."""
    limits = column_limits()
    strings: list[str] = list(_strings_of(record))
    for name, value in zip(_STRING_FIELDS, strings, strict=True):
        if not isinstance(value, str) or (limits[name] and len(value) > limits[name]):
            string_check(value, field=name, limit=limits[name])
    if not record.platform_id.strip():
        raise RecordInvalid("falta el campo 'id'")
    if not record.text.strip():
        raise RecordInvalid("falta el texto (campo vacío o ausente)")
    for name, items in zip(_LIST_FIELDS, _lists_of(record), strict=True):
        _list_check(items, field=name)
        strings.extend(items)
    _metrics_check(record.metrics)
    strings.extend(record.metrics)
    # One search over every string of the record (a post passes through here at 20,000 a second);
    # only a record that fails is searched field by field, for a message that names the field.
    if _BAD_CHARS_RE.search("\x1f".join(strings)):
        _bad_field_find(record)
    for name in _BOOL_FIELDS:
        if not isinstance(getattr(record, name), bool):
            raise RecordInvalid(f"el campo '{name}' no es verdadero/falso")
    date_check(record.created_at, now=now)
    coordinate_check(record.latitude, field="latitude", bound=90.0)
    coordinate_check(record.longitude, field="longitude", bound=180.0)
    return record
