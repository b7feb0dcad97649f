"""Turn a post (or a movie plot) into the tokens every classifier learns from.

`text_tokenize` returns a list of tokens (gensim embeddings use it) and
`text_normalize` the same tokens joined by single spaces, ready for a scikit-learn
vectoriser (split it on whitespace, e.g. ``TfidfVectorizer(tokenizer=str.split,
token_pattern=None, lowercase=False)``; the default token pattern would drop one-letter
tokens). What a text goes through:

* HTML entities are decoded (``&amp;`` → ``&``), as tweets arrive escaped, and the text
  is put in NFKC form, so combining accents and styled letters (𝐡𝐨𝐥𝐚, ｈｏｌａ) read plainly.
* ``RT`` is dropped only as the retweet marker that opens a post (``RT @user: ...``);
  words containing "rt" (muerte, fuerte, parte, arte) are never touched.
* URLs become ``_url_``, @mentions ``_mention_``, standalone numbers (``3``, ``1,000``,
  ``3.5``, ``12:30``) ``_num_``. Codes such as ``8M`` or ``25N`` are words, not numbers.
* Emoji become one token each, named after their English CLDR name:
  ``🙄`` → ``_emoji_face_with_rolling_eyes_``. Names are ASCII so they survive any
  word-based token pattern; skin tones are dropped, so 👍🏽 and 👍 are the same token.
* Hashtags are split into words: ``#NoEsNormal`` → ``no es normal``,
  ``#ni_una_menos`` → ``ni una menos``, ``#YoSoy132`` → ``yo soy _num_``. A hashtag
  written all in one case (``#noesnormal``) stays one word: guessing its split would
  need a lexicon and would be wrong often enough to hurt.
* Laughter (``jajajja``, ``JAJAJA``, ``jejeje``, ``jsjsjs``, ``hahaha``, ``lol``, ``xD``)
  becomes ``_risa_`` (``_laugh_`` in English).
* Letters repeated three times or more are folded: ``puuuuta`` → ``puta``,
  ``nooooo`` → ``no``. Doubles survive (``llorar``, ``carro``, ``leer``), and in Spanish
  a long run of r or l keeps two (``perrrra`` → ``perra``), since rr and ll are letters
  of their own. In English every long run keeps two (``goood`` → ``good``).
* Text is lower-cased and, by default, accents are folded exactly as the dictionary
  matcher folds them (á → a, ü → u, ñ → n), so a model's features and the dictionary's
  terms agree. `text_fold` is a copy of ``ingestion.matching.text_fold``, so that the
  engine imports no app; a test checks that the two agree.
* Punctuation separates words and is dropped. English contractions are spelled out
  (``don't`` → ``do not``) and clitics dropped (``father's`` → ``father``), so the
  negation stays visible.
* Stopwords come from the `stop-words` package, minus negations ("no", "ni", "nunca",
  "sin", "not", "never", ...), which carry meaning for discrimination. Nothing else is
  filtered: dictionary words that are also surnames (negro, indio, gordo, güero,
  chino) are ordinary words here.
* Optionally, words are lemmatised with `simplemma` (``mujeres`` → ``mujer``). Note that
  lemmas merge genders (``perra`` → ``perro``), which matters for misogyny.

Normalising a normalised text changes nothing, except with lemmatisation: a folded
lemma can be read as another word (``número`` → ``numero``, then "I number" → ``numerar``),
so lemmatised tokens must be computed from the original text.

Speed: every distinct word, hashtag and whitespace-separated chunk is processed once
per configuration and then served from a cache, so a batch costs little more than a
dictionary lookup per chunk.
"""
from __future__ import annotations

import functools
import html
import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import emoji
import simplemma
from stop_words import get_stop_words

Language = Literal["es", "en"]

URL_TOKEN = "_url_"
MENTION_TOKEN = "_mention_"
NUMBER_TOKEN = "_num_"
LAUGH_TOKENS: dict[str, str] = {"es": "_risa_", "en": "_laugh_"}
EMOJI_PREFIX = "_emoji_"

# Never removed as stopwords while `keep_negations` is on (compared accent-folded).
NEGATIONS: dict[str, frozenset[str]] = {
    "es": frozenset({
        "no", "ni", "nunca", "jamás", "sin", "tampoco", "nada", "nadie",
        "ningún", "ninguno", "ninguna", "ningunos", "ningunas",
    }),
    "en": frozenset({
        "no", "not", "never", "nor", "neither", "none", "nobody", "nothing", "nowhere",
        "cannot", "without",
    }),
}

_WORD_CACHE_SIZE = 1 << 17
_HASHTAG_CACHE_SIZE = 1 << 14
_CHUNK_CACHE_SIZE = 1 << 16


@dataclass(frozen=True, kw_only=True)
class TextConfig:
    """How `text_normalize` treats a text. Hashable, so it can key caches."""

    language: Language
    remove_stopwords: bool = True
    lemmatize: bool = False
    fold_accents: bool = True
    keep_negations: bool = True
    # Extra words never removed as stopwords (e.g. "contra" for a task where it matters).
    keep_words: frozenset[str] = frozenset()
    # Extra words removed with the package's list (e.g. texting shorthand: "q", "xq").
    extra_stopwords: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.language not in LAUGH_TOKENS:
            raise ValueError(f"Unsupported language {self.language!r}; expected one of {sorted(LAUGH_TOKENS)}.")


SPANISH = TextConfig(language="es")
ENGLISH = TextConfig(language="en")


def text_config_for(*, language: Language, remove_stopwords: bool = False) -> TextConfig:
    """How a task model's texts are normalised. Stopwords stay by default: on HatEval and the movie
    plots, dropping them lost 0.02 to 0.03 of F1 and ROC AUC (negations, pronouns and "por", "para",
    "contra" carry meaning)."""
    return TextConfig(language=language, remove_stopwords=remove_stopwords)


# --- Accent folding -----------------------------------------------------------------

def _fold_table_build() -> dict[int, str]:
    """Map every Latin letter with a diacritic to its lower-case base letter (1:1)."""
    table: dict[int, str] = {}
    for code in range(0x00C0, 0x0250):
        base = unicodedata.normalize("NFD", chr(code))[0].lower()
        if len(base) == 1 and base.isascii() and base.isalpha():
            table[code] = base
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = chr(code).lower()
    return table


_FOLD_TABLE = _fold_table_build()
_ACCENTED_RE = re.compile("[\u00c0-\u024f]")


def _accent_strip(found: re.Match[str]) -> str:
    return _FOLD_TABLE.get(ord(found.group()), found.group())


def text_fold(text: str) -> str:
    """Lower-case and strip accents without changing the string's length: the dictionary
    matcher's fold (``ingestion.matching.text_fold``), so features and terms agree."""
    low = text.lower()
    if len(low) != len(text):  # a letter whose lower case is longer ("İ"): fold one by one
        return text.translate(_FOLD_TABLE)
    if low.isascii():
        return low
    # str.translate with a dict costs a lookup per character; a post has few accents.
    return _ACCENTED_RE.sub(_accent_strip, low)


# --- Text-level rules ----------------------------------------------------------------

_RETWEET_RE = re.compile(r"^\s*rt\b\s*(?=@)", re.IGNORECASE)
# URLs are replaced before the scan because they are sometimes glued to a word ("machistahttp://...").
_URL_HINTS = ("://", "www.", "WWW.", "pic.twitter.com/")
_URL_RE = re.compile(r"(?i:https?://|www\.|pic\.twitter\.com/)\S+")
_APOSTROPHES = ("'", "’")
_NEGATED_VERB_RE = re.compile(r"\b(\w+?)n['’]t\b", re.IGNORECASE)
_NEGATED_VERB_BASES = {"ca": "can", "wo": "will", "sha": "shall", "ai": "is"}
_CLITIC_RE = re.compile(r"(?<=\w)['’](?:s|re|ll|ve|d|m)\b", re.IGNORECASE)

# Emoji are runs of pictographs, joined by ZWJ, variation selectors, keycaps and tags;
# a run is split into emoji by the `emoji` package's table.
_EMOJI_CHARS = "\u00a9\u00ae\u200d\u203c-\u2bff\u3030\u303d\u3297\u3299\ufe0f\U0001f000-\U0001faff\U000e0020-\U000e007f"
_EMOJI_LONGEST = max(map(len, emoji.EMOJI_DATA))
_SKIN_TONE_RE = re.compile("[\U0001f3fb-\U0001f3ff]")
_NOT_ASCII_WORD_RE = re.compile(r"[^a-z0-9]+")

# One pass over a chunk finds its tokens; the group name says what each one is.
_SCAN_RE = re.compile(
    rf"(?P<emoji>(?:[#*0-9]\ufe0f?\u20e3|[{_EMOJI_CHARS}])+)"
    r"|(?P<mention>(?<!\w)@\w+)"
    r"|(?P<hashtag>(?<!\w)#\w+)"
    r"|(?P<number>(?<!\w)\d+(?:[.,:]\d+)*(?!\w))"
    r"|(?P<placeholder>_(?:url|mention|num|risa|laugh)_|_emoji_[a-z0-9]+(?:_[a-z0-9]+)*_)"
    r"|(?P<word>[^\W_]+)"
)
_FIXED_TOKENS = {"mention": MENTION_TOKEN, "number": NUMBER_TOKEN}

_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"
# Hashtag parts: a code like 8M, digits, an acronym before a capitalised word
# ("AMLOEs" → AMLO, Es), a capitalised or lower-case word, an acronym, other letters.
_HASHTAG_PART_RE = re.compile(
    rf"\d+[{_UPPER}{_LOWER}](?![{_UPPER}{_LOWER}])|\d+|[{_UPPER}]+(?=[{_UPPER}][{_LOWER}])"
    rf"|[{_UPPER}]?[{_LOWER}]+|[{_UPPER}]+|[^\W\d_]+"
)


def _text_prepare(text: str, *, language: Language) -> str:
    """The rules that look across spaces: entities, Unicode form, retweet marker, URLs."""
    if "&" in text:
        text = html.unescape(text)
    if not text.isascii() and not unicodedata.is_normalized("NFKC", text):
        # Combining accents become "á"; styled letters (𝐡𝐨𝐥𝐚, ｈｏｌａ, ⓗⓞⓛⓐ) become plain ones.
        text = unicodedata.normalize("NFKC", text)
    text = _RETWEET_RE.sub("", text, count=1)
    if any(hint in text for hint in _URL_HINTS):
        text = _URL_RE.sub(f" {URL_TOKEN} ", text)
    if language == "en" and " ' " in text:
        text = text.replace(" ' ", "'")  # pre-tokenised plots write "don ' t", "father ' s"
    return text


def _negated_verb(found: re.Match[str]) -> str:
    base = found.group(1)
    return f"{_NEGATED_VERB_BASES.get(base.lower(), base)} not"


def _hashtag_parts(tag: str) -> list[str]:
    """``#NoEsNormal`` → No, Es, Normal; ``#ni_una_menos`` → ni, una, menos."""
    return [part for chunk in tag[1:].split("_") for part in _HASHTAG_PART_RE.findall(chunk)]


def _emoji_name(name: str) -> str:
    """``:Côte_d’Ivoire:`` → ``_emoji_cote_d_ivoire_``; ``:keycap_#:`` → ``_emoji_keycap_hash_``."""
    name = text_fold(name).replace("#", "_hash_").replace("*", "_asterisk_")
    return f"{EMOJI_PREFIX}{_NOT_ASCII_WORD_RE.sub('_', name).strip('_')}_"


@functools.lru_cache(maxsize=4096)
def _emoji_tokens(run: str) -> tuple[str, ...]:
    """The emoji of a run, longest match first; unknown symbols are dropped like punctuation."""
    run = _SKIN_TONE_RE.sub("", run)
    tokens: list[str] = []
    start = 0
    while start < len(run):
        for end in range(min(len(run), start + _EMOJI_LONGEST), start, -1):
            data = emoji.EMOJI_DATA.get(run[start:end])
            if data:
                tokens.append(_emoji_name(data["en"]))
                start = end
                break
        else:
            start += 1
    return tuple(tokens)


# --- Word-level rules (cached per distinct word) -----------------------------------

_LAUGH_RE = re.compile(
    r"(?:mu)?[aeiou]?[jh]+([aeiou])\1*(?:[jh]+\1+)+[jh]*"  # jajaja, jajjaja, ajaja, jejeje, hahaha, muajaja
    r"|(?:j+[as]+){2,}j*"  # jsjsjs, jajsjs
    r"|x+d+|lo+l(?:o+l)*|lmf?ao+|rofl"
)
_LONG_RUN_RE = re.compile(r"([^\W\d_])\1{2,}")
_LONG_RL_RUN_RE = re.compile(r"([rl])\1{2,}")


@functools.cache
def _stopwords(language: Language, keep: frozenset[str], extra: frozenset[str]) -> frozenset[str]:
    """The package's list, accent-folded like the words it is compared with, minus `keep`.

    Comparing folded forms keeps the result stable: "sé" goes with "se", so normalising
    a normalised text removes nothing more.
    """
    words = {text_fold(entry.replace("'", "").replace("’", "")) for entry in [*get_stop_words(language), *extra]}
    kept = {text_fold(word) for word in keep}
    # isalnum() skips phrases ("por qué") and abbreviations ("i.e.").
    return frozenset(word for word in words if word.isalnum() and word not in kept)


def _words_to_keep(config: TextConfig) -> frozenset[str]:
    keep = set(config.keep_words)
    if config.keep_negations:
        keep |= NEGATIONS[config.language]
        if config.language == "en":  # "dont", "isnt": how contractions get typed without apostrophe
            keep |= {w.replace("'", "") for w in get_stop_words("en") if w.endswith("n't")}
    return frozenset(keep)


def _repetition_fold(word: str, *, language: Language) -> str:
    if language == "en":
        return _LONG_RUN_RE.sub(r"\1\1", word)
    return _LONG_RUN_RE.sub(r"\1", _LONG_RL_RUN_RE.sub(r"\1\1", word))


class _Pipeline:
    """The compiled form of one `TextConfig`: its stopwords and its caches."""

    def __init__(self, config: TextConfig) -> None:
        self.config = config
        self.laugh_token = LAUGH_TOKENS[config.language]
        self.stopwords: frozenset[str] = frozenset()
        if config.remove_stopwords:
            self.stopwords = _stopwords(config.language, _words_to_keep(config), config.extra_stopwords)
        # Posts repeat their words: each distinct word, hashtag and chunk is processed once.
        self.word = functools.lru_cache(maxsize=_WORD_CACHE_SIZE)(self._word)
        self.hashtag = functools.lru_cache(maxsize=_HASHTAG_CACHE_SIZE)(self._hashtag)
        self.chunk = functools.lru_cache(maxsize=_CHUNK_CACHE_SIZE)(self._chunk)

    def _word(self, token: str) -> str:
        """A word as written ("Puuuuta") after the word-level rules; "" when it is dropped."""
        word = token.lower()
        if _LAUGH_RE.fullmatch(text_fold(word)):
            return self.laugh_token
        word = _repetition_fold(word, language=self.config.language)
        if text_fold(word) in self.stopwords:
            return ""
        if self.config.lemmatize:
            # The lemmatiser needs the accents ("está" is not "esta"), so it runs before folding.
            lemma = simplemma.lemmatize(word, lang=self.config.language).lower()
            if text_fold(lemma) in self.stopwords:
                return ""
            word = lemma if lemma.isalnum() else word
        return text_fold(word) if self.config.fold_accents else word

    def _hashtag(self, tag: str) -> tuple[str, ...]:
        tokens = (NUMBER_TOKEN if part.isdigit() else self.word(part) for part in _hashtag_parts(tag))
        return tuple(token for token in tokens if token)

    def _chunk(self, chunk: str) -> tuple[str, ...]:
        """The tokens of a whitespace-free piece of text ("@Zurine3", "#NoEsNormal", "normal,")."""
        if self.config.language == "en" and any(mark in chunk for mark in _APOSTROPHES):
            chunk = _CLITIC_RE.sub("", _NEGATED_VERB_RE.sub(_negated_verb, chunk))
        out: list[str] = []
        for found in _SCAN_RE.finditer(chunk):
            kind = found.lastgroup or ""
            if kind == "word":
                out.append(self.word(found.group()))
            elif kind == "hashtag":
                out.extend(self.hashtag(found.group()))
            elif kind == "emoji":
                out.extend(_emoji_tokens(found.group()))
            else:
                out.append(_FIXED_TOKENS.get(kind) or found.group())  # placeholders stay as they are
        return tuple(token for token in out if token)

    def tokens(self, text: str) -> list[str]:
        # No rule crosses a space once the text is prepared, so whitespace-separated
        # chunks can be cached whole: a scan with many alternatives is slow in Python.
        chunks = _text_prepare(text, language=self.config.language).split()
        return list(itertools.chain.from_iterable(map(self.chunk, chunks)))


@functools.lru_cache(maxsize=32)
def _pipeline(config: TextConfig) -> _Pipeline:
    return _Pipeline(config)


def text_tokenize(text: str, *, config: TextConfig) -> list[str]:
    """The tokens of `text` under `config` (see the module docstring for the rules)."""
    if not text or text.isspace():
        return []
    return _pipeline(config).tokens(text)


def text_normalize(text: str, *, config: TextConfig) -> str:
    """`text_tokenize` joined by single spaces: the input of a scikit-learn vectoriser."""
    return " ".join(text_tokenize(text, config=config))


def tokens_with_context(tokens: list[str], context: Sequence[str] | None) -> list[str]:
    """A row's text tokens followed by its context tokens: what the row brings besides its text (a film's
    decade, the words of its title), made into tokens by the caller, who alone knows what they mean.

    A context token holds no whitespace (it is split on it), so the joined form (`text_normalize`'s, which
    training reads) splits back into the same tokens the scorer reads. Without context: `tokens`, unchanged."""
    if not context:
        return tokens
    return tokens + [part for token in context for part in token.split()]
