"""Bluesky's Jetstream frames read into posts, and authors' profiles from a local AppView (getProfiles).

The frames are recorded in Jetstream's own format (tests/fixtures/jetstream/stream.jsonl); the AppView
answers over real HTTP on 127.0.0.1.
"""
from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest

from ingestion.records import TweetRecord
from ingestion.selectors.dictionary import matcher_build
from ingestion.sources.bluesky import BlueskyProfiles, JetstreamEvent, is_spanish_tag, jetstream_event_read
from tests.ingestion.jetstream import SPANISH_MATCHED, appview, frames_load

ANA = "did:plc:ana4mx2k7ypq3rv6w5z2l"
POST_ANA = f"at://{ANA}/app.bsky.feed.post/3lbq2kf3cc34x"


@pytest.fixture
def read(dictionary):
    """Every recorded frame read with the original dictionary's matcher."""
    matcher = matcher_build()
    return [jetstream_event_read(frame, matcher=matcher) for frame in frames_load()]


def posts_of(events: list[JetstreamEvent]) -> dict[str, TweetRecord]:
    return {event.post.platform_id: event.post for event in events if event.post is not None}


def post_frame(**record: object) -> bytes:
    return orjson.dumps({
        "did": ANA, "time_us": 1762189300000000, "kind": "commit",
        "commit": {"rev": "3lbq2kz2", "operation": "create", "collection": "app.bsky.feed.post", "rkey": "3lbq2kzz9x2b",
                   "record": {"$type": "app.bsky.feed.post", "createdAt": "2025-11-03T17:01:40.000Z", **record},
                   "cid": "bafyreitest"},
    })


@pytest.mark.django_db
def test_only_spanish_posts_that_match_the_dictionary_come_out(read):
    # English and Portuguese posts with a dictionary word, a Spanish post without one, an untagged English
    # post, a like, an edit and a deletion are all skipped.
    assert set(posts_of(read)) == SPANISH_MATCHED
    assert all(post.lang == "es" for post in posts_of(read).values())


@pytest.mark.django_db
def test_facet_spans_are_utf8_bytes_on_accented_text_and_emoji(read):
    post = posts_of(read)[POST_ANA]
    assert post.text.startswith("😡 Qué asco")  # an emoji (4 bytes) and accents before every facet
    assert post.hashtags == ["DiscriminaciónNo"]
    assert post.mentions == ["beto.bsky.social"]
    assert post.urls == ["https://ejemplo.mx/nota?utm_source=bsky"]  # the link's URI, not the shortened text
    assert post.author_id == ANA
    assert post.created_at == datetime(2025, 11, 3, 17, 0, 5, 600000, tzinfo=UTC)


@pytest.mark.django_db
def test_a_facet_cutting_an_emoji_is_ignored_and_the_post_kept(read):
    post = posts_of(read)["at://did:plc:emi3w8k2r6zq5np7t4yh/app.bsky.feed.post/3lbq2kg2jj12x"]
    assert post.hashtags == ["Orgullo2025"]  # the second tag facet starts inside the flag's bytes
    # A quoted post with a link card: both the quote flag and the card's URI.
    assert post.is_quote and post.urls == ["https://noticias.example.mx/marcha-2025"]


@pytest.mark.django_db
def test_reply_and_quote_flags(read):
    posts = posts_of(read)
    reply = posts["at://did:plc:beto7oax3n2kq5xw4h6t/app.bsky.feed.post/3lbq2kf4dd45x"]
    quote = posts["at://did:plc:carla2v6mq7w3ds5k4y8/app.bsky.feed.post/3lbq2kf5ee56x"]
    assert (reply.is_reply, reply.is_quote) == (True, False)
    assert (quote.is_reply, quote.is_quote) == (False, True)
    assert not posts[POST_ANA].is_reply and not posts[POST_ANA].is_quote


@pytest.mark.django_db
def test_posts_without_langs_are_kept_when_they_read_as_spanish(dictionary):
    matcher = matcher_build()
    spanish = jetstream_event_read(post_frame(text="Ese señor es un chairo de lo peor, ¿no creen que exagera?"), matcher=matcher)
    english = jetstream_event_read(post_frame(text="My friend called him a chairo and then everyone at the party laughed",
                                              langs=[]), matcher=matcher)
    assert spanish.post is not None and spanish.post.lang == "es"
    assert english.post is None and english.invalid is None


def test_spanish_language_tags():
    assert [is_spanish_tag(t) for t in ("es", "es-MX", "ES-419", "eu", "est", "en", None)] == [
        True, True, True, False, False, False, False,
    ]


@pytest.mark.django_db
def test_malformed_frames_say_why_and_the_others_are_read(read):
    invalid = [(str(e.invalid), e.reference, e.time_us) for e in read if e.invalid is not None]
    assert invalid == [
        ("el evento no es JSON válido", "", None),
        ("el campo 'record.text' no es texto",
         "at://did:plc:emi3w8k2r6zq5np7t4yh/app.bsky.feed.post/3lbq2kf8hh90x", 1762189214000000),
        ("falta el campo 'time_us' o no es un entero positivo", "", None),
        ("la fecha en 'created_at' está fuera del rango aceptado (2006-01-01 a mañana): 2099-01-01T00:00:00+00:00",
         "at://did:plc:dani5qz8r2mxt7lw3c4v/app.bsky.feed.post/3lbq2kg3kk23x", 1762189217000000),
    ]
    assert len(posts_of(read)) == 6


@pytest.mark.parametrize(("frame", "reason"), [
    (b"[1, 2]", "el evento no es un objeto JSON"),
    (b'{"did": "did:plc:x", "time_us": -5, "kind": "commit"}', "falta el campo 'time_us' o no es un entero positivo"),
    (b'{"did": "did:plc:x", "time_us": 17, "kind": "commit"}', "falta el campo 'commit'"),
    (b'{"did": "x", "time_us": 17, "kind": "commit", "commit": {"operation": "create", '
     b'"collection": "app.bsky.feed.post", "rkey": "3k", "record": {"text": "hola"}}}', "falta el campo 'did' o no es un DID"),
    (b'{"did": "did:plc:x", "time_us": 17, "kind": "commit", "commit": {"operation": "create", '
     b'"collection": "app.bsky.feed.post", "rkey": "a/b", "record": {"text": "hola"}}}', "falta el campo 'commit.rkey' o no es válido"),
    (b'{"did": "did:plc:x", "time_us": 17, "kind": "commit", "commit": {"operation": "create", '
     b'"collection": "app.bsky.feed.post", "rkey": "3k", "record": {"text": "naco", "langs": "es"}}}',
     "el campo 'record.langs' no es una lista"),
    (b'{"did": "did:plc:x", "time_us": 17, "kind": "identity"}', "falta el campo 'identity'"),
    (b'{"did": "did:plc:x", "time_us": 17}', "falta el campo 'kind'"),
])
def test_malformed_frame_reasons(frame, reason):
    event = jetstream_event_read(frame)
    assert event.post is None and str(event.invalid) == reason


def test_a_nul_in_the_text_is_refused_not_stored():
    event = jetstream_event_read(post_frame(text="pinche naco\u0000", langs=["es"]))
    assert event.post is None and "nulo" in str(event.invalid)


@pytest.mark.django_db
def test_identity_events_give_handles_and_account_events_are_skipped(read):
    identities = [e.identity for e in read if e.identity is not None]
    assert identities == [("did:plc:fer8t2k5q7zr3xw6m4yl", "fer.bsky.social"), ("did:plc:carla2v6mq7w3ds5k4y8", "carla.mx")]
    accounts = [e for e, frame in zip(read, frames_load(), strict=True) if b'"kind":"account"' in frame]
    assert len(accounts) == 2 and all(e.post is None and e.invalid is None and e.time_us for e in accounts)


# --- Profiles -------------------------------------------------------------------------------------------------

def records(*dids: str) -> list[TweetRecord]:
    return [TweetRecord(platform_id=f"at://{did}/app.bsky.feed.post/3k{n}", text="pinche naco", author_id=did)
            for n, did in enumerate(dids)]


def test_profiles_fill_handle_name_and_the_text_read_for_a_state(settings):
    with appview(settings) as server:
        completed = BlueskyProfiles().records_complete(records(ANA, "did:plc:fer8t2k5q7zr3xw6m4yl"))
    ana, fer = completed
    assert (ana.author_handle, ana.author_name) == ("ana.bsky.social", "Ana 🌵")
    assert ana.author_location == "Ana 🌵 · Regia de corazón. Vivo en Monterrey, Nuevo León."
    assert (fer.author_handle, fer.author_name, fer.author_location) == ("", "", "")  # not listed by the AppView
    assert server.requests == [[ANA, "did:plc:fer8t2k5q7zr3xw6m4yl"]]


def test_profiles_are_asked_25_at_a_time_and_kept(settings):
    dids = [f"did:plc:autor{n:03d}" for n in range(60)]
    with appview(settings, {did: {"handle": f"a{n}.bsky.social"} for n, did in enumerate(dids)}) as server:
        directory = BlueskyProfiles()
        first = directory.records_complete(records(*dids))
        again = directory.records_complete(records(*dids[:30]))
    assert [len(batch) for batch in server.requests] == [25, 25, 10]  # the second pass asked nothing
    assert [r.author_handle for r in first] == [f"a{n}.bsky.social" for n in range(60)]
    assert [r.author_handle for r in again] == [f"a{n}.bsky.social" for n in range(30)]


def test_the_profile_cache_is_bounded(settings):
    with appview(settings, {f"did:plc:{n}": {"handle": f"{n}.bsky.social"} for n in range(3)}) as server:
        directory = BlueskyProfiles(capacity=2)
        for n in (0, 1, 2, 0):
            directory.records_complete(records(f"did:plc:{n}"))
    assert server.requests == [["did:plc:0"], ["did:plc:1"], ["did:plc:2"], ["did:plc:0"]]  # 0 was evicted by 2


def test_a_failed_lookup_keeps_the_posts_and_the_handles_from_identity_events(settings):
    with appview(settings) as server:
        server.failing = True
        directory = BlueskyProfiles(pause_seconds=60)
        directory.handle_note(did=ANA, handle="ana.bsky.social")
        first = directory.records_complete(records(ANA, "did:plc:beto7oax3n2kq5xw4h6t"))
        second = directory.records_complete(records("did:plc:carla2v6mq7w3ds5k4y8"))
    assert [r.author_handle for r in first] == ["ana.bsky.social", ""]
    assert [(r.author_name, r.author_location) for r in first + second] == [("", "")] * 3
    assert len(server.requests) == 1  # paused after the failure: the stream is not held up by a down AppView


def test_a_profile_the_database_would_refuse_is_left_out(settings):
    with appview(settings, {ANA: {"handle": "ana.bsky.social", "displayName": "Ana\u0000", "description": "x" * 400}}):
        (ana,) = BlueskyProfiles().records_complete(records(ANA))
    assert ana.author_handle == "ana.bsky.social" and ana.author_name == ""  # the NUL name is dropped
    assert len(ana.author_location) == 255  # a long description is cut to the column
