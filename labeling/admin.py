"""Admin of the labeling queue."""
from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from labeling.services.campaigns import campaign_items_add

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
    list_display = ["name", "status", "annotators_per_item", "active_learning", "item_count", "created_at"]
    list_filter = ["status", "active_learning"]
    search_fields = ["name", "guidelines"]
    filter_horizontal = ["categories"]
    actions = ["fill"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Campaign]:
        return super().get_queryset(request).annotate(n_items=Count("items"))

    @admin.display(description=_("publicaciones"), ordering="n_items")
    def item_count(self, obj: Campaign) -> int:
        return obj.n_items  # type: ignore[attr-defined]

    @admin.action(description=_("Añadir las publicaciones que cumplen los filtros"))
    def fill(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        added = sum(campaign_items_add(campaign=campaign) for campaign in queryset)
        self.message_user(request, _("%(count)d publicaciones añadidas.") % {"count": added}, messages.SUCCESS)


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["item", "annotator", "status", "assigned_at", "finished_at"]
    list_filter = ["status", "item__campaign"]
    list_select_related = ["item", "annotator"]
    raw_id_fields = ["item"]
