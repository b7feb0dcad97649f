"""The "Mis alertas" page: a signed-in user's subscriptions, a form to add one, and each one's actions.

Views are thin: they read the user's own rows through the selectors (anyone
else's id is a 404), call one service and redirect, so a reload never posts
twice. A webhook's secret is shown once, on the page the creation leads to.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from alerts.forms import SubscriptionForm
from alerts.models import Subscription
from alerts.selectors.subscriptions import (
    sources_watchable,
    subscription_of_user_get,
    subscriptions_of_user,
)
from alerts.services.subscriptions import (
    SUBSCRIPTIONS_PER_USER,
    SubscriptionRefused,
    TestRefused,
    subscription_create,
    subscription_delete,
    subscription_pause,
    subscription_resume,
    subscription_secret_renew,
    subscription_test_send,
    telegram_enabled,
)
from dashboard.selectors.semaforo import categories_active

NEW_SECRET_KEY = "alerts_new_secret"  # the session remembers which subscription's secret to show, once


def _user_id(request: HttpRequest) -> int:
    return int(request.user.pk or 0)


def _own(request: HttpRequest, pk: int) -> Subscription:
    try:
        return subscription_of_user_get(user_id=_user_id(request), subscription_id=pk)
    except Subscription.DoesNotExist:
        raise Http404(_("No tienes esa alerta.")) from None


def _form(request: HttpRequest) -> SubscriptionForm:
    return SubscriptionForm(
        request.POST if request.method == "POST" else None,
        initial={"email": getattr(request.user, "email", "")},
        categories=categories_active(), sources=sources_watchable(), internal_allowed=request.user.is_staff,
    )


def _to_list(pk: int | None = None) -> HttpResponse:
    return redirect(reverse("alerts:subscriptions") + (f"#alerta-{pk}" if pk else ""))


@login_required
@require_http_methods(["GET", "POST"])
def subscriptions(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    if request.method == "POST" and form.is_valid():
        try:
            created = subscription_create(owner_id=_user_id(request), spec=form.spec())
        except SubscriptionRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("Alerta creada: %(name)s.") % {"name": created.series_name})
            if created.channel == Subscription.Channel.WEBHOOK:
                request.session[NEW_SECRET_KEY] = created.pk
            return _to_list(created.pk)
    rows = subscriptions_of_user(user_id=_user_id(request))
    new_secret = request.session.pop(NEW_SECRET_KEY, None) if request.method == "GET" else None
    context = {
        "rows": rows, "form": form, "new_secret_id": new_secret, "limit": SUBSCRIPTIONS_PER_USER,
        "at_limit": len(rows) >= SUBSCRIPTIONS_PER_USER, "telegram": telegram_enabled(),
    }
    return render(request, "alerts/subscriptions.html", context)


@login_required
@require_POST
def pause(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = subscription_pause(subscription=_own(request, pk))
    messages.success(request, _("Alerta en pausa: %(name)s. No recibirás avisos hasta reanudarla.") % {
        "name": subscription.series_name})
    return _to_list(pk)


@login_required
@require_POST
def resume(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = subscription_resume(subscription=_own(request, pk))
    messages.success(request, _("Alerta reanudada: %(name)s.") % {"name": subscription.series_name})
    return _to_list(pk)


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = _own(request, pk)
    if request.method == "GET":
        return render(request, "alerts/subscription_delete.html", {"subscription": subscription})
    name = subscription.series_name
    subscription_delete(subscription=subscription)
    messages.success(request, _("Alerta borrada: %(name)s.") % {"name": name})
    return _to_list()


@login_required
@require_POST
def test_send(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = _own(request, pk)
    try:
        subscription_test_send(subscription=subscription)
    except TestRefused as refused:
        messages.warning(request, str(refused))
    else:
        messages.success(request, _("Enviado a la cola: la prueba de %(name)s sale en unos segundos.") % {
            "name": subscription.series_name})
    return _to_list(pk)


@login_required
@require_POST
def secret_renew(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = _own(request, pk)
    if subscription.channel != Subscription.Channel.WEBHOOK:
        raise Http404(_("Solo un webhook tiene secreto."))
    subscription_secret_renew(subscription=subscription)
    messages.success(request, _("Secreto nuevo para %(name)s: el anterior ya no firma los avisos.") % {
        "name": subscription.series_name})
    request.session[NEW_SECRET_KEY] = subscription.pk  # shown once, as on creation
    return _to_list(pk)


urlpatterns: list[URLPattern] = [
    path("alertas/", subscriptions, name="subscriptions"),
    path("alertas/<int:pk>/pausar/", pause, name="subscription_pause"),
    path("alertas/<int:pk>/reanudar/", resume, name="subscription_resume"),
    path("alertas/<int:pk>/borrar/", delete, name="subscription_delete"),
    path("alertas/<int:pk>/prueba/", test_send, name="subscription_test"),
    path("alertas/<int:pk>/secreto/", secret_renew, name="subscription_secret"),
]
