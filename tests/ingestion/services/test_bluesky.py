"""The Bluesky consumer against a local Jetstream (WebSocket, recorded frames, honouring `cursor`) and a local
AppView: what it stores, how it resumes after a dropped connection, and when it stops."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

import orjson
import pytest
from django.db import connection

from ingestion.models import IngestionRun, RawBatch, Source, SourceCursor, Tweet
from ingestion.services.archive import raw_batch_read
from ingestion.services.bluesky import (
    CURSOR_KEY,
    ConsumeEnd,
    JetstreamOptions,
    bluesky_consume,
    bluesky_follow,
    jetstream_url,
)
from tests.factories import SourceCursorFactory, SourceFactory
from tests.ingestion.jetstream import (
    SPANISH_MATCHED,
    JetstreamServer,
    Script,
    appview,
    frame_time,
    frames_load,
    post_times,
)

FAST = JetstreamOptions(flush_seconds=0.1, cursor_seconds=0.2, backoff_first=0.05, receive_timeout=0.05)
FRAMES = frames_load()
TIMES = post_times(FRAMES)
FINAL = max(t for t in map(frame_time, FRAMES) if t)  # the last frame's time: an account event


@pytest.fixture
def bluesky(dictionary, archive_dir) -> Source:
    """The Bluesky source (the one migrations seed switched off, when it is there), switched on."""
    source = SourceFactory.create(slug="bluesky", name="Bluesky", kind=Source.Kind.BLUESKY)
    source.enabled = True
    source.save(update_fields=["enabled"])
    return source


@pytest.fixture
def profiles(settings):
    with appview(settings) as server:
        yield server


def stored() -> dict[str, Tweet]:
    return {tweet.platform_id: tweet for tweet in Tweet.objects.all()}


def later(seconds: float, action: Callable[[], object]) -> threading.Thread:
    """Run `action` in `seconds` on another thread (with its own database connection, closed after)."""

    def run() -> None:
        time.sleep(seconds)
        try:
            action()
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


@pytest.mark.django_db
def test_only_spanish_matched_posts_are_stored_with_their_profiles(bluesky, profiles):
    progress = []
    with JetstreamServer(FRAMES) as server:
        result = bluesky_consume(source=bluesky, url=server.url, stop=threading.Event(), max_events=len(FRAMES),
                                 options=FAST, on_progress=progress.append)

    posts = stored()
    assert set(posts) == SPANISH_MATCHED
    ana = posts["at://did:plc:ana4mx2k7ypq3rv6w5z2l/app.bsky.feed.post/3lbq2kf3cc34x"]
    assert (ana.hashtags, ana.mentions, ana.urls) == (
        ["DiscriminaciónNo"], ["beto.bsky.social"], ["https://ejemplo.mx/nota?utm_source=bsky"])
    assert (ana.author_handle, ana.author_name) == ("ana.bsky.social", "Ana 🌵")
    assert (ana.state, ana.state_evidence) == ("NLE", Tweet.Evidence.PROFILE)  # "Vivo en Monterrey, Nuevo León"
    assert [m["term"] for m in ana.matches] == ["naco"] and ana.categories.get().slug == "apariencia"
    beto = posts["at://did:plc:beto7oax3n2kq5xw4h6t/app.bsky.feed.post/3lbq2kf4dd45x"]
    assert beto.is_reply and beto.state == "OAX"
    assert posts["at://did:plc:carla2v6mq7w3ds5k4y8/app.bsky.feed.post/3lbq2kf5ee56x"].is_quote
    emi = posts["at://did:plc:emi3w8k2r6zq5np7t4yh/app.bsky.feed.post/3lbq2kg2jj12x"]
    assert emi.country_code == "ES" and emi.state == ""  # "Madrid, España": foreign, no Mexican state
    fer = posts["at://did:plc:fer8t2k5q7zr3xw6m4yl/app.bsky.feed.post/3lbq2kg5mm45x"]
    assert (fer.author_handle, fer.author_name, fer.state) == ("fer.bsky.social", "", "")  # no profile: identity's handle
    asked = [did for batch in profiles.requests for did in batch]
    assert sorted(asked) == sorted({p.author_id for p in posts.values()})  # only the stored posts' authors, once

    run = IngestionRun.objects.get()
    assert (result.end, result.events, result.new) == (ConsumeEnd.MAX_EVENTS, len(FRAMES), 6)
    assert (run.status, run.new, run.duplicate, run.rejected) == (IngestionRun.Status.PARTIAL, 6, 0, 4)
    assert [e["line"] for e in run.errors] == [13, 14, 15, 18]  # each frame's position in the stream
    assert run.errors[1] == {"line": 14, "id": "at://did:plc:emi3w8k2r6zq5np7t4yh/app.bsky.feed.post/3lbq2kf8hh90x",
                             "message": "el campo 'record.text' no es texto"}
    assert f"Eventos de Jetstream leídos: {len(FRAMES)}." in run.message
    cursor = SourceCursor.objects.get(source=bluesky, key=CURSOR_KEY)
    assert cursor.position == FINAL
    bluesky.refresh_from_db()
    assert bluesky.last_event_at == datetime.fromtimestamp(cursor.position / 1e6, tz=UTC)
    assert bluesky.last_read_at is not None and (bluesky.reconnects, bluesky.failures) == (0, 0)
    archived = [event for batch in RawBatch.objects.filter(run=run) for event in raw_batch_read(path=batch.path)]
    assert {f"at://{e['did']}/app.bsky.feed.post/{e['commit']['rkey']}" for e in archived} == SPANISH_MATCHED
    assert server.cursors() == [None] and server.queries[0]["wantedCollections"] == "app.bsky.feed.post"
    assert sum(p.events for p in progress) == len(FRAMES) and sum(p.new for p in progress) == 6


@pytest.mark.django_db
def test_a_failed_profile_lookup_stores_the_posts_without_profile(bluesky, profiles):
    profiles.failing = True
    with JetstreamServer(FRAMES) as server:
        bluesky_consume(source=bluesky, url=server.url, stop=threading.Event(), max_events=len(FRAMES), options=FAST)
    posts = stored()
    assert set(posts) == SPANISH_MATCHED
    assert {(p.author_name, p.author_location, p.state) for p in posts.values()} == {("", "", "")}
    fer, ana = (posts[f"at://did:plc:{who}/app.bsky.feed.post/{rkey}"] for who, rkey in (
        ("fer8t2k5q7zr3xw6m4yl", "3lbq2kg5mm45x"), ("ana4mx2k7ypq3rv6w5z2l", "3lbq2kf3cc34x")))
    assert (fer.author_handle, ana.author_handle) == ("fer.bsky.social", "")  # handles from identity events only
    bluesky.refresh_from_db()
    assert bluesky.failures == 0  # the AppView's failure is not the stream's


@pytest.mark.django_db
def test_a_dropped_connection_resumes_from_the_cursor_without_loss_or_duplicates(bluesky, profiles):
    dropped_at = 9  # frames 0-8 arrive, then the TCP connection is cut without a close frame
    resumed = TIMES["at://did:plc:dani5qz8r2mxt7lw3c4v/app.bsky.feed.post/3lbq2kf6ff67x"] - 5_000_000  # frame 8's
    with JetstreamServer(FRAMES, scripts=[Script(drop_after=dropped_at)]) as server:
        replayed = sum(1 for t in server.times if t >= resumed)
        result = bluesky_consume(source=bluesky, url=server.url, stop=threading.Event(),
                                 max_events=dropped_at + replayed, options=FAST)
    # The cursor was committed with the posts read before the cut; the reconnection rewound it 5 s.
    assert server.cursors() == [None, resumed]
    posts = list(Tweet.objects.values_list("platform_id", flat=True))
    assert sorted(posts) == sorted(SPANISH_MATCHED)  # every post, once
    run = IngestionRun.objects.get()
    assert (run.new, result.new) == (6, 6)
    assert run.duplicate == 4 == result.duplicate  # the four posts of the rewound 5 s, read again and not stored twice
    bluesky.refresh_from_db()
    assert (bluesky.reconnects, bluesky.failures) == (1, 1)
    assert "ConnectionClosedError" in bluesky.last_error
    assert SourceCursor.objects.get(source=bluesky).position == FINAL


@pytest.mark.django_db
def test_a_resumed_consumer_starts_5_seconds_before_its_cursor(bluesky, profiles):
    position = TIMES["at://did:plc:emi3w8k2r6zq5np7t4yh/app.bsky.feed.post/3lbq2kg2jj12x"]
    SourceCursorFactory.create(source=bluesky, key=CURSOR_KEY, position=position)
    with JetstreamServer(FRAMES) as server:
        replayed = sum(1 for t in server.times if t >= position - 5_000_000)
        bluesky_consume(source=bluesky, url=server.url, stop=threading.Event(), max_events=replayed, options=FAST)
    assert server.cursors() == [position - 5_000_000]
    assert set(stored()) == {  # the posts from 5 s before the cursor on
        "at://did:plc:emi3w8k2r6zq5np7t4yh/app.bsky.feed.post/3lbq2kg2jj12x",
        "at://did:plc:fer8t2k5q7zr3xw6m4yl/app.bsky.feed.post/3lbq2kg5mm45x",
    }


@pytest.mark.django_db
def test_an_oversized_frame_is_skipped_and_recorded(bluesky, profiles):
    anchor = TIMES["at://did:plc:dani5qz8r2mxt7lw3c4v/app.bsky.feed.post/3lbq2kf6ff67x"] + 1_000_000  # frame 9
    huge = orjson.dumps({"did": "did:plc:huge", "time_us": anchor + 500, "kind": "commit",
                         "commit": {"operation": "create", "collection": "app.bsky.feed.post", "rkey": "3lhuge",
                                    "record": {"text": "naco " * 300_000, "langs": ["es"]}}})
    frames = FRAMES[:10] + [huge] + FRAMES[10:]
    with JetstreamServer(frames) as server:
        result = bluesky_consume(source=bluesky, url=server.url, stop=threading.Event(), max_events=len(FRAMES),
                                 options=FAST)
    assert set(stored()) == SPANISH_MATCHED
    assert server.cursors() == [None, anchor + 1000]  # resumed just past the last event read, not rewound into it
    run = IngestionRun.objects.get()
    assert run.errors[0] == {"line": 11, "id": str(anchor), "message": (
        "un evento de más de 1024 KiB se omitió (con los de los 1 ms siguientes al último leído)")}
    assert result.events == len(FRAMES)


@pytest.mark.django_db
def test_runs_rotate_and_each_is_handed_over_when_it_closes(bluesky, profiles):
    finished: list[IngestionRun] = []
    script = Script(hold_before=12)  # the stream pauses until the first run has closed

    def closed(run: IngestionRun) -> None:
        finished.append(run)
        script.release.set()

    with JetstreamServer(FRAMES, scripts=[script]) as server:
        result = bluesky_consume(source=bluesky, url=server.url, stop=threading.Event(), max_events=len(FRAMES),
                                 options=replace(FAST, run_seconds=0.3), on_run_finished=closed)
    assert len(finished) >= 2 and [run.pk for run in finished] == result.runs
    assert all(run.status in (IngestionRun.Status.SUCCEEDED, IngestionRun.Status.PARTIAL) for run in finished)
    assert sum(run.new for run in finished) == 6 and Tweet.objects.count() == 6
    assert not IngestionRun.objects.filter(status=IngestionRun.Status.RUNNING).exists()


@pytest.mark.django_db
def test_a_switched_off_source_is_not_read(bluesky, caplog):
    bluesky.enabled = False
    bluesky.save(update_fields=["enabled"])
    stop = threading.Event()
    caplog.set_level(logging.INFO, logger="ingestion.services.bluesky")
    with JetstreamServer(FRAMES) as server:
        bounded = bluesky_follow(source_id=bluesky.pk, stop=stop, url=server.url, max_events=5, options=FAST)
        later(0.6, stop.set)
        waited = bluesky_follow(source_id=bluesky.pk, stop=stop, url=server.url, options=FAST, wait_seconds=0.05)
    assert bounded.end == ConsumeEnd.DISABLED and waited.end == ConsumeEnd.STOPPED
    assert server.queries == [] and not Tweet.objects.exists() and not IngestionRun.objects.exists()
    said = [r.getMessage() for r in caplog.records if "apagada" in r.getMessage()]
    assert said == ["La fuente «Bluesky» está apagada: no se lee Bluesky. Se enciende en el admin "
                    "(Fuentes → habilitada); se vuelve a mirar cada 0.05 s."]  # once, though it looked several times


@pytest.mark.django_db(transaction=True)  # the admin's switch is another connection's commit
def test_switching_the_source_off_stops_the_reading_at_the_next_batch(bluesky, profiles, caplog):
    stop = threading.Event()
    script = Script(hold_before=10)  # the stream goes quiet after frame 9
    caplog.set_level(logging.INFO, logger="ingestion.services.bluesky")

    def switch_off() -> None:
        while Tweet.objects.count() < 4:  # the four posts before the pause are stored
            time.sleep(0.02)
        Source.objects.filter(pk=bluesky.pk).update(enabled=False)
        time.sleep(1.0)
        stop.set()

    with JetstreamServer(FRAMES, scripts=[script]) as server:
        helper = later(0, switch_off)
        result = bluesky_follow(source_id=bluesky.pk, stop=stop, url=server.url, options=FAST, wait_seconds=0.05)
        helper.join()
        sent = server.sent
    assert result.end == ConsumeEnd.STOPPED and sent == 10 and len(server.queries) == 1
    run = IngestionRun.objects.get()
    assert run.status == IngestionRun.Status.SUCCEEDED and run.new == 4  # closed when the reading stopped
    assert any("apagada" in r.getMessage() for r in caplog.records)


def test_subscription_url_asks_for_posts_and_resumes_at_the_cursor():
    assert jetstream_url(base="wss://jetstream2.us-east.bsky.network/subscribe", cursor=None) == (
        "wss://jetstream2.us-east.bsky.network/subscribe?wantedCollections=app.bsky.feed.post")
    assert jetstream_url(
        base="wss://js.example/subscribe?wantedCollections=app.bsky.feed.post&cursor=1", cursor=1725911162329308,
    ) == "wss://js.example/subscribe?wantedCollections=app.bsky.feed.post&cursor=1725911162329308"
