"""Keeps annotators on the labeling pages.

An annotator must label blind: the dashboard, the classifier pages and the API
show the model's predictions and other people's figures. A signed-in user who
may annotate but is neither staff nor a coordinator is sent back to the labeling
pages from anywhere else (API paths get a JSON 403 instead of a redirect).
"""
from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

# Paths an annotator may open: their pages, signing in and out, the language switch, static files.
OPEN_PREFIXES = ("/etiquetado/", "/cuenta/", "/i18n/", "/healthz", f"/{settings.STATIC_URL.strip('/')}/")


def annotator_only(user) -> bool:  # noqa: ANN001 (an authenticated user)
    """True for users whose only role is labeling: may annotate, not staff, not a coordinator."""
    if not user.is_authenticated or user.is_staff or user.is_superuser:
        return False
    return user.has_perm("labeling.annotate") and not user.has_perm("labeling.coordinate")


def roles_context(request: HttpRequest) -> dict[str, bool]:
    """Template context: `labeling_only` hides the links an annotator may not follow."""
    return {"labeling_only": annotator_only(request.user)}


class AnnotatorScopeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(OPEN_PREFIXES) or not annotator_only(request.user):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"code": "permission_denied", "message": _("Las cuentas de anotación solo pueden usar las páginas de etiquetado."),
                 "field": None},
                status=403,
            )
        return HttpResponseRedirect(reverse("labeling:index"))
