"""The public corpora `manage.py datasets` knows: where each is published, its licence, and its files with
their size, SHA-256, import format and split.

The sizes and hashes are those of the copies the project was developed against; a file whose bytes differ
(another release, a re-encoded or re-filtered copy) is refused rather than imported. Where a corpus sits in a
public GitHub repository, its URL names a full commit at which the file has exactly these bytes. HatEval and
EXIST are handed out by their organisers on request: they have no URL and are fetched from a local copy
(`--from PATH`) or an organisation's mirror. The movie data is published zipped: its URL serves a zip archive
holding the file under the same name.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlparse

from django.utils.translation import gettext_noop as N_

# Formats read by `import_terms` (dictionary suggestions); every other format is `import_labeled`'s.
TERMS_FORMATS = frozenset({"hurtlex"})


def _raw(repo: str, commit: str, path: str) -> str:
    return f"https://raw.githubusercontent.com/{repo}/{commit}/{path}"


@dataclass(frozen=True, slots=True)
class DatasetFile:
    """One file of a corpus: its name in the datasets folder (and on a mirror), what it must be, how it imports."""

    name: str
    size: int
    sha256: str
    url: str = ""  # where it is published; empty when only the organisers hand it out
    zipped: bool = False  # the URL serves a zip archive holding this file under `name`
    fmt: str = ""  # import format; empty when the file carries no labels to import
    split: str = ""

    @property
    def upstream_name(self) -> str:
        """The file's name where it is published (a local clone of the repository has it under that name)."""
        if not self.url or self.zipped:
            return ""
        return PurePosixPath(urlparse(self.url).path).name

    @property
    def import_command(self) -> str:
        """The management command that imports this file, or "" when it is not imported."""
        if not self.fmt:
            return ""
        return "import_terms" if self.fmt in TERMS_FORMATS else "import_labeled"


@dataclass(frozen=True, slots=True)
class Dataset:
    name: str
    description: str
    published: str
    licence: str
    files: tuple[DatasetFile, ...]
    on_request: str = ""  # who hands the files out, when they cannot be downloaded

    @property
    def size(self) -> int:
        return sum(file.size for file in self.files)


HATEVAL = Dataset(
    name="hateval",
    description=N_("HatEval 2019 (SemEval-2019 Task 5), español: discurso de odio contra mujeres e inmigrantes"),
    published="SemEval-2019 Task 5 (Basile et al. 2019)",
    licence="CC BY-NC 4.0",
    on_request=N_("los organizadores de SemEval-2019 Task 5 (HatEval) lo entregan a quien lo solicita"),
    files=(
        DatasetFile(
            "hateval2019_es_train.csv", 658_053, "903ecd235b0f54da1bb3bc293ddb5fca787cfa131adda672bee1c5858b9d8873",
            fmt="hateval", split="train",
        ),
        DatasetFile(
            "hateval2019_es_dev.csv", 74_139, "137257ee71690051343c825061d7772b61b11f0c6acaec2c085a0aa562d2d805",
            fmt="hateval", split="dev",
        ),
    ),
)

EXIST = Dataset(
    name="exist",
    description=N_("EXIST 2021: sexismo en Twitter y Gab, filas en español del conjunto de entrenamiento"),
    published="EXIST 2021, IberLEF (Rodríguez-Sánchez et al. 2021)",
    licence=N_("términos de la tarea, uso en investigación"),
    on_request=N_("los organizadores de EXIST 2021 lo entregan a quien lo solicita"),
    files=(
        DatasetFile(
            "exist2021_es_train.csv", 833_951, "d6d70a0a304eda7d9a6ff2682cdcb6c88ea38824e82347f2edf9921f9ae7f7c7",
            fmt="exist", split="train",
        ),
    ),
)

_MEXA3T = ("wild10/vgcn_bert_mxa3t", "b150b98aca440d99aa1f0110f48fe1b4a9610de4")
MEXA3T = Dataset(
    name="mexa3t",
    description=N_("MEX-A3T 2018: agresividad en tuits escritos en México"),
    published=f"github.com/{_MEXA3T[0]} (data/MEXA3T/)",
    licence=N_("uso en investigación"),
    files=(
        DatasetFile(
            "mexa3t2018_train.tsv", 753_892, "302ff72315150f1e072098bb4c63c14986cefd1aad213e9215d47e1442f82c44",
            url=_raw(*_MEXA3T, "data/MEXA3T/train.tsv"), fmt="mexa3t", split="train",
        ),
        DatasetFile(
            "mexa3t2018_dev.tsv", 288_646, "2992c414703ab0773f0a40f5b5f99210b17c43e4a17a4438092840f74f996b19",
            url=_raw(*_MEXA3T, "data/MEXA3T/dev.tsv"), fmt="mexa3t", split="dev",
        ),
    ),
)

OFFENDES = Dataset(
    name="offendes",
    description=N_("OffendES (partición MeOffendES 2021): comentarios ofensivos a influencers en español"),
    published="github.com/fmplaza/OffendES (split_MeOffendES/)",
    licence=N_("uso en investigación, citando el artículo"),
    files=(
        DatasetFile(
            "offendes_train.tsv", 3_507_482, "760334b11f932686832b505a8c485e6fb4ebec5d843bc8c36f17464c821d6fec",
            url=_raw("fmplaza/OffendES", "f27fc95ed6961e5d9dc47ec32a8398cd982facc5", "split_MeOffendES/train.tsv"),
            fmt="offendes", split="train",
        ),
        DatasetFile(
            "offendes_dev.tsv", 22_516, "cfbb143c712d8df276bcdb25cb2278902e97b10352bbeaf1d362cc5c1d1354fb",
            url=_raw("fmplaza/OffendES", "b269d9fa49694866c63b3fdfd4a6384e195ded4d", "split_MeOffendES/dev.tsv"),
            fmt="offendes", split="dev",
        ),
    ),
)

DETOXIS = Dataset(
    name="detoxis",
    description=N_("DETOXIS 2021: toxicidad en comentarios a noticias sobre inmigración (España)"),
    published="github.com/alvaro-mazcu-herreros/DETOXIS_2021 (data/DATASET_DETOXIS.csv)",
    licence=N_("uso en investigación"),
    files=(
        DatasetFile(
            "detoxis2021_train.csv", 923_940, "a2adec1aa9f76f87237e9b19e311fae647698ee2dd53c87f0c362b21378d7eec",
            url=_raw(
                "alvaro-mazcu-herreros/DETOXIS_2021", "3c66b4a3896775c7cfb682e37368638f06638769",
                "data/DATASET_DETOXIS.csv",
            ),
            fmt="detoxis", split="train",
        ),
    ),
)

HURTLEX = Dataset(
    name="hurtlex",
    description=N_("HurtLex ES 1.2: 5,006 lemas hirientes en 17 categorías (sugerencias para el diccionario)"),
    published="github.com/valeriobasile/hurtlex (lexica/ES/1.2/)",
    licence="CC BY-NC-SA 4.0",
    files=(
        DatasetFile(
            "hurtlex_ES.tsv", 183_640, "5adadf7886ea332e6e07de1f5abb98a71a3dacbf3bea993b21100c9b4bffd4ba",
            url=_raw("valeriobasile/hurtlex", "10ae72a48a4d9266d0d0d72ed2f90d63ae6fdcae", "lexica/ES/1.2/hurtlex_ES.tsv"),
            fmt="hurtlex",
        ),
    ),
)

_MOVIES = ("albahnsen/PracticalMachineLearningClass", "27d21b581bf72cc7b5a40057a6903cce4d0324df")
MOVIES = Dataset(
    name="movies",
    description=N_("Géneros de películas (MM-IMDb, curso MIAD): sinopsis en inglés y sus 24 géneros"),
    published=f"github.com/{_MOVIES[0]} (datasets/, zip)",
    licence=N_("datos de curso, uso en investigación"),
    files=(
        DatasetFile(
            "dataTraining.csv", 6_427_328, "f23abd54e7f998f2ff03d71bba12d59bc7c69baa59ca1b5eb20bd41c67cf5a8b",
            url=_raw(*_MOVIES, "datasets/dataTraining.zip"), zipped=True, fmt="movies", split="train",
        ),
        # The test plots have no genres (their labels are only on Kaggle): fetched, never imported.
        DatasetFile(
            "dataTesting.csv", 2_636_882, "3711406c6beb5ad98cd1d8a8a74339c445ad1dd8a55b0b950f9111dda547e3b2",
            url=_raw(*_MOVIES, "datasets/dataTesting.zip"), zipped=True,
        ),
    ),
)

CATALOG: dict[str, Dataset] = {d.name: d for d in (HATEVAL, EXIST, MEXA3T, OFFENDES, DETOXIS, HURTLEX, MOVIES)}
