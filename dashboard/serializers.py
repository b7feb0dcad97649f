"""Query parameters and answer of the statistics endpoint."""
from __future__ import annotations

from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.query import QueryIntegerField, page_size_field
from ingestion.serializers import PostFiltersInput

from .selectors import STATS_GROUPS, StatsRow

STATS_PAGE_SIZE = 1000
STATS_MAX_PAGE_SIZE = 5000
MAX_PAGE = 1_000_000


class StatsInput(PostFiltersInput):
    group_by = serializers.CharField(
        required=False, default="day", max_length=100,
        help_text=format_lazy(
            _("Por qué agrupar: {groups}, separadas por comas o repitiendo el parámetro (por omisión day). "
              "Los días son de la Ciudad de México; las categorías, las predichas por el modelo."),
            groups=", ".join(STATS_GROUPS),
        ),
    )
    page = QueryIntegerField(required=False, default=1, min_value=1, max_value=MAX_PAGE, help_text=_("Número de página, desde 1."))
    page_size = page_size_field(default=STATS_PAGE_SIZE, maximum=STATS_MAX_PAGE_SIZE)

    def validate_group_by(self, value: str) -> list[str]:
        names = [name.strip() for name in value.split(",") if name.strip()]
        unknown = sorted(set(names) - set(STATS_GROUPS))
        if not names or unknown:
            raise serializers.ValidationError(
                _("Agrupe por una o varias de: %(groups)s.") % {"groups": ", ".join(STATS_GROUPS)}, code="invalid_choice"
            )
        return [name for name in STATS_GROUPS if name in names]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        if "category" in attrs["group_by"] and attrs["model_version"] is None:
            raise serializers.ValidationError(
                {"group_by": _("Agrupar por categoría necesita un modelo de discriminación activo, o `model_version`.")},
                code="no_model",
            )
        attrs["page_size"] = min(attrs.get("page_size", STATS_PAGE_SIZE), STATS_MAX_PAGE_SIZE)
        return attrs


class StatsRowOutput(serializers.Serializer):
    day = serializers.DateField(allow_null=True, help_text=_("Día (Ciudad de México); null si no se agrupa por día."))
    category = serializers.CharField(allow_null=True, help_text=_("Categoría predicha; null si no se agrupa por categoría."))
    state = serializers.CharField(
        allow_null=True, help_text=_("Estado; cadena vacía para publicaciones sin estado atribuido; null si no se agrupa por estado.")
    )
    posts = serializers.IntegerField(help_text=_("Publicaciones (con categoría: las que el modelo asignó a ella)."))
    scored = serializers.IntegerField(help_text=_("De ellas, las calificadas por el modelo."))
    discriminatory = serializers.IntegerField(help_text=_("De ellas, las que el modelo juzgó discriminatorias."))
    rate = serializers.FloatField(allow_null=True, help_text=_("discriminatory / scored; null sin publicaciones calificadas."))


class StatsPageOutput(serializers.Serializer):
    model_version = serializers.IntegerField(allow_null=True, help_text=_("Versión cuyas predicciones se cuentan, o null."))
    group_by = serializers.ListField(child=serializers.ChoiceField(choices=STATS_GROUPS))
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = StatsRowOutput(many=True)


def stats_row_answer(row: StatsRow) -> dict[str, Any]:
    return {
        "day": row.day.isoformat() if row.day is not None else None, "category": row.category, "state": row.state,
        "posts": row.posts, "scored": row.scored, "discriminatory": row.discriminatory, "rate": row.rate,
    }
