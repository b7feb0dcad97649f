"""Mastodon hashtag timelines (`GET /api/v1/timelines/tag/:hashtag`), read through Mastodon.py.

Mastodon is free to read, so NGOs that cannot pay for the X API follow the
dictionary's hashtags on the instances they choose. For each instance and
hashtag the source asks for the statuses *immediately* newer than the newest
one it has seen there (`min_id`; `since_id` would skip to the newest and leave
a gap), then follows the `Link` header's `prev` page until no newer status is
left. Each page moves that pair's cursor in the same transaction as its posts,
so a run that dies half-way resumes exactly after the last stored page. A pair
never read before reads only its newest page, not the hashtag's whole history.

A status is stored once whichever instance it came through: its platform id is
its ActivityPub `uri`, the same everywhere (each instance numbers it its own way,
which is why the cursors are kept per instance). Only Spanish statuses that
match the active dictionary are kept; the others are skipped, not rejected. The
raw archive keeps every status of each page as received.

Rate limits are per instance (300 requests in 5 minutes for anonymous readers,
told in `X-RateLimit-*`). Mastodon.py runs in "throw" mode and this module
paces: its "pace" mode sleeps up to five minutes at every 429 and tries again
without end, and cannot tell a window that reopens in a second from one that
reopens in a quarter of an hour. A window that reopens within
`RATE_LIMIT_MAX_WAIT_SECONDS` is waited out; a later one ends the instance's
reading and, once the other instances are read, the run, which the service
reschedules. An instance that is down is recorded as the run's error and the
others are still read.
"""
from __future__ import annotations

import hashlib
import logging
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from bs4 import BeautifulSoup
from django.conf import settings
from mastodon import Mastodon, MastodonAPIError, MastodonNetworkError, MastodonRatelimitError

from ingestion.language import languages_detected
from ingestion.matching import Matcher, text_fold
from ingestion.selectors.dictionary import dictionary_terms_active, matcher_build

from ..models import Source, SourceCursor
from ..parsing import datetime_parse, text_check
from ..records import RecordError, RecordInvalid, TweetRecord
from ..validation import record_validate
from .base import CursorUpdate, RateLimited, SourceBatch

logger = logging.getLogger(__name__)

PAGE_SIZE = 40  # the most Mastodon serves per request
MAX_PAGES = 25  # per instance and hashtag and run: 1,000 statuses; the cursor resumes the rest next run
REQUEST_TIMEOUT = 20.0
RATE_WINDOW = timedelta(minutes=5)  # Mastodon's window, assumed when a 429 does not say when it reopens
RATE_ATTEMPTS = 3
RESERVE_SHARE = 10  # once a tenth of the window is left, requests are spread over the rest of it
USER_AGENT = "Discriminamometro (hashtag reader)"


# --- Hashtags ------------------------------------------------------------------------

# Characters that join the words of a phrase: "sin cerebro" is written #sincerebro.
_JOINERS_RE = re.compile(r"[\s\-'’.]+")
# Mastodon's hashtag names: word characters (and the middle dot), at least one of them a letter.
_HASHTAG_NAME_RE = re.compile(r"[\w·]*[^\W\d_][\w·]*")


def hashtag_from_term(term: str) -> str:
    """The hashtag a term is written as ("Sin cerebro" → "sincerebro"); "" when it cannot be one ("p*to", "100")."""
    tag = _JOINERS_RE.sub("", unicodedata.normalize("NFKC", term).strip().lstrip("#").lower())
    return tag if _HASHTAG_NAME_RE.fullmatch(tag) else ""


def hashtags_from_terms(terms: Iterable[str]) -> list[str]:
    """The hashtags to follow for these terms (or hashtags typed by an admin): unique, sorted, accents kept.

    Mastodon finds a tag by its accent-folded name, so "puñal" and "punal" read one
    timeline: of such spellings the accented one is kept, as people write it.
    """
    unique: dict[str, str] = {}
    for tag in sorted({hashtag_from_term(term) for term in terms} - {""}, key=lambda tag: (tag.isascii(), tag)):
        unique.setdefault(text_fold(tag), tag)
    return sorted(unique.values())


# --- Status → post -------------------------------------------------------------------

_BLOCKS = ("p", "div", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6")
_BLANK_LINES_RE = re.compile(r"\n{3,}")
# Profile field names that name a place (accent-folded, lower case, punctuation dropped).
_PLACE_NAMES = (
    "ubicacion", "ubicado en", "ubicada en", "location", "locacion", "lugar", "localidad", "ciudad", "pais",
    "estado", "region", "municipio", "vivo en", "radico en", "residencia", "lugar de residencia", "from",
    "based in", "hometown", "city", "country",
)
_NOT_PLACES = ("estado civil", "estado de animo")
_PLACE_PIN = "\N{ROUND PUSHPIN}"


def html_text(html: str) -> str:
    """Mastodon's HTML as plain text: paragraphs and `<br>` as line breaks, entities decoded, link text kept."""
    if "<" not in html and "&" not in html:
        return html.strip()
    return _soup_text(BeautifulSoup(html, "html.parser"))


def _soup_text(soup: BeautifulSoup) -> str:
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(_BLOCKS):
        block.append("\n")
    lines = [line.strip() for line in soup.get_text().split("\n")]
    return _BLANK_LINES_RE.sub("\n\n", "\n".join(lines)).strip()


def _content(html: str) -> tuple[str, list[str]]:
    """A status's text, and its links that are neither mentions nor hashtags (Mastodon marks those with class
    "mention"), from one parse of its HTML."""
    if "<" not in html and "&" not in html:
        return html.strip(), []
    soup = BeautifulSoup(html, "html.parser")
    links = []
    for anchor in soup.find_all("a", href=True):
        href = anchor.get("href")
        marked = "mention" in anchor.get_attribute_list("class") or "tag" in anchor.get_attribute_list("rel")
        if isinstance(href, str) and not marked:
            links.append(href)
    return _soup_text(soup), links


def _string(value: Any, *, field: str) -> str:
    """An optional text field: "" when missing; another type is refused, not guessed at."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RecordInvalid(f"el campo '{field}' no es texto: {type(value).__name__}")
    return value


def _object(value: Any, *, field: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise RecordInvalid(f"el campo '{field}' no es un objeto JSON")
    return value


def _array(value: Any, *, field: str) -> list[Mapping[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordInvalid(f"el campo '{field}' no es una lista")
    return [item for item in value if isinstance(item, Mapping)]


def _handle(acct: str, *, url: str, instance_host: str) -> str:
    """`user@domain`: a local account's `acct` has no domain, so its profile's host (or the instance's) is added."""
    if not acct or "@" in acct:
        return acct
    return f"{acct}@{urlsplit(url).hostname or instance_host}"


def _place_field(name: str) -> bool:
    if _PLACE_PIN in name:
        return True
    words = " ".join(re.sub(r"[^\w\s]", " ", text_fold(name)).split())
    if words.startswith(_NOT_PLACES):
        return False
    return any(words == place or words.startswith(place + " ") for place in _PLACE_NAMES)


def _profile_location(account: Mapping[str, Any]) -> str:
    """The values of the profile fields that name a place, for the gazetteer ("📍 Ubicación: Monterrey, N.L.")."""
    places = []
    for item in _array(account.get("fields"), field="account.fields"):
        if _place_field(_string(item.get("name"), field="account.fields.name")):
            value = html_text(_string(item.get("value"), field="account.fields.value"))
            if value:
                places.append(value)
    return "; ".join(places)[:255]


def _metrics(status: Mapping[str, Any]) -> dict[str, int]:
    names = {"replies_count": "reply_count", "reblogs_count": "retweet_count", "favourites_count": "like_count"}
    return {ours: status[theirs] for theirs, ours in names.items() if type(status.get(theirs)) is int}


def mastodon_status_parse(status: Any, *, instance_host: str) -> TweetRecord:
    """One Status entity of the Mastodon API as a post; a boost (reblog) carries the boosted status's text."""
    if not isinstance(status, Mapping):
        raise RecordInvalid("el estado no es un objeto JSON")
    uri = _string(status.get("uri"), field="uri").strip()
    if not uri:
        raise RecordInvalid("falta el campo 'uri'")
    body = _object(status.get("reblog"), field="reblog") or status
    content, links = _content(_string(body.get("content"), field="content"))
    spoiler = _string(body.get("spoiler_text"), field="spoiler_text").strip()
    text = text_check("\n".join(part for part in (spoiler, content) if part))
    account = _object(status.get("account"), field="account")
    account_url = _string(account.get("url"), field="account.url")
    mentions = [
        _handle(_string(m.get("acct"), field="mentions.acct"), url=_string(m.get("url"), field="mentions.url"),
                instance_host=instance_host)
        for m in _array(body.get("mentions"), field="mentions")
    ]
    return record_validate(TweetRecord(
        platform_id=uri,
        text=text,
        created_at=datetime_parse(status.get("created_at")),
        lang=_string(body.get("language") or status.get("language"), field="language").split("-")[0].lower(),
        author_id=account_url or _string(account.get("uri"), field="account.uri"),
        author_handle=_handle(_string(account.get("acct"), field="account.acct"), url=account_url,
                              instance_host=instance_host),
        author_name=_string(account.get("display_name") or account.get("username"), field="account.display_name")[:255],
        author_location=_profile_location(account),
        is_retweet=bool(status.get("reblog")),
        is_reply=status.get("in_reply_to_id") is not None,
        hashtags=[tag.lower() for t in _array(body.get("tags"), field="tags") if (tag := _string(t.get("name"), field="tags.name"))],
        mentions=[m for m in mentions if m],
        urls=links,
        metrics=_metrics(body),
    ))


def status_spanish(record: TweetRecord) -> bool:
    """Spanish by the status's own language, or, where its author set none, by the detector."""
    if record.lang:
        return record.lang == "es"
    return languages_detected(record.text)[1]


def _status_ident(status: Any) -> str:
    """What names a rejected status in the run's errors: its uri, else its id."""
    if not isinstance(status, Mapping):
        return ""
    for key in ("uri", "id"):
        value = status.get(key)
        if isinstance(value, str) and 0 < len(value) <= 255 and value.isprintable():
            return value
    return ""


# --- Reading an instance ---------------------------------------------------------------

def instance_base_url(instance: str) -> str:
    """`mastodon.social` → `https://mastodon.social`; a full base URL (`http://127.0.0.1:8123/`) as given, trimmed."""
    instance = instance.strip().rstrip("/")
    return instance if re.match(r"https?://", instance) else f"https://{instance.lower()}"


def pair_key(base_url: str, hashtag: str) -> str:
    return hashlib.sha1(f"{base_url}\x1f{hashtag}".encode()).hexdigest()[:16]


def _id_order(status_id: str) -> tuple[int, str]:
    """Mastodon ids are numbers as strings; a longer one is newer."""
    return len(status_id), status_id


class InstanceRateLimited(RateLimited):
    """One instance's rate-limit window reopens later than the run may wait."""

    def __init__(self, reset_at: datetime, *, host: str):
        super().__init__(reset_at)
        self.args = (f"{host}: {self.args[0]}",)


class InstanceUnusable(Exception):
    """An instance answered, but not with a timeline (a login page, an object instead of a list)."""


class _LastResponse:
    """A `requests` response hook keeping the last answer, for its statuses exactly as received."""

    def __init__(self) -> None:
        self.response: requests.Response | None = None

    def __call__(self, response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
        self.response = response
        return response

    def statuses(self) -> list[Any]:
        data = self.response.json() if self.response is not None else None
        if not isinstance(data, list):
            raise InstanceUnusable("la respuesta no es una lista de estados")
        return data


class MastodonInstance:
    """One instance's API through Mastodon.py, paced under its rate limit."""

    def __init__(self, base_url: str, *, max_wait: float):
        self.base_url = base_url
        self.host = urlsplit(base_url).netloc
        self.max_wait = max_wait
        self.answers = 0  # timeline pages received
        self.received = _LastResponse()
        session = requests.Session()
        session.hooks["response"].append(self.received)
        self.client = Mastodon(
            api_base_url=base_url, ratelimit_method="throw", request_timeout=REQUEST_TIMEOUT, session=session,
            user_agent=USER_AGENT,
        )

    def tag_timeline(self, hashtag: str, *, min_id: str) -> tuple[Any, list[Any]]:
        """The statuses right after `min_id` (the newest ones without it), with Mastodon.py's page for `newer`."""
        return self._request(lambda: self.client.timeline_hashtag(hashtag, min_id=min_id or None, limit=PAGE_SIZE))

    def newer(self, page: Any) -> tuple[Any, list[Any]]:
        """The page the `Link` header's `prev` names; (None, []) when it names none."""
        if getattr(page, "_pagination_prev", None) is None:
            return None, []
        return self._request(lambda: self.client.fetch_previous(page))

    def _request(self, call: Callable[[], Any]) -> tuple[Any, list[Any]]:
        for _attempt in range(RATE_ATTEMPTS):
            self._pace()
            try:
                page = call()
            except MastodonRatelimitError:
                self._wait_or_stop(self._reset_at())
                continue
            statuses = self.received.statuses() if page is not None else []
            self.answers += 1
            return page, statuses
        raise InstanceRateLimited(self._reset_at(), host=self.host)

    def _reset_at(self) -> datetime:
        """When the window reopens, by the last `X-RateLimit-Reset` (Mastodon.py corrects it by the server's Date)."""
        reset = self.client.ratelimit_reset
        return datetime.fromtimestamp(reset, tz=UTC) if reset else datetime.now(UTC) + RATE_WINDOW

    def _wait_or_stop(self, reset_at: datetime) -> None:
        wait = (reset_at - datetime.now(UTC)).total_seconds()
        if wait > self.max_wait:
            raise InstanceRateLimited(reset_at, host=self.host)
        logger.warning("Mastodon %s: rate limit, waiting %.1f s", self.host, max(wait, 0))
        time.sleep(max(wait, 0))

    def _pace(self) -> None:
        """Go at once while the window has room; near its end, spread what is left of it; when spent, wait."""
        client = self.client
        if client.ratelimit_lastcall is None or not client.ratelimit_reset:
            return
        left = client.ratelimit_reset - time.time()
        if left <= 0:
            return
        if client.ratelimit_remaining <= 0:
            self._wait_or_stop(datetime.fromtimestamp(client.ratelimit_reset, tz=UTC))
        elif client.ratelimit_remaining <= client.ratelimit_limit // RESERVE_SHARE:
            time.sleep(min(left / client.ratelimit_remaining, self.max_wait))


def _instance_error(error: Exception) -> str:
    if isinstance(error, MastodonAPIError) and len(error.args) >= 3:
        return f"HTTP {error.args[1]} {error.args[2]}"
    return f"{type(error).__name__}: {error}"[:300]


# --- The source ----------------------------------------------------------------------

class MastodonSource:
    """Reads every configured hashtag on every configured instance (`Source.config`)."""

    def __init__(self, source: Source):
        self.source = source
        config = source.config or {}
        self.instances = [instance_base_url(i) for i in config.get("instances") or [] if isinstance(i, str) and i.strip()]
        self.max_wait = settings.INGESTION["RATE_LIMIT_MAX_WAIT_SECONDS"]

    def hashtags(self) -> list[str]:
        """The configured hashtags, and with `hashtags_from_dictionary` the active terms' as well."""
        config = self.source.config or {}
        terms = [tag for tag in config.get("hashtags") or [] if isinstance(tag, str)]
        if config.get("hashtags_from_dictionary"):
            terms += [term.text for term in dictionary_terms_active()]
        return hashtags_from_terms(terms)

    def batches(self, *, cursors: Mapping[str, SourceCursor]) -> Iterator[SourceBatch]:
        hashtags = self.hashtags()
        if not self.instances or not hashtags:
            raise ValueError(f"la fuente {self.source.slug} no tiene instancias o hashtags de Mastodon que leer")
        matcher = matcher_build()
        limited: list[InstanceRateLimited] = []
        failed = answered = 0
        for base_url in self.instances:
            instance = MastodonInstance(base_url, max_wait=self.max_wait)
            try:
                for hashtag in hashtags:
                    cursor = cursors.get(pair_key(base_url, hashtag))
                    yield from self._pair_batches(instance, hashtag, cursor=cursor, matcher=matcher)
            except InstanceRateLimited as stop:
                limited.append(stop)  # the other instances are still read; the run ends rate limited
            except (MastodonNetworkError, MastodonAPIError, InstanceUnusable) as error:
                failed, answered = failed + 1, answered + bool(instance.answers)
                logger.warning("Mastodon %s unavailable: %s", instance.host, error)
                message = f"{instance.host}: la instancia no respondió ({_instance_error(error)}); se leyeron las demás"
                yield SourceBatch(items=[], errors=[RecordError(line=None, message=message, record_id=instance.host)])
        if limited:
            raise min(limited, key=lambda stop: stop.reset_at)
        if failed == len(self.instances) and not answered:  # not one timeline read: the run fails, for the admin
            raise RuntimeError("ninguna instancia de Mastodon respondió")

    def _pair_batches(
        self, instance: MastodonInstance, hashtag: str, *, cursor: SourceCursor | None, matcher: Matcher
    ) -> Iterator[SourceBatch]:
        """One batch per page of statuses newer than the pair's cursor, oldest page first."""
        key, query = pair_key(instance.base_url, hashtag), f"{instance.host} #{hashtag}"
        newest = cursor.newest_id if cursor else ""
        first_read = not newest
        page, statuses = instance.tag_timeline(hashtag, min_id=newest)
        for _page in range(MAX_PAGES):
            ids = [s["id"] for s in statuses if isinstance(s, Mapping) and isinstance(s.get("id"), str) and s["id"]]
            top = max([newest, *ids], key=_id_order)
            if statuses or cursor is None:  # an empty pair still gets its cursor, so the admin sees it was read
                batch = self._page_batch(statuses, host=instance.host, matcher=matcher)
                batch.cursor_updates.append(CursorUpdate(key=key, query=query, newest_id=top))
                yield batch
            if first_read or not statuses or top == newest:
                return  # a pair read for the first time starts from its newest page
            newest = top
            page, statuses = instance.newer(page)
            if page is None:
                return

    def _page_batch(self, statuses: list[Any], *, host: str, matcher: Matcher) -> SourceBatch:
        """A page's Spanish statuses that match the dictionary, each once, and an error per malformed one."""
        batch = SourceBatch(items=statuses)
        seen: set[str] = set()
        for status in statuses:
            try:
                record = mastodon_status_parse(status, instance_host=host)
            except RecordInvalid as error:
                batch.errors.append(RecordError(line=None, message=f"{host}: {error}", record_id=_status_ident(status)))
                continue
            if record.platform_id in seen or not status_spanish(record) or not matcher.match(record.text).matches:
                continue
            record.lang = record.lang or "es"  # no language given, and the detector reads it as Spanish
            seen.add(record.platform_id)
            batch.records.append(record)
        return batch
