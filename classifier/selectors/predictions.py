"""Reads of stored predictions: filtering by a predicted category."""
from __future__ import annotations

from django.db import connection
from django.db.models import Q


def predicted_category_q(*, field: str, slug: str) -> Q:
    """Rows whose predicted categories (the JSON list `field`) include `slug`.

    PostgreSQL tests containment (`@>`); SQLite (the embedded mode) has no JSON
    containment, so it looks for the quoted slug in the list's text, which is
    exact because a slug cannot contain a quote.
    """
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__contains": [slug]})
    return Q(**{f"{field}__icontains": f'"{slug}"'})
