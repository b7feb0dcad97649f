"""Dashboard pages: the semáforo, a category's trends, the search, the text analysis and the drill-down.

Every widget reads the pre-aggregated counts through `selectors_semaforo`; only
the drill-down (signed-in users) lists posts. Anonymous visitors see aggregates
only: no texts, no handles. The semáforo's pages, their CSV files and the
drill-down read one source's posts with `?fuente=<slug>` (a hashtag search
counts every source: its rows are not kept per source).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from api.csv import rows_download
from api.throttling import rate_usage_count
from classifier.label_sets import ATTRIBUTES, DISCRIMINATION, MOVIE_GENRES, TOXICITY
from classifier.selectors.classification import NoActiveModel, texts_classify
from classifier.selectors.model_versions import model_version_for_reads
from classifier.selectors.reports import label_names
from dashboard.highlights import text_pieces
from dashboard.selectors import tables
from dashboard.selectors.counts import Subject
from dashboard.selectors.drilldown import PostFilter, posts_behind
from dashboard.selectors.overview import overview_categories, overview_runs, overview_states, overview_totals
from dashboard.selectors.semaforo import (
    PUBLIC_HASHTAG_MIN_POSTS,
    Light,
    Semaforo,
    page_reads,
    phrases_top,
    semaforo_get,
    states_get,
    trend_get,
    version_for_reads,
)
from dashboard.selectors.sources import source_get, source_rows, sources_counted
from ingestion.geo import STATE_NAMES
from ingestion.models import Category, Source
from ingestion.validation import EARLIEST_POST
from labeling.selectors.annotation import text_segments

from .levels import LEVEL_ORDER, period_text
from .tiles import COLUMNS, ROWS, tiles_place

POSTS_PAGE_SIZE = 25
HOME_TREND_DAYS = 60
LATEST_LINK = datetime(2100, 1, 1, tzinfo=UTC)  # a drill-down link further out is not one the pages made


def _source(request: HttpRequest) -> Source | None:
    """The source a page is filtered by (`?fuente=<slug>`); None: every source. Http404 for a slug no source has."""
    slug = request.GET.get("fuente", "")
    if not slug:
        return None
    try:
        return source_get(slug=slug)
    except Source.DoesNotExist as missing:
        raise Http404(_("No existe esa fuente.")) from missing


def _subject(request: HttpRequest, source: Source | None = None) -> Subject:
    """The search's subject, of `source`'s posts only when one is given, except a hashtag's (counted for every
    source together: the caller says so)."""
    subject = Subject.parse(request.GET.get("q", "")[:150])
    return subject if source is None or subject.kind == "hashtag" else replace(subject, source_id=source.pk)


def _page_query(subject: Subject, source: Source | None) -> str:
    """The query string that keeps a page's search and source on the links to the other semáforo pages."""
    params = {"q": subject.label, "fuente": source.slug if source and subject.source_id else ""}
    return urlencode({key: value for key, value in params.items() if value})


def _source_filter(request: HttpRequest, *, subject: Subject, source: Source | None) -> dict[str, object]:
    """The source shown, and the filter's links: "every source" and each source the active model has counted
    posts of (the one asked for too, if it has none), each keeping the page's other parameters.

    A hashtag search has no filter (its rows are not kept per source); asked for one anyway, the page says so.
    """
    ignored = source is not None and subject.kind == "hashtag"
    version = version_for_reads()
    choices = [] if version is None or subject.kind == "hashtag" else sources_counted(model_version_id=version.pk)
    if source is not None and not ignored and source.pk not in {choice.pk for choice in choices}:
        choices = sorted([*choices, source], key=lambda choice: (choice.name, choice.slug))

    def link(slug: str) -> str:
        query = request.GET.copy()
        query.pop("fuente", None)
        if slug:
            query["fuente"] = slug
        return request.path + (f"?{query.urlencode()}" if query else "")

    current = None if ignored else source
    links = [(_("Todas las fuentes"), link(""), current is None)] + [
        (choice.name, link(choice.slug), current is not None and choice.pk == current.pk) for choice in choices]
    return {"source": current, "source_ignored": source if ignored else None, "source_links": links if choices else [],
            "page_query": _page_query(subject, current)}


def _user_search_refused(request: HttpRequest, subject: Subject) -> bool:
    """A person's figures are personal data: searching by @user needs a signed-in account."""
    return subject.kind == "user" and not request.user.is_authenticated


def _login_needed(request: HttpRequest, subject: Subject) -> HttpResponse:
    return render(request, "dashboard/search.html", {"query": subject.label, "login_needed": True}, status=403)


def _drill_base(semaforo: Semaforo, source: Source | None) -> str:
    """The query string every drill-down link of a page starts with: the lights' own window, the search and
    the source."""
    subject = semaforo.subject
    params = {"desde": semaforo.window_start.isoformat(), "hasta": semaforo.window_end.isoformat()}
    if subject.kind != "all":
        params["q"] = subject.label
    if source is not None and subject.source_id is not None:
        params["fuente"] = source.slug
    return urlencode(params)


def _by_urgency(lights: list[Light]) -> list[Light]:
    """Red first, then yellow, green and grey; within a level the highest rate first: where to act comes first."""
    return sorted(lights, key=lambda light: (-LEVEL_ORDER[light.level], -(light.rate or 0.0), light.name))


def _widgets(
    *, semaforo: Semaforo, public: bool, source: Source | None, category: str | None = None,
) -> dict[str, object]:
    """The widgets every semáforo page has, for the lights' subject (of `source`'s posts when the subject says
    so) and window (`public`: an anonymous visitor)."""
    subject = semaforo.subject
    states = states_get(category=category, subject=subject)
    terms = phrases_top(kind="term", category=category, subject=subject)
    hashtags = phrases_top(kind="hashtag", category=category, subject=subject,
                           min_posts=PUBLIC_HASHTAG_MIN_POSTS if public else 1)
    return {
        "subject": subject,
        "states": _by_urgency(states),
        "tiles": tiles_place(states, code_of=lambda light: light.slug),
        "grid": {"columns": COLUMNS, "rows": ROWS},
        # A hashtag's search and a source's posts have no hashtag list (hashtags are counted for every source
        # together, not per hashtag nor per source).
        "phrase_tables": [("term", _("Términos del diccionario"), terms, "terminos")] + (
            [("hashtag", _("Hashtags"), hashtags, "hashtags")] if subject.hashtags_listed else []),
        "drill_base": _drill_base(semaforo, source),
        "period": period_text(semaforo.rule.baseline_days),
        "export_query": "&".join(part for part in (
            _page_query(subject, source), urlencode({"categoria": category}) if category else "") if part),
    }


def _page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A semáforo page: its widgets read the settings, the active model and the categories once (`page_reads`)."""
    @wraps(view)
    def read_once(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with page_reads():
            return view(request, *args, **kwargs)
    return read_once


@require_GET
@_page
def home(request: HttpRequest) -> HttpResponse:
    source = _source(request)
    subject = _subject(request, source)
    if _user_search_refused(request, subject):
        return _login_needed(request, subject)
    semaforo = semaforo_get(subject=subject)
    trend = trend_get(granularity="day", periods=HOME_TREND_DAYS, subject=subject)
    context = {"semaforo": semaforo, "lights": _by_urgency(semaforo.categories), "trend_day": tables.trend_chart(trend),
               **_source_filter(request, subject=subject, source=source),
               **_widgets(semaforo=semaforo, source=source, public=not request.user.is_authenticated)}
    return render(request, "dashboard/home.html", context)


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    subject = _subject(request)
    if subject.kind == "all":
        return render(request, "dashboard/search.html", {"query": request.GET.get("q", "")})
    return home(request)


@require_GET
@_page
def category(request: HttpRequest, slug: str) -> HttpResponse:
    source = _source(request)
    subject = _subject(request, source)
    if _user_search_refused(request, subject):
        return _login_needed(request, subject)
    try:
        trend_day = trend_get(category=slug, granularity="day", subject=subject)
    except Category.DoesNotExist as missing:
        raise Http404(_("No existe esa categoría.")) from missing
    semaforo = semaforo_get(subject=subject)
    light = next((c for c in semaforo.categories if c.slug == slug), None)
    trend_hour = trend_get(category=slug, granularity="hour", subject=subject)
    context = {
        "semaforo": semaforo, "light": light, "category_name": trend_day.name, "slug": slug,
        "trend_day": tables.trend_chart(trend_day), "trend_hour": tables.trend_chart(trend_hour),
        **_source_filter(request, subject=subject, source=source),
        **_widgets(semaforo=semaforo, category=slug, source=source, public=not request.user.is_authenticated),
    }
    return render(request, "dashboard/category.html", context)


@require_GET
def export(request: HttpRequest, table: str) -> HttpResponseBase:
    """Any table of the pages as CSV, with the page's search, source and category."""
    source = _source(request)
    subject, slug = _subject(request, source), request.GET.get("categoria") or None
    if _user_search_refused(request, subject):
        return HttpResponse(_("La búsqueda por usuario requiere iniciar sesión."), status=403)
    if source is not None and subject.source_id is None:
        return HttpResponse(_("Los hashtags se cuentan con todas las fuentes juntas: quita la fuente del enlace."),
                            status=400)
    try:
        rows = tables.rows_for(table, subject=subject, category=slug, public=not request.user.is_authenticated)
    except (KeyError, Category.DoesNotExist) as unknown:
        raise Http404(_("No existe esa tabla.")) from unknown
    name = "-".join(part for part in (
        "discriminamometro", table, slug or "", slugify(subject.key), source.slug if source else "") if part)
    return rows_download(rows, filename=f"{name}.csv")


def analyze(request: HttpRequest) -> HttpResponse:
    """A box that sends a text to the classifiers and shows its scores, matched terms and explanation, the
    toxicity model's attributes (Perspective's) and the reference task's movie genres when those models are
    active; explaining words are marked in the text, and a model learnt from the demo corpus says so.

    Open to anyone, so metered like the API: every analysis counts against the API's per-minute limit of
    its client (`api/throttling.py`: an address's `ANONYMOUS_RATE`, a signed-in user's `SESSION_RATE`),
    and the same counters, so the page is no way round an API key's limit.
    """
    limit = settings.API["MAX_TEXT_CHARS"]
    context: dict[str, object] = {"limit": limit, "text": ""}
    if request.method == "POST":
        text = request.POST.get("texto", "").strip()
        context["text"] = text
        usage = rate_usage_count(request)
        if usage.exceeded:
            context["error"] = _("Demasiados análisis en un minuto desde tu conexión; espera %(seconds)d segundos.") % {
                "seconds": usage.reset_in}
            response = render(request, "dashboard/analyze.html", context, status=429)
            response["Retry-After"] = str(usage.reset_in)
            return response
        if not text:
            context["error"] = _("Escribe o pega un texto.")
        elif len(text) > limit:
            context["error"] = _("El texto tiene %(n)d caracteres; el límite es %(limit)d.") % {"n": len(text), "limit": limit}
        else:
            try:
                classification = texts_classify(task=DISCRIMINATION, texts=[text])
            except NoActiveModel:
                context["error"] = _("Todavía no hay un modelo activo que pueda analizar textos.")
            else:
                result = classification.results[0]
                context["model"] = classification.version
                context.update(tables.analysis(text=text, result=result, segments=text_segments(text=text)))
                words = result["explanation"]["words"]
                context["words"] = _words_shown(text, words)
                context["pieces"] = text_pieces(text=text, terms=[(m["start"], m["end"]) for m in result["matched_terms"]],
                                                words=words)
            context["toxicity"] = _toxicity(text)
            context["movies"] = _movie_genres(text)
    return render(request, "dashboard/analyze.html", context)


# The Perspective API's attributes as the page names them.
ATTRIBUTE_NAMES = {
    "TOXICITY": gettext_lazy("Toxicidad"), "SEVERE_TOXICITY": gettext_lazy("Toxicidad grave"),
    "INSULT": gettext_lazy("Insulto"), "PROFANITY": gettext_lazy("Groserías"), "THREAT": gettext_lazy("Amenaza"),
    "IDENTITY_ATTACK": gettext_lazy("Ataque a la identidad"),
}


def _words_shown(text: str, words: list[dict[str, Any]]) -> list[tuple[str, str, float, float]]:
    """Per explaining word: as first typed in the text ("regrésate", "🙄"; the token when it is not in it), the
    token, its weight and its bar's width (% of the heaviest)."""
    strongest = max((abs(w["weight"]) for w in words), default=1.0) or 1.0
    return [
        (text[w["start"]:w["end"]] if w["start"] is not None else w["word"], w["word"], w["weight"],
         abs(w["weight"]) / strongest * 100)
        for w in words
    ]


def _toxicity(text: str) -> dict[str, object]:
    """The toxicity model's attributes for the analysis page, the words that explain the likeliest one placed in
    the text, and the attributes it does not estimate; `{"available": False}` while no toxicity model is active."""
    try:
        classification = texts_classify(task=TOXICITY, texts=[text])
    except NoActiveModel:
        return {"available": False}
    result = classification.results[0]
    labels = result["labels"]
    ordered = [name for name in ATTRIBUTES if name in labels] + sorted(set(labels) - set(ATTRIBUTES))
    explanation = result["explanation"]
    words = explanation["words"]
    return {
        "available": True, "version": result["model_version"], "model": classification.version,
        "scores": [(ATTRIBUTE_NAMES.get(name, name), labels[name] * 100, name in result["predicted"]) for name in ordered],
        "label": ATTRIBUTE_NAMES.get(explanation["label"], explanation["label"]),
        "words": _words_shown(text, words),
        "pieces": text_pieces(text=text, words=words),
        "missing": [ATTRIBUTE_NAMES[name] for name in ATTRIBUTES if name not in labels],
    }


MOVIE_GENRES_SHOWN = 6


def _movie_genres(text: str) -> dict[str, object] | None:
    """The reference task's likeliest genres for the text and the ones it assigns, or None while no movie-genre
    model is active (the section is then left out: the reference task is not what the page is for)."""
    try:
        classification = texts_classify(task=MOVIE_GENRES, texts=[text], explain=False)
    except NoActiveModel:
        return None
    result = classification.results[0]
    names = label_names(task=MOVIE_GENRES)
    likeliest = sorted(result["labels"].items(), key=lambda item: -item[1])[:MOVIE_GENRES_SHOWN]
    return {
        "model": classification.version, "version": result["model_version"],
        "predicted": [names.get(g, g) for g in sorted(result["predicted"], key=lambda g: -result["labels"][g])],
        "scores": [(names.get(g, g), g, p * 100, g in result["predicted"]) for g, p in likeliest],
    }


@login_required
@require_GET
def posts(request: HttpRequest) -> HttpResponse:
    """The posts behind a number; the link says which (window, category, state, search, term)."""
    version = model_version_for_reads()
    filters, problem = _post_filter(request)
    if version is None or filters is None:
        return render(request, "dashboard/posts.html", {"problem": problem or _("No hay un modelo activo."), "page": None})
    page = Paginator(posts_behind(version=version, filters=filters), POSTS_PAGE_SIZE).get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    names = dict(Category.objects.values_list("slug", "name"))
    return render(request, "dashboard/posts.html", {
        "page": page, "filters": filters, "query": query.urlencode(), "version": version,
        "category_name": names.get(request.GET.get("categoria", ""), ""), "state_name": STATE_NAMES.get(filters.state or ""),
        "source_name": "" if filters.source_id is None else Source.objects.filter(pk=filters.source_id)
        .values_list("name", flat=True).first(),
        "names": names,
    })


def _post_filter(request: HttpRequest) -> tuple[PostFilter | None, str]:
    since, until = _when(request.GET.get("desde")), _when(request.GET.get("hasta"))
    if since is None or until is None or since >= until:
        return None, _("El enlace no dice de qué periodo son las publicaciones (desde, hasta).")
    slug, state = request.GET.get("categoria", ""), request.GET.get("estado", "")
    category_id = Category.objects.filter(slug=slug).values_list("pk", flat=True).first() if slug else None
    if slug and category_id is None:
        return None, _("No existe esa categoría.")
    if state and state not in STATE_NAMES:
        return None, _("No existe ese estado.")
    source_slug = request.GET.get("fuente", "")
    source_id = Source.objects.filter(slug=source_slug).values_list("pk", flat=True).first() if source_slug else None
    if source_slug and source_id is None:
        return None, _("No existe esa fuente.")
    subject = _subject(request)
    return PostFilter(
        since=since, until=until, category_id=category_id, state=state or None, source_id=source_id,
        hashtag=subject.key if subject.kind == "hashtag" else "", user=subject.key if subject.kind == "user" else "",
        term=request.GET.get("termino", "")[:120], discriminatory_only=request.GET.get("discriminatorias") == "1",
    ), ""


def _when(value: str | None) -> datetime | None:
    """A link's date as an aware UTC datetime, or None when it is not a date the drill-down can hold.

    A date without an offset is in the site's time zone; one outside 2006 (the first posts) .. 2100 is
    refused here, before it can overflow on the way to UTC or meet a bound of the other kind.
    """
    try:
        parsed = parse_datetime(value or "")
        if parsed is None:
            return None
        parsed = (timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed).astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return parsed if EARLIEST_POST <= parsed < LATEST_LINK else None


@require_GET
def ingestion(request: HttpRequest) -> HttpResponse:
    """What has been downloaded: each source's health, totals, categories, states and (for staff) the latest runs.

    A source's budget (reads against its cap, their cost) and its last error are for staff only: an error can
    name a server, a token's fate or a configuration detail.
    """
    window = timedelta(hours=48)
    context = {
        "sources": source_rows(),
        "totals": overview_totals(window=window),
        "window_hours": 48,
        "categories": overview_categories(window=window),
        "states": overview_states(),
        "runs": overview_runs() if request.user.is_staff else [],
    }
    return render(request, "dashboard/ingestion.html", context)
