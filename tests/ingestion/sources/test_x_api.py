"""The X API v2 source, against recorded HTTP responses in the API's v2 format.

Only HTTP is replaced (the `responses` library answers tweepy's requests); the
source, parser, store and run bookkeeping are the real ones.
"""
from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import responses

from ingestion.models import IngestionRun, RawBatch, Source, SourceCursor, Tweet
from ingestion.services.downloads import source_download
from ingestion.sources.x_api import QUERY_MAX_CHARS, x_queries_build
from tests.factories import SourceFactory

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "xapi"
SEARCH_URL = "https://api.twitter.com/2/tweets/search/recent"
PAGE2_TOKEN = "b26v89c19zqg8o3fpzbkk7kq3fbvwrmfl4a0bdyvl91ml"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


class FakeXApi:
    """Answers recent-search requests from the recorded pages, like the API would.

    The query that contains "naco" has two pages of results; every other query
    has none. `fail_once` makes the next request that fits answer with an error instead.
    """

    def __init__(self, rsps: responses.RequestsMock):
        self.requests: list[dict[str, str]] = []
        self.failures: list[tuple[Callable[[dict[str, str]], bool], tuple[int, dict[str, str], dict]]] = []
        rsps.add_callback(responses.GET, SEARCH_URL, callback=self._answer)

    def fail_once(self, answer: tuple[int, dict[str, str], dict], *, when: Callable[[dict[str, str]], bool] = lambda p: True) -> None:
        self.failures.append((when, answer))

    def _answer(self, request):
        from urllib.parse import parse_qsl, urlsplit

        params = dict(parse_qsl(urlsplit(request.url).query))
        self.requests.append(params)
        for failure in self.failures:
            when, (status, headers, body) = failure
            if when(params):
                self.failures.remove(failure)
                return status, headers, json.dumps(body)
        headers = {"content-type": "application/json", "x-rate-limit-remaining": "449"}
        if params.get("next_token") == PAGE2_TOKEN:
            return 200, headers, json.dumps(fixture("search_page2.json"))
        if '"naco"' in params["query"]:
            return 200, headers, json.dumps(fixture("search_page1.json"))
        return 200, headers, json.dumps(fixture("search_empty.json"))

    def naco_requests(self) -> list[dict[str, str]]:
        return [r for r in self.requests if '"naco"' in r["query"]]


@pytest.fixture
def x_source(dictionary, archive_dir) -> Source:
    return SourceFactory.create(slug="x", name="X", kind=Source.Kind.X_API, config={"exclude_retweets": False})


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield FakeXApi(rsps)


def is_page2(params: dict[str, str]) -> bool:
    return params.get("next_token") == PAGE2_TOKEN


def rate_limited(reset_in: float) -> tuple[int, dict[str, str], dict]:
    reset = str(int(time.time() + reset_in))
    headers = {"content-type": "application/json", "x-rate-limit-limit": "450", "x-rate-limit-remaining": "0", "x-rate-limit-reset": reset}
    return 429, headers, fixture("rate_limited.json")


# --- Queries ----------------------------------------------------------------------

def test_queries_fit_the_512_character_limit_and_keep_every_term():
    terms = [f"término número {n}" for n in range(200)] + ["naco", "pinche gordo"]
    queries = x_queries_build(terms=terms, exclude_retweets=True, geo="place_country:MX")
    assert len(queries) > 1
    assert all(len(q) <= QUERY_MAX_CHARS for q in queries)
    assert all(q.endswith(" lang:es -is:retweet place_country:MX") for q in queries)
    quoted = [t for q in queries for t in re.findall(r'"([^"]+)"', q)]
    assert sorted(quoted) == sorted(set(terms))


def test_query_is_quoted_terms_joined_by_or():
    assert x_queries_build(terms=["naco", "pinche gordo"]) == ['("naco" OR "pinche gordo") lang:es']


@pytest.mark.django_db
def test_original_dictionary_needs_two_queries(x_source):
    from ingestion.sources.x_api import XApiSource

    queries = XApiSource(x_source).queries()
    assert len(queries) == 2
    assert all(len(q) <= QUERY_MAX_CHARS for q in queries)


# --- Downloads ----------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_download_follows_pagination_and_stores_each_post_once(x_source, api, archive_dir):
    outcome = source_download(source_id=x_source.pk)

    run = outcome.run
    assert run.status == IngestionRun.Status.SUCCEEDED
    assert (run.fetched, run.new, run.duplicate, run.rejected) == (5, 5, 0, 0)
    assert [r.get("next_token") for r in api.naco_requests()] == [None, PAGE2_TOKEN]
    assert all(r["max_results"] == "100" for r in api.requests)
    assert "author_id" in api.requests[0]["expansions"] and "geo.place_id" in api.requests[0]["expansions"]
    assert Tweet.objects.count() == 5

    retweet = Tweet.objects.get(platform_id="1991234567890000005")
    assert retweet.is_retweet
    assert retweet.text.endswith("nadie hace nada. #NoEsNormal")  # the original's full text
    assert retweet.hashtags == ["NoEsNormal"]  # from note_tweet.entities, past character 280
    assert retweet.author_handle == "caro_mendez"
    assert retweet.matches[0]["term"] == "naco"
    assert list(retweet.categories.values_list("slug", flat=True)) == ["apariencia"]

    placed = Tweet.objects.get(platform_id="1991234567890000004")
    assert (placed.state, placed.state_evidence, placed.place_country_code) == ("CMX", "place", "MX")
    reply = Tweet.objects.get(platform_id="1991234567890000003")
    assert reply.is_reply and (reply.latitude, reply.longitude) == (20.6597, -103.3496)
    assert (reply.state, reply.state_evidence) == ("JAL", "coordinates")
    assert Tweet.objects.get(platform_id="1991234567890000002").state == "QUE"


@pytest.mark.django_db(transaction=True)
def test_raw_pages_are_archived_as_gzipped_json_lines(x_source, api, archive_dir):
    from ingestion.services.archive import raw_batch_read

    run = source_download(source_id=x_source.pk).run
    batches = list(RawBatch.objects.filter(run=run).order_by("pk"))
    assert len(batches) == 2  # two pages with data; the empty query archives nothing
    for batch in batches:
        assert re.fullmatch(rf"raw/x/\d{{4}}/\d{{2}}/\d{{2}}/\d{{6}}-{run.pk}(-\d+)?\.jsonl\.gz", batch.path)
        assert (archive_dir / batch.path).exists()
    assert list(raw_batch_read(path=batches[0].path)) == [fixture("search_page1.json")]
    assert Tweet.objects.get(platform_id="1991234567890000000").raw_batch_id == batches[1].pk


@pytest.mark.django_db(transaction=True)
def test_next_run_resumes_from_the_newest_id(x_source, api):
    source_download(source_id=x_source.pk)
    cursor = SourceCursor.objects.get(source=x_source, query__contains='"naco"')
    assert cursor.newest_id == "1991234567890000005"

    second = source_download(source_id=x_source.pk).run
    assert api.naco_requests()[-1]["since_id"] == "1991234567890000005"
    assert second.status == IngestionRun.Status.SUCCEEDED
    assert Tweet.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_empty_result_is_a_successful_run(x_source, api):
    from ingestion.models import Term

    Term.objects.filter(text="naco").update(active=False)
    run = source_download(source_id=x_source.pk).run
    assert run.status == IngestionRun.Status.SUCCEEDED
    assert (run.fetched, run.new) == (0, 0)
    assert Tweet.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_rate_limit_reschedules_from_the_reset_header_and_keeps_the_cursor(x_source, api):
    api.fail_once(rate_limited(reset_in=900))
    outcome = source_download(source_id=x_source.pk)

    assert outcome.run.status == IngestionRun.Status.RATE_LIMITED
    x_source.refresh_from_db()
    expected = datetime.now(UTC) + timedelta(seconds=900)
    assert abs((x_source.retry_at - expected).total_seconds()) < 5
    assert outcome.retry_at == x_source.retry_at
    assert not SourceCursor.objects.filter(source=x_source).exclude(newest_id="").exists()

    # Until the reset time the source is left alone, then it downloads normally.
    assert source_download(source_id=x_source.pk).skipped_reason == "rate limited"
    Source.objects.filter(pk=x_source.pk).update(retry_at=datetime.now(UTC) - timedelta(seconds=1))
    assert source_download(source_id=x_source.pk).run.status == IngestionRun.Status.SUCCEEDED
    assert Tweet.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_short_rate_limit_is_waited_out(x_source, api, settings):
    settings.INGESTION = {**settings.INGESTION, "RATE_LIMIT_MAX_WAIT_SECONDS": 5}
    api.fail_once(rate_limited(reset_in=1))
    run = source_download(source_id=x_source.pk).run
    assert run.status == IngestionRun.Status.SUCCEEDED
    assert Tweet.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_rate_limit_mid_pagination_loses_and_duplicates_nothing(x_source, api):
    api.fail_once(rate_limited(reset_in=900), when=is_page2)
    first = source_download(source_id=x_source.pk).run
    assert first.status == IngestionRun.Status.RATE_LIMITED
    assert Tweet.objects.count() == 3  # page 1 kept
    cursor = SourceCursor.objects.filter(source=x_source, query__contains='"naco"').first()
    assert cursor is None or cursor.newest_id == ""  # did not move past the missing page

    Source.objects.filter(pk=x_source.pk).update(retry_at=None)
    second = source_download(source_id=x_source.pk).run
    assert (second.new, second.duplicate) == (2, 3)
    assert Tweet.objects.count() == 5
    assert SourceCursor.objects.get(source=x_source, query__contains='"naco"').newest_id == "1991234567890000005"


@pytest.mark.django_db(transaction=True)
def test_run_dying_mid_pagination_is_recorded_and_the_rerun_completes(x_source, api):
    api.fail_once((503, {"content-type": "application/json"}, {"title": "Service Unavailable"}), when=is_page2)
    with pytest.raises(Exception, match="503"):
        source_download(source_id=x_source.pk)
    failed = IngestionRun.objects.filter(source=x_source).latest("started_at")
    assert failed.status == IngestionRun.Status.FAILED and "503" in failed.message
    assert Tweet.objects.count() == 3

    source_download(source_id=x_source.pk)
    assert Tweet.objects.count() == 5
    assert Tweet.objects.values("platform_id").distinct().count() == 5


@pytest.mark.django_db(transaction=True)
def test_a_bad_tweet_in_a_page_is_rejected_and_the_rest_kept(x_source, settings):
    page = fixture("search_page2.json")
    del page["data"][0]["text"]
    page["data"][1]["text"] = "x" * (settings.INGESTION["MAX_TEXT_CHARS"] + 1)
    page["data"].append({"id": "1991234567890000099", "text": "Qué naco el nuevo anuncio", "author_id": "4406", "created_at": "2026-11-20T15:00:00.000Z"})
    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, SEARCH_URL, json=page)
        rsps.add(responses.GET, SEARCH_URL, json=fixture("search_empty.json"))
        run = source_download(source_id=x_source.pk).run
    assert run.status == IngestionRun.Status.PARTIAL
    assert (run.new, run.rejected) == (1, 2)
    messages = " | ".join(e["message"] for e in run.errors)
    assert "falta el texto" in messages and "más que el límite" in messages
    assert Tweet.objects.get().platform_id == "1991234567890000099"


@pytest.mark.django_db(transaction=True)
def test_missing_bearer_token_fails_with_a_clear_message(x_source, settings):
    settings.X_BEARER_TOKEN = ""
    with pytest.raises(RuntimeError, match="X_BEARER_TOKEN"):
        source_download(source_id=x_source.pk)
    run = IngestionRun.objects.get(source=x_source)
    assert run.status == IngestionRun.Status.FAILED
    assert "X_BEARER_TOKEN" in run.message


# --- Budget ---------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_monthly_cap_stops_the_run_and_the_next_ones_until_the_month_turns(x_source, api):
    x_source.monthly_cap = 12
    x_source.save()

    outcome = source_download(source_id=x_source.pk)

    run = outcome.run
    assert run.status == IngestionRun.Status.CAPPED
    assert run.fetched == 3  # the first page; the second would pass the cap
    assert "leídas este mes: 3 de 12" in run.message
    # Pages are sized to what is left: never a request that could read past the cap.
    assert all(int(r["max_results"]) <= 12 for r in api.requests)
    assert [r.get("next_token") for r in api.naco_requests()] == [None]
    # The query's cursor moved to the newest post read: next month does not pay for that page again.
    assert SourceCursor.objects.get(source=x_source, query__contains='"naco"').newest_id == "1991234567890000005"

    requests_before = len(api.requests)
    again = source_download(source_id=x_source.pk)
    assert again.run is None and again.skipped_reason == "cap reached"  # 9 left, X reads 10 at least
    assert len(api.requests) == requests_before
    assert IngestionRun.objects.filter(source=x_source).count() == 1


@pytest.mark.django_db(transaction=True)
def test_run_cap_bounds_each_run_and_the_month_counts_them_all(x_source, api):
    x_source.run_cap = 10
    x_source.save()

    first = source_download(source_id=x_source.pk).run
    assert first.status == IngestionRun.Status.CAPPED
    assert "tope por ejecución: 10" in first.message
    assert all(r["max_results"] == "10" for r in api.requests)

    x_source.run_cap = None
    x_source.save()
    second = source_download(source_id=x_source.pk).run
    assert second.status == IngestionRun.Status.SUCCEEDED

    from ingestion.selectors.sources import source_budget

    budget = source_budget(source=x_source)
    assert budget.read_month == first.fetched + second.fetched
    assert budget.cost_month == (budget.read_month * budget.price).quantize(budget.cost_month)
    assert str(budget.price) == "0.005"  # X's pay-per-use price, unless the source sets its own
