"""What a series key names, and the judgement of a series as the messages carry it.

A series key is "all", "category:<id>", "state:<code>", "hashtag:<key>" or
"source:<id>" (`models.series_key`). The semáforo's selector judges them
(`dashboard.selectors.semaforo.series_judge`); this module says which of its
judgements a key reads, the series' name and page, and turns a judgement into
the plain dict stored in `SeriesLevel.judgement` and sent in messages.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext

from dashboard.levels import Judgement, Level, sentence
from dashboard.models import ALL_CATEGORIES
from dashboard.selectors.semaforo import SeriesJudged, series_judge, window_end
from dashboard.services.rollups import source_subject
from ingestion.geo import STATE_NAMES
from ingestion.models import Category, Source


@dataclass(slots=True)
class SeriesWanted:
    """The keys to judge, split by what the selector reads for them."""

    category_ids: set[int] = field(default_factory=set)
    states: set[str] = field(default_factory=set)
    subjects: dict[str, str] = field(default_factory=dict)  # rollup subject → series key

    @classmethod
    def of(cls, keys: Iterable[str]) -> SeriesWanted:
        wanted = cls()
        for key in keys:
            kind, _, value = key.partition(":")
            if kind == "all":
                wanted.category_ids.add(ALL_CATEGORIES)
            elif kind == "category" and value.isdigit():
                wanted.category_ids.add(int(value))
            elif kind == "state" and value:
                wanted.states.add(value)
            elif kind == "hashtag" and value:
                wanted.subjects[value] = key
            elif kind == "source" and value.isdigit():
                wanted.subjects[source_subject(int(value))] = key
        return wanted


# The baseline windows' counts of the watched series, for the current window's end (see `series_judge`): an
# evaluation after each scoring batch reads only the current window's rows. One end at a time is kept.
_history: dict[tuple[Any, ...], Any] = {}


def series_history_forget() -> None:
    _history.clear()


def series_judge_many(keys: Iterable[str], *, now: Any = None) -> tuple[SeriesJudged, dict[str, Judgement]]:
    """Judge every key at once by the semáforo's rule; the judgements by key."""
    wanted = SeriesWanted.of(keys)
    end = window_end(now)
    if any(key[1] != end for key in _history):
        _history.clear()
    judged = series_judge(category_ids=sorted(wanted.category_ids), states=sorted(wanted.states),
                          subjects=sorted(wanted.subjects), now=now, history_cache=_history)
    by_key: dict[str, Judgement] = {}
    for category_id, judgement in judged.categories.items():
        by_key["all" if category_id == ALL_CATEGORIES else f"category:{category_id}"] = judgement
    by_key.update((f"state:{code}", judgement) for code, judgement in judged.states.items())
    by_key.update((wanted.subjects[subject], judgement) for subject, judgement in judged.subjects.items())
    return judged, by_key


def judgement_dict(judgement: Judgement, judged: SeriesJudged) -> dict[str, Any]:
    """A judgement as messages carry it (see `services/messages.py`)."""
    return {
        "level": judgement.level.value, "level_label": str(judgement.level.label),
        "sentence": sentence(judgement, rule=judged.rule), "rate": judgement.rate, "usual_rate": judgement.baseline_mean,
        "posts": judgement.posts, "discriminatory": judgement.discriminatory, "yellow_at": judgement.yellow_at,
        "red_at": judgement.red_at, "window_start": judged.window_start.isoformat(),
        "window_end": judged.window_end.isoformat(), "window_hours": judged.rule.window_hours,
        "model_version": judged.model_version,
    }


def series_info(keys: Iterable[str]) -> dict[str, dict[str, str]]:
    """Each key's {"key", "watch", "name", "url"}: names and pages read in two queries at most."""
    keys = list(keys)
    category_ids = [int(k.split(":", 1)[1]) for k in keys if k.startswith("category:")]
    source_ids = [int(k.split(":", 1)[1]) for k in keys if k.startswith("source:")]
    categories = {c.pk: c for c in Category.objects.filter(pk__in=category_ids).only("slug", "name")} if category_ids else {}
    sources = {s.pk: s for s in Source.objects.filter(pk__in=source_ids).only("slug", "name")} if source_ids else {}
    home = settings.SITE_URL + reverse("dashboard:home")
    info = {}
    for key in keys:
        kind, _, value = key.partition(":")
        name, url = gettext("Todas las publicaciones"), home
        if kind == "category" and int(value) in categories:
            found = categories[int(value)]
            name, url = found.name, settings.SITE_URL + reverse("dashboard:category", args=[found.slug])
        elif kind == "state":
            name, url = STATE_NAMES.get(value, value), home + "#states-title"
        elif kind == "hashtag":
            name, url = f"#{value}", home + "?" + urlencode({"q": f"#{value}"})
        elif kind == "source" and int(value) in sources:
            found_source = sources[int(value)]
            name, url = found_source.name, home + "?" + urlencode({"fuente": found_source.slug})
        info[key] = {"key": key, "watch": kind, "name": name, "url": url}
    return info


LEVEL_RANK = {Level.GREY: 0, Level.GREEN: 1, Level.YELLOW: 2, Level.RED: 3}
