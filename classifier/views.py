"""The model page: every task's versions and the figures of their training reports, a task's versions page by
page, and one version's full report."""
from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from classifier.selectors.model_versions import model_versions_list
from classifier.selectors.reports import (
    KNOWN_TASKS,
    labeled_texts_by_source,
    model_version_get,
    model_version_report,
    task_name,
    task_overviews_list,
)

VERSIONS_PAGE_SIZE = 20


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "classifier/index.html", {"tasks": task_overviews_list()})


@require_GET
def task_versions(request: HttpRequest, task: str) -> HttpResponse:
    versions = model_versions_list(task=task).order_by("-version")
    if task not in KNOWN_TASKS and not versions.exists():
        raise Http404(_("No existe esa tarea."))
    page = Paginator(versions, VERSIONS_PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(request, "classifier/task.html", {
        "task": task, "name": task_name(task=task), "page": page, "labeled": labeled_texts_by_source(task=task),
    })


@require_GET
def version_detail(request: HttpRequest, task: str, version: int) -> HttpResponse:
    found = model_version_get(task=task, version=version)
    if found is None:
        raise Http404(_("No existe esa versión del modelo."))
    return render(request, "classifier/version.html", {"report": model_version_report(version=found), "task": task})
