"""Writes of the local copies of the public corpora (`classifier/datasets_catalog.py`): each file fetched into
the datasets folder from where it is published, from an organisation's mirror (`MIRROR/<corpus>/<file>`) or
from a local copy, and kept only when its SHA-256 is the catalogue's.

A file is written to `<file>.part` and moved into place only once verified; a part whose hash is wrong is
deleted. A download that breaks off is retried a bounded number of times from where it stopped, with an HTTP
Range request; a server that answers with the whole file instead (200) is read from the start. What is left
after the last attempt stays, and the next fetch resumes it. No answer is read past the catalogue's size, so
a broken or hostile server cannot fill the disk.
"""
from __future__ import annotations

import fcntl
import os
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from http.client import HTTPException, HTTPResponse
from pathlib import Path, PurePosixPath
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlparse
from urllib.request import Request, urlopen

from django.utils.translation import gettext as _

from classifier.datasets_catalog import Dataset, DatasetFile
from classifier.selectors.datasets import datasets_dir_get, file_sha256, file_verified, part_paths

ATTEMPTS = 3
RETRY_DELAYS_SECONDS = (1.0, 2.0)  # before the second and the third attempt
TIMEOUT_SECONDS = 30  # for the connection and for each read
CHUNK_BYTES = 64 * 1024
ZIP_OVERHEAD_BYTES = 1024 * 1024  # a zip of text is smaller than its file; stored uncompressed it adds headers
USER_AGENT = "discriminamometro-datasets"

# Called after each chunk with the file, the bytes it has so far and the total when it is known.
Progress = Callable[[DatasetFile, int, int | None], None]


class DatasetError(Exception):
    """A fetch that cannot go on; the message says why and what to do."""


class _DownloadBroken(Exception):
    """The transfer stopped part-way: what arrived is kept and the next attempt resumes from it."""


class FetchOutcome(StrEnum):
    KEPT = "kept"  # already there and verified
    DOWNLOADED = "downloaded"
    COPIED = "copied"


@dataclass(frozen=True, slots=True)
class FetchedFile:
    file: DatasetFile
    path: Path
    outcome: FetchOutcome


def dataset_fetch(
    *, dataset: Dataset, directory: Path | None = None, mirror: str = "", source: Path | None = None,
    on_progress: Progress | None = None,
) -> list[FetchedFile]:
    """Every file of the corpus verified in the datasets folder, fetched where it is missing or has other bytes:
    copied from `source` (a file or a folder) when given, else downloaded from `mirror` or where it is published."""
    folder = (directory or datasets_dir_get()) / dataset.name
    folder.mkdir(parents=True, exist_ok=True)
    local = _local_copies(dataset=dataset, source=source) if source is not None else {}
    fetched: list[FetchedFile] = []
    missing: list[str] = []
    with _folder_lock(folder=folder, dataset=dataset):
        for file in dataset.files:
            path = folder / file.name
            if file_verified(path=path, file=file):
                fetched.append(FetchedFile(file, path, FetchOutcome.KEPT))
            elif source is None:
                _file_download(dataset=dataset, file=file, path=path, mirror=mirror, on_progress=on_progress)
                fetched.append(FetchedFile(file, path, FetchOutcome.DOWNLOADED))
            elif file.name in local:
                _file_copy(file=file, origin=local[file.name], path=path, on_progress=on_progress)
                fetched.append(FetchedFile(file, path, FetchOutcome.COPIED))
            else:
                missing.append(file.name)
    if missing:
        raise DatasetError(_("%(source)s no tiene %(files)s (se buscan por nombre y por tamaño).") % {
            "source": source, "files": ", ".join(missing),
        })
    return fetched


@contextmanager
def _folder_lock(*, folder: Path, dataset: Dataset) -> Iterator[None]:
    # Two fetches of one corpus at once (two terminals, a scheduled job) would append to the same `.part`.
    with (folder / ".lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatasetError(_("Otra descarga de %(name)s está en curso.") % {"name": dataset.name}) from None
        yield


def _local_copies(*, dataset: Dataset, source: Path) -> dict[str, Path]:
    """The local file that stands for each file of the corpus: found by its name (here or where it is
    published), else by its size. A lone file given for a one-file corpus is taken whatever its name."""
    if not source.exists():
        raise DatasetError(_("%(source)s no existe.") % {"source": source})
    if source.is_file() and len(dataset.files) == 1:
        return {dataset.files[0].name: source}
    entries = [source] if source.is_file() else sorted(p for p in source.iterdir() if p.is_file())
    found = {}
    for file in dataset.files:
        names = {file.name, file.upstream_name} - {""}
        matches = [p for p in entries if p.name in names] or [p for p in entries if p.stat().st_size == file.size]
        if matches:
            found[file.name] = matches[0]
    return found


def _file_copy(*, file: DatasetFile, origin: Path, path: Path, on_progress: Progress | None) -> None:
    part = part_paths(path=path)[0]
    with origin.open("rb") as handle:
        _stream(read=handle.read, part=part, append=False, done=0, limit=file.size, file=file,
                total=file.size, on_progress=on_progress, origin=str(origin))
    _part_keep(part=part, file=file, path=path, origin=str(origin))


def _file_download(
    *, dataset: Dataset, file: DatasetFile, path: Path, mirror: str, on_progress: Progress | None
) -> None:
    url, zipped = _source_url(dataset=dataset, file=file, mirror=mirror)
    part, zip_part = part_paths(path=path)
    target = zip_part if zipped else part
    limit = file.size + ZIP_OVERHEAD_BYTES if zipped else file.size
    reasons = []
    for attempt in range(ATTEMPTS):
        if attempt:
            time.sleep(RETRY_DELAYS_SECONDS[attempt - 1])
        try:
            _download(url=url, part=target, limit=limit, exact=not zipped, file=file, on_progress=on_progress)
            break
        except _DownloadBroken as error:
            reasons.append(str(error))
    else:
        kept = target.stat().st_size if target.exists() else 0
        if not kept:
            raise DatasetError(_("%(url)s: no se pudo descargar tras %(attempts)d intentos (%(reason)s).") % {
                "url": url, "attempts": ATTEMPTS, "reason": reasons[-1]})
        raise DatasetError(_(
            "%(url)s: la descarga se interrumpió %(attempts)d veces (%(reason)s). Se guardaron %(kept)d bytes en "
            "%(part)s; vuelva a ejecutar el comando para continuar desde ahí."
        ) % {"url": url, "attempts": ATTEMPTS, "reason": reasons[-1], "kept": kept, "part": target})
    if zipped:
        _member_extract(archive=zip_part, file=file, part=part, url=url)
    _part_keep(part=part, file=file, path=path, origin=url)


def _source_url(*, dataset: Dataset, file: DatasetFile, mirror: str) -> tuple[str, bool]:
    """Where to download the file from, and whether that answer is a zip holding it (a mirror keeps files as is)."""
    if mirror:
        if urlparse(mirror).scheme not in {"http", "https"}:
            raise DatasetError(_("El espejo debe ser una URL http:// o https://: %(mirror)s") % {"mirror": mirror})
        return f"{mirror.rstrip('/')}/{quote(dataset.name)}/{quote(file.name)}", False
    if not file.url:
        raise DatasetError(_(
            "%(name)s no se puede descargar: %(who)s. Cuando tenga los archivos, use --from RUTA "
            "(el archivo o la carpeta que los contiene)."
        ) % {"name": dataset.name, "who": _(dataset.on_request)})
    return file.url, file.zipped


def _download(
    *, url: str, part: Path, limit: int, exact: bool, file: DatasetFile, on_progress: Progress | None
) -> None:
    """Appends to `part` what the server still has to send; `exact` when the file must end at `limit` bytes."""
    have = part.stat().st_size if part.exists() else 0
    if have > limit:
        part.unlink()
        have = 0
    if exact and have == limit:
        return  # a run that stopped before verifying it: the hash check judges it
    headers = {"User-Agent": USER_AGENT, **({"Range": f"bytes={have}-"} if have else {})}
    try:
        response = urlopen(Request(url, headers=headers), timeout=TIMEOUT_SECONDS)
    except HTTPError as error:
        if error.code == 416 and have:
            return  # nothing past what is there: the hash check judges it
        if error.code >= 500:
            raise _DownloadBroken(f"HTTP {error.code}") from None
        raise DatasetError(_("%(url)s: el servidor respondió %(code)d %(reason)s.") % {
            "url": url, "code": error.code, "reason": error.reason,
        }) from None
    except (URLError, OSError, HTTPException) as error:
        raise _DownloadBroken(str(getattr(error, "reason", error))) from None
    try:
        with response:
            _response_read(response=response, url=url, part=part, have=have, limit=limit, exact=exact,
                           file=file, on_progress=on_progress)
    except (OSError, HTTPException) as error:
        raise _DownloadBroken(str(error) or type(error).__name__) from None


def _response_read(
    *, response: HTTPResponse, url: str, part: Path, have: int, limit: int, exact: bool, file: DatasetFile,
    on_progress: Progress | None,
) -> None:
    if have and _range_start(response) != have:
        if response.status == 206:
            raise _DownloadBroken(_("el servidor envió otro tramo del archivo"))
        have = 0  # the server ignored the Range and sends the whole file: start cleanly
    length = response.headers.get("Content-Length")
    expected = have + int(length) if length and length.isdigit() else None
    if expected is not None and expected > limit:
        part.unlink(missing_ok=True)
        raise DatasetError(_("%(url)s anuncia %(size)d bytes, más que los %(limit)d del catálogo; no se descargó.")
                           % {"url": url, "size": expected, "limit": limit})
    total = limit if exact else expected
    done = _stream(read=response.read, part=part, append=bool(have), done=have, limit=limit, file=file,
                   total=total, on_progress=on_progress, origin=url)
    # Short of what the server announced: the connection broke. Short of the catalogue's size with nothing
    # announced: maybe broke, so asked again from there; an answer that adds nothing means the file ended.
    # A complete answer of the wrong size is not retried: the hash check refuses it.
    short = done < expected if expected is not None else exact and have < done < limit
    if short:
        raise _DownloadBroken(_("la conexión se cerró tras %(done)d de %(total)d bytes") % {
            "done": done, "total": expected or limit,
        })


def _range_start(response: HTTPResponse) -> int | None:
    """Where a 206 answer starts (`Content-Range: bytes START-END/TOTAL`); None for any other answer."""
    if response.status != 206:
        return None
    unit, _sep, spec = (response.headers.get("Content-Range") or "").partition(" ")
    start = spec.partition("-")[0]
    return int(start) if unit == "bytes" and start.isdigit() else None


def _stream(
    *, read: Callable[[int], bytes], part: Path, append: bool, done: int, limit: int, file: DatasetFile,
    total: int | None, on_progress: Progress | None, origin: str,
) -> int:
    """Copies chunks from `read` into `part` until the source ends; refused (and `part` deleted) past `limit`."""
    with part.open("ab" if append else "wb") as target:
        while chunk := read(CHUNK_BYTES):
            done += len(chunk)
            if done > limit:
                break
            target.write(chunk)
            if on_progress:
                on_progress(file, done, total)
    if done > limit:
        part.unlink(missing_ok=True)
        raise DatasetError(_("%(origin)s: más de %(limit)d bytes, más que el archivo del catálogo; se descartó.")
                           % {"origin": origin, "limit": limit})
    return done


def _member_extract(*, archive: Path, file: DatasetFile, part: Path, url: str) -> None:
    """The file taken out of the downloaded zip (read at most to its catalogue size); the zip is then deleted."""
    try:
        with zipfile.ZipFile(archive) as bundle:
            info = next((i for i in bundle.infolist() if PurePosixPath(i.filename).name == file.name), None)
            if info is None:
                raise DatasetError(_("%(url)s no contiene %(name)s; contiene: %(names)s.") % {
                    "url": url, "name": file.name, "names": ", ".join(bundle.namelist()[:10]),
                })
            with bundle.open(info) as member:
                _stream(read=member.read, part=part, append=False, done=0, limit=file.size, file=file,
                        total=file.size, on_progress=None, origin=f"{url}: {file.name}")
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
        part.unlink(missing_ok=True)
        raise DatasetError(_("%(url)s no es un zip legible (%(error)s); se descartó.") % {
            "url": url, "error": error,
        }) from None
    finally:
        archive.unlink(missing_ok=True)


def _part_keep(*, part: Path, file: DatasetFile, path: Path, origin: str) -> None:
    """The verified part moved into place; one with other bytes than the catalogue's deleted, with both hashes."""
    actual = file_sha256(path=part)
    if actual != file.sha256:
        size = part.stat().st_size
        part.unlink()
        raise DatasetError(_(
            "%(origin)s: %(name)s no es el archivo del catálogo y se borró.\n"
            "  SHA-256 esperado: %(expected)s (%(size)d bytes)\n"
            "  SHA-256 obtenido: %(actual)s (%(got)d bytes)"
        ) % {"origin": origin, "name": file.name, "expected": file.sha256, "size": file.size,
             "actual": actual, "got": size})
    os.replace(part, path)
