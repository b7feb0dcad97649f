"""`Authorization: Api-Key <key>` (or `X-Api-Key: <key>`, or `?key=` on the Perspective endpoints) for programs;
browsers use their session."""
from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from .keys import KeyInfo, api_key_find

KEYWORD = "Api-Key"


class ApiKeyUser:
    """`request.user` of a request made with an API key: authenticated, not a person."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, key: KeyInfo):
        self.key = key
        self.username = f"api-key:{key.prefix}"

    def __str__(self) -> str:
        return self.username


def presented_key(request: Request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    keyword, _, value = header.partition(" ")
    if keyword.lower() == KEYWORD.lower():
        return value.strip()
    return request.META.get("HTTP_X_API_KEY") or None


class ApiKeyAuthentication(BaseAuthentication):
    def presented(self, request: Request) -> str | None:
        return presented_key(request)

    def authenticate(self, request: Request) -> tuple[Any, KeyInfo] | None:
        key = self.presented(request)
        if key is None:
            return None
        info = api_key_find(key=key)
        if info is None:
            raise exceptions.AuthenticationFailed(_("La clave de API no es válida, fue revocada o expiró."))
        return ApiKeyUser(info), info

    def authenticate_header(self, request: Request) -> str:
        # Makes a missing or bad key a 401 (with WWW-Authenticate), not a 403.
        return f'{KEYWORD} realm="api"'


class QueryKeyAuthentication(ApiKeyAuthentication):
    """The usual headers, or `?key=<key>` in the query string as Perspective API clients send it
    (only on the endpoints that speak Perspective's protocol: a key in a URL ends up in logs)."""

    def presented(self, request: Request) -> str | None:
        return presented_key(request) or request.query_params.get("key") or None
