"""The dictionary and ingestion admin: pages, search, filters and CSV import/export."""
from __future__ import annotations

from io import StringIO

import pytest
import tablib
from django.core.management import call_command
from django.urls import reverse

from ingestion.models import Category, Term
from ingestion.resources import TermResource
from ingestion.selectors import dictionary as dictionary_selectors
from ingestion.selectors.dictionary import matcher_current
from tests.factories import CategoryFactory, IngestionRunFactory, SourceFactory, TermFactory, TweetFactory
from tests.shared_data import SHARED, needs_shared


@pytest.fixture
def admin_client_es(admin_client):
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"
    return admin_client


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["category", "term", "source", "ingestionrun", "rawbatch", "tweet"])
def test_every_ingestion_list_page_opens(admin_client_es, dictionary, model):
    SourceFactory()
    TweetFactory(state="JAL")
    response = admin_client_es.get(reverse(f"admin:ingestion_{model}_changelist"))
    assert response.status_code == 200


@pytest.mark.django_db
def test_term_search_and_category_filter(admin_client_es, dictionary):
    url = reverse("admin:ingestion_term_changelist")
    found = admin_client_es.get(url, {"q": "naco"}).context["cl"].queryset
    assert [t.text for t in found] == ["naco"]
    religion = Category.objects.get(slug="religion")
    filtered = admin_client_es.get(url, {"categories__id__exact": religion.pk}).context["cl"].queryset
    assert filtered.count() == 8


@pytest.mark.django_db
def test_category_page_shows_its_terms_inline(admin_client_es, dictionary):
    genero = Category.objects.get(slug="genero")
    html = admin_client_es.get(reverse("admin:ingestion_category_change", args=[genero.pk])).content.decode()
    assert "feminazi" in html and "mama luchona" in html


@pytest.mark.django_db
def test_terms_export_as_csv_with_category_slugs(admin_client_es, dictionary):
    response = admin_client_es.post(
        reverse("admin:ingestion_term_export"),
        {"format": "0", "resource": "0", "termresource_text": True, "termresource_categories": True,
         "termresource_active": True, "termresource_notes": True},
    )
    assert response.status_code == 200, response.content[:500]
    body = response.content.decode("utf-8-sig")
    assert body.splitlines()[0] == "text,categories,active,notes"
    assert "feminazi,genero|ideologia,1," in body


@pytest.mark.django_db
def test_terms_import_from_csv_adds_and_updates(dictionary):
    CategoryFactory(slug="xenofobia", name="Xenofobia")
    data = tablib.Dataset(headers=["text", "categories", "active", "notes"])
    data.append(["pinche migrante", "xenofobia", "1", "nuevo"])
    data.append(["naco", "apariencia", "0", "desactivado por revisión"])
    result = TermResource().import_data(data, dry_run=False, raise_errors=True)
    assert not result.has_errors()
    migrante = Term.objects.get(text="pinche migrante")
    assert list(migrante.categories.values_list("slug", flat=True)) == ["xenofobia"]
    assert Term.objects.get(text="naco").active is False


@pytest.mark.django_db
def test_runs_are_read_only_and_show_their_errors(admin_client_es):
    run = IngestionRunFactory.create(source=SourceFactory(), status="partial", errors=[{"line": 7, "message": "JSON mal formado", "id": ""}])
    html = admin_client_es.get(reverse("admin:ingestion_ingestionrun_change", args=[run.pk])).content.decode()
    assert "JSON mal formado" in html and "7" in html
    assert admin_client_es.get(reverse("admin:ingestion_ingestionrun_add")).status_code == 403


@needs_shared
@pytest.mark.django_db
def test_reviewed_hurtlex_suggestions_are_activated_in_the_admin_and_then_matched(admin_client_es, dictionary, monkeypatch):
    call_command("import_terms", str(SHARED / "hurtlex_es" / "hurtlex_ES.tsv"), format="hurtlex", no_progress=True, stdout=StringIO())
    url = reverse("admin:ingestion_term_changelist")
    pending = admin_client_es.get(url, {"sugerencia": "pendientes"})
    assert pending.context["cl"].result_count == 389
    assert "sugerencias" in pending.content.decode() and "por revisar (inactivas)" in pending.content.decode()
    assert admin_client_es.get(url, {"sugerencia": "personas"}).context["cl"].result_count == 50
    monkeypatch.setattr(dictionary_selectors, "MATCHER_REFRESH_SECONDS", 0.0)  # look for changes on every call
    assert matcher_current().match("esa zorra, qué panocha").matches == []
    reviewed = Term.objects.filter(text__in=["zorra", "panocha"])

    response = admin_client_es.post(
        url, {"action": "activate", "_selected_action": [t.pk for t in reviewed]}, follow=True,
    )

    assert "2 términos activados." in response.content.decode()
    assert set(Term.objects.filter(active=True, origin="hurtlex-1.2").values_list("text", flat=True)) == {"zorra", "panocha"}
    assert Term.objects.filter(active=False, origin="hurtlex-1.2").count() == 387
    assert matcher_current().match("esa zorra, qué panocha").terms == ["panocha", "zorra"]
    assert matcher_current().match("esa zorra").categories == ["genero"]
    assert admin_client_es.get(url, {"sugerencia": "pendientes"}).context["cl"].result_count == 387
    Term.objects.get(text="tonto").categories.clear()  # discarded: inactive, with no category
    assert admin_client_es.get(url, {"sugerencia": "pendientes"}).context["cl"].result_count == 386
    assert admin_client_es.get(url, {"sugerencia": "todas"}).context["cl"].result_count == 389


@pytest.mark.django_db
def test_activating_a_term_without_an_active_category_warns_that_it_will_not_be_searched(admin_client_es, dictionary):
    loose = TermFactory(text="pinche migrante", active=False)
    response = admin_client_es.post(
        reverse("admin:ingestion_term_changelist"), {"action": "activate", "_selected_action": [loose.pk]}, follow=True,
    )
    html = response.content.decode()
    assert "1 término activado." in html and "1 no tiene ninguna categoría activa: no se buscará" in html


@pytest.mark.django_db
def test_source_list_shows_this_months_reads_and_their_estimated_cost(admin_client_es):
    x = SourceFactory(slug="x-pago", name="X de pago", kind="x_api", monthly_cap=10_000)
    IngestionRunFactory(source=x, fetched=1_200, status="succeeded")
    IngestionRunFactory(source=x, fetched=300, status="capped")
    page = admin_client_es.get(reverse("admin:ingestion_source_changelist")).content.decode()
    assert "1,500 / 10,000" in page  # read this month, against the monthly cap
    assert "7.50" in page  # 1,500 posts at X's 0.005 USD
    change = admin_client_es.get(reverse("admin:ingestion_source_change", args=[x.pk])).content.decode()
    assert "Presupuesto" in change and "7.50" in change
    assert "Hashtags de Mastodon" not in change  # the Mastodon lists only on Mastodon sources


@pytest.mark.django_db
def test_x_run_cap_below_one_request_is_refused(admin_client_es):
    x = SourceFactory(slug="x-pago", name="X de pago", kind="x_api")
    url = reverse("admin:ingestion_source_change", args=[x.pk])
    form = {"name": x.name, "slug": x.slug, "kind": "x_api", "enabled": "on", "config": "{}", "run_cap": "5",
            "cursors-TOTAL_FORMS": "0", "cursors-INITIAL_FORMS": "0"}
    response = admin_client_es.post(url, form)
    assert response.status_code == 200
    assert "al menos 10 publicaciones" in response.content.decode()


@pytest.mark.django_db
def test_mastodon_instances_and_hashtags_are_edited_as_lists(admin_client_es):
    from ingestion.models import Source

    mastodon = Source.objects.get(slug="mastodon")  # created switched off by the migrations
    assert not mastodon.enabled
    url = reverse("admin:ingestion_source_change", args=[mastodon.pk])
    form = {"name": "Mastodon", "slug": "mastodon", "kind": "mastodon", "enabled": "on", "config": "{}",
            "instances": "mastodon.social\nmast.lat", "hashtags": "#Gordofobia\nmachismo",
            "cursors-TOTAL_FORMS": "0", "cursors-INITIAL_FORMS": "0"}
    response = admin_client_es.post(url, form)
    assert response.status_code == 302
    mastodon.refresh_from_db()
    assert mastodon.enabled
    assert mastodon.config == {
        "instances": ["mastodon.social", "mast.lat"], "hashtags": ["gordofobia", "machismo"],
        "hashtags_from_dictionary": False,
    }


@pytest.mark.django_db
def test_mastodon_sources_follow_the_dictionarys_hashtags_from_an_admin_action(admin_client_es, dictionary):
    from ingestion.models import Source

    mastodon = Source.objects.get(slug="mastodon")
    mastodon.config = {"instances": ["mastodon.social"], "hashtags": ["machismo"]}
    mastodon.save()
    response = admin_client_es.post(
        reverse("admin:ingestion_source_changelist"),
        {"action": "hashtags_derive", "_selected_action": [mastodon.pk]}, follow=True,
    )
    assert "leen ahora" in response.content.decode()
    mastodon.refresh_from_db()
    hashtags = mastodon.config["hashtags"]
    assert "machismo" in hashtags  # kept
    assert {"naco", "feminazi"} <= set(hashtags)  # from the dictionary's terms
    assert all(" " not in tag and not tag.startswith("#") for tag in hashtags)
