"""The plain X API v2 path (`ingestion/v2_plain.py`) builds exactly the records the general parser
builds, and leaves to it every post it does not take, so per-record errors stay the same."""
from __future__ import annotations

import orjson
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from benchmarks.generator import PostFactory, pages_iterate
from ingestion.parsing import v2_page_parse
from ingestion.v2_plain import page_clean
from tests.ingestion.test_validation import BOUNDED, json_values, tweet_objects


def both_ways(page: dict) -> tuple[list, list]:
    line = orjson.dumps(page)
    assert page_clean(line)
    page = orjson.loads(line)
    return list(v2_page_parse(page, clean=True)), list(v2_page_parse(page, clean=False))


def assert_same(fast: list, checked: list) -> None:
    assert [type(item) for item in fast] == [type(item) for item in checked]
    for one, other in zip(fast, checked, strict=True):
        assert (str(one) if isinstance(one, Exception) else one) == (str(other) if isinstance(other, Exception) else other)


def test_generated_pages_read_the_same_both_ways():
    plain = 0
    for page in pages_iterate(PostFactory(count=3000, seed=7), count=3000):
        fast, checked = both_ways(page)
        assert_same(fast, checked)
        plain += sum(1 for item in fast if not isinstance(item, Exception))
    assert plain == 3000


@BOUNDED
@given(tweet=tweet_objects(), users=json_values, includes_tweets=json_values)
def test_any_post_reads_the_same_both_ways(tweet, users, includes_tweets):
    page = {"data": [tweet], "includes": {"users": users, "tweets": includes_tweets}}
    try:
        line = orjson.dumps(page)
    except TypeError:  # lone surrogates, integers past 64 bits: orjson would not have parsed such a line
        assume(False)
    assume(page_clean(line))
    assert_same(*both_ways(page))


short = st.one_of(st.text(max_size=12), st.none(), st.integers(min_value=-5, max_value=5))
entity_lists = st.lists(st.dictionaries(st.sampled_from(["tag", "username", "expanded_url"]), short, max_size=3), max_size=3)


def nearly_plain_tweets() -> st.SearchStrategy[dict]:
    """Posts close to the plain shape, each field now and then of the wrong type or size."""
    fields = {
        "id": st.one_of(st.from_regex(r"[0-9]{1,70}", fullmatch=True), short),
        "text": st.one_of(st.text(max_size=30), st.just(" "), st.text(min_size=10_001, max_size=10_002)),
        "created_at": st.one_of(st.sampled_from(["2026-11-20T10:00:00.000Z", "2026-11-20T10:00:00", "2005-01-01T00:00:00Z",
                                                 "9999-01-01T00:00:00Z", "", "NA"]), short),
        "lang": short, "author_id": short, "in_reply_to_user_id": short,
        "author": st.one_of(st.none(), st.dictionaries(st.sampled_from(["id", "username", "name", "location"]), short)),
        "entities": st.one_of(st.none(), st.just({}), st.dictionaries(st.sampled_from(["hashtags", "mentions", "urls"]),
                                                                      st.one_of(entity_lists, short))),
        "public_metrics": st.one_of(st.none(), st.dictionaries(st.text(max_size=70), st.one_of(
            st.integers(min_value=-(2**64), max_value=2**64), st.booleans(), short), max_size=4)),
        "referenced_tweets": st.one_of(st.none(), st.lists(st.fixed_dictionaries(
            {"type": st.sampled_from(["retweeted", "quoted", "replied_to"]), "id": st.sampled_from(["o1", "o2"])}), max_size=2)),
        "note_tweet": st.one_of(st.none(), st.fixed_dictionaries({"text": short})),
    }
    return st.fixed_dictionaries({}, optional=fields)


@BOUNDED
@given(tweet=nearly_plain_tweets(), users=st.lists(st.fixed_dictionaries({"id": short, "username": short, "location": short})))
def test_nearly_plain_posts_read_the_same_both_ways(tweet, users):
    page = {"data": [tweet], "includes": {"users": users, "tweets": [{"id": "o1", "text": "original", "entities": {}}]}}
    try:
        line = orjson.dumps(page)
    except TypeError:
        assume(False)
    assume(page_clean(line))
    assert_same(*both_ways(page))


@pytest.mark.parametrize("line", [b'{"data":[{"id":"1","text":"a\\u0000b"}]}', b'{"text":"\\u0000"}'])
def test_a_line_with_a_nul_is_not_clean(line):
    assert not page_clean(line)
