"""`manage.py datasets list | fetch | import` with the real catalogue: the real files (read from the shared
reference data) served by an HTTP server on 127.0.0.1 as an organisation's mirror, or given with `--from`;
fetched into a fresh datasets folder, listed, refused when their bytes differ, and imported."""
from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command, get_commands

from classifier.datasets_catalog import CATALOG
from classifier.models import LabeledText
from ingestion.models import Term
from tests.classifier.file_server import FileServer
from tests.shared_data import SHARED, needs_shared

pytestmark = needs_shared


@pytest.fixture
def datasets_dir(settings, tmp_path):
    settings.DATASETS_DIR = tmp_path / "datasets"
    settings.DATASETS_MIRROR = ""
    return settings.DATASETS_DIR


@pytest.fixture
def mirror():
    """An organisation's mirror on 127.0.0.1 holding the real files as MIRROR/<corpus>/<file>."""
    with FileServer() as server:
        for corpus, folder in (("hurtlex", "hurtlex_es"), ("hateval", "hateval2019_es"), ("mexa3t", "mexa3t2018")):
            for file in CATALOG[corpus].files:
                server.files[f"/espejo/{corpus}/{file.name}"] = (SHARED / folder / file.name).read_bytes()
        yield server


def datasets(*args: str) -> str:
    out = StringIO()
    call_command("datasets", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def listed(output: str) -> dict[str, str]:
    """The `list` table's rows by corpus name."""
    return {line.split()[0]: line for line in output.splitlines() if line.split() and line.split()[0] in CATALOG}


def test_list_shows_what_is_fetched_and_verified(datasets_dir, mirror):
    before = listed(datasets("list"))
    assert "no descargado" in before["hurtlex"]
    assert "a petición de los organizadores" in before["hateval"]

    fetched = datasets("fetch", "hurtlex", "--mirror", f"{mirror.url}/espejo")

    assert "hurtlex_ES.tsv: descargado, verificado" in fetched
    assert (datasets_dir / "hurtlex" / "hurtlex_ES.tsv").stat().st_size == CATALOG["hurtlex"].size
    after = listed(datasets("list"))
    assert "descargado y verificado" in after["hurtlex"]
    assert "CC BY-NC-SA 4.0" in after["hurtlex"]
    assert "no descargado" in after["hateval"]


def test_a_corpus_on_request_explains_from_and_a_wrong_copy_is_refused(datasets_dir, mirror):
    with pytest.raises(CommandError, match="--from"):
        datasets("fetch", "hateval")

    mirror.files["/espejo/hateval/hateval2019_es_dev.csv"] = b"id,text,HS,TR,AG\n1,otro texto,0,0,0\n"
    with pytest.raises(CommandError, match=CATALOG["hateval"].files[1].sha256):
        datasets("fetch", "hateval", "--mirror", f"{mirror.url}/espejo")

    assert sorted(p.name for p in (datasets_dir / "hateval").iterdir()) == [".lock", "hateval2019_es_train.csv"]
    # A complete answer of the wrong size is refused at once, not asked for again as if it had broken off.
    assert [a.path for a in mirror.answered].count("/espejo/hateval/hateval2019_es_dev.csv") == 1
    assert "no descargado" not in listed(datasets("list"))["hateval"]  # one of two files: shown as incomplete


def test_import_from_a_local_folder_fills_the_training_table(db, datasets_dir):
    output = datasets("import", "hateval", "--from", str(SHARED / "hateval2019_es"))

    assert "hateval2019_es_train.csv: copiado, verificado" in output
    rows = LabeledText.objects.filter(task="discrimination", source="import:hateval2019")
    assert rows.filter(split="train").count() == 4500
    assert rows.filter(split="dev").count() == 500
    assert rows.filter(labels__contains=["discriminatory"]).exists()


def test_import_downloads_first_and_gives_each_file_its_split(db, datasets_dir, mirror, settings):
    settings.DATASETS_MIRROR = f"{mirror.url}/espejo"

    datasets("import", "mexa3t")

    rows = LabeledText.objects.filter(source="import:mexa3t2018")
    assert rows.filter(split="train").count() == 7700
    assert rows.filter(split="dev").count() == 3156
    assert {a.path for a in mirror.answered} == {"/espejo/mexa3t/mexa3t2018_train.tsv", "/espejo/mexa3t/mexa3t2018_dev.tsv"}


@pytest.mark.skipif("import_terms" not in get_commands(), reason="this installation has no import_terms command")
def test_import_of_hurtlex_adds_inactive_dictionary_suggestions(dictionary, datasets_dir, mirror):
    inactive = Term.objects.filter(active=False).count()

    datasets("import", "hurtlex", "--mirror", f"{mirror.url}/espejo")

    assert Term.objects.filter(active=False).count() > inactive
