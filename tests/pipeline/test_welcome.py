"""`welcome`: the addresses and sign-ins `make run` prints last; no password outside the embedded mode."""
from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pipeline.management.commands import welcome
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def embedded(settings, tmp_path):
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    return tmp_path


def run(**options) -> str:
    out = io.StringIO()
    call_command("welcome", stdout=out, no_color=True, **options)
    return out.getvalue()


def admin_password(var) -> str:
    call_command("ensure_admin", stdout=io.StringIO())
    return (var / "admin-password.txt").read_text().strip()


def test_the_addresses_and_the_admins_password(embedded):
    password = admin_password(embedded)
    out = run()
    for address in ("http://127.0.0.1:8000/", "http://127.0.0.1:8000/admin/", "http://127.0.0.1:8000/etiquetado/"):
        assert address in out
    assert f"usuario: admin  contraseña: {password}" in out
    assert "Ctrl-C detiene todo." in out
    assert "usuaria" not in out  # no annotators file: no annotator line


def test_the_demo_annotators_that_still_exist_with_their_passwords(embedded):
    admin_password(embedded)
    UserFactory(username="ana")
    UserFactory(username="beatriz")
    UserFactory(username="carla", is_active=False)
    (embedded / "demo-annotators.txt").write_text("ana\tclave-ana\nbeatriz\tclave-beatriz\ncarla\tclave-carla\nrosa\tclave-rosa\n")
    out = run()
    assert "usuaria: ana      contraseña: clave-ana" in out
    assert "usuaria: beatriz  contraseña: clave-beatriz" in out
    assert "clave-carla" not in out  # inactive
    assert "clave-rosa" not in out  # no longer exists


def test_an_admin_without_a_kept_password_or_without_an_account(embedded):
    assert "créelo con «manage.py ensure_admin»" in run()
    UserFactory(username="admin")
    assert "changepassword admin" in run()


@pytest.mark.parametrize(
    ("module", "debug"), [("discriminamometro.settings.production", True), ("discriminamometro.settings.base", False)]
)
def test_outside_the_embedded_mode_it_refuses_and_prints_no_password(settings, embedded, module, debug):
    password = admin_password(embedded)
    (embedded / "demo-annotators.txt").write_text("ana\tclave-ana\n")
    UserFactory(username="ana")
    settings.DEBUG = debug
    settings.SETTINGS_MODULE = module  # last: each override starts a layer whose SETTINGS_MODULE is None
    out = io.StringIO()
    with pytest.raises(CommandError, match="modo integrado"):
        call_command("welcome", stdout=out)
    assert password not in out.getvalue() and "clave-ana" not in out.getvalue()
    assert out.getvalue() == ""


def test_wait_returns_as_soon_as_web_and_worker_answer(embedded, monkeypatch):
    admin_password(embedded)
    asked = []
    monkeypatch.setattr(welcome, "web_answers", lambda timeout: asked.append("web") or len(asked) >= 2)
    monkeypatch.setattr(welcome, "worker_answers", lambda timeout: asked.append("worker") or True)
    monkeypatch.setattr(welcome, "POLL_SECONDS", 0.01)
    out = run(wait=30)
    assert asked == ["web", "web", "worker"]
    assert "aún no responde" not in out and "contraseña:" in out


def test_wait_is_bounded_and_says_what_did_not_answer(embedded, monkeypatch):
    admin_password(embedded)
    monkeypatch.setattr(welcome, "web_answers", lambda timeout: True)
    monkeypatch.setattr(welcome, "worker_answers", lambda timeout: False)
    monkeypatch.setattr(welcome, "POLL_SECONDS", 0.01)
    out = run(wait=0.2)
    assert "El worker de Celery aún no responde" in out
    assert "contraseña:" in out  # printed all the same


def test_alerts_and_bulletins_are_listed_and_where_the_e_mails_go_without_a_server(embedded, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(embedded / "mail")
    out = run()
    assert f"http://127.0.0.1:8000/alertas/  (los correos se escriben en {embedded / 'mail'}/)" in out
    assert "http://127.0.0.1:8000/boletines/" in out
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # EMAIL_URL names a server: no note
    assert "los correos se escriben" not in run()
