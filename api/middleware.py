"""Query strings with a NUL character are refused at the door, for every page, the admin and the API.

PostgreSQL text cannot hold a NUL (0x00): a value carrying one (`?q=%00`, an admin filter
`?status__exact=%00`) reaches a query and fails as a 500. No legitimate link contains
one, so the request is answered 400 before any view runs: in the API's one error shape
under `/api/` and on the classifier's reference route, as plain text elsewhere.
"""
from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

from .errors import error_body

NUL = "\x00"
API_PREFIXES = ("/api/", "/classifier/")


def _has_nul(request: HttpRequest) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in request.GET.lists())


class QueryNulRefusedMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _has_nul(request):
            return self.get_response(request)
        message = _("La dirección contiene un carácter no válido (NUL).")
        if request.path.startswith(API_PREFIXES):
            return JsonResponse(error_body([{"code": "invalid", "message": message, "field": None}]), status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
