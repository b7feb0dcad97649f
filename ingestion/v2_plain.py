"""The plain shape of an X API v2 post, read in one pass without the general parser's detours.

Almost every post of a file or a download is plain: string fields where strings are
expected, entities as lists of objects, no tagged place, a date in the API's own form.
`v2_plain_parse` reads such a post and checks in bulk exactly what `record_validate`
checks one field at a time (lengths, list sizes, 64-bit metrics, the date's range), so the
record it returns is the one `parsing.v2_tweet_parse` would build. Anything else (a place,
coordinates, a number where text is expected, a field too long, a date out of range)
raises `NotPlain` and the caller takes the general parser, whose messages name the field.

It must only be given posts whose page was seen to hold no NUL (`page_clean`): orjson
refuses lone surrogates when it parses, so NUL is the one bad character left to look for,
and looking once per page is what lets this path skip the search per field.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from django.conf import settings

from .entities import entities_from_text
from .records import TweetRecord
from .validation import EARLIEST_POST, FUTURE_SLACK, MAX_LIST_ITEM_CHARS, MAX_LIST_ITEMS, MAX_METRICS

_INT64 = 2**63
_INT = {int}
_EMPTY: dict[str, Any] = {}


class NotPlain(Exception):
    """The post is not of the plain shape; the general parser must read it."""


def page_clean(line: bytes) -> bool:
    """Whether a JSON line can hold no NUL character (JSON writes one only as an escape)."""
    return b"\\u0000" not in line


def latest_date() -> datetime:
    """The latest date a post may carry, as `validation.date_check` computes it."""
    return datetime.now(UTC) + FUTURE_SLACK


def _text(value: Any) -> str:
    if type(value) is str:
        return value
    if value is None:
        return ""
    raise NotPlain


def _clip(value: Any, limit: int) -> str:
    text = _text(value)
    return text if len(text) <= limit else text[:limit]


def _entities(entities: Mapping[str, Any], kind: str, key: str) -> list[str]:
    items = entities.get(kind)
    if items is None:
        return []
    try:
        values = [item[key] for item in items]
        joined = "".join(values)  # TypeError unless every value is a string
    except (TypeError, KeyError):
        raise NotPlain from None
    if type(items) is not list or len(values) > MAX_LIST_ITEMS or (
        len(joined) > MAX_LIST_ITEM_CHARS and max(map(len, values)) > MAX_LIST_ITEM_CHARS
    ):
        raise NotPlain
    return values


def _listed(values: list[str]) -> list[str]:
    if len(values) > MAX_LIST_ITEMS or (values and max(map(len, values)) > MAX_LIST_ITEM_CHARS):
        raise NotPlain
    return values


def _metrics(value: Any) -> dict[str, int]:
    if value is None:
        return {}
    if type(value) is not dict or len(value) > MAX_METRICS:
        raise NotPlain
    if value:
        counts = value.values()
        # JSON keys are always strings; bool is not int for `type`.
        if set(map(type, counts)) != _INT or min(counts) < -_INT64 or max(counts) >= _INT64 or max(map(len, value)) > 64:
            raise NotPlain
    return value


def _created_at(value: Any, latest: datetime) -> datetime | None:
    if value is None:
        return None
    if type(value) is not str:
        raise NotPlain
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise NotPlain from None
    if parsed.tzinfo is None or not EARLIEST_POST <= parsed <= latest:
        raise NotPlain
    return parsed


def _kinds(references: Any) -> dict[str, str]:
    if references is None:
        return {}
    if type(references) is not list:
        raise NotPlain
    kinds = {}
    for reference in references:
        if type(reference) is not dict:
            raise NotPlain
        kinds[_text(reference.get("type"))] = _text(reference.get("id"))
    return kinds


def v2_plain_parse(
    tweet: Any, *, users: Mapping[str, Mapping[str, Any]], referenced: Mapping[str, Mapping[str, Any]], latest: datetime,
) -> TweetRecord:
    """The record of a plain post (see the module's docstring); `NotPlain` for any other."""
    if type(tweet) is not dict or tweet.get("geo") is not None:
        raise NotPlain
    platform_id = tweet.get("id")
    if type(platform_id) is not str or not 0 < len(platform_id) <= 64 or not (platform_id.isascii() and platform_id.isdigit()):
        raise NotPlain
    kinds = _kinds(tweet.get("referenced_tweets"))
    body = referenced.get(kinds.get("retweeted", ""), _EMPTY) or tweet  # a retweet carries the original's full text and entities
    note = body.get("note_tweet")
    if note is not None and type(note) is not dict:
        raise NotPlain
    text = note.get("text") if note else None
    text = text or body.get("text")
    if type(text) is not str or not text.strip() or len(text) > settings.INGESTION["MAX_TEXT_CHARS"]:
        raise NotPlain
    author_id = _text(tweet.get("author_id"))
    author = tweet.get("author")
    if author is not None and type(author) is not dict:
        raise NotPlain
    author = author or users.get(author_id, _EMPTY)
    author_id = author_id or _text(author.get("id"))
    lang = _text(tweet.get("lang"))
    entities = (note.get("entities") if note else None) or body.get("entities")
    if entities is not None and type(entities) is not dict or len(author_id) > 255 or len(lang) > 8:
        raise NotPlain
    if entities:
        hashtags = _entities(entities, "hashtags", "tag")
        mentions = _entities(entities, "mentions", "username")
        urls = _entities(entities, "urls", "expanded_url")
    else:
        hashtags, mentions, urls = map(_listed, entities_from_text(text))
    reply_to = tweet.get("in_reply_to_user_id")
    return TweetRecord(
        platform_id=platform_id,
        text=text,
        created_at=_created_at(tweet.get("created_at"), latest),
        lang=lang,
        author_id=author_id,
        author_handle=_clip(author.get("username"), 64),
        author_name=_clip(author.get("name"), 255),
        author_location=_clip(author.get("location"), 255),
        is_retweet="retweeted" in kinds,
        is_quote="quoted" in kinds,
        is_reply="replied_to" in kinds or bool(reply_to),
        hashtags=hashtags,
        mentions=mentions,
        urls=urls,
        metrics=_metrics(tweet.get("public_metrics")),
    )
