"""The demo replay: feeds the bundled synthetic corpus a batch at a time.

Each run serves the next `batch_size` posts as an X API v2 response page dated
"just now", so the embedded default shows posts arriving on the 15-minute
schedule. When the corpus runs out it starts again with fresh ids.
"""
from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson

from ..models import Source, SourceCursor
from .base import CursorUpdate, SourceBatch, page_batch

CORPUS_PATH = Path(__file__).resolve().parent.parent / "demo" / "corpus.jsonl"
CURSOR_KEY = "replay"
DEFAULT_BATCH_SIZE = 25
CHUNK = 500


@lru_cache(maxsize=1)
def demo_corpus() -> tuple[dict[str, Any], ...]:
    with CORPUS_PATH.open("rb") as handle:
        return tuple(orjson.loads(line) for line in handle if line.strip())


def replay_page(entries: list[tuple[dict[str, Any], int, datetime]]) -> dict[str, Any]:
    """Corpus items, each with its replay cycle and date, as one X API v2 response page."""
    tweets, users, places = [], {}, {}
    for item, cycle, created_at in entries:
        author = item["author"]
        tweet: dict[str, Any] = {
            "id": item["id"] if cycle == 0 else f"{item['id']}-r{cycle}",
            "text": item["text"],
            "created_at": created_at.isoformat().replace("+00:00", "Z"),
            "author_id": author["id"],
            "lang": item.get("lang", "es"),
        }
        if item.get("reply"):
            tweet["in_reply_to_user_id"] = "0"
        if item.get("place"):
            place_id = f"place-{item['place']['full_name']}"
            places[place_id] = {"id": place_id, **item["place"]}
            tweet["geo"] = {"place_id": place_id}
        tweets.append(tweet)
        users[author["id"]] = author
    return {
        "data": tweets,
        "includes": {"users": list(users.values()), "places": list(places.values())},
        "meta": {"result_count": len(tweets)},
    }


class ReplaySource:
    def __init__(self, source: Source, *, spread: timedelta | None = None, count: int | None = None):
        """`spread` dates the posts over that much past time (a backlog) instead of "now"."""
        self.source = source
        self.batch_size = int((source.config or {}).get("batch_size", DEFAULT_BATCH_SIZE))
        self.count = count or self.batch_size
        self.spread = spread

    def _times(self, count: int) -> list[datetime]:
        now = datetime.now(UTC).replace(microsecond=0)
        window = self.spread or timedelta(minutes=15)
        rng = random.Random(now.timestamp())
        return sorted(now - timedelta(seconds=rng.uniform(0, window.total_seconds())) for _ in range(count))

    def batches(self, *, cursors: Mapping[str, SourceCursor]) -> Iterator[SourceBatch]:
        corpus = demo_corpus()
        cursor = cursors.get(CURSOR_KEY)
        position = cursor.position if cursor else 0
        end = position + self.count
        times = iter(self._times(self.count))
        while position < end:
            take = min(CHUNK, end - position)  # a backlog arrives in several batches
            entries = [
                (corpus[p % len(corpus)], p // len(corpus), next(times)) for p in range(position, position + take)
            ]
            position += take
            yield page_batch(replay_page(entries), cursor_updates=[CursorUpdate(key=CURSOR_KEY, position=position)])
