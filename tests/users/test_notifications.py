import dataclasses
import uuid

import pytest
from celery import current_app
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.utils import timezone

from apps.common.db import alias_for
from apps.eventbus.models import DeadLetter
from apps.eventbus.outbox import envelope_of, outbox_row
from apps.orders.interface import guest_order_link
from apps.users.models import CustomerEmail
from apps.users.services.notifications import (
    KEEP_SENT,
    LEASE,
    MAX_ATTEMPTS,
    RETRY_BASE,
    RETRY_MAX,
    email_deliver,
    emails_retry,
)
from apps.users.tasks import send_emails
from tests.users import factories

EXPECTED = {
    "confirmed": (
        "Your order is confirmed",
        "Please pay before 2026-11-24 03:15 UTC",
    ),
    "failed": ("We could not take your order", ": out of stock."),
    "paid": ("Thank you for your payment", "payment of 42.50 EUR for order"),
    "shipped": (
        "Your order is on its way",
        "handed to DHL; the tracking number is JD0142",
    ),
    "delivered": ("Your order was delivered", "was delivered. Enjoy!"),
    "cancelled": ("Your order was cancelled", "was cancelled: cancelled by customer."),
    "refunded": ("Your payment was refunded", "we refunded 42.50 EUR for order"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_a_guest_order_event_mails_the_address_it_carries(kind, emit, customer):
    order_id = uuid.UUID("0b8a3c1e-1111-4222-8333-444455556666")
    event = dataclasses.replace(
        factories.lifecycle(customer, order_id)[kind],
        user_id=None,
        email="guest@example.com",
    )

    emit(event)

    [message] = mail.outbox
    subject, line = EXPECTED[kind]
    assert message.to == ["guest@example.com"]
    assert message.subject == f"{subject} (0b8a3c1e)"
    assert line in message.body and str(order_id) in message.body
    email = CustomerEmail.objects.get()
    assert email.user is None and email.to_address == "guest@example.com"
    assert guest_order_link(order_id=order_id) in message.body
    assert email.body == "(sent; the guest's order link is not kept)"
    assert email.html == ""


@pytest.mark.django_db
def test_a_customer_order_email_carries_no_guest_link(emit, customer):
    order_id = uuid.UUID("0b8a3c1e-1111-4222-8333-444455556666")

    emit(factories.lifecycle(customer, order_id)["confirmed"])

    [message] = mail.outbox
    assert "/guest/" not in message.body
    assert "Please pay before" in CustomerEmail.objects.get().body


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_each_order_event_mails_the_customer_once(kind, emit, redeliver, customer):
    customer.first_name = "Ada"
    customer.save()
    order_id = uuid.UUID("0b8a3c1e-1111-4222-8333-444455556666")
    event = factories.lifecycle(customer, order_id)[kind]

    envelope = emit(event)
    redelivered = redeliver(envelope)

    assert redelivered is False
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    subject, line = EXPECTED[kind]
    assert message.to == ["customer@example.com"]
    assert message.subject == f"{subject} (0b8a3c1e)"
    assert message.body.startswith("Hello Ada,\n\n")
    assert line in message.body
    assert str(order_id) in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert f"<h1>{subject}</h1>" in html
    assert str(order_id) in html
    assert DeadLetter.objects.using(alias_for("users")).count() == 0


@pytest.mark.django_db
def test_mail_leaves_only_after_the_handler_transaction_commits(
    emit, customer, django_capture_on_commit_callbacks, deliver_events
):
    from apps.eventbus.api import publish

    publish(factories.paid(customer))
    with django_capture_on_commit_callbacks(using=alias_for("users")) as callbacks:
        deliver_events()

        assert mail.outbox == []

    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_with_a_broker_a_handler_mails_from_its_own_worker_after_commit(
    customer, redeliver, settings, monkeypatch
):
    # The worker that handled the event sends at once: no second task per
    # e-mail (a web request's e-mail is handed over: test_enumeration).
    settings.EVENTS_DELIVERY = "celery"
    handed = []
    monkeypatch.setattr(
        current_app, "send_task", lambda name, **kw: handed.append(name)
    )
    envelope = envelope_of(outbox_row(factories.paid(customer)))

    assert redeliver(envelope) is True

    assert handed == []
    assert len(mail.outbox) == 1
    assert CustomerEmail.objects.get().sent_at is not None


@pytest.mark.django_db
def test_html_escapes_event_text(emit, customer):
    event = factories.lifecycle(customer, uuid.uuid4())["failed"]
    event = type(event)(order_id=event.order_id, user_id=customer.pk, reason="<b>x</b>")

    emit(event)

    [(html, _)] = mail.outbox[0].alternatives
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert ": <b>x</b>." in mail.outbox[0].body


@pytest.mark.django_db
def test_no_mail_for_inactive_or_unknown_customer(emit, customer):
    customer.is_active = False
    customer.save()
    ghost = type("Ghost", (), {"pk": uuid.uuid4()})()

    emit(factories.lifecycle(customer, uuid.uuid4())["shipped"])
    emit(factories.lifecycle(ghost, uuid.uuid4())["shipped"])

    assert mail.outbox == []
    assert DeadLetter.objects.using(alias_for("users")).count() == 0


def test_handlers_are_subscribed_for_every_lifecycle_event():
    from apps.eventbus import registry

    subscribed = {t for t in registry._handlers if "users" in registry.consumers_of(t)}

    assert subscribed == {f"orders.order.{kind}.v1" for kind in EXPECTED} | {
        "users.user.registered.v1"
    }


@pytest.fixture
def smtp_down(monkeypatch):
    def refuse(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(LocmemBackend, "send_messages", refuse)
    return monkeypatch


@pytest.mark.django_db
def test_a_mail_that_could_not_be_sent_is_retried_with_back_off_until_it_leaves(
    emit, customer, smtp_down
):
    emit(factories.lifecycle(customer, uuid.uuid4())["shipped"])
    [email] = CustomerEmail.objects.all()
    assert (mail.outbox, email.sent_at, email.attempts) == ([], None, 1)
    assert "Connection refused" in email.last_error
    first_retry = email.next_attempt_at  # one minute on
    assert first_retry - email.created_at >= RETRY_BASE

    assert emails_retry(now=first_retry)["sent"] == 0  # SMTP still down
    email.refresh_from_db()
    assert email.next_attempt_at - first_retry == 2 * RETRY_BASE  # backing off
    smtp_down.undo()
    assert emails_retry(now=first_retry)["retried"] == 0  # not due yet
    assert emails_retry(now=email.next_attempt_at) == {
        "retried": 1,
        "sent": 1,
        "pruned": 0,
    }
    assert emails_retry(now=email.next_attempt_at + RETRY_MAX)["retried"] == 0

    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith("Your order is on its way")
    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 3


@pytest.mark.django_db
def test_a_mail_being_sent_is_not_picked_up_by_another_sender(emit, customer):
    emit(factories.lifecycle(customer, uuid.uuid4())["shipped"])
    email = CustomerEmail.objects.get()
    CustomerEmail.objects.update(sent_at=None, next_attempt_at=timezone.now() + LEASE)

    assert email_deliver(email.pk) is False  # leased by another sender
    assert emails_retry()["retried"] == 0
    assert len(mail.outbox) == 1  # only the first send


@pytest.mark.django_db
def test_an_unexpected_error_is_recorded_and_the_batch_goes_on(
    emit, customer, other_customer, monkeypatch
):
    def broken(self, messages):
        if messages[0].to == ["customer@example.com"]:
            raise ValueError("bad header")
        return len(messages)

    monkeypatch.setattr(LocmemBackend, "send_messages", broken)
    emit(factories.lifecycle(customer, uuid.uuid4())["shipped"])
    emit(factories.lifecycle(other_customer, uuid.uuid4())["shipped"])

    later = timezone.now() + RETRY_MAX
    CustomerEmail.objects.update(sent_at=None, next_attempt_at=timezone.now())
    report = emails_retry(now=later)

    assert report == {"retried": 2, "sent": 1, "pruned": 0}
    failed = CustomerEmail.objects.get(to_address="customer@example.com")
    assert (failed.sent_at, failed.last_error) == (None, "bad header")


@pytest.mark.django_db
def test_retries_stop_after_the_last_attempt_and_sent_mail_is_pruned(
    emit, customer, smtp_down
):
    emit(factories.lifecycle(customer, uuid.uuid4())["shipped"])
    CustomerEmail.objects.update(attempts=MAX_ATTEMPTS)
    smtp_down.undo()
    later = timezone.now() + RETRY_MAX

    assert emails_retry(now=later)["retried"] == 0
    assert mail.outbox == []

    CustomerEmail.objects.update(attempts=0)
    emails_retry(now=later)
    assert len(mail.outbox) == 1
    assert emails_retry(now=later + KEEP_SENT)["pruned"] == 1
    assert not CustomerEmail.objects.exists()


def test_the_mail_job_runs_on_the_users_queue(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["users-send-emails"]
    assert entry["task"] == send_emails.name
    assert entry["options"] == {"queue": "users"}
