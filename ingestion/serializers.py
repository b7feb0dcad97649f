"""Query parameters and answer of the dictionary read endpoint."""
from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.query import QueryBooleanField
from ingestion.models import Category, Term


class DictionaryInput(serializers.Serializer):
    active = QueryBooleanField(
        required=False, default=True,
        help_text=_("true (por omisión): solo categorías y términos activos; false: también los inactivos."),
    )


class TermOutput(serializers.Serializer):
    text = serializers.CharField()
    active = serializers.BooleanField()


class CategoryOutput(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    active = serializers.BooleanField()
    terms = TermOutput(many=True)


class DictionaryOutput(serializers.Serializer):
    count = serializers.IntegerField(help_text=_("Número de categorías."))
    results = CategoryOutput(many=True)


def term_answer(term: Term) -> dict[str, Any]:
    return {"text": term.text, "active": term.active}


def category_answer(category: Category) -> dict[str, Any]:
    return {
        "slug": category.slug, "name": category.name, "description": category.description, "active": category.active,
        "terms": [term_answer(term) for term in category.listed_terms],  # type: ignore[attr-defined]
    }
