"""Role rules a reviewer or annotator would notice: what the review page opens, what a decision may settle,
whose guidelines an annotator may read."""
from __future__ import annotations

import pytest

from classifier.models import LabeledText
from labeling.models import Campaign, CampaignItem
from labeling.roles import ANNOTATORS, COORDINATORS, REVIEWERS
from labeling.services.consensus import AdjudicationRefused, item_adjudicate
from tests.factories import CampaignFactory, CampaignItemFactory, TweetFactory
from tests.labeling.test_views import answer, campaign_of, client_for, member, roles  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_reviewer_cannot_open_or_settle_a_post_still_being_answered(client, roles):  # noqa: F811
    campaign = campaign_of(["Eres un naco"], k=2)
    rita = member("rita", REVIEWERS)
    answer(client_for(client, rita), campaign, "yes", ("apariencia",), comment="lo dice con desprecio")
    item = CampaignItem.objects.get()
    assert item.status == "open"
    page = client.get(f"/etiquetado/revision/{item.pk}/")
    assert page.status_code == 404 and "desprecio" not in page.content.decode()
    refused = client.post(f"/etiquetado/revision/{item.pk}/", {"answer": "no"})
    assert refused.status_code == 404
    item.refresh_from_db()
    assert item.status == "open" and not LabeledText.objects.exists()


@pytest.mark.parametrize("status", [Campaign.Status.DRAFT, Campaign.Status.PAUSED, Campaign.Status.FINISHED])
def test_a_reviewer_cannot_settle_a_post_of_a_campaign_not_running(client, roles, status):  # noqa: F811
    campaign = CampaignFactory.create(name="Borrador", status=status)
    item = CampaignItemFactory.create(campaign=campaign, tweet=TweetFactory.create(text="Texto"),
                                      status=CampaignItem.Status.DISPUTED)
    rita = member("rita", REVIEWERS)
    reviewer = client_for(client, rita)
    assert "Texto" not in reviewer.get("/etiquetado/revision/").content.decode()
    assert reviewer.get(f"/etiquetado/revision/{item.pk}/").status_code == 404
    assert reviewer.post(f"/etiquetado/revision/{item.pk}/", {"answer": "no"}).status_code == 404
    with pytest.raises(AdjudicationRefused):
        item_adjudicate(item_id=item.pk, reviewer_id=rita.pk, answer="no", categories=[])
    assert not LabeledText.objects.exists()


def test_the_same_post_of_a_running_campaign_is_listed_opened_and_settled(client, roles):  # noqa: F811
    campaign = CampaignFactory.create(name="En curso", status=Campaign.Status.RUNNING)
    item = CampaignItemFactory.create(campaign=campaign, tweet=TweetFactory.create(text="Texto"),
                                      status=CampaignItem.Status.DISPUTED)
    reviewer = client_for(client, member("rita", REVIEWERS))
    assert "Texto" in reviewer.get("/etiquetado/revision/").content.decode()
    assert reviewer.get(f"/etiquetado/revision/{item.pk}/").status_code == 200
    assert reviewer.post(f"/etiquetado/revision/{item.pk}/", {"answer": "no"}).status_code == 302
    assert LabeledText.objects.count() == 1


def test_the_service_refuses_an_untouched_post(roles):  # noqa: F811
    item = CampaignItem.objects.get(pk=campaign_of(["Nadie lo ha visto"]).items.get().pk)
    with pytest.raises(AdjudicationRefused):
        item_adjudicate(item_id=item.pk, reviewer_id=1, answer="yes", categories=["edad"])
    item.refresh_from_db()
    assert item.status == "open"


def test_annotators_read_guidelines_of_running_campaigns_only(client, roles):  # noqa: F811
    draft = CampaignFactory.create(name="Secreta", status=Campaign.Status.DRAFT, guidelines="Borrador interno")
    running = campaign_of([], guidelines="Guía pública")
    ana = client_for(client, member("ana", ANNOTATORS))
    assert "Guía pública" in ana.get(f"/etiquetado/campanas/{running.pk}/guia/").content.decode()
    assert ana.get(f"/etiquetado/campanas/{draft.pk}/guia/").status_code == 404
    coordinator = client_for(client, member("cora", COORDINATORS))
    assert "Borrador interno" in coordinator.get(f"/etiquetado/campanas/{draft.pk}/guia/").content.decode()
