"""Admin for subscriptions, series levels, the outbox, every delivery attempt with the answer it got, and the bulletins."""
from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .models import Bulletin, DeliveryAttempt, Message, SeriesChange, SeriesLevel, Subscription
from .services.bulletins import bulletin_send
from .services.deliveries import messages_retry
from .services.subscriptions import TestRefused, subscription_test_send


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the platform writes: an admin reads them, and deletes them only with their parent."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "series", "watch", "trigger", "channel", "address", "level", "notified_at", "active"]
    list_filter = ["channel", "watch", "trigger", "active", "level", "digest"]
    search_fields = ["name", "address", "hashtag", "owner__username"]
    list_select_related = ["owner", "category", "source"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["series", "secret", "level", "level_since", "notified_level", "notified_at", "created_at"]
    actions = ["test_send"]
    fieldsets = [
        (None, {"fields": ["name", "owner", "active"]}),
        (_("Qué vigilar"), {"fields": ["watch", "category", "state", "hashtag", "source", "series", "trigger"]}),
        (_("A dónde"), {"fields": ["channel", "address", "secret", "quiet_minutes", "digest"]}),
        (_("Estado"), {"fields": ["level", "level_since", "notified_level", "notified_at", "created_at"]}),
    ]

    @admin.action(description=_("Enviar un mensaje de prueba"))
    def test_send(self, request: HttpRequest, queryset: QuerySet[Subscription]) -> None:
        count = 0
        for subscription in queryset.select_related("category", "source"):
            try:
                subscription_test_send(subscription=subscription)
            except TestRefused as refused:
                self.message_user(request, f"{subscription}: {refused}", messages.WARNING)
            else:
                count += 1
        if count:
            self.message_user(request, ngettext("Se envía un mensaje de prueba.",
                                                "Se envían %(n)d mensajes de prueba.", count) % {"n": count},
                              messages.SUCCESS)


@admin.register(SeriesLevel)
class SeriesLevelAdmin(ReadOnlyAdmin):
    list_display = ["series", "level", "changed_at", "judged_at"]
    list_filter = ["level"]
    search_fields = ["series"]


@admin.register(SeriesChange)
class SeriesChangeAdmin(ReadOnlyAdmin):
    """Each level a watched series moved to, and when its subscribers were told (applied)."""

    list_display = ["series", "previous_level", "level", "created_at", "applied_at"]
    list_filter = ["level", "previous_level"]
    search_fields = ["series"]
    date_hierarchy = "created_at"


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ("started_at", "duration_ms", "ok", "status_code", "answer")
    readonly_fields = ("started_at", "duration_ms", "ok", "status_code", "answer")
    ordering = ["started_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "subscription", "kind", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["kind", "status", "subscription__channel"]
    search_fields = ["subscription__name", "subscription__address", "key"]
    list_select_related = ["subscription__category", "subscription__source"]
    date_hierarchy = "created_at"
    inlines = [DeliveryAttemptInline]
    actions = ["retry_now"]
    readonly_fields = ["id", "subscription", "kind", "status", "key", "payload", "attempts", "next_attempt_at",
                       "claimed_until", "last_error", "digest", "created_at", "sent_at"]

    @admin.action(description=_("Reintentar ahora"), permissions=["retry"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        retried = messages_retry(message_ids=list(queryset.values_list("pk", flat=True)))
        skipped = queryset.count() - retried
        self.message_user(request, ngettext("Se reintenta %(n)d mensaje.", "Se reintentan %(n)d mensajes.",
                                            retried) % {"n": retried}, messages.SUCCESS if retried else messages.INFO)
        if skipped:
            self.message_user(request, ngettext(
                "%(n)d mensaje no estaba fallido y se dejó como estaba.",
                "%(n)d mensajes no estaban fallidos y se dejaron como estaban.", skipped) % {"n": skipped},
                messages.WARNING)

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("alerts.change_message")


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "message", "ok", "status_code", "duration_ms"]
    list_filter = ["ok", "message__subscription__channel"]
    search_fields = ["message__id", "answer"]
    list_select_related = ["message"]
    date_hierarchy = "started_at"


@admin.register(Bulletin)
class BulletinAdmin(admin.ModelAdmin):
    """Bulletins are made by the monthly task or `manage.py bulletin`; here they are read, unpublished, sent."""

    list_display = ["title", "slug", "kind", "period_start", "period_end", "model_version", "published", "files",
                    "created_at"]
    list_filter = ["kind", "published"]
    search_fields = ["title", "slug"]
    list_select_related = ["model_version"]
    date_hierarchy = "period_start"
    actions = ["send"]
    fields = ["title", "slug", "kind", "period_start", "period_end", "model_version", "published", "files",
              "html_name", "pdf_name", "created_at"]
    readonly_fields = ["title", "slug", "kind", "period_start", "period_end", "model_version", "files", "html_name",
                       "pdf_name", "created_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("archivos"))
    def files(self, bulletin: Bulletin) -> str:
        return format_html('<a href="{}">{}</a> · <a href="{}">PDF</a>',
                           reverse("alerts:bulletin", kwargs={"slug": bulletin.slug}), gettext("Página"),
                           reverse("alerts:bulletin_pdf", kwargs={"slug": bulletin.slug}))

    @admin.action(description=_("Enviar a los suscriptores"))
    def send(self, request: HttpRequest, queryset: QuerySet[Bulletin]) -> None:
        unpublished = queryset.filter(published=False).count()
        sent = sum(bulletin_send(bulletin_id=pk) for pk in queryset.filter(published=True).values_list("pk", flat=True))
        self.message_user(request, ngettext(
            "Se envía %(n)d mensaje (quien ya recibió un boletín no lo recibe otra vez).",
            "Se envían %(n)d mensajes (quien ya recibió un boletín no lo recibe otra vez).", sent) % {"n": sent},
            messages.SUCCESS if sent else messages.INFO)
        if unpublished:
            self.message_user(request, ngettext(
                "%(n)d boletín no está publicado y no se envió.", "%(n)d boletines no están publicados y no se enviaron.",
                unpublished) % {"n": unpublished}, messages.WARNING)
