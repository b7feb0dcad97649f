"""One error shape for the whole API: `{"code", "message", "field"}` (plus `errors` when there are several).

`field` is the request field at fault as a dotted path (`texts.3`), or null.
"""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _flatten(detail: Any, path: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Every leaf error of a DRF detail structure, with its field path."""
    if isinstance(detail, dict) and {"message", "code"} <= set(detail) and not isinstance(detail["message"], (dict, list)):
        field = ".".join(path) or None
        if field == "non_field_errors":
            field = None
        return [{"code": str(detail["code"]), "message": str(detail["message"]), "field": field}]
    if isinstance(detail, dict):
        return [error for key, value in detail.items() for error in _flatten(value, (*path, str(key)))]
    if isinstance(detail, list):
        if len(detail) == 1:
            return _flatten(detail[0], path)
        return [error for i, value in enumerate(detail) for error in _flatten(value, (*path, str(i)) if path else path)]
    return [{"code": "error", "message": str(detail), "field": ".".join(path) or None}]


def error_body(errors: list[dict[str, Any]]) -> dict[str, Any]:
    body = dict(errors[0])
    if len(errors) > 1:
        body["errors"] = errors
    return body


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.APIException):
        errors = _flatten(exc.get_full_details())
    else:
        errors = [{"code": "error", "message": str(response.data), "field": None}]
    response.data = error_body(errors or [{"code": "error", "message": _("Error."), "field": None}])
    return response


@csrf_exempt  # a POST to a path that does not exist is a 404, not a CSRF failure
def json_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_body([{"code": "not_found", "message": _("No existe esta ruta de la API."), "field": None}]), status=404)

