"""The pages as a visitor sees them in Chromium: the ingestion overview, the Spanish admin, and every dashboard and
labeling page on a phone and a laptop screen.

Data is built in the test thread before the page is driven; the live server's
thread serves it from the same (committed) test database.
"""
from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils import timezone
from playwright.sync_api import Locator, Page, ViewportSize, expect

from classifier.models import ModelVersion
from dashboard.selectors.semaforo import window_end
from ingestion.geo import STATE_NAMES
from ingestion.models import Category, IngestionRun, Source, Tweet
from ingestion.services.demo import demo_backlog_load, demo_source_get_or_create
from ingestion.sources.replay import demo_corpus
from labeling.models import Campaign, CampaignItem
from labeling.services.assignment import annotation_submit, assignment_next
from tests.dashboard.builders import posts_create, score
from tests.factories import TweetFactory

from .conftest import PHONE, context_open, site_open

pytestmark = pytest.mark.browser

CATEGORY_NAMES = ["Apariencia", "Discapacidad", "Edad", "Género", "Ideología", "Orientación sexual", "Religión"]
DEMO_COUNT = 120
PASSWORD = "clave-de-prueba-9471"


@pytest.fixture
def demo_data(dictionary, archive_dir) -> IngestionRun:
    source, _ = demo_source_get_or_create()
    return demo_backlog_load(source=source, count=DEMO_COUNT, spread=datetime.timedelta(days=14))


@pytest.fixture
def staff_user(transactional_db):
    return get_user_model().objects.create_user(username="analista", password=PASSWORD, is_staff=True)


@pytest.fixture
def superuser(transactional_db):
    return get_user_model().objects.create_superuser(username="admin", email="admin@example.org", password=PASSWORD)


def table_rows(page: Page, testid: str) -> list[list[str]]:
    """The body of a dashboard table as the visitor reads it, cell by cell."""
    rows = page.get_by_test_id(testid).locator("tbody tr")
    return [[cell.strip() for cell in row.locator("td").all_inner_texts()] for row in rows.all()]


def as_number(text: str) -> int:
    return int(text.replace(",", ""))


def column(page: Page, field: str) -> list[str]:
    """One column of an admin change list (Django gives each cell the class field-<name>)."""
    return [text.strip() for text in page.locator(f"#result_list tbody td.field-{field}, #result_list tbody th.field-{field}").all_inner_texts()]


def most_common_state() -> tuple[str, int]:
    row = Tweet.objects.exclude(state="").values("state").annotate(n=Count("id")).order_by("-n", "state").first()
    assert row, "the demo data should attribute some posts to a state"
    return row["state"], row["n"]


def sidebar_filter(page: Page, title: str) -> Locator:
    return page.locator(f'#changelist-filter details[data-filter-title="{title}"]')


# --- Ingestion overview (/ingesta/) -------------------------------------------------------------------

def test_home_on_an_empty_database_shows_the_empty_state(site):
    site.visit("/ingesta/", screenshot="ingestion-empty")
    page = site.page

    expect(page).to_have_title("Panorama de la ingesta · Discriminamómetro")
    expect(page.get_by_role("heading", level=1)).to_have_text("Panorama de la ingesta")
    expect(page.get_by_test_id("empty-state")).to_contain_text("Todavía no hay publicaciones")
    expect(page.get_by_test_id("totals")).to_have_count(0)
    expect(page.locator("main .num")).to_have_count(0)
    # No table of posts; the sources (switched off until an admin turns them on) may be listed.
    expect(page.locator("main table:not([data-testid=sources])")).to_have_count(0)
    expect(page.get_by_role("link", name="Entrar")).to_be_visible()


def test_home_with_demo_data_shows_totals_categories_and_states(site, demo_data):
    site.visit("/ingesta/", screenshot="ingestion-demo-anonymous")
    page = site.page

    totals = page.get_by_test_id("totals")
    expect(totals.locator(".card").filter(has_text="publicaciones en total").locator(".num")).to_have_text(str(DEMO_COUNT))
    attributed = as_number(totals.locator(".card").filter(has_text="atribuidas a un estado").locator(".num").inner_text())
    assert 0 < attributed <= DEMO_COUNT

    categories = table_rows(page, "categories")
    assert [row[0] for row in categories] == CATEGORY_NAMES
    assert any(as_number(row[2]) > 0 for row in categories), categories

    states = table_rows(page, "states")
    assert states, "the states table is empty"
    assert all(as_number(n) > 0 for _, n in states)
    assert sum(as_number(n) for _, n in states) <= attributed


def test_anonymous_visitor_sees_neither_downloads_nor_author_handles(site, demo_data):
    site.visit("/ingesta/")
    page = site.page

    expect(page.get_by_test_id("totals")).to_be_visible()
    expect(page.get_by_role("heading", name="Últimas descargas")).to_have_count(0)
    expect(page.get_by_test_id("runs")).to_have_count(0)

    loaded = set(Tweet.objects.exclude(author_handle="").values_list("author_handle", flat=True))
    assert loaded, "the demo data should carry author handles"
    handles = {item["author"]["username"] for item in demo_corpus()}
    html = page.content()
    assert [h for h in sorted(handles) if h in html] == []


def test_staff_user_sees_the_latest_downloads(site, demo_data, staff_user):
    site.log_in(username=staff_user.username, password=PASSWORD, next_path="/ingesta/")
    site.settle(screenshot="home-demo-staff")
    page = site.page

    expect(page.get_by_role("heading", name="Últimas descargas")).to_be_visible()
    runs = table_rows(page, "runs")
    assert len(runs) == 1
    source_name, _started, status, new, duplicate, rejected = runs[0]
    assert source_name == "Demostración (corpus sintético)"
    assert status == "completada"
    assert (as_number(new), as_number(duplicate), as_number(rejected)) == (DEMO_COUNT, 0, 0)
    expect(page.get_by_role("button", name="Salir")).to_be_visible()


def assert_no_horizontal_scroll(page: Page) -> None:
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    # A mobile browser widens its viewport to fit content that overflows, so
    # innerWidth alone would hide the overflow: compare with the screen as well.
    assert page.viewport_size is not None
    screen_width = page.viewport_size["width"]
    assert scroll_width <= min(inner_width, screen_width), (
        f"horizontal scroll on a phone: {scroll_width}px of content on a {screen_width}px screen"
    )


def test_home_fits_a_phone_screen(phone_site, demo_data):
    phone_site.visit("/ingesta/", screenshot="ingestion-phone")
    page = phone_site.page

    expect(page.get_by_test_id("categories")).to_be_visible()
    assert_no_horizontal_scroll(page)


def test_staff_downloads_table_scrolls_inside_its_box_on_a_phone(phone_site, demo_data, staff_user):
    phone_site.log_in(username=staff_user.username, password=PASSWORD, next_path="/ingesta/")
    phone_site.settle(screenshot="home-phone-staff")
    page = phone_site.page

    expect(page.get_by_test_id("runs")).to_be_visible()
    assert_no_horizontal_scroll(page)


@pytest.fixture
def demo_scored(demo_data) -> Source:
    """The demo posts scored by an active model (40 judged discriminatory), and the demo source streaming 3 minutes
    behind after two reconnects, the last with a long error."""
    version = ModelVersion.objects.create(task="discrimination", version=1, status=ModelVersion.Status.ACTIVE)
    score(list(Tweet.objects.order_by("pk")), version=version, discriminatory=40)
    Source.objects.filter(pk=demo_data.source_id).update(
        last_event_at=timezone.now() - datetime.timedelta(minutes=3, seconds=5), reconnects=2, failures=1,
        last_error="ConnectionClosedError: received 1006 (connection closed abnormally); then sent 1006 "
                   "(connection closed abnormally) while reading wss://jetstream2.us-east.bsky.network/subscribe",
    )
    return Source.objects.get(pk=demo_data.source_id)


def test_the_sources_health_and_one_sources_semaforo_fit_a_phone(phone_site, demo_scored, staff_user):
    source = demo_scored
    phone_site.log_in(username=staff_user.username, password=PASSWORD, next_path="/ingesta/")
    phone_site.settle(screenshot="ingestion-sources-phone-staff")
    page = phone_site.page

    row = page.get_by_test_id("sources").locator(f"tr[data-source={source.slug}]")
    expect(row).to_contain_text("encendida")
    expect(row.get_by_test_id("lag")).to_have_text("hace 3 min")
    expect(row.get_by_test_id("per-hour")).to_have_text(str(DEMO_COUNT))
    expect(page.get_by_test_id("sources").locator(f"tr[data-error-of={source.slug}]")).to_contain_text(
        "Último error: ConnectionClosedError")
    assert_no_horizontal_scroll(page)

    phone_site.visit(f"/?fuente={source.slug}", screenshot="semaforo-source-phone")
    expect(page.get_by_role("heading", level=1)).to_contain_text(source.name)
    expect(page.get_by_test_id("source-shown")).to_contain_text(source.name)
    chosen = page.get_by_test_id("source-filter").get_by_role("link", name=source.name)
    expect(chosen).to_have_attribute("aria-current", "page")
    in_window = Tweet.objects.filter(created_at__gte=window_end() - datetime.timedelta(hours=48)).count()
    expect(page.get_by_test_id("light-all").locator("dd").nth(1)).to_have_text(str(in_window))
    assert_no_horizontal_scroll(page)

    with page.expect_navigation():
        page.get_by_test_id("source-filter").get_by_role("link", name="Todas las fuentes").click()
    phone_site.settle()
    assert page.url == phone_site.base_url + "/"
    expect(page.get_by_test_id("source-shown")).to_have_count(0)


# --- Admin ----------------------------------------------------------------------------

@pytest.fixture
def admin_site(site, demo_data, superuser):
    site.log_in(username=superuser.username, password=PASSWORD, next_path="/admin/")
    site.settle(screenshot="admin-index")
    expect(site.page.get_by_role("heading", name="Sitio administrativo")).to_be_visible()
    return site


def test_admin_lists_the_categories_and_shows_the_terms_of_one(admin_site):
    page = admin_site.page
    admin_site.visit("/admin/ingestion/category/", screenshot="admin-categories")

    expect(page.get_by_role("heading", level=1)).to_have_text("Seleccione categoría a modificar")
    assert sorted(column(page, "name")) == CATEGORY_NAMES

    page.locator("#result_list").get_by_role("link", name="Género", exact=True).click()
    admin_site.settle(screenshot="admin-category-genero")
    expect(page.locator("#id_name")).to_have_value("Género")
    terms = page.locator(".inline-group")
    expect(terms).to_contain_text("Términos")
    expect(terms).to_contain_text("feminazi")


def test_admin_terms_filter_by_category_and_search(admin_site):
    page = admin_site.page
    admin_site.visit("/admin/ingestion/term/", screenshot="admin-terms")
    everything = len(column(page, "text"))

    sidebar_filter(page, "categorías").get_by_role("link", name="Género", exact=True).click()
    admin_site.settle(screenshot="admin-terms-genero")
    expect(page).to_have_url(re.compile(r"categories__id__exact=\d+"))
    in_category = column(page, "text")
    assert "feminazi" in in_category and "naco" not in in_category
    assert 0 < len(in_category) < everything
    assert all("Género" in names for names in column(page, "category_list"))

    admin_site.visit("/admin/ingestion/term/")
    page.locator("#searchbar").fill("naco")
    page.locator("#searchbar").press("Enter")
    admin_site.settle(screenshot="admin-terms-search")
    found = column(page, "text")
    assert "naco" in found
    assert all("naco" in text for text in found)


def test_admin_shows_the_demo_backlog_run_with_its_counts(admin_site, demo_data):
    page = admin_site.page
    admin_site.visit("/admin/ingestion/ingestionrun/", screenshot="admin-runs")

    expect(page.get_by_role("heading", level=1)).to_have_text("Seleccione ejecución de ingesta a modificar")
    row = page.locator("#result_list tbody tr").filter(has_text="demo backlog")
    expect(row).to_have_count(1)
    expect(row.locator("td.field-source")).to_have_text("Demostración (corpus sintético)")
    expect(row.locator("td.field-status")).to_have_text("completada")
    for field, expected in {"fetched": DEMO_COUNT, "new": DEMO_COUNT, "duplicate": 0, "rejected": 0}.items():
        expect(row.locator(f"td.field-{field}")).to_have_text(str(expected))
    expect(page.locator("#result_list thead")).to_contain_text("Inicio")
    expect(row.locator("td.field-started")).to_have_text(re.compile(r"^\d{1,2} \w{3} \d{4} \d{2}:\d{2}$"))  # "3 Dic 2026 01:24"

    row.locator("th.field-id a").click()
    admin_site.settle(screenshot="admin-run")
    expect(page.locator(".field-error_list")).to_have_count(1)
    expect(page.locator(".field-errors")).to_have_count(0)  # the errors once, as the readable list


def test_admin_lists_the_periodic_tasks_by_their_spanish_names(admin_site):
    page = admin_site.page
    admin_site.visit("/admin/django_celery_beat/periodictask/", screenshot="admin-periodic-tasks")
    assert sorted(column(page, "name")) == [
        "Alertas: enviar los mensajes pendientes", "Alertas: resumen diario",
        "Alertas: volver a juzgar las series vigiladas", "Boletín: publicar el boletín del mes anterior",
        "Clasificador: reentrenar cada tarea una vez al mes", "Ingesta: descargar cada fuente habilitada",
        "Semáforo: calificar la historia con el modelo activo",
    ]


def test_the_api_documentation_speaks_spanish_and_leads_back_to_the_site(site):
    site.visit("/api/docs/")
    page = site.page
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    expect(page).to_have_title("Documentación de la API · Discriminamómetro")
    expect(page.locator(".information-container .title")).to_contain_text("API del Discriminamómetro")
    expect(page.locator(".information-container")).to_contain_text("Para probar una operación desde esta página")
    header = page.get_by_test_id("docs-header")
    expect(header).to_contain_text("Documentación de la API")
    site.screenshot("api-docs")
    with page.expect_navigation():
        header.get_by_role("link", name="Volver al sitio").click()
    site.settle()
    assert page.url == site.base_url + "/"


def test_admin_publications_filter_by_state(admin_site):
    page = admin_site.page
    admin_site.visit("/admin/ingestion/tweet/", screenshot="admin-tweets")
    expect(page.get_by_role("heading", level=1)).to_have_text("Seleccione publicación a modificar")

    state, count = most_common_state()
    name = STATE_NAMES[state]  # the admin shows state names, not codes
    sidebar_filter(page, "estado").get_by_role("link", name=name, exact=True).click()
    admin_site.settle(screenshot="admin-tweets-state")
    expect(page).to_have_url(re.compile(rf"[?&]state(__exact)?={state}(&|$)"))
    states = column(page, "state")
    assert states == [name] * count



# --- Every dashboard and labeling page fits the screen (390 px phone, 1366 px laptop) ---------------------

LAPTOP = ViewportSize(width=1366, height=768)
LONG_HASHTAG = "#OtraPublicacionConUnHashtagMuyLargoSinEspacios"
# Tables that must fit whole on a phone (the others may scroll inside their own box, never the page).
PHONE_WHOLE_TABLES = {"states-table", "terminos", "hashtags"}


@pytest.fixture
def every_page(transactional_db, dictionary, superuser) -> list[str]:
    """Data on every widget: scored posts with terms and hashtags in several states over four weeks, and a
    campaign two annotators (one with a long name) answered, one post in dispute. The pages' paths."""
    version = ModelVersion.objects.create(task="discrimination", version=1, status=ModelVersion.Status.ACTIVE)
    genero = Category.objects.get(slug="genero")
    end = window_end()
    for days in range(0, 28, 2):
        for state in ("CMX", "BCS", "JAL"):
            score(posts_create(12, at=end - datetime.timedelta(days=days, hours=2), categories=[genero], state=state,
                               hashtags=[LONG_HASHTAG, "#8M"], terms=[("vieja embarazada", ["genero"])]),
                  version=version, discriminatory=3 + days % 4)
    campaign = Campaign.objects.create(name="Campaña con un nombre largo de marzo de 2026", annotators_per_item=2,
                                       status=Campaign.Status.RUNNING)
    for text in ("Qué naco eres", "Hoy llueve", "Ese chairo no entiende"):
        CampaignItem.objects.create(campaign=campaign, tweet=TweetFactory.create(text=text, state="JAL"))
    for username, answers in (("anotadora_con_un_nombre_largo", "yny"), ("beto", "ynn")):
        user = get_user_model().objects.create_user(username, password=PASSWORD)
        for value in answers:
            assignment = assignment_next(campaign=campaign, annotator_id=user.pk)
            assert assignment is not None
            annotation_submit(assignment_id=assignment.pk, annotator_id=user.pk, answer="yes" if value == "y" else "no",
                              categories=["genero"] if value == "y" else [], seconds=4.0)
    disputed = CampaignItem.objects.get(campaign=campaign, status=CampaignItem.Status.DISPUTED)
    window = f"desde={(end - datetime.timedelta(days=30)).isoformat()}&hasta={end.isoformat()}".replace("+", "%2B")
    return [
        "/", "/categoria/genero/", "/buscar/", "/buscar/?q=%238m", "/ingesta/", f"/publicaciones/?{window}", "/analizar/",
        "/etiquetado/", f"/etiquetado/campanas/{campaign.pk}/", f"/etiquetado/campanas/{campaign.pk}/guia/",
        f"/etiquetado/campanas/{campaign.pk}/metricas/", "/etiquetado/revision/", f"/etiquetado/revision/{disputed.pk}/",
        "/etiquetado/cola/",
    ]


def tables_cut(page: Page) -> dict[str, tuple[int, int]]:
    """The tables wider than the box that holds them: their width and the box's."""
    return page.evaluate("""Object.fromEntries([...document.querySelectorAll('main table')]
        .filter(t => t.scrollWidth > t.parentElement.clientWidth)
        .map(t => [t.dataset.testid || t.outerHTML.slice(0, 60), [t.scrollWidth, t.parentElement.clientWidth]]))""")


@pytest.mark.parametrize("screen", ["phone", "laptop"])
def test_no_dashboard_or_labeling_page_is_wider_than_the_screen(browser, live_server, tmp_path, every_page, superuser,
                                                                 screen):
    options = {"viewport": PHONE, "is_mobile": True, "has_touch": True} if screen == "phone" else {"viewport": LAPTOP}
    context = context_open(browser, **options)
    try:
        site = site_open(context.new_page(), live_server, tmp_path)
        site.log_in(username=superuser.username, password=PASSWORD)
        problems = {}
        for path in every_page:
            route, _, query = path.partition("?")
            name = f"{screen}-" + (route.strip("/").replace("/", "-") or "home") + ("-filtrada" if query else "")
            site.visit(path, screenshot=name)
            width, inner = site.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            cut = tables_cut(site.page)
            if screen == "phone":
                cut = {table: sizes for table, sizes in cut.items() if table in PHONE_WHOLE_TABLES}
            if width > min(inner, options["viewport"]["width"]) or cut:
                problems[path] = {"page": (width, inner), "tables cut": cut}
        assert problems == {}
    finally:
        context.close()
