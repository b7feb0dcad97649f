"""/ingesta/ shows each source's health: its state, how far behind real time it reads, what it stored in the last
hour, its reconnects and connection errors; what it costs and its last error only to staff."""
from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from ingestion.models import IngestionRun, Source
from tests.factories import IngestionRunFactory, SourceFactory, UserFactory

pytestmark = pytest.mark.django_db
ERROR = "ConnectionClosedError: received 1006 (abnormal closure) from jetstream.example"


@pytest.fixture
def sources() -> None:
    """Bluesky streaming 3 minutes behind (42 posts stored in the last hour), X stopped by its monthly cap of
    10,000 posts (50 USD at 0.005), Mastodon switched off and never read, and a file import (not a feed)."""
    Source.objects.all().delete()
    now = timezone.now()
    bluesky = SourceFactory.create(slug="bluesky-x", name="Bluesky", kind=Source.Kind.BLUESKY, last_event_at=now - timedelta(minutes=3, seconds=5),
                            reconnects=2, failures=1, last_error=ERROR)
    IngestionRunFactory.create(source=bluesky, status=IngestionRun.Status.SUCCEEDED, fetched=50, new=42,
                        finished_at=now - timedelta(minutes=20))
    IngestionRunFactory.create(source=bluesky, status=IngestionRun.Status.SUCCEEDED, fetched=500, new=400,
                        finished_at=now - timedelta(hours=3))  # before the last hour
    x_api = SourceFactory.create(slug="x-api-x", name="API de X", kind=Source.Kind.X_API, monthly_cap=10_000,
                          last_event_at=now - timedelta(hours=5, minutes=1))
    IngestionRunFactory.create(source=x_api, status=IngestionRun.Status.CAPPED, fetched=10_000, new=9_000,
                        finished_at=now - timedelta(hours=5))
    SourceFactory.create(slug="mastodon-x", name="Mastodon", kind=Source.Kind.MASTODON, enabled=False)
    SourceFactory.create(slug="archivos-x", name="Archivos", kind=Source.Kind.FILE)


def source_rows(client) -> dict[str, dict[str, str]]:  # noqa: ANN001
    """The sources table as a visitor reads it: per source, its cells by column heading, and the line of its last
    error under it (staff only) as "Último error"."""
    html = BeautifulSoup(client.get("/ingesta/").content.decode(), "html.parser")
    table = html.select_one('[data-testid="sources"]')
    assert table is not None
    headings = [th.get_text(" ", strip=True) for th in table.select("thead th")]
    rows: dict[str, dict[str, str]] = {}
    for row in table.select("tbody tr"):
        cells = [td.get_text(" ", strip=True) for td in row.find_all("td")]
        if row.get("data-source"):
            rows[cells[0]] = dict(zip(headings, cells, strict=True))
        else:  # the line under the source before it
            rows[list(rows)[-1]]["Último error"] = cells[0]
    return rows


def test_each_source_shows_its_state_lag_and_throughput_without_costs_for_visitors(client, sources):
    rows = source_rows(client)
    assert list(rows) == ["API de X", "Bluesky", "Mastodon"]  # switched-on first, by name; no file imports
    bluesky = rows["Bluesky"]
    assert bluesky["Estado"] == "encendida" and bluesky["Tipo"].startswith("Bluesky")
    assert bluesky["Último evento"].endswith("hace 3 min")
    assert (bluesky["Publicaciones en la última hora"], bluesky["Reconexiones"], bluesky["Errores de conexión"]) == (
        "42", "2", "1")
    assert rows["API de X"]["Estado"] == "detenida por el tope"
    assert rows["API de X"]["Último evento"].endswith("hace 5 h")
    assert (rows["Mastodon"]["Estado"], rows["Mastodon"]["Último evento"]) == ("apagada", "sin eventos todavía")
    html = client.get("/ingesta/").content.decode()
    assert "USD" not in html and ERROR not in html and "10,000" not in html


def test_staff_also_see_the_months_reads_against_the_cap_its_cost_and_the_last_error(client, sources):
    client.force_login(UserFactory.create(username="operadora", is_staff=True))
    rows = source_rows(client)
    assert rows["API de X"]["Leídas este mes / tope"] == "10,000 / 10,000"
    assert rows["API de X"]["Costo estimado del mes (USD)"] == "50.00"
    assert (rows["Bluesky"]["Leídas este mes / tope"], rows["Bluesky"]["Costo estimado del mes (USD)"]) == ("550", "0.00")
    assert rows["Bluesky"]["Último error"] == f"Último error: {ERROR}" and "Último error" not in rows["Mastodon"]


def test_a_signed_in_user_who_is_not_staff_sees_no_costs(client, sources):
    client.force_login(UserFactory.create(username="analista"))
    assert "Costo estimado del mes (USD)" not in next(iter(source_rows(client).values()))


def test_without_sources_the_page_says_how_to_add_one(client, db):
    Source.objects.all().delete()
    html = BeautifulSoup(client.get("/ingesta/").content.decode(), "html.parser")
    assert "No hay fuentes configuradas" in html.select_one('[data-testid="sources-empty"]').get_text()
    assert html.select_one('[data-testid="sources"]') is None
