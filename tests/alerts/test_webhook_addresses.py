"""A user's webhook is never posted inside the server's own network, whatever name points there."""
from __future__ import annotations

import pytest

from alerts.models import Message, Subscription
from alerts.services.deliveries import message_deliver
from tests.alerts.factories import MessageFactory, SubscriptionFactory
from tests.alerts.servers import HttpServer
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_users_webhook_whose_name_resolves_inside_is_refused_at_once_and_never_posted():
    user = UserFactory.create(is_staff=False)
    with HttpServer() as server:
        # "localhost" passes no form here (the row is written directly), as a public name resolving inside would.
        address = server.url.replace("127.0.0.1", "localhost") + "/hook"
        subscription = SubscriptionFactory.create(channel=Subscription.Channel.WEBHOOK, address=address, owner=user)
        message = MessageFactory.create(subscription=subscription)

        outcome = message_deliver(message_id=message.pk)

    assert outcome.status == "failed"
    assert server.received == []
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and message.attempts == 1
    assert "red interna" in message.last_error and "localhost" in message.last_error


def test_staff_may_send_to_an_internal_address():
    staff = UserFactory.create(is_staff=True)
    with HttpServer() as server:
        subscription = SubscriptionFactory.create(channel=Subscription.Channel.WEBHOOK, address=f"{server.url}/hook",
                                                  owner=staff)
        message = MessageFactory.create(subscription=subscription)

        assert message_deliver(message_id=message.pk).status == "sent"

    assert len(server.received) == 1
