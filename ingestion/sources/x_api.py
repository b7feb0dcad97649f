"""The X API v2 recent-search source, through tweepy.

Queries are built from the active dictionary: quoted terms joined by OR, with
`lang:es`, optionally `-is:retweet` and a geographic operator, split so each
query fits the API's 512-character limit. Each query resumes from the newest id
it has seen; that id moves only with the last page of a run's pagination, in
the same transaction as that page's posts.

X bills every post read, so a run may be given a budget: pages are sized to
what is left of it, and the run stops before a request could pass it. A query
stopped half-way moves its cursor to the newest post it read, so the next run
does not pay again for the pages already read; the older posts of that window
that were not read are skipped (the run's message says so).
"""
from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
import tweepy
from django.conf import settings

from ingestion.selectors.dictionary import dictionary_terms_active

from ..models import Source, SourceCursor
from .base import BudgetReached, CursorUpdate, RateLimited, SourceBatch, page_batch

logger = logging.getLogger(__name__)

QUERY_MAX_CHARS = 512
PAGE_SIZE = 100
MIN_PAGE_SIZE = 10  # the API refuses max_results below 10
EXPANSIONS = ["author_id", "geo.place_id", "referenced_tweets.id", "referenced_tweets.id.author_id"]
TWEET_FIELDS = [
    "created_at", "lang", "author_id", "geo", "entities", "public_metrics",
    "referenced_tweets", "in_reply_to_user_id", "note_tweet",
]
USER_FIELDS = ["username", "name", "location"]
PLACE_FIELDS = ["full_name", "country_code", "geo", "place_type"]


class QueryTooLong(ValueError):
    pass


def x_queries_build(
    *, terms: list[str], exclude_retweets: bool = False, geo: str = "", max_chars: int = QUERY_MAX_CHARS
) -> list[str]:
    """Pack quoted terms into as few `(... OR ...) lang:es` queries as fit the limit."""
    suffix = " lang:es" + (" -is:retweet" if exclude_retweets else "") + (f" {geo.strip()}" if geo.strip() else "")
    queries: list[str] = []
    group: list[str] = []
    for term in sorted({t.strip().replace('"', "") for t in terms if t.strip()}):
        quoted = f'"{term}"'
        if len(f"({quoted}){suffix}") > max_chars:
            raise QueryTooLong(f"el término {term!r} no cabe en una consulta de {max_chars} caracteres")
        candidate = group + [quoted]
        if group and len("(" + " OR ".join(candidate) + ")" + suffix) > max_chars:
            queries.append("(" + " OR ".join(group) + ")" + suffix)
            candidate = [quoted]
        group = candidate
    if group:
        queries.append("(" + " OR ".join(group) + ")" + suffix)
    return queries


def query_key(query: str) -> str:
    return hashlib.sha1(query.encode()).hexdigest()[:16]


class XApiSource:
    """Downloads recent posts for every dictionary query, page by page."""

    def __init__(self, source: Source, *, client: tweepy.Client | None = None, budget: int | None = None):
        token = settings.X_BEARER_TOKEN
        if client is None and not token:
            raise RuntimeError("falta X_BEARER_TOKEN: la fuente de la API de X no puede descargar")
        self.source = source
        self.client = client or tweepy.Client(bearer_token=token, return_type=requests.Response)
        self.max_wait = settings.INGESTION["RATE_LIMIT_MAX_WAIT_SECONDS"]
        self.remaining = budget  # posts this run may still read; None: no cap

    def queries(self) -> list[str]:
        config = self.source.config or {}
        terms = [term.text for term in dictionary_terms_active()]
        return x_queries_build(
            terms=terms, exclude_retweets=bool(config.get("exclude_retweets")), geo=str(config.get("geo", ""))
        )

    def batches(self, *, cursors: Mapping[str, SourceCursor]) -> Iterator[SourceBatch]:
        for query in self.queries():
            if not self._affordable():
                raise BudgetReached("tope de publicaciones alcanzado antes de leer todas las consultas")
            cursor = cursors.get(query_key(query))
            yield from self._query_batches(query, since_id=cursor.newest_id if cursor else "")

    def _affordable(self) -> bool:
        return self.remaining is None or self.remaining >= MIN_PAGE_SIZE

    def _query_batches(self, query: str, *, since_id: str) -> Iterator[SourceBatch]:
        next_token: str | None = None
        newest_id = ""
        while True:
            page = self._search(query, since_id=since_id, next_token=next_token)
            meta = page.get("meta") or {}
            newest_id = newest_id or str(meta.get("newest_id") or "")
            next_token = meta.get("next_token")
            batch = page_batch(page)
            if self.remaining is not None:
                data = page.get("data") if isinstance(page, dict) else None
                self.remaining -= len(data) if isinstance(data, list) else 0
            if not next_token or not self._affordable():
                # Only the last page read moves the cursor: were the run to die before it,
                # the next run would fetch the same pages again, and skip nothing.
                batch.cursor_updates.append(
                    CursorUpdate(key=query_key(query), query=query, newest_id=newest_id or since_id)
                )
                yield batch
                if next_token:
                    raise BudgetReached(
                        "tope de publicaciones alcanzado a mitad de una consulta: sus publicaciones más antiguas "
                        "de esta ventana no se leyeron"
                    )
                return
            yield batch

    def _search(self, query: str, *, since_id: str, next_token: str | None) -> dict[str, Any]:
        size = PAGE_SIZE if self.remaining is None else max(MIN_PAGE_SIZE, min(PAGE_SIZE, self.remaining))
        params: dict[str, Any] = {
            "query": query, "max_results": size, "expansions": EXPANSIONS,
            "tweet_fields": TWEET_FIELDS, "user_fields": USER_FIELDS, "place_fields": PLACE_FIELDS,
        }
        if since_id:
            params["since_id"] = since_id
        if next_token:
            params["next_token"] = next_token
        for _attempt in range(2):
            try:
                return self.client.search_recent_tweets(**params).json()
            except tweepy.TooManyRequests as error:
                reset_at = _reset_time(error.response)
                wait = (reset_at - datetime.now(UTC)).total_seconds()
                if wait > self.max_wait:
                    raise RateLimited(reset_at) from None
                logger.warning("X API rate limit: waiting %.0f s", max(wait, 0))
                time.sleep(max(wait, 0))
        raise RateLimited(datetime.now(UTC) + timedelta(minutes=15))


def _reset_time(response: requests.Response) -> datetime:
    """When the rate-limit window reopens; 15 minutes from now if the header is missing."""
    header = response.headers.get("x-rate-limit-reset", "") if response is not None else ""
    if header.isdigit():
        return datetime.fromtimestamp(int(header), tz=UTC)
    return datetime.now(UTC) + timedelta(minutes=15)
