"""Consent and contact rights: who may be contacted on which channel, and why.

A candidate's consent history is a list of :class:`ConsentRecord` rows, each
for one channel or for ``all`` channels. A record is either a permission (basis
``consent`` — the candidate agreed — or ``legitimate_interest``) or a
withdrawal (an opt-out). The rules, applied by :func:`contact_permission`:

* An opt-out beats every earlier permission on its channel (``all``: every channel).
* Nothing later overrides a withdrawal except a **new explicit consent**: a record
  with basis ``consent`` whose ``given_at`` is after the withdrawal. Legitimate
  interest never overrides a withdrawal, and neither does a consent back-dated
  to before it.
* A permission counts from ``given_at`` until ``expires_at`` (open-ended without one).
* A candidate whose status is ``do_not_contact`` or ``erased`` may not be contacted
  at all, whatever the records say. Setting ``do_not_contact`` also records an
  ``all`` withdrawal (see :func:`_withdraw_on_do_not_contact`), so the opt-out
  outlives a later status change.

Services add to the session and never commit; the caller does. Audit events
(``consent.recorded``, ``consent.withdrawn``) carry codes and ids only.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import get_history

from saas import audit
from saas.candidates.models import CHANNELS, Candidate
from saas.extensions import db
from saas.ids import in_ids, new_id
from saas.privacy.models import BASES, CONSENT_CHANNELS, WITHDRAWAL_ROUTES, ConsentRecord
from saas.timeutil import utcnow

ALL = "all"
# What a channel looks like on the candidate page.
STATES = ("allowed", "withdrawn", "expired", "none")


class ConsentInvalid(ValueError):
    """A consent or withdrawal that cannot be recorded; ``errors`` by field."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("invalid consent")
        self.errors = errors


@dataclass(frozen=True)
class Permission:
    """May we contact the candidate on a channel now, and on what basis (or why not)."""

    allowed: bool
    basis: str | None
    reason_code: str  # allowed | no_consent | expired | withdrawn | do_not_contact | erased

    @property
    def reason_text(self) -> str:
        """The reason in words, in the reader's language (translated when asked for)."""
        return str(REASON_TEXTS[self.reason_code])


@dataclass(frozen=True)
class ChannelStatus:
    """One channel's standing for the candidate page and the API."""

    channel: str
    state: str  # one of STATES
    permission: Permission
    # The permission that counts, or the withdrawal, or the lapsed permission.
    record: ConsentRecord | None


REASON_TEXTS = {
    "allowed": _l("Contact is allowed."),
    "no_consent": _l("No consent or legitimate interest is recorded for this channel."),
    "expired": _l("The consent for this channel has expired."),
    "withdrawn": _l("The candidate withdrew consent (opted out) for this channel."),
    "do_not_contact": _l("The candidate is marked do not contact."),
    "erased": _l("The candidate was erased."),
}


def _permission(code: str, basis: str | None = None) -> Permission:
    return Permission(code == "allowed", basis, code)


def history(candidate_id: uuid.UUID, channels: Iterable[str] | None = None) -> list[ConsentRecord]:
    """The candidate's consent records (optionally of some channels), oldest first."""
    stmt = sa.select(ConsentRecord).where(ConsentRecord.candidate_id == candidate_id)
    if channels is not None:
        stmt = stmt.where(ConsentRecord.channel.in_(list(channels)))
    return list(db.session.scalars(stmt.order_by(ConsentRecord.given_at, ConsentRecord.id)))


def histories(candidate_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[ConsentRecord]]:
    """The consent records of many candidates in one query, oldest first, by candidate."""
    found: dict[uuid.UUID, list[ConsentRecord]] = {ident: [] for ident in candidate_ids}
    if not found:
        return found
    for row in db.session.scalars(sa.select(ConsentRecord).where(
            in_ids(ConsentRecord.candidate_id, found)).order_by(
            ConsentRecord.given_at, ConsentRecord.id)):
        found[row.candidate_id].append(row)
    return found


def _standing(channel: str, records: Sequence[ConsentRecord], at: dt.datetime) -> ChannelStatus:
    """Apply the rules to the records of ``channel`` and ``all`` up to ``at``."""
    relevant = [r for r in records if r.channel in (channel, ALL) and r.given_at <= at]
    withdrawals = [r for r in relevant if r.withdrawn]
    last_withdrawal = max(withdrawals, key=lambda r: r.given_at) if withdrawals else None
    grants = [r for r in relevant if not r.withdrawn]
    if last_withdrawal is not None:
        grants = [r for r in grants
                  if r.basis == "consent" and r.given_at > last_withdrawal.given_at]
    current = [r for r in grants if r.expires_at is None or r.expires_at > at]
    if current:
        # Explicit consent over legitimate interest; then the most recent.
        best = max(current, key=lambda r: (r.basis == "consent", r.given_at))
        return ChannelStatus(channel, "allowed", _permission("allowed", best.basis), best)
    if last_withdrawal is not None:
        return ChannelStatus(channel, "withdrawn", _permission("withdrawn"), last_withdrawal)
    if grants:
        lapsed = max(grants, key=lambda r: r.given_at)
        return ChannelStatus(channel, "expired", _permission("expired"), lapsed)
    return ChannelStatus(channel, "none", _permission("no_consent"), None)


def contact_permission(
    candidate: Candidate | None, channel: str, at: dt.datetime | None = None,
    records: Sequence[ConsentRecord] | None = None,
) -> Permission:
    """Whether ``candidate`` may be contacted on ``channel`` at ``at`` (default now).

    Outreach calls this before every send. ``channel`` is a channel code
    (``email``, ``sms``, ``wechat``, ``linkedin``, ``phone``). ``records`` are the
    candidate's consent records when the caller already read them (a batch).
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    if candidate is None or candidate.status == "erased":
        return _permission("erased")
    if candidate.status == "do_not_contact":
        return _permission("do_not_contact")
    moment = at or utcnow()
    if records is None:
        records = history(candidate.id, (channel, ALL))
    return _standing(channel, records, moment).permission


def channel_statuses(candidate: Candidate, at: dt.datetime | None = None,
                     records: Sequence[ConsentRecord] | None = None) -> list[ChannelStatus]:
    """Every channel's standing (the page's table), with the candidate's status applied;
    ``records`` as for :func:`contact_permission`."""
    moment = at or utcnow()
    if records is None:
        records = history(candidate.id)
    blocked = {"do_not_contact": "do_not_contact", "erased": "erased"}.get(candidate.status)
    statuses = []
    for channel in CHANNELS:
        standing = _standing(channel, records, moment)
        if blocked and standing.permission.allowed:
            standing = ChannelStatus(channel, "withdrawn", _permission(blocked), standing.record)
        statuses.append(standing)
    return statuses


def _check(channel: str, basis: str | None, given_at: dt.datetime,
           expires_at: dt.datetime | None) -> None:
    errors: dict[str, list[str]] = {}
    if channel not in CONSENT_CHANNELS:
        errors["channel"] = [_("Choose one of: %(choices)s.", choices=", ".join(CONSENT_CHANNELS))]
    if basis is not None and basis not in BASES:
        errors["basis"] = [_("Choose one of: %(choices)s.", choices=", ".join(BASES))]
    if given_at - utcnow() > dt.timedelta(minutes=10):
        errors["given_at"] = [_("Cannot be in the future.")]
    if expires_at is not None and expires_at <= given_at:
        errors["expires_at"] = [_("Must be after the time consent was given.")]
    if errors:
        raise ConsentInvalid(errors)


def record_consent(
    candidate: Candidate,
    *,
    channel: str,
    basis: str,
    source: str,
    given_at: dt.datetime,
    expires_at: dt.datetime | None = None,
    wording: str | None = None,
    actor_kind: audit.service.ActorKind = "system",
    actor_id: uuid.UUID | None = None,
) -> ConsentRecord:
    """Record a permission to contact (``consent`` or ``legitimate_interest``)."""
    if basis not in BASES:
        raise ConsentInvalid({"basis": [_("Choose one of: %(choices)s.",
                                          choices=", ".join(BASES))]})
    _check(channel, basis, given_at, expires_at)
    row = ConsentRecord(
        id=new_id(), candidate_id=candidate.id, channel=channel, basis=basis,
        source=source, wording=wording or None, given_at=given_at, expires_at=expires_at,
        withdrawn=False, created_by=actor_id if actor_kind in ("user", "staff") else None,
    )
    db.session.add(row)
    db.session.flush()
    audit.record("consent.recorded", actor_kind=actor_kind, actor_id=actor_id,
                 target_kind="candidate", target_id=candidate.id,
                 detail={"channel": channel, "basis": basis, "record_id": str(row.id),
                         "expires": expires_at is not None})
    return row


def current_withdrawal(candidate_id: uuid.UUID, channel: str) -> ConsentRecord | None:
    """The withdrawal on exactly ``channel`` still in force (no explicit consent since)."""
    records = history(candidate_id, (channel,))
    last = None
    for row in records:
        if row.withdrawn:
            last = row
        elif last is not None and row.basis == "consent" and row.given_at > last.given_at:
            last = None
    return last


def record_withdrawal(
    candidate: Candidate,
    *,
    channel: str,
    via: str,
    source: str | None = None,
    given_at: dt.datetime | None = None,
    actor_kind: audit.service.ActorKind = "system",
    actor_id: uuid.UUID | None = None,
) -> tuple[ConsentRecord, bool]:
    """Record an opt-out on ``channel`` (or ``all``); returns ``(record, created)``.

    Idempotent: while a withdrawal on the same channel is in force, asking again
    returns it and records nothing new.
    """
    moment = given_at or utcnow()
    _check(channel, None, moment, None)
    if via not in WITHDRAWAL_ROUTES:
        raise ValueError(f"unknown withdrawal route {via!r}")
    existing = current_withdrawal(candidate.id, channel)
    if existing is not None:
        return existing, False
    row = ConsentRecord(
        id=new_id(), candidate_id=candidate.id, channel=channel, basis=None, source=source,
        given_at=moment, withdrawn=True, withdrawn_via=via,
        created_by=actor_id if actor_kind in ("user", "staff") else None,
    )
    db.session.add(row)
    audit.record("consent.withdrawn", actor_kind=actor_kind, actor_id=actor_id,
                 target_kind="candidate", target_id=candidate.id,
                 detail={"channel": channel, "via": via, "record_id": str(row.id)})
    return row, True


def consent_out(row: ConsentRecord) -> dict[str, Any]:
    """A record as the API and the pages show it."""
    return {
        "id": row.id, "channel": row.channel, "basis": row.basis, "source": row.source,
        "wording": row.wording, "given_at": row.given_at, "expires_at": row.expires_at,
        "withdrawn": row.withdrawn, "withdrawn_via": row.withdrawn_via,
        "created_by": row.created_by, "created_at": row.created_at,
    }


# --- do_not_contact: the status change records an "all" withdrawal --------------------------


def _route_and_actor() -> tuple[str, audit.service.ActorKind, uuid.UUID | None]:
    """How the status change arrived (API or page) and who made it, for the record."""
    if not has_request_context():
        return "api", "system", None
    via = "api" if request.path.startswith("/api/") else "page"
    if not current_user.is_authenticated:
        return via, "anonymous", None
    return via, ("staff" if current_user.kind == "staff" else "user"), current_user.id


def _withdraw_on_do_not_contact(session: Session, _context: Any, _instances: Any) -> None:
    """Before a flush: a candidate newly set to ``do_not_contact`` gets an ``all`` withdrawal."""
    already = {r.candidate_id for r in session.new
               if isinstance(r, ConsentRecord) and r.withdrawn and r.channel == ALL}
    for obj in list(session.dirty):
        if not isinstance(obj, Candidate) or obj.id in already:
            continue
        status = get_history(obj, "status")
        if status.added and status.added[0] == "do_not_contact" and \
                "do_not_contact" not in (status.deleted or ()):
            via, kind, actor_id = _route_and_actor()
            record_withdrawal(obj, channel=ALL, via=via, source="do_not_contact",
                              actor_kind=kind, actor_id=actor_id)


if not event.contains(Session, "before_flush", _withdraw_on_do_not_contact):
    event.listen(Session, "before_flush", _withdraw_on_do_not_contact)
