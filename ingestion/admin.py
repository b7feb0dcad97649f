"""Admin for the dictionary, sources, runs, raw batches and tweets."""
from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from .models import Category, IngestionRun, RawBatch, Source, SourceCursor, Term, TermCategory, Tweet
from .resources import CategoryResource, TermResource
from .services.runs import ingestion_run_fail


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


@admin.register(Term)
class TermAdmin(ImportExportModelAdmin):
    resource_classes = [TermResource]
    list_display = ["text", "category_list", "active", "updated_at"]
    list_filter = ["active", "categories"]
    search_fields = ["text", "notes"]
    inlines = [TermCategoryInline]
    actions = ["activate", "deactivate"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Term]:
        return super().get_queryset(request).prefetch_related("categories")

    @admin.display(description=_("categorías"))
    def category_list(self, obj: Term) -> str:
        return ", ".join(c.name for c in obj.categories.all())

    @admin.action(description=_("Activar los términos seleccionados"))
    def activate(self, request: HttpRequest, queryset: QuerySet[Term]) -> None:
        queryset.update(active=True)

    @admin.action(description=_("Desactivar los términos seleccionados"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Term]) -> None:
        queryset.update(active=False)


class SourceCursorInline(admin.TabularInline):
    model = SourceCursor
    extra = 0
    readonly_fields = ["key", "query", "newest_id", "position", "updated_at"]
    can_delete = False


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "enabled", "retry_at"]
    list_filter = ["kind", "enabled"]
    search_fields = ["name", "slug"]
    inlines = [SourceCursorInline]


@admin.register(IngestionRun)
class IngestionRunAdmin(admin.ModelAdmin):
    list_display = ["id", "source", "label", "status", "started_at", "fetched", "new", "duplicate", "rejected"]
    list_filter = ["status", "source"]
    search_fields = ["label", "message"]
    date_hierarchy = "started_at"
    readonly_fields = [f.name for f in IngestionRun._meta.fields] + ["error_list"]
    exclude = ["errors"]
    actions = ["fail_dead"]

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
