"""Readers for labelled data sets: each yields `(line, LabeledRow | RecordInvalid)`.

- `hateval`: SemEval-2019 HatEval (`id,text,HS,TR,AG`); `HS` → `discriminatory`.
  Its targets are not in the file, so no category is invented.
- `exist`: EXIST 2021 (`id,text,task1,...`); `sexist` → `discriminatory` + `genero`.
- `legacy`: the original project's weakly labelled tweets (`json_<categoría>.txt`,
  Latin-1 `base_<categoría>.csv`): the category whose term found the tweet,
  marked weak; `json_neutro.txt` gives weak negatives.
- `movies`: the movie-genre CSV (`,year,title,plot,genres,...`); `genres` → labels.
- `csv`: any CSV with a text column and 0/1 label columns.
- `mexa3t`: MEX-A3T 2018 (TSV without header: row, 1/0 aggressive, `a`, text); aggressive
  and using a term of the original COPRED dictionary → `discriminatory` + its categories.
- `offendes`: OffendES (TSV: comment_id, comment, influencer, influencer_gender, media, label);
  `OFG` (offensive to a group) → `discriminatory`.
- `detoxis`: DETOXIS 2021 (CSV); toxic and aimed at a group (target_group, stereotype or
  intolerance) → `discriminatory`.

Aggressive or offensive is not discriminatory: an insult to a person is not an attack on a
group. Each mapping onto `discriminatory` is one function (`*_labels_map`) that says why; the
corpus's own labels stay in `extra`, so a task can map them otherwise later.
"""
from __future__ import annotations

import ast
import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from classifier.label_sets import DISCRIMINATION, DISCRIMINATORY, MOVIE_GENRES
from ingestion.dictionary_seed import TERMS
from ingestion.matching import DictionaryTerm, Matcher
from ingestion.parsing import text_check
from ingestion.records import RecordInvalid
from ingestion.sources.files import FileUnreadable, csv_dict_rows, csv_open, json_array_items, text_open
from ingestion.validation import json_check, string_check

FORMATS = ("hateval", "exist", "legacy", "movies", "csv", "mexa3t", "offendes", "detoxis")
TRUE_VALUES = {"1", "true", "t", "yes", "si", "sí", "y", "x"}
FALSE_VALUES = {"0", "false", "f", "no", "n", ""}


@dataclass(slots=True)
class LabeledRow:
    text: str
    labels: list[str]
    external_id: str
    weak: bool = False
    split: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ImportSpec:
    """What a file is: its format, the task and source its rows go to, and how to read it."""

    path: Path
    fmt: str
    task: str
    source: str
    encoding: str = "utf-8"
    split: str = ""
    text_column: str = "text"
    id_column: str = "id"
    label_columns: tuple[str, ...] = ()


Parsed = tuple[int, LabeledRow | RecordInvalid]
MAX_LABELS = 100


def labeled_row_validate(row: LabeledRow) -> LabeledRow:
    """The row if the training table takes it (the posts' own checks: no NUL, no lone surrogate, column lengths)."""
    string_check(row.external_id, field="id", limit=128)
    string_check(row.split, field="split", limit=16)
    if not isinstance(row.labels, list) or len(row.labels) > MAX_LABELS:
        raise RecordInvalid(f"las etiquetas no son una lista de a lo sumo {MAX_LABELS}")
    for label in row.labels:
        string_check(label, field="etiquetas", limit=64)
    json_check(row.extra, field="extra")
    return row


def _ident(value: Any) -> str:
    ident = string_check(str(value or ""), field="id").strip()
    if not ident:
        raise RecordInvalid("falta el id")
    return ident[:128]


def _flag(value: Any, *, column: str) -> bool:
    cleaned = str(value if value is not None else "").strip().lower()
    if cleaned in TRUE_VALUES:
        return True
    if cleaned in FALSE_VALUES:
        return False
    raise RecordInvalid(f"valor no válido en '{column}': {value!r} (se espera 0/1)")


def _csv_records(spec: ImportSpec, required: set[str]) -> Iterator[tuple[int, dict[str, str] | RecordInvalid]]:
    with text_open(spec.path, spec.encoding) as handle:
        reader, header = csv_open(handle)
        missing = sorted(required - set(header))
        if missing:
            raise FileUnreadable(f"faltan columnas en el CSV: {', '.join(missing)} (tiene: {', '.join(header)})")
        yield from csv_dict_rows(reader, spec.encoding)


def _rows(spec: ImportSpec, required: set[str], build: Any) -> Iterator[Parsed]:
    for line, row in _csv_records(spec, required):
        if isinstance(row, RecordInvalid):
            yield line, row
            continue
        try:
            yield line, labeled_row_validate(build(row))
        except RecordInvalid as error:
            yield line, error


def read_hateval(spec: ImportSpec) -> Iterator[Parsed]:
    def build(row: dict[str, str]) -> LabeledRow:
        hateful = _flag(row["HS"], column="HS")
        extra: dict[str, Any] = {k: _flag(row[k], column=k) for k in ("TR", "AG") if k in row}
        return LabeledRow(text_check(row["text"]), [DISCRIMINATORY] if hateful else [], _ident(row["id"]), split=spec.split, extra=extra)

    yield from _rows(spec, {"id", "text", "HS"}, build)


def read_exist(spec: ImportSpec) -> Iterator[Parsed]:
    def build(row: dict[str, str]) -> LabeledRow:
        verdict = row["task1"].strip().lower()
        if verdict not in {"sexist", "non-sexist"}:
            raise RecordInvalid(f"valor no válido en 'task1': {row['task1']!r} (sexist / non-sexist)")
        labels = [DISCRIMINATORY, "genero"] if verdict == "sexist" else []
        extra = {"sexism_type": row.get("task2", ""), "platform": row.get("source", "")}
        return LabeledRow(text_check(row["text"]), labels, _ident(row["id"]), split=spec.split or "train", extra=extra)

    yield from _rows(spec, {"id", "text", "task1"}, build)


def _legacy_category(path: Path) -> str:
    found = re.fullmatch(r"(?:json|base)_(\w+)\.(?:txt|csv)", path.name.lower())
    if not found:
        raise FileUnreadable("el nombre debe ser json_<categoría>.txt o base_<categoría>.csv")
    return found.group(1)


def read_legacy(spec: ImportSpec) -> Iterator[Parsed]:
    category = _legacy_category(spec.path)
    labels = [] if category == "neutro" else [category]
    if spec.path.suffix.lower() == ".csv":
        yield from _rows(spec, {"id", "text"}, lambda row: LabeledRow(
            text_check(row["text"]), [row.get("motivo") or category] if labels else [], _ident(row["id"]),
            weak=True, extra={"term": row.get("tipo", "")},
        ))
        return
    with text_open(spec.path, spec.encoding, document=True) as handle:
        items = json_array_items(handle, spec.encoding, spec.path)
    for index, item in enumerate(items, start=1):
        try:
            text = text_check(item.get("full_text") if isinstance(item, dict) else None)
            author = item.get("user_id", "")
            string_check(author if isinstance(author, str) else str(author), field="user_id")  # before hashing
            digest = hashlib.sha1(f"{author}\x1f{text}".encode()).hexdigest()[:20]
            yield index, labeled_row_validate(LabeledRow(text, labels, f"dm2020-{digest}", weak=True))
        except RecordInvalid as error:
            yield index, error


def read_movies(spec: ImportSpec) -> Iterator[Parsed]:
    def build(row: dict[str, str]) -> LabeledRow:
        try:
            genres = ast.literal_eval(row["genres"])
        except (ValueError, SyntaxError):
            raise RecordInvalid(f"'genres' no es una lista: {row['genres'][:60]!r}") from None
        if not isinstance(genres, list) or not all(isinstance(g, str) for g in genres):
            raise RecordInvalid("'genres' debe ser una lista de nombres de género")
        extra = {"title": row.get("title", ""), "year": row.get("year", "")}
        return LabeledRow(text_check(row["plot"]), sorted(set(genres)), _ident(row[""]), split=spec.split, extra=extra)

    yield from _rows(spec, {"", "plot", "genres"}, build)


def read_generic_csv(spec: ImportSpec) -> Iterator[Parsed]:
    if not spec.label_columns:
        raise FileUnreadable("indique las columnas de etiquetas con --label-columns")

    def build(row: dict[str, str]) -> LabeledRow:
        labels = [c for c in spec.label_columns if _flag(row[c], column=c)]
        return LabeledRow(text_check(row[spec.text_column]), labels, _ident(row[spec.id_column]), split=spec.split)

    yield from _rows(spec, {spec.text_column, spec.id_column, *spec.label_columns}, build)


def _binary(value: str, *, column: str) -> int:
    """A strict 0/1 annotation: anything else (empty included) is a bad row, not a negative."""
    if value.strip() not in {"0", "1"}:
        raise RecordInvalid(f"valor no válido en '{column}': {value[:20]!r} (se espera 0 o 1)")
    return int(value)


def _tsv_lines(spec: ImportSpec) -> Iterator[tuple[int, str]]:
    """Each non-blank line of a tab-separated file, with its number and without its line ending."""
    with text_open(spec.path, spec.encoding) as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield number, line.rstrip("\r\n")


def _tsv_fields(line: str, *, width: int, free: int, quoted: bool = False) -> list[str]:
    """The `width` fields of a line whose field `free` may hold a tab: split before it and after it.

    `quoted`: the writer quoted a field that held a tab or a quote; it loses its quotes, `""` read as `"`.
    """
    *head, rest = line.split("\t", free)
    tail = rest.rsplit("\t", width - free - 1)
    if len(head) < free or len(tail) < width - free:
        raise RecordInvalid(f"la fila tiene {len(head) + len(tail)} campos; se esperan {width} separados por tabuladores")
    return [_unquote(value) for value in [*head, *tail]] if quoted else [*head, *tail]


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1].replace('""', '"')
    return value


@lru_cache(maxsize=1)
def copred_matcher() -> Matcher:
    """The original COPRED dictionary as written in code (not the admins' current one), so a mapping never drifts."""
    categories: dict[str, set[str]] = {}
    for slug, terms in TERMS.items():
        for term in terms:
            categories.setdefault(term, set()).add(slug)
    return Matcher(DictionaryTerm(term, tuple(sorted(slugs))) for term, slugs in categories.items())


def hostility_of(*, labels: list[str], extra: dict[str, Any]) -> bool:
    """Whether a row's own annotations say it is hostile to anyone, a person or a group: the broader
    target `discriminatory` may learn from too (`classifier.services.training`).

    Hostility is what the corpora agree on, where "discriminatory" differs from one to the next: a
    model of it trained on some corpora ranks another's discriminatory posts better than a model of
    their `discriminatory` (measured leave-one-corpus-out). Per corpus, by its original labels:
    MEX-A3T aggressive; OffendES offensive to a person or a group (`OFP`, `OFG`; expletives alone,
    `NOE`, are not hostile); DETOXIS toxic; HatEval hateful or aggressive (`AG`); any other row
    (EXIST, annotators, a CSV) hostile when it is discriminatory.
    """
    if "aggressive" in extra:
        return bool(extra["aggressive"])
    if "offendes_label" in extra:
        return extra["offendes_label"] in {"OFP", "OFG"}
    if "toxicity" in extra:
        return extra["toxicity"] == 1
    return DISCRIMINATORY in labels or bool(extra.get("AG"))


# Dictionary terms that Mexican tweets mostly use as intensifiers or generic insults ("puto tráfico",
# "hijo de puta"): alone, they do not show that an aggressive tweet attacks a group.
MEXA3T_INTENSIFIERS = frozenset({"puto", "puta"})


def mexa3t_labels_map(*, text: str, aggressive: bool) -> tuple[list[str], dict[str, Any]]:
    """MEX-A3T's aggressive / not onto `discriminatory`, with the rule that applied and the terms found.

    Aggressive is not discriminatory: most aggressive tweets insult a person. An aggressive tweet
    that uses a term of the original COPRED dictionary (a slur aimed at a group: "joto", "naco",
    "feminazi") is discriminatory, in the categories of its terms; an aggressive tweet without one
    is an insult, not an attack on a group, and so is one whose only terms are "puto" or "puta"
    (`MEXA3T_INTENSIFIERS`: 1,329 of the 1,663 aggressive tweets with a term have only these); a tweet that
    is not aggressive is not discriminatory.
    """
    found = copred_matcher().match(text)
    group_terms = [match for match in found.matches if match.term not in MEXA3T_INTENSIFIERS]
    if not aggressive:
        rule, labels = "not-aggressive", []
    elif group_terms:
        categories = sorted({category for match in group_terms for category in match.categories})
        rule, labels = "aggressive+term", [DISCRIMINATORY, *categories]
    elif found.matches:
        rule, labels = "aggressive+intensifier", []
    else:
        rule, labels = "aggressive-no-term", []
    return labels, {"mapping": rule, "terms": found.terms}


def read_mexa3t(spec: ImportSpec) -> Iterator[Parsed]:
    if not spec.split:
        raise FileUnreadable("indique --split (train o dev): el número de fila sólo distingue las filas de una partición")
    for number, line in _tsv_lines(spec):
        try:
            yield number, labeled_row_validate(_mexa3t_row(line, split=spec.split))
        except RecordInvalid as error:
            yield number, error


def _mexa3t_row(line: str, *, split: str) -> LabeledRow:
    """Row number, 1/0 aggressive, the constant `a`, the text (which may hold a tab)."""
    row_number, label, _, text = _tsv_fields(line, width=4, free=3)
    if not re.fullmatch(r"[0-9]{1,18}", row_number.strip()):
        raise RecordInvalid(f"el número de fila no es un entero: {row_number[:20]!r}")
    aggressive = _binary(label, column="agresivo") == 1
    text = text_check(text)
    labels, mapping = mexa3t_labels_map(text=text, aggressive=aggressive)
    # The row number restarts in each split: the split keeps train's row 5 and dev's row 5 apart.
    return LabeledRow(text, labels, f"{split}-{row_number.strip()}", split=split, extra={"aggressive": aggressive, **mapping})


OFFENDES_COLUMNS = ("comment_id", "comment", "influencer", "influencer_gender", "media", "label")
OFFENDES_LABELS = ("OFP", "OFG", "NOE", "NO")


def offendes_labels_map(*, label: str) -> list[str]:
    """OffendES's label onto `discriminatory`: only `OFG`, offensive to a group.

    `OFP` (offensive to a person) is an insult, not an attack on a group; `NOE` (expletives
    without offence) and `NO` (not offensive) are not discriminatory either.
    """
    if label not in OFFENDES_LABELS:
        raise RecordInvalid(f"etiqueta de OffendES desconocida: {label[:20]!r} (OFP, OFG, NOE o NO)")
    return [DISCRIMINATORY] if label == "OFG" else []


def read_offendes(spec: ImportSpec) -> Iterator[Parsed]:
    lines = _tsv_lines(spec)
    first = next(lines, None)
    header = [name.strip() for name in first[1].split("\t")] if first else []
    missing = [name for name in OFFENDES_COLUMNS if name not in header]
    if missing:
        raise FileUnreadable(f"faltan columnas en el TSV: {', '.join(missing)} (tiene: {', '.join(header)})")
    comment = header.index("comment")
    for number, line in lines:
        try:
            row = dict(zip(header, _tsv_fields(line, width=len(header), free=comment, quoted=True), strict=True))
            yield number, labeled_row_validate(_offendes_row(row, split=spec.split))
        except RecordInvalid as error:
            yield number, error


def _offendes_row(row: dict[str, str], *, split: str) -> LabeledRow:
    label = row["label"].strip().upper()
    labels = offendes_labels_map(label=label)
    extra = {"offendes_label": label, **{k: row[k].strip() for k in ("influencer", "influencer_gender", "media")}}
    return LabeledRow(text_check(row["comment"]), labels, _ident(row["comment_id"]), split=split, extra=extra)


DETOXIS_ANNOTATIONS = (
    "argumentation", "constructiveness", "positive_stance", "negative_stance", "target_person", "target_group",
    "stereotype", "sarcasm", "mockery", "insult", "improper_language", "aggressiveness", "intolerance", "toxicity",
)


def detoxis_labels_map(*, annotations: Mapping[str, int]) -> list[str]:
    """DETOXIS's annotations onto `discriminatory`: a toxic comment aimed at a group.

    Toxic and (target_group, stereotype or intolerance): hostility towards immigrants or another
    group. A toxic comment aimed only at a person is an insult, and a stereotype said without
    hostility (not toxic) is not an attack: both are negatives. The `toxicity` flag decides, not
    `toxicity_level` (which three rows of the training file contradict).
    """
    toxic = annotations["toxicity"] == 1
    at_a_group = any(annotations[name] == 1 for name in ("target_group", "stereotype", "intolerance"))
    return [DISCRIMINATORY] if toxic and at_a_group else []


def read_detoxis(spec: ImportSpec) -> Iterator[Parsed]:
    def build(row: dict[str, str]) -> LabeledRow:
        annotations = {name: _binary(row[name], column=name) for name in DETOXIS_ANNOTATIONS}
        if row["toxicity_level"].strip() not in {"0", "1", "2", "3"}:
            raise RecordInvalid(f"valor no válido en 'toxicity_level': {row['toxicity_level'][:20]!r} (se espera 0 a 3)")
        annotations["toxicity_level"] = int(row["toxicity_level"])
        extra = {**annotations, "topic": row["topic"].strip(), "thread_id": row["thread_id"].strip()}
        labels = detoxis_labels_map(annotations=annotations)
        return LabeledRow(text_check(row["comment"]), labels, _ident(row["comment_id"]), split=spec.split, extra=extra)

    yield from _rows(spec, {"topic", "thread_id", "comment_id", "comment", *DETOXIS_ANNOTATIONS, "toxicity_level"}, build)


READERS = {
    "hateval": read_hateval, "exist": read_exist, "legacy": read_legacy,
    "movies": read_movies, "csv": read_generic_csv,
    "mexa3t": read_mexa3t, "offendes": read_offendes, "detoxis": read_detoxis,
}
DEFAULT_TASKS = {
    "hateval": DISCRIMINATION, "exist": DISCRIMINATION, "legacy": DISCRIMINATION, "movies": MOVIE_GENRES,
    "mexa3t": DISCRIMINATION, "offendes": DISCRIMINATION, "detoxis": DISCRIMINATION,
}
DEFAULT_SOURCES = {
    "hateval": "import:hateval2019", "exist": "import:exist2021",
    "legacy": "weak:discriminamometro", "movies": "import:mmimdb-miad",
    "mexa3t": "import:mexa3t2018", "offendes": "import:offendes", "detoxis": "import:detoxis2021",
}
DEFAULT_ENCODINGS = {"legacy": "latin-1"}
