"""The dashboard's widgets as plain data: chart series for the page's scripts and rows for the CSV downloads.

Every CSV comes from the same selectors as the page it is downloaded from, so
the file always says what the page shows.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dashboard.levels import period_text
from dashboard.selectors.counts import Subject
from dashboard.selectors.semaforo import (
    PUBLIC_HASHTAG_MIN_POSTS,
    Light,
    Trend,
    phrases_top,
    semaforo_get,
    semaforo_rule_get,
    states_get,
    trend_from_first_data,
    trend_get,
)
from ingestion.models import Category


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 2)


def trend_chart(trend: Trend) -> dict[str, Any]:
    """A trend as the chart script reads it: labels, rate and the yellow and red thresholds in percent.

    From the first period with data on (`trend_from_first_data`). A period without posts has no rate (null: the
    chart leaves a gap), and one without enough history has no thresholds; when no period has them, `no_thresholds`
    says why, for the page to print under the chart.
    """
    daily = trend.granularity == "day"
    points = trend_from_first_data(trend).points
    thresholds = any(p.red_at is not None for p in points)
    return {
        "title": trend.name,
        "granularity": trend.granularity,
        "labels": [timezone.localtime(p.start).strftime("%d/%m" if daily else "%d/%m %H:00") for p in points],
        "rate": [_percent(p.rate) for p in points],
        "yellow": [_percent(p.yellow_at) for p in points],
        "red": [_percent(p.red_at) for p in points],
        "posts": [p.posts for p in points],
        "thresholds": thresholds,
        "no_thresholds": "" if thresholds else _no_thresholds(daily=daily),
        "series": {"rate": _("Tasa de publicaciones discriminatorias (%)"), "yellow": _("Umbral amarillo"),
                   "red": _("Umbral rojo")},
    }


def _no_thresholds(*, daily: bool) -> str:
    """Why a trend has no threshold lines: each point is judged against the periods of its length before it."""
    rule = semaforo_rule_get()
    values = {"min": rule.min_posts, "needed": max(rule.min_baseline_windows, 2), "period": period_text(rule.baseline_days)}
    if daily:
        return ngettext(
            "Todavía no hay umbrales que dibujar: se calculan con los días anteriores que tienen al menos %(min)d "
            "publicación calificada, y hacen falta %(needed)d de esos días en %(period)s.",
            "Todavía no hay umbrales que dibujar: se calculan con los días anteriores que tienen al menos %(min)d "
            "publicaciones calificadas, y hacen falta %(needed)d de esos días en %(period)s.",
            rule.min_posts,
        ) % values
    return ngettext(
        "Todavía no hay umbrales que dibujar: se calculan con las horas anteriores que tienen al menos %(min)d "
        "publicación calificada, y hacen falta %(needed)d de esas horas en %(period)s.",
        "Todavía no hay umbrales que dibujar: se calculan con las horas anteriores que tienen al menos %(min)d "
        "publicaciones calificadas, y hacen falta %(needed)d de esas horas en %(period)s.",
        rule.min_posts,
    ) % values


def _light_row(light: Light, *, key: str) -> dict[str, Any]:
    judged = light.judgement
    return {
        key: light.slug, "nombre": light.name, "nivel": light.label, "publicaciones": light.posts,
        "discriminatorias": judged.discriminatory, "tasa_pct": _percent(light.rate),
        "media_habitual_pct": _percent(judged.baseline_mean), "umbral_amarillo_pct": _percent(judged.yellow_at),
        "umbral_rojo_pct": _percent(judged.red_at),
        "veces_la_habitual": None if light.change is None else round(light.change, 2), "explicacion": light.sentence,
    }


def _semaforo_rows(*, subject: Subject, category: str | None) -> list[dict[str, Any]]:
    semaforo = semaforo_get(subject=subject)
    lights = [semaforo.overall, *semaforo.categories]
    return [_light_row(light, key="categoria") for light in lights if category in (None, light.slug)]


def _states_rows(*, subject: Subject, category: str | None) -> list[dict[str, Any]]:
    return [_light_row(light, key="estado") for light in states_get(category=category, subject=subject)]


def _phrase_rows(kind: str) -> Callable[..., list[dict[str, Any]]]:
    def rows(*, subject: Subject, category: str | None) -> list[dict[str, Any]]:
        found = phrases_top(kind=kind, category=category, subject=subject, limit=100)  # type: ignore[arg-type]
        return [{"texto": p.text, "publicaciones": p.posts, "discriminatorias": p.discriminatory,
                 "tasa_pct": _percent(p.rate)} for p in found]
    return rows


def _trend_rows(granularity: str) -> Callable[..., list[dict[str, Any]]]:
    def rows(*, subject: Subject, category: str | None) -> list[dict[str, Any]]:
        trend = trend_from_first_data(
            trend_get(category=category, granularity=granularity, subject=subject))  # type: ignore[arg-type]
        return [{"inicio": timezone.localtime(p.start).isoformat(), "publicaciones": p.posts,
                 "discriminatorias": p.judgement.discriminatory, "tasa_pct": _percent(p.rate),
                 "umbral_amarillo_pct": _percent(p.yellow_at), "umbral_rojo_pct": _percent(p.red_at),
                 "nivel": p.level.label} for p in trend.points]
    return rows


TABLES: dict[str, Callable[..., list[dict[str, Any]]]] = {
    "semaforo": _semaforo_rows,
    "estados": _states_rows,
    "terminos": _phrase_rows("term"),
    "hashtags": _phrase_rows("hashtag"),
    "tendencia-diaria": _trend_rows("day"),
    "tendencia-horaria": _trend_rows("hour"),
}


def rows_for(table: str, *, subject: Subject, category: str | None, public: bool = False) -> list[dict[str, Any]]:
    """A table's rows; KeyError for an unknown table, Category.DoesNotExist for an unknown category.

    `public` (an anonymous visitor): hashtags of fewer than `PUBLIC_HASHTAG_MIN_POSTS` posts are left out.
    """
    rows = TABLES[table](subject=subject, category=category)
    if public and table == "hashtags":
        rows = [row for row in rows if row["publicaciones"] >= PUBLIC_HASHTAG_MIN_POSTS]
    return rows


def analysis(*, text: str, result: dict[str, Any], segments: list[tuple[str, bool]]) -> dict[str, Any]:
    """The classifier's answer for one text, shaped for the analysis page."""
    names = {"discriminatory": _("Discriminatorio"), **dict(Category.objects.values_list("slug", "name"))}
    scores = sorted(result["labels"].items(), key=lambda item: -item[1])
    words = result.get("explanation", {}).get("words", [])
    strongest = max((abs(w["weight"]) for w in words), default=1.0) or 1.0
    return {
        "result": result,
        "scores": [(names.get(label, label), p * 100, label in result["predicted"]) for label, p in scores],
        "segments": segments,
        "words": [(w["word"], w["weight"], abs(w["weight"]) / strongest * 100) for w in words],
        "category_names": [names.get(slug, slug) for slug in result.get("categories", [])],
    }
