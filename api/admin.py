"""API keys in the admin: created here (the key is shown once), limited, scoped and revoked."""
from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

from .keys import api_key_revoke
from .models import ApiKey

# The library's own model is unused: ours adds scopes and a limit.
admin.site.unregister(APIKey)


@admin.register(ApiKey)
class ApiKeyAdmin(APIKeyModelAdmin):
    list_display = (  # type: ignore[assignment]
        "name", "prefix", "organization", "scope_classify", "scope_read", "scope_store", "rate_limit", "created", "expiry_date", "revoked",
    )
    list_filter = ("revoked", "scope_classify", "scope_read", "scope_store", "created")  # type: ignore[assignment]
    search_fields = ("name", "prefix", "organization", "contact")  # type: ignore[assignment]
    fields = ["name", "prefix", "organization", "contact", "scope_classify", "scope_read", "scope_store", "rate_limit",
              "expiry_date", "revoked", "notes"]
    actions = ["revoke"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any = None, change: bool = False) -> None:
        if change:
            obj.save()
            return
        key = ApiKey.objects.assign_key(obj)
        obj.save()
        messages.warning(request, _(
            "La clave de API de «%(name)s» es: %(key)s — guárdela en un lugar seguro: no se volverá a mostrar."
        ) % {"name": obj.name, "key": key})

    @admin.action(description=_("Revocar las claves seleccionadas (no se puede deshacer)"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        rows = list(queryset.filter(revoked=False))
        for row in rows:
            api_key_revoke(row=row)
        self.message_user(request, _("%(count)d claves revocadas.") % {"count": len(rows)}, messages.SUCCESS)
