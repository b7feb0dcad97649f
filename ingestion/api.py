"""Read endpoints of posts and of the dictionary (`read` scope).

Thin views: validate the query string, call a selector, answer. Posts carry
texts and handles (personal data), so they are only read with a key or a session.
"""
from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from api.pagination import CreatedCursorPagination
from api.query import query_validated
from api.serializers import ErrorOutput
from api.views import ApiView

from .selectors_read import PostFilters, dictionary_list, tweets_list
from .serializers import DictionaryInput, DictionaryOutput, TweetPageOutput, TweetsInput, category_answer, tweet_answer

READ_ERRORS: dict[int, Any] = {code: ErrorOutput for code in (400, 401, 403, 429)}

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


class DictionaryApi(ApiView):
    required_scope = "read"

    @extend_schema(
        operation_id="dictionary", tags=["lectura"], parameters=[DictionaryInput],
        responses={200: DictionaryOutput, **READ_ERRORS},
        summary="El diccionario completo: categorías con sus términos (sin paginar: es pequeño).",
        examples=[OpenApiExample("Diccionario", response_only=True, value={"count": 1, "results": [{
            "slug": "apariencia", "name": "Apariencia",
            "description": "Discriminación por apariencia física, color de piel, origen étnico o condición social.",
            "active": True, "terms": [{"text": "chacha", "active": True}, {"text": "naco", "active": True}],
        }]})],
    )
    def get(self, request: Request) -> Response:
        data = query_validated(DictionaryInput, request)
        categories = dictionary_list(include_inactive=not data["active"])
        return Response({"count": len(categories), "results": [category_answer(category) for category in categories]})
