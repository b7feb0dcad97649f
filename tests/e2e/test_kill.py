"""Each writer killed with SIGKILL half-way, then run again: nothing lost, nothing counted twice.

The writers are the management commands an operator runs (import_tweets,
download, score, rollups_rebuild), started as subprocesses against the test
database. Each is killed once it has committed a random number of rows
(a fixed seed, so a failure can be replayed; the kill point is printed), then
run again to the end. A killed import or download leaves its run "running":
the second one must recover it at once (its process is gone) instead of being
refused until the heartbeat lease runs out.
"""
from __future__ import annotations

import math
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from io import StringIO
from pathlib import Path

import orjson
import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F, Max

from benchmarks.generator import PostFactory, pages_iterate
from classifier.models import Prediction
from classifier.services.predictions import BATCH_SIZE as SCORE_BATCH
from dashboard.models import HourlyCount, TermHourly
from ingestion.models import IngestionRun, Source, SourceCursor, Tweet
from ingestion.sources.replay import CHUNK, demo_corpus
from tests.dashboard.builders import recount, stored

ROOT = Path(__file__).resolve().parents[2]
SEED = 20261202
POSTS = 4_500  # three scoring batches
POST_DAYS = 6  # a rebuild commits a day at a time
IMPORT_BATCH = 300
pytestmark = pytest.mark.django_db(transaction=True)  # the subprocesses see only committed rows


class Manage:
    """`manage.py` commands as subprocesses on the test database and the test's archive folder."""

    def __init__(self, *, env: dict[str, str], log_dir: Path):
        self.env, self.log_dir = env, log_dir
        self.started: list[subprocess.Popen] = []

    def start(self, name: str, *args: str) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        self.started.append(process)
        return process

    def run(self, name: str, *args: str) -> str:
        began = time.monotonic()
        process = self.start(name, *args)
        process.wait(timeout=120)
        assert process.returncode == 0, self.log(name)
        print(f"{name}: ran to the end in {time.monotonic() - began:.1f} s")
        return self.log(name)

    def log(self, name: str) -> str:
        return (self.log_dir / f"{name}.log").read_text(errors="replace")[-4000:]


@pytest.fixture
def manage(archive_dir, tmp_path) -> Iterator[Manage]:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "discriminamometro.settings.test",
        "TEST_DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "TEST_ARCHIVE_DIR": str(archive_dir),  # where the trained_model fixture put the model's artifact
        "PYTHONUNBUFFERED": "1",
    }
    commands = Manage(env=env, log_dir=tmp_path)
    yield commands
    for process in commands.started:  # a test that failed half-way leaves none behind
        if process.poll() is None:
            process.kill()
            process.wait()


def kill_point(writer: str, *, low: int, high: int) -> int:
    """A reproducible random number of committed rows, in [low, high), to kill the writer at."""
    return random.Random(f"{SEED}:{writer}").randrange(low, high)


def kill_at(process: subprocess.Popen, *, writer: str, committed: Callable[[], int], at: int, log: Callable[[], str]) -> int:
    """SIGKILL the process as soon as `committed()` reaches `at`; the count committed when it died."""
    deadline = time.monotonic() + 90
    while committed() < at and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert process.poll() is None, f"{writer} ended before its kill point {at}:\n{log()}"
    assert committed() >= at, f"{writer} did not reach its kill point {at} in time:\n{log()}"
    process.send_signal(signal.SIGKILL)
    process.wait()
    seen = committed()
    print(f"{writer}: SIGKILL at {seen} rows committed (kill point {at}, seed {SEED})")
    return seen


def file_ids(path: Path) -> set[str]:
    """The ids of the posts (not of the included originals) in an X API v2 JSON-lines file."""
    with path.open("rb") as handle:
        return {tweet["id"] for line in handle for tweet in orjson.loads(line).get("data", ())}


@pytest.fixture
def posts_file(tmp_path) -> Path:
    """Synthetic X API v2 pages (the benchmarks' generator), over the last POST_DAYS days."""
    path = tmp_path / "posts.jsonl"
    factory = PostFactory(count=POSTS, seed=SEED, days=POST_DAYS)
    with path.open("wb") as handle:
        handle.writelines(orjson.dumps(page) + b"\n" for page in pages_iterate(factory, count=POSTS))
    return path


def test_import_killed_then_run_again(manage, dictionary, posts_file):
    args = ("import_tweets", str(posts_file), "--batch-size", str(IMPORT_BATCH), "--no-progress")
    at = kill_point("import", low=IMPORT_BATCH, high=POSTS // 2)
    seen = kill_at(manage.start("import1", *args), writer="import", committed=Tweet.objects.count, at=at,
                   log=lambda: manage.log("import1"))
    killed = IngestionRun.objects.get()
    assert killed.status == IngestionRun.Status.RUNNING and killed.new == seen

    manage.run("import2", *args)  # not refused: the killed run's process is gone

    killed.refresh_from_db()
    assert killed.status == IngestionRun.Status.FAILED and "terminó sin cerrar" in killed.message
    rerun = IngestionRun.objects.exclude(pk=killed.pk).get()
    assert rerun.status == IngestionRun.Status.SUCCEEDED
    expected = file_ids(posts_file)
    assert (rerun.new, rerun.duplicate) == (len(expected) - seen, seen)
    stored_ids = list(Tweet.objects.values_list("platform_id", flat=True))
    assert len(stored_ids) == len(set(stored_ids)) == len(expected)
    assert set(stored_ids) == expected


def test_download_killed_then_run_again(manage, dictionary):
    total = 3 * CHUNK
    source = Source.objects.create(slug="bulk-demo", name="Bulk demo", kind=Source.Kind.REPLAY, config={"batch_size": total})
    at = kill_point("download", low=CHUNK, high=total // 2)
    seen = kill_at(manage.start("download1", "download", source.slug), writer="download", at=at,
                   committed=Tweet.objects.count, log=lambda: manage.log("download1"))

    manage.run("download2", "download", source.slug)

    killed = IngestionRun.objects.get(source=source, new=seen)
    assert killed.status == IngestionRun.Status.FAILED and "terminó sin cerrar" in killed.message
    rerun = IngestionRun.objects.get(source=source, status=IngestionRun.Status.SUCCEEDED)
    assert (rerun.new, rerun.duplicate) == (total, 0)  # it resumed after the last committed batch
    # The replay serves positions 0, 1, 2, ... of the corpus: each up to the cursor stored once.
    position = SourceCursor.objects.get(source=source).position
    assert position == seen + total
    corpus = demo_corpus()
    expected = {
        corpus[p % len(corpus)]["id"] + ("" if p < len(corpus) else f"-r{p // len(corpus)}") for p in range(position)
    }
    stored_ids = list(Tweet.objects.values_list("platform_id", flat=True))
    assert len(stored_ids) == len(set(stored_ids)) == position
    assert set(stored_ids) == expected


@pytest.fixture
def imported(dictionary, posts_file) -> int:
    """The generated posts, imported in this process; how many."""
    call_command("import_tweets", str(posts_file), "--no-progress", stdout=StringIO(), stderr=StringIO())
    return Tweet.objects.count()


def test_scoring_then_rollups_rebuild_killed_then_run_again(manage, trained_model, imported):
    """Two writers on one set of posts (a model and its posts are the dear part to set up)."""
    predictions = Prediction.objects.filter(model_version=trained_model)
    at = SCORE_BATCH * kill_point("score", low=1, high=math.ceil(imported / SCORE_BATCH))  # a whole batch
    kill_at(manage.start("score1", "score"), writer="score", committed=predictions.count, at=at,
            log=lambda: manage.log("score1"))

    manage.run("score2", "score")

    assert predictions.count() == imported
    assert predictions.values("tweet_id").distinct().count() == imported
    counted = stored(trained_model)
    assert counted == recount(trained_model)

    # Every row off by one, so the test sees which days the rebuild has replaced (new rows, new ids).
    before = HourlyCount.objects.aggregate(last=Max("id"))["last"]
    HourlyCount.objects.update(posts=F("posts") + 1)
    TermHourly.objects.update(posts=F("posts") + 1)
    replaced = HourlyCount.objects.filter(id__gt=before, subject="", category_id=0, state="*").count
    hours = len({key[3] for key in counted[0]})
    at = kill_point("rollups", low=1, high=hours // 2)
    kill_at(manage.start("rebuild1", "rollups_rebuild", "--no-progress"), writer="rollups", committed=replaced, at=at,
            log=lambda: manage.log("rebuild1"))
    assert stored(trained_model) != counted  # killed half-way: some days recounted, the others still off

    manage.run("rebuild2", "rollups_rebuild", "--no-progress")

    assert stored(trained_model) == recount(trained_model) == counted


def backfill_connections() -> int:
    """Connections to the test database other than this process's own."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_backfill_killed_then_run_again(manage, trained_model, posts_file):
    """Killed with a scoring process beside it; the second run goes on from its cursor and leaves nothing unscored."""
    args = ("backfill", str(posts_file), "--batch-size", str(IMPORT_BATCH), "--procesos", "1", "--no-progress")
    predictions = Prediction.objects.filter(model_version=trained_model)
    at = kill_point("backfill", low=IMPORT_BATCH, high=POSTS // 2)
    kill_at(manage.start("backfill1", *args), writer="backfill", committed=predictions.count, at=at,
            log=lambda: manage.log("backfill1"))
    cursor = SourceCursor.objects.get(key__startswith="backfill:")
    assert 0 < cursor.position < POSTS // 100  # lines (pages of 100 posts) finished before the kill
    # Its scoring process does not outlive it with a connection open.
    deadline = time.monotonic() + 30
    while backfill_connections() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not backfill_connections()

    second = manage.run("backfill2", *args)

    assert "Se siguió donde se quedó una carga interrumpida" in second
    expected = file_ids(posts_file)
    stored_ids = list(Tweet.objects.values_list("platform_id", flat=True))
    assert len(stored_ids) == len(set(stored_ids)) == len(expected)
    assert predictions.count() == predictions.values("tweet_id").distinct().count() == len(expected)
    assert stored(trained_model) == recount(trained_model)  # each post counted once on the semáforo

    third = manage.run("backfill3", *args)
    assert "1 archivo(s) ya hechos en una carga anterior: omitidos" in third
    assert Tweet.objects.count() == len(expected)
