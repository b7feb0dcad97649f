"""Bluesky through Jetstream: what one event of the stream means, and who wrote a post.

Jetstream (the AT Protocol's public firehose as JSON over WebSocket) sends every post of the
network and cannot filter by keyword or language, so the filter is ours: `jetstream_event_read`
keeps a new post whose `langs` include Spanish ("es", "es-MX", ...), or that has no `langs` and
reads as Spanish, and (given a matcher) that matches the dictionary. Anything else in the stream
(other operations, identity and account events, other languages) is skipped, except that identity
events give handles. Only a post that will be stored has its facets read and its author looked up.

A facet's `index.byteStart`/`byteEnd` count bytes of the UTF-8 text, not characters: spans are
sliced from the encoded text, so an accent or an emoji before a hashtag does not shift it. Facets
that do not fit the text are ignored, as Bluesky's own app ignores them; the post is kept.

Authors' profiles come from the AppView's public `app.bsky.actor.getProfiles` (25 accounts a
request), kept in a bounded in-process cache; a lookup that fails leaves the post without a profile,
never loses it.
"""
from __future__ import annotations

import contextlib
import dataclasses
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

import orjson
import requests
from django.conf import settings

from ingestion.language import languages_detected
from ingestion.matching import Matcher
from ingestion.parsing import datetime_parse, text_check
from ingestion.records import RecordInvalid, TweetRecord
from ingestion.validation import record_validate, string_check

logger = logging.getLogger(__name__)

POST_COLLECTION = "app.bsky.feed.post"
_TAG = "app.bsky.richtext.facet#tag"
_MENTION = "app.bsky.richtext.facet#mention"
_LINK = "app.bsky.richtext.facet#link"
_EMBED_EXTERNAL = "app.bsky.embed.external"
_EMBED_RECORD = "app.bsky.embed.record"
_EMBED_RECORD_WITH_MEDIA = "app.bsky.embed.recordWithMedia"
# A record key is at most 512 characters of this alphabet (atproto's record-key syntax).
_RKEY_RE = re.compile(r"[A-Za-z0-9._:~-]{1,512}")
# Jetstream's clock in microseconds since 1970; anything past 2**53 is not a time (nor exact in JSON).
_MAX_TIME_US = 2**53


@dataclass(frozen=True, slots=True)
class JetstreamEvent:
    """What one frame of the stream means: a post to store, a handle, a malformed frame, or nothing (skip).

    `time_us` is Jetstream's time of the event (the cursor's unit); None only for a frame too broken
    to say. `raw` is the event as received, kept for the raw archive of a post that is stored.
    """

    time_us: int | None = None
    post: TweetRecord | None = None
    raw: dict[str, Any] | None = None
    identity: tuple[str, str] | None = None  # (did, handle)
    invalid: RecordInvalid | None = None
    reference: str = ""  # the post's at:// URI, to find a rejected one again


def is_spanish_tag(tag: Any) -> bool:
    """A BCP-47 language tag for Spanish: "es", "es-MX", "ES-419", ..."""
    return isinstance(tag, str) and tag[:2].lower() == "es" and (len(tag) == 2 or tag[2] == "-")


def jetstream_event_read(frame: bytes | str, *, matcher: Matcher | None = None) -> JetstreamEvent:
    """One Jetstream frame: a Spanish post (matching `matcher`, when given) as a `TweetRecord`, or why not.

    Never raises for what the stream sends: a malformed frame comes back with `invalid` set.
    """
    try:
        event = orjson.loads(frame)
    except orjson.JSONDecodeError:
        return JetstreamEvent(invalid=RecordInvalid("el evento no es JSON válido"))
    if not isinstance(event, dict):
        return JetstreamEvent(invalid=RecordInvalid("el evento no es un objeto JSON"))
    time_us = event.get("time_us")
    if type(time_us) is not int or not 0 < time_us < _MAX_TIME_US:
        return JetstreamEvent(invalid=RecordInvalid("falta el campo 'time_us' o no es un entero positivo"))
    kind = event.get("kind")
    if kind == "commit":
        return _commit_read(event, time_us=time_us, matcher=matcher)
    if kind == "identity":
        return _identity_read(event, time_us=time_us)
    if not isinstance(kind, str):
        return JetstreamEvent(time_us=time_us, invalid=RecordInvalid("falta el campo 'kind'"))
    return JetstreamEvent(time_us=time_us)  # "account", and kinds added after this was written


def _identity_read(event: Mapping[str, Any], *, time_us: int) -> JetstreamEvent:
    identity = event.get("identity")
    if not isinstance(identity, dict):
        return JetstreamEvent(time_us=time_us, invalid=RecordInvalid("falta el campo 'identity'"))
    did, handle = event.get("did") or identity.get("did"), identity.get("handle")
    if _is_did(did) and isinstance(handle, str) and 0 < len(handle) <= 253 and "\x00" not in handle:
        return JetstreamEvent(time_us=time_us, identity=(did, handle))
    return JetstreamEvent(time_us=time_us)  # an identity change without a handle (a key rotation)


def _is_did(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and value.startswith("did:") and len(value) <= 255


def _commit_read(event: Mapping[str, Any], *, time_us: int, matcher: Matcher | None) -> JetstreamEvent:
    commit = event.get("commit")
    if not isinstance(commit, dict):
        return JetstreamEvent(time_us=time_us, invalid=RecordInvalid("falta el campo 'commit'"))
    if commit.get("collection") != POST_COLLECTION or commit.get("operation") != "create":
        return JetstreamEvent(time_us=time_us)  # likes, follows, edits and deletions
    did, rkey, record = event.get("did"), commit.get("rkey"), commit.get("record")
    if not _is_did(did):
        return JetstreamEvent(time_us=time_us, invalid=RecordInvalid("falta el campo 'did' o no es un DID"))
    if not isinstance(rkey, str) or not _RKEY_RE.fullmatch(rkey):
        return JetstreamEvent(time_us=time_us, invalid=RecordInvalid("falta el campo 'commit.rkey' o no es válido"))
    reference = f"at://{did}/{POST_COLLECTION}/{rkey}"
    try:
        post = _post_read(record, did=did, reference=reference, matcher=matcher)
    except RecordInvalid as error:
        return JetstreamEvent(time_us=time_us, invalid=error, reference=reference)
    if post is None:
        return JetstreamEvent(time_us=time_us)
    return JetstreamEvent(time_us=time_us, post=post, raw=dict(event), reference=reference)


def _post_read(record: Any, *, did: str, reference: str, matcher: Matcher | None) -> TweetRecord | None:
    """The post if it is Spanish and matches; None to skip it. Cheapest test first: most posts fail one."""
    if not isinstance(record, dict):
        raise RecordInvalid("falta el campo 'commit.record'")
    text, langs = record.get("text"), record.get("langs")
    if not isinstance(text, str):
        raise RecordInvalid("el campo 'record.text' no es texto")
    if langs is not None and not isinstance(langs, list):
        raise RecordInvalid("el campo 'record.langs' no es una lista")
    if not text.strip() or (langs and not any(is_spanish_tag(tag) for tag in langs)):
        return None
    if matcher is not None and not matcher.match(text).matches:
        return None
    if not langs and not languages_detected(text)[1]:
        return None  # detection last: it costs more than matching
    return _post_build(record, text=text, did=did, reference=reference)


def _post_build(record: Mapping[str, Any], *, text: str, did: str, reference: str) -> TweetRecord:
    facets = record.get("facets")
    hashtags, mentions, urls = _facets_read(text, facets if isinstance(facets, list) else [])
    embed = record.get("embed")
    embed = embed if isinstance(embed, dict) else {}
    urls.extend(_embed_links(embed))
    return record_validate(TweetRecord(
        platform_id=reference,
        text=text_check(text),
        created_at=datetime_parse(record.get("createdAt"), field="createdAt"),
        lang="es",
        author_id=did,
        is_reply=isinstance(record.get("reply"), dict),
        is_quote=embed.get("$type") in (_EMBED_RECORD, _EMBED_RECORD_WITH_MEDIA),
        hashtags=_unique(hashtags),
        mentions=_unique(mentions),
        urls=_unique(urls),
    ))


def _facets_read(text: str, facets: list[Any]) -> tuple[list[str], list[str], list[str]]:
    """Hashtags (without "#"), mentioned handles (without "@") and links of the post's facets."""
    hashtags: list[str] = []
    mentions: list[str] = []
    urls: list[str] = []
    if not facets:
        return hashtags, mentions, urls
    encoded = text.encode("utf-8")
    for facet in facets:
        if not isinstance(facet, dict) or not isinstance(facet.get("features"), list):
            continue
        span = _span(encoded, facet.get("index"))
        if not span:
            continue  # a range outside the text, or cutting a character in two
        for feature in facet["features"]:
            kind = feature.get("$type") if isinstance(feature, dict) else None
            if kind == _TAG and span.lstrip("#＃"):
                hashtags.append(span.lstrip("#＃"))
            elif kind == _MENTION and span.startswith("@") and len(span) > 1:
                mentions.append(span[1:])  # the feature names only the DID; the text shows the handle
            elif kind == _LINK and isinstance(feature.get("uri"), str):
                urls.append(feature["uri"])  # the text often shows a shortened form
    return hashtags, mentions, urls


def _span(encoded: bytes, index: Any) -> str:
    """The text a facet covers, "" when its byte range does not fit the text or cuts a character."""
    if not isinstance(index, dict):
        return ""
    start, end = index.get("byteStart"), index.get("byteEnd")
    if type(start) is not int or type(end) is not int or not 0 <= start < end <= len(encoded):
        return ""
    try:
        return encoded[start:end].decode("utf-8")
    except UnicodeDecodeError:
        return ""


def _embed_links(embed: Mapping[str, Any]) -> list[str]:
    """The link card's URI, also when it comes with a quoted post (recordWithMedia)."""
    for card in (embed, embed.get("media")):
        if isinstance(card, dict) and card.get("$type") == _EMBED_EXTERNAL:
            external = card.get("external")
            if isinstance(external, dict) and isinstance(external.get("uri"), str):
                return [external["uri"]]
    return []


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


# --- Profiles -------------------------------------------------------------------------------------------------

PROFILES_PER_REQUEST = 25  # getProfiles' own limit


@dataclass(frozen=True, slots=True)
class BlueskyProfile:
    handle: str = ""
    display_name: str = ""
    description: str = ""

    @property
    def location_text(self) -> str:
        """What the gazetteer reads for a state: Bluesky profiles have no location field, but people
        write where they are in their display name ("Ana 📍Monterrey") or description."""
        return " · ".join(part for part in (self.display_name, self.description) if part)[:255]


class BlueskyProfiles:
    """Authors' handles and profiles, looked up in batches and kept in a bounded LRU cache.

    Identity events from the stream (`handle_note`) keep handles fresh between lookups. After a
    failed request the directory stops asking for `pause_seconds`: a slow or down AppView must not
    hold up the stream, whose posts are stored without a profile meanwhile.
    """

    def __init__(self, *, capacity: int = 20_000, timeout: float = 5.0, pause_seconds: float = 30.0,
                 session: requests.Session | None = None):
        self.capacity, self.timeout, self.pause_seconds = capacity, timeout, pause_seconds
        self.session = session or requests.Session()
        self._profiles: OrderedDict[str, BlueskyProfile] = OrderedDict()
        self._handles: OrderedDict[str, str] = OrderedDict()
        self._paused_until = 0.0
        self.requests = 0
        self.failures = 0

    def handle_note(self, *, did: str, handle: str) -> None:
        _remember(self._handles, did, handle, capacity=self.capacity)
        cached = self._profiles.get(did)
        if cached is not None and cached.handle != handle:
            self._profiles[did] = dataclasses.replace(cached, handle=handle)

    def profiles(self, *, dids: Iterable[str]) -> dict[str, BlueskyProfile]:
        """The profiles of these accounts, asking the AppView for those not in the cache."""
        wanted = list(dict.fromkeys(dids))
        missing = [did for did in wanted if did not in self._profiles]
        for start in range(0, len(missing), PROFILES_PER_REQUEST):
            if time.monotonic() < self._paused_until:
                break
            self._fetch(missing[start:start + PROFILES_PER_REQUEST])
        found = {}
        for did in wanted:
            profile = self._profiles.get(did)
            if profile is not None:
                self._profiles.move_to_end(did)
            handle = self._handles.get(did, "")
            if profile is not None and not profile.handle and handle:
                profile = dataclasses.replace(profile, handle=handle)
            elif profile is None and handle:
                profile = BlueskyProfile(handle=handle)
            if profile is not None:
                found[did] = profile
        return found

    def records_complete(self, records: list[TweetRecord]) -> list[TweetRecord]:
        """The posts with their author's handle, name and profile text (for the state); a post whose
        profile the database would refuse (a NUL in a bio) keeps the fields it came with."""
        profiles = self.profiles(dids=(record.author_id for record in records))
        completed = []
        for record in records:
            profile = profiles.get(record.author_id)
            if profile is not None:
                with contextlib.suppress(RecordInvalid):
                    record = record_validate(dataclasses.replace(
                        record, author_handle=profile.handle[:255], author_name=profile.display_name[:255],
                        author_location=profile.location_text,
                    ))
            completed.append(record)
        return completed

    def _fetch(self, dids: list[str]) -> None:
        url = f"{settings.BLUESKY_APPVIEW_URL.rstrip('/')}/xrpc/app.bsky.actor.getProfiles"
        self.requests += 1
        try:
            response = self.session.get(url, params=[("actors", did) for did in dids], timeout=self.timeout)
            response.raise_for_status()
            listed = orjson.loads(response.content).get("profiles")
            if not isinstance(listed, list):
                raise ValueError("la respuesta no tiene 'profiles'")
        except (requests.RequestException, ValueError, AttributeError) as error:
            self.failures += 1
            self._paused_until = time.monotonic() + self.pause_seconds
            logger.warning("Bluesky: no se obtuvieron %d perfiles de %s (%s); se guardan sin perfil", len(dids), url, error)
            return
        for item in listed:
            if isinstance(item, dict) and item.get("did") in dids:
                _remember(self._profiles, item["did"], _profile_of(item), capacity=self.capacity)
        for did in dids:  # accounts the AppView does not list (deleted, suspended): not asked again
            if did not in self._profiles:
                _remember(self._profiles, did, BlueskyProfile(), capacity=self.capacity)


def _profile_of(item: Mapping[str, Any]) -> BlueskyProfile:
    def text(key: str) -> str:
        value = item.get(key)
        try:
            return string_check(value, field=key) if isinstance(value, str) else ""
        except RecordInvalid:
            return ""

    handle = text("handle")
    return BlueskyProfile(
        handle="" if handle == "handle.invalid" else handle,
        display_name=text("displayName").strip(),
        description=text("description").strip(),
    )


def _remember(cache: OrderedDict[str, Any], key: str, value: Any, *, capacity: int) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > capacity:
        cache.popitem(last=False)
