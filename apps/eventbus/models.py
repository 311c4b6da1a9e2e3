"""Outbox, inbox and dead letters. These tables exist in every app database:
the outbox beside the publisher's data, the inbox beside the consumer's."""

import uuid

from django.db import models


class OutboxEvent(models.Model):
    """An event written in the publisher's transaction; sent after commit."""

    event_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    event_type = models.CharField(max_length=200)
    version = models.PositiveSmallIntegerField()
    producer = models.CharField(max_length=50)
    occurred_at = models.DateTimeField()
    correlation_id = models.CharField(max_length=128, blank=True)
    causation_id = models.CharField(max_length=128, blank=True)
    payload = models.JSONField()
    trace_context = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["id"],
                name="eventbus_outbox_unsent",
                condition=models.Q(sent_at__isnull=True),
            ),
            models.Index(
                fields=["event_type", "created_at"], name="eventbus_outbox_type"
            ),
        ]

    def __str__(self):
        return f"{self.event_type} {self.event_id}"


class InboxRecord(models.Model):
    """Proof that `consumer` applied `event_id`; written with the handler's effect."""

    consumer = models.CharField(max_length=50)
    event_id = models.UUIDField()
    event_type = models.CharField(max_length=200)
    handled_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["consumer", "event_id"], name="eventbus_inbox_once"
            )
        ]

    def __str__(self):
        return f"{self.consumer} <- {self.event_type} {self.event_id}"


class DeadLetter(models.Model):
    """An event a consumer could not apply after every attempt, kept for replay."""

    consumer = models.CharField(max_length=50)
    event_id = models.UUIDField()
    event_type = models.CharField(max_length=200)
    envelope = models.JSONField()
    error = models.TextField()
    attempts = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    replayed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.consumer} x {self.event_type} {self.event_id}"
