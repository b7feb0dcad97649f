"""End to end with a real Celery worker and beat on Redis, against the test database.

The worker and beat are subprocesses started the way the platform starts them;
they share the test's PostgreSQL database through TEST_DATABASE_URL.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from ingestion.models import IngestionRun, Source, SourceCursor, Tweet
from ingestion.services.demo import demo_source_get_or_create
from ingestion.sources.replay import demo_corpus

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def celery_env(tmp_path):
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()  # no messages left from earlier tests
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "discriminamometro.settings.test",
        "TEST_DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "TEST_ARCHIVE_DIR": str(tmp_path / "archive"),
        "PYTHONUNBUFFERED": "1",
    }
    return env


class Processes:
    def __init__(self, env: dict[str, str], log_dir: Path):
        self.env, self.log_dir = env, log_dir
        self.running: list[subprocess.Popen] = []

    def start(self, name: str, *args: str, **extra_env: str) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "discriminamometro", *args],
            cwd=ROOT, env={**self.env, **extra_env}, stdout=log, stderr=subprocess.STDOUT,
        )
        self.running.append(process)
        return process

    def log(self, name: str) -> str:
        return (self.log_dir / f"{name}.log").read_text(errors="replace")[-4000:]

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.running:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def processes(celery_env, tmp_path):
    procs = Processes(celery_env, tmp_path)
    yield procs
    procs.stop_all()


def wait_until(condition, *, timeout: float, every: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


def test_beat_triggers_the_download_and_the_worker_stores_the_posts(processes, dictionary, tmp_path):
    source, _ = demo_source_get_or_create()
    # An admin shortens the schedule in django-celery-beat's tables; beat reads it from there.
    task = PeriodicTask.objects.get(task="ingestion.tasks.sources_download_due")
    every, _ = IntervalSchedule.objects.get_or_create(every=2, period=IntervalSchedule.SECONDS)
    task.crontab, task.interval = None, every
    task.save()

    processes.start("worker", "worker", "--pool=solo", "--loglevel=INFO")
    processes.start("beat", "beat", "--loglevel=INFO", f"--schedule={tmp_path / 'beat-schedule'}")

    arrived = wait_until(lambda: Tweet.objects.count() >= 50, timeout=90)
    assert arrived, processes.log("worker") + processes.log("beat")
    runs = IngestionRun.objects.filter(source=source).exclude(status=IngestionRun.Status.RUNNING)
    assert runs.filter(status=IngestionRun.Status.SUCCEEDED).count() >= 2
    assert Tweet.objects.values("platform_id").distinct().count() == Tweet.objects.count()
    assert (tmp_path / "archive" / "raw" / "demo").exists()


def test_worker_killed_mid_run_loses_and_duplicates_nothing(processes, settings):
    total = 20_000
    source = Source.objects.create(slug="bulk-demo", name="Bulk demo", kind=Source.Kind.REPLAY, config={"batch_size": total})
    short = {"TEST_VISIBILITY_TIMEOUT": "2", "INGESTION_RUN_LEASE_SECONDS": "3"}
    worker = processes.start("worker1", "worker", "--pool=solo", "--loglevel=INFO", **short)

    from pipeline.tasks import source_download_task

    source_download_task.delay(source.pk)
    committed_some = wait_until(
        lambda: IngestionRun.objects.filter(source=source, status="running", new__gt=0).exists(), timeout=60, every=0.02
    )
    assert committed_some, processes.log("worker1")
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    killed = IngestionRun.objects.get(source=source)
    stored_before = Tweet.objects.filter(source=source).count()
    assert 0 < stored_before < total, "the worker finished before it could be killed"

    time.sleep(4)  # past the lease and the visibility timeout
    processes.start("worker2", "worker", "--pool=solo", "--loglevel=INFO", **short)
    finished = wait_until(
        lambda: IngestionRun.objects.filter(source=source, status="succeeded").exists(), timeout=120
    )
    assert finished, processes.log("worker2")

    killed.refresh_from_db()
    assert killed.status == IngestionRun.Status.ABANDONED
    rerun = IngestionRun.objects.get(source=source, status="succeeded")
    assert rerun.duplicate == 0  # it resumed after the last committed batch, not from the start
    # The replay serves positions 0, 1, 2, ... of the corpus: every position up to the
    # cursor is stored exactly once, none is missing.
    position = SourceCursor.objects.get(source=source).position
    assert position == stored_before + total
    corpus = demo_corpus()
    expected = {
        corpus[p % len(corpus)]["id"] + ("" if p < len(corpus) else f"-r{p // len(corpus)}") for p in range(position)
    }
    stored = list(Tweet.objects.filter(source=source).values_list("platform_id", flat=True))
    assert len(stored) == len(set(stored)) == position
    assert set(stored) == expected
