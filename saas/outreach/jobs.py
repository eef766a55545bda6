"""Outbox jobs: send one message; every minute, send what is due and free stale claims."""

from __future__ import annotations

import datetime as dt
import uuid

from saas.jobs import enqueue, periodic
from saas.outreach.sending import deliver, sweep


def send_message(tenant_id: uuid.UUID, message_id: str) -> str:
    """Send one outbound message (idempotent: a second run finds it taken or done)."""
    return deliver(uuid.UUID(message_id))


@periodic("outbox", every=dt.timedelta(minutes=1))
def send_due(tenant_id: uuid.UUID, slot: int) -> int:
    """Enqueue every message due now: quiet hours over, backoff waited, stale claims freed."""
    due = sweep()
    for message_id in due:
        enqueue(send_message, tenant_id, str(message_id), job_id=f"outbox-due-{message_id}-{slot}")
    return len(due)
