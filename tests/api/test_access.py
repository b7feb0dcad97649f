"""API keys, scopes, per-key limits in the real Redis, and one error shape for everything a client can get wrong."""
from __future__ import annotations

import time

import pytest
from rest_framework.test import APIClient

from api.keys import api_key_create, api_key_revoke
from api.models import ApiKey
from labeling.models import QueuedText
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FEEDBACK = {"text": "Pinche naco", "labels": ["discriminatory"]}


def error_of(response) -> dict:  # noqa: ANN001
    body = response.json()
    assert set(body) >= {"code", "message", "field"}, body
    return body


def test_keys_are_stored_hashed_and_shown_once():
    row, key = api_key_create(name="ONG", scopes={"classify"})
    stored = ApiKey.objects.get(pk=row.pk)
    assert key.startswith(stored.prefix + ".")
    assert key.split(".", 1)[1] not in stored.hashed_key and key not in stored.pk
    assert stored.hashed_key.startswith("sha512$$")


def test_no_key_bad_key_and_revoked_key_are_401(client_with):
    assert error_of(APIClient().post("/api/v1/feedback", FEEDBACK, format="json"))["code"] == "not_authenticated"
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Api-Key abcdefgh.not-the-secret")
    response = bad.post("/api/v1/feedback", FEEDBACK, format="json")
    assert response.status_code == 401 and error_of(response)["code"] == "authentication_failed"
    assert response["WWW-Authenticate"].startswith("Api-Key")

    row, key = api_key_create(name="ONG", scopes={"classify"})
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert client.post("/api/v1/feedback", FEEDBACK, format="json").status_code == 201
    api_key_revoke(row=row)  # the cached copy is dropped at once
    assert client.post("/api/v1/feedback", FEEDBACK, format="json").status_code == 401
    assert QueuedText.objects.count() == 1


def test_x_api_key_header_works_too():
    _, key = api_key_create(name="ONG", scopes={"classify"})
    response = APIClient().post("/api/v1/feedback", FEEDBACK, format="json", HTTP_X_API_KEY=key)
    assert response.status_code == 201


def test_a_key_without_the_scope_is_403(client_with):
    response = client_with("read").post("/api/v1/feedback", FEEDBACK, format="json")
    assert response.status_code == 403
    assert "classify" in error_of(response)["message"]
    assert QueuedText.objects.count() == 0


def test_a_logged_in_browser_session_may_classify():
    user = UserFactory.create(username="ana", password="x-secreto-123")
    client = APIClient(enforce_csrf_checks=False)
    client.force_login(user)
    response = client.post("/api/v1/feedback", FEEDBACK, format="json")
    assert response.status_code == 201
    assert QueuedText.objects.get().user_id == user.pk


def test_every_response_carries_the_limit_and_over_it_is_429_with_retry_after(client_with):
    for _attempt in range(2):  # four requests that straddle a minute boundary count in two windows: again
        client = client_with("classify", rate_limit=3)
        responses = [client.post("/api/v1/feedback", FEEDBACK, format="json") for _ in range(4)]
        if len({r["X-RateLimit-Reset"] for r in responses}) == 1:
            break
        QueuedText.objects.all().delete()
    assert [r.status_code for r in responses] == [201, 201, 201, 429]
    assert [r["X-RateLimit-Remaining"] for r in responses] == ["2", "1", "0", "0"]
    assert all(r["X-RateLimit-Limit"] == "3" for r in responses)
    reset = int(responses[0]["X-RateLimit-Reset"])
    assert time.time() <= reset <= time.time() + 61
    refused = responses[-1]
    assert error_of(refused)["code"] == "throttled"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert QueuedText.objects.count() == 3  # the refused one was not kept


def test_the_embedded_in_memory_cache_limits_too(client_with, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    client = client_with("classify", rate_limit=2)
    answers = [client.post("/api/v1/feedback", FEEDBACK, format="json") for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 429]


def test_each_key_has_its_own_window(client_with):
    first, second = client_with("classify", rate_limit=1), client_with("classify", rate_limit=1)
    assert first.post("/api/v1/feedback", FEEDBACK, format="json").status_code == 201
    assert first.post("/api/v1/feedback", FEEDBACK, format="json").status_code == 429
    assert second.post("/api/v1/feedback", FEEDBACK, format="json").status_code == 201


def test_refused_requests_carry_the_headers_too(client_with):
    response = APIClient().post("/api/v1/feedback", FEEDBACK, format="json")
    assert response.status_code == 401 and "X-RateLimit-Limit" in response


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code", "field"),
    [
        (b"{not json", "application/json", 400, "parse_error", None),
        (b"\xff\xfe{}", "application/json", 400, "parse_error", None),
        (b'{"text": "hola"}', "text/plain", 415, "unsupported_media_type", None),
        (b"[1, 2]", "application/json", 400, "invalid", None),
        (b'{"text": 5, "labels": []}', "application/json", 400, "invalid", "text"),
        (b'{"text": "   ", "labels": []}', "application/json", 400, "blank", "text"),
        (b'{"text": "hola", "labels": "discriminatory"}', "application/json", 400, "not_a_list", "labels"),
        (b'{"labels": []}', "application/json", 400, "required", "text"),
        (b'{"text": "a\\u0000b", "labels": []}', "application/json", 400, "null_characters_not_allowed", "text"),
    ],
)
def test_bad_input_gets_a_clear_error_and_keeps_nothing(client_with, body, content_type, status, code, field):
    response = client_with("classify").generic("POST", "/api/v1/feedback", body, content_type=content_type)
    assert response.status_code == status, response.content
    error = error_of(response)
    assert (error["code"], error["field"]) == (code, field)
    assert error["message"]
    assert QueuedText.objects.count() == 0


def test_oversized_body_is_413_and_too_long_text_is_400(client_with, settings):
    settings.API = {**settings.API, "MAX_BODY_BYTES": 1000, "MAX_TEXT_CHARS": 50}
    client = client_with("classify")
    big = client.post("/api/v1/feedback", {"text": "x" * 2000, "labels": []}, format="json")
    assert big.status_code == 413 and error_of(big)["code"] == "too_large"
    long = client.post("/api/v1/feedback", {"text": "x" * 51, "labels": []}, format="json")
    assert long.status_code == 400 and (error_of(long)["code"], error_of(long)["field"]) == ("max_length", "text")
    assert QueuedText.objects.count() == 0


def test_classify_without_an_active_model_is_503_not_a_crash(client_with):
    response = client_with("classify").post("/api/v1/classify", {"text": "hola"}, format="json")
    assert response.status_code == 503 and error_of(response)["code"] == "model_unavailable"


def test_unknown_api_route_and_wrong_method_use_the_error_shape(client_with):
    client = client_with("classify")
    assert error_of(client.get("/api/v1/nada"))["code"] == "not_found"
    assert error_of(client.post("/api/v1/tasks/años/predict", {"text": "x"}, format="json"))["code"] == "not_found"
    assert error_of(client.post("/api/v1/tasks/a%0Ab/predict", {"text": "x"}, format="json"))["code"] == "not_found"
    wrong = client.get("/api/v1/classify")
    assert wrong.status_code == 405 and error_of(wrong)["code"] == "method_not_allowed"
