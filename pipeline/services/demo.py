"""The embedded default's demo: models learned from the synthetic corpus (and a movie-genre one from synthetic synopses), weeks of posts shaped for the
semáforo (`pipeline.demo_shape`), their scores, a campaign, and in the embedded mode annotators with answers.

Each step runs once: a second `load_demo` finds every part in place and adds nothing. `progress` hears
the name of each step as it ends, with what was loaded so far, so a command can say so as it goes.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from classifier.label_sets import DISCRIMINATION
from classifier.models import ModelVersion
from classifier.selectors.classification import texts_classify
from classifier.selectors.serving import model_active_get
from classifier.services.demo import movie_demo_model_ensure
from classifier.services.training import demo_model_ensure
from dashboard.levels import Level
from dashboard.selectors.semaforo import categories_active, semaforo_get, semaforo_rule_get, states_get
from ingestion.models import IngestionRun, Source
from ingestion.selectors.dictionary import matcher_current
from ingestion.services.demo import demo_backlog_load, demo_mix_set, demo_source_get_or_create
from ingestion.sources.replay import demo_corpus
from labeling.models import Campaign
from labeling.services.demo import (
    DemoAnnotators,
    DemoAnswers,
    demo_annotators_ensure,
    demo_answers_ensure,
    demo_campaign_ensure,
)
from pipeline.demo_shape import CorpusPost, DemoShape, demo_shape
from pipeline.services.scoring import tweets_score

DEFAULT_DAYS = 35


@dataclass(slots=True)
class DemoLoaded:
    source: Source | None = None
    model: ModelVersion | None = None  # None when a model was already there
    movie_model: ModelVersion | None = None  # the reference movie-genre task's demo model; None when one was there
    run: IngestionRun | None = None  # None when the backlog was already loaded
    shape: DemoShape | None = None  # None for a plain backlog, or none loaded now
    rising: list[tuple[str, Level]] = field(default_factory=list)  # (category name, level) of the shape's rises
    scored: int = 0
    campaign: Campaign | None = None
    campaign_added: int = 0
    annotators: DemoAnnotators | None = None  # None outside the embedded mode
    answers: DemoAnswers | None = None
    steps: list[str] = field(default_factory=list)


def demo_load(
    *, days: int = DEFAULT_DAYS, backlog: int | None = None, annotators: bool = False, now: datetime | None = None,
    progress: Callable[[str, DemoLoaded], None] | None = None,
) -> DemoLoaded:
    """The demo source and its posts over the last `days` days (shaped for the semáforo; `backlog` posts of the
    corpus in order instead, when given), the demo model and its scores, the campaign, and with `annotators`
    the demo annotators and their answers."""
    loaded = DemoLoaded()

    def done(step: str) -> None:
        loaded.steps.append(step)
        if progress is not None:
            progress(step, loaded)

    loaded.source, created = demo_source_get_or_create()
    loaded.model = demo_model_ensure()
    loaded.movie_model = movie_demo_model_ensure()  # so /classifier/ and /analizar/ answer the movie task too
    done("model")
    if created or not loaded.source.runs.exists():
        if backlog is None:
            names = {category.slug: category.name for category in categories_active()}
            loaded.shape = demo_shape(corpus=demo_corpus_profile(), categories=list(names), rule=semaforo_rule_get(),
                                      now=now or timezone.now(), days=days)
            loaded.rising = [(names[slug], level) for slug, level in loaded.shape.categories.items()
                             if level != Level.GREEN]
            corpus = demo_corpus()
            demo_mix_set(source=loaded.source, mix=[(corpus[index]["id"], state) for index, state in loaded.shape.mix])
            loaded.run = demo_backlog_load(source=loaded.source, planned=loaded.shape.posts)
        else:
            loaded.run = demo_backlog_load(source=loaded.source, count=backlog, spread=timedelta(days=days))
    done("backlog")
    if loaded.run is not None or loaded.model is not None:
        loaded.scored = tweets_score().scored
    done("scores")
    loaded.campaign, loaded.campaign_added = demo_campaign_ensure()
    done("campaign")
    if annotators:
        loaded.annotators = demo_annotators_ensure()
        loaded.answers = demo_answers_ensure(campaign=loaded.campaign, annotators=loaded.annotators.users)
        done("annotators")
    return loaded


def demo_corpus_profile() -> list[CorpusPost]:
    """Each corpus item's dictionary category and the active model's decision (the corpus's own judgement
    when no model is active); items whose terms name two categories are left out."""
    corpus = demo_corpus()
    texts = [item["text"] for item in corpus]
    loaded = model_active_get(task=DISCRIMINATION)
    if loaded is not None:
        results = texts_classify(task=DISCRIMINATION, texts=texts, explain=False, loaded=loaded).results
        decisions = [bool(result["discriminatory"]) for result in results]
    else:
        decisions = [bool(item["discriminatory"]) for item in corpus]
    matcher = matcher_current()
    profile = []
    for index, (text, decision) in enumerate(zip(texts, decisions, strict=True)):
        categories = matcher.match(text).categories
        if len(categories) <= 1:
            profile.append(CorpusPost(index=index, category=categories[0] if categories else "", discriminatory=decision))
    return profile


@dataclass(frozen=True, slots=True)
class LightsCount:
    overall: Level
    categories: Counter[Level]
    states: Counter[Level]


def demo_lights_count(*, now: datetime | None = None) -> LightsCount:
    """The semáforo as a visitor sees it: the overall level, and how many categories and states are at each level."""
    semaforo = semaforo_get(now=now)
    return LightsCount(
        overall=semaforo.overall.level,
        categories=Counter(light.level for light in semaforo.categories),
        states=Counter(light.level for light in states_get(now=now)),
    )
