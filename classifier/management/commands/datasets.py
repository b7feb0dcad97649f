"""`python manage.py datasets list | fetch NAME | import NAME`: the public corpora the project supports
(`classifier/datasets_catalog.py`), fetched into `DATASETS_DIR` and checked by SHA-256, then imported with
`import_labeled` (labelled texts) or `import_terms` (dictionary suggestions)."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django.utils.translation import gettext as _
from tqdm import tqdm

from classifier.datasets_catalog import CATALOG, Dataset, DatasetFile
from classifier.importers import FORMATS
from classifier.selectors.datasets import FileState, FileStatus, dataset_status_get
from classifier.services.datasets import DatasetError, FetchedFile, FetchOutcome, dataset_fetch
from ingestion.management.progress import BarOutput

OUTCOMES = {
    FetchOutcome.KEPT: "ya estaba",
    FetchOutcome.DOWNLOADED: "descargado",
    FetchOutcome.COPIED: "copiado",
}


class Command(BaseCommand):
    help = (
        "Conjuntos de datos públicos (HatEval, EXIST, MEX-A3T, OffendES, DETOXIS, HurtLex, películas): "
        "list los muestra, fetch NOMBRE los descarga y verifica, import NOMBRE además los importa."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("list", help=_("los conjuntos, su licencia y si ya están descargados y verificados"))
        for action, text in (
            ("fetch", _("descarga (o copia con --from) los archivos y comprueba su SHA-256")),
            ("import", _("descarga si hace falta y luego importa cada archivo")),
        ):
            sub = actions.add_parser(action, help=text)
            sub.add_argument("name", choices=sorted(CATALOG), metavar="NOMBRE", help=", ".join(CATALOG))
            sub.add_argument("--from", dest="source", type=Path, metavar="RUTA",
                             help=_("un archivo o una carpeta con los archivos, en lugar de descargarlos"))
            sub.add_argument("--mirror", default="", metavar="URL",
                             help=_("URL base de un espejo (archivos en URL/<nombre>/<archivo>); DATASETS_MIRROR por omisión"))
            sub.add_argument("--no-progress", action="store_true", help=_("sin barra de progreso"))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            self._list()
            return
        dataset = CATALOG[options["name"]]
        if options["action"] == "import":
            self._importable_check(dataset)
        fetched = self._fetch(dataset, options)
        if options["action"] == "import":
            self._import(fetched, options)

    def _list(self) -> None:
        width = max(len(_(dataset.licence)) for dataset in CATALOG.values())
        self.stdout.write(f"{_('nombre'):<10} {_('archivos'):>8} {_('tamaño'):>9}  {_('licencia'):<{width}}  {_('estado')}")
        for dataset in CATALOG.values():
            state = _state(dataset, dataset_status_get(dataset=dataset))
            self.stdout.write(
                f"{dataset.name:<10} {len(dataset.files):>8} {_size(dataset.size):>9}  {_(dataset.licence):<{width}}  {state}"
            )
            self.stdout.write(f"  {_(dataset.description)}")
            self.stdout.write(f"  {_('publicado en')}: {dataset.published}")

    def _fetch(self, dataset: Dataset, options: dict[str, Any]) -> list[FetchedFile]:
        bars = _Bars(self.stderr, disabled=options["no_progress"])
        try:
            fetched = dataset_fetch(
                dataset=dataset, mirror=options["mirror"] or settings.DATASETS_MIRROR, source=options["source"],
                on_progress=bars,
            )
        except DatasetError as error:
            raise CommandError(str(error)) from None
        finally:
            bars.close()
        for item in fetched:
            self.stdout.write(self.style.SUCCESS(
                f"{item.file.name}: {OUTCOMES[item.outcome]}, {_('verificado')} ({_size(item.file.size)}, "
                f"sha256 {item.file.sha256[:12]}…) → {item.path}"
            ))
        return fetched

    def _importable_check(self, dataset: Dataset) -> None:
        """Refused before any download when this installation cannot import one of the files."""
        commands = get_commands()
        for file in dataset.files:
            if file.import_command == "import_labeled" and file.fmt not in FORMATS:
                raise CommandError(_("import_labeled no conoce el formato %(fmt)s en esta instalación.") % {
                    "fmt": file.fmt})
            if file.import_command and file.import_command not in commands:
                raise CommandError(_("El comando %(command)s no existe en esta instalación.") % {
                    "command": file.import_command})

    def _import(self, fetched: list[FetchedFile], options: dict[str, Any]) -> None:
        out, err = options.get("stdout") or sys.stdout, options.get("stderr") or sys.stderr
        for item in fetched:
            file = item.file
            if not file.import_command:
                self.stdout.write(_("%(name)s: sin etiquetas, no se importa.") % {"name": file.name})
                continue
            extra = {"split": file.split} if file.split else {}
            call_command(
                file.import_command, str(item.path), format=file.fmt, no_progress=options["no_progress"],
                stdout=out, stderr=err, **extra,
            )


class _Bars:
    """One tqdm bar per file, drawn on the command's stderr as the service reports bytes."""

    def __init__(self, stderr: OutputWrapper, *, disabled: bool) -> None:
        self.stderr, self.disabled = stderr, disabled
        self.file: DatasetFile | None = None
        self.bar: tqdm[Any] | None = None

    def __call__(self, file: DatasetFile, done: int, total: int | None) -> None:
        if self.bar is None or file is not self.file:
            self.close()
            self.file = file
            self.bar = tqdm(total=total, initial=done, unit="B", unit_scale=True,
                            desc=file.name, file=BarOutput(self.stderr), disable=self.disabled)
            return
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        self.bar = None


def _state(dataset: Dataset, statuses: list[FileStatus]) -> str:
    states = [status.state for status in statuses]
    if all(state == FileState.VERIFIED for state in states):
        return _("descargado y verificado")
    wrong = [status.file.name for status in statuses if status.state == FileState.MISMATCH]
    if wrong:
        return _("no coincide con el catálogo: %(files)s") % {"files": ", ".join(wrong)}
    verified = states.count(FileState.VERIFIED)
    if FileState.PARTIAL in states:
        return _("descarga a medias (%(done)d de %(files)d archivos)") % {"done": verified, "files": len(states)}
    if verified:
        return _("incompleto (%(done)d de %(files)d archivos)") % {"done": verified, "files": len(states)}
    return _("no descargado") + ("" if dataset.files[0].url else _(" (a petición de los organizadores)"))


def _size(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.1f} kB"
