"""Admin for the training table."""
from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import EmbeddingVersion, LabeledText, ModelVersion


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
    list_display = ["task", "version", "status", "macro_f1", "created_at", "activated_at"]
    list_filter = ["task", "status"]
    search_fields = ["task", "reason"]
    readonly_fields = [f.name for f in ModelVersion._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("macro F1"))
    def macro_f1(self, obj: ModelVersion) -> str:
        value = obj.metrics.get("macro_f1")
        return f"{value:.3f}" if isinstance(value, (int, float)) else "—"


@admin.register(EmbeddingVersion)
class EmbeddingVersionAdmin(admin.ModelAdmin):
    list_display = ["language", "version", "vocabulary_size", "dimensions", "texts", "tokens", "seconds", "created_at"]
    list_filter = ["language"]
    readonly_fields = [f.name for f in EmbeddingVersion._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
