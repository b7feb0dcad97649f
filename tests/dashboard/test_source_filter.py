"""The semáforo of one source (`?fuente=<slug>`): its lights, map, tables, CSV files and drill-down are that
source's, the page says which, the filter lists the sources with posts and keeps the search."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup

from dashboard.selectors.semaforo import window_end
from ingestion.models import Source
from tests.dashboard.builders import posts_create, score
from tests.factories import CategoryFactory, SemaforoSettingsFactory, SourceFactory, UserFactory

pytestmark = pytest.mark.django_db
DAY = timedelta(hours=24)


@pytest.fixture
def two_sources(version) -> None:
    """Daily windows judged against 4 earlier days: both sources had 20-30 % discriminatory posts (10 a day);
    today Bluesky has 18 of 20 (red) and X 2 of 20 (green). Every post is of «Género X», in Jalisco, by @ana."""
    SemaforoSettingsFactory.create(window_hours=24, baseline_days=4, min_posts=10, min_baseline_windows=3, history_days=10)
    genero = CategoryFactory.create(slug="genero-x", name="Género X")
    bluesky = SourceFactory.create(slug="bluesky-x", name="Bluesky", kind=Source.Kind.BLUESKY)
    x_api = SourceFactory.create(slug="x-api-x", name="API de X", kind=Source.Kind.X_API)
    SourceFactory.create(slug="mastodon-x", name="Mastodon", kind=Source.Kind.MASTODON)  # no posts: not offered
    end = window_end()
    for source, today in ((bluesky, 18), (x_api, 2)):
        for day in range(1, 5):
            score(posts_create(10, at=end - day * DAY - timedelta(hours=2), source=source, categories=[genero],
                               state="JAL", handle="ana"), version=version, discriminatory=2 + day % 2)
        score(posts_create(20, at=end - timedelta(hours=2), source=source, categories=[genero], state="JAL",
                           handle="ana", hashtags=["#8M"], terms=[("vieja loca", ["genero-x"])]),
              version=version, discriminatory=today)


def page(client, path: str) -> BeautifulSoup:  # noqa: ANN001
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return BeautifulSoup(response.content.decode(), "html.parser")


def by_id(html: BeautifulSoup, testid: str):  # noqa: ANN201
    found = html.select_one(f'[data-testid="{testid}"]')
    assert found is not None, testid
    return found


def light(html: BeautifulSoup, testid: str) -> tuple[str, str]:
    """A light's level and its number of posts, as shown."""
    card = by_id(html, testid)
    posts = next(div for div in card.find_all("div") if div.dt and div.dt.get_text() == "Publicaciones")
    return card["data-level"], posts.dd.get_text(strip=True)


def filter_links(html: BeautifulSoup) -> list[tuple[str, str, bool]]:
    return [(a.get_text(strip=True), a["href"], a.get("aria-current") == "page")
            for a in by_id(html, "source-filter").find_all("a")]


def csv_rows(client, path: str) -> list[dict[str, str]]:  # noqa: ANN001
    response = client.get(path)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv"), path
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_home_of_each_source_shows_its_own_light_and_says_which(client, two_sources):
    bluesky = page(client, "/?fuente=bluesky-x")
    assert light(bluesky, "light-all") == ("red", "20")
    assert light(bluesky, "light-genero-x") == ("red", "20")
    assert "Bluesky" in by_id(bluesky, "source-shown").get_text() and "Bluesky" in bluesky.h1.get_text()
    x_api = page(client, "/?fuente=x-api-x")
    assert light(x_api, "light-all") == ("green", "20")
    assert "API de X" in by_id(x_api, "source-shown").get_text()
    everything = page(client, "/")
    assert light(everything, "light-all")[1] == "40"
    assert everything.select_one('[data-testid="source-shown"]') is None
    # Every source with posts, by name, the one shown marked; a source without posts is not offered.
    assert filter_links(everything) == [("Todas las fuentes", "/", True), ("API de X", "/?fuente=x-api-x", False),
                                        ("Bluesky", "/?fuente=bluesky-x", False)]
    assert [current for _, _, current in filter_links(bluesky)] == [False, False, True]
    # The category cards lead to the category page of the same source.
    assert bluesky.find("a", href="/categoria/genero-x/?fuente=bluesky-x") is not None


def test_the_category_page_map_and_tables_are_the_sources(client, two_sources):
    html = page(client, "/categoria/genero-x/?fuente=bluesky-x")
    assert light(html, "light-genero-x") == ("red", "20")
    jalisco = by_id(html, "states-table").find("tr", attrs={"data-state": "JAL"})
    assert jalisco.find_all("td")[-1].get_text(strip=True) == "20"
    assert by_id(html, "states-map").find("g", attrs={"data-state": "JAL"})["data-level"] == "red"
    terms = by_id(html, "terminos").tbody.find_all("td")
    assert [cell.get_text(strip=True) for cell in terms] == ["vieja loca", "20", "18"]
    # Hashtags are counted for every source together: a source's page has no hashtag list.
    assert html.select_one('[data-testid="hashtags"]') is None
    assert by_id(page(client, "/categoria/genero-x/"), "hashtags") is not None
    assert html.find("a", href="/?fuente=bluesky-x") is not None  # back to the same source's semáforo
    assert light(page(client, "/categoria/genero-x/?fuente=x-api-x"), "light-genero-x") == ("green", "20")


def test_the_csv_files_are_the_sources_too(client, two_sources):
    semaforo = {row["categoria"]: row for row in csv_rows(client, "/exportar/semaforo.csv?fuente=bluesky-x")}
    assert (semaforo[""]["publicaciones"], semaforo[""]["discriminatorias"], semaforo[""]["nivel"]) == ("20", "18", "Rojo")
    states = {row["estado"]: row for row in csv_rows(client, "/exportar/estados.csv?fuente=x-api-x&categoria=genero-x")}
    assert (states["JAL"]["publicaciones"], states["JAL"]["nivel"]) == ("20", "Verde")
    daily = csv_rows(client, "/exportar/tendencia-diaria.csv?fuente=x-api-x")
    assert sum(int(row["publicaciones"]) for row in daily) == 60
    response = client.get("/exportar/semaforo.csv?fuente=bluesky-x")
    assert "bluesky-x" in response["Content-Disposition"]
    # The page's CSV links carry the source.
    assert page(client, "/?fuente=bluesky-x").find("a", href="/exportar/semaforo.csv?fuente=bluesky-x") is not None


def test_an_unknown_source_is_a_404(client, two_sources):
    for path in ("/?fuente=no-existe", "/categoria/genero-x/?fuente=no-existe", "/exportar/semaforo.csv?fuente=no-existe",
                 "/?fuente=%F0%9F%99%82", "/?fuente=%25", "/?fuente=" + "a" * 500):
        assert client.get(path).status_code == 404, path
    assert client.get("/?fuente=%00").status_code == 400


def test_a_hashtag_search_counts_every_source_and_says_so(client, two_sources):
    html = page(client, "/buscar/?q=%238m&fuente=bluesky-x")
    assert "todas las fuentes" in by_id(html, "source-ignored").get_text()
    assert light(html, "light-all")[1] == "40"
    assert html.select_one('[data-testid="source-filter"]') is None
    assert client.get("/exportar/semaforo.csv?q=%238m&fuente=bluesky-x").status_code == 400


def test_signed_in_the_filter_keeps_the_user_search_and_the_numbers_lead_to_the_sources_posts(client, two_sources):
    client.force_login(UserFactory.create(username="analista"))
    html = page(client, "/buscar/?q=%40ana")
    assert ("Bluesky", "/buscar/?q=%40ana&fuente=bluesky-x", False) in filter_links(html)
    html = page(client, "/buscar/?q=%40ana&fuente=bluesky-x")
    assert light(html, "light-all") == ("red", "20")  # @ana's posts on Bluesky only
    html = page(client, "/?fuente=bluesky-x")
    link = by_id(html, "light-all").find("a", string="18")["href"]  # the discriminatory posts of the window
    assert "fuente=bluesky-x" in link
    posts = client.get(link)
    assert posts.context["page"].paginator.count == 18
    assert "fuente: Bluesky" in by_id(BeautifulSoup(posts.content.decode(), "html.parser"), "post-filters").get_text()
    assert "No existe esa fuente" in client.get(link.replace("bluesky-x", "no-existe")).content.decode()
