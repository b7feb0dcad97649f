"""Alerts benchmark: 10,000 subscriptions evaluated after a rollup update of 10,000 posts, and the outbox's throughput.

    .venv/bin/python benchmarks/alerts.py                 # `make bench`
    .venv/bin/python benchmarks/alerts.py --history 20000 # a quicker run

It drops, recreates and migrates a dedicated database
(`ALERTS_BENCH_DATABASE_URL`, default
`postgres://postgres@127.0.0.1:5432/discriminamometro_alerts_bench`; a name
without "bench" is refused), then:

1. History: posts over the 30 days before now (the semáforo's 48-hour window and
   its 28-day baseline), spread over the 7 dictionary categories, the 32 states,
   50 hashtags and 3 sources, 5 % discriminatory, scored as the scoring step
   does (predictions and rollups in one transaction per batch).
2. 10,000 active subscriptions: 10 % every post, 35 % a category, 35 % a state,
   15 % a hashtag, 5 % a source; red or yellow; e-mail, webhook or Telegram;
   some with a digest. About 90 distinct series.
   Their first look (`changes_apply` judges the 90 series and moves every new
   subscription), timed once.
3. Rounds, each a batch of 10,000 new posts in the current hour stored as the
   scoring step stores it — `predictions_insert`, `rollups_add`, then
   `alerts_evaluate` (judge every watched series, record the ones that moved)
   in the same transaction — timing each part; then `changes_apply`, the task
   that moves the subscriptions and writes their messages in a transaction of
   its own. The first round is an outbreak (one category and one state spike,
   their series turn red); in the next ones lights still move as the window fills.
   Target: `alerts_evaluate` under 50 ms, printed next to `rollups_add` of the
   same batch (the plain reference: what the transaction already spent).
4. Outbox: the outbreak's pending webhook messages delivered by
   `message_deliver` (claim, sign, POST, record the attempt) to an HTTP server
   on 127.0.0.1, next to a bare `requests` POST loop to the same server.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.ingest import _cpu_model, _url_shown, cpu_check, database_recreate, django_environment_set, django_ready  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/discriminamometro_alerts_bench"
SUBSCRIPTIONS = 10_000
BATCH = 10_000
STEADY_ROUNDS = 5
TARGET_MS = 50.0
HASHTAGS = [f"tema{i}" for i in range(50)]
STATES = ["AGU", "BCN", "BCS", "CAM", "CHH", "CHP", "CMX", "COA", "COL", "DUR", "GRO", "GUA", "HID", "JAL", "MEX", "MIC",
          "MOR", "NAY", "NLE", "OAX", "PUE", "QUE", "ROO", "SIN", "SLP", "SON", "TAB", "TAM", "TLA", "VER", "YUC", "ZAC"]


def database_url() -> str:
    return os.environ.get("ALERTS_BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL


# --- Data ------------------------------------------------------------------------------------

def posts_store(*, count: int, start: datetime, end: datetime, version_id: int, sources: list[Any], rng: random.Random,
                spike: dict[str, Any] | None = None, prefix: str) -> tuple[float, float, float]:
    """`count` posts between start and end, scored as the scoring step stores a batch; seconds of
    (predictions_insert, rollups_add, alerts_evaluate)."""
    from django.db import transaction

    from alerts.services.evaluation import alerts_evaluate
    from classifier.models import Prediction
    from classifier.services.predictions import predictions_insert
    from dashboard.services.rollups import rollups_add
    from ingestion.models import Category, Tweet, TweetCategory

    categories = list(Category.objects.filter(active=True).order_by("pk"))
    span = (end - start).total_seconds()
    tweets, links, hot = [], [], []
    for i in range(count):
        category = rng.choice(categories)
        at = start + timedelta(seconds=rng.random() * span)
        state = rng.choice(STATES) if rng.random() < 0.6 else ""
        tags = [rng.choice(HASHTAGS)] if rng.random() < 0.25 else []
        spiking = spike is not None and (category.slug == spike["category"] or state == spike["state"])
        tweets.append(Tweet(platform_id=f"{prefix}-{i}", text="publicación", lang="es", created_at=at, state=state,
                            hashtags=tags, source=rng.choice(sources),
                            matches=[{"term": category.slug, "categories": [category.slug], "start": 0, "end": 1}]))
        links.append(category)
        hot.append(spiking)
    stored = Tweet.objects.bulk_create(tweets, batch_size=2000)
    TweetCategory.objects.bulk_create([TweetCategory(tweet=t, category=c, created_at=t.created_at, state=t.state)
                                       for t, c in zip(stored, links, strict=True)], batch_size=2000)
    predictions = [Prediction(tweet_id=t.pk, model_version_id=version_id, scores={},
                              discriminatory=rng.random() < (0.6 if h else 0.05)) for t, h in zip(stored, hot, strict=True)]
    with transaction.atomic():
        t0 = time.perf_counter()
        inserted = predictions_insert(predictions)
        t1 = time.perf_counter()
        rollups_add(model_version_id=version_id, tweet_ids=inserted)
        t2 = time.perf_counter()
        alerts_evaluate(model_version_id=version_id, now=end)
        t3 = time.perf_counter()
    return t1 - t0, t2 - t1, t3 - t2


def subscriptions_create(*, rng: random.Random, sources: list[Any]) -> int:
    from alerts.models import Subscription
    from ingestion.models import Category

    categories = list(Category.objects.filter(active=True))
    rows = []
    for i in range(SUBSCRIPTIONS):
        draw = rng.random()
        fields: dict[str, Any] = {"watch": "all"}
        if draw >= 0.10:
            fields = {"watch": "category", "category": rng.choice(categories)}
        if draw >= 0.45:
            fields = {"watch": "state", "state": rng.choice(STATES)}
        if draw >= 0.80:
            fields = {"watch": "hashtag", "hashtag": rng.choice(HASHTAGS)}
        if draw >= 0.95:
            fields = {"watch": "source", "source": rng.choice(sources)}
        channel = rng.choice(["email", "webhook", "telegram"])
        address = {"email": f"persona{i}@example.org", "webhook": "http://127.0.0.1:9/hook", "telegram": str(10_000 + i)}[channel]
        subscription = Subscription(trigger=rng.choice(["red", "yellow"]), channel=channel, address=address,
                                    digest=rng.random() < 0.1, quiet_minutes=0, **fields)
        subscription.series = ""  # set below: bulk_create does not call save()
        rows.append(subscription)
    from alerts.models import series_key

    for row in rows:
        row.series = series_key(row)
    Subscription.objects.bulk_create(rows, batch_size=2000)
    return len({row.series for row in rows})


# --- Outbox ------------------------------------------------------------------------------------

class _Sink(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: Any) -> None:
        pass


def outbox_measure(*, limit: int) -> tuple[int, float, float]:
    """(messages, seconds through message_deliver, seconds of bare POSTs of the same bodies)."""
    import requests

    from alerts.models import Message, Subscription
    from alerts.services.deliveries import message_deliver

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    Subscription.objects.filter(channel="webhook").update(address=url)
    ids = list(Message.objects.filter(status="pending", subscription__channel="webhook").values_list("pk", flat=True)[:limit])
    started = time.perf_counter()
    for message_id in ids:
        message_deliver(message_id=message_id)
    delivered = time.perf_counter() - started
    sent = Message.objects.filter(pk__in=ids, status="sent").count()
    session, body = requests.Session(), b'{"id": "x", "type": "enter", "data": {}}' * 8
    started = time.perf_counter()
    for _ in ids:
        session.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=10)
    bare = time.perf_counter() - started
    server.shutdown()
    return sent, delivered, bare


# --- Run ---------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--history", type=int, default=60_000, help="scored posts of the 30 days before (default 60,000)")
    args = parser.parse_args(argv)
    url = database_url()
    django_environment_set(url)
    os.environ["CELERY_BROKER_URL"] = "memory://"  # the messages' tasks are not run here (never the embedded broker's folder)
    database_recreate(url)
    django_ready()
    from alerts.models import Subscription
    from classifier.models import ModelVersion
    from ingestion.models import Category, Source

    print(f"alerts benchmark — {_cpu_model()}, {os.cpu_count()} cores; cpu check {cpu_check():.1f} µs; "
          f"database {_url_shown(url)}")
    rng = random.Random(7)
    version = ModelVersion.objects.create(task="discrimination", version=1, status=ModelVersion.Status.ACTIVE,
                                          artifact_path="", metrics={})
    sources = [Source.objects.create(slug=f"bench-{i}", name=f"Fuente {i}", kind="file") for i in range(3)]
    now = datetime.now(UTC)  # messages are due from their evaluation's time: the outbox's step sends them now
    hour = now.replace(minute=0, second=0, microsecond=0)
    started = time.perf_counter()
    for n in range(0, args.history, BATCH):
        posts_store(count=min(BATCH, args.history - n), start=now - timedelta(days=30), end=hour, version_id=version.pk,
                    sources=sources, rng=rng, prefix=f"h{n}")
    print(f"1. history: {args.history:,} posts over 30 days, scored in {time.perf_counter() - started:.0f} s")
    from django.db import connection

    with connection.cursor() as cursor:  # the statistics autovacuum would have gathered by now on a live database
        cursor.execute("ANALYZE")
    series = subscriptions_create(rng=rng, sources=sources)
    print(f"2. subscriptions: {Subscription.objects.count():,} active, {series} distinct series")

    def apply() -> tuple[float, int, int]:
        """The task queued when a scoring transaction recorded a change: (seconds, subscriptions moved, messages)."""
        from alerts.services.evaluation import changes_apply

        started = time.perf_counter()
        summary = changes_apply(now=now)
        return time.perf_counter() - started, summary.subscriptions, summary.messages + summary.held

    took, moved, written = apply()
    print(f"   their first look (once, when they are created): {took * 1000:.0f} ms for {moved:,} subscriptions, "
          f"{written:,} messages written")

    def round_run(name: str, *, spike: dict[str, Any] | None = None, tag: str) -> tuple[float, float, float, float]:
        from alerts.models import SeriesChange

        changes = SeriesChange.objects.count()
        parts = posts_store(count=BATCH, start=hour, end=now, version_id=version.pk, sources=sources, rng=rng,
                            spike=spike, prefix=tag)
        changes = SeriesChange.objects.count() - changes
        took, moved, written = apply()
        print(f"   {name:9} predictions_insert {parts[0] * 1000:5.0f} ms, rollups_add {parts[1] * 1000:5.0f} ms, "
              f"alerts_evaluate {parts[2] * 1000:5.1f} ms ({changes} series moved); then, in its own transaction, "
              f"changes_apply {took * 1000:5.0f} ms ({moved:,} subscriptions moved, {written:,} messages)")
        return (*parts, took)

    print(f"3. rounds of {BATCH:,} new posts in the current hour, one scoring transaction each:")
    gender = Category.objects.filter(active=True).order_by("pk").first()
    outbreak = round_run("outbreak", spike={"category": gender.slug if gender else "", "state": "JAL"}, tag="r1")
    rounds = [outbreak, *(round_run(f"round {i + 1}", tag=f"s{i}") for i in range(STEADY_ROUNDS))]
    added = [p[2] * 1000 for p in rounds]
    rollups_ms = statistics.median(p[1] for p in rounds) * 1000
    print(f"   time added to the scoring transaction by alerts_evaluate: p50 {statistics.median(added):.1f} ms, max "
          f"{max(added):.1f} ms (target < {TARGET_MS:.0f} ms: {'met' if max(added) < TARGET_MS else 'MISSED'}); "
          f"reference, the same transactions' rollups_add: p50 {rollups_ms:.0f} ms. Applying the outbreak to its "
          f"subscribers: {outbreak[3] * 1000:.0f} ms in a transaction of its own")

    sent, delivered, bare = outbox_measure(limit=2000)
    if sent:
        print(f"4. outbox: {sent:,} webhook messages delivered by message_deliver in {delivered:.2f} s "
              f"({sent / delivered:,.0f} messages/s, one process) against bare requests POSTs of the same count "
              f"{sent / bare:,.0f} /s ({bare / delivered:.2f}×)")
    else:
        print("4. outbox: no webhook message was pending after the outbreak")


if __name__ == "__main__":
    main()
