"""A program's call with an API key skips the browser's middleware; a browser keeps all of it."""
from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from api.keys import api_key_create
from labeling.models import QueuedText
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FEEDBACK = {"text": "Pinche naco", "labels": ["discriminatory"]}


def test_a_key_request_gets_no_session_cookie_and_is_the_key_even_with_a_signed_in_browser(client_with):
    user = UserFactory.create(username="ana", password="x-secreto-123")
    _, key = api_key_create(name="ONG", scopes={"classify"})
    client = APIClient()
    client.force_login(user)  # the browser's session cookie goes with every request of this client
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    response = client.post("/api/v1/feedback", FEEDBACK, format="json")
    assert response.status_code == 201
    assert not response.cookies and "Cookie" not in response.get("Vary", "")
    queued = QueuedText.objects.get()
    assert queued.api_key_id is not None and queued.user_id is None  # counted and kept as the key's


def test_the_same_browser_without_a_key_still_uses_its_session():
    user = UserFactory.create(username="ana", password="x-secreto-123")
    client = APIClient()
    client.force_login(user)
    response = client.post("/api/v1/feedback", FEEDBACK, format="json")
    assert response.status_code == 201 and "Cookie" in response["Vary"]
    assert QueuedText.objects.get().user_id == user.pk


def test_a_browser_page_still_gets_its_locale_session_and_policy():
    page = APIClient().get("/cuenta/entrar/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert page.status_code == 200
    assert page["Content-Language"] == "es" and "Accept-Language" in page["Vary"]
    assert "csrftoken" in page.cookies
    assert "nonce-" in page["Content-Security-Policy"] or "script-src" in page["Content-Security-Policy"]


def test_a_key_request_is_answered_in_spanish_as_a_browser_is_with_the_sites_policy(client_with):
    wrong = client_with("classify").get("/api/v1/classify", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert wrong.status_code == 405
    assert wrong.json()["message"] == 'Método "GET" no permitido.'
    assert wrong["Content-Language"] == "es"
    browser = APIClient()
    browser.force_login(UserFactory.create(username="ana", password="x-secreto-123"))
    same = browser.get("/api/v1/classify", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")  # the whole middleware
    assert same.json() == wrong.json()
    assert wrong["Content-Security-Policy"] == same["Content-Security-Policy"]


def test_a_wrong_key_with_a_signed_in_browser_is_still_401():
    user = UserFactory.create(username="ana", password="x-secreto-123")
    client = APIClient()
    client.force_login(user)
    client.credentials(HTTP_AUTHORIZATION="Api-Key abcdefgh.not-the-secret")
    response = client.post("/api/v1/feedback", FEEDBACK, format="json")
    assert response.status_code == 401 and response.json()["code"] == "authentication_failed"
    assert not QueuedText.objects.exists()
