"""The statistics endpoint (`read` scope): counts and rates per day, category and state."""
from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from api.query import query_validated
from api.serializers import ErrorOutput
from api.views import ApiView
from ingestion.selectors_read import PostFilters

from .selectors import stats_rows
from .serializers import StatsInput, StatsPageOutput, stats_row_answer

READ_ERRORS: dict[int, Any] = {code: ErrorOutput for code in (400, 401, 403, 429)}


def _page_links(request: Request, *, page: int, has_next: bool) -> dict[str, str | None]:
    url = request.build_absolute_uri()
    previous = None
    if page > 1:
        previous = replace_query_param(url, "page", page - 1) if page > 2 else remove_query_param(url, "page")
    return {"next": replace_query_param(url, "page", page + 1) if has_next else None, "previous": previous}


class StatsApi(ApiView):
    required_scope = "read"

    @extend_schema(
        operation_id="stats", tags=["lectura"], parameters=[StatsInput],
        responses={200: StatsPageOutput, **READ_ERRORS},
        summary="Publicaciones, publicaciones discriminatorias y su proporción por día, categoría y estado.",
        description=(
            "Cuenta las publicaciones con fecha que cumplen los filtros y las predicciones de `model_version` "
            "(o de la versión activa). Filas ordenadas por día, categoría y estado, en páginas (`page`)."
        ),
        examples=[OpenApiExample("Por día y estado", response_only=True, value={
            "model_version": 3, "group_by": ["day", "state"], "previous": None,
            "next": "https://ejemplo.org/api/v1/stats?group_by=day,state&page=2",
            "results": [
                {"day": "2026-11-20", "category": None, "state": "CMX", "posts": 412, "scored": 410,
                 "discriminatory": 57, "rate": 0.139},
                {"day": "2026-11-20", "category": None, "state": "JAL", "posts": 96, "scored": 96,
                 "discriminatory": 11, "rate": 0.1146},
            ],
        })],
    )
    def get(self, request: Request) -> Response:
        data = query_validated(StatsInput, request, lists=("group_by",))
        filters = PostFilters(**{key: data.get(key) for key in ("since", "until", "state", "category", "model_version")})
        size, page = data["page_size"], data["page"]
        rows = stats_rows(filters=filters, group_by=data["group_by"], limit=size + 1, offset=(page - 1) * size)
        version = filters.model_version
        return Response({
            "model_version": version.version if version is not None else None,
            "group_by": data["group_by"],
            **_page_links(request, page=page, has_next=len(rows) > size),
            "results": [stats_row_answer(row) for row in rows[:size]],
        })
