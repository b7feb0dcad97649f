"""Read posts from files: X API v2 JSON lines, CSV, and the original project's files.

Readers stream the file and yield `(line_number, TweetRecord | RecordInvalid)`,
so one bad line is reported with its number and every good line is kept. Bytes
that are not valid in the file's encoding are caught per line, not per file.

Reading is bounded while it happens, not checked after: a line is read at most
`MAX_LINE_BYTES` at a time (the rest of a longer one is skipped, not kept), and a
gzipped file stops with `FileUnreadable` once its decompressed bytes pass
`decompressed_limit` (a compression bomb), so memory stays flat whatever the file.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import orjson
from django.conf import settings

from ..parsing import csv_columns_resolve, csv_row_parse, legacy_csv_parse, legacy_json_parse, v2_page_parse
from ..records import RecordInvalid, TweetRecord
from ..v2_plain import page_clean

FORMATS = ("xapi", "csv", "legacy-json", "legacy-csv")
FORMAT_HELP = {
    "xapi": "JSON lines: one X API v2 response page (data/includes) or one v2 tweet per line",
    "csv": "CSV with a header: id, text and optional created_at, lang, username, location, …",
    "legacy-json": "the original project's json_<category>.txt (one JSON array)",
    "legacy-csv": "the original project's base_<category>.csv (Latin-1)",
}
# A JSON array is read whole; beyond this size the file should be JSON lines.
MAX_JSON_ARRAY_BYTES = 256 * 1024 * 1024
# A gzipped file may inflate to this many times its size (JSON posts: about 7), and never past
# INGESTION["MAX_DECOMPRESSED_BYTES"]; the floor keeps small files of repeated rows readable.
MAX_GZIP_RATIO = 100
MIN_DECOMPRESSED_CAP = 64 * 1024 * 1024
CHUNK_BYTES = 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"
_SURROGATE_RE = re.compile("[\udc80-\udcff]")

Parsed = tuple[int, TweetRecord | RecordInvalid]


class FileUnreadable(Exception):
    """The file cannot be read (missing, empty, not the format, a broken gzip: nothing was imported),
    or its reading stopped at a limit (a line past MAX_LINE_BYTES in a CSV, a compression bomb:
    the batches read before it are kept)."""


def file_format_detect(path: Path) -> str:
    name = path.name.lower().removesuffix(".gz")
    if re.fullmatch(r"json_\w+\.txt", name):
        return "legacy-json"
    if re.fullmatch(r"base_\w+\.csv", name):
        return "legacy-csv"
    if name.endswith(".csv"):
        return "csv"
    if name.endswith((".jsonl", ".ndjson", ".json", ".txt")):
        return "xapi"
    raise FileUnreadable(f"no se reconoce el formato de {path.name}; indique --format ({', '.join(FORMATS)})")


def default_encoding(fmt: str) -> str:
    return "latin-1" if fmt == "legacy-csv" else "utf-8"


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB"


def decompressed_limit(compressed_size: int) -> int:
    """How many bytes a gzipped file of this size may inflate to before it is refused."""
    absolute = settings.INGESTION["MAX_DECOMPRESSED_BYTES"]
    return min(absolute, max(MIN_DECOMPRESSED_CAP, compressed_size * MAX_GZIP_RATIO))


class BoundedStream(io.RawIOBase):
    """A binary stream that stops at `max_total` bytes, and (for text) at a line longer than `max_line`.

    Both limits are checked on every chunk as it is read, so the bytes past a
    limit are never held; a damaged gzip stream becomes `FileUnreadable` too.
    """

    def __init__(self, inner: IO[bytes], *, name: str, max_total: int | None, max_line: int | None):
        self._inner, self._name = inner, name
        self._max_total, self._max_line = max_total, max_line
        self._total = 0
        self._since_newline = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            data = self._inner.read(len(buffer))
        except (OSError, EOFError, zlib.error) as error:
            raise FileUnreadable(f"{self._name} está dañado o no es un gzip válido ({error})") from None
        size = len(data)
        self._total += size
        if self._max_total is not None and self._total > self._max_total:
            raise FileUnreadable(
                f"{self._name} descomprimido supera el límite de {_megabytes(self._max_total)} "
                f"(a lo sumo {MAX_GZIP_RATIO} veces su tamaño comprimido); "
                "¿es una bomba de compresión? Se detuvo la lectura"
            )
        if self._max_line is not None:
            last = data.rfind(b"\n")
            self._since_newline = size - last - 1 if last >= 0 else self._since_newline + size
            if self._since_newline > self._max_line:
                raise FileUnreadable(
                    f"{self._name} tiene una línea de más de {_megabytes(self._max_line)} "
                    "(límite INGESTION_MAX_LINE_BYTES); se detuvo la lectura"
                )
        buffer[:size] = data
        return size

    def close(self) -> None:
        self._inner.close()
        super().close()


def _open_binary(raw: IO[bytes], path: Path, *, max_line: int | None = None, max_total: int | None = None) -> IO[bytes]:
    """The file's bytes, decompressed if gzipped, read within the limits."""
    if path.suffix != ".gz":
        if max_line is None:
            return raw
        inner: IO[bytes] = raw
    else:
        inner = gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[assignment]
        cap = decompressed_limit(path.stat().st_size)
        max_total = cap if max_total is None else min(max_total, cap)
    stream = BoundedStream(inner, name=path.name, max_total=max_total, max_line=max_line)
    return io.BufferedReader(stream, buffer_size=CHUNK_BYTES)


def _open_text(raw: IO[bytes], path: Path, encoding: str, *, document: bool = False) -> IO[str]:
    """Lines of text (a single document, e.g. a JSON array, when `document`: no line limit, the array's cap)."""
    limits = {"max_total": MAX_JSON_ARRAY_BYTES} if document else {"max_line": settings.INGESTION["MAX_LINE_BYTES"]}
    # surrogateescape keeps undecodable bytes as markers, so each bad line can be
    # reported on its own instead of the decoder stopping the whole file.
    return io.TextIOWrapper(_open_binary(raw, path, **limits), encoding=encoding, errors="surrogateescape", newline="")


def _encoding_error(encoding: str) -> RecordInvalid:
    other = "latin-1" if encoding.lower().replace("_", "-") in {"utf-8", "utf8"} else "utf-8"
    return RecordInvalid(f"bytes no válidos en {encoding}; ¿el archivo está en otra codificación? (pruebe --encoding {other})")


def file_check(path: Path) -> None:
    if not path.exists():
        raise FileUnreadable(f"no existe el archivo {path}")
    if not path.is_file():
        raise FileUnreadable(f"{path} no es un archivo")
    if path.stat().st_size == 0:
        raise FileUnreadable(f"el archivo {path.name} está vacío")
    if path.suffix == ".gz":
        with path.open("rb") as handle:
            if handle.read(2) != GZIP_MAGIC:
                raise FileUnreadable(f"{path.name} no es un archivo gzip válido (termina en .gz pero no lo es)")


def read_xapi(binary: IO[bytes], encoding: str) -> Iterator[Parsed]:
    """JSON lines read as bytes: orjson parses UTF-8 directly, with no text decoding step."""
    limit = settings.INGESTION["MAX_LINE_BYTES"]
    utf8 = encoding.lower().replace("_", "-") in {"utf-8", "utf8"}
    # readline(limit + 1): a longer line is never held whole, only seen to be too long.
    for number, line in enumerate(iter(lambda: binary.readline(limit + 1), b""), start=1):
        if len(line) > limit:
            skipped = _line_skip(binary)
            yield number, RecordInvalid(f"la línea mide {len(line) + skipped} bytes, más que el límite de {limit}")
        elif line.strip():
            yield from _xapi_line(number, line, encoding=None if utf8 else encoding)


def _line_skip(binary: IO[bytes]) -> int:
    """Read past the rest of the current line a chunk at a time; how many bytes were skipped."""
    skipped = 0
    while True:
        chunk = binary.readline(CHUNK_BYTES)
        skipped += len(chunk)
        if not chunk or chunk.endswith(b"\n"):
            return skipped


def _xapi_line(number: int, line: bytes, *, encoding: str | None) -> Iterator[Parsed]:
    try:
        page = orjson.loads(line if encoding is None else line.decode(encoding))
    except (orjson.JSONDecodeError, UnicodeDecodeError) as error:
        yield number, _json_error(line, encoding or "utf-8", error)
        return
    for item in v2_page_parse(page, clean=page_clean(line)):
        yield number, item


def _json_error(line: bytes, encoding: str, error: Exception) -> RecordInvalid:
    try:
        line.decode(encoding)
    except UnicodeDecodeError:
        return _encoding_error(encoding)
    detail = error.args[0] if error.args else error
    return RecordInvalid(f"JSON mal formado ({detail})")


def csv_open(handle: IO[str]) -> tuple[csv.DictReader, list[str]]:
    """A dict reader over a CSV with a header, and the header; refuses a file without one."""
    csv.field_size_limit(settings.INGESTION["MAX_LINE_BYTES"])
    reader = csv.DictReader(handle)
    try:
        header = [name.strip() for name in reader.fieldnames or []]
    except csv.Error as error:
        raise FileUnreadable(f"el encabezado del CSV no se puede leer: {error}") from None
    if not header:
        raise FileUnreadable("el CSV no tiene encabezado")
    reader.fieldnames = header  # rows keyed by the trimmed names
    return reader, header


def csv_dict_rows(reader: csv.DictReader, encoding: str) -> Iterator[tuple[int, dict[str, str] | RecordInvalid]]:
    """Each row with the line it ends on; malformed rows and undecodable bytes become errors."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield reader.line_num, RecordInvalid(f"CSV mal formado: {error}")
            continue
        if None in row:
            yield reader.line_num, RecordInvalid("la fila tiene más columnas que el encabezado")
        elif any(isinstance(v, str) and _SURROGATE_RE.search(v) for v in row.values()):
            yield reader.line_num, _encoding_error(encoding)
        else:
            yield reader.line_num, row


def read_csv(handle: IO[str], encoding: str, *, legacy: bool) -> Iterator[Parsed]:
    reader, header = csv_open(handle)
    try:
        columns = {} if legacy else csv_columns_resolve(header)
    except RecordInvalid as error:
        raise FileUnreadable(str(error)) from None
    if legacy and not {"text", "id"} <= set(header):
        raise FileUnreadable("no es un archivo base_<categoría>.csv: faltan las columnas text e id")
    for line, row in csv_dict_rows(reader, encoding):
        if isinstance(row, RecordInvalid):
            yield line, row
            continue
        try:
            yield line, legacy_csv_parse(row) if legacy else csv_row_parse(row, columns=columns)
        except RecordInvalid as error:
            yield line, error


def json_array_items(handle: IO[str], encoding: str, path: Path) -> list[Any]:
    """The items of a file holding one JSON array (read whole, so size-capped)."""
    if path.stat().st_size > MAX_JSON_ARRAY_BYTES:
        raise FileUnreadable("el arreglo JSON es demasiado grande; conviértalo a JSON lines")
    text = handle.read()  # at most MAX_JSON_ARRAY_BYTES decompressed: the stream is bounded (text_open)
    if _SURROGATE_RE.search(text):
        raise FileUnreadable(str(_encoding_error(encoding)))
    try:
        items: Any = json.loads(text)
    except json.JSONDecodeError as error:
        raise FileUnreadable(f"JSON mal formado en la línea {error.lineno}: {error.msg}") from None
    except (ValueError, RecursionError) as error:  # a number of 5,000 digits, arrays nested 10,000 deep
        raise FileUnreadable(f"JSON no admitido: {str(error)[:120]}") from None
    if not isinstance(items, list):
        raise FileUnreadable("se esperaba un arreglo JSON")
    return items


def read_legacy_json(handle: IO[str], encoding: str, path: Path) -> Iterator[Parsed]:
    for index, item in enumerate(json_array_items(handle, encoding, path), start=1):
        try:
            yield index, legacy_json_parse(item)
        except RecordInvalid as error:
            yield index, error


def text_open(path: Path, encoding: str, *, document: bool = False) -> IO[str]:
    """A file (gzipped or not) as text whose undecodable bytes are kept as markers, read within the limits."""
    file_check(path)
    raw = open(path, "rb")  # noqa: SIM115 (the caller closes it)
    try:
        return _open_text(raw, path, encoding, document=document)
    except BaseException:
        raw.close()
        raise


class FileReader:
    """Streams a file's records; `position` is how many bytes of the file were read."""

    def __init__(self, *, path: Path, fmt: str, encoding: str):
        file_check(path)
        if fmt not in FORMATS:
            raise FileUnreadable(f"formato desconocido: {fmt} (use {', '.join(FORMATS)})")
        self.path, self.fmt, self.encoding = path, fmt, encoding
        self.size = path.stat().st_size
        self._raw: IO[bytes] = open(path, "rb")  # noqa: SIM115 (closed by records())

    def position(self) -> int:
        return self._raw.tell() if not self._raw.closed else self.size

    def records(self) -> Iterator[Parsed]:
        """Every record with its line number (its position, for JSON arrays)."""
        if self.fmt == "xapi":
            with self._raw, _open_binary(self._raw, self.path) as binary:
                yield from read_xapi(binary, self.encoding)
            return
        with self._raw, _open_text(self._raw, self.path, self.encoding, document=self.fmt == "legacy-json") as handle:
            if self.fmt == "legacy-json":
                yield from read_legacy_json(handle, self.encoding, self.path)
            else:
                yield from read_csv(handle, self.encoding, legacy=self.fmt == "legacy-csv")
