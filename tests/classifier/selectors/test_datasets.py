"""The state of a corpus's local copy (classifier/selectors/datasets.py): verified, missing, half-downloaded, or
present with other bytes than the catalogue's."""
from __future__ import annotations

import hashlib

from classifier.datasets_catalog import Dataset, DatasetFile
from classifier.selectors.datasets import FileState, dataset_status_get

FILES = {name: f"contenido de {name}\n".encode() * 100 for name in ("a.csv", "b.csv", "c.csv", "d.csv")}
TOY = Dataset(
    name="toy", description="", published="", licence="",
    files=tuple(DatasetFile(name, len(data), hashlib.sha256(data).hexdigest()) for name, data in FILES.items()),
)


def test_each_file_is_verified_missing_partial_or_mismatched(tmp_path):
    folder = tmp_path / "toy"
    folder.mkdir()
    (folder / "a.csv").write_bytes(FILES["a.csv"])
    (folder / "b.csv.part").write_bytes(FILES["b.csv"][:100])
    (folder / "d.csv").write_bytes(FILES["d.csv"].replace(b"contenido", b"CONTENIDO"))  # same size, other bytes

    statuses = dataset_status_get(dataset=TOY, directory=tmp_path)

    assert [(s.file.name, s.state) for s in statuses] == [
        ("a.csv", FileState.VERIFIED), ("b.csv", FileState.PARTIAL),
        ("c.csv", FileState.MISSING), ("d.csv", FileState.MISMATCH),
    ]
    assert statuses[1].partial_bytes == 100
