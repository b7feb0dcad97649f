"""Synthetic X API v2 posts for benchmarks: seeded, streamed to disk, with a realistic mix.

The file is JSON lines, one X API v2 recent-search response page per line
(`data`, `includes.users`, `includes.places`, `includes.tweets`, `meta`), 100
posts a page by default: the API's `max_results`, so the file looks like what the
X API source receives and archives, and what `import_tweets --format xapi`
reads. Pages of one post would make JSON parsing and the `includes` lookups look
dearer per post than they are in production; pages of thousands, cheaper.

The mix, per post (approximate shares):

* text of 20-280 characters: 35% short, 40% medium, 21% long, and 4% longer than
  280 as a `note_tweet` (the `text` field then holds the truncated head);
* 30% with a dictionary term (a tenth of them with two), written plain,
  accented or not, upper-case, capitalised, with repeated letters, in plural or
  as a hashtag; 3% of the others with a decoy ("cómputo", "disputa");
* 25% with hashtags, 15% with a link, 30% with emoji; 10% retweets (the original
  in `includes.tweets`), 15% replies (starting with a mention), 4% quotes;
* 50,000 authors, a few of them very active (Zipf-like), each with a fixed
  profile location drawn from `vocabulary.LOCATIONS` (30% empty, 10% jokes,
  8% abroad), sometimes lower-cased or with a flag added;
* 3% with a tagged place, 1% with exact coordinates (which come with a place);
* ids unique and increasing; `created_at` rising with the id (to the hour) over
  the `days` before `end`, with a daily rhythm (quiet at dawn, busy at night,
  Mexico City time), as in a file of pages archived over two months.

`PostFactory.post(index)` builds one post and is what other benchmarks reuse;
`posts_generate` streams pages to a file, so memory stays flat for any count.
The same seed and count give the same file.

    python benchmarks/generator.py --count 1000000 --out benchmarks/out/posts.jsonl
"""
from __future__ import annotations

import argparse
import bisect
import hashlib
import json
import math
import random
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson

if __package__ in (None, ""):  # run as a script: make the project's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import vocabulary as vocab  # noqa: E402
from benchmarks.texts import (  # noqa: E402
    B62,
    MAX_TEXT,
    TERMS_WEIGHTED,
    Weighted,
    ascii_only,
    between,
    body,
    entities_find,
    length_target,
    pick,
    short_url,
    term_written,
)

GENERATOR_VERSION = 1  # bump when the output for a given seed changes
PAGE_SIZE = 100
AUTHORS = 50_000
DAYS = 60
TWEET_ID_BASE = 1_790_000_000_000_000_000
ORIGINAL_ID_BASE = 1_700_000_000_000_000_000  # retweeted, replied-to and quoted posts
AUTHOR_ID_BASE = 100_000_000


_LOCATIONS = Weighted(vocab.LOCATIONS)
_HOURS_LOCAL = (6, 4, 2, 1, 1, 1, 2, 4, 6, 7, 8, 8, 9, 9, 8, 7, 7, 8, 9, 10, 11, 11, 10, 8)
_UTC_OFFSET_HOURS = 6  # Mexico City
_HOURS_UTC = Weighted([(h, _HOURS_LOCAL[(h - _UTC_OFFSET_HOURS) % 24]) for h in range(24)])
def _place_dict(entry: vocab.Place) -> dict[str, Any]:
    full_name, name, kind, code, country, lat, lon, _ = entry
    return {
        "id": hashlib.md5(full_name.encode()).hexdigest()[:16],
        "full_name": full_name, "name": name, "place_type": kind,
        "country_code": code, "country": country,
        "geo": {"type": "Feature", "bbox": [lon - 0.2, lat - 0.2, lon + 0.2, lat + 0.2], "properties": {}},
    }


_PLACES = Weighted([((_place_dict(entry), entry[5], entry[6]), entry[7]) for entry in vocab.PLACES])


# --- Authors -----------------------------------------------------------------------

def _handle(rng: random.Random, first: str, last: str, index: int) -> str:
    """An X username (at most 15 characters), made unique by the author's index in base 36."""
    stem = ascii_only(first).lower() + pick(rng, ("_", "", "_", "x")) + ascii_only(last).lower()[: between(rng, 0, 6)]
    suffix, number = "", index
    while True:
        number, digit = divmod(number, 36)
        suffix = B62[digit] + suffix
        if not number:
            break
    return f"{stem[: 14 - len(suffix)]}_{suffix}"


def _location(rng: random.Random, handle: str) -> str:
    """A profile location as written, with the long tail of one-off variants real profiles have."""
    location = _LOCATIONS.draw(rng)
    roll = rng.random()
    if not location or roll >= 0.37:
        return location
    if roll < 0.15:
        return location.lower()
    if roll < 0.18:
        return location.upper()
    if roll < 0.25:
        return f"{location} 🇲🇽"
    if roll < 0.30:
        return f"{location} | {pick(rng, vocab.TAGLINES)}"
    return f"{location} · IG: {handle}"  # unique to the author


@lru_cache(maxsize=32_768)
def author_build(seed: int, index: int) -> dict[str, Any]:
    """Author `index` of the pool: the same profile every time it posts (do not mutate it)."""
    rng = random.Random(seed * 1_000_003 + index)
    first, last = pick(rng, vocab.FIRST_NAMES), pick(rng, vocab.LAST_NAMES)
    user: dict[str, Any] = {
        "id": str(AUTHOR_ID_BASE + index),
        "name": f"{first} {last}" + (f" {pick(rng, vocab.EMOJI)}" if rng.random() < 0.1 else ""),
        "username": _handle(rng, first, last, index),
    }
    location = _location(rng, user["username"])
    if location:  # the API leaves the field out when the profile has none
        user["location"] = location
    return user


# --- Posts -------------------------------------------------------------------------

@dataclass(slots=True)
class SyntheticPost:
    """One post and what its page's `includes` need for it."""

    tweet: dict[str, Any]
    users: list[dict[str, Any]]  # its author first, then the retweeted post's author
    place: dict[str, Any] | None = None
    original: dict[str, Any] | None = None  # the retweeted post
    terms: int = 0  # dictionary terms written into it (0, 1 or 2)


@dataclass(slots=True)
class _Draft:
    """A post's text while it is being written, with what its entities point to."""

    text: str
    mentioned: dict[str, str]
    urls: dict[str, str]
    terms: int


class PostFactory:
    """Builds the posts of one synthetic stream; the same seed gives the same sequence.

    `count` only spreads `created_at` over the period; `start` shifts the ids so
    that two factories with different starts never produce the same post id.
    """

    def __init__(self, *, count: int, seed: int = 42, start: int = 0, end: datetime | None = None,
                 days: int = DAYS, authors: int = AUTHORS):
        self.count, self.seed, self.start, self.authors = max(count, 1), seed, start, authors
        self.end = (end or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0)
        self.begin = self.end - timedelta(days=days)
        self.days = days
        self.rng = random.Random(seed)

    def author(self) -> dict[str, Any]:
        """A poster: index 0 is the most active, the tail posts a handful of times."""
        return author_build(self.seed, int(self.authors * self.rng.random() ** 2.5))

    def moment(self, index: int) -> datetime:
        """Rising with `index`: the day by position, the hour by the daily rhythm, the second at random."""
        position = (index + self.rng.random()) / self.count * self.days
        day = min(math.floor(position), self.days - 1)
        within = min(position - day, 0.999_999)  # how far through the day's posts; past `count`, the last day
        hour = _HOURS_UTC.items[bisect.bisect_right(_HOURS_UTC.cumulative, within * _HOURS_UTC.total)]
        return self.begin + timedelta(days=day, hours=hour, seconds=self.rng.random() * 3600)

    def post(self, index: int) -> SyntheticPost:
        """Post `index` of the stream (call in increasing order for increasing dates)."""
        rng = self.rng
        author = self.author()
        created = self.moment(index)
        tweet_id = str(TWEET_ID_BASE + self.start + index)
        roll = rng.random()
        if roll < 0.10:
            return self._retweet(tweet_id, index, author, created)
        draft = self._draft(reply_to=self.author() if roll < 0.25 else None)
        tweet = self._tweet(tweet_id, author, created, draft)
        if 0.25 <= roll < 0.29:
            tweet["referenced_tweets"] = [{"type": "quoted", "id": str(ORIGINAL_ID_BASE + self.start + index)}]
        elif roll < 0.25:
            replied = str(ORIGINAL_ID_BASE + self.start + index)
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": replied}]
            tweet["in_reply_to_user_id"] = next(iter(draft.mentioned.values()))
        place = self._geo(tweet)
        return SyntheticPost(tweet=tweet, users=[author], place=place, terms=draft.terms)

    def _draft(self, *, reply_to: dict[str, Any] | None) -> _Draft:
        rng = self.rng
        terms = 0
        pieces: list[str] = []
        if rng.random() < 0.30:
            terms = 2 if rng.random() < 0.10 else 1
            pieces = [pick(rng, vocab.TERM_FRAMES).format(t=term_written(rng, TERMS_WEIGHTED.draw(rng)))
                      for _ in range(terms)]
        elif rng.random() < 0.03:
            pieces = [pick(rng, vocab.DECOYS)]
        prefix, suffix, mentioned, urls = self._extras(reply_to)
        target = length_target(rng)
        text = prefix + body(rng, budget=target - len(prefix) - len(suffix), pieces=pieces) + suffix
        return _Draft(text=text, mentioned=mentioned, urls=urls, terms=terms)

    def _extras(self, reply_to: dict[str, Any] | None) -> tuple[str, str, dict[str, str], dict[str, str]]:
        """A reply's leading mention; trailing mention, hashtags and link."""
        rng = self.rng
        prefix, suffix, mentioned, urls = "", "", {}, {}
        if reply_to is not None:
            prefix = f"@{reply_to['username']} "
            mentioned[reply_to["username"]] = reply_to["id"]
        if rng.random() < 0.08:
            other = self.author()
            suffix += f" cc @{other['username']}"
            mentioned[other["username"]] = other["id"]
        if rng.random() < 0.25:
            suffix += "".join(f" #{tag}" for tag in rng.sample(vocab.HASHTAGS, between(rng, 1, 3)))
        if rng.random() < 0.15:
            url = short_url(rng)
            urls[url] = f"https://{pick(rng, vocab.URL_DOMAINS)}/nota/{between(rng, 10_000, 9_999_999)}"
            suffix += f" {url}"
        return prefix, suffix, mentioned, urls

    def _tweet(self, tweet_id: str, author: dict[str, Any], created: datetime, draft: _Draft) -> dict[str, Any]:
        text = draft.text
        tweet: dict[str, Any] = {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}
        if len(text) > MAX_TEXT:  # a long post: the API truncates `text` and sends the whole in `note_tweet`
            head = text[: MAX_TEXT - 25].rsplit(" ", 1)[0] + "… " + short_url(self.rng)
            tweet["text"] = head
            tweet["note_tweet"] = {"text": text}
            note_entities = entities_find(text, draft.mentioned, draft.urls)
            if note_entities:
                tweet["note_tweet"]["entities"] = note_entities
        tweet.update(author_id=author["id"], created_at=_timestamp(created), lang=self._lang())
        tweet["public_metrics"] = _metrics(self.rng)
        entities = entities_find(tweet["text"], draft.mentioned, draft.urls)
        if entities:
            tweet["entities"] = entities
        return tweet

    def _retweet(self, tweet_id: str, index: int, author: dict[str, Any], created: datetime) -> SyntheticPost:
        """A retweet: a truncated "RT @…:" text; the original, whole, goes in `includes.tweets`."""
        original_author = self.author()
        draft = self._draft(reply_to=None)
        original_id = str(ORIGINAL_ID_BASE + self.start + index)
        earlier = created - timedelta(seconds=between(self.rng, 60, 86_400))
        original = self._tweet(original_id, original_author, earlier, draft)
        text = f"RT @{original_author['username']}: {original['text']}"
        if len(text) > MAX_TEXT:
            text = text[: MAX_TEXT - 1] + "…"
        mentioned = {original_author["username"]: original_author["id"]}
        retweet = self._tweet(tweet_id, author, created, _Draft(text, mentioned, draft.urls, 0))
        retweet["referenced_tweets"] = [{"type": "retweeted", "id": original_id}]
        return SyntheticPost(tweet=retweet, users=[author, original_author], original=original, terms=draft.terms)

    def _geo(self, tweet: dict[str, Any]) -> dict[str, Any] | None:
        """3% tag a place; a third of those also share exact coordinates near it."""
        roll = self.rng.random()
        if roll >= 0.03:
            return None
        place, lat, lon = _PLACES.draw(self.rng)
        tweet["geo"] = {"place_id": place["id"]}
        if roll < 0.01:
            point = [round(lon + self.rng.uniform(-0.08, 0.08), 5), round(lat + self.rng.uniform(-0.08, 0.08), 5)]
            tweet["geo"]["coordinates"] = {"type": "Point", "coordinates": point}
        return place

    def _lang(self) -> str:
        roll = self.rng.random()
        return "es" if roll < 0.97 else ("und" if roll < 0.99 else "en")


def _timestamp(moment: datetime) -> str:
    """The API's form, "2026-11-20T16:20:11.000Z"."""
    return moment.isoformat(timespec="milliseconds").removesuffix("+00:00") + "Z"


def _metrics(rng: random.Random) -> dict[str, int]:
    """Public counters with the long tail of real posts: most get nothing, a few go viral."""
    likes = min(int(rng.paretovariate(1.2)) - 1, 250_000)
    share = 0.05 + rng.random() * 0.3  # how much of the attention turns into retweets, replies…
    return {
        "retweet_count": int(likes * share), "reply_count": int(likes * share * 0.6),
        "like_count": likes, "quote_count": int(likes * share * 0.1),
        "bookmark_count": int(likes * share * 0.2), "impression_count": int(likes * (20 + 60 * share)) + between(rng, 0, 300),
    }


# --- Pages and files ----------------------------------------------------------------

def page_build(posts: Sequence[SyntheticPost], *, next_token: str = "") -> dict[str, Any]:
    """Posts as one recent-search response page: newest first, expansions de-duplicated."""
    data = [post.tweet for post in reversed(posts)]
    users: dict[str, dict[str, Any]] = {}
    places: dict[str, dict[str, Any]] = {}
    for post in posts:
        for user in post.users:
            users.setdefault(user["id"], user)
        if post.place is not None:
            places.setdefault(post.place["id"], post.place)
    includes: dict[str, Any] = {"users": list(users.values())}
    if places:
        includes["places"] = list(places.values())
    originals = [post.original for post in posts if post.original is not None]
    if originals:
        includes["tweets"] = originals
    meta: dict[str, Any] = {"newest_id": data[0]["id"], "oldest_id": data[-1]["id"], "result_count": len(data)}
    if next_token:
        meta["next_token"] = next_token
    return {"data": data, "includes": includes, "meta": meta}


@dataclass(slots=True)
class GenerationStats:
    posts: int = 0
    with_terms: int = 0
    pages: int = 0


def pages_iterate(factory: PostFactory, *, count: int, page_size: int = PAGE_SIZE,
                  stats: GenerationStats | None = None) -> Iterator[dict[str, Any]]:
    """The stream as response pages, built one at a time."""
    for first in range(0, count, page_size):
        posts = [factory.post(index) for index in range(first, min(first + page_size, count))]
        if stats is not None:
            stats.posts += len(posts)
            stats.with_terms += sum(1 for post in posts if post.terms)
            stats.pages += 1
        more = first + page_size < count
        yield page_build(posts, next_token=f"b26v89c19zqg8o3f{first + page_size:x}" if more else "")


def meta_path(path: Path) -> Path:
    """Where a generated file's description is kept (next to it)."""
    return path.with_name(path.name + ".meta.json")


def generation_meta(path: Path) -> dict[str, Any] | None:
    """What a generated file holds (count, seed, share with terms…), or None if unknown or incomplete."""
    try:
        meta = json.loads(meta_path(path).read_text())
    except (OSError, ValueError):
        return None
    if not path.exists() or path.stat().st_size != meta.get("bytes"):
        return None
    return meta


def posts_generate(*, path: Path, count: int, seed: int = 42, page_size: int = PAGE_SIZE, start: int = 0,
                   end: datetime | None = None, on_page: Callable[[int], None] | None = None) -> Path:
    """Write `count` synthetic posts to `path` as X API v2 JSON lines; describe them in `<path>.meta.json`.

    The file appears complete or not at all (written aside, then renamed), so an
    interrupted generation is never mistaken for a finished one.
    """
    factory = PostFactory(count=count, seed=seed, start=start, end=end)
    stats = GenerationStats()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with partial.open("wb") as handle:
        for page in pages_iterate(factory, count=count, page_size=page_size, stats=stats):
            handle.write(orjson.dumps(page) + b"\n")
            if on_page:
                on_page(stats.posts)
    partial.replace(path)
    meta = {
        "generator": GENERATOR_VERSION, "count": count, "seed": seed, "page_size": page_size, "start": start,
        "begin": factory.begin.isoformat(), "end": factory.end.isoformat(), "authors": factory.authors,
        "pages": stats.pages, "with_terms": stats.with_terms, "bytes": path.stat().st_size,
    }
    meta_path(path).write_text(json.dumps(meta, indent=2) + "\n")
    return path


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write synthetic posts as X API v2 JSON lines.")
    parser.add_argument("--count", type=int, default=1_000_000, help="posts to write (default 1,000,000)")
    parser.add_argument("--out", type=Path, required=True, help="the .jsonl file to write")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--page-size", type=int, default=PAGE_SIZE, help="posts per line (response page)")
    parser.add_argument("--start", type=int, default=0, help="offset added to the ids")
    args = parser.parse_args(argv)
    from tqdm import tqdm

    with tqdm(total=args.count, unit="posts", unit_scale=True, file=sys.stderr) as bar:
        posts_generate(path=args.out, count=args.count, seed=args.seed, page_size=args.page_size,
                       start=args.start, on_page=lambda done: bar.update(done - bar.n))
    meta = generation_meta(args.out) or {}
    print(f"{args.out}: {args.count:,} posts, {meta.get('bytes', 0) / 1e6:,.1f} MB, "
          f"{meta.get('with_terms', 0) / max(args.count, 1):.1%} with dictionary terms")


if __name__ == "__main__":
    main()
