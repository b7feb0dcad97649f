"""Login throttling with django-axes: the sign-in page and the admin's stop answering after repeated failures.

Failures are counted per username and address together (`AXES_LOCKOUT_PARAMETERS`), so a
stranger guessing one account's password cannot lock its owner out from another address.
Settings in `discriminamometro/settings/base.py` (`AXES_*`).
"""
from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


class LoginThrottleBackend(AxesStandaloneBackend):
    """Axes's gatekeeper, for web logins only.

    `authenticate()` without a request (the test client's `login()`, a management command) is not a
    login through a page: there is no address to count against, so the check is skipped instead of
    raising, and the next backend decides as before.
    """

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def login_locked_out(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict[str, Any] | None = None) -> HttpResponse:
    """The sign-in page again, with the reason and a 429: the right password is refused until the wait ends."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    messages.error(request, _("Demasiados intentos fallidos de entrar con este usuario desde esta dirección. "
                              "Espera %(minutes)s minutos y vuelve a intentarlo.") % {"minutes": minutes})
    return render(request, "registration/login.html", {"form": AuthenticationForm(request)}, status=429)
