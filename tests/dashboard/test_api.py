"""The dashboard's read endpoints: /api/v1/tweets (posts with the active prediction, filters, cursor pages) and
/api/v1/stats (counts by Mexico City day, state, category), with keys holding the `read` scope."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboard.serializers import StatsRowOutput, TweetOutput
from ingestion.models import Category, Tweet
from tests.api_fixtures import error_of, ids, ok, predict, utc
from tests.factories import TweetCategoryFactory, TweetFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_fresh")]


def test_prediction_filters_without_any_model_say_so(reader, dictionary):
    TweetFactory(created_at=utc(20, 10))
    body = ok(reader.get("/api/v1/tweets"))
    assert body["model_version"] is None and body["results"][0]["prediction"] is None
    for query, field in (({"discriminatory": "true"}, "discriminatory"), ({"category": "genero"}, "category")):
        error = error_of(reader.get("/api/v1/tweets", query), 400)
        assert (error["code"], error["field"]) == ("no_model", field)
    error = error_of(reader.get("/api/v1/stats", {"group_by": "category"}), 400)
    assert (error["code"], error["field"]) == ("no_model", "group_by")
    stats = ok(reader.get("/api/v1/stats"))["results"]
    assert [(row["posts"], row["scored"], row["discriminatory"], row["rate"]) for row in stats] == [(1, 0, 0, None)]


def test_tweets_newest_first_with_the_active_prediction_and_no_personal_details(reader, corpus):
    body = ok(reader.get("/api/v1/tweets"))
    assert body["model_version"] == 2 and body["next"] is None and body["previous"] is None
    assert ids(body) == ["6", "5", "4", "3", "2", "1"]  # t7 has no date
    t3 = body["results"][3]
    assert set(t3) == set(TweetOutput().fields)
    assert t3 == {
        "id": "3", "text": corpus["t3"].text, "created_at": "2026-11-20T23:00:00-06:00", "lang": "",
        "author_handle": corpus["t3"].author_handle, "state": "JAL", "country": "MX", "hashtags": ["Jalisco"],
        "matched_terms": [{"term": "feminazi", "categories": ["genero", "ideologia"], "start": 0, "end": 8}],
        "matched_categories": ["genero", "ideologia"],
        "prediction": {"model_version": 2, "scores": {"discriminatory": 0.9, "apariencia": 0.8},
                       "discriminatory": True, "categories": ["apariencia"]},
    }
    assert "Nombre Real" not in str(body) and "Guadalajara" not in str(body)
    assert body["results"][0]["prediction"] is None  # t6 was not scored


@pytest.mark.parametrize(("query", "expected"), [
    ({"state": "JAL"}, ["6", "3"]),
    ({"state": "cmx"}, ["4", "2", "1"]),
    ({"category": "genero"}, ["4", "2", "1"]),  # predicted: t3 matched a gender term but is predicted "apariencia"
    ({"category": "apariencia"}, ["3"]),
    ({"discriminatory": "true"}, ["4", "3", "1"]),
    ({"discriminatory": "false"}, ["5", "2"]),  # t6 has no prediction: neither
    ({"discriminatory": "true", "state": "CMX", "category": "genero"}, ["4", "1"]),
    ({"since": "2026-11-21", "until": "2026-11-21T11:00:00-06:00"}, ["4"]),  # Mexico City days; until excluded
    ({"since": "2026-11-20T20:00:00Z", "until": "2026-11-21T05:00:00Z"}, ["2"]),  # since included
    ({"model_version": "1", "discriminatory": "false"}, ["1"]),
    ({"model_version": "1", "category": "edad"}, ["4"]),
    ({"model_version": "3"}, ["6", "5", "4", "3", "2", "1"]),
])
def test_tweet_filters(reader, corpus, query, expected):
    assert ids(ok(reader.get("/api/v1/tweets", query))) == expected


def test_tweets_of_another_model_version_carry_its_predictions(reader, corpus):
    body = ok(reader.get("/api/v1/tweets", {"model_version": "1"}))
    assert body["model_version"] == 1
    shown = {row["id"]: row["prediction"] for row in body["results"]}
    assert shown["4"] == {"model_version": 1, "scores": {"discriminatory": 0.9, "edad": 0.8},
                          "discriminatory": True, "categories": ["edad"]}
    assert shown["2"] is None


def test_tweet_pages_cover_everything_once_even_with_equal_timestamps(reader, dictionary, versions):
    moment = utc(22, 12)
    # Ten posts share one timestamp (more than a page), five more are spread around it.
    made = [TweetFactory(created_at=moment) for _ in range(10)]
    made += [TweetFactory(created_at=moment + timedelta(minutes=m)) for m in (-2, -1, 1, 2, 3)]
    expected = [t.platform_id for t in sorted(made, key=lambda t: (t.created_at, t.pk), reverse=True)]

    seen, pages, url = [], [], "/api/v1/tweets?page_size=4"
    while url:
        body = ok(reader.get(url))
        pages.append(ids(body))
        seen += ids(body)
        url = body["next"]
    assert seen == expected
    assert [len(page) for page in pages] == [4, 4, 4, 3]

    # Walking back from the last page gives the pages before it, in the same order.
    last = ok(reader.get("/api/v1/tweets", {"page_size": 4, "cursor": cursor_of(body["previous"])}))
    assert ids(last) == pages[-2]


def cursor_of(url: str) -> str:
    from urllib.parse import parse_qs, urlparse

    return parse_qs(urlparse(url).query)["cursor"][0]


def test_filters_are_kept_in_the_page_links(reader, corpus):
    first = ok(reader.get("/api/v1/tweets", {"state": "CMX", "page_size": 2}))
    assert ids(first) == ["4", "2"] and "state=CMX" in first["next"]
    second = ok(reader.get(first["next"]))
    assert ids(second) == ["1"] and second["next"] is None
    assert ids(ok(reader.get(second["previous"]))) == ["4", "2"]


def test_page_size_is_capped_at_500(reader, dictionary):
    Tweet.objects.bulk_create(
        Tweet(platform_id=str(9_000_000 + i), text="texto", created_at=utc(1, 0) + timedelta(seconds=i)) for i in range(501)
    )
    body = ok(reader.get("/api/v1/tweets", {"page_size": 1000}))
    assert len(body["results"]) == 500 and body["next"] is not None


def test_tweet_queries_do_not_grow_with_the_page_size(reader, dictionary, versions, django_assert_max_num_queries):
    categories = list(Category.objects.filter(slug__in=["genero", "edad"]))
    for i in range(30):
        tweet = TweetFactory(created_at=utc(10, 0) + timedelta(minutes=i), state="CMX")
        for category in categories:
            TweetCategoryFactory.create(tweet=tweet, category=category, created_at=tweet.created_at, state="CMX")
        predict(tweet, versions[2], i % 2 == 0, ["genero"])
    reader.get("/api/v1/tweets")  # the key is read from the database once, then from the cache

    counts = []
    for size in (2, 30):
        with django_assert_max_num_queries(5), CaptureQueriesContext(connection) as queries:
            body = ok(reader.get("/api/v1/tweets", {"page_size": size, "category": "genero", "discriminatory": "true"}))
        assert len(body["results"]) == min(size, 15)
        assert all(row["matched_categories"] == ["edad", "genero"] and row["prediction"] for row in body["results"])
        counts.append(len(queries))
    assert counts[0] == counts[1]


def rows(body: dict[str, Any], *keys: str) -> list[tuple[Any, ...]]:
    return [tuple(row[key] for key in (*keys, "posts", "scored", "discriminatory", "rate")) for row in body["results"]]


def test_stats_by_day_count_mexico_city_days(reader, corpus):
    body = ok(reader.get("/api/v1/stats"))
    assert body["model_version"] == 2 and body["group_by"] == ["day"]
    assert set(body["results"][0]) == set(StatsRowOutput().fields)
    # 20th: t1, t2 and t3 (23:00 local); 21st: t4, t5 and t6 (not scored). t7 has no date.
    assert rows(body, "day") == [("2026-11-20", 3, 3, 2, 0.6667), ("2026-11-21", 3, 2, 1, 0.5)]
    assert {row["category"] for row in body["results"]} == {None} and {row["state"] for row in body["results"]} == {None}


@pytest.mark.parametrize(("query", "keys", "expected"), [
    ({"group_by": "state"}, ("state",), [("", 1, 1, 0, 0.0), ("CMX", 3, 3, 2, 0.6667), ("JAL", 2, 1, 1, 1.0)]),
    ({"group_by": "category"}, ("category",),
     [("apariencia", 1, 1, 1, 1.0), ("edad", 1, 1, 0, 0.0), ("genero", 3, 3, 2, 0.6667)]),
    ({"group_by": "category,day", "state": "CMX"}, ("day", "category"),
     [("2026-11-20", "edad", 1, 1, 0, 0.0), ("2026-11-20", "genero", 2, 2, 1, 0.5), ("2026-11-21", "genero", 1, 1, 1, 1.0)]),
    ({"group_by": ["state", "day"], "category": "genero"}, ("day", "state"),
     [("2026-11-20", "CMX", 2, 2, 1, 0.5), ("2026-11-21", "CMX", 1, 1, 1, 1.0)]),
    ({"group_by": "category", "category": "genero"}, ("category",), [("genero", 3, 3, 2, 0.6667)]),  # not t2's "edad"
    ({"group_by": "day,category,state", "category": "apariencia"}, ("day", "category", "state"),
     [("2026-11-20", "apariencia", "JAL", 1, 1, 1, 1.0)]),
    ({"since": "2026-11-21"}, ("day",), [("2026-11-21", 3, 2, 1, 0.5)]),  # t3 is on the 20th in Mexico City
    ({"until": "2026-11-20T23:00:00-06:00"}, ("day",), [("2026-11-20", 2, 2, 1, 0.5)]),
    ({"model_version": "1"}, ("day",), [("2026-11-20", 3, 1, 0, 0.0), ("2026-11-21", 3, 1, 1, 1.0)]),
    ({"model_version": "1", "group_by": "category"}, ("category",), [("edad", 1, 1, 1, 1.0)]),
    ({"model_version": "3"}, ("day",), [("2026-11-20", 3, 0, 0, None), ("2026-11-21", 3, 0, 0, None)]),
])
def test_stats_match_a_hand_count(reader, corpus, query, keys, expected):
    assert rows(ok(reader.get("/api/v1/stats", query)), *keys) == expected


def test_stats_pages(reader, corpus):
    first = ok(reader.get("/api/v1/stats", {"group_by": "category", "page_size": 2}))
    assert [row["category"] for row in first["results"]] == ["apariencia", "edad"] and first["previous"] is None
    second = ok(reader.get(first["next"]))
    assert [row["category"] for row in second["results"]] == ["genero"] and second["next"] is None
    assert ok(reader.get(second["previous"]))["results"] == first["results"]
