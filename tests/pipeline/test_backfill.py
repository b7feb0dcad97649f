"""`manage.py backfill`: a folder of files imported and scored in one pass, bad lines reported, done files skipped."""
from __future__ import annotations

import gzip
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import orjson
import pytest
from django.core.management import CommandError, call_command

from benchmarks.generator import PostFactory, pages_iterate
from classifier.models import Prediction
from ingestion.models import Tweet
from ingestion.sources.files import FileReader
from pipeline.services.backfill import ResumedReader, backfill_cursor_key, backfill_files_find
from tests.dashboard.builders import recount, stored

ROOT = Path(__file__).resolve().parents[2]
SEED = 20261203


def pages_write(path: Path, *, count: int, start: int = 0, bad_after: int | None = None) -> list[bytes]:
    """`count` synthetic posts as X API v2 pages of 100 (gzipped for a .gz name); a broken line after page `bad_after`."""
    factory = PostFactory(count=start + count, seed=SEED, days=5)
    lines = [orjson.dumps(page) + b"\n" for page in pages_iterate(factory, count=start + count)][start // 100:]
    if bad_after is not None:
        lines.insert(bad_after, b'{"data": [{"id": "1", "text": \n')
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wb") as handle:
        handle.writelines(lines)
    return lines


def backfill(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("backfill", *args, "--no-progress", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_a_folder_is_imported_and_scored_in_one_pass_and_a_second_pass_skips_it(trained_model, tmp_path):
    folder = tmp_path / "archivo"
    (folder / "2025").mkdir(parents=True)
    pages_write(folder / "2025" / "enero.jsonl", count=600, bad_after=3)
    pages_write(folder / "2025" / "febrero.jsonl.gz", count=400, start=600)
    (folder / "LEEME.pdf").write_bytes(b"%PDF-1.4")  # not a post file: left out of a folder

    out, err = backfill(str(folder), "--batch-size", "250")

    assert "1,000 nuevas" in out and "1,000 puntuadas" in out and "1 rechazadas" in out
    assert "enero.jsonl, línea 4: JSON mal formado" in err  # the bad line, by its number; the rest kept
    assert Tweet.objects.count() == 1000
    predictions = Prediction.objects.filter(model_version=trained_model)
    assert predictions.count() == predictions.values("tweet_id").distinct().count() == 1000
    assert stored(trained_model) == recount(trained_model)

    again, _ = backfill(str(folder))
    assert "2 archivo(s) ya hechos en una carga anterior: omitidos" in again
    assert "leídas" not in again and Tweet.objects.count() == 1000  # nothing read, nothing to count


@pytest.mark.django_db
def test_without_a_model_it_imports_and_says_the_posts_wait_for_one(dictionary, tmp_path):
    path = tmp_path / "posts.jsonl"
    pages_write(path, count=200)
    out, _ = backfill(str(path))
    assert "200 nuevas" in out and "0 puntuadas" in out
    assert "No hay un modelo activo de discriminación" in out
    assert Tweet.objects.count() == 200 and not Prediction.objects.exists()


@pytest.mark.django_db
def test_a_missing_path_or_an_unknown_format_is_refused_with_its_reason(dictionary, tmp_path):
    other = tmp_path / "notas.docx"
    other.write_bytes(b"x")
    with pytest.raises(CommandError, match="No hay archivos que importar"):
        backfill(str(tmp_path / "no-existe.jsonl"), str(other))


def test_the_cursor_never_passes_a_page_that_a_batch_split(tmp_path):
    """Three pages of 100 posts read in batches of 150: after 150 records only line 1 is known whole."""
    path = tmp_path / "posts.jsonl"
    pages_write(path, count=300)
    reader = ResumedReader(FileReader(path=path, fmt="xapi", encoding="utf-8"), after_line=0)
    records = reader.records()
    for _ in range(150):
        next(records)
    assert reader.lines_done(150) == 1
    for _ in range(150):
        next(records)
    assert reader.lines_done(300) == 2  # line 3 may go on: the file is not known to end there
    assert list(records) == []
    assert reader.lines_done(300) == 3

    resumed = ResumedReader(FileReader(path=path, fmt="xapi", encoding="utf-8"), after_line=2)
    assert {line for line, _ in resumed.records()} == {3}  # lines done are not read into the batches again


def test_a_folder_is_read_in_order_and_a_changed_file_is_a_new_one(tmp_path):
    (tmp_path / "b.jsonl").write_bytes(b"{}\n")
    (tmp_path / "a.csv").write_bytes(b"id,text\n")
    found, refused = backfill_files_find([tmp_path])
    assert [item.path.name for item in found] == ["a.csv", "b.jsonl"] and not refused
    assert [item.fmt for item in found] == ["csv", "xapi"]
    before = backfill_cursor_key(found[1])
    (tmp_path / "b.jsonl").write_bytes(b"{}\n{}\n")
    assert backfill_cursor_key(found[1]) != before  # read again from its start, not from the old cursor


def test_the_embedded_sqlite_database_backfills_through_the_same_path(tmp_path):
    """On SQLite the import and the scoring run in turn in the command's process, and it says so."""
    path = tmp_path / "posts.jsonl"
    pages_write(path, count=300)
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "discriminamometro.settings.base",
        "DJANGO_DEBUG": "false", "DISCRIMINAMOMETRO_VAR_DIR": str(tmp_path / "var"),
    }
    code = (
        "import django; django.setup()\n"
        "from io import StringIO\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "from classifier.services.training import model_version_train\n"
        "from tests.demo_data import SMALL, demo_labels_create\n"
        "demo_labels_create(source='test'); model_version_train(task='discrimination', params=SMALL)\n"
        "out = StringIO()\n"
        f"call_command('backfill', {str(path)!r}, '--no-progress', stdout=out)\n"
        "from classifier.models import Prediction\n"
        "from ingestion.models import Tweet\n"
        "print(out.getvalue())\n"
        "print('counts', Tweet.objects.count(), Prediction.objects.count())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Base de datos SQLite (modo integrado)" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "counts 300 300"
