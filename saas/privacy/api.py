"""``/api/v1/candidates/{id}/consents`` (CONTRACTS "Consent"), contact rights, legal hold.

The candidate in the URL is looked up before the body is read, so another
tenant's id is a 404 whatever the body says.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from saas.api.pagination import PageArgsSchema, paginate
from saas.api.problems import problem
from saas.auth.current import actor, require_permission
from saas.candidates.api import with_candidate
from saas.extensions import db
from saas.privacy import schemas
from saas.privacy.consent import (
    ConsentInvalid,
    channel_statuses,
    consent_out,
    record_consent,
    record_withdrawal,
)
from saas.privacy.models import ConsentRecord
from saas.privacy.retention import clear_legal_hold, notice_of, set_legal_hold

consents_blp = Blueprint("consents_api", __name__, url_prefix="/api/v1/candidates",
                         description="Consent, contact rights and legal holds")


@consents_blp.errorhandler(ConsentInvalid)
def _invalid(exc: ConsentInvalid) -> Response:
    db.session.rollback()
    return problem(422, title="Unprocessable Entity",
                   detail="The request body has invalid fields.", errors=exc.errors)


@consents_blp.route("/<uuid:candidate_id>/consents")
class Consents(MethodView):
    @require_permission("consent:read")
    @with_candidate
    @consents_blp.arguments(PageArgsSchema, location="query")
    @consents_blp.response(200, schemas.ConsentPageSchema)
    def get(self, args: dict[str, Any], candidate: Any) -> dict[str, Any]:
        """The candidate's consent records and withdrawals, oldest first."""
        stmt = sa.select(ConsentRecord).where(ConsentRecord.candidate_id == candidate.id)
        page = paginate(stmt, ConsentRecord.id, args["limit"], args["cursor"])
        return {"items": [consent_out(r) for r in page["items"]],
                "next_cursor": page["next_cursor"]}

    @require_permission("consent:write")
    @with_candidate
    @consents_blp.arguments(schemas.ConsentWriteSchema)
    @consents_blp.response(201, schemas.ConsentSchema)
    @consents_blp.alt_response(200, description="Already withdrawn: the withdrawal in force")
    def post(self, data: dict[str, Any], candidate: Any) -> Any:
        """Record consent or legitimate interest; ``"withdrawn": true`` records an opt-out.

        An opt-out beats every earlier permission; only a new explicit consent
        (basis ``consent``) given after it lifts it. Withdrawing again while a
        withdrawal is in force returns that one (200) and records nothing.
        """
        kind, actor_id = actor()
        if data["withdrawn"]:
            row, created = record_withdrawal(
                candidate, channel=data["channel"], via="api", source=data.get("source"),
                given_at=data.get("given_at"), actor_kind=kind, actor_id=actor_id)
        else:
            row = record_consent(
                candidate, channel=data["channel"], basis=data["basis"],
                source=data["source"], given_at=data["given_at"],
                expires_at=data.get("expires_at"), wording=data.get("wording"),
                actor_kind=kind, actor_id=actor_id)
            created = True
        db.session.commit()
        return consent_out(row), 201 if created else 200


@consents_blp.route("/<uuid:candidate_id>/contact-rights")
class ContactRights(MethodView):
    @require_permission("consent:read")
    @with_candidate
    @consents_blp.response(200, schemas.ContactRightsSchema)
    def get(self, candidate: Any) -> dict[str, Any]:
        """May we contact them now, per channel, and why (what outreach checks)."""
        notice = notice_of(candidate.id)
        return {
            "status": candidate.status,
            "channels": [{
                "channel": s.channel, "state": s.state, "allowed": s.permission.allowed,
                "basis": s.permission.basis, "reason_code": s.permission.reason_code,
                "reason_text": s.permission.reason_text,
                "record": consent_out(s.record) if s.record is not None else None,
            } for s in channel_statuses(candidate)],
            "legal_hold_at": candidate.legal_hold_at,
            "erase_on": notice.erase_on if notice is not None else None,
        }


@consents_blp.route("/<uuid:candidate_id>/legal-hold")
class LegalHold(MethodView):
    @require_permission("candidate:erase")
    @with_candidate
    @consents_blp.arguments(schemas.LegalHoldWriteSchema)
    @consents_blp.response(200, schemas.LegalHoldSchema)
    def post(self, data: dict[str, Any], candidate: Any) -> dict[str, Any]:
        """Put the candidate on legal hold: retention will not erase them until it is lifted."""
        kind, actor_id = actor()
        set_legal_hold(candidate, data["reason"], actor_kind=kind, actor_id=actor_id)
        db.session.commit()
        return {"legal_hold_at": candidate.legal_hold_at,
                "legal_hold_reason": candidate.legal_hold_reason}

    @require_permission("candidate:erase")
    @with_candidate
    @consents_blp.response(204)
    def delete(self, candidate: Any) -> None:
        """Lift the legal hold (404 when there is none)."""
        kind, actor_id = actor()
        if not clear_legal_hold(candidate, actor_kind=kind, actor_id=actor_id):
            abort(404, message="This candidate is not on legal hold.")
        db.session.commit()
