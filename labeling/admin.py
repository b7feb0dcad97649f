"""Admin of the labeling app: the queue of texts that are not posts, campaigns (of posts or of the queue), assignments."""
from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from labeling.services.campaigns import QueueFilters, campaign_from_queue_create, campaign_items_add

from .models import Assignment, Campaign, QueuedText


@admin.register(QueuedText)
class QueuedTextAdmin(admin.ModelAdmin):
    list_display = ["pk", "short_text", "task", "origin", "status", "suggested_labels", "api_key", "created_at"]
    list_filter = ["task", "origin", "status", "api_key", "created_at"]
    search_fields = ["text", "reference", "comment"]
    readonly_fields = ["model_version", "model_scores", "suggested_scores", "api_key", "user", "created_at"]
    date_hierarchy = "created_at"
    actions = ["campaign_create", "discard"]

    @admin.display(description=_("texto"))
    def short_text(self, obj: QueuedText) -> str:
        return Truncator(obj.text).chars(80)

    @admin.action(description=_("Crear campaña con los seleccionados"), permissions=["change"])
    def campaign_create(self, request: HttpRequest, queryset: QuerySet[QueuedText]) -> HttpResponseRedirect | None:
        """A draft campaign of the selected pending texts (all of one task), opened for editing."""
        tasks = set(queryset.values_list("task", flat=True))
        if len(tasks) != 1 or not tasks <= set(Campaign.Task.values):
            self.message_user(request, _("Elige textos de una sola tarea: discriminación o toxicidad."), messages.ERROR)
            return None
        if not request.user.has_perm("labeling.add_campaign"):
            self.message_user(request, _("No tienes permiso para crear campañas."), messages.ERROR)
            return None
        (task,) = tasks
        name = _("Cola de %(task)s, %(date)s") % {"task": Campaign.Task(task).label,
                                                   "date": timezone.localtime().strftime("%Y-%m-%d %H:%M")}
        campaign, taken = campaign_from_queue_create(
            name=name, filters=QueueFilters(task=task), queued_text_ids=list(queryset.values_list("pk", flat=True)),
        )
        self.message_user(request, _(
            "Campaña en borrador con %(taken)d textos (los que no estaban pendientes se dejaron). "
            "Revísala y ponla en curso."
        ) % {"taken": taken}, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:labeling_campaign_change", args=[campaign.pk]))

    @admin.action(description=_("Descartar los pendientes seleccionados"), permissions=["change"])
    def discard(self, request: HttpRequest, queryset: QuerySet[QueuedText]) -> None:
        count = queryset.filter(status=QueuedText.Status.PENDING).update(status=QueuedText.Status.DISCARDED)
        self.message_user(request, _("%(count)d textos descartados.") % {"count": count}, messages.SUCCESS)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "task", "source", "status", "annotators_per_item", "active_learning", "item_count", "created_at"]
    list_filter = ["status", "task", "source", "active_learning"]
    search_fields = ["name", "guidelines"]
    filter_horizontal = ["categories"]
    raw_id_fields = ["queue_api_key"]
    actions = ["fill"]
    fieldsets = [
        (None, {"fields": ["name", "status", "task", "source", "guidelines", "annotators_per_item", "pre_annotation"]}),
        (_("Qué entra"), {"fields": ["since", "until", "sample_size", "active_learning", "random_share"]}),
        (_("Solo publicaciones"), {"fields": ["categories", "states"]}),
        (_("Solo cola de etiquetado (textos pendientes de la misma tarea)"), {"fields": ["queue_origin", "queue_api_key"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Campaign]:
        return super().get_queryset(request).annotate(n_items=Count("items"))

    @admin.display(description=_("elementos"), ordering="n_items")
    def item_count(self, obj: Campaign) -> int:
        return obj.n_items  # type: ignore[attr-defined]

    @admin.action(description=_("Añadir las publicaciones o textos de la cola que cumplen los filtros"))
    def fill(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        added = sum(campaign_items_add(campaign=campaign) for campaign in queryset)
        self.message_user(request, _("%(count)d elementos añadidos.") % {"count": added}, messages.SUCCESS)


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["item", "annotator", "status", "assigned_at", "finished_at"]
    list_filter = ["status", "item__campaign"]
    list_select_related = ["item", "annotator"]
    raw_id_fields = ["item"]
