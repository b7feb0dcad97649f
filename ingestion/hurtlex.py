"""HurtLex ES 1.2 read as suggestions for the dictionary: its categories mapped onto COPRED's, and its file's reader.

HurtLex (Bassignana, Basile and Patti 2018) is a lexicon of hurtful words in 17 categories,
translated semi-automatically from Italian: `lexica/ES/1.2/hurtlex_ES.tsv`, tab-separated with
the header `id, pos, category, stereotype, lemma, level`, `level` being `conservative` (checked
by hand) or `inclusive` (wider, noisier). `CATEGORIES` below is the one table that says which of
its categories suggest terms for which COPRED category, and why; the writes are in
`ingestion/services/suggestions.py`.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _

HEADER = ("id", "pos", "category", "stereotype", "lemma", "level")
LEVELS = ("conservative", "inclusive")
# The rows each `--level` takes: `inclusive` adds the noisier rows to the checked ones.
LEVEL_ROWS: dict[str, frozenset[str]] = {
    "conservative": frozenset({"conservative"}),
    "inclusive": frozenset({"conservative", "inclusive"}),
}
MAX_LEMMA_CHARS = 120  # Term.text's column
# Six short columns: a longer line is not HurtLex, and is never held whole.
MAX_LINE_BYTES = 4096


@dataclass(frozen=True, slots=True)
class HurtlexCategory:
    code: str
    name: str  # in Spanish, as the terms' notes show it
    slug: str | None  # the COPRED category its words are suggested for; None: not imported
    reason: str


CATEGORIES: tuple[HurtlexCategory, ...] = (
    HurtlexCategory(
        "om", "homosexualidad", "orientacion",
        "slurs for gay people ('joto', 'puto', 'maricón' are in the original dictionary's orientacion)",
    ),
    HurtlexCategory(
        "ddf", "discapacidades físicas", "discapacidad",
        "physical disability and difference ('enano', 'cojo'); the original files 'ciego', 'cojo' there",
    ),
    HurtlexCategory(
        "ddp", "discapacidades cognitivas", "discapacidad",
        "intellectual disability used as an insult ('retrasado', 'mongoloide', 'subnormal')",
    ),
    HurtlexCategory(
        "ps", "insultos étnicos", "apariencia",
        "COPRED's apariencia covers skin colour and ethnic origin: the original dictionary files "
        "'pinche indio' and 'pinche negro' under it",
    ),
    HurtlexCategory(
        "asf", "genitales femeninos", "genero",
        "words for women's bodies used to demean women ('panocha', 'coño'): misogyny is genero",
    ),
    HurtlexCategory(
        "pr", "prostitución", "genero",
        "slut-shaming aimed at women ('zorra', 'mujer fácil'); the original files 'puta' under genero",
    ),
    # No COPRED group: none of these names who a text is about.
    HurtlexCategory("asm", "genitales masculinos", None, "mostly swearing and generic insults ('joder', 'cojones')"),
    HurtlexCategory(
        "is", "desventaja social y económica", None,
        "its checked words are about avarice ('tacaño', 'avaro'); poverty words are only in the noisy level",
    ),
    HurtlexCategory("rci", "lugares y gentilicios", None, "Italian regional slurs translated ('polentone') and 'bárbaro'"),
    HurtlexCategory("pa", "profesiones y oficios", None, "occupations, not a protected group"),
    HurtlexCategory("dmc", "defectos morales y de conducta", None, "insults about character ('tramposo')"),
    HurtlexCategory("or", "plantas", None, "plant names"),
    HurtlexCategory("an", "animales", None, "animal names"),
    HurtlexCategory("qas", "connotación negativa posible", None, "words that may be negative ('chusma', 'burgués')"),
    HurtlexCategory("cds", "despectivos", None, "generic derogatory words"),
    HurtlexCategory("re", "delitos", None, "felonies and crime"),
    HurtlexCategory("svp", "pecados capitales", None, "the seven deadly sins"),
)
BY_CODE: dict[str, HurtlexCategory] = {category.code: category for category in CATEGORIES}


@dataclass(frozen=True, slots=True)
class HurtlexEntry:
    line: int
    id: str
    category: HurtlexCategory
    lemma: str
    level: str


@dataclass(frozen=True, slots=True)
class LineRejected:
    line: int
    reason: str

    def __str__(self) -> str:
        return _("línea %(line)d: %(reason)s") % {"line": self.line, "reason": self.reason}


class HurtlexUnreadable(Exception):
    """The file is not HurtLex (its header is not HurtLex's): nothing of it is read."""


def hurtlex_lines(binary: IO[bytes]) -> Iterator[HurtlexEntry | LineRejected]:
    """Every line after the header as an entry, or as a rejection with its number and reason.

    Blank lines are passed over; the rest is read one bounded line at a time.
    """
    header = binary.readline(MAX_LINE_BYTES + 1).decode("utf-8", errors="replace").lstrip("\ufeff").rstrip("\r\n")
    if tuple(column.strip() for column in header.split("\t")) != HEADER:
        raise HurtlexUnreadable(
            _("la primera línea no es el encabezado de HurtLex (%(expected)s, separadas por tabuladores)")
            % {"expected": ", ".join(HEADER)}
        )
    for number, raw in enumerate(iter(lambda: binary.readline(MAX_LINE_BYTES + 1), b""), start=2):
        if len(raw) > MAX_LINE_BYTES:
            _line_skip(binary)
            yield LineRejected(number, _("la línea pasa de %(n)d bytes") % {"n": MAX_LINE_BYTES})
        elif raw.strip():
            yield _line_parse(number, raw)


def _line_parse(number: int, raw: bytes) -> HurtlexEntry | LineRejected:
    try:
        line = raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        return LineRejected(number, _("no es UTF-8"))
    columns = line.split("\t")
    if len(columns) != len(HEADER):
        return LineRejected(
            number, _("tiene %(found)d columnas; se esperaban %(expected)d separadas por tabuladores")
            % {"found": len(columns), "expected": len(HEADER)},
        )
    hurtlex_id, _pos, code, _stereotype, lemma, level = (column.strip() for column in columns)
    return _entry_check(number, hurtlex_id, code, " ".join(lemma.split()), level)


def _entry_check(number: int, hurtlex_id: str, code: str, lemma: str, level: str) -> HurtlexEntry | LineRejected:
    if not lemma:
        return LineRejected(number, _("el lema está vacío"))
    if "\x00" in lemma:
        return LineRejected(number, _("el lema contiene un carácter NUL"))
    if len(lemma) > MAX_LEMMA_CHARS:
        return LineRejected(number, _("el lema pasa de %(n)d caracteres") % {"n": MAX_LEMMA_CHARS})
    if level not in LEVELS:
        return LineRejected(
            number, _("nivel desconocido «%(level)s» (conservative o inclusive)") % {"level": level[:40]}
        )
    category = BY_CODE.get(code)
    if category is None:
        return LineRejected(number, _("categoría de HurtLex desconocida «%(code)s»") % {"code": code[:40]})
    return HurtlexEntry(line=number, id=hurtlex_id, category=category, lemma=lemma, level=level)


def _line_skip(binary: IO[bytes]) -> None:
    """Read past the rest of an over-long line a bounded chunk at a time."""
    while True:
        chunk = binary.readline(MAX_LINE_BYTES)
        if not chunk or chunk.endswith(b"\n"):
            return
