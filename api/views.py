"""The bases of every API view: scopes, per-client limits and their headers on every response; and the read endpoints' skeleton."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db.models import QuerySet
from django.http import HttpResponseBase
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.views import APIView

from .keys import KeyInfo
from .pagination import KeysetCursorPagination
from .permissions import HasScope
from .query import query_validated
from .renderers import JsonFirstNegotiation
from .serializers import READ_ERRORS
from .throttling import rate_usage_count, rate_usage_of

F = TypeVar("F", bound=Callable[..., Any])


class ApiView(APIView):
    """Subclasses set `required_scope` ("classify" or "read")."""

    required_scope: str | None = None
    permission_classes = [HasScope]
    content_negotiation_class = JsonFirstNegotiation

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


class ReadApiView(ApiView):
    # A read endpoint (`read` scope): its query string validated by `query_input`, a list paged on `ordering`.
    # Subclasses set `query_input` (and `query_lists`, the parameters that may be repeated) and, for a list,
    # `ordering`: a unique key, all in one direction. (A comment, not a docstring: the schema shows a view's
    # inherited docstring where the operation has no description, and the read endpoints' must not change.)

    required_scope = "read"
    query_input: type[serializers.Serializer]
    query_lists: Sequence[str] = ()
    ordering: Sequence[str] = ("-id",)

    def query(self, request: Request) -> dict[str, Any]:
        """The query string, validated (a 400 in the one error shape otherwise)."""
        return query_validated(self.query_input, request, lists=self.query_lists)

    def page(self, queryset: QuerySet[Any], request: Request) -> tuple[list[Any], dict[str, str | None]]:
        """One page of the list, with its `next` and `previous` links."""
        paginator = KeysetCursorPagination(ordering=self.ordering)
        rows = paginator.paginate_queryset(queryset, request, view=self)
        return rows, paginator.links()


def read_schema(operation_id: str, *, query: type[serializers.Serializer], answer: type[serializers.Serializer],
                **details: Any) -> Callable[[F], F]:
    """The schema of a read endpoint: in the `lectura` group, its query parameters, its answer and the read errors."""
    return extend_schema(
        operation_id=operation_id, tags=["lectura"], parameters=[query], responses={200: answer, **READ_ERRORS}, **details
    )


def body_validated(
    serializer_class: type[serializers.Serializer], request: Request | None = None, *, request_data: Any = None
) -> dict[str, Any]:
    """The request body (or `request_data`, already read), validated by the serializer (a 400 in the one error
    shape otherwise)."""
    serializer = serializer_class(data=request.data if request is not None else request_data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def client_ids(request: Request) -> dict[str, Any]:
    """Who sent the request, as stored beside what it asks to keep: its API key, or its signed-in user."""
    if isinstance(request.auth, KeyInfo):
        return {"api_key_id": request.auth.id}
    return {"user_id": request.user.pk if request.user.is_authenticated else None}
