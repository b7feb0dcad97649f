"""Read endpoints of posts with their predictions and of statistics (`read` scope): counts and rates per day, category and state."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from api.pagination import CreatedCursorPagination
from api.query import query_validated
from api.serializers import READ_ERRORS
from api.views import ApiView
from dashboard.selectors.posts import PostFilters, tweets_list
from dashboard.selectors.stats import stats_rows
from dashboard.serializers import TweetPageOutput, TweetsInput, tweet_answer

from .serializers import StatsInput, StatsPageOutput, stats_row_answer


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





TWEET_EXAMPLE = {
    "id": "1861234567890123456",
    "text": "Pinche naco, regrésate a tu pueblo",
    "created_at": "2026-11-20T09:41:07-06:00",
    "lang": "es",
    "author_handle": "usuario_ejemplo",
    "state": "JAL",
    "country": "MX",
    "hashtags": [],
    "matched_terms": [{"term": "naco", "categories": ["apariencia"], "start": 7, "end": 11}],
    "matched_categories": ["apariencia"],
    "prediction": {
        "model_version": 3, "scores": {"discriminatory": 0.9312, "apariencia": 0.8125, "genero": 0.0210},
        "discriminatory": True, "categories": ["apariencia"],
    },
}


class TweetListApi(ApiView):
    required_scope = "read"

    @extend_schema(
        operation_id="tweets_list", tags=["lectura"], parameters=[TweetsInput],
        responses={200: TweetPageOutput, **READ_ERRORS},
        summary="Publicaciones descargadas, con los términos encontrados y la predicción del modelo, de la más reciente a la más antigua.",
        description=(
            "Paginación por cursor: siga el enlace `next` hasta que sea null; las publicaciones que lleguen "
            "mientras tanto no desordenan ni repiten las páginas. Solo publicaciones con fecha. "
            "`category` y `discriminatory` filtran por la predicción de `model_version` (o de la versión activa)."
        ),
        examples=[OpenApiExample("Una página", response_only=True, value={
            "model_version": 3, "previous": None,
            "next": "https://ejemplo.org/api/v1/tweets?cursor=cD0yMDI2LTExLTIw&discriminatory=true",
            "results": [TWEET_EXAMPLE],
        })],
    )
    def get(self, request: Request) -> Response:
        data = query_validated(TweetsInput, request)
        filters = PostFilters(**{key: data.get(key) for key in (
            "since", "until", "state", "category", "discriminatory", "model_version"
        )})
        paginator = CreatedCursorPagination()
        page = paginator.paginate_queryset(tweets_list(filters=filters), request, view=self)
        version = filters.model_version
        return Response({
            "model_version": version.version if version is not None else None,
            **paginator.links(),
            "results": [tweet_answer(tweet, version=version) for tweet in page],
        })
