"""Dashboard benchmark: the semáforo's pages over 5,000,000 scored posts in PostgreSQL, and the rollups' upkeep.

    .venv/bin/python benchmarks/dashboard.py                  # `make bench`
    .venv/bin/python benchmarks/dashboard.py --posts 500000   # a quick run (a database of its own size)
    .venv/bin/python benchmarks/dashboard.py --fresh          # seed again even if a seed of this size is kept

It uses a dedicated database (`DASHBOARD_BENCH_DATABASE_URL`, default
`postgres://postgres@127.0.0.1:5432/discriminamometro_dashboard_bench`; a name
without "bench" is refused). A seed of the asked size found there (its row in
`bench_seed`, written once its rollups are built) is reused, as the other
benchmarks reuse their generated files, so a re-run only measures; otherwise the
database is dropped, recreated, migrated and seeded:

1. Posts: drawn in Python (numpy, a fixed seed) and written with COPY, a day per
   transaction, indexes and constraints dropped meanwhile and rebuilt after,
   with the ingestion benchmark generator's mix (benchmarks/generator.py):
   60 days, its daily rhythm (Mexico City hours), 30% with a dictionary term
   drawn with its weights (a tenth of them with two), 25% with one to three of
   its hashtags, 50,000 authors drawn Zipf-like, each author in a fixed state
   (45% of them in none). The dashboard reads no text, so texts are short.
   Their dictionary categories (`TweetCategory`) come from the matches, and one
   prediction each from an active model version: discriminatory with a
   probability of 3% without a term, 30% with one, waving ±25% over days, and,
   in the last 48 hours, raised for two categories (género ×2, orientación ×1.3)
   so the lights are not all the same.
2. Rollups: `rollups_rebuild` (what `manage.py rollups_rebuild` runs), timed.
3. Reads, as the pages call them, with the active model, at a time just
   after the last generated hour: the home page (semáforo, the 32 states, top
   terms and hashtags) and a category page (daily trend over 90 days and hourly
   over 7, both with threshold lines, the category's states, its top terms
   and hashtags), each run 40 times after 3 warm-ups, categories in turn.
   Server time in this process (database included), per selector and per page;
   then the pages themselves, GET / and GET /categoria/<slug>/ through Django's
   test client (middleware, views, selectors, templates), interleaved with a
   trivial page through the same middleware (a one-line template, no query):
   p50/p95 of each, the CPU per request in Python and in this connection's
   PostgreSQL backend, and this process's peak memory. Target: p95 ≤ 150 ms a page.
4. Upkeep: 5 batches of 10,000 new posts in the current hour, each scored as
   the scoring step stores a batch: `predictions_insert` then `rollups_add` in
   one transaction. Target: `rollups_add` ≤ 2 s for 10,000 posts. Then the
   hour's rollups are checked against a recount from the posts, and the whole
   step is rolled back, so a kept seed stays as it was made.
5. Data size: rows and disk size of the posts, predictions and rollup tables.

A missed target is reported, not raised.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import psutil  # noqa: E402
from tqdm import tqdm  # noqa: E402

from benchmarks.generator import _HOURS_UTC, AUTHORS, DAYS  # noqa: E402
from benchmarks.ingest import (  # noqa: E402
    _cpu_model,
    _url_shown,
    cpu_check,
    database_recreate,
    django_environment_set,
    django_ready,
    rss_peak,
)
from benchmarks.texts import _terms_weighted  # noqa: E402
from benchmarks.vocabulary import HASHTAGS  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/discriminamometro_dashboard_bench"
TARGET_PAGE_MS = 150.0
TARGET_UPDATE_S = 2.0
RUNS, WARMUPS = 40, 3
BATCH, BATCHES = 10_000, 5
# Rough population weights of the states, so the big ones hold most posts.
STATE_WEIGHTS = {
    "MEX": 17, "CMX": 9, "JAL": 8, "VER": 8, "PUE": 7, "GUA": 6, "NLE": 6, "CHP": 6, "MIC": 5, "OAX": 4, "CHH": 4,
    "GRO": 4, "BCN": 4, "TAM": 4, "COA": 3, "HID": 3, "SIN": 3, "SON": 3, "SLP": 3, "QUE": 2, "TAB": 2, "YUC": 2,
    "MOR": 2, "ROO": 2, "DUR": 2, "ZAC": 2, "AGU": 1, "TLA": 1, "NAY": 1, "CAM": 1, "COL": 1, "BCS": 1,
}
OUTBREAK = {"genero": 2.0, "orientacion": 1.3}


def database_url() -> str:
    return os.environ.get("DASHBOARD_BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL


# --- 1. Posts ---------------------------------------------------------------------------

def _weights(cumulative: Sequence[float]) -> list[float]:
    return [total - previous for total, previous in zip(cumulative, [0.0, *cumulative[:-1]], strict=True)]


@contextmanager
def constraints_suspended(tables: Sequence[str]) -> Iterator[None]:
    """Drop the tables' indexes and constraints (but primary keys) for a bulk load; rebuild them after."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('u', 'f')", [list(tables)])
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index AS i "
            "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = i.indexrelid)", [list(tables)])
        indexes = cursor.fetchall()
        for table, name, _ in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        for _, definition in tqdm(indexes, desc="indexes", file=sys.stderr, leave=False):
            cursor.execute(definition)
        for table, name, definition in sorted(constraints, key=lambda c: "FOREIGN" in c[2]):  # unique ones first
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


_TWEET_COLUMNS = (
    "id", "platform_id", "text", "lang", "created_at", "author_id", "author_handle", "author_name", "author_location",
    "place_name", "place_country_code", "is_retweet", "is_quote", "is_reply", "hashtags", "mentions", "urls",
    "metrics", "matches", "state", "country_code", "state_confidence", "state_evidence", "ingested_at")


@dataclass(frozen=True, slots=True)
class Draws:
    """What the posts are drawn from: the generator's terms (with their weights), hashtags, hours and states."""

    terms: list[str]
    term_slugs: list[list[str]]
    picks: np.ndarray  # term indexes, each repeated by its weight
    per_hour: list[int]  # posts per UTC hour of the day
    states: np.ndarray  # state codes, each repeated by its weight
    tags: np.ndarray


def draws_get(*, posts: int, days: int) -> Draws:
    from ingestion.dictionary_seed import TERMS

    terms = _terms_weighted()
    slugs = [sorted(slug for slug, texts in TERMS.items() if term in texts) for term in terms.items]
    picks = [i for i, weight in enumerate(_weights(terms.cumulative)) for _ in range(max(round(weight), 1))]
    hours = dict(zip(_HOURS_UTC.items, _weights(_HOURS_UTC.cumulative), strict=True))
    return Draws(
        terms=list(terms.items), term_slugs=slugs, picks=np.array(picks),
        per_hour=[round(posts / days * hours[h] / _HOURS_UTC.total) for h in range(24)],
        states=np.array([code for code, weight in STATE_WEIGHTS.items() for _ in range(weight)]),
        tags=np.array(list(HASHTAGS)),
    )


def _copy_text(value: str) -> str:
    """A value as COPY's text format writes it (our values hold no tabs nor newlines, only backslashes in JSON)."""
    return value.replace("\\", "\\\\")


@dataclass(slots=True)
class DayRows:
    """One generated day as COPY text: posts, their categories and their predictions."""

    tweets: list[str]
    categories: list[str]
    predictions: list[str]


def day_rows(*, draws: Draws, day_start: datetime, first_id: int, rng: np.random.Generator, version_id: int,
             outbreak: datetime, category_ids: dict[str, int]) -> DayRows:
    """A day's posts drawn as `_POSTS_SQL` draws them (the same mix), numbered from `first_id`."""
    counts = np.array([draws.per_hour[(day_start.hour + h) % 24] for h in range(24)])
    n = int(counts.sum())
    seconds = np.repeat(np.arange(24) * 3600, counts) + rng.random(n) * 3600
    epoch = day_start.timestamp() + seconds
    created = np.datetime_as_string((epoch * 1e6).astype("datetime64[us]"), unit="us")
    author = np.floor(AUTHORS * rng.random(n) ** 2.5).astype(np.int64)
    r_term, r_second, r_two, r_tag = rng.random(n), rng.random(n), rng.random(n), rng.random(n)
    npicks = len(draws.picks)
    t1 = np.where(r_term < 0.30, draws.picks[np.minimum((r_term / 0.30 * npicks).astype(int), npicks - 1)], -1)
    t2 = np.where((r_term < 0.30) & (r_two < 0.10), draws.picks[(r_second * npicks).astype(int)], -1)
    t2 = np.where(t2 == t1, -1, t2)
    hashed = (author * 2654435761 + 12345) % 1_000_003
    state = np.where(hashed % 100 < 45, "", draws.states[(hashed // 100) % len(draws.states)])
    tag_count = np.where(r_tag < 0.25, 1 + (r_tag * 12).astype(int) % 3, 0)
    tag_picks = rng.integers(0, len(draws.tags), size=(n, 3))
    base = np.where(t1 >= 0, 0.30, 0.03) * (1 + 0.25 * np.sin(epoch / 86400.0))
    boost = np.array([OUTBREAK.get(slugs[0], 1.0) if slugs else 1.0 for slugs in draws.term_slugs])
    p = base * np.where((epoch >= outbreak.timestamp()) & (t1 >= 0), boost[np.maximum(t1, 0)], 1.0)
    disc = rng.random(n) < p
    match_json = [_copy_text(json.dumps({"term": term, "categories": slugs, "start": 0, "end": len(term)},
                                        ensure_ascii=False)) for term, slugs in zip(draws.terms, draws.term_slugs,
                                                                                    strict=True)]
    rows = DayRows([], [], [])
    stamp = datetime.now(UTC).isoformat()
    for i, (pk, when, who, a, b, code, k, disc_i, p_i) in enumerate(zip(
            range(first_id, first_id + n), created.tolist(), author.tolist(), t1.tolist(), t2.tolist(),
            state.tolist(), tag_count.tolist(), disc.tolist(), p.tolist(), strict=True)):
        chosen = [a, b] if b >= 0 else [a] if a >= 0 else []
        matches = "[" + ",".join(match_json[t] for t in chosen) + "]"
        tags = _copy_text(json.dumps(draws.tags[tag_picks[i, :k]].tolist(), ensure_ascii=False)) if k else "[]"
        text = f"publicación sintética {draws.terms[a] if a >= 0 else 'sin término'}"
        located = (code, "MX", "0.8", "profile") if code else ("", "", "0", "")
        rows.tweets.append("\t".join((
            str(pk), f"b{day_start:%Y%m%d}-{i}", text, "es", when + "+00", str(who), f"autor_{who}", "", "", "", "",
            "f", "f", "f", tags, "[]", "[]", "{}", matches, located[0], located[1], located[2], located[3], stamp)))
        for slug in sorted({slug for t in chosen for slug in draws.term_slugs[t]}):
            if slug in category_ids:
                rows.categories.append(f"{pk}\t{category_ids[slug]}\t{when}+00\t{code}")
        rows.predictions.append(
            f'{pk}\t{version_id}\t{{"discriminatory": {round(p_i, 4)}}}\t{"t" if disc_i else "f"}\t[]\t{stamp}')
    return rows


def _copy(cursor: Any, table: str, columns: Sequence[str], lines: list[str]) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for start in range(0, len(lines), 20_000):
            copy.write("\n".join(lines[start:start + 20_000]) + "\n")


def posts_generate(*, posts: int, days: int, end: datetime, version_id: int) -> float:
    """Posts, their categories and predictions, `days` days up to `end`, written with COPY; the seconds it took."""
    from django.db import connection, transaction

    from ingestion.models import Category

    started = time.perf_counter()
    draws, rng = draws_get(posts=posts, days=days), np.random.default_rng(42)
    category_ids = dict(Category.objects.values_list("slug", "pk"))
    tables = ["ingestion_tweet", "ingestion_tweetcategory", "classifier_prediction"]
    begin, next_id = end - timedelta(days=days), 1
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off; SET maintenance_work_mem = '1GB'")
    with constraints_suspended(tables):
        for day in tqdm(range(days), desc="posts (days)", file=sys.stderr):
            rows = day_rows(draws=draws, day_start=begin + timedelta(days=day), first_id=next_id, rng=rng,
                            version_id=version_id, outbreak=end - timedelta(hours=47), category_ids=category_ids)
            with transaction.atomic(), connection.cursor() as cursor:
                raw = cursor.cursor  # psycopg's own cursor: COPY
                _copy(raw, "ingestion_tweet", _TWEET_COLUMNS, rows.tweets)
                _copy(raw, "ingestion_tweetcategory", ("tweet_id", "category_id", "created_at", "state"),
                      rows.categories)
                _copy(raw, "classifier_prediction",
                      ("tweet_id", "model_version_id", "scores", "discriminatory", "categories", "created_at"),
                      rows.predictions)
            next_id += len(rows.tweets)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('ingestion_tweet', 'id'), %s)", [next_id])
        cursor.execute("ANALYZE ingestion_tweet; ANALYZE ingestion_tweetcategory; ANALYZE classifier_prediction")
    return time.perf_counter() - started


# The upkeep's new posts, drawn inside PostgreSQL with the same mix.
_POSTS_SQL = """
WITH draws AS MATERIALIZED (
    SELECT h.start + random() * interval '1 hour' AS created_at, %(prefix)s || h.n || '-' || i AS platform_id,
           floor(%(authors)s * power(random(), 2.5))::int AS author,
           random() AS r_term, random() AS r_second, random() AS r_two, random() AS r_tag
    FROM (SELECT %(begin)s::timestamptz + n * interval '1 hour' AS start, n
          FROM generate_series(%(first)s::int, %(last)s::int) AS n) AS h
    CROSS JOIN LATERAL generate_series(1, coalesce(%(fixed)s::int,
        (%(per_hour)s::int[])[1 + extract(hour FROM h.start AT TIME ZONE 'UTC')::int])) AS i
), drawn AS MATERIALIZED (
    SELECT d.*,
        CASE WHEN d.r_term < 0.30 THEN (%(picks)s::int[])[1 + floor(d.r_term / 0.30 * %(npicks)s)::int] END AS t1,
        CASE WHEN d.r_term < 0.30 AND d.r_two < 0.10
             THEN (%(picks)s::int[])[1 + floor(d.r_second * %(npicks)s)::int] END AS t2,
        CASE WHEN abs(hashint4(d.author)) %% 100 < 45 THEN ''
             ELSE (%(states)s::text[])[1 + abs(hashint4(d.author + 1)) %% %(nstates)s] END AS state,
        CASE WHEN d.r_tag < 0.25 THEN (
            SELECT jsonb_agg((%(tags)s::text[])[1 + floor(random() * %(ntags)s)::int])
            FROM generate_series(0, floor(d.r_tag * 12)::int %% 3) AS k) ELSE '[]'::jsonb END AS hashtags
    FROM draws AS d
)
INSERT INTO ingestion_tweet (
    platform_id, text, lang, created_at, author_id, author_handle, author_name, author_location, place_name,
    place_country_code, is_retweet, is_quote, is_reply, hashtags, mentions, urls, metrics, matches, state,
    country_code, state_confidence, state_evidence, ingested_at)
SELECT platform_id, 'publicación sintética ' || coalesce((%(terms)s::text[])[t1], 'sin término'), 'es', created_at,
       author::text, 'autor_' || author, '', '', '', '', false, false, false, hashtags, '[]', '[]', '{}',
       CASE WHEN t1 IS NULL THEN '[]'::jsonb ELSE
           jsonb_build_array(jsonb_build_object('term', (%(terms)s::text[])[t1], 'categories',
                             (%(slugs)s::text[])[t1]::jsonb, 'start', 0, 'end', length((%(terms)s::text[])[t1])))
           || CASE WHEN t2 IS NULL OR t2 = t1 THEN '[]'::jsonb ELSE
           jsonb_build_array(jsonb_build_object('term', (%(terms)s::text[])[t2], 'categories',
                             (%(slugs)s::text[])[t2]::jsonb, 'start', 0, 'end', length((%(terms)s::text[])[t2]))) END
       END,
       state, CASE WHEN state = '' THEN '' ELSE 'MX' END, CASE WHEN state = '' THEN 0 ELSE 0.8 END,
       CASE WHEN state = '' THEN '' ELSE 'profile' END, now()
FROM drawn
RETURNING id
"""

_CATEGORIES_SQL = """
INSERT INTO ingestion_tweetcategory (tweet_id, category_id, created_at, state)
SELECT DISTINCT t.id, c.id, t.created_at, t.state
FROM ingestion_tweet AS t
CROSS JOIN LATERAL jsonb_array_elements(t.matches) AS m
CROSS JOIN LATERAL jsonb_array_elements_text(m -> 'categories') AS s(slug)
JOIN ingestion_category AS c ON c.slug = s.slug
WHERE t.matches <> '[]'::jsonb AND t.id >= %(low)s AND t.id <= %(high)s
"""

def _draw_params(*, begin: datetime, posts: int, days: int) -> dict[str, Any]:
    """What the posts are drawn from: the generator's terms and their weights, hashtags, hourly rhythm; states."""
    from ingestion.dictionary_seed import TERMS

    terms = _terms_weighted()
    slugs = {term: sorted(slug for slug, texts in TERMS.items() if term in texts) for term in terms.items}
    picks = [i + 1 for i, weight in enumerate(_weights(terms.cumulative)) for _ in range(max(round(weight), 1))]
    hours = dict(zip(_HOURS_UTC.items, _weights(_HOURS_UTC.cumulative), strict=True))
    states = [code for code, weight in STATE_WEIGHTS.items() for _ in range(weight)]
    return {
        "begin": begin, "prefix": "b", "authors": AUTHORS, "fixed": None,
        "per_hour": [round(posts / days * hours[h] / _HOURS_UTC.total) for h in range(24)],
        "picks": picks, "npicks": len(picks), "terms": list(terms.items),
        "slugs": [_json(slugs[term]) for term in terms.items], "states": states, "nstates": len(states),
        "tags": list(HASHTAGS), "ntags": len(HASHTAGS),
    }


def _json(value: Any) -> str:
    import json

    return json.dumps(value)


def new_posts(*, end: datetime, count: int, prefix: str) -> list[int]:
    """`count` new posts in the hour that starts at `end` (the current hour), with their categories."""
    from django.db import connection

    params = _draw_params(begin=end, posts=1, days=1)
    with connection.cursor() as cursor:
        cursor.execute(_POSTS_SQL, {**params, "first": 0, "last": 0, "fixed": count, "prefix": prefix})
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(_CATEGORIES_SQL, {"low": min(ids), "high": max(ids)})
    return ids


# --- 3. Reads -----------------------------------------------------------------------------

def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def pages_measure(*, now: datetime) -> dict[str, dict[str, list[float]]]:
    """Milliseconds per selector and per page, RUNS times each (after WARMUPS), categories in turn."""
    from dashboard.selectors import semaforo as s

    slugs = [c.slug for c in s.categories_active()]
    home = {
        "semaforo_get": lambda slug: s.semaforo_get(now=now),
        "states_get": lambda slug: s.states_get(now=now),
        "phrases_top(term)": lambda slug: s.phrases_top(kind="term", now=now),
        "phrases_top(hashtag)": lambda slug: s.phrases_top(kind="hashtag", now=now),
    }
    category = {
        "trend_get(day, 90)": lambda slug: s.trend_get(category=slug, granularity="day", now=now),
        "trend_get(hour, 168)": lambda slug: s.trend_get(category=slug, granularity="hour", now=now),
        "states_get(category)": lambda slug: s.states_get(category=slug, now=now),
        "phrases_top(term, category)": lambda slug: s.phrases_top(kind="term", category=slug, now=now),
        "phrases_top(hashtag, category)": lambda slug: s.phrases_top(kind="hashtag", category=slug, now=now),
    }
    results: dict[str, dict[str, list[float]]] = {}
    for page, calls in (("home", home), ("category", category)):
        times: dict[str, list[float]] = {name: [] for name in calls}
        times["page"] = []
        for run in range(WARMUPS + RUNS):
            slug = slugs[run % len(slugs)]
            with s.page_reads():  # as the views read: the settings, model and categories once per page
                spent = {name: timed(partial(call, slug)) for name, call in calls.items()}
            if run >= WARMUPS:
                for name, ms in spent.items():
                    times[name].append(ms)
                times["page"].append(sum(spent.values()))
        results[page] = times
    return results


def _trivial_page(request: Any) -> Any:
    """The reference: a page through the same middleware that renders a one-line template and reads nothing."""
    from django.http import HttpResponse
    from django.template import engines

    template = engines["django"].from_string("<!doctype html><title>{{ title }}</title><p>{{ title }}</p>")
    return HttpResponse(template.render({"title": "Discriminamómetro"}, request))


def _urls_with_trivial_page() -> Any:
    """The project's routes plus /trivial/ (the reference page), as a urlconf module."""
    import types

    from django.conf import settings
    from django.urls import path

    project = __import__(settings.ROOT_URLCONF, fromlist=["urlpatterns"])
    module = types.ModuleType("dashboard_bench_urls")
    module.urlpatterns = [path("trivial/", _trivial_page), *project.urlpatterns]  # type: ignore[attr-defined]
    return module


def pages_render(*, now: datetime) -> dict[str, list[float]]:
    """Milliseconds to answer GET /, GET /categoria/<slug>/ and the trivial page in this process: middleware,
    views, selectors and templates (Django's test client, an anonymous visitor), RUNS times each after WARMUPS,
    interleaved, categories in turn."""
    from unittest import mock

    from django.conf import settings
    from django.test import Client, override_settings
    from django.utils import timezone

    from dashboard.selectors.semaforo import categories_active

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    slugs, client = [c.slug for c in categories_active()], Client()
    times: dict[str, list[float]] = {"trivial": [], "home": [], "category": []}
    backend = _backend()
    with override_settings(ROOT_URLCONF=_urls_with_trivial_page()), \
            mock.patch.object(timezone, "now", return_value=now):  # the pages read the clock: set it to `now`
        for run in range(WARMUPS + RUNS):
            paths = (("trivial", "/trivial/"), ("home", "/"), ("category", f"/categoria/{slugs[run % len(slugs)]}/"))
            for page, path in paths:
                server, python = _seconds(backend), time.process_time()
                started = time.perf_counter()
                response = client.get(path)
                spent = (time.perf_counter() - started) * 1000
                python, server = time.process_time() - python, _seconds(backend) - server
                if response.status_code != 200:
                    raise RuntimeError(f"GET {path} answered {response.status_code}")
                if run >= WARMUPS:
                    times[page].append(spent)
                    CPU.setdefault(page, [0.0, 0.0])
                    CPU[page][0] += python * 1000 / RUNS
                    CPU[page][1] += server * 1000 / RUNS
    return times


CPU: dict[str, list[float]] = {}  # page → [Python CPU ms, PostgreSQL backend CPU ms] per request


def _backend() -> psutil.Process | None:
    """This connection's PostgreSQL backend process, when the server runs on this machine."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        return psutil.Process(pid)
    except psutil.Error:
        return None


def _seconds(process: psutil.Process | None) -> float:
    if process is None:
        return 0.0
    times = process.cpu_times()
    return times.user + times.system


def rendered_print(times: dict[str, list[float]]) -> None:
    trivial = _percentile(times["trivial"], 0.95)
    for page, values in times.items():
        p95 = _percentile(values, 0.95)
        target = "" if page == "trivial" else (
            f", {p95 / trivial:.1f}× the trivial page's (target p95 ≤ {TARGET_PAGE_MS:.0f} ms: "
            f"{verdict(p95, TARGET_PAGE_MS)})")
        print(f"  {page + ' page rendered,':24} {len(values)} runs: p50 {statistics.median(values):6.1f} ms, "
              f"p95 {p95:6.1f} ms, max {max(values):6.1f} ms{target}")
    print("  CPU per request: " + "; ".join(
        f"{page} Python {python:.1f} ms + PostgreSQL {server:.1f} ms" for page, (python, server) in CPU.items())
        + f"; peak memory of this process {rss_peak() / 1024**2:,.0f} MB; load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} CPUs")


# --- 4. Upkeep -----------------------------------------------------------------------------

def updates_measure(*, end: datetime, version_id: int) -> list[tuple[float, float, int]]:
    """(rollups_add seconds, whole transaction seconds, rows counted) for each batch of new posts."""
    import random

    from django.db import transaction

    from classifier.models import Prediction
    from classifier.services.predictions import predictions_insert
    from dashboard.services.rollups import rollups_add

    rng = random.Random(7)
    results = []
    for batch in range(BATCHES):
        ids = new_posts(end=end, count=BATCH, prefix=f"u{int(time.time())}-{batch}-")
        rows = [Prediction(tweet_id=pk, model_version_id=version_id, scores={"discriminatory": 0.5},
                           discriminatory=rng.random() < 0.12, categories=[]) for pk in ids]
        started = time.perf_counter()
        with transaction.atomic():
            inserted = predictions_insert(rows)
            before = time.perf_counter()
            counted = rollups_add(model_version_id=version_id, tweet_ids=inserted)
            added = time.perf_counter() - before
        results.append((added, time.perf_counter() - started, counted))
    return results


_HOUR_RECOUNT_SQL = """
SELECT 0, count(*), count(*) FILTER (WHERE p.discriminatory)
FROM ingestion_tweet AS t
JOIN classifier_prediction AS p ON p.tweet_id = t.id AND p.model_version_id = %(version)s
WHERE t.created_at >= %(hour)s AND t.created_at < %(hour)s + interval '1 hour'
UNION ALL
SELECT tc.category_id, count(*), count(*) FILTER (WHERE p.discriminatory)
FROM ingestion_tweet AS t
JOIN classifier_prediction AS p ON p.tweet_id = t.id AND p.model_version_id = %(version)s
JOIN ingestion_tweetcategory AS tc ON tc.tweet_id = t.id
WHERE t.created_at >= %(hour)s AND t.created_at < %(hour)s + interval '1 hour'
GROUP BY tc.category_id
"""


def hour_check(*, hour: datetime, version_id: int) -> str:
    """The hour's national rows (every post, and each category) against a recount from the posts."""
    from django.db import connection

    from dashboard.models import HourlyCount

    with connection.cursor() as cursor:
        cursor.execute(_HOUR_RECOUNT_SQL, {"hour": hour, "version": version_id})
        expected = {category: (posts, disc) for category, posts, disc in cursor.fetchall() if posts}
    stored = {
        row.category_id: (row.posts, row.discriminatory)
        for row in HourlyCount.objects.filter(model_version_id=version_id, subject="", state="*", hour=hour)
    }
    return "equal" if stored == expected else f"DIFFERENT: stored {stored}, recount {expected}"


# --- 5. Size, and the report ----------------------------------------------------------------

def data_size() -> list[tuple[str, int, int]]:
    from django.db import connection

    tables = ["ingestion_tweet", "ingestion_tweetcategory", "classifier_prediction", "dashboard_hourlycount",
              "dashboard_termhourly"]
    found = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT count(*), pg_total_relation_size('{table}') FROM {table}")
            rows, size = cursor.fetchone()
            found.append((table, rows, size))
    return found


def verdict(value: float, target: float) -> str:
    return "target met" if value <= target else f"target MISSED ({value / target:.1f}× the target)"


def header_print(url: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version'), current_setting('shared_buffers'), "
                       "current_setting('work_mem')")
        version, buffers, work_mem = cursor.fetchone()
    print("Dashboard benchmark: semáforo reads and rollup upkeep on PostgreSQL")
    print(f"machine:  {os.cpu_count()} CPUs ({_cpu_model()}), {psutil.virtual_memory().total / 1024**3:.1f} GiB RAM, "
          f"{platform.system()} {platform.release()}; Python {platform.python_version()}; "
          f"CPU check {cpu_check():.1f} µs (lower is faster)")
    print(f"database: PostgreSQL {version} (shared_buffers {buffers}, work_mem {work_mem}) at {_url_shown(url)}")


def reads_print(results: dict[str, dict[str, list[float]]]) -> None:
    for page, times in results.items():
        p95 = _percentile(times["page"], 0.95)
        print(f"\n  {page} page, {len(times['page'])} runs: p50 {statistics.median(times['page']):.1f} ms, "
              f"p95 {p95:.1f} ms, max {max(times['page']):.1f} ms (target p95 ≤ {TARGET_PAGE_MS:.0f} ms: "
              f"{verdict(p95, TARGET_PAGE_MS)})")
        for name, values in times.items():
            if name != "page":
                print(f"    {name:32} p50 {statistics.median(values):6.1f} ms   p95 {_percentile(values, 0.95):6.1f} ms")


def lights_print(now: datetime) -> None:
    from dashboard.selectors.semaforo import semaforo_get

    semaforo = semaforo_get(now=now)
    print(f"  the semáforo then: {semaforo.overall.label} overall; " + ", ".join(
        f"{light.slug} {light.label.lower()}" for light in semaforo.categories))
    red = [light for light in semaforo.categories if light.level == "red"]
    if red:
        print(f"  e.g. {red[0].name}: «{red[0].sentence}»")


# --- Main -------------------------------------------------------------------------------------

_META_SQL = "CREATE TABLE IF NOT EXISTS bench_seed (posts integer, end_hour timestamptz, version_id integer, done text)"


def _reusable(posts: int) -> tuple[datetime, int, str] | None:
    """(end of the generated hours, active version id, how it was made) if the database holds a complete seed of
    `posts` posts from an earlier run: its row in `bench_seed` is written once the rollups are built."""
    import django
    from django.db import DatabaseError, connection

    django.setup()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT end_hour, version_id, done FROM bench_seed WHERE posts = %s", [posts])
            found = cursor.fetchone()
    except DatabaseError:
        return None
    finally:
        connection.close()
    return None if found is None else (found[0].astimezone(UTC), found[1], found[2])


def setup(args: argparse.Namespace, url: str) -> tuple[datetime, int, str]:
    """The database with posts and rollups: (end of the generated hours, model version id, what was done).

    A seed of the same size is kept between runs (`--fresh` makes a new one): a re-run only measures."""
    found = None if args.fresh else _reusable(args.posts)
    if found is not None:
        django_ready()
        end, version_id, done = found
        return end, version_id, f"reused from an earlier run (seeded then: {done})"
    database_recreate(url)
    django_ready()
    from django.db import connection

    from classifier.models import ModelVersion
    from dashboard.services.rollups import RebuildSummary, rollups_rebuild

    version = ModelVersion.objects.create(task="discrimination", version=1, status="active")
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    generated = posts_generate(posts=args.posts, days=DAYS, end=end, version_id=version.pk)
    bar = tqdm(desc="rollups (hours)", unit="h", file=sys.stderr)

    def progress(summary: RebuildSummary, total: int) -> None:
        bar.total = total
        bar.update(summary.hours - bar.n)

    started = time.perf_counter()
    summary = rollups_rebuild(model_version_id=version.pk, on_progress=progress)
    bar.close()
    rebuilt = time.perf_counter() - started
    done = (f"{summary.posts:,} posts written by COPY in {timedelta(seconds=round(generated))}; rollups built from "
            f"them by rollups_rebuild in {timedelta(seconds=round(rebuilt))} ({summary.hours:,} hours, "
            f"{summary.posts / max(rebuilt, 1e-9):,.0f} posts/s)")
    with connection.cursor() as cursor:
        cursor.execute(_META_SQL)
        cursor.execute("INSERT INTO bench_seed VALUES (%s, %s, %s, %s)", [args.posts, end, version.pk, done])
    return end, version.pk, done


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--posts", type=int, default=5_000_000, help="scored posts to generate (default 5,000,000)")
    parser.add_argument("--fresh", action="store_true", help="seed a new database even if one of this size is kept")
    args = parser.parse_args(argv)
    url = database_url()
    django_environment_set(url)
    end, version_id, done = setup(args, url)
    header_print(url)
    print(f"data:     {args.posts:,} posts over {DAYS} days up to {end:%Y-%m-%d %H:%M} UTC; {done}")
    sys.stdout.flush()

    now = end + timedelta(minutes=30)  # half an hour into the hour after the last generated one
    print(f"\n3. reads at {now:%Y-%m-%d %H:%M} UTC (window {end + timedelta(hours=1) - timedelta(hours=48):%m-%d %H:%M} "
          f"to {end + timedelta(hours=1):%m-%d %H:%M}), active model, server time in this process:")
    reads_print(pages_measure(now=now))
    lights_print(now)
    print("\n  the pages themselves (middleware, views, the selectors above and the templates; Django's test client in "
          "this process, anonymous visitor, no network):")
    rendered_print(pages_render(now=now))
    sys.stdout.flush()

    from django.db import transaction

    with transaction.atomic():  # rolled back after the check: a kept seed stays as it was made
        updates = updates_measure(end=end, version_id=version_id)
        check = hour_check(hour=end, version_id=version_id)
        transaction.set_rollback(True)
    adds = [added for added, _, _ in updates]
    print(f"\n4. rollup upkeep, {BATCHES} batches of {BATCH:,} new posts in the current hour "
          f"(predictions_insert + rollups_add, one transaction each):")
    print("   rollups_add: " + ", ".join(f"{a:.2f} s" for a in adds) + f"; p50 {statistics.median(adds):.2f} s, "
          f"max {max(adds):.2f} s (target ≤ {TARGET_UPDATE_S:.0f} s: {verdict(max(adds), TARGET_UPDATE_S)})")
    print("   whole transaction: " + ", ".join(f"{total:.2f} s" for _, total, _ in updates)
          + f"; posts counted per batch: {', '.join(f'{n:,}' for _, _, n in updates)}")
    print(f"   the hour's rollups against a recount from the posts: {check} (then rolled back)")

    print("\n5. data size:")
    for table, rows, size in data_size():
        print(f"   {table:28} {rows:>12,} rows {size / 1024**2:>10,.0f} MB")


if __name__ == "__main__":
    main()
