"""Scopes: a key may classify, read, or both; a logged-in browser session may do both."""
from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from .keys import KeyInfo


class HasScope(BasePermission):
    """The view's `required_scope` must be among the key's scopes."""

    def has_permission(self, request: Request, view: Any) -> bool:
        scope = getattr(view, "required_scope", None)
        if isinstance(request.auth, KeyInfo):
            if scope is None or scope in request.auth.scopes:
                return True
            self.message = _("La clave de API no tiene el permiso «%(scope)s».") % {"scope": scope}
            return False
        return bool(request.user and request.user.is_authenticated)
