"""The base of every API view: scopes, per-client limits and their headers on every response."""
from __future__ import annotations

from typing import Any

from django.http import HttpResponseBase
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.views import APIView

from .keys import KeyInfo
from .permissions import HasScope
from .throttling import rate_usage_count, rate_usage_of


class ApiView(APIView):
    """Subclasses set `required_scope` ("classify" or "read")."""

    required_scope: str | None = None
    permission_classes = [HasScope]

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)
        usage = rate_usage_of(request)
        if usage is None:
            # Refused before the limit was checked (bad key, missing scope): it still counts,
            # against the key when there is one, else against the client's address.
            try:
                usage = rate_usage_count(request)
            except exceptions.APIException:
                usage = rate_usage_count(request, anonymous=True)
        for header, value in usage.headers().items():
            response[header] = value
        return response


def body_validated(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    """The request body, validated by the serializer (a 400 in the one error shape otherwise)."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def client_ids(request: Request) -> dict[str, Any]:
    """Who sent the request, as stored beside what it asks to keep: its API key, or its signed-in user."""
    if isinstance(request.auth, KeyInfo):
        return {"api_key_id": request.auth.id}
    return {"user_id": request.user.pk if request.user.is_authenticated else None}
