"""Read endpoint of the dictionary (`read` scope)."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiExample
from rest_framework.request import Request
from rest_framework.response import Response

from api.views import ReadApiView, read_schema
from ingestion.selectors.dictionary import dictionary_list
from ingestion.serializers import DictionaryInput, DictionaryOutput, category_answer


class DictionaryApi(ReadApiView):
    query_input = DictionaryInput

    @read_schema(
        "dictionary", query=DictionaryInput, answer=DictionaryOutput,
        summary="El diccionario completo: categorías con sus términos (sin paginar: es pequeño).",
        examples=[OpenApiExample("Diccionario", response_only=True, value={"count": 1, "results": [{
            "slug": "apariencia", "name": "Apariencia",
            "description": "Discriminación por apariencia física, color de piel, origen étnico o condición social.",
            "active": True, "terms": [{"text": "chacha", "active": True}, {"text": "naco", "active": True}],
        }]})],
    )
    def get(self, request: Request) -> Response:
        data = self.query(request)
        categories = dictionary_list(include_inactive=not data["active"])
        return Response({"count": len(categories), "results": [category_answer(category) for category in categories]})
