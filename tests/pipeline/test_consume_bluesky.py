"""`manage.py consume_bluesky` against a local Jetstream and AppView: in this process, and as the operator runs
it, a subprocess killed with SIGKILL half-way and started again, then stopped with SIGTERM."""
from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from io import StringIO
from pathlib import Path

import orjson
import pytest
import redis
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection

from ingestion.models import IngestionRun, Source, SourceCursor, Tweet
from ingestion.services.bluesky import CURSOR_KEY
from tests.factories import SourceFactory
from tests.ingestion.jetstream import (
    SPANISH_MATCHED,
    JetstreamServer,
    Script,
    appview,
    frame_time,
    frames_load,
    post_times,
)

ROOT = Path(__file__).resolve().parents[2]
FRAMES = frames_load()


@pytest.fixture
def bluesky(dictionary, archive_dir) -> Source:
    source = SourceFactory.create(slug="bluesky", name="Bluesky", kind=Source.Kind.BLUESKY)
    source.enabled = True
    source.save(update_fields=["enabled"])
    return source


def scoring_queued() -> dict[str, list[int]]:
    """The scoring jobs waiting in the broker (Celery's default queue): message → the run ids it scores."""
    client = redis.Redis.from_url(django_settings.CELERY_BROKER_URL, decode_responses=True)
    queued: dict[str, list[int]] = {}
    for raw in map(str, client.lrange("celery", 0, -1)):
        message = orjson.loads(raw)
        if message["headers"].get("task") == "classifier.tasks.run_score":
            args, _kwargs, _embed = orjson.loads(base64.b64decode(message["body"]))
            queued[raw] = args
    return queued


@pytest.fixture
def broker() -> Iterator[Callable[[], list[list[int]]]]:
    """`queued()`: the scoring jobs this test queued; they are taken off the queue after it, so that no
    worker started later in the session runs them against another test's database."""
    before = set(scoring_queued())

    def queued() -> list[list[int]]:
        return [args for raw, args in scoring_queued().items() if raw not in before]

    yield queued
    client = redis.Redis.from_url(django_settings.CELERY_BROKER_URL, decode_responses=True)
    for raw in set(scoring_queued()) - before:
        client.lrem("celery", 0, raw)


@pytest.mark.django_db
def test_a_switched_off_source_is_not_read_and_a_bounded_run_says_so(dictionary, archive_dir):
    source = SourceFactory.create(slug="bluesky", name="Bluesky", kind=Source.Kind.BLUESKY)
    source.enabled = False  # as the migrations seed it
    source.save(update_fields=["enabled"])
    with JetstreamServer(FRAMES) as server, pytest.raises(CommandError, match="La fuente Bluesky está apagada: se enciende"):
        call_command("consume_bluesky", "--url", server.url, "--max-events", "5")
    assert server.queries == [] and not IngestionRun.objects.exists()


@pytest.mark.django_db
def test_without_a_bluesky_source_it_says_where_to_create_one(dictionary):
    Source.objects.filter(kind=Source.Kind.BLUESKY).delete()
    with pytest.raises(CommandError, match="No hay una fuente Bluesky; se crea en el admin"):
        call_command("consume_bluesky", "--max-events", "5")


@pytest.mark.django_db
def test_it_stores_the_matched_posts_and_queues_their_scoring(bluesky, settings, broker):
    out = StringIO()
    with appview(settings), JetstreamServer(FRAMES) as server:
        call_command("consume_bluesky", "--url", server.url, "--max-events", str(len(FRAMES)), stdout=out)
    assert set(Tweet.objects.values_list("platform_id", flat=True)) == SPANISH_MATCHED
    assert out.getvalue().strip() == (
        f"Bluesky: {len(FRAMES)} eventos leídos, 6 publicaciones nuevas, 0 repetidas, 4 rechazadas.")
    run = IngestionRun.objects.get()
    assert run.status == IngestionRun.Status.PARTIAL and run.new == 6
    assert broker() == [[run.pk]]


# --- A process killed with SIGKILL -----------------------------------------------------------------------------

@pytest.fixture
def manage(archive_dir, tmp_path, settings) -> Iterator[Callable[..., subprocess.Popen]]:
    """`manage.py` commands as subprocesses on the test database, the test's archive and a local AppView."""
    db = connection.settings_dict
    started: list[subprocess.Popen] = []
    with appview(settings) as server:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "discriminamometro.settings.test",
            "TEST_DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "TEST_ARCHIVE_DIR": str(archive_dir),
            "BLUESKY_APPVIEW_URL": server.url,
            "PYTHONUNBUFFERED": "1",
        }

        def start(name: str, *args: str) -> subprocess.Popen:
            log = open(tmp_path / f"{name}.log", "ab")  # noqa: SIM115
            process = subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdout=log,
                                       stderr=subprocess.STDOUT)
            started.append(process)
            return process

        yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def wait_for(condition: Callable[[], bool], *, what: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, f"the consumer ended before {what}"
        assert time.monotonic() < deadline, f"no {what} within {timeout} s"
        time.sleep(0.05)


def cursor_position() -> int:
    cursor = SourceCursor.objects.filter(key=CURSOR_KEY).first()
    return cursor.position if cursor else 0


@pytest.mark.django_db(transaction=True)  # the consumers are other processes: they see committed rows only
def test_a_consumer_killed_with_sigkill_restarts_from_its_cursor_and_stores_every_post_once(bluesky, manage, broker):
    # Posts without `langs` are left out here: detecting their language loads word lists for seconds.
    frames = [f for f in FRAMES if b'"langs"' in f or b'"app.bsky.feed.post"' not in f]
    times = post_times(frames)
    expected = {uri for uri in SPANISH_MATCHED if uri in times}
    hold = next(i for i, f in enumerate(frames) if b'"operation":"update"' in f)  # after Ana's, Beto's, Carla's
    script = Script(hold_before=hold)
    with JetstreamServer(frames, scripts=[script]) as server:
        first = manage("consume1", "consume_bluesky", "--url", server.url)
        paused_at = max(t for t in map(frame_time, frames[:hold]) if t)
        wait_for(lambda: cursor_position() >= paused_at, what="first batch", process=first)
        script.release.set()  # the rest arrives; the consumer has not stored it when it dies
        time.sleep(0.3)
        first.send_signal(signal.SIGKILL)
        first.wait()

        # The cursor never passes a post that is not committed, nor stops short of one that is.
        killed_at = cursor_position()
        kept = set(Tweet.objects.values_list("platform_id", flat=True))
        assert kept == {uri for uri in expected if times[uri] <= killed_at}
        print(f"killed with {len(kept)} of {len(expected)} posts stored, cursor at {killed_at}")

        second = manage("consume2", "consume_bluesky", "--url", server.url, "--run-seconds", "600")
        final = max(t for t in map(frame_time, frames) if t)
        wait_for(lambda: cursor_position() == final and Tweet.objects.count() == len(expected), what="every post",
                 process=second)
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0

    assert server.cursors() == [None, killed_at - 5_000_000]  # resumed 5 s before the cursor
    stored = list(Tweet.objects.values_list("platform_id", flat=True))
    assert sorted(stored) == sorted(expected)  # each once
    killed, restarted = IngestionRun.objects.order_by("pk")
    assert killed.status == IngestionRun.Status.FAILED and "terminó sin cerrar" in killed.message
    assert restarted.status == IngestionRun.Status.PARTIAL  # closed on SIGTERM; malformed frames came after the pause
    assert restarted.new == len(expected) - len(kept)
    assert ([restarted.pk] in broker()) == (restarted.new > 0)  # its posts are scored next
