"""Input and output of the classification endpoints (outputs document the schema; views return plain dicts)."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.fields import StrictBooleanField, StrictCharField, StrictFloatField, TextListField
from api.pagination import KeysetCursorPagination
from api.query import cursor_field, page_size_field
from classifier.contexts import TITLE_MAX_CHARS, YEAR_MAX, YEAR_MIN, context_fields
from classifier.label_sets import DISCRIMINATION, MOVIE_GENRES, TOXICITY
from classifier.models import ModelVersion

MAX_THRESHOLDS = 100  # far more labels than any label set has
UNKNOWN_LABELS_SHOWN, LABEL_SHOWN_CHARS = 10, 64
FEEDBACK_TASKS = (DISCRIMINATION, TOXICITY, MOVIE_GENRES)


def text_length_check(text: str) -> str:
    most = int(settings.API["MAX_TEXT_CHARS"])
    if len(text) > most:
        raise serializers.ValidationError(
            _("Tiene más de %(most)s caracteres.") % {"most": most}, code="max_length"
        )
    return text


class TextsInput(serializers.Serializer):
    text = StrictCharField(required=False, help_text="Un texto. Use `text` o `texts`, no los dos.")
    texts = TextListField(required=False, allow_empty=False, help_text="Varios textos.")
    thresholds = serializers.DictField(
        child=StrictFloatField(min_value=0.0, max_value=1.0), required=False,
        help_text=f"Umbral por etiqueta para esta petición (0 a 1); las demás usan el del modelo. "
                  f"Como mucho {MAX_THRESHOLDS} etiquetas.",
    )
    explain = StrictBooleanField(required=False, default=True, help_text="Incluir las palabras que más pesaron.")

    # The limits are read from settings at each request (not baked into the fields), so they
    # follow the configuration, and the fields are not rebuilt per request (measured: 0.15 ms).
    def validate_text(self, value: str) -> str:
        return text_length_check(value)

    def validate_thresholds(self, value: dict[str, float]) -> dict[str, float]:
        if len(value) > MAX_THRESHOLDS:
            raise serializers.ValidationError(
                _("Envíe como mucho %(most)s umbrales por petición.") % {"most": MAX_THRESHOLDS}, code="max_length"
            )
        return value

    def validate_texts(self, value: list[str]) -> list[str]:
        most = int(settings.API["MAX_TEXTS"])
        if len(value) > most:
            raise serializers.ValidationError(
                _("Envíe como mucho %(most)s textos por petición.") % {"most": most}, code="max_length"
            )
        errors = {}
        for i, text in enumerate(value):
            try:
                text_length_check(text)
            except serializers.ValidationError as error:
                errors[i] = error.detail
        if errors:
            raise serializers.ValidationError(errors)
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("text" in attrs) == ("texts" in attrs):
            raise serializers.ValidationError({"text": _("Envíe `text` (un texto) o `texts` (una lista), no los dos.")}, code="required")
        attrs["texts"] = [attrs.pop("text")] if "text" in attrs else attrs["texts"]
        return attrs


def thresholds_check(thresholds: dict[str, float] | None, *, labels: list[str]) -> None:
    """Per-request thresholds may only name labels the model has (checked once the model is known).

    The error names the first few unknown labels, each cut short: a client's mistake should not come
    back as a message the size of its request.
    """
    unknown = sorted(set(thresholds or {}) - set(labels))
    if unknown:
        shown = ", ".join(label[:LABEL_SHOWN_CHARS] for label in unknown[:UNKNOWN_LABELS_SHOWN])
        more = len(unknown) - UNKNOWN_LABELS_SHOWN
        if more > 0:
            shown += str(_(" y %(more)s más") % {"more": more})
        raise serializers.ValidationError(
            {"thresholds": _("Etiquetas que el modelo no tiene: %(labels)s.") % {"labels": shown}}, code="invalid",
        )


class TaskTextsInput(TextsInput):
    """`TextsInput`, and what a task's model reads besides the text (`classifier.contexts`)."""

    context = serializers.DictField(
        required=False,
        help_text=_("Datos de la fila además del texto, que el modelo de la tarea lee (con `text`). "
                    "movie-genres: `year` (año de estreno, 1800 a 2100) y `title` (título). Las demás tareas no usan contexto."),
    )
    contexts = serializers.ListField(
        child=serializers.DictField(), required=False, allow_empty=False,
        help_text=_("Un contexto por texto, en el orden de `texts` (con `texts`)."),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        single = "text" in attrs
        if "context" in attrs and not single:
            raise serializers.ValidationError({"context": _("Use `context` con `text`, o `contexts` con `texts`.")}, code="invalid")
        if "contexts" in attrs and single:
            raise serializers.ValidationError({"contexts": _("Use `contexts` con `texts`, o `context` con `text`.")}, code="invalid")
        attrs = super().validate(attrs)
        if "contexts" in attrs and len(attrs["contexts"]) != len(attrs["texts"]):
            raise serializers.ValidationError(
                {"contexts": _("Envíe un contexto por texto: %(texts)s.") % {"texts": len(attrs["texts"])}}, code="invalid",
            )
        return attrs


class MovieContextInput(serializers.Serializer):
    """What the movie-genres model reads besides the plot (`classifier.contexts`)."""

    year = serializers.IntegerField(
        required=False, min_value=YEAR_MIN, max_value=YEAR_MAX, help_text=_("Año de estreno: el modelo lee su década."),
    )
    title = StrictCharField(
        required=False, allow_blank=True, default="", max_length=TITLE_MAX_CHARS,
        help_text=_("Título de la película (en inglés): el modelo lee sus palabras aparte de las de la sinopsis."),
    )


# Per task with a context, the serializer of one context (its fields are `classifier.contexts`').
CONTEXT_INPUTS: dict[str, type[serializers.Serializer]] = {MOVIE_GENRES: MovieContextInput}


def contexts_check(data: dict[str, Any], *, task: str) -> list[dict[str, Any]] | None:
    """The request's contexts (`context` or `contexts`), one per text, each checked by its task's
    serializer (once the task is known); None when the request sends none.

    A task without context refuses one, and a field the task's context does not have is an error,
    not silently dropped: a misspelt `yaer` would otherwise change nothing without a word."""
    name = "context" if "context" in data else "contexts"
    given = [data["context"]] if name == "context" else data.get("contexts")
    if given is None:
        return None
    spec = CONTEXT_INPUTS.get(task)
    if spec is None:
        raise serializers.ValidationError({name: _("La tarea «%(task)s» no usa contexto.") % {"task": task}}, code="invalid")
    checked, errors = [], {}
    for i, context in enumerate(given):
        unknown = sorted(set(context) - set(context_fields(task=task)))
        serializer = spec(data=context)
        if unknown:
            shown = ", ".join(field[:LABEL_SHOWN_CHARS] for field in unknown[:UNKNOWN_LABELS_SHOWN])
            errors[i] = [serializers.ErrorDetail(
                str(_("Campos que el contexto de «%(task)s» no tiene: %(fields)s.") % {"task": task, "fields": shown}),
                code="invalid",
            )]
        elif not serializer.is_valid():
            errors[i] = serializer.errors
        else:
            checked.append(dict(serializer.validated_data))
    if errors:
        raise serializers.ValidationError({name: errors[0] if name == "context" else errors})
    return checked


class ClassifyInput(TextsInput):
    store = StrictBooleanField(
        required=False, default=False,
        help_text="Guardar los textos y ponerlos en la cola de etiquetado. Sin esto, no se guarda nada.",
    )


class FeedbackInput(serializers.Serializer):
    text = StrictCharField(help_text="El texto clasificado.")
    labels = serializers.ListField(
        child=StrictCharField(max_length=64), allow_empty=True,
        help_text="Las etiquetas que el cliente cree correctas ([] = ninguna: no discriminatorio).",
    )
    # Only the label sets the project knows: a free task name would fill the annotators' queue with
    # suggestions no campaign or model can use.
    task = serializers.ChoiceField(choices=FEEDBACK_TASKS, required=False, default=DISCRIMINATION)
    comment = StrictCharField(required=False, allow_blank=True, default="", max_length=2000)
    reference = StrictCharField(
        required=False, allow_blank=True, default="", max_length=200, help_text="Un identificador del cliente para este texto."
    )

    def validate_text(self, value: str) -> str:
        return text_length_check(value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        from classifier.label_sets import task_labels

        allowed = task_labels(task=attrs["task"])
        unknown = sorted(set(attrs["labels"]) - allowed) if allowed is not None else []
        if unknown:
            raise serializers.ValidationError(
                {"labels": _("Etiquetas que la tarea no tiene: %(labels)s.") % {"labels": ", ".join(unknown)}}, code="invalid"
            )
        attrs["labels"] = sorted(set(attrs["labels"]))
        return attrs


class MovieQueryInput(MovieContextInput):
    plot = StrictCharField(help_text="Sinopsis de la película (en inglés).")

    def validate_plot(self, value: str) -> str:
        return text_length_check(value)


# --- Outputs (schema) ---------------------------------------------------------------------

class MatchedTermOutput(serializers.Serializer):
    term = serializers.CharField()
    categories = serializers.ListField(child=serializers.CharField())
    start = serializers.IntegerField(help_text="Posición del primer carácter en el texto enviado.")
    end = serializers.IntegerField(help_text="Posición después del último carácter.")


class SpanOutput(serializers.Serializer):
    start = serializers.IntegerField(help_text="Posición del primer carácter en el texto enviado.")
    end = serializers.IntegerField(help_text="Posición después del último carácter.")


class ExplanationWordOutput(serializers.Serializer):
    word = serializers.CharField(help_text="La palabra (normalizada).")
    weight = serializers.FloatField(help_text="Cuánto movió la puntuación (log-odds); positivo empuja hacia la etiqueta.")
    start = serializers.IntegerField(
        allow_null=True,
        help_text="Dónde empieza su primera aparición en el texto enviado, en caracteres (puntos de código Unicode, "
                  "como los índices de Python: `text[start:end]`). La palabra tal como se escribió: «PUTOOOO» para `puto`, "
                  "«Es» dentro de «#NoEsNormal» para `es`, la URL entera para `_url_`. null si el texto no la contiene "
                  "(una palabra del contexto, como el título de una película).",
    )
    end = serializers.IntegerField(allow_null=True, help_text="Posición después del último carácter de su primera aparición; null con `start`.")
    spans = SpanOutput(many=True, help_text="Todas sus apariciones en el texto, en orden ([] si no aparece).")


class ExplanationOutput(serializers.Serializer):
    label = serializers.CharField()
    words = ExplanationWordOutput(many=True)


class ResultOutput(serializers.Serializer):
    labels = serializers.DictField(child=serializers.FloatField(), help_text="Probabilidad de cada etiqueta.")
    predicted = serializers.ListField(child=serializers.CharField(), help_text="Etiquetas en o sobre su umbral.")
    discriminatory = serializers.BooleanField(required=False)
    categories = serializers.ListField(child=serializers.CharField(), required=False)
    matched_terms = MatchedTermOutput(many=True, required=False)
    explanation = ExplanationOutput(required=False)
    model_version = serializers.IntegerField()


class ClassifyOutput(serializers.Serializer):
    task = serializers.CharField()
    model_version = serializers.IntegerField()
    results = ResultOutput(many=True)
    queued = serializers.IntegerField(required=False, help_text="Textos puestos en la cola de etiquetado (con `store`).")


class FeedbackOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()




class ModelVersionsInput(serializers.Serializer):
    task = serializers.CharField(
        required=False, max_length=64, help_text=_("Tarea: `discrimination`, `movie-genres` u otra entrenada.")
    )
    status = serializers.ChoiceField(
        required=False, choices=ModelVersion.Status.choices,
        help_text=_("candidate (entrenada, no activa), active (la que responde), retired (reemplazada) o failed."),
        error_messages={"invalid_choice": _("«{input}» no es un estado: use candidate, active, retired o failed.")},
    )
    cursor = cursor_field()
    page_size = page_size_field(default=KeysetCursorPagination.page_size, maximum=KeysetCursorPagination.max_page_size)


class ModelVersionOutput(serializers.Serializer):
    task = serializers.CharField()
    version = serializers.IntegerField(help_text=_("Número de versión dentro de la tarea (el `model_version` de las respuestas)."))
    status = serializers.ChoiceField(choices=ModelVersion.Status.choices)
    created_at = serializers.DateTimeField(help_text=_("Cuándo se entrenó (hora de la Ciudad de México)."))
    activated_at = serializers.DateTimeField(allow_null=True, help_text=_("Cuándo empezó a responder; null si nunca."))
    reason = serializers.CharField(help_text=_("Por qué no se activó o por qué falló; vacío si no aplica."))
    metrics = serializers.DictField(help_text=_(
        "Métricas en los datos reservados (held-out): `macro_f1`, `macro_roc_auc`, `macro_pr_auc`, … y, en `labels`, "
        "las de cada etiqueta (precisión, exhaustividad, F1, umbral, soporte)."
    ))


class ModelVersionPageOutput(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ModelVersionOutput(many=True)


def _local(value: Any) -> str | None:
    return timezone.localtime(value).isoformat() if value is not None else None


def model_version_answer(version: ModelVersion) -> dict[str, Any]:
    return {
        "task": version.task, "version": version.version, "status": version.status,
        "created_at": _local(version.created_at), "activated_at": _local(version.activated_at),
        "reason": version.reason, "metrics": version.metrics,
    }
