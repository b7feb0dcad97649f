"""`import_terms --format hurtlex`: HurtLex ES 1.2 words become inactive suggestions; nothing people made changes."""
from __future__ import annotations

import csv
from collections import Counter, defaultdict
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ingestion.models import Term, Tweet
from tests.factories import CategoryFactory, TermFactory
from tests.shared_data import SHARED, needs_shared

HURTLEX = SHARED / "hurtlex_es" / "hurtlex_ES.tsv"
# Written out here, not imported: the table of ingestion/hurtlex.py must say the same.
MAPPED = {
    "om": "orientacion", "ddf": "discapacidad", "ddp": "discapacidad", "ps": "apariencia", "asf": "genero", "pr": "genero",
}

pytestmark = [needs_shared, pytest.mark.django_db]


def import_terms(path: Path, **options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_terms", str(path), format="hurtlex", no_progress=True, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def hurtlex_expected(levels: set[str], lines: list[str] | None = None) -> dict[str, set[str]]:
    """Lemma → COPRED slugs, read from the file (or these of its lines, header first) with the table above."""
    lines = lines or HURTLEX.read_text(encoding="utf-8").splitlines()
    expected: dict[str, set[str]] = defaultdict(set)
    for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
        if row["category"] in MAPPED and row["level"] in levels:
            expected[row["lemma"].strip()].add(MAPPED[row["category"]])
    return expected


def suggestions() -> dict[str, set[str]]:
    terms = Term.objects.filter(origin="hurtlex-1.2").prefetch_related("categories")
    return {term.text: {c.slug for c in term.categories.all()} for term in terms}


def test_conservative_words_of_the_mapped_categories_come_in_inactive(dictionary):
    out, err = import_terms(HURTLEX)

    assert err == ""
    assert (
        "hurtlex_ES.tsv: 5006 leídas, 389 sugerencias nuevas (apariencia 68, discapacidad 253, genero 150, "
        "orientacion 19), 3 ya estaban en el diccionario, 531 solo del nivel inclusive, 3967 de categorías sin grupo "
        "COPRED (an 679, asm 328, cds 1285, dmc 361, is 75, or 173, pa 109, qas 349, rci 14, re 272, svp 322), "
        "0 rechazadas"
    ) in out
    suggested = Term.objects.filter(origin="hurtlex-1.2")
    assert suggested.count() == 389
    assert not suggested.filter(active=True).exists()
    expected = hurtlex_expected({"conservative"})
    for original in ("joto", "puta", "puto"):  # already in the dictionary
        del expected[original]
    assert suggestions() == expected
    assert Counter(slug for slugs in expected.values() for slug in slugs) == {
        "apariencia": 68, "discapacidad": 253, "genero": 150, "orientacion": 19,
    }
    assert suggestions()["zorra"] == {"genero"} and suggestions()["maricón"] == {"orientacion"}
    assert suggestions()["tonto"] == {"apariencia", "discapacidad", "genero"}  # ps, ddp and asf rows
    assert not Term.objects.filter(text__in=["tramposo", "homosexualidad"]).exists()  # dmc; inclusive only
    notes = Term.objects.get(text="zorra").notes
    assert "HurtLex 1.2" in notes and "pr (prostitución), conservative" in notes


def test_level_inclusive_takes_both_levels(dictionary):
    out, _ = import_terms(HURTLEX, level="inclusive")

    assert "832 sugerencias nuevas" in out and "7 ya estaban en el diccionario" in out
    assert Term.objects.get(text="homosexualidad").active is False
    assert set(suggestions()) == set(hurtlex_expected({"conservative", "inclusive"})) - {
        "joto", "puta", "puto", "sodomita", "cojo", "ciego", "discapacitado",
    }


def test_terms_people_made_are_never_changed(dictionary):
    apariencia = CategoryFactory(slug="apariencia")
    zorra = TermFactory(text="zorra", categories=[apariencia], notes="revisado por el equipo")
    enano = TermFactory(text="enano", active=False, notes="apagado: demasiados falsos positivos")
    puto_before = Term.objects.get(text="puto")

    import_terms(HURTLEX)

    zorra.refresh_from_db()
    assert zorra.active is True and zorra.origin == "" and zorra.notes == "revisado por el equipo"
    assert list(zorra.categories.values_list("slug", flat=True)) == ["apariencia"]  # HurtLex says genero
    enano.refresh_from_db()
    assert enano.active is False and enano.origin == "" and not enano.categories.exists()
    puto = Term.objects.get(text="puto")  # orientacion in the original; HurtLex adds pr → genero
    assert puto.active is True and puto.origin == "" and puto.updated_at == puto_before.updated_at
    assert list(puto.categories.values_list("slug", flat=True)) == ["orientacion"]


def test_importing_again_adds_nothing(dictionary):
    import_terms(HURTLEX)
    before = {(t.pk, t.text, t.active, t.notes, t.updated_at) for t in Term.objects.all()}
    links = sorted(Term.categories.through.objects.values_list("term_id", "category_id"))

    out, _ = import_terms(HURTLEX)

    assert "0 sugerencias nuevas (-), 392 ya estaban en el diccionario" in out
    assert {(t.pk, t.text, t.active, t.notes, t.updated_at) for t in Term.objects.all()} == before
    assert sorted(Term.categories.through.objects.values_list("term_id", "category_id")) == links


def test_a_post_with_only_a_suggested_term_is_not_matched(dictionary, tmp_path, archive_dir):
    import_terms(HURTLEX)
    posts = tmp_path / "posts.csv"
    posts.write_text("id,text\n1,Esa zorra no sabe nada\n2,Qué naco el de la combi\n", encoding="utf-8")

    call_command("import_tweets", str(posts), format="csv", no_progress=True, stdout=StringIO(), stderr=StringIO())

    suggested_only = Tweet.objects.get(platform_id="1")
    assert suggested_only.matches == [] and not suggested_only.categories.exists()
    assert Tweet.objects.get(platform_id="2").matches[0]["term"] == "naco"


def test_bad_lines_are_reported_with_their_number_and_the_rest_is_kept(dictionary, tmp_path):
    real = HURTLEX.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "hurtlex_danado.tsv"
    path.write_text("\n".join([
        real[0],
        "ES9001\tn\tpr\tno\tmujerzuela\tconservative",
        "ES9002\tn\tpr\tno\tcortesana",  # line 3: five columns
        "ES9003\tn\tom\tno\t  \tconservative",  # line 4: empty lemma
        "ES9004\tn\tom\tno\tbujarrón\tdudoso",  # line 5: unknown level
        "ES9005\tn\txx\tno\tpalabra\tconservative",  # line 6: unknown category
        "",
        "ES9006\tn\tom\tno\tmariposón\tconservative",
        *real[1:200],
    ]) + "\n", encoding="utf-8")

    out, err = import_terms(path)

    assert err.splitlines() == [
        "hurtlex_danado.tsv, línea 3: tiene 5 columnas; se esperaban 6 separadas por tabuladores",
        "hurtlex_danado.tsv, línea 4: el lema está vacío",
        "hurtlex_danado.tsv, línea 5: nivel desconocido «dudoso» (conservative o inclusive)",
        "hurtlex_danado.tsv, línea 6: categoría de HurtLex desconocida «xx»",
    ]
    assert "205 leídas" in out and "4 rechazadas" in out
    kept = suggestions()
    assert kept["mujerzuela"] == {"genero"} and kept["mariposón"] == {"orientacion"}
    assert set(kept) == {"mujerzuela", "mariposón"} | hurtlex_expected({"conservative"}, real[:200]).keys()
    assert not Term.objects.filter(text__in=["cortesana", "bujarrón", "palabra"]).exists()


def test_a_file_that_is_not_hurtlex_is_refused_whole(dictionary, tmp_path):
    path = tmp_path / "terminos.csv"
    path.write_text("text,categories\nzorra,genero\n", encoding="utf-8")
    terms_before = Term.objects.count()

    with pytest.raises(CommandError, match="no es el encabezado de HurtLex"):
        import_terms(path)
    assert Term.objects.count() == terms_before
