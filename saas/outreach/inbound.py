"""What comes back: delivery receipts, bounces and replies from a channel's webhook.

* ``delivery`` marks the outbound message delivered; ``bounce``/``failed`` marks it failed.
* A ``reply`` is matched to the candidate by the message it answers
  (``in_reply_to`` / ``provider_message_id``: an e-mail's In-Reply-To is the
  Message-ID we sent), else by the sender's address through the blind indexes.
  A matched reply lands on the timeline as an inbound interaction (which runs the
  note insights), stops the candidate's active campaign enrollments (``replied``),
  honours unsubscribe keywords (a withdrawal on that channel) and, when it reads
  as interested, moves the candidate to ``re_engaged``.
* A reply nobody can be matched to is kept, encrypted under the tenant key, for
  admins to look at; nothing else happens.

Every event is stored once (``InboundMessage``, unique per channel and
``provider_event_id``): a provider sending the same event twice changes nothing.
A matched reply's words live in the timeline, under the candidate's own key.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid

import sqlalchemy as sa

from saas import audit
from saas.campaigns.models import CampaignEnrollment
from saas.candidates.contacts import ContactError, clean_phone
from saas.candidates.interactions import add_interaction
from saas.candidates.models import Candidate, CandidateContactKey
from saas.crypto.blind_index import blind_index, normalize_email
from saas.extensions import db
from saas.hooks.types import ChannelEvent
from saas.ids import new_id
from saas.outreach.models import InboundMessage, OutboundMessage
from saas.privacy.unsubscribe import record_reply_withdrawal, withdrawal_in_reply
from saas.timeutil import utcnow

# Interest, read from a reply (checked after the "not interested" cues, which win).
NOT_INTERESTED = ("不考虑", "不用了", "不感兴趣", "没兴趣", "没有兴趣", "不方便", "暂时不",
                  "no thanks", "no, thanks", "not interested", "not now", "no thank you")
INTERESTED = ("好的", "可以聊", "感兴趣", "方便", "什么时候", "有兴趣", "可以啊", "可以的")
INTERESTED_WORDS = re.compile(r"\b(yes|interested|let'?s talk|sounds good|happy to chat)\b")
# Statuses an interested reply moves to re_engaged (not past it, not out of bounds).
REENGAGEABLE = ("active", "offered", "stalled", "nurturing", "declined")
UUID_IN_TEXT = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


def read_interest(text: str | None) -> bool | None:
    """``True`` interested, ``False`` not interested, ``None`` when the reply doesn't say."""
    normalized = unicodedata.normalize("NFKC", text or "").casefold().replace("’", "'")
    if any(cue in normalized for cue in NOT_INTERESTED):
        return False
    if any(cue in normalized for cue in INTERESTED) or INTERESTED_WORDS.search(normalized):
        return True
    return None


def _outbound_for(channel: str, *refs: str | None) -> OutboundMessage | None:
    """The message a provider id (or an In-Reply-To carrying our id) refers to."""
    for ref in refs:
        if not ref:
            continue
        for candidate_ref in {ref.strip(), ref.strip().strip("<>")}:
            found = db.session.scalars(sa.select(OutboundMessage).where(
                OutboundMessage.channel == channel,
                OutboundMessage.provider_message_id == candidate_ref)).first()
            if found is not None:
                return found
        match = UUID_IN_TEXT.search(ref)
        if match:
            found = db.session.scalars(sa.select(OutboundMessage).where(
                OutboundMessage.id == uuid.UUID(match.group(0)))).first()
            if found is not None:
                return found
    return None


def sender_digests(channel: str, sender: str) -> list[tuple[str, str]]:
    """The blind-index keys a sender address may be filed under."""
    text = sender.strip()
    keys: list[tuple[str, str]] = []
    if "@" in text:
        address = text.rsplit("<", 1)[-1].rstrip(">") if "<" in text else text
        keys.append(("email", blind_index("email", normalize_email(address))))
    elif channel in ("sms", "phone"):
        try:
            keys.append(("phone", blind_index("phone", clean_phone(text))))
        except ContactError:
            return []
    elif channel == "wechat":
        keys.append(("wechat", blind_index("wechat", text.lower())))
    return keys


def candidate_by_sender(channel: str, sender: str | None) -> Candidate | None:
    if not sender:
        return None
    wanted = sender_digests(channel, sender)
    if not wanted:
        return None
    key = db.session.scalars(sa.select(CandidateContactKey).where(sa.or_(*(
        sa.and_(CandidateContactKey.kind == kind, CandidateContactKey.digest == digest)
        for kind, digest in wanted)))).first()
    if key is None:
        return None
    return db.session.scalars(sa.select(Candidate).where(Candidate.id == key.candidate_id)).first()


def _seen(channel: str, event_id: str) -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(InboundMessage).where(
        InboundMessage.channel == channel, InboundMessage.provider_event_id == event_id)) != 0


def stop_enrollments(candidate_id: uuid.UUID, at: dt.datetime) -> int:
    """A reply ends the candidate's active campaign sequences (state ``replied``)."""
    result = db.session.execute(sa.update(CampaignEnrollment).where(
        CampaignEnrollment.candidate_id == candidate_id, CampaignEnrollment.state == "active",
    ).values(state="replied", replied_at=at).execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _receipt(channel: str, event: ChannelEvent, kind: str, at: dt.datetime) -> InboundMessage:
    outbound = _outbound_for(channel, event.provider_message_id, event.in_reply_to)
    row = InboundMessage(id=new_id(), channel=channel, kind=kind,
                         provider_event_id=event.provider_event_id, received_at=at,
                         outbound_id=outbound.id if outbound else None,
                         candidate_id=outbound.candidate_id if outbound else None)
    if outbound is not None:
        if kind == "delivery" and outbound.state in ("sent", "sending"):
            outbound.state, outbound.delivered_at = "delivered", event.occurred_at or at
        elif kind == "bounce" and outbound.state in ("sent", "delivered", "sending"):
            outbound.state, outbound.last_error = "failed", "bounced"
    db.session.add(row)
    return row


def _reply(channel: str, event: ChannelEvent, at: dt.datetime) -> InboundMessage:
    outbound = _outbound_for(channel, event.in_reply_to, event.provider_message_id)
    candidate = None
    if outbound is not None:
        candidate = db.session.scalars(
            sa.select(Candidate).where(Candidate.id == outbound.candidate_id)).first()
    candidate = candidate or candidate_by_sender(channel, event.sender)
    text = (event.text or "").strip()
    row = InboundMessage(id=new_id(), channel=channel, kind="reply",
                         provider_event_id=event.provider_event_id, received_at=at,
                         outbound_id=outbound.id if outbound else None)
    if candidate is None or candidate.status == "erased":
        row.text = text  # unmatched: kept under the tenant key for admins
        db.session.add(row)
        audit.record("outreach.reply_unmatched", actor_kind="system", target_kind="inbound",
                     target_id=row.id, detail={"channel": channel})
        return row
    row.candidate_id = candidate.id
    row.interested = read_interest(text)
    db.session.add(row)
    if text:
        add_interaction(candidate, {"direction": "inbound", "channel": channel,
                                    "summary": text, "occurred_at": event.occurred_at or at})
    stopped = stop_enrollments(candidate.id, at)
    withdrew = withdrawal_in_reply(text)
    if withdrew:
        record_reply_withdrawal(candidate, channel)
    elif row.interested and candidate.status in REENGAGEABLE:
        candidate.status = "re_engaged"
        audit.record("candidate.re_engaged", actor_kind="system", target_kind="candidate",
                     target_id=candidate.id, detail={"inbound_id": str(row.id)})
    audit.record("outreach.reply", actor_kind="system", target_kind="inbound", target_id=row.id,
                 detail={"channel": channel, "candidate_id": str(candidate.id),
                         "interested": row.interested, "withdrawal": bool(withdrew),
                         "enrollments_stopped": stopped})
    return row


def apply_event(channel: str, event: ChannelEvent, *, now: dt.datetime | None = None,
                ) -> InboundMessage | None:
    """Apply one provider event; ``None`` when it was already applied (or unknown)."""
    moment = now or utcnow()
    if not event.provider_event_id or _seen(channel, event.provider_event_id):
        return None
    if event.kind == "reply":
        return _reply(channel, event, moment)
    if event.kind == "delivery":
        return _receipt(channel, event, "delivery", moment)
    if event.kind in ("bounce", "failed"):
        return _receipt(channel, event, "bounce", moment)
    return None


def unmatched_replies(limit: int = 100) -> list[InboundMessage]:
    """Replies nobody could be matched to, newest first (for admins)."""
    return list(db.session.scalars(sa.select(InboundMessage).where(
        InboundMessage.kind == "reply", InboundMessage.candidate_id.is_(None),
    ).order_by(InboundMessage.received_at.desc()).limit(limit)))
