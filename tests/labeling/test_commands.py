"""Exports of a campaign's annotations and settled labels, as CSV and JSON lines."""
from __future__ import annotations

import csv
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from labeling.models import Campaign
from labeling.services.assignment import annotation_submit, assignment_next
from tests.factories import CampaignFactory, CampaignItemFactory, TweetFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign() -> Campaign:
    campaign = CampaignFactory.create(name="Export", status=Campaign.Status.RUNNING, annotators_per_item=2)
    CampaignItemFactory.create(campaign=campaign, tweet=TweetFactory.create(platform_id="t-9", text="Pinche naco"))
    for name in ("ana", "beto"):
        user = UserFactory.create(username=name, password="x-clave-123")
        assignment = assignment_next(campaign=campaign, annotator_id=user.pk)
        assert assignment is not None
        annotation_submit(assignment_id=assignment.pk, annotator_id=user.pk, answer="yes", categories=["apariencia"],
                          comment="clasismo", seconds=3.14)
    return campaign


def test_annotations_as_csv_and_labels_as_json_lines(campaign):
    out, err = StringIO(), StringIO()
    call_command("export_annotations", campaign.pk, stdout=out, stderr=err)
    rows = list(csv.DictReader(StringIO(out.getvalue())))
    assert [(r["platform_id"], r["annotator"], r["answer"], r["categories"], r["seconds"]) for r in rows] == [
        ("t-9", "ana", "yes", "apariencia", "3.1"), ("t-9", "beto", "yes", "apariencia", "3.1"),
    ]
    assert "2 filas" in err.getvalue()
    out = StringIO()
    call_command("export_annotations", campaign.pk, "--what", "labels", "--format", "jsonl", stdout=out, stderr=StringIO())
    (label,) = [json.loads(line) for line in out.getvalue().splitlines()]
    assert (label["platform_id"], label["text"], label["answer"], label["categories"], label["settled_by"]) == (
        "t-9", "Pinche naco", "yes", ["apariencia"], "acuerdo"
    )
    with pytest.raises(CommandError, match="No existe"):
        call_command("export_annotations", 999_999, stdout=StringIO(), stderr=StringIO())
