"""Hostile records from every source: each is rejected with its line, the good posts around it are stored.

Files (`import_tweets`: X API lines, CSV, the 2020 JSON arrays, gzip) and downloads
(X API pages through the real source, only HTTP replaced).
"""
from __future__ import annotations

import gzip
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import responses
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingestion.models import IngestionRun, RawBatch, Source, SourceCursor, Tweet
from ingestion.services.archive import raw_batch_read
from ingestion.services.downloads import source_download
from ingestion.services.imports import tweets_import_file
from ingestion.sources.files import FileReader
from tests.factories import SourceFactory
from tests.ingestion.services.test_imports import run_import

ROOT = Path(__file__).resolve().parents[3]
SEARCH_URL = "https://api.twitter.com/2/tweets/search/recent"


def tweet(tweet_id: str, **extra) -> dict:
    return {"id": tweet_id, "text": f"Publicación {tweet_id}", "created_at": "2026-11-20T10:00:00Z", "author_id": "u1", **extra}


# Every hostile class of the hardening issue, as the X API tweet object that carries it.
HOSTILE = {
    "date_9999": {"created_at": "9999-12-31T23:59:59-05:00"},
    "date_year_1": {"created_at": "0001-01-01T00:00:00+05:00"},
    "nul_name": {"author": {"id": "u9", "name": "Lu\x00pe"}},
    "nul_location": {"author": {"id": "u9", "location": "Mérida\x00"}},
    "nul_lang": {"lang": "e\x00s"},
    "nul_hashtag": {"entities": {"hashtags": [{"tag": "cdmx\x00"}]}},
    "long_author_id": {"author_id": "9" * 300},  # past the 255 characters an id may have
    "author_list": {"author": [1, 2]},
    "entities_string": {"entities": "x"},
    "referenced_string": {"referenced_tweets": "x"},
    "nul_text": {"text": "hola\x00"},
}


def line(item: dict) -> bytes:
    return json.dumps({"data": [item]}).encode()


@pytest.mark.django_db
def test_each_hostile_x_api_line_is_rejected_with_its_line_and_every_good_post_is_stored(tmp_path, dictionary):
    lines, expected_bad = [], {}
    for number, (name, fields) in enumerate(HOSTILE.items()):
        lines.append(line(tweet(f"good-{number}")))
        lines.append(line(tweet(f"bad-{name}", **fields)))
        expected_bad[2 * number + 2] = name
    path = tmp_path / "hostile.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")

    out, err, error = run_import(path)

    assert error is None
    assert Tweet.objects.count() == len(HOSTILE)
    assert not Tweet.objects.filter(platform_id__startswith="bad-").exists()
    for number in expected_bad:
        assert f"línea {number}" in err, expected_bad[number]
    assert f"{len(HOSTILE)} rechazadas" in out
    assert "fuera del rango" in err and "carácter nulo" in err and "no es un objeto" in err


@pytest.mark.django_db
def test_an_out_of_range_date_never_reaches_the_table(tmp_path, dictionary):
    path = tmp_path / "fechas.jsonl"
    path.write_bytes(b"\n".join([
        line(tweet("1")), line(tweet("2", created_at="9999-12-31T23:59:59-05:00")), line(tweet("3")),
    ]) + b"\n")
    out, err, error = run_import(path)
    assert error is None
    assert sorted(Tweet.objects.values_list("platform_id", flat=True)) == ["1", "3"]
    assert "línea 2" in err and "fuera del rango" in err
    latest = datetime.now(UTC) + timedelta(days=1)
    assert all(t.created_at <= latest for t in Tweet.objects.all())


@pytest.mark.django_db
def test_legacy_json_lone_surrogate_and_csv_nul_and_long_author_are_rejected_per_record(tmp_path, dictionary):
    legacy = tmp_path / "json_genero.txt"
    legacy.write_text(
        '[{"full_text": "bueno uno", "user_id": "1"}, {"full_text": "malo \\ud800", "user_id": "2"},'
        ' {"full_text": "bueno dos", "user_id": "3", "name": "\\u0000"}, {"full_text": "bueno tres", "user_id": 4}]'
    )
    out, err, error = run_import(legacy)
    assert error is None and Tweet.objects.count() == 2
    assert "línea 2" in err and "sustituto" in err and "línea 3" in err

    csv_path = tmp_path / "posts.csv"
    csv_path.write_text(
        "id,text,author_id,name\n10,hola,a,Ana\n11,hola,b,\"Be\x00to\"\n12,hola," + "9" * 300 + ",Ce\n13,adiós,c,Di\n"
    )
    out, err, error = run_import(csv_path)
    assert error is None
    assert set(Tweet.objects.filter(platform_id__in=["10", "11", "12", "13"]).values_list("platform_id", flat=True)) == {"10", "13"}
    assert "línea 3" in err and "línea 4" in err


@pytest.mark.django_db
def test_an_invalid_gzip_is_refused_clearly(tmp_path):
    fake = tmp_path / "posts.jsonl.gz"
    fake.write_bytes(b"not gzip at all\n")
    truncated = tmp_path / "cut.jsonl.gz"
    truncated.write_bytes(gzip.compress(b"\n".join(line(tweet(str(i))) for i in range(2000)))[:3000])

    out, err, error = run_import(fake)
    assert error is not None and "no es un archivo gzip válido" in err
    out, err, error = run_import(truncated)
    assert error is None or "dañado" in err
    assert "dañado o no es un gzip válido" in err and "Traceback" not in err


@pytest.mark.django_db
def test_a_line_too_long_in_a_gzipped_csv_is_refused_naming_the_limit(tmp_path, settings):
    settings.INGESTION = {**settings.INGESTION, "MAX_LINE_BYTES": 10_000}
    path = tmp_path / "posts.csv.gz"
    path.write_bytes(gzip.compress(b"id,text\n1,hola\n2," + b"a" * 50_000 + b"\n3,adios\n"))
    out, err, error = run_import(path)
    assert error is not None and "INGESTION_MAX_LINE_BYTES" in err


def bomb_write(path: Path, *, size: int) -> None:
    """A gzip of `size` bytes of "a" without a newline, written a megabyte at a time."""
    chunk = b"a" * (1024 * 1024)
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: the gzip container
    with path.open("wb") as handle:
        for _ in range(size // len(chunk)):
            handle.write(packer.compress(chunk))
        handle.write(packer.flush())


def _address_space_limited() -> None:
    limit = 1536 * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


@pytest.mark.django_db(transaction=True)
def test_a_gzip_bomb_is_refused_within_a_memory_limit(tmp_path):
    bomb = tmp_path / "bomb.jsonl.gz"
    bomb_write(bomb, size=1024**3)
    assert bomb.stat().st_size < 5 * 1024 * 1024
    db = connection.settings_dict
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "discriminamometro.settings.test",
        "TEST_DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "TEST_ARCHIVE_DIR": str(tmp_path / "archive"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "import_tweets", str(bomb), "--no-progress"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240, preexec_fn=_address_space_limited,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr, result.stderr[-2000:]
    assert "bomba de compresión" in result.stderr and "MB" in result.stderr, result.stderr[-2000:]


# --- Downloads ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_hostile_x_api_page_keeps_its_good_posts_and_moves_the_cursor(dictionary, archive_dir):
    source = SourceFactory.create(slug="x", name="X", kind=Source.Kind.X_API, config={})
    page = {
        "data": [tweet("100"), tweet("101", **HOSTILE["author_list"]), tweet("102", **HOSTILE["date_9999"]),
                 tweet("103", **HOSTILE["nul_hashtag"]), tweet("104")],
        "includes": {"users": [{"id": "u1", "username": "lupita", "name": "Lupita\x00"}]},
        "meta": {"newest_id": "104", "result_count": 5},
    }
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add(responses.GET, SEARCH_URL, json=page)
        outcome = source_download(source_id=source.pk)

    assert outcome.run is not None and outcome.run.status != IngestionRun.Status.FAILED
    # The users expansion carries a NUL: the posts that use it are refused, not the page.
    assert not Tweet.objects.exists()
    assert outcome.run.rejected >= 5 and "carácter nulo" in json.dumps(outcome.run.errors, ensure_ascii=False)
    assert SourceCursor.objects.filter(source=source, newest_id="104").exists()


@pytest.mark.django_db
def test_good_posts_of_an_x_api_page_with_hostile_neighbours_are_stored(dictionary, archive_dir):
    source = SourceFactory.create(slug="x", name="X", kind=Source.Kind.X_API, config={})
    page = {
        "data": [tweet("200"), *(tweet(f"2{n:02d}x", **fields) for n, fields in enumerate(HOSTILE.values())), tweet("201")],
        "includes": {"users": [{"id": "u1", "username": "lupita", "name": "Lupita"}]},
        "meta": {"newest_id": "201", "result_count": 2 + len(HOSTILE)},
    }
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add(responses.GET, SEARCH_URL, json=page)
        outcome = source_download(source_id=source.pk)
    assert outcome.run is not None and outcome.run.status != IngestionRun.Status.FAILED
    assert sorted(Tweet.objects.values_list("platform_id", flat=True)) == ["200", "201"]
    assert outcome.run.rejected % len(HOSTILE) == 0 and outcome.run.rejected > 0  # every query got the same page


@pytest.mark.django_db
def test_a_page_the_fast_encoder_refuses_is_archived_and_its_good_posts_stored(dictionary, archive_dir):
    source = SourceFactory.create(slug="x", name="X", kind=Source.Kind.X_API, config={})
    body = json.dumps({
        "data": [tweet("300"), tweet("301", public_metrics={"like_count": 2**70}), tweet("302", text="mal \ud800")],
        "meta": {"newest_id": "302"},
    })
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add(responses.GET, SEARCH_URL, body=body, content_type="application/json")
        outcome = source_download(source_id=source.pk)
    assert outcome.run is not None and outcome.run.status != IngestionRun.Status.FAILED
    assert list(Tweet.objects.values_list("platform_id", flat=True)) == ["300"]
    assert "64 bits" in json.dumps(outcome.run.errors, ensure_ascii=False)
    # The archive holds the page as it was sent (one batch per query of the source).
    pages = [page for batch in RawBatch.objects.filter(run=outcome.run) for page in raw_batch_read(path=batch.path)]
    page = pages[0]
    assert [item["id"] for item in page["data"]] == ["300", "301", "302"]
    assert repr(page["data"][1]["public_metrics"]["like_count"]) == repr(2**70)  # an int, not a float
    assert page["data"][2]["text"] == "mal \ud800"


# --- Property: any mix of lines, through the whole import ----------------------------

_ids = itertools.count()
hostile_fields = st.sampled_from(list(HOSTILE.values()))
junk = st.one_of(
    st.binary(max_size=40).filter(lambda b: b"\n" not in b and b"\r" not in b),
    st.text(max_size=40).map(lambda s: json.dumps({"data": [{"id": s, "text": s}]}).encode()),
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(kinds=st.lists(st.one_of(st.just("good"), hostile_fields, junk), min_size=1, max_size=12))
@pytest.mark.django_db
def test_any_mix_of_lines_keeps_every_good_post(kinds, dictionary):
    good, lines = [], []
    for kind in kinds:
        ident = f"p{next(_ids)}"
        if kind == "good":
            good.append(ident)
            lines.append(line(tweet(ident)))
        elif isinstance(kind, dict):
            lines.append(line(tweet(ident, **kind)))
        else:
            lines.append(kind)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mix.jsonl"
        path.write_bytes(b"\n".join(lines) + b"\n")
        summary = tweets_import_file(reader=FileReader(path=path, fmt="xapi", encoding="utf-8"), batch_size=4)
    assert set(good) <= set(Tweet.objects.filter(platform_id__in=good).values_list("platform_id", flat=True))
    assert all(error.line is not None for error in summary.errors)
