"""Next-item assignment: at most k annotators per post, never the same post twice to one annotator, under concurrency."""
from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connections

from labeling.models import Assignment, Campaign, CampaignItem
from labeling.services.assignment import assignment_next, assignment_skip
from tests.factories import CampaignFactory, CampaignItemFactory, TweetFactory, UserFactory


def campaign_with(items: int, *, k: int = 2) -> Campaign:
    campaign = CampaignFactory.create(name="Prueba", status=Campaign.Status.RUNNING, annotators_per_item=k)
    for i in range(items):
        CampaignItemFactory.create(campaign=campaign, tweet=TweetFactory.create(), priority=float(i % 3))
    return campaign


def annotators(n: int) -> list[int]:
    return [UserFactory.create(username=f"anotador{i}", password="x-clave-123").pk for i in range(n)]


@pytest.mark.django_db
def test_items_come_by_priority_and_a_reload_resumes_the_open_one():
    campaign = campaign_with(6)
    (ana,) = annotators(1)
    first = assignment_next(campaign=campaign, annotator_id=ana)
    assert first.item.priority == 2.0
    assert assignment_next(campaign=campaign, annotator_id=ana).pk == first.pk


@pytest.mark.django_db
def test_a_skipped_post_goes_to_others_but_never_back_to_its_annotator():
    campaign = campaign_with(1, k=1)
    ana, beto = annotators(2)
    held = assignment_next(campaign=campaign, annotator_id=ana)
    assert assignment_next(campaign=campaign, annotator_id=beto) is None  # the only place is taken
    assignment_skip(assignment=held)
    assignment_skip(assignment=held)  # a double click skips once
    assert CampaignItem.objects.get().taken == 0
    assert assignment_next(campaign=campaign, annotator_id=ana) is None
    assert assignment_next(campaign=campaign, annotator_id=beto).item_id == held.item_id


@pytest.mark.django_db(transaction=True)
def test_many_annotators_at_once_never_over_assign_or_repeat():
    """12 annotators in threads, each with its own PostgreSQL connection, label until nothing is left."""
    campaign = campaign_with(30, k=2)
    people = annotators(12)
    errors: list[BaseException] = []
    start = threading.Barrier(len(people))

    def work(annotator_id: int) -> None:
        try:
            start.wait()
            while (assignment := assignment_next(campaign=campaign, annotator_id=annotator_id)) is not None:
                Assignment.objects.filter(pk=assignment.pk).update(status=Assignment.Status.DONE)
        except BaseException as error:  # noqa: BLE001  (reported by the test thread)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    per_item = Counter(Assignment.objects.values_list("item_id", flat=True))
    assert len(per_item) == 30 and set(per_item.values()) == {2}  # every post exactly k times, none more
    pairs = Counter(Assignment.objects.values_list("item_id", "annotator_id"))
    assert max(pairs.values()) == 1
    assert set(CampaignItem.objects.values_list("taken", flat=True)) == {2}


@pytest.mark.django_db
def test_an_answer_closes_the_assignment_once_and_undo_reopens_it():
    from labeling.models import Annotation
    from labeling.services.assignment import AnswerRefused, annotation_submit, annotation_undo

    campaign = campaign_with(2)
    ana, beto = annotators(2)
    first = assignment_next(campaign=campaign, annotator_id=ana)
    with pytest.raises(AnswerRefused):  # not Beto's assignment
        annotation_submit(assignment_id=first.pk, annotator_id=beto, answer="yes", categories=[])
    saved = annotation_submit(assignment_id=first.pk, annotator_id=ana, answer="yes", categories=["genero", "edad", "genero"],
                              comment="insulto", seconds=4.2)
    assert (saved.categories, saved.seconds) == (["edad", "genero"], 4.2)
    with pytest.raises(AnswerRefused):  # a double submit records nothing more
        annotation_submit(assignment_id=first.pk, annotator_id=ana, answer="no", categories=[])
    no = annotation_submit(assignment_id=assignment_next(campaign=campaign, annotator_id=ana).pk, annotator_id=ana,
                           answer="no", categories=["genero"])
    assert no.categories == []  # categories only with "Sí"
    undone = annotation_undo(campaign=campaign, annotator_id=ana)
    assert (undone.answer, undone.categories) == ("no", [])  # the page shows the answer again for correction
    reopened = undone.assignment
    assert reopened.item_id == no.assignment.item_id and reopened.status == "assigned"
    assert Annotation.objects.count() == 1
    assert assignment_next(campaign=campaign, annotator_id=ana).pk == reopened.pk
