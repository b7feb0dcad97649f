"""Queued texts through the pages and the API: a client's feedback reaches annotators in a campaign from the queue,
the annotate and review pages show a text that is not a post, and coordinators make such campaigns."""
from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import Group

from classifier.models import LabeledText
from labeling.models import Campaign, CampaignItem, QueuedText
from labeling.roles import ANNOTATORS, COORDINATORS, REVIEWERS, roles_sync
from labeling.services.campaigns import QueueFilters, campaign_from_queue_create
from labeling.services.queue import queued_texts_create
from tests.factories import QueuedTextFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "x-clave-123"
SCORES = {"TOXICITY": 0.9, "INSULT": 0.8, "THREAT": 0.1}


@pytest.fixture
def roles(dictionary):
    roles_sync()


def member(client, username: str, group: str):  # noqa: ANN001, ANN201
    user = UserFactory.create(username=username, password=PASSWORD)
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return client


def queue_campaign(task: str, **options) -> Campaign:  # noqa: ANN003
    campaign, _taken = campaign_from_queue_create(name="Cola", filters=QueueFilters(task=task),
                                                  status=Campaign.Status.RUNNING, **options)
    return campaign


def toxicity_suggestion() -> QueuedText:
    (row,) = queued_texts_create(task="toxicity", texts=["Cállate, pendejo"], origin=QueuedText.Origin.SUGGESTSCORE,
                                 suggested_scores=SCORES, comment="lo corrigió una moderadora")
    return row


def answer(client, campaign: Campaign, value: str, categories: tuple[str, ...] = ()):  # noqa: ANN001, ANN201
    page = client.get(f"/etiquetado/campanas/{campaign.pk}/")
    data = {"assignment": page.context["assignment"].pk, "answer": value, "categories": list(categories)}
    return client.post(f"/etiquetado/campanas/{campaign.pk}/responder/", data, follow=True)


@pytest.mark.usefixtures("api_fresh")
def test_feedback_reaches_annotators_and_becomes_a_training_label(client_with, roles, client):
    payload = {"text": "Pinche naco", "labels": ["discriminatory", "apariencia"], "reference": "caso-118"}
    response = client_with("classify").post("/api/v1/feedback", payload, format="json")
    assert response.status_code == 201, response.content
    queued_id = response.json()["id"]
    campaign, taken = campaign_from_queue_create(
        name="Correcciones", filters=QueueFilters(task="discrimination", origin=QueuedText.Origin.FEEDBACK),
        status=Campaign.Status.RUNNING,
    )
    assert taken == 1
    for name in ("ana", "beto"):
        done = answer(member(client, name, ANNOTATORS), campaign, "yes", ("apariencia",))
        assert "Respuesta guardada." in done.content.decode()
    item = CampaignItem.objects.get()
    assert (item.status, item.final_answer, item.final_categories) == ("settled", "yes", ["apariencia"])
    label = LabeledText.objects.get(source="annotators")
    assert (label.task, label.external_id, label.text, label.labels) == (
        "discrimination", f"queued:{queued_id}", "Pinche naco", ["discriminatory", "apariencia"]
    )
    assert QueuedText.objects.get(pk=queued_id).status == "labeled"


def test_the_annotate_page_shows_a_queued_toxicity_text_blind_unless_pre_annotation(client, roles):
    toxicity_suggestion()
    campaign = queue_campaign("toxicity")
    html = member(client, "ana", ANNOTATORS).get(f"/etiquetado/campanas/{campaign.pk}/").content.decode()
    assert "¿Es tóxico?" in html and "Cállate, pendejo" in html
    for name in ("Toxicidad grave", "Insulto", "Groserías", "Amenaza", "Ataque a la identidad"):
        assert name in html
    assert "Apariencia" not in html  # the dictionary's categories belong to the discrimination question
    assert 'data-testid="queued-meta"' in html and "<time" not in html  # no date or place: it is not a post
    assert 'data-testid="suggestion"' not in html and "moderadora" not in html  # blind by default
    Campaign.objects.filter(pk=campaign.pk).update(pre_annotation=True)
    shown = client.get(f"/etiquetado/campanas/{campaign.pk}/").content.decode()
    assert 'data-testid="suggestion"' in shown and "Tóxico, Insulto" in shown and "moderadora" in shown
    assert shown.index("Tóxico: 90.0") < shown.index("Insulto: 80.0") < shown.index("Amenaza: 10.0")


def test_a_toxic_yes_needs_no_attribute_and_takes_none_of_another_question(client, roles):
    toxicity_suggestion()
    campaign = queue_campaign("toxicity", annotators_per_item=1)
    ana = member(client, "ana", ANNOTATORS)
    refused = answer(ana, campaign, "yes", ("apariencia",))
    assert "Respuesta guardada." not in refused.content.decode()  # not a choice of "¿Es tóxico?"
    saved = answer(ana, campaign, "yes")
    assert "Respuesta guardada." in saved.content.decode()
    assert LabeledText.objects.get().labels == ["TOXICITY"]


def test_a_reviewer_sees_the_queued_text_and_the_suggestion_and_decides(client, roles):
    row = toxicity_suggestion()
    campaign = queue_campaign("toxicity")
    answer(member(client, "ana", ANNOTATORS), campaign, "yes", ("INSULT",))
    answer(member(client, "beto", ANNOTATORS), campaign, "no")
    item = CampaignItem.objects.get()
    reviewer = member(client, "rita", REVIEWERS)
    assert "Cállate, pendejo" in reviewer.get("/etiquetado/revision/").content.decode()
    detail = reviewer.get(f"/etiquetado/revision/{item.pk}/").content.decode()
    assert "Resolver un texto de la cola" in detail and 'data-testid="suggestion"' in detail
    assert "Decisión: ¿Es tóxico?" in detail and "Insulto" in detail
    reviewer.post(f"/etiquetado/revision/{item.pk}/", {"answer": "yes", "categories": ["INSULT", "THREAT"]})
    label = LabeledText.objects.get()
    assert (label.task, label.external_id, label.labels) == ("toxicity", f"queued:{row.pk}", ["TOXICITY", "INSULT", "THREAT"])


def test_figures_and_exports_of_a_queue_campaign(client, roles):
    row = toxicity_suggestion()
    campaign = queue_campaign("toxicity")
    answer(member(client, "ana", ANNOTATORS), campaign, "yes", ("INSULT",))
    answer(member(client, "beto", ANNOTATORS), campaign, "yes", ("INSULT",))
    coordinator = member(client, "coco", COORDINATORS)
    report = coordinator.get(f"/etiquetado/campanas/{campaign.pk}/metricas/")
    keys = [row.key for row in report.context["report"].questions]
    assert keys == ["TOXICITY", "SEVERE_TOXICITY", "INSULT", "PROFANITY", "THREAT", "IDENTITY_ATTACK"]
    assert "¿Es tóxico?" in report.content.decode()
    settled = coordinator.get(f"/etiquetado/campanas/{campaign.pk}/exportar/resueltas.csv")
    (line,) = csv.DictReader(io.StringIO(b"".join(settled.streaming_content).decode()))
    assert (line["platform_id"], line["queued_text"], line["text"], line["answer"]) == (
        "", str(row.pk), "Cállate, pendejo", "yes"
    )
    answers = coordinator.get(f"/etiquetado/campanas/{campaign.pk}/exportar/anotaciones.jsonl")
    assert b"".join(answers.streaming_content).decode().count(f'"queued_text": {row.pk}') == 2


def test_coordinators_make_a_campaign_from_the_queue_page(client, roles):
    QueuedTextFactory.create(task="toxicity", origin="suggestscore")
    QueuedTextFactory.create(task="toxicity", origin="analyze")
    assert member(client, "ana", ANNOTATORS).get("/etiquetado/cola/").status_code == 403
    coordinator = member(client, "coco", COORDINATORS)
    page = coordinator.get("/etiquetado/cola/").content.decode()
    assert "corrección por suggestscore" in page and "enviado a comments:analyze" in page
    assert 'data-testid="queue-link"' in coordinator.get("/etiquetado/").content.decode()
    data = {"name": "Correcciones de toxicidad", "task": "toxicity", "origin": "suggestscore",
            "annotators_per_item": 2, "start": "on"}
    done = coordinator.post("/etiquetado/cola/", data, follow=True)
    assert "creada con 1 textos de la cola" in done.content.decode()
    campaign = Campaign.objects.get()
    assert (campaign.task, campaign.source, campaign.status, campaign.items.count()) == ("toxicity", "queue", "running", 1)


def test_the_admin_action_makes_a_draft_campaign_of_the_selected_texts(admin_client):
    chosen = [QueuedTextFactory.create(task="toxicity").pk for _ in range(2)]
    QueuedTextFactory.create(task="toxicity")
    mixed = admin_client.post("/admin/labeling/queuedtext/", {
        "action": "campaign_create", "_selected_action": [*chosen, QueuedTextFactory.create(task="discrimination").pk],
    }, follow=True)
    assert "una sola tarea" in mixed.content.decode() and not Campaign.objects.exists()
    made = admin_client.post("/admin/labeling/queuedtext/", {"action": "campaign_create", "_selected_action": chosen})
    campaign = Campaign.objects.get()
    assert made.url == f"/admin/labeling/campaign/{campaign.pk}/change/"
    assert (campaign.task, campaign.source, campaign.status) == ("toxicity", "queue", "draft")
    assert sorted(campaign.items.values_list("queued_text_id", flat=True)) == chosen
    assert admin_client.get(made.url).status_code == 200
    listing = admin_client.get("/admin/labeling/queuedtext/?status__exact=in_campaign&task=toxicity")
    assert listing.status_code == 200 and listing.context["cl"].result_count == 2
