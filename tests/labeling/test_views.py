"""The labeling pages through Django's test client: roles, the answer cycle, review, figures and downloads."""
from __future__ import annotations

import csv
import io
import json

import pytest
from django.contrib.auth.models import Group

from classifier.models import LabeledText
from labeling.models import Annotation, Assignment, Campaign, CampaignItem
from labeling.roles import ANNOTATORS, COORDINATORS, REVIEWERS, roles_sync
from tests.factories import (
    CampaignFactory,
    CampaignItemFactory,
    ModelVersionFactory,
    PredictionFactory,
    TweetFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
PASSWORD = "x-clave-123"


@pytest.fixture
def roles(dictionary):
    roles_sync()


def member(username: str, group: str):  # noqa: ANN201
    user = UserFactory.create(username=username, password=PASSWORD)
    user.groups.add(Group.objects.get(name=group))
    return user


def client_for(client, user):  # noqa: ANN001, ANN201
    client.force_login(user)
    return client


def campaign_of(texts: list[str], *, k: int = 2, **options) -> Campaign:
    campaign = CampaignFactory.create(name="Marzo", status=Campaign.Status.RUNNING, annotators_per_item=k, **options)
    for text in texts:
        CampaignItemFactory.create(campaign=campaign, tweet=TweetFactory.create(text=text))
    return campaign


def answer(client, campaign: Campaign, value: str, categories: tuple[str, ...] = (), **extra):  # noqa: ANN001, ANN201
    page = client.get(f"/etiquetado/campanas/{campaign.pk}/")
    data = {"assignment": page.context["assignment"].pk, "answer": value, "categories": list(categories), **extra}
    return client.post(f"/etiquetado/campanas/{campaign.pk}/responder/", data, follow=True)


def test_annotators_reach_only_the_labeling_pages(client, roles):
    annotator = client_for(client, member("ana", ANNOTATORS))
    assert annotator.get("/").url == "/etiquetado/"  # the dashboard shows model figures: not for a blind annotator
    assert annotator.get("/clasificador/").url == "/etiquetado/"
    assert annotator.get("/admin/").url == "/etiquetado/"
    api = annotator.get("/api/v1/models")
    assert api.status_code == 403 and api.json()["code"] == "permission_denied"
    assert annotator.get("/etiquetado/").status_code == 200
    assert annotator.get("/etiquetado/revision/").status_code == 403  # reviewers only
    campaign = campaign_of(["uno"])
    assert annotator.get(f"/etiquetado/campanas/{campaign.pk}/metricas/").status_code == 403  # coordinators only


def test_coordinators_and_visitors_keep_the_rest_of_the_site(client, roles):
    assert client.get("/").status_code == 200
    assert client.get("/etiquetado/").url.startswith("/cuenta/entrar/?next=")
    coordinator = client_for(client, member("coco", COORDINATORS))
    assert coordinator.get("/").status_code == 200
    assert coordinator.get("/etiquetado/").status_code == 200


def test_the_post_is_shown_with_its_terms_marked_and_without_the_model_unless_asked(client, roles):
    campaign = campaign_of(["Ese naco no sabe nada, puro chairo"], k=1)
    page = client_for(client, member("ana", ANNOTATORS)).get(f"/etiquetado/campanas/{campaign.pk}/")
    html = page.content.decode()
    assert "<mark" in html and ">naco</mark>" in html and ">chairo</mark>" in html
    assert 'data-testid="model-hint"' not in html  # blind by default
    assert "Llevas <strong>0</strong> · quedan <strong>1</strong> para ti" in html  # the post in hand is still to do


def test_the_screen_says_before_sending_that_a_yes_needs_a_category(client, roles):
    campaign = campaign_of(["texto"], k=1)
    html = client_for(client, member("ana", ANNOTATORS)).get(f"/etiquetado/campanas/{campaign.pk}/").content.decode()
    # The keyboard help says it, and the page has a live region the script writes the refusal into.
    help_text = html[html.index('<details class="keys">'):html.index("</details>")]
    assert "después elige al menos una categoría con <kbd>1</kbd>–<kbd>9</kbd>" in help_text
    assert '<p class="form-alert" id="answer-alert" role="alert" data-testid="answer-alert"></p>' in html
    assert 'data-required="Falta la categoría: una publicación discriminatoria necesita al menos una.' in html
    toxicity = campaign_of(["otro"], k=1, task=Campaign.Task.TOXICITY)
    html = client.get(f"/etiquetado/campanas/{toxicity.pk}/").content.decode()
    assert "después elige" not in html and 'data-required=""' in html  # a toxic text needs no attribute


def test_an_answer_is_saved_once_with_its_time_and_the_next_post_follows(client, roles):
    campaign = campaign_of(["primero", "segundo"], k=1)
    ana = client_for(client, member("ana", ANNOTATORS))
    first = ana.get(f"/etiquetado/campanas/{campaign.pk}/").context["assignment"]
    data = {"assignment": first.pk, "answer": "yes", "categories": ["genero", "edad"], "comment": "insulto", "seconds": "7.5"}
    done = ana.post(f"/etiquetado/campanas/{campaign.pk}/responder/", data, follow=True)
    assert "Respuesta guardada." in done.content.decode()
    saved = Annotation.objects.get()
    assert (saved.answer, saved.categories, saved.comment) == ("yes", ["edad", "genero"], "insulto")
    assert 0 <= saved.seconds <= 7.5  # never more than the time since the post was handed out
    assert done.context["assignment"].item.tweet.text == "segundo"
    again = ana.post(f"/etiquetado/campanas/{campaign.pk}/responder/", data, follow=True)  # a resent form
    assert "ya no estaba abierta" in again.content.decode()
    assert Annotation.objects.count() == 1


def test_a_yes_without_categories_is_refused_and_keeps_what_was_typed(client, roles):
    campaign = campaign_of(["texto"], k=1)
    ana = client_for(client, member("ana", ANNOTATORS))
    page = answer(ana, campaign, "yes", comment="dudoso")
    html = page.content.decode()
    assert "Elige al menos una categoría" in html
    assert Annotation.objects.count() == 0 and Assignment.objects.get().status == "assigned"
    assert "dudoso</textarea>" in html  # the comment is not lost


def test_the_count_left_means_the_same_on_every_page_and_after_every_step(client, roles):
    """«Llevas N · quedan M»: M counts the posts still to answer, the one on screen included, so the index and the
    page agree and N + M only changes when a post is skipped."""
    campaign = campaign_of(["a", "b", "c", "d"], k=1)
    ana = client_for(client, member("ana", ANNOTATORS))

    def counts(response) -> tuple[int, int]:  # noqa: ANN001
        return response.context["progress"].done, response.context["progress"].left

    def index() -> tuple[int, int]:
        listed = ana.get("/etiquetado/")
        return next((p.done, p.left) for c, p in listed.context["campaigns"] if c.pk == campaign.pk)

    assert index() == (0, 4)
    assert "quedan 4 para ti" in ana.get("/etiquetado/").content.decode()
    page = ana.get(f"/etiquetado/campanas/{campaign.pk}/")
    assert counts(page) == (0, 4) and "quedan <strong>4</strong>" in page.content.decode()  # the post on screen counts
    assert index() == (0, 4)  # back on the index, the post in hand still counts
    assert counts(answer(ana, campaign, "no")) == (1, 3)
    assert counts(answer(ana, campaign, "no")) == (2, 2)
    undone = ana.post(f"/etiquetado/campanas/{campaign.pk}/deshacer/", follow=True)
    assert counts(undone) == (1, 3) and index() == (1, 3)  # the reopened post and the one that was on screen
    after = answer(ana, campaign, "no")
    assert counts(after) == (2, 2)
    skipped = ana.post(f"/etiquetado/campanas/{campaign.pk}/saltar/", {"assignment": after.context["assignment"].pk},
                       follow=True)
    assert counts(skipped) == (2, 1)  # a skipped post is not offered again
    assert counts(answer(ana, campaign, "yes", ("edad",))) == (3, 0) and index() == (3, 0)


def test_skip_and_undo(client, roles):
    campaign = campaign_of(["a", "b"], k=1)
    ana = client_for(client, member("ana", ANNOTATORS))
    answer(ana, campaign, "yes", ("religion",), comment="mocho")
    undone = ana.post(f"/etiquetado/campanas/{campaign.pk}/deshacer/", follow=True)
    assert undone.context["assignment"].item.tweet.text == "a"
    form = undone.context["form"]
    assert (form.initial["answer"], form.initial["categories"], form.initial["comment"]) == ("yes", ["religion"], "mocho")
    assert Annotation.objects.count() == 0
    skipped = ana.post(f"/etiquetado/campanas/{campaign.pk}/saltar/", {"assignment": undone.context["assignment"].pk},
                       follow=True)
    assert skipped.context["assignment"].item.tweet.text == "b"
    answer(ana, campaign, "no")
    empty = ana.get(f"/etiquetado/campanas/{campaign.pk}/")
    assert empty.context["assignment"] is None and 'data-testid="empty-state"' in empty.content.decode()


def test_a_disagreement_goes_to_review_and_the_decision_becomes_a_training_label(client, roles):
    campaign = campaign_of(["Eres un naco"], k=2)
    answer(client_for(client, member("ana", ANNOTATORS)), campaign, "yes", ("apariencia",))
    answer(client_for(client, member("beto", ANNOTATORS)), campaign, "no")
    item = CampaignItem.objects.get()
    assert item.status == "disputed"
    reviewer = client_for(client, member("rita", REVIEWERS))
    queue = reviewer.get("/etiquetado/revision/")
    assert "Eres un naco" in queue.content.decode()
    detail = reviewer.get(f"/etiquetado/revision/{item.pk}/").content.decode()
    assert "ana" in detail and "beto" in detail and "Apariencia" in detail  # reviewers see every answer
    reviewer.post(f"/etiquetado/revision/{item.pk}/", {"answer": "yes", "categories": ["apariencia"]})
    label = LabeledText.objects.get(source="annotators")
    assert label.labels == ["discriminatory", "apariencia"]
    assert "No hay desacuerdos pendientes" in reviewer.get("/etiquetado/revision/").content.decode()


def test_the_coordinator_sees_the_figures_and_downloads_them(client, roles):
    campaign = campaign_of(["uno", "dos", "tres", "cuatro"], k=2)
    ana, beto = member("ana", ANNOTATORS), member("beto", ANNOTATORS)
    for who, answers in ((ana, ["yes", "no", "yes", "no"]), (beto, ["yes", "no", "no", "no"])):
        page = client_for(client, who)
        for value in answers:
            answer(page, campaign, value, ("genero",) if value == "yes" else ())
    disputed = CampaignItem.objects.get(status="disputed")
    client_for(client, member("rita", REVIEWERS)).post(f"/etiquetado/revision/{disputed.pk}/",
                                                       {"answer": "yes", "categories": ["genero"]})
    coordinator = client_for(client, member("coco", COORDINATORS))
    report = coordinator.get(f"/etiquetado/campanas/{campaign.pk}/metricas/")
    question = report.context["report"].questions[0]
    assert question.percent == 0.75  # 3 of 4 posts agree
    # Cohen's kappa by hand: p_o = 3/4; Ana says yes 2/4, Beto 1/4, so p_e = 2/4·1/4 + 2/4·3/4 = 1/2; (3/4 − 1/2)/(1/2) = 0.5.
    assert question.mean_kappa == pytest.approx(0.5)
    assert "75.0 %" in report.content.decode()
    table = list(csv.DictReader(io.StringIO(coordinator.get(f"/etiquetado/campanas/{campaign.pk}/metricas/anotadores.csv")
                                            .content.decode())))
    # Every post is settled now (3 by agreement, 1 by the reviewer, who sided with Ana).
    assert [(row["anotador"], row["respondidas"], row["acuerdo_consenso"]) for row in table] == [
        ("ana", "4", "1.0"), ("beto", "4", "0.75")]
    lines = b"".join(coordinator.get(f"/etiquetado/campanas/{campaign.pk}/exportar/anotaciones.jsonl").streaming_content)
    rows = [json.loads(line) for line in lines.decode().splitlines()]
    assert len(rows) == 8 and {row["annotator"] for row in rows} == {"ana", "beto"}
    settled = b"".join(coordinator.get(f"/etiquetado/campanas/{campaign.pk}/exportar/resueltas.csv").streaming_content)
    assert len(list(csv.DictReader(io.StringIO(settled.decode())))) == 4


def test_undo_reopens_a_post_the_answers_settled_and_takes_back_its_training_label(client, roles):
    campaign = campaign_of(["Eres un naco"], k=2)
    answer(client_for(client, member("ana", ANNOTATORS)), campaign, "yes", ("apariencia",))
    beto = client_for(client, member("beto", ANNOTATORS))
    answer(beto, campaign, "yes", ("apariencia",))
    assert CampaignItem.objects.get().status == "settled" and LabeledText.objects.filter(source="annotators").exists()
    undone = beto.post(f"/etiquetado/campanas/{campaign.pk}/deshacer/", follow=True)
    assert undone.context["assignment"].item.tweet.text == "Eres un naco"
    assert CampaignItem.objects.get().status == "open" and not LabeledText.objects.filter(source="annotators").exists()
    answer(beto, campaign, "no")
    assert CampaignItem.objects.get().status == "disputed"


def test_a_reviewers_decision_is_not_undone_by_an_annotator(client, roles):
    campaign = campaign_of(["Eres un naco"], k=2)
    ana = member("ana", ANNOTATORS)
    answer(client_for(client, ana), campaign, "yes", ("apariencia",))
    answer(client_for(client, member("beto", ANNOTATORS)), campaign, "no")
    item = CampaignItem.objects.get()
    client_for(client, member("rita", REVIEWERS)).post(f"/etiquetado/revision/{item.pk}/", {"answer": "no"})
    page = client_for(client, ana).post(f"/etiquetado/campanas/{campaign.pk}/deshacer/", follow=True)
    assert "No hay nada que deshacer" in page.content.decode()
    assert CampaignItem.objects.get().final_answer == "no" and Annotation.objects.count() == 2


def test_pre_annotation_shows_the_active_models_estimate_only_when_the_campaign_asks(client, roles):

    version = ModelVersionFactory.create(task="discrimination", version=3, status="active")
    blind = campaign_of(["Eres un naco"], k=1)
    PredictionFactory.create(tweet=blind.items.get().tweet, model_version=version,
                              scores={"discriminatory": 0.83}, discriminatory=True)
    ana = client_for(client, member("ana", ANNOTATORS))
    assert "83.0 %" not in ana.get(f"/etiquetado/campanas/{blind.pk}/").content.decode()
    blind.pre_annotation = True
    blind.save(update_fields=["pre_annotation"])
    hinted = ana.get(f"/etiquetado/campanas/{blind.pk}/").content.decode()
    assert "El modelo v3 estima 83.0 % de probabilidad" in hinted


def test_guidelines_are_markdown_without_scripts(client, roles):
    campaign = campaign_of([], guidelines="## Género\n\n**Misoginia**: insultos a mujeres.<script>alert(1)</script>")
    html = client_for(client, member("ana", ANNOTATORS)).get(f"/etiquetado/campanas/{campaign.pk}/guia/").content.decode()
    assert "<h2>Género</h2>" in html and "<strong>Misoginia</strong>" in html
    assert "<script>alert" not in html
