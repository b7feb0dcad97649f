"""Admin for the dictionary, sources, runs, raw batches and tweets."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ImportExportModelAdmin

from .models import Category, IngestionRun, RawBatch, Source, SourceCursor, Term, TermCategory, Tweet
from .resources import CategoryResource, TermResource
from .selectors.sources import month_start, source_budget, source_price
from .services.runs import ingestion_run_fail
from .sources.x_api import MIN_PAGE_SIZE as X_MIN_READ

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class TermInline(admin.TabularInline):
    model = TermCategory
    extra = 1
    verbose_name = _("término")
    verbose_name_plural = _("términos")
    autocomplete_fields = ["term"]


class TermCategoryInline(admin.TabularInline):
    model = TermCategory
    extra = 1
    verbose_name = _("categoría")
    verbose_name_plural = _("categorías")
    autocomplete_fields = ["category"]


@admin.register(Category)
class CategoryAdmin(ImportExportModelAdmin):
    resource_classes = [CategoryResource]
    list_display = ["name", "slug", "active", "term_count"]
    list_filter = ["active"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [TermInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Category]:
        return super().get_queryset(request).annotate(n_terms=Count("terms"))

    @admin.display(description=_("términos"), ordering="n_terms")
    def term_count(self, obj: Category) -> int:
        return obj.n_terms  # type: ignore[attr-defined]


class SuggestionFilter(admin.SimpleListFilter):
    """Imported suggestions (HurtLex) apart from the terms people added; the pending ones first."""

    title = _("sugerencias")
    parameter_name = "sugerencia"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, StrOrPromise]]:
        return [
            ("pendientes", _("por revisar (inactivas)")),
            ("todas", _("todas las sugerencias")),
            ("personas", _("añadidos por personas")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Term]) -> QuerySet[Term]:
        suggested = ~Q(origin=Term.Origin.PERSON)
        if self.value() == "pendientes":
            # A suggestion left inactive with its categories removed has been discarded.
            return queryset.filter(suggested, active=False, pk__in=TermCategory.objects.values("term_id"))
        if self.value() == "todas":
            return queryset.filter(suggested)
        if self.value() == "personas":
            return queryset.filter(origin=Term.Origin.PERSON)
        return queryset


@admin.register(Term)
class TermAdmin(ImportExportModelAdmin):
    resource_classes = [TermResource]
    list_display = ["text", "category_list", "active", "origin", "updated_at"]
    list_filter = ["active", SuggestionFilter, "categories"]
    search_fields = ["text", "notes"]
    readonly_fields = ["origin"]
    inlines = [TermCategoryInline]
    actions = ["activate", "deactivate"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Term]:
        return super().get_queryset(request).prefetch_related("categories")

    @admin.display(description=_("categorías"))
    def category_list(self, obj: Term) -> str:
        return ", ".join(c.name for c in obj.categories.all())

    @admin.action(description=_("Activar los términos seleccionados"))
    def activate(self, request: HttpRequest, queryset: QuerySet[Term]) -> None:
        # update() skips auto_now: updated_at is set by hand, or the running matchers
        # (which watch it) would keep searching without the reviewed suggestions.
        count = queryset.update(active=True, updated_at=timezone.now())
        activated = ngettext("%(n)d término activado.", "%(n)d términos activados.", count)
        self.message_user(request, activated % {"n": count}, messages.SUCCESS)
        categorised = queryset.filter(categories__active=True).values("pk")
        orphans = queryset.exclude(pk__in=categorised).count()
        if orphans:
            unsearched = ngettext(
                "%(n)d no tiene ninguna categoría activa: no se buscará hasta que se le asigne una.",
                "%(n)d no tienen ninguna categoría activa: no se buscarán hasta que se les asigne una.",
                orphans,
            )
            self.message_user(request, unsearched % {"n": orphans}, messages.WARNING)

    @admin.action(description=_("Desactivar los términos seleccionados"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Term]) -> None:
        queryset.update(active=False, updated_at=timezone.now())


class SourceCursorInline(admin.TabularInline):
    model = SourceCursor
    extra = 0
    readonly_fields = ["key", "query", "newest_id", "position", "updated_at"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # cursors are moved by the downloads, with the posts they cover


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.replace(",", "\n").splitlines() if line.strip()]


class SourceForm(forms.ModelForm):
    """The source, with a Mastodon source's instances and hashtags as plain lists instead of raw JSON."""

    instances = forms.CharField(
        label=_("Instancias de Mastodon"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Una por línea, p. ej. mastodon.social (o una URL completa)."),
    )
    hashtags = forms.CharField(
        label=_("Hashtags de Mastodon"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Uno por línea, sin #. Se leen en cada instancia cada 15 minutos."),
    )
    hashtags_from_dictionary = forms.BooleanField(
        label=_("Añadir hashtags derivados del diccionario"), required=False,
        help_text=_("Cada término activo se lee también como hashtag (p. ej. «sin cerebro» → #sincerebro)."),
    )

    class Meta:
        model = Source
        fields = ["name", "slug", "kind", "enabled", "config", "monthly_cap", "run_cap", "price_per_post"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        config = self.instance.config or {}
        self.fields["instances"].initial = "\n".join(config.get("instances", []))
        self.fields["hashtags"].initial = "\n".join(config.get("hashtags", []))
        self.fields["hashtags_from_dictionary"].initial = bool(config.get("hashtags_from_dictionary"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, run_cap = data.get("kind"), data.get("run_cap")
        if kind == Source.Kind.X_API and run_cap is not None and run_cap < X_MIN_READ:
            self.add_error("run_cap", _("La API de X lee al menos %(n)d publicaciones por consulta.") % {"n": X_MIN_READ})
        if kind == Source.Kind.MASTODON:
            config = dict(data.get("config") or {})
            config["instances"] = _lines(data.get("instances", ""))
            config["hashtags"] = sorted({tag.lstrip("#").lower() for tag in _lines(data.get("hashtags", ""))})
            config["hashtags_from_dictionary"] = bool(data.get("hashtags_from_dictionary"))
            if not config["instances"]:
                self.add_error("instances", _("Indique al menos una instancia."))
            data["config"] = config
        return data


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    form = SourceForm
    # Reconnections and the rate-limit wait are on each source's page: the list fits a laptop's screen.
    list_display = ["name", "kind", "enabled", "last_event", "posts_last_hour", "failures", "read_month", "cost_month"]
    list_filter = ["kind", "enabled"]
    search_fields = ["name", "slug"]
    inlines = [SourceCursorInline]
    actions = ["hashtags_derive"]
    readonly_fields = [
        "read_month", "cost_month", "last_event", "last_read_at", "reconnects", "failures", "last_error",
        "retry_at", "created_at",
    ]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "enabled"]}),
        (_("Mastodon"), {
            "fields": ["instances", "hashtags", "hashtags_from_dictionary"],
            "description": _("Solo para fuentes de tipo Mastodon."),
        }),
        (_("Configuración avanzada"), {"fields": ["config"], "classes": ["collapse"]}),
        (_("Presupuesto"), {
            "fields": ["monthly_cap", "run_cap", "price_per_post", "read_month", "cost_month"],
            "description": _(
                "La API de X cobra cada publicación leída. Con un tope, la descarga se detiene al alcanzarlo y la "
                "ejecución queda como «detenida por el tope»."
            ),
        }),
        (_("Estado"), {"fields": ["last_event", "last_read_at", "reconnects", "failures", "last_error", "retry_at",
                                  "created_at"]}),
    ]

    def get_fieldsets(self, request: HttpRequest, obj: Source | None = None) -> Any:
        """The Mastodon lists only where they mean something (a Mastodon source, or a new one)."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and obj.kind != Source.Kind.MASTODON:
            return [fieldset for fieldset in fieldsets if fieldset[0] != _("Mastodon")]
        return fieldsets

    def get_queryset(self, request: HttpRequest) -> QuerySet[Source]:
        month = month_start()
        hour_ago = timezone.now() - timedelta(hours=1)
        return super().get_queryset(request).annotate(
            _read_month=Sum("runs__fetched", filter=Q(runs__started_at__gte=month)),
            _new_hour=Sum("runs__new", filter=Q(runs__finished_at__gte=hour_ago) | Q(runs__status=IngestionRun.Status.RUNNING)),
        )

    @admin.display(description=_("último evento"), ordering="last_event_at")
    def last_event(self, obj: Source) -> str:
        """When the newest post read was published, and how far behind real time that is."""
        if obj.last_event_at is None:
            return "-"
        lag = timesince(obj.last_event_at, timezone.now(), depth=1)
        return _("%(when)s (hace %(lag)s)") % {"when": date_format(timezone.localtime(obj.last_event_at), "j M H:i"), "lag": lag}

    @admin.display(description=_("nuevas en la última hora"))
    def posts_last_hour(self, obj: Source) -> int:
        return getattr(obj, "_new_hour", None) or 0

    def _read_month(self, obj: Source) -> int:
        """This month's reads: annotated on the list's rows, counted on a source's own page."""
        read = getattr(obj, "_read_month", None)
        return source_budget(source=obj).read_month if read is None else read

    @admin.display(description=_("leídas este mes"))
    def read_month(self, obj: Source) -> str:
        read = self._read_month(obj)
        return f"{read:,} / {obj.monthly_cap:,}" if obj.monthly_cap is not None else f"{read:,}"

    @admin.display(description=_("costo estimado del mes (USD)"))
    def cost_month(self, obj: Source) -> str:
        price = source_price(source=obj)
        return "-" if not price else f"{(price * self._read_month(obj)).quantize(Decimal('0.01')):,.2f}"

    @admin.action(description=_("Mastodon: añadir a sus hashtags los derivados del diccionario"), permissions=["change"])
    def hashtags_derive(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        from .selectors.dictionary import dictionary_terms_active
        from .sources.mastodon import hashtags_from_terms

        derived = hashtags_from_terms([term.text for term in dictionary_terms_active()])
        changed = 0
        for source in queryset.filter(kind=Source.Kind.MASTODON):
            config = dict(source.config or {})
            config["hashtags"] = sorted({*config.get("hashtags", []), *derived})
            source.config = config
            source.save(update_fields=["config"])
            changed += 1
        self.message_user(
            request,
            _("%(n)d fuentes de Mastodon leen ahora %(tags)d hashtags del diccionario.") % {"n": changed, "tags": len(derived)},
            messages.SUCCESS if changed else messages.WARNING,
        )


@admin.register(IngestionRun)
class IngestionRunAdmin(admin.ModelAdmin):
    list_display = ["id", "source", "label", "status", "started", "fetched", "new", "duplicate", "rejected"]
    list_filter = ["status", "source"]
    search_fields = ["label", "message"]
    date_hierarchy = "started_at"
    # The raw errors are shown once, as the readable list below the counts.
    readonly_fields = [f.name for f in IngestionRun._meta.fields if f.name != "errors"] + ["error_list"]
    exclude = ["errors"]
    actions = ["fail_dead"]

    @admin.display(description=_("inicio"), ordering="started_at")
    def started(self, obj: IngestionRun) -> str:
        """Day and time, short ("3 dic 2026 01:24"), so every count of the list fits a laptop's screen."""
        return date_format(timezone.localtime(obj.started_at), "j M Y H:i")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(
        description=_("Marcar como fallidas (su proceso murió): otra ejecución de la fuente podrá empezar"),
        permissions=["change"],
    )
    def fail_dead(self, request: HttpRequest, queryset: QuerySet[IngestionRun]) -> None:
        running = queryset.filter(status=IngestionRun.Status.RUNNING).values_list("pk", flat=True)
        reason = f"Por {request.user} en la administración."
        failed = [pk for pk in running if ingestion_run_fail(run_id=pk, reason=reason)]
        skipped = queryset.count() - len(failed)
        if failed:
            self.message_user(request, _("%(n)d ejecuciones marcadas como fallidas.") % {"n": len(failed)}, messages.SUCCESS)
        if skipped:
            self.message_user(request, _("%(n)d no estaban en curso: sin cambios.") % {"n": skipped}, messages.WARNING)

    @admin.display(description=_("errores por registro"))
    def error_list(self, obj: IngestionRun) -> str:
        return format_html_join(
            "\n", "<div>{}: {} {}</div>",
            ((e.get("line") or "-", e.get("message"), e.get("id") or "") for e in obj.errors[:200]),
        ) or "-"


@admin.register(RawBatch)
class RawBatchAdmin(admin.ModelAdmin):
    list_display = ["path", "source", "run", "records", "size_bytes", "created_at"]
    list_filter = ["source"]
    search_fields = ["path"]
    date_hierarchy = "created_at"
    readonly_fields = ["path", "source", "run", "records", "size_bytes", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Tweet)
class TweetAdmin(admin.ModelAdmin):
    list_display = ["short_text", "created_at", "state", "country_code"]
    list_per_page = 50
    list_filter = ["categories", "state", "country_code", "state_evidence", "is_retweet", "lang", "source"]
    search_fields = ["platform_id", "text", "author_handle"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Tweet._meta.fields]
    list_select_related = False
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("texto"))
    def short_text(self, obj: Tweet) -> str:
        return obj.text[:90]
