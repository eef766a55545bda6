"""The candidate: profile, contact points (encrypted, with blind indexes) and skills.

Personal contact data (emails, phones, WeChat id, LinkedIn URL, birthday,
career goal, compensation) is encrypted under the candidate's own key, so
erasing a candidate's key makes every copy unreadable. Exact lookups and the
duplicate check go through ``CandidateContactKey`` blind indexes. Columns a
segment query filters or sorts on (status, owner, dates, scores) stay in clear,
each with an index that leads with ``tenant_id``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from saas.crypto.fields import Encrypted, encrypted_column
from saas.extensions import db
from saas.tenancy.scoped import TenantScoped, tenant_fk
from saas.timeutil import UTCDateTime, utcnow

STATUSES = (
    "active", "offered", "stalled", "nurturing", "re_engaged", "interviewing", "hired",
    "declined", "do_not_contact", "erased",
)
CHANNELS = ("email", "sms", "wechat", "linkedin", "phone")
CONTACT_KINDS = ("email", "phone", "wechat")


def _candidate_secret(column: str, codec: Any = "text") -> Any:
    return Encrypted(column, codec=codec, owner="candidate", owner_attr="id")


class Candidate(TenantScoped, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "candidates"
    __table_args__ = (
        tenant_fk(["owner_id"], "users", ondelete=None),
        sa.Index("ix_candidates_status", "tenant_id", "status"),
        # reason:… in a segment: an index-only scan, in id order (newest first), with
        # what compound queries filter on next to it.
        sa.Index("ix_candidates_reason", "tenant_id", "reason", "id", postgresql_include=[
            "status", "last_contact_at", "best_match_score"]),
        # The queue reads one owner's candidates with every column it filters and
        # scores on: an index-only scan instead of one table read per candidate.
        sa.Index("ix_candidates_queue", "tenant_id", "owner_id", postgresql_include=[
            "id", "status", "last_contact_at", "next_follow_up_on", "contract_end_date",
            "best_match_score", "created_at", "queue_hidden_until"]),
        sa.Index("ix_candidates_last_contact", "tenant_id", "last_contact_at"),
        sa.Index("ix_candidates_follow_up", "tenant_id", "next_follow_up_on"),
        sa.Index("ix_candidates_match", "tenant_id", "best_match_score"),
        sa.Index("ix_candidates_contract_end", "tenant_id", "contract_end_date"),
        sa.Index("ix_candidates_updated", "tenant_id", "updated_at"),
    )

    name: Mapped[str] = mapped_column(sa.String(200))
    current_company: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    title: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    city: Mapped[str | None] = mapped_column(sa.String(100), nullable=True)
    locale: Mapped[str | None] = mapped_column(sa.String(10), nullable=True)
    timezone: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="active")
    owner_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    preferred_channel: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    # "manual" when a person set it; "inferred" when the note extractor did.
    preferred_channel_source: Mapped[str | None] = mapped_column(sa.String(10), nullable=True)
    # The primary reason (a TAXONOMY reason code), kept from the reason tags by
    # saas.tags.primary_reason so that segments filter on an indexed column.
    reason: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    contract_end_date: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)
    next_follow_up_on: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)
    last_contact_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Best score against open openings (0-100), kept by matching; None until scored.
    best_match_score: Mapped[int | None] = mapped_column(sa.SmallInteger, nullable=True)
    # The queue leaves the candidate out before this day: the end of the snooze or
    # dismissal in force, kept by saas.queue.decisions (None: no decision in force).
    queue_hidden_until: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)
    # A legal hold suspends retention erasure (and is itself audited).
    legal_hold_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    legal_hold_reason: Mapped[str | None] = mapped_column(sa.String(300), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    emails_ct: Mapped[bytes | None] = encrypted_column()
    emails: Encrypted[list[str]] = _candidate_secret("emails_ct", "json")
    phones_ct: Mapped[bytes | None] = encrypted_column()
    phones: Encrypted[list[str]] = _candidate_secret("phones_ct", "json")
    wechat_id_ct: Mapped[bytes | None] = encrypted_column()
    wechat_id: Encrypted[str] = _candidate_secret("wechat_id_ct")
    linkedin_url_ct: Mapped[bytes | None] = encrypted_column()
    linkedin_url: Encrypted[str] = _candidate_secret("linkedin_url_ct")
    birthday_ct: Mapped[bytes | None] = encrypted_column()
    birthday: Encrypted[dt.date] = _candidate_secret("birthday_ct", "date")
    career_goal_ct: Mapped[bytes | None] = encrypted_column()
    career_goal: Encrypted[str] = _candidate_secret("career_goal_ct")
    expected_salary_ct: Mapped[bytes | None] = encrypted_column()
    expected_salary: Encrypted[dict[str, Any]] = _candidate_secret("expected_salary_ct", "json")
    current_salary_ct: Mapped[bytes | None] = encrypted_column()
    current_salary: Encrypted[dict[str, Any]] = _candidate_secret("current_salary_ct", "json")


class CandidateContactKey(TenantScoped, db.Model):  # type: ignore[name-defined,misc]
    """A blind index of one contact point: exact lookup and the duplicate check."""

    __tablename__ = "candidate_contact_keys"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "kind", "digest"),
        tenant_fk(["candidate_id"], "candidates"),
        sa.Index("ix_candidate_contact_keys_candidate", "tenant_id", "candidate_id"),
    )

    candidate_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    kind: Mapped[str] = mapped_column(sa.String(10))
    digest: Mapped[str] = mapped_column(sa.String(64))


class CandidateSkill(TenantScoped, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "candidate_skills"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "candidate_id", "skill"),
        tenant_fk(["candidate_id"], "candidates"),
        sa.Index("ix_candidate_skills_skill", "tenant_id", "skill", "candidate_id"),
    )

    candidate_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    skill: Mapped[str] = mapped_column(sa.String(60))
