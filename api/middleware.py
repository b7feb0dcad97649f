"""Middleware of the API's own: NUL characters refused at the door, and the browser's middleware
stepped over by programs calling with an API key.

PostgreSQL text cannot hold a NUL (0x00): a value carrying one (`?q=%00`, an admin filter
`?status__exact=%00`) reaches a query and fails as a 500. No legitimate link contains
one, so the request is answered 400 before any view runs: in the API's one error shape
under `/api/` and on the classifier's reference route, as plain text elsewhere.

A program calling the API with a key (`key_request`) has no session, no signed-in user,
no flash messages and no pages to protect with a nonce: the session and messages
middleware below let its request straight through, authentication leaves it anonymous
until the key is checked, the locale middleware only activates the language, and the
Content-Security-Policy is the site's, built once. A browser's request (no key) goes
through all of them as before. Each is Django's (or django-csp's) class with that one
test in front, in the same place in `settings.MIDDLEWARE`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any, cast

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import build_policy
from django.contrib.auth.middleware import AuthenticationMiddleware as BaseAuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.middleware import MessageMiddleware as BaseMessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware as BaseSessionMiddleware
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.middleware.locale import LocaleMiddleware as BaseLocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _

from .errors import error_body

NUL = "\x00"
API_PREFIXES = ("/api/", "/classifier/")
KEY_PREFIXES = ("/api/", "/v1alpha1/")  # where a key is read: the API, and Perspective's routes (also `?key=`)


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


def key_request(request: HttpRequest) -> bool:
    """A call of the API that presents a key (`api.authentication`'s headers, or `?key=` on Perspective's routes).
    The key decides who it is, whatever cookies come with it; a wrong key is a 401, never a fallback to a session."""
    known = getattr(request, "_key_request", None)
    if known is None:
        path = request.path_info
        meta = request.META
        known = path.startswith(KEY_PREFIXES) and (
            meta.get("HTTP_AUTHORIZATION", "")[:8].lower() == "api-key " or bool(meta.get("HTTP_X_API_KEY"))
            or (path.startswith("/v1alpha1/") and bool(request.GET.get("key")))
        )
        request._key_request = known  # type: ignore[attr-defined]
    return known


def _browser_only(base: type) -> type:
    """`base` with a key request let straight through to the next middleware."""

    class BrowserOnly(base):  # type: ignore[misc,valid-type]
        def __call__(self, request: HttpRequest) -> Any:
            if self.async_mode or not key_request(request):  # under ASGI, always Django's own way
                return super().__call__(request)
            return self.get_response(request)

    BrowserOnly.__name__ = BrowserOnly.__qualname__ = base.__name__
    BrowserOnly.__doc__ = f"{base.__module__}.{base.__name__}, for browsers only (a key request goes straight through)."
    return BrowserOnly


# A key request reads no session: no cookie set, no row or cache entry read, no `Vary: Cookie`.
SessionMiddleware = _browser_only(BaseSessionMiddleware)
MessageMiddleware = _browser_only(BaseMessageMiddleware)


class AuthenticationMiddleware(BaseAuthenticationMiddleware):
    """Django's, except that a key request's user is not looked up in a session: until DRF's
    `ApiKeyAuthentication` puts the key's user on it, it is anonymous (so the annotators' scope, which
    limits signed-in sessions, passes it; a key is a separate credential with scopes of its own)."""

    def __call__(self, request: HttpRequest) -> Any:
        if self.async_mode or not key_request(request):
            return super().__call__(request)
        request.user = AnonymousUser()
        return self.get_response(request)


class LocaleMiddleware(BaseLocaleMiddleware):
    """Django's, except that a key request only gets its language (from its Accept-Language; the API has
    no language-prefixed paths to redirect to) and `Content-Language`."""

    def __call__(self, request: HttpRequest) -> Any:
        if self.async_mode or not key_request(request):
            return super().__call__(request)
        translation.activate(translation.get_language_from_request(request))
        request.LANGUAGE_CODE = translation.get_language()
        response = cast(HttpResponseBase, self.get_response(request))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


# What django-csp's decorators set on a response (the policy's and the report-only policy's).
_CSP_CHOICES = frozenset(f"_csp_{what}{ro}" for what in ("config", "update", "replace", "exempt") for ro in ("", "_ro"))


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's, except that a key request's answer without a nonce or a per-view policy (the API's
    JSON) gets the site's policy built once per process instead of twice per response."""

    _built: tuple[str, str] | None = None

    def __call__(self, request: HttpRequest) -> Any:
        if self.async_mode or not key_request(request):
            return super().__call__(request)
        self.process_request(request)  # `request.csp_nonce`, should a page under the API's paths want one
        response = cast(HttpResponseBase, self.get_response(request))
        # A nonce used, or a view's own policy (django-csp's decorators): the long way.
        if getattr(request, "_csp_nonce", None) is not None or not _CSP_CHOICES.isdisjoint(vars(response)):
            return self.process_response(request, response)
        if self._built is None:
            self._built = (
                build_policy(**asdict(self.get_policy_parts(request=request, response=response))),
                build_policy(**asdict(self.get_policy_parts(request=request, response=response, report_only=True)),
                             report_only=True),
            )
        for header, value in zip((HEADER, HEADER_REPORT_ONLY), self._built, strict=True):
            if value and header not in response:
                response[header] = value
        return response
