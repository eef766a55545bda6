"""What the outbox knows about the candidates it writes to, read in a few queries.

One message to one candidate and a campaign step to 500 go through the same
code (:mod:`saas.outreach.outbox`, :mod:`saas.outreach.sending`). What differs is
only how the facts are read: for a batch, each kind is read once for every
candidate in it — their keys, consent records, pending offers, the messages of
the last 30 days, values, skills and timelines — together with what is the same
for all of them (the tenant, its enabled plugins, templates, change events and
openings). A single send is a batch of one.

The facts are a snapshot taken at ``now``; the outbox adds each message it writes
to :attr:`OutreachFacts.recent`, so two messages to one candidate in one batch
still count against each other (frequency cap, duplicate content).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa

from saas.candidates.models import Candidate, CandidateSkill
from saas.candidates.timeline import Interaction
from saas.crypto.keys import preload_keys
from saas.extensions import db
from saas.hooks.manager import enabled_plugins
from saas.ids import in_ids
from saas.offers.models import Offer
from saas.openings.models import ChangeEvent, Opening
from saas.outreach.models import OutboundMessage, Template
from saas.privacy.consent import histories
from saas.privacy.models import ConsentRecord
from saas.tags.models import CandidateTag
from saas.tenancy.context import require_tenant_id
from saas.tenancy.models import Tenant

# The contact policy's window, and the messages that spend its budget: everything
# that is or will be on its way.
WINDOW = dt.timedelta(days=30)
COUNTED_STATES = ("queued", "scheduled", "sending", "sent", "delivered")


@dataclass(frozen=True)
class RecentMessage:
    """A message to the candidate within the window that counts against the policy."""

    id: uuid.UUID
    content_hash: str


@dataclass
class OutreachFacts:
    """A snapshot of everything sending to some candidates depends on; see the module."""

    now: dt.datetime
    tenant: Tenant
    enabled: set[str]
    consent: dict[uuid.UUID, list[ConsentRecord]]
    hiring: set[uuid.UUID]  # candidates with an offer pending
    recent: dict[uuid.UUID, list[RecentMessage]]
    values: dict[uuid.UUID, list[str]] = field(default_factory=dict)
    skills: dict[uuid.UUID, list[str]] = field(default_factory=dict)
    timelines: dict[uuid.UUID, list[Interaction]] = field(default_factory=dict)
    changes: list[ChangeEvent] = field(default_factory=list)  # published, newest first
    openings: list[Opening] = field(default_factory=list)  # open
    templates: list[Template] = field(default_factory=list)

    @classmethod
    def load(cls, candidates: Sequence[Candidate], now: dt.datetime, *,
             writing: bool = True) -> OutreachFacts:
        """Read the facts about ``candidates``; ``writing=False`` leaves out what only
        writing a message needs (the messages the policy counts, values, skills,
        timelines, changes, openings, templates) — routing, and the sender re-checking
        the rules about the person before a send, need none of it."""
        ids = [c.id for c in candidates]
        tenant = db.session.get(Tenant, require_tenant_id())
        if tenant is None:
            raise LookupError("the current tenant does not exist")
        preload_keys("candidate", ids)
        facts = cls(now=now, tenant=tenant, enabled=enabled_plugins(),
                    consent=histories(ids), hiring=_hiring(ids), recent={})
        if writing:
            facts.recent = _recent(ids, now)
            facts.values = _grouped(ids, sa.select(CandidateTag.candidate_id, CandidateTag.code)
                                    .where(in_ids(CandidateTag.candidate_id, ids),
                                           CandidateTag.dimension == "value")
                                    .order_by(CandidateTag.code))
            facts.skills = _grouped(ids, sa.select(CandidateSkill.candidate_id,
                                                   CandidateSkill.skill)
                                    .where(in_ids(CandidateSkill.candidate_id, ids))
                                    .order_by(CandidateSkill.skill))
            facts.timelines = _timelines(ids)
            facts.changes = list(db.session.scalars(sa.select(ChangeEvent).where(
                ChangeEvent.published_at.is_not(None),
                ChangeEvent.occurred_on <= now.date() + dt.timedelta(days=1),
            ).order_by(ChangeEvent.occurred_on.desc(), ChangeEvent.created_at.desc())))
            facts.openings = list(db.session.scalars(
                sa.select(Opening).where(Opening.status == "open")))
            facts.templates = list(db.session.scalars(sa.select(Template)))
        return facts

    def versions(self, template: Template) -> list[Template]:
        """The template and its siblings: the same name for other channels and languages."""
        found = [t for t in self.templates if t.name == template.name]
        return found if any(t.id == template.id for t in found) else [template, *found]

    def counted(self, candidate_id: uuid.UUID,
                exclude: uuid.UUID | None = None) -> list[RecentMessage]:
        return [m for m in self.recent.get(candidate_id, []) if m.id != exclude]

    def add_recent(self, candidate_id: uuid.UUID, message_id: uuid.UUID,
                   content_hash: str) -> None:
        """A message written in this batch: it counts for the next ones to the candidate."""
        self.recent.setdefault(candidate_id, []).append(RecentMessage(message_id, content_hash))


def _grouped(ids: Iterable[uuid.UUID], stmt: sa.Select[uuid.UUID, str],
             ) -> dict[uuid.UUID, list[str]]:
    found: dict[uuid.UUID, list[str]] = {ident: [] for ident in ids}
    for candidate_id, value in db.session.execute(stmt):
        found[candidate_id].append(value)
    return found


def _hiring(ids: list[uuid.UUID]) -> set[uuid.UUID]:
    return set(db.session.scalars(sa.select(Offer.candidate_id).where(
        in_ids(Offer.candidate_id, ids), Offer.status == "pending")))


def _recent(ids: list[uuid.UUID], now: dt.datetime) -> dict[uuid.UUID, list[RecentMessage]]:
    found: dict[uuid.UUID, list[RecentMessage]] = {ident: [] for ident in ids}
    rows = db.session.execute(sa.select(
        OutboundMessage.candidate_id, OutboundMessage.id, OutboundMessage.content_hash,
    ).where(
        in_ids(OutboundMessage.candidate_id, ids), OutboundMessage.state.in_(COUNTED_STATES),
        sa.func.coalesce(OutboundMessage.sent_at, OutboundMessage.created_at) >= now - WINDOW))
    for candidate_id, message_id, digest in rows:
        found[candidate_id].append(RecentMessage(message_id, digest))
    return found


def _timelines(ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Interaction]]:
    found: dict[uuid.UUID, list[Interaction]] = {ident: [] for ident in ids}
    for row in db.session.scalars(sa.select(Interaction).where(
            in_ids(Interaction.candidate_id, ids)).order_by(Interaction.occurred_at)):
        found[row.candidate_id].append(row)
    return found
