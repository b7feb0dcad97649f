"""Reads of the bulletins: a period's numbers, gathered only through the dashboard's and the model page's selectors.

A bulletin prints what the dashboard would have shown for the same period, so
it never counts on its own: the lights are `semaforo_get` and `states_get` at
the period's end, the daily series are `trend_get` (their sums are the
period's totals, their per-day levels the days at yellow and red), the top
terms and hashtags are the same `CountSource.top` the "what is being said"
widget reads, over the whole period. The model's figures are the model page's
report. Everything is a plain JSON-ready dict (`BulletinNumbers`): the
bulletin's row keeps it as `summary`, and the HTML, the PDF and the charts
are drawn from it alone.

Aggregates only: no post text and no handle ever enter the numbers; hashtags
need `PUBLIC_HASHTAG_MIN_POSTS` posts, as on the public dashboard.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext

from alerts.models import Bulletin
from classifier.label_sets import DISCRIMINATION
from classifier.selectors.model_versions import model_version_for_reads
from classifier.selectors.reports import model_version_active_get, model_version_report
from dashboard.levels import Level, Rule, period_text, window_text
from dashboard.models import ALL_CATEGORIES
from dashboard.selectors.counts import PhraseCount, Subject, source_for
from dashboard.selectors.semaforo import (
    PUBLIC_HASHTAG_MIN_POSTS,
    Light,
    categories_active,
    semaforo_get,
    semaforo_rule_get,
    states_get,
    trend_get,
)

BulletinNumbers = dict[str, Any]

# A dictionary term is listed when at least this many scored posts of the period carry it: fewer is noise, not a
# trend worth a line in a monthly report.
TERM_MIN_POSTS = 5
TOP_LIMIT = 15  # terms and hashtags listed, at most


# --- Periods ---------------------------------------------------------------------------------

def site_zone() -> ZoneInfo:
    """Mexico City (settings.TIME_ZONE): where days and months turn."""
    return ZoneInfo(settings.TIME_ZONE)


def period_bounds(*, first: date, last: date) -> tuple[datetime, datetime]:
    """The period from the start of `first` to the end of `last` (both included), in the site's days."""
    if last < first:
        raise ValueError(gettext("El periodo termina antes de empezar."))
    zone = site_zone()
    return datetime.combine(first, time.min, zone), datetime.combine(last + timedelta(days=1), time.min, zone)


def month_bounds(*, year: int, month: int) -> tuple[datetime, datetime]:
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return period_bounds(first=first, last=following - timedelta(days=1))


def month_previous(*, now: datetime) -> tuple[int, int]:
    """The calendar month before the one `now` falls in, in Mexico City."""
    today = now.astimezone(site_zone()).date()
    last_month = today.replace(day=1) - timedelta(days=1)
    return last_month.year, last_month.month


def period_days(*, start: datetime, end: datetime) -> tuple[date, date]:
    """The first and last day (included) of a period of whole site days; ValueError for any other period."""
    zone = site_zone()
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    if local_start.timetz().replace(tzinfo=None) != time.min or local_end.timetz().replace(tzinfo=None) != time.min:
        raise ValueError(gettext("Un boletín abarca días enteros: empieza y termina a medianoche (Ciudad de México)."))
    if local_end <= local_start:
        raise ValueError(gettext("El periodo termina antes de empezar."))
    return local_start.date(), local_end.date() - timedelta(days=1)


MAX_PERIOD_DAYS = 366  # a bulletin's daily charts and tables stay readable, and its making bounded


def period_check(*, start: datetime, end: datetime, now: datetime) -> None:
    """ValueError with a sentence for a period no bulletin can be made of: not whole days, longer than a year, or
    not over yet (its lights "at the close" would be judged on hours that have not happened)."""
    first, last = period_days(start=start, end=end)
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        raise ValueError(gettext("Un boletín abarca a lo más %(n)d días.") % {"n": MAX_PERIOD_DAYS})
    if end > now:
        raise ValueError(gettext("El periodo aún no termina: el boletín se hace cuando cierra."))


def period_is_month(*, first: date, last: date) -> bool:
    return first.day == 1 and (last + timedelta(days=1)).day == 1 and (first.year, first.month) == (last.year, last.month)


def period_slug(*, first: date, last: date) -> str:
    """'2026-11' for a calendar month, '2026-11-03_2026-11-16' for any other period."""
    return f"{first:%Y-%m}" if period_is_month(first=first, last=last) else f"{first:%Y-%m-%d}_{last:%Y-%m-%d}"


def period_title(*, first: date, last: date) -> str:
    """'Boletín de noviembre de 2026', 'Boletín del 3 al 16 de noviembre de 2026'."""
    if period_is_month(first=first, last=last):
        return gettext("Boletín de %(month)s") % {"month": formats.date_format(first, "F \\d\\e Y").lower()}
    return gettext("Boletín del %(first)s al %(last)s") % {
        "first": formats.date_format(first, "j \\d\\e F \\d\\e Y").lower(),
        "last": formats.date_format(last, "j \\d\\e F \\d\\e Y").lower(),
    }


# --- The numbers -------------------------------------------------------------------------------

def _light(light: Light) -> dict[str, Any]:
    judged = light.judgement
    return {
        "slug": light.slug, "name": light.name, "level": str(light.level), "label": light.label,
        "posts": light.posts, "discriminatory": judged.discriminatory, "rate": light.rate,
        "change": light.change, "yellow_at": judged.yellow_at, "red_at": judged.red_at, "sentence": light.sentence,
    }


def _series(*, category: str | None, name: str, days: int, now: datetime) -> dict[str, Any]:
    """One series' daily points over the period and their sums: the trend chart's points and the totals' row."""
    trend = trend_get(category=category, granularity="day", periods=days, now=now)
    points: list[dict[str, Any]] = [
        {"date": point.start.astimezone(site_zone()).date().isoformat(), "posts": point.posts,
         "discriminatory": point.judgement.discriminatory, "rate": point.rate, "yellow_at": point.yellow_at,
         "red_at": point.red_at, "level": str(point.level)}
        for point in trend.points
    ]
    posts = sum(p["posts"] for p in points)
    discriminatory = sum(p["discriminatory"] for p in points)
    return {
        "slug": trend.slug, "name": name, "posts": posts, "discriminatory": discriminatory,
        "rate": discriminatory / posts if posts else None,
        "days_yellow": sum(p["level"] == Level.YELLOW for p in points),
        "days_red": sum(p["level"] == Level.RED for p in points),
        "days_judged": sum(p["level"] != Level.GREY for p in points),
        "points": points,
    }


def _phrases(found: list[PhraseCount], *, min_posts: int) -> list[dict[str, Any]]:
    return [{"text": p.text, "posts": p.posts, "discriminatory": p.discriminatory, "rate": p.rate}
            for p in found if p.posts >= min_posts]


def _top(*, start: datetime, end: datetime) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The period's top terms and hashtags (every post), above their minimum counts."""
    version = model_version_for_reads()
    if version is None:
        return [], []
    source = source_for(Subject(), model_version_id=version.pk)
    terms = source.top(kind="term", since=start, until=end, category_id=ALL_CATEGORIES, limit=TOP_LIMIT)
    hashtags = source.top(kind="hashtag", since=start, until=end, category_id=ALL_CATEGORIES, limit=TOP_LIMIT)
    return _phrases(terms, min_posts=TERM_MIN_POSTS), _phrases(hashtags, min_posts=PUBLIC_HASHTAG_MIN_POSTS)


def _model() -> dict[str, Any] | None:
    """The active discrimination model as the model page reports it: version, demo or not, figures per label."""
    version = model_version_active_get(task=DISCRIMINATION)
    if version is None:
        return None
    report = model_version_report(version=version)
    return {
        "version": version.version, "name": report.name, "demo": report.demo,
        "trained_at": version.created_at.isoformat(),
        "training_rows": report.training_rows, "held_out_rows": report.held_out_rows,
        "macro_f1": report.macro_f1, "macro_roc_auc": report.macro_roc_auc,
        "labels": [
            {"label": row.label, "name": row.name, "held_out_positives": row.held_out_positives,
             "precision": row.precision, "recall": row.recall, "f1": row.f1, "roc_auc": row.roc_auc}
            for row in report.labels
        ],
    }


def _rule(rule: Rule) -> dict[str, Any]:
    return {"window_hours": rule.window_hours, "baseline_days": rule.baseline_days, "min_posts": rule.min_posts,
            "min_baseline_windows": rule.min_baseline_windows, "yellow_sigma": rule.yellow_sigma,
            "red_sigma": rule.red_sigma}


def methods_text(*, rule: Rule, term_min_posts: int = TERM_MIN_POSTS) -> list[str]:
    """The methods paragraphs, in the words of the rule the lights were judged by."""
    values = {
        "window": window_text(rule.window_hours), "period": period_text(rule.baseline_days),
        "yellow": f"{rule.yellow_sigma:g}", "red": f"{rule.red_sigma:g}", "min": rule.min_posts,
        "hashtags": PUBLIC_HASHTAG_MIN_POSTS, "terms": term_min_posts,
    }
    return [
        gettext(
            "Las publicaciones en español que contienen alguno de los términos del diccionario de discriminación se "
            "descargan de las redes sociales, con el estado de la República que declara su autor cuando se puede "
            "saber. Un clasificador entrenado con publicaciones etiquetadas por personas califica cada una como "
            "discriminatoria o no, y en qué categorías."
        ),
        gettext(
            "La tasa es la proporción de publicaciones calificadas que resultan discriminatorias. El semáforo compara "
            "la tasa de %(window)s con la de los periodos de igual duración de %(period)s: amarillo desde su media "
            "más %(yellow)s σ (desviaciones estándar de esas tasas), rojo desde la media más %(red)s σ, verde por "
            "debajo. Gris cuando hay menos de %(min)d publicaciones calificadas o no hay historia suficiente para "
            "comparar."
        ) % values,
        gettext(
            "Las luces son las del cierre del periodo. Las tendencias juzgan cada día con la misma regla frente a los "
            "días de %(period)s anteriores: sus líneas de umbral son las tasas en que ese día habría pasado a amarillo "
            "o a rojo, y los días en amarillo o en rojo del periodo se cuentan así."
        ) % values,
        gettext(
            "Este boletín solo publica cifras agregadas: ningún texto de publicación ni nombre de usuario. Un hashtag "
            "aparece cuando lo llevan al menos %(hashtags)d publicaciones del periodo; un término, al menos %(terms)d."
        ) % values,
    ]


def bulletin_numbers_get(*, start: datetime, end: datetime, now: datetime) -> BulletinNumbers:
    """Everything a bulletin of the period [start, end) prints, as the dashboard showed it at the period's end.

    `start` and `end` are site midnights (`period_bounds`); `now` is when the bulletin is made.
    """
    first, last = period_days(start=start, end=end)
    days = (last - first).days + 1
    at_end = end - timedelta(microseconds=1)  # inside the last day and hour: the dashboard's "now" at the end
    rule = semaforo_rule_get()
    semaforo = semaforo_get(now=at_end)
    everything = gettext("Todas las publicaciones")
    series = [_series(category=None, name=everything, days=days, now=at_end)]
    series += [_series(category=c.slug, name=c.name, days=days, now=at_end) for c in categories_active()]
    terms, hashtags = _top(start=start, end=end)
    return {
        "slug": period_slug(first=first, last=last), "title": period_title(first=first, last=last),
        "period_start": start.isoformat(), "period_end": end.isoformat(),
        "first_day": first.isoformat(), "last_day": last.isoformat(), "days": days,
        "generated_at": now.isoformat(), "model_version": semaforo.model_version, "rule": _rule(rule),
        "lights": {
            "window_start": semaforo.window_start.isoformat(), "window_end": semaforo.window_end.isoformat(),
            "overall": _light(semaforo.overall), "categories": [_light(light) for light in semaforo.categories],
        },
        "states": [_light(light) for light in states_get(now=at_end)],
        "series": series,
        "terms": terms, "hashtags": hashtags,
        "term_min_posts": TERM_MIN_POSTS, "hashtag_min_posts": PUBLIC_HASHTAG_MIN_POSTS,
        "model": _model(),
        "methods": methods_text(rule=rule),
    }


# --- Lists -------------------------------------------------------------------------------------

def bulletin_urls(*, slug: str) -> dict[str, str]:
    """The public addresses of a bulletin, its PDF and the list, on the site's public address."""
    return {
        "site_url": settings.SITE_URL,
        "list_url": settings.SITE_URL + reverse("alerts:bulletins"),
        "url": settings.SITE_URL + reverse("alerts:bulletin", kwargs={"slug": slug}),
        "pdf_url": settings.SITE_URL + reverse("alerts:bulletin_pdf", kwargs={"slug": slug}),
    }


def bulletins_list(*, published_only: bool = True) -> QuerySet[Bulletin]:
    """Bulletins, newest period first (only the published ones for the public)."""
    bulletins = Bulletin.objects.all()
    return bulletins.filter(published=True) if published_only else bulletins


def bulletin_get(*, slug: str, published_only: bool = True) -> Bulletin | None:
    return bulletins_list(published_only=published_only).filter(slug=slug).first()


@dataclass(frozen=True, slots=True)
class BulletinRow:
    """A line of the public list: the bulletin, its days and its headline numbers."""

    bulletin: Bulletin
    first_day: date
    last_day: date
    posts: int | None
    rate: float | None


def bulletin_rows(*, published_only: bool = True) -> list[BulletinRow]:
    rows = []
    for bulletin in bulletins_list(published_only=published_only):
        first, last = period_days(start=bulletin.period_start, end=bulletin.period_end)
        overall = (bulletin.summary.get("series") or [{}])[0]
        rows.append(BulletinRow(bulletin=bulletin, first_day=first, last_day=last, posts=overall.get("posts"),
                                rate=overall.get("rate")))
    return rows
