"""Admin for the semáforo's settings: one row, edited in place."""
from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import SemaforoSettings


@admin.register(SemaforoSettings)
class SemaforoSettingsAdmin(admin.ModelAdmin):
    fieldsets = [
        (_("Ventana y referencia"), {"fields": ["window_hours", "baseline_days", "min_baseline_windows", "history_days"]}),
        (_("Niveles"), {"fields": ["min_posts", "yellow_sigma", "red_sigma"]}),
        (_("Última modificación"), {"fields": ["updated_at"]}),
    ]
    readonly_fields = ["updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the one row is created by its first edit

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """Straight to the one row, created with the defaults on first visit."""
        settings, _created = SemaforoSettings.objects.get_or_create(pk=1)
        return HttpResponseRedirect(reverse("admin:dashboard_semaforosettings_change", args=[settings.pk]))
