"""`import_tweets`: every good record kept, a clear error per bad one, duplicates stored once."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ingestion.models import IngestionRun, Tweet
from tests.shared_data import SHARED as SHARED_DATA

SHARED = SHARED_DATA / "discriminamometro"


def v2_line(tweet_id: str, text: str, **extra) -> str:
    tweet = {"id": tweet_id, "text": text, "created_at": "2026-11-20T10:00:00.000Z", "author_id": "u1", "lang": "es", **extra}
    return json.dumps({"data": [tweet], "includes": {"users": [{"id": "u1", "username": "lupita", "name": "Lupita", "location": "Mérida, Yucatán"}]}})


def run_import(*args, **options):
    """Call the command; return (stdout, stderr, CommandError or None)."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("import_tweets", *map(str, args), stdout=out, stderr=err, no_progress=True, **options)
        error = None
    except CommandError as exc:
        error = exc
    return out.getvalue(), err.getvalue(), error


@pytest.fixture
def jsonl(tmp_path):
    def write(lines: list[str | bytes], name: str = "posts.jsonl") -> Path:
        path = tmp_path / name
        path.write_bytes(b"\n".join(line if isinstance(line, bytes) else line.encode() for line in lines) + b"\n")
        return path
    return write


@pytest.mark.django_db
def test_good_lines_are_kept_and_each_bad_line_is_reported(jsonl, dictionary):
    path = jsonl([
        v2_line("1", "Qué naco el de la combi"),
        '{"data": [{"id": "2", "text": "sin cerrar"',  # malformed JSON
        v2_line("3", "Hoy llueve en Mérida"),
        json.dumps({"data": [{"id": "4", "created_at": "2026-11-20T10:00:00.000Z"}]}),  # no text
        json.dumps({"data": [{"text": "sin id"}]}),  # no id
        "Hola qu\xe9 tal".encode("latin-1"),  # wrong encoding
        v2_line("5", "fecha rara", created_at="ayer por la tarde"),
        v2_line("6", "Buenos días, #CDMX"),
        json.dumps({"foo": "bar"}),  # not a tweet
    ])
    out, err, error = run_import(path)

    assert error is None
    assert sorted(Tweet.objects.values_list("platform_id", flat=True)) == ["1", "3", "6"]
    lines = err.splitlines()
    assert any(line.startswith("posts.jsonl, línea 2: JSON mal formado") for line in lines)
    assert any("línea 4" in line and "falta el texto" in line for line in lines)
    assert any("línea 5" in line and "falta el campo 'id'" in line for line in lines)
    assert any("línea 6" in line and "utf-8" in line and "--encoding latin-1" in line for line in lines)
    assert any("línea 7" in line and "fecha" in line for line in lines)
    assert any("línea 9" in line and "no es una respuesta de la API v2" in line for line in lines)
    assert "9 leídas, 3 nuevas, 0 duplicadas, 6 rechazadas" in out
    run = IngestionRun.objects.get()
    assert run.status == IngestionRun.Status.PARTIAL
    assert (run.fetched, run.new, run.rejected) == (9, 3, 6)
    assert {e["line"] for e in run.errors} == {2, 4, 5, 6, 7, 9}
    naco = Tweet.objects.get(platform_id="1")
    assert naco.matches == [{"term": "naco", "categories": ["apariencia"], "start": 4, "end": 8}]
    assert naco.state == "YUC" and naco.state_evidence == "profile"


@pytest.mark.django_db
def test_duplicates_inside_a_file_and_across_runs_are_stored_once(jsonl):
    path = jsonl([v2_line("10", "uno"), v2_line("11", "dos"), v2_line("10", "uno otra vez")])
    out, _, _ = run_import(path)
    assert "3 leídas, 2 nuevas, 1 duplicadas, 0 rechazadas" in out
    assert Tweet.objects.get(platform_id="10").text == "uno"

    out, _, error = run_import(path)
    assert error is None  # nothing new, but nothing wrong either
    assert "3 leídas, 0 nuevas, 3 duplicadas, 0 rechazadas" in out
    assert Tweet.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_batches_stored_on_the_writer_thread_count_and_keep_everything(jsonl, dictionary):
    # Outside a test transaction the import stores batches on a second thread.
    lines = [v2_line(str(n), f"post {n}, qué naco") for n in range(25)]
    lines[7] = "{roto"
    lines += [v2_line("3", "repetido en otro lote")]
    out, err, error = run_import(jsonl(lines), batch_size=4)
    assert error is None
    assert "26 leídas, 24 nuevas, 1 duplicadas, 1 rechazadas" in out
    assert "línea 8: JSON mal formado" in err
    assert Tweet.objects.count() == 24
    assert Tweet.objects.filter(categories__slug="apariencia").count() == 24
    run = IngestionRun.objects.get()
    assert (run.status, run.fetched, run.new, run.duplicate, run.rejected) == ("partial", 26, 24, 1, 1)


@pytest.mark.django_db
def test_file_where_nothing_can_be_imported_exits_non_zero(jsonl):
    path = jsonl(["no es json", "{tampoco"])
    out, err, error = run_import(path)
    assert error is not None and "ninguna publicación" in str(error)
    assert "2 rechazadas" in out
    assert IngestionRun.objects.get().status == IngestionRun.Status.FAILED


@pytest.mark.django_db
def test_empty_and_missing_files_are_refused_clearly(tmp_path):
    empty = tmp_path / "vacio.jsonl"
    empty.write_bytes(b"")
    _, err, error = run_import(empty, tmp_path / "no-existe.jsonl")
    assert error is not None
    assert "vacio.jsonl: el archivo vacio.jsonl está vacío" in err
    assert "no existe el archivo" in err
    assert Tweet.objects.count() == 0


@pytest.mark.django_db
def test_oversized_line_and_text_are_rejected_without_losing_the_rest(jsonl, settings):
    settings.INGESTION = {**settings.INGESTION, "MAX_LINE_BYTES": 2000, "MAX_TEXT_CHARS": 280}
    path = jsonl([v2_line("20", "a" * 281), "[" + "1," * 2000 + "1]", v2_line("21", "normal")])
    _, err, _ = run_import(path)
    assert "línea 1" in err and "281 caracteres, más que el límite de 280" in err
    assert "línea 2" in err and "más que el límite de 2000" in err
    assert list(Tweet.objects.values_list("platform_id", flat=True)) == ["21"]


@pytest.mark.django_db
def test_gzipped_json_lines_and_bare_tweet_objects(tmp_path):
    path = tmp_path / "lote.jsonl.gz"
    tweet = {"id": "30", "text": "hola", "created_at": "2026-11-20T10:00:00Z", "author": {"username": "x", "location": "Tijuana BC"}}
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(json.dumps(tweet) + "\n")
    run_import(path)
    assert Tweet.objects.get().state == "BCN"


@pytest.mark.django_db
def test_generic_csv_with_latin1_and_a_bad_row(tmp_path):
    path = tmp_path / "posts.csv"
    path.write_bytes(
        "id,text,created_at,username,location\n"
        "40,Qué calor hace en Monterrey,2026-11-20 10:00:00,regio,\"Monterrey, N.L.\"\n"
        ",sin id,2026-11-20 10:00:00,x,\n"
        "41,\"Texto con, coma\",2026-11-20 11:00:00,y,CDMX\n".encode("latin-1")
    )
    _, err, _ = run_import(path)
    assert "utf-8" in err  # read as UTF-8 by default: the accented row is flagged, not garbled
    Tweet.objects.all().delete()
    IngestionRun.objects.all().delete()

    out, err, _ = run_import(path, encoding="latin-1")
    assert "línea 3" in err and "falta el campo 'id'" in err
    assert "2 nuevas" in out
    assert Tweet.objects.get(platform_id="40").text == "Qué calor hace en Monterrey"
    assert Tweet.objects.get(platform_id="40").state == "NLE"


@pytest.mark.django_db
def test_csv_without_text_column_is_refused(tmp_path):
    path = tmp_path / "raro.csv"
    path.write_text("id,mensaje\n1,hola\n")
    _, err, error = run_import(path)
    assert error is not None and "columna obligatoria" in err


@pytest.mark.skipif(not SHARED.exists(), reason="the shared reference data is not next to the checkout")
@pytest.mark.django_db
def test_original_project_files(dictionary):
    out, _, error = run_import(SHARED / "json_religion.txt", SHARED / "base_religion.csv")
    assert error is None
    legacy_json = Tweet.objects.filter(platform_id__startswith="dm2020-")
    assert legacy_json.count() > 300
    assert legacy_json.filter(created_at__isnull=True).count() == legacy_json.count()
    assert legacy_json.exclude(state="").exists()
    legacy_csv = Tweet.objects.exclude(platform_id__startswith="dm2020-")
    assert legacy_csv.count() == 68
    assert legacy_csv.filter(text__contains="Jehov").exists()  # Latin-1 decoded right
    assert legacy_csv.filter(categories__slug="religion").exists()
    out, _, _ = run_import(SHARED / "base_religion.csv")
    assert "0 nuevas, 68 duplicadas" in out


def test_the_embedded_sqlite_database_imports_through_the_same_service(tmp_path):
    """Without DATABASE_URL the import runs on SQLite: the same checks and counts, each post
    once, a bad line in the middle of a batch reported with its number, and it says it took the slower way."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[3]
    path = tmp_path / "posts.jsonl"
    lines = [v2_line(str(n), f"post {n}, qué naco") for n in range(1, 8)]
    lines[3] = v2_line("4", "texto con \x00 nulo")
    path.write_text("\n".join([*lines, v2_line("2", "repetido")]) + "\n")
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TEST_DATABASE_URL"}}
    environment.update({"DJANGO_SETTINGS_MODULE": "discriminamometro.settings.base", "DJANGO_DEBUG": "false",
                        "DISCRIMINAMOMETRO_VAR_DIR": str(tmp_path / "var")})
    code = (
        "import django; django.setup()\n"
        "from io import StringIO\n"
        "from django.core.management import call_command\n"
        "from django.db import connection\n"
        "call_command('migrate', verbosity=0)\n"
        "for _ in range(2):\n"
        "    out, err = StringIO(), StringIO()\n"
        f"    call_command('import_tweets', {str(path)!r}, '--no-progress', stdout=out, stderr=err)\n"
        "    print(out.getvalue(), err.getvalue())\n"
        "from ingestion.models import Tweet, TweetCategory\n"
        "print('vendor', connection.vendor, 'counts', Tweet.objects.count(), TweetCategory.objects.count())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=root, env=environment, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "8 leídas, 6 nuevas, 1 duplicadas, 1 rechazadas" in done.stdout
    assert "8 leídas, 0 nuevas, 7 duplicadas, 1 rechazadas" in done.stdout
    assert "línea 4" in done.stdout and "carácter nulo" in done.stdout
    assert "Base de datos integrada (SQLite)" in done.stdout
    assert "vendor sqlite counts 6 6" in done.stdout


@pytest.mark.django_db(transaction=True)
def test_a_bad_post_in_the_middle_of_a_copied_batch_is_rejected_with_its_line(jsonl, dictionary):
    """One batch of 30 lines copied on the writer thread: the bad posts in it are reported with their
    lines, every other post is stored, and each batch hands on the ids and texts it stored."""
    from ingestion.services.imports import tweets_import_file
    from ingestion.sources.files import FileReader

    lines = [v2_line(str(n), f"post {n}, qué naco") for n in range(1, 31)]
    lines[11] = v2_line("12", "idioma imposible", lang="español de México")  # longer than the column
    lines[19] = v2_line("20", "fecha del futuro", created_at="2999-01-01T00:00:00Z")
    handed: list[tuple[int, str]] = []
    summary = tweets_import_file(reader=FileReader(path=jsonl(lines), fmt="xapi", encoding="utf-8"), batch_size=1000,
                                 on_batch=lambda s: handed.extend(s.batch_stored))

    assert (summary.read, summary.new, summary.rejected) == (30, 28, 2)
    assert {(e.line, "lang" in e.message or "fecha" in e.message) for e in summary.errors} == {(12, True), (20, True)}
    stored = dict(Tweet.objects.values_list("pk", "text"))
    assert len(stored) == 28 and "12" not in Tweet.objects.values_list("platform_id", flat=True)
    assert sorted(handed) == sorted(stored.items())


@pytest.mark.django_db(transaction=True)
def test_a_file_whose_ids_partly_exist_already_stores_only_the_new_posts(jsonl, dictionary):
    """New batches are copied without looking their ids up; the batch that meets stored posts
    is stored the careful way, and the import looks ids up again from then on."""
    run_import(jsonl([v2_line(str(n), f"antes {n} naco") for n in range(1, 11)], name="a.jsonl"))
    ids = [*range(11, 21), *range(5, 9), *range(21, 25)]
    out, _, error = run_import(jsonl([v2_line(str(n), f"después {n} naco") for n in ids], name="b.jsonl"), batch_size=4)

    assert error is None
    assert "18 leídas, 14 nuevas, 4 duplicadas, 0 rechazadas" in out
    assert Tweet.objects.count() == 24
    assert Tweet.objects.get(platform_id="6").text == "antes 6 naco"
    assert Tweet.objects.filter(categories__slug="apariencia").count() == 24
