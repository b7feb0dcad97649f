"""`/analizar/` is metered like the API: an address gets the API's anonymous limit of analyses per minute."""
from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


def test_an_address_past_the_limit_waits_and_another_does_not(settings, fresh_counters):
    settings.API = {**settings.API, "ANONYMOUS_RATE": 3}
    visitor = Client(REMOTE_ADDR="203.0.113.9")
    answers = [visitor.post("/analizar/", {"texto": "hola"}).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = visitor.post("/analizar/", {"texto": "hola"})
    assert "Demasiados análisis en un minuto" in refused.content.decode() and int(refused["Retry-After"]) >= 1
    assert visitor.get("/analizar/").status_code == 200  # reading the page costs nothing
    assert Client(REMOTE_ADDR="198.51.100.4").post("/analizar/", {"texto": "hola"}).status_code == 200
