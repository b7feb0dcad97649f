"""Fetching a public corpus into the datasets folder (classifier/services/datasets.py), from a real HTTP server
on 127.0.0.1 with a catalogue entry made for the test: verified files kept, wrong bytes refused and removed,
broken downloads resumed with Range (or restarted when the server ignores it), answers bounded by the
catalogue's size, local copies with `--from`, zipped publications and mirrors."""
from __future__ import annotations

import hashlib
import io
import random
import zipfile
from pathlib import Path

import pytest

from classifier.datasets_catalog import Dataset, DatasetFile
from classifier.services.datasets import DatasetError, FetchOutcome, dataset_fetch
from tests.classifier.file_server import FileServer

TRAIN = "\n".join(f"{n}\ttexto de prueba número {n} {random.Random(n).random()}" for n in range(6000)).encode()
DEV = "\n".join(f"{n}\totro texto {n}" for n in range(500)).encode()


def entry(name: str, data: bytes, url: str = "", **options) -> DatasetFile:
    return DatasetFile(name, len(data), hashlib.sha256(data).hexdigest(), url=url, **options)


def toy(*files: DatasetFile) -> Dataset:
    return Dataset(name="toy", description="corpus de prueba", published="127.0.0.1", licence="CC0", files=files)


@pytest.fixture
def server():
    with FileServer() as running:
        yield running


@pytest.fixture
def published(server) -> Dataset:
    """A two-file corpus published on the local server under names of its own."""
    server.files = {"/pub/train.tsv": TRAIN, "/pub/dev.tsv": DEV}
    return toy(
        entry("toy_train.tsv", TRAIN, f"{server.url}/pub/train.tsv", fmt="csv", split="train"),
        entry("toy_dev.tsv", DEV, f"{server.url}/pub/dev.tsv", fmt="csv", split="dev"),
    )


def folder_contents(tmp_path: Path) -> set[str]:
    return {p.name for p in (tmp_path / "toy").iterdir() if p.name != ".lock"}


def test_a_download_is_verified_and_kept_and_not_fetched_twice(published, server, tmp_path):
    fetched = dataset_fetch(dataset=published, directory=tmp_path)

    assert [f.outcome for f in fetched] == [FetchOutcome.DOWNLOADED, FetchOutcome.DOWNLOADED]
    assert (tmp_path / "toy" / "toy_train.tsv").read_bytes() == TRAIN
    assert (tmp_path / "toy" / "toy_dev.tsv").read_bytes() == DEV
    assert folder_contents(tmp_path) == {"toy_train.tsv", "toy_dev.tsv"}

    again = dataset_fetch(dataset=published, directory=tmp_path)
    assert [f.outcome for f in again] == [FetchOutcome.KEPT, FetchOutcome.KEPT]
    assert len(server.answered) == 2


def test_other_bytes_are_refused_with_both_hashes_and_nothing_is_left(published, server, tmp_path):
    tampered = TRAIN[:-5] + b"XXXXX"
    server.files["/pub/train.tsv"] = tampered

    with pytest.raises(DatasetError) as refused:
        dataset_fetch(dataset=published, directory=tmp_path)

    message = str(refused.value)
    assert published.files[0].sha256 in message
    assert hashlib.sha256(tampered).hexdigest() in message
    assert folder_contents(tmp_path) == set()


def test_a_broken_download_resumes_where_it_stopped(published, server, tmp_path):
    server.cuts = [10_000]

    dataset_fetch(dataset=published, directory=tmp_path)

    assert (tmp_path / "toy" / "toy_train.tsv").read_bytes() == TRAIN
    first, resumed = server.answered[:2]
    assert (first.sent, first.range) == (10_000, None)
    assert (resumed.range, resumed.status) == ("bytes=10000-", 206)
    assert first.sent + resumed.sent == len(TRAIN)  # nothing downloaded twice


def test_a_server_that_ignores_range_is_read_again_from_the_start(published, server, tmp_path):
    server.honour_range = False
    server.cuts = [10_000]

    dataset_fetch(dataset=published, directory=tmp_path)

    assert (tmp_path / "toy" / "toy_train.tsv").read_bytes() == TRAIN
    resumed = server.answered[1]
    assert (resumed.range, resumed.status, resumed.sent) == ("bytes=10000-", 200, len(TRAIN))


def test_a_download_that_keeps_breaking_is_kept_for_the_next_run(published, server, tmp_path):
    server.cuts = [1000, 1000, 1000]

    with pytest.raises(DatasetError, match="3000 bytes"):
        dataset_fetch(dataset=published, directory=tmp_path)
    assert (tmp_path / "toy" / "toy_train.tsv.part").read_bytes() == TRAIN[:3000]

    dataset_fetch(dataset=published, directory=tmp_path)
    assert server.answered[3].range == "bytes=3000-"
    assert (tmp_path / "toy" / "toy_train.tsv").read_bytes() == TRAIN
    assert folder_contents(tmp_path) == {"toy_train.tsv", "toy_dev.tsv"}


@pytest.mark.parametrize("send_length", [True, False], ids=["announced", "unannounced"])
def test_an_answer_larger_than_the_catalogue_says_is_cut_off(published, server, tmp_path, send_length):
    server.files["/pub/dev.tsv"] = DEV + b"x" * 5_000_000
    server.send_length = send_length

    written = {}

    def progress(file, done, total):
        written[file.name] = max(done, written.get(file.name, 0))

    with pytest.raises(DatasetError, match=f"{len(DEV)} bytes"):
        dataset_fetch(dataset=published, directory=tmp_path, on_progress=progress)

    assert written.get("toy_dev.tsv", 0) <= len(DEV)  # never more on disk than the catalogue's size, even for a moment
    assert folder_contents(tmp_path) == {"toy_train.tsv"}  # the good file stays; the bad one left nothing
    assert "/pub/dev.tsv" in {answer.path for answer in server.answered}  # asked for, whatever the order of the answers


def test_from_a_local_folder_copies_by_published_name_or_by_size(published, server, tmp_path):
    source = tmp_path / "copias"
    source.mkdir()
    (source / "train.tsv").write_bytes(TRAIN)  # its name where it is published
    (source / "renombrado.tsv").write_bytes(DEV)  # another name, the same size
    (source / "otro.txt").write_bytes(b"nada")

    fetched = dataset_fetch(dataset=published, directory=tmp_path, source=source)

    assert [f.outcome for f in fetched] == [FetchOutcome.COPIED, FetchOutcome.COPIED]
    assert (tmp_path / "toy" / "toy_dev.tsv").read_bytes() == DEV
    assert server.answered == []


def test_from_a_folder_without_a_file_names_it(published, tmp_path):
    source = tmp_path / "copias"
    source.mkdir()
    (source / "toy_train.tsv").write_bytes(TRAIN)

    with pytest.raises(DatasetError, match="toy_dev.tsv"):
        dataset_fetch(dataset=published, directory=tmp_path, source=source)
    assert folder_contents(tmp_path) == {"toy_train.tsv"}


def test_a_corpus_given_on_request_only_says_to_use_from(tmp_path):
    on_request = Dataset(
        name="toy", description="", published="", licence="", on_request="los organizadores lo entregan",
        files=(entry("toy_train.tsv", TRAIN),),
    )
    with pytest.raises(DatasetError, match="--from"):
        dataset_fetch(dataset=on_request, directory=tmp_path)

    copy = tmp_path / "lo_que_me_enviaron.csv"
    copy.write_bytes(TRAIN)
    dataset_fetch(dataset=on_request, directory=tmp_path, source=copy)
    assert (tmp_path / "toy" / "toy_train.tsv").read_bytes() == TRAIN


def test_a_zipped_publication_is_unpacked_and_the_zip_removed(server, tmp_path):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("toy_train.tsv", TRAIN)
    server.files["/pub/train.zip"] = archive.getvalue()
    zipped = toy(entry("toy_train.tsv", TRAIN, f"{server.url}/pub/train.zip", zipped=True))

    dataset_fetch(dataset=zipped, directory=tmp_path)

    assert (tmp_path / "toy" / "toy_train.tsv").read_bytes() == TRAIN
    assert folder_contents(tmp_path) == {"toy_train.tsv"}


def test_a_mirror_is_asked_for_corpus_and_file_name(published, server, tmp_path):
    server.files = {"/espejo/toy/toy_train.tsv": TRAIN, "/espejo/toy/toy_dev.tsv": DEV}

    dataset_fetch(dataset=published, directory=tmp_path, mirror=f"{server.url}/espejo/")

    assert [a.path for a in server.answered] == ["/espejo/toy/toy_train.tsv", "/espejo/toy/toy_dev.tsv"]
    assert (tmp_path / "toy" / "toy_train.tsv").read_bytes() == TRAIN
