"""Query parameters and answers of the post list (`/api/v1/tweets`) and statistics (`/api/v1/stats`) endpoints."""
from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.pagination import KeysetCursorPagination
from api.query import MAX_INT, QueryBooleanField, QueryIntegerField, TimeRangeInput, cursor_field, page_size_field
from classifier.models import ModelVersion
from classifier.selectors.model_versions import model_version_for_reads
from dashboard.selectors.stats import STATS_GROUPS, StatsRow
from ingestion.geo import STATE_NAMES
from ingestion.models import Category, Tweet

STATE_CODES = ", ".join(sorted(STATE_NAMES))


STATE_HELP = format_lazy(_("Estado de México, clave ISO 3166-2 sin «MX-»: {codes}."), codes=STATE_CODES)


CATEGORY_HELP = _(
    "Identificador de una categoría (ver /api/v1/dictionary). Filtra por la categoría que **predijo el modelo** "
    "(la versión `model_version`, o la activa), no por la del término del diccionario que trajo la publicación: "
    "así se encuentran las publicaciones que tratan de esa categoría aunque el término que las trajo sea de otra. "
    "Las categorías de los términos encontrados vienen en `matched_categories` de cada publicación."
)


MODEL_VERSION_HELP = _(
    "Número de versión del modelo de discriminación cuyas predicciones se usan (ver /api/v1/models?task=discrimination); "
    "por omisión, la versión activa."
)


def _no_model_error(field: str) -> serializers.ValidationError:
    return serializers.ValidationError(
        {field: _("No hay un modelo de discriminación activo: indique `model_version`.")}, code="no_model"
    )


class PostFiltersInput(TimeRangeInput):
    """The filters posts and statistics share. `model_version` comes out as a ModelVersion (or None)."""

    state = serializers.CharField(required=False, max_length=3, help_text=STATE_HELP)
    category = serializers.SlugField(required=False, max_length=64, help_text=CATEGORY_HELP)
    model_version = QueryIntegerField(required=False, min_value=1, max_value=MAX_INT, help_text=MODEL_VERSION_HELP)

    # Filters that need a model's predictions: refused when there is no model to ask.
    prediction_fields: tuple[str, ...] = ("category",)

    def validate_state(self, value: str) -> str:
        code = value.upper()
        if code not in STATE_NAMES:
            raise serializers.ValidationError(
                _("No es la clave de un estado: use una de %(codes)s.") % {"codes": STATE_CODES}, code="invalid_choice"
            )
        return code

    def validate_category(self, value: str) -> str:
        if not Category.objects.filter(slug=value).exists():
            raise serializers.ValidationError(
                _("No existe la categoría «%(slug)s» (ver /api/v1/dictionary).") % {"slug": value}, code="does_not_exist"
            )
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        number = attrs.get("model_version")
        attrs["model_version"] = model_version_for_reads(version=number)
        if number is not None and attrs["model_version"] is None:
            raise serializers.ValidationError(
                {"model_version": _("No existe la versión %(version)s del modelo de discriminación.") % {"version": number}},
                code="does_not_exist",
            )
        for field in self.prediction_fields:
            if attrs.get(field) is not None and attrs["model_version"] is None:
                raise _no_model_error(field)
        return attrs


class TweetsInput(PostFiltersInput):
    discriminatory = QueryBooleanField(
        required=False, help_text=_("true: solo las que el modelo juzgó discriminatorias; false: solo las que no.")
    )
    cursor = cursor_field()
    page_size = page_size_field(default=KeysetCursorPagination.page_size, maximum=KeysetCursorPagination.max_page_size)

    prediction_fields = ("category", "discriminatory")


class PredictionOutput(serializers.Serializer):
    model_version = serializers.IntegerField(help_text=_("Versión del modelo de discriminación."))
    scores = serializers.DictField(child=serializers.FloatField(), help_text=_("Probabilidad de cada etiqueta."))
    discriminatory = serializers.BooleanField()
    categories = serializers.ListField(child=serializers.CharField(), help_text=_("Categorías predichas."))


class TweetMatchedTermOutput(serializers.Serializer):
    term = serializers.CharField()
    categories = serializers.ListField(child=serializers.CharField())
    start = serializers.IntegerField(help_text=_("Posición del primer carácter en el texto."))
    end = serializers.IntegerField(help_text=_("Posición después del último carácter."))


class TweetOutput(serializers.Serializer):
    id = serializers.CharField(help_text=_("Id de la publicación en la plataforma."))
    text = serializers.CharField()
    created_at = serializers.DateTimeField(help_text=_("Fecha de publicación, en hora de la Ciudad de México."))
    lang = serializers.CharField(help_text=_("Idioma según la plataforma; vacío si no lo dijo."))
    author_handle = serializers.CharField(help_text=_("Usuario del autor (sin nombre ni ubicación: datos personales)."))
    state = serializers.CharField(help_text=_("Estado atribuido (clave ISO 3166-2 sin «MX-»); vacío si no se pudo."))
    country = serializers.CharField(help_text=_("País atribuido (ISO 3166-1 alfa-2); vacío si no se sabe."))
    hashtags = serializers.ListField(child=serializers.CharField())
    matched_terms = TweetMatchedTermOutput(many=True, help_text=_("Términos del diccionario encontrados en el texto."))
    matched_categories = serializers.ListField(
        child=serializers.CharField(), help_text=_("Categorías de esos términos (las del diccionario, no las predichas).")
    )
    prediction = PredictionOutput(allow_null=True, help_text=_("Predicción del modelo; null si aún no la calificó."))


class TweetPageOutput(serializers.Serializer):
    model_version = serializers.IntegerField(allow_null=True, help_text=_("Versión cuyas predicciones se muestran, o null."))
    next = serializers.URLField(allow_null=True, help_text=_("Enlace a la página siguiente (más antigua), o null."))
    previous = serializers.URLField(allow_null=True, help_text=_("Enlace a la página anterior (más reciente), o null."))
    results = TweetOutput(many=True)


def tweet_answer(tweet: Tweet, *, version: ModelVersion | None) -> dict[str, Any]:
    """One post as the API shows it (see `tweets_list` for the prefetched attributes)."""
    predictions = tweet.selected_predictions  # type: ignore[attr-defined]
    prediction = predictions[0] if predictions and version is not None else None
    return {
        "id": tweet.platform_id,
        "text": tweet.text,
        "created_at": timezone.localtime(tweet.created_at).isoformat() if tweet.created_at else None,
        "lang": tweet.lang,
        "author_handle": tweet.author_handle,
        "state": tweet.state,
        "country": tweet.country_code,
        "hashtags": tweet.hashtags,
        "matched_terms": [
            {"term": m.get("term"), "categories": m.get("categories", []), "start": m.get("start"), "end": m.get("end")}
            for m in tweet.matches
        ],
        "matched_categories": [category.slug for category in tweet.matched_categories],  # type: ignore[attr-defined]
        "prediction": None if prediction is None else {
            "model_version": version.version,  # type: ignore[union-attr]
            "scores": prediction.scores,
            "discriminatory": prediction.discriminatory,
            "categories": prediction.categories,
        },
    }


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
