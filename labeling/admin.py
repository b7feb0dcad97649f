"""Admin of the labeling queue."""
from __future__ import annotations

from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from .models import Assignment, Campaign, QueuedText


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


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "annotators_per_item", "created_at"]
    list_filter = ["status"]
    search_fields = ["name", "guidelines"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["item", "annotator", "status", "assigned_at", "finished_at"]
    list_filter = ["status", "item__campaign"]
    list_select_related = ["item", "annotator"]
    raw_id_fields = ["item"]
