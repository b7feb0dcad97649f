"""The sources the semáforo's pages can be filtered by (`?fuente=<slug>`), and each source's health for `/ingesta/`.

The filter offers the sources whose posts the model's rollups count, found in
the rollups themselves (one index probe per source on the rows' key), never by
scanning the posts: `Tweet.source` has no index, and a source without posts
would make such a scan read the whole table.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext_lazy as _

from dashboard.models import SOURCE_SUBJECT_PREFIX, HourlyCount
from ingestion.models import IngestionRun, Source
from ingestion.selectors.sources import SourceHealth, sources_health


def source_get(*, slug: str) -> Source:
    """A source by its slug (switched off ones too: their posts stay readable); Source.DoesNotExist if none."""
    return Source.objects.only("id", "slug", "name", "kind").get(slug=slug)


def sources_counted(*, model_version_id: int) -> list[Source]:
    """The sources with posts in a model version's rollups, by name."""
    counted = HourlyCount.objects.filter(
        model_version_id=model_version_id,
        subject=Concat(Value(SOURCE_SUBJECT_PREFIX), Cast(OuterRef("pk"), CharField()), output_field=CharField()),
    )
    return list(Source.objects.filter(Exists(counted)).order_by("name", "slug").only("id", "slug", "name", "kind"))


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One source as `/ingesta/` shows it: its health and the state it is in."""

    health: SourceHealth

    @property
    def source(self) -> Source:
        return self.health.source

    @property
    def state(self) -> str:
        """"off" (switched off in the admin), "capped" (its last run stopped at a cap: it waits for the month or
        a higher cap) or "on"."""
        if not self.source.enabled:
            return "off"
        run = self.health.last_run
        return "capped" if run is not None and run.status == IngestionRun.Status.CAPPED else "on"

    @property
    def state_label(self) -> str:
        return str(SOURCE_STATES[self.state])


SOURCE_STATES = {"on": _("encendida"), "off": _("apagada"), "capped": _("detenida por el tope")}


def source_rows() -> list[SourceRow]:
    """Every source but file imports, switched-on ones first (see `sources_health`)."""
    return [SourceRow(health) for health in sources_health()]
