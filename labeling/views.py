"""Pages of the labeling app: the annotation screen, the reviewers' queue and the coordinator's figures.

Views are thin: they check the role, call one service or selector and render.
Every write is a POST followed by a redirect, so a reload never answers twice.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from api.csv import FORMATS, rows_download
from labeling.selectors import reports
from labeling.selectors.annotation import (
    campaign_progress,
    campaigns_guidelines_readable,
    campaigns_running,
    category_keys,
    question_get,
    text_segments,
)
from labeling.selectors.exports import annotation_rows, settled_rows
from labeling.selectors.hints import item_model_hint, item_suggestion
from labeling.selectors.queue import queue_pending_counts
from labeling.selectors.review import (
    campaigns_disputed,
    item_answers,
    item_disputed_next,
    item_reviewable_get,
    items_disputed,
)
from labeling.services.assignment import (
    AnswerRefused,
    annotation_seconds,
    annotation_submit,
    annotation_undo,
    assignment_next,
    assignment_skip,
)
from labeling.services.campaigns import QueueFilters, campaign_from_queue_create
from labeling.services.consensus import AdjudicationRefused, item_adjudicate

from .forms import AnswerForm, DecisionForm, QueueCampaignForm
from .models import Assignment, Campaign, QueuedText

PREFILL_KEY = "labeling_prefill"
REVIEW_PAGE_SIZE = 25


def _user_id(request: HttpRequest) -> int:
    """The signed-in user's id (every view below requires a login)."""
    return int(request.user.pk or 0)


def _annotator_view(view):
    return login_required(permission_required("labeling.annotate", raise_exception=True)(view))


def _reviewer_view(view):
    return login_required(permission_required("labeling.adjudicate", raise_exception=True)(view))


def _coordinator_view(view):
    return login_required(permission_required("labeling.coordinate", raise_exception=True)(view))


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    campaigns = list(campaigns_running()) if user.has_perm("labeling.annotate") else []
    context = {
        "campaigns": [(c, campaign_progress(campaign=c, annotator_id=_user_id(request))) for c in campaigns],
        "can_annotate": user.has_perm("labeling.annotate"),
        "disputed": items_disputed().count() if user.has_perm("labeling.adjudicate") else None,
        "all_campaigns": Campaign.objects.order_by("-created_at") if user.has_perm("labeling.coordinate") else None,
    }
    return render(request, "labeling/index.html", context)


def _running_campaign(pk: int) -> Campaign:
    campaign = get_object_or_404(Campaign, pk=pk)
    if campaign.status != Campaign.Status.RUNNING:
        raise Http404(_("Esta campaña no está en curso."))
    return campaign


@_annotator_view
@require_GET
def annotate(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _running_campaign(pk)
    assignment = assignment_next(campaign=campaign, annotator_id=_user_id(request))
    progress = campaign_progress(campaign=campaign, annotator_id=_user_id(request))
    context: dict[str, object] = {"campaign": campaign, "assignment": assignment, "progress": progress}
    question = question_get(task=campaign.task)
    context["question"] = question
    if assignment is not None:
        item = assignment.item
        prefill = request.session.pop(PREFILL_KEY, None)
        initial = {"assignment": assignment.pk}
        if prefill and prefill.get("assignment") == assignment.pk:
            initial.update(prefill)
        context.update({
            "form": AnswerForm(initial=initial, categories=question.categories),
            "category_keys": category_keys(question.categories),
            "segments": text_segments(text=item.text),
            # Annotators judge blind unless the campaign shows them the model's and the client's views.
            "hint": item_model_hint(item=item) if campaign.pre_annotation else None,
            "suggestion": item_suggestion(item=item, question=question) if campaign.pre_annotation else None,
            "can_undo": progress.done > 0,
        })
    return render(request, "labeling/annotate.html", context)


@_annotator_view
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _running_campaign(pk)
    question = question_get(task=campaign.task)
    form = AnswerForm(request.POST, categories=question.categories, categories_required=question.categories_required)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        request.session[PREFILL_KEY] = {"assignment": _int(request.POST.get("assignment")),
                                        "answer": request.POST.get("answer", ""),
                                        "categories": request.POST.getlist("categories"),
                                        "comment": request.POST.get("comment", "")[:2000]}
        return redirect("labeling:annotate", pk=campaign.pk)
    data = form.cleaned_data
    assignment = Assignment.objects.filter(pk=data["assignment"], item__campaign=campaign).first()
    try:
        if assignment is None:
            raise AnswerRefused("unknown assignment")
        annotation_submit(
            assignment_id=assignment.pk, annotator_id=_user_id(request), answer=data["answer"],
            categories=data["categories"], comment=data["comment"],
            seconds=annotation_seconds(reported=data.get("seconds"), assigned_at=assignment.assigned_at),
        )
    except AnswerRefused:
        messages.warning(request, _("Esa publicación ya no estaba abierta para ti (¿otra pestaña?). No se guardó nada nuevo."))
        return redirect("labeling:annotate", pk=campaign.pk)
    messages.success(request, _("Respuesta guardada."))
    return redirect("labeling:annotate", pk=campaign.pk)


def _int(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


@_annotator_view
@require_POST
def skip(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _running_campaign(pk)
    assignment = Assignment.objects.filter(
        pk=_int(request.POST.get("assignment")) or 0, item__campaign=campaign, annotator_id=_user_id(request)
    ).first()
    if assignment is not None:
        assignment_skip(assignment=assignment)
        messages.info(request, _("Publicación saltada: no volverá a aparecerte."))
    return redirect("labeling:annotate", pk=campaign.pk)


@_annotator_view
@require_POST
def undo(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _running_campaign(pk)
    undone = annotation_undo(campaign=campaign, annotator_id=_user_id(request))
    if undone is None:
        messages.warning(request, _("No hay nada que deshacer: tu última respuesta ya quedó resuelta o aún no respondes ninguna."))
    else:
        request.session[PREFILL_KEY] = {"assignment": undone.assignment.pk, "answer": undone.answer,
                                        "categories": undone.categories, "comment": undone.comment}
        messages.info(request, _("Deshecho: aquí está otra vez tu respuesta anterior para corregirla."))
    return redirect("labeling:annotate", pk=campaign.pk)


@login_required
@require_GET
def guidelines(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(campaigns_guidelines_readable(user=request.user), pk=pk)
    return render(request, "labeling/guidelines.html", {
        "campaign": campaign, "categories": question_get(task=campaign.task).categories,
    })


@_reviewer_view
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    campaign_id = _int(request.GET.get("campana"))
    items = items_disputed(campaign_id=campaign_id)
    page = Paginator(items, REVIEW_PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(request, "labeling/review_queue.html", {
        "page": page, "campaigns": campaigns_disputed(),
        "campaign_id": campaign_id,
    })


@_reviewer_view
def review_item(request: HttpRequest, pk: int) -> HttpResponse:
    item = item_reviewable_get(item_id=pk)
    if item is None:
        raise Http404(_("Esta publicación no está en revisión."))
    question = question_get(task=item.campaign.task)
    categories = question.categories
    if request.method == "POST":
        form = DecisionForm(request.POST, categories=categories, categories_required=question.categories_required)
        if form.is_valid():
            try:
                item_adjudicate(item_id=item.pk, reviewer_id=_user_id(request), answer=form.cleaned_data["answer"],
                                categories=form.cleaned_data["categories"])
            except AdjudicationRefused as refused:  # reopened by an undo between the page and the decision
                raise Http404(_("Esta publicación no está en revisión.")) from refused
            messages.success(request, _("Decisión guardada: la publicación queda resuelta."))
            following = item_disputed_next(after_id=item.pk)
            return redirect("labeling:review_item", pk=following.pk) if following else redirect("labeling:review_queue")
    else:
        initial = {"answer": item.final_answer, "categories": item.final_categories} if item.final_answer else {}
        form = DecisionForm(initial=initial, categories=categories)
    return render(request, "labeling/review_item.html", {
        "item": item, "form": form, "answers": item_answers(item=item),
        "segments": text_segments(text=item.text), "hint": item_model_hint(item=item),
        "suggestion": item_suggestion(item=item, question=question), "question": question,
        "category_keys": category_keys(categories),
        "names": dict(categories),
    })


@_coordinator_view
@require_GET
def report(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    return render(request, "labeling/report.html", {"report": reports.campaign_report(campaign=campaign)})


@_coordinator_view
@require_GET
def report_csv(request: HttpRequest, pk: int, table: str) -> HttpResponseBase:
    campaign = get_object_or_404(Campaign, pk=pk)
    rows_of = {"acuerdo": reports.question_rows, "anotadores": reports.annotator_rows}.get(table)
    if rows_of is None:
        raise Http404
    return rows_download(rows_of(reports.campaign_report(campaign=campaign)), filename=f"{slugify(campaign.name)}-{table}.csv")


@_coordinator_view
@require_GET
def export(request: HttpRequest, pk: int, kind: str, fmt: str) -> HttpResponseBase:
    campaign = get_object_or_404(Campaign, pk=pk)
    rows = {"anotaciones": annotation_rows, "resueltas": settled_rows}.get(kind)
    if rows is None or fmt not in FORMATS:
        raise Http404
    # Streamed: a large campaign never sits whole in memory.
    return rows_download(rows(campaign=campaign), filename=f"{slugify(campaign.name)}-{kind}.{fmt}", fmt=fmt, stream=True)


@_coordinator_view
def queue(request: HttpRequest) -> HttpResponse:
    """The texts waiting in the queue, and a campaign made from them."""
    form = QueueCampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        campaign, taken = campaign_from_queue_create(
            name=data["name"], annotators_per_item=data["annotators_per_item"], pre_annotation=data["pre_annotation"],
            status=Campaign.Status.RUNNING if data["start"] else Campaign.Status.DRAFT,
            filters=QueueFilters(task=data["task"], origin=data["origin"],
                                 api_key_id=data["api_key"].pk if data["api_key"] else None,
                                 since=data["since"], until=data["until"], sample_size=data["sample_size"]),
        )
        if taken:
            messages.success(request, _("Campaña «%(name)s» creada con %(count)d textos de la cola.")
                             % {"name": campaign.name, "count": taken})
        else:
            messages.warning(request, _("Campaña «%(name)s» creada, pero ningún texto pendiente cumple los filtros.")
                             % {"name": campaign.name})
        return redirect("labeling:index")
    origins, tasks = dict(QueuedText.Origin.choices), dict(Campaign.Task.choices)
    counts = [(tasks.get(task, task), origins.get(origin, origin), n) for task, origin, n in queue_pending_counts()]
    return render(request, "labeling/queue.html", {"form": form, "counts": counts})
