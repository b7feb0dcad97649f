"""Pages of the classifier app; the engine itself arrives with its own issue."""
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "placeholder.html", {
        "title": _("Clasificador"),
        "message": _("Todavía no hay modelos entrenados. El entrenamiento y la API de clasificación llegarán pronto."),
    })
