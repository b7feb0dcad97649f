"""Post texts for the synthetic generator: everyday sentences, dictionary terms as people type them.

Also the small random helpers the generator shares (`between`, `pick`,
`Weighted`), written for speed: `random.randint` and `random.choice` cost
several times more, which shows at millions of posts.
"""
from __future__ import annotations

import bisect
import random
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from benchmarks import vocabulary as vocab
from ingestion.dictionary_seed import TERMS

MAX_TEXT = 280
B62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ENTITY_RE = re.compile(r"(?<![\w&])#(\w+)|(?<![\w@])@(\w{1,15})|(https://t\.co/\w+)")


class Weighted:
    """Items drawn with fixed relative weights in O(log n)."""

    def __init__(self, pairs: Sequence[tuple[Any, float]]):
        self.items = [item for item, _ in pairs]
        self.cumulative: list[float] = []
        total = 0.0
        for _, weight in pairs:
            total += weight
            self.cumulative.append(total)
        self.total = total

    def draw(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


def between(rng: random.Random, low: int, high: int) -> int:
    """`rng.randint`, a few times faster (it matters at millions of calls)."""
    return low + int(rng.random() * (high - low + 1))


def pick(rng: random.Random, items: Sequence[Any]) -> Any:
    return items[int(rng.random() * len(items))]


def ascii_only(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _terms_weighted() -> Weighted:
    """Each dictionary term once; the everyday insults far more often than the rare phrases."""
    common = {"puto": 8, "naco": 6, "chairo": 6, "feminazi": 5, "puta": 5, "joto": 4, "maricon": 4,
              "nini": 3, "jodido": 3, "mocho": 2, "pinche indio": 2, "pinche gordo": 2, "chacha": 2}
    unique = dict.fromkeys(term for terms in TERMS.values() for term in terms)
    return Weighted([(term, common.get(term, 1)) for term in unique])


TERMS_WEIGHTED = _terms_weighted()


TERMS_WEIGHTED = _terms_weighted()
def _repeat_letter(rng: random.Random, term: str) -> str:
    vowels = [i for i, char in enumerate(term) if char in "aeiou"]
    if not vowels:
        return term
    at = pick(rng, vowels)
    return term[:at] + term[at] * between(rng, 3, 6) + term[at + 1:]


def _plural(term: str) -> str:
    return term + ("s" if term[-1] in "aeiou" else "es")


def term_written(rng: random.Random, term: str) -> str:
    """A dictionary term as people type it: accents, case, stretched letters, plural, hashtag."""
    roll = rng.random()
    if roll < 0.35:
        return term
    if roll < 0.50:
        words = term.split(" ")
        if any(word in vocab.ACCENTED for word in words):
            return " ".join(vocab.ACCENTED.get(word, word) for word in words)
        return ascii_only(term)
    if roll < 0.60:
        return term.upper()
    if roll < 0.70:
        return term.capitalize()
    if roll < 0.80:
        return _repeat_letter(rng, term)
    if roll < 0.90:
        return _plural(term)
    words = term.split(" ")
    return "#" + ("".join(w.capitalize() for w in words) if rng.random() < 0.7 else "".join(words))


def length_target(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.35:
        return between(rng, 20, 80)
    if roll < 0.75:
        return between(rng, 80, 180)
    if roll < 0.96:
        return between(rng, 180, MAX_TEXT)
    return between(rng, MAX_TEXT + 20, 1500)  # a note tweet


def body(rng: random.Random, *, budget: int, pieces: list[str]) -> str:
    """Everyday sentences up to `budget` characters, with the given pieces among them."""
    parts = list(pieces)
    used = sum(len(p) + 2 for p in parts)
    while True:
        sentence = pick(rng, vocab.SENTENCES)
        if parts and used + len(sentence) + 2 > budget and used >= 20:
            break
        parts.insert(between(rng, 0, len(parts)), sentence)
        used += len(sentence) + 2
    if rng.random() < 0.3:
        parts.insert(between(rng, 0, len(parts)), "".join(rng.choices(vocab.EMOJI, k=between(rng, 1, 3))))
    separator = pick(rng, (". ", ", ", " ", "\n", "... "))
    text = separator.join(parts)
    return text[0].upper() + text[1:] if rng.random() < 0.5 else text


def short_url(rng: random.Random) -> str:
    bits = rng.getrandbits(60)
    return "https://t.co/" + "".join(B62[(bits >> (6 * i)) % 62] for i in range(10))


def entities_find(text: str, mentioned: dict[str, str], urls: dict[str, str]) -> dict[str, Any]:
    """The `entities` object the API sends for a text (character offsets)."""
    found: dict[str, list[dict[str, Any]]] = {}
    if "#" not in text and "@" not in text and "://" not in text:
        return found
    for match in _ENTITY_RE.finditer(text):
        start, end = match.span()
        tag, username, url = match.groups()
        if tag:
            found.setdefault("hashtags", []).append({"start": start, "end": end, "tag": tag})
        elif username:
            item = {"start": start, "end": end, "username": username, "id": mentioned.get(username, "0")}
            found.setdefault("mentions", []).append(item)
        elif url:
            expanded = urls.get(url, url)
            display = expanded.removeprefix("https://")[:26]
            found.setdefault("urls", []).append(
                {"start": start, "end": end, "url": url, "expanded_url": expanded, "display_url": display}
            )
    return found
