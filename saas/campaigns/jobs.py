"""Campaign jobs: advance a campaign a batch at a time, send a batch, the minute pass."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa

from saas.campaigns.models import Campaign, CampaignEnrollment
from saas.campaigns.runner import BATCH, run_batch
from saas.campaigns.service import get_campaign
from saas.extensions import db
from saas.ids import new_id
from saas.jobs import enqueue, periodic
from saas.outreach.outbox import dispatch_messages
from saas.outreach.sending import deliver_many
from saas.timeutil import utcnow

# Runner jobs started at launch: each claims its own batches (SKIP LOCKED), so
# as many workers as this can render and write at once.
LAUNCH_FANOUT = 2


def send_messages(tenant_id: uuid.UUID, message_ids: list[str]) -> int:
    """Send a batch of outbound messages together; how many were sent.

    :func:`saas.outreach.sending.deliver_many` claims them in one statement, hands
    them to the channel's plugin (in batches when it can take them) and records
    every fate, so a message already taken or sent is skipped: a re-run never
    sends twice.
    """
    fates = deliver_many([uuid.UUID(ident) for ident in message_ids])
    return sum(fate == "sent" for fate in fates.values())


def advance_campaign(tenant_id: uuid.UUID, campaign_id: str, now: str | None = None) -> int:
    """Advance one batch of the campaign's due enrollments; chain another while full."""
    moment = dt.datetime.fromisoformat(now) if now else utcnow()
    campaign = get_campaign(uuid.UUID(campaign_id))
    if campaign is None:
        return 0
    outcome = run_batch(campaign, moment)
    if outcome.to_send:
        enqueue(send_messages, tenant_id, [str(i) for i in outcome.to_send])
    dispatch_messages(outcome.scheduled)
    if outcome.advanced >= BATCH:
        enqueue(advance_campaign, tenant_id, campaign_id, now,
                job_id=f"campaign-advance-{campaign_id}-{new_id()}")
    return outcome.advanced


def start_runner(tenant_id: uuid.UUID, campaign_id: uuid.UUID,
                 now: dt.datetime | None = None) -> None:
    """Enqueue the runner jobs of a campaign just launched or resumed."""
    for _ in range(LAUNCH_FANOUT):
        enqueue(advance_campaign, tenant_id, str(campaign_id),
                now.isoformat() if now else None,
                job_id=f"campaign-advance-{campaign_id}-{new_id()}")


@periodic("campaigns", every=dt.timedelta(minutes=1))
def advance_due(tenant_id: uuid.UUID, slot: int) -> int:
    """Every minute: start a runner for each running campaign with a step due."""
    now = utcnow()
    due = db.session.scalars(sa.select(Campaign.id).where(
        Campaign.state == "running",
        sa.exists().where(CampaignEnrollment.campaign_id == Campaign.id,
                          CampaignEnrollment.state == "active",
                          CampaignEnrollment.next_step_at <= now))).all()
    for campaign_id in due:
        enqueue(advance_campaign, tenant_id, str(campaign_id),
                job_id=f"campaign-advance-{campaign_id}-slot-{slot}")
    return len(due)
