"""Dashboard pages. Aggregates only: no handles nor texts for anonymous visitors."""
from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import selectors

WINDOW = timedelta(hours=48)


def home(request: HttpRequest) -> HttpResponse:
    totals = selectors.overview_totals(window=WINDOW)
    context = {
        "totals": totals,
        "window_hours": int(WINDOW.total_seconds() // 3600),
        "categories": selectors.overview_categories(window=WINDOW),
        "states": selectors.overview_states(),
        "runs": selectors.overview_runs() if request.user.is_staff else [],
    }
    return render(request, "dashboard/home.html", context)
