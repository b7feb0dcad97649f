"""Roles are groups with exactly the permissions their work needs."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from labeling.roles import ANNOTATORS, COORDINATORS, REVIEWERS, roles_sync
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def member_of(group: str):  # noqa: ANN201
    user = UserFactory.create(username=f"u-{group}", password="x-clave-123")
    user.groups.add(Group.objects.get(name=group))
    return get_user_model().objects.get(pk=user.pk)  # fresh: permissions are cached per instance


def test_each_role_can_do_its_work_and_no_more():
    roles_sync()  # also run after migrate; running it again changes nothing
    annotator, reviewer, coordinator = member_of(ANNOTATORS), member_of(REVIEWERS), member_of(COORDINATORS)
    assert annotator.has_perm("labeling.annotate") and not annotator.has_perm("labeling.adjudicate")
    assert not annotator.has_perm("labeling.view_annotation") and not annotator.is_staff
    assert reviewer.has_perm("labeling.adjudicate") and not reviewer.has_perm("labeling.coordinate")
    assert coordinator.has_perm("labeling.coordinate") and coordinator.has_perm("labeling.add_campaign")
    assert Group.objects.filter(name__in=[ANNOTATORS, REVIEWERS, COORDINATORS]).count() == 3
