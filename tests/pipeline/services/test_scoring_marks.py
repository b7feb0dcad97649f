"""Scoring by claimed ranges and a settled mark: a post committed late below the mark is still scored, two workers
scoring at once count each post once, and the SQLite path scores too."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import cast

import pytest
from django.db import connection, transaction

from classifier.label_sets import DISCRIMINATION
from classifier.models import Prediction, ScoringMark
from classifier.selectors.serving import model_active_get
from ingestion.models import Tweet
from pipeline.services.scoring import batch_store, tweets_score
from tests.dashboard.builders import recount, stored
from tests.factories import TweetFactory

ROOT = Path(__file__).resolve().parents[3]


def one_prediction_each(version) -> bool:
    scored = list(Prediction.objects.filter(model_version=version).values_list("tweet_id", flat=True))
    return sorted(scored) == sorted(Tweet.objects.values_list("pk", flat=True))


@pytest.mark.django_db(transaction=True)
def test_a_post_committed_after_a_higher_id_was_scored_is_scored_later(trained_model, demo_run):
    assert tweets_score().scored == 60
    holding, release, done = threading.Event(), threading.Event(), threading.Event()
    late: list[int] = []

    def slow_ingest() -> None:  # takes its id first, commits last
        try:
            with transaction.atomic():
                tweet = cast(Tweet, TweetFactory(text="que se vayan todos los migrantes"))
                late.append(tweet.pk)
                holding.set()
                release.wait(30)
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=slow_ingest)
    thread.start()
    assert holding.wait(30)
    quick = cast(Tweet, TweetFactory(text="hola a todos"))
    assert quick.pk > late[0]
    assert tweets_score().scored == 1  # only the committed post: the other is not visible yet
    mark = ScoringMark.objects.get(model_version=trained_model)
    assert mark.claimed_to == quick.pk and mark.settled_to < late[0]
    assert tweets_score().scored == 0, "the gap waits while a transaction older than the claim is open"

    release.set()
    assert done.wait(30)
    thread.join()
    assert tweets_score().scored == 1
    assert Prediction.objects.filter(tweet_id=late[0], model_version=trained_model).exists()
    assert one_prediction_each(trained_model)
    assert ScoringMark.objects.get(model_version=trained_model).settled_to == quick.pk
    assert stored(trained_model) == recount(trained_model)


def at_once(work: Callable[[], object], *, workers: int = 2) -> None:
    """Run `work` in `workers` threads released together, each on its own connection."""
    start = threading.Barrier(workers)

    def worker() -> None:
        try:
            start.wait(30)
            work()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)


@pytest.mark.django_db(transaction=True)
def test_two_workers_scoring_at_once_score_and_count_each_post_once(trained_model, demo_run):
    results: list[int] = []
    at_once(lambda: results.append(tweets_score(batch_size=7).scored))
    assert sum(results) == 60, "the claims are disjoint: no post is scored by both"
    assert one_prediction_each(trained_model)
    assert stored(trained_model) == recount(trained_model)


@pytest.mark.django_db(transaction=True)
def test_the_same_batch_stored_by_two_workers_at_once_is_counted_once(trained_model, demo_run):
    loaded = model_active_get(task=DISCRIMINATION)
    batch = list(Tweet.objects.order_by("pk").values_list("pk", "text"))
    at_once(lambda: batch_store(batch, loaded=loaded))
    assert one_prediction_each(trained_model)
    assert stored(trained_model) == recount(trained_model)
    assert tweets_score().scored == 0


def test_the_embedded_sqlite_database_scores_through_the_same_path(tmp_path):
    """The demo on SQLite (its loader trains a model and runs `manage.py score`'s service), then a second score."""
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "discriminamometro.settings.base",
        "DJANGO_DEBUG": "false",
        "DISCRIMINAMOMETRO_VAR_DIR": str(tmp_path),
    }
    code = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "from pipeline.services.demo import demo_load\n"
        "loaded = demo_load()\n"
        "from classifier.models import Prediction\n"
        "from ingestion.models import Tweet\n"
        "from pipeline.services.scoring import tweets_score\n"
        "print('scored', loaded.scored, Prediction.objects.count(), Tweet.objects.count(), tweets_score().scored)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    _, first, predictions, posts, again = done.stdout.strip().splitlines()[-1].split()
    assert int(first) == int(predictions) == int(posts) > 0
    assert int(again) == 0
