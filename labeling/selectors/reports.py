"""The coordinator's figures for a campaign: agreement per question and per category, and per annotator.

Reads a campaign's answers once and hands plain mappings to `agreement`. The
campaign task's question ("¿Es discriminatorio?" or "¿Es tóxico?") is rated
yes / no / unsure; each category (or toxicity attribute) is the binary "has
this label". The model's decision is known for posts only (queued texts are
compared with the consensus alone). Per annotator: posts answered and skipped, the median
time per post, and how often their yes/no matched the settled label (the
consensus or the reviewer's decision) and the active model's decision. An
"unsure" answer counts as not matching.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from statistics import median
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from classifier.models import ModelVersion, Prediction
from labeling.models import Annotation, Assignment, Campaign, CampaignItem
from labeling.questions import Question
from labeling.selectors import agreement
from labeling.selectors.annotation import question_get


@dataclass(frozen=True, slots=True)
class QuestionRow:
    """Agreement on one question: "is it discriminatory?" or one category."""

    key: str
    title: str
    items: int  # posts with at least two answers
    percent: float | None
    alpha: float | None
    mean_kappa: float | None


@dataclass(frozen=True, slots=True)
class AnnotatorRow:
    username: str
    done: int
    skipped: int
    median_seconds: float | None
    consensus: agreement.AnnotatorAgreement
    model: agreement.AnnotatorAgreement


@dataclass(frozen=True, slots=True)
class CampaignReport:
    campaign: Campaign
    items: int
    open: int
    settled: int
    disputed: int
    answers: int
    questions: list[QuestionRow]
    annotators: list[AnnotatorRow]


def campaign_report(*, campaign: Campaign) -> CampaignReport:
    rows = list(
        Annotation.objects.filter(assignment__item__campaign=campaign)
        .values_list("assignment__item_id", "assignment__item__tweet_id", "assignment__annotator_id", "answer",
                     "categories", "seconds")
    )
    answers: dict[int, dict[int, str]] = {item: {} for item, *_ in rows}  # item -> annotator -> answer
    chosen: dict[int, dict[int, frozenset[str]]] = {item: {} for item in answers}
    for item, _tweet, who, answer, categories, _seconds in rows:
        answers[item][who] = answer
        chosen[item][who] = frozenset(categories)
    counts = CampaignItem.objects.filter(campaign=campaign).aggregate(
        items=Count("id"), open=Count("id", filter=Q(status=CampaignItem.Status.OPEN)),
        settled=Count("id", filter=Q(status=CampaignItem.Status.SETTLED)),
        disputed=Count("id", filter=Q(status=CampaignItem.Status.DISPUTED)),
    )
    return CampaignReport(
        campaign=campaign, answers=len(rows), **counts,
        questions=_questions(answers, chosen, question=question_get(task=campaign.task)),
        annotators=_annotators(campaign, rows, answers),
    )


def _questions(
    answers: dict[int, dict[int, str]], chosen: dict[int, dict[int, frozenset[str]]], *, question: Question,
) -> list[QuestionRow]:
    pairable = sum(1 for row in answers.values() if len(row) >= 2)
    questions = [QuestionRow(
        key=question.positive, title=question.title, items=pairable,
        percent=agreement.percent_agreement(answers), alpha=agreement.krippendorff_alpha(answers),
        mean_kappa=agreement.mean_kappa(agreement.pairwise_kappas(answers).values()),
    )]
    names = dict(question.categories)
    for slug, result in agreement.label_agreement(chosen, labels=list(names)).items():
        questions.append(QuestionRow(key=slug, title=names[slug], items=pairable, percent=result.percent,
                                     alpha=result.alpha, mean_kappa=result.mean_kappa))
    return questions


def _annotators(campaign: Campaign, rows: list[tuple], answers: dict[int, dict[int, str]]) -> list[AnnotatorRow]:
    settled = dict(
        CampaignItem.objects.filter(campaign=campaign, status=CampaignItem.Status.SETTLED)
        .values_list("pk", "final_answer")
    )
    tweet_of = {item: tweet for item, tweet, *_ in rows}
    decided = _model_decisions(task=campaign.task, tweet_ids={tweet for tweet in tweet_of.values() if tweet})
    by_model = {item: decided.get(tweet) for item, tweet in tweet_of.items()}
    with_consensus = agreement.annotator_agreement_with(answers, reference=settled)
    with_model = agreement.annotator_agreement_with(answers, reference=by_model)
    seconds: dict[int, list[float]] = {}
    for _item, _tweet, who, _answer, _categories, spent in rows:
        seconds.setdefault(who, []).append(spent)
    skipped = dict(
        Assignment.objects.filter(item__campaign=campaign, status=Assignment.Status.SKIPPED)
        .values("annotator_id").annotate(n=Count("id")).values_list("annotator_id", "n")
    )
    names = dict(get_user_model().objects.filter(pk__in=seconds).values_list("pk", "username"))
    return sorted(
        (AnnotatorRow(username=names[who], done=len(spent), skipped=skipped.get(who, 0),
                      median_seconds=median(spent) if spent else None,
                      consensus=with_consensus[who], model=with_model[who])
         for who, spent in seconds.items()),
        key=lambda row: row.username,
    )


def _model_decisions(*, task: str, tweet_ids: set[int]) -> dict[int, str]:
    """The active model's yes/no for each post it has scored."""
    active = ModelVersion.objects.filter(task=task, status=ModelVersion.Status.ACTIVE).first()
    if active is None:
        return {}
    return {
        tweet: Annotation.Answer.YES if flag else Annotation.Answer.NO
        for tweet, flag in Prediction.objects.filter(model_version=active, tweet_id__in=tweet_ids)
        .values_list("tweet_id", "discriminatory")
    }


def question_rows(report: CampaignReport) -> Iterator[dict[str, Any]]:
    """The agreement table as rows for a CSV download."""
    for row in report.questions:
        yield {"pregunta": row.key, "nombre": row.title, "publicaciones_con_2_o_mas": row.items,
               "acuerdo_porcentual": _round(row.percent), "alfa_krippendorff": _round(row.alpha),
               "kappa_cohen_media": _round(row.mean_kappa)}


def annotator_rows(report: CampaignReport) -> Iterator[dict[str, Any]]:
    """The per-annotator table as rows for a CSV download."""
    for row in report.annotators:
        yield {"anotador": row.username, "respondidas": row.done, "saltadas": row.skipped,
               "mediana_segundos": _round(row.median_seconds, 1),
               "coincide_consenso": row.consensus.agreed, "comparadas_consenso": row.consensus.compared,
               "acuerdo_consenso": _round(row.consensus.share),
               "coincide_modelo": row.model.agreed, "comparadas_modelo": row.model.compared,
               "acuerdo_modelo": _round(row.model.share)}


def _round(value: float | None, digits: int = 3) -> float | str:
    return "" if value is None else round(value, digits)
