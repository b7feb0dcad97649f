"""The one pagination of the API's lists: a cursor on a unique ordering key, for lists that grow while clients page.

DRF's `CursorPagination` keys its cursor on the first ordering field only and
steps over ties with an offset it caps at 1,000, so more than 1,000 posts with
the same timestamp (a file import with dates and no times) would page forever.
`KeysetCursorPagination` keeps DRF's cursors and links but puts every ordering
field in the position and filters with a row comparison, `(created_at, id) < (c, i)`,
which a composite index serves directly. Each list names its key, e.g.
`KeysetCursorPagination(ordering=("-created_at", "-id"))`; how a position is
read back follows the model field (a date and time, or an integer). A tampered
cursor is a 400.

`page_links` is not a second pagination: it writes the `next`/`previous` links
of the statistics, whose rows are groups counted in SQL, numbered by `page`.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination, _reverse_ordering
from rest_framework.request import Request
from rest_framework.utils.urls import remove_query_param, replace_query_param

from .query import MAX_BIGINT

SEPARATOR = "|"


def _datetime_position(text: str) -> datetime:
    value = parse_datetime(text)
    if value is None or timezone.is_naive(value):
        raise ValueError(text)
    return value


def _integer_position(text: str) -> int:
    if not text.isdigit() or int(text) > MAX_BIGINT:
        raise ValueError(text)
    return int(text)


def _position_parser(model: type[models.Model], name: str) -> Callable[[str], Any]:
    """How a cursor's text for the field `name` is read back: a date and time, or a (non-negative) integer."""
    field = model._meta.get_field(name)
    if isinstance(field, models.DateTimeField):
        return _datetime_position
    if isinstance(field, models.IntegerField):  # ids (AutoField, BigAutoField) too
        return _integer_position
    raise ImproperlyConfigured(f"A keyset cursor cannot order by {model.__name__}.{name}: use a date and time or an integer.")


def _position_text(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def keyset_after(fields: Sequence[str], values: Sequence[Any], *, descending: bool) -> Q:
    """Rows strictly after `values` in the order of `fields` (a row comparison, spelled for any database)."""
    op = "lt" if descending else "gt"
    after = Q()
    for i, field in enumerate(fields):
        after |= Q(**dict(zip(fields[:i], values[:i], strict=True)), **{f"{field}__{op}": values[i]})
    # The redundant bound on the first field lets the index range scan start at the cursor.
    return Q(**{f"{fields[0]}__{op}e": values[0]}) & after


class KeysetCursorPagination(CursorPagination):
    """Pages of a queryset in `ordering` (fields all in one direction, the last unique; newest id first by default)."""

    ordering: tuple[str, ...] = ("-id",)
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
    template = None

    def __init__(self, *, ordering: Sequence[str] | None = None) -> None:
        if ordering is not None:
            self.ordering = tuple(ordering)
        self.position_parsers: tuple[Callable[[str], Any], ...] = ()

    def _get_position_from_instance(self, instance: Any, ordering: Sequence[str]) -> str:
        return SEPARATOR.join(_position_text(getattr(instance, field.lstrip("-"))) for field in ordering)

    def _position_values(self, position: str) -> list[Any]:
        parts = position.split(SEPARATOR)
        if len(parts) != len(self.position_parsers):
            raise ValueError(position)
        return [parse(part) for parse, part in zip(self.position_parsers, parts, strict=True)]

    def decode_cursor(self, request: Request) -> Cursor | None:
        invalid = ValidationError(
            {self.cursor_query_param: _("El cursor no es válido: use los enlaces `next` y `previous` de la respuesta.")},
            code="invalid",
        )
        try:
            cursor = super().decode_cursor(request)
            if cursor == Cursor(offset=0, reverse=False, position=None):
                raise ValueError("a cursor that points nowhere")  # never one of ours: base64 of nothing
            if cursor is not None and cursor.position is not None:
                self._position_values(cursor.position)
        except (NotFound, ValueError, OverflowError):
            raise invalid from None
        return cursor

    def paginate_queryset(self, queryset: QuerySet[Any], request: Request, view: Any = None) -> list[Any]:
        """DRF's algorithm, with the position filter on every ordering field."""
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.ordering = self.get_ordering(request, queryset, view)
        self.position_parsers = tuple(_position_parser(queryset.model, field.lstrip("-")) for field in self.ordering)
        self.cursor = self.decode_cursor(request)
        offset, reverse, position = self.cursor if self.cursor is not None else (0, False, None)

        queryset = queryset.order_by(*(_reverse_ordering(self.ordering) if reverse else self.ordering))
        if position is not None:
            fields = [field.lstrip("-") for field in self.ordering]
            descending = self.ordering[0].startswith("-") != reverse
            queryset = queryset.filter(keyset_after(fields, self._position_values(position), descending=descending))

        # One extra row says whether there is a page after this one.
        results = list(queryset[offset : offset + self.page_size + 1])
        self.page = results[: self.page_size]
        following = self._get_position_from_instance(results[-1], self.ordering) if len(results) > len(self.page) else None
        if reverse:
            self.page.reverse()
            self.has_next, self.has_previous = position is not None or offset > 0, following is not None
            self.next_position, self.previous_position = position, following
        else:
            self.has_next, self.has_previous = following is not None, position is not None or offset > 0
            self.next_position, self.previous_position = following, position
        return self.page

    def links(self) -> dict[str, str | None]:
        return {"next": self.get_next_link(), "previous": self.get_previous_link()}


def page_links(request: Request, *, page: int, has_next: bool) -> dict[str, str | None]:
    """`next` and `previous` for a list numbered by `page` (from 1; the first page's link has no `page`)."""
    url = request.build_absolute_uri()
    previous = None
    if page > 1:
        previous = replace_query_param(url, "page", page - 1) if page > 2 else remove_query_param(url, "page")
    return {"next": replace_query_param(url, "page", page + 1) if has_next else None, "previous": previous}
