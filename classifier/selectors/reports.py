"""Reads of the model page: each task's versions, and a version's training report (its `metrics`) as the rows
its tables show.

The report is what `classifier.services.training.model_version_train` recorded: per label the held-out
figures (`labels`), per label and held-out corpus (`held_out_per_label_source`), the training positives
per source (`signals`), the rows per source (`rows_per_source`) and the labels not offered with the reason
(`not_offered`). A demo model (learnt from a synthetic corpus) says so in `metrics["demo"]`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from classifier.label_sets import ATTRIBUTES, DISCRIMINATION, DISCRIMINATORY, MOVIE_GENRES, TOXICITY
from classifier.models import LabeledText, ModelVersion
from classifier.toxicity import DEMO_SOURCE
from ingestion.models import Category

# The tasks the page always lists, in this order (a task with no model gets its empty state); any other
# task with versions follows, alphabetically.
KNOWN_TASKS: tuple[str, ...] = (DISCRIMINATION, TOXICITY, MOVIE_GENRES)
TASK_NAMES: dict[str, Promise] = {
    DISCRIMINATION: _("Discriminación"),
    TOXICITY: _("Toxicidad (atributos de la API Perspective)"),
    MOVIE_GENRES: _("Géneros de película (tarea de referencia)"),
}
# The Perspective attributes as the pages name them.
ATTRIBUTE_NAMES: dict[str, Promise] = {
    "TOXICITY": _("Toxicidad"), "SEVERE_TOXICITY": _("Toxicidad grave"), "INSULT": _("Insulto"),
    "PROFANITY": _("Groserías"), "THREAT": _("Amenaza"), "IDENTITY_ATTACK": _("Ataque a la identidad"),
}
# The MM-IMDb genres as the pages name them.
GENRE_NAMES: dict[str, Promise] = {
    "Action": _("Acción"), "Adventure": _("Aventura"), "Animation": _("Animación"), "Biography": _("Biografía"),
    "Comedy": _("Comedia"), "Crime": _("Crimen"), "Documentary": _("Documental"), "Drama": _("Drama"),
    "Family": _("Familiar"), "Fantasy": _("Fantasía"), "Film-Noir": _("Cine negro"), "History": _("Historia"),
    "Horror": _("Terror"), "Music": _("Música"), "Musical": _("Musical"), "Mystery": _("Misterio"),
    "News": _("Noticias"), "Romance": _("Romance"), "Sci-Fi": _("Ciencia ficción"), "Short": _("Cortometraje"),
    "Sport": _("Deporte"), "Thriller": _("Suspenso"), "War": _("Bélica"), "Western": _("Western"),
}
# The pseudo-source of a category's positives that only its dictionary terms made (`_signals` in training).
LEXICON = "lexicon"
RECENT_VERSIONS = 5


def task_name(*, task: str) -> str:
    return str(TASK_NAMES.get(task, task))


def model_version_is_demo(*, version: ModelVersion) -> bool:
    """Whether the version learnt from the demo's synthetic corpus: marked so by the demo services, or trained
    from demo rows alone (a later retraining of the demo, `tasks_retrain`, does not mark its version)."""
    metrics = version.metrics or {}
    sources = set(metrics.get("rows_per_source") or {})
    return bool(metrics.get("demo")) or (bool(sources) and sources <= {DEMO_SOURCE})


@dataclass(frozen=True, slots=True)
class LabelFigures:
    label: str
    name: str
    train_positives: int | None
    held_out_positives: int | None
    roc_auc: float | None = None
    pr_auc: float | None = None
    f1: float | None = None
    precision: float | None = None
    recall: float | None = None
    threshold: float | None = None
    calibration_error: float | None = None
    brier: float | None = None


@dataclass(frozen=True, slots=True)
class CorpusFigures:
    label: str
    name: str
    corpus: str
    rows: int | None
    positives: int | None
    roc_auc: float | None
    f1: float | None
    f1_both_classes: float | None
    calibration_error: float | None
    brier: float | None


@dataclass(frozen=True, slots=True)
class SourceFigures:
    source: str
    lexicon: bool  # the positives a category's dictionary terms alone made, not a corpus
    rows: int | None
    positives: list[tuple[str, int]]  # (label, training positives from this source), in the labels' order
    synthetic: bool = False  # the demo's synthetic corpus


@dataclass(frozen=True, slots=True)
class Reliability:
    label: str
    name: str
    bins: list[dict[str, Any]]  # bin, rows, mean_probability, observed


@dataclass(slots=True)
class VersionReport:
    version: ModelVersion
    name: str
    demo: bool
    labels: list[LabelFigures] = field(default_factory=list)
    not_offered: list[tuple[str, str, str]] = field(default_factory=list)  # label, name, reason
    unmeasured: list[str] = field(default_factory=list)
    sources: list[SourceFigures] = field(default_factory=list)
    corpora: list[CorpusFigures] = field(default_factory=list)
    reliability: list[Reliability] = field(default_factory=list)
    training_rows: int | None = None
    held_out_rows: int | None = None
    macro_f1: float | None = None
    macro_roc_auc: float | None = None
    macro_calibration_error: float | None = None
    train_seconds: float | None = None
    active_version: int | None = None  # the version it was compared with when trained
    active_macro_f1: float | None = None


@dataclass(slots=True)
class LabeledSource:
    source: str
    rows: int
    positives: int  # rows with at least one label
    weak: int

    @property
    def synthetic(self) -> bool:
        return self.source == DEMO_SOURCE


@dataclass(slots=True)
class TaskOverview:
    task: str
    name: str
    active: VersionReport | None
    recent: list[ModelVersion]
    versions: int
    labeled_rows: int


def label_names(*, task: str) -> dict[str, str]:
    """How the pages name a task's labels: a category's name, a Perspective attribute's or a genre's Spanish name."""
    if task == DISCRIMINATION:
        return {DISCRIMINATORY: str(_("Discriminatorio")), **dict(Category.objects.values_list("slug", "name"))}
    if task == TOXICITY:
        return {name: str(label) for name, label in ATTRIBUTE_NAMES.items()}
    if task == MOVIE_GENRES:
        return {name: str(label) for name, label in GENRE_NAMES.items()}
    return {}


def _label_order(*, task: str, labels: set[str]) -> list[str]:
    """`discriminatory` first, the attributes in Perspective's order; the rest alphabetically."""
    first = [DISCRIMINATORY] if task == DISCRIMINATION else list(ATTRIBUTES) if task == TOXICITY else []
    return [name for name in first if name in labels] + sorted(labels - set(first))


def model_version_report(*, version: ModelVersion, names: dict[str, str] | None = None) -> VersionReport:
    """The version's training report as table rows (empty for a failed version, which has none)."""
    metrics: dict[str, Any] = version.metrics or {}
    names = label_names(task=version.task) if names is None else names
    per_label: dict[str, dict[str, Any]] = metrics.get("labels", {})
    signals: dict[str, dict[str, int]] = metrics.get("signals", {})
    skipped: dict[str, int] = metrics.get("skipped_labels", {})
    order = _label_order(task=version.task, labels=set(per_label) | set(signals))
    report = VersionReport(
        version=version, name=task_name(task=version.task), demo=model_version_is_demo(version=version),
        unmeasured=list(metrics.get("unmeasured_labels", [])),
        training_rows=metrics.get("training_rows"), held_out_rows=metrics.get("held_out_rows"),
        macro_f1=metrics.get("macro_f1"), macro_roc_auc=metrics.get("macro_roc_auc"),
        macro_calibration_error=metrics.get("macro_calibration_error"), train_seconds=metrics.get("train_seconds"),
        active_version=metrics.get("active_version"), active_macro_f1=metrics.get("active_macro_f1"),
    )
    for label in order:
        figures = per_label.get(label, {})
        train = sum(signals[label].values()) if label in signals else skipped.get(label)
        report.labels.append(LabelFigures(
            label=label, name=names.get(label, label), train_positives=train, held_out_positives=figures.get("support"),
            **{key: figures.get(key) for key in (
                "roc_auc", "pr_auc", "f1", "precision", "recall", "threshold", "calibration_error", "brier")},
        ))
        if figures.get("reliability"):
            report.reliability.append(Reliability(label=label, name=names.get(label, label), bins=figures["reliability"]))
    report.not_offered = [
        (label, names.get(label, label), reason)
        for label, reason in sorted(metrics.get("not_offered", {}).items())
    ]
    report.sources = _sources(metrics=metrics, order=order)
    report.corpora = _corpora(metrics=metrics, order=order, names=names)
    return report


def _sources(*, metrics: dict[str, Any], order: list[str]) -> list[SourceFigures]:
    """Per source that trained the version: its rows (training and held out) and its training positives per label."""
    rows: dict[str, int] = metrics.get("rows_per_source", {})
    signals: dict[str, dict[str, int]] = metrics.get("signals", {})
    sources = sorted(rows, key=lambda source: (-rows[source], source))
    if any(LEXICON in found for found in signals.values()):
        sources.append(LEXICON)
    return [
        SourceFigures(
            source=source, lexicon=source == LEXICON, rows=rows.get(source),
            positives=[(label, signals[label][source]) for label in order if signals.get(label, {}).get(source)],
            synthetic=source == DEMO_SOURCE,
        )
        for source in sources
    ]


def _corpora(*, metrics: dict[str, Any], order: list[str], names: dict[str, str]) -> list[CorpusFigures]:
    """Per label and held-out corpus with both classes, the label's figures on that corpus's rows."""
    per_source: dict[str, dict[str, dict[str, Any]]] = metrics.get("held_out_per_label_source", {})
    return [
        CorpusFigures(
            label=label, name=names.get(label, label), corpus=corpus, rows=figures.get("rows"),
            positives=figures.get("support"), roc_auc=figures.get("roc_auc"), f1=figures.get("f1"),
            f1_both_classes=figures.get("f1_both_classes"), calibration_error=figures.get("calibration_error"),
            brier=figures.get("brier"),
        )
        for label in order for corpus, figures in sorted(per_source.get(label, {}).items())
    ]


def model_tasks_list() -> list[str]:
    """The known tasks, then any other task that has versions."""
    others = set(ModelVersion.objects.values_list("task", flat=True).distinct()) - set(KNOWN_TASKS)
    return [*KNOWN_TASKS, *sorted(others)]


def task_overviews_list(*, recent: int = RECENT_VERSIONS) -> list[TaskOverview]:
    """Per task: its active version's report, its latest `recent` versions, how many it has, and how many
    labelled texts it holds (for the empty state)."""
    counts = dict(ModelVersion.objects.order_by().values_list("task").annotate(n=Count("pk")).values_list("task", "n"))
    labeled = dict(LabeledText.objects.order_by().values_list("task").annotate(n=Count("pk")).values_list("task", "n"))
    overviews = []
    for task in model_tasks_list():
        latest = list(ModelVersion.objects.filter(task=task).defer("params").order_by("-version")[:recent])
        active = next((v for v in latest if v.status == ModelVersion.Status.ACTIVE), None)
        if active is None and counts.get(task):
            active = ModelVersion.objects.filter(task=task, status=ModelVersion.Status.ACTIVE).defer("params").first()
        overviews.append(TaskOverview(
            task=task, name=task_name(task=task), active=None if active is None else model_version_report(version=active),
            recent=latest, versions=counts.get(task, 0), labeled_rows=labeled.get(task, 0),
        ))
    return overviews


def model_version_get(*, task: str, version: int) -> ModelVersion | None:
    return ModelVersion.objects.filter(task=task, version=version).first()


def model_version_active_get(*, task: str) -> ModelVersion | None:
    """The task's active version (its metrics included), or None."""
    return ModelVersion.objects.filter(task=task, status=ModelVersion.Status.ACTIVE).defer("params").first()


def labeled_texts_by_source(*, task: str) -> list[LabeledSource]:
    """The task's labelled texts per source, largest first: what its next training reads."""
    rows = (
        LabeledText.objects.filter(task=task).values("source")
        .annotate(rows=Count("pk"), positives=Count("pk", filter=~Q(labels=[])), weak=Count("pk", filter=Q(weak=True)))
        .order_by("-rows", "source")
    )
    return [LabeledSource(**row) for row in rows]
