"""The record check (`ingestion/validation.py`) and every post parser, against generated input.

Property: whatever a source hands over, a parser returns a valid `TweetRecord` or
raises `RecordInvalid`; nothing else escapes, and what it returns the database takes.
"""
from __future__ import annotations

import contextlib
import dataclasses
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingestion.parsing import (
    csv_columns_resolve,
    csv_row_parse,
    legacy_csv_parse,
    legacy_json_parse,
    v2_page_parse,
    v2_tweet_parse,
)
from ingestion.records import RecordInvalid, TweetRecord
from ingestion.validation import column_limits, date_check, record_validate

BOUNDED = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Strings that hurt: NUL, lone surrogates, very long ones, plain ones.
hostile_text = st.one_of(
    st.text(max_size=40),
    st.just("\x00"), st.just("a\x00b"), st.just("\ud800"), st.just("x\udfff"),
    st.text(min_size=300, max_size=300), st.just(""), st.just("   "),
)
json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), hostile_text,
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
dates = st.one_of(
    st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat()),
    st.sampled_from([
        "9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00", "2026-13-45T10:00:00Z",
        "2026-11-20T10:00:00.000Z", "2026-11-20 10:00:00", "ayer", "NA", "",
    ]),
    json_values,
)


def tweet_objects() -> st.SearchStrategy[dict]:
    fields = {
        "id": st.one_of(st.text(max_size=70), st.integers(min_value=-(2**80), max_value=2**80), json_values),
        "text": hostile_text, "created_at": dates, "lang": hostile_text, "author_id": json_values,
        "author": json_values, "entities": json_values, "referenced_tweets": json_values, "geo": json_values,
        "public_metrics": json_values, "note_tweet": json_values, "in_reply_to_user_id": json_values,
    }
    return st.fixed_dictionaries({}, optional=fields)


def assert_valid(record: TweetRecord) -> None:
    """What the database needs of a stored post (the same rules, stated again plainly)."""
    limits = column_limits()
    for name, limit in limits.items():
        value = getattr(record, name)
        assert isinstance(value, str) and "\x00" not in value and (not limit or len(value) <= limit)
        value.encode("utf-8")  # no lone surrogate
    for name in ("hashtags", "mentions", "urls"):
        for item in getattr(record, name):
            assert "\x00" not in item
            item.encode("utf-8")
    if record.created_at is not None:
        assert record.created_at.tzinfo is not None
        record.created_at.astimezone(UTC)  # converting cannot overflow


@BOUNDED
@given(tweet=tweet_objects(), users=json_values, includes_tweets=json_values)
def test_v2_page_parse_yields_only_records_or_per_record_errors(tweet, users, includes_tweets):
    page = {"data": [tweet], "includes": {"users": users, "tweets": includes_tweets}}
    for item in v2_page_parse(page):
        assert isinstance(item, (TweetRecord, RecordInvalid))
        if isinstance(item, TweetRecord):
            assert_valid(item)


@BOUNDED
@given(page=json_values)
def test_v2_page_parse_takes_any_json_line(page):
    for item in v2_page_parse(page):
        assert isinstance(item, (TweetRecord, RecordInvalid))


@BOUNDED
@given(item=st.dictionaries(st.sampled_from(["full_text", "user_id", "screen_name", "name", "location"]), json_values))
def test_legacy_json_parse_returns_a_valid_record_or_refuses(item):
    with contextlib.suppress(RecordInvalid):
        assert_valid(legacy_json_parse(item))


csv_rows = st.dictionaries(
    st.sampled_from(["id", "text", "created_at", "lang", "author_id", "username", "name", "location", "lat", "lon"]),
    st.one_of(st.text(max_size=30), hostile_text, st.sampled_from(["nan", "inf", "1e999", "91", "²", "2006-01-01"])),
)


@BOUNDED
@given(row=csv_rows)
def test_generic_csv_row_parse_returns_a_valid_record_or_refuses(row):
    columns = csv_columns_resolve(["id", "text", "created_at", "lang", "author_id", "username", "name", "location", "lat", "lon"])
    with contextlib.suppress(RecordInvalid):
        assert_valid(csv_row_parse(row, columns=columns))


@BOUNDED
@given(row=st.dictionaries(
    st.sampled_from(["id", "text", "created", "screenName", "latitude", "longitude", "favoriteCount", "isRetweet"]),
    st.one_of(hostile_text, st.sampled_from(["²", "12", "NA", "1e400", "-200"])),
))
def test_legacy_csv_row_parse_returns_a_valid_record_or_refuses(row):
    with contextlib.suppress(RecordInvalid):
        assert_valid(legacy_csv_parse(row))


@BOUNDED
@given(
    name=st.sampled_from(["lang", "author_id", "author_handle", "author_name", "author_location", "place_name"]),
    value=hostile_text,
    created_at=st.one_of(st.none(), st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5))]),
    )),
)
def test_record_validate_accepts_exactly_what_the_database_takes(name, value, created_at):
    record = dataclasses.replace(TweetRecord(platform_id="1", text="hola"), **{name: value}, created_at=created_at)
    try:
        record_validate(record)
    except RecordInvalid:
        return
    assert_valid(record)
    if created_at is not None:
        assert datetime(2006, 1, 1, tzinfo=UTC) <= created_at <= datetime.now(UTC) + timedelta(days=1)


@pytest.mark.parametrize("value", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00", "2005-12-31T23:59:59Z"])
def test_a_date_out_of_range_is_refused_with_its_reason(value):
    tweet = {"id": "1", "text": "hola", "created_at": value}
    with pytest.raises(RecordInvalid, match="fuera del rango"):
        v2_tweet_parse(tweet, users={}, places={}, referenced={})


def test_a_date_without_zone_is_refused_and_today_is_accepted():
    with pytest.raises(RecordInvalid, match="zona horaria"):
        date_check(datetime(2020, 1, 1))
    assert date_check(datetime.now(UTC)) is not None


@pytest.mark.parametrize(("field", "value", "reason"), [
    ("author", {"id": "u1", "name": "Lu\x00pe"}, "carácter nulo"),
    ("author", {"id": "u1", "location": "Mérida\x00"}, "carácter nulo"),
    ("lang", "e\x00s", "carácter nulo"),
    ("entities", {"hashtags": [{"tag": "a\x00"}]}, "carácter nulo"),
    ("author_id", "9" * 256, "más que el límite de 255"),
    ("author", [1, 2], "'author' no es un objeto"),
    ("entities", "x", "'entities' no es un objeto"),
    ("referenced_tweets", "x", "'referenced_tweets' no es una lista"),
    ("text", "hola \ud800", "sustituto"),
    ("public_metrics", [1], "'public_metrics' no es un objeto"),
    ("geo", "x", "'geo' no es un objeto"),
])
def test_each_hostile_field_is_refused_with_its_reason(field, value, reason):
    tweet = {"id": "1", "text": "hola", "created_at": "2026-11-20T10:00:00Z", field: value}
    results = list(v2_page_parse({"data": [tweet, {"id": "2", "text": "buenas"}]}))
    assert isinstance(results[0], RecordInvalid) and reason in str(results[0]) and "[id 1]" in str(results[0])
    assert isinstance(results[1], TweetRecord) and results[1].platform_id == "2"


def test_a_lone_surrogate_in_the_legacy_json_is_refused_before_hashing():
    with pytest.raises(RecordInvalid, match="sustituto"):
        legacy_json_parse({"full_text": "hola", "user_id": "\udc00"})
    with pytest.raises(RecordInvalid, match="sustituto"):
        legacy_json_parse({"full_text": "hola \ud83d"})
