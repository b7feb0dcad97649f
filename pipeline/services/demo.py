"""The embedded default's demo: posts, a model learned from the synthetic corpus, their scores, a campaign.

Each step runs once: a second `load_demo` finds every part in place and adds nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from classifier.models import ModelVersion
from classifier.services.training import demo_model_ensure
from ingestion.models import IngestionRun, Source
from ingestion.services.demo import demo_backlog_load, demo_source_get_or_create
from labeling.models import Campaign
from labeling.services.demo import demo_campaign_ensure
from pipeline.services.scoring import tweets_score


@dataclass(slots=True)
class DemoLoaded:
    source: Source
    run: IngestionRun | None  # None when the backlog was already loaded
    model: ModelVersion | None  # None when a model was already there
    scored: int
    campaign: Campaign
    campaign_added: int


def demo_load(*, backlog: int, days: int) -> DemoLoaded:
    """The demo source with `backlog` posts over the last `days` days, the demo model, its scores, the campaign."""
    source, created = demo_source_get_or_create()
    run = None
    if created or not source.runs.exists():
        run = demo_backlog_load(source=source, count=backlog, spread=timedelta(days=days))
    model = demo_model_ensure()
    scored = tweets_score().scored if model is not None else 0
    campaign, added = demo_campaign_ensure()
    return DemoLoaded(source=source, run=run, model=model, scored=scored, campaign=campaign, campaign_added=added)
