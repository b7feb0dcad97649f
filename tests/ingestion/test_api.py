"""/api/v1/dictionary: the active categories with their active terms, for keys holding the `read` scope."""
from __future__ import annotations

import pytest

from ingestion.models import Category, Term
from tests.api_fixtures import ok
from tests.factories import CategoryFactory, TermFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_fresh")]


def test_dictionary_lists_active_categories_with_active_terms(reader, dictionary):
    retired = CategoryFactory(slug="zz-retirada", name="Zz retirada", active=False)
    TermFactory(text="termino retirado", categories=[retired])
    genero = Category.objects.get(slug="genero")
    TermFactory(text="termino inactivo", active=False, categories=[genero])

    body = ok(reader.get("/api/v1/dictionary"))
    active = Category.objects.filter(active=True)
    assert body["count"] == active.count() == len(body["results"])
    assert [c["slug"] for c in body["results"]] == list(active.order_by("name", "slug").values_list("slug", flat=True))
    shown = next(c for c in body["results"] if c["slug"] == "genero")
    assert shown["name"] == "Género" and shown["active"] is True and shown["description"]
    assert [t["text"] for t in shown["terms"]] == sorted(genero.terms.filter(active=True).values_list("text", flat=True))
    assert "feminazi" in [t["text"] for t in shown["terms"]] and "termino inactivo" not in str(body)

    everything = ok(reader.get("/api/v1/dictionary", {"active": "false"}))
    assert everything["count"] == Category.objects.count()
    last = everything["results"][-1]
    assert last == {"slug": "zz-retirada", "name": "Zz retirada", "description": "", "active": False,
                    "terms": [{"text": "termino retirado", "active": True}]}
    genero_all = next(c for c in everything["results"] if c["slug"] == "genero")
    assert {"text": "termino inactivo", "active": False} in genero_all["terms"]
    assert len(genero_all["terms"]) == Term.objects.filter(categories=genero).count()
