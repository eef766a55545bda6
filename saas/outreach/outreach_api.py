"""``POST /api/v1/outreach`` and ``GET /api/v1/outreach/messages[/{id}]``.

A send answers 202 with the message, the channel chosen and why (``routing``)
and its state: ``queued``, or ``scheduled`` with ``send_after`` during the
candidate's quiet hours. A policy that blocks it is a 409 problem with ``code``
(``no_consent``, ``opted_out``, ``frequency_cap``…), the words, and the message
id of the blocked message. An ``Idempotency-Key`` header makes a retried request
return the first one's message instead of writing (or sending) another.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import sqlalchemy as sa
from flask import request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort

from saas.api.pagination import paginate
from saas.api.problems import problem
from saas.auth.current import require_permission
from saas.candidates.services import get_candidate
from saas.extensions import db
from saas.outreach import outbox_schemas as schemas
from saas.outreach.models import OutboundMessage, Template
from saas.outreach.outbox import (
    IdempotencyConflict,
    OutreachRefused,
    get_message,
    message_document,
    queue_message,
)
from saas.outreach.policy import policy_text

outreach_blp = Blueprint("outreach_api", __name__, url_prefix="/api/v1/outreach",
                         description="Sending messages to candidates: the outbox")
IDEMPOTENCY_HEADER = "Idempotency-Key"
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,100}$")


def _client_key() -> str | None:
    raw = request.headers.get(IDEMPOTENCY_HEADER)
    if raw is None:
        return None
    if not KEY_PATTERN.match(raw):
        abort(422, message=f"The {IDEMPOTENCY_HEADER} header must be 1-100 visible ASCII "
                           "characters.",
              errors={IDEMPOTENCY_HEADER: ["1-100 visible ASCII characters, no spaces."]})
    return f"client:{raw}"


def _template_or_404(template_id: uuid.UUID) -> Template:
    template = db.session.scalars(sa.select(Template).where(Template.id == template_id)).first()
    if template is None:
        abort(404, message="template_id: no such template.")
    assert template is not None
    return template


@outreach_blp.route("")
class Outreach(MethodView):
    @require_permission("outreach:send")
    @outreach_blp.arguments(schemas.OutreachRequestSchema)
    @outreach_blp.response(202, schemas.OutreachAcceptedSchema)
    @outreach_blp.alt_response(409, description="Blocked by the contact policy, or no channel")
    @outreach_blp.alt_response(404, description="No such candidate or template")
    def post(self, data: dict[str, Any]) -> Any:
        """Write a message to a candidate; it is routed, checked and sent by a job."""
        candidate = get_candidate(data["candidate_id"])
        if candidate is None:
            abort(404, message="candidate_id: no such candidate.")
        assert candidate is not None
        template = _template_or_404(data["template_id"])
        key = _client_key()
        try:
            message = queue_message(candidate, template, sender=current_user,
                                    channel=data["channel"], idempotency_key=key)
        except OutreachRefused as exc:
            db.session.rollback()
            return problem(409, title="Conflict", detail=exc.explanation, code=exc.code,
                           policy={"code": exc.code, "explanation": exc.explanation},
                           routing={**exc.routing.record,
                                    "explanation": exc.routing.explanation})
        except IdempotencyConflict:
            db.session.rollback()
            return problem(409, title="Conflict", code="idempotency_key_reused",
                           detail=f"This {IDEMPOTENCY_HEADER} was already used for a "
                                  "different candidate or campaign.")
        db.session.refresh(message)
        document = message_document(message, with_content=False)
        if message.state == "blocked":
            return problem(409, title="Conflict", detail=policy_text(message.policy_code),
                           code=message.policy_code, message_id=str(message.id),
                           channel=message.channel, policy=document["policy"],
                           routing=document["routing"])
        return {"message_id": message.id, **{k: document[k] for k in (
            "channel", "state", "routing", "policy", "send_after")}}


@outreach_blp.route("/messages")
class Messages(MethodView):
    @require_permission("candidate:read")
    @outreach_blp.arguments(schemas.MessageListArgsSchema, location="query")
    @outreach_blp.response(200, schemas.OutboundMessagePageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Outbound messages, oldest first; bodies only for roles with outreach:send."""
        stmt = sa.select(OutboundMessage)
        if args["candidate_id"] is not None:
            stmt = stmt.where(OutboundMessage.candidate_id == args["candidate_id"])
        if args["state"] is not None:
            stmt = stmt.where(OutboundMessage.state == args["state"])
        page = paginate(stmt, OutboundMessage.id, args["limit"], args["cursor"])
        content = current_user.can("outreach:send")
        return {"items": [message_document(m, with_content=content) for m in page["items"]],
                "next_cursor": page["next_cursor"]}


@outreach_blp.route("/messages/<uuid:message_id>")
class MessageById(MethodView):
    @require_permission("candidate:read")
    @outreach_blp.response(200, schemas.OutboundMessageSchema)
    def get(self, message_id: uuid.UUID) -> dict[str, Any]:
        """One outbound message: state, routing, policy, attempts and times."""
        message = get_message(message_id)
        if message is None:
            abort(404)
        assert message is not None
        return message_document(message, with_content=current_user.can("outreach:send"))


