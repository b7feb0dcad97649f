"""Permissions come from the cache, and a role change applies on the next page all the same."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from labeling.roles import ANNOTATORS, REVIEWERS, roles_sync
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def fresh(user):  # noqa: ANN001, ANN201 (a new instance: Django keeps permissions on the instance too)
    return get_user_model().objects.get(pk=user.pk)


def test_a_second_page_reads_no_permission_tables_and_a_role_change_applies_at_once():
    roles_sync()
    user = UserFactory.create(username="ana", password="x-clave-123")
    user.groups.add(Group.objects.get(name=ANNOTATORS))
    assert fresh(user).has_perm("labeling.annotate") and not fresh(user).has_perm("labeling.adjudicate")
    with CaptureQueriesContext(connection) as queries:
        assert fresh(user).has_perm("labeling.annotate")
    assert not [q for q in queries if "auth_permission" in q["sql"]]  # only the user's own row was read
    user.groups.add(Group.objects.get(name=REVIEWERS))  # made a reviewer in the admin
    assert fresh(user).has_perm("labeling.adjudicate")
    Group.objects.get(name=REVIEWERS).permissions.remove(Permission.objects.get(codename="adjudicate"))
    assert not fresh(user).has_perm("labeling.adjudicate")
    user.groups.clear()
    assert not fresh(user).has_perm("labeling.annotate")
