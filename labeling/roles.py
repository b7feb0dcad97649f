"""The three roles of the labeling app, as Django groups with permissions (kept in sync after `migrate`).

* Anotadores: label posts (`labeling.annotate`), nothing else;
* Revisores: also settle disagreements (`labeling.adjudicate`);
* Coordinadores: also run campaigns, assignments, exports and metrics (`labeling.coordinate`
  and the admin permissions on campaigns).

Admins put people in these groups in the admin (Autenticación y autorización → Grupos).
"""
from __future__ import annotations

from django.contrib.auth.models import Group, Permission

ANNOTATORS = "Anotadores"
REVIEWERS = "Revisores"
COORDINATORS = "Coordinadores"

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    ANNOTATORS: ("annotate",),
    REVIEWERS: ("annotate", "adjudicate"),
    COORDINATORS: (
        "annotate", "adjudicate", "coordinate", "add_campaign", "change_campaign", "view_campaign",
        "view_campaignitem", "view_assignment", "view_annotation", "view_queuedtext", "change_queuedtext",
    ),
}


def roles_sync() -> None:
    """Create the groups and give each its permissions; permissions an admin added are kept."""
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="labeling", codename__in=codenames))
