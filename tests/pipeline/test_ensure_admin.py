"""`ensure_admin`: the embedded default's admin, its password printed once and kept 0600; refused in production."""
from __future__ import annotations

import io
import stat

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def embedded(settings, tmp_path):
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    return tmp_path


def run(**options) -> str:
    out = io.StringIO()
    call_command("ensure_admin", stdout=out, **options)
    return out.getvalue()


def test_the_password_is_printed_once_kept_0600_and_lets_the_admin_sign_in(embedded):
    first = run()
    password = (embedded / "admin-password.txt").read_text().strip()
    assert f"contraseña: {password}" in first and "0600" in first
    assert stat.S_IMODE((embedded / "admin-password.txt").stat().st_mode) == 0o600

    again = run()
    assert password not in again
    assert "admin-password.txt" in again and "0600" in again
    assert get_user_model().objects.filter(username="admin").count() == 1
    assert Client().login(username="admin", password=password)


def test_a_kept_password_file_with_wider_permissions_is_tightened(embedded):
    run()
    secret = embedded / "admin-password.txt"
    secret.chmod(0o644)
    run()
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600


def test_refused_with_debug_off(settings, tmp_path):
    settings.DEBUG = False
    settings.VAR_DIR = tmp_path
    with pytest.raises(CommandError, match="createsuperuser"):
        run()
    assert not get_user_model().objects.exists()
    assert not (tmp_path / "admin-password.txt").exists()


def test_refused_under_the_production_settings_module(embedded, settings):
    settings.SETTINGS_MODULE = "discriminamometro.settings.production"
    with pytest.raises(CommandError, match="modo integrado"):
        run()
    assert not get_user_model().objects.exists()
