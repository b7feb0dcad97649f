"""The public bulletins: their list, each bulletin's page and its PDF (aggregates only, like the rest of the
public site). An unpublished bulletin exists for the staff only."""
from __future__ import annotations

from django.core.files.storage import storages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from alerts.bulletin_render import bulletin_page_html
from alerts.models import Bulletin
from alerts.selectors.bulletins import bulletin_get, bulletin_rows


def _found(request: HttpRequest, slug: str) -> Bulletin:
    bulletin = bulletin_get(slug=slug, published_only=not request.user.is_staff)
    if bulletin is None:
        raise Http404(_("No existe ese boletín."))
    return bulletin


@require_GET
def bulletins(request: HttpRequest) -> HttpResponse:
    return render(request, "alerts/bulletins.html", {
        "rows": bulletin_rows(published_only=not request.user.is_staff),
    })


@require_GET
def bulletin(request: HttpRequest, slug: str) -> HttpResponse:
    """The page as it was published (the archive's file); drawn again from its numbers if the file is gone."""
    page = bulletin_page_html(bulletin=_found(request, slug))
    if not page:
        raise Http404(_("Este boletín no tiene página."))
    return HttpResponse(page, content_type="text/html; charset=utf-8")


@require_GET
def bulletin_pdf(request: HttpRequest, slug: str) -> FileResponse:
    found = _found(request, slug)
    archive = storages["archive"]
    if not found.pdf_name or not archive.exists(found.pdf_name):
        raise Http404(_("El PDF de este boletín no está en el archivo."))
    return FileResponse(archive.open(found.pdf_name, "rb"), as_attachment=False,
                        filename=f"discriminamometro-boletin-{found.slug}.pdf", content_type="application/pdf")


urlpatterns: list[URLPattern] = [
    path("boletines/", bulletins, name="bulletins"),
    path("boletines/<slug:slug>/", bulletin, name="bulletin"),
    path("boletines/<slug:slug>.pdf", bulletin_pdf, name="bulletin_pdf"),
]
