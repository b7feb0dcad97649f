"""Admin of the labeling queue."""
from __future__ import annotations

from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from .models import QueuedText


@admin.register(QueuedText)
class QueuedTextAdmin(admin.ModelAdmin):
    list_display = ["pk", "short_text", "task", "origin", "status", "suggested_labels", "api_key", "created_at"]
    list_filter = ["origin", "status", "task", "created_at"]
    search_fields = ["text", "reference", "comment"]
    readonly_fields = ["model_version", "model_scores", "api_key", "user", "created_at"]
    date_hierarchy = "created_at"

    @admin.display(description=_("texto"))
    def short_text(self, obj: QueuedText) -> str:
        return Truncator(obj.text).chars(80)
