"""Reading query strings: one value per parameter, and the fields every read endpoint shares.

Query strings are validated with serializers like request bodies, so a bad value
is a 400 in the one error shape (`{"code", "message", "field"}`), never a 500.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.request import Request

# PositiveIntegerField and BigAutoField bounds: a larger number would be a database error.
MAX_INT = 2_147_483_647
MAX_BIGINT = 9_223_372_036_854_775_807


def query_data(request: Request, *, lists: Iterable[str] = ()) -> dict[str, Any]:
    """The query string as a plain dict (the last value of a repeated parameter wins).

    A plain dict, not the QueryDict: DRF reads a missing boolean of a QueryDict as
    an unticked HTML checkbox, i.e. `false`. Parameters in `lists` may be repeated
    or comma-separated (`group_by=day&group_by=state` is `group_by=day,state`).
    """
    data: dict[str, Any] = request.query_params.dict()
    for name in lists:
        values = request.query_params.getlist(name)
        if values:
            data[name] = ",".join(values)
    return data


def query_validated(serializer_class: type[serializers.Serializer], request: Request, *, lists: Iterable[str] = ()) -> dict[str, Any]:
    serializer = serializer_class(data=query_data(request, lists=lists))
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class QueryDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date or date and time; without an offset it is read in the site's time zone (Mexico City)."""

    default_error_messages = {
        "invalid": _("Use una fecha ISO 8601, p. ej. 2026-11-23 o 2026-11-23T08:00:00-06:00."),
        "make_aware": _("La hora no existe en la zona horaria {timezone}."),
        "overflow": _("La fecha está fuera del rango admitido."),
    }

    def enforce_timezone(self, value: Any) -> Any:
        try:
            return super().enforce_timezone(value)
        except OverflowError:  # DRF's own check of a time near year 9999 can overflow
            self.fail("overflow")


class QueryBooleanField(serializers.BooleanField):
    default_error_messages = {"invalid": _("Use true o false.")}


class QueryIntegerField(serializers.IntegerField):
    default_error_messages = {
        "invalid": _("Debe ser un número entero."),
        "max_value": _("Debe ser como mucho {max_value}."),
        "min_value": _("Debe ser al menos {min_value}."),
        "max_string_length": _("El número es demasiado largo."),
    }


def cursor_field() -> serializers.CharField:
    return serializers.CharField(
        required=False, max_length=1000,
        help_text=_("Posición en la lista: copie el enlace `next` o `previous` de la respuesta anterior, no lo construya."),
    )


def page_size_field(*, default: int, maximum: int) -> QueryIntegerField:
    return QueryIntegerField(
        required=False, min_value=1,
        help_text=format_lazy(
            _("Elementos por página (por omisión {default}); un valor mayor que {maximum} se reduce a {maximum}."),
            default=default, maximum=maximum,
        ),
    )


class TimeRangeInput(serializers.Serializer):
    """`since` (inclusive) and `until` (exclusive), the time filter of every read endpoint."""

    since = QueryDateTimeField(
        required=False,
        help_text=_("Desde esta fecha u hora, incluida (ISO 8601; sin zona horaria se entiende hora de la Ciudad de México)."),
    )
    until = QueryDateTimeField(
        required=False,
        help_text=_("Hasta esta fecha u hora, sin incluirla (ISO 8601; sin zona horaria se entiende hora de la Ciudad de México)."),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        since, until = attrs.get("since"), attrs.get("until")
        if since is not None and until is not None and since >= until:
            raise serializers.ValidationError({"until": _("Debe ser posterior a `since`.")}, code="invalid")
        return attrs
