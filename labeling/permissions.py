"""Permissions read from the cache: every labeling page checks a role, and annotators load many pages.

Django's `ModelBackend` reads a user's permissions with two queries on every
request (user permissions and group permissions). `CachedModelBackend` keeps
the answer in the cache for `PERMISSIONS_TTL` seconds, and the signals below
forget it as soon as an admin changes a user's groups or permissions, or a
group's permissions, so a role change applies on the next page.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

PERMISSIONS_TTL = 60


def _key(user_id: int, joined) -> str:  # noqa: ANN001 (a datetime)
    # The join time makes the key unique to this user even if a database is recreated and ids start again.
    return f"auth:perms:{user_id}:{joined.timestamp() if joined else 0}"


class CachedModelBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):  # noqa: ANN001, ANN201 (Django's signature)
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            key = _key(user_obj.pk, getattr(user_obj, "date_joined", None))
            found = cache.get(key)
            if found is None:
                found = super().get_all_permissions(user_obj)
                cache.set(key, found, PERMISSIONS_TTL)
            user_obj._perm_cache = set(found)
        return user_obj._perm_cache


def permissions_forget(user_ids) -> None:  # noqa: ANN001 (any iterable of ids)
    joined = get_user_model().objects.filter(pk__in=list(user_ids)).values_list("pk", "date_joined")
    cache.delete_many([_key(pk, when) for pk, when in joined])


@receiver(m2m_changed, sender=get_user_model().groups.through)
@receiver(m2m_changed, sender=get_user_model().user_permissions.through)
def _user_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:  # noqa: ANN001
    if not action.startswith("post_"):
        return
    if isinstance(instance, Group):  # group.user_set.add(...): the users are in pk_set
        permissions_forget(pk_set or instance.user_set.values_list("pk", flat=True))
    else:
        permissions_forget([instance.pk])


@receiver(m2m_changed, sender=Group.permissions.through)
def _group_changed(sender, instance, action, **kwargs) -> None:  # noqa: ANN001
    if action.startswith("post_") and isinstance(instance, Group):
        permissions_forget(instance.user_set.values_list("pk", flat=True))


@receiver(post_save, sender=get_user_model())
def _user_saved(sender, instance, **kwargs) -> None:  # noqa: ANN001 (is_active or is_superuser may have changed)
    cache.delete(_key(instance.pk, getattr(instance, "date_joined", None)))
