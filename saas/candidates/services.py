"""Creating, changing and deleting candidates: one transaction each, audited.

Callers (the API schemas and the web forms) hand in values that are already
typed and normalised (see :mod:`saas.candidates.contacts`). This module checks
what needs the database — the owner is a user of the tenant, no other
candidate holds the same email, phone or WeChat id — keeps the blind-index
keys, skills and manual value tags in step, and never commits: the caller does.
Audit details name the changed fields only, never their values.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from saas import audit
from saas.auth.models import User
from saas.candidates.contacts import contact_digests, find_owner_of, sync_contact_keys, unique
from saas.candidates.models import Candidate, CandidateSkill
from saas.extensions import db
from saas.ids import new_id
from saas.openings.matching import refresh_match_scores
from saas.privacy.erasure import erase_candidate
from saas.tags.models import CandidateTag

PLAIN_FIELDS = ("name", "current_company", "title", "city", "locale", "timezone", "status",
                "contract_end_date")
SECRET_FIELDS = ("emails", "phones", "wechat_id", "linkedin_url", "birthday", "career_goal",
                 "expected_salary", "current_salary")
COMPENSATION_FIELDS = ("expected_salary", "current_salary")


class CandidateInvalid(ValueError):
    """Values only the database can refuse (an unknown owner); ``errors`` by field."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("invalid candidate")
        self.errors = errors


class DuplicateCandidate(ValueError):
    """Another candidate of the tenant already has this email, phone or WeChat id."""

    def __init__(self, existing: Candidate, kind: str) -> None:
        super().__init__(f"another candidate already has this {kind}")
        self.existing = existing
        self.kind = kind


def get_candidate(candidate_id: uuid.UUID) -> Candidate | None:
    """The tenant's candidate (another tenant's is simply not found)."""
    return db.session.scalars(sa.select(Candidate).where(Candidate.id == candidate_id)).first()


def tenant_users() -> list[User]:
    """Who may own a candidate: the tenant's users who can still sign in."""
    users = db.session.scalars(sa.select(User).order_by(User.name))
    return [u for u in users if u.disabled_at is None]


def _resolve_owner(data: Mapping[str, Any]) -> uuid.UUID | None:
    if data.get("owner_email"):
        email = str(data["owner_email"]).strip().lower()
        user = db.session.scalars(sa.select(User).where(User.email == email)).first()
        if user is None:
            raise CandidateInvalid({"owner_email": [
                _("No one in this workspace has the email %(email)s.", email=email)]})
        return user.id
    owner_id = data.get("owner_id")
    if owner_id is None:
        return None
    user = db.session.scalars(sa.select(User).where(User.id == owner_id)).first()
    if user is None:
        raise CandidateInvalid({"owner_id": [_("Not a user of this workspace.")]})
    return user.id


def _free_contact_keys(
    candidate: Candidate | None, changes: Mapping[str, Any]
) -> set[tuple[str, str]]:
    """The contact keys the candidate will have, refusing any another candidate holds."""
    def current(name: str) -> Any:
        return changes[name] if name in changes else getattr(candidate, name, None)

    digests = contact_digests(current("emails") or [], current("phones") or [],
                              current("wechat_id"))
    clash = find_owner_of(digests, excluding=candidate.id if candidate else None)
    if clash is not None:
        raise DuplicateCandidate(*clash)
    return digests


def _set_skills(candidate_id: uuid.UUID, skills: Iterable[str]) -> None:
    wanted = unique(s.strip().lower() for s in skills if s.strip())
    current = {s.skill: s for s in db.session.scalars(
        sa.select(CandidateSkill).where(CandidateSkill.candidate_id == candidate_id))}
    for skill, row in current.items():
        if skill not in wanted:
            db.session.delete(row)
    for skill in wanted:
        if skill not in current:
            db.session.add(CandidateSkill(candidate_id=candidate_id, skill=skill))


def skills_of(candidate_id: uuid.UUID) -> list[str]:
    return list(db.session.scalars(sa.select(CandidateSkill.skill).where(
        CandidateSkill.candidate_id == candidate_id).order_by(CandidateSkill.skill)))


def values_of(candidate_id: uuid.UUID) -> list[str]:
    return list(db.session.scalars(sa.select(CandidateTag.code).where(
        CandidateTag.candidate_id == candidate_id, CandidateTag.dimension == "value",
    ).order_by(CandidateTag.code)))


def set_manual_values(
    candidate_id: uuid.UUID, codes: Iterable[str], *, actor_id: uuid.UUID | None
) -> None:
    """A person states the candidate's values: exactly these, each ``manual``.

    A listed value the extractor had inferred becomes manual (manual beats
    inferred); a value no longer listed is removed, whatever its source.
    """
    wanted = unique(codes)
    rows = {t.code: t for t in db.session.scalars(sa.select(CandidateTag).where(
        CandidateTag.candidate_id == candidate_id, CandidateTag.dimension == "value"))}
    for code, row in rows.items():
        if code not in wanted:
            db.session.delete(row)
        elif row.source != "manual":
            row.source, row.confidence, row.interaction_id = "manual", None, None
            row.created_by = actor_id
    for code in wanted:
        if code not in rows:
            db.session.add(CandidateTag(candidate_id=candidate_id, dimension="value", code=code,
                                        source="manual", created_by=actor_id))


def _blank_as_none(value: Any) -> Any:
    return None if value in ("", []) else value


def _apply_fields(candidate: Candidate, changes: Mapping[str, Any]) -> list[str]:
    """Write the candidate's own columns; returns the names of the fields that changed."""
    changed: list[str] = []
    for name in (*PLAIN_FIELDS, *SECRET_FIELDS):
        if name in changes and _blank_as_none(changes[name]) != getattr(candidate, name):
            setattr(candidate, name, _blank_as_none(changes[name]))
            changed.append(name)
    if "preferred_channel" in changes and (
            changes["preferred_channel"] != candidate.preferred_channel
            or candidate.preferred_channel_source != "manual"):
        candidate.preferred_channel = changes["preferred_channel"]
        candidate.preferred_channel_source = "manual" if changes["preferred_channel"] else None
        changed.append("preferred_channel")
    if "owner_id" in changes or "owner_email" in changes:
        owner_id = _resolve_owner(changes)
        if owner_id != candidate.owner_id:
            candidate.owner_id = owner_id
            changed.append("owner")
    return changed


def _apply_related(candidate: Candidate, changes: Mapping[str, Any],
                   actor_id: uuid.UUID | None) -> list[str]:
    """Skills and manual values (rows of their own); returns what changed."""
    changed: list[str] = []
    if "skills" in changes and sorted(unique(s.strip().lower() for s in changes["skills"])) != \
            skills_of(candidate.id):
        _set_skills(candidate.id, changes["skills"])
        changed.append("skills")
    if "values" in changes and sorted(unique(changes["values"])) != values_of(candidate.id):
        set_manual_values(candidate.id, changes["values"], actor_id=actor_id)
        changed.append("values")
    if changed:  # skills and values are what match scores read
        refresh_match_scores([candidate.id])
    return changed


def create_candidate(
    data: Mapping[str, Any],
    *,
    actor_kind: audit.service.ActorKind = "system",
    actor_id: uuid.UUID | None = None,
) -> Candidate:
    """A new candidate; the owner defaults to the creating user."""
    digests = _free_contact_keys(None, data)
    fields_given = dict(data)
    if "owner_id" not in fields_given and "owner_email" not in fields_given:
        fields_given["owner_id"] = actor_id if actor_kind == "user" else None
    candidate = Candidate(id=new_id(), status="active")
    _apply_fields(candidate, fields_given)
    db.session.add(candidate)
    db.session.flush()  # the row exists before keys, skills and tags point at it
    _apply_related(candidate, fields_given, actor_id)
    sync_contact_keys(candidate.id, digests)
    db.session.flush()
    audit.record("candidate.created", actor_kind=actor_kind, actor_id=actor_id,
                 target_kind="candidate", target_id=candidate.id,
                 detail={"fields": sorted(k for k, v in data.items() if v not in (None, "", []))})
    return candidate


def update_candidate(
    candidate: Candidate,
    changes: Mapping[str, Any],
    *,
    actor_kind: audit.service.ActorKind = "system",
    actor_id: uuid.UUID | None = None,
) -> list[str]:
    """Apply ``changes``; returns the changed field names (audited when any)."""
    digests = _free_contact_keys(candidate, changes)
    changed = _apply_fields(candidate, changes) + _apply_related(candidate, changes, actor_id)
    if {"emails", "phones", "wechat_id"} & set(changed):
        sync_contact_keys(candidate.id, digests)
    if changed:
        db.session.flush()
        audit.record("candidate.updated", actor_kind=actor_kind, actor_id=actor_id,
                     target_kind="candidate", target_id=candidate.id,
                     detail={"fields": sorted(changed)})
    return changed


def delete_candidate(
    candidate: Candidate,
    *,
    actor_kind: audit.service.ActorKind = "system",
    actor_id: uuid.UUID | None = None,
) -> None:
    """Remove the candidate for good: the same erasure as an erasure request.

    One code path for every way a person leaves (see :mod:`saas.privacy.erasure`):
    every row about them, their data key destroyed, an identity-free tally, audited
    ``candidate.erased``; refused (``UnderLegalHold``) while a legal hold is set.
    """
    erase_candidate(candidate, cause="request", actor_kind=actor_kind, actor_id=actor_id)
