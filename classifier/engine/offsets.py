"""Where a token came from: the character span, in the text as sent, of each token `text_tokenize` makes.

Explanations name normalised tokens ("puta", "no", "_emoji_clown_face_"); a client
wants to highlight them in its own text. This module repeats `classifier.engine.text`'s
steps while keeping, for every character of the working text, the span of the
original characters it stands for:

* an HTML entity (``&amp;``), an NFKC group (a letter and its combining accents,
  a ligature), a URL (``_url_``) stand for all the characters they replaced;
* a word stands for the whole word as written, so ``putoooo`` → ``puto`` spans the
  seven letters, ``ESTÚPIDA`` → ``estupida`` its eight, and ``jajajaja`` → ``_risa_``
  the whole laugh;
* a hashtag's words each span their part (``#NoEsNormal``: ``no`` is ``No``); a
  mention or a number spans itself with its ``@``; an emoji spans its code points
  (with the skin tone, which the token drops);
* in English, ``don't`` → ``do not``: both tokens span ``don't``.

Spans are Python string indices (Unicode code points), ``text[start:end]``, which is how
the Perspective API counts characters too.

Speed: nothing here runs when scoring, only to place an explanation's words or a text's
spans. Like `classifier.engine.text`, each distinct whitespace chunk is scanned once per
configuration and its tokens' offsets inside it cached, so placing a text's tokens costs a
few dictionary lookups per chunk.
"""
from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass

import emoji

from classifier.engine.text import (
    _APOSTROPHES,
    _CLITIC_RE,
    _EMOJI_LONGEST,
    _FIXED_TOKENS,
    _HASHTAG_PART_RE,
    _NEGATED_VERB_RE,
    _RETWEET_RE,
    _SCAN_RE,
    _URL_HINTS,
    _URL_RE,
    NUMBER_TOKEN,
    URL_TOKEN,
    TextConfig,
    _emoji_name,
    _negated_verb,
    _Pipeline,
    _pipeline,
    _text_prepare,
)

Span = tuple[int, int]
PlacedToken = tuple[str, int, int]  # (token, start, end)

# `html.unescape`'s own pattern (CPython's `html._charref`): unescaping each match alone gives what
# unescaping the whole text gives, so each entity's replacement can keep the entity's span.
_CHARREF_RE = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")
_CHUNK_RE = re.compile(r"\S+")  # what `str.split()` keeps (both use Python's notion of whitespace)
_SPACE_OR_NOT_RE = re.compile(r"\s+|\S+")
_TAG_PIECE_RE = re.compile(r"[^_]+")
_SKIN_TONES = frozenset(map(chr, range(0x1F3FB, 0x1F400)))


@dataclass(slots=True)
class _Mapped:
    """A working text and, per character, the span of the original text it stands for."""

    text: str
    starts: list[int]
    ends: list[int]

    @classmethod
    def of(cls, text: str, offset: int = 0) -> _Mapped:
        return cls(text, list(range(offset, offset + len(text))), list(range(offset + 1, offset + len(text) + 1)))

    def span(self, start: int, end: int) -> Span:
        """The original span of working characters start..end (end > start)."""
        return self.starts[start], self.ends[end - 1]

    def sub(self, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str], *, count: int = 0) -> _Mapped:
        """`pattern.sub(replace, text)`; a replacement's characters each stand for the whole match."""
        texts: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        position = 0
        for n, found in enumerate(pattern.finditer(self.text)):
            if count and n == count:
                break
            start, end = found.span()
            new = replace(found)
            texts += (self.text[position:start], new)
            starts += self.starts[position:start]
            ends += self.ends[position:start]
            if new and end > start:
                first, last = self.span(start, end)
                starts += [first] * len(new)
                ends += [last] * len(new)
            position = end
        texts.append(self.text[position:])
        return _Mapped("".join(texts), starts + self.starts[position:], ends + self.ends[position:])

    def groups_normalized(self, pattern: re.Pattern[str] | None) -> _Mapped:
        """NFKC form, group by group (`pattern`'s matches; None: the whole text as one group)."""
        found = [(0, len(self.text))] if pattern is None else [m.span() for m in pattern.finditer(self.text)]
        texts, starts, ends = [], [], []
        for start, end in found:
            new = unicodedata.normalize("NFKC", self.text[start:end])
            first, last = self.span(start, end)
            texts.append(new)
            starts += [first] * len(new)
            ends += [last] * len(new)
        return _Mapped("".join(texts), starts, ends)


def _starter_groups(text: str) -> list[Span]:
    """A character and the combining marks after it: the pieces NFKC composes (almost always)."""
    bounds = [i for i, char in enumerate(text) if i == 0 or not unicodedata.combining(char)]
    return list(zip(bounds, [*bounds[1:], len(text)], strict=True))


def _nfkc_mapped(mapped: _Mapped) -> _Mapped:
    """NFKC by the smallest pieces whose forms, joined, are the whole text's: a letter with its marks, else
    whitespace-separated chunks, else the whole text (Hangul jamo and a few scripts compose across starters)."""
    whole = unicodedata.normalize("NFKC", mapped.text)
    texts, starts, ends = [], [], []
    for start, end in _starter_groups(mapped.text):
        new = unicodedata.normalize("NFKC", mapped.text[start:end])
        first, last = mapped.span(start, end)
        texts.append(new)
        starts += [first] * len(new)
        ends += [last] * len(new)
    grouped = _Mapped("".join(texts), starts, ends)
    if grouped.text == whole:
        return grouped
    chunked = mapped.groups_normalized(_SPACE_OR_NOT_RE)
    return chunked if chunked.text == whole else mapped.groups_normalized(None)


def _prepared(text: str, *, config: TextConfig) -> _Mapped | None:
    """`classifier.engine.text._text_prepare`, step by step, keeping each character's original span;
    None when it changes nothing (the usual post: every character stands for itself)."""
    language = config.language
    prepared = _text_prepare(text, language=language)
    if prepared == text:
        return None
    mapped = _Mapped.of(text)
    if "&" in mapped.text:
        mapped = mapped.sub(_CHARREF_RE, lambda found: html.unescape(found.group()))
    if not mapped.text.isascii() and not unicodedata.is_normalized("NFKC", mapped.text):
        mapped = _nfkc_mapped(mapped)
    mapped = mapped.sub(_RETWEET_RE, lambda found: "", count=1)
    if any(hint in mapped.text for hint in _URL_HINTS):
        mapped = mapped.sub(_URL_RE, lambda found: f" {URL_TOKEN} ")
    if language == "en" and " ' " in mapped.text:
        mapped = mapped.sub(re.compile(" ' "), lambda found: "'")
    return mapped if mapped.text == prepared else _Mapped(prepared, [0] * len(prepared), [len(text)] * len(prepared))


def _hashtag_placed(pipeline: _Pipeline, tag: str) -> Iterator[PlacedToken]:
    """`_Pipeline.hashtag`'s tokens, each with its part's span inside the tag."""
    for piece in _TAG_PIECE_RE.finditer(tag, 1):
        for part in _HASHTAG_PART_RE.finditer(piece.group()):
            word = part.group()
            token = NUMBER_TOKEN if word.isdigit() else pipeline.word(word)
            if token:
                yield token, piece.start() + part.start(), piece.start() + part.end()


def _emoji_placed(run: str) -> Iterator[PlacedToken]:
    """`classifier.engine.text._emoji_tokens`, each emoji with its code points (and its skin tone)."""
    kept = [i for i, char in enumerate(run) if char not in _SKIN_TONES]
    plain = "".join(run[i] for i in kept)
    start = 0
    while start < len(plain):
        for end in range(min(len(plain), start + _EMOJI_LONGEST), start, -1):
            data = emoji.EMOJI_DATA.get(plain[start:end])
            if data:
                stop = kept[end - 1] + 1
                while stop < len(run) and run[stop] in _SKIN_TONES:
                    stop += 1
                yield _emoji_name(data["en"]), kept[start], stop
                start = end
                break
        else:
            start += 1


def _chunk_placed(pipeline: _Pipeline, chunk: _Mapped) -> Iterator[PlacedToken]:
    """`_Pipeline.chunk`'s tokens, each with its span in the original text."""
    if pipeline.config.language == "en" and any(mark in chunk.text for mark in _APOSTROPHES):
        chunk = chunk.sub(_NEGATED_VERB_RE, _negated_verb).sub(_CLITIC_RE, lambda found: "")
    for found in _SCAN_RE.finditer(chunk.text):
        kind, start = found.lastgroup or "", found.start()
        if kind == "word":
            placed: Iterator[PlacedToken] = iter([(pipeline.word(found.group()), start, found.end())])
        elif kind == "hashtag":
            placed = ((token, start + a, start + b) for token, a, b in _hashtag_placed(pipeline, found.group()))
        elif kind == "emoji":
            placed = ((token, start + a, start + b) for token, a, b in _emoji_placed(found.group()))
        else:
            placed = iter([(_FIXED_TOKENS.get(kind) or found.group(), start, found.end())])
        for token, a, b in placed:
            if token:
                yield (token, *chunk.span(a, b))


@functools.lru_cache(maxsize=32)
def _chunk_locals(config: TextConfig) -> Callable[[str], tuple[PlacedToken, ...]]:
    """Per configuration, a chunk's placed tokens with offsets inside the chunk, cached: posts repeat their
    words, so each distinct chunk is scanned once. (Keyed by the chunk alone: hashing the configuration
    per chunk would cost more than the lookup.)"""
    pipeline = _pipeline(config)

    @functools.lru_cache(maxsize=1 << 16)
    def local(chunk: str) -> tuple[PlacedToken, ...]:
        return tuple(_chunk_placed(pipeline, _Mapped.of(chunk)))

    return local


def text_tokens_placed(text: str, *, config: TextConfig) -> list[PlacedToken]:
    """`text_tokenize(text, config=config)`'s tokens, in order, each with its (start, end) in `text`."""
    if not text or text.isspace():
        return []
    local = _chunk_locals(config)
    prepared = _prepared(text, config=config)
    placed: list[PlacedToken] = []
    if prepared is None:
        for found in _CHUNK_RE.finditer(text):
            offset = found.start()
            placed += [(token, offset + start, offset + end) for token, start, end in local(found.group())]
        return placed
    for found in _CHUNK_RE.finditer(prepared.text):
        offset = found.start()
        placed += [(token, *prepared.span(offset + start, offset + end)) for token, start, end in local(found.group())]
    return placed


def text_word_spans(text: str, *, config: TextConfig, words: Collection[str]) -> dict[str, list[Span]]:
    """Where each of `words` (tokens as `text_tokenize` makes them) occurs in `text`: every occurrence's
    (start, end), in order. A word the text's own tokens do not hold (a context token) maps to [].

    `text_tokens_placed`'s walk, placing only the tokens asked for (an explanation's few words of a
    text's dozens): the API places every explained text's words."""
    spans: dict[str, list[Span]] = {word: [] for word in words}
    if not text or text.isspace():
        return spans
    local = _chunk_locals(config)
    prepared = _prepared(text, config=config)
    for found in _CHUNK_RE.finditer(text if prepared is None else prepared.text):
        offset = -1
        for token, start, end in local(found.group()):
            if token in spans:
                offset = found.start() if offset < 0 else offset
                placed = (offset + start, offset + end) if prepared is None else prepared.span(offset + start, offset + end)
                spans[token].append(placed)
    return spans
