"""Read endpoints of posts with their predictions and of statistics (`read` scope): counts and rates per day, category and state."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiExample
from rest_framework.request import Request
from rest_framework.response import Response

from api.pagination import page_links
from api.views import ReadApiView, read_schema
from dashboard.selectors.posts import PostFilters, tweets_list
from dashboard.selectors.stats import stats_rows
from dashboard.serializers import TweetPageOutput, TweetsInput, tweet_answer

from .serializers import StatsInput, StatsPageOutput, stats_row_answer


class StatsApi(ReadApiView):
    """Rows are groups counted in SQL, not a table's rows with a key to hold a cursor: they are numbered by `page`."""

    query_input = StatsInput
    query_lists = ("group_by",)

    @read_schema(
        "stats", query=StatsInput, answer=StatsPageOutput,
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
        data = self.query(request)
        filters = PostFilters(**{key: data.get(key) for key in ("since", "until", "state", "category", "model_version")})
        size, page = data["page_size"], data["page"]
        rows = stats_rows(filters=filters, group_by=data["group_by"], limit=size + 1, offset=(page - 1) * size)
        version = filters.model_version
        return Response({
            "model_version": version.version if version is not None else None,
            "group_by": data["group_by"],
            **page_links(request, page=page, has_next=len(rows) > size),
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


class TweetListApi(ReadApiView):
    query_input = TweetsInput
    ordering = ("-created_at", "-id")  # newest first; the id breaks ties of a timestamp

    @read_schema(
        "tweets_list", query=TweetsInput, answer=TweetPageOutput,
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
        data = self.query(request)
        filters = PostFilters(**{key: data.get(key) for key in (
            "since", "until", "state", "category", "discriminatory", "model_version"
        )})
        page, links = self.page(tweets_list(filters=filters), request)
        version = filters.model_version
        return Response({
            "model_version": version.version if version is not None else None,
            **links,
            "results": [tweet_answer(tweet, version=version) for tweet in page],
        })
