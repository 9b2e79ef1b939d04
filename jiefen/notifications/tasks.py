"""Delivery tasks: thin wrappers over services."""

from __future__ import annotations

from celery import shared_task

from jiefen.notifications import services


@shared_task(bind=True, acks_late=True, ignore_result=True)
def deliver_message(self, message_id: int) -> str:
    outcome = services.outbox_deliver(message_id=message_id)
    if outcome.retry_in is not None and not self.request.is_eager:
        # A worker schedules its own retry; in-process (eager) runs leave it to the sweep.
        deliver_message.apply_async((message_id,), countdown=outcome.retry_in)
    return outcome.status


@shared_task(bind=True, acks_late=True, ignore_result=True)
def deliver_messages(self, message_ids: list[int]) -> int:
    """The messages of one transaction (a group of registrations, an import chunk), queued with
    one hand-over to the broker; each is sent once and retried on its own."""
    sent = 0
    for message_id in message_ids:
        outcome = services.outbox_deliver(message_id=message_id)
        if outcome.retry_in is not None and not self.request.is_eager:
            deliver_message.apply_async((message_id,), countdown=outcome.retry_in)
        sent += outcome.status == services.MessageStatus.SENT
    return sent


@shared_task(ignore_result=True)
def deliver_due() -> int:
    """Periodic sweep (beat): everything pending whose time has come. Idempotent."""
    return services.outbox_deliver_due()
