"""Admin of the classifier: the training table, the model versions (their reports as tables) and the word vectors."""
from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .models import EmbeddingVersion, LabeledText, ModelVersion
from .selectors.reports import VersionReport, model_version_is_demo, model_version_report
from .templatetags.model_figures import figure


@admin.register(LabeledText)
class LabeledTextAdmin(admin.ModelAdmin):
    list_display = ["short_text", "task", "label_list", "source", "split", "weak", "updated_at"]
    list_filter = ["task", "source", "split", "weak"]
    search_fields = ["text", "external_id"]
    readonly_fields = ["created_at", "updated_at"]
    list_per_page = 50
    show_full_result_count = False

    @admin.display(description=_("texto"))
    def short_text(self, obj: LabeledText) -> str:
        return obj.text[:90]

    @admin.display(description=_("etiquetas"))
    def label_list(self, obj: LabeledText) -> str:
        return ", ".join(obj.labels) or "—"


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    """A version's training report as tables (the same as the model page's), its raw JSON folded away."""

    list_display = ["task", "version", "status", "demo", "training_rows", "macro_f1", "created_at", "activated_at"]
    list_filter = ["task", "status"]
    search_fields = ["task", "reason"]
    readonly_fields = [f.name for f in ModelVersion._meta.fields] + [
        "demo", "page_link", "summary", "label_figures", "labels_not_offered", "sources",
    ]
    fieldsets = [
        (None, {"fields": ["task", "version", "status", "demo", "created_at", "activated_at", "reason", "page_link"]}),
        (_("Cifras en las filas reservadas"), {"fields": ["summary", "label_figures", "labels_not_offered"]}),
        (_("Datos de entrenamiento"), {"fields": ["sources"]}),
        (_("Artefacto"), {"fields": ["artifact_path", "artifact_sha256"]}),
        (_("Informe y parámetros en bruto (JSON)"), {"classes": ["collapse"], "fields": ["metrics", "params"]}),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("macro F1"))
    def macro_f1(self, obj: ModelVersion) -> str:
        value = obj.metrics.get("macro_f1")
        return f"{value:.3f}" if isinstance(value, (int, float)) else "—"

    @admin.display(description=_("filas de entrenamiento"))
    def training_rows(self, obj: ModelVersion) -> str:
        value = obj.metrics.get("training_rows")
        return str(value) if isinstance(value, int) else "—"

    @admin.display(description=_("de demostración"), boolean=True)
    def demo(self, obj: ModelVersion) -> bool:
        return model_version_is_demo(version=obj)

    @admin.display(description=_("en el sitio"))
    def page_link(self, obj: ModelVersion) -> str:
        url = reverse("classifier:version", args=[obj.task, obj.version])
        return format_html('<a href="{}">{}</a>', url, _("Informe de la versión en la página del clasificador"))

    @admin.display(description=_("resumen"))
    def summary(self, obj: ModelVersion) -> str:
        report = _report(obj)
        figures = [
            (_("filas de entrenamiento"), report.training_rows), (_("filas reservadas"), report.held_out_rows),
            (_("macro F1"), report.macro_f1), (_("macro ROC AUC"), report.macro_roc_auc),
            (_("error de calibración medio"), report.macro_calibration_error),
        ]
        return format_html_join(" · ", "{}: <strong>{}</strong>", ((name, figure(value)) for name, value in figures))

    @admin.display(description=_("cifras por etiqueta"))
    def label_figures(self, obj: ModelVersion) -> str:
        return _scrolling(render_to_string("classifier/_label_figures.html", {"labels": _report(obj).labels}))

    @admin.display(description=_("etiquetas no ofrecidas"))
    def labels_not_offered(self, obj: ModelVersion) -> str:
        rows = _report(obj).not_offered
        if not rows:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join("", "<li><strong>{}</strong>{}: {}</li>", (
            (name, "" if name == label else f" ({label})", reason) for label, name, reason in rows)))

    @admin.display(description=_("datos por origen"))
    def sources(self, obj: ModelVersion) -> str:
        return _scrolling(render_to_string("classifier/_sources_table.html", {"sources": _report(obj).sources}))


def _report(obj: ModelVersion) -> VersionReport:
    """The version's report, built once per page (four fields show parts of it)."""
    cached: VersionReport | None = getattr(obj, "_admin_report", None)
    if cached is None:
        cached = model_version_report(version=obj)
        obj._admin_report = cached  # type: ignore[attr-defined]
    return cached


def _scrolling(html: str) -> str:
    """A wide table scrolls inside its box on a narrow screen, not the admin page."""
    return format_html(
        '<div class="model-figures" style="overflow-x:auto; max-width:100%">'
        "<style>.model-figures .r {{ text-align:right; font-variant-numeric:tabular-nums; }}</style>{}</div>", html,
    )


@admin.register(EmbeddingVersion)
class EmbeddingVersionAdmin(admin.ModelAdmin):
    list_display = ["language", "version", "vocabulary_size", "dimensions", "texts", "tokens", "seconds", "created_at"]
    list_filter = ["language"]
    readonly_fields = [f.name for f in EmbeddingVersion._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
