"""The semáforo's pages through Django's test client: every table's CSV, the drill-down's filters and access,
the search, the text analysis and the empty states."""
from __future__ import annotations

import csv
import io
from datetime import timedelta
from urllib.parse import urlencode

import pytest

from dashboard.selectors.semaforo import window_end
from tests.dashboard.builders import posts_create, score
from tests.factories import CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def recent(version):
    """Posts of the last hours: 30 of the category «genero» in Jalisco (12 discriminatory, tagged #8M, by @ana,
    matching «vieja loca»), 40 of «edad» in Nuevo León (4 discriminatory)."""
    at = window_end() - timedelta(hours=2)
    genero, edad = CategoryFactory(slug="genero-x", name="Género X"), CategoryFactory(slug="edad-x", name="Edad X")
    score(posts_create(30, at=at, categories=[genero], state="JAL", hashtags=["#8M"], handle="ana",
                       terms=[("vieja loca", ["genero-x"])]), version=version, discriminatory=12)
    score(posts_create(40, at=at, categories=[edad], state="NLE", hashtags=["#8Mx"]), version=version, discriminatory=4)
    return version


def rows(response) -> list[dict[str, str]]:  # noqa: ANN001
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_every_table_downloads_as_csv_with_what_the_page_shows(client, recent):
    semaforo = {row["categoria"]: row for row in rows(client.get("/exportar/semaforo.csv"))}
    assert (semaforo[""]["publicaciones"], semaforo[""]["discriminatorias"]) == ("70", "16")
    assert semaforo["genero-x"]["tasa_pct"] == "40.0" and semaforo["genero-x"]["nivel"] == "Gris"  # no history yet
    states = {row["estado"]: row for row in rows(client.get("/exportar/estados.csv"))}
    assert len(states) == 32 and states["NLE"]["publicaciones"] == "40"
    assert rows(client.get("/exportar/terminos.csv"))[0]["texto"] == "vieja loca"
    assert {row["texto"] for row in rows(client.get("/exportar/hashtags.csv"))} == {"8m", "8mx"}
    daily = rows(client.get("/exportar/tendencia-diaria.csv?categoria=edad-x"))
    assert daily[-1]["publicaciones"] == "40"
    hourly = rows(client.get("/exportar/tendencia-horaria.csv?q=%238M"))
    assert sum(int(row["publicaciones"]) for row in hourly) == 30  # the search: #8M, not #8Mx
    assert client.get("/exportar/nada.csv").status_code == 404
    assert client.get("/exportar/estados.csv?categoria=no-existe").status_code == 404


def test_the_drill_down_is_for_signed_in_users_and_lists_exactly_the_posts_counted(client, recent):
    end = window_end()
    base = "/publicaciones/?" + urlencode({"desde": (end - timedelta(hours=48)).isoformat(), "hasta": end.isoformat()})
    assert client.get(base).url.startswith("/cuenta/entrar/")
    client.force_login(UserFactory.create(username="analista", password="x-clave-123"))

    def count(query: str) -> int:
        page = client.get(base + query)
        assert page.status_code == 200, page.content[:300]
        return page.context["page"].paginator.count

    assert count("") == 70
    assert count("&categoria=genero-x&discriminatorias=1") == 12
    assert count("&estado=NLE") == 40
    assert count("&q=%238m") == 30  # a hashtag in any case, and not its longer cousin #8Mx
    assert count("&q=%40ana") == 30
    assert count("&termino=vieja+loca") == 30
    assert "no dice de qué periodo" in client.get("/publicaciones/").content.decode()


def test_anonymous_pages_show_aggregates_but_no_texts_or_handles(client, recent):
    for path in ("/", "/categoria/genero-x/", "/buscar/?q=%238m"):
        html = client.get(path).content.decode()
        assert "/publicaciones/" not in html and "Hoy hace un calor" not in html, path
    # A person's figures are personal data: searching by @user needs an account.
    refused = client.get("/buscar/?q=%40ana")
    assert refused.status_code == 403 and "requiere iniciar sesión" in refused.content.decode()
    assert client.get("/exportar/semaforo.csv?q=%40ana").status_code == 403
    client.force_login(UserFactory.create(username="analista", password="x-clave-123"))
    assert "Semáforo de @ana" in client.get("/buscar/?q=%40ana").content.decode()
    assert "Eso no es un hashtag ni un usuario" in client.get("/buscar/?q=%23").content.decode()
    assert client.get("/categoria/no-existe/").status_code == 404


def test_the_map_legend_draws_each_level_with_the_shape_of_its_badges(client, recent):
    html = client.get("/").content.decode()
    legend = html[html.index('data-testid="states-legend"'):html.index("</ul>", html.index('data-testid="states-legend"'))]
    state_map = html[html.index('id="states-map"'):html.index('data-testid="states-legend"')]
    shapes = {"red": "<polygon points=\"6,1 14,1", "yellow": "<polygon points=\"10,1 19,18", "green": "<circle ",
              "grey": "<rect x=\"2\" y=\"8\""}
    for level, shape in shapes.items():
        item = legend[legend.index(f'data-level="{level}"'):]
        item = item[:item.index("</li>")]
        assert 'class="badge"' in item and 'class="level-icon"' in item and shape in item, level
    assert [word for word in ("Rojo", "Amarillo", "Verde", "Gris") if word in legend] == ["Rojo", "Amarillo", "Verde", "Gris"]
    # The tiles carry the same shapes (Jalisco and Nuevo León are grey: no history), not text symbols.
    assert state_map.count('class="level-icon"') == 32 and state_map.count(shapes["grey"]) == 32
    assert not any(symbol in state_map for symbol in "■▲●")


def test_without_a_model_the_home_says_so(client, db):
    html = client.get("/").content.decode()
    assert "Todavía no hay un modelo activo" in html


def test_the_text_analysis_shows_scores_terms_and_explanation(client, dictionary, archive_dir):
    from classifier.services.training import demo_model_ensure

    demo_model_ensure()
    page = client.post("/analizar/", {"texto": "Eres un naco y un chairo"})
    html = page.content.decode()
    assert page.context["result"]["matched_terms"] and ">naco</mark>" in html
    assert 'data-testid="scores"' in html and 'data-testid="explanation"' in html
    assert "Escribe o pega un texto." in client.post("/analizar/", {"texto": "  "}).content.decode()
    too_long = client.post("/analizar/", {"texto": "a" * 6000}).content.decode()
    assert "el límite es 5000" in too_long


def test_the_text_analysis_without_a_model_says_so(client, db):
    html = client.post("/analizar/", {"texto": "hola"}).content.decode()
    assert "Todavía no hay un modelo activo que pueda analizar textos." in html
