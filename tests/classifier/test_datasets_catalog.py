"""The catalogue of public corpora (classifier/datasets_catalog.py) against the copies the project was developed
with: every file's size and SHA-256 are those of the shared reference data, and every file imports with a format
this installation has."""
from __future__ import annotations

import hashlib

import pytest

from classifier.datasets_catalog import CATALOG, TERMS_FORMATS
from classifier.importers import FORMATS
from tests.shared_data import SHARED, needs_shared

FOLDERS = {
    "hateval": "hateval2019_es", "exist": "exist2021_es", "mexa3t": "mexa3t2018", "offendes": "offendes",
    "detoxis": "detoxis2021", "hurtlex": "hurtlex_es", "movies": "movies",
}


@needs_shared
@pytest.mark.parametrize("name", sorted(CATALOG))
def test_sizes_and_hashes_are_those_of_the_reference_copies(name):
    for file in CATALOG[name].files:
        data = (SHARED / FOLDERS[name] / file.name).read_bytes()
        assert (file.size, file.sha256) == (len(data), hashlib.sha256(data).hexdigest()), file.name


def test_every_corpus_can_be_had_and_every_labelled_file_has_a_format():
    for dataset in CATALOG.values():
        for file in dataset.files:
            assert file.url.startswith("https://raw.githubusercontent.com/") or dataset.on_request, file.name
            assert not file.fmt or file.fmt in FORMATS or file.fmt in TERMS_FORMATS, file.fmt
    assert [f.name for f in CATALOG["movies"].files if not f.fmt] == ["dataTesting.csv"]  # its genres are on Kaggle only
