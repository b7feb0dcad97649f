"""The demo replay: feeds the bundled synthetic corpus a batch at a time.

Each run serves the next `batch_size` posts as an X API v2 response page dated
"just now", so the embedded default shows posts arriving on the 15-minute
schedule. Two orders:

* the corpus in its own order (cursor position p serves item p, and when the
  corpus runs out it starts again with fresh ids);
* a mix: the source's `config["mix"]`, a list of `[corpus id, state]` pairs
  that `load_demo` writes so the posts arriving after its backlog keep the
  backlog's recent proportions (of each category, of discriminatory posts, of
  each state). Position p serves pair p modulo the mix's length.

A backlog (`load_demo`'s past days) arrives through the same pages, with the
dates and states it was planned with (`ReplayPost`).
"""
from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson

from ..geo import STATE_NAMES
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


@lru_cache(maxsize=1)
def _corpus_index() -> dict[str, int]:
    return {item["id"]: index for index, item in enumerate(demo_corpus())}


@dataclass(frozen=True, slots=True)
class PlannedPost:
    """A corpus item to serve as a post of a backlog, on a date.

    `state`: None keeps the item's own place and author location; a state code
    geotags the post in that state; "" serves it with no location at all.
    """

    corpus_index: int
    created_at: datetime
    state: str | None = None


@dataclass(frozen=True, slots=True)
class ReplayPost:
    """One corpus item served as a post: its id and date, and where it says it was written (as `PlannedPost`)."""

    item: Mapping[str, Any]
    post_id: str
    created_at: datetime
    state: str | None = None


def mixed_post_id(item: Mapping[str, Any], position: int) -> str:
    """The id of a planned or mixed post: the corpus id and the cursor position, unique per source."""
    return f"{item['id']}-p{position}"


def _state_place(code: str) -> dict[str, Any]:
    name = STATE_NAMES[code]
    return {"id": f"place-{code}", "full_name": f"{name}, México", "name": name, "country_code": "MX",
            "place_type": "admin"}


def replay_page(posts: Sequence[ReplayPost]) -> dict[str, Any]:
    """Posts as one X API v2 response page."""
    tweets, users, places = [], {}, {}
    for post in posts:
        item, author = post.item, post.item["author"]
        tweet: dict[str, Any] = {
            "id": post.post_id,
            "text": item["text"],
            "created_at": post.created_at.isoformat().replace("+00:00", "Z"),
            "author_id": author["id"],
            "lang": item.get("lang", "es"),
        }
        if item.get("reply"):
            tweet["in_reply_to_user_id"] = "0"
        place = item.get("place") if post.state is None else (_state_place(post.state) if post.state else None)
        if place:
            place_id = place.get("id") or f"place-{place['full_name']}"
            places[place_id] = {**place, "id": place_id}
            tweet["geo"] = {"place_id": place_id}
        if post.state == "" and author.get("location"):
            tweet["author"] = {**author, "location": ""}  # this post says nothing of where it was written
        else:
            users[author["id"]] = author
        tweets.append(tweet)
    return {
        "data": tweets,
        "includes": {"users": list(users.values()), "places": list(places.values())},
        "meta": {"result_count": len(tweets)},
    }


def mix_read(config: Mapping[str, Any] | None) -> list[tuple[int, str]]:
    """The source's mix as (corpus index, state) pairs; pairs naming no corpus item are left out."""
    index = _corpus_index()
    pairs = (config or {}).get("mix") or []
    return [(index[pair[0]], str(pair[1])) for pair in pairs
            if isinstance(pair, list | tuple) and len(pair) == 2 and pair[0] in index]


class ReplaySource:
    def __init__(
        self, source: Source, *, spread: timedelta | None = None, count: int | None = None,
        planned: Sequence[PlannedPost] | None = None,
    ):
        """`spread` dates the posts over that much past time (a backlog) instead of "now"; `planned` serves
        exactly those posts (ids made from their positions) instead of the next ones of the corpus or mix."""
        self.source = source
        self.batch_size = int((source.config or {}).get("batch_size", DEFAULT_BATCH_SIZE))
        self.planned = list(planned) if planned is not None else None
        self.count = len(self.planned) if self.planned is not None else (count or self.batch_size)
        self.spread = spread

    def _times(self, count: int) -> list[datetime]:
        now = datetime.now(UTC).replace(microsecond=0)
        window = self.spread or timedelta(minutes=15)
        rng = random.Random(now.timestamp())
        return sorted(now - timedelta(seconds=rng.uniform(0, window.total_seconds())) for _ in range(count))

    def _posts(self, start: int) -> Iterator[ReplayPost]:
        """The posts of positions start, start + 1, … (`self.count` of them)."""
        corpus = demo_corpus()
        if self.planned is not None:
            for offset, post in enumerate(self.planned):
                item = corpus[post.corpus_index]
                yield ReplayPost(item=item, post_id=mixed_post_id(item, start + offset), created_at=post.created_at,
                                 state=post.state)
            return
        mix = mix_read(self.source.config)
        times = self._times(self.count)
        for offset, created_at in enumerate(times):
            p = start + offset
            if mix:
                index, state = mix[p % len(mix)]
                yield ReplayPost(item=corpus[index], post_id=mixed_post_id(corpus[index], p), created_at=created_at,
                                 state=state)
            else:
                item, cycle = corpus[p % len(corpus)], p // len(corpus)
                yield ReplayPost(item=item, post_id=item["id"] if cycle == 0 else f"{item['id']}-r{cycle}",
                                 created_at=created_at)

    def batches(self, *, cursors: Mapping[str, SourceCursor]) -> Iterator[SourceBatch]:
        cursor = cursors.get(CURSOR_KEY)
        position = cursor.position if cursor else 0
        posts = self._posts(position)
        end = position + self.count
        while position < end:
            take = min(CHUNK, end - position)  # a backlog arrives in several batches
            page = replay_page([next(posts) for _ in range(take)])
            position += take
            yield page_batch(page, cursor_updates=[CursorUpdate(key=CURSOR_KEY, position=position)])
