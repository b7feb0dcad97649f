"""Login throttling (django-axes): after 5 failures of one username from one address, even the right password
is refused for a while, on the sign-in page and on the admin's."""
from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "x-clave-123"


@pytest.mark.parametrize("url", ["/cuenta/entrar/", "/admin/login/"])
def test_the_sixth_attempt_is_refused_even_with_the_right_password(url):
    UserFactory.create(username="ana", password=PASSWORD, is_staff=True, is_superuser=True)
    client = Client(REMOTE_ADDR="203.0.113.7")
    answers = [client.post(url, {"username": "ana", "password": "mala"}).status_code for _ in range(5)]
    assert answers == [200, 200, 200, 200, 429]  # the fifth failure already says why
    assert "_auth_user_id" not in client.session
    locked = client.post(url, {"username": "ana", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Demasiados intentos fallidos" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_per_username_and_address():
    UserFactory.create(username="ana", password=PASSWORD)
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(5):
        attacker.post("/cuenta/entrar/", {"username": "ana", "password": "mala"})
    owner = Client(REMOTE_ADDR="198.51.100.2")
    assert owner.post("/cuenta/entrar/", {"username": "ana", "password": PASSWORD}).status_code == 302


def test_a_success_before_the_limit_starts_the_count_again():
    UserFactory.create(username="ana", password=PASSWORD)
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(4):
        client.post("/cuenta/entrar/", {"username": "ana", "password": "mala"})
    assert client.post("/cuenta/entrar/", {"username": "ana", "password": PASSWORD}).status_code == 302
    client.logout()
    for _ in range(4):
        client.post("/cuenta/entrar/", {"username": "ana", "password": "mala"})
    assert client.post("/cuenta/entrar/", {"username": "ana", "password": PASSWORD}).status_code == 302
