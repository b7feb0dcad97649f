"""Admin actions that start a step of the pipeline: "Descargar ahora" on the sources."""
from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ingestion.admin import SourceAdmin
from ingestion.models import Source


@admin.action(description=_("Descargar ahora"))
def download_now(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Source]) -> None:
    # A download is followed by scoring and campaigns, which ingestion does not know of. Imported here:
    # the admin is loaded by every process at start, and the tasks bring the ML libraries with them.
    from pipeline.tasks import source_download_task

    # Bluesky streams in its own process (`consume_bluesky`): there is nothing to download at once.
    downloadable = queryset.exclude(kind__in=[Source.Kind.FILE, Source.Kind.BLUESKY])
    for source in downloadable:
        source_download_task.delay(source.pk)
    if downloadable:
        modeladmin.message_user(request, _("Descargas encoladas."), messages.SUCCESS)
    if queryset.filter(kind=Source.Kind.BLUESKY).exists():
        modeladmin.message_user(
            request, _("Bluesky se lee en tiempo real (proceso consume_bluesky): no hay descarga que encolar."),
            messages.INFO,
        )


class SourcePipelineAdmin(SourceAdmin):
    actions = [*SourceAdmin.actions, download_now]


admin.site.unregister(Source)
admin.site.register(Source, SourcePipelineAdmin)
