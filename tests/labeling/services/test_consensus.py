"""Agreement settles a post into the training table; disagreement goes to a reviewer, whose decision (or later correction) updates it."""
from __future__ import annotations

import pytest

from classifier.models import LabeledText
from labeling.models import Campaign
from labeling.services.assignment import annotation_submit, assignment_next
from labeling.services.consensus import item_adjudicate
from tests.factories import CampaignFactory, CampaignItemFactory, TweetFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    campaign = CampaignFactory.create(name="Prueba", status=Campaign.Status.RUNNING, annotators_per_item=2)
    tweet = TweetFactory(text="Pinche naco", platform_id="t-1")
    item = CampaignItemFactory.create(campaign=campaign, tweet=tweet)
    users = [UserFactory.create(username=name, password="x-clave-123").pk for name in ("ana", "beto", "rita")]
    return campaign, item, users


def answer(campaign, user, value, categories=()):  # noqa: ANN001, ANN201
    assignment = assignment_next(campaign=campaign, annotator_id=user)
    return annotation_submit(assignment_id=assignment.pk, annotator_id=user, answer=value, categories=list(categories))


def test_agreement_settles_the_post_into_a_training_label(setup):
    campaign, item, (ana, beto, _) = setup
    answer(campaign, ana, "yes", ["apariencia"])
    item.refresh_from_db()
    assert item.status == "open" and not LabeledText.objects.exists()  # one answer of two: nothing yet
    answer(campaign, beto, "yes", ["apariencia"])
    item.refresh_from_db()
    assert (item.status, item.final_answer, item.final_categories, item.settled_by_id) == ("settled", "yes", ["apariencia"], None)
    row = LabeledText.objects.get()
    assert (row.task, row.source, row.external_id, row.text, row.labels) == (
        "discrimination", "annotators", "t-1", "Pinche naco", ["discriminatory", "apariencia"]
    )


@pytest.mark.parametrize(("second", "categories"), [("no", []), ("yes", ["edad"]), ("unsure", [])])
def test_any_disagreement_or_unsure_goes_to_the_reviewer(setup, second, categories):
    campaign, item, (ana, beto, rita) = setup
    answer(campaign, ana, "yes", ["apariencia"])
    answer(campaign, beto, second, categories)
    item.refresh_from_db()
    assert item.status == "disputed" and not LabeledText.objects.exists()
    item_adjudicate(item_id=item.pk, reviewer_id=rita, answer="yes", categories=["apariencia", "edad"])
    item.refresh_from_db()
    assert (item.status, item.settled_by_id) == ("settled", rita)
    assert LabeledText.objects.get().labels == ["discriminatory", "apariencia", "edad"]


def test_a_later_correction_updates_the_same_training_row(setup):
    campaign, item, (ana, beto, rita) = setup
    answer(campaign, ana, "no")
    answer(campaign, beto, "no")
    assert LabeledText.objects.get().labels == []
    item_adjudicate(item_id=item.pk, reviewer_id=rita, answer="yes", categories=["apariencia"])
    assert LabeledText.objects.count() == 1
    assert LabeledText.objects.get().labels == ["discriminatory", "apariencia"]
    with pytest.raises(ValueError):
        item_adjudicate(item_id=item.pk, reviewer_id=rita, answer="unsure", categories=[])


def test_a_settled_demo_post_trains_as_demo_data_not_as_real_judgements(setup):
    """The demo replay's posts are synthetic: their labels join the demo's rows, which training sets aside once
    real data exists, and never overwrite a demo corpus row with the same id."""
    from ingestion.services.demo import demo_source_get_or_create

    campaign, item, (ana, beto, _) = setup
    demo_source, _ = demo_source_get_or_create()
    item.tweet.source = demo_source
    item.tweet.save(update_fields=["source"])
    corpus_row = LabeledText.objects.create(task="discrimination", source="demo", external_id="t-1", text="Pinche naco", labels=[])
    answer(campaign, ana, "yes", ["apariencia"])
    answer(campaign, beto, "yes", ["apariencia"])
    row = LabeledText.objects.exclude(pk=corpus_row.pk).get()
    assert (row.source, row.external_id, row.labels) == ("demo", "annotators:t-1", ["discriminatory", "apariencia"])
    assert not LabeledText.objects.filter(source="annotators").exists()
    corpus_row.refresh_from_db()
    assert corpus_row.labels == []
