"""Read endpoints: posts, statistics, model versions and the dictionary, with keys holding the `read` scope."""
from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from api.keys import api_key_create
from classifier.models import ModelVersion, Prediction
from classifier.serializers import ModelVersionOutput
from dashboard.serializers import StatsRowOutput, TweetOutput
from ingestion.models import Category, Term, Tweet, TweetCategory
from tests.factories import CategoryFactory, TermFactory, TweetFactory

pytestmark = pytest.mark.django_db

READ_URLS = ["/api/v1/tweets", "/api/v1/stats", "/api/v1/models", "/api/v1/dictionary"]


@pytest.fixture(autouse=True)
def clean_cache():
    """Rate-limit counters and cached keys live in Redis: no test sees another's."""
    cache.clear()
    yield
    cache.clear()


def client_for(*scopes: str) -> APIClient:
    _, key = api_key_create(name="lectura", scopes=set(scopes), rate_limit=10_000)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


@pytest.fixture
def reader() -> APIClient:
    return client_for("read")


def ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.content[:500]
    return response.json()


def error_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:500]
    body = response.json()
    assert {"code", "message", "field"} <= set(body), body
    assert isinstance(body["message"], str) and body["message"]
    return body


def ids(body: dict[str, Any]) -> list[str]:
    return [row["id"] for row in body["results"]]


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def versions() -> dict[int, ModelVersion]:
    """Discrimination v1 (retired), v2 (active), v3 (candidate); movie-genres v1 (active)."""
    made = {
        number: ModelVersion.objects.create(
            task="discrimination", version=number, status=status, metrics={"macro_f1": 0.5 + number / 10},
            activated_at=utc(number, 12) if status != "candidate" else None,
        )
        for number, status in ((1, "retired"), (2, "active"), (3, "candidate"))
    }
    ModelVersion.objects.create(task="movie-genres", version=1, status="active", metrics={"macro_f1": 0.4})
    return made


def post(platform_id: str, created_at: datetime | None, state: str, **fields: Any) -> Tweet:
    made = TweetFactory(platform_id=platform_id, created_at=created_at, state=state, country_code="MX" if state else "", **fields)
    return cast(Tweet, made)


def predict(tweet: Tweet, version: ModelVersion, discriminatory: bool, categories: list[str]) -> None:
    scores = {"discriminatory": 0.9 if discriminatory else 0.1, **dict.fromkeys(categories, 0.8)}
    Prediction.objects.create(tweet=tweet, model_version=version, scores=scores, discriminatory=discriminatory, categories=categories)


@pytest.fixture
def corpus(dictionary, versions) -> dict[str, Tweet]:
    """Six dated posts over two Mexico City days (20 and 21 November) and one without a date.

    t3 is 05:00 UTC on the 21st, i.e. 23:00 on the 20th in Mexico City. t6 was never scored.
    v2 is the active model; v1 scored only t1 and t4.
    """
    v1, v2 = versions[1], versions[2]
    t = {
        "t1": post("1", utc(20, 15), "CMX"),
        "t2": post("2", utc(20, 20), "CMX"),
        "t3": post("3", utc(21, 5), "JAL", hashtags=["Jalisco"], author_name="Nombre Real", author_location="Guadalajara"),
        "t4": post("4", utc(21, 16), "CMX"),
        "t5": post("5", utc(21, 17), ""),
        "t6": post("6", utc(21, 18), "JAL"),
        "t7": post("7", None, "CMX"),
    }
    for name, disc, cats in (
        ("t1", True, ["genero"]), ("t2", False, ["edad", "genero"]), ("t3", True, ["apariencia"]),
        ("t4", True, ["genero"]), ("t5", False, []), ("t7", True, ["genero"]),
    ):
        predict(t[name], v2, disc, cats)
    predict(t["t1"], v1, False, [])
    predict(t["t4"], v1, True, ["edad"])
    # t3 came in through a gender term, but the model says it is about appearance.
    t["t3"].matches = [{"term": "feminazi", "categories": ["genero", "ideologia"], "start": 0, "end": 8}]
    t["t3"].save(update_fields=["matches"])
    for slug in ("genero", "ideologia"):
        TweetCategory.objects.create(
            tweet=t["t3"], category=Category.objects.get(slug=slug), created_at=t["t3"].created_at, state="JAL"
        )
    return t


# --- Access ----------------------------------------------------------------------------------

@pytest.mark.parametrize("url", READ_URLS)
def test_read_endpoints_need_a_key(url):
    body = error_of(APIClient().get(url), 401)
    assert body["code"] == "not_authenticated"


@pytest.mark.parametrize("url", READ_URLS)
def test_a_key_without_the_read_scope_is_refused(url):
    body = error_of(client_for("classify").get(url), 403)
    assert body["code"] == "permission_denied" and "read" in body["message"]


@pytest.mark.parametrize("url", READ_URLS)
def test_a_read_key_gets_rate_limit_headers(reader, url, versions):
    response = reader.get(url)
    assert response.status_code == 200
    assert response["X-RateLimit-Limit"] == "10000"


# --- Bad filters are 400s naming the parameter ------------------------------------------------

@pytest.mark.parametrize(("url", "query", "field"), [
    ("/api/v1/tweets", {"since": "yesterday"}, "since"),
    ("/api/v1/tweets", {"until": "2026-13-45"}, "until"),
    ("/api/v1/tweets", {"since": "2026-11-21", "until": "2026-11-20"}, "until"),
    ("/api/v1/tweets", {"state": "XX"}, "state"),
    ("/api/v1/tweets", {"category": "no-existe"}, "category"),
    ("/api/v1/tweets", {"category": "no valida!"}, "category"),
    ("/api/v1/tweets", {"discriminatory": "maybe"}, "discriminatory"),
    ("/api/v1/tweets", {"model_version": "99"}, "model_version"),
    ("/api/v1/tweets", {"model_version": "dos"}, "model_version"),
    ("/api/v1/tweets", {"model_version": "99999999999999999999"}, "model_version"),
    ("/api/v1/tweets", {"page_size": "0"}, "page_size"),
    ("/api/v1/tweets", {"page_size": "muchos"}, "page_size"),
    ("/api/v1/tweets", {"cursor": "%%%"}, "cursor"),
    ("/api/v1/tweets", {"cursor": base64.b64encode(b"p=ayer").decode()}, "cursor"),
    ("/api/v1/tweets", {"cursor": base64.b64encode(b"p=2026-11-20T10:00:00+00:00|99999999999999999999").decode()}, "cursor"),
    ("/api/v1/tweets", {"cursor": base64.b64encode(b"p=2026-11-20T10:00:00|5").decode()}, "cursor"),
    ("/api/v1/tweets", {"until": "9999-12-31T23:59:59"}, "until"),  # beyond what a datetime holds in UTC
    ("/api/v1/tweets", {"since": "9999-12-31T23:59:59-12:00"}, "since"),
    ("/api/v1/tweets", {"cursor": ""}, "cursor"),
    ("/api/v1/stats", {"since": "yesterday"}, "since"),
    ("/api/v1/stats", {"group_by": "week"}, "group_by"),
    ("/api/v1/stats", {"group_by": "day,week"}, "group_by"),
    ("/api/v1/stats", {"page": "0"}, "page"),
    ("/api/v1/stats", {"state": "Jalisco"}, "state"),
    ("/api/v1/stats", {"model_version": "7"}, "model_version"),
    ("/api/v1/models", {"status": "vigente"}, "status"),
    ("/api/v1/models", {"cursor": base64.b64encode(b"p=abc").decode()}, "cursor"),
    ("/api/v1/dictionary", {"active": "quizas"}, "active"),
])
def test_bad_filter_values_are_400_with_the_parameter_named(reader, versions, url, query, field):
    body = error_of(reader.get(url, query), 400)
    assert body["field"] == field


@pytest.mark.parametrize("query", [
    {"since": "0001-01-01"}, {"until": "9999-12-30"}, {"since": "2026-11-20T10:00:00.123456+05:45"},
    {"state": "jal"}, {"discriminatory": "1"}, {"page_size": "100000"},
])
def test_extreme_but_valid_values_are_answered(reader, corpus, query):
    assert "results" in ok(reader.get("/api/v1/tweets", query))
    assert "results" in ok(reader.get("/api/v1/stats", {k: v for k, v in query.items() if k != "discriminatory"}))


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


# --- /tweets -----------------------------------------------------------------------------------

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
            TweetCategory.objects.create(tweet=tweet, category=category, created_at=tweet.created_at, state="CMX")
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


# --- /stats -----------------------------------------------------------------------------------

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


# --- /models ----------------------------------------------------------------------------------

def test_models_newest_first_with_metrics_and_filters(reader, versions):
    body = ok(reader.get("/api/v1/models"))
    got = [(row["task"], row["version"], row["status"]) for row in body["results"]]
    assert got == [("movie-genres", 1, "active"), ("discrimination", 3, "candidate"),
                   ("discrimination", 2, "active"), ("discrimination", 1, "retired")]
    v2 = body["results"][2]
    assert set(v2) == set(ModelVersionOutput().fields)
    assert v2["metrics"] == {"macro_f1": 0.7} and v2["activated_at"] == "2026-11-02T06:00:00-06:00"
    assert body["results"][1]["activated_at"] is None

    only = ok(reader.get("/api/v1/models", {"task": "discrimination", "status": "active"}))["results"]
    assert [(row["task"], row["version"]) for row in only] == [("discrimination", 2)]
    assert [row["version"] for row in ok(reader.get("/api/v1/models", {"task": "discrimination"}))["results"]] == [3, 2, 1]
    assert ok(reader.get("/api/v1/models", {"task": "no-existe"}))["results"] == []


def test_model_pages(reader, versions):
    first = ok(reader.get("/api/v1/models", {"page_size": 3}))
    second = ok(reader.get(first["next"]))
    assert second["next"] is None
    versions_seen = [(row["task"], row["version"]) for row in first["results"] + second["results"]]
    assert len(versions_seen) == len(set(versions_seen)) == ModelVersion.objects.count() == 4


# --- /dictionary ------------------------------------------------------------------------------

def test_dictionary_lists_active_categories_with_active_terms(reader, dictionary):
    retired = CategoryFactory(slug="zz-retirada", name="Zz retirada", active=False)
    TermFactory(text="termino retirado", categories=[retired])
    genero = Category.objects.get(slug="genero")
    TermFactory(text="termino inactivo", active=False, categories=[genero])

    body = ok(reader.get("/api/v1/dictionary"))
    active = Category.objects.filter(active=True)
    assert body["count"] == active.count() == len(body["results"])
    assert [c["slug"] for c in body["results"]] == list(active.order_by("name", "slug").values_list("slug", flat=True))
    shown = next(c for c in body["results"] if c["slug"] == "genero")
    assert shown["name"] == "Género" and shown["active"] is True and shown["description"]
    assert [t["text"] for t in shown["terms"]] == sorted(genero.terms.filter(active=True).values_list("text", flat=True))
    assert "feminazi" in [t["text"] for t in shown["terms"]] and "termino inactivo" not in str(body)

    everything = ok(reader.get("/api/v1/dictionary", {"active": "false"}))
    assert everything["count"] == Category.objects.count()
    last = everything["results"][-1]
    assert last == {"slug": "zz-retirada", "name": "Zz retirada", "description": "", "active": False,
                    "terms": [{"text": "termino retirado", "active": True}]}
    genero_all = next(c for c in everything["results"] if c["slug"] == "genero")
    assert {"text": "termino inactivo", "active": False} in genero_all["terms"]
    assert len(genero_all["terms"]) == Term.objects.filter(categories=genero).count()
