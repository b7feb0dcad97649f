"""Rules every read endpoint shares: a key with the `read` scope, the limit headers, and bad filter values
refused with the parameter named."""
from __future__ import annotations

import base64

import pytest
from rest_framework.test import APIClient

from tests.api_fixtures import READ_URLS, client_for, error_of, ok

pytestmark = pytest.mark.django_db


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
