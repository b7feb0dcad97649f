"""The Mastodon source, against Mastodon instances served on 127.0.0.1.

Only the instances are replaced: each is an HTTP server in a thread that answers the hashtag
timeline from recorded statuses, paging them with `min_id` / `max_id` / `limit` and `Link`
headers and counting requests against a rate-limit window with `X-RateLimit-*` headers, as
Mastodon does. Mastodon.py, the source, the parser, the store and the run bookkeeping are the
real ones.
"""
from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import pytest

from ingestion.models import IngestionRun, RawBatch, Source, SourceCursor, Tweet
from ingestion.selectors.dictionary import dictionary_terms_active
from ingestion.services.archive import raw_batch_read
from ingestion.services.downloads import source_download
from ingestion.sources.mastodon import MastodonSource, hashtags_from_terms, mastodon_status_parse
from tests.conftest import free_port
from tests.factories import SourceFactory

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "mastodon"
TAG_PATH = "/api/v1/timelines/tag/"
LUCIA = "https://mastodon.social/users/lucia/statuses/113600000000000101"
KATE = "https://mas.to/users/kate/statuses/113600000000000877"
MARIO = "https://mstdn.mx/users/mario/statuses/113600000000000555"
SOFIA = "https://mastodon.social/users/sofia/statuses/113600000000000112"
BETO = "https://mstdn.mx/users/beto/statuses/1098700000000201"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def social_timelines() -> dict[str, list[dict]]:
    return {"naco": fixture("mastodon.social/tag_naco.json"), "gordofobia": fixture("mastodon.social/tag_gordofobia.json")}


def mx_timelines() -> dict[str, list[dict]]:
    return {"naco": fixture("mstdn.mx/tag_naco.json"), "gordofobia": fixture("mstdn.mx/tag_gordofobia.json")}


def _order(status_id: str) -> tuple[int, str]:
    return len(status_id), status_id


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class FakeMastodon:
    """One instance: hashtag timelines (newest first) paged and rate-limited the way Mastodon serves them."""

    LIMIT = 300
    WINDOW = 300.0

    def __init__(self, timelines: dict[str, list[dict]], *, page_cap: int = 40, down: bool = False):
        self.timelines = timelines
        self.page_cap = page_cap  # Mastodon serves at most 40 a page whatever `limit` asks
        self.down = down  # every request answered by the proxy in front with a 503
        self.requests: list[tuple[float, str, dict[str, str]]] = []
        self.refusals: list[float] = []  # the next timeline requests get a 429 reopening this many seconds later
        self.refused = 0
        self.remaining = self.LIMIT
        self.reset_at = time.time() + self.WINDOW
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), type("Handler", (_Handler,), {"fake": self}))
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def publish(self, tag: str, statuses: list[dict]) -> None:
        merged = [*statuses, *self.timelines.get(tag, [])]
        self.timelines[tag] = sorted(merged, key=lambda s: _order(s["id"]), reverse=True)

    def refuse_next(self, *, reset_in: float) -> None:
        self.refusals.append(reset_in)

    def exhaust(self, *, left: int, reset_in: float) -> None:
        """`left` requests left in the window, which reopens `reset_in` seconds from now."""
        self.remaining, self.reset_at = left, time.time() + reset_in

    def tag_requests(self, tag: str) -> list[dict[str, str]]:
        return [params for _, path, params in self.requests if path == TAG_PATH + tag]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, path: str, params: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        with self.lock:
            now = time.time()
            self.requests.append((now, path, params))
            if self.down:
                return 503, {"Content-Type": "text/html"}, b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"
            if now >= self.reset_at:
                self.remaining, self.reset_at = self.LIMIT, now + self.WINDOW
            headers = {"X-RateLimit-Limit": str(self.LIMIT), "X-RateLimit-Reset": _iso(self.reset_at)}
            if self.remaining <= 0:
                self.refused += 1
                return 429, {**headers, "X-RateLimit-Remaining": "0"}, fixture("rate_limited.json")
            self.remaining -= 1
            headers["X-RateLimit-Remaining"] = str(self.remaining)
            if path.startswith(TAG_PATH) and self.refusals:
                self.refused += 1
                reset = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": _iso(now + self.refusals.pop(0))}
                return 429, {**headers, **reset}, fixture("rate_limited.json")
        if path.rstrip("/") == "/api/v2/instance":
            return 200, headers, fixture("instance_v2.json")
        if path.startswith(TAG_PATH):
            return self._timeline(path[len(TAG_PATH):], params, headers)
        return 404, headers, {"error": "Record not found"}

    def _timeline(self, tag: str, params: dict[str, str], headers: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        statuses = self.timelines.get(tag.lower(), [])
        limit = min(int(params.get("limit", 20)), self.page_cap)
        if "min_id" in params:  # the statuses immediately newer: the oldest `limit` of them
            page = [s for s in statuses if _order(s["id"]) > _order(params["min_id"])][-limit:]
        else:
            page = [
                s for s in statuses
                if ("max_id" not in params or _order(s["id"]) < _order(params["max_id"]))
                and ("since_id" not in params or _order(s["id"]) > _order(params["since_id"]))
            ][:limit]
        if page:
            base = f"{self.url}{TAG_PATH}{quote(tag)}?limit={limit}"
            links = [f'<{base}&max_id={page[-1]["id"]}>; rel="next"'] if len(page) == limit else []
            headers["Link"] = ", ".join([*links, f'<{base}&min_id={page[0]["id"]}>; rel="prev"'])
        return 200, headers, page


class _Handler(BaseHTTPRequestHandler):
    fake: FakeMastodon

    def do_GET(self) -> None:
        split = urlsplit(self.path)
        status, headers, body = self.fake.answer(unquote(split.path), dict(parse_qsl(split.query)))
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        headers.setdefault("Content-Type", "application/json; charset=utf-8")
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def instances() -> Iterator[Callable[..., FakeMastodon]]:
    """`start(timelines, **options)` serves one more Mastodon instance for the test."""
    started: list[FakeMastodon] = []

    def start(timelines: dict[str, list[dict]], **options: Any) -> FakeMastodon:
        started.append(FakeMastodon(timelines, **options))
        return started[-1]

    yield start
    for fake in started:
        fake.close()


def mastodon_source(*instances: FakeMastodon | str, hashtags: tuple[str, ...] = ("naco", "gordofobia"),
                    from_dictionary: bool = False) -> Source:
    return SourceFactory.create(slug="mastodon-prueba", name="Mastodon", kind=Source.Kind.MASTODON, config={
        "instances": [i.url if isinstance(i, FakeMastodon) else i for i in instances],
        "hashtags": list(hashtags), "hashtags_from_dictionary": from_dictionary,
    })


def download(source: Source) -> IngestionRun:
    run = source_download(source_id=source.pk).run
    assert run is not None
    return run


# --- Downloads ------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_download_stores_the_spanish_statuses_that_match_the_dictionary(dictionary, archive_dir, instances):
    social = instances(social_timelines())
    run = download(mastodon_source(social))

    assert run.status == IngestionRun.Status.SUCCEEDED
    assert (run.fetched, run.new, run.duplicate, run.rejected) == (3, 3, 0, 0)
    stored = {tweet.platform_id: tweet for tweet in Tweet.objects.all()}
    # Kate's is English, and "Hablemos de #gordofobia…" names no dictionary term: both skipped, not rejected.
    assert set(stored) == {LUCIA, MARIO, SOFIA}

    lucia = stored[LUCIA]
    assert lucia.text == (
        "Qué #naco el nuevo anuncio & encima lo defienden.\nLo dice @beto\naquí: https://www.ejemplo.mx/notas/anuncio-2026"
    )
    assert (lucia.hashtags, lucia.mentions) == (["naco"], ["beto@mstdn.mx"])
    assert lucia.urls == ["https://www.ejemplo.mx/notas/anuncio-2026"]  # not the mention's nor the hashtag's link
    assert (lucia.author_handle, lucia.author_name, lucia.author_id) == (
        "lucia@mastodon.social", "Lucía Garza", "https://mastodon.social/@lucia"
    )
    assert (lucia.author_location, lucia.state, lucia.state_evidence) == ("Monterrey, Nuevo León", "NLE", "profile")
    assert (lucia.lang, lucia.created_at) == ("es", datetime(2026, 11, 20, 15, 4, 5, tzinfo=UTC))
    assert lucia.metrics == {"reply_count": 2, "retweet_count": 1, "like_count": 7}
    assert lucia.matches[0]["term"] == "naco"
    assert list(lucia.categories.values_list("slug", flat=True)) == ["apariencia"]

    mario = stored[MARIO]  # a reply with a content warning and no language set
    assert mario.text == (
        "Lenguaje ofensivo\n@lucia Ese comentario de #Naco solo muestra que el clasismo sigue vivo en la ciudad"
    )
    assert mario.is_reply and not mario.is_retweet and mario.lang == "es"
    assert (mario.hashtags, mario.mentions, mario.urls) == (["naco"], ["lucia@mastodon.social"], [])
    assert (mario.author_handle, mario.author_location, mario.state) == (
        "mario@mstdn.mx", "Guadalajara & alrededores", "JAL"
    )
    sofia = stored[SOFIA]
    assert (sofia.state, sofia.matches[0]["term"]) == ("CMX", "pinche gordo")

    # The raw archive keeps each page's statuses exactly as served, skipped ones included.
    batches = RawBatch.objects.filter(run=run).order_by("pk")
    assert [list(raw_batch_read(path=batch.path)) for batch in batches] == [
        fixture("mastodon.social/tag_gordofobia.json"), fixture("mastodon.social/tag_naco.json")
    ]
    assert Tweet.objects.get(platform_id=LUCIA).raw_batch_id == batches[1].pk
    assert social.tag_requests("naco") == [{"limit": "40"}]  # a first read: the newest page, as large as Mastodon serves


@pytest.mark.django_db(transaction=True)
def test_pages_follow_the_link_headers_and_the_next_run_starts_after_the_newest_status(dictionary, archive_dir, instances):
    social = instances({"naco": fixture("mastodon.social/tag_naco.json")}, page_cap=2)
    source = mastodon_source(social, hashtags=("naco",))

    first = download(source)
    # Never read before: only the newest page (Mario's and Kate's), not the hashtag's history.
    assert social.tag_requests("naco") == [{"limit": "40"}]
    assert list(Tweet.objects.values_list("platform_id", flat=True)) == [MARIO]
    cursor = SourceCursor.objects.get(source=source)
    assert (cursor.query, cursor.newest_id) == (f"{social.host} #naco", "113600000000000103")
    assert first.status == IngestionRun.Status.SUCCEEDED

    social.publish("naco", fixture("mastodon.social/tag_naco_later.json"))
    second = download(source)
    # From the cursor, then each page's `Link: rel="prev"`, until a page comes back empty.
    assert [r["min_id"] for r in social.tag_requests("naco")[1:]] == [
        "113600000000000103", "113600000000000105", "113600000000000107"
    ]
    assert (second.new, second.duplicate) == (4, 0)
    assert RawBatch.objects.filter(run=second).count() == 2
    cursor.refresh_from_db()
    assert cursor.newest_id == "113600000000000107"

    third = download(source)
    assert social.tag_requests("naco")[-1] == {"limit": "40", "min_id": "113600000000000107"}
    assert (third.fetched, third.new, third.duplicate) == (0, 0, 0)
    assert Tweet.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_the_same_status_through_two_instances_is_stored_once(dictionary, archive_dir, instances):
    social, mx = instances(social_timelines()), instances(mx_timelines())
    source = mastodon_source(social, mx)
    run = download(source)

    assert run.status == IngestionRun.Status.SUCCEEDED
    assert (run.new, run.duplicate) == (4, 1)
    assert set(Tweet.objects.values_list("platform_id", flat=True)) == {LUCIA, MARIO, SOFIA, BETO}
    # Each instance numbers statuses its own way: a cursor per instance and hashtag.
    assert dict(SourceCursor.objects.filter(source=source).values_list("query", "newest_id")) == {
        f"{social.host} #gordofobia": "113600000000000112", f"{social.host} #naco": "113600000000000103",
        f"{mx.host} #gordofobia": "1098700000000350", f"{mx.host} #naco": "1098700000000201",
    }
    beto = Tweet.objects.get(platform_id=BETO)
    assert (beto.author_handle, beto.state) == ("beto@mstdn.mx", "OAX")  # a local account: the domain is added


@pytest.mark.django_db
def test_a_page_listing_a_status_twice_yields_it_once(dictionary, instances):
    naco = fixture("mastodon.social/tag_naco.json")
    again = copy.deepcopy(naco[-1]) | {"id": "113600000000000104"}  # Lucía's status under a second id
    social = instances({"naco": [again, *naco]})
    source = mastodon_source(social, hashtags=("naco",))

    [batch] = list(MastodonSource(source).batches(cursors={}))
    assert [record.platform_id for record in batch.records] == [LUCIA, MARIO]
    assert len(batch.items) == 4


# --- Rate limits ----------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_a_rate_limit_that_reopens_within_a_second_is_waited_out(dictionary, archive_dir, instances):
    social = instances(social_timelines())
    social.refuse_next(reset_in=1)
    run = download(mastodon_source(social, hashtags=("naco",)))

    assert run.status == IngestionRun.Status.SUCCEEDED
    assert set(Tweet.objects.values_list("platform_id", flat=True)) == {LUCIA, MARIO}
    refused, answered = [at for at, path, _ in social.requests if path == TAG_PATH + "naco"]
    assert social.refused == 1
    assert answered - refused >= 0.9  # asked again only once the window had reopened


@pytest.mark.django_db(transaction=True)
def test_a_rate_limit_that_reopens_later_ends_the_run_rate_limited_with_the_cursor_unmoved(
    dictionary, archive_dir, instances
):
    social, mx = instances(social_timelines()), instances(mx_timelines())
    social.refuse_next(reset_in=900)
    source = mastodon_source(social, mx, hashtags=("naco",))
    outcome = source_download(source_id=source.pk)

    assert outcome.run is not None and outcome.run.status == IngestionRun.Status.RATE_LIMITED
    assert outcome.run.message.startswith(f"{social.host}: límite de tasa alcanzado")
    source.refresh_from_db()
    assert source.retry_at is not None and outcome.retry_at == source.retry_at
    assert abs((source.retry_at - (datetime.now(UTC) + timedelta(seconds=900))).total_seconds()) < 5
    assert len(social.tag_requests("naco")) == 1  # no second try against a closed window
    assert not SourceCursor.objects.filter(source=source, query__startswith=social.host).exists()
    # The other instance was still read.
    assert SourceCursor.objects.get(source=source, query=f"{mx.host} #naco").newest_id == "1098700000000201"
    assert list(Tweet.objects.values_list("platform_id", flat=True)) == [BETO]

    Source.objects.filter(pk=source.pk).update(retry_at=datetime.now(UTC) - timedelta(seconds=1))
    assert download(source).status == IngestionRun.Status.SUCCEEDED
    assert set(Tweet.objects.values_list("platform_id", flat=True)) == {BETO, LUCIA, MARIO}


@pytest.mark.django_db(transaction=True)
def test_a_spent_window_is_waited_for_instead_of_asking_into_a_429(dictionary, archive_dir, instances):
    social = instances(social_timelines())
    social.exhaust(left=2, reset_in=1)  # the instance's description and #gordofobia spend the window
    run = download(mastodon_source(social))

    assert run.status == IngestionRun.Status.SUCCEEDED
    assert social.refused == 0
    assert [path for _, path, _ in social.requests] == ["/api/v2/instance/", TAG_PATH + "gordofobia", TAG_PATH + "naco"]
    (_, _, _), (spent, _, _), (read, _, _) = social.requests
    assert read - spent >= 0.9  # #naco asked for once the window had reopened
    assert Tweet.objects.count() == 3


# --- Failures -------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_an_instance_that_is_down_does_not_stop_the_others(dictionary, archive_dir, instances):
    unreachable = f"127.0.0.1:{free_port()}"  # nothing listens there
    broken = instances(social_timelines(), down=True)
    mx = instances(mx_timelines())
    run = download(mastodon_source(f"http://{unreachable}", broken, mx))

    assert run.status == IngestionRun.Status.PARTIAL
    assert set(Tweet.objects.values_list("platform_id", flat=True)) == {BETO, SOFIA}
    first, second = [error["message"] for error in run.errors]
    assert first.startswith(f"{unreachable}: la instancia no respondió (MastodonNetworkError")
    assert second == f"{broken.host}: la instancia no respondió (HTTP 503 Service Unavailable); se leyeron las demás"
    assert len(broken.tag_requests("gordofobia")) == 1 and broken.tag_requests("naco") == []  # left at its first error


@pytest.mark.django_db(transaction=True)
def test_a_run_fails_when_no_instance_answers(dictionary, archive_dir):
    source = mastodon_source(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(RuntimeError, match="ninguna instancia de Mastodon respondió"):
        source_download(source_id=source.pk)
    run = IngestionRun.objects.get(source=source)
    assert run.status == IngestionRun.Status.FAILED
    assert "la instancia no respondió" in run.errors[0]["message"]


@pytest.mark.django_db(transaction=True)
def test_a_malformed_status_is_rejected_with_its_reason_and_the_rest_kept(dictionary, archive_dir, instances):
    naco = fixture("mastodon.social/tag_naco.json")
    lucia = naco[-1]

    def broken(number: int, **changes: Any) -> dict:
        status = copy.deepcopy(lucia) | {"id": f"11360000000000012{number}", "uri": f"{LUCIA}{number}"}
        return {key: value for key, value in (status | changes).items() if value is not ...}

    bad = [
        broken(0, uri=...),
        broken(1, created_at="ayer por la tarde"),
        broken(2, content=42),
        broken(3, account="lucia"),
    ]
    social = instances({"naco": [*reversed(bad), *naco]})
    run = download(mastodon_source(social, hashtags=("naco",)))

    assert run.status == IngestionRun.Status.PARTIAL
    assert (run.new, run.rejected) == (2, 4)
    assert set(Tweet.objects.values_list("platform_id", flat=True)) == {LUCIA, MARIO}
    reasons = {error["id"]: error["message"] for error in run.errors}
    host = social.host
    assert reasons == {
        "113600000000000120": f"{host}: falta el campo 'uri'",
        f"{LUCIA}1": f"{host}: la fecha en 'created_at' no se entiende: 'ayer por la tarde'",
        f"{LUCIA}2": f"{host}: el campo 'content' no es texto: int",
        f"{LUCIA}3": f"{host}: el campo 'account' no es un objeto JSON",
    }


# --- Statuses and hashtags ------------------------------------------------------------------

def test_a_boost_carries_the_boosted_text_under_its_own_uri():
    record = mastodon_status_parse(fixture("status_reblog.json"), instance_host="mastodon.social")
    assert record.is_retweet
    assert record.platform_id == "https://mastodon.social/users/rosa/statuses/113600000000000160/activity"
    assert record.text == "Que alguien le explique al #naco de mi vecino que el volumen tiene botón."
    assert (record.author_handle, record.lang, record.hashtags) == ("rosa@mastodon.social", "es", ["naco"])


def test_hashtags_from_terms():
    terms = ["gordofobia", "sin cerebro", "Sin  Cerebro", "#Machismo", "mata-gatos", "güerito", "p*to", "100", "  "]
    assert hashtags_from_terms(terms) == ["gordofobia", "güerito", "machismo", "matagatos", "sincerebro"]
    assert hashtags_from_terms(["punal", "puñal"]) == ["puñal"]  # one timeline on Mastodon; the accents kept


@pytest.mark.django_db(transaction=True)
def test_dictionary_terms_are_read_as_hashtags(dictionary, archive_dir, instances):
    social = instances(social_timelines())
    run = download(mastodon_source(social, hashtags=("gordofobia",), from_dictionary=True))

    asked = {path.removeprefix(TAG_PATH) for _, path, _ in social.requests if path.startswith(TAG_PATH)}
    assert {"gordofobia", "naco", "pinchegordo", "mamaluchona", "testiculosdejehova", "puñal", "güerito"} <= asked
    assert asked == set(hashtags_from_terms(["gordofobia", *(term.text for term in dictionary_terms_active())]))
    assert run.status == IngestionRun.Status.SUCCEEDED
    assert set(Tweet.objects.values_list("platform_id", flat=True)) == {LUCIA, MARIO, SOFIA}
