"""Pages of the labeling app; the annotation screens arrive with their own issue."""
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "placeholder.html", {
        "title": _("Etiquetado"),
        "message": _("Todavía no hay campañas de etiquetado."),
    })
