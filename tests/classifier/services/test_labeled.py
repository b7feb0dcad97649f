"""`import_labeled`: the reference data sets land in LabeledText with the right labels; bad rows are reported."""
from __future__ import annotations

import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifier.models import LabeledText
from tests.shared_data import SHARED

needs_shared = pytest.mark.skipif(not SHARED.exists(), reason="the shared reference data is not next to the checkout")


def run(path, **options):
    out, err = StringIO(), StringIO()
    try:
        call_command("import_labeled", str(path), stdout=out, stderr=err, no_progress=True, **options)
        error = None
    except CommandError as exc:
        error = exc
    return out.getvalue(), err.getvalue(), error


def head(source: Path, target: Path, lines: int, encoding: str = "utf-8") -> Path:
    """The header and first rows of a real file (keeps tests fast, data real)."""
    with source.open(encoding=encoding, newline="") as handle:
        import csv

        rows = list(csv.reader(handle))[: lines + 1]
    with target.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return target


@needs_shared
@pytest.mark.django_db
def test_hateval_maps_hs_to_discriminatory_without_inventing_categories(tmp_path):
    path = head(SHARED / "hateval2019_es" / "hateval2019_es_dev.csv", tmp_path / "hateval2019_es_dev.csv", 200)
    out, _, error = run(path, format="hateval")
    assert error is None
    rows = LabeledText.objects.filter(task="discrimination", source="import:hateval2019")
    assert rows.count() == 200
    assert {tuple(r.labels) for r in rows} == {(), ("discriminatory",)}
    assert set(rows.values_list("split", flat=True)) == {"dev"}
    positives = rows.filter(labels=["discriminatory"]).count()
    assert f"etiquetas positivas: discriminatory {positives}" in out


@needs_shared
@pytest.mark.django_db
def test_exist_sexist_is_discriminatory_and_gender(tmp_path):
    path = head(SHARED / "exist2021_es" / "exist2021_es_train.csv", tmp_path / "exist.csv", 100)
    run(path, format="exist")
    rows = LabeledText.objects.filter(source="import:exist2021")
    assert rows.count() == 100
    assert {tuple(r.labels) for r in rows} == {(), ("discriminatory", "genero")}


@needs_shared
@pytest.mark.django_db
def test_original_project_tweets_are_weak_category_labels(dictionary):
    run(SHARED / "discriminamometro" / "base_religion.csv", format="legacy")
    run(SHARED / "discriminamometro" / "json_neutro.txt", format="legacy")
    weak = LabeledText.objects.filter(source="weak:discriminamometro")
    assert weak.filter(weak=False).count() == 0
    religion = weak.filter(labels=["religion"])
    assert 0 < religion.count() <= 68
    assert religion.filter(text__contains="Jehov").exists()  # Latin-1 read right
    assert weak.filter(labels=[]).count() > 300  # json_neutro: weak negatives
    assert not weak.filter(labels__contains=["discriminatory"]).exists()


@needs_shared
@pytest.mark.django_db
def test_movie_genres_become_labels_of_the_movie_task(tmp_path):
    path = head(SHARED / "movies" / "dataTraining.csv", tmp_path / "dataTraining.csv", 50)
    out, _, _ = run(path, format="movies")
    rows = LabeledText.objects.filter(task="movie-genres")
    assert rows.count() == 50
    assert all(r.labels and r.extra["title"] for r in rows)
    assert "Drama" in out


@pytest.mark.django_db
def test_bad_rows_are_reported_by_line_and_the_rest_imported(tmp_path):
    path = tmp_path / "hateval_train.csv"
    path.write_text(
        "id,text,HS,TR,AG\n"
        "1,Texto bueno,1,0,0\n"
        "2,,0,0,0\n"
        "3,Otro texto,quizá,0,0\n"
        ",Sin id,0,0,0\n"
        "5,Texto bueno dos,0,0,0\n"
        "5,Repetido,1,0,0\n"
    )
    out, err, error = run(path, format="hateval")
    assert error is None
    assert "línea 3: falta el texto" in err
    assert "línea 4: valor no válido en 'HS'" in err
    assert "línea 5: falta el id" in err
    assert "6 leídas, 2 nuevas, 0 actualizadas, 0 sin cambios, 1 repetidas, 3 rechazadas" in out
    assert sorted(LabeledText.objects.values_list("external_id", flat=True)) == ["1", "5"]
    assert LabeledText.objects.get(external_id="5").text == "Texto bueno dos"
    assert LabeledText.objects.get(external_id="1").split == "train"


@pytest.mark.django_db
def test_reimport_updates_changed_rows_only(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("id,text,HS\n1,uno,1\n2,dos,0\n")
    run(path, format="hateval")
    path.write_text("id,text,HS\n1,uno,0\n2,dos,0\n3,tres,1\n")
    out, _, _ = run(path, format="hateval")
    assert "1 nuevas, 1 actualizadas, 1 sin cambios" in out
    assert LabeledText.objects.get(external_id="1").labels == []
    assert LabeledText.objects.count() == 3


@pytest.mark.django_db
def test_generic_csv_takes_label_columns_of_the_task(tmp_path, dictionary):
    path = tmp_path / "mis_etiquetas.csv"
    path.write_text("id,texto,discriminatory,edad\n1,hola,1,1\n2,adiós,0,0\n3,mal,2,0\n")
    out, err, error = run(path, format="csv", task="discrimination", source="import:ong", text_column="texto",
                          label_columns="discriminatory,edad")
    assert error is None
    assert "línea 4: valor no válido en 'discriminatory'" in err
    assert dict(LabeledText.objects.values_list("external_id", "labels")) == {"1": ["discriminatory", "edad"], "2": []}


@pytest.mark.django_db
def test_generic_csv_refuses_columns_that_are_not_labels_of_the_task(tmp_path, dictionary):
    path = tmp_path / "mis_etiquetas.csv"
    path.write_text("id,texto,discriminatory,inventada\n1,hola,1,1\n")
    _, _, error = run(path, format="csv", task="discrimination", source="import:ong", text_column="texto",
                      label_columns="discriminatory,inventada")
    assert error is not None and "no son etiquetas de la tarea discrimination: inventada" in str(error)
    assert LabeledText.objects.count() == 0


@pytest.mark.django_db
def test_missing_columns_and_files_are_refused_clearly(tmp_path):
    path = tmp_path / "raro.csv"
    path.write_text("id,mensaje\n1,hola\n")
    _, _, error = run(path, format="hateval")
    assert error is not None and "faltan columnas en el CSV: HS, text" in str(error)
    _, _, error = run(tmp_path / "no-existe.csv", format="movies")
    assert error is not None and "no existe el archivo" in str(error)
    _, _, error = run(path, format="csv", task="x", source="y")
    assert error is not None and "--label-columns" in str(error)


# --- Hostile rows: each rejected with its line, the rest kept (the posts' own checks) -------------


@pytest.mark.django_db
def test_nul_and_lone_surrogates_in_a_labelled_file_are_rejected_by_line(tmp_path):
    path = tmp_path / "exist_train.csv"
    path.write_text(
        "id,text,task1,task2\n"
        "1,Texto bueno,sexist,ideological\n"
        "2,Con nulo \x00 aquí,sexist,x\n"
        "3\x00,Id con nulo,non-sexist,x\n"
        "4,Tipo con nulo,sexist,ideo\x00logical\n"
        "5,Texto bueno dos,non-sexist,x\n"
    )
    out, err, error = run(path, format="exist")
    assert error is None
    assert "línea 3: el texto contiene un carácter nulo" in err
    assert "línea 4" in err and "línea 5" in err
    assert sorted(LabeledText.objects.values_list("external_id", flat=True)) == ["1", "5"]

    legacy = tmp_path / "json_genero.txt"
    legacy.write_text('[{"full_text": "bueno", "user_id": 1}, {"full_text": "malo \\ud800", "user_id": 2},'
                      ' {"full_text": "otro", "user_id": "\\udc00"}, {"full_text": "bueno dos", "user_id": 4}]')
    out, err, error = run(legacy, format="legacy")
    assert error is None and "línea 2" in err and "línea 3" in err and "sustituto" in err
    assert LabeledText.objects.filter(source="weak:discriminamometro").count() == 2


@pytest.mark.django_db
def test_a_gzip_bomb_or_a_broken_gzip_is_refused_clearly(tmp_path):
    import gzip

    bomb = tmp_path / "hateval_train.csv.gz"
    with gzip.open(bomb, "wb") as handle:
        handle.write(b"id,text,HS\n")
        for _ in range(100):
            handle.write(b"a" * (1024 * 1024))  # 100 MB without a newline
    _, _, error = run(bomb, format="hateval")
    assert error is not None and "INGESTION_MAX_LINE_BYTES" in str(error)

    broken = tmp_path / "hateval_dev.csv.gz"
    broken.write_bytes(b"\x1f\x8b" + b"\x00" * 40)
    _, _, error = run(broken, format="hateval")
    assert error is not None and "gzip" in str(error)


_hostile_cells = st.one_of(
    st.text(max_size=20), st.sampled_from(["\x00", "a\x00", "1", "0", "", "sí", "x" * 200]),
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(_hostile_cells, _hostile_cells, _hostile_cells), min_size=1, max_size=8))
@pytest.mark.django_db
def test_any_labelled_rows_keep_every_good_row(rows):
    import csv
    import tempfile

    good = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hateval_train.csv"
        with path.open("w", newline="", encoding="utf-8", errors="surrogatepass") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "text", "HS"])
            for number, (ident, text, flag) in enumerate(rows):
                if number % 2 == 0:  # every other row is a good one, with an id of its own
                    ident, text, flag = f"good-{uuid.uuid4().hex}", "un texto", "1"
                    good.append(ident)
                writer.writerow([ident, text, flag])
        out, err, error = run(path, format="hateval", source="import:hypothesis")
    assert "Traceback" not in err
    stored = set(LabeledText.objects.filter(external_id__in=good).values_list("external_id", flat=True))
    assert stored == set(good)
