"""Access requests: everything Rekindle holds about one candidate, in one archive.

``build_access_archive(candidate)`` returns a ZIP with ``candidate.json`` (the
data, decrypted) and ``candidate.html`` (the same, readable, in the reader's
language, self-contained: no scripts, no links out). The document is made of
sections, each built by one function; other packages add theirs (messages,
signals, …) with :func:`add_access_section`.

Restricted fields follow the same rule as the API: the profile goes through
:class:`saas.candidates.schemas.CandidateSchema` with the exporter's
permissions, so compensation is left out for a role without
``candidate:read_compensation`` (and the document says it was left out).
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import render_template
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from saas import audit
from saas.audit.models import AuditEvent
from saas.auth.models import StaffUser
from saas.candidates.documents import (
    candidate_document,
    interaction_documents,
    people,
    revision_documents,
)
from saas.candidates.models import Candidate
from saas.candidates.schemas import (
    RESTRICTED,
    CandidateSchema,
    InteractionRevisionSchema,
    InteractionSchema,
    viewer_permissions,
)
from saas.candidates.timeline import Interaction, InteractionRevision
from saas.extensions import db
from saas.offers.models import Offer
from saas.privacy.access_html import field_label, shape, shown_value
from saas.privacy.models import ConsentRecord, RetentionNotice
from saas.queue.models import QueueDecision
from saas.tags.labels import tag_label
from saas.tags.models import CandidateTag, TagCorrection
from saas.timeutil import utcnow
from saas.web.i18n import current_locale_tag

FORMAT = "rekindle-access-export/1"


@dataclass(frozen=True)
class AccessContext:
    """What a section builder may need besides the candidate."""

    permissions: frozenset[str]
    locale: str | None = None

    def names(self, user_ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
        return {uid: person["name"] for uid, person in people(user_ids).items()}


# A builder returns JSON-ready data: dicts, lists, strings, numbers, booleans, None.
SectionBuilder = Callable[[Candidate, AccessContext], Any]


@dataclass(frozen=True)
class AccessSection:
    name: str
    title: str | LazyString
    build: SectionBuilder


_SECTIONS: dict[str, AccessSection] = {}


def add_access_section(name: str, builder: SectionBuilder,
                       title: str | LazyString | None = None) -> SectionBuilder:
    """Add (or replace) the section ``name``; ``title`` heads it in the HTML page."""
    _SECTIONS[name] = AccessSection(name, title or name.replace("_", " ").capitalize(), builder)
    return builder


def access_sections() -> list[AccessSection]:
    return list(_SECTIONS.values())


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None else None


def _profile(candidate: Candidate, ctx: AccessContext) -> dict[str, Any]:
    document = CandidateSchema(permissions=ctx.permissions).dump(
        candidate_document(candidate, ctx.locale))
    document["legal_hold_at"] = _iso(candidate.legal_hold_at)
    document["legal_hold_reason"] = candidate.legal_hold_reason
    return document  # type: ignore[no-any-return]


def _tags(candidate: Candidate, ctx: AccessContext) -> list[dict[str, Any]]:
    rows = list(db.session.scalars(sa.select(CandidateTag).where(
        CandidateTag.candidate_id == candidate.id).order_by(CandidateTag.created_at)))
    names = ctx.names(r.created_by for r in rows)
    return [{"dimension": r.dimension, "code": r.code,
             "label": tag_label(r.dimension, r.code, ctx.locale), "source": r.source,
             "confidence": r.confidence,
             "from_interaction": str(r.interaction_id) if r.interaction_id else None,
             "set_by": names.get(r.created_by) if r.created_by else None,
             "created_at": _iso(r.created_at)} for r in rows]


def _tag_corrections(candidate: Candidate, ctx: AccessContext) -> list[dict[str, Any]]:
    rows = list(db.session.scalars(sa.select(TagCorrection).where(
        TagCorrection.candidate_id == candidate.id).order_by(TagCorrection.created_at)))
    names = ctx.names(r.created_by for r in rows)
    return [{"dimension": r.dimension, "action": r.action, "inferred_code": r.inferred_code,
             "correct_code": r.correct_code, "confidence": r.confidence,
             "set_by": names.get(r.created_by) if r.created_by else None,
             "created_at": _iso(r.created_at)} for r in rows]


def _timeline(candidate: Candidate, ctx: AccessContext) -> list[dict[str, Any]]:
    interactions = list(db.session.scalars(sa.select(Interaction).where(
        Interaction.candidate_id == candidate.id).order_by(Interaction.occurred_at,
                                                           Interaction.id)))
    revisions = list(db.session.scalars(sa.select(InteractionRevision).where(
        InteractionRevision.candidate_id == candidate.id).order_by(InteractionRevision.version)))
    by_interaction: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for revision, document in zip(revisions, revision_documents(revisions), strict=True):
        by_interaction.setdefault(revision.interaction_id, []).append(
            InteractionRevisionSchema().dump(document))
    entries = []
    for document in interaction_documents(interactions):
        entry = InteractionSchema().dump(document)
        entry["revisions"] = by_interaction.get(document["id"], [])
        entries.append(entry)
    return entries


def _offers(candidate: Candidate, ctx: AccessContext) -> list[dict[str, Any]]:
    rows = db.session.scalars(sa.select(Offer).where(
        Offer.candidate_id == candidate.id).order_by(Offer.sent_at))
    return [{"id": str(o.id), "opening_id": str(o.opening_id) if o.opening_id else None,
             "sent_at": _iso(o.sent_at), "respond_by": _iso(o.respond_by), "status": o.status,
             "responded_at": _iso(o.responded_at), "stalled_at": _iso(o.stalled_at),
             "reason": o.reason, "reason_source": o.reason_source,
             "created_at": _iso(o.created_at)} for o in rows]


def _consents(candidate: Candidate, ctx: AccessContext) -> list[dict[str, Any]]:
    rows = list(db.session.scalars(sa.select(ConsentRecord).where(
        ConsentRecord.candidate_id == candidate.id).order_by(ConsentRecord.given_at)))
    names = ctx.names(r.created_by for r in rows)
    return [{"channel": r.channel, "basis": r.basis, "source": r.source, "wording": r.wording,
             "given_at": _iso(r.given_at), "expires_at": _iso(r.expires_at),
             "withdrawn": r.withdrawn, "withdrawn_via": r.withdrawn_via,
             "recorded_by": names.get(r.created_by) if r.created_by else None,
             "created_at": _iso(r.created_at)} for r in rows]


def _queue_decisions(candidate: Candidate, ctx: AccessContext) -> list[dict[str, Any]]:
    rows = list(db.session.scalars(sa.select(QueueDecision).where(
        QueueDecision.candidate_id == candidate.id).order_by(QueueDecision.created_at)))
    names = ctx.names(r.created_by for r in rows)
    return [{"decision": r.decision, "reason": r.reason, "active_until": _iso(r.active_until),
             "decided_by": names.get(r.created_by) if r.created_by else None,
             "created_at": _iso(r.created_at)} for r in rows]


def _retention(candidate: Candidate, ctx: AccessContext) -> dict[str, Any] | None:
    notice = db.session.scalars(sa.select(RetentionNotice).where(
        RetentionNotice.candidate_id == candidate.id)).first()
    if notice is None:
        return None
    return {"warned_at": _iso(notice.warned_at), "erase_on": _iso(notice.erase_on)}


def _actor_names(events: list[AuditEvent], ctx: AccessContext) -> dict[uuid.UUID, str]:
    names = ctx.names(e.actor_id for e in events if e.actor_kind in ("user", "token"))
    staff_ids = {e.actor_id for e in events if e.actor_kind == "staff" and e.actor_id}
    if staff_ids:
        names.update(db.session.execute(sa.select(StaffUser.id, StaffUser.name).where(
            StaffUser.id.in_(staff_ids))).tuples().all())
    return names


def _access_log(candidate: Candidate, ctx: AccessContext) -> list[dict[str, Any]]:
    """Who did what with this person's data: events on the candidate, its entries and offers."""
    targets = {str(candidate.id)}
    for model in (Interaction, Offer):
        targets |= {str(i) for i in db.session.scalars(sa.select(model.id).where(
            model.candidate_id == candidate.id))}
    events = list(db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.target_id.in_(targets)).order_by(AuditEvent.occurred_at, AuditEvent.seq)))
    names = _actor_names(events, ctx)
    return [{"occurred_at": _iso(e.occurred_at), "action": e.action, "outcome": e.outcome,
             "actor_kind": e.actor_kind,
             "actor": names.get(e.actor_id) if e.actor_id else None,
             "target_kind": e.target_kind, "target_id": e.target_id, "detail": e.detail or {}}
            for e in events]


for _name, _builder, _title in (
    ("profile", _profile, _l("Profile")),
    ("tags", _tags, _l("Tags")),
    ("tag_corrections", _tag_corrections, _l("Tag corrections")),
    ("timeline", _timeline, _l("Timeline")),
    ("offers", _offers, _l("Offers")),
    ("consents", _consents, _l("Consent records")),
    ("queue_decisions", _queue_decisions, _l("Queue decisions")),
    ("retention_notice", _retention, _l("Retention notice")),
    ("access_log", _access_log, _l("Who accessed the data")),
):
    add_access_section(_name, _builder, _title)


def omitted_fields(permissions: frozenset[str]) -> list[str]:
    """Restricted fields the exporter may not read (left out of the export)."""
    return sorted(name for name, (read, _write) in RESTRICTED.items() if read not in permissions)


def build_access_document(
    candidate: Candidate, *, permissions: frozenset[str] | None = None,
    locale: str | None = None,
) -> dict[str, Any]:
    """Every section about the candidate (JSON-ready), with what was left out and why."""
    ctx = AccessContext(viewer_permissions() if permissions is None else permissions, locale)
    return {
        "format": FORMAT,
        "generated_at": utcnow().isoformat(),
        "candidate_id": str(candidate.id),
        "omitted_fields": omitted_fields(ctx.permissions),
        "sections": {s.name: s.build(candidate, ctx) for s in access_sections()},
    }


def build_access_archive(
    candidate: Candidate, *, permissions: frozenset[str] | None = None,
    locale: str | None = None,
) -> bytes:
    """The ZIP: ``candidate.json`` and ``candidate.html`` (needs an app context)."""
    document = build_access_document(candidate, permissions=permissions, locale=locale)
    titles = {s.name: str(s.title) for s in access_sections()}
    html = render_template("privacy/access_export.html", document=document, titles=titles,
                           lang=current_locale_tag(), field_label=field_label,
                           omitted=", ".join(field_label(f) for f in document["omitted_fields"]),
                           shown=shown_value, shape=shape)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("candidate.json", json.dumps(document, ensure_ascii=False, indent=2))
        archive.writestr("candidate.html", html)
    return buffer.getvalue()


def archive_filename(candidate: Candidate) -> str:
    """A file name that names no one (the id is random)."""
    return f"rekindle-access-{candidate.id}.zip"


def export_candidate(
    candidate: Candidate, *, via: str, actor_kind: audit.service.ActorKind,
    actor_id: uuid.UUID | None,
) -> bytes:
    """Answer an access request: audited ``candidate.exported``, then the archive.

    The event is recorded first, so the export lists itself among the accesses.
    The caller commits (and sends the bytes).
    """
    permissions = viewer_permissions()
    audit.record("candidate.exported", actor_kind=actor_kind, actor_id=actor_id,
                 target_kind="candidate", target_id=candidate.id,
                 detail={"via": via, "omitted_fields": omitted_fields(permissions)})
    db.session.flush()
    return build_access_archive(candidate, permissions=permissions)


def reveal_compensation(
    candidate: Candidate, *, actor_kind: audit.service.ActorKind, actor_id: uuid.UUID | None,
) -> dict[str, Any]:
    """The candidate's compensation, once, for a role that may read it: audited.

    The caller has checked ``candidate:read_compensation``; the values go
    through the schema layer all the same.
    """
    audit.record("candidate.compensation_revealed", actor_kind=actor_kind, actor_id=actor_id,
                 target_kind="candidate", target_id=candidate.id,
                 detail={"fields": sorted(RESTRICTED)})
    document = CandidateSchema(permissions=viewer_permissions(), only=sorted(RESTRICTED)).dump(
        {name: getattr(candidate, name) for name in RESTRICTED})
    return document  # type: ignore[no-any-return]
